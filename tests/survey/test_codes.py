"""Single-use codes are issued per respondent type, whole batches or nothing."""

import pytest
from sqlmodel import func, select

from app.survey.codes import MAX_CODES_PER_BATCH, hash_code, issue_codes
from app.survey.models import InvitationCode
from tests.builders import make_organisation, make_round


def test_codes_are_issued_per_type_and_only_their_hashes_are_stored(session):
    round_ = make_round(session, organisation=make_organisation(session), status="open")

    codes = issue_codes(session=session, round_id=round_.id, counts={"nqsw": 3, "other": 2})

    assert {t: len(c) for t, c in codes.items()} == {"nqsw": 3, "other": 2}
    stored = session.exec(select(InvitationCode)).all()
    assert {c.code_hash for c in stored} == {hash_code(c) for cs in codes.values() for c in cs}
    assert not any(code in c.code_hash for c in stored for cs in codes.values() for code in cs)


def test_a_batch_that_fails_for_one_type_stores_no_code_at_all(session):
    round_ = make_round(session, organisation=make_organisation(session), status="open")

    with pytest.raises(ValueError):
        issue_codes(session=session, round_id=round_.id,
                    counts={"nqsw": 5, "other": MAX_CODES_PER_BATCH + 1})
    session.rollback()

    assert session.exec(select(func.count()).select_from(InvitationCode)).one() == 0
