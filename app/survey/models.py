"""Tables of the survey: links, anonymous responses, their ratings, codes and idempotency keys.

Rule 2 lives here as much as anywhere: a response holds its round, its respondent type and its
ratings, and nothing that could tell who gave it or when (no IP, user agent, timestamp, code or
cookie). Links, codes and idempotency keys sit in their own tables with no link to a response.
"""

import secrets

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class RoundLink(SQLModel, table=True):
    """One anonymous link per round and respondent type; the token is the secret.

    `short_code` is the same link in a form a person can type from a poster (`/s/{short}`,
    app.survey.links): stored without its hyphen, in capitals.
    """

    __tablename__ = "round_link"
    __table_args__ = (sa.UniqueConstraint("round_id", "respondent_type"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="evaluation_round.id", ondelete="CASCADE")
    respondent_type: str = Field(max_length=20)
    token: str = Field(max_length=64, unique=True)
    short_code: str = Field(max_length=16, unique=True)


def new_response_id() -> str:
    return secrets.token_hex(16)


ANSWERS_PACKED = (
    "answers IS NULL OR (answers <> '' AND replace(replace(replace(replace(replace("
    "replace(answers, '1', ''), '2', ''), '3', ''), '4', ''), '5', ''), '-', '') = '')"
)


class SurveyResponse(SQLModel, table=True):
    """One response: its round, who answered (a respondent type) and its answers.

    An anonymous response of an open round holds its answers packed in `answers`, one
    character per statement (app.survey.answers), so that a submission writes one row; closing
    the round spreads them into `Rating` rows and leaves `answers` NULL
    (`app.survey.service.rewrite_responses`). The self-assessment, which is read while the
    round is open, and every response of a closed round keep theirs in `Rating`.
    """

    __tablename__ = "response"
    __table_args__ = (
        sa.Index("ix_response_round_type", "round_id", "respondent_type"),
        # Only answer characters (app.survey.answers), or nothing: a bug that wrote anything
        # else would otherwise surface only when the round closes (migration a3f6c9d2e8b1).
        sa.CheckConstraint(ANSWERS_PACKED, name="answers_packed"),
    )

    # Random, so the order of ids says nothing about the order of answers.
    id: str = Field(default_factory=new_response_id, primary_key=True, max_length=32)
    round_id: int = Field(foreign_key="evaluation_round.id", ondelete="CASCADE")
    respondent_type: str = Field(max_length=20)
    answers: str | None = Field(default=None, sa_type=sa.Text)


class Rating(SQLModel, table=True):
    __table_args__ = (sa.CheckConstraint("score between 1 and 5", name="score_range"),)

    response_id: str = Field(
        foreign_key="response.id", primary_key=True, max_length=32, ondelete="CASCADE"
    )
    statement_number: int = Field(primary_key=True)
    score: int | None = None  # None is "I do not know"


class InvitationCode(SQLModel, table=True):
    """A single-use code, stored only as a keyed hash and only ever marked used."""

    __tablename__ = "invitation_code"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="evaluation_round.id", index=True, ondelete="CASCADE")
    respondent_type: str = Field(max_length=20)
    code_hash: str = Field(max_length=64, unique=True)
    used: bool = Field(default=False)


class IdempotencyRecord(SQLModel, table=True):
    """Remembers that a submission with this key was stored, so a retry stores nothing more.

    It keeps a hash of the key and the round, never the response it produced.
    """

    __tablename__ = "idempotency_record"

    key_hash: str = Field(primary_key=True, max_length=64)
    round_id: int = Field(foreign_key="evaluation_round.id", index=True, ondelete="CASCADE")
    respondent_type: str = Field(max_length=20)


class CodeCount(SQLModel, table=True):
    """How many codes of one type a round issued and how many were used, kept when its codes are
    dropped at close (rule 10): the report's warnings still need the numbers, never the codes."""

    __tablename__ = "code_count"

    round_id: int = Field(foreign_key="evaluation_round.id", primary_key=True, ondelete="CASCADE")
    respondent_type: str = Field(primary_key=True, max_length=20)
    issued: int
    used: int
