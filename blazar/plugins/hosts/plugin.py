"""The physical:host plugin: whole hosts reserved for a lease's window.

Reserving (``reserve``/``update``) runs inside the manager's transaction:
``allocation.free_hosts`` takes up to ``max`` of the hosts that match the
request and are free over the lease window widened by ``[DEFAULT]
cleaning_time``, and the claim (compare-and-swap on each host's
generation) plus the allocation rows are written in the same transaction.
What happens to the hosts outside Blazar when a lease starts and ends is
the inventory's business (``blazar.plugins.hosts.inventory``). A periodic
health check heals the reservations whose hosts failed (``healing``):
this plugin's, and those of every plugin holding hosts (its ``heal``).
"""

import datetime
import functools

from oslo_db import api as oslo_db_api
from oslo_log import log as logging
from oslo_utils import timeutils
import sqlalchemy as sa

from blazar import dates
from blazar.db import engine
from blazar.db import models as db_models
from blazar import exceptions
from blazar.plugins import base
from blazar.plugins.hosts import allocation
from blazar.plugins.hosts import db
from blazar.plugins.hosts import enrollment
from blazar.plugins.hosts import healing
from blazar.plugins.hosts import inventory
from blazar.plugins.hosts import models
from blazar.plugins.hosts import options
from blazar.plugins.hosts import properties
from blazar.plugins.hosts import schema
from blazar.plugins.hosts import service_updates
from blazar.plugins.hosts import views
from blazar.plugins import query
from blazar import states

LOG = logging.getLogger(__name__)

HostReservation = models.HostReservation

# A concurrent claim took a replacement host first: heal again from the
# start, on fresh data.
_retry_on_claim_conflict = oslo_db_api.wrap_db_retry(
    max_retries=5, retry_interval=0.01, inc_retry_interval=True,
    retry_on_deadlock=True,
    exception_checker=lambda e: isinstance(e, exceptions.ClaimConflict))


