"""Sharing an open round (issue 15): texts per respondent type with the link and closing date,
an A4 poster per type, single-use codes as printable slips (shown once), "other" explained."""

import io
import re

import pytest
from pypdf import PdfReader
from sqlmodel import select

from app.lifecycle.models import Round
from app.survey.codes import hash_code
from app.survey.models import InvitationCode, RoundLink
from tests.builders import make_employer, make_survey_round, post_form, sign_in
from tests.html import assert_good_page


@pytest.fixture
def made(session, client):
    made = make_survey_round(session, name="Riverside Council")
    sign_in(client, make_employer(session, organisation=made.organisation))
    return made


def pdf_text(response) -> tuple[int, str]:
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return len(reader.pages), " ".join(page.extract_text() for page in reader.pages)


def closing_words(session, made) -> str:
    closes_on = session.get(Round, made.round.id).closes_on
    return f"{closes_on.day} {closes_on.strftime('%B %Y')}"


def test_the_share_page_has_each_types_texts_with_its_own_link_and_the_closing_date(
    client, session, made
):
    soup = assert_good_page(client.get(f"/rounds/{made.round.id}/share"))

    for kind, token in made.links.items():
        for text in ("invitation", "reminder"):
            words = soup.select_one(f"#{text}-{kind}").get_text(" ")
            assert f"http://testserver/survey/{token}" in words
            assert closing_words(session, made) in words
            others = [t for k, t in made.links.items() if k != kind]
            assert not any(other in words for other in others)
    assert "practice educators" in soup.select_one("#who-is-other").find_next("p").get_text()


def test_the_share_page_shows_each_types_own_short_link(client, session, made):
    soup = assert_good_page(client.get(f"/rounds/{made.round.id}/share"))

    for kind, short_code in session.exec(select(RoundLink.respondent_type, RoundLink.short_code)
                                         .where(RoundLink.round_id == made.round.id)):
        shown = soup.select_one(f"#short-link-{kind}").get_text(strip=True)
        assert shown == f"http://testserver/s/{short_code[:5]}-{short_code[5:]}"


def test_a_poster_per_type_is_one_a4_page_with_the_short_link_and_closing_date(
    client, session, made
):
    pages, text = pdf_text(client.get(f"/rounds/{made.round.id}/poster.pdf?type=line_manager"))

    assert pages == 1
    flat = text.replace("\n", "")
    short_code = session.exec(select(RoundLink.short_code).where(
        RoundLink.round_id == made.round.id, RoundLink.respondent_type == "line_manager")).one()
    short_url = f"http://testserver/s/{short_code[:5]}-{short_code[5:]}"
    assert short_url in flat
    # The one on the poster is the one a person types: it leads to the line managers' survey.
    typed = short_url.removeprefix("http://testserver").lower()
    assert client.get(typed, follow_redirects=False).headers["location"] == \
        f"/survey/{made.links['line_manager']}"
    assert f"Closes on {closing_words(session, made)}" in text
    assert "line managers" in text
    assert client.get(f"/rounds/{made.round.id}/poster.pdf?type=self_assessment"
                      ).status_code == 404


def test_codes_come_once_as_slips_each_a_working_code(client, session, made):
    response = post_form(client, f"/rounds/{made.round.id}/codes",
                         {"nqsw": "3", "other": "2", "format": "pdf"})

    _, text = pdf_text(response)
    codes = re.findall(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b", text)
    assert len(codes) == 5 and len(set(codes)) == 5
    assert text.count("You answer as: NQSW") == 3
    stored = set(session.exec(select(InvitationCode.code_hash)).all())
    assert {hash_code(code) for code in codes} == stored
