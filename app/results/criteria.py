"""Rule 6, said once: whether a round counts in benchmarks and national results, and why not.

The minimum criteria are settings (MINIMUM_NQSW, MINIMUM_LINE_MANAGER). This module owns their
check on a round's counts, the same check as an SQL condition on the counts recorded at close,
the progress rows the round page shows while it is open, and the sentence that explains them.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_

from app.config import Settings, get_settings
from app.results.models import RoundResponses
from app.vocabulary import SELF_ASSESSMENT, RespondentType, RoundStatus, counted


@dataclass(frozen=True)
class MinimumCriteria:
    met: bool
    reasons: tuple[str, ...]  # what is missing, written for the employer


@dataclass(frozen=True)
class Criterion:
    """One criterion as the round page shows progress toward it."""

    label: str
    met: bool
    progress: str


def _responses(count: int) -> str:
    return "response" if count == 1 else "responses"


def _so_far(count: int, minimum: int, respondent_type: str) -> str:
    """"2 of 3 so far" until the minimum is reached, then "4 NQSWs (at least 3 needed)"."""
    if count < minimum:
        return f"{count} of {minimum} so far"
    return f"{counted(count, respondent_type)} (at least {minimum} needed)"


def check(*, status: str, counts: Mapping[str, int],
          settings: Settings | None = None) -> MinimumCriteria:
    """Closed, self-assessment complete, enough NQSW and line-manager responses.

    `counts` are responses per respondent type; a self-assessment is only stored when complete.
    """
    settings = settings or get_settings()
    reasons = []
    if status != RoundStatus.CLOSED:
        reasons.append("the round has not closed yet")
    if counts.get(SELF_ASSESSMENT, 0) < 1:
        reasons.append("the self-assessment has not been completed")
    nqsw, minimum = counts.get(RespondentType.NQSW, 0), settings.minimum_nqsw
    if nqsw < minimum:
        reasons.append(f"it needs at least {minimum} NQSW responses (it has {nqsw})")
    managers, minimum = counts.get(RespondentType.LINE_MANAGER, 0), settings.minimum_line_manager
    if managers < minimum:
        reasons.append(f"it needs at least {minimum} line manager {_responses(minimum)} "
                       f"(it has {managers})")
    return MinimumCriteria(met=not reasons, reasons=tuple(reasons))


def condition(settings: Settings) -> ColumnElement[bool]:
    """The same check on a closed round's counts recorded at close (`round_responses`), for a
    query that joins that table."""
    return and_(
        RoundResponses.self_assessment >= 1,
        RoundResponses.nqsw >= settings.minimum_nqsw,
        RoundResponses.line_manager >= settings.minimum_line_manager,
    )


def progress(*, status: str, counts: Mapping[str, int],
             settings: Settings | None = None) -> list[Criterion]:
    """Each criterion, whether it is met yet, and how far along it is."""
    settings = settings or get_settings()
    nqsw, managers = counts.get(RespondentType.NQSW, 0), counts.get(RespondentType.LINE_MANAGER, 0)
    done = counts.get(SELF_ASSESSMENT, 0) >= 1
    closed = status == RoundStatus.CLOSED
    return [
        Criterion("Self-assessment complete", done, "Complete" if done else "Not done yet"),
        Criterion(f"At least {settings.minimum_nqsw} NQSW responses",
                  nqsw >= settings.minimum_nqsw,
                  _so_far(nqsw, settings.minimum_nqsw, RespondentType.NQSW)),
        Criterion(f"At least {settings.minimum_line_manager} line manager "
                  f"{_responses(settings.minimum_line_manager)}",
                  managers >= settings.minimum_line_manager,
                  _so_far(managers, settings.minimum_line_manager, RespondentType.LINE_MANAGER)),
        Criterion("Round closed", closed, "Closed" if closed else "Not closed yet"),
    ]


def sentence(settings: Settings | None = None) -> str:
    """The criteria in words, e.g. "closed, with the self-assessment completed, at least 3 NQSW
    responses and at least 1 line manager response"."""
    settings = settings or get_settings()
    nqsw, managers = settings.minimum_nqsw, settings.minimum_line_manager
    return (f"closed, with the self-assessment completed, at least {nqsw} NQSW {_responses(nqsw)}"
            f" and at least {managers} line manager {_responses(managers)}")
