"""indexes for the staff case list: open cases in the order received, every case by date or reference

Revision ID: 9c4e7a1f2b60
Revises: 4a7c9e3b1f62
Create Date: 2026-12-01 23:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9c4e7a1f2b60'
down_revision = '4a7c9e3b1f62'
branch_labels = None
depends_on = None

OPEN = sa.text('closed_on IS NULL')


def upgrade():
    # A Monitoring Officer's list of one procedure across 200 councils, and a council's own
    # list, walk these in the order shown and stop after a page, instead of reading and
    # sorting every readable case (conduct/models.py says why each column is there).
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(
            'ix_cases_open_by_procedure',
            ['procedure_key', 'received_at', 'id', 'council_id'],
            unique=False,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        )
        batch_op.create_index(
            'ix_cases_open_by_council',
            ['council_id', 'received_at', 'id', 'procedure_key'],
            unique=False,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        )
        batch_op.create_index(
            'ix_cases_received',
            ['received_at', 'id', 'council_id', 'procedure_key', 'reference'],
            unique=False,
        )
        batch_op.create_index(
            'ix_cases_reference',
            ['reference', 'id', 'council_id', 'procedure_key'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_reference')
        batch_op.drop_index('ix_cases_received')
        batch_op.drop_index('ix_cases_open_by_council')
        batch_op.drop_index('ix_cases_open_by_procedure')
