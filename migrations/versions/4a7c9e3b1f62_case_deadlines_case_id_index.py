"""case deadlines: drop the case_id index, which ix_case_deadlines_statistics begins with

Revision ID: 4a7c9e3b1f62
Revises: 9b2e6f1c4d07
Create Date: 2026-12-01 23:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '4a7c9e3b1f62'
down_revision = '9b2e6f1c4d07'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_deadlines', schema=None) as batch_op:
        batch_op.drop_index('ix_case_deadlines_case_id')


def downgrade():
    with op.batch_alter_table('case_deadlines', schema=None) as batch_op:
        batch_op.create_index('ix_case_deadlines_case_id', ['case_id'], unique=False)
