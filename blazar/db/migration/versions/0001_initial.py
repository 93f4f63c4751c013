"""Leases, reservations, events and the host and instance plugin tables.

Revision ID: 0001
Revises:
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0001'
down_revision = None

DATETIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')


def _timestamps():
    return [sa.Column('created_at', DATETIME),
            sa.Column('updated_at', DATETIME)]


def _reservation_fk(**kwargs):
    return sa.Column('reservation_id', sa.String(36),
                     sa.ForeignKey('reservations.id', ondelete='CASCADE'),
                     nullable=False, **kwargs)


def upgrade():
    _create_core_tables()
    _create_host_tables()
    _create_instance_tables()


def _create_core_tables():
    op.create_table(
        'leases',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('name', sa.String(80), nullable=False),
        sa.Column('user_id', sa.String(255)),
        sa.Column('project_id', sa.String(255)),
        sa.Column('start_date', DATETIME, nullable=False),
        sa.Column('end_date', DATETIME, nullable=False),
        sa.Column('trust_id', sa.String(36)),
        sa.Column('status', sa.String(32), nullable=False),
        sa.Column('degraded', sa.Boolean, nullable=False,
                  server_default=sa.false()),
        *_timestamps())
    op.create_index('leases_project_idx', 'leases', ['project_id'])
    op.create_table(
        'reservations',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('lease_id', sa.String(36),
                  sa.ForeignKey('leases.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('resource_id', sa.String(36)),
        sa.Column('resource_type', sa.String(66), nullable=False),
        sa.Column('status', sa.String(13), nullable=False),
        sa.Column('missing_resources', sa.Boolean, nullable=False,
                  server_default=sa.false()),
        sa.Column('resources_changed', sa.Boolean, nullable=False,
                  server_default=sa.false()),
        *_timestamps())
    op.create_index('reservations_lease_idx', 'reservations', ['lease_id'])
    op.create_table(
        'events',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('lease_id', sa.String(36),
                  sa.ForeignKey('leases.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('event_type', sa.String(66), nullable=False),
        sa.Column('time', DATETIME, nullable=False),
        sa.Column('status', sa.String(13), nullable=False),
        sa.Column('claimed_by', sa.String(255)),
        sa.Column('claimed_until', DATETIME),
        sa.Column('attempts', sa.Integer, nullable=False,
                  server_default='0'),
        sa.Column('error', sa.Text),
        *_timestamps())
    op.create_index('events_due_idx', 'events', ['status', 'time'])
    op.create_index('events_lease_idx', 'events', ['lease_id'])


def _create_host_tables():
    op.create_table(
        'computehosts',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('hypervisor_id', sa.String(36)),
        sa.Column('hypervisor_hostname', sa.String(255), nullable=False,
                  unique=True),
        sa.Column('service_name', sa.String(255)),
        sa.Column('vcpus', sa.Integer, nullable=False),
        sa.Column('memory_mb', sa.Integer, nullable=False),
        sa.Column('local_gb', sa.Integer, nullable=False),
        sa.Column('cpu_info', sa.Text, nullable=False),
        sa.Column('hypervisor_type', sa.String(255), nullable=False),
        sa.Column('hypervisor_version', sa.Integer, nullable=False),
        sa.Column('availability_zone', sa.String(255), nullable=False),
        sa.Column('status', sa.String(13)),
        sa.Column('trust_id', sa.String(36), nullable=False),
        sa.Column('reservable', sa.Boolean, nullable=False,
                  server_default=sa.true()),
        sa.Column('generation', sa.Integer, nullable=False,
                  server_default='0'),
        *_timestamps())
    op.create_table(
        'resource_properties',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('resource_type', sa.String(255), nullable=False),
        sa.Column('property_name', sa.String(255), nullable=False),
        sa.Column('private', sa.Boolean, nullable=False,
                  server_default=sa.false()),
        sa.UniqueConstraint('resource_type', 'property_name',
                            name='uniq_resource_property'),
        *_timestamps())
    op.create_table(
        'computehost_extra_capabilities',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('computehost_id', sa.Integer,
                  sa.ForeignKey('computehosts.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('property_id', sa.String(36),
                  sa.ForeignKey('resource_properties.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('capability_value', sa.Text, nullable=False),
        sa.Column('numeric_value', sa.Double),
        sa.UniqueConstraint('computehost_id', 'property_id',
                            name='uniq_host_capability'),
        *_timestamps())
    op.create_index('capabilities_numeric_idx',
                    'computehost_extra_capabilities',
                    ['property_id', 'numeric_value'])
    op.create_table(
        'computehost_reservations',
        sa.Column('id', sa.String(36), primary_key=True),
        _reservation_fk(unique=True),
        sa.Column('aggregate_id', sa.Integer),
        sa.Column('resource_properties', sa.Text),
        sa.Column('hypervisor_properties', sa.Text),
        sa.Column('count_range', sa.String(36)),
        sa.Column('before_end', sa.String(36)),
        *_timestamps())
    op.create_table(
        'computehost_allocations',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('compute_host_id', sa.Integer,
                  sa.ForeignKey('computehosts.id'), nullable=False),
        _reservation_fk(),
        sa.Column('start_date', DATETIME, nullable=False),
        sa.Column('end_date', DATETIME, nullable=False),
        sa.Column('slots', sa.Integer, nullable=False, server_default='0'),
        *_timestamps())
    op.create_index('allocations_host_window_idx', 'computehost_allocations',
                    ['compute_host_id', 'start_date', 'end_date'])
    op.create_index('allocations_reservation_idx', 'computehost_allocations',
                    ['reservation_id'])


def _create_instance_tables():
    op.create_table(
        'instance_reservations',
        sa.Column('id', sa.String(36), primary_key=True),
        _reservation_fk(unique=True),
        sa.Column('vcpus', sa.Integer, nullable=False),
        sa.Column('memory_mb', sa.Integer, nullable=False),
        sa.Column('disk_gb', sa.Integer, nullable=False),
        sa.Column('amount', sa.Integer, nullable=False),
        sa.Column('affinity', sa.Boolean),
        sa.Column('resource_properties', sa.Text),
        sa.Column('flavor_id', sa.String(36)),
        sa.Column('aggregate_id', sa.Integer),
        sa.Column('server_group_id', sa.String(36)),
        sa.Column('server_id', sa.String(36)),
        *_timestamps())


def downgrade():
    for table in ('instance_reservations', 'computehost_allocations',
                  'computehost_reservations', 'computehost_extra_capabilities',
                  'resource_properties', 'computehosts', 'events',
                  'reservations', 'leases'):
        op.drop_table(table)
