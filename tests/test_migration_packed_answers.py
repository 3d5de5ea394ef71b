"""Migration 0d07e8ba32dc (answers packed while a round is open), up and down on either database:
responses stored before it keep their ratings; its downgrade loses no packed answer, and on
PostgreSQL swaps the submission function for the one each revision expects."""

from alembic import command
from sqlalchemy import column, create_engine, insert, inspect, select, table, text
from sqlmodel import Session

from app.cli import _alembic_config
from app.lifecycle.models import Round
from app.statements.loader import get_statement_sets
from app.statements.service import record_set_use
from tests.builders import make_organisation
from tests.databases import throwaway_database

BEFORE_PACKED = "c4d8e2a6f913"
_RESPONSE = table("response", column("id"), column("round_id"), column("respondent_type"))
_PACKED_RESPONSE = table("response", column("id"), column("round_id"), column("respondent_type"),
                         column("answers"))
_RATING = table("rating", column("response_id"), column("statement_number"), column("score"))
OLD = {n: (None if n % 7 == 0 else 1 + n % 5) for n in range(1, 33)}
# Packed by hand here, not by the app: statement n is character n - 1, "-" is "I do not know".
PACKED = "5-" + "3" * 29 + "1"
FROM_PACKED = {1: 5, 2: None, **{n: 3 for n in range(3, 32)}, 32: 1}


def _ratings(engine, response_id: str) -> dict[int, int | None]:
    with engine.connect() as connection:
        return dict(connection.execute(
            select(_RATING.c.statement_number, _RATING.c.score)
            .where(_RATING.c.response_id == response_id)).all())


def _function_arguments(engine) -> list[str]:
    with engine.connect() as connection:
        return connection.execute(text(
            "SELECT pg_get_function_identity_arguments(oid) FROM pg_proc "
            "WHERE proname = 'asye_submit_response'")).scalars().all()


def test_upgrade_keeps_rating_rows_and_downgrade_spreads_packed_answers_into_ratings():
    with throwaway_database("packed_answers") as url:
        config = _alembic_config(url)
        command.upgrade(config, BEFORE_PACKED)
        engine = create_engine(url)
        postgres = engine.dialect.name == "postgresql"
        with Session(engine) as session:
            organisation = make_organisation(session, name="Old Council",
                                             programmes=("child_and_family",))
            record_set_use(session=session,
                           statement_set=get_statement_sets()["child-and-family-2019"])
            session.execute(insert(Round.__table__).values(
                id=1, organisation_id=organisation.id, programme="child_and_family",
                year="2025-26", statement_set="child-and-family-2019", status="open",
                expected_nqsw=1, expected_line_manager=1, expected_other=1,
                created_at=organisation.created_at))
            session.execute(insert(_RESPONSE).values(id="old", round_id=1, respondent_type="nqsw"))
            session.execute(insert(_RATING), [
                {"response_id": "old", "statement_number": n, "score": s} for n, s in OLD.items()])
            session.commit()
        if postgres:
            assert _function_arguments(engine) == [
                "p_token text, p_code_hash text, p_key_hash text, p_response_id text, "
                "p_statement_set text, p_numbers integer[], p_scores integer[]"]

        command.upgrade(config, "head")
        assert "answers" in {c["name"] for c in inspect(engine).get_columns("response")}
        with engine.begin() as connection:
            assert connection.execute(select(_PACKED_RESPONSE.c.answers)).scalar_one() is None
            connection.execute(insert(_PACKED_RESPONSE).values(
                id="packed", round_id=1, respondent_type="other", answers=PACKED))
        assert _ratings(engine, "old") == OLD and _ratings(engine, "packed") == {}
        if postgres:
            assert _function_arguments(engine) == [
                "p_token text, p_code_hash text, p_key_hash text, p_response_id text, "
                "p_statement_set text, p_answers text"]

        command.downgrade(config, BEFORE_PACKED)
        engine.dispose()
        assert "answers" not in {c["name"] for c in inspect(engine).get_columns("response")}
        assert _ratings(engine, "old") == OLD and _ratings(engine, "packed") == FROM_PACKED
        if postgres:
            assert _function_arguments(engine) == [
                "p_token text, p_code_hash text, p_key_hash text, p_response_id text, "
                "p_statement_set text, p_numbers integer[], p_scores integer[]"]

        command.upgrade(config, "head")  # and up again
        assert "answers" in {c["name"] for c in inspect(engine).get_columns("response")}
        engine.dispose()
