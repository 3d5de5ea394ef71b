"""Managing the Teaching Partnerships (national team): the API's shapes, and one function that
makes a change and records it in the audit log, for the API and the pages alike."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from app.audit.models import AuditAction
from app.audit.service import Actor, record_event
from app.partnerships.models import TeachingPartnership
from app.partnerships.service import add_partnership, change_partnership, get_partnership


class PartnershipPublic(BaseModel):
    key: str = Field(description="Never changes; organisations and rounds keep it")
    name: str
    retired: bool = Field(description="Retired: no longer offered, still named on past rounds")
    retired_at: datetime | None

    @classmethod
    def of(cls, partnership: TeachingPartnership) -> "PartnershipPublic":
        return cls(key=partnership.key, name=partnership.name, retired=partnership.retired,
                   retired_at=partnership.retired_at)


class PartnershipCreate(BaseModel):
    """`POST /national/teaching-partnerships`: the key is made from the name."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name": "Humber Teaching Partnership"}]})

    name: str = Field(max_length=1000)


class PartnershipChange(BaseModel):
    """`PATCH /national/teaching-partnerships/{key}`: rename, retire (true) or bring it back
    (false); what is left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=1000)
    retired: bool | None = None


def add_and_record(*, session: Session, actor: Actor, name: str) -> TeachingPartnership:
    partnership = add_partnership(session=session, name=name)
    record_event(session=session, actor=actor, action=AuditAction.PARTNERSHIP_ADDED,
                 organisation_id=None, subject=f"{partnership.name} ({partnership.key})")
    return partnership


def change_and_record(*, session: Session, actor: Actor, key: str, name: str | None = None,
                      retired: bool | None = None) -> TeachingPartnership:
    before = get_partnership(session=session, key=key)
    old_name, was_retired = before.name, before.retired
    partnership = change_partnership(session=session, key=key, name=name, retired=retired)
    subject = f"{partnership.name} ({partnership.key})"
    if partnership.name != old_name:
        record_event(session=session, actor=actor, action=AuditAction.PARTNERSHIP_RENAMED,
                     organisation_id=None, subject=f"{old_name} to {subject}")
    if partnership.retired != was_retired:
        record_event(session=session, actor=actor, organisation_id=None, subject=subject,
                     action=AuditAction.PARTNERSHIP_RETIRED if partnership.retired
                     else AuditAction.PARTNERSHIP_RESTORED)
    return partnership
