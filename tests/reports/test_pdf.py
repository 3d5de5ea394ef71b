"""The report PDF is tagged (PDF/UA: structure tree, language, title) and rendered once per
version: a second download of the same report renders nothing."""

import io
import random

import pytest
from pypdf import PdfReader
from sqlmodel import Session

from app.config import get_settings
from app.reports import pdf as report_pdf
from app.reports.models import ReportPdf
from tests.builders import (
    api_headers,
    make_closed_round,
    make_organisation,
    make_user,
    random_answers,
)


@pytest.fixture
def employer_round(session):
    rng = random.Random(11)
    round_ = make_closed_round(session, organisation=make_organisation(session, name="Tagwell"),
                               answers=random_answers(rng, nqsw=4, line_manager=1, other=0))
    employer = make_user(session)
    employer.organisation_id = round_.organisation_id
    session.commit()
    return employer, round_


def test_the_pdf_is_tagged_with_its_language_and_title(client, employer_round):
    employer, round_ = employer_round

    response = client.get(f"/api/v1/rounds/{round_.id}/report.pdf", headers=api_headers(employer))

    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en"
    assert reader.metadata.title.startswith("ASYE 360 report: Tagwell")
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])


def test_a_second_download_of_the_same_report_renders_nothing(client, session, employer_round):
    employer, round_ = employer_round
    headers = api_headers(employer)
    before = report_pdf.renders

    first = client.get(f"/api/v1/rounds/{round_.id}/report.pdf", headers=headers)
    rendered_at = session.get(ReportPdf, round_.id).rendered_at
    second = client.get(f"/api/v1/rounds/{round_.id}/report.pdf", headers=headers)

    assert first.status_code == second.status_code == 200
    assert report_pdf.renders == before + 1
    assert second.content == first.content
    session.expire_all()
    assert session.get(ReportPdf, round_.id).rendered_at == rendered_at


def test_a_new_version_of_a_report_is_rendered_again_and_replaces_the_old(session, employer_round):
    _, round_ = employer_round
    html = ("<!DOCTYPE html><html lang='en'><head><title>Version {}</title></head>"
            "<body>{}</body></html>")
    before = report_pdf.renders

    first = report_pdf.cached_report_pdf(session=session, round_id=round_.id,
                                         html=html.format(1, "one"))
    again = report_pdf.cached_report_pdf(session=session, round_id=round_.id,
                                         html=html.format(1, "one"))
    second = report_pdf.cached_report_pdf(session=session, round_id=round_.id,
                                          html=html.format(2, "two"))

    assert report_pdf.renders == before + 2
    assert again == first != second
    with Session(session.get_bind()) as fresh:
        kept = fresh.get(ReportPdf, round_.id)
        assert kept.version == report_pdf.version_of(html.format(2, "two"))


def test_pdfs_render_at_a_lower_cpu_priority_than_the_web_process():
    """Survey pages keep their cores while PDFs render (bench/README.md, benchmark 6)."""
    import os

    report_pdf.shutdown_render_pool()  # a pool started by this test's settings
    try:
        web = os.getpriority(os.PRIO_PROCESS, 0)
        render = report_pdf._render_pool().submit(os.getpriority, os.PRIO_PROCESS, 0).result()
        assert get_settings().pdf_niceness == 10  # the default
        assert render == min(19, web + 10)
        assert os.getpriority(os.PRIO_PROCESS, 0) == web  # the web process is left as it was
    finally:
        report_pdf.shutdown_render_pool()
