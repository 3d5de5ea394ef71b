"""The report page and its downloads, for the organisation's employers and national users."""

from fastapi import APIRouter, Depends, Request

from app.accounts.deps import set_page_user
from app.csrf import csrf_protect
from app.db import SessionDep
from app.reports.exports import csv_download, pdf_download
from app.reports.service import ReportNotReady, build_round_report
from app.reports.views import pdf_html, report_view
from app.rounds.deps import AccessibleRound
from app.templating import render

# Pages, not the JSON API: kept out of the OpenAPI schema like every other page router.
router = APIRouter(include_in_schema=False,
                   dependencies=[Depends(csrf_protect), Depends(set_page_user)])


def _report_or_wait(request: Request, session, round_):
    try:
        return build_round_report(session=session, round_=round_), None
    except ReportNotReady:
        page = render(request, "reports/not_ready.html", {"round": round_}, status_code=409)
        return None, page


@router.get("/rounds/{round_id}/report")
def report_page(request: Request, round_: AccessibleRound, session: SessionDep):
    report, waiting = _report_or_wait(request, session, round_)
    if waiting:
        return waiting
    user = request.state.user
    back_url = "/national" if user.is_national else f"/rounds/{round_.id}"
    return render(request, "reports/report.html", {**report_view(report), "back_url": back_url})


@router.get("/rounds/{round_id}/report.csv")
def report_csv_download(request: Request, round_: AccessibleRound, session: SessionDep):
    report, waiting = _report_or_wait(request, session, round_)
    if waiting:
        return waiting
    return csv_download(report)


@router.get("/rounds/{round_id}/report.pdf")
def report_pdf_download(request: Request, round_: AccessibleRound, session: SessionDep):
    report, waiting = _report_or_wait(request, session, round_)
    if waiting:
        return waiting
    html = pdf_html(report)
    return pdf_download(report, html)
