"""Load years of realistic survey data into PostgreSQL quickly, for the benchmarks.

Ratings go in with COPY (psycopg `cursor.copy`) while the rating table's keys are set aside, and
are put back (and so checked) in one pass each afterwards; every closed round's summary rows
are then built by the app's own aggregate (app.results.summaries), the one closing a round
runs. Run it alone to fill a database of your own:

    python -m bench.generate postgresql+psycopg://postgres@127.0.0.1:5432/mydb --organisations 1000
"""

import json
import random
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import psycopg
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import text
from sqlalchemy.engine import make_url

PROGRAMME = "child_and_family"
SET_KEY = "child-and-family-2019"
NUMBERS = tuple(range(1, 33))
LATEST_YEAR = "2025-26"
ANONYMOUS = ("nqsw", "line_manager", "other")
# Shares of a round's anonymous respondents, roughly as in the national reports.
TYPE_SHARES = {"nqsw": 0.45, "line_manager": 0.35, "other": 0.20}
DONT_KNOW = 0.05
_CHUNK = 1 << 20  # bytes per COPY write


@dataclass
class Dataset:
    """What was loaded: enough to find it again and to say how big it is."""

    organisations: list[int] = field(default_factory=list)
    rounds: dict[int, str] = field(default_factory=dict)  # round id → year
    responses: int = 0
    ratings: int = 0
    seconds: float = 0.0

    @property
    def years(self) -> list[str]:
        return sorted(set(self.rounds.values()))


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL as psycopg takes it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def academic_years(count: int, latest: str = LATEST_YEAR) -> list[str]:
    start = int(latest[:4])
    return [f"{y}-{(y + 1) % 100:02d}" for y in range(start - count + 1, start + 1)]


def record_statement_set(url: str) -> None:
    """The set's snapshot, as the service records it when a round first uses it."""
    from sqlmodel import Session

    from app.db import build_engine
    from app.statements.loader import get_statement_sets
    from app.statements.service import record_set_use

    engine = build_engine(url)
    try:
        with Session(engine) as session:
            record_set_use(session=session, statement_set=get_statement_sets()[SET_KEY])
            session.commit()
    finally:
        engine.dispose()


def load_national(
    url: str, *, organisations: int, years: int, respondents: int, seed: int = 2026,
    console: Console | None = None, tag: str | None = None,
) -> Dataset:
    """`organisations` organisations, each with a closed round in each of `years` years and
    `respondents` responses per round (the self-assessment one of them), summarised.

    Organisation names carry `tag` (random by default), so that several loads into one database
    can be told apart; a fixed tag makes a load into a new database the same every time."""
    console = console or Console()
    rng = random.Random(seed)
    started = time.perf_counter()
    record_statement_set(url)
    dataset = Dataset()
    with psycopg.connect(libpq_url(url), autocommit=False) as conn:
        _fast_session(conn)
        dataset.organisations = _copy_organisations(conn, organisations, rng,
                                                    tag=tag or uuid.uuid4().hex[:8])
        dataset.rounds = _copy_rounds(conn, dataset.organisations, academic_years(years))
        conn.commit()
    _load_responses(url, dataset, {r: respondents for r in dataset.rounds}, rng, console)
    rebuild_summaries(url, console=console)
    dataset.seconds = time.perf_counter() - started
    return dataset


def add_respondents(
    url: str, dataset: Dataset, *, respondents: int, seed: int = 2027,
    console: Console | None = None,
) -> Dataset:
    """`respondents` more anonymous responses in every round of `dataset`, summaries rebuilt."""
    console = console or Console()
    started = time.perf_counter()
    rng = random.Random(seed)
    _load_responses(url, dataset, {r: respondents for r in dataset.rounds}, rng, console,
                    self_assessment=False)
    rebuild_summaries(url, console=console)
    dataset.seconds += time.perf_counter() - started
    return dataset


def load_round_responses(
    url: str, round_id: int, *, respondents: int, seed: int = 2028,
    console: Console | None = None,
) -> int:
    """`respondents` responses (one of them the self-assessment) in one round; not summarised."""
    dataset = Dataset(rounds={round_id: ""})
    _load_responses(url, dataset, {round_id: respondents}, random.Random(seed),
                    console or Console())
    return dataset.ratings


