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


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY")
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production")


@pytest.mark.parametrize("given", [None, DEFAULT_SECRET_KEY])
def test_development_makes_a_random_key_per_database_and_keeps_it(monkeypatch, tmp_path,
                                                                  caplog, given):
    # Issue 13, item 8: the published placeholder is never the key, even in development.
    monkeypatch.delenv("SECRET_KEY")
    if given:
        monkeypatch.setenv("SECRET_KEY", given)
    first_db = f"sqlite:///{tmp_path / 'one.db'}"

    with caplog.at_level("WARNING", logger="asye360"):
        first = Settings(environment="development", database_url=first_db).secret_key
    again = Settings(environment="development", database_url=first_db).secret_key
    other = Settings(environment="development",
                     database_url=f"sqlite:///{tmp_path / 'two.db'}").secret_key

    assert first != DEFAULT_SECRET_KEY and len(first) >= 48
    assert again == first  # kept beside the database, so sessions survive a restart
    assert other != first
    assert (tmp_path / "one.db.secret-key").read_text() == first
    assert (tmp_path / "one.db.secret-key").stat().st_mode & 0o077 == 0
    assert "SECRET_KEY is not set" in caplog.text and first not in caplog.text


def test_a_token_forged_with_the_published_placeholder_reads_nothing(client, session,
                                                                     monkeypatch, tmp_path):
    from app.accounts.service import ACCESS_TOKEN
    from app.config import get_settings
    from app.security import create_token
    from tests.builders import make_national_user

    user = make_national_user(session)
    monkeypatch.setattr(get_settings(), "secret_key", DEFAULT_SECRET_KEY)
    forged = create_token(subject=str(user.id), kind=ACCESS_TOKEN, minutes=5,
                          claims={"ver": 0})
    monkeypatch.undo()
    monkeypatch.delenv("SECRET_KEY")
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "dev.secret-key"))
    get_settings.cache_clear()
    try:
        response = client.get("/api/v1/rounds", headers={"Authorization": f"Bearer {forged}"})
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()

    assert response.status_code == 401


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
