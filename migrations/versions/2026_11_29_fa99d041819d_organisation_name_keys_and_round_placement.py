"""Organisation name keys (one registration per name, rule 15), and where a round stood when it
opened (region, Teaching Partnership, employer type: its benchmarks keep them).

Launched rounds take their organisation's current values, the best record there is. Columns are
only added (no batch rebuild of organisation or evaluation_round on SQLite, which would
cascade-delete their children).

Revision ID: fa99d041819d
Revises: 4f3b04ae9531
Create Date: 2026-11-29 22:52:05.000000
"""

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'fa99d041819d'
down_revision: str | None = '4f3b04ae9531'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _name_key(name: str) -> str:
    # A frozen copy of app.accounts.organisations.name_key as it was when this was written.
    folded = unicodedata.normalize("NFKD", name).casefold()
    letters = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "", letters)


def upgrade() -> None:
    for column, length in (("region", 40), ("teaching_partnership", 80), ("employer_type", 40)):
        op.add_column('evaluation_round', sa.Column(
            column, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=True))
        op.execute(
            f"UPDATE evaluation_round SET {column} = (SELECT organisation.{column} "
            "FROM organisation WHERE organisation.id = evaluation_round.organisation_id) "
            "WHERE status IN ('open', 'closed')"
        )

    op.add_column('organisation', sa.Column(
        'name_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False,
        server_default=''))
    op.create_index(op.f('ix_organisation_name_key'), 'organisation', ['name_key'], unique=False)
    connection = op.get_bind()
    organisation = sa.table('organisation', sa.column('id'), sa.column('name'),
                            sa.column('name_key'))
    for id_, name in connection.execute(sa.select(organisation.c.id, organisation.c.name)):
        connection.execute(organisation.update().where(organisation.c.id == id_)
                           .values(name_key=_name_key(name)))


def downgrade() -> None:
    op.drop_index(op.f('ix_organisation_name_key'), table_name='organisation')
    op.drop_column('organisation', 'name_key')
    op.drop_column('evaluation_round', 'employer_type')
    op.drop_column('evaluation_round', 'teaching_partnership')
    op.drop_column('evaluation_round', 'region')
