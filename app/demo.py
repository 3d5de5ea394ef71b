"""A realistic demo data set: organisations, two closed years, an open round, demo sign-ins.

Everything goes through the services a person's clicks would use: organisations and accounts
are created, rounds are created, opened, answered (the survey's own submissions and
self-assessment) and closed, so the demo cannot drift from what the product does.
"""

import random
from datetime import date, timedelta

from rich.console import Console
from rich.progress import Progress
from sqlmodel import Session, select

from app.accounts.models import Organisation
from app.accounts.service import add_organisation, create_user, register_organisation
from app.config import get_settings
from app.db import get_engine
from app.email.service import describe_delivery
from app.evidence.service import issue_evidence
from app.lifecycle.models import Round
from app.lifecycle.years import academic_year_end, academic_year_of, previous_year
from app.plans.schemas import ActionItem
from app.plans.service import save_action_plan
from app.reports.focus import suggest_focus
from app.reports.service import build_round_report
from app.rounds.service import close_round, create_round, open_round
from app.statements.loader import get_statement_sets
from app.survey.models import RoundLink
from app.survey.service import find_survey, save_self_assessment, submit_response
from app.vocabulary import (
    SELF_ASSESSMENT,
    ActionStatus,
    OrganisationRole,
    OrganisationStatus,
    Programme,
    RespondentType,
    Role,
)

DEMO_EMPLOYER_EMAIL = "lead@riverside.example.org"
DEMO_EMPLOYER_PASSWORD = "riverside-demo-2026"
DEMO_VIEWER_EMAIL = "viewer@riverside.example.org"
DEMO_VIEWER_PASSWORD = "riverside-viewer-2026"
DEMO_PENDING_EMAIL = "lead@northgate.example.org"
DEMO_PENDING_PASSWORD = "northgate-demo-2026"
DEMO_NATIONAL_EMAIL = "national@example.org"
DEMO_NATIONAL_PASSWORD = "national-demo-2026"

_PLACES = [
    "Riverside",
    "Northmoor",
    "Eastbridge",
    "Westerleigh",
    "Kingsford",
    "Ashvale",
    "Brookhampton",
    "Cedarfield",
    "Dunmere",
    "Elmstead",
    "Fairhaven",
    "Glenbury",
    "Hartwell",
    "Ivybridge Vale",
    "Juniper Coast",
    "Kestrel Downs",
    "Larkspur",
    "Millbrook",
    "Newhaven Heath",
    "Oakridge",
    "Pendle Moor",
    "Queensmead",
    "Redcliffe",
    "Stonebridge",
    "Thornbury Weald",
    "Upperton",
    "Valemouth",
    "Whitcombe",
    "Yarrowdale",
    "Zephyr Bay",
]
# Organisations that show the other states of participation (by position in _PLACES).
_NEVER_RAN = {8, 17, 26}  # registered, no round yet
_TOO_FEW_NQSWS = {13, 22}  # rounds that miss the minimum criteria
_NO_SELF_ASSESSMENT = {3, 21}
# (employer type, how many): most ASYE employers are local authorities.
_EMPLOYER_MIX = [
    ("local_authority", 18),
    ("pvi", 4),
    ("fostering_agency", 3),
    ("nhs", 2),
    ("school", 1),
    ("other", 2),
]
# Teaching Partnerships with enough members for their benchmark to show.
_PARTNERSHIPS = {
    "north_west": "greater_manchester_tp",
    "yorkshire_and_the_humber": "west_yorkshire_tp",
    "london": "south_london_tp",
    "south_east": "kent_and_medway_tp",
}
_REGIONS = [
    "north_east",
    "north_west",
    "yorkshire_and_the_humber",
    "east_midlands",
    "west_midlands",
    "eastern",
    "london",
    "south_east",
    "south_west",
]
# Statements that appendix 5.6 shows lower nationally (workload relief, engagement, senior
# management); the rest sit around 4.1.
_STATEMENT_BASE = {
    5: 3.8,
    6: 3.8,
    9: 3.9,
    13: 3.9,
    25: 3.8,
    26: 3.4,
    29: 3.9,
    30: 3.8,
    12: 4.3,
    19: 4.3,
    24: 4.3,
}
_TYPE_EFFECT = {"self_assessment": 0.3, "nqsw": -0.2, "line_manager": 0.1, "other": 0.0}
# NQSWs often cannot judge moderation or endorsement, so they say "I do not know" more there.
_HARD_FOR_NQSW = {19, 27, 29, 30}


class DemoExists(Exception):
    """The database already has organisations: the demo loads only into an empty one."""


