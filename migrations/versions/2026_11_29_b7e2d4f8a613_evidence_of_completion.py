"""Evidence of completion (rule 14): one per closed round, its verification code kept hashed.

Revision ID: b7e2d4f8a613
Revises: 5a9c3e1f7b42
Create Date: 2026-11-29 23:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'b7e2d4f8a613'
down_revision: str | None = '5a9c3e1f7b42'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'evidence_record',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('salt', sa.String(length=64), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['evaluation_round.id'],
                                name=op.f('fk_evidence_record_round_id_evaluation_round'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_record')),
        sa.UniqueConstraint('code_hash', name=op.f('uq_evidence_record_code_hash')),
        sa.UniqueConstraint('round_id', name=op.f('uq_evidence_record_round_id')),
    )


def downgrade() -> None:
    op.drop_table('evidence_record')
