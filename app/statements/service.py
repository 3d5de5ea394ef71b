"""Keep statement sets that rounds have used from changing under them."""

from sqlmodel import Session, select

from app.statements.errors import StatementFileError
from app.statements.loader import StatementSet
from app.statements.models import StatementSetRecord


def verify_used_sets(*, session: Session, sets: dict[str, StatementSet]) -> None:
    """Refuse to start when a set some round used was edited or removed.

    Changing the words under a round would make its report describe questions nobody answered;
    a changed set needs a new key.
    """
    problems = []
    for record in session.exec(select(StatementSetRecord)):
        current = sets.get(record.key)
        if current is None:
            problems.append(f"set {record.key!r} is used by rounds but its file is missing")
        elif current.fingerprint != record.fingerprint:
            problems.append(
                f"set {record.key!r} is used by rounds and its file has changed; "
                "restore it and put the new text under a new key"
            )
    if problems:
        raise StatementFileError("statements/sets: " + "; ".join(problems))


def record_set_use(*, session: Session, statement_set: StatementSet) -> StatementSetRecord:
    """Snapshot a set the first time a round uses it (inside the caller's transaction)."""
    record = session.get(StatementSetRecord, statement_set.key)
    if record is None:
        record = StatementSetRecord(
            key=statement_set.key,
            fingerprint=statement_set.fingerprint,
            content=statement_set.model_dump(mode="json"),
        )
        session.add(record)
        session.flush()  # rounds reference it; make it exist before they are inserted
    elif record.fingerprint != statement_set.fingerprint:
        raise StatementFileError(f"set {statement_set.key!r} has changed since rounds used it")
    return record
