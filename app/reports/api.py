"""JSON, CSV and PDF of an organisation's report, for its employers and national users."""

from fastapi import APIRouter
from fastapi.responses import Response

from app.db import SessionDep
from app.lifecycle.deps import AccessibleRound
from app.reports.exports import csv_download, pdf_download
from app.reports.pdf import cached_report_pdf
from app.reports.schemas import RoundReport
from app.reports.service import build_round_report
from app.reports.views import pdf_html

router = APIRouter(tags=["reports"])

_ERRORS = {
    401: {"description": "Not signed in"},
    404: {"description": "No such round, or not one of your organisation's"},
    409: {"description": "The round has not closed yet: no results exist before then"},
}


@router.get("/rounds/{round_id}/report", response_model=RoundReport, responses=_ERRORS)
def read_report(round_: AccessibleRound, session: SessionDep) -> RoundReport:
    """The round's report: averages, RAG, respondent types, benchmarks and change (rules 4–9)."""
    return build_round_report(session=session, round_=round_)


@router.get(
    "/rounds/{round_id}/report.csv",
    responses={
        **_ERRORS,
        200: {"content": {"text/csv": {}}, "description": "One row per statement"},
    },
    response_class=Response,
)
def download_report_csv(round_: AccessibleRound, session: SessionDep) -> Response:
    return csv_download(build_round_report(session=session, round_=round_))


@router.get(
    "/rounds/{round_id}/report.pdf",
    responses={**_ERRORS, 200: {"content": {"application/pdf": {}}, "description": "A4 PDF"}},
    response_class=Response,
)
def download_report_pdf(round_: AccessibleRound, session: SessionDep) -> Response:
    report = build_round_report(session=session, round_=round_)
    pdf = cached_report_pdf(session=session, round_id=round_.id, html=pdf_html(report))
    return pdf_download(report, pdf)
