"""Typed dependencies (the FastAPI template's deps.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import anyio
from fastapi import Depends, Query, Request

from service.access import Principal, role_for_method
from service.schemas import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Job, Role, Run
from service.settings import Settings
from service.store import DiagnosisStore, JobStore, Stores, TokenStore, TrackingStore

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


async def get_tokens(request: Request) -> TokenStore:
    return request.app.state.stores.tokens


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


StoresDep = Annotated[Stores, Depends(get_stores)]
TrackingDep = Annotated[TrackingStore, Depends(get_tracking)]
JobsDep = Annotated[JobStore, Depends(get_jobs)]
DiagnosesDep = Annotated[DiagnosisStore, Depends(get_diagnoses)]
TokensDep = Annotated[TokenStore, Depends(get_tokens)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_principal(request: Request) -> Principal:
    """The caller, as service/api/auth.py's middleware resolved it from the token."""
    return request.state.principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def authorize(request: Request, principal: PrincipalDep) -> None:
    """The role the request's method needs (GET: read; POST, PATCH: write; DELETE: admin):
    403 without it. Every /api/v1 route has this check; a route that needs more adds
    `need(Role.admin)`."""
    principal.require(role_for_method(request.method))


def need(role: Role):  # type: ignore[no-untyped-def]
    async def check(principal: PrincipalDep) -> None:
        principal.require(role)

    return Depends(check)


def get_run(run_id: str, tracking: TrackingDep, principal: PrincipalDep) -> Run:
    """The run named in the path, or 404 (also for a run of a project the caller cannot
    see)."""
    run = tracking.get_run(run_id)
    principal.check(run.project, "run", run_id)
    return run


RunDep = Annotated[Run, Depends(get_run)]


async def get_run_id(run_id: str, tracking: TrackingDep, principal: PrincipalDep) -> str:
    """The run id in the path, checked only for a caller bound to a project (404 for
    another project's run): the ingest path pays no lookup, nor a thread hop, otherwise."""
    if principal.project_id is not None:
        project = tracking.known_project_of_run(run_id) or await anyio.to_thread.run_sync(
            tracking.project_of_run, run_id
        )
        principal.check(project, "run", run_id)
    return run_id


RunIdDep = Annotated[str, Depends(get_run_id)]


def get_job(job_id: str, jobs: JobsDep, principal: PrincipalDep) -> Job:
    """The job named in the path, or 404 (also for a job of a project the caller cannot
    see)."""
    job = jobs.get_job(job_id)
    principal.check(job.project, "job", job_id)
    return job


JobDep = Annotated[Job, Depends(get_job)]


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
