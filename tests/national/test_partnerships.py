"""Teaching Partnerships kept in the database (issue 14): seeded from the YAML by a migration,
managed by national users (add, rename, retire, bring back) through pages and API; a retired
partnership can no longer be chosen but keeps naming organisations and past rounds."""

import csv
import io
import re

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text
from sqlmodel import select

from app.audit.models import AuditEvent
from app.cli import upgrade_database
from app.config import get_settings
from app.partnerships.models import TeachingPartnership
from app.partnerships.service import add_partnership
from tests.builders import (
    api_headers,
    make_employer,
    make_national_user,
    make_organisation,
    make_round,
    post_form,
    round_report,
    sign_in,
)
from tests.databases import throwaway_database
from tests.html import assert_good_page

API = "/api/v1/national/teaching-partnerships"
PAGES = "/national/teaching-partnerships"
PASSWORD = "a long enough pass phrase"


def yaml_rows() -> list[tuple[str, str]]:
    path = get_settings().statements_dir / "reference" / "teaching_partnerships.yaml"
    return [(row["key"], row["label"])
            for row in yaml.safe_load(path.read_text(encoding="utf-8"))]


def stored(session) -> list[tuple[str, str, bool]]:
    session.expire_all()
    return [(p.key, p.name, p.retired) for p in
            session.exec(select(TeachingPartnership).order_by(TeachingPartnership.id))]


@pytest.fixture
def national(session):
    return make_national_user(session)


def registration(partnership: str | None, name: str = "Riverside Council") -> dict:
    return {"organisation": {"name": name, "employer_type": "local_authority",
                             "region": "london", "teaching_partnership": partnership,
                             "programmes": ["child_and_family"]},
            "email": f"lead{abs(hash(name))}@riverside.example.org", "password": PASSWORD}


def test_the_migration_seeds_the_table_with_the_yaml_list():
    with throwaway_database("partnership_seed") as url:
        upgrade_database(url)
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(text(
                    "SELECT key, name, retired_at FROM teaching_partnership ORDER BY id")).all()
        finally:
            engine.dispose()

    assert [(key, name) for key, name, _ in rows] == yaml_rows()
    assert all(retired_at is None for *_, retired_at in rows)


