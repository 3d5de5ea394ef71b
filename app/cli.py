"""The `asye360` command: migrate, serve, create national users and load demo data."""

import typer
from rich.console import Console

from app.config import ROOT, get_settings
from app.vocabulary import Role

app = typer.Typer(
    help="ASYE 360: the 360-degree organisational evaluation of ASYE programmes.",
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Database schema commands.")
app.add_typer(db_app, name="db")
console = Console()


def _alembic_config(url: str | None = None):
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    if url:
        config.attributes["url"] = url
    return config


def upgrade_database(url: str | None = None) -> None:
    from alembic import command

    command.upgrade(_alembic_config(url), "head")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration to the database in DATABASE_URL."""
    upgrade_database()
    console.print("[green]Database is up to date.[/green]")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, help="Worker processes (use more with PostgreSQL)."),
) -> None:
    """Start the web service (and `tick` every minute, unless SCHEDULER=off)."""
    import uvicorn

    from app.email.service import describe_delivery

    console.print(describe_delivery())  # where to find the emails (the outbox, by default)
    if get_settings().scheduler == "on":
        from app.timed.scheduler import start_scheduler

        start_scheduler()

    uvicorn.run("app.main:create_app", factory=True, host=host, port=port, workers=workers,
                **server_options())


def server_options() -> dict:
    """What `serve` tells uvicorn beyond where to listen."""
    trusted = get_settings().forwarded_allow_ips.strip()
    return {
        # No access log: request paths carry survey link tokens, which must never reach a log.
        "access_log": False,
        # Forwarded headers only from the proxies named in FORWARDED_ALLOW_IPS. Left unset,
        # uvicorn would believe any local client (127.0.0.1), which could then choose its own
        # address for the rate limits (issue 13, item 3).
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or None,
    }


@app.command()
def tick(
    now: str | None = typer.Option(
        None, help="Act as if it were this moment (ISO 8601, e.g. 2027-03-15T00:05+00:00; "
        "without an offset, UK time). Default: now."),
) -> None:
    """Close rounds whose closing date has ended, send reminders and "report ready" emails.

    Idempotent: running it again (or on several machines at once) sends nothing twice.
    """
    from datetime import UTC, datetime

    from sqlmodel import Session

    from app.db import get_engine
    from app.lifecycle.closing import UK
    from app.timed.service import run_tick

    if now is None:
        moment = datetime.now(UTC)
    else:
        try:
            moment = datetime.fromisoformat(now)
        except ValueError as error:
            console.print(f"[red]--now must be an ISO 8601 date and time, not {now!r}[/red]")
            raise typer.Exit(code=2) from error
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UK)
    with Session(get_engine(), expire_on_commit=False) as session:
        result = run_tick(session=session, now=moment)
    console.print(str(result))


@app.command("create-national-user")
def create_national_user(
    email: str,
    password: str = typer.Option(
        ..., prompt=True, hide_input=True, confirmation_prompt=True, help="At least 12 characters."
    ),
) -> None:
    """Create an account for the national team (sees every organisation; bearer API access)."""
    from sqlmodel import Session

    from app.accounts.service import create_user
    from app.db import get_engine
    from app.errors import DomainError

    with Session(get_engine()) as session:
        try:
            create_user(session=session, email=email, password=password, role=Role.NATIONAL)
        except DomainError as error:
            console.print(f"[red]{error}[/red]")
            raise typer.Exit(code=1) from error
    console.print(f"[green]National user {email} created.[/green]")


@app.command()
def demo(
    seed: int = typer.Option(2026, help="Random seed, so the demo is the same every time."),
) -> None:
    """Load a realistic demo data set (only into an empty database)."""
    from app.demo import DemoExists, load_demo

    try:
        summary = load_demo(seed=seed, console=console)
    except DemoExists as error:
        console.print(f"[yellow]{error}[/yellow]")
        raise typer.Exit(code=0) from error
    console.print(summary)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
