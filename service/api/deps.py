"""Typed dependencies (the FastAPI template's deps.py)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Query, Request

from service.errors import Unauthorized
from service.schemas import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Run
from service.settings import Settings
from service.store import DiagnosisStore, JobStore, Stores, TrackingStore

# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency in its
# threadpool, and each such hop cost about a millisecond per request on the 2-core VM.


async def get_stores(request: Request) -> Stores:
    return request.app.state.stores


async def get_tracking(request: Request) -> TrackingStore:
    return request.app.state.stores.tracking


async def get_jobs(request: Request) -> JobStore:
    return request.app.state.stores.jobs


async def get_diagnoses(request: Request) -> DiagnosisStore:
    return request.app.state.stores.diagnoses


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


StoresDep = Annotated[Stores, Depends(get_stores)]
TrackingDep = Annotated[TrackingStore, Depends(get_tracking)]
JobsDep = Annotated[JobStore, Depends(get_jobs)]
DiagnosesDep = Annotated[DiagnosisStore, Depends(get_diagnoses)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_run(run_id: str, tracking: TrackingDep) -> Run:
    """The run named in the path, or 404."""
    return tracking.get_run(run_id)


RunDep = Annotated[Run, Depends(get_run)]


@dataclass(frozen=True)
class Paging:
    """`?limit=&cursor=` of every list endpoint: newest first, `next_cursor` for the next."""

    limit: int
    cursor: str | None


async def get_paging(
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: str | None = None,
) -> Paging:
    return Paging(limit, cursor)


PagingDep = Annotated[Paging, Depends(get_paging)]


async def require_token(
    settings: SettingsDep, authorization: Annotated[str | None, Header()] = None
) -> None:
    if not settings.api_token:
        return
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(token, settings.api_token):
        raise Unauthorized("missing or wrong bearer token", field="authorization")
