"""The FastAPI application: routers, error handlers, the request-size guard."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi_offline import FastAPIOffline

from service import __version__
from service.api import (
    datasets,
    diagnosis,
    errors,
    events,
    experiments,
    health,
    inputs,
    jobs,
    metrics,
    mlflow,
    projects,
    runs,
    tokens,
    web,
    webhooks,
)
from service.api.auth import Authenticate
from service.api.deps import authorize
from service.api.limits import BodyLimit
from service.diagnosis import diagnose_on_write
from service.live import EventHub
from service.queue import make_celery
from service.settings import Settings, get_settings
from service.store import Stores
from service.webhooks import dispatch_on_write

API_PREFIX = "/api/v1"
# What a dataset upload's body holds besides the file: boundaries, part headers, fields.
UPLOAD_FORM_BYTES = 64 * 1024


def create_app(settings: Settings | None = None, stores: Stores | None = None) -> FastAPI:
    settings = settings or get_settings()
    # /docs and /redoc with their scripts and styles served from a package, not a CDN
    app = FastAPIOffline(
        title="fitdoc",
        version=__version__,
        summary="Tracks training runs, trains them on workers, and says what is wrong.",
    )
    app.state.settings = settings
    app.state.stores = stores or Stores.open(settings.resolved_database_url())
    app.state.queue = make_celery(settings)  # a producer only: connects on first send
    if settings.diagnose_on_write:
        app.state.diagnoser = diagnose_on_write(
            app.state.stores, settings.diagnose_interval_seconds
        )
    # The process's one reader of the event log for its SSE streams, woken by its own
    # commits.
    app.state.hub = EventHub(app.state.stores.events, settings.event_poll_seconds)
    app.state.stores.events.appended.append(app.state.hub.wake)
    # Webhook deliveries of the events this process records are made and sent right
    # after their commit (service/webhooks.py; the sweeper catches up on the rest).
    app.state.dispatcher = dispatch_on_write(app.state.stores, app.state.queue, settings)

    errors.install(app)
    app.include_router(health.router)
    api = APIRouter(
        prefix=API_PREFIX,
        dependencies=[Depends(authorize), Depends(inputs.check_parameters)],
        responses=errors.error_responses(*errors.COMMON_ERRORS),
    )
    modules = (
        projects, runs, metrics, diagnosis, jobs, tokens, datasets, experiments, events, webhooks
    )
    for module in modules:
        api.include_router(module.router)
    app.include_router(api)
    web.install(app)  # the dashboard's pages, outside /api/v1 and the document
    # MLflow's REST API, in MLflow's contract (not in the document): service/api/mlflow.py
    mlflow.install(app)
    _document(app)
    # An upload's body may be as large as the file it carries (the form's fields besides).
    uploads = {f"{API_PREFIX}/datasets": settings.max_upload_bytes + UPLOAD_FORM_BYTES}
    artifacts = {f"{prefix}/mlflow-artifacts/": settings.max_upload_bytes
                 for prefix in mlflow.PREFIXES}
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, larger=uploads,
                       larger_puts=artifacts)
    # Outermost: a caller without a valid token gets 401 before its body is read.
    app.add_middleware(Authenticate, settings=settings, tokens=app.state.stores.tokens)
    return app


def _document(app: FastAPI) -> None:
    """What FastAPI's document cannot say from the routes alone: the rule on path and
    query strings, and 409 on writes."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        return errors.document_conflicts(inputs.document_parameters(generate()))

    app.openapi = openapi  # type: ignore[method-assign]
