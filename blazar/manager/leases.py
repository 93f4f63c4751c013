"""Lease operations: create, update and delete, each one transaction.

The API has already checked shapes and formats; these functions enforce
the rules that depend on stored state and time, and hand each
reservation to its plugin inside the same transaction.
"""

import copy
import datetime

from oslo_db import api as oslo_db_api
from oslo_log import log as logging

from blazar import dates
from blazar.db import engine
from blazar.db import events as db_events
from blazar.db import leases as db_leases
from blazar import enforcement
from blazar import exceptions
from blazar.manager import views
from blazar.plugins import loader
from blazar import states

LOG = logging.getLogger(__name__)

# A claim that lost a race, or a deadlock, is retried in a new transaction.
_retry_on_conflict = oslo_db_api.wrap_db_retry(
    max_retries=10, retry_on_deadlock=True, retry_interval=0.01,
    max_retry_interval=0.2, inc_retry_interval=True,
    exception_checker=lambda e: isinstance(e, exceptions.ClaimConflict))


class LeaseOperations:

    def __init__(self, conf, plugins, trusts):
        self.conf = conf
        self.plugins = plugins
        self.trusts = trusts
        self.enforcement = enforcement.UsageEnforcer(conf)

    # --- reads -------------------------------------------------------------

    def get(self, context, lease_id):
        with engine.reader(context) as session:
            lease = db_leases.get(session, lease_id, _scope(context))
            return self._view(session, lease)

    def list(self, context):
        with engine.reader(context) as session:
            leases = db_leases.list_(session, _scope(context))
            return views.lease_views(self.plugins, session, leases)

    def _view(self, session, lease):
        return views.lease_views(self.plugins, session, [lease])[0]

    # --- create ------------------------------------------------------------

    def create(self, context, values):
        """The plugins complete the requests, then usage enforcement
        decides, before anything is written or claimed, and once, outside
        the claim that may be retried; the plugins act on the new lease
        once it is committed."""
        values = self._prepared(context, values)
        try:
            self.enforcement.check_create(values)
        except exceptions.MaxLeaseDurationExceeded as error:
            # Upstream answers this 403 on create but 400 on update, and
            # clients know both.
            raise exceptions.NotAuthorized(str(error))
        view = self._create(context, values)
        self._after(context, view, 'after_create')
        return view

    def _prepared(self, context, values):
        requests = [loader.get(self.plugins, r['resource_type']).prepare(
            context, values, r) for r in values.get('reservations', [])]
        return dict(values, reservations=requests)

    @_retry_on_conflict
    def _create(self, context, values):
        start = dates.parse_wire(values['start_date'])
        end = dates.parse_wire(values['end_date'])
        before_end = _optional_wire(values.get('before_end_date'))
        with engine.writer(context) as session:
            lease = db_leases.add(
                session, name=values['name'], user_id=values['user_id'],
                project_id=values['project_id'], start_date=start,
                end_date=end, trust_id=values.get('trust_id'),
                before_end_webhook=values.get('before_end_webhook'),
                status=states.PENDING)
            requests = values.get('reservations', [])
            reservations = [db_leases.add_reservation(
                session, lease, request['resource_type'], states.RES_PENDING)
                for request in requests]
            self._add_events(session, lease, before_end)
            # The plugins' rows refer to these rows: written first, one
            # statement per table.
            session.flush()
            details = self._reserve(session, lease, reservations, requests)
            session.flush()
            return views.lease(lease, details)

    def _reserve(self, session, lease, reservations, requests):
        """Each plugin claims for its reservation; what they answer is
        the reservations' details in the lease's view (nothing is read
        back)."""
        return {reservation.id: loader.get(
            self.plugins, request['resource_type']).reserve(
                session, lease, reservation, request)
            for reservation, request in zip(reservations, requests)}

    def _add_events(self, session, lease, before_end):
        db_events.add(session, lease, states.START_LEASE, lease.start_date)
        db_events.add(session, lease, states.END_LEASE, lease.end_date)
        when = self._before_end_time(lease, before_end)
        if when is not None:
            db_events.add(session, lease, states.BEFORE_END_LEASE, when)

    def _before_end_time(self, lease, explicit):
        if explicit is not None:
            return explicit
        minutes = self.conf.manager.minutes_before_end_lease
        if not minutes:
            return None
        return max(lease.end_date - datetime.timedelta(minutes=minutes),
                   lease.start_date)

    # --- update ------------------------------------------------------------

    def update(self, context, lease_id, values):
        """Update the lease in one transaction, then let the plugins act
        outside the service on what changed."""
        view = self._update(context, lease_id, values)
        if _changes_schedule(values):
            self._after(context, view, 'after_update')
        return view

    @_retry_on_conflict
    def _update(self, context, lease_id, values):
        with engine.writer(context) as session:
            lease = db_leases.get(session, lease_id, _scope(context),
                                  for_update=True)
            if lease.status not in states.STABLE:
                raise exceptions.InvalidStatus()
            if _changes_schedule(values):
                self._reschedule(session, lease, values)
            if 'name' in values:
                lease.name = values['name']
            if 'before_end_webhook' in values:
                lease.before_end_webhook = values['before_end_webhook']
            session.flush()
            return self._view(session, lease)

    def _reschedule(self, session, lease, values):
        now = dates.utcnow()
        if lease.status == states.TERMINATED or lease.end_date < now:
            raise exceptions.InvalidInput('Terminated leases can only be '
                                          'renamed')
        old_end = lease.end_date
        start, end = _new_window(lease, values, now)
        requests = _reservation_requests(lease, values.get('reservations'))
        self._check_update(session, lease, values, start, end, requests)
        lease.start_date, lease.end_date = start, end
        for reservation in lease.reservations:
            plugin = loader.get(self.plugins, reservation.resource_type)
            plugin.update(session, lease, reservation,
                          requests.get(reservation.id, {}))
        self._move_events(lease, old_end,
                          _optional_wire(values.get('before_end_date')))

    def _after(self, context, view, step):
        for reservation in view['reservations']:
            plugin = loader.get(self.plugins, reservation['resource_type'])
            try:
                getattr(plugin, step)(context, view, reservation)
            except Exception:
                # The change is committed; the plugin's own repair (e.g.
                # the host plugin's Nova reconciler, or the lease's start)
                # catches up.
                LOG.exception('Lease %s committed, but reservation %s could '
                              'not act on it (%s)', view['id'],
                              reservation['id'], step)

    def _check_update(self, session, lease, values, start, end, requests):
        """Usage enforcement sees the lease before and after the change,
        before any plugin re-claims capacity."""
        if self.enforcement.filters:
            current = self._view(session, lease)
            self.enforcement.check_update(current, _rescheduled(
                current, values.get('name'), start, end, requests))

    def _move_events(self, lease, old_end, explicit_before_end):
        for event in lease.events:
            if event.event_type == states.START_LEASE:
                event.time = lease.start_date
            elif event.event_type == states.END_LEASE:
                event.time = lease.end_date
            elif event.event_type == states.BEFORE_END_LEASE:
                offset = old_end - event.time
                when = explicit_before_end or (lease.end_date - offset)
                event.time = max(when, lease.start_date)
                if event.status == states.DONE and event.time > dates.utcnow():
                    states.event_to(event, states.UNDONE)

    # --- delete ------------------------------------------------------------

    def delete(self, context, lease_id):
        """Delete a lease; capacity a started lease holds is given back
        (through the plugins' ``on_end``) before the rows go, what the
        creation of a pending one did outside is undone (``on_cancel``:
        a server shelved until the start runs again), and usage
        enforcement hears of the end of a lease that had not ended. Its
        trust goes with the rows: if Keystone cannot delete it, the lease
        stays, so that no delegation outlives its lease."""
        view = self._delete(context, lease_id)
        if view['status'] != states.TERMINATED:
            self._tell_enforcement_of_end(view)
        return view

    def _delete(self, context, lease_id):
        with engine.writer(context) as session:
            lease = db_leases.get(session, lease_id, _scope(context),
                                  for_update=True)
            if lease.status in (states.STARTING, states.TERMINATING):
                raise exceptions.InvalidStatus()
            holding = lease.status in (states.ACTIVE, states.ERROR)
            view = self._view(session, lease)
            if not holding and lease.status != states.PENDING:
                self._delete_with_trust(session, lease)
                return view
            states.lease_to(lease, states.DELETING)
        self._give_back(context, view, holding)
        with engine.writer(context) as session:
            self._delete_with_trust(session, db_leases.get(session, lease_id))
        return view

    def _delete_with_trust(self, session, lease):
        # Inside the transaction: should Keystone fail, nothing is deleted.
        self.trusts.delete(lease.trust_id)
        db_leases.delete(session, lease)

    def _give_back(self, context, view, started):
        """Every reservation not yet released ends, ``pending`` ones too:
        a start that failed half-way (the lease in ERROR) may have handed
        over resources before its reservations became active. Those of a
        lease that never ``started`` are cancelled instead. The plugins'
        steps are idempotent, so this is safe to repeat (a failure leaves
        the lease in ERROR, to be deleted again)."""
        try:
            for reservation in view['reservations']:
                if reservation['status'] != states.RES_DELETED:
                    plugin = loader.get(self.plugins,
                                        reservation['resource_type'])
                    step = plugin.on_end if started else plugin.on_cancel
                    step(context, view, reservation)
        except Exception:
            LOG.exception('Releasing lease %s failed', view['id'])
            with engine.writer(context) as session:
                lease = db_leases.get(session, view['id'])
                states.lease_to(lease, states.ERROR)
            raise

    def _tell_enforcement_of_end(self, view):
        # The lease is gone: nothing could deliver this again later.
        try:
            self.enforcement.on_end(view)
        except exceptions.ServiceUnavailable as error:
            LOG.warning('Usage enforcement was not told that lease %s '
                        'ended: %s', view['id'], error)


