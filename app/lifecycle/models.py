"""The table of evaluation rounds: one per organisation, programme and year."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db import utcnow
from app.vocabulary import RoundStatus

_STATUSES = ", ".join(f"'{status}'" for status in RoundStatus)


class Round(SQLModel, table=True):
    __tablename__ = "evaluation_round"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "programme", "year"),
        sa.CheckConstraint(f"status in ({_STATUSES})", name="status"),
        sa.Index("ix_evaluation_round_cohort", "year", "programme", "statement_set", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    programme: str = Field(max_length=40)
    year: str = Field(max_length=7)
    statement_set: str = Field(max_length=80, foreign_key="statement_set_record.key")
    status: str = Field(default=RoundStatus.DRAFT, max_length=10)
    expected_nqsw: int = Field(default=0, ge=0)
    expected_line_manager: int = Field(default=0, ge=0)
    expected_other: int = Field(default=0, ge=0)
    created_at: datetime = Field(default_factory=utcnow)
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    # Where the organisation stood when the round opened: benchmarks group the round by these,
    # so a later change of region, partnership or type does not rewrite past benchmarks. None
    # until the round opens (region is never None once recorded: it tells the two apart).
    region: str | None = Field(default=None, max_length=40)
    teaching_partnership: str | None = Field(default=None, max_length=80)
    employer_type: str | None = Field(default=None, max_length=40)

    def placed(self, *, region: str, teaching_partnership: str | None,
               employer_type: str) -> tuple[str, str | None, str]:
        """(region, Teaching Partnership, employer type) recorded at open, or else the
        organisation's current ones, given."""
        if self.region is not None:
            return self.region, self.teaching_partnership, self.employer_type or employer_type
        return region, teaching_partnership, employer_type

    # Rule 12: the last day answers are taken (UK time). A draft may have none yet: opening
    # it sets the default, 28 days later (app.lifecycle.closing).
    closes_on: date | None = Field(default=None, index=True)

    @property
    def expected(self) -> dict[str, int]:
        """How many of each anonymous type the employer expects to answer (fixed at open)."""
        return {
            "nqsw": self.expected_nqsw,
            "line_manager": self.expected_line_manager,
            "other": self.expected_other,
        }
