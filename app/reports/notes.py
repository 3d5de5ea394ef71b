"""Plain-language words for what small-group protection (rule 5) hides, written from the cause.

Said once, here, and computed from the report's published data (its counts and the pools it
publishes), so that when the protection itself changes (issue 12), the words follow it:
- `cell_text`: what a respondent type's hidden cell says. Every hidden cell of a small group
  reads the same ("Not shown: fewer than 3 ratings"), whether nobody, one or two answered, or
  they answered "I do not know"; a group hidden only to protect another says so in words.
- `protection_notes`: one short list of notes for the whole report, rather than one per cell.
"""

from collections import defaultdict
from collections.abc import Iterable

from app.reports.schemas import PublishedValue, RoundReport, StatementReport, WithheldValue
from app.vocabulary import ANONYMOUS_TYPES, SELF_ASSESSMENT, counted, fewer_than, noun


def _and(words: Iterable[str]) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def statements_phrase(numbers: Iterable[int], total: int) -> str:
    """"every statement", "statement 4" or "statements 4, 9 and 12"."""
    numbers = sorted(numbers)
    if len(numbers) == total:
        return "every statement"
    if len(numbers) == 1:
        return f"statement {numbers[0]}"
    return "statements " + _and(str(n) for n in numbers)


def small_types(report: RoundReport) -> list[str]:
    """The anonymous types with some answers but fewer than k: never shown on their own."""
    k = report.small_group_threshold
    return [t for t in ANONYMOUS_TYPES if 0 < report.counts.get(t, 0) < k]


def cell_text(report: RoundReport, statement: StatementReport, respondent_type: str) -> str:
    """What a respondent type's cell says when its average is not shown."""
    shown = statement.by_respondent_type[respondent_type]
    if isinstance(shown, PublishedValue):
        raise ValueError("a published cell shows its average")
    if respondent_type == SELF_ASSESSMENT:
        if report.counts.get(SELF_ASSESSMENT, 0):
            return "Answered “I do not know”"
        return "Self-assessment not completed"
    hidden = f"Not shown: {fewer_than(report.small_group_threshold)}"
    if statement.suppressed is not None or not shown.combined_with:
        return hidden
    small = [t for t in shown.combined_with if t in small_types(report)]
    if respondent_type in small_types(report) or not small:
        return hidden
    mates = [noun(t) for t in shown.combined_with]
    because = _and(f"only {counted(report.counts[t], t)} answered" for t in small)
    return f"Shown together with {_and(mates)}, because {because}"


def protection_notes(report: RoundReport) -> list[str]:
    """The report's notes on small-group protection, one per cause, each naming its statements."""
    k = report.small_group_threshold
    total = len(report.statements)
    withheld = [s.number for s in report.statements if s.suppressed is not None]
    pools: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for statement in report.statements:
        for part in statement.combined:
            pools[tuple(part.types)].append(statement.number)
    notes = []
    small = small_types(report)
    for pool, numbers in pools.items():
        lonely = [t for t in pool if t in small]
        together = _and(noun(t) for t in pool)
        where = statements_phrase(numbers, total)
        if lonely:
            only = _and(counted(report.counts[t], t) for t in lonely)
            notes.append(
                f"Only {only} answered, so {together} are shown together to protect "
                f"{'them' if sum(report.counts[t] for t in lonely) > 1 else 'that person'} "
                f"({where}). Shown separately, their ratings could be worked out by subtracting "
                "the other figures from the total."
            )
        else:
            notes.append(
                f"For {where}, one of these groups gave fewer than {k} ratings (“I do not know” "
                f"is not a rating), so {together} are shown together."
            )
    pooled = {t for pool in pools for t in pool}
    for t in small:
        if t not in pooled:
            notes.append(f"Only {counted(report.counts[t], t)} answered, so {noun(t)} are "
                         "not shown on their own.")
    unpooled = defaultdict(list)
    for statement in report.statements:
        if statement.suppressed is not None:
            continue
        for t in ANONYMOUS_TYPES:
            shown = statement.by_respondent_type[t]
            if (isinstance(shown, WithheldValue) and not shown.combined_with
                    and report.counts.get(t, 0) >= k):
                unpooled[t].append(statement.number)
    for t, numbers in unpooled.items():
        notes.append(
            f"For {statements_phrase(numbers, total)}, fewer than {k} {noun(t)} gave a rating "
            "(rather than “I do not know”), so their average is not shown."
        )
    if withheld:
        notes.append(
            f"For {statements_phrase(withheld, total)}, fewer than {k} people besides you gave "
            "a rating, so only your self-assessment is shown and there is no organisation "
            "average."
        )
    return notes
