"""The anonymous links of a round: one per anonymous respondent type, its token the secret.

Each link also has a short code, the same link in a form a person can type from a poster:
`{BASE_URL}/s/K7QFW-3MZAB`.
"""

import secrets
from collections.abc import Iterable

from sqlmodel import Session, select

from app.config import get_settings
from app.security import new_token
from app.survey.codes import CODE_ALPHABET
from app.survey.models import RoundLink
from app.vocabulary import ANONYMOUS_TYPES

# Ten characters of the codes' alphabet (31 letters and digits, no 0/O, 1/I/L): 31^10 ≈ 2^49.5
# short codes. Guessing is bounded by UNKNOWN_SHORT_LINKS_PER_ADDRESS_PER_HOUR (100 by default):
# one address gets under 900,000 guesses a year, and with even 100,000 links live each guess
# finds one with odds of about 1 in 8 billion, so a year of guessing from one address finds
# one with odds of about 1 in 9,000. And a link found only opens an anonymous survey.
SHORT_CODE_LENGTH = 10
SHORT_CODE_GROUP = 5  # K7QFW-3MZAB: two groups are easier to read out and type than ten in a row


def new_short_code() -> str:
    """A random short code, as stored (capitals, no hyphen).

    Unique in the table; a repeat (odds of about 1 in 8 billion per new link even with 100,000
    links) makes creating its round fail, and trying again works.
    """
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))


def format_short_code(short_code: str) -> str:
    return "-".join(short_code[i:i + SHORT_CODE_GROUP]
                    for i in range(0, len(short_code), SHORT_CODE_GROUP))


def add_links(*, session: Session, round_id: int) -> None:
    """Stage a new link per anonymous type in the caller's transaction (creating the round)."""
    session.add_all(RoundLink(round_id=round_id, respondent_type=t, token=new_token(),
                              short_code=new_short_code())
                    for t in ANONYMOUS_TYPES)


def survey_url(path: str) -> str:
    """A survey page's full address, for links, QR codes and the codes' instructions."""
    return f"{get_settings().base_url.rstrip('/')}/survey/{path}"


def short_url(short_code: str) -> str:
    """A link's short address, to print and type: `{BASE_URL}/s/K7QFW-3MZAB`."""
    return f"{get_settings().base_url.rstrip('/')}/s/{format_short_code(short_code)}"


def links_for_rounds(*, session: Session, round_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """Round id → respondent type → the full URL of its link."""
    return _addresses(session, round_ids, RoundLink.token, survey_url)


def short_links_for_rounds(
    *, session: Session, round_ids: Iterable[int]
) -> dict[int, dict[str, str]]:
    """Round id → respondent type → the short URL of its link."""
    return _addresses(session, round_ids, RoundLink.short_code, short_url)


def _addresses(session, round_ids, column, to_url) -> dict[int, dict[str, str]]:
    links: dict[int, dict[str, str]] = {}
    ids = list(round_ids)
    if not ids:
        return links
    rows = session.exec(
        select(RoundLink.round_id, RoundLink.respondent_type, column)
        .where(RoundLink.round_id.in_(ids))
    )
    for round_id, respondent_type, value in rows:
        links.setdefault(round_id, {})[respondent_type] = to_url(value)
    return links
