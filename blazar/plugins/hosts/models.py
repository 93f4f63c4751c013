"""Tables owned by the physical:host plugin (also used for instance slots)."""

import sqlalchemy as sa

from blazar.db import models


# ``ComputeHost.status`` of a host being removed from Blazar: the Nova
# drift repair leaves it alone while it leaves its aggregate.
LEAVING = 'leaving'


class ComputeHost(models.Base):
    """An enrolled host. ``id`` is Blazar's own number (clients expect
    digits); ``generation`` is bumped by every claim on the host, so that
    two transactions can never both claim it (compare-and-swap);
    ``status`` is None, or ``LEAVING`` while the host is being removed."""

    __tablename__ = 'computehosts'

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    hypervisor_id = sa.Column(sa.String(36))
    hypervisor_hostname = sa.Column(sa.String(255), nullable=False,
                                    unique=True)
    service_name = sa.Column(sa.String(255))
    vcpus = sa.Column(sa.Integer, nullable=False)
    memory_mb = sa.Column(sa.Integer, nullable=False)
    local_gb = sa.Column(sa.Integer, nullable=False)
    cpu_info = sa.Column(sa.Text, nullable=False, default='')
    hypervisor_type = sa.Column(sa.String(255), nullable=False, default='')
    hypervisor_version = sa.Column(sa.Integer, nullable=False, default=0)
    availability_zone = sa.Column(sa.String(255), nullable=False, default='')
    status = sa.Column(sa.String(13))
    trust_id = sa.Column(sa.String(36), nullable=False, default='')
    reservable = sa.Column(sa.Boolean, nullable=False, default=True)
    generation = sa.Column(sa.Integer, nullable=False, default=0)


class ResourceProperty(models.Base):
    """A name used as an extra capability, per resource type."""

    __tablename__ = 'resource_properties'
    __table_args__ = (sa.UniqueConstraint('resource_type', 'property_name',
                                          name='uniq_resource_property'),)

    id = sa.Column(sa.String(36), primary_key=True, default=models.new_id)
    resource_type = sa.Column(sa.String(255), nullable=False)
    property_name = sa.Column(sa.String(255), nullable=False)
    private = sa.Column(sa.Boolean, nullable=False, default=False)


class ExtraCapability(models.Base):
    """A host's value of a property; ``numeric_value`` is set when the text
    is a number, so queries compare numbers as numbers."""

    __tablename__ = 'computehost_extra_capabilities'
    __table_args__ = (
        sa.UniqueConstraint('computehost_id', 'property_id',
                            name='uniq_host_capability'),
        sa.Index('capabilities_numeric_idx', 'property_id', 'numeric_value'),
    )

    id = sa.Column(sa.String(36), primary_key=True, default=models.new_id)
    computehost_id = sa.Column(
        sa.Integer, sa.ForeignKey('computehosts.id', ondelete='CASCADE'),
        nullable=False)
    property_id = sa.Column(
        sa.String(36),
        sa.ForeignKey('resource_properties.id', ondelete='CASCADE'),
        nullable=False)
    capability_value = sa.Column(sa.Text, nullable=False)
    numeric_value = sa.Column(sa.Double)


class HostReservation(models.Base):
    """What a physical:host reservation asked for."""

    __tablename__ = 'computehost_reservations'

    id = sa.Column(sa.String(36), primary_key=True, default=models.new_id)
    reservation_id = sa.Column(
        sa.String(36), sa.ForeignKey('reservations.id', ondelete='CASCADE'),
        nullable=False, unique=True)
    aggregate_id = sa.Column(sa.Integer)
    resource_properties = sa.Column(sa.Text)
    hypervisor_properties = sa.Column(sa.Text)
    count_range = sa.Column(sa.String(36))
    before_end = sa.Column(sa.String(36))


class HostAllocation(models.Base):
    """A host held by a reservation for a window (copied from the lease so
    the free-host search is one indexed range query). ``slots`` counts
    instance slots; a whole-host reservation holds the host with 0."""

    __tablename__ = 'computehost_allocations'
    __table_args__ = (
        sa.Index('allocations_host_window_idx', 'compute_host_id',
                 'start_date', 'end_date'),
        sa.Index('allocations_reservation_idx', 'reservation_id'),
    )

    id = sa.Column(sa.String(36), primary_key=True, default=models.new_id)
    compute_host_id = sa.Column(
        sa.Integer, sa.ForeignKey('computehosts.id'), nullable=False)
    reservation_id = sa.Column(
        sa.String(36), sa.ForeignKey('reservations.id', ondelete='CASCADE'),
        nullable=False)
    start_date = sa.Column(models.UTCDateTime, nullable=False)
    end_date = sa.Column(models.UTCDateTime, nullable=False)
    slots = sa.Column(sa.Integer, nullable=False, default=0)
