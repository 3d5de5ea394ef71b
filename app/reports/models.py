"""Per-round summaries: counts and sums per statement and respondent type, made at close."""

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
