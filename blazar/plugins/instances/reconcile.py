"""Finds drift between the books of active slot reservations and what
their hand-over made outside Blazar.

While a slot reservation is active, ``resources.hand_over`` has made a
flavor, an aggregate of its hosts and, on each host, as many units of its
slots as the books give it there. A hand-over after the commit of a
change (healing's move of slots, an amount that grew) or a start step
that failed half-way, or an operator's mistake, can leave that short or
in excess of the books, and nothing else looks again before the end.
``drifts`` compares the books (``read_books``) with what the outside
holds (``resources.Seen``): a reservation short of something is handed
over again (the hand-over converges on the books), one still present on
hosts it no longer holds has them dropped, as healing drops failed hosts.

Only reservations of ACTIVE leases whose end is more than ``ENDING_SOON``
away are read: the end takes everything back, and what a repair made
after it would stay. The plugin reads the books on both sides of the
look outside and repairs only reservations that both readings agree on,
as the host plugin's reconciler does: a lease event or healing that
changed a reservation meanwhile hands it over itself. Reservations made
for an existing server are left out: their hand-over unshelves it.
"""

import dataclasses
import datetime

import sqlalchemy as sa

from blazar.db import models as db_models
from blazar.plugins.hosts import models as host_models
from blazar.plugins.instances import models
from blazar.plugins.instances import resources
from blazar.plugins.instances import views
from blazar import states

# Leases ending this soon are left to their end.
ENDING_SOON = datetime.timedelta(minutes=1)


@dataclasses.dataclass(frozen=True)
class Booked:
    """An active slot reservation as the books have it: the lease and the
    reservation as the hand-over takes them, and its ``Placement``s."""

    lease: dict
    reservation: dict
    placements: tuple


@dataclasses.dataclass(frozen=True)
class Drift:
    """What a reservation needs: handing over again (``short``: its
    flavor, aggregate, or slots on one of its hosts are not what the books
    say), and dropping the ``extra`` hosts it no longer holds."""

    reservation_id: str
    short: bool
    extra: tuple

    def describe(self):
        needs = []
        if self.short:
            needs.append('short of its flavor, aggregate or slots')
        if self.extra:
            needs.append('still on hosts %s' % ', '.join(
                host.hypervisor_hostname for host in self.extra))
        return '; '.join(needs)


# --- deciding ----------------------------------------------------------------

def drifts(books, seen, enrolled):
    """``Drift`` of each reservation of ``books`` (reservation id ->
    ``Booked``) that ``seen`` shows drifted; ``enrolled``: a
    ``Placement`` of the enrolled hosts ``seen`` names, to name the extra
    ones."""
    found = []
    for reservation_id, booked in sorted(books.items()):
        drift = _drift(reservation_id, booked, seen, enrolled)
        if drift.short or drift.extra:
            found.append(drift)
    return found


def _drift(reservation_id, booked, seen, enrolled):
    members = seen.members.get(reservation_id)
    offered = seen.slots.get(reservation_id, {})
    short = (reservation_id not in seen.flavors or members is None
             or any(p.service_name not in members
                    or offered.get(p.hypervisor_hostname) != p.slots
                    for p in booked.placements))
    held = {p.hypervisor_hostname for p in booked.placements}
    extra = tuple(host for host in enrolled
                  if host.hypervisor_hostname not in held
                  and (host.service_name in (members or ())
                       or host.hypervisor_hostname in offered))
    return Drift(reservation_id, short, extra)


# --- reading -----------------------------------------------------------------

def read_books(session, now):
    """reservation id -> ``Booked``, for the slot reservations of ACTIVE
    leases ending after ``now`` + ``ENDING_SOON``."""
    holders, placements = {}, {}
    for row, lease_id, project_id, trust_id, host, slots in (
            session.execute(_books_query(now + ENDING_SOON))):
        reservation_id = row.reservation_id
        holders.setdefault(reservation_id, (
            {'id': lease_id, 'project_id': project_id, 'trust_id': trust_id},
            dict(views.reservation_details(row), id=reservation_id)))
        placements.setdefault(reservation_id, []).append(
            resources.placement_of(host, slots))
    return {reservation_id: Booked(lease, reservation,
                                   tuple(placements[reservation_id]))
            for reservation_id, (lease, reservation) in holders.items()}


def _books_query(ends_after):
    lease = db_models.Lease
    reservation = db_models.Reservation
    instances = models.InstanceReservation
    allocation = host_models.HostAllocation
    host = host_models.ComputeHost
    return (sa.select(instances, lease.id, lease.project_id, lease.trust_id,
                      host, allocation.slots)
            .join(reservation, reservation.id == instances.reservation_id)
            .join(lease, lease.id == reservation.lease_id)
            .join(allocation, allocation.reservation_id == reservation.id)
            .join(host, host.id == allocation.compute_host_id)
            .where(lease.status == states.ACTIVE,
                   lease.end_date > ends_after,
                   reservation.status == states.RES_ACTIVE,
                   instances.server_id.is_(None),
                   allocation.slots > 0)
            .order_by(instances.reservation_id, host.id))


def enrolled(session, seen):
    """A ``Placement`` (no slots) of each enrolled host that ``seen``
    names, in host id order."""
    services = set().union(*seen.members.values())
    hypervisors = set().union(*seen.slots.values())
    host = host_models.ComputeHost
    return [resources.placement_of(found, 0) for found in session.scalars(
        sa.select(host)
        .where(sa.or_(host.service_name.in_(sorted(services)),
                      host.hypervisor_hostname.in_(sorted(hypervisors))))
        .order_by(host.id))]
