"""Builders for report tests: closed rounds made of real responses with chosen ratings."""

import random

from sqlmodel import Session

from app.accounts.models import Organisation
from app.reports.summaries import summarise_round
from app.rounds.models import Round
from tests.builders import add_answers, make_organisation, make_round

__all__ = ["make_closed_round", "make_organisation", "random_answers", "uniform_answers"]

NUMBERS = tuple(range(1, 33))

Answers = dict[str, list[dict[int, int | None]]]  # respondent type -> responses


def make_closed_round(
    session: Session,
    *,
    organisation: Organisation,
    answers: Answers,
    year="2025-26",
    programme="child_and_family",
    status="closed",
) -> Round:
    """A round with these responses, closed (and summarised) the way the service closes one."""
    round_ = make_round(session, organisation=organisation, programme=programme, year=year,
                        status=status)
    add_answers(session, round_=round_, answers=answers)
    if status == "closed":
        summarise_round(session=session, round_id=round_.id)
    session.commit()
    return round_


def random_answers(
    rng: random.Random,
    *,
    nqsw: int,
    line_manager: int,
    other: int,
    self_assessment: bool = True,
    dont_know: float = 0.1,
) -> Answers:
    def one() -> dict[int, int | None]:
        return {n: None if rng.random() < dont_know else rng.randint(1, 5) for n in NUMBERS}

    answers = {
        "nqsw": [one() for _ in range(nqsw)],
        "line_manager": [one() for _ in range(line_manager)],
        "other": [one() for _ in range(other)],
    }
    if self_assessment:
        answers["self_assessment"] = [{n: rng.randint(1, 5) for n in NUMBERS}]
    return answers


def uniform_answers(score_by_type: dict[str, list[int]]) -> Answers:
    """Every statement answered the same way: type -> one score per response."""
    return {t: [dict.fromkeys(NUMBERS, s) for s in scores] for t, scores in score_by_type.items()}
