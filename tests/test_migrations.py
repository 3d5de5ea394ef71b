"""The one set of migrations builds the whole schema, on SQLite and on PostgreSQL alike."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app.cli import upgrade_database
from tests.databases import throwaway_database


def test_migrations_build_an_empty_database_that_matches_the_models():
    with throwaway_database("migrations") as url:
        upgrade_database(url)
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                context = MigrationContext.configure(
                    connection, opts={"compare_type": True, "render_as_batch": True}
                )
                differences = compare_metadata(context, SQLModel.metadata)
                tables = set(inspect(connection).get_table_names())
        finally:
            engine.dispose()
    assert differences == []
    assert set(SQLModel.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_every_constraint_has_a_conventional_name():
    for table in SQLModel.metadata.sorted_tables:
        for constraint in table.constraints:
            assert constraint.name, f"{table.name} has an unnamed {type(constraint).__name__}"
