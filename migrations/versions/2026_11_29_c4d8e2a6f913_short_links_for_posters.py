"""Short links for posters: each survey link gets a short code a person can type (/s/…).

Existing links get one here, drawn as new links draw theirs (app.survey.links), so every link
has one and the column can be required and unique.

Revision ID: c4d8e2a6f913
Revises: c4d1a7e9b2f0
Create Date: 2026-11-30 00:00:00
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'c4d8e2a6f913'
down_revision: str | None = 'c4d1a7e9b2f0'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As app.survey.links has them today, copied so this revision never changes with the app.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_LENGTH = 10


def upgrade() -> None:
    with op.batch_alter_table('round_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('short_code', sqlmodel.sql.sqltypes.AutoString(length=16),
                                      nullable=True))
    links = sa.table('round_link', sa.column('id', sa.Integer),
                     sa.column('short_code', sa.String))
    connection = op.get_bind()
    ids = connection.execute(sa.select(links.c.id)).scalars().all()
    codes: set[str] = set()
    while len(codes) < len(ids):
        codes.add("".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH)))
    if ids:
        connection.execute(
            sa.update(links).where(links.c.id == sa.bindparam('link_id'))
            .values(short_code=sa.bindparam('code')),
            [{'link_id': link_id, 'code': code} for link_id, code in zip(ids, codes, strict=True)],
        )
    with op.batch_alter_table('round_link', schema=None) as batch_op:
        batch_op.alter_column('short_code', existing_type=sqlmodel.sql.sqltypes.AutoString(length=16),
                              nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_round_link_short_code'), ['short_code'])


def downgrade() -> None:
    with op.batch_alter_table('round_link', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_round_link_short_code'), type_='unique')
        batch_op.drop_column('short_code')
