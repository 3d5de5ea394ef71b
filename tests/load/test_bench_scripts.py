"""The benchmark scripts work end to end (in --small mode), and their data is summarised right."""

import random

import psycopg
import pytest
from rich.console import Console
from sqlmodel import Session, select

from bench import generate, run
from bench.server import throwaway_postgres
from tests.load.conftest import one_launch_at_a_time

pytestmark = pytest.mark.postgres_only


def test_the_whole_bench_runs_in_small_mode_and_reports_every_ratio():
    console = Console(quiet=True)

    with one_launch_at_a_time():
        ratios, details = run.run(run.SMALL, console)

    assert [r.name.split(".")[0] for r in ratios] == [
        "1", "1b", "1c", "5", "2", "3", "3b", "6", "4"]
    assert details["journeys"]["stored"] == details["journeys"]["completed"] > 0
    assert all(r.ratio > 0 for r in ratios)
    assert details["load"]["problems"] == []
    assert details["load with connection kills"]["problems"] == []
    assert run.RESULTS_START in run.results_markdown(ratios, details)


def test_generated_summaries_equal_what_closing_a_round_writes():
    from app.db import build_engine
    from app.results.models import (
        RoundResponses,
        RoundStatement,
        RoundSummary,
        RoundTypeStatement,
    )
    from app.results.summaries import summarise_round

    with throwaway_postgres("test_generate") as url:
        dataset = generate.load_national(url, organisations=3, years=2, respondents=12,
                                         seed=random.randrange(1000), console=Console(quiet=True))
        engine = build_engine(url)
        try:
            with Session(engine) as session:
                columns = (RoundSummary.round_id, RoundSummary.statement_number,
                           RoundSummary.respondent_type, RoundSummary.n, RoundSummary.total,
                           RoundSummary.dont_know)
                recorded = (
                    (RoundStatement.round_id, RoundStatement.statement_number, RoundStatement.n,
                     RoundStatement.total, RoundStatement.anonymous_n),
                    (RoundResponses.round_id, RoundResponses.self_assessment, RoundResponses.nqsw,
                     RoundResponses.line_manager, RoundResponses.other),
                    (RoundTypeStatement.round_id, RoundTypeStatement.statement_number,
                     RoundTypeStatement.respondent_type, RoundTypeStatement.k,
                     RoundTypeStatement.n, RoundTypeStatement.total),
                )
                generated = set(session.exec(select(*columns)).all())
                generated_recorded = [set(session.exec(select(*c)).all()) for c in recorded]
                for round_id in dataset.rounds:
                    summarise_round(session=session, round_id=round_id)
                session.flush()
                by_service = set(session.exec(select(*columns)).all())
                by_service_recorded = [set(session.exec(select(*c)).all()) for c in recorded]
                session.rollback()
        finally:
            engine.dispose()
        with psycopg.connect(generate.libpq_url(url)) as conn:
            ratings = conn.execute("SELECT count(*) FROM rating").fetchone()[0]
            keys = {name for (name,) in conn.execute(
                "SELECT conname FROM pg_constraint WHERE conrelid = 'rating'::regclass")}

    assert generated == by_service and generated
    assert generated_recorded == by_service_recorded and all(generated_recorded)
    assert len(generated_recorded[0]) == 6 * 32 and len(generated_recorded[1]) == 6
    assert ratings == dataset.ratings == 6 * 12 * 32
    # The keys set aside for the bulk load are back, under their own names.
    assert keys == {"pk_rating", "fk_rating_response_id_response", "ck_rating_score_range"}


def test_fingerprints_of_a_fixed_data_set_are_the_same_every_time_and_cover_every_body():
    from bench import fingerprint

    console = Console(quiet=True)
    first, again = fingerprint.small(console), fingerprint.small(console)

    assert first == again
    reports = [path for path in first if "/report" in path]
    national = [path for path in first if "national" in path]
    assert len(national) == 2 * 2 * len(fingerprint.GROUPS)  # two years, JSON and CSV
    assert reports and len(reports) % 2 == 0  # each round's JSON and CSV
    assert len(set(first.values())) == len(first)  # no two bodies alike: each was read
