"""MLflow's error vocabulary: an `MlflowError` carries one of MLflow's error codes
(databricks.proto's ErrorCode names); fitdoc's own coded errors read as the MLflow code of
the same meaning. The HTTP status of each code is the API's (service/api/mlflow.py)."""

from __future__ import annotations

from service.errors import (
    FitdocError,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    TooLarge,
    Unauthorized,
    Unavailable,
)

RESOURCE_DOES_NOT_EXIST = "RESOURCE_DOES_NOT_EXIST"
RESOURCE_ALREADY_EXISTS = "RESOURCE_ALREADY_EXISTS"
INVALID_PARAMETER_VALUE = "INVALID_PARAMETER_VALUE"
BAD_REQUEST = "BAD_REQUEST"
PERMISSION_DENIED = "PERMISSION_DENIED"
UNAUTHENTICATED = "UNAUTHENTICATED"
REQUEST_LIMIT_EXCEEDED = "REQUEST_LIMIT_EXCEEDED"
TEMPORARILY_UNAVAILABLE = "TEMPORARILY_UNAVAILABLE"
ENDPOINT_NOT_FOUND = "ENDPOINT_NOT_FOUND"
INTERNAL_ERROR = "INTERNAL_ERROR"


class MlflowError(FitdocError):
    """An error as MLflow's server words it: `{"error_code", "message"}`."""

    def __init__(self, error_code: str, message: str) -> None:
        super().__init__(message)
        self.error_code = error_code

    @classmethod
    def invalid(cls, message: str) -> MlflowError:
        return cls(INVALID_PARAMETER_VALUE, message)

    @classmethod
    def missing(cls, message: str) -> MlflowError:
        return cls(RESOURCE_DOES_NOT_EXIST, message)


# fitdoc's error -> MLflow's code. A conflict with stored data (a job's run status, which
# follows its job) is an invalid value for MLflow: its INVALID_STATE is a 500, which its
# client would retry 7 times.
_CODES: tuple[tuple[type[FitdocError], str], ...] = (
    (NotFound, RESOURCE_DOES_NOT_EXIST),
    (Invalid, INVALID_PARAMETER_VALUE),
    (TooLarge, INVALID_PARAMETER_VALUE),
    (Forbidden, PERMISSION_DENIED),
    (Unauthorized, UNAUTHENTICATED),
    (RateLimited, REQUEST_LIMIT_EXCEEDED),
    (Unavailable, TEMPORARILY_UNAVAILABLE),
)


def as_mlflow(error: FitdocError) -> MlflowError:
    """The MLflow error for a fitdoc error (itself when it is one)."""
    if isinstance(error, MlflowError):
        return error
    code = next((c for kind, c in _CODES if isinstance(error, kind)), INVALID_PARAMETER_VALUE)
    return MlflowError(code, error.message)
