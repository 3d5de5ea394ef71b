"""Benchmark 3: national JSON against a bare GROUP BY over every rating, cold and warm.

Cold: the first request to a freshly started server, and the bare query's first run on a new
connection. Warm: medians of interleaved repeats. Target: faster, cold and warm.
"""

import statistics

import psycopg
from rich.console import Console

from bench import generate
from bench.data import NATIONAL_EMAIL, NATIONAL_PASSWORD
from bench.measure import Ratio, Sizes, timed
from bench.server import running_server

BARE_NATIONAL = """
SELECT statement_number, count(score), sum(score), count(*) - count(score)
FROM rating GROUP BY statement_number
"""


def bench_national(url: str, sizes: Sizes, ratings: int,
                   console: Console) -> tuple[list[Ratio], dict]:
    """Cold: the first request to a freshly started server vs the bare query's first run on a new
    connection. Warm: medians of interleaved repeats."""
    year = generate.LATEST_YEAR
    path = f"/api/v1/national/{year}?programme={generate.PROGRAMME}"

    def bare() -> None:
        with psycopg.connect(generate.libpq_url(url)) as conn:
            conn.execute(BARE_NATIONAL).fetchall()

    with console.status("Benchmark 3: national JSON vs a bare GROUP BY over every rating"):
        bare_cold = timed(bare, 0)[0]
        with running_server(url) as server:
            token = _national_token(server.base_url)

            def national() -> None:
                _get_json(server.base_url + path, token)

            def by_type() -> None:
                _get_json(server.base_url + path + "&group_by=respondent_type", token)

            national_cold = timed(national, 0)[0]
            timed(by_type, 0)  # its first run is not counted: warm against warm
            national_warm, bare_warm, by_type_warm = [], [], []
            for _ in range(sizes.repeats):
                national_warm.append(timed(national, 0)[0])
                bare_warm.append(timed(bare, 0)[0])
                by_type_warm.append(timed(by_type, 0)[0])
    warm = statistics.median(national_warm) / statistics.median(bare_warm)
    cold = national_cold / bare_cold
    grouped = statistics.median(by_type_warm)
    by_type_ratio = grouped / statistics.median(bare_warm)
    return [Ratio(
        name=f"3. national JSON ({sizes.label}) vs bare GROUP BY over all ratings",
        measured=f"cold {national_cold:.0f} ms, warm {statistics.median(national_warm):.0f} ms",
        baseline=f"cold {bare_cold:.0f} ms, warm {statistics.median(bare_warm):.0f} ms "
                 f"({ratings:,} ratings)",
        ratio=max(cold, warm), target="< 1× (faster), cold and warm", met=cold < 1 and warm < 1,
    ), Ratio(
        name="3b. national JSON by respondent type (group_by=respondent_type) vs the same bare "
             "GROUP BY",
        measured=f"warm {grouped:.0f} ms",
        baseline=f"warm {statistics.median(bare_warm):.0f} ms",
        ratio=by_type_ratio, target="≤ 1×, warm", met=by_type_ratio <= 1,
    )], {"cold_ratio": round(cold, 3), "warm_ratio": round(warm, 3),
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
