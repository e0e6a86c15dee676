"""Shared fixtures: real databases (SQLite file and PostgreSQL server), apps, live servers.

PostgreSQL tests use the server at FITDOC_TEST_PG_URL (default: the local one, trust auth).
They skip when it is unreachable on a developer's machine, and FAIL under CI=true: CI
must never pass by skipping them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from service.settings import Settings
from service.store import migrate

PG_ADMIN_URL = os.environ.get(
    "FITDOC_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _unavailable(what: str, exc: Exception) -> None:
    message = f"{what} is not reachable: {exc}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: integration tests must run, not skip)")
    pytest.skip(message)


class PgDatabases:
    """Creates throw-away databases on the PostgreSQL server and drops them at the end."""

    def __init__(self, admin_url: str) -> None:
        self.admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def new(self) -> str:
        name = f"fitdoc_test_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self.admin.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[PgDatabases]:
    try:
        dbs = PgDatabases(PG_ADMIN_URL)
        with dbs.admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "not reachable"
        _unavailable("PostgreSQL", exc)
    yield dbs
    dbs.drop_all()


def empty_database(kind: str, tmp_path_factory: pytest.TempPathFactory, request) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'fitdoc.db'}"
    return request.getfixturevalue("pg_databases").new()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> str:
    """A migrated database of each kind, shared by the session's tests (they isolate
    themselves by using their own projects and runs)."""
    url = empty_database(request.param, tmp_path_factory, request)
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory) -> Settings:
    return Settings(database_url=database_url, data_dir=tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
def app(settings: Settings):
    from service.api.app import create_app

    app = create_app(settings)
    yield app
    # what the app started ends before its database is dropped: diagnoses on write still
    # being made, and the pool's connections (else the drop cuts them, and logs as much)
    diagnoser = getattr(app.state, "diagnoser", None)
    if diagnoser is not None:
        diagnoser.wait_idle()
    app.state.stores.db.dispose()


@pytest.fixture(scope="session")
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="session")
def live_url(app) -> Iterator[str]:
    """The same app behind a real uvicorn server on a loopback port (for real concurrency)."""
    from tests.utils.server import serve_in_thread

    with serve_in_thread(app) as url:
        yield url


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="module")
def embedded_api(tmp_path_factory):
    """`fitdoc serve --no-worker` on a fresh embedded data dir (SQLite, the sweeper beside
    it) in a process of its own, as a user runs it; SSE heartbeats every 0.5 s."""
    from fitdoc import runtime

    data_dir = tmp_path_factory.mktemp("embedded-api")
    settings = runtime.embedded_settings(data_dir, sse_ping_seconds=0.5)
    with runtime.serve_process(settings) as server:
        yield server
