"""What every benchmark shares: the sizes of a run, a ratio against its baseline, timing."""

import os
import platform
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from bench import generate


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
    met: bool | None  # None: a figure for scale, with no target


def timed(function, repeats: int) -> tuple[float, list[float]]:
    """The first run (cold) and the later runs (warm), in milliseconds."""
    times = []
    for _ in range(repeats + 1):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times[0], times[1:]


def scalar(url: str, sql: str, *params):
    with psycopg.connect(generate.libpq_url(url)) as conn:
        return conn.execute(sql, params).fetchone()[0]


# The machine, for the record


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
