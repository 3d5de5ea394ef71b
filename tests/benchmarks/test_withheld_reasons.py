"""A benchmark group withheld by the disclosure audit says which published groups it would combine
with, on the report's JSON, page, CSV and PDF.

The attack of issue 12: a region whose Teaching Partnership holds all but one of its organisations.
(A partnership of 3 is never shown at all, for too few organisations; one of 4, in a region of 5,
is what the audit has to withhold, and it names the region.)
"""

import csv
import io

from bs4 import BeautifulSoup
from pypdf import PdfReader
from sqlmodel import select

from app.lifecycle.models import Round
from tests.builders import (
    api_headers,
    make_closed_round,
    make_employer,
    make_organisation,
    round_report,
    sign_in,
)

QUALIFYING = {"self_assessment": 1, "nqsw": 4, "line_manager": 2}
REASON = ("withheld: together with the figures published this year for the London region, it "
          "would let anyone work out the figures of 1 organisation")


def qualifying(session, **placement):
    organisation = make_organisation(session, **placement)
    make_closed_round(session, organisation=organisation, responses=QUALIFYING)
    return organisation


def words(text: str) -> str:
    return " ".join(text.split())


def test_the_report_names_the_region_a_withheld_partnership_would_combine_with(client, session):
    qualifying(session, region="london")
    inside = [qualifying(session, region="london", teaching_partnership="north_london_tp")
              for _ in range(4)]
    for _ in range(4):
        qualifying(session, region="south_east")
    reader = inside[0]
    round_ = session.exec(select(Round).where(Round.organisation_id == reader.id)).one()
    employer = make_employer(session, organisation=reader)

    report = round_report(session, round_)
    sign_in(client, employer)
    page = client.get(f"/rounds/{round_.id}/report")
    spreadsheet = client.get(f"/rounds/{round_.id}/report.csv")
    pdf = client.get(f"/api/v1/rounds/{round_.id}/report.pdf", headers=api_headers(employer))

    first = report["statements"][0]
    assert first["benchmarks"]["region"] is not None
    assert first["benchmarks"]["teaching_partnership"] is None
    assert first["benchmark_notes"]["teaching_partnership"] == REASON
    assert {s["benchmark_notes"]["teaching_partnership"] for s in report["statements"]} == {REASON}
    # The page opens the sentence with a capital and keeps the region's name as it is.
    assert page.status_code == 200
    text = words(BeautifulSoup(page.text, "html.parser").get_text(" "))
    assert "W" + REASON[1:] in text
    rows = csv.DictReader(io.StringIO(spreadsheet.text.split("\n\n", 1)[1]))
    reasons = {row["not_shown_because"] for row in rows if row["group"] == "teaching_partnership"}
    assert reasons == {REASON}
    assert pdf.status_code == 200
    printed = words(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages))
    assert "the figures published this year for the London region" in printed
