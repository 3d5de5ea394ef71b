"""The one normal form of an email address, so that look-alikes are one account or none.

Accounts are stored and compared on this form (issue 13, item 5): NFKC (full-width and other
compatibility forms become plain letters), lower case, and refused when what is left could pass
for another address: an invisible or control character anywhere, a combining mark left over
(the dotted capital İ lowers to i + a dot above), or letters of more than one script in one
part (a Cyrillic а among Latin letters). A whole part in one script, Cyrillic say, is allowed.
"""

import unicodedata

MAX_EMAIL_LENGTH = 254
FORMAT = "Enter an email address in the correct format, like name@example.org"
LOOK_ALIKE = (
    "Enter an email address using letters of one alphabet, without hidden characters, "
    "like name@example.org"
)


class EmailRefused(ValueError):
    """Not an address this service accepts; the message says why, for a person to read."""


def _script(char: str) -> str | None:
    """The script of a letter ("LATIN", "CYRILLIC"…), from its Unicode name; None otherwise."""
    if not unicodedata.category(char).startswith("L"):
        return None
    name = unicodedata.name(char, "")
    return name.split(" ")[0] if name else "UNKNOWN"


def _hides_something(part: str) -> bool:
    # C*: control, format (zero-width, bidirectional marks), unassigned, private use;
    # M*: combining marks that NFKC could not compose; Z*: spaces of any width.
    if any(unicodedata.category(char)[0] in "CMZ" for char in part):
        return True
    return len({script for char in part if (script := _script(char))}) > 1


def normalise_email(email: str) -> str:
    """The address in its normal form; EmailRefused when it is not one or could be a look-alike."""
    value = unicodedata.normalize("NFKC", email.strip())
    local, at, domain = value.rpartition("@")
    if not at or not local or not domain or "@" in local or len(value) > MAX_EMAIL_LENGTH:
        raise EmailRefused(FORMAT)
    local = unicodedata.normalize("NFKC", local.lower())
    domain = unicodedata.normalize("NFKC", domain.casefold())
    if any(_hides_something(part) for part in (local, *domain.split("."))):
        raise EmailRefused(LOOK_ALIKE)
    return f"{local}@{domain}"
