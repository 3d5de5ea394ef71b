"""Benchmark 2: a closed round's report against the bare SQL aggregate over its ratings.

`build_round_report` (a round of 2,000 responses, in a database of 1,000 organisations × 5
years) against the bare `GROUP BY` over that round's ratings; interleaved repeats, medians.
Target: at most 2×.
"""

import statistics

from rich.console import Console

from bench.measure import Ratio, Sizes, scalar, timed
from bench.server import using_database

BARE_ROUND_AGGREGATE = """
SELECT rating.statement_number, response.respondent_type, count(rating.score), sum(rating.score),
       count(*) - count(rating.score)
FROM rating JOIN response ON response.id = rating.response_id
WHERE response.round_id = %s
GROUP BY rating.statement_number, response.respondent_type
"""


def bench_report(url: str, round_id: int, responses: int, sizes: Sizes,
                 console: Console) -> tuple[Ratio, dict]:
    with using_database(url):
        return _measure_report(url, round_id, responses, sizes, console)


def _measure_report(url: str, round_id: int, responses: int, sizes: Sizes,
                    console: Console) -> tuple[Ratio, dict]:
    from sqlmodel import Session

    from app.db import get_engine
    from app.lifecycle.models import Round
    from app.reports.service import build_round_report

    engine = get_engine()
    ratings = scalar(url, "SELECT count(*) FROM rating JOIN response ON response.id = "
                           "rating.response_id WHERE response.round_id = %s", round_id)

    def report() -> None:
        with Session(engine) as session:
            round_ = session.get(Round, round_id)
            build_round_report(session=session, round_=round_)  # the RoundReport, validated

    def bare() -> None:
        with engine.connect() as connection:
            connection.exec_driver_sql(BARE_ROUND_AGGREGATE, (round_id,)).fetchall()

    with console.status("Benchmark 2: a round's report vs the bare SQL aggregate"):
        report(), bare()  # warm both: connections, compiled SQL, statement sets
        report_times, bare_times = [], []
        for _ in range(sizes.repeats):  # interleaved, so a noisy neighbour hurts both alike
            report_times.append(timed(report, 0)[0])
            bare_times.append(timed(bare, 0)[0])
    report_ms, bare_ms = statistics.median(report_times), statistics.median(bare_times)
    ratio = report_ms / bare_ms
    return Ratio(
        name=f"2. report of a closed round ({responses:,} responses) vs bare SQL aggregate",
        measured=f"{report_ms:.1f} ms (build_round_report, a validated RoundReport)",
        baseline=f"{bare_ms:.1f} ms (GROUP BY over its {ratings:,} ratings)",
        ratio=ratio, target="≤ 2×", met=ratio <= 2,
    ), {"report_ms": [round(t, 1) for t in report_times],
        "bare_ms": [round(t, 1) for t in bare_times]}
