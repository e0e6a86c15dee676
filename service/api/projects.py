from __future__ import annotations

from fastapi import APIRouter

from service.api.deps import PagingDep, TrackingDep
from service.schemas import Page, Project, ProjectCreate

router = APIRouter(prefix="/projects", tags=["projects"])


@router.post("", status_code=201)
def create_project(body: ProjectCreate, tracking: TrackingDep) -> Project:
    return tracking.create_project(body)


@router.get("")
def list_projects(tracking: TrackingDep, paging: PagingDep) -> Page[Project]:
    return tracking.list_projects(paging.limit, paging.cursor)
