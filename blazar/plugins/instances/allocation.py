"""Room for instance slots on hosts over a window: counting, choosing,
claiming.

Instance reservations share hosts. A host's room for one more slot of a
given size is its capacity (enrolled ``vcpus``, ``memory_mb``,
``local_gb`` times the allocation ratios) minus the peak, over the
window, of what the overlapping instance reservations hold there (each
slot counted at its reservation's size). A host that a host reservation
holds at any time of the window has no room.

Allocations are ``computehost_allocations`` rows, one per reservation and
host, ``slots`` saying how many instances; the host plugin reads the same
rows, so it never hands out a host that holds slots in its window.
Claims use the host plugin's compare-and-swap on each chosen host's
``generation``: two transactions choosing the same host cannot both
commit, the loser is run again on fresh data.
"""

import dataclasses

import sqlalchemy as sa

from blazar import dates
from blazar.db import models as core_models
from blazar.plugins.hosts import allocation as host_allocation
from blazar.plugins.hosts import models as host_models
from blazar.plugins.instances import models
from blazar import states

ComputeHost = host_models.ComputeHost
HostAllocation = host_models.HostAllocation
InstanceReservation = models.InstanceReservation
Lease = core_models.Lease
Reservation = core_models.Reservation

RESOURCES = ('vcpus', 'memory_mb', 'disk_gb')


@dataclasses.dataclass(frozen=True)
class Size:
    """One instance, or the room on a host, in the three resources."""

    vcpus: int
    memory_mb: int
    disk_gb: int

    def minus(self, other):
        return Size(*(getattr(self, r) - getattr(other, r)
                      for r in RESOURCES))

    def plus(self, other, times=1):
        return Size(*(getattr(self, r) + times * getattr(other, r)
                      for r in RESOURCES))

    def fits(self, size):
        """How many of ``size`` fit in this room (0 if none)."""
        counts = [getattr(self, r) // getattr(size, r)
                  for r in RESOURCES if getattr(size, r) > 0]
        return max(min(counts), 0)


NOTHING = Size(0, 0, 0)


@dataclasses.dataclass(frozen=True)
class Ratios:
    vcpus: float = 1.0
    memory_mb: float = 1.0
    disk_gb: float = 1.0


@dataclasses.dataclass(frozen=True)
class Candidate:
    """A host that may take slots: its capacity and generation as read."""

    id: int
    generation: int
    hypervisor_id: str
    capacity: Size


@dataclasses.dataclass(frozen=True)
class Use:
    """Slots of another reservation on a host, for [start, end)."""

    host_id: int
    start: object
    end: object
    slots: int
    size: Size


# --- reading ----------------------------------------------------------------

def _held_by_host_reservation(start, end):
    return sa.exists().where(HostAllocation.compute_host_id == ComputeHost.id,
                             HostAllocation.slots == 0,
                             HostAllocation.start_date < end,
                             HostAllocation.end_date > start)


def candidates(session, clause, ratios, start, end, holding=()):
    """Hosts matching ``clause`` that no host reservation holds in
    [start, end]. Read before ``uses``: a claim committed in between bumps
    a generation read here, so the later compare-and-swap fails."""
    rows = session.execute(
        sa.select(ComputeHost.id, ComputeHost.generation,
                  ComputeHost.hypervisor_id, ComputeHost.vcpus,
                  ComputeHost.memory_mb, ComputeHost.local_gb)
        .where(host_allocation.eligible(holding), clause,
               ~_held_by_host_reservation(start, end))
        .order_by(ComputeHost.id))
    return [Candidate(row.id, row.generation, row.hypervisor_id, Size(
        int(row.vcpus * ratios.vcpus), int(row.memory_mb * ratios.memory_mb),
        int(row.local_gb * ratios.disk_gb))) for row in rows]


def uses(session, host_ids, start, end):
    """Slots that instance reservations hold on ``host_ids`` in the
    window."""
    if not host_ids:
        return []
    rows = session.execute(
        sa.select(HostAllocation.compute_host_id, HostAllocation.start_date,
                  HostAllocation.end_date, HostAllocation.slots,
                  InstanceReservation.vcpus, InstanceReservation.memory_mb,
                  InstanceReservation.disk_gb)
        .join(InstanceReservation, InstanceReservation.reservation_id
              == HostAllocation.reservation_id)
        .where(HostAllocation.compute_host_id.in_(sorted(host_ids)),
               HostAllocation.slots > 0,
               HostAllocation.start_date < end,
               HostAllocation.end_date > start))
    return [Use(row.compute_host_id, row.start_date, row.end_date, row.slots,
                Size(row.vcpus, row.memory_mb, row.disk_gb)) for row in rows]


def hosts_of_service(session, service_name):
    """Ids of the enrolled hosts whose nova-compute is ``service_name``
    (none for ``None``)."""
    if service_name is None:
        return set()
    return set(session.scalars(sa.select(ComputeHost.id).where(
        ComputeHost.service_name == service_name)))


