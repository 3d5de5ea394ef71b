"""The asye360 command: demo data and national users."""

from sqlmodel import func, select
from typer.testing import CliRunner

from app.accounts.models import Organisation, User
from app.cli import app as cli
from app.lifecycle.models import Round
from app.results.models import RoundSummary
from app.survey.models import RoundLink

runner = CliRunner()


def test_demo_loads_organisations_every_round_state_and_prints_the_sign_ins(session):
    result = runner.invoke(cli, ["demo"])

    assert result.exit_code == 0, result.output
    assert "lead@riverside.example.org" in result.output
    assert "/survey/" in result.output
    # Thirty approved organisations, and one waiting for approval (rule 15).
    assert session.exec(select(func.count()).select_from(Organisation)).one() == 31
    assert session.exec(select(func.count()).select_from(Organisation)
                        .where(Organisation.status == "approved")).one() == 30
    statuses = set(session.exec(select(Round.status)).all())
    assert statuses == {"draft", "open", "closed"}
    years = set(session.exec(select(Round.year).where(Round.status == "closed")).all())
    assert len(years) == 2
    closed = session.exec(
        select(func.count()).select_from(Round).where(Round.status == "closed")
    ).one()
    summarised = session.exec(select(func.count(func.distinct(RoundSummary.round_id)))).one()
    assert summarised == closed
    token = result.output.split("/survey/")[1].split()[0]
    link = session.exec(select(RoundLink).where(RoundLink.token == token)).one()
    assert session.get(Round, link.round_id).status == "open"


def test_demo_refuses_a_database_that_already_has_organisations(session):
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    again = runner.invoke(cli, ["demo"])
    assert again.exit_code == 0
    assert "already has organisations" in again.output
    assert session.exec(select(func.count()).select_from(Organisation)).one() == 31


def test_create_national_user_makes_a_national_account(session):
    result = runner.invoke(
        cli, ["create-national-user", "Team@Example.org", "--password", "a-long-password-1"]
    )
    assert result.exit_code == 0, result.output
    user = session.exec(select(User).where(User.email == "team@example.org")).one()
    assert user.role == "national" and user.organisation_id is None


def test_create_national_user_refuses_a_short_password(session):
    result = runner.invoke(cli, ["create-national-user", "a@example.org", "--password", "short"])
    assert result.exit_code == 1
    assert session.exec(select(User)).first() is None


# Issue 13, item 3: forwarded addresses are believed only from FORWARDED_ALLOW_IPS


def _served_address(engine, monkeypatch, trusted: str, client: str, forwarded: str) -> str:
    import uvicorn
    from fastapi import Request
    from fastapi.testclient import TestClient

    from app.cli import server_options
    from app.config import get_settings
    from app.core.routing import client_address
    from app.main import create_app

    monkeypatch.setattr(get_settings(), "forwarded_allow_ips", trusted)
    app = create_app()

    @app.get("/api/v1/test-only/address")
    def address(request: Request) -> str:
        return client_address(request)

    config = uvicorn.Config(app, **server_options())
    config.load()
    with TestClient(config.loaded_app, client=(client, 40000)) as test_client:
        return test_client.get("/api/v1/test-only/address",
                               headers={"X-Forwarded-For": forwarded}).json()


def test_a_local_client_cannot_choose_its_address_when_no_proxy_is_trusted(engine, monkeypatch):
    assert _served_address(engine, monkeypatch, "", "127.0.0.1", "203.0.113.50") == "127.0.0.1"


def test_a_trusted_proxy_passes_on_the_clients_address(engine, monkeypatch):
    assert _served_address(engine, monkeypatch, "10.0.0.0/8", "10.1.2.3", "203.0.113.50") \
        == "203.0.113.50"


def test_an_untrusted_host_cannot_pass_on_an_address(engine, monkeypatch):
    assert _served_address(engine, monkeypatch, "10.0.0.5", "192.0.2.9", "203.0.113.50") \
        == "192.0.2.9"
