"""What the round pages show beyond the JSON: titles, progress toward rule 6, QR codes."""

from typing import Any

from app.config import get_settings
from app.results import criteria
from app.rounds.qr import qr_svg
from app.rounds.service import RoundOverview
from app.statements.loader import get_statement_sets
from app.statements.reference import get_reference
from app.survey.links import survey_url
from app.vocabulary import ANONYMOUS_TYPES


def round_title(overview: RoundOverview) -> str:
    """e.g. "Child and family programme, 2025-26"."""
    round_ = overview.round
    return f"{get_reference().label('programmes', round_.programme)} programme, {round_.year}"


def round_view(overview: RoundOverview, **more: Any) -> dict[str, Any]:
    """The context every page about one round starts from."""
    round_ = overview.round
    return {
        "overview": overview,
        "round": round_,
        "title": round_title(overview),
        "statement_set": get_statement_sets().get(round_.statement_set),
        "criteria": criteria.progress(status=round_.status, counts=overview.counts),
        "respondent_types": {i.key: i.label for i in get_reference().respondent_types},
        "anonymous_types": ANONYMOUS_TYPES,
        "code_url": survey_url("code"),
        "verify_base": get_settings().base_url.rstrip("/") + "/verify",
        **more,
    }


def link_cards(overview: RoundOverview) -> list[dict[str, Any]]:
    """Each anonymous type's link, labelled, with its short form and its QR code."""
    labels = {i.key: i.label for i in get_reference().respondent_types}
    return [
        {"type": t, "label": labels[t], "url": overview.links[t],
         "short_url": overview.short_links.get(t),
         "qr": qr_svg(overview.links[t], label=f"QR code of the {labels[t]} link")}
        for t in ANONYMOUS_TYPES if t in overview.links
    ]
