from __future__ import annotations

from fastapi import APIRouter

from service.api.deps import (
    PagingDep,
    PrincipalDep,
    RunDep,
    RunIdDep,
    TrackingDep,
)
from service.schemas import (
    DiagnosisStatus,
    Page,
    Run,
    RunCreate,
    RunPatch,
    RunStatus,
)

router = APIRouter(prefix="/runs", tags=["runs"])


@router.post("", status_code=201)
def create_run(body: RunCreate, tracking: TrackingDep, principal: PrincipalDep) -> Run:
    principal.check(body.project, "project", body.project, "project")
    return tracking.create_run(body, created_by=principal.token_id)


@router.get("")
def list_runs(
    tracking: TrackingDep,
    paging: PagingDep,
    principal: PrincipalDep,
    project: str | None = None,
    status: RunStatus | None = None,
    diagnosis: DiagnosisStatus | None = None,
) -> Page[Run]:
    # Diagnoses are stored when runs change (diagnosis on write): the filter only reads.
    project = principal.scope(project)
    return tracking.list_runs(
        paging.limit,
        paging.cursor,
        project=project,
        status=status,
        diagnosis=diagnosis.value if diagnosis else None,
    )


@router.get("/{run_id}")
def read_run(run: RunDep) -> Run:
    return run


@router.patch("/{run_id}")
def update_run(run_id: RunIdDep, body: RunPatch, tracking: TrackingDep) -> Run:
    return tracking.patch_run(run_id, body)