def server_leased(session, server_id):
    """Whether a lease that has not ended holds ``server_id``."""
    return session.execute(
        sa.select(InstanceReservation.id)
        .join(Reservation,
              Reservation.id == InstanceReservation.reservation_id)
        .join(Lease, Lease.id == Reservation.lease_id)
        .where(InstanceReservation.server_id == server_id,
               Lease.status != states.TERMINATED,
               Lease.end_date > dates.utcnow())
        .limit(1)).first() is not None


def boot_lease(session, server_id):
    """The id of the lease made at the boot of ``server_id`` while it is
    pending or active (not while it starts or ends: an end that deletes
    the server is no reason to delete the lease)."""
    return session.scalar(
        sa.select(Lease.id)
        .join(models.ServerBoot, models.ServerBoot.lease_id == Lease.id)
        .where(models.ServerBoot.server_id == server_id,
               Lease.status.in_((states.PENDING, states.ACTIVE))))


def held_slots(session, reservation_id):
    """host id -> slots ``reservation_id`` holds there."""
    return dict(session.execute(
        sa.select(HostAllocation.compute_host_id, HostAllocation.slots)
        .where(HostAllocation.reservation_id == reservation_id)).all())


# --- deciding ---------------------------------------------------------------

def free_slots(candidate, host_uses, size, start, end):
    """Slots of ``size`` that fit on the host during all of [start, end]:
    what is left at the busiest moment. Use only grows when a reservation
    starts, so the busiest moment is the window's start or one of those."""
    moments = [start] + [u.start for u in host_uses if start < u.start < end]
    busiest = NOTHING
    for moment in moments:
        used = NOTHING
        for use in host_uses:
            if use.start <= moment < use.end:
                used = used.plus(use.size, use.slots)
        busiest = Size(*(max(getattr(busiest, r), getattr(used, r))
                         for r in RESOURCES))
    return candidate.capacity.minus(busiest).fits(size)


def preference(free, shared, held=(), prefer=()):
    """Host ids with room, best first: those the reservation holds, then
    those it ``prefer``s, then those other instance reservations already
    use (packing keeps other hosts whole for host reservations), then the
    rest; by id within each."""
    def rank(host_id):
        return (host_id not in held, host_id not in prefer,
                host_id not in shared, host_id)
    return sorted((h for h, n in free.items() if n > 0), key=rank)


def choose(free, order, amount, affinity, keep=None):
    """host id -> slots for ``amount`` instances, or ``None`` if they do
    not fit. ``free``: host id -> free slots; ``order``: host ids to try,
    best first; ``keep``: host id -> slots that must stay (an active
    reservation's); ``affinity``: all on one host (True), each on its own
    host (False), or anywhere (None)."""
    keep = keep or {}
    if any(free.get(host, 0) < slots for host, slots in keep.items()):
        return None
    if affinity is True:
        for host in list(keep) or order:
            if free.get(host, 0) >= amount:
                return {host: amount}
        return None
    if affinity is False:
        hosts = list(keep) + [h for h in order if h not in keep]
        return dict.fromkeys(hosts[:amount], 1) if (
            len(hosts) >= amount) else None
    return _fill(free, order, amount, keep)


def replacement(free, order, wanted, affinity, held):
    """host id -> slots for as many as fit of ``wanted`` slots displaced
    from failed hosts (``free`` and ``order`` as for ``choose``, failed
    hosts left out): all on one host with affinity (or none), each on a
    host the reservation does not hold yet without it, anywhere
    otherwise."""
    if affinity is False:
        order = [host for host in order if host not in held]
        placeable = min(wanted, len(order))
    elif affinity is True:
        placeable = wanted if any(free[h] >= wanted for h in order) else 0
    else:
        placeable = min(wanted, sum(free[host] for host in order))
    if not placeable:
        return {}
    return choose(free, order, placeable, affinity)


def _fill(free, order, amount, keep):
    chosen = dict(keep)
    left = amount - sum(keep.values())
    for host in order:
        if left <= 0:
            break
        taken = min(free[host] - chosen.get(host, 0), left)
        if taken > 0:
            chosen[host] = chosen.get(host, 0) + taken
            left -= taken
    return chosen if left <= 0 else None


# --- writing ----------------------------------------------------------------

def allocate(session, reservation_id, chosen, start, end):
    session.add_all(HostAllocation(
        compute_host_id=host_id, reservation_id=reservation_id,
        start_date=start, end_date=end, slots=slots)
        for host_id, slots in sorted(chosen.items()))


def add(session, reservation_id, chosen, start, end):
    """``chosen`` (host id -> slots) added to what the reservation holds:
    more slots on the hosts it has, new rows on the others."""
    held = held_slots(session, reservation_id)
    for host_id, slots in sorted(chosen.items()):
        if host_id in held:
            session.execute(
                sa.update(HostAllocation)
                .where(HostAllocation.reservation_id == reservation_id,
                       HostAllocation.compute_host_id == host_id)
                .values(slots=HostAllocation.slots + slots)
                .execution_options(synchronize_session=False))
    allocate(session, reservation_id,
             {h: n for h, n in chosen.items() if h not in held}, start, end)
