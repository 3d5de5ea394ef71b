"""Approve organisations (rule 15) and give employer accounts a role in their organisation.

Organisations registered before approval existed were already counted, so they start approved;
every existing employer account was its organisation's only one, so it becomes a lead.
Columns are only added (never a batch rebuild): on SQLite, rebuilding `organisation` would
drop it, and with it every row that cascades from it.

Revision ID: 05d5ca2e6d6e
Revises: bb436a0293bf
Create Date: 2026-11-29 22:35:06.988814
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '05d5ca2e6d6e'
down_revision: str | None = 'bb436a0293bf'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('organisation', sa.Column(
        'status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False,
        server_default='pending'))
    op.add_column('organisation', sa.Column(
        'rejection_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True))
    op.create_index(op.f('ix_organisation_status'), 'organisation', ['status'], unique=False)
    op.execute("UPDATE organisation SET status = 'approved'")

    op.add_column('user_account', sa.Column(
        'organisation_role', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
    op.execute("UPDATE user_account SET organisation_role = 'lead' WHERE role = 'employer'")


def downgrade() -> None:
    op.drop_column('user_account', 'organisation_role')
    op.drop_index(op.f('ix_organisation_status'), table_name='organisation')
    op.drop_column('organisation', 'rejection_reason')
    op.drop_column('organisation', 'status')
