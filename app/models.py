"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from app.accounts.models import Organisation, User
from app.reports.models import RoundResponses, RoundStatement, RoundSummary
from app.rounds.models import Round, RoundLink
from app.statements.models import StatementSetRecord
from app.survey.models import IdempotencyRecord, InvitationCode, Rating, Response

__all__ = [
    "IdempotencyRecord",
    "InvitationCode",
    "Organisation",
    "Rating",
    "Response",
    "Round",
    "RoundLink",
    "RoundResponses",
    "RoundStatement",
    "RoundSummary",
    "StatementSetRecord",
    "User",
]
