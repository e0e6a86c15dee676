from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.api.deps import TrackingDep
from service.schemas import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Page, Project, ProjectCreate

router = APIRouter(prefix="/projects", tags=["projects"])


@router.post("", status_code=201)
def create_project(body: ProjectCreate, tracking: TrackingDep) -> Project:
    return tracking.create_project(body)


@router.get("")
def list_projects(
    tracking: TrackingDep,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: str | None = None,
) -> Page[Project]:
    return tracking.list_projects(limit, cursor)
