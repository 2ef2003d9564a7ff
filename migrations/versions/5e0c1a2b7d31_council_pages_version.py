"""a version number of what a council's public pages show

Revision ID: 5e0c1a2b7d31
Revises: b3ed87554e50
Create Date: 2026-12-01 20:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e0c1a2b7d31'
down_revision = 'b3ed87554e50'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('councils', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('pages_version', sa.Integer(), server_default='1', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('councils', schema=None) as batch_op:
        batch_op.drop_column('pages_version')
