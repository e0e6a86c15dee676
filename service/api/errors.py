"""The one place where errors become HTTP: `{"error": {"code", "message", "field"?}}`."""

from __future__ import annotations

import logging
import re
from functools import cache
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

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
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _UNION_MEMBER.match(str(part)) or str(part) in _model_names():
            continue  # pydantic's label for a union member: not a field the client sent
        else:
            out += f".{part}" if out else str(part)
    return out or str(loc[0] if loc else "body")


def install(app: FastAPI) -> None:
    @app.exception_handler(FitdocError)
    async def _domain(_: Request, exc: FitdocError) -> JSONResponse:
        status = next((s for t, s in STATUS.items() if isinstance(exc, t)), 400)
        if isinstance(exc, RateLimited):
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
        details = [{"field": field_path(e["loc"]), "message": e["msg"]} for e in errors[:20]]
        return error_response(
            422, "invalid", first["msg"], field_path(first["loc"]), details=details
        )

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        code = HTTP_CODES.get(exc.status_code, "error")
        return error_response(exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return error_response(500, "internal", "internal server error")
