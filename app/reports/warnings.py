"""Rule 5's warnings: more responses, or more codes, of a type than the employer expected when
the round opened. Worked out here once, for the round's report and for the national team's
lists of organisations alike."""

from collections.abc import Iterable

from sqlmodel import Session

from app.lifecycle.models import Round
from app.reports import aggregation as agg
from app.reports.schemas import ReportWarning
from app.statements.reference import get_reference
from app.survey.codes import count_codes
from app.survey.service import count_responses
from app.vocabulary import RoundStatus


def round_warnings(*, session: Session, rounds: Iterable[Round]) -> dict[int, list[ReportWarning]]:
    """Round id → its warnings, for any number of rounds in three queries.

    A draft round has none: its expected numbers may still change, and each warning measures
    against the numbers fixed when the round opened.
    """
    rounds = [round_ for round_ in rounds if round_.status != RoundStatus.DRAFT]
    ids = [round_.id for round_ in rounds]
    responses = count_responses(session=session, round_ids=ids)
    codes = count_codes(session=session, round_ids=ids)
    reference = get_reference()
    found: dict[int, list[ReportWarning]] = {}
    for round_ in rounds:
        issued = {name: numbers["issued"] for name, numbers in codes[round_.id].items()}
        found[round_.id] = [
            ReportWarning.of(warning, reference.label("respondent_types", warning.respondent_type))
            for warning in agg.expectation_warnings(
                expected=round_.expected, responses=responses[round_.id], codes=issued)]
    return found
