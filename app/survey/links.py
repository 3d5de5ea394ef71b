"""The anonymous links of a round: one per anonymous respondent type, its token the secret."""

from collections.abc import Iterable

from sqlmodel import Session, select

from app.config import get_settings
from app.security import new_token
from app.survey.models import RoundLink
from app.vocabulary import ANONYMOUS_TYPES


def add_links(*, session: Session, round_id: int) -> None:
    """Stage a new link per anonymous type in the caller's transaction (creating the round)."""
    session.add_all(RoundLink(round_id=round_id, respondent_type=t, token=new_token())
                    for t in ANONYMOUS_TYPES)


def survey_url(path: str) -> str:
    """A survey page's full address, for links, QR codes and the codes' instructions."""
    return f"{get_settings().base_url.rstrip('/')}/survey/{path}"


def links_for_rounds(*, session: Session, round_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """Round id → respondent type → the full URL of its link."""
    links: dict[int, dict[str, str]] = {}
    ids = list(round_ids)
    if not ids:
        return links
    rows = session.exec(
        select(RoundLink.round_id, RoundLink.respondent_type, RoundLink.token)
        .where(RoundLink.round_id.in_(ids))
    )
    for round_id, respondent_type, token in rows:
        links.setdefault(round_id, {})[respondent_type] = survey_url(token)
    return links
