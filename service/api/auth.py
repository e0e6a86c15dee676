"""Authentication and per-caller limits, before a route is chosen or a body is read.

`Authenticate` is an ASGI middleware over the API's paths: it resolves the bearer token to a
`Principal` (the bootstrap FITDOC_API_TOKEN: admin of every project; a token made with
`fitdoc token create`: its role and project) or answers 401 without reading the body, then
counts the request against the caller's per-minute limit (429 with Retry-After). With no
FITDOC_API_TOKEN (loopback binds only, service/settings.py) auth is off and everyone is
admin. The role a route needs and the project it belongs to are checked by the
dependencies in service/api/deps.py.
"""

from __future__ import annotations

import logging
import math
import secrets
import time

import anyio
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from starlette.types import ASGIApp, Receive, Scope, Send

from service.access import Principal, everyone
from service.api.errors import error_response
from service.api.mlflow import is_mlflow, mlflow_error
from service.settings import Settings
from service.store import TokenStore

log = logging.getLogger("fitdoc.api")

# Paths behind authentication; /health, /docs and the OpenAPI document stay open.
# /ajax-api/ is MLflow's API under the path its UI uses (service/api/mlflow.py).
PROTECTED = ("/api/", "/ajax-api/")


def limit_storage(settings: Settings) -> Storage:
    """Counts shared by every API process when the broker is Redis, else this process's."""
    url = settings.resolved_broker_url()
    if url.startswith(("redis://", "rediss://")):
        return storage_from_string(url, socket_connect_timeout=1, socket_timeout=1)
    return MemoryStorage()


class Authenticate:
    def __init__(self, app: ASGIApp, settings: Settings, tokens: TokenStore) -> None:
        self.app = app
        self.bootstrap = settings.api_token
        self.tokens = tokens
        storage = limit_storage(settings)
        self.remote = not isinstance(storage, MemoryStorage)
        self.limiter = FixedWindowRateLimiter(storage)
        self.limit = RateLimitItemPerMinute(
            settings.requests_per_minute, namespace=f"fitdoc:{settings.queue}:requests"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PROTECTED):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("", 0))[0]
        token = _bearer(scope)
        if self.bootstrap and token is None:
            await _refuse(scope, receive, send, "missing bearer token")
            return
        known = self._known(token, client)
        if self.remote or known is None:
            # A token's lookup and a shared counter are I/O: off the event loop.
            admitted = await anyio.to_thread.run_sync(self._admit, token, client, known)
        else:
            admitted = self._admit(token, client, known)
        if admitted is None:
            await _refuse(scope, receive, send, "unknown or revoked token")
            return
        principal, retry_after = admitted
        if retry_after:
            why = f"over {self.limit.amount} requests a minute for this " + (
                "token" if principal.token_id else "client"
            )
            if is_mlflow(scope["path"]):  # in MLflow's words for its client
                response = mlflow_error("REQUEST_LIMIT_EXCEEDED", why)
            else:
                response = error_response(
                    429, "rate_limited", why, "authorization", retry_after=retry_after
                )
            response.headers["Retry-After"] = str(retry_after)
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)

    def _known(self, token: str | None, client: str) -> Principal | None:
        """The caller, when it is known without I/O: anyone with auth off, the bootstrap
        token, a token looked up a moment ago; else None."""
        if not self.bootstrap or _same(token, self.bootstrap):
            return everyone(client)
        return self.tokens.remembered(token or "", client)

    def _admit(
        self, token: str | None, client: str, principal: Principal | None
    ) -> tuple[Principal, int] | None:
        """The caller and 0, or the seconds to wait when over its limit; None for a token
        that is neither the bootstrap one nor a live one."""
        if principal is None:
            principal = self.tokens.authenticate(token or "", client)
            if principal is None:
                return None
        try:
            if self.limiter.hit(self.limit, principal.limit_key):
                return principal, 0
            reset = self.limiter.get_window_stats(self.limit, principal.limit_key).reset_time
        except Exception as exc:  # a broker blip must not stop the API: count nothing
            log.warning("request limit not counted: %s", exc)
            return principal, 0
        return principal, max(1, math.ceil(reset - time.time()))


def _bearer(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" and token.strip() else None
    return None


def _same(token: str | None, expected: str) -> bool:
    return token is not None and secrets.compare_digest(
        token.encode("utf-8", "surrogatepass"), expected.encode()
    )


async def _refuse(scope: Scope, receive: Receive, send: Send, why: str) -> None:
    if is_mlflow(scope["path"]):  # in MLflow's words for its client
        response = mlflow_error("UNAUTHENTICATED", why)
    else:
        response = error_response(401, "unauthorized", why, "authorization")
    response.headers["WWW-Authenticate"] = "Bearer"
    await response(scope, receive, send)
