"""A statement set that a round has used cannot change under it."""

import pytest

from app.statements.errors import StatementFileError
from app.statements.loader import get_statement_sets
from app.statements.service import record_set_use, verify_used_sets


def test_an_unchanged_used_set_passes_the_start_up_check(session):
    statement_set = get_statement_sets()["child-and-family-2019"]
    record_set_use(session=session, statement_set=statement_set)
    session.commit()
    verify_used_sets(session=session, sets=get_statement_sets())


def test_a_used_set_whose_text_changed_stops_the_service_at_start(session):
    statement_set = get_statement_sets()["child-and-family-2019"]
    record_set_use(session=session, statement_set=statement_set)
    session.commit()
    themes = list(statement_set.themes)
    first = themes[0].model_copy(
        update={
            "statements": (themes[0].statements[0].model_copy(update={"text": "Edited"}),)
            + themes[0].statements[1:]
        }
    )
    edited = statement_set.model_copy(update={"themes": (first, *themes[1:])})
    assert edited.fingerprint != statement_set.fingerprint
    with pytest.raises(StatementFileError, match="has changed"):
        verify_used_sets(session=session, sets={edited.key: edited})


def test_a_used_set_whose_file_was_removed_stops_the_service_at_start(session):
    record_set_use(session=session, statement_set=get_statement_sets()["child-and-family-2019"])
    session.commit()
    with pytest.raises(StatementFileError, match="missing"):
        verify_used_sets(session=session, sets={})
