"""The benchmark figures as they were published, one row per group, statement and version."""

from datetime import date

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class PublishedBenchmark(SQLModel, table=True):
    """One version of one group's figures for one statement, kept exactly as first shown.

    Reports and national results show the latest version of a group until at least 3 more
    organisations have joined it (rule 7), and the disclosure audit weighs every version ever
    shown in the year: what was published cannot be withdrawn, so it is kept. The mean, minimum
    and maximum are exact fractions, so that a figure shown again is
    the very same number; only their displayed values are published. `organisations` holds the
    ids of the organisations the figure is over, for the audit; no organisation's figures are
    stored here.
    """

    __tablename__ = "published_benchmark"
    __table_args__ = (
        sa.Index("ix_published_benchmark_scope", "year", "programme", "statement_set",
                 "statement_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    year: str = Field(max_length=7)
    programme: str = Field(max_length=40)
    statement_set: str = Field(max_length=80)
    kind: str = Field(max_length=30)  # national, region, teaching_partnership, employer_type
    group_key: str = Field(max_length=80)  # "" for national
    statement_number: int
    organisations: list[int] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    # Exact fractions written "p/q": the mean of many averages can have a denominator no
    # integer column holds.
    mean: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    minimum: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    maximum: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    published_on: date
