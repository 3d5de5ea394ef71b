"""Survey test builders on top of tests/builders.py: a round with its links, ratings, counts."""

from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import func
from sqlmodel import Session, select

from app.accounts.models import Organisation
from app.rounds.models import Round, RoundLink
from app.statements.loader import StatementSet, get_statement_sets
from app.survey.models import InvitationCode, Rating, Response
from tests import builders
from tests.builders import SET_KEY, make_organisation, make_round


@dataclass
class SurveyRound:
    round: Round
    organisation: Organisation
    links: dict[str, str]  # respondent type → token

    @property
    def token(self) -> str:
        return self.links["nqsw"]


class Stored(NamedTuple):
    responses: int
    ratings: int
    used_codes: int


def statement_set() -> StatementSet:
    return get_statement_sets()[SET_KEY]


def make_survey_round(
    session: Session, *, status: str = "open", name: str = "Riverside Council"
) -> SurveyRound:
    """A 2025-26 child and family round of a new organisation, with a link per anonymous type."""
    organisation = make_organisation(session, name=name, programmes=("child_and_family",))
    round_ = make_round(session, organisation=organisation, status=status)
    links = session.exec(
        select(RoundLink.respondent_type, RoundLink.token).where(RoundLink.round_id == round_.id)
    ).all()
    return SurveyRound(round=round_, organisation=organisation, links=dict(links))


def full_ratings(score: int | None = 4, **overrides) -> dict[str, object]:
    """Every statement answered with `score`; `s7=None`-style keyword overrides by number."""
    ratings: dict[str, object] = builders.full_ratings(score)
    ratings.update({key.removeprefix("s"): value for key, value in overrides.items()})
    return ratings


def set_status(session: Session, survey_round: SurveyRound, status: str) -> None:
    round_ = session.get(Round, survey_round.round.id)
    round_.status = status
    session.add(round_)
    session.commit()


def count_stored(session: Session) -> Stored:
    """What the survey tables hold now, including rows committed by other connections."""
    session.rollback()  # end any snapshot
    return Stored(
        responses=session.exec(select(func.count()).select_from(Response)).one(),
        ratings=session.exec(select(func.count()).select_from(Rating)).one(),
        used_codes=session.exec(
            select(func.count()).select_from(InvitationCode).where(InvitationCode.used)
        ).one(),
    )
