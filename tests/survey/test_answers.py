"""Packed answers (app.survey.answers): one character per statement, round trip and refusals."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.survey.answers import (
    PackedAnswersError,
    checked_and_packed,
    pack_answers,
    unpack_answers,
)
from app.survey.ratings import RatingsError, parse_ratings
from tests.builders import statement_set

SET = statement_set()
NUMBERS = sorted(SET.numbers)
ANSWER = st.one_of(st.none(), st.integers(1, 5))
RATINGS = st.fixed_dictionaries({n: ANSWER for n in NUMBERS})


def test_a_response_packs_to_one_character_per_statement_in_number_order():
    ratings = dict.fromkeys(NUMBERS, 3) | {1: 5, 2: None, 32: 1}

    packed = pack_answers(ratings, SET)

    assert len(SET.numbers) == 32
    assert packed == "5-" + "3" * 29 + "1"


@given(ratings=RATINGS)
def test_any_ratings_of_the_set_unpack_to_themselves(ratings):
    packed = pack_answers(ratings, SET)

    assert len(packed) == len(NUMBERS)
    assert unpack_answers(packed, SET) == ratings


@given(text=st.text(alphabet="12345-", max_size=70).filter(lambda t: len(t) != len(NUMBERS)))
def test_a_string_of_the_wrong_length_is_refused(text):
    with pytest.raises(PackedAnswersError):
        unpack_answers(text, SET)


@given(ratings=RATINGS, position=st.integers(0, len(NUMBERS) - 1),
       wrong=st.characters().filter(lambda c: c not in "12345-"))
def test_a_string_with_a_character_that_is_not_an_answer_is_refused(ratings, position, wrong):
    packed = pack_answers(ratings, SET)
    spoiled = packed[:position] + wrong + packed[position + 1:]

    with pytest.raises(PackedAnswersError):
        unpack_answers(spoiled, SET)


@pytest.mark.parametrize("ratings", [
    dict.fromkeys(NUMBERS[:-1], 4),  # a statement missing
    dict.fromkeys([*NUMBERS, 33], 4),  # one that is not in the set
    dict.fromkeys(NUMBERS, 4) | {7: 6},
    dict.fromkeys(NUMBERS, 4) | {7: 0},
    dict.fromkeys(NUMBERS, 4) | {7: True},
    dict.fromkeys(NUMBERS, 4) | {7: 3.0},
])
def test_ratings_that_do_not_fit_the_set_are_not_packed(ratings):
    with pytest.raises(PackedAnswersError):
        pack_answers(ratings, SET)


# checked_and_packed: rule 3 and packing in one pass must be parse_ratings then pack_answers,
# for anything a client can send: the same string, or the same refusal word for word.

SENT_VALUE = st.one_of(ANSWER, st.integers(-3, 9), st.booleans(), st.floats(0, 6),
                       st.text(max_size=3), st.lists(st.integers(1, 5), max_size=2))
SENT_KEY = st.one_of(st.sampled_from([str(n) for n in NUMBERS]), st.text(max_size=3),
                     st.integers(0, 40))


@st.composite
def sent_ratings(draw):
    """Mostly a whole, valid set of ratings as JSON has them, then spoiled a little (a key
    dropped or added, a value replaced), or sometimes anything at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.one_of(st.none(), st.text(max_size=5), st.lists(ANSWER, max_size=3),
                              st.dictionaries(SENT_KEY, SENT_VALUE, max_size=40)))
    raw = {str(n): draw(ANSWER) for n in NUMBERS}
    for _ in range(draw(st.integers(0, 3))):
        change = draw(st.sampled_from(["drop", "add", "replace"]))
        if change == "drop" and raw:
            raw.pop(draw(st.sampled_from(sorted(raw, key=str))))
        elif change == "add":
            raw[draw(SENT_KEY)] = draw(SENT_VALUE)
        else:
            raw[str(draw(st.sampled_from(NUMBERS)))] = draw(SENT_VALUE)
    return raw


def _parsed_then_packed(raw):
    try:
        return pack_answers(parse_ratings(raw, SET), SET)
    except RatingsError as refusal:
        return refusal.problems


@given(raw=sent_ratings())
def test_checking_and_packing_at_once_is_parse_then_pack(raw):
    try:
        outcome = checked_and_packed(raw, SET)
    except RatingsError as refusal:
        outcome = refusal.problems

    assert outcome == _parsed_then_packed(raw)


@pytest.mark.parametrize("value", [True, False, 3.0, 1.0, "4", 0, 6, [3]])
def test_what_equals_a_score_in_python_is_still_refused(value):
    """True == 1 and 3.0 == 3 in Python: a dictionary lookup by value would take them."""
    raw = {str(n): 4 for n in NUMBERS} | {"7": value}

    with pytest.raises(RatingsError) as refused:
        checked_and_packed(raw, SET)

    assert list(refused.value.problems) == ["7"]


# The database's own check (migration a3f6c9d2e8b1): a response row holds packed answers or
# none, whatever writes it.


@pytest.mark.parametrize("answers", ["", "123x5", "3 4", "0", "6", "1-1\n", "１"])
def test_the_database_refuses_answers_that_are_not_packed_answers(session, answers):
    from sqlalchemy import func, insert, select
    from sqlalchemy.exc import IntegrityError

    from app.survey.models import SurveyResponse
    from tests.builders import make_survey_round

    made = make_survey_round(session)

    with pytest.raises(IntegrityError):
        session.execute(insert(SurveyResponse).values(
            id="a" * 32, round_id=made.round.id, respondent_type="nqsw", answers=answers))
        session.flush()
    session.rollback()
    assert session.scalar(select(func.count()).select_from(SurveyResponse)) == 0


@given(ratings=RATINGS)
@settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_database_keeps_any_packed_answers_and_none(session, ratings):
    from sqlalchemy import delete, insert, select

    from app.survey.models import SurveyResponse
    from tests.builders import make_survey_round

    made = make_survey_round(session)
    packed = pack_answers(ratings, SET)
    for number, answers in enumerate((packed, None)):
        session.execute(insert(SurveyResponse).values(
            id=f"{number}" * 32, round_id=made.round.id, respondent_type="nqsw",
            answers=answers))
    session.commit()

    kept = session.scalars(select(SurveyResponse.answers).order_by(SurveyResponse.id)).all()
    assert kept == [packed, None]
    session.execute(delete(SurveyResponse))
    session.commit()


def test_the_database_refuses_an_update_that_spoils_packed_answers(session):
    from sqlalchemy import insert, select, update
    from sqlalchemy.exc import IntegrityError

    from app.survey.models import SurveyResponse
    from tests.builders import make_survey_round

    made = make_survey_round(session)
    session.execute(insert(SurveyResponse).values(
        id="b" * 32, round_id=made.round.id, respondent_type="nqsw", answers="12345-"))
    session.commit()

    with pytest.raises(IntegrityError):
        session.execute(update(SurveyResponse).values(answers="12345?"))
        session.flush()
    session.rollback()
    session.execute(update(SurveyResponse).values(answers=None))  # as closing leaves it
    session.commit()
    assert session.scalar(select(SurveyResponse.answers)) is None



@pytest.mark.parametrize("key", ["²", "٣", "３"])
def test_a_look_alike_statement_number_is_refused_not_an_error(key):
    """Hypothesis found it: str.isdigit() takes "²", which int() then refused (a 500)."""
    raw = {str(n): 4 for n in NUMBERS} | {key: 3}

    with pytest.raises(RatingsError) as refused:
        parse_ratings(raw, SET)

    assert refused.value.problems == {key: "is not a statement of this set"}
