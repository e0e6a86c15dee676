"""The request-body size guard: 413 in the contract's error format.

Starlette's own RequestBodyLimitMiddleware answers a declared oversize body with plain
text, which breaks the `{"error": ...}` contract, hence this small ASGI wrapper.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.errors import error_response


class _TooLargeBody(Exception):
    pass


class BodyLimit:
    """413 for a body over `max_bytes`, by Content-Length or while it streams in."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(scope, receive, send)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLargeBody
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _TooLargeBody:
            await self._reject(scope, receive, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            413, "too_large", f"request body is over {self.max_bytes} bytes", "body"
        )
        await response(scope, receive, send)
