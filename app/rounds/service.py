"""Use cases for running rounds: create, open and close them, and what their pages and JSON show.

Each write is one transaction, committed once. The state itself moves in app.lifecycle
(conditional updates, so two racing requests cannot both succeed). `close_round` is the one use
case that writes to other domains' tables, on purpose and in one transaction: the round's
summary (app.reports) and the end of its idempotency records (app.survey), so that a response
racing a close is either in the summary or refused. Nothing here computes an average: while a
round is open the employer sees counts only (rule 1).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.accounts.models import Organisation
from app.db import utcnow
from app.errors import Invalid
from app.lifecycle.closing import check_closing_date, default_closing_date, long_date, uk_today
from app.lifecycle.models import Round
from app.lifecycle.service import RoundConflict, move, reloaded
from app.results import criteria
from app.results.summaries import summarise_round
from app.statements.loader import StatementSet, get_statement_sets, latest_set_for
from app.statements.reference import get_reference
from app.statements.service import record_set_use
from app.survey.codes import code_counts, forget_codes
from app.survey.links import add_links, links_for_rounds, short_links_for_rounds
from app.survey.service import count_responses, forget_submission_keys, rewrite_responses
from app.vocabulary import RoundStatus


class RoundInvalid(Invalid):
    """The request names something that does not fit (422)."""


@dataclass
class RoundOverview:
    """Everything the round page, the dashboard and the round JSON show about one round."""

    round: Round
    organisation: Organisation
    links: dict[str, str]
    counts: dict[str, int]
    minimum: criteria.MinimumCriteria
    codes: dict[str, dict[str, int]] = field(default_factory=dict)
    short_links: dict[str, str] = field(default_factory=dict)  # to type from a poster

    @property
    def response_rates(self) -> dict[str, float | None]:
        """Responses ÷ expected per anonymous type (None when none are expected)."""
        return {t: (self.counts[t] / expected if expected else None)
                for t, expected in self.round.expected.items()}


# Creating a round


def create_round(
    *, session: Session, organisation_id: int, programme: str, year: str,
    statement_set: str | None, expected: Mapping[str, int], closes_on: date | None = None,
) -> Round:
    """A draft round with a link per anonymous respondent type.

    One round per organisation, programme and year: RoundConflict otherwise, even when two
    requests race (the unique constraint decides). RoundInvalid for a set that does not exist
    or does not suit the programme, or a programme the organisation has not declared.
    """
    chosen = _statement_set_for(programme, statement_set)
    organisation = session.get(Organisation, organisation_id)
    if organisation is not None and programme not in organisation.programmes:
        raise RoundInvalid(f"Your organisation does not run the {_programme(programme)} "
                           "programme. Add it to your organisation's details first.",
                           field="programme")
    if closes_on is not None:
        check_closing_date(closes_on, year=year, status=RoundStatus.DRAFT, current=None)
    if _find_round(session, organisation_id=organisation_id, programme=programme, year=year):
        raise _duplicate(programme, year)
    try:
        record_set_use(session=session, statement_set=chosen)
        round_ = Round(
            organisation_id=organisation_id, programme=programme, year=year,
            statement_set=chosen.key, expected_nqsw=expected.get("nqsw", 0),
            expected_line_manager=expected.get("line_manager", 0),
            expected_other=expected.get("other", 0), closes_on=closes_on,
        )
        session.add(round_)
        session.flush()
        add_links(session=session, round_id=round_.id)
        session.commit()
    except IntegrityError as error:
        session.rollback()
        if _find_round(session, organisation_id=organisation_id, programme=programme, year=year):
            raise _duplicate(programme, year) from error
        raise
    session.refresh(round_)
    return round_


def _programme(key: str) -> str:
    return get_reference().label("programmes", key)


def _statement_set_for(programme: str, key: str | None) -> StatementSet:
    if not key:
        chosen = latest_set_for(programme)
        if chosen is None:
            raise RoundInvalid(f"There is no statement set for the {_programme(programme)} "
                               "programme", field="programme")
        return chosen
    chosen = get_statement_sets().get(key)
    if chosen is None:
        raise RoundInvalid(f"There is no statement set called {key!r}", field="statement_set")
    if programme not in chosen.programmes:
        raise RoundInvalid(f"The statement set ‘{chosen.title}’ is not for the "
                           f"{_programme(programme)} programme", field="statement_set")
    return chosen


def _find_round(session: Session, *, organisation_id: int, programme: str, year: str):
    return session.exec(
        select(Round.id).where(Round.organisation_id == organisation_id,
                               Round.programme == programme, Round.year == year)
    ).first()


def _duplicate(programme: str, year: str) -> RoundConflict:
    return RoundConflict(
        f"Your organisation already has a round for the {_programme(programme)} programme in "
        f"{year}. There is one round per programme each year.",
        field="year",
    )


# The lifecycle: draft → open → closed, and never back


def open_round(*, session: Session, round_id: int) -> Round:
    """Open a draft round: its links start taking responses. RoundConflict otherwise.

    The round records the organisation's region, Teaching Partnership and employer type as
    they are now: its benchmarks keep them whatever the organisation changes later. Without a
    closing date it gets the default (28 days from today); a draft whose chosen date has passed
    meanwhile is refused until the lead moves it.
    """
    round_ = session.get(Round, round_id)
    today = uk_today()
    closes_on = round_.closes_on if round_ is not None else None
    if round_ is not None and round_.status == RoundStatus.DRAFT and closes_on is not None \
            and closes_on < today:
        raise RoundConflict(f"The closing date, {long_date(closes_on)}, has passed. Change "
                            "the closing date before you open the round", field="closes_on")
    organisation = session.exec(
        select(Organisation).join(Round, Round.organisation_id == Organisation.id)
        .where(Round.id == round_id)).first()
    placement = {} if organisation is None else {
        "region": organisation.region, "teaching_partnership": organisation.teaching_partnership,
        "employer_type": organisation.employer_type}
    move(session, round_id, source=RoundStatus.DRAFT,
         values={"status": RoundStatus.OPEN, "opened_at": utcnow(),
                 "closes_on": closes_on or default_closing_date(today), **placement})
    session.commit()
    return reloaded(session, round_id)


def ensure_expected_changeable(round_: Round) -> None:
    """RoundConflict unless the round is a draft: rule 5 fixes the expected numbers at open,
    so that a group cannot be made to look expected after its answers have arrived."""
    if round_.status != RoundStatus.DRAFT:
        raise RoundConflict("The expected numbers are fixed once the round opens",
                            field="expected")


def update_round(
    *, session: Session, round_: Round, expected: Mapping[str, int] | None = None,
    closes_on: date | None = None,
) -> Round:
    """Change the expected numbers (while a draft: rule 5 fixes them at open) and the closing
    date (while a draft or open, never earlier once open). All or nothing."""
    if expected is not None:
        ensure_expected_changeable(round_)
    if closes_on is not None:
        check_closing_date(closes_on, year=round_.year, status=round_.status,
                           current=round_.closes_on)
    values: dict = {}
    if expected is not None:
        values |= {f"expected_{key}": expected.get(key, 0)
                   for key in ("nqsw", "line_manager", "other")}
    if closes_on is not None:
        values["closes_on"] = closes_on
    if values:
        # Conditional on the state the checks saw, so a racing open or close wins cleanly.
        move(session, round_.id, source=RoundStatus(round_.status),
             values={"status": round_.status, **values})
        session.commit()
    return reloaded(session, round_.id)


def delete_round(*, session: Session, round_: Round) -> None:
    """Delete a draft round and its links (nobody can have answered it). RoundConflict
    otherwise: a round that has opened is a record of what happened."""
    result = session.exec(
        delete(Round).where(Round.id == round_.id, Round.status == RoundStatus.DRAFT)
    )
    if result.rowcount != 1:
        raise RoundConflict("Only a draft round can be deleted. This round has been opened")
    session.commit()


def close_round(*, session: Session, round_id: int, closed_at: datetime | None = None) -> Round:
    """Close an open round for good: the one transaction that spans domains.

    In the same transaction as the change of state, and so never without it: its responses
    are rewritten in a random order with fresh ids (rule 10: nothing stored orders them or
    links them to a code, a key or a moment), their packed answers spread into rating rows;
    then the round's summary is written from those ratings (app.results.summaries); its
    idempotency records and its codes go (they stop a retried submission storing twice and a
    code answering twice, and no submission can be stored any more), keeping only how many
    codes were issued and used.
    `closed_at` is now, unless timed work closes it at a given moment (`tick --now`).
    """
    move(session, round_id, source=RoundStatus.OPEN,
         values={"status": RoundStatus.CLOSED, "closed_at": closed_at or utcnow()})
    # First, so the summary reads every rating: answers sent while the round was open are
    # stored packed, and only this spreads them into rating rows (app.survey.answers).
    rewrite_responses(session=session, round_id=round_id)
    summarise_round(session=session, round_id=round_id)
    forget_submission_keys(session=session, round_id=round_id)
    forget_codes(session=session, round_id=round_id)
    session.commit()
    return reloaded(session, round_id)


# Reading rounds


def _overviews(session: Session, rows: Iterable[tuple[Round, Organisation]], *,
               with_codes: bool = False) -> list[RoundOverview]:
    rows = list(rows)
    ids = [round_.id for round_, _ in rows]
    counts = count_responses(session=session, round_ids=ids)
    links = links_for_rounds(session=session, round_ids=ids)
    short_links = short_links_for_rounds(session=session, round_ids=ids)
    return [
        RoundOverview(
            round=round_, organisation=organisation, links=links.get(round_.id, {}),
            counts=counts[round_.id],
            minimum=criteria.check(status=round_.status, counts=counts[round_.id]),
            codes=code_counts(session=session, round_id=round_.id) if with_codes else {},
            short_links=short_links.get(round_.id, {}),
        )
        for round_, organisation in rows
    ]


def list_rounds(
    *, session: Session, organisation_id: int | None, year: str | None = None,
    programme: str | None = None,
) -> list[RoundOverview]:
    """Rounds, newest year first; one organisation's, or (None) every organisation's."""
    query = select(Round, Organisation).join(Organisation, Organisation.id == Round.organisation_id)
    if organisation_id is not None:
        query = query.where(Round.organisation_id == organisation_id)
    if year is not None:
        query = query.where(Round.year == year)
    if programme is not None:
        query = query.where(Round.programme == programme)
    return _overviews(session, session.exec(
        query.order_by(Round.year.desc(), Organisation.name, Round.programme, Round.id)))


def describe_round(*, session: Session, round_: Round) -> RoundOverview:
    """One round with its organisation, links, counts, minimum criteria and codes issued."""
    organisation = session.get(Organisation, round_.organisation_id)
    return _overviews(session, [(round_, organisation)], with_codes=True)[0]
