"""documents.original_sha256: the bytes as uploaded, when the stored copy is a repaired one

Revision ID: 7b1d0c6e2f48
Revises: 4c2e9a7d1b53
Create Date: 2026-12-08 05:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b1d0c6e2f48'
down_revision = '4c2e9a7d1b53'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('documents') as batch:
        batch.add_column(sa.Column('original_sha256', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('documents') as batch:
        batch.drop_column('original_sha256')
