"""The one place that answers "the Teaching Partnerships".

Active ones are those an organisation may choose (registration, its details); all of them,
retired included, name the partnership of past rounds and organisations and are the national
filters' choices. A key never changes once made, so organisations and rounds keep pointing at
it; renaming changes the name everywhere it is shown.

Readers that run outside a request's session (the schemas' validators, labels in exports)
use the functions without a `session`, which open a short one of their own.

`GET /api/v1/reference`, the cheapest and most frequently called endpoint, reads the active list
through a per-process cache instead (`cached_active_partnerships`); everything that decides
something (registration's checks, the national filters, the pages) reads the table.
"""

import re
import threading
import time
from collections.abc import Iterable

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.config import get_settings
from app.db import session_scope, utcnow
from app.errors import Conflict, Invalid, NotFound
from app.partnerships.models import MAX_KEY_LENGTH, MAX_NAME_LENGTH, TeachingPartnership

_BIDI_AND_INVISIBLE = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                                "\u2066\u2067\u2068\u2069\u00ad\u200b\u2060\ufeff")


def list_partnerships(*, session: Session | None = None,
                      include_retired: bool = True) -> list[TeachingPartnership]:
    """The partnerships in the order they were added (the seeded list's order first)."""
    if session is None:
        with session_scope() as own:
            return list_partnerships(session=own, include_retired=include_retired)
    query = select(TeachingPartnership).order_by(TeachingPartnership.id)
    if not include_retired:
        query = query.where(TeachingPartnership.retired_at.is_(None))
    return list(session.exec(query))


# (key, name) of each active partnership, and when it was read (`_clock`). A new generation
# begins at every change made in this process, so a read that started before the change can never
# store what it read over it.
_active: tuple[float, tuple[tuple[str, str], ...]] | None = None
_generation = 0
_active_lock = threading.Lock()
_clock = time.monotonic  # tests move it


def cached_active_partnerships() -> tuple[tuple[str, str], ...] | None:
    """(key, name) of the active partnerships, as read at most PARTNERSHIPS_CACHE_SECONDS ago in
    this process; None when that copy is too old or gone (then `load_active_partnerships`).

    How stale it can be: a change made in this process (`add_partnership`, `change_partnership`,
    `seed_partnerships`) forgets the copy at once, so this process shows it on its next request.
    Other processes (the other workers of `asye360 serve`, other instances behind the load
    balancer) do not hear of it and show the change at most PARTNERSHIPS_CACHE_SECONDS later.
    A stale list offers a just-retired partnership or the old name of a renamed one; it never
    decides anything (registration checks the table itself).
    """
    active = _active
    if active is None or _clock() - active[0] >= get_settings().partnerships_cache_seconds:
        return None
    return active[1]


def load_active_partnerships() -> tuple[tuple[str, str], ...]:
    """Read the active partnerships from the table, and keep them for the cache's reads."""
    global _active
    generation = _generation
    read_at = _clock()
    rows = tuple((p.key, p.name) for p in list_partnerships(include_retired=False))
    with _active_lock:
        if generation == _generation:
            _active = (read_at, rows)
    return rows


def forget_active_partnerships() -> None:
    """Drop this process's copy of the active list (after a change, and between tests)."""
    global _active, _generation
    with _active_lock:
        _active, _generation = None, _generation + 1


def active_keys(*, session: Session | None = None) -> list[str]:
    """The keys an organisation may choose now."""
    return [p.key for p in list_partnerships(session=session, include_retired=False)]


def all_keys(*, session: Session | None = None) -> list[str]:
    """Every key, retired ones included (past rounds, filters)."""
    return [p.key for p in list_partnerships(session=session)]


def partnership_labels(*, session: Session | None = None) -> dict[str, str]:
    """Key → name of every partnership, retired ones included."""
    return {p.key: p.name for p in list_partnerships(session=session)}


def label_of(labels: dict[str, str], key: str | None) -> str:
    """A key as people read it (the key itself if unknown, "" for none), as Reference.label."""
    return labels.get(key, key or "") if key else ""


def clean_name(value: str) -> str:
    """A partnership's name as typed, checked: Invalid (on the field "name") if it will not do."""
    value = " ".join((value or "").split())
    if not value:
        raise Invalid("Enter the name of the Teaching Partnership", field="name")
    if any(char in _BIDI_AND_INVISIBLE or not char.isprintable() for char in value):
        raise Invalid("Name must only contain letters, numbers, spaces and punctuation, with no "
                      "hidden characters", field="name")
    if len(value) > MAX_NAME_LENGTH:
        raise Invalid(f"Name must be {MAX_NAME_LENGTH} characters or fewer", field="name")
    return value


_NAME_TAKEN = "A Teaching Partnership with this name already exists"


def _ensure_name_free(session: Session, name: str, other_than: int | None = None) -> None:
    # Compared in Python: the list is short, and SQLite's lower() knows only ASCII letters.
    if any(p.name.casefold() == name.casefold() and p.id != other_than
           for p in list_partnerships(session=session)):
        raise Conflict(_NAME_TAKEN, field="name")


def _commit(session: Session, partnership: TeachingPartnership) -> TeachingPartnership:
    try:
        session.commit()
    except IntegrityError as error:  # the same name or key stored at the same moment
        session.rollback()
        raise Conflict(_NAME_TAKEN, field="name") from error
    forget_active_partnerships()
    session.refresh(partnership)
    return partnership


def _new_key(session: Session, name: str) -> str:
    stem = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:MAX_KEY_LENGTH - 8] or "partnership"
    taken = set(all_keys(session=session))
    key, number = f"{stem}_tp" if not stem.endswith("_tp") else stem, 2
    while key in taken:
        key, number = f"{stem}_tp_{number}", number + 1
    return key


def get_partnership(*, session: Session, key: str) -> TeachingPartnership:
    found = session.exec(select(TeachingPartnership).where(TeachingPartnership.key == key)).first()
    if found is None:
        raise NotFound("No Teaching Partnership with this key")
    return found


def add_partnership(*, session: Session, name: str) -> TeachingPartnership:
    """A new active partnership; its key is made from its name and never changes."""
    name = clean_name(name)
    _ensure_name_free(session, name)
    partnership = TeachingPartnership(key=_new_key(session, name), name=name)
    session.add(partnership)
    return _commit(session, partnership)


def change_partnership(*, session: Session, key: str, name: str | None = None,
                       retired: bool | None = None) -> TeachingPartnership:
    """Rename, retire or bring back a partnership (all checked before anything is stored)."""
    partnership = get_partnership(session=session, key=key)
    if name is not None:
        name = clean_name(name)
        _ensure_name_free(session, name, other_than=partnership.id)
        partnership.name = name
    if retired is not None and retired != partnership.retired:
        partnership.retired_at = utcnow() if retired else None
    return _commit(session, partnership)


def seed_partnerships(*, session: Session, rows: Iterable[tuple[str, str]]) -> None:
    """Add the (key, name) rows not there yet, in order (the first load of an empty table)."""
    known = set(all_keys(session=session))
    session.add_all(TeachingPartnership(key=key, name=name) for key, name in rows
                    if key not in known)
    session.commit()
    forget_active_partnerships()
