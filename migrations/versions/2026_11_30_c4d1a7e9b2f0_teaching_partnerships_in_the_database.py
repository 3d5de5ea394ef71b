"""Teaching Partnerships kept in the database (issue 14), seeded with the list that was in
statements/reference/teaching_partnerships.yaml (copied here: a migration must not change when
that file does).

Revision ID: c4d1a7e9b2f0
Revises: b7e2d4f8a613
Create Date: 2026-11-30 00:05:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'c4d1a7e9b2f0'
down_revision: str | None = 'b7e2d4f8a613'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEED = (
    ('north_east_tp', 'North East Teaching Partnership'),
    ('greater_manchester_tp', 'Greater Manchester Teaching Partnership'),
    ('cheshire_and_merseyside_tp', 'Cheshire and Merseyside Teaching Partnership'),
    ('west_yorkshire_tp', 'West Yorkshire Teaching Partnership'),
    ('south_yorkshire_tp', 'South Yorkshire Teaching Partnership'),
    ('d2n2_tp', 'D2N2 Teaching Partnership'),
    ('leicestershire_tp', 'Leicestershire Teaching Partnership'),
    ('birmingham_and_solihull_tp', 'Birmingham and Solihull Teaching Partnership'),
    ('black_country_tp', 'Black Country Teaching Partnership'),
    ('norfolk_and_suffolk_tp', 'Norfolk and Suffolk Teaching Partnership'),
    ('essex_tp', 'Essex Teaching Partnership'),
    ('central_london_tp', 'Central London Teaching Partnership'),
    ('south_london_tp', 'South London Teaching Partnership'),
    ('north_london_tp', 'North London Teaching Partnership'),
    ('kent_and_medway_tp', 'Kent and Medway Teaching Partnership'),
    ('surrey_tp', 'Surrey Teaching Partnership'),
    ('sussex_tp', 'Sussex Teaching Partnership'),
    ('south_west_tp', 'South West Teaching Partnership'),
    ('west_of_england_tp', 'West of England Teaching Partnership'),
)


def upgrade() -> None:
    table = op.create_table(
        'teaching_partnership',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('retired_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_teaching_partnership')),
        sa.UniqueConstraint('key', name=op.f('uq_teaching_partnership_key')),
        sa.UniqueConstraint('name', name=op.f('uq_teaching_partnership_name')),
    )
    now = datetime.now(UTC)
    op.bulk_insert(table, [{'key': key, 'name': name, 'created_at': now} for key, name in SEED])


def downgrade() -> None:
    op.drop_table('teaching_partnership')
