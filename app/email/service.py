"""Send an email now or after the response: by SMTP with retries, or to the outbox folder.

Sending never raises and never fails a page: a message that cannot be delivered is logged and
reported back as not delivered, so timed work can record it and try again on its next run.
Logs name the template and a reference, never the recipient, a link or a token.
"""

import asyncio
import logging
import re
import secrets
from collections.abc import Coroutine, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import Any

from starlette.background import BackgroundTasks

from app.config import Settings, get_settings
from app.email.compose import compose_email
from app.email.outbox import write_to_outbox
from app.email.smtp import describe_failure, is_temporary, send_once

log = logging.getLogger("asye360.email")

_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class Delivery:
    """What became of one message. `delivered` is what timed work records to stay idempotent."""

    template: str
    reference: str
    delivered: bool
    # SMTP attempts made; 0 when the message went to the outbox (or never reached a server).
    attempts: int = 0
    outbox_path: Path | None = None


@dataclass(frozen=True)
class OutgoingEmail:
    """A composed message and what the logs may say about it."""

    template: str
    reference: str
    message: EmailMessage

    def outcome(
        self, *, delivered: bool, attempts: int = 0, outbox_path: Path | None = None
    ) -> Delivery:
        return Delivery(
            template=self.template,
            reference=self.reference,
            delivered=delivered,
            attempts=attempts,
            outbox_path=outbox_path,
        )


def new_reference() -> str:
    return secrets.token_hex(8)


def prepare_email(
    *, to: str, template: str, context: Mapping[str, Any], reference: str | None = None
) -> OutgoingEmail:
    """Compose `email/<template>` for one recipient.

    Raises ValueError (or a template error) only for a mistake in the code: an unknown template,
    a missing variable, a malformed address or reference. Nothing has been sent by then.
    """
    reference = reference or new_reference()
    if not _REFERENCE.fullmatch(reference):
        raise ValueError("an email reference is 1 to 64 letters, digits, '.', '_' or '-'")
    addresses = getaddresses([to])
    if len(addresses) != 1 or "@" not in addresses[0][1] or any(c in to for c in "\r\n"):
        raise ValueError("an email goes to exactly one address")
    message = compose_email(
        template=template,
        context=context,
        to=to,
        sender=get_settings().mail_from,
        reference=reference,
    )
    return OutgoingEmail(template=template, reference=reference, message=message)


def send_email(
    *, to: str, template: str, context: Mapping[str, Any], reference: str | None = None
) -> Delivery:
    """Compose and deliver now, waiting for the SMTP server (for timed work and the CLI)."""
    return deliver_email(
        prepare_email(to=to, template=template, context=context, reference=reference)
    )


def send_email_later(
    background_tasks: BackgroundTasks,
    *,
    to: str,
    template: str,
    context: Mapping[str, Any],
    reference: str | None = None,
) -> str:
    """Compose now, deliver once the response has gone: a page never waits on SMTP.

    Composing before the response means the context (database rows and all) is read while the
    request's session is still open, and a template mistake shows in the request's tests.
    Returns the reference, to tell the user or to find the message in the logs.
    """
    email = prepare_email(to=to, template=template, context=context, reference=reference)
    background_tasks.add_task(deliver_email, email)
    return email.reference


def deliver_email(email: OutgoingEmail) -> Delivery:
    """Deliver a composed message: by SMTP when SMTP_HOST is set, otherwise to the outbox."""
    settings = get_settings()
    try:
        if settings.smtp_host is None:
            return _write_to_outbox(email, settings)
        return _run(_send_with_retries(email, settings))
    except Exception as error:  # the last guard: a send must never fail its caller
        _log(logging.ERROR, email, "not delivered: %s", describe_failure(error))
        return email.outcome(delivered=False)


def describe_delivery() -> str:
    """Where emails go, in a sentence for a start-up summary."""
    settings = get_settings()
    if settings.smtp_host is None:
        return f"Emails are written to {settings.outbox_dir} (SMTP_HOST is not set)."
    return f"Emails are sent through {settings.smtp_host}:{settings.smtp_port}."


def _write_to_outbox(email: OutgoingEmail, settings: Settings) -> Delivery:
    path = write_to_outbox(
        email.message,
        folder=settings.outbox_dir,
        template=email.template,
        reference=email.reference,
    )
    # A production service writing its emails to disk has lost its SMTP settings: say so loudly.
    level = logging.WARNING if settings.environment == "production" else logging.INFO
    _log(
        level, email, "written to the outbox folder %s (SMTP_HOST is not set)", settings.outbox_dir
    )
    return email.outcome(delivered=True, outbox_path=path)


async def _send_with_retries(email: OutgoingEmail, settings: Settings) -> Delivery:
    attempts = settings.smtp_attempts
    for attempt in range(1, attempts + 1):
        try:
            await send_once(email.message, settings=settings)
        except Exception as error:
            failure = describe_failure(error)
            if not is_temporary(error) or attempt == attempts:
                _log(
                    logging.ERROR, email, "not delivered after %d attempt(s): %s", attempt, failure
                )
                return email.outcome(delivered=False, attempts=attempt)
            wait = settings.smtp_backoff_seconds * 2 ** (attempt - 1)
            _log(
                logging.WARNING,
                email,
                "temporary failure on attempt %d of %d (%s); trying again in %.2g s",
                attempt,
                attempts,
                failure,
                wait,
            )
            await asyncio.sleep(wait)
        else:
            _log(logging.INFO, email, "sent by SMTP on attempt %d", attempt)
            return email.outcome(delivered=True, attempts=attempt)
    raise AssertionError("unreachable: the last attempt returns")


def _log(level: int, email: OutgoingEmail, what: str, *args: object) -> None:
    # Every line names the template and the reference, and nothing else about the message.
    log.log(level, "email %s ref %s " + what, email.template, email.reference, *args)


def _run(work: Coroutine[Any, Any, Delivery]) -> Delivery:
    """Run the SMTP conversation to completion from synchronous code.

    Service code, background tasks and the CLI run outside any event loop (FastAPI runs sync
    routes and sync background tasks in worker threads), so `asyncio.run` is enough. If a caller
    is itself inside a running loop, the conversation gets a short-lived thread of its own
    rather than failing; async code should prefer `send_email_later`, which does not block.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="asye360-email") as pool:
        return pool.submit(asyncio.run, work).result()
