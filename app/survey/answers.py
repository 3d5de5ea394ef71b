"""A response's answers packed in one string, as an anonymous response holds them while open.

One character per statement of the round's statement set, in statement-number order: "1"–"5"
for a score, "-" for "I do not know". A submission then writes one row (`response.answers`)
instead of a response and 32 ratings, which is most of what it costs the database
(bench/README.md, benchmark 1). Nothing reads a round's anonymous ratings while it is open;
closing it (`app.survey.service.rewrite_responses`) spreads them into `rating` rows.

The string means something only with its statement set. A round's set is chosen when it is
created and never changes (nothing in app.rounds writes `Round.statement_set` after that, and
`PATCH /rounds/{id}` refuses the field), and a set used by any round cannot change either
(app.statements.service fails at start): so the round's set when it closes is the set its
answers were packed under.
"""

from collections.abc import Mapping
from typing import Any

from app.statements.loader import StatementSet
from app.survey.ratings import parse_ratings

DO_NOT_KNOW = "-"
_CHARACTERS = {score: str(score) for score in range(1, 6)} | {None: DO_NOT_KNOW}
_SCORES = {character: score for score, character in _CHARACTERS.items()}


class PackedAnswersError(ValueError):
    """A packed string, or ratings to pack, that does not fit the statement set."""


def pack_answers(ratings: Mapping[int, int | None], statement_set: StatementSet) -> str:
    """Ratings (every statement of the set: a score 1–5, or None) as one packed string.

    Ratings are checked first (app.survey.ratings); anything else here is a bug, so it raises.
    """
    numbers = statement_set.numbers_in_order
    if tuple(sorted(ratings)) != numbers:
        raise PackedAnswersError(f"ratings do not answer exactly the statements of "
                                 f"{statement_set.key!r}")
    scores = [ratings[number] for number in numbers]
    wrong = [s for s in scores if s is not None and (type(s) is not int or not 1 <= s <= 5)]
    if wrong:  # type(): True and 3.0 would otherwise pass as 1 and 3
        raise PackedAnswersError(f"scores outside 1–5: {wrong[:3]}")
    return "".join(_CHARACTERS[score] for score in scores)


def unpack_answers(text: str, statement_set: StatementSet) -> dict[int, int | None]:
    """Statement number → score (None for "I do not know") of a packed string; refuses
    (PackedAnswersError) a string whose length or characters do not fit the set."""
    numbers = statement_set.numbers_in_order
    if not isinstance(text, str) or len(text) != len(numbers):
        raise PackedAnswersError(f"packed answers must be {len(numbers)} characters for "
                                 f"{statement_set.key!r}")
    unknown = set(text) - _SCORES.keys()
    if unknown:
        raise PackedAnswersError(f"packed answers hold characters that are not answers: "
                                 f"{sorted(unknown)}")
    return {number: _SCORES[character] for number, character in zip(numbers, text, strict=True)}


def checked_and_packed(raw: Any, statement_set: StatementSet) -> str:
    """Ratings as sent (statement number as a string → score or None), checked by rule 3 and
    packed: `pack_answers(parse_ratings(raw, statement_set), statement_set)` in one pass.

    Nearly every submission is well formed, so that case is read straight into the packed
    string, with the same strictness (only a true int 1–5 or None; `type()`, because True and
    3.0 equal 1 and 3); anything else, whatever is wrong with it, goes through `parse_ratings`,
    so a refusal is its RatingsError, word for word. A property test holds the two equal.
    """
    if type(raw) is dict and len(raw) == len(statement_set.numbers):
        packed = []
        for key in statement_set.rating_keys:
            score = raw.get(key, _ABSENT)
            if score is None:
                packed.append(DO_NOT_KNOW)
            elif type(score) is int and 1 <= score <= 5:
                packed.append(_CHARACTERS[score])
            else:
                break
        else:  # every statement answered, and as many keys as statements: nothing else sent
            return "".join(packed)
    return pack_answers(parse_ratings(raw, statement_set), statement_set)


_ABSENT = object()
