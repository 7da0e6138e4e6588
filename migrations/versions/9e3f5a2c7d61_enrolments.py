"""enrolments: the holder, not the administrator, chooses the PIN of a certificate from the local CA

Revision ID: 9e3f5a2c7d61
Revises: 7b1d0c6e2f48
Create Date: 2026-12-08 05:10:00

"""
from alembic import op
import sqlalchemy as sa

from workflow.dbtypes import UtcDateTime


# revision identifiers, used by Alembic.
revision = '9e3f5a2c7d61'
down_revision = '7b1d0c6e2f48'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'enrolments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('used_at', UtcDateTime(timezone=True), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_enrolments_created_by_id_users')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_enrolments_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolments')),
    )
    op.create_index(op.f('ix_enrolments_user_id'), 'enrolments', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_enrolments_user_id'), table_name='enrolments')
    op.drop_table('enrolments')
