"""Benchmark 1: complete submissions against GET /api/v1/reference on the same server.

Throughput and p50/p99 latency at concurrency 50, the two endpoints alternated several times so
that a noisy neighbour hurts both alike. Target: at least 0.5×.
"""

import asyncio
import itertools
import json
import random
import time
from dataclasses import dataclass

import aiohttp
from rich.console import Console

from bench import load
from bench.measure import Ratio, Sizes


@dataclass
class Throughput:
    per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    statuses: dict
    runs: list[int] | None = None  # a median's runs (requests per second of each)


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


def _submission(links: list[str]):
    """A request maker for complete submissions, the links taken in turn."""
    serials = itertools.count(1)
    # The bodies are made before the clock starts: the client shares the server's two cores,
    # and encoding 32 ratings per request would be the client's cost, not the server's (a GET
    # of the baseline has no body to make). Varied, so no two neighbours send the same.
    rng = random.Random(17)
    bodies = [json.dumps({"ratings": load.ratings_for(serial, rng)}).encode()
              for serial in range(1000)]
    headers = {"Content-Type": "application/json"}

    def submission(client, _rng):
        serial = next(serials)
        return client.post(f"/api/v1/survey/{links[serial % len(links)]}/responses",
                           data=bodies[serial % len(bodies)], headers=headers)

    return submission


def _reference(client, _rng):
    return client.get("/api/v1/reference")


def _timed_runs(server_url: str, requests: dict, sizes: Sizes,
                concurrency: int) -> dict[str, Throughput]:
    """Each request maker's median run (`sizes.throughput_rounds` runs, alternated) after a
    short warm-up of each, not counted: connection pools, caches, prepared statements."""
    runs: dict[str, list[Throughput]] = {name: [] for name in requests}
    for request in requests.values():
        asyncio.run(_learn(server_url, request, seconds=min(1.0, sizes.throughput_seconds)))
        asyncio.run(_hammer(server_url, seconds=min(1.0, sizes.throughput_seconds),
                            concurrency=concurrency, request=request))
    for _ in range(sizes.throughput_rounds):
        for name, request in requests.items():
            runs[name].append(asyncio.run(_hammer(
                server_url, seconds=sizes.throughput_seconds, concurrency=concurrency,
                request=request)))
    summary = {name: _median_throughput(results) for name, results in runs.items()}
    bad = {name: s.statuses for name, s in summary.items() if set(s.statuses) - {200, 201}}
    if bad:
        raise RuntimeError(f"benchmark 1 got unexpected statuses: {bad}")
    for name, results in runs.items():
        summary[name].runs = [round(r.per_second) for r in results]
    return summary


async def _learn(server_url: str, request, *, seconds: float) -> None:
    """Two clients for `seconds`, a new connection for every request, before the warm-up: every
    worker process sees every link while only two requests are in flight, as on a server that
    has been up a while. A link new to a worker goes the long way, through its thread pools;
    fifty at once would open those pools' connections too, and keep them, which on a database
    shared with other work (CI's, 100 connections) can leave the event loop's pools refused."""
    async with aiohttp.ClientSession(
            server_url, connector=aiohttp.TCPConnector(force_close=True),
            timeout=aiohttp.ClientTimeout(total=30)) as client:
        deadline = time.monotonic() + seconds

        async def one_client(number: int) -> None:
            rng = random.Random(number)
            while time.monotonic() < deadline:
                async with request(client, rng) as response:
                    await response.read()

        await asyncio.gather(one_client(0), one_client(1))


def bench_throughput(server_url: str, links: list[str], sizes: Sizes, console: Console,
                     concurrency: int = 50) -> tuple[Ratio, dict]:
    """Alternate the two endpoints several times, so a noisy neighbour hurts both alike."""
    with console.status("Benchmark 1: submissions vs GET /api/v1/reference"):
        summary = _timed_runs(server_url, {"reference": _reference,
                                           "submission": _submission(links)},
                              sizes, concurrency)
    sub, ref = summary["submission"], summary["reference"]
    ratio = sub.per_second / ref.per_second
    return Ratio(
        name="1. submissions vs GET /reference (throughput)",
        measured=f"{sub.per_second:,.0f} submissions/s (p50 {sub.p50_ms:.0f} ms, "
                 f"p99 {sub.p99_ms:.0f} ms)",
        baseline=f"{ref.per_second:,.0f} requests/s (p50 {ref.p50_ms:.0f} ms, "
                 f"p99 {ref.p99_ms:.0f} ms)",
        ratio=ratio, target="≥ 0.5×", met=ratio >= 0.5,
    ), {"concurrency": concurrency, "submissions_per_second": sub.per_second,
        "reference_per_second": ref.per_second,
        "p99_ms": {"submission": sub.p99_ms, "reference": ref.p99_ms},
        "runs": {name: s.runs for name, s in summary.items()}}


# Production runs with rate limits on: each submission is also counted against its link's
# ceiling, in the database. The ceiling is set out of reach, so that what is measured is the
# counting, not refusals.
RATE_LIMITS_ON = {"RATE_LIMITS": "on", "SUBMISSIONS_PER_LINK_PER_MINUTE": str(10**9)}


def bench_with_rate_limits(server_url: str, links: list[str], sizes: Sizes, console: Console,
                           reference_per_second: float, concurrency: int = 50
                           ) -> tuple[Ratio, dict]:
    """1c, for scale: benchmark 1's submissions on a server started with RATE_LIMITS_ON,
    against benchmark 1's GET /reference of the same run (on its own server)."""
    with console.status("Benchmark 1c: submissions with rate limits on"):
        sub = _timed_runs(server_url, {"submission": _submission(links)}, sizes,
                          concurrency)["submission"]
    return Ratio(
        name="1c. submissions with rate limits on, as production runs (each also counted "
             "against its link's ceiling, set out of reach)",
        measured=f"{sub.per_second:,.0f} submissions/s (p50 {sub.p50_ms:.0f} ms, "
                 f"p99 {sub.p99_ms:.0f} ms)",
        baseline=f"{reference_per_second:,.0f} requests/s (benchmark 1's GET /reference)",
        ratio=sub.per_second / reference_per_second, target="for scale", met=None,
    ), {"submissions_per_second": sub.per_second, "p99_ms": sub.p99_ms, "runs": sub.runs}


def _median_throughput(results: list[Throughput]) -> Throughput:
    ordered = sorted(results, key=lambda r: r.per_second)
    middle = ordered[len(ordered) // 2]
    statuses: dict[int, int] = {}
    for result in results:
        for status, count in result.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    return Throughput(middle.per_second, middle.p50_ms, middle.p99_ms,
                      sum(r.requests for r in results), statuses)
