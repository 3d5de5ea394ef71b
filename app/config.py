"""Settings from the environment, validated once at start."""

import hashlib
import logging
import os
import secrets
from email.utils import getaddresses
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
# Published in earlier releases as the development default: never accepted again (issue 13,
# item 8), since anyone can sign tokens with it.
DEFAULT_SECRET_KEY = "change-me-this-is-only-for-development"
MIN_SECRET_KEY_LENGTH = 32
# `.invalid` can never be delivered to (RFC 2606): fine for the outbox, refused for real SMTP.
DEFAULT_MAIL_FROM = "ASYE 360 <no-reply@asye360.invalid>"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite:///{ROOT / 'asye360.db'}"
    # Unset outside production: a random key made for this database on first start (below).
    secret_key: str = ""
    # Where that development key is kept; by default beside the SQLite file, or in
    # ~/.config/asye360/ for another database.
    secret_key_file: Path | None = None
    # Bearer tokens are short-lived: scripts ask for a new one per run.
    access_token_minutes: int = Field(default=30, ge=1, le=24 * 60)
    session_hours: int = Field(default=8, ge=1, le=24)

    # Rule 5: never below 3, whatever the deployment says.
    small_group_k: int = Field(default=3, ge=3)
    # Rule 6 (minimum criteria) and rule 7 (benchmark group size).
    minimum_nqsw: int = Field(default=3, ge=1)
    minimum_line_manager: int = Field(default=1, ge=0)
    minimum_organisations: int = Field(default=3, ge=3)

    # GET /api/v1/reference lists the active Teaching Partnerships from a copy each process keeps
    # this long; a change shows at once in the process that made it, and within this many
    # seconds in every other worker and instance (app.partnerships.service). 0: read every time.
    partnerships_cache_seconds: float = Field(default=5, ge=0, le=300)

    # Report PDFs render in a pool of this many processes per web worker process, so that
    # rendering (seconds of CPU each) never takes more than this many cores per worker ...
    pdf_workers: int = Field(default=1, ge=1, le=16)
    # ... and at this CPU niceness above the web process (os.nice; 19 is the lowest priority),
    # so that survey pages keep their cores while PDFs render.
    pdf_niceness: int = Field(default=10, ge=0, le=19)

    # Where people write to: the phase banner's feedback link, and the contact in the privacy
    # notice and the accessibility statement. Deployments set their own.
    feedback_url: str = "mailto:feedback@asye360.invalid"
    contact_email: str = "help@asye360.invalid"

    statements_dir: Path = ROOT / "statements"
    assets_dir: Path = ROOT / "frontend" / "dist"
    base_url: str = "http://127.0.0.1:8000"

    # Counted in the database (app.ratelimit), so every instance on one database shares them.
    rate_limits: Literal["on", "off"] = "on"
    # Failed sign-ins per (account, address) and per address before each further attempt from
    # there must wait SIGN_IN_DELAY_SECONDS, then twice that, and so on up to the window.
    sign_in_attempts_per_account: int = Field(default=5, ge=1)
    sign_in_attempts_per_address: int = Field(default=20, ge=1)
    sign_in_window_seconds: int = Field(default=15 * 60, ge=1)
    sign_in_delay_seconds: int = Field(default=5, ge=1)
    # A whole organisation may answer from behind one address, so this is a ceiling, not a quota.
    submissions_per_link_per_minute: int = Field(default=600, ge=1)
    # Refused submissions (bad ratings) count per address, not against the link.
    refused_submissions_per_address_per_minute: int = Field(default=120, ge=1)
    registrations_per_address_per_hour: int = Field(default=10, ge=1)
    # Short links (/s/…) typed that match no link, per address: past it, every short link from
    # there is refused until the hour is up, so they cannot be enumerated (app.survey.links).
    unknown_short_links_per_address_per_hour: int = Field(default=100, ge=1)

    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (comma-separated addresses
    # or networks, "*" for any); empty: none, so a client can never choose its own address.
    forwarded_allow_ips: str = ""

    # Bodies (JSON and forms) larger than this are refused with 413 before any route reads them.
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    # PostgreSQL connections per worker for the one-call submission path (app.survey.submit),
    # besides the main pool (10 + 20 overflow) and the autocommit pool (10 + 10).
    submit_pool_size: int = Field(default=10, ge=1, le=100)

    # Email (PRODUCT.md §6): SMTP when SMTP_HOST is set, otherwise .eml files in OUTBOX_DIR.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    mail_from: str = DEFAULT_MAIL_FROM
    outbox_dir: Path = ROOT / "outbox"
    # A temporary failure (4xx reply, lost connection, timeout) is tried again after
    # backoff, 2 × backoff, … seconds; the timeout bounds one whole attempt.
    smtp_attempts: int = Field(default=3, ge=1, le=10)
    smtp_backoff_seconds: float = Field(default=2.0, ge=0, le=60)
    smtp_timeout_seconds: float = Field(default=15.0, gt=0, le=120)

    # Timed work (rule 12): `asye360 serve` runs `tick` every minute unless SCHEDULER=off; the
    # reminder goes to the leads this many days (or fewer) before a round closes.
    scheduler: Literal["on", "off"] = "on"
    reminder_days_before: int = Field(default=3, ge=1, le=28)

    @field_validator("smtp_host", "smtp_username", mode="before")
    @classmethod
    def empty_means_unset(cls, value: object) -> object:
        # `SMTP_HOST=` in a .env file means "no server", as leaving it out does.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("mail_from")
    @classmethod
    def mail_from_is_one_address(cls, value: str) -> str:
        addresses = getaddresses([value])
        if len(addresses) != 1 or "@" not in addresses[0][1] or any(c in value for c in "\r\n"):
            raise ValueError('MAIL_FROM must be one address, such as "ASYE 360 <asye@example.org>"')
        return value

    @model_validator(mode="after")
    def refuse_weak_secret_in_production(self) -> "Settings":
        if self.environment == "production" and (
            self.secret_key == DEFAULT_SECRET_KEY or len(self.secret_key) < MIN_SECRET_KEY_LENGTH
        ):
            raise ValueError(
                "SECRET_KEY must be set to a random value of at least "
                f"{MIN_SECRET_KEY_LENGTH} characters in production "
                '(for example: python -c "import secrets; print(secrets.token_urlsafe(48))")'
            )
        return self

    @model_validator(mode="after")
    def development_key_for_this_database(self) -> "Settings":
        if self.environment != "production" and self.secret_key in ("", DEFAULT_SECRET_KEY):
            self.secret_key = _development_secret_key(self)
        return self

    @model_validator(mode="after")
    def refuse_placeholder_sender_in_production(self) -> "Settings":
        if self.environment == "production" and self.smtp_host and (
            self.mail_from == DEFAULT_MAIL_FROM
        ):
            raise ValueError("MAIL_FROM must be set to the service's own address in production")
        return self

    @property
    def rate_limits_on(self) -> bool:
        return self.rate_limits == "on"


def _development_key_file(settings: Settings) -> Path | None:
    if settings.secret_key_file is not None:
        return settings.secret_key_file
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return None
        database = Path(url.database)
        return database.with_name(database.name + ".secret-key")
    where = url.render_as_string(hide_password=True)
    return (Path.home() / ".config" / "asye360"
            / f"{hashlib.sha256(where.encode()).hexdigest()[:16]}.secret-key")


def _development_secret_key(settings: Settings) -> str:
    """The key made for this database on its first start (made now if there is none yet).

    Created with O_EXCL and mode 0600, so several workers starting at once agree on one key
    and no other user can read it. Logged loudly: a deployment must set SECRET_KEY.
    """
    path = _development_key_file(settings)
    key = secrets.token_urlsafe(48)
    if path is None:
        where = "for this process only (an in-memory database)"
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            key = path.read_text().strip() or key
        else:
            with os.fdopen(descriptor, "w") as file:
                file.write(key)
        where = f"kept in {path}"
    logging.getLogger("asye360").warning(
        "SECRET_KEY is not set: using a development key %s. Set SECRET_KEY to a long random "
        "value before anyone else can reach this service; production refuses to start "
        "without one.", where)
    return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
