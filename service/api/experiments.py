from __future__ import annotations

from fastapi import APIRouter

from service import experiments as run
from service.api.deps import PagingDep, PrincipalDep, SettingsDep, StoresDep
from service.api.jobs import QueueDep
from service.experiments import KINDS
from service.schemas import Experiment, ExperimentCreate, Page

router = APIRouter(prefix="/experiments", tags=["experiments"])


@router.post("", status_code=202)
def create_experiment(
    body: ExperimentCreate,
    stores: StoresDep,
    queue: QueueDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> Experiment:
    """Run one of the lecture's experiments on `spec`: its jobs are ordinary jobs (runs
    with curves, on any worker); `result` and `verdict` come when they have ended."""
    principal.check(body.project, "project", body.project, "project")
    return run.start(stores, queue, settings, body, created_by=principal.token_id)


@router.get("")
def list_experiments(
    stores: StoresDep, paging: PagingDep, principal: PrincipalDep, project: str | None = None
) -> Page[Experiment]:
    project = principal.scope(project)
    project_id = stores.tracking.get_project(project).id if project is not None else None
    return stores.experiments.list(paging.limit, paging.cursor, project_id=project_id)


@router.get("/kinds")
def list_kinds() -> dict[str, str]:
    """Each kind and the question it answers."""
    return {name: kind.summary for name, kind in KINDS.items()}


def _visible(stores: StoresDep, principal: PrincipalDep, experiment_id: str) -> Experiment:
    experiment = stores.experiments.get(experiment_id)
    principal.check(experiment.project, "experiment", experiment_id)
    return experiment


@router.get("/{experiment_id}")
def read_experiment(experiment_id: str, stores: StoresDep, principal: PrincipalDep
                    ) -> Experiment:
    return _visible(stores, principal, experiment_id)


@router.post("/{experiment_id}/cancel", status_code=202)
def cancel_experiment(
    experiment_id: str,
    stores: StoresDep,
    queue: QueueDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> Experiment:
    _visible(stores, principal, experiment_id)
    return run.cancel(stores, queue, settings, experiment_id)
