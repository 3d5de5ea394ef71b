"""Use cases for rounds: create, open, close, links, counts, codes and the self-assessment.

Each write is one transaction, committed once. State changes are conditional updates
(`… WHERE status = 'open'`), so two racing requests cannot both succeed, and the round's row
stays locked until the commit: a response racing a close is either in the summary or refused.
Nothing here computes an average: while a round is open the employer sees counts only (rule 1).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, delete, func, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.accounts.models import Organisation
from app.config import get_settings
from app.db import utcnow
from app.reports.summaries import summarise_round
from app.rounds.criteria import MinimumCriteria, check_minimum_criteria
from app.rounds.models import Round, RoundLink
from app.security import new_token
from app.statements.loader import StatementSet, get_statement_sets, latest_set_for
from app.statements.reference import ANONYMOUS_TYPES, get_reference
from app.statements.service import record_set_use
from app.survey.models import IdempotencyRecord, InvitationCode, Rating, Response
from app.survey.ratings import parse_ratings
from app.survey.service import add_codes

SELF_ASSESSMENT = "self_assessment"
RESPONDENT_TYPES = (SELF_ASSESSMENT, *ANONYMOUS_TYPES)


class RoundError(Exception):
    """A round request that cannot be carried out, with a message fit to show."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class RoundConflict(RoundError):
    """Not possible in the round's current state, or the round already exists (409)."""


class RoundInvalid(RoundError):
    """The request names something that does not fit (422)."""


@dataclass(frozen=True)
class Criterion:
    """One of the minimum criteria (rule 6), as the round page shows progress toward it."""

    label: str
    met: bool
    progress: str


@dataclass
class RoundOverview:
    """Everything the round page, the dashboard and the round JSON show about one round."""

    round: Round
    organisation: Organisation
    links: dict[str, str]
    counts: dict[str, int]
    minimum: MinimumCriteria
    codes: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def statement_set(self) -> StatementSet | None:
        return get_statement_sets().get(self.round.statement_set)

    @property
    def expected(self) -> dict[str, int]:
        return expected_of(self.round)

    @property
    def response_rates(self) -> dict[str, float | None]:
        return {
            t: (self.counts[t] / expected if expected else None)
            for t, expected in self.expected.items()
        }

    @property
    def criteria(self) -> list[Criterion]:
        return minimum_progress(round_=self.round, counts=self.counts)

    @property
    def programme_label(self) -> str:
        return get_reference().label("programmes", self.round.programme)

    @property
    def title(self) -> str:
        return f"{self.programme_label} programme, {self.round.year}"


def expected_of(round_: Round) -> dict[str, int]:
    return {
        "nqsw": round_.expected_nqsw,
        "line_manager": round_.expected_line_manager,
        "other": round_.expected_other,
    }


def _label(list_name: str, key: str) -> str:
    return get_reference().label(list_name, key)


# Creating a round


def create_round(
    *,
    session: Session,
    organisation_id: int,
    programme: str,
    year: str,
    statement_set: str | None,
    expected: Mapping[str, int],
) -> Round:
    """A draft round with a link per anonymous respondent type.

    One round per organisation, programme and year: RoundConflict otherwise, even when two
    requests race (the unique constraint decides). RoundInvalid for a set that does not exist
    or does not suit the programme.
    """
    chosen = _statement_set_for(programme, statement_set)
    if _find_round(session, organisation_id=organisation_id, programme=programme, year=year):
        raise _duplicate(programme, year)
    try:
        record_set_use(session=session, statement_set=chosen)
        round_ = Round(
            organisation_id=organisation_id,
            programme=programme,
            year=year,
            statement_set=chosen.key,
            expected_nqsw=expected.get("nqsw", 0),
            expected_line_manager=expected.get("line_manager", 0),
            expected_other=expected.get("other", 0),
        )
        session.add(round_)
        session.flush()
        session.add_all(
            RoundLink(round_id=round_.id, respondent_type=t, token=new_token())
            for t in ANONYMOUS_TYPES
        )
        session.commit()
    except IntegrityError as error:
        session.rollback()
        if _find_round(session, organisation_id=organisation_id, programme=programme, year=year):
            raise _duplicate(programme, year) from error
        raise
    session.refresh(round_)
    return round_


