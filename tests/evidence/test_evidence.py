"""Rule 14: evidence of completion carries an unguessable code, stored hashed; `/verify/{code}`
confirms the right facts to anyone, without results; an unknown code is a 404."""

import io
import re

import pytest
from pypdf import PdfReader
from sqlmodel import select

from app.evidence.models import EvidenceRecord
from tests.builders import (
    api_headers,
    make_closed_round,
    make_employer,
    make_national_user,
    make_organisation,
    make_round,
    post_form,
    same_answers,
    sign_in,
)
from tests.html import assert_good_page

CODE = re.compile(r"^[A-HJKMNP-Z2-9]{4}(-[A-HJKMNP-Z2-9]{4}){4}$")


@pytest.fixture
def closed(session):
    organisation = make_organisation(session, name="Riverside Council")
    lead = make_employer(session, organisation=organisation)
    answers = same_answers({"self_assessment": [2], "nqsw": [3, 3, 3, 3], "line_manager": [5],
                            "other": [4, 4]})
    round_ = make_closed_round(session, organisation=organisation, year="2025-26",
                               answers=answers)
    return lead, round_


def test_the_evidence_carries_a_code_that_verifies_the_right_facts_and_no_results(
    client, session, closed
):
    lead, round_ = closed

    evidence = client.get(f"/api/v1/rounds/{round_.id}/evidence", headers=api_headers(lead))

    assert evidence.status_code == 200, evidence.text
    body = evidence.json()
    code = body["verification_code"]
    assert CODE.match(code)
    assert body["verify_url"] == f"http://testserver/verify/{code}"
    facts = {"organisation": "Riverside Council", "programme": "child_and_family",
             "programme_label": "Child and family", "year": "2025-26",
             "closed_on": round_.closed_at.date().isoformat(),
             "counts": {"self_assessment": 1, "nqsw": 4, "line_manager": 1, "other": 2},
             "meets_minimum": True, "minimum_reasons": []}
    assert {key: body[key] for key in facts} == facts
    # Asked again (or by a national user), the same code.
    national = make_national_user(session)
    again = client.get(f"/api/v1/rounds/{round_.id}/evidence", headers=api_headers(national))
    assert again.json()["verification_code"] == code

    client.cookies.clear()
    verified = client.get(f"/api/v1/verify/{code}")  # nobody signed in
    assert verified.status_code == 200
    assert verified.json() == facts
    assert "average" not in verified.text and "rag" not in verified.text
    typed = client.get(f"/api/v1/verify/{code.lower().replace('-', ' ')}")
    assert typed.json() == facts

    page = assert_good_page(client.get(f"/verify/{code}"),
                            title_contains="Evidence of completion verified")
    text = page.select_one("#evidence-facts").get_text(" ")
    assert "Riverside Council" in text and "NQSWs: 4" in text
    assert page.select_one("#evidence-minimum").get_text(strip=True) == "Yes"


def test_the_code_is_stored_only_as_a_hash(client, session, closed):
    lead, round_ = closed
    code = client.get(f"/api/v1/rounds/{round_.id}/evidence",
                      headers=api_headers(lead)).json()["verification_code"]

    [record] = session.exec(select(EvidenceRecord)).all()

    stored = " ".join(str(value) for value in record.model_dump().values())
    assert code not in stored and code.replace("-", "") not in stored
    assert len(record.code_hash) == 64


@pytest.mark.parametrize("code", ["AAAA-BBBB-CCCC-DDDD-EEEE", "nonsense", "x" * 64])
def test_an_unknown_code_is_a_404_page_and_json(client, session, closed, code):
    lead, round_ = closed
    client.get(f"/api/v1/rounds/{round_.id}/evidence", headers=api_headers(lead))

    api = client.get(f"/api/v1/verify/{code}")
    page = client.get(f"/verify/{code}")

    assert api.status_code == 404 and api.json() == {
        "detail": "No evidence of completion has this verification code"}
    assert page.status_code == 404
    assert_good_page(page, title_contains="No evidence has this verification code")


def test_an_open_round_has_no_evidence_yet(client, session):
    organisation = make_organisation(session)
    lead = make_employer(session, organisation=organisation)
    round_ = make_round(session, organisation=organisation, status="open")

    response = client.get(f"/api/v1/rounds/{round_.id}/evidence", headers=api_headers(lead))

    assert response.status_code == 409
    assert session.exec(select(EvidenceRecord)).all() == []


def test_another_organisation_cannot_get_the_evidence(client, session, closed):
    _, round_ = closed
    stranger = make_employer(session)

    response = client.get(f"/api/v1/rounds/{round_.id}/evidence", headers=api_headers(stranger))

    assert response.status_code == 404


def test_the_pdf_is_one_page_with_the_code_and_the_verify_link(client, session, closed):
    lead, round_ = closed
    sign_in(client, lead)

    response = client.get(f"/rounds/{round_.id}/evidence.pdf")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.content))
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    code = client.get(f"/api/v1/rounds/{round_.id}/evidence",
                      headers=api_headers(lead)).json()["verification_code"]
    assert code in text and f"/verify/{code}" in text.replace("\n", "")
    assert "Riverside Council" in text


def test_the_verify_form_takes_a_code_as_typed(client, session, closed):
    lead, round_ = closed
    code = client.get(f"/api/v1/rounds/{round_.id}/evidence",
                      headers=api_headers(lead)).json()["verification_code"]
    client.cookies.clear()
    assert_good_page(client.get("/verify"))

    empty = post_form(client, "/verify", {"code": ""})
    typed = post_form(client, "/verify", {"code": f" {code.lower()} "}, follow_redirects=False)

    assert empty.status_code == 422
    assert "Enter the verification code" in assert_good_page(empty).get_text()
    assert typed.status_code == 303 and typed.headers["location"] == f"/verify/{code}"
