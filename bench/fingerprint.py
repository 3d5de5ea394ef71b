"""Fingerprints of the published figures: sha256 of reports and national results, byte for byte.

A change that means to move code, not numbers, must leave every byte of the report and
national JSON (and their CSV) the same. This loads two generated data sets into throwaway
PostgreSQL databases, each the same every time (fixed seeds, names and ids):

- medium: 240 organisations × 3 years × 8 respondents (two line managers and two others, so
  small-group pooling is everywhere), 20 rounds with 30 more respondents, and the report round
  of benchmark 2 (closed by the service);
- small: 25 organisations × 2 years × 5 respondents, where statements are withheld and most
  benchmark groups are too small to show;

then asks the API (and the national CSV page) for the reports of a spread of rounds and for the
national results of every year and breakdown, and hashes each body.

    python -m bench.fingerprint --save /tmp/before.json    # before the change
    python -m bench.fingerprint --compare /tmp/before.json # after: exits 1 on any difference
"""

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import psycopg
import typer
from rich.console import Console

from bench import generate
from bench.data import NATIONAL_EMAIL, NATIONAL_PASSWORD, add_national_user, add_report_round
from bench.server import throwaway_postgres, using_database

GROUPS = (None, "region", "teaching_partnership", "employer_type", "respondent_type")


@contextmanager
def _signed_in_client(url: str) -> Iterator[tuple]:
    """An in-process client of the app on `url`, with a bearer token and a page session."""
    from fastapi.testclient import TestClient

    from app import ratelimit
    from app.main import create_app

    with using_database(url), TestClient(create_app()) as client:
        ratelimit.reset_all()
        token = client.post("/api/v1/auth/token", data={
            "username": NATIONAL_EMAIL, "password": NATIONAL_PASSWORD}).json()["access_token"]
        client.get("/")
        client.post("/sign-in", data={"csrf_token": client.cookies.get("asye360_csrf"),
                                      "email": NATIONAL_EMAIL, "password": NATIONAL_PASSWORD})
        yield client, {"Authorization": f"Bearer {token}"}


def _sha(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _fingerprints(url: str, rounds: list[int], years: list[str],
                  keep: Path | None) -> dict[str, str]:
    found = {}

    def record(path: str, body: bytes) -> None:
        found[path] = _sha(body)
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            (keep / path.strip("/").replace("/", "_").replace("?", "_")).write_bytes(body)

    with _signed_in_client(url) as (client, headers):
        for round_id in rounds:
            for suffix in ("", ".csv"):
                path = f"/api/v1/rounds/{round_id}/report{suffix}"
                response = client.get(path, headers=headers)
                response.raise_for_status()
                record(path, response.content)
        for year in years:
            for group_by in GROUPS:
                query = f"programme={generate.PROGRAMME}" + (
                    f"&group_by={group_by}" if group_by else "")
                for path in (f"/api/v1/national/{year}?{query}", f"/national/{year}.csv?{query}"):
                    response = client.get(path, headers=headers)
                    response.raise_for_status()
                    record(path, response.content)
    return found


def _spread(url: str) -> list[int]:
    """Every 37th closed round, one that misses the minimum criteria, and the newest."""
    with psycopg.connect(generate.libpq_url(url)) as conn:
        ids = [row[0] for row in conn.execute(
            "SELECT id FROM evaluation_round WHERE status = 'closed' ORDER BY id")]
        weak = conn.execute("SELECT min(round_id) FROM round_responses WHERE nqsw < 3 "
                            "OR self_assessment < 1").fetchone()[0]
    return sorted({*ids[::37], ids[-1], *([weak] if weak else [])})


def medium(console: Console, keep: Path | None = None) -> dict[str, str]:
    with throwaway_postgres("fingerprint_medium") as url:
        add_national_user(url)
        dataset = generate.load_national(url, organisations=240, years=3, respondents=8,
                                         seed=7, console=console, tag="medium")
        busy = sorted(dataset.rounds)[:20]
        generate.add_respondents(url, generate.Dataset(rounds={r: "" for r in busy}),
                                 respondents=30, seed=8, console=console)
        add_report_round(url, 200, console)
        return _fingerprints(url, _spread(url), dataset.years, keep and keep / "medium")


def small(console: Console, keep: Path | None = None) -> dict[str, str]:
    with throwaway_postgres("fingerprint_small") as url:
        add_national_user(url)
        dataset = generate.load_national(url, organisations=25, years=2, respondents=5,
                                         seed=9, console=console, tag="small")
        return _fingerprints(url, _spread(url), dataset.years, keep and keep / "small")


def fingerprints(console: Console, keep: Path | None = None) -> dict[str, dict[str, str]]:
    return {"medium": medium(console, keep), "small": small(console, keep)}


cli = typer.Typer(add_completion=False)


@cli.command()
def main(
    save: Annotated[Path | None, typer.Option(help="Write the fingerprints to this file")] = None,
    compare: Annotated[
        Path | None, typer.Option(help="Compare with fingerprints saved earlier")] = None,
    keep: Annotated[
        Path | None, typer.Option(help="Also write each body into this folder")] = None,
) -> None:
    """Hash the report and national JSON and CSV of two generated data sets."""
    console = Console(stderr=True)
    found = fingerprints(console, keep)
    count = sum(len(v) for v in found.values())
    if save:
        save.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n")
        console.print(f"{count} fingerprints written to {save}")
    if compare:
        expected = json.loads(compare.read_text())
        differ = [f"{name} {path}" for name in expected for path in expected[name]
                  if found.get(name, {}).get(path) != expected[name][path]]
        missing = [f"{name} {path}" for name in found for path in found[name]
                   if path not in expected.get(name, {})]
        for line in differ:
            console.print(f"[red]differs: {line}[/red]")
        for line in missing:
            console.print(f"[yellow]not in {compare}: {line}[/yellow]")
        if differ or missing:
            raise typer.Exit(code=1)
        console.print(f"[green]All {count} fingerprints are the same as in {compare}.[/green]")


if __name__ == "__main__":
    cli()