def _statement_set_for(programme: str, key: str | None) -> StatementSet:
    if not key:
        chosen = latest_set_for(programme)
        if chosen is None:
            raise RoundInvalid(
                f"There is no statement set for the {_label('programmes', programme)} programme",
                field="programme",
            )
        return chosen
    chosen = get_statement_sets().get(key)
    if chosen is None:
        raise RoundInvalid(f"There is no statement set called {key!r}", field="statement_set")
    if programme not in chosen.programmes:
        raise RoundInvalid(
            f"The statement set ‘{chosen.title}’ is not for the "
            f"{_label('programmes', programme)} programme",
            field="statement_set",
        )
    return chosen


def _find_round(session: Session, *, organisation_id: int, programme: str, year: str):
    return session.exec(
        select(Round.id).where(
            Round.organisation_id == organisation_id,
            Round.programme == programme,
            Round.year == year,
        )
    ).first()


def _duplicate(programme: str, year: str) -> RoundConflict:
    return RoundConflict(
        f"Your organisation already has a round for the {_label('programmes', programme)} "
        f"programme in {year}. There is one round per programme each year.",
        field="year",
    )


# The lifecycle: draft → open → closed, and never back


def open_round(*, session: Session, round_id: int) -> Round:
    """Open a draft round: its links start taking responses. RoundConflict otherwise."""
    _transition(session, round_id, source="draft", values={"status": "open",
                                                            "opened_at": utcnow()})
    session.commit()
    return _reloaded(session, round_id)


def close_round(*, session: Session, round_id: int) -> Round:
    """Close an open round for good, summarising its ratings in the same transaction.

    Idempotency records exist to stop a retried submission storing twice; once the round is
    closed no submission can be stored, so they are deleted with it.
    """
    _transition(session, round_id, source="open", values={"status": "closed",
                                                           "closed_at": utcnow()})
    summarise_round(session=session, round_id=round_id)
    session.exec(delete(IdempotencyRecord).where(IdempotencyRecord.round_id == round_id))
    session.commit()
    return _reloaded(session, round_id)


_WRONG_STATE = {
    ("draft", "open"): "This round is already open",
    ("draft", "closed"): "This round has closed. A closed round can never be opened again",
    ("open", "draft"): "This round has not been opened yet. Open it before you close it",
    ("open", "closed"): "This round is already closed",
}


def _transition(
    session: Session, round_id: int, *, source: str, values: dict[str, Any]
) -> None:
    """Move the round out of `source`, or raise RoundConflict saying why not; no commit."""
    result = session.exec(
        update(Round).where(Round.id == round_id, Round.status == source).values(**values)
    )
    if result.rowcount != 1:
        # Nothing was changed, so nothing to roll back; a rollback here would also expire the
        # signed-in user that the error page still has to show.
        raise _state_conflict(session, round_id, expected=source)


def _lock_open_round(session: Session, round_id: int, *, action: str) -> None:
    """Take the round's row lock, or RoundConflict if it is not open; no commit.

    A no-op update rather than SELECT … FOR UPDATE: SQLite ignores FOR UPDATE, but an update
    takes its write lock, so two first saves of a self-assessment cannot both insert one.
    """
    result = session.exec(
        update(Round).where(Round.id == round_id, Round.status == "open")
        .values(status=Round.status)
    )
    if result.rowcount != 1:
        status = session.exec(select(Round.status).where(Round.id == round_id)).one()
        if status == "draft":
            raise RoundConflict(f"Open the round before you {action}")
        raise RoundConflict(f"This round has closed: you can no longer {action}")


