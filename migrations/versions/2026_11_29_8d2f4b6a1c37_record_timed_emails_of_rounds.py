"""Record the emails timed work sends per round (reminder, report ready), claimed before sending.

Rounds closed before this migration are marked as told, so upgrading sends no "report ready"
for old rounds.

Revision ID: 8d2f4b6a1c37
Revises: 3c1e5a7d9b20
Create Date: 2026-11-29 23:00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '8d2f4b6a1c37'
down_revision: str | None = '3c1e5a7d9b20'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    notices = op.create_table(
        'round_notice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('claimed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('delivered', sa.Integer(), nullable=False),
        sa.Column('failed', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['evaluation_round.id'],
                                name=op.f('fk_round_notice_round_id_evaluation_round'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_round_notice')),
        sa.UniqueConstraint('round_id', 'kind', name=op.f('uq_round_notice_round_id_kind')),
    )
    rounds = sa.table('evaluation_round', sa.column('id', sa.Integer), sa.column('status'))
    connection = op.get_bind()
    closed = connection.execute(sa.select(rounds.c.id).where(rounds.c.status == 'closed'))
    now = datetime.now(UTC)
    rows = [{'round_id': round_id, 'kind': 'report_ready', 'claimed_at': now, 'delivered': 0,
             'failed': 0} for (round_id,) in closed.all()]
    if rows:
        op.bulk_insert(notices, rows)


def downgrade() -> None:
    op.drop_table('round_notice')
