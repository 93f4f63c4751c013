"""Tables owned by the virtual:instance plugin."""

import sqlalchemy as sa

from blazar.db import models


class InstanceReservation(models.Base):
    """What a virtual:instance reservation asked for, and what was made for
    it in Nova (flavor, aggregate, server group), or the server it keeps."""

    __tablename__ = 'instance_reservations'

    id = sa.Column(sa.String(36), primary_key=True, default=models.new_id)
    reservation_id = sa.Column(
        sa.String(36), sa.ForeignKey('reservations.id', ondelete='CASCADE'),
        nullable=False, unique=True)
    vcpus = sa.Column(sa.Integer, nullable=False)
    memory_mb = sa.Column(sa.Integer, nullable=False)
    disk_gb = sa.Column(sa.Integer, nullable=False)
    amount = sa.Column(sa.Integer, nullable=False)
    affinity = sa.Column(sa.Boolean)
    resource_properties = sa.Column(sa.Text)
    flavor_id = sa.Column(sa.String(36))
    aggregate_id = sa.Column(sa.Integer)
    server_group_id = sa.Column(sa.String(36))
    server_id = sa.Column(sa.String(36))


class ServerBoot(models.Base):
    """A server whose boot got it a lease: one row per server, so that a
    notification of its boot delivered twice makes one lease. The row
    outlives the lease (``lease_id`` then null)."""

    __tablename__ = 'instance_server_boots'

    server_id = sa.Column(sa.String(36), primary_key=True)
    lease_id = sa.Column(
        sa.String(36), sa.ForeignKey('leases.id', ondelete='SET NULL'))
