"""Rule 6: whether a round counts in benchmarks, and why not, in words."""

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class MinimumCriteria:
    met: bool
    reasons: tuple[str, ...]  # what is missing, written for the employer


def check_minimum_criteria(
    *, status: str, counts: Mapping[str, int], minimum_nqsw: int, minimum_line_manager: int
) -> MinimumCriteria:
    """Closed, self-assessment complete, enough NQSW and line-manager responses.

    `counts` are responses per respondent type; a self-assessment is only stored when complete.
    """
    reasons = []
    if status != "closed":
        reasons.append("the round has not closed yet")
    if counts.get("self_assessment", 0) < 1:
        reasons.append("the self-assessment has not been completed")
    nqsw = counts.get("nqsw", 0)
    if nqsw < minimum_nqsw:
        reasons.append(f"it needs at least {minimum_nqsw} NQSW responses (it has {nqsw})")
    line_managers = counts.get("line_manager", 0)
    if line_managers < minimum_line_manager:
        noun = "response" if minimum_line_manager == 1 else "responses"
        reasons.append(
            f"it needs at least {minimum_line_manager} line manager {noun} (it has {line_managers})"
        )
    return MinimumCriteria(met=not reasons, reasons=tuple(reasons))
