"""The report page and its downloads, for the organisation's employers and national users.

A round not yet closed answers with its own page (ReportNotReady, 409).
"""

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import ShowsPageUser
from app.core.routing import page_router
from app.core.templating import render
from app.db import SessionDep
from app.lifecycle.deps import AccessibleRound
from app.reports.exports import csv_download, pdf_download
from app.reports.pdf import cached_report_pdf
from app.reports.service import build_round_report
from app.reports.views import pdf_html, report_view

router = page_router(ShowsPageUser)


@router.get("/rounds/{round_id}/report", response_class=HTMLResponse)
def report_page(request: Request, round_: AccessibleRound, session: SessionDep) -> HTMLResponse:
    report = build_round_report(session=session, round_=round_)
    back_url = "/national" if request.state.user.is_national else f"/rounds/{round_.id}"
    return render(request, "reports/report.html", {**report_view(report), "back_url": back_url,
                                                   "plan_url": f"/rounds/{round_.id}/action-plan"})


@router.get("/rounds/{round_id}/report.csv")
def report_csv_download(round_: AccessibleRound, session: SessionDep) -> Response:
    return csv_download(build_round_report(session=session, round_=round_))


@router.get("/rounds/{round_id}/report.pdf")
def report_pdf_download(round_: AccessibleRound, session: SessionDep) -> Response:
    report = build_round_report(session=session, round_=round_)
    pdf = cached_report_pdf(session=session, round_id=round_.id, html=pdf_html(report))
    return pdf_download(report, pdf)
