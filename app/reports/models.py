"""Per-round summaries: counts and sums per statement and respondent type, made at close; and
each round's report as a PDF, rendered once per version."""

from datetime import datetime

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel


class RoundSummary(SQLModel, table=True):
    """What every report and national figure reads instead of the ratings.

    A closed round never changes (rule 1), so its aggregates are computed once, in SQL, when it
    closes; the cost of a report or of national results then depends on the number of
    statements and organisations, not on the number of ratings.
    """

    __tablename__ = "round_summary"

    round_id: int = Field(foreign_key="evaluation_round.id", primary_key=True, ondelete="CASCADE")
    statement_number: int = Field(primary_key=True)
    respondent_type: str = Field(primary_key=True, max_length=20)
    n: int  # scores given (1-5)
    total: int  # sum of those scores
    dont_know: int  # "I do not know" answers


class RoundResponses(SQLModel, table=True):
    """A closed round's responses per respondent type, counted at close (one row per round).

    The minimum criteria (rule 6) are settings, so the counts are kept rather than a verdict:
    checking a round is then a plain comparison on one indexed row, not an aggregate over its
    summary.
    """

    __tablename__ = "round_responses"

    round_id: int = Field(foreign_key="evaluation_round.id", primary_key=True, ondelete="CASCADE")
    self_assessment: int
    nqsw: int
    line_manager: int
    other: int


class RoundStatement(SQLModel, table=True):
    """A closed round's organisation-level figures per statement, made at close from its summary.

    `total` and `n` are over every respondent type; `anonymous_n` counts the scores of every type
    but the self-assessment (rule 5 withholds a statement with fewer than k of them). Cohorts and
    national results read these 32 rows per round instead of grouping the summary.
    """

    __tablename__ = "round_statement"

    round_id: int = Field(foreign_key="evaluation_round.id", primary_key=True, ondelete="CASCADE")
    statement_number: int = Field(primary_key=True)
    n: int  # scores given (1-5), every respondent type
    total: int  # sum of those scores
    anonymous_n: int  # scores given by respondents other than the self-assessment


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
