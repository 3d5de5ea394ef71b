"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from app.accounts.models import Organisation, User
from app.benchmarks.models import PublishedBenchmark
from app.lifecycle.models import Round
from app.reports.models import RoundResponses, RoundStatement, RoundSummary
from app.statements.models import StatementSetRecord
from app.survey.models import (
    CodeCount,
    IdempotencyRecord,
    InvitationCode,
    Rating,
    RoundLink,
    SurveyResponse,
)

__all__ = [
    "CodeCount",
    "IdempotencyRecord",
    "InvitationCode",
    "Organisation",
    "PublishedBenchmark",
    "Rating",
    "Round",
    "RoundLink",
    "RoundResponses",
    "RoundStatement",
    "RoundSummary",
    "StatementSetRecord",
    "SurveyResponse",
    "User",
]
