"""What a use case refuses, and why: one base class that every domain's refusals extend.

A `DomainError` carries everything an answer needs, so services stay free of HTTP: the status,
a message fit to show, optionally the form field it belongs to and a page template of its own.
One handler (app.core.errors) turns it into JSON `{"detail": message}` under /api/ and a GOV.UK
page everywhere else. Routes catch one only to show a form again with the message on its field.
"""

from typing import Any, ClassVar


class DomainError(Exception):
    status: ClassVar[int] = 400
    # The page shown instead of the plain error page (it gets `status_code`, `heading`,
    # `message`), and its status when a page needs another than the API (410 for gone for good).
    template: ClassVar[str | None] = None
    page_status: ClassVar[int | None] = None
    message: str = "This cannot be done"

    def __init__(
        self, message: str | None = None, *, field: str | None = None,
        headers: dict[str, str] | None = None, extra: dict[str, Any] | None = None,
        context: dict[str, Any] | None = None,
    ) -> None:
        self.message = message or type(self).message
        super().__init__(self.message)
        self.field = field
        self.headers = headers
        self.extra = extra or {}  # more keys of the JSON body, beside "detail"
        self.context = context or {}  # more for the page template to show


class NotFound(DomainError):
    status = 404
    template = "errors/404.html"


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    """Not possible in the current state of things (409)."""

    status = 409


class Invalid(DomainError):
    """The request names something that does not fit (422)."""

    status = 422


class TooManyAttempts(DomainError):
    """A rate limit is reached; try again after `retry_after` seconds (429)."""

    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after
