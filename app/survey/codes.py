"""Single-use codes: issued in batches, stored only as keyed hashes, and only ever marked used."""

import secrets
from collections.abc import Iterable, Mapping

from sqlalchemy import case, delete, func, insert, update
from sqlmodel import Session, select

from app.errors import Conflict, Invalid
from app.lifecycle.models import Round
from app.security import keyed_hash
from app.survey.models import CodeCount, InvitationCode
from app.vocabulary import ANONYMOUS_TYPES, RoundStatus

# Codes are typed by people: no 0/O, 1/I/L, so nobody has to guess which one they are looking at.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12  # 31^12 ≈ 2^59: far beyond guessing under the per-address ceiling
CODE_GROUP = 4
MAX_CODES_PER_BATCH = 1000


class CodeAlreadyUsed(Conflict):
    template = "survey/code_used.html"
    page_status = 410  # gone for good
    message = "This code has already been used to send answers."


def issue_codes(
    *, session: Session, round_id: int, counts: Mapping[str, int]
) -> dict[str, list[str]]:
    """New single-use codes per anonymous type, formatted for people; shown once, never stored.

    A whole batch is stored or none of it. Codes of a closed round could never be used, so a
    closed round gets none (Conflict); at least one type must want some (Invalid).
    """
    if session.get(Round, round_id).status == RoundStatus.CLOSED:
        raise Conflict("This round has closed: its codes can no longer be used")
    wanted = {t: counts.get(t, 0) for t in ANONYMOUS_TYPES if counts.get(t, 0) > 0}
    if not wanted:
        raise Invalid("Enter how many codes you need for at least one type of respondent",
                      field="nqsw")
    codes = {respondent_type: sorted(_add_codes(session, round_id, respondent_type, count))
             for respondent_type, count in wanted.items()}
    session.commit()
    return codes


def create_codes(*, session: Session, round_id: int, respondent_type: str, count: int) -> list[str]:
    """One type's batch of `count` codes (ValueError for a type or count out of bounds)."""
    codes = _add_codes(session, round_id, respondent_type, count)
    session.commit()
    return codes


def _add_codes(session: Session, round_id: int, respondent_type: str, count: int) -> list[str]:
    if respondent_type not in ANONYMOUS_TYPES:
        raise ValueError(f"codes are for anonymous respondent types, not {respondent_type!r}")
    if not 1 <= count <= MAX_CODES_PER_BATCH:
        raise ValueError(f"issue between 1 and {MAX_CODES_PER_BATCH} codes at a time")
    codes = {_new_code() for _ in range(count)}
    while len(codes) < count:  # a repeat in 2^59 is all but impossible; keep the count exact
        codes.add(_new_code())
    session.execute(
        insert(InvitationCode),
        [{"round_id": round_id, "respondent_type": respondent_type, "code_hash": hash_code(code),
          "used": False} for code in codes],
    )
    return [format_code(code) for code in codes]


def code_counts(*, session: Session, round_id: int) -> dict[str, dict[str, int]]:
    """Codes issued and used per anonymous type (types without codes are left out): counted
    from the codes while the round is open, from the counts kept at close once they are gone."""
    return count_codes(session=session, round_ids=[round_id])[round_id]


def count_codes(*, session: Session,
                round_ids: Iterable[int]) -> dict[int, dict[str, dict[str, int]]]:
    """`code_counts` of many rounds in two queries: round id → type → issued and used."""
    ids = list(round_ids)
    counts: dict[int, dict[str, dict[str, int]]] = {round_id: {} for round_id in ids}
    if not ids:
        return counts
    rows = session.exec(
        select(
            InvitationCode.round_id,
            InvitationCode.respondent_type,
            func.count(),
            func.sum(case((InvitationCode.used, 1), else_=0)),
        )
        .where(InvitationCode.round_id.in_(ids))
        .group_by(InvitationCode.round_id, InvitationCode.respondent_type)
    )
    for round_id, respondent_type, issued, used in rows:
        counts[round_id][respondent_type] = {"issued": issued, "used": int(used or 0)}
    for kept in session.exec(select(CodeCount).where(CodeCount.round_id.in_(ids))):
        counts[kept.round_id][kept.respondent_type] = {"issued": kept.issued, "used": kept.used}
    return counts


def forget_codes(*, session: Session, round_id: int) -> None:
    """Drop a closing round's codes, keeping only how many were issued and used, in the caller's
    transaction (closing it): a closed round takes no answer, so a code has no purpose left, and
    a used mark is a trace beside the answers (rule 10)."""
    counts = code_counts(session=session, round_id=round_id)
    if counts:
        session.execute(insert(CodeCount), [
            {"round_id": round_id, "respondent_type": t, **numbers}
            for t, numbers in counts.items()])
    session.exec(delete(InvitationCode).where(InvitationCode.round_id == round_id))


def use_code(session: Session, *, code: str, round_id: int) -> None:
    """Mark a code used, in the caller's transaction; CodeAlreadyUsed if it already was.

    One conditional update: of two racing uses, the second waits for the first and then finds
    nothing to update, so exactly one response goes with each code.
    """
    result = session.exec(
        update(InvitationCode)
        .where(InvitationCode.code_hash == hash_code(code), InvitationCode.round_id == round_id,
               InvitationCode.used.is_(False))
        .values(used=True)
    )
    if result.rowcount != 1:
        raise CodeAlreadyUsed


def normalise_code(code: str) -> str:
    """What a person typed, as the code itself: capitals, without spaces or hyphens."""
    return "".join(code.split()).replace("-", "").replace("–", "").upper()


def format_code(code: str) -> str:
    """ABCD-EFGH-JKMN: easier to read out and type than twelve letters in a row."""
    return "-".join(code[i:i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def hash_code(code: str) -> str:
    return keyed_hash(f"invitation-code:{normalise_code(code)}")


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