def _state_conflict(session: Session, round_id: int, *, expected: str) -> RoundConflict:
    status = session.exec(select(Round.status).where(Round.id == round_id)).one()
    return RoundConflict(_WRONG_STATE.get((expected, status), f"This round is {status}"))


def _reloaded(session: Session, round_id: int) -> Round:
    round_ = session.get(Round, round_id)
    session.refresh(round_)
    return round_


# The self-assessment: one response of type self_assessment, replaced whole on revision


def save_self_assessment(
    *, session: Session, round_id: int, ratings: Mapping[str, Any]
) -> dict[int, int | None]:
    """Store the employer's self-assessment, replacing any earlier one, while the round is open.

    `ratings` as the API takes them ({"1": 4, …, "32": null}); RatingsError (naming each
    statement) when they break rule 3, RoundConflict when the round is not open. Nothing is
    stored unless everything is.
    """
    round_ = session.get(Round, round_id)
    parsed = parse_ratings(ratings, get_statement_sets()[round_.statement_set])
    _lock_open_round(session, round_id, action="change the self-assessment")
    earlier = select(Response.id).where(
        Response.round_id == round_id, Response.respondent_type == SELF_ASSESSMENT
    )
    session.exec(delete(Rating).where(Rating.response_id.in_(earlier)))
    session.exec(
        delete(Response).where(
            Response.round_id == round_id, Response.respondent_type == SELF_ASSESSMENT
        )
    )
    response = Response(round_id=round_id, respondent_type=SELF_ASSESSMENT)
    session.add(response)
    session.flush()
    session.exec(
        insert(Rating),
        params=[{"response_id": response.id, "statement_number": number, "score": score}
                for number, score in parsed.items()],
    )
    session.commit()
    return parsed


def get_self_assessment(*, session: Session, round_id: int) -> dict[int, int | None] | None:
    """The stored self-assessment (statement number → score or None), or None if not done."""
    rows = session.exec(
        select(Rating.statement_number, Rating.score)
        .join(Response, Response.id == Rating.response_id)
        .where(Response.round_id == round_id, Response.respondent_type == SELF_ASSESSMENT)
        .order_by(Rating.statement_number)
    ).all()
    return {number: score for number, score in rows} if rows else None


# Counts and minimum criteria (reused by reports and national results)


def round_counts(*, session: Session, round_id: int) -> dict[str, int]:
    """Responses so far per respondent type, every type present (zero when none)."""
    return counts_for_rounds(session=session, round_ids=[round_id])[round_id]