def test_national_users_add_rename_retire_and_bring_back_through_the_api(client, session,
                                                                          national):
    headers = api_headers(national)
    assert [(p["key"], p["name"]) for p in client.get(API, headers=headers).json()] == yaml_rows()

    added = client.post(API, headers=headers, json={"name": "  Humber   Teaching Partnership "})
    assert added.status_code == 201, added.text
    assert added.json() == {"key": "humber_teaching_partnership_tp",
                            "name": "Humber Teaching Partnership", "retired": False,
                            "retired_at": None}
    key = added.json()["key"]
    renamed = client.patch(f"{API}/{key}", headers=headers, json={"name": "Humber TP"})
    assert renamed.json()["name"] == "Humber TP"
    assert renamed.json()["key"] == key
    retired = client.patch(f"{API}/{key}", headers=headers, json={"retired": True})
    assert retired.json()["retired"] is True
    assert retired.json()["retired_at"] is not None
    back = client.patch(f"{API}/{key}", headers=headers, json={"retired": False})
    assert back.json()["retired"] is False

    assert stored(session)[-1] == (key, "Humber TP", False)
    actions = [(e.action, e.subject) for e in session.exec(
        select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == [
        ("added a Teaching Partnership", f"Humber Teaching Partnership ({key})"),
        ("renamed a Teaching Partnership", f"Humber Teaching Partnership to Humber TP ({key})"),
        ("retired a Teaching Partnership", f"Humber TP ({key})"),
        ("brought back a Teaching Partnership", f"Humber TP ({key})"),
    ]


def test_a_new_partnership_can_be_chosen_at_once(client, session, national):
    key = client.post(API, headers=api_headers(national), json={"name": "Humber TP"}).json()["key"]

    reference = client.get("/api/v1/reference").json()["teaching_partnerships"]
    assert {"key": key, "label": "Humber TP"} in reference
    response = client.post("/api/v1/auth/register", json=registration(key))
    assert response.status_code == 201, response.text


def test_only_national_users_manage_partnerships(client, session):
    before = stored(session)
    employer = make_employer(session)

    for headers, expected in (({}, 401), (api_headers(employer), 403)):
        assert client.get(API, headers=headers).status_code == expected
        assert client.post(API, headers=headers, json={"name": "X TP"}).status_code == expected
        assert client.patch(f"{API}/south_london_tp", headers=headers,
                            json={"retired": True}).status_code == expected
    sign_in(client, employer)
    for path in (PAGES, f"{PAGES}/south_london_tp"):
        assert client.get(path, follow_redirects=False).status_code == 403
    for path in (PAGES, f"{PAGES}/south_london_tp", f"{PAGES}/south_london_tp/retire"):
        assert post_form(client, path, {"name": "X TP"},
                         follow_redirects=False).status_code == 403
    assert stored(session) == before
    assert session.exec(select(AuditEvent)).all() == []


@pytest.mark.parametrize("body, status", [
    ({"name": ""}, 422), ({"name": "   "}, 422), ({"name": "Bell\x07 TP"}, 422),
    ({"name": "Evil \u202eTP"}, 422), ({"name": "x" * 201}, 422), ({"name": 5}, 422),
    ({}, 422), ({"name": "New TP", "key": "chosen"}, 422),
    ({"name": "south LONDON teaching partnership"}, 409),
])
def test_bad_names_are_refused_and_nothing_is_stored(client, session, national, body, status):
    before = stored(session)

    added = client.post(API, headers=api_headers(national), json=body)
    renamed = client.patch(f"{API}/essex_tp", headers=api_headers(national), json=body)

    assert added.status_code == status, added.text
    assert "detail" in added.json()
    if body:  # an empty PATCH changes nothing, rightly
        assert renamed.status_code == status, renamed.text
    assert stored(session) == before


def test_an_unknown_key_is_404_and_keeping_its_own_name_is_allowed(client, session, national):
    headers = api_headers(national)
    assert client.patch(f"{API}/no_such_tp", headers=headers,
                        json={"retired": True}).status_code == 404
    assert client.patch(f"{API}/{'x' * 61}", headers=headers,
                        json={"retired": True}).status_code == 422
    same = client.patch(f"{API}/essex_tp", headers=headers,
                        json={"name": "essex teaching partnership"})
    assert same.status_code == 200
    assert same.json()["name"] == "essex teaching partnership"


def test_a_retired_partnership_cannot_be_chosen_but_keeps_its_organisations_and_rounds(
        client, session, national):
    organisation = make_organisation(session, name="Kent Council",
                                     teaching_partnership="kent_and_medway_tp")
    past = make_round(session, organisation=organisation, status="closed",
                      responses={"self_assessment": 1, "nqsw": 3, "line_manager": 1})
    lead = make_employer(session, organisation=organisation)
    headers = api_headers(national)
    assert client.patch(f"{API}/kent_and_medway_tp", headers=headers,
                        json={"retired": True}).status_code == 200

    # No longer offered: the reference list, registration (API and page), the details.
    offered = client.get("/api/v1/reference").json()["teaching_partnerships"]
    assert "kent_and_medway_tp" not in {p["key"] for p in offered}
    assert len(offered) == len(yaml_rows()) - 1
    assert client.post("/api/v1/auth/register",
                       json=registration("kent_and_medway_tp")).status_code == 422
    moved = client.patch("/api/v1/organisation", headers=api_headers(lead),
                         json={"teaching_partnership": "kent_and_medway_tp"})
    assert moved.status_code == 422
    register_page = assert_good_page(client.get("/register"))
    assert register_page.find("option", {"value": "kent_and_medway_tp"}) is None
    assert register_page.find("option", {"value": "essex_tp"}) is not None

    # Still named: the organisation, its past round's report, the national filter and CSV.
    assert round_report(session, past)["round"]["organisation"][
        "teaching_partnership_label"] == "Kent and Medway Teaching Partnership"
    listed = client.get("/api/v1/national/organisations", headers=headers,
                        params={"teaching_partnership": "kent_and_medway_tp"})
    assert [o["id"] for o in listed.json()] == [organisation.id]
    sign_in(client, national)
    page = assert_good_page(client.get(f"/national/organisations/{organisation.id}"))
    assert "Kent and Medway Teaching Partnership" in page.get_text()
    filters = assert_good_page(client.get("/national/organisations"))
    option = filters.find("option", {"value": "kent_and_medway_tp"})
    assert option.get_text(strip=True) == "Kent and Medway Teaching Partnership (retired)"

    assert client.patch(f"{API}/kent_and_medway_tp", headers=headers,
                        json={"retired": False}).status_code == 200
    assert client.post("/api/v1/auth/register",
                       json=registration("kent_and_medway_tp")).status_code == 201


def test_renaming_changes_the_label_everywhere(client, session, national):
    organisation = make_organisation(session, name="Surrey Council",
                                     teaching_partnership="surrey_tp")
    past = make_round(session, organisation=organisation, status="closed",
                      responses={"self_assessment": 1, "nqsw": 3, "line_manager": 1})
    client.patch(f"{API}/surrey_tp", headers=api_headers(national),
                 json={"name": "Surrey and Borders TP"})

    assert round_report(session, past)["round"]["organisation"][
        "teaching_partnership_label"] == "Surrey and Borders TP"
    completion = client.get("/api/v1/national/organisations.csv",
                            headers=api_headers(national)).text
    [row] = [r for r in csv.DictReader(io.StringIO(completion)) if r["Organisation"] ==
             "Surrey Council"]
    assert "Surrey and Borders TP" in row.values()
    sign_in(client, national)
    page = assert_good_page(client.get(f"/national/organisations/{organisation.id}"))
    assert "Surrey and Borders TP" in page.get_text()
    assert "Surrey Teaching Partnership" not in page.get_text()


def test_the_pages_add_rename_retire_and_bring_back(client, session, national):
    sign_in(client, national)
    listing = assert_good_page(client.get(PAGES), title_contains="Teaching Partnerships")
    assert len(listing.select("#partnerships li")) == len(yaml_rows())

    empty = post_form(client, PAGES, {"name": "  "})
    assert empty.status_code == 422
    soup = assert_good_page(empty, title_contains="Error: Teaching Partnerships")
    assert "Enter the name of the Teaching Partnership" in soup.select_one(
        ".govuk-error-summary").get_text()
    taken = post_form(client, PAGES, {"name": "Essex Teaching Partnership"})
    assert taken.status_code == 409
    assert_good_page(taken, title_contains="Error:")

    added = post_form(client, PAGES, {"name": "Humber TP"})
    assert "Humber TP" in assert_good_page(added).select_one("#partnerships").get_text()
    [key] = [k for k, name, _ in stored(session) if name == "Humber TP"]
    assert_good_page(client.get(f"{PAGES}/{key}"), title_contains="Humber TP")
    refused = post_form(client, f"{PAGES}/{key}", {"name": "Essex Teaching Partnership"})
    assert refused.status_code == 409
    assert_good_page(refused, title_contains="Error: Humber TP")
    post_form(client, f"{PAGES}/{key}", {"name": "Humber Teaching Partnership"})
    retired = assert_good_page(post_form(client, f"{PAGES}/{key}/retire"))
    assert re.search(r"Humber Teaching Partnership\s+Retired",
                     retired.select_one("#partnerships").get_text())
    assert stored(session)[-1] == (key, "Humber Teaching Partnership", True)
    post_form(client, f"{PAGES}/{key}/restore")
    assert stored(session)[-1] == (key, "Humber Teaching Partnership", False)
    assert client.get(f"{PAGES}/no_such_tp").status_code == 404


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.text(st.characters(codec="utf-8"), min_size=1, max_size=80),
                      min_size=1, max_size=6))
def test_every_added_partnership_gets_a_unique_lasting_key(engine, names):
    """Oracle: a key is lower-case letters, digits and underscores, at most 60 long, distinct
    from every other; a name is stored as typed with its spaces collapsed, unless refused.
    (Each example removes what it added, so the shared engine fixture is safe to reuse.)"""
    from sqlmodel import Session

    from app.errors import DomainError

    with Session(engine) as session:
        added = []
        for name in names:
            try:
                added.append((name, add_partnership(session=session, name=name)))
            except DomainError:
                session.rollback()
        keys = [p.key for p in session.exec(select(TeachingPartnership))]
        try:
            assert len(keys) == len(set(keys))
            for name, partnership in added:
                assert re.fullmatch(r"[a-z0-9_]{1,60}", partnership.key)
                assert partnership.name == " ".join(name.split())
        finally:
            for _, partnership in added:
                session.delete(partnership)
            session.commit()
