"""The year's completion list as CSV: which employers completed their evaluation, when, and
whether it qualifies (the national team's evidence for grant funding)."""

import csv
import io

from app.national.admin import OrganisationLine
from app.partnerships.service import label_of, partnership_labels
from app.statements.reference import get_reference

HEADINGS = (
    "Organisation", "Organisation id", "Region", "Teaching Partnership", "Type of employer",
    "Approval", "Year", "Programme", "Round", "Round status", "Completed on",
    "Meets the minimum criteria", "Warnings",
)
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: str) -> str:
    """Text as a spreadsheet will show it, never run it (a name like "=HYPERLINK(…)")."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def completion_csv(lines: list[OrganisationLine], *, year: str) -> str:
    """One row per round of the year, and one for each organisation without a round that
    year (round status "no round"), in the order of the list."""
    reference = get_reference()
    partnerships = partnership_labels()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADINGS)
    for line in lines:
        organisation = line.organisation
        about = [
            cell(organisation.name), organisation.id,
            reference.label("regions", organisation.region),
            label_of(partnerships, organisation.teaching_partnership),
            reference.label("employer_types", organisation.employer_type),
            organisation.status,
        ]
        rounds = line.rounds_in(year)
        if not rounds:
            writer.writerow([*about, year, "", "", "no round", "", "no", ""])
        for round_ in rounds:
            writer.writerow([
                *about, year, reference.label("programmes", round_.programme), round_.id,
                round_.status, round_.closed_on.isoformat() if round_.closed_on else "",
                "yes" if round_.meets_minimum else "no",
                " ".join(f"{warning.message}." for warning in round_.warnings),
            ])
    return buffer.getvalue()
