"""Settings from the environment, validated once at start."""

from email.utils import getaddresses
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "change-me-this-is-only-for-development"
MIN_SECRET_KEY_LENGTH = 32
# `.invalid` can never be delivered to (RFC 2606): fine for the outbox, refused for real SMTP.
DEFAULT_MAIL_FROM = "ASYE 360 <no-reply@asye360.invalid>"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite:///{ROOT / 'asye360.db'}"
    secret_key: str = DEFAULT_SECRET_KEY
    # Bearer tokens are short-lived: scripts ask for a new one per run.
    access_token_minutes: int = Field(default=30, ge=1, le=24 * 60)
    session_hours: int = Field(default=8, ge=1, le=24)

    # Rule 5: never below 3, whatever the deployment says.
    small_group_k: int = Field(default=3, ge=3)
    # Rule 6 (minimum criteria) and rule 7 (benchmark group size).
    minimum_nqsw: int = Field(default=3, ge=1)
    minimum_line_manager: int = Field(default=1, ge=0)
    minimum_organisations: int = Field(default=3, ge=3)

    statements_dir: Path = ROOT / "statements"
    assets_dir: Path = ROOT / "frontend" / "dist"
    base_url: str = "http://127.0.0.1:8000"

    rate_limits: Literal["on", "off"] = "on"
    sign_in_attempts_per_account: int = 5
    sign_in_attempts_per_address: int = 20
    sign_in_window_seconds: int = 15 * 60
    # A whole organisation may answer from behind one address, so this is a ceiling, not a quota.
    submissions_per_link_per_minute: int = 600

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
    def refuse_placeholder_sender_in_production(self) -> "Settings":
        if self.environment == "production" and self.smtp_host and (
            self.mail_from == DEFAULT_MAIL_FROM
        ):
            raise ValueError("MAIL_FROM must be set to the service's own address in production")
        return self

    @property
    def rate_limits_on(self) -> bool:
        return self.rate_limits == "on"


@lru_cache
def get_settings() -> Settings:
    return Settings()
