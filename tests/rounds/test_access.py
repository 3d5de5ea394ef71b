"""The access matrix: every round endpoint and page × anonymous, own employer (a lead), own
viewer, another organisation's employer, national user. No cross-organisation read or write ever
succeeds, and a viewer reads everything its organisation's leads read but changes nothing."""

from dataclasses import dataclass, field

import pytest
from sqlalchemy import func
from sqlmodel import select

from app.lifecycle.models import Round
from app.main import create_app
from app.survey.models import InvitationCode, SurveyResponse
from tests.builders import (
    api_headers,
    full_ratings,
    make_employer,
    make_national_user,
    make_organisation,
    make_round,
    post_form,
    sign_in,
)
from tests.html import assert_good_page

THEME_1 = {f"statement-{n}": "4" for n in range(1, 20)}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # with {round_id}
    state: str  # the round's state in which the employer's request succeeds
    writes: bool  # leads only: a viewer or a national user is refused (403)
    body: dict = field(default_factory=dict)

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


ROUND_ENDPOINTS = [
    Endpoint("GET", "/api/v1/rounds/{round_id}", "open", writes=False),
    Endpoint("PATCH", "/api/v1/rounds/{round_id}", "draft", writes=True,
             body={"expected": {"nqsw": 5, "line_manager": 2, "other": 1}}),
    Endpoint("DELETE", "/api/v1/rounds/{round_id}", "draft", writes=True),
    Endpoint("POST", "/api/v1/rounds/{round_id}/open", "draft", writes=True),
    Endpoint("POST", "/api/v1/rounds/{round_id}/close", "open", writes=True),
    Endpoint("GET", "/api/v1/rounds/{round_id}/self-assessment", "open", writes=False),
    Endpoint("PUT", "/api/v1/rounds/{round_id}/self-assessment", "open", writes=True,
             body={"ratings": full_ratings()}),
    Endpoint("POST", "/api/v1/rounds/{round_id}/codes", "open", writes=True, body={"nqsw": 2}),
    Endpoint("GET", "/api/v1/rounds/{round_id}/report", "closed", writes=False),
    Endpoint("GET", "/api/v1/rounds/{round_id}/report.csv", "closed", writes=False),
    Endpoint("GET", "/api/v1/rounds/{round_id}/report.pdf", "closed", writes=False),
    Endpoint("GET", "/api/v1/rounds/{round_id}/action-plan", "closed", writes=False),
    Endpoint("PUT", "/api/v1/rounds/{round_id}/action-plan", "closed", writes=True,
             body={"items": [{"statement": 1, "actions": "Review", "owner": "PSW",
                              "due": "2027-03-31", "status": "planned"}]}),
    Endpoint("GET", "/rounds/{round_id}/action-plan", "closed", writes=False),
    Endpoint("GET", "/api/v1/rounds/{round_id}/evidence", "closed", writes=False),
    Endpoint("GET", "/api/v1/rounds/{round_id}/evidence.pdf", "closed", writes=False),
    Endpoint("GET", "/rounds/{round_id}/evidence.pdf", "closed", writes=False),
    Endpoint("GET", "/rounds/{round_id}/action-plan/item", "closed", writes=True),
    Endpoint("POST", "/rounds/{round_id}/action-plan/item", "closed", writes=True,
             body={"statement": "1", "actions": "Review", "owner": "PSW", "due": "31",
                   "due_month": "3", "due_year": "2027", "status": "planned"}),
    Endpoint("POST", "/rounds/{round_id}/action-plan/remove/{number}", "closed", writes=True),
    Endpoint("GET", "/rounds/{round_id}", "open", writes=False),
    Endpoint("POST", "/rounds/{round_id}/open", "draft", writes=True),
    Endpoint("GET", "/rounds/{round_id}/edit", "draft", writes=True),
    Endpoint("POST", "/rounds/{round_id}/edit", "draft", writes=True,
             body={"expected_nqsw": "5", "expected_line_manager": "2", "expected_other": "1"}),
    Endpoint("GET", "/rounds/{round_id}/delete", "draft", writes=True),
    Endpoint("POST", "/rounds/{round_id}/delete", "draft", writes=True),
    Endpoint("GET", "/rounds/{round_id}/close", "open", writes=True),
    Endpoint("POST", "/rounds/{round_id}/close", "open", writes=True),
    Endpoint("GET", "/rounds/{round_id}/codes", "open", writes=True),
    Endpoint("GET", "/rounds/{round_id}/share", "open", writes=True),
    Endpoint("GET", "/rounds/{round_id}/preview", "draft", writes=True),
    Endpoint("GET", "/rounds/{round_id}/preview/theme/{number}", "open", writes=True),
    Endpoint("POST", "/rounds/{round_id}/preview/theme/{number}", "open", writes=True,
             body=THEME_1),
    Endpoint("GET", "/rounds/{round_id}/preview/theme/{number}/part/{part}", "open",
             writes=True),
    Endpoint("POST", "/rounds/{round_id}/preview/theme/{number}/part/{part}", "open",
             writes=True, body=THEME_1),
    Endpoint("GET", "/rounds/{round_id}/preview/check", "open", writes=True),
    Endpoint("POST", "/rounds/{round_id}/preview/check", "open", writes=True),
    Endpoint("GET", "/rounds/{round_id}/poster.pdf", "open", writes=True),
    Endpoint("POST", "/rounds/{round_id}/codes", "open", writes=True, body={"nqsw": "2"}),
    Endpoint("GET", "/rounds/{round_id}/self-assessment", "open", writes=True),
    Endpoint("GET", "/rounds/{round_id}/self-assessment/theme/{number}", "open", writes=True),
    Endpoint("POST", "/rounds/{round_id}/self-assessment/theme/{number}", "open", writes=True,
             body=THEME_1),
    Endpoint("GET", "/rounds/{round_id}/self-assessment/theme/{number}/part/{part}", "open",
             writes=True),
    Endpoint("POST", "/rounds/{round_id}/self-assessment/theme/{number}/part/{part}", "open",
             writes=True, body=THEME_1),
    Endpoint("GET", "/rounds/{round_id}/self-assessment/check", "open", writes=True),
    Endpoint("POST", "/rounds/{round_id}/self-assessment/check", "open", writes=True),
    Endpoint("GET", "/rounds/{round_id}/report", "closed", writes=False),
    Endpoint("GET", "/rounds/{round_id}/report.csv", "closed", writes=False),
    Endpoint("GET", "/rounds/{round_id}/report.pdf", "closed", writes=False),
]
ACTORS = ("anonymous", "own employer", "own viewer", "other organisation's employer",
          "national user")