class HostPlugin(base.ResourcePlugin):

    resource_type = schema.RESOURCE_TYPE

    def __init__(self, conf):
        super().__init__(conf)
        options.register_opts(conf)
        self.inventory = inventory.load(conf)
        self.enrollment = enrollment.Enrollment(self.inventory)
        self._healers = [self.heal]

    @property
    def _options(self):
        return self.conf[options.GROUP]

    # --- reservations (inside the manager's transaction) --------------------

    def reserve(self, session, lease, reservation, values):
        self._allocate(session, lease, reservation, values, held=set())
        row = HostReservation(id=reservation.resource_id,
                              reservation_id=reservation.id)
        _store_request(row, values)
        session.add(row)
        return views.reservation_details(row)

    def update(self, session, lease, reservation, values):
        row = session.scalars(sa.select(HostReservation).where(
            HostReservation.reservation_id == reservation.id)).one()
        request = views.reservation_details(row)
        request.update(values)
        schema.check_count_range(request['min'], request['max'])
        held = allocation.held_hosts(session, reservation.id)
        allocation.drop(session, reservation.id)
        session.flush()
        self._allocate(session, lease, reservation, request, held)
        _store_request(row, request)

    def release(self, session, reservation):
        allocation.drop(session, reservation.id)

    def details(self, session, reservations):
        return base.details_of(session, HostReservation, reservations,
                               views.reservation_details)

    def leases_sharing_resources(self, session, reservations, lease_ids):
        """Those of ``lease_ids`` that hold one of the hosts of
        ``reservations``: their end must put a host back before this lease
        may take it."""
        return db.leases_sharing_hosts(
            session, [r.id for r in reservations], lease_ids)

    def _allocate(self, session, lease, reservation, request, held):
        """Claim hosts for the lease's window. An active reservation only
        needs them for what is left of it, keeps every host it holds (they
        are in use) and may grow."""
        now = timeutils.utcnow()
        active = reservation.status == states.RES_ACTIVE
        clause = _matching(session, request)
        start, end = self._window(lease, since=now if active else None)
        # Held hosts come first; an active reservation asks for all of
        # them, even beyond max, for _check_keeps_held to judge.
        wanted = max(request['max'], len(held)) if active else request['max']
        free = self._free_hosts(session, clause, start, end, wanted,
                                prefer=held)
        if active:
            _check_keeps_held(reservation, free, held, request)
        chosen = free if len(free) >= request['min'] else None
        if chosen is None:
            raise self._not_enough(session, clause, held, len(free),
                                   request['min'], start, end)
        allocation.claim(session, chosen)
        allocation.allocate(session, reservation.id,
                            [host.id for host in chosen],
                            lease.start_date, lease.end_date)

    def _free_hosts(self, session, clause, start, end, count, prefer=()):
        return allocation.free_hosts(
            session, clause, start, end, count, prefer=prefer,
            begin=allocation.starting_point(
                self._options.randomize_host_selection))

    def _window(self, lease, since=None):
        """The lease's window widened by the cleaning time; from ``since``
        on only, if given (the part of an active lease that is left)."""
        start = lease.start_date if since is None else max(lease.start_date,
                                                           since)
        cleaning = datetime.timedelta(minutes=self.conf.cleaning_time)
        return start - cleaning, lease.end_date + cleaning

    def _not_enough(self, session, clause, held, free_count, needed, start,
                    end):
        matching = allocation.count_matching(session, clause, held)
        message = ('Not enough hosts available: %s the request, %s free '
                   'from %s to %s%s, at least %d needed'
                   % (_hosts_match(matching), _are(free_count),
                      start.strftime(dates.LEGACY_FORMAT),
                      end.strftime(dates.LEGACY_FORMAT),
                      self._cleaning_note(), needed))
        return exceptions.NotEnoughResources(message)

    def _cleaning_note(self):
        if not self.conf.cleaning_time:
            return ''
        return (' (the lease with %d minutes of cleaning time on each side)'
                % self.conf.cleaning_time)

    # --- lease events (outside any transaction) ----------------------------

    def on_start(self, context, lease, reservation):
        self.inventory.on_start(context, lease, reservation,
                                self._hosts_of(context, reservation))

    def before_end(self, context, lease, reservation):
        action = reservation.get('before_end') or ''
        if action == 'default':
            action = self._options.before_end
        self.inventory.before_end(context, lease, reservation,
                                  self._hosts_of(context, reservation),
                                  action)

    def on_end(self, context, lease, reservation):
        self.inventory.on_end(context, lease, reservation,
                              self._hosts_of(context, reservation))

    def after_update(self, context, lease, reservation):
        """Hand the hosts an active reservation grew by over (handing over
        what it holds already is a no-op)."""
        if reservation['status'] == states.RES_ACTIVE:
            self.on_start(context, lease, reservation)

    def _hosts_of(self, context, reservation):
        with engine.reader(context) as session:
            return self.enrollment.host_views(
                session, allocation.held_hosts(session, reservation['id']))

    # --- health (periodic) --------------------------------------------------

    def plugins_loaded(self, plugins):
        # Every plugin whose reservations hold hosts heals them in this
        # plugin's health check, in its transaction.
        self._healers = [plugin.heal for plugin in plugins.values()]

    def check_health(self, context):
        """Ask the inventory which hosts failed, heal the reservations
        holding them, then hand the replacements of active reservations
        over outside Blazar."""
        with engine.reader(context) as session:
            hosts = self.enrollment.host_views(session)
        failed = {int(host_id) for host_id
                  in self.inventory.failed_hosts(context, hosts)}
        for hand_over in self._heal(context, failed):
            hand_over(context)

    @_retry_on_claim_conflict
    def _heal(self, context, failed):
        now = timeutils.utcnow()
        until = self._healing_until(now)
        with engine.writer(context) as session:
            went_down, came_back = healing.mark_health(session, failed)
            hand_overs = [hand_over for heal in self._healers
                          for hand_over in heal(session, now, until)]
            degraded, recovered = healing.flag_missing(session, now, until)
        _log_health(went_down, came_back, degraded, recovered)
        return hand_overs

    def _healing_until(self, now):
        minutes = self._options.healing_horizon
        return now + datetime.timedelta(minutes=minutes) if minutes else None

    def heal(self, session, now, until):
        hand_overs = []
        for reservation_id, broken in healing.broken_allocations(
                session, self.resource_type, now, until).items():
            handover = self._replace(session, reservation_id, broken, now)
            if handover is not None:
                hand_overs.append(functools.partial(self._hand_over,
                                                    handover=handover))
        return hand_overs

    def _replace(self, session, reservation_id, broken, now):
        """Move what ``broken`` allocations of the reservation it can to
        free hosts matching its request; a ``Handover`` if the reservation
        is active and got hosts."""
        reservation = session.get(db_models.Reservation, reservation_id)
        lease = session.get(db_models.Lease, reservation.lease_id)
        row = session.scalars(sa.select(HostReservation).where(
            HostReservation.reservation_id == reservation_id)).one()
        start, end = self._window(lease, since=now)
        chosen = self._free_hosts(
            session, _matching(session, views.reservation_details(row)),
            start, end, len(broken))
        allocation.claim(session, chosen)
        for old, new in zip(broken, chosen):
            healing.move_allocation(session, old, new.id)
            LOG.warning('Host %s of reservation %s failed; replaced by host '
                        '%s', old.host_id, reservation_id, new.id)
        if not chosen or reservation.status != states.RES_ACTIVE:
            return None
        reservation.resources_changed = True
        return healing.Handover(
            lease={'id': lease.id, 'project_id': lease.project_id},
            reservation={'id': reservation_id},
            removed=tuple(old.host_id for old in broken[:len(chosen)]),
            added=tuple(new.id for new in chosen))

    def _hand_over(self, context, handover):
        with engine.reader(context) as session:
            removed = self.enrollment.host_views(session, handover.removed)
            added = self.enrollment.host_views(session, handover.added)
        try:
            self.inventory.replace_hosts(context, handover.lease,
                                         handover.reservation, removed, added)
        except Exception:
            # The books already hold the replacement; the inventory's
            # drift repair (Nova) moves the hosts at its next turn.
            LOG.exception('Could not hand replacement hosts %s of '
                          'reservation %s over', handover.added,
                          handover.reservation['id'])

    # --- host administration -----------------------------------------------

    def rpc_endpoints(self):
        return self.enrollment.rpc_endpoints()

    def notification_endpoints(self, leases):
        if not self._options.enable_notification_monitor:
            return []
        return [service_updates.ServiceUpdates(
            self._options.notification_exchange,
            self._options.notification_topics, self.check_health)]

    def periodic_tasks(self):
        tasks = list(self.inventory.periodic_tasks())
        interval = self._options.health_check_interval
        if interval:
            tasks.append((interval, self.check_health))
        return tasks


