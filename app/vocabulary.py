"""The words of the domain, said once: round statuses, respondent types, roles, RAG, breakdowns.

Only the standard library is imported here, so that anything (the pure arithmetic of
app.results.arithmetic included) can use the same words as the tables and the API. The values
are the keys of the API contract (PRODUCT.md section 5); the labels people read come from the
reference lists in statements/reference/.
"""

from collections.abc import Sequence
from enum import StrEnum


class RoundStatus(StrEnum):
    """Rule 1: draft → open → closed, and never back."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


# A round that has been opened: someone could answer it (or did).
LAUNCHED = (RoundStatus.OPEN, RoundStatus.CLOSED)


class RespondentType(StrEnum):
    """Who answered: the employer itself (one self-assessment per round), or an anonymous type."""

    SELF_ASSESSMENT = "self_assessment"
    NQSW = "nqsw"
    LINE_MANAGER = "line_manager"
    OTHER = "other"


SELF_ASSESSMENT = RespondentType.SELF_ASSESSMENT
# In this order everywhere: links, tables, columns and the small-group pooling's tie-break.
ANONYMOUS_TYPES = (RespondentType.NQSW, RespondentType.LINE_MANAGER, RespondentType.OTHER)
RESPONDENT_TYPES = (SELF_ASSESSMENT, *ANONYMOUS_TYPES)


class Programme(StrEnum):
    ADULTS = "adults"
    CHILD_AND_FAMILY = "child_and_family"


class Role(StrEnum):
    """What an account is: an employer's (of one organisation) or the national team's."""

    EMPLOYER = "employer"
    NATIONAL = "national"


class OrganisationRole(StrEnum):
    """What an employer account may do in its organisation: a lead changes, a viewer reads."""

    LEAD = "lead"
    VIEWER = "viewer"


class OrganisationStatus(StrEnum):
    """Rule 15: a new organisation is pending until the national team approves or rejects it;
    only approved organisations count in participation, benchmarks and national results."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ActionStatus(StrEnum):
    """Where an action of an action plan has got to (rule 13)."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class Rag(StrEnum):
    """The rating of a displayed average (rule 4)."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"


class GroupBy(StrEnum):
    """The breakdowns of national results; each but respondent type is an organisation's."""

    REGION = "region"
    TEACHING_PARTNERSHIP = "teaching_partnership"
    EMPLOYER_TYPE = "employer_type"
    RESPONDENT_TYPE = "respondent_type"


# Reasons shown in place of a number, in the words of the report and the API.
NO_RATINGS = "no ratings"
NOT_ENOUGH_ORGANISATIONS = "not enough organisations yet"
NOT_IN_A_PARTNERSHIP = "not in a Teaching Partnership"


def fewer_than(k: int) -> str:
    """The reason shown in place of a number hidden by small-group protection (rule 5)."""
    return f"fewer than {k} ratings"


# How many of a respondent type, in words people read: "1 line manager", "2 line managers".
RESPONDENT_NOUNS = {
    RespondentType.SELF_ASSESSMENT: ("self-assessment", "self-assessments"),
    RespondentType.NQSW: ("NQSW", "NQSWs"),
    RespondentType.LINE_MANAGER: ("line manager", "line managers"),
    RespondentType.OTHER: ("other", "others"),
}


def noun(respondent_type: str, count: int = 2) -> str:
    """The respondent type's noun, singular for exactly 1 ("line manager"), plural otherwise."""
    singular, plural = RESPONDENT_NOUNS[RespondentType(respondent_type)]
    return singular if count == 1 else plural


def counted(count: int, respondent_type: str) -> str:
    """A number of respondents in words: "1 line manager", "0 NQSWs", "3 others"."""
    return f"{count} {noun(respondent_type, count)}"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """A count with its noun: plural(1, "rating") → "1 rating", plural(2, "rating") → "2 ratings".
    """
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


# Abbreviations in the statements, expanded where they appear (<abbr>) and in the glossary.
ABBREVIATIONS = {
    "ASYE": "Assessed and Supported Year in Employment",
    "CPD": "continuing professional development",
    "KSS": "Knowledge and Skills Statement",
    "NQSW": "newly qualified social worker",
    "PCF": "Professional Capabilities Framework",
    "PDP": "professional development plan",
    "PQS": "Post-qualifying Standards",
}


BENCHMARKS_GIVE_TO_GET = (
    "benchmarks are shown only in the report of a round that meets the minimum criteria")


def withheld_benchmark(organisations: int, combined_with: Sequence[str] = ()) -> str:
    """Why a benchmark group is withheld by the disclosure audit (rule 7), in words: the groups
    it would combine with (e.g. "the North West region"), never the organisations it would give
    away."""
    who = "1 organisation" if organisations == 1 else f"{organisations} organisations"
    if not combined_with:
        return (f"withheld: together with the other benchmarks published this year it would let "
                f"anyone work out the figures of {who}")
    names = [f"for {name}" for name in combined_with]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return (f"withheld: together with the figures published this year {listed}, it would let "
            f"anyone work out the figures of {who}")
