"""Public shapes of an action plan (PRODUCT.md §5: `{items: [{statement, actions, owner, due,
status}]}`) and the page form of one item."""

from datetime import date
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from app.plans.models import MAX_ACTIONS, MAX_OWNER, ActionPlanItem
from app.vocabulary import ActionStatus


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL: refuse it here (422), not in the database (500).
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Actions = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                           max_length=MAX_ACTIONS), AfterValidator(_no_nul)]
Owner = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                         max_length=MAX_OWNER), AfterValidator(_no_nul)]


class ActionItem(BaseModel):
    """One chosen statement: what will be done, who leads it, by when, how far it has got."""

    model_config = ConfigDict(extra="forbid")

    statement: int = Field(ge=1, description="The statement's number in the round's set")
    actions: Actions = Field(description="What will be done")
    owner: Owner = Field(description="Who leads it (a name or a role)")
    due: date = Field(description="By when, e.g. 2027-03-31")
    status: ActionStatus

    @classmethod
    def of(cls, row: ActionPlanItem) -> Self:
        return cls(statement=row.statement_number, actions=row.actions, owner=row.owner,
                   due=row.due, status=row.status)


class ActionPlan(BaseModel):
    """`PUT /rounds/{id}/action-plan` replaces the whole plan; an empty list clears it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"items": [{
            "statement": 7, "actions": "Protected caseload reviewed monthly with each NQSW",
            "owner": "Principal social worker", "due": "2027-03-31", "status": "planned"}]}]},
    )

    items: list[ActionItem] = Field(max_length=200)
