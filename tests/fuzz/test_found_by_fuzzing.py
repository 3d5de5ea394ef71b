"""What the fuzzer found, pinned down as plain tests so it stays fixed."""

from app.lifecycle.deps import MAX_ID
from app.main import API_PREFIX
from tests.builders import api_headers, make_employer


def test_a_round_id_too_big_for_the_database_is_refused_as_invalid_not_as_busy(client, session):
    # On PostgreSQL this used to reach the database, fail with "integer out of range" and come
    # back as 503 "The service is busy".
    headers = api_headers(make_employer(session))

    response = client.get(f"{API_PREFIX}/rounds/{MAX_ID + 1}", headers=headers)

    assert response.status_code == 422
    assert "round_id" in response.json()["detail"]


def test_the_schema_describes_validation_errors_as_they_are_sent(client):
    schema = client.get(f"{API_PREFIX}/openapi.json").json()
    refused = client.post(f"{API_PREFIX}/survey/x/responses", json={}).json()

    documented = schema["components"]["schemas"]["HTTPValidationError"]["properties"]
    assert documented["detail"]["type"] == "string" and isinstance(refused["detail"], str)
    assert documented["errors"]["type"] == "array" and isinstance(refused["errors"], list)


def test_a_body_that_cannot_be_parsed_gets_a_documented_400(client):
    schema = client.get(f"{API_PREFIX}/openapi.json").json()

    response = client.post(f"{API_PREFIX}/survey/x/responses", content=b"\xff{",
                           headers={"Content-Type": "application/json"})

    assert response.status_code in (400, 422)
    assert str(response.status_code) in (
        schema["paths"][f"{API_PREFIX}/survey/{{token}}/responses"]["post"]["responses"])
    assert isinstance(response.json()["detail"], str)


def test_html_pages_are_not_in_the_api_schema(client):
    paths = client.get(f"{API_PREFIX}/openapi.json").json()["paths"]

    assert [p for p in paths if p.startswith("/rounds/")] == []