def _organisations(session: Session) -> list[Organisation]:
    types = [t for t, count in _EMPLOYER_MIX for _ in range(count)]
    organisations = []
    for index, place in enumerate(_PLACES):
        employer_type = types[index]
        # Shifted by one so the demo employer (index 0) sits in a Teaching Partnership.
        region = _REGIONS[(index + 1) % len(_REGIONS)]
        partnership = _PARTNERSHIPS.get(region)
        suffix = {
            "local_authority": "Council",
            "pvi": "Social Work Partners",
            "nhs": "NHS Trust",
            "fostering_agency": "Fostering",
            "school": "Academy Trust",
            "other": "Family Services",
        }[employer_type]
        programmes = ([Programme.CHILD_AND_FAMILY] if index % 3
                      else [Programme.ADULTS, Programme.CHILD_AND_FAMILY])
        organisations.append(add_organisation(
            session=session, name=f"{place} {suffix}", employer_type=employer_type,
            region=region, teaching_partnership=partnership, programmes=programmes,
            status=OrganisationStatus.APPROVED,
        ))
    return organisations


def _score(rng: random.Random, *, base: float, effect: float) -> int:
    return max(1, min(5, round(rng.gauss(base + effect, 0.75))))


def _ratings(
    rng: random.Random, *, respondent_type: str, numbers: tuple[int, ...], quality: float
) -> dict[str, int | None]:
    """One respondent's answers, as the API takes them: typical scores around the national
    pattern, this organisation's quality and the respondent type's usual view."""
    ratings: dict[str, int | None] = {}
    for number in numbers:
        dont_know = (
            0.03 if respondent_type != "nqsw" else (0.25 if number in _HARD_FOR_NQSW else 0.06)
        )
        if respondent_type != SELF_ASSESSMENT and rng.random() < dont_know:
            ratings[str(number)] = None
        else:
            base = _STATEMENT_BASE.get(number, 4.1) + quality
            ratings[str(number)] = _score(rng, base=base, effect=_TYPE_EFFECT[respondent_type])
    return ratings


def _run_round(
    session: Session, rng: random.Random, *, organisation: Organisation, programme: str,
    year: str, expected: dict[str, int], quality: float, counts: dict[str, int],
    self_assessment: bool, close: bool = True,
) -> Round:
    """Create and open a round, answer it as its respondents would, and close it (or not)."""
    round_ = create_round(session=session, organisation_id=organisation.id, programme=programme,
                          year=year, statement_set=None, expected=expected)
    open_round(session=session, round_id=round_.id)
    numbers = get_statement_sets()[round_.statement_set].numbers
    if self_assessment:
        save_self_assessment(session=session, round_id=round_.id, ratings=_ratings(
            rng, respondent_type=SELF_ASSESSMENT, numbers=numbers, quality=quality))
    tokens = dict(session.exec(select(RoundLink.respondent_type, RoundLink.token)
                               .where(RoundLink.round_id == round_.id)).all())
    for respondent_type, count in counts.items():
        survey = find_survey(session=session, token=tokens[respondent_type])
        for _ in range(count):
            submit_response(session=session, survey=survey, idempotency_key=None, address="demo",
                            ratings=_ratings(rng, respondent_type=respondent_type,
                                             numbers=numbers, quality=quality))
    return close_round(session=session, round_id=round_.id) if close else round_


_ACTIONS = [
    ("Protect NQSW caseloads: a monthly check of each NQSW's caseload at supervision",
     "ASYE co-ordinator"),
    ("Reflective supervision training for every line manager of an NQSW",
     "Principal social worker"),
    ("A termly ASYE forum where NQSWs raise issues with senior managers",
     "Head of service"),
]


def _plan(session: Session, round_: Round, *, statuses: tuple[ActionStatus, ...]) -> None:
    """An action plan on the round's first suggested focus statements (rule 13)."""
    report = build_round_report(session=session, round_=round_)
    focus = suggest_focus(report)[: len(statuses)]
    due = academic_year_end(round_.year) + timedelta(days=120)
    save_action_plan(session=session, round_=round_, items=[
        ActionItem(statement=suggestion.statement, actions=actions, owner=owner, due=due,
                   status=status)
        for suggestion, (actions, owner), status in zip(focus, _ACTIONS, statuses, strict=False)
    ])


