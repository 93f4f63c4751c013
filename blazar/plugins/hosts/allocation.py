"""Finding free hosts for a window, choosing among them, and claiming them.

The search is one query: hosts that match the reservation's filters and
hold no allocation overlapping the window. Choosing is a pure function.
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
    # Holds other allocations that have not ended: such hosts come last,
    # as upstream preferred hosts nobody had allocated, which keeps idle
    # hosts whole for long reservations.
    booked: bool


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


def free_hosts(session, clause, start, end, now, holding=()):
    """Hosts matching ``clause`` that are free over [start, end]."""
    booked = sa.exists().where(
        HostAllocation.compute_host_id == ComputeHost.id,
        HostAllocation.end_date > now)
    rows = session.execute(
        sa.select(ComputeHost.id, ComputeHost.generation,
                  booked.label('booked'))
        .where(eligible(holding), clause, ~overlapping(start, end))
        .order_by(ComputeHost.id))
    return [FreeHost(row.id, row.generation, bool(row.booked))
            for row in rows]


def count_matching(session, clause, holding=()):
    """How many hosts match ``clause``, free or not (for error messages)."""
    return session.scalar(sa.select(sa.func.count(ComputeHost.id))
                          .where(eligible(holding), clause))


def choose(free, count_min, count_max, prefer=(), randomize=False,
           rng=random):
    """Up to ``count_max`` hosts of ``free`` (at least ``count_min``, else
    ``None``): hosts in ``prefer`` first (a reservation keeps its hosts),
    then hosts without other bookings, then the rest; by id within each
    group, or shuffled within each group if ``randomize``."""
    groups = ([h for h in free if h.id in prefer],
              [h for h in free if h.id not in prefer and not h.booked],
              [h for h in free if h.id not in prefer and h.booked])
    ordered = []
    for group in groups:
        group = sorted(group, key=lambda h: h.id)
        if randomize:
            rng.shuffle(group)
        ordered.extend(group)
    chosen = ordered[:count_max]
    return chosen if len(chosen) >= count_min else None


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
