"""Settings from the environment, validated once at start."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "change-me-this-is-only-for-development"
MIN_SECRET_KEY_LENGTH = 32


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

    @property
    def rate_limits_on(self) -> bool:
        return self.rate_limits == "on"


@lru_cache
def get_settings() -> Settings:
    return Settings()