def served_round_routes() -> set[str]:
    """Every method and path the application serves that takes a round id."""
    found = set()
    for route in create_app().routes:
        contexts = getattr(route, "effective_route_contexts", None)
        for context in contexts() if contexts else [route]:
            if "{round_id}" in getattr(context, "path", ""):
                found |= {f"{method} {context.path}" for method in context.methods - {"HEAD"}}
    return found


def test_the_access_matrix_covers_every_round_route_the_service_serves():
    assert served_round_routes() == {str(endpoint) for endpoint in ROUND_ENDPOINTS}


@pytest.fixture
def people(session):
    organisation = make_organisation(session, name="Riverside Council")
    return {
        "organisation": organisation,
        "anonymous": None,
        "own employer": make_employer(session, organisation=organisation),
        "own viewer": make_employer(session, organisation=organisation,
                                    organisation_role="viewer"),
        "other organisation's employer": make_employer(session),
        "national user": make_national_user(session),
    }


def request(client, endpoint: Endpoint, round_id: int, user):
    url = endpoint.path.format(round_id=round_id, number=1, part=2)
    if endpoint.is_api:
        return client.request(endpoint.method, url, headers=api_headers(user),
                              json=endpoint.body or None, follow_redirects=False)
    sign_in(client, user)
    if endpoint.method == "POST":
        return post_form(client, url, endpoint.body, follow_redirects=False)
    return client.get(url, follow_redirects=False)


