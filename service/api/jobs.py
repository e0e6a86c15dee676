from __future__ import annotations

from typing import Annotated

from celery import Celery
from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse

from service.api.deps import (
    JobDep,
    JobsDep,
    PagingDep,
    PrincipalDep,
    SettingsDep,
    StoresDep,
)
from service.jobs import checkpoint_file, submit_job
from service.repair import follow_up, lineage
from service.schemas import FollowUpCreate, Job, JobCreate, JobStatus, Lineage, Page

router = APIRouter(prefix="/jobs", tags=["jobs"])


async def get_queue(request: Request) -> Celery:
    return request.app.state.queue


QueueDep = Annotated[Celery, Depends(get_queue)]


@router.post("", status_code=202)
def create_job(
    body: JobCreate,
    stores: StoresDep,
    queue: QueueDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> Job:
    principal.check(body.project, "project", body.project, "project")
    return submit_job(
        stores.jobs,
        queue,
        body,
        settings,
        created_by=principal.token_id,
        datasets=stores.datasets,
    )


@router.get("")
def list_jobs(
    jobs: JobsDep,
    paging: PagingDep,
    principal: PrincipalDep,
    project: str | None = None,
    status: JobStatus | None = None,
) -> Page[Job]:
    """Jobs, newest first: of a project (its id or name) and in a status when given."""
    return jobs.list_jobs(paging.limit, paging.cursor, project=principal.scope(project),
                          status=status)


@router.get("/{job_id}")
def read_job(job: JobDep) -> Job:
    return job


@router.post("/{job_id}/cancel", status_code=202)
def cancel_job(job: JobDep, jobs: JobsDep) -> Job:
    return jobs.request_cancel(job.id)


@router.post("/{job_id}/follow-up", status_code=202)
def create_follow_up(
    job: JobDep,
    body: FollowUpCreate,
    stores: StoresDep,
    queue: QueueDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> Job:
    """A new job: this ended job's spec with one of its run's suggestions (by index) or a
    patch applied."""
    return follow_up(stores, queue, settings, job.id, body, created_by=principal.token_id)


@router.get("/{job_id}/lineage")
def read_lineage(job: JobDep, stores: StoresDep) -> Lineage:
    """The chain of follow-ups this job belongs to, and where its repair stands."""
    return lineage(stores, job.id)


@router.get(
    "/{job_id}/checkpoint",
    response_class=FileResponse,
    responses={
        200: {
            "content": {"application/octet-stream": {}},
            "description": "the job's model: a torch.save file with its last and "
            "best weights (load with workers.training.load_model)",
        }
    },
)
def read_checkpoint(job: JobDep, jobs: JobsDep, settings: SettingsDep) -> FileResponse:
    path = checkpoint_file(jobs, settings, job.id)
    return FileResponse(path, media_type="application/octet-stream", filename=f"{job.id}.pt")
