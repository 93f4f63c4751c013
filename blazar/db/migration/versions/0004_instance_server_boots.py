"""Servers whose boot got them a lease (virtual:instance leases_at_boot).

Revision ID: 0004
Revises: 0003
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0004'
down_revision = '0003'

DATETIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')


def upgrade():
    op.create_table(
        'instance_server_boots',
        sa.Column('server_id', sa.String(36), primary_key=True),
        sa.Column('lease_id', sa.String(36),
                  sa.ForeignKey('leases.id', ondelete='SET NULL')),
        sa.Column('created_at', DATETIME),
        sa.Column('updated_at', DATETIME))


def downgrade():
    op.drop_table('instance_server_boots')
