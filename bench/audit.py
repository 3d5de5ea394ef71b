"""Timings of the disclosure audit (app/benchmarks/audit.py) at the sizes of a real year.

    .venv/bin/python -m bench.audit [--seed N] [--organisations N]

1. one-shot: the 41 groups (national, 9 regions, 25 Teaching Partnerships, 6 employer types) of
   1,000 organisations audited together, nothing published before;
2. a year as it happens: organisations qualify one by one; whenever a group has 3 organisations
   more than its last published figures, its new version is offered (audited and recorded if
   safe); the time of each offer, then of one more offer against the whole history;
3. a forced history: ~300 versions recorded without audit (as if published under an older
   setting), then the time to offer one more;
4. per-statement families: 32 statements counting the same organisations, memoised.
"""

import argparse
import functools
import random
import statistics
import time
from dataclasses import dataclass

from app.benchmarks.audit import Disclosure, audit

REGIONS = 9
TYPES = 6
PARTNERSHIPS = 25
TYPE_SHARES = (60, 15, 8, 7, 5, 5)  # local authorities first, as in the ASYE annual reports


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
        region = rng.choices(range(REGIONS), weights=[6, 14, 11, 9, 10, 11, 20, 14, 9])[0]
        employer_type = rng.choices(range(TYPES), weights=TYPE_SHARES)[0]
        options = [p for p in range(PARTNERSHIPS) if partnership_region[p] == region]
        partnership = rng.choice(options) if options and rng.random() < 0.6 else None
        organisations.append(Organisation(number, region, employer_type, partnership))
    return organisations


def group_keys(organisation: Organisation) -> list[tuple[str, int]]:
    keys = [("national", 0), ("region", organisation.region), ("type", organisation.employer_type)]
    if organisation.partnership is not None:
        keys.append(("partnership", organisation.partnership))
    return keys


def groups_of(organisations: list[Organisation]) -> dict[tuple[str, int], frozenset[int]]:
    groups: dict[tuple[str, int], set[int]] = {}
    for organisation in organisations:
        for key in group_keys(organisation):
            groups.setdefault(key, set()).add(organisation.number)
    return {key: frozenset(members) for key, members in groups.items()}


def timed(action):
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def one_shot(organisations: list[Organisation]) -> None:
    candidates = sorted(groups_of(organisations).items())
    result, seconds = timed(lambda: audit((), candidates))
    print(
        f"one-shot: {len(candidates)} groups over {len(organisations)} organisations: "
        f"{seconds:.3f} s; {len(result.accepted)} accepted, {len(result.withheld)} withheld"
    )
    for item in result.withheld[:5]:
        print(f"  withheld {item.key}: would isolate {len(item.isolates)} organisation(s)")


def a_year(organisations: list[Organisation], rng: random.Random, step: int = 3) -> Disclosure:
    """Qualify organisations in a random order; offer a group's new version every `step` joins."""
    state: Disclosure[int] = Disclosure()
    members: dict[tuple[str, int], set[int]] = {}
    published_size: dict[tuple[str, int], int] = {}
    times: list[float] = []
    offered = accepted = 0
    for organisation in rng.sample(organisations, len(organisations)):
        for key in group_keys(organisation):
            members.setdefault(key, set()).add(organisation.number)
            size = len(members[key])
            if size >= 3 and size - published_size.get(key, 0) >= step:
                isolated, seconds = timed(lambda key=key: state.offer(frozenset(members[key])))
                times.append(seconds)
                offered += 1
                if isolated is None:
                    accepted += 1
                    published_size[key] = size
    times.sort()
    print(
        f"a year of {len(organisations)} organisations: {offered} offers, {accepted} recorded, "
        f"rank {state.rank}; per offer median {statistics.median(times) * 1000:.1f} ms, "
        f"95th {times[int(len(times) * 0.95)] * 1000:.1f} ms, max {times[-1] * 1000:.1f} ms"
    )
    return state


def forced_history(organisations: list[Organisation], rng: random.Random, rows: int) -> None:
    """Record ~`rows` versions without audit, then time offers against that history."""
    order = rng.sample(organisations, len(organisations))
    members: dict[tuple[str, int], set[int]] = {}
    last: dict[tuple[str, int], int] = {}
    history: list[frozenset[int]] = []
    for organisation in order:
        for key in group_keys(organisation):
            members.setdefault(key, set()).add(organisation.number)
            if len(members[key]) - last.get(key, 0) >= 3 and len(history) < rows:
                history.append(frozenset(members[key]))
                last[key] = len(members[key])
    state, seconds = timed(lambda: Disclosure(history))
    print(
        f"forced history: {len(history)} versions over {len(organisations)} organisations, "
        f"rank {state.rank}, recorded in {seconds:.3f} s"
    )
    offers = []
    for _ in range(20):
        group = frozenset(o.number for o in rng.sample(organisations, rng.randint(4, 60)))
        _, seconds = timed(lambda group=group: state.witness(group))
        offers.append(seconds)
    national = frozenset(o.number for o in organisations)
    _, national_seconds = timed(lambda: state.witness(national))
    offers.sort()
    print(
        f"  one more offer against it: median {statistics.median(offers) * 1000:.1f} ms, "
        f"max {offers[-1] * 1000:.1f} ms (20 random groups); the full national "
        f"group {national_seconds * 1000:.1f} ms"
    )


def families(organisations: list[Organisation], statements: int = 32) -> None:
    candidates = tuple(sorted(groups_of(organisations).items()))
    cached = functools.lru_cache(maxsize=64)(audit)
    _, seconds = timed(lambda: [cached((), candidates) for _ in range(statements)])
    print(
        f"{statements} statements with one family, memoised: {seconds:.3f} s "
        f"({cached.cache_info().hits} hits)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--organisations", type=int, default=1000)
    parser.add_argument("--history-organisations", type=int, default=300)
    parser.add_argument("--history-rows", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    organisations = make_organisations(args.organisations, rng)
    one_shot(organisations)
    smaller = make_organisations(args.history_organisations, rng)
    state = a_year(smaller, rng)
    _, seconds = timed(lambda: state.witness(frozenset(rng.sample(range(len(smaller)), 40))))
    print(f"  one more offer against that year's {state.rank} rows: {seconds * 1000:.1f} ms")
    forced_history(smaller, rng, args.history_rows)
    families(organisations)


if __name__ == "__main__":
    main()
