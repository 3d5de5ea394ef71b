"""The table of evidence of completion: one per closed round, its code kept only as a hash."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.db import utcnow


class EvidenceRecord(SQLModel, table=True):
    """The code is never stored: it is derived from `salt` with the secret key when the
    employer asks for the evidence again, and `code_hash` (keyed) is what `/verify` looks up."""

    __tablename__ = "evidence_record"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="evaluation_round.id", unique=True, ondelete="CASCADE")
    salt: str = Field(max_length=64)
    code_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
