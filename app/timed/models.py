"""What timed work has sent: one row per round and kind of email, claimed before sending."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db import utcnow


class RoundNotice(SQLModel, table=True):
    """A reminder or "your report is ready" for one round, sent (or being sent) once.

    The row is the lock: `tick` inserts it before sending, and the unique key lets only one
    of several instances (or overlapping runs) win it; the others skip that round.
    """

    __tablename__ = "round_notice"
    __table_args__ = (sa.UniqueConstraint("round_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="evaluation_round.id", ondelete="CASCADE")
    kind: str = Field(max_length=20)  # a NoticeKind
    claimed_at: datetime = Field(default_factory=utcnow)
    delivered: int = Field(default=0)  # messages accepted, one per lead
    failed: int = Field(default=0)
