"""The one place where errors become HTTP: `{"error": {"code", "message", "field"?}}`."""

from __future__ import annotations

import logging
import re
from functools import cache
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from service.catalogue.probes import PROBE_KINDS
from service.errors import (
    Conflict,
    FitdocError,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    TooLarge,
    Unauthorized,
    Unavailable,
)
from service.schemas import NO_NUL, NOT_BLANK

log = logging.getLogger("fitdoc.api")

STATUS = {
    NotFound: 404,
    Conflict: 409,
    Invalid: 422,
    TooLarge: 413,
    Unauthorized: 401,
    Forbidden: 403,
    RateLimited: 429,
    Unavailable: 503,
}
_UNION_MEMBER = re.compile(r"^(str|int|float|bool|none|constrained-\w+|\w+(-\w+)*\[.*\])$")
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
}


class ErrorDetail(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    code: str = Field(description="not_found, conflict, invalid, too_large, unauthorized, ...")
    message: str
    field: str | None = Field(None, description="the field, parameter or header at fault")
    details: list[ErrorDetail] | None = Field(None, description="every invalid field (422)")
    retry_after: int | None = Field(None, description="seconds to wait (429, 503)")


class Error(BaseModel):
    """Every error the API answers: `{"error": {"code", "message", "field"?}}`."""

    error: ErrorBody


ERROR_STATUSES = {
    401: "No bearer token, or one that is unknown or revoked",
    403: "The token's role does not allow this",
    404: "An id or project that does not exist, or that the token cannot see",
    409: "Conflicts with the resource's state or with existing data",
    413: "The body, or a batch in it, is over its limit",
    422: "Invalid input: malformed or too deeply nested JSON, a field or parameter out of "
    "its bounds, a NUL or an unpaired surrogate in a string; `field` names it",
    429: "Over a per-token limit; wait Retry-After seconds",
}
# Every /api/v1 route: auth (401, 403, 429), the body and parameter checks (413, 422), and
# ids or projects the caller names (404). Writes may also conflict (409).
COMMON_ERRORS = (401, 403, 404, 413, 422, 429)
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route or router: each status with the Error schema."""
    return {s: {"model": Error, "description": ERROR_STATUSES[s]} for s in statuses}


def document_conflicts(openapi: dict[str, Any]) -> dict[str, Any]:
    """409 on every write under /api/v1 (any write can meet existing data); the other
    statuses are the API router's `responses=` (idempotent)."""
    conflict = {
        "description": ERROR_STATUSES[409],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    for path, operations in openapi.get("paths", {}).items():
        for method, operation in operations.items():
            if path.startswith("/api/") and method.upper() in WRITES:
                operation.setdefault("responses", {}).setdefault("409", conflict)
    return openapi


def error_response(
    status: int, code: str, message: str, field: str | None = None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if field:
        body["field"] = field
    body.update(extra)
    return JSONResponse({"error": body}, status_code=status)


@cache
def _model_names() -> frozenset[str]:
    """Names of every pydantic model: pydantic labels a model member of a union with it
    (`spec.augmentation.mixup.MixupSpec.alpha`)."""
    found, todo = set(), [BaseModel]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo += cls.__subclasses__()
    return frozenset(found)


def field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """('body', 'metrics', 3, 'value', 'float') -> 'metrics[3].value'."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    out: list[str] = []
    for i, part in enumerate(parts):
        if i and parts[i - 1] == "probe" and part in PROBE_KINDS:
            continue  # the discriminated union's tag (spec.probe.hessian.k): not sent
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif part == "[key]" and out:
            out.pop()  # a bad key: the field is the object that holds it (see _message)
        elif _UNION_MEMBER.match(str(part)) or str(part) in _model_names():
            continue  # pydantic's label for a union member: not a field the client sent
        else:
            out.append(f".{part}" if out else str(part))
    return "".join(out) or str(loc[0] if loc else "body")


def _message(error: dict[str, Any]) -> str:
    """pydantic's message, in the contract's words where it names a pattern of ours, and
    naming the key when a key is at fault."""
    loc = error.get("loc", ())
    if len(loc) >= 2 and loc[-1] == "[key]":
        return f"key {loc[-2]!r}: {_words(error)}"
    return _words(error)


def _words(error: dict[str, Any]) -> str:
    kind = error.get("type")
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern")
        if pattern == NO_NUL:
            return "must not contain NUL (\\u0000)"
        if pattern == NOT_BLANK:
            return "must have a character other than whitespace, and no NUL (\\u0000)"
    if kind == "value_error" and "error" in error.get("ctx", {}):
        return str(error["ctx"]["error"])  # our own ValueError, without "Value error, "
    if kind == "string_unicode":
        return "must be Unicode text: no unpaired surrogate (\\ud800-\\udfff)"
    return str(error["msg"])


def _unreadable(cause: BaseException) -> str:
    """Why a body FastAPI could not parse (its 400, raised from the cause) is malformed."""
    if isinstance(cause, RecursionError):
        return "malformed JSON: nested too deeply"
    if isinstance(cause, UnicodeDecodeError):
        return "malformed JSON: not UTF-8 text"
    return "malformed body: it could not be read"


def _deepest_under(first: dict[str, Any], errors: list[Any]) -> dict[str, Any]:
    """The error deepest inside the first one's field: for a value that fits no member of a
    union (free-form JSON), pydantic reports every member, and the member that got furthest
    names the culprit (`meta.k[1].x`, not `meta.k`)."""
    top = field_path(first["loc"])
    best, depth = first, len(first["loc"])
    for error in errors:
        path = field_path(error["loc"])
        inside = path == top or path.startswith((f"{top}.", f"{top}["))
        if inside and len(error["loc"]) > depth:
            best, depth = error, len(error["loc"])
    return best


def _allowed_methods(request: Request, starlettes: str) -> str:
    """Every method the OpenAPI document gives this request's path, with the ones Starlette
    named (those of the first route on the path only)."""
    table = getattr(request.app.state, "methods_by_path", None)
    if table is None:
        table = [
            (re.compile(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "$"), ops)
            for path, ops in request.app.openapi().get("paths", {}).items()
        ]
        request.app.state.methods_by_path = table
    methods = {m.strip() for m in starlettes.split(",") if m.strip()}
    for pattern, operations in table:
        if pattern.match(request.url.path):
            methods |= {method.upper() for method in operations}
    return ", ".join(sorted(methods))


def install(app: FastAPI) -> None:
    @app.exception_handler(FitdocError)
    async def _domain(_: Request, exc: FitdocError) -> JSONResponse:
        status = next((s for t, s in STATUS.items() if isinstance(exc, t)), 400)
        if isinstance(exc, (RateLimited, Unavailable)):
            response = error_response(
                status, exc.code, exc.message, exc.field, retry_after=exc.retry_after
            )
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        return error_response(status, exc.code, exc.message, exc.field)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {"loc": ("body",), "msg": "invalid request"}
        if first.get("type") == "json_invalid":
            return error_response(
                422,
                "invalid",
                f"malformed JSON: {first.get('ctx', {}).get('error', '')}".strip(),
                "body",
            )
        first = _deepest_under(first, errors)
        details = [{"field": field_path(e["loc"]), "message": _message(e)} for e in errors[:20]]
        return error_response(
            422, "invalid", _message(first), field_path(first["loc"]), details=details
        )

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 405:
            # Starlette names the methods of the first route on the path only
            allowed = _allowed_methods(request, (exc.headers or {}).get("Allow", ""))
            exc.headers = {**(exc.headers or {}), "Allow": allowed}
        if exc.status_code == 400 and exc.__cause__ is not None:
            # FastAPI's "error parsing the body" (JSON nested ~1,000 deep: RecursionError;
            # bytes that are not UTF-8): invalid input like any malformed JSON.
            return error_response(422, "invalid", _unreadable(exc.__cause__), "body")
        code = HTTP_CODES.get(exc.status_code, "error")
        response = error_response(exc.status_code, code, str(exc.detail))
        response.headers.update(exc.headers or {})  # 405's Allow
        return response

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return error_response(500, "internal", "internal server error")
