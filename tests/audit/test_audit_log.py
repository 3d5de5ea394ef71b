"""The audit log: account and round actions, who, what, when; leads see their organisation's,
national users all; nothing a respondent does is logged."""

from sqlmodel import func, select

from app.audit.models import AuditEvent
from tests.builders import (
    PASSWORD,
    api_headers,
    full_ratings,
    make_employer,
    make_national_user,
    make_organisation,
    make_survey_round,
    post_form,
    sign_in,
)
from tests.html import assert_good_page


def events(session) -> list[tuple]:
    session.expire_all()
    rows = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    return [(e.actor_email, e.action, e.organisation_id, e.subject) for e in rows]


def test_account_and_round_actions_are_logged_with_who_and_what(client, session, smtp_server):
    organisation = make_organisation(session, name="Riverside Council",
                                     programmes=("child_and_family",))
    lead = make_employer(session, organisation=organisation, email="lead@riverside.example.org")
    token = client.post("/api/v1/auth/token",
                        data={"username": lead.email, "password": PASSWORD}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}

    round_id = client.post("/api/v1/rounds", headers=headers,
                           json={"programme": "child_and_family", "year": "2025-26"}).json()["id"]
    client.post(f"/api/v1/rounds/{round_id}/open", headers=headers)
    client.post(f"/api/v1/rounds/{round_id}/codes", headers=headers, json={"nqsw": 2})
    client.post(f"/api/v1/rounds/{round_id}/close", headers=headers)
    invited = client.post("/api/v1/organisation/users", headers=headers,
                          json={"email": "viewer@riverside.example.org", "role": "viewer"})
    client.patch(f"/api/v1/organisation/users/{invited.json()['id']}", headers=headers,
                 json={"role": "lead"})
    client.delete(f"/api/v1/organisation/users/{invited.json()['id']}", headers=headers)
    client.patch("/api/v1/organisation", headers=headers, json={"region": "eastern"})
    client.post("/api/v1/auth/password", headers=headers,
                json={"current_password": PASSWORD, "new_password": "a new pass phrase!"})

    subject = f"child and family 2025-26 (round {round_id})"
    assert events(session) == [
        (lead.email, "signed in", organisation.id, "API token"),
        (lead.email, "created a round", organisation.id, subject),
        (lead.email, "opened a round", organisation.id, subject),
        (lead.email, "issued single-use codes", organisation.id, f"{subject}: 2 nqsw"),
        (lead.email, "closed a round", organisation.id, subject),
        (lead.email, "invited", organisation.id, "viewer@riverside.example.org as a viewer"),
        (lead.email, "changed the role of", organisation.id,
         "viewer@riverside.example.org to lead"),
        (lead.email, "removed", organisation.id, "viewer@riverside.example.org"),
        (lead.email, "changed the organisation's details", organisation.id, "region"),
        (lead.email, "changed their password", organisation.id, ""),
    ]


def test_approvals_and_sign_ins_through_pages_are_logged(client, session, smtp_server):
    national = make_national_user(session)
    pending = make_organisation(session, name="New Council", status="pending")
    post_form(client, "/sign-in", {"email": national.email, "password": PASSWORD})

    post_form(client, f"/national/organisations/{pending.id}/approve")

    assert events(session) == [
        (national.email, "signed in", None, ""),
        (national.email, "approved", pending.id, "New Council"),
    ]


def test_leads_read_their_organisations_log_and_national_users_read_all(client, session):
    own = make_organisation(session, name="Riverside Council")
    other = make_organisation(session, name="Hillside Council")
    lead = make_employer(session, organisation=own)
    viewer = make_employer(session, organisation=own, organisation_role="viewer")
    stranger = make_employer(session, organisation=other)
    for user in (lead, stranger):
        client.post("/api/v1/auth/token", data={"username": user.email, "password": PASSWORD})

    mine = client.get("/api/v1/organisation/audit-log", headers=api_headers(lead)).json()
    everything = client.get("/api/v1/national/audit-log",
                            headers=api_headers(make_national_user(session))).json()

    assert [(e["actor"], e["organisation_id"]) for e in mine] == [(lead.email, own.id)]
    assert {e["actor"] for e in everything} == {lead.email, stranger.email}
    assert client.get("/api/v1/organisation/audit-log",
                      headers=api_headers(viewer)).status_code == 403
    assert client.get("/api/v1/national/audit-log",
                      headers=api_headers(lead)).status_code == 403
    sign_in(client, lead)
    page = assert_good_page(client.get("/organisation/audit-log"),
                            title_contains="Your organisation's audit log")
    assert stranger.email not in page.text and lead.email in page.text
    sign_in(client, make_national_user(session))
    page = assert_good_page(client.get("/national/audit-log"), title_contains="Audit log")
    assert "Hillside Council" in page.text and stranger.email in page.text


def test_nothing_a_respondent_does_is_logged(client, session):
    survey_round = make_survey_round(session)
    before = session.exec(select(func.count()).select_from(AuditEvent)).one()

    sent = client.post(f"/api/v1/survey/{survey_round.token}/responses",
                       json={"ratings": full_ratings()})
    page = client.get(f"/survey/{survey_round.token}")

    assert sent.status_code == 201 and page.status_code == 200
    assert session.exec(select(func.count()).select_from(AuditEvent)).one() == before == 0


def test_changing_and_deleting_a_round_are_logged_through_api_and_pages(client, session):
    organisation = make_organisation(session, programmes=("child_and_family",))
    lead = make_employer(session, organisation=organisation, email="lead@changes.example.org")
    token = client.post("/api/v1/auth/token",
                        data={"username": lead.email, "password": PASSWORD}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    first = client.post("/api/v1/rounds", headers=headers,
                        json={"programme": "child_and_family", "year": "2026-27"}).json()["id"]
    changed = client.patch(f"/api/v1/rounds/{first}", headers=headers,
                           json={"expected": {"nqsw": 6, "line_manager": 3, "other": 0},
                                 "closes_on": "2027-07-31"})
    refused = client.patch(f"/api/v1/rounds/{first}", headers=headers,
                           json={"closes_on": "2030-01-01"})
    deleted = client.delete(f"/api/v1/rounds/{first}", headers=headers)

    assert changed.status_code == 200 and deleted.status_code == 204
    assert refused.status_code == 422
    subject = f"child and family 2026-27 (round {first})"
    logged = [event for event in events(session) if event[1] != "signed in"]
    assert logged == [
        (lead.email, "created a round", organisation.id, subject),
        (lead.email, "changed a round", organisation.id,
         f"{subject}: expected 6 nqsw, 3 line manager, 0 other; closing date 2027-07-31"),
        (lead.email, "deleted a round", organisation.id, subject),
    ]

    sign_in(client, lead)
    second = client.post("/api/v1/rounds", headers=headers,
                         json={"programme": "child_and_family", "year": "2026-27"}).json()["id"]
    page = post_form(client, f"/rounds/{second}/delete", {})
    assert page.status_code in (200, 303)
    assert events(session)[-1][1:] == ("deleted a round", organisation.id,
                                       f"child and family 2026-27 (round {second})")
