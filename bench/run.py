"""`make bench`: load without loss, then the four ratios, each against a baseline of the same run.

1. submission throughput and p50/p99 latency vs GET /api/v1/reference on the same server;
2. a closed round's report (2,000 responses) vs the bare SQL aggregate over its ratings;
3. national JSON (1,000 organisations × 5 years × ~60 respondents) vs a bare SQL GROUP BY over
   every rating, cold and warm;
4. peak Python memory while building national results, at two sizes of the ratings table.

`--small` shrinks everything so the whole run takes well under a minute (tests/load runs it);
only a full run rewrites the results in bench/README.md.
"""

import asyncio
import gc
import itertools
import json
import os
import platform
import random
import statistics
import time
import tracemalloc
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url

from bench import generate, load
from bench.data import NATIONAL_EMAIL, NATIONAL_PASSWORD, add_national_user, add_report_round
from bench.server import running_server, throwaway_postgres, using_database

README = Path(__file__).with_name("README.md")
RESULTS_START = "<!-- results: written by `make bench`; do not edit by hand -->"
RESULTS_END = "<!-- end of results -->"


@dataclass(frozen=True)
class Sizes:
    organisations: int
    years: int
    respondents_before: int  # per round, at the first size of benchmark 4
    respondents_after: int  # per round, at the full size
    report_responses: int
    throughput_seconds: float
    throughput_rounds: int
    load_seconds: float
    kills: int
    repeats: int

    @property
    def label(self) -> str:
        return (f"{self.organisations:,} organisations × {self.years} years × "
                f"{self.respondents_after} respondents")


FULL = Sizes(organisations=1000, years=5, respondents_before=15, respondents_after=60,
             report_responses=2000, throughput_seconds=6, throughput_rounds=3,
             load_seconds=30, kills=3, repeats=7)
SMALL = Sizes(organisations=30, years=2, respondents_before=8, respondents_after=24,
              report_responses=200, throughput_seconds=1.5, throughput_rounds=1,
              load_seconds=3, kills=2, repeats=3)


@dataclass
class Ratio:
    name: str
    measured: str
    baseline: str
    ratio: float
    target: str
    met: bool


# Machine


def machine() -> dict[str, str]:
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    total_kb = next((int(line.split()[1]) for line in meminfo.splitlines()
                     if line.startswith("MemTotal:")), 0)
    with psycopg.connect(generate.libpq_url(_base_url())) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        shared_buffers = conn.execute("SHOW shared_buffers").fetchone()[0]
    load_average = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": str(os.cpu_count()),
        "cpu": _cpu_model(),
        "memory": f"{total_kb / 1024 / 1024:.0f} GiB",
        "postgresql": f"{version} (shared_buffers {shared_buffers})",
        "python": platform.python_version(),
        "load": f"{load_average:.1f}",
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _base_url() -> str:
    from bench.server import postgres_base_url

    return postgres_base_url()


# 1. Submission throughput


@dataclass
class Throughput:
    per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    statuses: dict


