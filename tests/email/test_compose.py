"""Composing an email: both parts from the template pair, UTF-8, subject from the text template."""

import html

import pytest
from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import TemplateNotFound, UndefinedError

from app.email.compose import compose_email, render_email
from app.email.service import prepare_email
from tests.smtp import parse_email

SENDER = "ASYE 360 <asye360@example.org>"
CONTEXT = {
    "name": "Zoë Ødegård",
    "organisation": "Tŷ Newydd & Partners <Ltd>",
    "link": "https://asye360.example.org/reset/abc?token=s3cret&x=1",
}


def compose(context=CONTEXT, to="lead@example.org"):
    message = compose_email(
        template="test_message", context=context, to=to, sender=SENDER, reference="ref-1"
    )
    # As a mail client sees it: the bytes on the wire, parsed again.
    return parse_email(message.as_bytes())


def test_a_message_has_a_plain_text_and_an_html_part_both_utf8():
    message = compose()
    assert message.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in message.iter_parts()]
    # Plain text first: clients show the last part they understand, so HTML is preferred.
    assert parts == ["text/plain", "text/html"]
    assert all(part.get_content_charset() == "utf-8" for part in message.iter_parts())


def test_the_headers_come_from_the_caller_and_the_subject_from_the_template():
    message = compose()
    assert message["From"] == SENDER
    assert message["To"] == "lead@example.org"
    assert message["Subject"] == f"Test message for {CONTEXT['organisation']}"
    assert message["Message-ID"].endswith("@example.org>") and ".ref-1@" in message["Message-ID"]
    assert message["Date"]


def test_text_is_as_typed_and_html_is_escaped_and_both_survive_utf8():
    message = compose()
    text = message.get_body(("plain",)).get_content()
    page = message.get_body(("html",)).get_content()
    assert "Dear Zoë Ødegård," in text
    assert CONTEXT["link"] in text
    assert f"for {CONTEXT['organisation']}." in text
    assert html.escape(CONTEXT["organisation"], quote=False) in page
    assert "<Ltd>" not in page
    soup = BeautifulSoup(page, "html.parser")
    assert soup.find("a")["href"] == CONTEXT["link"]


def test_the_html_part_is_an_accessible_page_with_nothing_fetched_from_elsewhere():
    message = compose()
    soup = BeautifulSoup(message.get_body(("html",)).get_content(), "html.parser")
    assert soup.html["lang"] == "en"
    assert soup.title.get_text() == message["Subject"]
    assert soup.find("meta", charset=True)["charset"] == "utf-8"
    assert len(soup.find_all("h1")) == 1
    assert not soup.find_all(["img", "script", "link", "iframe", "object", "style"])
    assert not [tag for tag in soup.find_all(True) if tag.has_attr("src")]
    # Every link says where it goes: no "click here", no empty link text.
    assert all(a.get_text(strip=True) for a in soup.find_all("a"))


def test_a_subject_is_one_line_whatever_the_context_holds():
    message = compose({**CONTEXT, "organisation": "Riverside\r\nBcc: attacker@example.com"})
    assert message["Subject"] == "Test message for Riverside Bcc: attacker@example.com"
    assert message["Bcc"] is None


def test_a_template_missing_a_variable_fails_loudly_before_anything_is_sent():
    with pytest.raises(UndefinedError):
        render_email("test_message", {"name": "Ann", "organisation": "Riverside"})


def test_an_unknown_template_fails_loudly():
    with pytest.raises(TemplateNotFound):
        render_email("no_such_email", CONTEXT)


@pytest.mark.parametrize(
    "to",
    ["", "not-an-address", "a@example.org, b@example.org", "a@example.org\r\nBcc: b@example.org"],
)
def test_an_email_goes_to_exactly_one_address(to):
    with pytest.raises(ValueError, match="one address"):
        prepare_email(to=to, template="test_message", context=CONTEXT)


@pytest.mark.parametrize("reference", ["../../etc/passwd", "a b", "-leading", "x" * 65, "é"])
def test_a_reference_is_safe_in_a_file_name_and_a_log(reference):
    with pytest.raises(ValueError, match="reference"):
        prepare_email(
            to="a@example.org", template="test_message", context=CONTEXT, reference=reference
        )


# Any text a name or an organisation may hold (no control characters: they are not typed
# into a form), with the characters HTML and MIME treat specially.
typed_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs")) | st.sampled_from("&<>\"'=?_"),
    min_size=1,
    max_size=60,
).filter(lambda value: value.strip())


@given(name=typed_text, organisation=typed_text)
def test_any_typed_text_arrives_intact_in_both_parts_and_the_subject(name, organisation):
    message = compose({**CONTEXT, "name": name, "organisation": organisation})
    text = message.get_body(("plain",)).get_content()
    soup = BeautifulSoup(message.get_body(("html",)).get_content(), "html.parser")
    assert f"Dear {name}," in text
    paragraphs = [p.get_text() for p in soup.find_all("p")]
    assert f"Dear {name}," in paragraphs
    # The subject is the template's words with the organisation's whitespace runs made single.
    assert message["Subject"] == " ".join(f"Test message for {organisation}".split())
    assert soup.title.get_text() == message["Subject"]
