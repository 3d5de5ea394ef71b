"""The record of statement sets that rounds have used."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db import utcnow


class StatementSetRecord(SQLModel, table=True):
    """A snapshot of a statement set the first time a round used it.

    Rounds point here, so a report can always show the texts it was answered against, and the
    start-up check can refuse a data file that changed a set already in use.
    """

    __tablename__ = "statement_set_record"

    key: str = Field(primary_key=True, max_length=80)
    fingerprint: str = Field(max_length=64)
    content: dict = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    first_used_at: datetime = Field(default_factory=utcnow)