def load_demo(
    *, seed: int = 2026, console: Console | None = None, today: date | None = None
) -> str:
    """Fill an empty database with the demo; return what a newcomer needs to click through."""
    rng = random.Random(seed)
    console = console or Console(quiet=True)
    current = academic_year_of(today or date.today())
    last, before_last = previous_year(current), previous_year(previous_year(current))
    with Session(get_engine(), expire_on_commit=False) as session:
        if session.exec(select(Organisation)).first() is not None:
            raise DemoExists("The database already has organisations: demo data not loaded.")
        organisations = _organisations(session)
        session.commit()
        create_user(session=session, email=DEMO_EMPLOYER_EMAIL, password=DEMO_EMPLOYER_PASSWORD,
                    role=Role.EMPLOYER, organisation_id=organisations[0].id)
        create_user(session=session, email=DEMO_VIEWER_EMAIL, password=DEMO_VIEWER_PASSWORD,
                    role=Role.EMPLOYER, organisation_id=organisations[0].id,
                    organisation_role=OrganisationRole.VIEWER)
        create_user(session=session, email=DEMO_NATIONAL_EMAIL, password=DEMO_NATIONAL_PASSWORD,
                    role=Role.NATIONAL)
        # Registered this term and waiting for the national team (rule 15): its open round
        # does not count anywhere until it is approved.
        pending, _ = register_organisation(
            session=session, name="Northgate Children's Services", employer_type="other",
            region="north_east", teaching_partnership=None,
            programmes=[Programme.CHILD_AND_FAMILY], email=DEMO_PENDING_EMAIL,
            password=DEMO_PENDING_PASSWORD, address="demo")
        open_token = ""
        planned: dict[str, Round] = {}  # the demo employer's child and family rounds by year
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("Creating demo rounds", total=len(organisations))
            for index, organisation in enumerate(organisations):
                quality = rng.gauss(0, 0.3)
                never_ran = index in _NEVER_RAN
                for year, improvement in ((before_last, 0.0), (last, rng.uniform(0.0, 0.25))):
                    if never_ran or (year == before_last and index % 4 == 3):
                        continue  # newer users of the tool: one round so far, or none
                    for programme in organisation.programmes:
                        expected = {
                            "nqsw": rng.randint(4, 12),
                            "line_manager": rng.randint(2, 6),
                            "other": rng.randint(1, 4),
                        }
                        weak = index in _TOO_FEW_NQSWS
                        counts = {
                            "nqsw": 2 if weak else rng.randint(3, expected["nqsw"]),
                            "line_manager": rng.randint(1, expected["line_manager"]),
                            "other": rng.randint(0, expected["other"]),
                        }
                        closed = _run_round(
                            session, rng, organisation=organisation, programme=programme,
                            year=year, expected=expected, quality=quality + improvement,
                            counts=counts, self_assessment=index not in _NO_SELF_ASSESSMENT)
                        if index == 0 and programme == Programme.CHILD_AND_FAMILY:
                            planned[year] = closed
                if index == 0:
                    answering = _run_round(
                        session, rng, organisation=organisation,
                        programme=Programme.CHILD_AND_FAMILY, year=current,
                        expected={"nqsw": 8, "line_manager": 4, "other": 2},
                        quality=quality + 0.3, counts={"nqsw": 4, "line_manager": 1, "other": 0},
                        self_assessment=False, close=False,
                    )
                    create_round(session=session, organisation_id=organisation.id,
                                 programme=Programme.ADULTS, year=current, statement_set=None,
                                 expected={"nqsw": 5, "line_manager": 3, "other": 1})
                    open_token = session.exec(
                        select(RoundLink.token).where(RoundLink.round_id == answering.id,
                                                      RoundLink.respondent_type
                                                      == RespondentType.NQSW)
                    ).one()
                progress.advance(task)
            _run_round(session, rng, organisation=pending, programme=Programme.CHILD_AND_FAMILY,
                       year=current, expected={"nqsw": 5, "line_manager": 2, "other": 1},
                       quality=0.0, counts={"nqsw": 2, "line_manager": 1, "other": 0},
                       self_assessment=False, close=False)
        # The quality-assurance cycle of the demo employer: the year before last's plan (mostly
        # done), followed up in last year's report, which has a plan of its own and evidence.
        _plan(session, planned[before_last],
              statuses=(ActionStatus.DONE, ActionStatus.DONE, ActionStatus.IN_PROGRESS))
        _plan(session, planned[last], statuses=(ActionStatus.IN_PROGRESS, ActionStatus.PLANNED))
        evidence = issue_evidence(session=session, round_=planned[last])
    base = get_settings().base_url
    return (
        f"Demo data loaded: {len(organisations)} organisations, closed rounds for {before_last} "
        f"and {last}, an open round for {current}.\n"
        f"  Employer sign-in (lead): {DEMO_EMPLOYER_EMAIL} / {DEMO_EMPLOYER_PASSWORD}\n"
        f"  Employer sign-in (viewer, reads only): {DEMO_VIEWER_EMAIL} / {DEMO_VIEWER_PASSWORD}\n"
        f"  Awaiting approval: {DEMO_PENDING_EMAIL} / {DEMO_PENDING_PASSWORD}\n"
        f"  National sign-in: {DEMO_NATIONAL_EMAIL} / {DEMO_NATIONAL_PASSWORD}\n"
        f"  NQSW survey link of the open round: {base}/survey/{open_token}\n"
        f"  {describe_delivery()}\n"
        f"  Evidence of completion ({last}): check {evidence.verification_code} at "
        f"{evidence.verify_url}"
    )
