"""A real SMTP server for the tests (aiosmtpd), and the outbox, as pytest fixtures.

Registered for the whole suite by tests/conftest.py. A journey test that sends email asks for
`smtp_server` (the service then sends to it) or `outbox` (the service writes .eml files):

    def test_a_lead_can_reset_a_password(client, smtp_server):
        ...
        [message] = smtp_server.wait_for(1)
        assert message["To"] == "lead@example.org"

`smtp_server.fail_next(2)` answers 451 to the next two messages; `smtp_server.down()` stops
listening (connections are refused) until `smtp_server.up()`; `slow_down(s)` makes it slow.
A service started in a subprocess gets the same settings from `smtp_server.env`.
"""

import asyncio
import email
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"
WAIT_SECONDS = 10


def parse_email(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=policy.default)  # type: ignore[return-value]


@dataclass(frozen=True)
class Envelope:
    """What the client said in the SMTP conversation, beside the message itself."""

    mail_from: str
    rcpt_tos: list[str]
    authenticated_as: str | None
    over_tls: bool


class _Collector:
    """aiosmtpd handler: keeps each message, or refuses it when told to."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Envelope] = []
        self.failures: list[tuple[str, str]] = []  # (stage, reply) for the next messages
        self.refused = 0
        self.delay_seconds = 0.0

    def _take_failure(self, stage: str) -> str | None:
        with self.lock:
            if self.failures and self.failures[0][0] == stage:
                self.refused += 1
                return self.failures.pop(0)[1]
        return None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if reply := self._take_failure("RCPT"):
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if reply := self._take_failure("DATA"):
            return reply
        await asyncio.sleep(self.delay_seconds)
        login = session.auth_data.login.decode() if session.authenticated else None
        with self.arrived:
            self.messages.append(parse_email(envelope.original_content))
            self.envelopes.append(
                Envelope(envelope.mail_from, list(envelope.rcpt_tos), login, bool(session.ssl))
            )
            self.arrived.notify_all()
        return "250 OK: queued"


class SmtpServer:
    """An aiosmtpd server on a free local port, in a thread of its own."""

    def __init__(self, **smtp_options: Any) -> None:
        self.host = HOST
        self.port = _free_port()
        self._options = smtp_options
        self._handler = _Collector()
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        with self._handler.lock:
            return list(self._handler.messages)

    @property
    def envelopes(self) -> list[Envelope]:
        with self._handler.lock:
            return list(self._handler.envelopes)

    @property
    def refused(self) -> int:
        """How many messages the server refused because `fail_next` told it to."""
        return self._handler.refused

    def wait_for(self, count: int, timeout: float = WAIT_SECONDS) -> list[EmailMessage]:
        """The first `count` messages, waiting for them to arrive (a live service sends late)."""
        with self._handler.arrived:
            arrived = self._handler.arrived.wait_for(
                lambda: len(self._handler.messages) >= count, timeout
            )
            messages = list(self._handler.messages)
        assert arrived, f"{len(messages)} of {count} messages arrived in {timeout}s"
        return messages[:count]

    def fail_next(self, count: int, reply: str = "451 4.3.0 Try again later", *, at="DATA"):
        """Refuse the next `count` messages with `reply`, at the RCPT or DATA stage."""
        assert at in ("RCPT", "DATA")
        with self._handler.lock:
            self._handler.failures.extend([(at, reply)] * count)

    def clear(self) -> None:
        """Forget the messages so far and any failures still to come."""
        with self._handler.lock:
            self._handler.messages.clear()
            self._handler.envelopes.clear()
            self._handler.failures.clear()
            self._handler.refused = 0

    def slow_down(self, seconds: float) -> None:
        """Take this long to accept each message (a busy server)."""
        self._handler.delay_seconds = seconds

    def up(self) -> None:
        self._controller = Controller(
            self._handler,
            hostname=self.host,
            port=self.port,
            server_hostname="smtp.test",
            **self._options,
        )
        self._controller.start()

    def down(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def env(self) -> dict[str, str]:
        """The service's settings to send here (plain SMTP, fast retries)."""
        return {
            "SMTP_HOST": self.host,
            "SMTP_PORT": str(self.port),
            "SMTP_STARTTLS": "false",
            "SMTP_BACKOFF_SECONDS": "0",
            "SMTP_TIMEOUT_SECONDS": "5",
        }


@contextmanager
def running_smtp_server(**smtp_options: Any) -> Iterator[SmtpServer]:
    """A started server; options go to aiosmtpd's SMTP (tls_context, authenticator, …)."""
    server = SmtpServer(**smtp_options)
    server.up()
    try:
        yield server
    finally:
        server.down()


@contextmanager
def email_settings(base: Mapping[str, str] | None = None, /, **env: str) -> Iterator[None]:
    """Point the service's settings at a server (or the outbox) for the duration.

    `email_settings(server.env, SMTP_STARTTLS="true")`: a server's settings, some changed.
    """
    from app.config import get_settings

    try:
        with pytest.MonkeyPatch.context() as patch:
            for name, value in {**(base or {}), **env}.items():
                patch.setenv(name, value)
            get_settings.cache_clear()
            yield
    finally:
        get_settings.cache_clear()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server that the service sends to for this test."""
    with running_smtp_server() as server, email_settings(server.env):
        yield server


class Outbox:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def files(self) -> list[Path]:
        return sorted(self.folder.glob("*.eml")) if self.folder.is_dir() else []

    def messages(self) -> list[EmailMessage]:
        return [parse_email(path.read_bytes()) for path in self.files()]


@pytest.fixture
def outbox(tmp_path) -> Iterator[Outbox]:
    """The service writes its emails as .eml files to a folder of this test's own."""
    folder = tmp_path / "outbox"
    # Empty, not removed: a developer's .env must not send the tests' mail to a real server.
    with email_settings(SMTP_HOST="", OUTBOX_DIR=str(folder)):
        yield Outbox(folder)


def smtp_login(username: str, password: str):
    """An aiosmtpd authenticator accepting one username and password (LOGIN or PLAIN)."""

    def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == (username, password):
            return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False)

    return authenticate


def server_tls_context(certificate) -> ssl.SSLContext:
    """A server-side context presenting a trustme certificate."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    return context


@contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word (to test timeouts)."""
    with socket.socket() as listener:
        listener.bind((HOST, 0))
        listener.listen()
        yield listener.getsockname()[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_until(condition, timeout: float = WAIT_SECONDS) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()
