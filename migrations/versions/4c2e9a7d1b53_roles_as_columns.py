"""roles as columns: one boolean per role instead of a comma-separated list

Revision ID: 4c2e9a7d1b53
Revises: ebc11d50a961
Create Date: 2026-12-08 02:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4c2e9a7d1b53'
down_revision = 'ebc11d50a961'
branch_labels = None
depends_on = None

ROLES = ('specialist', 'leader', 'clerk', 'admin')
users = sa.table('users', sa.column('roles', sa.String), *(sa.column(f'is_{r}', sa.Boolean) for r in ROLES))


def _holds(role):
    """Whether the comma-separated list names `role` (the names are not prefixes of one another)."""
    return (',' + users.c.roles + ',').like(f'%,{role},%')


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_specialist', sa.Boolean(), server_default=sa.true(), nullable=False))
        for role in ROLES[1:]:
            batch_op.add_column(sa.Column(f'is_{role}', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(users.update().values({f'is_{role}': _holds(role) for role in ROLES}))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('roles')


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('roles', sa.String(length=80), server_default='specialist', nullable=False))
    listed = sa.literal('')
    for role in ROLES:
        listed = listed.concat(sa.case((users.c[f'is_{role}'], f'{role},'), else_=''))
    op.execute(users.update().values(roles=sa.func.rtrim(listed, ',')))
    with op.batch_alter_table('users', schema=None) as batch_op:
        for role in ROLES:
            batch_op.drop_column(f'is_{role}')
