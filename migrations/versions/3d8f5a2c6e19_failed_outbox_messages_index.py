"""outbox: a partial index of failed messages, for the case list's failed-email count

Revision ID: 3d8f5a2c6e19
Revises: 9c4e7a1f2b60
Create Date: 2026-12-01 23:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3d8f5a2c6e19'
down_revision = '9c4e7a1f2b60'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index(
            'ix_outbox_messages_failed',
            ['council_id', 'case_id'],
            unique=False,
            sqlite_where=sa.text("status = 'failed'"),
            postgresql_where=sa.text("status = 'failed'"),
        )


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index(
            'ix_outbox_messages_failed',
            sqlite_where=sa.text("status = 'failed'"),
            postgresql_where=sa.text("status = 'failed'"),
        )
