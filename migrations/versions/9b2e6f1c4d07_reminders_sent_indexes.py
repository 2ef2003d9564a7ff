"""reminders sent: index the outbox foreign key, drop the deadline index the unique constraint covers

Revision ID: 9b2e6f1c4d07
Revises: 7c41d0e2f9a8
Create Date: 2026-12-01 23:15:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '9b2e6f1c4d07'
down_revision = '7c41d0e2f9a8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reminders_sent', schema=None) as batch_op:
        batch_op.drop_index('ix_reminders_sent_deadline_id')
        batch_op.create_index('ix_reminders_sent_outbox_id', ['outbox_id'], unique=False)


def downgrade():
    with op.batch_alter_table('reminders_sent', schema=None) as batch_op:
        batch_op.drop_index('ix_reminders_sent_outbox_id')
        batch_op.create_index('ix_reminders_sent_deadline_id', ['deadline_id'], unique=False)
