"""Packed answers hold only answers: a CHECK on `response.answers` (issue 17's left-over).

An open round's anonymous answers are one packed string per response (revision 0d07e8ba32dc,
app.survey.answers): "1"–"5" or "-" per statement. Nothing but the app writes it, and the app
checks rule 3 first; but a bug that wrote anything else would surface only when the round
closes and its answers cannot be spread into ratings. The database now refuses such a row when
it is written. The expression is the same on both databases (no regular expression: SQLite has
none built in): empty once every answer character is taken out, and not empty to begin with.
The length is the statement set's business, which the database does not know.

On PostgreSQL it is a CHECK constraint, added NOT VALID and then validated, so that a large
table is checked without holding writes back for the whole scan. SQLite cannot add a CHECK to a
table without copying it, and dropping the old copy would delete every rating through their
ON DELETE CASCADE; there the same condition is kept by two triggers (on insert, and on an
update of `answers`), which refuse with a constraint error just as a CHECK does.

Revision ID: a3f6c9d2e8b1
Revises: 0d07e8ba32dc
Create Date: 2026-11-30 12:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = 'a3f6c9d2e8b1'
down_revision: str | None = '0d07e8ba32dc'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ck_response_answers_packed"
# Copied from app.survey.models (a migration must not change when the app does).
CONDITION = ("answers IS NULL OR (answers <> '' AND replace(replace(replace(replace(replace("
             "replace(answers, '1', ''), '2', ''), '3', ''), '4', ''), '5', ''), '-', '') = '')")


_TRIGGER = """
CREATE TRIGGER {name}_{event} BEFORE {what} ON response
WHEN NOT ({condition})
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE response ADD CONSTRAINT {NAME} CHECK ({CONDITION}) NOT VALID")
        op.execute(f"ALTER TABLE response VALIDATE CONSTRAINT {NAME}")
        return
    for event, what in (("insert", "INSERT"), ("update", "UPDATE OF answers")):
        op.execute(_TRIGGER.format(name=NAME, event=event, what=what,
                                   condition=CONDITION.replace("answers", "NEW.answers")))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE response DROP CONSTRAINT {NAME}")
        return
    for event in ("insert", "update"):
        op.execute(f"DROP TRIGGER {NAME}_{event}")
