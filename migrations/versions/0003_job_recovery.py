"""job recovery: the outbox of job messages, heartbeats, resumed attempts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sends', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('resumed_from_epoch', sa.Integer(), nullable=True))
    # Jobs made before: their messages were sent when they were created.
    op.execute("UPDATE jobs SET sent_at = created_at, sends = 1")
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.alter_column('sends', server_default=None)
        batch_op.create_index(batch_op.f('ix_jobs_sent_at'), ['sent_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_sent_at'))
        batch_op.drop_column('resumed_from_epoch')
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('sends')
        batch_op.drop_column('sent_at')
