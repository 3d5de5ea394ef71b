"""Timings of the disclosure audit (app/benchmarks/audit.py) at the sizes of a real year.

    .venv/bin/python -m bench.audit [--seed N] [--organisations N] [--year N ...]

1. one-shot: the 41 groups (national, 9 regions, 25 Teaching Partnerships, 6 employer types) of
   1,000 organisations audited together, nothing published before;
2. a year as it happens, for each size given with --year: organisations qualify one by one in a
   random order; whenever a group has 3 organisations more than its last published figures, its
   new version is offered (audited, and recorded if safe). Then, against that history: one more
   offer; the 41 final groups audited at once; and the check that the whole history is safe;
3. a forced history: ~300 versions recorded without audit (as if published under an older
   setting), then offers against it;
4. per-statement families: 32 statements counting the same organisations, memoised.

Times are processor seconds of this process (steadier than the clock when other work shares the
machine).
"""

import argparse
import functools
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from app.benchmarks.audit import Disclosure, audit

REGIONS = 9
TYPES = 6
PARTNERSHIPS = 25
# Shares of organisations by region and by employer type (local authorities first), roughly as
# in the ASYE annual reports.
REGION_SHARES = (6, 14, 11, 9, 10, 11, 20, 14, 9)
TYPE_SHARES = (60, 15, 8, 7, 5, 5)

T = TypeVar("T")
Group = tuple[str, int]


@dataclass(frozen=True)
class Organisation:
    number: int
    region: int
    employer_type: int
    partnership: int | None


def make_organisations(count: int, rng: random.Random) -> list[Organisation]:
    # Teaching Partnerships sit inside regions, as they do in England.
    partnership_region = [p % REGIONS for p in range(PARTNERSHIPS)]
    organisations = []
    for number in range(count):
        region = rng.choices(range(REGIONS), weights=REGION_SHARES)[0]
        employer_type = rng.choices(range(TYPES), weights=TYPE_SHARES)[0]
        options = [p for p in range(PARTNERSHIPS) if partnership_region[p] == region]
        partnership = rng.choice(options) if rng.random() < 0.6 else None
        organisations.append(Organisation(number, region, employer_type, partnership))
    return organisations


def group_keys(organisation: Organisation) -> list[Group]:
    keys = [("national", 0), ("region", organisation.region), ("type", organisation.employer_type)]
    if organisation.partnership is not None:
        keys.append(("partnership", organisation.partnership))
    return keys


def groups_of(organisations: list[Organisation]) -> dict[Group, frozenset[int]]:
    groups: dict[Group, set[int]] = {}
    for organisation in organisations:
        for key in group_keys(organisation):
            groups.setdefault(key, set()).add(organisation.number)
    return {key: frozenset(members) for key, members in groups.items()}


def timed(action: Callable[[], T]) -> tuple[T, float]:
    """The result and the processor time it took: steadier than the clock on a shared machine."""
    start = time.process_time()
    result = action()
    return result, time.process_time() - start


def spread(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    return (
        f"median {statistics.median(ordered) * 1000:.1f} ms, "
        f"95th {ordered[int(len(ordered) * 0.95)] * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms"
    )


def one_shot(organisations: list[Organisation]) -> None:
    candidates = sorted(groups_of(organisations).items())
    result, seconds = timed(lambda: audit((), candidates))
    print(
        f"one-shot: {len(candidates)} groups over {len(organisations)} organisations: "
        f"{seconds:.3f} s; {len(result.accepted)} shown, {len(result.withheld)} withheld"
    )


def a_year(organisations: list[Organisation], rng: random.Random, step: int = 3) -> None:
    state: Disclosure[int] = Disclosure()
    members: dict[Group, set[int]] = {}
    published_size: dict[Group, int] = {}
    history: list[frozenset[int]] = []
    times: list[float] = []
    for organisation in rng.sample(organisations, len(organisations)):
        for key in group_keys(organisation):
            members.setdefault(key, set()).add(organisation.number)
            size = len(members[key])
            if size >= 3 and size - published_size.get(key, 0) >= step:
                group = frozenset(members[key])
                isolated, seconds = timed(lambda group=group: state.offer(group))
                times.append(seconds)
                if isolated is None:
                    published_size[key] = size
                    history.append(group)
    print(
        f"a year of {len(organisations)} organisations: {len(times)} offers, "
        f"{len(history)} shown (rank {state.rank}); per offer {spread(times)}; "
        f"{sum(times):.1f} s in all"
    )
    sample = frozenset(rng.sample(range(len(organisations)), len(organisations) // 8))
    _, seconds = timed(lambda: state.witness(sample))
    print(f"  one more offer against those {state.rank} rows: {seconds * 1000:.1f} ms")
    final = sorted(groups_of(organisations).items())
    result, seconds = timed(lambda: audit(history, final))
    print(
        f"  the {len(final)} final groups at once over that history: {seconds:.2f} s "
        f"({len(result.accepted)} shown, {len(result.withheld)} withheld)"
    )
    isolated, seconds = timed(lambda: Disclosure(history).smallest_isolated())
    print(f"  the whole history checked (smallest_isolated -> {isolated}): {seconds:.2f} s")


def forced_history(organisations: list[Organisation], rng: random.Random, rows: int) -> None:
    order = rng.sample(organisations, len(organisations))
    members: dict[Group, set[int]] = {}
    last: dict[Group, int] = {}
    history: list[frozenset[int]] = []
    for organisation in order:
        for key in group_keys(organisation):
            members.setdefault(key, set()).add(organisation.number)
            if len(members[key]) - last.get(key, 0) >= 3 and len(history) < rows:
                history.append(frozenset(members[key]))
                last[key] = len(members[key])
    state, seconds = timed(lambda: Disclosure(history))
    print(
        f"forced history: {len(history)} versions over {len(organisations)} organisations "
        f"recorded unaudited (rank {state.rank}) in {seconds:.3f} s"
    )
    times = []
    for _ in range(20):
        group = frozenset(o.number for o in rng.sample(organisations, rng.randint(4, 60)))
        times.append(timed(lambda group=group: state.witness(group))[1])
    print(f"  20 random offers against it: {spread(times)}")


def families(organisations: list[Organisation], statements: int = 32) -> None:
    candidates = tuple(sorted(groups_of(organisations).items()))
    cached = functools.lru_cache(maxsize=64)(audit)
    _, seconds = timed(lambda: [cached((), candidates) for _ in range(statements)])
    print(
        f"{statements} statements of one family, memoised: {seconds:.3f} s "
        f"({cached.cache_info().hits} hits)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--organisations", type=int, default=1000)
    parser.add_argument("--year", type=int, nargs="*", default=[300])
    parser.add_argument("--history-rows", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    organisations = make_organisations(args.organisations, rng)
    one_shot(organisations)
    for size in args.year:
        a_year(make_organisations(size, rng), rng)
    forced_history(make_organisations(300, rng), rng, args.history_rows)
    families(organisations)


if __name__ == "__main__":
    main()
