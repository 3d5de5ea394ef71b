"""Publish benchmark figures: the latest version of each group, renewed in steps, audited.

`publish_benchmarks` is the one way figures over groups of organisations are shown, by reports
(rule 7) and by national results (their breakdowns): for each statement it keeps showing a
group's figures as last published until at least `minimum` more organisations have joined it,
offers the renewed or new groups to the disclosure audit (app.benchmarks.audit) against every
version published in the year, of every kind, stores what it accepts as published, and says in
words why anything is withheld.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import lru_cache

from sqlalchemy import false, text, update
from sqlmodel import Session, select

from app.benchmarks.audit import audit
from app.benchmarks.cohorts import GroupKey, Member, averages
from app.benchmarks.models import PublishedBenchmark
from app.vocabulary import NOT_ENOUGH_ORGANISATIONS, withheld_benchmark


@dataclass(frozen=True)
class Scope:
    """Benchmarks compare like with like: one year, programme and statement set."""

    year: str
    programme: str
    statement_set: str


@dataclass(frozen=True)
class Figure:
    """A group's figures for one statement, as published: exact values, displayed by the caller.

    `minimum` and `maximum` are None below 5 organisations (rule 7).
    """

    mean: Fraction
    minimum: Fraction | None
    maximum: Fraction | None
    organisations: int
    published_on: date


@dataclass(frozen=True)
class Withheld:
    reason: str
    organisations: int = 0  # in the group now, for the statement


Shown = Figure | Withheld
RANGE_FROM = 5  # min and max only over this many organisations or more

_audit = lru_cache(maxsize=4096)(audit)


def publish_benchmarks(
    *, session: Session, scope: Scope, cohort: Iterable[Member], groups: Sequence[GroupKey],
    numbers: Iterable[int], minimum: int, today: date,
) -> dict[GroupKey, dict[int, Shown]]:
    """Group → statement number → its figures or why not, publishing what is new; commits.

    A group needs more than `minimum` organisations to be shown (a reader inside it needs
    `minimum` others). One version of a group is shown
    until `minimum` more organisations have joined it; a new version, or a new group, is offered
    to the audit together with the other groups asked for now (largest first), against every
    version published this year, and stored when accepted. Withheld, a group shows its last
    published version, if it has one.
    """
    cohort = list(cohort)
    _lock(session, scope)
    members = {group: averages(cohort, group) for group in groups}
    history = _history(session, scope)
    result: dict[GroupKey, dict[int, Shown]] = {group: {} for group in groups}
    for number in numbers:
        versions = history.get(number, {})
        published = tuple(frozenset(row.organisations)
                          for rows in versions.values() for row in rows)
        candidates: list[tuple[GroupKey, frozenset[int]]] = []
        for group in groups:
            current = frozenset(members[group].get(number, {}))
            latest = versions.get(group, [None])[-1]
            if latest is not None and not _renewed(latest, current, minimum):
                result[group][number] = _figure(latest)
            elif len(current) <= minimum:
                # Alone, a group of `minimum` shows a reader inside it the other members' total.
                result[group][number] = Withheld(NOT_ENOUGH_ORGANISATIONS, len(current))
            else:
                candidates.append((group, current))
        verdict = _audit(published, tuple(candidates), minimum=minimum)
        for group, _members in candidates:
            isolated = verdict.isolates(group)
            if isolated is None:
                row = _store(session, scope, group, number, members[group][number], today)
                result[group][number] = _figure(row)
            else:
                latest = versions.get(group, [None])[-1]
                result[group][number] = (
                    _figure(latest) if latest is not None
                    else Withheld(withheld_benchmark(len(isolated)), len(_members)))
    session.commit()
    return result


def _renewed(latest: PublishedBenchmark, current: frozenset[int], minimum: int) -> bool:
    """Whether a group has grown enough since its last version to be published again."""
    before = frozenset(latest.organisations)
    return before <= current and len(current - before) >= minimum


def _history(session: Session, scope: Scope) -> dict[int, dict[GroupKey, list[PublishedBenchmark]]]:
    """Statement number → group → its versions, oldest first."""
    rows = session.exec(
        select(PublishedBenchmark).where(
            PublishedBenchmark.year == scope.year,
            PublishedBenchmark.programme == scope.programme,
            PublishedBenchmark.statement_set == scope.statement_set,
        ).order_by(PublishedBenchmark.id)
    ).all()
    history: dict[int, dict[GroupKey, list[PublishedBenchmark]]] = {}
    for row in rows:
        group = GroupKey(row.kind, row.group_key)
        history.setdefault(row.statement_number, {}).setdefault(group, []).append(row)
    return history


def _store(session: Session, scope: Scope, group: GroupKey, number: int,
           values: dict[int, Fraction], today: date) -> PublishedBenchmark:
    means = list(values.values())
    mean = sum(means, Fraction(0)) / len(means)
    ranged = len(means) >= RANGE_FROM
    low, high = (min(means), max(means)) if ranged else (None, None)
    row = PublishedBenchmark(
        year=scope.year, programme=scope.programme, statement_set=scope.statement_set,
        kind=group.kind, group_key=group.key, statement_number=number,
        organisations=sorted(values), mean=str(mean),
        minimum=str(low) if ranged else None, maximum=str(high) if ranged else None,
        published_on=today,
    )
    session.add(row)
    return row


def _figure(row: PublishedBenchmark) -> Figure:
    return Figure(
        mean=Fraction(row.mean),
        minimum=None if row.minimum is None else Fraction(row.minimum),
        maximum=None if row.maximum is None else Fraction(row.maximum),
        organisations=len(row.organisations),
        published_on=row.published_on,
    )


def _lock(session: Session, scope: Scope) -> None:
    """Publish one scope at a time: two readers auditing at once could each add a group that is
    safe alone and not together, or both store a scope's first figures.

    PostgreSQL: an advisory lock per scope. SQLite: its one write lock, taken before the
    published history is read. pysqlite begins a transaction only at the first write, so the
    history would otherwise be read outside it, by both readers, before either stored; a write
    that changes nothing takes the lock (as `lock_open_round` does), and a second reader waits
    for the first to commit (the busy timeout) and then reads what it published.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        key = f"benchmarks:{scope.year}:{scope.programme}:{scope.statement_set}"
        session.execute(text("select pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
    elif dialect == "sqlite":
        session.execute(update(PublishedBenchmark).where(false())
                        .values(id=PublishedBenchmark.id))
