"""MLflow's REST API (the subset its tracking client, Lightning and Hugging Face use), in
MLflow's contract rather than fitdoc's: its paths, JSON and errors (`{"error_code",
"message"}`, with MLflow's status for each code). Mounted under /api/2.0/mlflow and
/ajax-api/2.0/mlflow (MLflow's UI path), the artifacts under .../mlflow-artifacts; not in
fitdoc's OpenAPI document (service/mlflow says what maps to what).

Roles: reading and searching need `read` (MLflow searches are POSTs), logging, creating,
ending and deleting runs need `write`, deleting, restoring and renaming an experiment
(a whole project) needs `admin`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from service.api.deps import PrincipalDep, SettingsDep, StoresDep, need
from service.api.errors import field_path
from service.api.inputs import storable
from service.errors import FitdocError
from service.mlflow import artifacts
from service.mlflow import tracking as mlflow
from service.mlflow.errors import (
    BAD_REQUEST,
    ENDPOINT_NOT_FOUND,
    INVALID_PARAMETER_VALUE,
    MlflowError,
    as_mlflow,
)
from service.mlflow.messages import (
    CreateExperiment,
    CreateRun,
    DeleteTag,
    ExperimentRef,
    LogBatch,
    LogMetric,
    LogParam,
    RunRef,
    SearchExperiments,
    SearchRuns,
    SetExperimentTag,
    SetTag,
    UpdateExperiment,
    UpdateRun,
)
from service.schemas import Role

log = logging.getLogger("fitdoc.api")

PREFIXES = ("/api/2.0", "/ajax-api/2.0")
MLFLOW_PATHS = tuple(f"{prefix}/mlflow" for prefix in PREFIXES)  # and .../mlflow-artifacts

# MLflow's status of each error code (mlflow/exceptions.py ERROR_CODE_TO_HTTP_STATUS).
STATUS = {
    "RESOURCE_DOES_NOT_EXIST": 404,
    "ENDPOINT_NOT_FOUND": 404,
    "INVALID_PARAMETER_VALUE": 400,
    "RESOURCE_ALREADY_EXISTS": 400,
    "BAD_REQUEST": 400,
    "PERMISSION_DENIED": 403,
    "UNAUTHENTICATED": 401,
    "REQUEST_LIMIT_EXCEEDED": 429,
    "TEMPORARILY_UNAVAILABLE": 503,
    "INTERNAL_ERROR": 500,
}


def is_mlflow(path: str) -> bool:
    """Whether `path` is one of MLflow's (answered in its format, errors included)."""
    return path.startswith(MLFLOW_PATHS)


def mlflow_error(code: str, message: str, status: int | None = None) -> JSONResponse:
    return JSONResponse({"error_code": code, "message": message},
                        status_code=status or STATUS.get(code, 500))


