from __future__ import annotations

from fastapi import APIRouter

from service.api.deps import PagingDep, PrincipalDep, TrackingDep
from service.schemas import Page, Project, ProjectCreate

router = APIRouter(prefix="/projects", tags=["projects"])


@router.post("", status_code=201)
def create_project(body: ProjectCreate, tracking: TrackingDep, principal: PrincipalDep) -> Project:
    principal.check(body.name, "project", body.name)
    return tracking.create_project(body)


@router.get("")
def list_projects(
    tracking: TrackingDep, paging: PagingDep, principal: PrincipalDep
) -> Page[Project]:
    """Every project, or the caller's one when its token is bound to a project."""
    if principal.project_id is not None:
        return Page(items=[tracking.get_project(principal.project_id)])
    return tracking.list_projects(paging.limit, paging.cursor)