def rebuild_summaries(url: str, *, console: Console | None = None) -> None:
    """Every closed round's summary rows, from its ratings, by the app's own aggregate
    (app.results.summaries.summarise_rounds, as closing a round runs it), in one transaction."""
    from sqlmodel import Session, select

    from app.db import build_engine
    from app.lifecycle.models import Round
    from app.results.summaries import summarise_rounds
    from app.vocabulary import RoundStatus

    console = console or Console()
    with console.status("Summarising closed rounds (the app's aggregate, INSERT … SELECT)"):
        engine = build_engine(url)
        try:
            with Session(engine) as session:
                session.exec(text("SET work_mem = '64MB'"))
                summarise_rounds(session=session, round_ids=select(Round.id).where(
                    Round.status == RoundStatus.CLOSED))
                session.commit()
        finally:
            engine.dispose()
        with psycopg.connect(libpq_url(url), autocommit=True) as conn:
            conn.execute("ANALYZE")


def _fast_session(conn: psycopg.Connection) -> None:
    # A generator's own session: nothing here needs to survive a crash before it commits.
    conn.execute("SET synchronous_commit = off")
    conn.execute("SET maintenance_work_mem = '512MB'")
    conn.execute("SET work_mem = '64MB'")


def _reference_keys(name: str) -> list[str]:
    from app.statements.reference import get_reference

    return get_reference().keys(name)


def _copy_organisations(
    conn: psycopg.Connection, count: int, rng: random.Random, *, tag: str
) -> list[int]:
    from app.vocabulary import OrganisationStatus

    regions = _reference_keys("regions")
    partnerships = _reference_keys("teaching_partnerships")
    employer_types = _reference_keys("employer_types")
    programmes = json.dumps([PROGRAMME])
    # Approved (rule 15): a pending organisation counts in no national result or benchmark.
    with conn.cursor().copy(
        "COPY organisation (name, employer_type, region, teaching_partnership, programmes, "
        "created_at, status) FROM STDIN"
    ) as copy:
        for i in range(count):
            # About a third belong to no Teaching Partnership.
            partnership = rng.choice(partnerships) if partnerships and rng.random() < 0.66 else None
            copy.write_row((f"Bench organisation {tag} {i + 1:05d}", rng.choice(employer_types),
                            rng.choice(regions), partnership, programmes, "2021-09-01T00:00:00",
                            OrganisationStatus.APPROVED))
    rows = conn.execute("SELECT id FROM organisation WHERE name LIKE %s ORDER BY id",
                        (f"Bench organisation {tag} %",)).fetchall()
    return [row[0] for row in rows]


def _copy_rounds(
    conn: psycopg.Connection, organisation_ids: list[int], years: list[str]
) -> dict[int, str]:
    with conn.cursor().copy(
        "COPY evaluation_round (organisation_id, programme, year, statement_set, status, "
        "expected_nqsw, expected_line_manager, expected_other, created_at, opened_at, closed_at) "
        "FROM STDIN"
    ) as copy:
        for year in years:
            start = int(year[:4])
            opened, closed = f"{start}-10-01T09:00:00", f"{start + 1}-03-31T17:00:00"
            for organisation_id in organisation_ids:
                copy.write_row((organisation_id, PROGRAMME, year, SET_KEY, "closed", 25, 20, 15,
                                opened, opened, closed))
    rows = conn.execute(
        "SELECT id, year FROM evaluation_round WHERE organisation_id = ANY(%s) AND year = ANY(%s)",
        (organisation_ids, years),
    ).fetchall()
    return dict(rows)


def _respondent_types(count: int, rng: random.Random, *, self_assessment: bool) -> list[str]:
    """One self-assessment (when asked) and the rest split between the anonymous types."""
    types = ["self_assessment"] if self_assessment else []
    anonymous = max(0, count - len(types))
    # A few rounds miss the minimum criteria, as real ones do.
    nqsw = max(1 if rng.random() < 0.03 else 3, round(anonymous * TYPE_SHARES["nqsw"]))
    managers = max(1, round(anonymous * TYPE_SHARES["line_manager"]))
    nqsw, managers = min(nqsw, anonymous), min(managers, max(0, anonymous - nqsw))
    types += ["nqsw"] * nqsw + ["line_manager"] * managers
    types += ["other"] * (anonymous - nqsw - managers)
    return types


@dataclass
class _Respondent:
    id: str
    round_id: int
    respondent_type: str
    level: float  # this organisation's (and type's) typical score


def _respondents(
    counts: dict[int, int], rng: random.Random, *, self_assessment: bool
) -> list[_Respondent]:
    respondents = []
    for round_id, count in counts.items():
        quality = min(4.6, max(1.6, rng.gauss(3.4, 0.55)))
        for respondent_type in _respondent_types(count, rng, self_assessment=self_assessment):
            # Employers rate themselves a little higher than their staff do.
            level = quality + (0.3 if respondent_type == "self_assessment" else 0.0)
            respondents.append(_Respondent(uuid.uuid4().hex, round_id, respondent_type, level))
    return respondents


