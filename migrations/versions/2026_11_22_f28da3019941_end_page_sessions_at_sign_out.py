"""End page sessions at sign-out: a session version per user, moved on by signing out.

Revision ID: f28da3019941
Revises: 9e36f302de63
Create Date: 2026-11-22 06:29:37.450584
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'f28da3019941'
down_revision: str | None = '9e36f302de63'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_version', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('session_version')
