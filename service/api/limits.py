"""The request-body size guard: 413 in the contract's error format.

Starlette's own RequestBodyLimitMiddleware answers a declared oversize body with plain
text, which breaks the `{"error": ...}` contract, hence this small ASGI wrapper.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.errors import error_response
from service.api.mlflow import is_mlflow, mlflow_error


class _TooLargeBody(Exception):
    pass


class BodyLimit:
    """413 for a body over `max_bytes`, by Content-Length or while it streams in. `larger`:
    the paths whose POST bodies may be larger (a dataset upload), and their limit;
    `larger_puts`: the path prefixes whose PUT bodies may be larger (MLflow's artifact
    uploads), and their limit."""

    def __init__(self, app: ASGIApp, max_bytes: int,
                 larger: Mapping[str, int] | None = None,
                 larger_puts: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = dict(larger or {})
        self.larger_puts = dict(larger_puts or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        if scope["method"] == "POST":
            limit = self.larger.get(scope["path"].rstrip("/"), limit)
        elif scope["method"] == "PUT":
            path = scope["path"]
            limit = next((n for p, n in self.larger_puts.items() if path.startswith(p)), limit)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._reject(scope, receive, send, limit)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLargeBody
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _TooLargeBody:
            await self._reject(scope, receive, send, limit)

    async def _reject(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        why = f"request body is over {limit} bytes"
        if is_mlflow(scope["path"]):  # MLflow's format (its status: no retry by its client)
            response = mlflow_error("INVALID_PARAMETER_VALUE", why, status=413)
        else:
            response = error_response(413, "too_large", why, "body")
        await response(scope, receive, send)
