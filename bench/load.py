"""Load without loss: complete responses at concurrency 50 through the real server, then the count.

Every submission carries a signature in its ratings (statements 1–9 spell its serial number in
base 5), so after the run the database can be checked response by response, though responses
are anonymous: each submission answered 2xx is stored exactly once, each one refused is not
stored at all, and every stored response has all 32 ratings (packed in its row while the round
is open, app.survey.answers; in rating rows once it has closed). Half the submissions send an
Idempotency-Key and are retried with it (twice at once, then once more), and must still be
stored once.

With `--kills N` the service's database connections are killed N times during the run
(pg_terminate_backend): no partial response may appear, errors must be 503s with a JSON body,
and the service must recover by itself (submissions succeed after the last kill).

    python -m bench.load --seconds 30 --concurrency 50
    python -m bench.load --seconds 30 --concurrency 50 --kills 3
"""

import asyncio
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field

import aiohttp
import psycopg
import typer
from rich.console import Console

from bench.generate import NUMBERS, libpq_url

SIGNATURE_STATEMENTS = 9  # 5**9 ≈ 2 million distinct submissions per run
RETRY_STATUSES = {503}


@dataclass
class Outcome:
    """What the clients saw, per submission and per request."""

    statuses: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)  # seconds, every request
    stored: set[int] = field(default_factory=set)  # serials answered 2xx
    refused: set[int] = field(default_factory=set)  # serials never answered 2xx
    keyed: set[int] = field(default_factory=set)
    bad_errors: list[str] = field(default_factory=list)  # 5xx that are not JSON 503s, etc.
    transport_errors: Counter = field(default_factory=Counter)
    successes_after_last_kill: int = 0
    kill_times: list[float] = field(default_factory=list)
    terminated: int = 0  # connections killed
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class Stored:
    """What the database holds for the round after the run."""

    responses: int
    partial: int  # responses without exactly 32 ratings (packed or in rating rows)
    by_serial: Counter  # serial → responses stored with it
    unknown: int  # responses whose ratings spell no serial that was sent


def ratings_for(serial: int, rng: random.Random) -> dict[str, int | None]:
    """A complete response whose first statements spell `serial` in base 5."""
    ratings: dict[str, int | None] = {}
    for number in NUMBERS[:SIGNATURE_STATEMENTS]:
        serial, digit = divmod(serial, 5)
        ratings[str(number)] = digit + 1
    for number in NUMBERS[SIGNATURE_STATEMENTS:]:
        ratings[str(number)] = None if rng.random() < 0.05 else rng.randint(1, 5)
    return ratings


def check_database(url: str, round_id: int) -> Stored:
    """Count what was stored, by signature, straight from the tables.

    While the round is open a response holds its answers packed in `response.answers` (one
    character per statement in number order, "1"-"5" or "-"; app.survey.answers), with no
    rating rows; once closed, or when stored before packing, in rating rows. Both are read here,
    the packed ones decoded by this module, not by the app, so a bug in the app's encoding
    cannot hide itself.
    """
    weights = " + ".join(
        f"(CASE WHEN rating.statement_number = {n} THEN rating.score - 1 ELSE 0 END)"
        f" * {5 ** (n - 1)}"
        for n in NUMBERS[:SIGNATURE_STATEMENTS]
    )
    with psycopg.connect(libpq_url(url)) as conn:
        rows = conn.execute(
            f"""
            SELECT response.answers,
                   count(rating.statement_number) AS ratings,
                   count(rating.score) FILTER (WHERE rating.statement_number <= %s) AS signed,
                   coalesce(sum({weights}), -1) AS serial
            FROM response LEFT JOIN rating ON rating.response_id = response.id
            WHERE response.round_id = %s
            GROUP BY response.id, response.answers
            """,
            (SIGNATURE_STATEMENTS, round_id),
        ).fetchall()
    partial, unknown, by_serial = 0, 0, Counter()
    for answers, ratings, signed, serial in rows:
        if answers is None:
            whole = ratings == len(NUMBERS)
            serial = serial if signed == SIGNATURE_STATEMENTS else None
        else:
            whole = ratings == 0 and _whole_packed(answers)
            serial = _packed_serial(answers)
        partial += not whole
        if serial is None:
            unknown += 1
        else:
            by_serial[serial] += 1
    return Stored(responses=len(rows), partial=partial, by_serial=by_serial, unknown=unknown)


_PACKED_ANSWERS = set("12345-")


def _whole_packed(answers: str) -> bool:
    """Every statement answered: one answer character per statement, nothing else."""
    return len(answers) == len(NUMBERS) and set(answers) <= _PACKED_ANSWERS


