"""The reference and statement-set endpoints, as PRODUCT.md section 5 describes them."""

from app.config import ROOT
from app.statements.loader import load_statement_set


def test_reference_lists_every_list_as_keys_and_labels(client):
    response = client.get("/api/v1/reference")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "regions",
        "teaching_partnerships",
        "employer_types",
        "programmes",
        "respondent_types",
    }
    for items in body.values():
        assert items and all(set(item) == {"key", "label"} for item in items)
    assert {"key": "london", "label": "London"} in body["regions"]
    assert [i["key"] for i in body["respondent_types"]] == [
        "self_assessment",
        "nqsw",
        "line_manager",
        "other",
    ]


def test_statement_sets_are_listed(client):
    response = client.get("/api/v1/statement-sets")
    assert response.status_code == 200
    keys = [s["key"] for s in response.json()]
    assert "child-and-family-2019" in keys


def test_one_statement_set_has_its_scale_and_themes_with_statements(client):
    response = client.get("/api/v1/statement-sets/child-and-family-2019")
    assert response.status_code == 200
    body = response.json()
    expected = load_statement_set(ROOT / "statements" / "sets" / "child-and-family-2019.yaml")
    assert [p["value"] for p in body["scale"]] == [1, 2, 3, 4, 5]
    assert body["scale"][4]["label"] == "Exceptional strength"
    assert [len(t["statements"]) for t in body["themes"]] == [19, 5, 2, 6]
    first = body["themes"][0]["statements"][0]
    assert first == {"number": 1, "text": expected.statements[0].text}


def test_an_unknown_statement_set_is_a_json_404(client):
    response = client.get("/api/v1/statement-sets/no-such-set")
    assert response.status_code == 404
    assert "no-such-set" in response.json()["detail"]


def test_the_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/statement-sets/{key}" in schema.json()["paths"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
