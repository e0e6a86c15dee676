"""The request-body size guard: 413 in the contract's error format.

Starlette's own RequestBodyLimitMiddleware answers a declared oversize body with plain
text, which breaks the `{"error": ...}` contract, hence this small ASGI wrapper.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.errors import error_response


class _TooLargeBody(Exception):
    pass


class BodyLimit:
    """413 for a body over `max_bytes`, by Content-Length or while it streams in. `larger`:
    the paths whose POST bodies may be larger (a dataset upload), and their limit."""

    def __init__(self, app: ASGIApp, max_bytes: int,
                 larger: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = dict(larger or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        if scope["method"] == "POST":
            limit = self.larger.get(scope["path"].rstrip("/"), limit)
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
        response = error_response(
            413, "too_large", f"request body is over {limit} bytes", "body"
        )
        await response(scope, receive, send)
