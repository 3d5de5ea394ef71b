"""Sharing an open round: suggested invitation and reminder texts per respondent type, an A4
poster per type (QR code, short link, closing date) and printable slips of single-use codes.

The texts are plain, to paste into an email or a Teams message; they name the closing date and
carry the type's own link. Nothing here stores anything.
"""

from dataclasses import dataclass
from datetime import date

from fastapi.responses import Response

from app.core.templating import templates
from app.lifecycle.closing import long_date
from app.reports.pdf import render_in_pool
from app.rounds.qr import qr_svg
from app.rounds.service import RoundOverview
from app.statements.reference import get_reference
from app.survey.links import survey_url
from app.vocabulary import ANONYMOUS_TYPES

# Who each link is for, as the texts address them.
AUDIENCE = {
    "nqsw": "newly qualified social workers (NQSWs) in their ASYE year",
    "line_manager": "line managers of our NQSWs",
    "other": "people who support our NQSWs other than their line managers: supervisors, "
             "practice educators, assessors and senior managers",
}
# Who counts as "other" (PRODUCT.md: respondent types), for the share page.
OTHER_GUIDANCE = (
    "“Other” is for anyone who supports NQSWs through their ASYE and is neither an NQSW nor an "
    "NQSW’s line manager: practice supervisors, practice educators, ASYE assessors, senior "
    "managers, principal social workers and workforce development staff. Each person answers "
    "once, as one type: someone who is both a line manager and an assessor uses the line "
    "manager link."
)


@dataclass(frozen=True)
class ShareTexts:
    respondent_type: str
    label: str
    audience: str
    url: str
    short_url: str  # to type from a poster or a slide
    invitation: list[str]  # paragraphs
    reminder: list[str]


def share_texts(overview: RoundOverview) -> list[ShareTexts]:
    organisation = overview.organisation.name
    closes = long_date(overview.round.closes_on) if overview.round.closes_on else None
    by = f" by {closes}" if closes else ""
    when = f"on {closes}" if closes else "soon"
    labels = {i.key: i.label for i in get_reference().respondent_types}
    texts = []
    for kind in ANONYMOUS_TYPES:
        url = overview.links[kind]
        texts.append(ShareTexts(
            respondent_type=kind, label=labels[kind], audience=AUDIENCE[kind], url=url,
            short_url=overview.short_links[kind],
            invitation=[
                f"{organisation} is evaluating its Assessed and Supported Year in Employment "
                f"(ASYE) programme, and we would like to hear from {AUDIENCE[kind]}.",
                f"Please rate 32 short statements about how the programme works{by}. It takes "
                "about 10 minutes. Your answers are anonymous: we see only everyone’s answers "
                "combined, and nothing about who gave them.",
                f"Answer here: {url}",
            ],
            reminder=[
                f"A reminder: the evaluation of our ASYE programme closes {when}. "
                "If you have already answered, thank you. If not, it takes about 10 minutes "
                "and is anonymous.",
                f"Answer here: {url}",
            ],
        ))
    return texts


def poster_pdf(overview: RoundOverview, respondent_type: str) -> Response:
    """An A4 poster for one respondent type: who it is for, the QR code, short link, closing date.

    The QR code holds the short link too: fewer characters make a coarser code, which scans
    from further away and off a worn print.
    """
    label = get_reference().label("respondent_types", respondent_type)
    short_url = overview.short_links[respondent_type]
    html = templates.get_template("rounds/poster.html").render(
        overview=overview, label=label, audience=AUDIENCE[respondent_type], short_url=short_url,
        closes_on=overview.round.closes_on, long_date=long_date,
        qr=qr_svg(short_url, label=f"QR code of the {label} link"))
    round_ = overview.round
    name = f"asye360-poster-{respondent_type}-{round_.programme}-{round_.year}.pdf"
    return Response(render_in_pool(html), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def code_slips_pdf(overview: RoundOverview, codes: dict[str, list[str]]) -> Response:
    """The codes as slips to cut out and hand over, one code per slip (shown this once)."""
    labels = {i.key: i.label for i in get_reference().respondent_types}
    slips = [(labels[kind], code) for kind in ANONYMOUS_TYPES for code in codes.get(kind, [])]
    closes_on: date | None = overview.round.closes_on
    html = templates.get_template("rounds/code_slips.html").render(
        overview=overview, slips=slips, where=survey_url("code"),
        closes=long_date(closes_on) if closes_on else None)
    round_ = overview.round
    name = f"asye360-codes-{round_.programme}-{round_.year}-round-{round_.id}.pdf"
    return Response(render_in_pool(html), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
