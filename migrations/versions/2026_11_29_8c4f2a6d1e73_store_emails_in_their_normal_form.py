"""Store every account's email in its normal form (NFKC, lower case), so look-alikes meet.

The unique constraint on user_account.email now compares normal forms: app.accounts.emails
says what that is. An address that cannot be normalised (it is refused for new accounts) or
whose normal form another account already has is left as it was, and its id is printed, for
someone to look at: the migration never merges or deletes an account.

Revision ID: 8c4f2a6d1e73
Revises: 3b1d5e7a9c20
Create Date: 2026-11-29 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.accounts.emails import EmailRefused, normalise_email

revision: str = '8c4f2a6d1e73'
down_revision: str | None = '3b1d5e7a9c20'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_users = sa.table('user_account', sa.column('id', sa.Integer), sa.column('email', sa.String))


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(_users.c.id, _users.c.email).order_by(_users.c.id)).all()
    taken = {email for _, email in rows}
    for user_id, email in rows:
        try:
            normal = normalise_email(email)
        except EmailRefused:
            print(f"user_account {user_id}: email left as it was (not in a normal form)")
            continue
        if normal == email:
            continue
        if normal in taken:
            print(f"user_account {user_id}: email left as it was (another account has its "
                  "normal form)")
            continue
        connection.execute(sa.update(_users).where(_users.c.id == user_id).values(email=normal))
        taken.discard(email)
        taken.add(normal)


def downgrade() -> None:
    pass  # the normal form is a valid address: nothing to undo
