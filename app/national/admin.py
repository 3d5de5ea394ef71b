"""National administration: the organisations, filtered and searched, with their rounds, and
the year's completion list (which employers completed their evaluation, when, qualifying or not:
the evidence for grant funding). No result (no average) is read here.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, false, func, select
from sqlmodel import Session

from app.accounts.models import Organisation, User
from app.accounts.organisations import name_key
from app.config import get_settings
from app.lifecycle.models import Round
from app.reports.schemas import ReportWarning
from app.reports.warnings import round_warnings
from app.results import criteria
from app.results.models import RoundResponses
from app.vocabulary import OrganisationStatus, Role, RoundStatus

# "This year's round status" filter: a round's status, "qualifying" (closed and meeting the
# minimum criteria), "none" (no round that year), or "warnings" (a round with more responses or
# codes than expected, rule 5).
NO_ROUND = "none"
QUALIFYING = "qualifying"
WITH_WARNINGS = "warnings"
ROUND_STATUS_FILTERS = (NO_ROUND, *RoundStatus, QUALIFYING, WITH_WARNINGS)


@dataclass(frozen=True)
class OrganisationFilters:
    """What the list of organisations is narrowed to; None is "any"."""

    year: str
    region: str | None = None
    teaching_partnership: str | None = None
    employer_type: str | None = None
    status: str | None = None
    round_status: str | None = None
    search: str | None = None
    programme: str | None = None
    organisation_id: int | None = None


@dataclass(frozen=True)
class RoundLine:
    id: int
    year: str
    programme: str
    status: str
    closed_on: date | None
    meets_minimum: bool
    closes_on: date | None = None
    warnings: list[ReportWarning] = field(default_factory=list)


@dataclass
class OrganisationLine:
    organisation: Organisation
    rounds: list[RoundLine] = field(default_factory=list)

    def rounds_in(self, year: str) -> list[RoundLine]:
        return [r for r in self.rounds if r.year == year]


def _meets_minimum(settings):
    return case((and_(Round.status == RoundStatus.CLOSED, RoundResponses.round_id.is_not(None),
                      criteria.condition(settings)), True), else_=false())


def _round_filter(filters: OrganisationFilters):
    """The organisations whose round of the year (and programme) matches the filter."""
    of_year = [Round.year == filters.year]
    if filters.programme:
        of_year.append(Round.programme == filters.programme)
    with_round = select(Round.organisation_id).where(*of_year)
    if filters.round_status == NO_ROUND:
        return Organisation.id.not_in(with_round)
    if filters.round_status == WITH_WARNINGS:  # narrowed further once warnings are counted
        return Organisation.id.in_(with_round.where(Round.status != RoundStatus.DRAFT))
    if filters.round_status == QUALIFYING:
        return Organisation.id.in_(
            with_round.join(RoundResponses, RoundResponses.round_id == Round.id)
            .where(Round.status == RoundStatus.CLOSED, criteria.condition(get_settings())))
    return Organisation.id.in_(with_round.where(Round.status == filters.round_status))


def list_organisations(*, session: Session, filters: OrganisationFilters,
                       rounds_of_year_only: bool = False) -> list[OrganisationLine]:
    """The organisations matching the filters, by name, each with its rounds (newest first)
    and their warnings (rule 5), in a few queries whatever the number of organisations."""
    conditions = []
    for column, value in ((Organisation.region, filters.region),
                          (Organisation.teaching_partnership, filters.teaching_partnership),
                          (Organisation.employer_type, filters.employer_type),
                          (Organisation.status, filters.status)):
        if value:
            conditions.append(column == value)
    if filters.search and name_key(filters.search):
        conditions.append(Organisation.name_key.contains(name_key(filters.search),
                                                         autoescape=True))
    if filters.round_status:
        conditions.append(_round_filter(filters))
    if filters.organisation_id is not None:
        conditions.append(Organisation.id == filters.organisation_id)
    organisations = list(session.scalars(
        select(Organisation).where(*conditions).order_by(func.lower(Organisation.name),
                                                         Organisation.id)))
    lines = {o.id: OrganisationLine(o) for o in organisations}
    if not lines:
        return []
    settings = get_settings()
    round_conditions = [Round.organisation_id.in_(lines)]
    if rounds_of_year_only:
        round_conditions.append(Round.year == filters.year)
    if filters.programme:
        round_conditions.append(Round.programme == filters.programme)
    rows = session.execute(
        select(Round, _meets_minimum(settings).label("meets"))
        .outerjoin(RoundResponses, RoundResponses.round_id == Round.id)
        .where(*round_conditions)
        .order_by(Round.year.desc(), Round.programme, Round.id)
    ).all()
    warnings = round_warnings(session=session, rounds=[round_ for round_, _ in rows])
    rounds: dict[int, list[RoundLine]] = defaultdict(list)
    for round_, meets in rows:
        rounds[round_.organisation_id].append(RoundLine(
            id=round_.id, year=round_.year, programme=round_.programme, status=round_.status,
            closed_on=round_.closed_at.date() if round_.closed_at else None,
            meets_minimum=bool(meets), closes_on=round_.closes_on,
            warnings=warnings.get(round_.id, [])))
    for organisation_id, line in lines.items():
        line.rounds = rounds.get(organisation_id, [])
    if filters.round_status == WITH_WARNINGS:
        return [line for line in lines.values()
                if any(round_.warnings for round_ in line.rounds_in(filters.year))]
    return list(lines.values())


def pending_organisations(*, session: Session) -> list[Organisation]:
    """The approval queue: pending organisations, oldest registration first."""
    return list(session.scalars(
        select(Organisation).where(Organisation.status == OrganisationStatus.PENDING)
        .order_by(Organisation.created_at, Organisation.id)))


def count_pending(*, session: Session) -> int:
    return session.scalar(select(func.count(Organisation.id))
                          .where(Organisation.status == OrganisationStatus.PENDING)) or 0



def national_users(*, session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.role == Role.NATIONAL)
                                .order_by(User.email)))


def organisation_names(*, session: Session) -> dict[int, str]:
    """Organisation id → name (to label the national audit log)."""
    return dict(session.execute(select(Organisation.id, Organisation.name)).all())
