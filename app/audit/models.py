"""The audit log's table and the actions it records."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.db import utcnow


class AuditAction(StrEnum):
    """What was done. Nothing a respondent does is ever an audit action."""

    SIGNED_IN = "signed in"
    PASSWORD_CHANGED = "changed their password"
    PASSWORD_RESET = "reset their password"
    INVITED = "invited"
    INVITATION_ACCEPTED = "accepted an invitation"
    ROLE_CHANGED = "changed the role of"
    REMOVED = "removed"
    DETAILS_CHANGED = "changed the organisation's details"
    APPROVED = "approved"
    REJECTED = "rejected"
    ROUND_CREATED = "created a round"
    ROUND_OPENED = "opened a round"
    ROUND_CLOSED = "closed a round"
    ROUND_DELETED = "deleted a round"
    ROUND_CHANGED = "changed a round"
    CODES_ISSUED = "issued single-use codes"
    PARTNERSHIP_ADDED = "added a Teaching Partnership"
    PARTNERSHIP_RENAMED = "renamed a Teaching Partnership"
    PARTNERSHIP_RETIRED = "retired a Teaching Partnership"
    PARTNERSHIP_RESTORED = "brought back a Teaching Partnership"


class AuditEvent(SQLModel, table=True):
    """One action. Who is kept as the account's id and email at the time (not a foreign key:
    the event outlives the account); the organisation it concerns, for its leads to read."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = None
    actor_email: str = Field(max_length=254)
    action: str = Field(max_length=60)
    organisation_id: int | None = Field(default=None, index=True)
    subject: str = Field(default="", max_length=300)
