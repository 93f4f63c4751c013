"""Index on events by status and claim deadline, for the event engine's
look for delayed retries and abandoned claims.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = '0002'
down_revision = '0001'


def upgrade():
    op.create_index('events_claimed_idx', 'events',
                    ['status', 'claimed_until'])


def downgrade():
    op.drop_index('events_claimed_idx', table_name='events')
