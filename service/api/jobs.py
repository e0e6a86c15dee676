from __future__ import annotations

from typing import Annotated

from celery import Celery
from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse

from service.api.deps import SettingsDep, StoreDep
from service.jobs import checkpoint_file, submit_job
from service.schemas import Job, JobCreate

router = APIRouter(prefix="/jobs", tags=["jobs"])


async def get_queue(request: Request) -> Celery:
    return request.app.state.queue


QueueDep = Annotated[Celery, Depends(get_queue)]


@router.post("", status_code=202)
def create_job(body: JobCreate, store: StoreDep, queue: QueueDep, settings: SettingsDep) -> Job:
    return submit_job(store, queue, body, settings)


@router.get("/{job_id}")
def read_job(job_id: str, store: StoreDep) -> Job:
    return store.get_job(job_id)


@router.post("/{job_id}/cancel", status_code=202)
def cancel_job(job_id: str, store: StoreDep) -> Job:
    return store.request_cancel(job_id)


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
def read_checkpoint(job_id: str, store: StoreDep, settings: SettingsDep) -> FileResponse:
    path = checkpoint_file(store, settings, job_id)
    return FileResponse(path, media_type="application/octet-stream", filename=f"{job_id}.pt")
