"""The survey API of PRODUCT.md section 5: GET /survey/{token}, POST /survey/{token}/responses."""

import pytest
from sqlmodel import select

from app.config import get_settings
from app.survey.codes import create_codes
from app.survey.models import SurveyResponse
from tests.builders import count_stored, full_ratings, make_survey_round


def post(client, token, ratings, **headers):
    return client.post(f"/api/v1/survey/{token}/responses", json={"ratings": ratings},
                       headers=headers)


def test_a_survey_shows_its_round_respondent_type_and_statement_set(client, session):
    made = make_survey_round(session)

    response = client.get(f"/api/v1/survey/{made.links['line_manager']}")

    assert response.status_code == 200
    body = response.json()
    assert body["round"] == {"organisation": "Riverside Council", "programme": "child_and_family",
                             "year": "2025-26", "status": "open"}
    assert body["respondent_type"] == "line_manager"
    statements = body["statement_set"]
    assert statements["key"] == "child-and-family-2019"
    assert [p["value"] for p in statements["scale"]] == [1, 2, 3, 4, 5]
    assert [len(t["statements"]) for t in statements["themes"]] == [19, 5, 2, 6]
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_a_closed_survey_can_still_be_read_and_says_it_is_closed(client, session):
    made = make_survey_round(session, status="closed")

    response = client.get(f"/api/v1/survey/{made.token}")

    assert response.status_code == 200 and response.json()["round"]["status"] == "closed"


def test_an_unknown_link_is_a_json_404(client, session):
    make_survey_round(session)

    for response in (client.get("/api/v1/survey/no-such-token"),
                     post(client, "no-such-token", full_ratings())):
        assert response.status_code == 404
        assert "link" in response.json()["detail"]


def test_a_response_is_stored_and_the_answer_holds_nothing_to_link_it_back(client, session):
    made = make_survey_round(session)

    response = post(client, made.links["other"], full_ratings(3, s12=None))

    assert response.status_code == 201
    assert response.json() == {
        "status": "stored",
        "round": {"organisation": "Riverside Council", "programme": "child_and_family",
                  "year": "2025-26", "status": "open"},
        "respondent_type": "other",
    }
    stored = session.exec(select(SurveyResponse)).one()
    assert stored.id not in response.text
    assert "set-cookie" not in response.headers
    assert count_stored(session) == (1, 32, 0)


@pytest.mark.parametrize(
    ("change", "statement"),
    [({"s4": 0}, "4"), ({"s4": 6}, "4"), ({"s4": 3.5}, "4"), ({"s4": "4"}, "4"),
     ({"s4": True}, "4"), ({"s33": 2}, "33"), ({"s4": "missing"}, "4")],
    ids=["zero", "six", "half", "string", "true", "unknown", "missing"],
)
def test_each_bad_rating_is_a_422_naming_the_statement_with_nothing_stored(
    client, session, change, statement
):
    made = make_survey_round(session)
    ratings = {k: v for k, v in full_ratings(**change).items() if v != "missing"}

    response = post(client, made.token, ratings, **{"Idempotency-Key": "k1"})

    assert response.status_code == 422
    body = response.json()
    assert list(body["errors"]) == [statement]
    assert isinstance(body["detail"], str) and f"statement {statement}:" in body["detail"]
    assert "nothing was stored" in body["detail"]
    assert count_stored(session) == (0, 0, 0)
    # The refused key was not remembered: the corrected response is stored with it.
    assert post(client, made.token, full_ratings(), **{"Idempotency-Key": "k1"}).status_code == 201


def test_a_422_names_every_problem_at_once(client, session):
    made = make_survey_round(session)
    ratings = full_ratings(s1=0, s2="5", s40=1)
    del ratings["17"]

    response = post(client, made.token, ratings)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["1", "2", "17", "40"]


@pytest.mark.parametrize("body", [{"ratings": [4] * 32}, {"ratings": None}, {}, {"rating": {}}])
def test_a_malformed_body_is_a_422_with_a_readable_detail(client, session, body):
    made = make_survey_round(session)

    response = client.post(f"/api/v1/survey/{made.token}/responses", json=body)

    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str) and "ratings" in response.json()["detail"]
    assert count_stored(session).responses == 0


