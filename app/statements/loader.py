"""Load and validate the statement sets in `statements/sets/` and fail loudly on a bad file."""

import hashlib
import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.config import get_settings
from app.statements.errors import StatementFileError, describe
from app.statements.reference import get_reference

SCALE_VALUES = (1, 2, 3, 4, 5)

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Statement(_Strict):
    number: int = Field(ge=1)
    text: str = Field(min_length=1)


class Theme(_Strict):
    number: int = Field(ge=1)
    title: str = Field(min_length=1)
    statements: tuple[Statement, ...] = Field(min_length=1)


class ScalePoint(_Strict):
    value: int
    label: str = Field(min_length=1)


class StatementSet(_Strict):
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str = Field(min_length=1)
    year: int = Field(ge=2000, le=2100)
    programmes: tuple[str, ...] = Field(min_length=1)
    scale: tuple[ScalePoint, ...]
    do_not_know: str = Field(min_length=1)
    themes: tuple[Theme, ...] = Field(min_length=1)

    # Worked out once per set: every submission and survey page reads them (see `_kept`).
    @property
    def statements(self) -> tuple[Statement, ...]:
        return _kept(self, "statements",
                     lambda: tuple(s for theme in self.themes for s in theme.statements))

    @property
    def numbers(self) -> tuple[int, ...]:
        return _kept(self, "numbers", lambda: tuple(s.number for s in self.statements))

    @property
    def numbers_in_order(self) -> tuple[int, ...]:
        """The numbers from lowest to highest: the order of packed answers."""
        return _kept(self, "numbers_in_order", lambda: tuple(sorted(self.numbers)))

    @property
    def rating_keys(self) -> tuple[str, ...]:
        """`numbers_in_order` as a submission's ratings name them (JSON keys are strings)."""
        return _kept(self, "rating_keys",
                     lambda: tuple(str(number) for number in self.numbers_in_order))

    @property
    def theme_of(self) -> dict[int, int]:
        return {s.number: t.number for t in self.themes for s in t.statements}

    @property
    def fingerprint(self) -> str:
        """A hash of everything a respondent reads: any change to it is a new set."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def same_scale_as(self, other: "StatementSet") -> bool:
        return self.scale == other.scale

    def same_statements(self, earlier: "StatementSet") -> dict[int, int]:
        """`earlier`'s statement number → this set's number for the same statement.

        Across sets a statement is the same statement only if its words are the same, so a
        round or a year on another set is compared statement by statement where the words match.
        """
        if earlier.key == self.key:
            return {n: n for n in self.numbers}
        number_of_text = {s.text: s.number for s in self.statements}
        return {s.number: number_of_text[s.text] for s in earlier.statements
                if s.text in number_of_text}


def _kept(statement_set: StatementSet, name: str, work: Callable[[], Any]) -> Any:
    """What `work` makes of the set's themes, made once per themes object and kept on the set.

    Kept beside the themes it came from, not simply once per set (`cached_property`):
    `model_copy` copies what is kept, so a copy with other themes (`model_copy(update=…)`, as
    tests make sets that differ from a real one) would read the original's statements.
    """
    kept = statement_set.__dict__.get(f"_kept_{name}")
    if kept is None or kept[0] is not statement_set.themes:
        kept = statement_set.__dict__[f"_kept_{name}"] = (statement_set.themes, work())
    return kept[1]


def _validate_rules(statement_set: StatementSet, programmes: set[str] | None) -> list[str]:
    problems = []
    values = tuple(point.value for point in statement_set.scale)
    if values != SCALE_VALUES:
        problems.append(f"scale must have exactly five points valued 1 to 5 in order, not {values}")
    theme_numbers = [t.number for t in statement_set.themes]
    if theme_numbers != list(range(1, len(theme_numbers) + 1)):
        problems.append(f"themes must be numbered 1, 2, 3… in order, not {theme_numbers}")
    numbers = list(statement_set.numbers)
    duplicates = sorted({n for n in numbers if numbers.count(n) > 1})
    if duplicates:
        problems.append(f"statement numbers must be unique; repeated: {duplicates}")
    elif sorted(numbers) != list(range(1, len(numbers) + 1)):
        problems.append(f"statements must be numbered 1 to {len(numbers)} without gaps")
    if programmes is not None:
        unknown = sorted(set(statement_set.programmes) - programmes)
        if unknown:
            problems.append(f"unknown programmes {unknown}; known: {sorted(programmes)}")
    return problems


def load_statement_set(path: Path, *, programmes: set[str] | None = None) -> StatementSet:
    """Read one set file; raise StatementFileError naming the file and every problem in it."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise StatementFileError(f"{path}: cannot read the file: {error}") from error
    try:
        statement_set = StatementSet.model_validate(raw)
    except ValidationError as error:
        raise StatementFileError(f"{path}: {describe(error)}") from error
    problems = _validate_rules(statement_set, programmes)
    if statement_set.key != path.stem:
        problems.append(f"key {statement_set.key!r} must match the file name {path.stem!r}")
    if problems:
        raise StatementFileError(f"{path}: " + "; ".join(problems))
    return statement_set


def load_statement_sets(
    directory: Path, *, programmes: set[str] | None = None
) -> dict[str, StatementSet]:
    paths = sorted((directory / "sets").glob("*.yaml"))
    if not paths:
        raise StatementFileError(f"{directory / 'sets'}: no statement set files (*.yaml)")
    return {path.stem: load_statement_set(path, programmes=programmes) for path in paths}


@lru_cache
def get_statement_sets() -> dict[str, StatementSet]:
    programmes = {item.key for item in get_reference().programmes}
    return load_statement_sets(get_settings().statements_dir, programmes=programmes)


def latest_set_for(programme: str) -> StatementSet | None:
    """The newest set that suits a programme: the default for a new round."""
    suitable = [s for s in get_statement_sets().values() if programme in s.programmes]
    return max(suitable, key=lambda s: (s.year, s.key), default=None)
