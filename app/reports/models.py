"""Each round's report as a PDF, rendered once per version."""

from datetime import datetime

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel


class ReportPdf(SQLModel, table=True):
    """A round's report as a PDF, kept so that downloading it again costs nothing.

    `version` is a digest of the HTML the PDF is rendered from, so any change to what the report
    shows (benchmarks republished, a new template) makes a new version, rendered once; only the
    latest version of each round is kept. It holds only what the report publishes.
    """

    __tablename__ = "report_pdf"

    round_id: int = Field(foreign_key="evaluation_round.id", primary_key=True, ondelete="CASCADE")
    version: str = Field(max_length=64)
    pdf: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    rendered_at: datetime
