"""The audit log as the API shows it."""

from datetime import datetime

from pydantic import BaseModel


class AuditEventPublic(BaseModel):
    at: datetime
    actor: str
    action: str
    subject: str
    organisation_id: int | None

    @classmethod
    def of(cls, event) -> "AuditEventPublic":
        return cls(at=event.at, actor=event.actor_email, action=event.action,
                   subject=event.subject, organisation_id=event.organisation_id)
