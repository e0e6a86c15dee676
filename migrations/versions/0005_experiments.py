"""experiments: the lecture's probes and procedures as groups of jobs

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'experiments',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('project_id', sa.String(length=32), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=250), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('spec', Json, nullable=False),
        sa.Column('options', Json, nullable=False),
        sa.Column('phase', sa.Integer(), nullable=False),
        sa.Column('result', Json, nullable=True),
        sa.Column('verdict', sa.String(length=64), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('subject_run_id', sa.String(length=32), nullable=True),
        sa.Column('cancel_requested', sa.Boolean(), nullable=False),
        sa.Column('created_by', sa.String(length=32), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'],
                                name=op.f('fk_experiments_project_id_projects'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_experiments')),
    )
    with op.batch_alter_table('experiments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_experiments_project_id'), ['project_id'])
        batch_op.create_index(batch_op.f('ix_experiments_status'), ['status'])
        batch_op.create_index(batch_op.f('ix_experiments_subject_run_id'), ['subject_run_id'])
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('experiment_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('experiment_role', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('experiment_phase', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('result', Json, nullable=True))
        batch_op.create_index(batch_op.f('ix_jobs_experiment_id'), ['experiment_id'])
        batch_op.create_foreign_key(batch_op.f('fk_jobs_experiment_id_experiments'),
                                    'experiments', ['experiment_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_jobs_experiment_id_experiments'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_jobs_experiment_id'))
        batch_op.drop_column('result')
        batch_op.drop_column('experiment_phase')
        batch_op.drop_column('experiment_role')
        batch_op.drop_column('experiment_id')
    with op.batch_alter_table('experiments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_experiments_subject_run_id'))
        batch_op.drop_index(batch_op.f('ix_experiments_status'))
        batch_op.drop_index(batch_op.f('ix_experiments_project_id'))
    op.drop_table('experiments')