def _packed_serial(answers: str) -> int | None:
    """The serial the first statements spell (statement n is character n - 1), or None."""
    signature = answers[:SIGNATURE_STATEMENTS]
    if len(signature) != SIGNATURE_STATEMENTS or not set(signature) <= set("12345"):
        return None
    return sum((int(character) - 1) * 5 ** index for index, character in enumerate(signature))


def problems(outcome: Outcome, stored: Stored, *, kills: int = 0) -> list[str]:
    """Everything that breaks "stored exactly once, whole, and nothing else" (empty: all well)."""
    found = []
    if stored.partial:
        found.append(f"{stored.partial} responses stored without all {len(NUMBERS)} ratings")
    if stored.unknown:
        found.append(f"{stored.unknown} stored responses match no submission")
    twice = {s: c for s, c in stored.by_serial.items() if c > 1}
    if twice:
        found.append(f"{len(twice)} submissions stored more than once, e.g. {list(twice)[:5]}")
    lost = [s for s in outcome.stored if stored.by_serial[s] == 0]
    if lost:
        found.append(f"{len(lost)} submissions answered 2xx but not stored, e.g. {lost[:5]}")
    extra = [s for s in outcome.refused if stored.by_serial[s]]
    if extra:
        found.append(f"{len(extra)} submissions refused but stored anyway, e.g. {extra[:5]}")
    strangers = set(stored.by_serial) - outcome.stored - outcome.refused
    if strangers:
        found.append(f"{len(strangers)} stored responses were never sent")
    if stored.responses != len(outcome.stored):
        found.append(f"{stored.responses} responses stored for {len(outcome.stored)} answered 2xx")
    if outcome.bad_errors:
        found.append(f"{len(outcome.bad_errors)} bad errors, e.g. {outcome.bad_errors[:3]}")
    if outcome.transport_errors:
        found.append(f"connections failed: {dict(outcome.transport_errors)}")
    if not outcome.stored:
        found.append("nothing was stored at all")
    if kills and outcome.successes_after_last_kill == 0:
        found.append("no submission succeeded after the last kill: the service did not recover")
    return found


class _Run:
    def __init__(self, *, links: list[str], seed: int, outcome: Outcome) -> None:
        self.links = links
        self.rng = random.Random(seed)
        self.outcome = outcome
        self.serials = iter(range(1, 5 ** SIGNATURE_STATEMENTS))

    async def send(self, client: aiohttp.ClientSession, token: str, body: dict,
                   key: str | None) -> int | None:
        headers = {"Idempotency-Key": key} if key else {}
        started = time.perf_counter()
        try:
            async with client.post(f"/api/v1/survey/{token}/responses", json=body,
                                   headers=headers) as response:
                text = await response.text()
                status = response.status
                retry_after = response.headers.get("Retry-After")
                content_type = response.content_type
        except (TimeoutError, aiohttp.ClientError) as error:
            self.outcome.transport_errors[type(error).__name__] += 1
            return None
        self.outcome.latencies.append(time.perf_counter() - started)
        self.outcome.statuses[status] += 1
        if status >= 500:
            _check_unavailable(status, content_type, text, retry_after, self.outcome)
        return status

    async def submission(self, client: aiohttp.ClientSession, *, faults: bool) -> None:
        serial = next(self.serials)
        body = {"ratings": ratings_for(serial, self.rng)}
        token = self.links[serial % len(self.links)]
        keyed = serial % 2 == 0
        if not keyed:
            ok = _is_2xx(await self.send(client, token, body, None))
        else:
            self.outcome.keyed.add(serial)
            key = f"bench-{serial}-{self.rng.getrandbits(64):x}"
            # The double click: the same key twice at once, then a late retry.
            first = await asyncio.gather(*(self.send(client, token, body, key) for _ in range(2)))
            ok = any(_is_2xx(s) for s in first)
            attempts = 0
            while True:
                status = await self.send(client, token, body, key)
                ok = ok or _is_2xx(status)
                attempts += 1
                # Under faults a client keeps retrying (with its key) until the answer is stored.
                if not faults or ok or attempts >= 20 or status not in RETRY_STATUSES | {None}:
                    break
                await asyncio.sleep(0.05 * attempts)
        (self.outcome.stored if ok else self.outcome.refused).add(serial)
        if ok and self.outcome.kill_times and time.monotonic() > self.outcome.kill_times[-1] + 0.5:
            self.outcome.successes_after_last_kill += 1


