"""Load the reference lists (regions, Teaching Partnerships, …) from `statements/reference/`."""

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from app.config import get_settings
from app.statements.errors import StatementFileError, describe
from app.vocabulary import Programme, RespondentType

# The API contract names these keys, so the data files must keep them.
CONTRACT_KEYS = {
    "programmes": {str(key) for key in Programme},
    "respondent_types": {str(key) for key in RespondentType},
}


class Item(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    key: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str = Field(min_length=1)


class Reference(BaseModel):
    model_config = ConfigDict(frozen=True)

    regions: tuple[Item, ...]
    teaching_partnerships: tuple[Item, ...]
    employer_types: tuple[Item, ...]
    programmes: tuple[Item, ...]
    respondent_types: tuple[Item, ...]

    def keys(self, name: str) -> list[str]:
        return [item.key for item in getattr(self, name)]

    def label(self, name: str, key: str | None) -> str:
        return next((item.label for item in getattr(self, name) if item.key == key), key or "")

    def public(self) -> dict[str, list[dict[str, str]]]:
        return {
            name: [{"key": item.key, "label": item.label} for item in getattr(self, name)]
            for name in Reference.model_fields
        }


def _load_list(path: Path) -> tuple[Item, ...]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        items = TypeAdapter(tuple[Item, ...]).validate_python(raw)
    except (OSError, yaml.YAMLError) as error:
        raise StatementFileError(f"{path}: cannot read the file: {error}") from error
    except ValidationError as error:
        raise StatementFileError(f"{path}: {describe(error)}") from error
    keys = [item.key for item in items]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise StatementFileError(f"{path}: keys must be unique; repeated: {repeated}")
    return items


def load_reference(directory: Path) -> Reference:
    folder = directory / "reference"
    lists = {name: _load_list(folder / f"{name}.yaml") for name in Reference.model_fields}
    for name, required in CONTRACT_KEYS.items():
        missing = required - {item.key for item in lists[name]}
        if missing:
            raise StatementFileError(f"{folder / name}.yaml: missing keys {sorted(missing)}")
    return Reference(**lists)


@lru_cache
def get_reference() -> Reference:
    return load_reference(get_settings().statements_dir)
