"""Tables and schemas for organisations and the people who sign in."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db import utcnow
from app.vocabulary import OrganisationRole, OrganisationStatus, Role


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    # The name without case, spacing or punctuation: a second registration matching it is
    # refused (rule 15). See app.accounts.organisations.name_key.
    name_key: str = Field(default="", max_length=200, index=True,
                          sa_column_kwargs={"server_default": ""})
    employer_type: str = Field(max_length=40)
    region: str = Field(max_length=40, index=True)
    teaching_partnership: str | None = Field(default=None, max_length=80, index=True)
    programmes: list[str] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    # Rule 15: pending until a national user approves (or rejects) it; only approved ones count.
    # (No CHECK constraint: adding one would make SQLite rebuild the table, and with it delete
    # every row that cascades from an organisation.)
    status: str = Field(default=OrganisationStatus.PENDING, max_length=10, index=True,
                        sa_column_kwargs={"server_default": OrganisationStatus.PENDING.value})
    rejection_reason: str | None = Field(default=None, max_length=1000)


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=20)  # a Role
    organisation_id: int | None = Field(
        default=None, foreign_key="organisation.id", index=True, ondelete="CASCADE"
    )
    # An employer's role in its organisation (an OrganisationRole); None for national accounts.
    organisation_role: str | None = Field(default=None, max_length=10)
    created_at: datetime = Field(default_factory=utcnow)
    # Page sessions carry the version they were issued under; signing out moves it on, so every
    # copy of an earlier session cookie stops working, not just the one in that browser.
    session_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # The one session or token that survives its own password change (a keyed hash of it).
    kept_token_hash: str | None = Field(default=None, max_length=64)

    @property
    def is_national(self) -> bool:
        return self.role == Role.NATIONAL

    @property
    def is_lead(self) -> bool:
        """An employer who may change the organisation's rounds, details and colleagues."""
        return (
            self.role == Role.EMPLOYER
            and self.organisation_id is not None
            and self.organisation_role == OrganisationRole.LEAD
        )


class AccountToken(SQLModel, table=True):
    """A single-use link sent by email: to reset a password (1 hour) or to accept an invitation
    and set one (7 days). Only a keyed hash of the token is kept, so a copy of the database
    opens no account."""

    __tablename__ = "account_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    purpose: str = Field(max_length=20)  # a TokenPurpose
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime
    used_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
