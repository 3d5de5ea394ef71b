"""Benchmark 4: peak Python memory building national results, as the ratings grow 4×.

Measured with tracemalloc over the results and their JSON. Target: flat (nothing reads the
ratings into Python).
"""

import gc
import json
import tracemalloc

from bench import generate
from bench.measure import Ratio
from bench.server import using_database


def national_peak_memory(url: str) -> float:
    """Peak Python allocation (MiB) while building the national results and their JSON."""
    from sqlmodel import Session

    from app.db import get_engine
    from app.national.query import NationalQuery
    from app.national.service import build_national_results

    with using_database(url):
        engine = get_engine()

        def build() -> str:
            with Session(engine) as session:
                query = NationalQuery(year=generate.LATEST_YEAR, programme=generate.PROGRAMME)
                results = build_national_results(session=session, query=query)
                return json.dumps(results.model_dump(mode="json"))

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
