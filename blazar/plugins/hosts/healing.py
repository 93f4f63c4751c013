"""Reservations holding failed hosts: replacements and degraded leases.

The host plugin's health check (``HostPlugin.check_health``) asks the
inventory which enrolled hosts are down, then in one transaction:

1. ``mark_health`` makes failed hosts unreservable and recovered ones
   reservable again, so new claims avoid failed hosts. A change bumps the
   host's generation: a claim in flight that saw the old flag retries.
2. Every plugin whose reservations hold hosts heals its own (its
   ``heal``): ``broken_allocations`` lists the allocations that put one
   of its reservations on a failed host within the healing horizon, for
   leases that are settled (pending or active; leases changing state are
   healed at the next look). The plugin searches a replacement with the
   same query and claim as a new reservation, and hands the allocation
   over with a compare-and-swap on the row (``move_allocation`` for a
   whole host, ``take_slots`` for instance slots), so two managers
   healing at once cannot both move it.
3. ``flag_missing`` marks ``missing_resources`` on the reservations still
   holding a failed host (no replacement was free) and ``degraded`` on
   their leases, and clears both once no reservation of the lease holds
   one: the host recovered, or a replacement became free at a later look.

An allocation without replacement keeps its failed host rather than
being dropped (upstream drops it): if the host comes back, the
reservation has it again and nothing else took it meanwhile.
"""

import dataclasses

import sqlalchemy as sa

from blazar.db import models as db_models
from blazar import exceptions
from blazar.plugins.hosts import models
from blazar import states

ComputeHost = models.ComputeHost
HostAllocation = models.HostAllocation
Lease = db_models.Lease
Reservation = db_models.Reservation

SETTLED_LEASES = (states.PENDING, states.ACTIVE)
SETTLED_RESERVATIONS = (states.RES_PENDING, states.RES_ACTIVE)


@dataclasses.dataclass(frozen=True)
class BrokenAllocation:
    id: str
    host_id: int
    reservation_id: str
    slots: int


@dataclasses.dataclass(frozen=True)
class Handover:
    """Hosts an active reservation gave up and got instead: the
    inventory moves them once the transaction is committed. ``lease`` and
    ``reservation`` carry the ids (and the lease's ``project_id``)."""

    lease: dict
    reservation: dict
    removed: tuple
    added: tuple


def mark_health(session, failed_ids):
    """Failed hosts unreservable, the others reservable; returns the ids
    of the hosts that just failed and of those that just recovered."""
    failed = sorted(failed_ids)
    went_down = _set_reservable(session, False, ComputeHost.id.in_(failed))
    came_back = _set_reservable(session, True, ComputeHost.id.not_in(failed))
    return went_down, came_back


def _set_reservable(session, reservable, which):
    changed = sorted(session.scalars(
        sa.select(ComputeHost.id)
        .where(ComputeHost.reservable == (not reservable), which)))
    if changed:
        session.execute(
            sa.update(ComputeHost).where(ComputeHost.id.in_(changed))
            .values(reservable=reservable,
                    generation=ComputeHost.generation + 1)
            .execution_options(synchronize_session=False))
    return changed


def _on_failed_host(now, until):
    """Conditions on an allocation (joined to its host) that put its
    reservation on a failed host between ``now`` and ``until`` (None: no
    limit)."""
    conditions = [HostAllocation.compute_host_id == ComputeHost.id,
                  ComputeHost.reservable == sa.false(),
                  HostAllocation.end_date > now]
    if until is not None:
        conditions.append(HostAllocation.start_date < until)
    return conditions


def _settled_reservation():
    return sa.and_(Reservation.status.in_(SETTLED_RESERVATIONS),
                   Lease.id == Reservation.lease_id,
                   Lease.status.in_(SETTLED_LEASES))


def broken_allocations(session, resource_type, now, until):
    """reservation id -> [``BrokenAllocation``] of the reservations of
    ``resource_type``, in one query."""
    rows = session.execute(
        sa.select(HostAllocation.id, HostAllocation.compute_host_id,
                  HostAllocation.reservation_id, HostAllocation.slots)
        .where(HostAllocation.reservation_id == Reservation.id,
               Reservation.resource_type == resource_type,
               _settled_reservation(), *_on_failed_host(now, until))
        .order_by(HostAllocation.reservation_id,
                  HostAllocation.compute_host_id))
    found = {}
    for row in rows:
        found.setdefault(row.reservation_id, []).append(BrokenAllocation(
            row.id, row.compute_host_id, row.reservation_id, row.slots))
    return found


def move_allocation(session, broken, host_id):
    """Give ``broken``'s allocation to ``host_id``; ``ClaimConflict`` if
    another transaction moved it first."""
    result = session.execute(
        sa.update(HostAllocation)
        .where(HostAllocation.id == broken.id,
               HostAllocation.compute_host_id == broken.host_id)
        .values(compute_host_id=host_id)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise exceptions.ClaimConflict()


def take_slots(session, broken, count):
    """Take ``count`` of ``broken``'s slots off its failed host (the
    whole row when that is all of them); ``ClaimConflict`` if another
    transaction changed the row first."""
    unchanged = sa.and_(HostAllocation.id == broken.id,
                        HostAllocation.compute_host_id == broken.host_id,
                        HostAllocation.slots == broken.slots)
    if count == broken.slots:
        statement = sa.delete(HostAllocation).where(unchanged)
    else:
        statement = (sa.update(HostAllocation).where(unchanged)
                     .values(slots=broken.slots - count))
    result = session.execute(
        statement.execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise exceptions.ClaimConflict()


def flag_missing(session, now, until):
    """Set ``missing_resources`` and ``degraded`` where a settled
    reservation (of any plugin whose reservations hold hosts) holds a
    failed host, clear them where none does; returns the ids of the
    leases that became degraded and of those that recovered."""
    holds_failed = sa.exists().where(
        HostAllocation.reservation_id == Reservation.id,
        *_on_failed_host(now, until))
    _set_missing(session, True, holds_failed)
    _set_missing(session, False, ~holds_failed)
    any_missing = sa.exists().where(
        Reservation.lease_id == Lease.id,
        Reservation.missing_resources == sa.true())
    has_hosts = sa.exists().where(Reservation.lease_id == Lease.id,
                                  _holds_hosts())
    degraded = _set_degraded(session, True, any_missing)
    recovered = _set_degraded(session, False,
                              sa.and_(~any_missing, has_hosts))
    return degraded, recovered


def _set_missing(session, missing, condition):
    ids = sorted(session.scalars(
        sa.select(Reservation.id).where(
            _settled_reservation(), _holds_hosts(),
            Reservation.missing_resources == (not missing), condition)))
    if ids:
        session.execute(
            sa.update(Reservation).where(Reservation.id.in_(ids))
            .values(missing_resources=missing)
            .execution_options(synchronize_session=False))


def _holds_hosts():
    # Flags of reservations holding no host are other plugins' business.
    return sa.exists().where(HostAllocation.reservation_id == Reservation.id)


def _set_degraded(session, degraded, condition):
    ids = sorted(session.scalars(
        sa.select(Lease.id).where(Lease.status.in_(SETTLED_LEASES),
                                  Lease.degraded == (not degraded),
                                  condition)))
    if ids:
        session.execute(
            sa.update(Lease).where(Lease.id.in_(ids))
            .values(degraded=degraded)
            .execution_options(synchronize_session=False))
    return ids
