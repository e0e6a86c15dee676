"""The stock MLflow client (mlflow-skinny, a dev dependency) against fitdoc: a real uvicorn
server per database (the session's app, tests/conftest.py's `live_url`), the client in
this process with its tracking URI pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture
def tracking(live_url, monkeypatch) -> Iterator[str]:
    """The server's URL as MLflow's tracking URI, the client failing at once on a 5xx
    (its default is 7 retries with backoff: minutes before a bug shows)."""
    import mlflow

    monkeypatch.setenv("MLFLOW_TRACKING_URI", live_url)
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.delenv("MLFLOW_TRACKING_TOKEN", raising=False)
    monkeypatch.delenv("MLFLOW_EXPERIMENT_NAME", raising=False)
    monkeypatch.delenv("MLFLOW_EXPERIMENT_ID", raising=False)
    mlflow.set_tracking_uri(live_url)
    yield live_url
    while mlflow.active_run() is not None:
        mlflow.end_run()


def wait_diagnosed(app) -> None:
    """Until the API process's diagnosis on write has caught up (service/diagnosis.py)."""
    assert app.state.diagnoser.wait_idle(30), "diagnosis on write did not finish"
