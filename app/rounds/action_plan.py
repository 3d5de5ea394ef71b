"""HTML routes of the action plan (rule 13): read it with suggested focus statements; leads add,
change and remove items. The plan is stored by app.plans; the suggestions come from the
round's report (app.reports.focus), which is why these pages live here, above both."""

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, ValidationError

from app.accounts.deps import CurrentUser
from app.core.forms import ascii_digits, read_form
from app.core.routing import FormDep, redirect
from app.core.templating import render
from app.db import SessionDep
from app.errors import DomainError
from app.lifecycle.deps import AccessibleRound, LeadRound
from app.lifecycle.models import Round
from app.plans.schemas import ActionItem
from app.plans.service import (
    ensure_plannable,
    get_action_plan,
    remove_action_item,
    save_action_item,
)
from app.reports.focus import suggest_focus
from app.reports.service import build_round_report
from app.rounds.schemas import date_values, read_date
from app.rounds.service import describe_round
from app.rounds.views import round_view
from app.vocabulary import ActionStatus

router = APIRouter()

STATUS_LABELS = {ActionStatus.PLANNED: "Planned", ActionStatus.IN_PROGRESS: "In progress",
                 ActionStatus.DONE: "Done"}


class ActionItemForm(BaseModel):
    """The boxes of one item as typed; the due date is read apart (a GOV.UK date input)."""

    model_config = ConfigDict(validate_default=True)

    statement: str = ""
    actions: str = ""
    owner: str = ""
    status: str = ""


_MESSAGES = {
    "statement": "Select a statement",
    "actions": "Enter what will be done",
    "owner": "Enter who leads the actions",
    "status": "Select the status",
}


def _plan_context(session, round_: Round, **more: Any) -> dict[str, Any]:
    report = build_round_report(session=session, round_=round_)
    return round_view(describe_round(session=session, round_=round_), report=report,
                      plan=get_action_plan(session=session, round_id=round_.id),
                      suggestions=suggest_focus(report), status_labels=STATUS_LABELS, **more)


@router.get("/rounds/{round_id}/action-plan", response_class=HTMLResponse)
def plan_page(request: Request, round_: AccessibleRound, user: CurrentUser,
              session: SessionDep) -> HTMLResponse:
    ensure_plannable(round_)
    return render(request, "rounds/action_plan.html",
                  _plan_context(session, round_, can_change=not user.is_national))


def _item_page(request: Request, session, round_: Round, values: dict[str, Any],
               errors: dict[str, str], status_code: int = 200) -> HTMLResponse:
    return render(request, "rounds/action_item.html",
                  _plan_context(session, round_, values=values, errors=errors),
                  status_code=status_code)


@router.get("/rounds/{round_id}/action-plan/item", response_class=HTMLResponse)
def item_page(request: Request, round_: LeadRound, session: SessionDep,
              statement: int | None = None) -> HTMLResponse:
    """Add a statement to the plan (`?statement=7` to start from it), or change its item."""
    ensure_plannable(round_)
    current = {i.statement: i for i in get_action_plan(session=session, round_id=round_.id)}
    item = current.get(statement) if statement else None
    values: dict[str, Any] = {"statement": str(statement or ""), "actions": "", "owner": "",
                              "status": ActionStatus.PLANNED, **date_values("due", None)}
    if item:
        values |= {"actions": item.actions, "owner": item.owner, "status": item.status,
                   **date_values("due", item.due)}
    return _item_page(request, session, round_, values, {})


@router.post("/rounds/{round_id}/action-plan/item", response_class=HTMLResponse)
def save_item(request: Request, round_: LeadRound, session: SessionDep,
              form: FormDep) -> Response:
    ensure_plannable(round_)
    _, _, values = read_form(form, ActionItemForm)
    errors = {name: message for name, message in _MESSAGES.items()
              if not str(values.get(name, "")).strip()}
    due, date_errors, typed = read_date(form, "due", what="the date it is due")
    values |= typed
    errors |= date_errors
    item = None
    if not errors:
        try:
            statement = values["statement"]
            number = int(statement) if ascii_digits(statement) else 0
            item = ActionItem(statement=number, actions=values["actions"], owner=values["owner"],
                              due=due or date.min, status=values["status"])
        except ValidationError as error:
            field = str(error.errors()[0]["loc"][0])
            errors = {field: {"statement": "Select a statement of this round",
                              "status": "Select planned, in progress or done"}.get(
                field, f"Check the {field}")}
    if item is not None:
        try:
            save_action_item(session=session, round_=round_, item=item)
        except DomainError as error:
            errors = {error.field or "statement": error.message}
    if errors:
        return _item_page(request, session, round_, values, errors, status_code=422)
    return redirect(f"/rounds/{round_.id}/action-plan")


@router.post("/rounds/{round_id}/action-plan/remove/{number}")
def remove_item(round_: LeadRound, session: SessionDep, number: int) -> Response:
    """Take statement `number` out of the plan."""
    remove_action_item(session=session, round_=round_, statement=number)
    return redirect(f"/rounds/{round_.id}/action-plan")
