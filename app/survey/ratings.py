"""Rule 3: check a whole set of ratings before anything is stored."""

from collections.abc import Mapping
from typing import Any

from app.core.forms import ascii_digits
from app.errors import Invalid
from app.statements.loader import StatementSet


class RatingsError(Invalid):
    """The ratings are refused; `problems` maps each statement (or "ratings") to a message.

    The JSON answer carries them as `errors` beside the `detail` sentence.
    """

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        listed = "; ".join(f"statement {k}: {v}" if ascii_digits(k) else v
                           for k, v in problems.items())
        super().__init__(f"The ratings were refused and nothing was stored: {listed}",
                         extra={"errors": problems})


def parse_ratings(raw: Any, statement_set: StatementSet) -> dict[int, int | None]:
    """Every statement of the set, each an integer 1-5 or None ("I do not know"), or refuse.

    Strict on purpose: 0, 6, 3.5, "4" and true are all refused, and so are unknown statements,
    so a client bug never turns into a stored guess.
    """
    if not isinstance(raw, Mapping):
        raise RatingsError({"ratings": "ratings must be an object of statement number to score"})
    numbers = {str(n): n for n in statement_set.numbers}
    problems: dict[str, str] = {}
    ratings: dict[int, int | None] = {}
    for key, value in raw.items():
        number = numbers.get(key) if isinstance(key, str) else None
        if number is None:
            problems[str(key)] = "is not a statement of this set"
        elif value is None:
            ratings[number] = None
        elif type(value) is not int or not 1 <= value <= 5:  # bool is an int: excluded by type()
            problems[key] = "must be a whole number from 1 to 5, or null for “I do not know”"
        else:
            ratings[number] = value
    for key in numbers:
        if key not in raw:
            problems[key] = "is missing: answer every statement (a score or “I do not know”)"
    if problems:
        ordered = dict(
            sorted(
                problems.items(),
                key=lambda item: (not ascii_digits(item[0]),
                                  int(item[0]) if ascii_digits(item[0]) else 0),
            )
        )
        raise RatingsError(ordered)
    return ratings
