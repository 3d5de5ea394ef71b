"""What closing a round records: counts and sums per statement and respondent type, responses
per type, the organisation's figures per statement, and each type's figures as its report
publishes them. Written once, at close (app.results.summaries), and read by reports, benchmarks
and national results instead of the ratings."""

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


class RoundTypeStatement(SQLModel, table=True):
    """A closed round's figure per statement and respondent type as its report publishes it.

    Made at close from the summary by small-group protection (rule 5) with k = `k`: `n` and
    `total` of a type that stands alone, both None for a type its report pools with another or
    withholds. National results by respondent type read these rows instead of protecting every
    organisation's cells on each request; rows made with another k than the configured one are
    not used (the results are then figured from the summary, as for a round closed before them).
    """

    __tablename__ = "round_type_statement"

    round_id: int = Field(foreign_key="evaluation_round.id", primary_key=True, ondelete="CASCADE")
    statement_number: int = Field(primary_key=True)
    respondent_type: str = Field(primary_key=True, max_length=20)
    k: int
    n: int | None = None  # scores published for this type alone (None: not published alone)
    total: int | None = None
