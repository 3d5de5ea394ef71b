"""Record at close each round's responses per respondent type and per-statement figures.

Cohorts and national results read these instead of aggregating round_summary with a HAVING
(bench/README.md, benchmark 3). Rounds already closed get theirs from their summary rows here.

Revision ID: 9e36f302de63
Revises: 7be45ed2d6b3
Create Date: 2026-11-22 05:53:47.679925
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '9e36f302de63'
down_revision: str | None = '7be45ed2d6b3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _responses(respondent_type: str) -> str:
    return (f"coalesce(max(CASE WHEN s.respondent_type = '{respondent_type}' "
            "THEN s.n + s.dont_know END), 0)")


BACKFILL_RESPONSES = f"""
INSERT INTO round_responses (round_id, self_assessment, nqsw, line_manager, other)
SELECT r.id, {_responses('self_assessment')}, {_responses('nqsw')},
       {_responses('line_manager')}, {_responses('other')}
FROM evaluation_round r
LEFT JOIN round_summary s ON s.round_id = r.id
WHERE r.status = 'closed'
GROUP BY r.id
"""

BACKFILL_STATEMENTS = """
INSERT INTO round_statement (round_id, statement_number, n, total, anonymous_n)
SELECT s.round_id, s.statement_number, sum(s.n), sum(s.total),
       sum(CASE WHEN s.respondent_type <> 'self_assessment' THEN s.n ELSE 0 END)
FROM round_summary s
JOIN evaluation_round r ON r.id = s.round_id
WHERE r.status = 'closed'
GROUP BY s.round_id, s.statement_number
"""


def upgrade() -> None:
    op.create_table('round_responses',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('self_assessment', sa.Integer(), nullable=False),
    sa.Column('nqsw', sa.Integer(), nullable=False),
    sa.Column('line_manager', sa.Integer(), nullable=False),
    sa.Column('other', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['evaluation_round.id'], name=op.f('fk_round_responses_round_id_evaluation_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', name=op.f('pk_round_responses'))
    )
    op.create_table('round_statement',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('statement_number', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('anonymous_n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['evaluation_round.id'], name=op.f('fk_round_statement_round_id_evaluation_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', 'statement_number', name=op.f('pk_round_statement'))
    )
    # Rounds closed before this migration: the same figures summarise_round now records, from
    # their summary rows (any statement's n + dont_know is the number of responses of a type).
    op.execute(BACKFILL_RESPONSES)
    op.execute(BACKFILL_STATEMENTS)


def downgrade() -> None:
    op.drop_table('round_statement')
    op.drop_table('round_responses')