def _rating_lines(respondents: Iterable[_Respondent], rng: random.Random) -> Iterator[str]:
    """COPY text rows of every respondent's 32 ratings (\\N for "I do not know")."""
    offsets = [random.Random(n).gauss(0, 0.3) for n in NUMBERS]  # the same every run
    gauss, random_ = rng.gauss, rng.random
    for respondent in respondents:
        rows = []
        for number, offset in zip(NUMBERS, offsets, strict=True):
            if random_() < DONT_KNOW:
                score = "\\N"
            else:
                value = int(respondent.level + offset + gauss(0, 0.8) + 0.5)
                score = "1" if value < 1 else "5" if value > 5 else str(value)
            rows.append(f"{respondent.id}\t{number}\t{score}\n")
        yield "".join(rows)


def _load_responses(
    url: str, dataset: Dataset, counts: dict[int, int], rng: random.Random, console: Console,
    *, self_assessment: bool = True,
) -> None:
    respondents = _respondents(counts, rng, self_assessment=self_assessment)
    total = len(respondents) * len(NUMBERS)
    with psycopg.connect(libpq_url(url), autocommit=False) as conn:
        _fast_session(conn)
        with conn.cursor().copy("COPY response (id, round_id, respondent_type) FROM STDIN") as copy:
            for r in respondents:
                copy.write_row((r.id, r.round_id, r.respondent_type))
        set_aside = _set_aside_keys(conn, "rating")
        columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[rate]}"), TimeRemainingColumn())
        started = time.perf_counter()
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task("COPY ratings", total=total, rate="")
            with conn.cursor().copy(
                "COPY rating (response_id, statement_number, score) FROM STDIN"
            ) as copy:
                buffer, size, done = [], 0, 0
                for block in _rating_lines(respondents, rng):
                    buffer.append(block)
                    size += len(block)
                    done += len(NUMBERS)
                    if size >= _CHUNK:
                        copy.write("".join(buffer))
                        buffer, size = [], 0
                        rate = done / max(1e-9, time.perf_counter() - started)
                        progress.update(task, completed=done, rate=f"{rate:,.0f} ratings/s")
                if buffer:
                    copy.write("".join(buffer))
            progress.update(task, completed=total)
        with console.status("Putting the rating table's keys back (and checking them)"):
            _restore_keys(conn, set_aside)
        conn.commit()
    dataset.responses += len(respondents)
    dataset.ratings += total


@dataclass
class _SetAside:
    table: str
    constraints: list[tuple[str, str]]  # name, definition
    indexes: list[str]  # CREATE INDEX statements


def _set_aside_keys(conn: psycopg.Connection, table: str) -> _SetAside:
    """Drop a table's constraints and indexes for a bulk load, remembering them exactly.

    Building a primary key once over sorted input is far faster than updating it row by row, and
    checking a foreign key once with a join is far faster than a trigger per row.
    """
    constraints = conn.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass ORDER BY contype = 'f', contype <> 'p', conname",
        (table,),
    ).fetchall()
    indexes = conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname <> ALL(%s)",
        (table, [name for name, _ in constraints]),
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    for name, _ in reversed(constraints):
        conn.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    return _SetAside(table, list(constraints), [definition for _, definition in indexes])


def _restore_keys(conn: psycopg.Connection, set_aside: _SetAside) -> None:
    for name, definition in set_aside.constraints:
        conn.execute(f'ALTER TABLE "{set_aside.table}" ADD CONSTRAINT "{name}" {definition}')
    for definition in set_aside.indexes:
        conn.execute(definition)


cli = typer.Typer(add_completion=False)


@cli.command()
def main(
    database_url: str = typer.Argument(..., help="A migrated PostgreSQL database (SQLAlchemy URL)"),
    organisations: int = typer.Option(1000),
    years: int = typer.Option(5),
    respondents: int = typer.Option(60, help="Responses per round, self-assessment included"),
    seed: int = typer.Option(2026),
) -> None:
    """Fill a migrated PostgreSQL database with closed, summarised rounds."""
    console = Console()
    dataset = load_national(database_url, organisations=organisations, years=years,
                            respondents=respondents, seed=seed, console=console)
    console.print(f"{len(dataset.rounds):,} rounds, {dataset.responses:,} responses, "
                  f"{dataset.ratings:,} ratings in {dataset.seconds:.1f} s")


if __name__ == "__main__":
    cli()
