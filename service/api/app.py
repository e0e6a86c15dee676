"""The FastAPI application: routers, error handlers, the request-size guard."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI

from service import __version__
from service.api import diagnosis, errors, health, jobs, metrics, projects, runs, tokens
from service.api.auth import Authenticate
from service.api.deps import authorize
from service.api.limits import BodyLimit
from service.queue import make_celery
from service.settings import Settings, get_settings
from service.store import Stores

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, stores: Stores | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="fitdoc",
        version=__version__,
        summary="Tracks training runs, trains them on workers, and says what is wrong.",
    )
    app.state.settings = settings
    app.state.stores = stores or Stores.open(settings.resolved_database_url())
    app.state.queue = make_celery(settings)  # a producer only: connects on first send

    errors.install(app)
    app.include_router(health.router)
    api = APIRouter(prefix=API_PREFIX, dependencies=[Depends(authorize)])
    for module in (projects, runs, metrics, diagnosis, jobs, tokens):
        api.include_router(module.router)
    app.include_router(api)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    # Outermost: a caller without a valid token gets 401 before its body is read.
    app.add_middleware(Authenticate, settings=settings, tokens=app.state.stores.tokens)
    return app
