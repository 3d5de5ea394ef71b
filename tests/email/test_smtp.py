"""Sending through a real SMTP server (aiosmtpd): delivery, TLS, sign-in, retries and failures."""

import asyncio
import logging
import time

import pytest
import trustme
from hypothesis import given, settings
from hypothesis import strategies as st

from app.email.service import send_email
from tests.smtp import (
    email_settings,
    running_smtp_server,
    server_tls_context,
    silent_server,
    smtp_login,
)

TOKEN = "s3cret-token-QWxhZGRpbjpvcGVu"
RECIPIENT = "zoe.lead@riverside.example.org"
CONTEXT = {
    "name": "Zoë",
    "organisation": "Riverside Council — Children’s Services",
    "link": f"https://asye360.example.org/reset/{TOKEN}",
}


def send(reference=None):
    return send_email(to=RECIPIENT, template="test_message", context=CONTEXT, reference=reference)


def our_log(caplog) -> list[str]:
    # Everything the service logged; the test server's own log ("mail.log") is the far end's.
    return [r.getMessage() for r in caplog.records if not r.name.startswith("mail.")]


def the_error(caplog) -> str:
    """The one error the service logged (the test server logs its own side of a failure)."""
    [error] = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.ERROR and r.name.startswith("asye360")
    ]
    return error


def test_a_message_arrives_with_both_parts_and_the_right_headers(smtp_server):
    delivery = send()

    assert (delivery.delivered, delivery.attempts) == (True, 1)
    [message] = smtp_server.wait_for(1)
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == [RECIPIENT]
    assert envelope.mail_from == "no-reply@asye360.invalid"
    assert message["To"] == RECIPIENT
    assert message["From"] == "ASYE 360 <no-reply@asye360.invalid>"
    assert message["Subject"] == f"Test message for {CONTEXT['organisation']}"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert "Dear Zoë," in message.get_body(("plain",)).get_content()
    assert "Dear Zoë," in message.get_body(("html",)).get_content()
    assert f".{delivery.reference}@" in message["Message-ID"]


def test_the_sender_address_comes_from_mail_from(smtp_server):
    with email_settings(MAIL_FROM="ASYE team <asye@council.example.org>"):
        assert send().delivered
    [message] = smtp_server.wait_for(1)
    assert message["From"] == "ASYE team <asye@council.example.org>"
    assert smtp_server.envelopes[0].mail_from == "asye@council.example.org"


def test_a_temporary_refusal_is_tried_again_and_delivered_once(smtp_server):
    smtp_server.fail_next(2)  # 451 to the first two attempts

    delivery = send()

    assert (delivery.delivered, delivery.attempts) == (True, 3)
    assert smtp_server.refused == 2
    assert len(smtp_server.wait_for(1)) == 1
    time.sleep(0.2)
    assert len(smtp_server.messages) == 1


def test_a_temporary_refusal_of_the_recipient_is_tried_again(smtp_server):
    smtp_server.fail_next(1, "450 4.2.1 Mailbox busy", at="RCPT")

    delivery = send()

    assert (delivery.delivered, delivery.attempts) == (True, 2)
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [[RECIPIENT]]


def test_retries_wait_longer_each_time(smtp_server):
    smtp_server.fail_next(2)
    with email_settings(SMTP_BACKOFF_SECONDS="0.25"):
        started = time.monotonic()
        assert send().delivered
        elapsed = time.monotonic() - started
    # Two waits: 0.25 s, then twice that.
    assert 0.25 + 0.5 <= elapsed < 0.25 + 0.5 + 3


def test_a_server_that_keeps_refusing_gives_not_delivered_after_the_last_attempt(
    smtp_server, caplog
):
    smtp_server.fail_next(10)
    with email_settings(SMTP_ATTEMPTS="4"):
        delivery = send()
    assert (delivery.delivered, delivery.attempts) == (False, 4)
    assert smtp_server.refused == 4
    assert smtp_server.messages == []
    error = the_error(caplog)
    assert "test_message" in error and delivery.reference in error
    assert "SMTPDataError (451)" in error


