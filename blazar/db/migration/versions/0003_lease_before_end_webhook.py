"""A lease's own before_end webhook.

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'


def upgrade():
    op.add_column('leases', sa.Column('before_end_webhook',
                                      sa.String(2048)))


def downgrade():
    op.drop_column('leases', 'before_end_webhook')