class MlflowRoute(APIRoute):
    """A route whose every error, its dependencies' too, is answered in MLflow's format."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            for name, value in [*request.path_params.items(),
                                *request.query_params.multi_items()]:
                if isinstance(value, str) and not storable(value):
                    return mlflow_error(INVALID_PARAMETER_VALUE,
                                        f"Invalid value for parameter '{name}': no NUL and no "
                                        "unpaired surrogate")
            try:
                return await handler(request)
            except FitdocError as exc:
                error = as_mlflow(exc)
                response = mlflow_error(error.error_code, error.message)
                retry_after = getattr(exc, "retry_after", None)
                if retry_after:
                    response.headers["Retry-After"] = str(retry_after)
                return response
            except RequestValidationError as exc:
                first = (exc.errors() or [{"loc": ("body",), "msg": "invalid request"}])[0]
                return mlflow_error(
                    INVALID_PARAMETER_VALUE,
                    f"Invalid value for parameter '{field_path(first['loc'])}': {first['msg']}",
                )
            except HTTPException as exc:  # a body FastAPI could not read
                return mlflow_error(BAD_REQUEST, f"malformed request: {exc.detail}")

        return route


read = [need(Role.read)]
write = [need(Role.write)]
admin = [need(Role.admin)]
router = APIRouter(prefix="/mlflow", route_class=MlflowRoute, include_in_schema=False)


# --- experiments -------------------------------------------------------------------------


@router.get("/experiments/get-by-name", dependencies=read)
def get_experiment_by_name(
    stores: StoresDep, principal: PrincipalDep, experiment_name: str | None = None
) -> JSONResponse:
    return JSONResponse(mlflow.get_experiment_by_name(stores, principal, experiment_name))


@router.get("/experiments/get", dependencies=read)
def get_experiment(
    stores: StoresDep, principal: PrincipalDep, experiment_id: str | None = None
) -> JSONResponse:
    return JSONResponse(mlflow.get_experiment(stores, principal, experiment_id))


@router.post("/experiments/create", dependencies=write)
def create_experiment(
    body: CreateExperiment, stores: StoresDep, principal: PrincipalDep
) -> JSONResponse:
    return JSONResponse(mlflow.create_experiment(stores, principal, body))


@router.post("/experiments/search", dependencies=read)
def search_experiments_post(
    body: SearchExperiments, stores: StoresDep, principal: PrincipalDep
) -> JSONResponse:
    return JSONResponse(mlflow.search_experiments(stores, principal, body))


@router.get("/experiments/search", dependencies=read)
def search_experiments_get(
    stores: StoresDep,
    principal: PrincipalDep,
    max_results: int | None = None,
    page_token: str | None = None,
    filter: str | None = None,
    order_by: Annotated[list[str] | None, Query()] = None,
    view_type: str | None = None,
) -> JSONResponse:
    body = SearchExperiments(max_results=max_results, page_token=page_token, filter=filter,
                             order_by=order_by or [], view_type=view_type)
    return JSONResponse(mlflow.search_experiments(stores, principal, body))


@router.post("/experiments/update", dependencies=admin)
def update_experiment(
    body: UpdateExperiment, stores: StoresDep, principal: PrincipalDep
) -> JSONResponse:
    return JSONResponse(mlflow.update_experiment(stores, principal, body))


@router.post("/experiments/set-experiment-tag", dependencies=write)
def set_experiment_tag(
    body: SetExperimentTag, stores: StoresDep, principal: PrincipalDep
) -> JSONResponse:
    return JSONResponse(mlflow.set_experiment_tag(stores, principal, body))


@router.post("/experiments/delete", dependencies=admin)
def delete_experiment(
    body: ExperimentRef, stores: StoresDep, principal: PrincipalDep
) -> JSONResponse:
    return JSONResponse(mlflow.set_experiment_deleted(stores, principal, body, deleted=True))


@router.post("/experiments/restore", dependencies=admin)
def restore_experiment(
    body: ExperimentRef, stores: StoresDep, principal: PrincipalDep
) -> JSONResponse:
    return JSONResponse(mlflow.set_experiment_deleted(stores, principal, body, deleted=False))


# --- runs --------------------------------------------------------------------------------


@router.post("/runs/create", dependencies=write)
def create_run(body: CreateRun, stores: StoresDep, principal: PrincipalDep) -> JSONResponse:
    return JSONResponse(mlflow.create_run(stores, principal, body))


@router.get("/runs/get", dependencies=read)
def get_run(
    stores: StoresDep,
    principal: PrincipalDep,
    run_id: str | None = None,
    run_uuid: str | None = None,
) -> JSONResponse:
    return JSONResponse(mlflow.get_run(stores, principal, run_id or run_uuid))


@router.post("/runs/update", dependencies=write)
def update_run(body: UpdateRun, stores: StoresDep, principal: PrincipalDep) -> JSONResponse:
    return JSONResponse(mlflow.update_run(stores, principal, body))


@router.post("/runs/delete", dependencies=write)
def delete_run(body: RunRef, stores: StoresDep, principal: PrincipalDep) -> JSONResponse:
    return JSONResponse(mlflow.set_run_deleted(stores, principal, body, deleted=True))


@router.post("/runs/restore", dependencies=write)
def restore_run(body: RunRef, stores: StoresDep, principal: PrincipalDep) -> JSONResponse:
    return JSONResponse(mlflow.set_run_deleted(stores, principal, body, deleted=False))


@router.post("/runs/log-batch", dependencies=write)
async def log_batch(request: Request, stores: StoresDep, principal: PrincipalDep) -> JSONResponse:
    # The stock client's hot path (1,000 metrics a call): the body is parsed from its bytes
    # by pydantic's own JSON parser, not json.loads and then a validation of the dicts.
    try:
        body = LogBatch.model_validate_json(await request.body())
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc
    return JSONResponse(await anyio.to_thread.run_sync(mlflow.log_batch, stores, principal, body))


@router.post("/runs/log-metric", dependencies=write)
def log_metric(body: LogMetric, stores: StoresDep, principal: PrincipalDep) -> JSONResponse:
    return JSONResponse(mlflow.log_metric(stores, principal, body))


@router.post("/runs/log-parameter", dependencies=write)
def log_param(body: LogParam, stores: StoresDep, principal: PrincipalDep) -> JSONResponse:
    return JSONResponse(mlflow.log_param(stores, principal, body))


@router.post("/runs/set-tag", dependencies=write)
def set_tag(body: SetTag, stores: StoresDep, principal: PrincipalDep) -> JSONResponse:
    return JSONResponse(mlflow.set_tag(stores, principal, body))


@router.post("/runs/delete-tag", dependencies=write)
def delete_tag(body: DeleteTag, stores: StoresDep, principal: PrincipalDep) -> JSONResponse:
    return JSONResponse(mlflow.delete_tag(stores, principal, body))


@router.post("/runs/search", dependencies=read)
def search_runs(body: SearchRuns, stores: StoresDep, principal: PrincipalDep) -> JSONResponse:
    return JSONResponse(mlflow.search_runs(stores, principal, body))


@router.post("/logged-models/search", dependencies=read)
def search_logged_models() -> JSONResponse:
    """fitdoc keeps no logged models (MLflow 3's models): none match. The client asks when
    it lists a run's artifacts under a folder (a model may have that name)."""
    return JSONResponse({"models": []})


# --- metric histories --------------------------------------------------------------------


@router.get("/metrics/get-history", dependencies=read)
def get_history(
    stores: StoresDep,
    principal: PrincipalDep,
    run_id: str | None = None,
    run_uuid: str | None = None,
    metric_key: str | None = None,
    max_results: int | None = None,
    page_token: str | None = None,
) -> JSONResponse:
    return JSONResponse(mlflow.get_history(
        stores, principal, run_id or run_uuid, metric_key, max_results, page_token
    ))


@router.get("/metrics/get-history-bulk-interval", dependencies=read)
def get_history_bulk_interval(
    stores: StoresDep,
    principal: PrincipalDep,
    run_ids: Annotated[list[str] | None, Query()] = None,
    metric_key: str | None = None,
    start_step: int | None = None,
    end_step: int | None = None,
    max_results: int | None = None,
) -> JSONResponse:
    return JSONResponse(mlflow.get_history_bulk_interval(
        stores, principal, run_ids or [], metric_key, start_step, end_step, max_results
    ))


# --- artifacts (mlflow-artifacts) --------------------------------------------------------

artifacts_router = APIRouter(
    prefix="/mlflow-artifacts/artifacts", route_class=MlflowRoute, include_in_schema=False
)


@artifacts_router.get("", dependencies=read)
def list_artifacts(
    stores: StoresDep, principal: PrincipalDep, settings: SettingsDep, path: str = ""
) -> JSONResponse:
    target = artifacts.locate(stores, principal, settings.data_dir, path)
    return JSONResponse(artifacts.listing(target))


@artifacts_router.get("/{path:path}", dependencies=read)
def download_artifact(
    path: str, stores: StoresDep, principal: PrincipalDep, settings: SettingsDep
) -> FileResponse:
    target = artifacts.locate(stores, principal, settings.data_dir, path)
    return FileResponse(artifacts.readable(target))


@artifacts_router.put("/{path:path}", dependencies=write)
async def upload_artifact(
    path: str, request: Request, stores: StoresDep, principal: PrincipalDep,
    settings: SettingsDep,
) -> JSONResponse:
    target = await anyio.to_thread.run_sync(
        artifacts.locate, stores, principal, settings.data_dir, path
    )
    await artifacts.save(target, request.stream(), settings.max_upload_bytes)
    return JSONResponse({})


# --- anything else under the prefixes ----------------------------------------------------

fallback = APIRouter(route_class=MlflowRoute, include_in_schema=False)


@fallback.api_route(
    "/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
)
def not_implemented(path: str, request: Request) -> JSONResponse:
    raise MlflowError(
        ENDPOINT_NOT_FOUND,
        f"fitdoc does not implement {request.method} {request.url.path} of MLflow's API "
        "(docs/ARCHITECTURE.md, 'MLflow compatibility')",
    )


def install(app: Any) -> None:
    """MLflow's routes under each of its prefixes (the artifacts' and the fallback's last,
    so that they take only what the others do not)."""
    for prefix in PREFIXES:
        app.include_router(router, prefix=prefix)
        app.include_router(artifacts_router, prefix=prefix)
        app.include_router(fallback, prefix=f"{prefix}/mlflow")
        app.include_router(fallback, prefix=f"{prefix}/mlflow-artifacts")
