"""The emails of the accounts domain: decisions on an organisation, invitations, password resets.

Each is sent after the response (`send_email_later`), so a slow or broken SMTP server never
delays or breaks the page or API call that asked for it. Links carry tokens: they go into the
message only, never into a log (app.email logs the template and a reference).
"""

from starlette.background import BackgroundTasks

from app.accounts.approval import Decision
from app.accounts.passwords import EmailedLink
from app.config import get_settings
from app.email.service import send_email_later
from app.vocabulary import OrganisationStatus


def link(path: str) -> str:
    """The full address of a page of this service."""
    return get_settings().base_url.rstrip("/") + path


def send_decision(background_tasks: BackgroundTasks, decision: Decision) -> None:
    """Tell every lead of the organisation that it was approved, or rejected and why."""
    organisation = decision.organisation
    template = ("organisation_approved" if organisation.status == OrganisationStatus.APPROVED
                else "organisation_rejected")
    context = {"organisation": organisation.name, "reason": organisation.rejection_reason or "",
               "link": link("/sign-in")}
    for email in decision.lead_emails:
        send_email_later(background_tasks, to=email, template=template, context=context)


def send_password_reset(background_tasks: BackgroundTasks, emailed: EmailedLink) -> None:
    send_email_later(background_tasks, to=emailed.email, template="password_reset",
                     context={"link": link(f"/reset-password/{emailed.token}")})


def send_invitation(
    background_tasks: BackgroundTasks, emailed: EmailedLink, *, inviter: str, joining: str,
    role: str | None,
) -> None:
    """An invitation to join an organisation (as a lead or viewer) or the national team."""
    send_email_later(background_tasks, to=emailed.email, template="invitation",
                     context={"link": link(f"/invitations/{emailed.token}"), "inviter": inviter,
                              "joining": joining, "role": role})


def send_join_request(background_tasks: BackgroundTasks, *, requester: str, organisation: str,
                      lead_emails: list[str]) -> None:
    """Ask an organisation's leads to invite someone who tried to register it again."""
    for email in lead_emails:
        send_email_later(background_tasks, to=email, template="join_request",
                         context={"requester": requester, "organisation": organisation,
                                  "link": link("/organisation/users/invite")})
