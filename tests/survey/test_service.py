"""Storing a response: rule 3 (whole or nothing, once), rule 1 (only while open), codes."""

import pytest
from sqlalchemy import inspect
from sqlmodel import select

from app.config import get_settings
from app.errors import TooManyAttempts
from app.survey.codes import (
    CODE_LENGTH,
    CodeAlreadyUsed,
    create_codes,
    format_code,
    normalise_code,
)
from app.survey.models import IdempotencyRecord, InvitationCode, Rating, SurveyResponse
from app.survey.ratings import RatingsError
from app.survey.service import (
    SurveyClosed,
    SurveyNotFound,
    SurveyNotOpen,
    find_survey,
    find_survey_by_code,
    rewrite_responses,
    save_self_assessment,
    submit_response,
)
from tests.builders import (
    close_and_read_ratings,
    count_stored,
    full_ratings,
    make_survey_round,
    packed_and_rated,
    set_status,
    statement_set,
)

ADDRESS = "192.0.2.1"


def one_code(session, respondent_type: str = "nqsw") -> str:
    """An open round of a new organisation, and one single-use code of it."""
    made = make_survey_round(session)
    [code] = create_codes(session=session, round_id=made.round.id,
                          respondent_type=respondent_type, count=1)
    return code


def submit(session, token, ratings, key=None):
    survey = find_survey(session=session, token=token)
    return submit_response(session=session, survey=survey, ratings=ratings, idempotency_key=key,
                           address=ADDRESS)


def test_a_complete_response_is_stored_in_one_row_and_rated_when_the_round_closes(session):
    made = make_survey_round(session)
    sent = full_ratings(5, s7=None, s32=1)

    submission = submit(session, made.links["line_manager"], sent)

    assert submission.repeated is False
    response = session.exec(select(SurveyResponse)).one()
    assert response.round_id == made.round.id and response.respondent_type == "line_manager"
    # While the round is open: one row, its answers packed in it, and no rating rows.
    assert packed_and_rated(session, made.round.id) == ([response.answers], 0)
    assert response.answers is not None and len(response.answers) == 32
    [ratings] = close_and_read_ratings(session, made.round.id)
    assert {str(n): s for n, s in ratings.items()} == sent
    assert packed_and_rated(session, made.round.id) == ([None], 32)


def test_the_self_assessment_is_stored_in_rating_rows_while_the_round_is_open(session):
    made = make_survey_round(session)

    save_self_assessment(session=session, round_id=made.round.id, ratings=full_ratings(2, s5=None))

    assert packed_and_rated(session, made.round.id) == ([None], 32)
    stored = session.exec(select(Rating.statement_number, Rating.score)).all()
    assert dict(stored) == {int(n): s for n, s in full_ratings(2, s5=None).items()}


def test_response_ids_are_random_not_sequential(session):
    made = make_survey_round(session)
    for _ in range(3):
        submit(session, made.token, full_ratings())

    ids = [r.id for r in session.exec(select(SurveyResponse))]
    assert len(set(ids)) == 3
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)


@pytest.mark.parametrize(
    ("ratings", "named"),
    [
        (full_ratings(s5="missing"), {"5"}),
        (full_ratings(s5=0), {"5"}),
        (full_ratings(s6=6), {"6"}),
        (full_ratings(s7=3.5), {"7"}),
        (full_ratings(s8="4"), {"8"}),
        (full_ratings(s9=True), {"9"}),
        (full_ratings(s10=False), {"10"}),
        (full_ratings(s33=4), {"33"}),
        (full_ratings(s0=4), {"0"}),
        ({}, {str(n) for n in range(1, 33)}),
        ([4] * 32, {"ratings"}),
        (None, {"ratings"}),
    ],
    ids=["missing", "zero", "six", "half", "string", "true", "false", "unknown-33",
         "unknown-0", "empty", "list", "null"],
)
def test_every_invalid_response_is_refused_whole_with_nothing_stored(session, ratings, named):
    made = make_survey_round(session)
    if isinstance(ratings, dict):
        ratings = {k: v for k, v in ratings.items() if v != "missing"}

    with pytest.raises(RatingsError) as refused:
        submit(session, made.token, ratings, key="same-key")

    assert set(refused.value.problems) == named
    assert count_stored(session) == (0, 0, 0)
    assert session.exec(select(IdempotencyRecord)).first() is None


