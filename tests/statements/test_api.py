"""The reference and statement-set endpoints, as PRODUCT.md section 5 describes them."""

from sqlmodel import select, update

from app.config import ROOT, get_settings
from app.partnerships import service as partnerships_service
from app.partnerships.models import TeachingPartnership
from app.statements.loader import load_statement_set
from tests.builders import api_headers, make_national_user


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


# GET /reference lists the active Teaching Partnerships from a per-process copy
# (app.partnerships.service.cached_active_partnerships): changes made here show at once, changes
# made elsewhere within PARTNERSHIPS_CACHE_SECONDS.

PARTNERSHIPS_API = "/api/v1/national/teaching-partnerships"


def _reference_partnerships(client) -> dict[str, str]:
    response = client.get("/api/v1/reference")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    return {item["key"]: item["label"] for item in response.json()["teaching_partnerships"]}


def _table_partnerships(session) -> dict[str, str]:
    """The active partnerships as the table holds them (the independent oracle)."""
    session.expire_all()
    return {p.key: p.name for p in session.exec(
        select(TeachingPartnership).where(TeachingPartnership.retired_at.is_(None)))}


def test_reference_lists_the_tables_active_partnerships_in_order(client, session):
    body = client.get("/api/v1/reference").json()["teaching_partnerships"]
    assert body == [{"key": p.key, "label": p.name} for p in session.exec(
        select(TeachingPartnership).order_by(TeachingPartnership.id))]


def test_changes_through_the_api_show_in_reference_at_once(client, session):
    headers = api_headers(make_national_user(session))
    assert _reference_partnerships(client) == _table_partnerships(session)  # the copy is made

    assert client.patch(f"{PARTNERSHIPS_API}/surrey_tp", headers=headers,
                        json={"name": "Surrey and Borders TP"}).status_code == 200
    assert _reference_partnerships(client)["surrey_tp"] == "Surrey and Borders TP"

    assert client.patch(f"{PARTNERSHIPS_API}/essex_tp", headers=headers,
                        json={"retired": True}).status_code == 200
    assert "essex_tp" not in _reference_partnerships(client)

    added = client.post(PARTNERSHIPS_API, headers=headers, json={"name": "Humber TP"}).json()
    listed = _reference_partnerships(client)
    assert listed[added["key"]] == "Humber TP"
    assert listed == _table_partnerships(session)


def test_a_change_made_elsewhere_shows_once_the_copy_is_older_than_the_setting(
        client, session, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(partnerships_service, "_clock", lambda: now[0])
    ttl = get_settings().partnerships_cache_seconds
    assert ttl > 0
    before = _reference_partnerships(client)
    # Another process renames (its own cache is forgotten, not this one's).
    session.exec(update(TeachingPartnership).where(TeachingPartnership.key == "surrey_tp")
                 .values(name="Renamed Elsewhere TP"))
    session.commit()

    now[0] += ttl - 0.01
    assert _reference_partnerships(client) == before  # within the bound: the old copy
    now[0] += 0.01
    after = _reference_partnerships(client)
    assert after["surrey_tp"] == "Renamed Elsewhere TP"
    assert after == _table_partnerships(session)


def test_a_read_that_began_before_a_change_is_not_kept(session, monkeypatch):
    reading = partnerships_service.list_partnerships

    def read_then_change_elsewhere(**kwargs):
        rows = reading(**kwargs)
        partnerships_service.forget_active_partnerships()  # a change commits meanwhile
        return rows

    partnerships_service.forget_active_partnerships()
    monkeypatch.setattr(partnerships_service, "list_partnerships", read_then_change_elsewhere)
    assert partnerships_service.load_active_partnerships()  # answered, but not kept
    assert partnerships_service.cached_active_partnerships() is None
    monkeypatch.setattr(partnerships_service, "list_partnerships", reading)
    rows = partnerships_service.load_active_partnerships()
    assert partnerships_service.cached_active_partnerships() == rows


def test_with_no_cache_every_request_reads_the_table(client, session, monkeypatch):
    monkeypatch.setenv("PARTNERSHIPS_CACHE_SECONDS", "0")
    get_settings.cache_clear()
    try:
        _reference_partnerships(client)
        session.exec(update(TeachingPartnership).where(TeachingPartnership.key == "surrey_tp")
                     .values(name="Renamed Elsewhere TP"))
        session.commit()
        assert _reference_partnerships(client)["surrey_tp"] == "Renamed Elsewhere TP"
    finally:
        monkeypatch.delenv("PARTNERSHIPS_CACHE_SECONDS")
        get_settings.cache_clear()
