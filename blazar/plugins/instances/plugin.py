"""The virtual:instance plugin: room for ``amount`` servers of one size.

Reserving (``reserve``/``update``) runs inside the manager's transaction:
it reads the hosts matching ``resource_properties`` and the slots other
instance reservations hold on them in the lease window (widened by
``[DEFAULT] cleaning_time``), counts the free slots per host and chooses
hosts by affinity (``allocation``), then claims them and writes one
allocation row per host. The hosts are the host plugin's enrolled hosts;
what a start and an end do outside Blazar is ``resources``' business.
"""

import collections
import dataclasses
import datetime
import functools

from oslo_db import exception as db_exc
from oslo_log import log as logging
from oslo_utils import excutils
from oslo_utils import timeutils
import sqlalchemy as sa

from blazar import dates
from blazar.db import engine
from blazar.db import models as db_models
from blazar import exceptions
from blazar.plugins import base
from blazar.plugins.hosts import allocation as host_allocation
from blazar.plugins.hosts import db as host_db
from blazar.plugins.hosts import healing
from blazar.plugins.hosts import properties
from blazar.plugins.instances import allocation
from blazar.plugins.instances import boot_leases
from blazar.plugins.instances import boot_notifications
from blazar.plugins.instances import models
from blazar.plugins.instances import resources
from blazar.plugins.instances import options
from blazar.plugins.instances import reconcile
from blazar.plugins.instances import schema
from blazar.plugins.instances import views
from blazar.plugins import query
from blazar import states

LOG = logging.getLogger(__name__)

InstanceReservation = models.InstanceReservation

NO_REPLACEMENT = ("Instance reservation doesn't allow to reduce/replace "
                  "reserved instance slots when the reservation is in "
                  "active status.")


