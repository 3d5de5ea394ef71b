"""The evidence PDF: one A4 page, rendered from its template with the verify link's QR code."""

from fastapi.responses import Response

from app.core.templating import templates
from app.evidence.schemas import Evidence
from app.reports.exports import report_pdf
from app.rounds.qr import qr_svg


def evidence_pdf(evidence: Evidence) -> Response:
    html = templates.get_template("evidence/pdf.html").render(
        evidence=evidence, qr=qr_svg(evidence.verify_url, label="QR code of the verify link"))
    name = f"asye360-evidence-{evidence.year}-{evidence.programme}.pdf"
    return Response(report_pdf(html), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