@pytest.mark.parametrize(
    "at, reply",
    [
        ("RCPT", f"550 5.1.1 <{RECIPIENT}>: Recipient address rejected: {TOKEN}"),
        ("DATA", f"554 5.7.1 Message for <{RECIPIENT}> rejected as spam"),
    ],
)
def test_a_permanent_refusal_is_not_retried_and_does_not_raise(smtp_server, caplog, at, reply):
    caplog.set_level(logging.DEBUG)
    smtp_server.fail_next(1, reply, at=at)

    delivery = send()

    assert (delivery.delivered, delivery.attempts) == (False, 1)
    assert smtp_server.messages == []
    assert f"({reply[:3]})" in the_error(caplog)
    # The server's reply repeats the address (and here a token): none of it reaches our log.
    assert not [line for line in our_log(caplog) if RECIPIENT in line or TOKEN in line]


def test_retrying_follows_the_rule_for_any_run_of_refusals(smtp_server):
    """However many refusals of whichever code: a 4xx is tried again up to SMTP_ATTEMPTS times,
    a 5xx never; the message arrives at most once, and only if an attempt was left for it."""

    @settings(max_examples=40)
    @given(
        refusals=st.integers(min_value=0, max_value=6),
        attempts=st.integers(min_value=1, max_value=5),
        code=st.sampled_from([421, 450, 451, 452, 550, 552, 553, 554]),
        at=st.sampled_from(["RCPT", "DATA"]),
    )
    def check(refusals, attempts, code, at):
        smtp_server.clear()
        smtp_server.fail_next(refusals, f"{code} refused", at=at)
        with email_settings(SMTP_ATTEMPTS=str(attempts)):
            delivery = send()

        temporary = str(code).startswith("4")
        if refusals == 0:
            expected = (True, 1)
        elif temporary:
            expected = (refusals < attempts, min(refusals + 1, attempts))
        else:
            expected = (False, 1)
        assert (delivery.delivered, delivery.attempts) == expected
        assert len(smtp_server.messages) == (1 if delivery.delivered else 0)
        assert smtp_server.refused == min(refusals, delivery.attempts)

    check()


def test_send_email_works_when_called_inside_a_running_event_loop(smtp_server):
    async def an_async_caller():
        return send()

    assert asyncio.run(an_async_caller()).delivered
    assert len(smtp_server.wait_for(1)) == 1


def test_a_server_that_is_down_is_tried_each_time_then_given_up(smtp_server, caplog):
    smtp_server.down()
    delivery = send()
    assert (delivery.delivered, delivery.attempts) == (False, 3)
    warnings = [
        r for r in caplog.records if r.name == "asye360.email" and r.levelno == logging.WARNING
    ]
    assert len(warnings) == 2  # one before each attempt but the first


def test_a_server_back_up_before_the_next_attempt_gets_the_message(smtp_server, monkeypatch):
    from app.email import service

    class UpDuringTheWait:
        """asyncio for the service, whose wait between attempts brings the server back up: after
        the first attempt failed, however slowly it came (a fixed timer raced it on a busy
        machine)."""

        def __getattr__(self, name):
            return getattr(asyncio, name)

        async def sleep(self, seconds):
            smtp_server.up()
            await asyncio.sleep(seconds)

    smtp_server.down()
    monkeypatch.setattr(service, "asyncio", UpDuringTheWait())
    with email_settings(SMTP_BACKOFF_SECONDS="1"):
        delivery = send()
    assert (delivery.delivered, delivery.attempts) == (True, 2)
    assert len(smtp_server.wait_for(1)) == 1


def test_a_server_that_never_answers_times_out_and_is_given_up(caplog):
    with (
        silent_server() as port,
        email_settings(
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(port),
            SMTP_STARTTLS="false",
            SMTP_TIMEOUT_SECONDS="0.3",
            SMTP_ATTEMPTS="2",
            SMTP_BACKOFF_SECONDS="0",
        ),
    ):
        started = time.monotonic()
        delivery = send()
        elapsed = time.monotonic() - started
    assert (delivery.delivered, delivery.attempts) == (False, 2)
    assert 0.6 <= elapsed < 5
    assert "TimeoutError" in the_error(caplog)


