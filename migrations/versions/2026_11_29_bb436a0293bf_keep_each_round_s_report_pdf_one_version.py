"""Keep each round's report PDF (its latest version), so a second download renders nothing.

Revision ID: bb436a0293bf
Revises: 8c4f2a6d1e73
Create Date: 2026-11-29 22:49:10.889941
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'bb436a0293bf'
down_revision: str | None = '8c4f2a6d1e73'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('report_pdf',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('version', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('rendered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['evaluation_round.id'], name=op.f('fk_report_pdf_round_id_evaluation_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', name=op.f('pk_report_pdf'))
    )


def downgrade() -> None:
    op.drop_table('report_pdf')
