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


class Conflict(FitdocError):
    code = "conflict"


class Invalid(FitdocError):
    code = "invalid"


class TooLarge(FitdocError):
    code = "too_large"


class Unauthorized(FitdocError):
    code = "unauthorized"


class Unavailable(FitdocError):
    """A server the request needs (the job queue) cannot be reached."""

    code = "unavailable"
