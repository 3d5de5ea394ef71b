"""The evidence PDF: one A4 page, rendered from its template with the verify link's QR code."""

from fastapi.responses import Response

from app.core.templating import templates
from app.evidence.schemas import Evidence
from app.reports.pdf import render_in_pool
from app.rounds.qr import qr_svg


def evidence_pdf(evidence: Evidence) -> Response:
    html = templates.get_template("evidence/pdf.html").render(
        evidence=evidence, qr=qr_svg(evidence.verify_url, label="QR code of the verify link"))
    name = f"asye360-evidence-{evidence.year}-{evidence.programme}.pdf"
    return Response(render_in_pool(html), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
