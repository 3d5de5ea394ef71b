"""JSON routes of action plans: `GET` (employer, national) and `PUT` (lead) per closed round."""

from fastapi import APIRouter

from app.db import SessionDep
from app.lifecycle.deps import AccessibleRound, LeadRound
from app.plans.schemas import ActionPlan
from app.plans.service import ensure_plannable, get_action_plan, save_action_plan

router = APIRouter(prefix="/rounds", tags=["action plans"])

_ERRORS = {
    401: {"description": "Not signed in"},
    403: {"description": "Only a lead of the organisation can change its action plan"},
    404: {"description": "No such round, or not one of your organisation's"},
    409: {"description": "The round has not closed yet: a plan follows the report"},
    422: {"description": "Not a valid plan; `detail` says why. Nothing is stored"},
}


def api_errors(*statuses: int) -> dict:
    return {status: _ERRORS[status] for status in statuses}


@router.get("/{round_id}/action-plan", response_model=ActionPlan,
            responses=api_errors(401, 404, 409, 422))
def read(round_: AccessibleRound, session: SessionDep) -> ActionPlan:
    """The round's action plan (empty until a lead writes one). 409 until the round closes."""
    ensure_plannable(round_)
    return ActionPlan(items=get_action_plan(session=session, round_id=round_.id))


@router.put("/{round_id}/action-plan", response_model=ActionPlan,
            responses=api_errors(401, 403, 404, 409, 422))
def replace(body: ActionPlan, round_: LeadRound, session: SessionDep) -> ActionPlan:
    """Replace the whole plan. 409 unless the round has closed; 422 for a statement not in the
    round's set (or twice), an unknown status or a due date that is not a date: nothing is
    stored then."""
    return ActionPlan(items=save_action_plan(session=session, round_=round_, items=body.items))
