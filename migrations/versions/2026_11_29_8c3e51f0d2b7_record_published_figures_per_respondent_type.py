"""Record at close each round's published figures per statement and respondent type.

National results by respondent type read them instead of protecting every organisation's cells
on each request. Rounds closed before this have none: their results are figured from the
summary as before (app.national.groups), so no backfill is needed for them to be right.

Revision ID: 8c3e51f0d2b7
Revises: 5b1d2c7e9a40
Create Date: 2026-11-29 22:58:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '8c3e51f0d2b7'
down_revision: str | None = '5b1d2c7e9a40'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('round_type_statement',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('statement_number', sa.Integer(), nullable=False),
    sa.Column('respondent_type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('k', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=True),
    sa.Column('total', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['evaluation_round.id'], name=op.f('fk_round_type_statement_round_id_evaluation_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', 'statement_number', 'respondent_type', name=op.f('pk_round_type_statement'))
    )


def downgrade() -> None:
    op.drop_table('round_type_statement')
