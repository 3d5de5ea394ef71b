"""The one error of the data files: what is wrong, with the file named."""

from pydantic import ValidationError


class StatementFileError(Exception):
    """A data file under `statements/` is missing, malformed or breaks a rule."""


def describe(error: ValidationError) -> str:
    """Every problem Pydantic found, each with where it is in the file."""
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in error.errors()
    )
