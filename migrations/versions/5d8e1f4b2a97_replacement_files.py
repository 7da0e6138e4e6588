"""work_files.replaces_file_id: a new file that replaces an issued one (both kept)

Revision ID: 5d8e1f4b2a97
Revises: 7f3b2c9e4a10
Create Date: 2026-12-08 05:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d8e1f4b2a97'
down_revision = '7f3b2c9e4a10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('work_files') as batch:
        batch.add_column(sa.Column('replaces_file_id', sa.Integer(), nullable=True))
        batch.create_index(batch.f('ix_work_files_replaces_file_id'), ['replaces_file_id'], unique=False)
        batch.create_foreign_key(batch.f('fk_work_files_replaces_file_id_work_files'), 'work_files',
                                 ['replaces_file_id'], ['id'])


def downgrade():
    with op.batch_alter_table('work_files') as batch:
        batch.drop_constraint(batch.f('fk_work_files_replaces_file_id_work_files'), type_='foreignkey')
        batch.drop_index(batch.f('ix_work_files_replaces_file_id'))
        batch.drop_column('replaces_file_id')
