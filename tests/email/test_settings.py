"""Email settings: the defaults PRODUCT.md §6 gives, and the mistakes refused at start."""

import pytest
from pydantic import ValidationError

from app.config import DEFAULT_MAIL_FROM, ROOT, Settings
from app.email.service import describe_delivery
from tests.smtp import email_settings


def test_the_defaults_write_to_the_outbox_in_the_repository(monkeypatch):
    monkeypatch.delenv("SMTP_HOST")
    monkeypatch.delenv("OUTBOX_DIR")
    settings = Settings(_env_file=None)
    assert settings.smtp_host is None
    assert (settings.smtp_port, settings.smtp_starttls) == (587, True)
    assert settings.outbox_dir == ROOT / "outbox"
    assert settings.mail_from == DEFAULT_MAIL_FROM


def test_smtp_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SMTP_HOST", "smtp.example.org")
    monkeypatch.setenv("SMTP_PORT", "2525")
    monkeypatch.setenv("SMTP_USERNAME", "asye360")
    monkeypatch.setenv("SMTP_PASSWORD", "relay-password")
    monkeypatch.setenv("SMTP_STARTTLS", "false")
    monkeypatch.setenv("MAIL_FROM", "ASYE 360 <asye360@example.org>")
    settings = Settings()
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_username) == (
        "smtp.example.org",
        2525,
        "asye360",
    )
    assert settings.smtp_password.get_secret_value() == "relay-password"
    assert "relay-password" not in repr(settings)  # a secret is not printed with the settings
    assert settings.smtp_starttls is False


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_smtp_host_means_the_outbox(blank):
    assert Settings(smtp_host=blank).smtp_host is None


@pytest.mark.parametrize(
    "mail_from",
    ["", "nobody", "a@example.org, b@example.org", "asye@example.org\r\nBcc: x@example.org"],
)
def test_mail_from_must_be_one_address(mail_from):
    with pytest.raises(ValidationError, match="MAIL_FROM"):
        Settings(mail_from=mail_from)


@pytest.mark.parametrize(
    "setting, value",
    [("smtp_port", 0), ("smtp_port", 65536), ("smtp_attempts", 0), ("smtp_timeout_seconds", 0)],
)
def test_impossible_numbers_are_refused(setting, value):
    with pytest.raises(ValidationError):
        Settings(**{setting: value})


def test_production_with_an_smtp_server_refuses_the_placeholder_sender():
    with pytest.raises(ValidationError, match="MAIL_FROM"):
        Settings(environment="production", secret_key="x" * 48, smtp_host="smtp.example.org")
    settings = Settings(
        environment="production",
        secret_key="x" * 48,
        smtp_host="smtp.example.org",
        mail_from="ASYE 360 <asye360@example.org>",
    )
    assert settings.smtp_host == "smtp.example.org"


def test_the_start_up_summary_says_where_emails_go(tmp_path):
    with email_settings(SMTP_HOST="", OUTBOX_DIR=str(tmp_path / "box")):
        assert str(tmp_path / "box") in describe_delivery()
    with email_settings(SMTP_HOST="smtp.example.org", SMTP_PORT="25"):
        assert "smtp.example.org:25" in describe_delivery()
