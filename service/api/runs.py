from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.api.deps import DiagnosesDep, RunDep, TrackingDep
from service.diagnosis import refresh_stale_diagnoses
from service.schemas import (
    PAGE_LIMIT_DEFAULT,
    PAGE_LIMIT_MAX,
    DiagnosisStatus,
    Page,
    Run,
    RunCreate,
    RunPatch,
    RunStatus,
)

router = APIRouter(prefix="/runs", tags=["runs"])


@router.post("", status_code=201)
def create_run(body: RunCreate, tracking: TrackingDep) -> Run:
    return tracking.create_run(body)


@router.get("")
def list_runs(
    tracking: TrackingDep,
    diagnoses: DiagnosesDep,
    project: str | None = None,
    status: RunStatus | None = None,
    diagnosis: DiagnosisStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: str | None = None,
) -> Page[Run]:
    if diagnosis is not None:
        refresh_stale_diagnoses(diagnoses, project)
    return tracking.list_runs(
        limit,
        cursor,
        project=project,
        status=status,
        diagnosis=diagnosis.value if diagnosis else None,
    )


@router.get("/{run_id}")
def read_run(run: RunDep) -> Run:
    return run


@router.patch("/{run_id}")
def update_run(run_id: str, body: RunPatch, tracking: TrackingDep) -> Run:
    return tracking.patch_run(run_id, body)