def _scope(context):
    """Non-admins only ever see their own project's leases; the API set
    ``is_admin`` from the policy rule ``admin``."""
    return None if context.is_admin else context.project_id


def _optional_wire(value):
    return dates.parse_wire(value) if value else None


def _changes_schedule(values):
    return any(key in values for key in
               ('start_date', 'end_date', 'before_end_date', 'reservations'))


def _new_window(lease, values, now):
    start = _optional_wire(values.get('start_date')) or lease.start_date
    end = _optional_wire(values.get('end_date')) or lease.end_date
    started = lease.start_date <= now
    if started and start != lease.start_date:
        raise exceptions.InvalidInput('Cannot modify the start date of '
                                      'already started leases')
    if not started and start < dates.start_of_minute(now):
        raise exceptions.InvalidInput('Start date must be later than '
                                      'current date')
    if end < now or end < start:
        raise exceptions.InvalidInput('End date must be later than current '
                                      'and start date')
    before_end = _optional_wire(values.get('before_end_date'))
    if before_end is not None and not start < before_end < end:
        raise exceptions.OutOfLeaseLimits()
    return start, end


def _rescheduled(view, name, start, end, requests):
    """The lease ``view`` as the update will leave it."""
    lease = copy.deepcopy(view)
    lease.update(start_date=dates.to_wire(start), end_date=dates.to_wire(end))
    if name is not None:
        lease['name'] = name
    for reservation in lease['reservations']:
        reservation.update(requests.get(reservation['id'], {}))
    return lease


def _reservation_requests(lease, requests):
    """Index the update's reservation entries by id, checking each."""
    requests = requests or []
    known = {r.id: r for r in lease.reservations}
    if any('id' not in request for request in requests):
        raise exceptions.MissingParameter(param='reservation ID')
    unknown = [r['id'] for r in requests if r['id'] not in known]
    if unknown:
        raise exceptions.InvalidInput(
            'Please enter valid reservation IDs. Invalid reservation IDs '
            'are: %s' % ', '.join(unknown))
    for request in requests:
        resource_type = request.get('resource_type')
        stored_type = known[request['id']].resource_type
        if resource_type and resource_type != stored_type:
            raise exceptions.CantUpdateParameter(param='resource_type')
    return {r['id']: {k: v for k, v in r.items() if k != 'id'}
            for r in requests}