def footprint(session, round_id: int) -> tuple:
    """What a write could change: the round's state, its responses, its codes."""
    session.expire_all()
    round_ = session.get(Round, round_id)
    responses = session.exec(
        select(func.count()).select_from(SurveyResponse)
        .where(SurveyResponse.round_id == round_id)).one()
    codes = session.exec(select(func.count()).select_from(InvitationCode)
                         .where(InvitationCode.round_id == round_id)).one()
    return round_.status, round_.opened_at, round_.closed_at, responses, codes


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("endpoint", ROUND_ENDPOINTS, ids=str)
def test_round_access_matrix(client, session, people, endpoint, actor):
    round_ = make_round(session, organisation=people["organisation"], status=endpoint.state,
                        responses={"self_assessment": 1, "nqsw": 3, "line_manager": 1}
                        if endpoint.state == "closed" else None)
    before = footprint(session, round_.id)

    response = request(client, endpoint, round_.id, people[actor])

    status = response.status_code
    if actor == "anonymous":
        if endpoint.is_api:
            assert status == 401 and response.headers["www-authenticate"] == "Bearer"
        else:
            assert status == 303 and response.headers["location"].startswith("/sign-in?next=")
    elif actor == "other organisation's employer":
        assert status == 404  # exactly as if the round did not exist
        if endpoint.is_api:
            assert response.json() == {"detail": "No round with this id"}
        else:
            assert_good_page(response, title_contains="Page not found")
    elif actor in ("national user", "own viewer") and endpoint.writes:
        assert status == 403
    else:
        assert status < 400, response.text[:500]
        assert not response.headers.get("location", "").startswith("/sign-in")
    if actor != "own employer":
        assert footprint(session, round_.id) == before
    if not endpoint.is_api and response.headers.get("content-type", "").startswith("text/html"):
        assert_good_page(response)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("path", ["/api/v1/rounds/999999", "/rounds/999999"])
def test_a_round_that_does_not_exist_looks_the_same_as_another_organisations(
    client, people, path, actor
):
    user = people[actor]
    if path.startswith("/api/"):
        response = client.get(path, headers=api_headers(user))
    else:
        sign_in(client, user)
        response = client.get(path, follow_redirects=False)

    expected = {"anonymous": 401 if path.startswith("/api/") else 303}.get(actor, 404)
    assert response.status_code == expected


def test_listing_rounds_shows_an_employer_only_its_own_organisations(client, session, people):
    own = make_round(session, organisation=people["organisation"])
    other = make_round(session, organisation=make_organisation(session))

    mine = client.get("/api/v1/rounds", headers=api_headers(people["own employer"])).json()
    theirs = client.get("/api/v1/rounds",
                        headers=api_headers(people["other organisation's employer"])).json()
    everyone = client.get("/api/v1/rounds", headers=api_headers(people["national user"])).json()

    assert [r["id"] for r in mine] == [own.id]
    assert theirs == []
    assert {r["id"] for r in everyone} == {own.id, other.id}


def test_the_dashboard_lists_only_the_organisations_own_rounds(client, session, people):
    make_round(session, organisation=people["organisation"], programme="adults")
    make_round(session, organisation=make_organisation(session), programme="child_and_family")
    sign_in(client, people["own employer"])

    soup = assert_good_page(client.get("/dashboard"))

    programmes = [th.get_text(strip=True) for th in soup.select("tbody th")]
    assert programmes == ["Adults"]


@pytest.mark.parametrize(
    ("actor", "api_status", "page_status"),
    [("anonymous", 401, 303), ("own employer", 201, 303), ("own viewer", 403, 403),
     ("national user", 403, 403)],
)
def test_only_a_lead_can_create_a_round(client, people, actor, api_status, page_status):
    user = people[actor]

    api = client.post("/api/v1/rounds", headers=api_headers(user),
                      json={"programme": "adults", "year": "2025-26"})
    sign_in(client, user)
    page = post_form(client, "/rounds/new", {"programme": "child_and_family", "year": "2025-26",
                                             "expected_nqsw": "1", "expected_line_manager": "1",
                                             "expected_other": "0"}, follow_redirects=False)

    assert api.status_code == api_status
    assert page.status_code == page_status


def test_a_national_user_visiting_the_dashboard_goes_to_national_results(client, people):
    sign_in(client, people["national user"])

    response = client.get("/dashboard", follow_redirects=False)

    assert response.status_code == 303 and response.headers["location"] == "/national"