def test_every_problem_is_named_at_once(session):
    made = make_survey_round(session)
    ratings = full_ratings(s1=0, s2="3", s40=5)
    del ratings["32"]

    with pytest.raises(RatingsError) as refused:
        submit(session, made.token, ratings)

    assert list(refused.value.problems) == ["1", "2", "32", "40"]
    assert "missing" in refused.value.problems["32"]
    assert "not a statement" in refused.value.problems["40"]


def test_a_closed_round_refuses_a_response(session):
    made = make_survey_round(session, status="closed")

    with pytest.raises(SurveyClosed):
        submit(session, made.token, full_ratings())

    assert count_stored(session).responses == 0


def test_a_draft_round_refuses_a_response(session):
    made = make_survey_round(session, status="draft")

    with pytest.raises(SurveyNotOpen):
        submit(session, made.token, full_ratings())

    assert count_stored(session).responses == 0


def test_a_round_closed_after_the_link_was_read_refuses_inside_the_transaction(session, engine):
    made = make_survey_round(session)
    survey = find_survey(session=session, token=made.token)  # read while open
    from sqlmodel import Session

    with Session(engine) as other:  # the employer closes it meanwhile
        set_status(other, made, "closed")

    with pytest.raises(SurveyClosed):
        submit_response(session=session, survey=survey, ratings=full_ratings(),
                        idempotency_key="k", address=ADDRESS)

    assert count_stored(session) == (0, 0, 0)
    assert session.exec(select(IdempotencyRecord)).first() is None


def test_an_unknown_link_is_not_found(session):
    make_survey_round(session)

    with pytest.raises(SurveyNotFound):
        find_survey(session=session, token="not-a-real-token")


def test_a_retry_with_the_same_idempotency_key_stores_once(session):
    made = make_survey_round(session)

    first = submit(session, made.token, full_ratings(), key="retry-me")
    second = submit(session, made.token, full_ratings(), key="retry-me")

    assert (first.repeated, second.repeated) == (False, True)
    assert count_stored(session) == (1, 32, 0)


def test_different_keys_or_no_key_store_separate_responses(session):
    made = make_survey_round(session)

    submit(session, made.token, full_ratings(), key="a")
    submit(session, made.token, full_ratings(), key="b")
    submit(session, made.token, full_ratings())
    submit(session, made.token, full_ratings())

    assert count_stored(session).responses == 4


def test_idempotency_keys_are_scoped_to_their_link_and_stored_only_hashed(session):
    made = make_survey_round(session)

    submit(session, made.links["nqsw"], full_ratings(), key="shared-key")
    submit(session, made.links["other"], full_ratings(), key="shared-key")

    assert count_stored(session).responses == 2
    hashes = [r.key_hash for r in session.exec(select(IdempotencyRecord))]
    assert len(hashes) == 2 and all("shared-key" not in h and len(h) == 64 for h in hashes)


def test_the_per_link_ceiling_refuses_a_flood_with_nothing_stored(session, monkeypatch):
    made = make_survey_round(session)
    monkeypatch.setattr(get_settings(), "submissions_per_link_per_minute", 2)
    submit(session, made.token, full_ratings())
    submit(session, made.token, full_ratings())

    with pytest.raises(TooManyAttempts) as refused:
        submit(session, made.token, full_ratings())

    assert refused.value.retry_after >= 1
    assert count_stored(session).responses == 2
    submit(session, made.links["other"], full_ratings())  # another link has its own ceiling
    assert count_stored(session).responses == 3


def test_codes_are_issued_readable_and_stored_only_as_hashes(session):
    made = make_survey_round(session)

    codes = create_codes(session=session, round_id=made.round.id, respondent_type="nqsw", count=5)

    assert len(set(codes)) == 5
    for code in codes:
        assert len(normalise_code(code)) == CODE_LENGTH
        assert code == format_code(normalise_code(code))
    stored = session.exec(select(InvitationCode)).all()
    assert len(stored) == 5 and not any(s.used for s in stored)
    assert not {normalise_code(c) for c in codes} & {s.code_hash for s in stored}


def test_codes_are_only_for_anonymous_types_in_sensible_batches(session):
    made = make_survey_round(session)
    for respondent_type, count in (("self_assessment", 1), ("nqsw", 0), ("nqsw", 1001)):
        with pytest.raises(ValueError):
            create_codes(session=session, round_id=made.round.id,
                         respondent_type=respondent_type, count=count)


