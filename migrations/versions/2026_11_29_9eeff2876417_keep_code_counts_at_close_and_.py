"""Keep code counts when codes are dropped at close; keep benchmark figures as published.

Revision ID: 9eeff2876417
Revises: be613e3cc560
Create Date: 2026-11-29 22:43:30.087668
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '9eeff2876417'
down_revision: str | None = 'be613e3cc560'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('published_benchmark',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('programme', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('statement_set', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('group_key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('statement_number', sa.Integer(), nullable=False),
    sa.Column('organisations', sa.JSON(), nullable=False),
    sa.Column('mean', sa.Text(), nullable=False),
    sa.Column('minimum', sa.Text(), nullable=True),
    sa.Column('maximum', sa.Text(), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_published_benchmark'))
    )
    with op.batch_alter_table('published_benchmark', schema=None) as batch_op:
        batch_op.create_index('ix_published_benchmark_scope', ['year', 'programme', 'statement_set', 'statement_number'], unique=False)

    op.create_table('code_count',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('respondent_type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('issued', sa.Integer(), nullable=False),
    sa.Column('used', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['evaluation_round.id'], name=op.f('fk_code_count_round_id_evaluation_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', 'respondent_type', name=op.f('pk_code_count'))
    )


def downgrade() -> None:
    op.drop_table('code_count')
    with op.batch_alter_table('published_benchmark', schema=None) as batch_op:
        batch_op.drop_index('ix_published_benchmark_scope')

    op.drop_table('published_benchmark')
