"""job chains: follow-up jobs, auto-repair, the kept epoch

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('best_epoch', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('parent_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('root_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('round', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('applied', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True))
        batch_op.add_column(sa.Column('repair_rounds', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('repair_state', sa.String(length=16), nullable=True))
    # Every job so far is the first of its own chain.
    op.execute("UPDATE jobs SET root_id = id")
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.alter_column('root_id', existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column('round', server_default=None)
        batch_op.alter_column('repair_rounds', server_default=None)
        batch_op.create_index(batch_op.f('ix_jobs_root_id'), ['root_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_jobs_parent_id_jobs'), 'jobs', ['parent_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_jobs_parent_id_jobs'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_jobs_root_id'))
        batch_op.drop_column('repair_state')
        batch_op.drop_column('repair_rounds')
        batch_op.drop_column('applied')
        batch_op.drop_column('round')
        batch_op.drop_column('root_id')
        batch_op.drop_column('parent_id')
        batch_op.drop_column('best_epoch')
