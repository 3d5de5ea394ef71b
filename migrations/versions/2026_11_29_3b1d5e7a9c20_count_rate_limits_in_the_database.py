"""Count rate limits in the database, so that every server process shares them.

Revision ID: 3b1d5e7a9c20
Revises: f28da3019941
Create Date: 2026-11-29 22:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '3b1d5e7a9c20'
down_revision: str | None = 'f28da3019941'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'rate_count',
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('window_start', sa.Float(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('last_at', sa.Float(), nullable=False),
        sa.Column('previous_at', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_count')),
    )
    with op.batch_alter_table('rate_count', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_count_last_at'), ['last_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rate_count', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_count_last_at'))
    op.drop_table('rate_count')
