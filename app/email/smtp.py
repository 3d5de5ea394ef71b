"""One attempt to hand a message to the SMTP server, and what a failed attempt means.

aiosmtplib is asyncio-only; the service calls it through `asyncio.run` (see service.py), which
keeps one library for both the synchronous service code and any async caller.
"""

import asyncio
import ssl
from email.message import EmailMessage

import aiosmtplib

from app.config import Settings


async def send_once(message: EmailMessage, *, settings: Settings) -> None:
    """Connect, STARTTLS if set, sign in if set, send, disconnect; raise on any failure."""
    assert settings.smtp_host is not None
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    # aiosmtplib's timeout bounds each step; this one bounds the whole conversation, so a
    # server that answers slowly at every step still cannot hold a worker for long.
    async with asyncio.timeout(settings.smtp_timeout_seconds):
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=password,
            # True: upgrade or fail (never send a password or a link in clear by surprise);
            # False: never upgrade, for a relay on the same host or network.
            start_tls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
        )


def is_temporary(error: BaseException) -> bool:
    """Worth trying again: a 4xx reply, a lost or refused connection, a timeout."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return any(_is_4xx(refusal.code) for refusal in error.recipients)
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return _is_4xx(error.code)
    if isinstance(error, ssl.SSLError | ssl.CertificateError):
        # A certificate the server will still have next time: a setting to fix, not a blip.
        return False
    return isinstance(error, TimeoutError | ConnectionError | OSError)


def describe_failure(error: BaseException) -> str:
    """The kind of failure and the reply codes only: a server's reply text often repeats the
    recipient's address, which must not reach a log."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        codes = ", ".join(str(refusal.code) for refusal in error.recipients)
        return f"{type(error).__name__} ({codes})"
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return f"{type(error).__name__} ({error.code})"
    return type(error).__name__


def _is_4xx(code: int) -> bool:
    return 400 <= code < 500