class InstancePlugin(base.ResourcePlugin):

    resource_type = schema.RESOURCE_TYPE

    def __init__(self, conf):
        super().__init__(conf)
        options.register_opts(conf)
        self.resources = resources.load(conf)

    @property
    def _options(self):
        return self.conf[options.GROUP]

    # --- a lease for an existing server (before the transaction) ----------

    def prepare(self, context, lease_values, request):
        """A request naming a server gets the size of its flavor, once the
        server is known to be the lease project's (or the caller an
        admin). One made at the server's boot has it from Nova's
        notification."""
        if schema.SERVER_ID not in request or schema.BOOTED_ON in request:
            return request
        size = self.resources.server_size(
            request[schema.SERVER_ID], lease_values['project_id'],
            context.is_admin)
        return dict(request, **dataclasses.asdict(size))

    def after_create(self, context, lease, reservation):
        """The server a lease was made for carries the lease's id (first:
        Nova refuses to change the metadata of a shelved server); one
        whose lease starts later is then shelved until the start."""
        server_id = reservation.get(schema.SERVER_ID)
        if not server_id:
            return
        try:
            self.resources.label_server(
                server_id, {boot_leases.LEASE_ID: lease['id']})
        except exceptions.BlazarError as error:
            LOG.warning('Could not write the id of lease %s on server %s: '
                        '%s', lease['id'], server_id, error)
        if dates.parse_wire(lease['start_date']) > timeutils.utcnow():
            self.resources.shelve(server_id)

    # --- reservations (inside the manager's transaction) --------------------

    def reserve(self, session, lease, reservation, values):
        prefer = ()
        if schema.BOOTED_ON in values:
            _record_boot(session, lease, values[schema.SERVER_ID])
            prefer = allocation.hosts_of_service(
                session, values[schema.BOOTED_ON])
        self._allocate(session, lease, reservation, values, held={},
                       prefer=prefer)
        row = InstanceReservation(id=reservation.resource_id,
                                  reservation_id=reservation.id,
                                  server_id=values.get(schema.SERVER_ID))
        _store_request(row, values)
        session.add(row)
        return views.reservation_details(row)

    def update(self, session, lease, reservation, values):
        _check_updatable(reservation, values)
        row = self._row(session, reservation.id)
        if row.server_id and values:
            raise exceptions.InvalidInput(
                'The reservation of server %s keeps its flavor\'s size and '
                'one slot; only the lease\'s dates can change'
                % row.server_id)
        request = _request(row)
        request.update(values)
        held = allocation.held_slots(session, reservation.id)
        keep = held if reservation.status == states.RES_ACTIVE else None
        if keep and request['amount'] < sum(held.values()):
            raise exceptions.Conflict(NO_REPLACEMENT)
        host_allocation.drop(session, reservation.id)
        session.flush()
        self._allocate(session, lease, reservation, request, held, keep)
        _store_request(row, request)

    def release(self, session, reservation):
        host_allocation.drop(session, reservation.id)

    def details(self, session, reservations):
        return base.details_of(session, InstanceReservation, reservations,
                               views.reservation_details)

    @staticmethod
    def _row(session, reservation_id):
        return session.scalars(sa.select(InstanceReservation).where(
            InstanceReservation.reservation_id == reservation_id)).one()

    def _allocate(self, session, lease, reservation, request, held,
                  keep=None, prefer=()):
        """Choose and claim hosts; ``prefer``: ids of hosts to take first
        if they have room (the host a server at its boot runs on: it
        stays there when its lease starts at once)."""
        start, end = self._window(
            lease, timeutils.utcnow() if keep else None)
        hosts, free, order = self._room(session, request, start, end, held,
                                        prefer)
        chosen = allocation.choose(free, order, request['amount'],
                                   request['affinity'], keep)
        if chosen is None:
            raise (exceptions.Conflict(NO_REPLACEMENT) if keep else
                   self._not_enough(request, free, start, end))
        host_allocation.claim(session, [h for h in hosts if h.id in chosen])
        allocation.allocate(session, reservation.id, chosen,
                            lease.start_date, lease.end_date)

    def _room(self, session, request, start, end, held, prefer=()):
        """The candidate hosts for ``request`` over [start, end], the
        free slots of its size on each (host id -> count) and the order
        to take them in (``held``, host id -> slots, first, then the ids
        in ``prefer``)."""
        size = allocation.Size(request['vcpus'], request['memory_mb'],
                               request['disk_gb'])
        hosts = self._candidates(session, request, start, end, held)
        uses = collections.defaultdict(list)
        for use in allocation.uses(session, [h.id for h in hosts], start,
                                   end):
            uses[use.host_id].append(use)
        free = {host.id: allocation.free_slots(
            host, uses.get(host.id, []), size, start, end) for host in hosts}
        order = allocation.preference(free, set(uses), held, prefer)
        return hosts, free, order

    def _candidates(self, session, request, start, end, held):
        hosts = allocation.candidates(
            session, _clause(session, request['resource_properties']),
            self._ratios(), start, end, held)
        known = self.resources.capacities([h.hypervisor_id for h in hosts])
        return [dataclasses.replace(h, capacity=known[h.hypervisor_id])
                if h.hypervisor_id in known else h for h in hosts]

    def _ratios(self):
        return allocation.Ratios(self._options.cpu_allocation_ratio,
                                 self._options.ram_allocation_ratio,
                                 self._options.disk_allocation_ratio)

    def _window(self, lease, since=None):
        """The lease's window widened by the cleaning time; from ``since``
        on only, if given (an active reservation needs room for what is
        left of it)."""
        start = lease.start_date if since is None else max(lease.start_date,
                                                           since)
        cleaning = datetime.timedelta(minutes=self.conf.cleaning_time)
        return start - cleaning, lease.end_date + cleaning

    def _not_enough(self, request, free, start, end):
        cleaning = ''
        if self.conf.cleaning_time:
            cleaning = (' (the lease with %d minutes of cleaning time on '
                        'each side)' % self.conf.cleaning_time)
        return exceptions.NotEnoughResources(
            'Not enough hosts available: %s of %d VCPU(s), %d MB of memory '
            'and %d GB of disk%s do not fit from %s to %s%s; %s match the '
            'request, with room for %d such instance(s) in all and at most '
            '%d on one host' % (
                _instances(request['amount']), request['vcpus'],
                request['memory_mb'], request['disk_gb'],
                _AFFINITY_NOTES[request['affinity']],
                start.strftime(dates.LEGACY_FORMAT),
                end.strftime(dates.LEGACY_FORMAT), cleaning,
                _hosts(len(free)), sum(free.values()),
                max(free.values(), default=0)))

    # --- healing (inside the host plugin's health check) ------------------

    def heal(self, session, now, until):
        """Move the slots that reservations hold on failed hosts, and that
        no server uses, to healthy hosts with room."""
        hand_overs = []
        for reservation_id, broken in healing.broken_allocations(
                session, self.resource_type, now, until).items():
            hand_over = self._replace_slots(session, reservation_id, broken,
                                            now)
            if hand_over is not None:
                hand_overs.append(hand_over)
        return hand_overs

    def _replace_slots(self, session, reservation_id, broken, now):
        """Re-place what it can of ``broken`` (the reservation's
        allocations on failed hosts) as a new reservation would be
        placed; for an active reservation, a function handing the new
        layout over outside Blazar."""
        reservation = session.get(db_models.Reservation, reservation_id)
        lease = session.get(db_models.Lease, reservation.lease_id)
        row = self._row(session, reservation_id)
        active = reservation.status == states.RES_ACTIVE
        view = dict(views.reservation_details(row), id=reservation_id)
        movable = self._movable(session, view, broken, active)
        if not any(movable.values()):
            return None
        request = _request(row)
        held = allocation.held_slots(session, reservation_id)
        start, end = self._window(lease, since=now)
        hosts, free, order = self._room(
            session, request, start, end,
            {host: slots for host, slots in held.items()
             if host not in movable})
        chosen = allocation.replacement(free, order, sum(movable.values()),
                                        request['affinity'], held)
        if not chosen:
            return None
        host_allocation.claim(session, [h for h in hosts if h.id in chosen])
        left = _take_displaced(session, broken, movable,
                               sum(chosen.values()))
        allocation.add(session, reservation_id, chosen, lease.start_date,
                       lease.end_date)
        LOG.warning('Slots of reservation %s on failed hosts %s re-placed: '
                    '%s', reservation_id, sorted(movable),
                    ', '.join('host %s x%d' % item
                              for item in sorted(chosen.items())))
        if not active:
            return None
        reservation.resources_changed = True
        return functools.partial(
            self._hand_replacements_over,
            lease={'id': lease.id, 'project_id': lease.project_id,
                   'trust_id': lease.trust_id},
            reservation=view, left=left)

    def _movable(self, session, reservation, broken, active):
        """failed host id -> slots that may leave it: all of a pending
        reservation's; those of an active one that no server uses (its
        servers there are not moved, and keep their slots until deleted:
        the reservation stays degraded meanwhile)."""
        if not active:
            return {b.host_id: b.slots for b in broken}
        placements = self._placements_on(session, {
            b.host_id: b.slots for b in broken})
        in_use = self.resources.slots_in_use(reservation, placements)
        return {b.host_id: max(b.slots - in_use.get(
            p.hypervisor_hostname, 0), 0) for b, p in zip(broken, placements)}

    def _hand_replacements_over(self, context, lease, reservation, left):
        """Hand the active reservation's hosts over as the books have them
        now, then take back the failed hosts it ``left``."""
        try:
            with engine.reader(context) as session:
                if _lease_status(session, lease['id']) != states.ACTIVE:
                    # Ending (or deleted) since: what the end takes back
                    # must not be made again.
                    return
                placements = self._placements_on(session, dict.fromkeys(
                    left, 0))
            self._hand_over(context, lease, reservation)
            self.resources.drop_hosts(context, lease, reservation,
                                      placements)
        except Exception:
            # The books already hold the new layout; Nova catches up when
            # the reservation is handed over again (its amount grows), and
            # its end removes the inventory of hosts it left all the same.
            LOG.exception('Could not hand the re-placed slots of '
                          'reservation %s over', reservation['id'])

    # --- drift (periodic) ---------------------------------------------------

    def periodic_tasks(self):
        interval = self._options.reconcile_interval
        if not interval or not self.resources.may_drift:
            return []
        return [(interval, self.reconcile)]

    def reconcile(self, context):
        """Hand over again, or take hosts back from, the active slot
        reservations whose Nova resources drifted from the books
        (``reconcile``); returns the drifts found."""
        now = timeutils.utcnow()
        with engine.reader(context) as session:
            before = reconcile.read_books(session, now)
        if not before:
            return []
        seen = self.resources.observe(sorted(before))
        with engine.reader(context) as session:
            after = reconcile.read_books(session, now)
            enrolled = reconcile.enrolled(session, seen)
        settled = {reservation_id: booked
                   for reservation_id, booked in before.items()
                   if after.get(reservation_id) == booked}
        found = reconcile.drifts(settled, seen, enrolled)
        for drift in found:
            self._repair(context, settled[drift.reservation_id], drift)
        return found

    def _repair(self, context, booked, drift):
        LOG.warning('Instance reservation %s drifted from the books (%s); '
                    'repairing it', drift.reservation_id, drift.describe())
        lease, reservation = booked.lease, booked.reservation
        try:
            with engine.reader(context) as session:
                if _lease_status(session, lease['id']) != states.ACTIVE:
                    return  # ending since: what it takes back stays gone
            if drift.short:
                self._hand_over(context, lease, reservation)
            if drift.extra:
                self.resources.drop_hosts(context, lease, reservation,
                                          list(drift.extra))
        except Exception:
            # The next check finds what is still missing.
            LOG.exception('Could not repair instance reservation %s',
                          drift.reservation_id)

    # --- lease events (outside any transaction) ----------------------------

    def on_start(self, context, lease, reservation):
        try:
            self._hand_over(context, lease, reservation)
        except Exception:
            # A reservation that never started is not ended by a delete:
            # leave nothing behind (a retry makes it all again); but the
            # server a lease was made for is never reclaimed before it
            # started.
            with excutils.save_and_reraise_exception():
                if not reservation.get(schema.SERVER_ID):
                    self._take_back_quietly(context, lease, reservation)

    def on_end(self, context, lease, reservation):
        # A lease in ERROR ends its pending reservations too; the server
        # of one that never started is the user's, to be given back.
        if reservation['status'] == states.RES_PENDING and reservation.get(
                schema.SERVER_ID):
            self.on_cancel(context, lease, reservation)
            return
        self.resources.take_back(context, lease, reservation,
                                 self._placements(context, reservation))

    def on_cancel(self, context, lease, reservation):
        """The server shelved for a lease deleted before it started runs
        again."""
        if reservation.get(schema.SERVER_ID):
            self.resources.give_back_server(reservation)

    def _take_back_quietly(self, context, lease, reservation):
        try:
            self.on_end(context, lease, reservation)
        except Exception as error:
            LOG.error('Could not undo the partial start of instance '
                      'reservation %s: %s', reservation['id'], error)

    def leases_sharing_resources(self, session, reservations, lease_ids):
        """Those of ``lease_ids`` holding one of the hosts of
        ``reservations``: their end deletes servers that may still use the
        room this lease's servers are to take."""
        return host_db.leases_sharing_hosts(
            session, [r.id for r in reservations], lease_ids)

    def notification_endpoints(self, leases):
        if not self._options.leases_at_boot:
            return []
        return [boot_notifications.ServerBoots(self._options, leases,
                                               self.resources),
                boot_notifications.ServerDeletions(self._options, leases,
                                                   self._boot_lease_of)]

    @staticmethod
    def _boot_lease_of(context, server_id):
        """The lease made at the boot of ``server_id``, if it still is and
        has not ended."""
        with engine.reader(context) as session:
            return allocation.boot_lease(session, server_id)

    def after_update(self, context, lease, reservation):
        if reservation['status'] == states.RES_ACTIVE:
            self._hand_over(context, lease, reservation)

    def _hand_over(self, context, lease, reservation):
        made = self.resources.hand_over(
            context, lease, reservation,
            self._placements(context, reservation))
        with engine.writer(context) as session:
            row = self._row(session, reservation['id'])
            row.flavor_id = made.flavor_id
            row.aggregate_id = made.aggregate_id
            row.server_group_id = made.server_group_id

    def _placements(self, context, reservation):
        """The hosts the reservation holds and its slots on each."""
        with engine.reader(context) as session:
            return self._placements_on(session, allocation.held_slots(
                session, reservation['id']))

    @staticmethod
    def _placements_on(session, slots):
        """``Placement`` of each of ``slots`` (host id -> count), in host
        id order."""
        return [resources.placement_of(host, slots[host.id])
                for host in host_db.list_hosts(session, sorted(slots))]


