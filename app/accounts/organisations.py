"""An organisation's details: one name per organisation (rule 15), and changing the details.

Two registrations of one council split its history and count it twice, so a name that matches
an existing organisation's, ignoring case, spacing and punctuation, is refused with a way to
ask that organisation's leads for an invitation instead.
"""

import re
import unicodedata

from sqlmodel import Session, select

from app import ratelimit
from app.accounts.models import Organisation
from app.errors import Conflict, NotFound, TooManyAttempts

_NOT_LETTERS_OR_DIGITS = re.compile(r"[\W_]+")


def name_key(name: str) -> str:
    """"Riverside Council", "riverside  council." and "RIVERSIDE-COUNCIL" share one key."""
    folded = unicodedata.normalize("NFKD", name).casefold()
    letters = "".join(c for c in folded if not unicodedata.combining(c))
    return _NOT_LETTERS_OR_DIGITS.sub("", letters)


class NameTaken(Conflict):
    """The name matches an existing organisation's. The JSON adds `join_url` (the page that asks
    its leads to invite you) and `organisation_id` (for POST /organisations/{id}/join-requests)."""

    def __init__(self, existing: Organisation) -> None:
        join_url = f"/organisations/{existing.id}/join"
        super().__init__(
            f"{existing.name} is already registered: ask its ASYE lead to invite you instead",
            field="name", extra={"join_url": join_url, "organisation_id": existing.id},
            context={"join_url": join_url, "existing": existing.name},
        )
        self.join_url = join_url


def find_by_name(*, session: Session, name: str,
                 other_than: int | None = None) -> Organisation | None:
    query = select(Organisation).where(Organisation.name_key == name_key(name))
    if other_than is not None:
        query = query.where(Organisation.id != other_than)
    return session.exec(query.order_by(Organisation.id)).first()


def ensure_name_free(*, session: Session, name: str, other_than: int | None = None) -> None:
    existing = find_by_name(session=session, name=name, other_than=other_than)
    if existing is not None:
        raise NameTaken(existing)


def update_organisation(
    *, session: Session, organisation_id: int, name: str, employer_type: str, region: str,
    teaching_partnership: str | None, programmes: list[str],
) -> Organisation:
    """Change an organisation's details (checked by the schemas before they get here).

    Rounds already opened keep the region, partnership and type they recorded (Round.placed);
    the new ones count from the next round that opens.
    """
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("No organisation with this id")
    ensure_name_free(session=session, name=name, other_than=organisation_id)
    organisation.name = name.strip()
    organisation.name_key = name_key(name)
    organisation.employer_type = employer_type
    organisation.region = region
    organisation.teaching_partnership = teaching_partnership
    organisation.programmes = sorted(set(programmes))
    session.commit()
    session.refresh(organisation)
    return organisation


JOIN_REQUESTS_PER_ADDRESS = 5
JOIN_REQUEST_WINDOW_SECONDS = 3600


def request_to_join(*, session: Session, organisation_id: int, address: str) -> Organisation:
    """The organisation someone asks to join (whose leads are then emailed), or NotFound.

    Limited per address (a few an hour), so the form cannot be used to flood leads with email.
    """
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("No organisation with this id")
    # The limiter stores keyed hashes of its keys, never the address itself.
    if refused := ratelimit.hit(f"join-request:{address}", limit=JOIN_REQUESTS_PER_ADDRESS,
                                window_seconds=JOIN_REQUEST_WINDOW_SECONDS):
        raise TooManyAttempts("Too many requests to join. Try again later.",
                              retry_after=refused.retry_after(JOIN_REQUEST_WINDOW_SECONDS))
    return organisation
