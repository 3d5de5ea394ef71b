"""Settings refuse unsafe production configurations."""

import pytest
from pydantic import ValidationError

from app.config import DEFAULT_SECRET_KEY, Settings


def test_production_refuses_the_default_secret_key():
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production", secret_key=DEFAULT_SECRET_KEY)


def test_production_refuses_a_short_secret_key():
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production", secret_key="short-but-not-default")


def test_production_starts_with_a_long_random_secret_key():
    settings = Settings(environment="production", secret_key="x" * 48)
    assert settings.environment == "production"


def test_development_may_use_the_default_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY")
    assert Settings(environment="development").secret_key == DEFAULT_SECRET_KEY


@pytest.mark.parametrize("k", [0, 1, 2])
def test_the_small_group_threshold_is_never_below_3(k):
    with pytest.raises(ValidationError):
        Settings(small_group_k=k)


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SMALL_GROUP_K", "5")
    monkeypatch.setenv("MINIMUM_NQSW", "4")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://postgres@db/asye360")
    settings = Settings()
    assert (settings.small_group_k, settings.minimum_nqsw) == (5, 4)
    assert settings.database_url.startswith("postgresql+psycopg://")
