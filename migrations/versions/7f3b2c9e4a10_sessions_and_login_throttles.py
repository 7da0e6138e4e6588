"""sessions revocable (users.session_epoch), login throttles instead of account locks

Revision ID: 7f3b2c9e4a10
Revises: 9e3f5a2c7d61
Create Date: 2026-12-08 05:00:00

"""
from alembic import op
import sqlalchemy as sa

import workflow.dbtypes


# revision identifiers, used by Alembic.
revision = '7f3b2c9e4a10'
down_revision = '9e3f5a2c7d61'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_throttles',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', workflow.dbtypes.UtcDateTime(timezone=True), nullable=False),
    sa.Column('wait_until', workflow.dbtypes.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', workflow.dbtypes.UtcDateTime(timezone=True), nullable=True))
        batch_op.drop_column('session_epoch')
    op.drop_table('login_throttles')
