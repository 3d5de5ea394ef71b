"""Benchmark 5: whole respondent journeys through the pages, not only the JSON API.

Each of 50 clients runs journeys one after another, as a browser would: the start page, each
theme page (each part of a long theme, following "Continue") shown and then posted (every
statement answered, some "I do not know"), "check your
answers" shown and sent, and the "done" page, with the service's own cookies (the encrypted
draft, CSRF) and the CSRF token read from each form. A journey counts when its send is answered
with the redirect to "done"; afterwards the database must hold exactly one response per
completed journey. Reported: complete journeys per second and p99 latency per page.

For scale (issue 17): LimeSurvey 6.14 (PHP 8.2, php-fpm, nginx, PostgreSQL) on this kind of
machine completes about 2 whole journeys a second; the target is at least 20 times that.
"""

import asyncio
import random
import re
import time
from collections import defaultdict

import aiohttp
import typer
from rich.console import Console

from bench.measure import Ratio, Sizes, scalar

LIMESURVEY_JOURNEYS_PER_SECOND = 2.0
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
STATEMENTS = range(1, 33)


class JourneyFailed(Exception):
    pass


async def _journey(client: aiohttp.ClientSession, token: str, rng: random.Random,
                   latencies: dict[str, list[float]]) -> None:
    base = f"/survey/{token}"

    async def request(page: str, method: str, path: str, **kwargs) -> tuple[str, str]:
        """The body and (after a redirect) where it goes."""
        started = time.perf_counter()
        async with client.request(method, path, allow_redirects=False, **kwargs) as response:
            body = await response.text()
            latencies[page].append(time.perf_counter() - started)
            if response.status not in (200, 303):
                raise JourneyFailed(f"{method} {path}: {response.status} {body[:200]}")
            return body, response.headers.get("location", "")

    await request("start", "GET", base)
    # Every statement's answer on every page: each page reads only its own statements, and
    # "Continue" says which page is next (a theme's parts, then the next theme, then check).
    form = {f"statement-{n}": "dont_know" if rng.random() < 0.05 else str(rng.randint(1, 5))
            for n in STATEMENTS}
    url = f"{base}/theme/1"
    while url != f"{base}/check":
        page, _ = await request("theme (show)", "GET", url)
        _, url = await request("theme (post)", "POST", url,
                               data={"csrf_token": _csrf(page), **form})
        if not url.startswith(f"{base}/"):
            raise JourneyFailed(f"a theme page went to {url!r}")
    check, _ = await request("check answers", "GET", f"{base}/check")
    await request("send", "POST", f"{base}/check", data={"csrf_token": _csrf(check)})
    await request("done", "GET", f"{base}/done")


def _csrf(html: str) -> str:
    match = _CSRF.search(html)
    if match is None:
        raise JourneyFailed("no CSRF token in the form")
    return match.group(1)


async def run_journeys(base_url: str, links: list[str], *, seconds: float,
                       concurrency: int = 50) -> dict:
    latencies: dict[str, list[float]] = defaultdict(list)
    completed, failures = 0, []
    deadline = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)

    async def client_loop(worker: int) -> None:
        nonlocal completed
        rng = random.Random(worker)
        async with aiohttp.ClientSession(
            base_url, connector=connector, connector_owner=False,
            cookie_jar=aiohttp.CookieJar(unsafe=True),  # cookies for 127.0.0.1
            timeout=aiohttp.ClientTimeout(total=60),
        ) as client:
            while time.monotonic() < deadline:
                client.cookie_jar.clear()  # a new respondent each time
                try:
                    await _journey(client, links[rng.randrange(len(links))], rng, latencies)
                    completed += 1
                except (TimeoutError, JourneyFailed, aiohttp.ClientError) as error:
                    failures.append(str(error)[:200])

    started = time.perf_counter()
    await asyncio.gather(*(client_loop(i) for i in range(concurrency)))
    elapsed = time.perf_counter() - started
    await connector.close()
    return {
        "completed": completed, "seconds": elapsed, "per_second": completed / elapsed,
        "failures": len(failures), "first_failures": failures[:3],
        "p99_ms": {page: round(_p99(values) * 1000) for page, values in latencies.items()},
        "requests": sum(len(v) for v in latencies.values()),
    }


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def bench_journeys(server_url: str, url: str, round_id: int, links: list[str], sizes: Sizes,
                   console: Console) -> tuple[Ratio, dict]:
    with console.status("Benchmark 5: whole respondent journeys through the pages"):
        result = asyncio.run(run_journeys(server_url, links, seconds=sizes.throughput_seconds * 2))
    stored = scalar(url, f"SELECT count(*) FROM response WHERE round_id = {int(round_id)}")
    result["stored"] = stored
    if result["failures"] or stored != result["completed"]:
        raise RuntimeError(f"benchmark 5: {result['failures']} journeys failed "
                           f"({result['first_failures']}); {result['completed']} completed, "
                           f"{stored} stored")
    pages = ", ".join(f"{page} {ms}" for page, ms in result["p99_ms"].items())
    ratio = result["per_second"] / LIMESURVEY_JOURNEYS_PER_SECOND
    return Ratio(
        name="5. whole respondent journeys through the pages (16 requests each), concurrency 50",
        measured=f"{result['per_second']:,.1f} journeys/s ({result['completed']:,} completed, "
                 f"each stored once); p99 ms per page: {pages}",
        baseline=f"LimeSurvey 6.14: about {LIMESURVEY_JOURNEYS_PER_SECOND:.0f} journeys/s "
                 "(issue 17, measured elsewhere on this kind of machine)",
        ratio=ratio, target="≥ 20× (≥ 40 journeys/s)", met=ratio >= 20,
    ), result


cli = typer.Typer(add_completion=False)


@cli.command()
def main(
    seconds: float = typer.Option(15.0, help="How long to run journeys for"),
    concurrency: int = typer.Option(50),
    workers: int = typer.Option(2, help="Service worker processes"),
) -> None:
    """Benchmark 5 on its own: a throwaway database, the server, journeys, then the check that
    the database holds one response per completed journey."""
    from bench.data import open_round_with_links
    from bench.server import running_server, throwaway_postgres

    console = Console()
    with throwaway_postgres("journey") as url:
        round_id, links = open_round_with_links(url)
        with running_server(url, workers=workers) as server:
            result = asyncio.run(run_journeys(server.base_url, links, seconds=seconds,
                                              concurrency=concurrency))
        stored = scalar(url, f"SELECT count(*) FROM response WHERE round_id = {int(round_id)}")
    console.print(f"{result['per_second']:,.1f} journeys/s: {result['completed']:,} completed "
                  f"({result['requests']:,} requests) in {result['seconds']:.1f} s, "
                  f"{result['failures']} failed, {stored:,} stored")
    console.print(f"p99 ms per page: {result['p99_ms']}")
    if result["failures"] or stored != result["completed"]:
        console.print(f"[red]✗ {result['first_failures']}[/red]")
        raise typer.Exit(code=1)


if __name__ == "__main__":
    cli()
