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
    # The bodies are made before the clock starts: the client shares the server's two cores,
    # and encoding 32 ratings per request would be the client's cost, not the server's (a GET
    # of the baseline has no body to make). Varied, so no two neighbours send the same.
    rng = random.Random(17)
    bodies = [json.dumps({"ratings": load.ratings_for(serial, rng)}).encode()
              for serial in range(1000)]
    headers = {"Content-Type": "application/json"}

    def reference(client, _rng):
        return client.get("/api/v1/reference")

    def submission(client, _rng):
        serial = next(serials)
        return client.post(f"/api/v1/survey/{links[serial % len(links)]}/responses",
                           data=bodies[serial % len(bodies)], headers=headers)

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
    ), {"concurrency": concurrency, "submissions_per_second": sub.per_second,
        "p99_ms": {"submission": sub.p99_ms, "reference": ref.p99_ms},
        "runs": {k: [round(r.per_second) for r in v] for k, v in runs.items()}}


def _median_throughput(results: list[Throughput]) -> Throughput:
    ordered = sorted(results, key=lambda r: r.per_second)
    middle = ordered[len(ordered) // 2]
    statuses: dict[int, int] = {}
    for result in results:
        for status, count in result.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    return Throughput(middle.per_second, middle.p50_ms, middle.p99_ms,
                      sum(r.requests for r in results), statuses)
