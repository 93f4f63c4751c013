"""Queries and writes on leases and their reservations.

Functions take the caller's session: the caller owns the transaction.
"""

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


def list_(session, project_id=None):
    query = sa.select(models.Lease).order_by(models.Lease.created_at,
                                             models.Lease.id)
    if project_id is not None:
        query = query.where(models.Lease.project_id == project_id)
    return session.scalars(query).all()


def add(session, **values):
    lease = models.Lease(**values)
    session.add(lease)
    return lease


def add_reservation(session, lease, resource_type, status):
    reservation = models.Reservation(
        id=models.new_id(), lease_id=lease.id,
        resource_type=resource_type, status=status)
    lease.reservations.append(reservation)
    session.flush()
    return reservation


def reservations_of(session, lease_id):
    return session.scalars(sa.select(models.Reservation).where(
        models.Reservation.lease_id == lease_id)).all()


def delete(session, lease):
    session.delete(lease)
