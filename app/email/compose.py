"""Compose an email from its template pair: plain text and HTML, UTF-8, subject from the text.

`frontend/templates/email/<name>.txt` extends `email/layout.txt` and sets the subject in its
`subject` block; `email/<name>.html` extends `email/layout.html`, which puts that subject in the
page title. The subject comes from the text template so that `&` or `<` in a name stays as typed
instead of arriving HTML-escaped in the subject line.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.config import ROOT

# Strict: a variable a template expects but was not given fails in the tests, not in an inbox.
environment = Environment(
    loader=FileSystemLoader(ROOT / "frontend" / "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render_email(template: str, context: Mapping[str, Any]) -> RenderedEmail:
    """Render `email/<template>.txt` and `.html` with the same context."""
    text_template = environment.get_template(f"email/{template}.txt")
    if "subject" not in text_template.blocks:
        raise ValueError(f"email/{template}.txt has no subject block")
    subject_parts = text_template.blocks["subject"](text_template.new_context(dict(context)))
    # One line, whatever the context holds: a newline in a header would start another header.
    subject = " ".join("".join(subject_parts).split())
    if not subject:
        raise ValueError(f"email/{template}.txt rendered an empty subject")
    text = text_template.render(context)
    html = environment.get_template(f"email/{template}.html").render(
        {**context, "subject": subject}
    )
    return RenderedEmail(subject=subject, text=text, html=html)


def compose_email(
    *, template: str, context: Mapping[str, Any], to: str, sender: str, reference: str
) -> EmailMessage:
    """A multipart/alternative message (plain text first, HTML preferred), both parts UTF-8."""
    rendered = render_email(template, context)
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(usegmt=True)
    # The reference in the Message-ID lets a delivery problem be traced from the server's logs
    # to ours without anyone writing the recipient's address down.
    message["Message-ID"] = make_msgid(idstring=reference, domain=_domain_of(sender))
    # Quoted-printable keeps an .eml file in the outbox readable in a text editor.
    message.set_content(rendered.text, charset="utf-8", cte="quoted-printable")
    message.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message


def _domain_of(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "localhost"
