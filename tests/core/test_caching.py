"""Issue 13, item 6: nothing that carries a secret or an organisation's data is cached."""

from tests.builders import (
    PASSWORD,
    api_headers,
    full_ratings,
    make_closed_round,
    make_employer,
    make_organisation,
    make_round,
)


def test_every_response_holding_secrets_or_results_says_no_store(client, session):
    organisation = make_organisation(session)
    lead = make_employer(session, organisation=organisation)
    headers = api_headers(lead)
    open_round = make_round(session, organisation=organisation, status="open", year="2024-25")
    closed = make_closed_round(session, organisation=organisation,
                               responses={"nqsw": 3, "line_manager": 1})
    requests = {
        "token": client.post("/api/v1/auth/token",
                             data={"username": lead.email, "password": PASSWORD}),
        "rounds": client.get("/api/v1/rounds", headers=headers),
        "round": client.get(f"/api/v1/rounds/{open_round.id}", headers=headers),
        "codes": client.post(f"/api/v1/rounds/{open_round.id}/codes", headers=headers,
                             json={"nqsw": 1}),
        "self-assessment": client.put(f"/api/v1/rounds/{open_round.id}/self-assessment",
                                      headers=headers, json={"ratings": full_ratings()}),
        "report": client.get(f"/api/v1/rounds/{closed.id}/report", headers=headers),
        "report.csv": client.get(f"/api/v1/rounds/{closed.id}/report.csv", headers=headers),
        "report.pdf": client.get(f"/api/v1/rounds/{closed.id}/report.pdf", headers=headers),
        "refused": client.get("/api/v1/rounds/999999", headers=headers),
    }

    statuses = {name: response.status_code for name, response in requests.items()}
    assert all(status < 300 for name, status in statuses.items() if name != "refused"), statuses
    assert {name: response.headers.get("cache-control") for name, response in requests.items()} \
        == dict.fromkeys(requests, "no-store")
