"""Use cases of evidence of completion: issue it for a closed round, and verify a code.

A verification code is 99 random-looking bits, written as five groups of four letters and
digits (`K7QF-3MZA-…`, no 0/O or 1/I to misread), so nobody can guess one. Only its keyed hash
is stored; the code itself is recomputed from a stored salt and the secret key, so the employer
can download the evidence again with the same code (changing SECRET_KEY retires every code).
"""

import base64
import hashlib
import hmac
import re
import secrets
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.config import get_settings
from app.errors import Conflict, NotFound
from app.evidence.models import EvidenceRecord
from app.evidence.schemas import Evidence, VerifiedFacts
from app.lifecycle.models import Round
from app.rounds.service import describe_round
from app.security import keyed_hash
from app.statements.reference import get_reference
from app.vocabulary import RoundStatus

# Letters and digits without those people confuse (0/O, 1/I/L): 31 symbols; 20 of them
# carry 99 bits.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_GROUPS, _GROUP = 5, 4
_TYPED = re.compile(r"[^A-Z0-9]")


class EvidenceNotReady(Conflict):
    message = "Evidence of completion exists once the round has closed"


class UnknownCode(NotFound):
    template = "evidence/unknown.html"
    message = "No evidence of completion has this verification code"


def _code_from(salt: str, round_id: int) -> str:
    digest = hmac.new(get_settings().secret_key.encode(), f"evidence:{round_id}:{salt}".encode(),
                      hashlib.sha256).digest()
    number = int.from_bytes(digest, "big")
    symbols = []
    for _ in range(_GROUPS * _GROUP):
        number, index = divmod(number, len(_ALPHABET))
        symbols.append(_ALPHABET[index])
    text = "".join(symbols)
    return "-".join(text[i:i + _GROUP] for i in range(0, len(text), _GROUP))


def normalise(code: str) -> str:
    """As typed → as issued: upper case, separators ignored, regrouped."""
    text = _TYPED.sub("", code.upper())
    return "-".join(text[i:i + _GROUP] for i in range(0, len(text), _GROUP))


def _hash(code: str) -> str:
    return keyed_hash(f"evidence:{normalise(code)}")


def issue_evidence(*, session: Session, round_: Round) -> Evidence:
    """The round's evidence of completion, its code made the first time. Closed rounds only."""
    if round_.status != RoundStatus.CLOSED:
        raise EvidenceNotReady
    record = session.exec(select(EvidenceRecord).where(EvidenceRecord.round_id == round_.id)
                          ).first()
    if record is None:
        salt = base64.b32encode(secrets.token_bytes(10)).decode()
        record = EvidenceRecord(round_id=round_.id, salt=salt,
                                code_hash=_hash(_code_from(salt, round_.id)))
        try:
            session.add(record)
            session.commit()
        except IntegrityError:  # a racing first request made it: use that one
            session.rollback()
            record = session.exec(select(EvidenceRecord)
                                  .where(EvidenceRecord.round_id == round_.id)).one()
    code = _code_from(record.salt, round_.id)
    return Evidence.of(_facts(session, round_), code=code, verify_url=verify_url(code))


def verify_code(*, session: Session, code: str) -> VerifiedFacts:
    """The facts behind a verification code (never results); UnknownCode otherwise."""
    text = normalise(code or "")
    if len(text) != _GROUPS * _GROUP + _GROUPS - 1:
        raise UnknownCode
    round_id = session.exec(select(EvidenceRecord.round_id)
                            .where(EvidenceRecord.code_hash == _hash(text))).first()
    round_ = session.get(Round, round_id) if round_id is not None else None
    if round_ is None:
        raise UnknownCode
    return _facts(session, round_)


def verify_url(code: str) -> str:
    return f"{get_settings().base_url.rstrip('/')}/verify/{code}"


def _facts(session: Session, round_: Round) -> VerifiedFacts:
    overview = describe_round(session=session, round_=round_)
    reference = get_reference()
    closed_on: date = round_.closed_at.date()
    return VerifiedFacts(
        organisation=overview.organisation.name,
        programme=round_.programme,
        programme_label=reference.label("programmes", round_.programme),
        year=round_.year,
        closed_on=closed_on,
        counts=overview.counts,
        meets_minimum=overview.minimum.met,
        minimum_reasons=[r for r in overview.minimum.reasons],
    )
