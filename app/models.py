"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from app.accounts.models import AccountToken, Organisation, User
from app.audit.models import AuditEvent
from app.benchmarks.models import PublishedBenchmark
from app.evidence.models import EvidenceRecord
from app.lifecycle.models import Round
from app.partnerships.models import TeachingPartnership
from app.plans.models import ActionPlanItem
from app.ratelimit import RateCount
from app.reports.models import ReportPdf
from app.results.models import RoundResponses, RoundStatement, RoundSummary, RoundTypeStatement
from app.statements.models import StatementSetRecord
from app.survey.models import (
    CodeCount,
    IdempotencyRecord,
    InvitationCode,
    Rating,
    RoundLink,
    SurveyResponse,
)
from app.timed.models import RoundNotice

__all__ = [
    "AccountToken",
    "ActionPlanItem",
    "AuditEvent",
    "CodeCount",
    "EvidenceRecord",
    "IdempotencyRecord",
    "InvitationCode",
    "Organisation",
    "PublishedBenchmark",
    "RateCount",
    "Rating",
    "ReportPdf",
    "Round",
    "RoundLink",
    "RoundNotice",
    "RoundResponses",
    "RoundStatement",
    "RoundSummary",
    "RoundTypeStatement",
    "StatementSetRecord",
    "SurveyResponse",
    "TeachingPartnership",
    "User",
]