def test_nothing_logged_names_the_recipient_or_carries_the_link(smtp_server, caplog):
    caplog.set_level(logging.DEBUG)
    smtp_server.fail_next(1)
    assert send().delivered
    smtp_server.down()
    assert not send().delivered

    lines = our_log(caplog)
    assert any("test_message" in line for line in lines)
    for line in lines:
        assert RECIPIENT not in line and "riverside.example.org" not in line
        assert TOKEN not in line and "/reset/" not in line


@pytest.fixture(scope="module")
def certificate_authority():
    return trustme.CA()


@pytest.fixture
def tls_server(certificate_authority, tmp_path, monkeypatch):
    """A server that requires STARTTLS, with a certificate the client trusts."""
    # The client's default context trusts SSL_CERT_FILE: a private CA is configured the same way.
    bundle = tmp_path / "ca.pem"
    certificate_authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    context = server_tls_context(certificate_authority.issue_cert("127.0.0.1"))
    with running_smtp_server(
        tls_context=context,
        require_starttls=True,
        authenticator=smtp_login("asye360", "smtp-password"),
    ) as server:
        yield server


def test_starttls_and_sign_in_deliver_over_an_encrypted_connection(tls_server):
    with email_settings(
        tls_server.env,
        SMTP_STARTTLS="true",
        SMTP_USERNAME="asye360",
        SMTP_PASSWORD="smtp-password",
    ):
        delivery = send()
    assert (delivery.delivered, delivery.attempts) == (True, 1)
    [envelope] = tls_server.envelopes
    assert envelope.over_tls and envelope.authenticated_as == "asye360"
    assert tls_server.wait_for(1)[0]["To"] == RECIPIENT


def test_without_starttls_a_server_that_requires_it_refuses_at_once(tls_server, caplog):
    with email_settings(tls_server.env, SMTP_STARTTLS="false"):
        delivery = send()
    assert (delivery.delivered, delivery.attempts) == (False, 1)
    assert tls_server.messages == []
    assert "(530)" in the_error(caplog)  # "Must issue a STARTTLS command first"


def test_an_untrusted_certificate_is_refused_at_once(tls_server, monkeypatch, caplog):
    monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent/ca.pem")
    with email_settings(tls_server.env, SMTP_STARTTLS="true"):
        delivery = send()
    assert (delivery.delivered, delivery.attempts) == (False, 1)
    assert tls_server.messages == []
    assert "SSLCertVerificationError" in the_error(caplog)


def test_starttls_on_refuses_a_server_without_it_rather_than_send_in_clear(smtp_server, caplog):
    with email_settings(SMTP_STARTTLS="true"):
        delivery = send()
    assert (delivery.delivered, delivery.attempts) == (False, 1)
    assert smtp_server.messages == []
    assert smtp_server.envelopes == []
    assert "SMTPException" in the_error(caplog)


def test_sign_in_on_plain_smtp_delivers_as_the_user():
    with (
        running_smtp_server(
            authenticator=smtp_login("relay-user", "relay-pass"), auth_require_tls=False
        ) as server,
        email_settings(server.env, SMTP_USERNAME="relay-user", SMTP_PASSWORD="relay-pass"),
    ):
        assert send().delivered
        assert server.envelopes[0].authenticated_as == "relay-user"
        assert not server.envelopes[0].over_tls


def test_a_wrong_password_is_not_retried_and_does_not_raise(caplog):
    caplog.set_level(logging.DEBUG)
    with (
        running_smtp_server(
            authenticator=smtp_login("relay-user", "relay-pass"), auth_require_tls=False
        ) as server,
        email_settings(server.env, SMTP_USERNAME="relay-user", SMTP_PASSWORD="wrong-pass"),
    ):
        delivery = send()
    assert (delivery.delivered, delivery.attempts) == (False, 1)
    assert server.messages == []
    assert "SMTPAuthenticationError (535)" in the_error(caplog)
    assert not [line for line in our_log(caplog) if "wrong-pass" in line]
