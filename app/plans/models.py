"""The table of action plans: one row per chosen statement of a closed round."""

from datetime import date

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.vocabulary import ActionStatus

_STATUSES = ", ".join(f"'{status}'" for status in ActionStatus)
MAX_ACTIONS = 2000
MAX_OWNER = 200


class ActionPlanItem(SQLModel, table=True):
    __tablename__ = "action_plan_item"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "statement_number"),
        sa.CheckConstraint(f"status in ({_STATUSES})", name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="evaluation_round.id", index=True, ondelete="CASCADE")
    statement_number: int
    actions: str = Field(max_length=MAX_ACTIONS)
    owner: str = Field(max_length=MAX_OWNER)
    due: date
    status: str = Field(max_length=20)
