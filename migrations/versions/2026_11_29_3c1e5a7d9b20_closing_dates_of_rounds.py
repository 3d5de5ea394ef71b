"""Closing dates of rounds (rule 12): every opened round gets one.

An existing open round closes 28 days after it opened (the default); a closed round's closing
date is the day it closed.

Revision ID: 3c1e5a7d9b20
Revises: 8c3e51f0d2b7
Create Date: 2026-11-29 22:50:00
"""

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision: str = '3c1e5a7d9b20'
down_revision: str | None = '8c3e51f0d2b7'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('evaluation_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closes_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_evaluation_round_closes_on'), ['closes_on'],
                              unique=False)
    rounds = sa.table('evaluation_round', sa.column('id', sa.Integer), sa.column('status'),
                      sa.column('opened_at', sa.DateTime), sa.column('closed_at', sa.DateTime),
                      sa.column('closes_on', sa.Date))
    connection = op.get_bind()
    rows = connection.execute(sa.select(rounds.c.id, rounds.c.status, rounds.c.opened_at,
                                        rounds.c.closed_at).where(rounds.c.status != 'draft'))
    for round_id, status, opened_at, closed_at in rows.all():
        if status == 'closed' and closed_at is not None:
            closes_on = closed_at.date()
        elif opened_at is not None:
            closes_on = opened_at.date() + timedelta(days=28)
        else:
            continue
        connection.execute(sa.update(rounds).where(rounds.c.id == round_id)
                           .values(closes_on=closes_on))


def downgrade() -> None:
    with op.batch_alter_table('evaluation_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_round_closes_on'))
        batch_op.drop_column('closes_on')
