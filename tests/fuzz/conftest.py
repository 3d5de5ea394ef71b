"""A small, real world for the fuzzer to reach deep code: rounds in every state with their links,
single-use codes, a closed round with a report and benchmarks, another organisation's round, and
a bearer token for each role."""

from dataclasses import dataclass

import pytest
from sqlmodel import Session, select

from app.accounts.models import Organisation
from app.lifecycle.models import Round
from app.survey.codes import create_codes
from app.survey.models import RoundLink
from tests.builders import (
    PASSWORD,
    add_response,
    api_headers,
    make_employer,
    make_national_user,
    make_organisation,
    make_round,
)

QUALIFYING = {"self_assessment": 1, "nqsw": 4, "line_manager": 2, "other": 3}


@dataclass
class FuzzWorld:
    employer_email: str
    national_email: str
    password: str
    employer: dict[str, str]  # Authorization headers
    national: dict[str, str]
    rounds: dict[str, int]  # "draft", "open", "closed" (the employer's own), "other" (not)
    links: dict[str, list[str]]  # the same keys → that round's link tokens
    codes: list[str]  # single-use codes of the open round


@pytest.fixture
def fuzz_world(session: Session) -> FuzzWorld:
    employer = make_employer(session)
    national = make_national_user(session)
    organisation = session.get(Organisation, employer.organisation_id)
    rounds = {
        "closed": make_round(session, organisation=organisation, year="2024-25",
                             status="closed", responses=QUALIFYING),
        "open": make_round(session, organisation=organisation, year="2025-26", status="open",
                           responses={"nqsw": 2}),
        "draft": make_round(session, organisation=organisation, year="2026-27"),
        "other": make_round(session, organisation=make_organisation(session), year="2025-26",
                            status="closed", responses=QUALIFYING),
    }
    add_response(session, round_=rounds["open"], respondent_type="self_assessment")
    # Enough qualifying organisations for every benchmark group to be shown.
    for _ in range(3):
        make_round(session, organisation=make_organisation(session), year="2024-25",
                   status="closed", responses=QUALIFYING)
    return FuzzWorld(
        employer_email=employer.email,
        national_email=national.email,
        password=PASSWORD,
        employer=api_headers(employer),
        national=api_headers(national),
        rounds={state: round_.id for state, round_ in rounds.items()},
        links={state: _links(session, round_) for state, round_ in rounds.items()},
        codes=create_codes(session=session, round_id=rounds["open"].id, respondent_type="nqsw",
                           count=5),
    )


def _links(session: Session, round_: Round) -> list[str]:
    return list(session.exec(select(RoundLink.token).where(RoundLink.round_id == round_.id)))
