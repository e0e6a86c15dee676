"""A database that cannot serve is a 503 with Retry-After (the request may be retried), not
a 500: a PostgreSQL server that refuses connections, through the real driver."""

from __future__ import annotations

import sqlite3

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from fitdoc import runtime
from service.settings import Settings
from service.store.db import unreachable


@pytest.fixture
def down_client(tmp_path):
    from service.api.app import create_app

    port = runtime.free_port()  # nothing listens there: every connection is refused
    settings = Settings(database_url=f"postgresql+psycopg://postgres@127.0.0.1:{port}/fitdoc",
                        data_dir=tmp_path)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def test_reads_and_writes_answer_503_with_retry_after(down_client):
    for method, path, body in [
        ("GET", "/api/v1/projects", None),
        ("POST", "/api/v1/runs", {"project": "p", "name": "r"}),
    ]:
        response = down_client.request(method, path, json=body)
        assert response.status_code == 503, response.text
        error = response.json()["error"]
        assert error["code"] == "unavailable" and "database" in error["message"]
        assert int(response.headers["Retry-After"]) == error["retry_after"] > 0


def test_mlflow_clients_get_temporarily_unavailable(down_client):
    response = down_client.get("/api/2.0/mlflow/experiments/get-by-name",
                               params={"experiment_name": "x"})
    assert response.status_code == 503, response.text
    assert response.json()["error_code"] == "TEMPORARILY_UNAVAILABLE"
    assert "Retry-After" in response.headers


def test_a_wrong_statement_is_not_called_unavailable():
    """Only the server's state is Unavailable; a statement SQLite cannot run is a bug (500)."""
    missing = OperationalError("SELECT * FROM nowhere", {}, sqlite3.OperationalError(
        "no such table: nowhere"))
    locked = OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
    assert not unreachable(missing)
    assert unreachable(locked)