@pytest.mark.parametrize("status", ["closed", "draft"])
def test_a_round_that_is_not_open_refuses_with_409(client, session, status):
    made = make_survey_round(session, status=status)

    response = post(client, made.token, full_ratings())

    assert response.status_code == 409
    assert ("closed" if status == "closed" else "not open yet") in response.json()["detail"]
    assert count_stored(session).responses == 0


def test_a_retry_with_the_same_idempotency_key_returns_the_same_201_and_stores_once(
    client, session
):
    made = make_survey_round(session)

    first = post(client, made.token, full_ratings(), **{"Idempotency-Key": "abc-123"})
    retry = post(client, made.token, full_ratings(), **{"Idempotency-Key": "abc-123"})
    other = post(client, made.token, full_ratings(), **{"Idempotency-Key": "abc-124"})

    assert (first.status_code, retry.status_code, other.status_code) == (201, 201, 201)
    assert retry.json() == first.json()
    assert count_stored(session).responses == 2


def test_a_flood_on_one_link_meets_the_ceiling_with_a_429(client, session, monkeypatch):
    made = make_survey_round(session)
    monkeypatch.setattr(get_settings(), "submissions_per_link_per_minute", 3)

    statuses = [post(client, made.token, full_ratings()).status_code for _ in range(4)]

    assert statuses == [201, 201, 201, 429]
    refused = post(client, made.token, full_ratings())
    assert int(refused.headers["retry-after"]) >= 1 and "Try again" in refused.json()["detail"]
    assert count_stored(session).responses == 3


def test_a_flood_of_codes_from_one_address_meets_the_ceiling_before_any_lookup(
    client, session, monkeypatch
):
    monkeypatch.setattr(get_settings(), "submissions_per_link_per_minute", 2)

    statuses = [
        client.post("/api/v1/survey/code/responses",
                    json={"code": "AAAA-BBBB-CCCC", "ratings": full_ratings()}).status_code
        for _ in range(3)
    ]

    assert statuses == [404, 404, 429]


def test_a_single_use_code_sends_one_response_then_refuses(client, session):
    made = make_survey_round(session)
    [code] = create_codes(session=session, round_id=made.round.id, respondent_type="nqsw", count=1)

    def send(code, key):
        return client.post("/api/v1/survey/code/responses",
                           json={"code": code, "ratings": full_ratings()},
                           headers={"Idempotency-Key": key})

    assert send(code, "one").status_code == 201
    assert send(code.lower(), "one").status_code == 201  # a retry of the same submission
    used = send(code, "two")
    assert used.status_code == 409 and "already been used" in used.json()["detail"]
    assert send("AAAA-BBBB-CCCC", "three").status_code == 404
    assert count_stored(session) == (1, 32, 1)


def test_the_openapi_schema_documents_the_survey_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    assert {"get"} <= set(paths["/api/v1/survey/{token}"])
    submit = paths["/api/v1/survey/{token}/responses"]["post"]
    assert {"201", "404", "409", "422"} <= set(submit["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in submit["parameters"])
    assert "/api/v1/survey/code/responses" in paths


def test_refused_submissions_never_use_up_the_links_ceiling(app, session, monkeypatch):
    # Issue 13, item 4: junk with empty ratings from one address cannot shut a link.
    from fastapi.testclient import TestClient

    made = make_survey_round(session)
    monkeypatch.setattr(get_settings(), "submissions_per_link_per_minute", 3)
    monkeypatch.setattr(get_settings(), "refused_submissions_per_address_per_minute", 5)
    with TestClient(app, client=("203.0.113.9", 5000)) as attacker:
        junk = [attacker.post(f"/api/v1/survey/{made.token}/responses",
                              json={"ratings": {}}).status_code for _ in range(7)]
    with TestClient(app, client=("198.51.100.1", 5000)) as respondent:
        answers = [post(respondent, made.token, full_ratings()).status_code for _ in range(4)]

    assert junk == [422] * 5 + [429] * 2  # counted against the sender's address
    assert answers == [201, 201, 201, 429]  # the link's ceiling counts stored answers only
    assert count_stored(session).responses == 3
