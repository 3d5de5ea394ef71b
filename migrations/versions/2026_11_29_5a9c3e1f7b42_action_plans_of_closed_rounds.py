"""Action plans of closed rounds (rule 13): one item per chosen statement.

Revision ID: 5a9c3e1f7b42
Revises: 8d2f4b6a1c37
Create Date: 2026-11-29 23:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '5a9c3e1f7b42'
down_revision: str | None = '8d2f4b6a1c37'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'action_plan_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('statement_number', sa.Integer(), nullable=False),
        sa.Column('actions', sa.String(length=2000), nullable=False),
        sa.Column('owner', sa.String(length=200), nullable=False),
        sa.Column('due', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.CheckConstraint("status in ('planned', 'in_progress', 'done')",
                           name=op.f('ck_action_plan_item_status')),
        sa.ForeignKeyConstraint(['round_id'], ['evaluation_round.id'],
                                name=op.f('fk_action_plan_item_round_id_evaluation_round'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_action_plan_item')),
        sa.UniqueConstraint('round_id', 'statement_number',
                            name=op.f('uq_action_plan_item_round_id_statement_number')),
    )
    with op.batch_alter_table('action_plan_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_plan_item_round_id'), ['round_id'],
                              unique=False)


def downgrade() -> None:
    op.drop_table('action_plan_item')
