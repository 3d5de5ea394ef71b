"""Benchmark 6: survey-page latency while PDFs render, against the same page alone.

A respondent's page must not wait for an employer's PDF. On one server (2 workers), clients
load a survey theme page (10 at a time, for a fixed time) alone, then while 4 report PDFs are
downloaded over and over, alternated twice; p99 of the page in each, medians of the runs.
Target: with PDFs at most 1.5× the page alone.
"""

import asyncio
import statistics
import time

import aiohttp
import httpx
from rich.console import Console

from bench.data import NATIONAL_EMAIL, NATIONAL_PASSWORD
from bench.measure import Ratio, Sizes
from bench.throughput import _hammer

PAGE_CLIENTS = 10
PDFS_AT_ONCE = 4


async def _page_p99(base: str, page: str, *, seconds: float, pdf: str | None,
                    token: str) -> tuple[float, int]:
    """The page's p99 (ms) over `seconds`, with PDF_AT_ONCE PDFs rendering meanwhile if `pdf`;
    and how many PDFs were completed."""
    done = 0
    stop = asyncio.Event()

    async def render_pdfs(client: aiohttp.ClientSession) -> None:
        nonlocal done
        while not stop.is_set():
            async with client.get(pdf, headers={"Authorization": f"Bearer {token}"}) as response:
                body = await response.read()
                if response.status != 200 or not body.startswith(b"%PDF"):
                    raise RuntimeError(f"PDF answered {response.status}")
                done += 1

    async with aiohttp.ClientSession(base, timeout=aiohttp.ClientTimeout(total=300)) as client:
        renderers = [asyncio.create_task(render_pdfs(client))
                     for _ in range(PDFS_AT_ONCE if pdf else 0)]
        if renderers:
            await asyncio.sleep(1.0)  # let the PDFs start before timing the page
        result = await _hammer(base, seconds=seconds, concurrency=PAGE_CLIENTS,
                               request=lambda c, _rng: c.get(page))
        stop.set()
        await asyncio.gather(*renderers)
    if set(result.statuses) != {200}:
        raise RuntimeError(f"benchmark 6: survey page answered {result.statuses}")
    return result.p99_ms, done


def bench_pdf_latency(server_url: str, round_id: int, link: str, sizes: Sizes,
                      console: Console) -> tuple[Ratio, dict]:
    token = httpx.post(f"{server_url}/api/v1/auth/token", timeout=60,
                       data={"username": NATIONAL_EMAIL, "password": NATIONAL_PASSWORD}
                       ).json()["access_token"]
    page = f"/survey/{link}/theme/1"
    pdf = f"/api/v1/rounds/{round_id}/report.pdf"
    alone, loaded, pdfs = [], [], 0
    seconds = max(3.0, sizes.throughput_seconds)
    started = time.perf_counter()
    with console.status("Benchmark 6: survey pages while PDFs render"):
        asyncio.run(_page_p99(server_url, page, seconds=1, pdf=None, token=token))  # warm-up
        for _ in range(2):
            alone.append(asyncio.run(_page_p99(server_url, page, seconds=seconds, pdf=None,
                                               token=token))[0])
            p99, done = asyncio.run(_page_p99(server_url, page, seconds=seconds, pdf=pdf,
                                              token=token))
            loaded.append(p99)
            pdfs += done
    ratio = statistics.median(loaded) / statistics.median(alone)
    return Ratio(
        name=f"6. survey page p99 while {PDFS_AT_ONCE} report PDFs render "
             f"({PAGE_CLIENTS} page clients)",
        measured=f"{statistics.median(loaded):.0f} ms ({pdfs} PDFs rendered meanwhile)",
        baseline=f"{statistics.median(alone):.0f} ms (the page alone)",
        ratio=ratio, target="≤ 1.5×", met=ratio <= 1.5,
    ), {"alone_p99_ms": [round(v) for v in alone], "with_pdfs_p99_ms": [round(v) for v in loaded],
        "pdfs": pdfs, "seconds": round(time.perf_counter() - started, 1)}
