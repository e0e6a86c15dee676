"""Typed dependencies (the FastAPI template's deps.py)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Header, Request

from service.errors import Unauthorized
from service.schemas import Run
from service.settings import Settings
from service.store.store import Store

# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency in its
# threadpool, and each such hop cost about a millisecond per request on the 2-core VM.


async def get_store(request: Request) -> Store:
    return request.app.state.store


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_run(run_id: str, store: StoreDep) -> Run:
    """The run named in the path, or 404."""
    return store.get_run(run_id)


RunDep = Annotated[Run, Depends(get_run)]


async def require_token(
    settings: SettingsDep, authorization: Annotated[str | None, Header()] = None
) -> None:
    if not settings.api_token:
        return
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(token, settings.api_token):
        raise Unauthorized("missing or wrong bearer token", field="authorization")
