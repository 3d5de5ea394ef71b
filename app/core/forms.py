"""Read a page form into a Pydantic model, and turn its errors into an error summary.

The field types of the `…Form` models raise `problem("Enter…")` so that the message a person
reads is GOV.UK's, not Pydantic's.
"""

from typing import Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ValidationError
from pydantic_core import PydanticCustomError
from starlette.datastructures import FormData

Form = TypeVar("Form", bound=BaseModel)


def problem(message: str) -> PydanticCustomError:
    """A validation error whose message is shown as it is written."""
    return PydanticCustomError("invalid", message)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


Stripped = BeforeValidator(_strip)


def read_form(
    form: FormData, model: type[Form], *, lists: tuple[str, ...] = ()
) -> tuple[Form | None, dict[str, str], dict[str, Any]]:
    """(the valid form or None, field id → first message, what was typed).

    Missing fields read as "" (or [] for `lists`), so the model's own checks say "Enter…" or
    "Select…" rather than Pydantic's "Field required". Field names are also the ids of the
    inputs (or of the first radio or checkbox), so each message links to its field.
    """
    values: dict[str, Any] = {}
    for name in model.model_fields:
        if name in lists:
            values[name] = [v for v in form.getlist(name) if isinstance(v, str)]
        else:
            value = form.get(name, "")
            values[name] = value if isinstance(value, str) else ""
    try:
        return model.model_validate(values), {}, values
    except ValidationError as error:
        return None, errors_by_field(error, model), values


def errors_by_field(error: ValidationError, model: type[BaseModel]) -> dict[str, str]:
    """The first problem of each field, in the order the fields appear on the page."""
    found: dict[str, str] = {}
    for item in error.errors():
        location = item.get("loc") or ("",)
        field = str(location[0])
        found.setdefault(field, item.get("msg", "Enter a valid value"))
    order = list(model.model_fields)
    return dict(sorted(found.items(), key=lambda item: order.index(item[0])
                       if item[0] in order else len(order)))


def ascii_digits(text: str) -> bool:
    """Whether `text` is a whole number written in ASCII digits, as int() should then read it.

    `str.isdigit()` alone takes look-alikes: "²", which int() refuses (a 500), and "３", which
    it reads as 3.
    """
    return text.isascii() and text.isdigit()
