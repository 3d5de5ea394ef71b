"""Packed answers (app.survey.answers): one character per statement, round trip and refusals."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.survey.answers import PackedAnswersError, pack_answers, unpack_answers
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
