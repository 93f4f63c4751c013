"""Repairs drift between Blazar's books and Nova's aggregates.

Every enrolled host belongs in exactly one of Blazar's aggregates: the
aggregate of the reservation holding it while that reservation is active,
else the freepool. An operator's mistake, or a crash between two Nova
calls, can leave a host in neither (ordinary boots may land on it), in
both, or in the wrong one. ``reconcile`` compares the database with Nova
and moves each misplaced host where the database says, the same
add-before-remove way the lease events do (``nova_aggregates``).

Hosts held by a lease that is changing state (starting, ending, being
updated or deleted) or that ended in ERROR are left alone: an event is
moving them, or an operator must decide. So are hosts being removed from
Blazar (marked leaving before they leave the freepool). The database is
read on both sides of the look at Nova, and a host is repaired only if
both readings agree, so a lease event that moved it meanwhile is not undone.
"""

import dataclasses

from oslo_log import log as logging
import sqlalchemy as sa

from blazar.db import engine
from blazar.db import models as db_models
from blazar.plugins.hosts import models
from blazar.plugins.hosts import nova_aggregates as aggregates
from blazar import states

LOG = logging.getLogger(__name__)

# Leases in these states hold their hosts where the events put them.
SETTLED = frozenset({states.PENDING, states.ACTIVE, states.TERMINATED})


@dataclasses.dataclass(frozen=True)
class Place:
    """Where a host belongs: an aggregate name, and for a reservation's
    aggregate the project that owns it."""

    aggregate: str
    owner: str = None


@dataclasses.dataclass(frozen=True)
class Move:
    host: str
    target: Place
    leave: frozenset


# --- deciding ----------------------------------------------------------------

def expected_places(rows, freepool):
    """service host -> ``Place``, from (host, lease status, reservation
    status, reservation id, project) rows (``None`` columns for a host
    without allocations). Hosts in flight are left out."""
    by_host = {}
    for host, *holding in rows:
        by_host.setdefault(host, []).append(holding)
    places = {}
    for host, holdings in by_host.items():
        place = _place(holdings, freepool)
        if place is not None:
            places[host] = place
    return places


def _place(holdings, freepool):
    place = Place(freepool)
    for lease_status, reservation_status, reservation_id, project in holdings:
        if lease_status is None:
            continue
        if lease_status not in SETTLED:
            return None
        if (lease_status == states.ACTIVE
                and reservation_status == states.RES_ACTIVE):
            place = Place(reservation_id, project)
    return place


def moves(places, membership):
    """The moves that put each host in its place and only there;
    ``membership`` maps a host to the names of Blazar's aggregates it is
    in now."""
    found = []
    for host, place in sorted(places.items()):
        current = membership.get(host, set())
        if current != {place.aggregate}:
            found.append(Move(host, place,
                              frozenset(current - {place.aggregate})))
    return found


def blazar_aggregates(all_aggregates, freepool, zone_prefix):
    """The freepool and the reservations' aggregates."""
    return [a for a in all_aggregates
            if a.name == freepool
            or (a.availability_zone or '').startswith(zone_prefix)]


# --- doing -------------------------------------------------------------------

def read_places(context, freepool):
    with engine.reader(context) as session:
        return expected_places(session.execute(_holdings_query()), freepool)


def _holdings_query():
    """Every enrolled host with the host reservations holding it whose
    leases have not ended (an outer join, so hosts without any come with
    ``None``). Instance slots leave their host in the freepool."""
    lease = db_models.Lease
    reservation = db_models.Reservation
    allocation = models.HostAllocation
    host = models.ComputeHost
    holding = (sa.select(allocation.compute_host_id, lease.status,
                         reservation.status.label('reservation_status'),
                         reservation.id, lease.project_id)
               .join(reservation, reservation.id == allocation.reservation_id)
               .join(lease, lease.id == reservation.lease_id)
               .where(lease.status != states.TERMINATED,
                      allocation.slots == 0)
               .subquery())
    return (sa.select(host.service_name, holding.c.status,
                      holding.c.reservation_status, holding.c.id,
                      holding.c.project_id)
            .outerjoin(holding, holding.c.compute_host_id == host.id)
            .where(sa.or_(host.status.is_(None),
                          host.status != models.LEAVING))
            .order_by(host.id))


def reconcile(context, nova, freepool, zone_prefix, owner_key):
    """Put every settled host where the database says; returns the moves
    made."""
    before = read_places(context, freepool)
    pools = blazar_aggregates(nova.aggregates.list(), freepool, zone_prefix)
    after = read_places(context, freepool)
    stable = {host: place for host, place in before.items()
              if after.get(host) == place}
    needed = moves(stable, aggregates.membership(pools))
    for move in needed:
        LOG.warning('Host %s is in aggregates [%s] but belongs in %s only; '
                    'moving it', move.host,
                    ', '.join(sorted(move.leave)) or '-',
                    move.target.aggregate)
        _apply(nova, move, pools, zone_prefix, owner_key)
    return needed


def _apply(nova, move, pools, zone_prefix, owner_key):
    target = move.target
    if target.owner is None:
        aggregate = aggregates.ensure(nova, target.aggregate)
    else:
        aggregate = aggregates.ensure(
            nova, target.aggregate, zone_prefix + target.aggregate,
            {owner_key: target.owner})
    aggregates.add_host(nova, aggregate, move.host)
    for pool in pools:
        if pool.name in move.leave:
            aggregates.remove_host(nova, pool, move.host)