_AFFINITY_NOTES = {True: ' all on one host', False: ' each on its own host',
                   None: ''}


def _check_updatable(reservation, values):
    if reservation.status == states.RES_ERROR:
        raise exceptions.Conflict(
            "An error reservation doesn't accept an updating request.")
    if reservation.status == states.RES_ACTIVE and (
            set(values) - set(schema.ACTIVE_UPDATABLE)):
        raise exceptions.Conflict(
            'An active reservation only accepts to update amount.')


def _record_boot(session, lease, server_id):
    """The lease being made at the boot of ``server_id`` is its one
    lease: ``ServerLeased`` if the server has an unfinished lease, or if
    its boot got one already (a duplicate notification, even one
    delivered to another manager at the same moment: the row's primary
    key lets one transaction in)."""
    if allocation.server_leased(session, server_id):
        raise boot_leases.ServerLeased(server_id=server_id)
    session.add(models.ServerBoot(server_id=server_id, lease_id=lease.id))
    try:
        session.flush()
    except db_exc.DBDuplicateEntry:
        raise boot_leases.ServerLeased(server_id=server_id)


def _clause(session, resource_properties):
    expr = query.parse(resource_properties)
    resolver = properties.HostProperties(
        session, {'resource_properties': expr})
    return resolver.clause(expr)


def _lease_status(session, lease_id):
    return session.scalar(sa.select(db_models.Lease.status).where(
        db_models.Lease.id == lease_id))


def _take_displaced(session, broken, movable, count):
    """Take ``count`` slots off the failed hosts, up to what may leave
    each (``movable``); returns the ids of the hosts left entirely."""
    left = []
    for allocation_ in broken:
        taken = min(count, movable[allocation_.host_id])
        if taken:
            healing.take_slots(session, allocation_, taken)
            count -= taken
            if taken == allocation_.slots:
                left.append(allocation_.host_id)
    return left


def _request(row):
    """The request a reservation row records (``schema.FIELDS``)."""
    return {field: value
            for field, value in views.reservation_details(row).items()
            if field in schema.FIELDS}


def _store_request(row, request):
    for field in schema.FIELDS:
        setattr(row, field, request[field])


def _instances(count):
    return '1 instance' if count == 1 else '%d instances' % count


def _hosts(count):
    return '1 host' if count == 1 else '%d hosts' % count
