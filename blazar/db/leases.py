"""Queries and writes on leases and their reservations.

Functions take the caller's session: the caller owns the transaction.
"""

import dataclasses

from oslo_utils import timeutils
import sqlalchemy as sa
from sqlalchemy import orm

from blazar.db import models
from blazar import exceptions


def get(session, lease_id, project_id=None, for_update=False,
        with_events=True):
    """The lease, or ``NotFound``; ``project_id`` scopes non-admins so a
    foreign lease is indistinguishable from a missing one."""
    query = sa.select(models.Lease).where(models.Lease.id == lease_id)
    if not with_events:
        query = query.options(orm.lazyload(models.Lease.events))
    if project_id is not None:
        query = query.where(models.Lease.project_id == project_id)
    if for_update:
        query = query.with_for_update()
    lease = session.scalars(query).first()
    if lease is None:
        raise exceptions.NotFound(object={'lease_id': lease_id})
    return lease


@dataclasses.dataclass
class Statuses:
    status: str
    reservations: list


def get_many(session, lease_ids):
    """Lease id -> lease, for those of ``lease_ids`` that exist."""
    return {lease.id: lease for lease in session.scalars(
        sa.select(models.Lease).where(models.Lease.id.in_(sorted(lease_ids))))}


def lock_statuses(session, lease_ids):
    """Lease id -> ``Statuses`` of the lease and its reservations, for
    those of ``lease_ids`` that exist, locked in id order (so that two
    batches locking leases never deadlock) until the end of the
    transaction."""
    if not lease_ids:
        return {}
    ids = sorted(lease_ids)
    leases = {lease_id: Statuses(status, []) for lease_id, status in
              session.execute(sa.select(models.Lease.id, models.Lease.status)
                              .where(models.Lease.id.in_(ids))
                              .order_by(models.Lease.id).with_for_update())}
    for lease_id, status in session.execute(
            sa.select(models.Reservation.lease_id, models.Reservation.status)
            .where(models.Reservation.lease_id.in_(ids))):
        leases[lease_id].reservations.append(status)
    return leases


def set_status(session, lease_ids, status):
    """Move many leases to ``status`` in one UPDATE; the caller checked
    the transitions (``blazar.states``)."""
    session.execute(
        sa.update(models.Lease)
        .where(models.Lease.id.in_(sorted(lease_ids)))
        .values(status=status, updated_at=timeutils.utcnow())
        .execution_options(synchronize_session='evaluate'))


def set_reservation_status(session, lease_ids, status):
    """Move every reservation of many leases to ``status`` in one
    UPDATE; the caller checked the transitions."""
    session.execute(
        sa.update(models.Reservation)
        .where(models.Reservation.lease_id.in_(sorted(lease_ids)))
        .values(status=status, updated_at=timeutils.utcnow())
        .execution_options(synchronize_session='evaluate'))


def forget_trusts(session, lease_ids):
    if lease_ids:
        session.execute(
            sa.update(models.Lease)
            .where(models.Lease.id.in_(sorted(lease_ids)))
            .values(trust_id=None)
            .execution_options(synchronize_session='evaluate'))


def list_(session, project_id=None):
    query = sa.select(models.Lease).order_by(models.Lease.created_at,
                                             models.Lease.id)
    if project_id is not None:
        query = query.where(models.Lease.project_id == project_id)
    return session.scalars(query).all()


def add(session, **values):
    """A new lease, written with the next flush. Its id is known at once,
    so that its reservations and events can name it before then."""
    # Empty collections: appending to them must not query for a new
    # lease's reservations and events.
    lease = models.Lease(id=models.new_id(), reservations=[], events=[],
                         **values)
    session.add(lease)
    return lease


def add_reservation(session, lease, resource_type, status):
    """A new reservation of ``lease``, written with the next flush. Its
    ``resource_id`` is chosen now, for the plugin's row to take (a plugin
    that names its resource otherwise sets it)."""
    reservation = models.Reservation(
        id=models.new_id(), lease_id=lease.id, resource_id=models.new_id(),
        resource_type=resource_type, status=status)
    lease.reservations.append(reservation)
    return reservation


def reservations_of(session, lease_id):
    return session.scalars(sa.select(models.Reservation).where(
        models.Reservation.lease_id == lease_id)).all()


def delete(session, lease):
    session.delete(lease)