async def _hammer(base_url: str, *, seconds: float, concurrency: int, request) -> Throughput:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    async with load.client_session(base_url, concurrency) as client:
        deadline = time.monotonic() + seconds

        async def client_loop(worker: int) -> None:
            rng = random.Random(worker)
            while time.monotonic() < deadline:
                started = time.perf_counter()
                async with request(client, rng) as response:
                    await response.read()
                    statuses[response.status] = statuses.get(response.status, 0) + 1
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(client_loop(i) for i in range(concurrency)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return Throughput(
        per_second=len(ordered) / elapsed,
        p50_ms=ordered[len(ordered) // 2] * 1000,
        p99_ms=ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000,
        requests=len(ordered), statuses=statuses,
    )


def bench_throughput(server_url: str, links: list[str], sizes: Sizes, console: Console,
                     concurrency: int = 50) -> tuple[Ratio, dict]:
    """Alternate the two endpoints several times, so a noisy neighbour hurts both alike."""
    serials = itertools.count(1)

    def reference(client, _rng):
        return client.get("/api/v1/reference")

    def submission(client, rng):
        serial = next(serials)
        return client.post(f"/api/v1/survey/{links[serial % len(links)]}/responses",
                           json={"ratings": load.ratings_for(serial, rng)})

    runs: dict[str, list[Throughput]] = {"reference": [], "submission": []}
    # A short warm-up of each, not counted: connection pools, caches, prepared statements.
    for request in (reference, submission):
        asyncio.run(_hammer(server_url, seconds=min(1.0, sizes.throughput_seconds),
                            concurrency=concurrency, request=request))
    with console.status("Benchmark 1: submissions vs GET /api/v1/reference"):
        for _ in range(sizes.throughput_rounds):
            for name, request in (("reference", reference), ("submission", submission)):
                runs[name].append(asyncio.run(_hammer(
                    server_url, seconds=sizes.throughput_seconds, concurrency=concurrency,
                    request=request)))
    summary = {name: _median_throughput(results) for name, results in runs.items()}
    bad = {name: s.statuses for name, s in summary.items()
           if set(s.statuses) - {200, 201}}
    if bad:
        raise RuntimeError(f"benchmark 1 got unexpected statuses: {bad}")
    ratio = summary["submission"].per_second / summary["reference"].per_second
    sub, ref = summary["submission"], summary["reference"]
    return Ratio(
        name="1. submissions vs GET /reference (throughput)",
        measured=f"{sub.per_second:,.0f} submissions/s (p50 {sub.p50_ms:.0f} ms, "
                 f"p99 {sub.p99_ms:.0f} ms)",
        baseline=f"{ref.per_second:,.0f} requests/s (p50 {ref.p50_ms:.0f} ms, "
                 f"p99 {ref.p99_ms:.0f} ms)",
        ratio=ratio, target="≥ 0.5×", met=ratio >= 0.5,
    ), {"concurrency": concurrency, "runs": {k: [round(r.per_second) for r in v]
                                             for k, v in runs.items()}}


def _median_throughput(results: list[Throughput]) -> Throughput:
    ordered = sorted(results, key=lambda r: r.per_second)
    middle = ordered[len(ordered) // 2]
    statuses: dict[int, int] = {}
    for result in results:
        for status, count in result.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    return Throughput(middle.per_second, middle.p50_ms, middle.p99_ms,
                      sum(r.requests for r in results), statuses)


# 2. A round's report


BARE_ROUND_AGGREGATE = """
SELECT rating.statement_number, response.respondent_type, count(rating.score), sum(rating.score),
       count(*) - count(rating.score)
FROM rating JOIN response ON response.id = rating.response_id
WHERE response.round_id = %s
GROUP BY rating.statement_number, response.respondent_type
"""


def _timed(function, repeats: int) -> tuple[float, list[float]]:
    """The first run (cold) and the later runs (warm), in milliseconds."""
    times = []
    for _ in range(repeats + 1):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times[0], times[1:]


def bench_report(url: str, round_id: int, responses: int, sizes: Sizes,
                 console: Console) -> tuple[Ratio, dict]:
    with using_database(url):
        return _measure_report(url, round_id, responses, sizes, console)


def _measure_report(url: str, round_id: int, responses: int, sizes: Sizes,
                    console: Console) -> tuple[Ratio, dict]:
    from sqlmodel import Session

    from app.db import get_engine
    from app.reports.schemas import RoundReport
    from app.reports.service import build_round_report
    from app.rounds.models import Round

    engine = get_engine()
    ratings = _scalar(url, "SELECT count(*) FROM rating JOIN response ON response.id = "
                           "rating.response_id WHERE response.round_id = %s", round_id)

    def report() -> None:
        with Session(engine) as session:
            round_ = session.get(Round, round_id)
            RoundReport.model_validate(build_round_report(session=session, round_=round_))

    def bare() -> None:
        with engine.connect() as connection:
            connection.exec_driver_sql(BARE_ROUND_AGGREGATE, (round_id,)).fetchall()

    with console.status("Benchmark 2: a round's report vs the bare SQL aggregate"):
        report(), bare()  # warm both: connections, compiled SQL, statement sets
        report_times, bare_times = [], []
        for _ in range(sizes.repeats):  # interleaved, so a noisy neighbour hurts both alike
            report_times.append(_timed(report, 0)[0])
            bare_times.append(_timed(bare, 0)[0])
    report_ms, bare_ms = statistics.median(report_times), statistics.median(bare_times)
    ratio = report_ms / bare_ms
    return Ratio(
        name=f"2. report of a closed round ({responses:,} responses) vs bare SQL aggregate",
        measured=f"{report_ms:.1f} ms (build_round_report + RoundReport)",
        baseline=f"{bare_ms:.1f} ms (GROUP BY over its {ratings:,} ratings)",
        ratio=ratio, target="≤ 2×", met=ratio <= 2,
    ), {"report_ms": [round(t, 1) for t in report_times],
        "bare_ms": [round(t, 1) for t in bare_times]}


def _scalar(url: str, sql: str, *params):
    with psycopg.connect(generate.libpq_url(url)) as conn:
        return conn.execute(sql, params).fetchone()[0]


# 3. National JSON


BARE_NATIONAL = """
SELECT statement_number, count(score), sum(score), count(*) - count(score)
FROM rating GROUP BY statement_number
"""


def bench_national(url: str, sizes: Sizes, ratings: int, console: Console) -> tuple[Ratio, dict]:
    """Cold: the first request to a freshly started server vs the bare query's first run on a new
    connection. Warm: medians of interleaved repeats."""
    year = generate.LATEST_YEAR
    path = f"/api/v1/national/{year}?programme={generate.PROGRAMME}"

    def bare() -> None:
        with psycopg.connect(generate.libpq_url(url)) as conn:
            conn.execute(BARE_NATIONAL).fetchall()

    with console.status("Benchmark 3: national JSON vs a bare GROUP BY over every rating"):
        bare_cold = _timed(bare, 0)[0]
        with running_server(url) as server:
            token = _national_token(server.base_url)

            def national() -> None:
                _get_json(server.base_url + path, token)

            national_cold = _timed(national, 0)[0]
            national_warm, bare_warm = [], []
            for _ in range(sizes.repeats):
                national_warm.append(_timed(national, 0)[0])
                bare_warm.append(_timed(bare, 0)[0])
            grouped = statistics.median(_timed(
                lambda: _get_json(server.base_url + path + "&group_by=respondent_type", token),
                sizes.repeats)[1])
    warm = statistics.median(national_warm) / statistics.median(bare_warm)
    cold = national_cold / bare_cold
    return Ratio(
        name=f"3. national JSON ({sizes.label}) vs bare GROUP BY over all ratings",
        measured=f"cold {national_cold:.0f} ms, warm {statistics.median(national_warm):.0f} ms",
        baseline=f"cold {bare_cold:.0f} ms, warm {statistics.median(bare_warm):.0f} ms "
                 f"({ratings:,} ratings)",
        ratio=max(cold, warm), target="< 1× (faster), cold and warm", met=cold < 1 and warm < 1,
    ), {"cold_ratio": round(cold, 3), "warm_ratio": round(warm, 3),
        "group_by_respondent_type_warm_ms": round(grouped, 1)}


def _national_token(base_url: str) -> str:
    import httpx

    response = httpx.post(f"{base_url}/api/v1/auth/token",
                          data={"username": NATIONAL_EMAIL, "password": NATIONAL_PASSWORD})
    response.raise_for_status()
    return response.json()["access_token"]


def _get_json(url: str, token: str) -> dict:
    import httpx

    response = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=120)
    response.raise_for_status()
    return response.json()


# 4. Memory


def national_peak_memory(url: str) -> float:
    """Peak Python allocation (MiB) while building the national results and their JSON."""
    from sqlmodel import Session

    from app.db import get_engine
    from app.national.schemas import NationalResults
    from app.national.service import build_national_results

    with using_database(url):
        engine = get_engine()

        def build() -> str:
            with Session(engine) as session:
                results = build_national_results(session=session, year=generate.LATEST_YEAR,
                                                 programme=generate.PROGRAMME)
                return json.dumps(
                    NationalResults.model_validate(results).model_dump(mode="json"))

        build()  # imports, statement sets and compiled SQL are not what is measured
        gc.collect()
        tracemalloc.start()
        try:
            build()
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    return peak / 1024 / 1024


def memory_ratio(before: tuple[int, float], after: tuple[int, float]) -> Ratio:
    (ratings_a, peak_a), (ratings_b, peak_b) = before, after
    ratio = peak_b / peak_a
    return Ratio(
        name="4. peak memory building national results, as ratings grow "
             f"{ratings_b / ratings_a:.1f}×",
        measured=f"{peak_b:.1f} MiB at {ratings_b:,} ratings",
        baseline=f"{peak_a:.1f} MiB at {ratings_a:,} ratings",
        ratio=ratio, target="flat (≤ 1.1×)", met=ratio <= 1.1,
    )


# The whole run


def run(sizes: Sizes, console: Console) -> tuple[list[Ratio], dict]:
    details: dict = {"machine": machine(), "sizes": sizes.__dict__}
    console.print(f"Machine: {details['machine']}")
    ratios: list[Ratio] = []

    # Load without loss and benchmark 1 share one server and database, on separate rounds.
    with throwaway_postgres("launch") as url:
        database = make_url(url).database
        with running_server(url) as server:
            for kills in (0, sizes.kills):
                round_id, links = load.open_round_with_links(url)
                outcome = asyncio.run(load.submit_for(
                    base_url=server.base_url, admin_url=url, database=database, links=links,
                    seconds=sizes.load_seconds, kills=kills))
                stored = load.check_database(url, round_id)
                name = "load with connection kills" if kills else "load"
                details[name] = {
                    "summary": load.summary_lines(outcome, stored, kills=kills),
                    "problems": load.problems(outcome, stored, kills=kills),
                }
                _print_load(console, name, details[name])
            round_id, links = load.open_round_with_links(url)
            ratio, details["throughput"] = bench_throughput(server.base_url, links, sizes, console)
            ratios.append(ratio)

    with throwaway_postgres("national") as url:
        add_national_user(url)
        dataset = generate.load_national(
            url, organisations=sizes.organisations, years=sizes.years,
            respondents=sizes.respondents_before, console=console)
        before = (dataset.ratings, national_peak_memory(url))
        generate.add_respondents(url, dataset,
                                 respondents=sizes.respondents_after - sizes.respondents_before,
                                 console=console)
        report_round = add_report_round(url, sizes.report_responses, console)
        ratings = _scalar(url, "SELECT count(*) FROM rating")
        details["data"] = {"ratings": ratings, "load_seconds": round(dataset.seconds, 1),
                           "rounds": len(dataset.rounds), "responses": dataset.responses}
        after = (ratings, national_peak_memory(url))
        ratio, details["report"] = bench_report(url, report_round, sizes.report_responses,
                                                sizes, console)
        ratios.append(ratio)
        ratio, details["national"] = bench_national(url, sizes, ratings, console)
        ratios.append(ratio)
        ratios.append(memory_ratio(before, after))
    return ratios, details


def _print_load(console: Console, name: str, result: dict) -> None:
    console.print(f"[bold]{name}[/bold]")
    for line in result["summary"]:
        console.print(f"  {line}")
    for problem in result["problems"]:
        console.print(f"  [red]✗ {problem}[/red]")
    if not result["problems"]:
        console.print("  [green]✓ every 2xx stored exactly once, whole; nothing else[/green]")


def ratio_table(ratios: list[Ratio]) -> Table:
    table = Table(title="ASYE 360 benchmarks")
    for column in ("benchmark", "measured", "baseline", "ratio", "target", ""):
        table.add_column(column)
    for r in ratios:
        table.add_row(r.name, r.measured, r.baseline, f"{r.ratio:.2f}×", r.target,
                      "[green]met[/green]" if r.met else "[red]missed[/red]")
    return table


def results_markdown(ratios: list[Ratio], details: dict) -> str:
    m = details["machine"]
    lines = [
        RESULTS_START,
        "",
        f"Measured {m['date']} on {m['cpus']} CPUs ({m['cpu']}), {m['memory']} of memory, "
        f"PostgreSQL {m['postgresql']}, Python {m['python']}; load average at the start "
        f"{m['load']}. Data: {details['data']['ratings']:,} ratings in "
        f"{details['data']['rounds']:,} closed rounds (+ the report round), loaded in "
        f"{details['data']['load_seconds']} s.",
        "",
        "| benchmark | measured | baseline (same run) | ratio | target | |",
        "|---|---|---|---|---|---|",
    ]
    for r in ratios:
        lines.append(f"| {r.name} | {r.measured} | {r.baseline} | {r.ratio:.2f}× | {r.target} | "
                     f"{'met' if r.met else '**missed**'} |")
    lines += ["", "Load without loss (concurrency 50, real server, 2 workers, RATE_LIMITS=off):",
              ""]
    for name in ("load", "load with connection kills"):
        result = details[name]
        verdict = "; ".join(result["problems"]) or \
            "every 2xx stored exactly once, whole; nothing else stored"
        lines.append(f"- **{name}**: " + " ".join(result["summary"]) + f" → {verdict}.")
    lines += [
        "",
        f"Details: throughput runs per endpoint {details['throughput']['runs']}; national "
        f"cold ratio {details['national']['cold_ratio']}, warm ratio "
        f"{details['national']['warm_ratio']}, with group_by=respondent_type (warm) "
        f"{details['national']['group_by_respondent_type_warm_ms']} ms.",
        "",
        RESULTS_END,
    ]
    return "\n".join(lines)


def write_readme(markdown: str) -> None:
    text = README.read_text()
    start, end = text.index(RESULTS_START), text.index(RESULTS_END) + len(RESULTS_END)
    README.write_text(text[:start] + markdown + text[end:])


cli = typer.Typer(add_completion=False)


@cli.command()
def main(
    small: bool = typer.Option(False, "--small", help="Tiny sizes: checks the scripts work"),
    write: bool = typer.Option(None, help="Rewrite bench/README.md (default: on a full run)"),
) -> None:
    """Run the load checks and the four benchmarks; print the ratios."""
    console = Console()
    ratios, details = run(SMALL if small else FULL, console)
    console.print(ratio_table(ratios))
    markdown = results_markdown(ratios, details)
    if write if write is not None else not small:
        write_readme(markdown)
        console.print(f"Results written to {README}")
    problems = details["load"]["problems"] + details["load with connection kills"]["problems"]
    if problems:
        raise typer.Exit(code=1)


if __name__ == "__main__":
    cli()
