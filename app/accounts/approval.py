"""Rule 15, said once: approving or rejecting an organisation, and which organisations count.

A new organisation is `pending` until a national user approves or rejects it. It can run rounds
meanwhile, but only approved organisations count in participation, benchmarks and national
results: every query that counts them takes `counts_in_results` (an SQL condition on a column of
organisation ids), so the rule has one home.
"""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlmodel import Session

from app.accounts.models import Organisation, User
from app.errors import Conflict, Invalid, NotFound
from app.vocabulary import OrganisationRole, OrganisationStatus

MAX_REASON_LENGTH = 1000
NO_ORGANISATION = "No organisation with this id"


def approved_organisation_ids():
    """The ids of approved organisations, as a subquery."""
    return select(Organisation.id).where(Organisation.status == OrganisationStatus.APPROVED)


def counts_in_results(organisation_id: ColumnElement) -> ColumnElement[bool]:
    """Whether the organisation with this id counts in participation, benchmarks and national
    results (it is approved), as a condition for a query that has its id in a column."""
    return organisation_id.in_(approved_organisation_ids())


@dataclass(frozen=True)
class Decision:
    """An approval or rejection, and the leads to tell."""

    organisation: Organisation
    lead_emails: list[str]


def lead_emails(*, session: Session, organisation_id: int) -> list[str]:
    return list(session.scalars(
        select(User.email).where(User.organisation_id == organisation_id,
                                 User.organisation_role == OrganisationRole.LEAD)
        .order_by(User.id)
    ))


def _pending(session: Session, organisation_id: int) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(NO_ORGANISATION)
    if organisation.status != OrganisationStatus.PENDING:
        raise Conflict(f"This organisation has already been {organisation.status}")
    return organisation


def approve_organisation(*, session: Session, organisation_id: int) -> Decision:
    """Approve a pending organisation: from now on its qualifying rounds count (rule 15)."""
    organisation = _pending(session, organisation_id)
    organisation.status = OrganisationStatus.APPROVED
    session.commit()
    session.refresh(organisation)
    return Decision(organisation, lead_emails(session=session, organisation_id=organisation.id))


def reject_organisation(*, session: Session, organisation_id: int, reason: str) -> Decision:
    """Reject a pending organisation with a reason, which is kept and emailed to its leads."""
    reason = reason.strip()
    if not reason:
        raise Invalid("Enter the reason for rejecting this organisation", field="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise Invalid(f"The reason must be {MAX_REASON_LENGTH} characters or fewer",
                      field="reason")
    organisation = _pending(session, organisation_id)
    organisation.status = OrganisationStatus.REJECTED
    organisation.rejection_reason = reason
    session.commit()
    session.refresh(organisation)
    return Decision(organisation, lead_emails(session=session, organisation_id=organisation.id))