def _matching(session, request):
    """The clause selecting the hosts that match a reservation request."""
    filters = {field: query.parse(request[field])
               for field in schema.PROPERTY_FIELDS}
    resolver = properties.HostProperties(session, filters)
    return sa.and_(*(resolver.clause(expr) for expr in filters.values()))


def _log_health(went_down, came_back, degraded, recovered):
    if went_down:
        LOG.warning('Hosts %s failed: no longer reservable', went_down)
    if came_back:
        LOG.info('Hosts %s recovered: reservable again', came_back)
    if degraded:
        LOG.warning('Leases %s degraded: failed hosts could not be '
                    'replaced', degraded)
    if recovered:
        LOG.info('Leases %s no longer degraded', recovered)


def _store_request(row, request):
    row.count_range = '%d-%d' % (request['min'], request['max'])
    row.hypervisor_properties = request['hypervisor_properties']
    row.resource_properties = request['resource_properties']
    row.before_end = request['before_end']


def _check_keeps_held(reservation, free, held, request):
    """An active reservation keeps every host it holds (they are in use):
    all must stay free and suitable, and ``max`` allow them all."""
    lost = held - {host.id for host in free}
    if lost:
        raise exceptions.NotEnoughResources(
            'Not enough hosts available: the active reservation %s would '
            'lose host(s) %s, no longer free or matching in the new window'
            % (reservation.id, ', '.join(str(h) for h in sorted(lost))))
    if len(held) > request['max']:
        raise exceptions.Conflict(
            reason='the active reservation %s holds %d host(s) and cannot '
                   'give any up; max must be at least %d'
                   % (reservation.id, len(held), len(held)))


def _hosts_match(count):
    return '1 host matches' if count == 1 else '%d hosts match' % count


def _are(count):
    return '1 is' if count == 1 else '%d are' % count
