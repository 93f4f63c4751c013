"""ORM models of the core tables: leases, reservations and events.

Plugins declare their own tables on the same ``Base`` in their packages;
the alembic history in ``blazar.db.migration`` creates all of them.
"""

import uuid

from oslo_db.sqlalchemy import models as oslo_models
from oslo_utils import timeutils
import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy import orm

# Microseconds survive on every backend; MySQL needs to be asked.
UTCDateTime = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')


def new_id():
    return str(uuid.uuid4())


class Base(orm.DeclarativeBase, oslo_models.ModelBase):
    """Declarative base with ``created_at`` and ``updated_at``."""

    created_at = sa.Column(UTCDateTime, default=timeutils.utcnow)
    updated_at = sa.Column(UTCDateTime, onupdate=timeutils.utcnow)


class Lease(Base):
    __tablename__ = 'leases'
    __table_args__ = (sa.Index('leases_project_idx', 'project_id'),)

    id = sa.Column(sa.String(36), primary_key=True, default=new_id)
    name = sa.Column(sa.String(80), nullable=False)
    user_id = sa.Column(sa.String(255))
    project_id = sa.Column(sa.String(255))
    start_date = sa.Column(UTCDateTime, nullable=False)
    end_date = sa.Column(UTCDateTime, nullable=False)
    trust_id = sa.Column(sa.String(36))
    status = sa.Column(sa.String(32), nullable=False)
    degraded = sa.Column(sa.Boolean, nullable=False, default=False)
    # Where the before_end_lease event POSTs its warning, if anywhere.
    before_end_webhook = sa.Column(sa.String(2048))

    reservations = orm.relationship(
        'Reservation', order_by='Reservation.created_at',
        cascade='all, delete-orphan', passive_deletes=True,
        lazy='selectin')
    events = orm.relationship(
        'Event', order_by='Event.time', cascade='all, delete-orphan',
        passive_deletes=True, lazy='selectin')


class Reservation(Base):
    __tablename__ = 'reservations'
    __table_args__ = (sa.Index('reservations_lease_idx', 'lease_id'),)

    id = sa.Column(sa.String(36), primary_key=True, default=new_id)
    lease_id = sa.Column(sa.String(36),
                         sa.ForeignKey('leases.id', ondelete='CASCADE'),
                         nullable=False)
    resource_id = sa.Column(sa.String(36))
    resource_type = sa.Column(sa.String(66), nullable=False)
    status = sa.Column(sa.String(13), nullable=False)
    missing_resources = sa.Column(sa.Boolean, nullable=False, default=False)
    resources_changed = sa.Column(sa.Boolean, nullable=False, default=False)


class Event(Base):
    """A timed step of a lease; claimed atomically by one manager."""

    __tablename__ = 'events'
    __table_args__ = (
        sa.Index('events_due_idx', 'status', 'time'),
        sa.Index('events_claimed_idx', 'status', 'claimed_until'),
        sa.Index('events_lease_idx', 'lease_id'),
    )

    id = sa.Column(sa.String(36), primary_key=True, default=new_id)
    lease_id = sa.Column(sa.String(36),
                         sa.ForeignKey('leases.id', ondelete='CASCADE'),
                         nullable=False)
    event_type = sa.Column(sa.String(66), nullable=False)
    time = sa.Column(UTCDateTime, nullable=False)
    status = sa.Column(sa.String(13), nullable=False)
    claimed_by = sa.Column(sa.String(255))
    claimed_until = sa.Column(UTCDateTime)
    attempts = sa.Column(sa.Integer, nullable=False, default=0)
    error = sa.Column(sa.Text)
