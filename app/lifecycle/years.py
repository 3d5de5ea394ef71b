"""Academic years, written `2025-26`: parse, check, step back and forward."""

import re
from datetime import date

_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


def is_academic_year(value: str) -> bool:
    match = _YEAR.match(value or "")
    return bool(match) and (int(match[1]) + 1) % 100 == int(match[2])


def _starting(start: int) -> str:
    return f"{start}-{(start + 1) % 100:02d}"


def academic_year_of(day: date) -> str:
    """The ASYE year runs September to August."""
    return _starting(day.year if day.month >= 9 else day.year - 1)


def previous_year(year: str) -> str:
    return _starting(int(year[:4]) - 1)


def next_year(year: str) -> str:
    return _starting(int(year[:4]) + 1)


def academic_year_end(year: str) -> date:
    """The last day of an academic year: 31 August of its second calendar year."""
    return date(int(year[:4]) + 1, 8, 31)