def counts_for_rounds(*, session: Session, round_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """round_counts for many rounds in one query."""
    ids = list(round_ids)
    counts = {round_id: dict.fromkeys(RESPONDENT_TYPES, 0) for round_id in ids}
    if not ids:
        return counts
    rows = session.exec(
        select(Response.round_id, Response.respondent_type, func.count())
        .where(Response.round_id.in_(ids))
        .group_by(Response.round_id, Response.respondent_type)
    )
    for round_id, respondent_type, count in rows:
        counts[round_id][respondent_type] = count
    return counts


def meets_minimum(*, round_: Round, counts: Mapping[str, int]) -> MinimumCriteria:
    """Rule 6 with the configured minimums: `.met`, and `.reasons` in words when not met.

    Unpacks as a pair too: `met, reasons = meets_minimum(...)`.
    """
    settings = get_settings()
    return check_minimum_criteria(
        status=round_.status,
        counts=counts,
        minimum_nqsw=settings.minimum_nqsw,
        minimum_line_manager=settings.minimum_line_manager,
    )


def minimum_progress(*, round_: Round, counts: Mapping[str, int]) -> list[Criterion]:
    """Each minimum criterion, whether it is met yet, and how far along it is."""
    settings = get_settings()
    nqsw, line_managers = counts.get("nqsw", 0), counts.get("line_manager", 0)
    done = counts.get(SELF_ASSESSMENT, 0) >= 1
    return [
        Criterion("Self-assessment complete", done, "Complete" if done else "Not done yet"),
        Criterion(
            f"At least {settings.minimum_nqsw} NQSW responses",
            nqsw >= settings.minimum_nqsw,
            f"{nqsw} of {settings.minimum_nqsw}",
        ),
        Criterion(
            f"At least {settings.minimum_line_manager} line manager "
            f"response{'s' if settings.minimum_line_manager != 1 else ''}",
            line_managers >= settings.minimum_line_manager,
            f"{line_managers} of {settings.minimum_line_manager}",
        ),
        Criterion(
            "Round closed",
            round_.status == "closed",
            "Closed" if round_.status == "closed" else "Not closed yet",
        ),
    ]


# Reading rounds


def round_links(*, session: Session, round_id: int) -> dict[str, str]:
    """The full survey URL of each anonymous respondent type's link."""
    return links_for_rounds(session=session, round_ids=[round_id]).get(round_id, {})


def links_for_rounds(*, session: Session, round_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    base = get_settings().base_url.rstrip("/")
    links: dict[int, dict[str, str]] = {}
    ids = list(round_ids)
    if not ids:
        return links
    rows = session.exec(
        select(RoundLink.round_id, RoundLink.respondent_type, RoundLink.token)
        .where(RoundLink.round_id.in_(ids))
    )
    for round_id, respondent_type, token in rows:
        links.setdefault(round_id, {})[respondent_type] = f"{base}/survey/{token}"
    return links


def list_rounds(
    *,
    session: Session,
    organisation_id: int | None,
    year: str | None = None,
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
    rows = session.exec(
        query.order_by(Round.year.desc(), Organisation.name, Round.programme, Round.id)
    ).all()
    ids = [round_.id for round_, _ in rows]
    counts = counts_for_rounds(session=session, round_ids=ids)
    links = links_for_rounds(session=session, round_ids=ids)
    return [
        RoundOverview(
            round=round_,
            organisation=organisation,
            links=links.get(round_.id, {}),
            counts=counts[round_.id],
            minimum=meets_minimum(round_=round_, counts=counts[round_.id]),
        )
        for round_, organisation in rows
    ]


def describe_round(*, session: Session, round_: Round) -> RoundOverview:
    """One round with its organisation, links, counts, minimum criteria and codes issued."""
    counts = round_counts(session=session, round_id=round_.id)
    return RoundOverview(
        round=round_,
        organisation=session.get(Organisation, round_.organisation_id),
        links=round_links(session=session, round_id=round_.id),
        counts=counts,
        minimum=meets_minimum(round_=round_, counts=counts),
        codes=code_counts(session=session, round_id=round_.id),
    )


# Single-use codes


def issue_codes(
    *, session: Session, round_id: int, counts: Mapping[str, int]
) -> dict[str, list[str]]:
    """New single-use codes per anonymous type, formatted for people; shown once, never stored.

    Codes of a closed round could never be used, so a closed round gets none (RoundConflict).
    """
    round_ = session.get(Round, round_id)
    if round_.status == "closed":
        raise RoundConflict("This round has closed: its codes can no longer be used")
    wanted = {t: counts.get(t, 0) for t in ANONYMOUS_TYPES if counts.get(t, 0) > 0}
    if not wanted:
        raise RoundInvalid("Enter how many codes you need for at least one type of respondent",
                           field="nqsw")
    codes = {
        respondent_type: sorted(
            add_codes(session=session, round_id=round_id, respondent_type=respondent_type,
                      count=count)
        )
        for respondent_type, count in wanted.items()
    }
    session.commit()
    return codes


def code_counts(*, session: Session, round_id: int) -> dict[str, dict[str, int]]:
    """Codes issued and used per anonymous type (types without codes are left out)."""
    rows = session.exec(
        select(
            InvitationCode.respondent_type,
            func.count(),
            func.sum(case((InvitationCode.used, 1), else_=0)),
        )
        .where(InvitationCode.round_id == round_id)
        .group_by(InvitationCode.respondent_type)
    )
    return {t: {"issued": issued, "used": int(used or 0)} for t, issued, used in rows}

