"""Academic years, written `2025-26`: parse, check, step back."""

import re
from datetime import date

_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


def is_academic_year(value: str) -> bool:
    match = _YEAR.match(value or "")
    return bool(match) and (int(match[1]) + 1) % 100 == int(match[2])


def academic_year_of(day: date) -> str:
    """The ASYE year runs September to August."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def previous_year(year: str) -> str:
    start = int(year[:4]) - 1
    return f"{start}-{(start + 1) % 100:02d}"