def test_a_code_stores_one_response_and_is_then_used(session):
    made = make_survey_round(session)
    [code] = create_codes(session=session, round_id=made.round.id, respondent_type="other",
                          count=1)

    typed = " " + code.lower().replace("-", " ") + " "  # as someone might type it
    survey = find_survey_by_code(session=session, code=typed)
    submit_response(session=session, survey=survey, ratings=full_ratings(), idempotency_key=None,
                    address=ADDRESS)

    response = session.exec(select(SurveyResponse)).one()
    assert (response.round_id, response.respondent_type) == (made.round.id, "other")
    assert count_stored(session) == (1, 32, 1)
    again = find_survey_by_code(session=session, code=code)
    assert again.code_used
    with pytest.raises(CodeAlreadyUsed):
        submit_response(session=session, survey=again, ratings=full_ratings(),
                        idempotency_key=None, address=ADDRESS)
    assert count_stored(session) == (1, 32, 1)


def test_a_used_code_refuses_even_when_read_before_it_was_used(session):
    code = one_code(session)
    first = find_survey_by_code(session=session, code=code)
    second = find_survey_by_code(session=session, code=code)  # both read it unused

    submit_response(session=session, survey=first, ratings=full_ratings(), idempotency_key="a",
                    address=ADDRESS)
    with pytest.raises(CodeAlreadyUsed):
        submit_response(session=session, survey=second, ratings=full_ratings(),
                        idempotency_key="b", address=ADDRESS)

    assert count_stored(session) == (1, 32, 1)


def test_a_double_submission_with_a_code_is_one_response_not_a_refusal(session):
    code = one_code(session)

    for _ in range(2):
        survey = find_survey_by_code(session=session, code=code)
        submit_response(session=session, survey=survey, ratings=full_ratings(),
                        idempotency_key="double-click", address=ADDRESS)

    assert count_stored(session) == (1, 32, 1)


def test_a_refused_code_response_leaves_the_code_unused(session):
    code = one_code(session)
    survey = find_survey_by_code(session=session, code=code)

    with pytest.raises(RatingsError):
        submit_response(session=session, survey=survey, ratings=full_ratings(s3=9),
                        idempotency_key=None, address=ADDRESS)

    assert count_stored(session) == (0, 0, 0)


@pytest.mark.parametrize("code", ["", "ABCD", "ABCD-EFGH-JKMN", "ABCD-EFGH-JKMN-PQRS"])
def test_unknown_or_malformed_codes_are_not_found(session, code):
    made = make_survey_round(session)
    create_codes(session=session, round_id=made.round.id, respondent_type="nqsw", count=3)

    with pytest.raises(SurveyNotFound):
        find_survey_by_code(session=session, code=code)


def test_response_and_rating_tables_hold_no_identifying_column(engine):
    """Rule 2, on the real schema the migrations built: no IP, agent, time, code or cookie."""
    inspector = inspect(engine)
    columns = {
        table: {c["name"] for c in inspector.get_columns(table)}
        for table in ("response", "rating", "invitation_code", "idempotency_record")
    }

    # `answers`: the ratings themselves, packed while the round is open (app.survey.answers).
    assert columns["response"] == {"id", "round_id", "respondent_type", "answers"}
    assert columns["rating"] == {"response_id", "statement_number", "score"}
    # Codes and idempotency keys sit apart, with nothing pointing at a response.
    assert columns["invitation_code"] == {"id", "round_id", "respondent_type", "code_hash", "used"}
    assert columns["idempotency_record"] == {"key_hash", "round_id", "respondent_type"}
    for table in ("invitation_code", "idempotency_record"):
        targets = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
        assert targets == {"evaluation_round"}


def test_the_statement_set_has_the_shape_these_tests_assume():
    assert len(statement_set().numbers) == 32


def test_closing_refuses_a_response_with_answers_both_packed_and_in_rating_rows(session):
    """Never written so; if it were, closing must not guess which answers are the real ones."""
    made = make_survey_round(session)
    submit(session, made.token, full_ratings(3))
    response = session.exec(select(SurveyResponse)).one()
    session.add(Rating(response_id=response.id, statement_number=1, score=5))
    session.commit()

    with pytest.raises(ValueError, match="both packed and in rating rows"):
        rewrite_responses(session=session, round_id=made.round.id)