def _is_2xx(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


def _check_unavailable(status: int, content_type: str, text: str, retry_after: str | None,
                       outcome: Outcome) -> None:
    """A failure may only be a 503 with a JSON `detail` and Retry-After: never a bare 500."""
    try:
        detail = json.loads(text).get("detail") if content_type == "application/json" else None
    except (ValueError, AttributeError):
        detail = None
    if status != 503 or not detail or not retry_after:
        outcome.bad_errors.append(f"{status}: {text[:120]!r}")


async def _kill_connections(url: str, database: str, *, kills: int, seconds: float,
                            outcome: Outcome) -> None:
    """Terminate every connection to the service's database `kills` times, spread over the run."""
    if not kills:
        return
    # Kill in the middle 70 % of the run, so there is load before the first and after the last.
    times = [seconds * (0.15 + 0.7 * i / max(1, kills - 1)) for i in range(kills)] if kills > 1 \
        else [seconds / 2]
    started = time.monotonic()
    for at in times:
        await asyncio.sleep(max(0.0, started + at - time.monotonic()))
        with psycopg.connect(libpq_url(url), autocommit=True) as conn:
            killed = conn.execute(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (database,),
            ).fetchone()[0]
        outcome.terminated += killed
        outcome.kill_times.append(time.monotonic())


def client_session(base_url: str, concurrency: int) -> aiohttp.ClientSession:
    """One keep-alive connection per client (twice, for the double clicks)."""
    return aiohttp.ClientSession(
        base_url, connector=aiohttp.TCPConnector(limit=concurrency * 2),
        timeout=aiohttp.ClientTimeout(total=30),
    )


async def submit_for(
    *, base_url: str, admin_url: str, database: str, links: list[str], seconds: float,
    concurrency: int = 50, kills: int = 0, seed: int = 2026,
) -> Outcome:
    """`concurrency` clients submitting complete responses for `seconds`; kills optional."""
    outcome = Outcome()
    run = _Run(links=links, seed=seed, outcome=outcome)
    async with client_session(base_url, concurrency) as client:
        deadline = time.monotonic() + seconds

        async def client_loop() -> None:
            while time.monotonic() < deadline:
                await run.submission(client, faults=kills > 0)

        started = time.perf_counter()
        await asyncio.gather(
            *(client_loop() for _ in range(concurrency)),
            _kill_connections(admin_url, database, kills=kills, seconds=seconds, outcome=outcome),
        )
        outcome.seconds = time.perf_counter() - started
    return outcome


def summary_lines(outcome: Outcome, stored: Stored, *, kills: int) -> list[str]:
    rate = len(outcome.stored) / outcome.seconds if outcome.seconds else 0
    lines = [
        f"{outcome.requests:,} requests in {outcome.seconds:.1f} s; "
        f"{len(outcome.stored):,} submissions answered 2xx ({rate:,.0f}/s), "
        f"{len(outcome.refused):,} refused; half sent an Idempotency-Key and retried it",
        f"statuses: {dict(sorted(outcome.statuses.items()))}; "
        f"latency p50 {outcome.percentile(0.5) * 1000:.0f} ms, "
        f"p99 {outcome.percentile(0.99) * 1000:.0f} ms",
        f"database: {stored.responses:,} responses, {stored.partial} partial, "
        f"{sum(1 for c in stored.by_serial.values() if c > 1)} stored twice, "
        f"{stored.unknown} unknown",
    ]
    if kills:
        lines.append(f"killed {outcome.terminated} connections in {kills} rounds; "
                     f"{outcome.successes_after_last_kill} submissions stored after the last kill")
    return lines


def run_load(*, seconds: float, concurrency: int, kills: int, console: Console,
             workers: int = 2) -> tuple[Outcome, Stored, list[str]]:
    """The whole check on a throwaway database: server up, load, count, server down."""
    from sqlalchemy.engine import make_url

    from bench.data import open_round_with_links
    from bench.server import running_server, throwaway_postgres

    with throwaway_postgres("load") as url:
        round_id, links = open_round_with_links(url)
        with running_server(url, workers=workers) as server:
            outcome = asyncio.run(submit_for(
                base_url=server.base_url, admin_url=url, database=make_url(url).database,
                links=links, seconds=seconds, concurrency=concurrency, kills=kills,
            ))
        stored = check_database(url, round_id)
    found = problems(outcome, stored, kills=kills)
    for line in summary_lines(outcome, stored, kills=kills):
        console.print(line)
    return outcome, stored, found


cli = typer.Typer(add_completion=False)


@cli.command()
def main(
    seconds: float = typer.Option(30.0, help="How long to submit for"),
    concurrency: int = typer.Option(50),
    kills: int = typer.Option(0, help="Times to kill the service's database connections"),
    workers: int = typer.Option(2, help="Service worker processes"),
) -> None:
    """Submit at full tilt through the real server, then check every response in the database."""
    console = Console()
    _outcome, _stored, found = run_load(seconds=seconds, concurrency=concurrency, kills=kills,
                                        console=console, workers=workers)
    for problem in found:
        console.print(f"[red]✗ {problem}[/red]")
    if found:
        raise typer.Exit(code=1)
    console.print("[green]✓ every answered submission stored exactly once, whole; "
                  "nothing else stored[/green]")


if __name__ == "__main__":
    cli()
