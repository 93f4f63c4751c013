"""Finding free hosts for a window and claiming them.

Finding is set-based SQL: hosts that match the reservation's filters and
hold no allocation overlapping the window, walked in id order and cut at
the number wanted (LIMIT), so that its cost follows the hosts taken, not
the hosts enrolled or their bookings. The walk begins at a random host
(``[physical:host] randomize_host_selection``) and wraps around:
concurrent requests then take different hosts instead of all competing
for the lowest free id, whose claims would conflict even for windows
that do not overlap.

Claiming bumps each chosen host's ``generation`` only if it is still the
one the search saw (compare-and-swap): a concurrent claim on the same host
makes the later transaction fail with ``ClaimConflict``, and the manager
runs it again from the start, on fresh data. Every write that could change
what a search would answer for a host (claims, capability updates, host
removal) goes through that counter.
"""

import dataclasses
import random

import sqlalchemy as sa

from blazar import exceptions
from blazar.plugins.hosts import models

ComputeHost = models.ComputeHost
HostAllocation = models.HostAllocation


@dataclasses.dataclass(frozen=True)
class FreeHost:
    id: int
    generation: int


def overlapping(start, end):
    """Allocations of the current host sharing time with [start, end]; a
    window ending exactly when another starts does not overlap it."""
    return sa.exists().where(HostAllocation.compute_host_id == ComputeHost.id,
                             HostAllocation.start_date < end,
                             HostAllocation.end_date > start)


def eligible(holding):
    # Hosts a reservation already holds stay eligible when a monitor
    # marked them unreservable: updating the reservation must not drop them.
    if not holding:
        return ComputeHost.reservable == sa.true()
    return sa.or_(ComputeHost.reservable == sa.true(),
                  ComputeHost.id.in_(sorted(holding)))


def starting_point(randomize, rng=random):
    """Where the walk over host ids begins, as a fraction of the highest
    id: anywhere, or at the lowest id for a fixed order."""
    return rng.random() if randomize else 0


def free_hosts(session, clause, start, end, count, prefer=(), begin=0):
    """Up to ``count`` hosts matching ``clause`` and free over
    [start, end]: those of ``prefer`` first (a reservation keeps its
    hosts), then the others in id order from ``begin`` times the highest
    id on, wrapping around. Fewer than ``count`` means these are all the
    free ones."""
    free = sa.and_(clause, ~overlapping(start, end))
    kept = []
    if prefer:
        kept = _walk(session, sa.and_(free, ComputeHost.id.in_(
            sorted(prefer))), count)
    others = sa.and_(free, ComputeHost.reservable == sa.true())
    if prefer:
        others = sa.and_(others, ComputeHost.id.not_in(sorted(prefer)))
    # The database computes the id to begin at: no extra round trip.
    pivot = sa.select(sa.func.max(ComputeHost.id)).scalar_subquery() * begin
    found = kept + _walk(session, sa.and_(others, ComputeHost.id >= pivot),
                         count - len(kept))
    if begin:
        found += _walk(session, sa.and_(others, ComputeHost.id < pivot),
                       count - len(found))
    return found


def _walk(session, condition, limit):
    if limit <= 0:
        return []
    rows = session.execute(sa.select(ComputeHost.id, ComputeHost.generation)
                           .where(condition)
                           .order_by(ComputeHost.id)
                           .limit(limit))
    return [FreeHost(row.id, row.generation) for row in rows]


def count_matching(session, clause, holding=()):
    """How many hosts match ``clause``, free or not (for error messages)."""
    return session.scalar(sa.select(sa.func.count(ComputeHost.id))
                          .where(eligible(holding), clause))


def claim(session, hosts):
    """Bump the generation of ``hosts`` from the value the search read;
    ``ClaimConflict`` if another transaction changed any of them since.
    Hosts are locked in id order, so two claims cannot deadlock."""
    for host in sorted(hosts, key=lambda h: h.id):
        bump_generation(session, host.id, host.generation)


def bump_generation(session, host_id, seen):
    result = session.execute(
        sa.update(ComputeHost)
        .where(ComputeHost.id == host_id, ComputeHost.generation == seen)
        .values(generation=ComputeHost.generation + 1,
                updated_at=ComputeHost.updated_at)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise exceptions.ClaimConflict()


def allocate(session, reservation_id, host_ids, start, end):
    session.add_all(HostAllocation(
        compute_host_id=host_id, reservation_id=reservation_id,
        start_date=start, end_date=end, slots=0) for host_id in host_ids)


def held_hosts(session, reservation_id):
    """Ids of the hosts ``reservation_id`` holds."""
    return set(session.scalars(
        sa.select(HostAllocation.compute_host_id)
        .where(HostAllocation.reservation_id == reservation_id)))


def drop(session, reservation_id):
    session.execute(sa.delete(HostAllocation)
                    .where(HostAllocation.reservation_id == reservation_id)
                    .execution_options(synchronize_session=False))
