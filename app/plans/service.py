"""Use cases of action plans: read one, replace one, change or remove one item.

A plan belongs to a closed round (rule 13: planning follows the report) and names statements of
the round's own set, each once. Each write is one transaction: all of it or nothing.
"""

from collections.abc import Sequence

from sqlalchemy import delete
from sqlmodel import Session, select

from app.errors import Conflict, Invalid
from app.lifecycle.models import Round
from app.plans.models import ActionPlanItem
from app.plans.schemas import ActionItem
from app.statements.loader import get_statement_sets
from app.vocabulary import RoundStatus


class PlanNotReady(Conflict):
    """An action plan follows the report: only a closed round has one (409)."""

    message = "An action plan can only be made once the round has closed and its report is ready"


class PlanInvalid(Invalid):
    """The plan names a statement that is not in the round's set, or one twice (422)."""


def get_action_plan(*, session: Session, round_id: int) -> list[ActionItem]:
    rows = session.exec(select(ActionPlanItem).where(ActionPlanItem.round_id == round_id)
                        .order_by(ActionPlanItem.statement_number)).all()
    return [ActionItem.of(row) for row in rows]


def ensure_plannable(round_: Round) -> None:
    if round_.status != RoundStatus.CLOSED:
        raise PlanNotReady


def _check(round_: Round, items: Sequence[ActionItem]) -> None:
    ensure_plannable(round_)
    numbers = set(get_statement_sets()[round_.statement_set].numbers)
    seen: set[int] = set()
    for item in items:
        if item.statement not in numbers:
            raise PlanInvalid(f"Statement {item.statement} is not one of this round's "
                              f"statements (1 to {max(numbers)})", field="statement")
        if item.statement in seen:
            raise PlanInvalid(f"Statement {item.statement} is in the plan twice",
                              field="statement")
        seen.add(item.statement)


def save_action_plan(*, session: Session, round_: Round,
                     items: Sequence[ActionItem]) -> list[ActionItem]:
    """Replace the round's whole plan with `items`, or refuse and change nothing."""
    _check(round_, items)
    session.exec(delete(ActionPlanItem).where(ActionPlanItem.round_id == round_.id))
    session.add_all(_row(round_.id, item) for item in items)
    session.commit()
    return get_action_plan(session=session, round_id=round_.id)


def save_action_item(*, session: Session, round_: Round, item: ActionItem) -> None:
    """Add a statement to the plan, or change its item."""
    _check(round_, [item])
    session.exec(delete(ActionPlanItem).where(ActionPlanItem.round_id == round_.id,
                                              ActionPlanItem.statement_number == item.statement))
    session.add(_row(round_.id, item))
    session.commit()


def remove_action_item(*, session: Session, round_: Round, statement: int) -> None:
    ensure_plannable(round_)
    session.exec(delete(ActionPlanItem).where(ActionPlanItem.round_id == round_.id,
                                              ActionPlanItem.statement_number == statement))
    session.commit()


def _row(round_id: int, item: ActionItem) -> ActionPlanItem:
    return ActionPlanItem(round_id=round_id, statement_number=item.statement,
                          actions=item.actions, owner=item.owner, due=item.due,
                          status=item.status)
