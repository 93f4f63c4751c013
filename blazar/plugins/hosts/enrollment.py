"""Host administration behind /v1/os-hosts: enrolling, showing, updating
and removing hosts, and the allocation and property views.

Each method is an RPC endpoint of the plugin (``call_plugin``); requests
were validated by the API (``blazar.api.schemas.hosts``).
"""

from oslo_db import api as oslo_db_api
from oslo_db import exception as db_exc
from oslo_log import log as logging
from oslo_utils import excutils
from oslo_utils import timeutils

from blazar.db import engine
from blazar import exceptions
from blazar.plugins.hosts import allocation
from blazar.plugins.hosts import db
from blazar.plugins.hosts import models
from blazar.plugins.hosts import views

LOG = logging.getLogger(__name__)

# Another transaction enrolled the same property name or claimed the host
# meanwhile: run the whole transaction again on fresh data.
_retry_on_race = oslo_db_api.wrap_db_retry(
    max_retries=5, retry_interval=0.01, inc_retry_interval=True,
    retry_on_deadlock=True,
    exception_checker=lambda e: isinstance(
        e, (exceptions.ClaimConflict, db_exc.DBDuplicateEntry)))


class Enrollment:

    def __init__(self, inventory):
        self.inventory = inventory

    def rpc_endpoints(self):
        return {'list_hosts': self.list_hosts,
                'get_host': self.get_host,
                'create_host': self.create_host,
                'update_host': self.update_host,
                'delete_host': self.delete_host,
                'list_allocations': self.list_allocations,
                'get_allocation': self.get_allocation,
                'list_properties': self.list_properties,
                'update_property': self.update_property}

    # --- hosts -------------------------------------------------------------

    def list_hosts(self, context):
        with engine.reader(context) as session:
            return self.host_views(session)

    def get_host(self, context, host_id):
        with engine.reader(context) as session:
            return self._view(session, db.get_host(session, host_id))

    def create_host(self, context, name, values):
        """Enroll the host ``name``; ``values`` are the request's other
        fields, which the inventory splits into columns and extra
        capabilities."""
        description = self.inventory.describe(context, name, values)
        check_capability_names(description.extra_capabilities)
        view = self._add(context, description)
        try:
            self.inventory.enroll(context, view)
        except Exception:
            with excutils.save_and_reraise_exception():
                self._remove_row(context, view['id'])
        LOG.info('Enrolled host %s as %s', name, view['id'])
        return view

    @_retry_on_race
    def _add(self, context, description):
        with engine.writer(context) as session:
            host = db.add_host(session, description.columns)
            db.set_capabilities(session, host.id,
                                description.extra_capabilities)
            return self._view(session, host)

    @_retry_on_race
    def update_host(self, context, host_id, values):
        """Set extra capabilities; refused for names that reservations
        still holding the host select hosts by."""
        check_capability_names(values)
        with engine.writer(context) as session:
            host = db.get_host(session, host_id)
            used = db.live_properties_of_host(session, host.id,
                                              timeutils.utcnow()) & set(values)
            if used:
                raise exceptions.Conflict(
                    "Can't update extra capabilities [%s] of host %s: "
                    "reservations holding the host select hosts by them"
                    % (', '.join(sorted(used)), host.id))
            # Claims in flight matched the old values: make them retry.
            allocation.bump_generation(session, host.id, host.generation)
            db.set_capabilities(session, host.id, values)
            session.expire(host)
            return self._view(session, host)

    def delete_host(self, context, host_id):
        """Withdraw the host from the inventory, then delete its row. It
        is marked leaving first, so that the Nova drift repair, seeing it
        enrolled yet out of the freepool, does not put it back."""
        view = self._set_leaving(context, host_id, True)
        try:
            self.inventory.check_deletable(context, view)
            self.inventory.withdraw(context, view)
        except Exception:
            with excutils.save_and_reraise_exception():
                self._set_leaving(context, host_id, False)
        try:
            self._remove_row(context, host_id)
        except Exception:
            with excutils.save_and_reraise_exception():
                self.inventory.enroll(context, view)
                self._set_leaving(context, host_id, False)
        LOG.info('Removed host %s (%s)', view['id'],
                 view['hypervisor_hostname'])

    def _set_leaving(self, context, host_id, leaving):
        """Mark (or unmark) an unreserved host as leaving; its view."""
        with engine.writer(context) as session:
            host = db.get_host(session, host_id)
            if leaving and db.is_reserved(session, host.id):
                raise db.reserved(host.id)
            host.status = models.LEAVING if leaving else None
            session.flush()
            return self._view(session, host)

    @_retry_on_race
    def _remove_row(self, context, host_id):
        with engine.writer(context) as session:
            db.delete_host(session, db.get_host(session, host_id))

    # --- views -------------------------------------------------------------

    def host_views(self, session, host_ids=None):
        hosts = db.list_hosts(session, host_ids)
        capabilities = db.capabilities_by_host(session,
                                               [h.id for h in hosts])
        return [views.host(h, capabilities[h.id]) for h in hosts]

    def _view(self, session, host):
        return views.host(host, db.capabilities_by_host(
            session, [host.id])[host.id])

    def list_allocations(self, context, lease_id=None, reservation_id=None):
        with engine.reader(context) as session:
            host_ids = [h.id for h in db.list_hosts(session)]
            found = db.allocations(session, host_ids, lease_id,
                                   reservation_id, timeutils.utcnow())
            return [views.allocation(h, found[h]) for h in host_ids]

    def get_allocation(self, context, host_id, lease_id=None,
                       reservation_id=None):
        with engine.reader(context) as session:
            host = db.get_host(session, host_id)
            found = db.allocations(session, [host.id], lease_id,
                                   reservation_id, timeutils.utcnow())
            return views.allocation(host.id, found[host.id])

    def list_properties(self, context, detail=False, all_=False):
        """Property names (with privacy and values when ``detail``);
        private ones only for admins asking for ``all_``."""
        include_private = all_ and context.is_admin_context
        with engine.reader(context) as session:
            found = db.properties(session, include_private)
        if not detail:
            return [{'property': name} for name, _, _ in found]
        return [{'property': name, 'private': private, 'values': values}
                for name, private, values in found]

    def update_property(self, context, name, private):
        with engine.writer(context) as session:
            prop = db.get_property(session, name)
            prop.private = private
            session.flush()
            return views.resource_property(prop)


def check_capability_names(capabilities):
    """Extra capabilities cannot shadow the fields of the host view."""
    taken = sorted(set(capabilities) & set(views.HOST_FIELDS))
    if taken:
        raise exceptions.InvalidInput(
            '%s cannot be set as extra capabilities: they are host fields'
            % ', '.join(taken))
