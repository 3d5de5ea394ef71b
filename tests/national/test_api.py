"""GET /api/v1/national/{year}: who may call it, bad input, caching and the OpenAPI contract."""

import pytest

from app.national.schemas import NATIONAL_RESULTS_EXAMPLE, NationalResults
from app.national.service import default_year
from tests.builders import (
    bearer,
    make_closed_round,
    make_organisation,
    make_user,
    same_answers,
)

URL = "/api/v1/national/2025-26?programme=child_and_family"
QUALIFYING = {"self_assessment": [4], "nqsw": [4, 4, 5], "line_manager": [3]}


def qualifying_rounds(session, count: int = 3) -> None:
    for _ in range(count):
        make_closed_round(session, organisation=make_organisation(session),
                   answers=same_answers(QUALIFYING))


@pytest.fixture
def national(client, session):
    return bearer(client, make_user(session, role="national"))


def test_anonymous_callers_are_asked_to_sign_in(client, session):
    qualifying_rounds(session)

    response = client.get(URL)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "detail" in response.json()


def test_employers_are_refused_national_results(client, session):
    qualifying_rounds(session)
    employer = make_user(session, role="employer", organisation=make_organisation(session))

    response = client.get(URL, headers=bearer(client, employer))

    assert response.status_code == 403
    assert response.json() == {"detail": "Only a national account can do this"}


def test_a_forged_token_is_refused(client, session):
    response = client.get(URL, headers={"Authorization": "Bearer not.a.token"})

    assert response.status_code == 401


def test_national_users_get_results_in_the_contract_shape(client, session, national):
    qualifying_rounds(session)

    response = client.get(URL, headers=national)

    assert response.status_code == 200
    body = response.json()
    NationalResults.model_validate(body)
    for field in ("year", "programme", "statement_set", "participation", "organisations",
                  "themes", "statements", "highest", "lowest", "previous_year", "groups"):
        assert field in body
    assert set(body["participation"]) == {"registered", "with_round", "with_data_not_qualifying",
                                          "qualifying", "second_round_or_later"}
    first = body["statements"][0]
    # (4 + 4 + 4 + 5 + 3) / 5 = 4.0 in every organisation.
    assert {k: first[k] for k in ("number", "theme", "average", "min", "max", "rag",
                                  "organisations")} == {
        "number": 1, "theme": 1, "average": 4.0, "min": 4.0, "max": 4.0, "rag": "green",
        "organisations": 3}
    assert body["groups"] == {}
    assert body["highest"] == body["lowest"] == list(range(1, 33))


@pytest.mark.parametrize("path, detail", [
    ("/api/v1/national/2025?programme=child_and_family", "path.year"),
    ("/api/v1/national/2025-27?programme=child_and_family", "academic year"),
    ("/api/v1/national/2025-26?programme=nursing", "programme must be one of"),
    ("/api/v1/national/2025-26?programme=adults&group_by=postcode", "group_by"),
    ("/api/v1/national/2025-26?programme=adults&statement_set=nope", "statement_set"),
])
def test_malformed_or_unknown_parameters_get_a_422_saying_which(
    client, national, path, detail
):
    response = client.get(path, headers=national)

    assert response.status_code == 422
    assert detail in response.json()["detail"]


def test_without_a_programme_the_api_answers_for_the_programme_the_page_picks(
    client, session, national
):
    qualifying_rounds(session)
    make_closed_round(session, organisation=make_organisation(session), programme="adults",
                      answers=same_answers(QUALIFYING))

    response = client.get("/api/v1/national/2025-26", headers=national)

    assert response.status_code == 200
    assert response.json()["programme"] == "child_and_family"  # 3 rounds against 1
    assert response.json() == client.get(URL, headers=national).json()


def test_the_national_page_opens_on_the_latest_year_with_qualifying_data(client, session):
    qualifying_rounds(session)
    # A new year has begun: one round closed early without enough answers to qualify.
    make_closed_round(session, organisation=make_organisation(session), year="2026-27",
                      answers=same_answers({"nqsw": [4]}))

    assert default_year(session=session, programme="child_and_family") == "2025-26"


def test_the_response_carries_an_etag_and_answers_304_while_it_still_holds(
    client, session, national
):
    qualifying_rounds(session)

    first = client.get(URL, headers=national)
    etag = first.headers["etag"]
    again = client.get(URL, headers={**national, "If-None-Match": etag})
    weak = client.get(URL, headers={**national, "If-None-Match": f'"other", W/{etag}'})
    other_query = client.get(f"{URL}&group_by=region", headers={**national,
                                                                "If-None-Match": etag})

    assert first.headers["cache-control"] == "no-store"
    assert etag.startswith('"') and etag.endswith('"')
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == "no-store"
    assert weak.status_code == 304
    assert other_query.status_code == 200
    assert other_query.headers["etag"] != etag


def test_the_etag_changes_when_another_round_qualifies(client, session, national):
    qualifying_rounds(session)
    etag = client.get(URL, headers=national).headers["etag"]
    qualifying_rounds(session, count=1)

    response = client.get(URL, headers={**national, "If-None-Match": etag})

    assert response.status_code == 200
    assert response.headers["etag"] != etag
    assert response.json()["organisations"] == 4


def test_a_304_still_needs_a_national_user(client, session, national):
    qualifying_rounds(session)
    etag = client.get(URL, headers=national).headers["etag"]

    response = client.get(URL, headers={"If-None-Match": etag})

    assert response.status_code == 401


def test_the_openapi_example_is_a_valid_response():
    NationalResults.model_validate(NATIONAL_RESULTS_EXAMPLE)


def test_the_openapi_schema_documents_the_endpoint_with_an_example(client):
    schema = client.get("/api/v1/openapi.json").json()

    operation = schema["paths"]["/api/v1/national/{year}"]["get"]
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["$ref"].endswith("/NationalResults")
    assert {"304", "401", "403", "422"} <= set(operation["responses"])
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert {"year", "programme", "group_by", "statement_set"} <= set(parameters)
    model = schema["components"]["schemas"]["NationalResults"]
    example = model["examples"][0]
    # FastAPI drops nulls from the published schema, so compare the example's other values.
    assert example["participation"] == NATIONAL_RESULTS_EXAMPLE["participation"]
    assert example["groups"]["north_east"]["suppressed"] == "not enough organisations yet"
    assert set(example) == set(NationalResults.model_fields)
    group_by = schema["components"]["schemas"]["GroupBy"]
    assert group_by["enum"] == ["region", "teaching_partnership", "employer_type",
                                "respondent_type"]
