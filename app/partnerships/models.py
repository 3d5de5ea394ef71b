"""The Teaching Partnerships table. A key is never reused or renamed (organisations and rounds
keep it); the name may change, and a retired partnership stays for past rounds' labels."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.db import utcnow

MAX_KEY_LENGTH = 60
MAX_NAME_LENGTH = 200


class TeachingPartnership(SQLModel, table=True):
    __tablename__ = "teaching_partnership"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=MAX_KEY_LENGTH, unique=True)
    name: str = Field(max_length=MAX_NAME_LENGTH, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    retired_at: datetime | None = None

    @property
    def retired(self) -> bool:
        return self.retired_at is not None
