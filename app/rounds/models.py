"""Tables for rounds and their respondent links."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db import utcnow

ROUND_STATUSES = ("draft", "open", "closed")


class Round(SQLModel, table=True):
    __tablename__ = "evaluation_round"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "programme", "year"),
        sa.CheckConstraint("status in ('draft', 'open', 'closed')", name="status"),
        sa.Index("ix_evaluation_round_cohort", "year", "programme", "statement_set", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    programme: str = Field(max_length=40)
    year: str = Field(max_length=7)
    statement_set: str = Field(max_length=80, foreign_key="statement_set_record.key")
    status: str = Field(default="draft", max_length=10)
    expected_nqsw: int = Field(default=0, ge=0)
    expected_line_manager: int = Field(default=0, ge=0)
    expected_other: int = Field(default=0, ge=0)
    created_at: datetime = Field(default_factory=utcnow)
    opened_at: datetime | None = None
    closed_at: datetime | None = None


class RoundLink(SQLModel, table=True):
    """One anonymous link per round and respondent type; the token is the secret."""

    __tablename__ = "round_link"
    __table_args__ = (sa.UniqueConstraint("round_id", "respondent_type"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="evaluation_round.id", ondelete="CASCADE")
    respondent_type: str = Field(max_length=20)
    token: str = Field(max_length=64, unique=True)
