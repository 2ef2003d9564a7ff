"""indexes for statistics: a period's cases and their deadlines, read from the index alone

Revision ID: 7c41d0e2f9a8
Revises: 5e0c1a2b7d31
Create Date: 2026-12-01 23:05:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7c41d0e2f9a8'
down_revision = '5e0c1a2b7d31'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(
            'ix_cases_statistics',
            [
                'council_id',
                'received_on',
                'procedure_key',
                'stage',
                'closed_on',
                'previous_stage',
                'outcome',
                'paused_on',
                'id',
            ],
            unique=False,
        )
    with op.batch_alter_table('case_deadlines', schema=None) as batch_op:
        batch_op.create_index(
            'ix_case_deadlines_statistics',
            ['case_id', 'status', 'due_on', 'key', 'met_on', 'council_id'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('case_deadlines', schema=None) as batch_op:
        batch_op.drop_index('ix_case_deadlines_statistics')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_statistics')
