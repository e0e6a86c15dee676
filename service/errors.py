"""One error vocabulary (MLflow's habit): the store and services raise these coded domain
errors; service/api/errors.py turns them into `{"error": {...}}` with the right status.
Nothing here knows about HTTP."""

from __future__ import annotations


class FitdocError(Exception):
    code = "error"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(FitdocError):
    code = "not_found"

    @classmethod
    def missing(cls, what: str, key: str, field: str | None = None) -> NotFound:
        """The one message for a `what` (run, job, ...) that `key` does not name, also used
        for one that exists in a project the caller cannot see: the two read the same."""
        return cls(f"no {what} {key!r}", field=field or f"{what}_id")


class Conflict(FitdocError):
    code = "conflict"


class Invalid(FitdocError):
    code = "invalid"


class TooLarge(FitdocError):
    code = "too_large"


class Unauthorized(FitdocError):
    code = "unauthorized"


class Forbidden(FitdocError):
    """The caller's token lacks the role the request needs."""

    code = "forbidden"


class RateLimited(FitdocError):
    """Over a per-caller limit; `retry_after`: seconds to wait."""

    code = "rate_limited"

    def __init__(self, message: str, field: str | None = None, retry_after: int = 1) -> None:
        super().__init__(message, field)
        self.retry_after = retry_after


class Unavailable(FitdocError):
    """A server the request needs (the job queue, the database) cannot be reached or has
    no room now; `retry_after`: seconds to wait."""

    code = "unavailable"

    def __init__(self, message: str, field: str | None = None, retry_after: int = 5) -> None:
        super().__init__(message, field)
        self.retry_after = retry_after
