"""MLflow's client with MLFLOW_TRACKING_TOKEN (a bearer token) against fitdoc's tokens: a
token bound to a project logs there and sees nothing else; a read token cannot write; no
token is 401."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import mlflow
import pytest
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from service.store import migrate

pytestmark = pytest.mark.integration

BOOT = "bootstrap-admin-token"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory) -> Iterator[str]:
    """A real uvicorn server with auth on (FITDOC_API_TOKEN), on its own SQLite file."""
    from fitdoc.runtime import serve_in_thread
    from service.api.app import create_app
    from service.settings import Settings

    data = tmp_path_factory.mktemp("mlflow-auth")
    url = f"sqlite:///{data / 'fitdoc.db'}"
    migrate.upgrade(url)
    app = create_app(Settings(database_url=url, data_dir=data, api_token=BOOT))
    with serve_in_thread(app) as live:
        yield live


def token(url: str, role: str, project: str) -> str:
    boot = {"Authorization": f"Bearer {BOOT}"}
    httpx.post(f"{url}/api/v1/projects", json={"name": project}, headers=boot)
    made = httpx.post(f"{url}/api/v1/tokens", json={"role": role, "project": project},
                      headers=boot)
    assert made.status_code == 201, made.text
    return made.json()["token"]


@pytest.fixture
def client_as(guarded, monkeypatch):
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", guarded)
    mlflow.set_tracking_uri(guarded)

    def use(secret: str | None) -> MlflowClient:
        if secret is None:
            monkeypatch.delenv("MLFLOW_TRACKING_TOKEN", raising=False)
        else:
            monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", secret)
        return MlflowClient(guarded)

    yield use
    while mlflow.active_run() is not None:
        mlflow.end_run()


def test_a_project_token_logs_to_its_project_only(guarded, client_as, unique):
    mine, theirs = f"mine-{unique}", f"theirs-{unique}"
    writer = token(guarded, "write", mine)
    admin = client_as(BOOT)  # the client reads MLFLOW_TRACKING_TOKEN at each call
    their_experiment = admin.create_experiment(theirs)
    other_run = admin.create_run(their_experiment).info.run_id

    client_as(writer)
    experiment = mlflow.set_experiment(mine)  # found by name: the token's project
    with mlflow.start_run() as run:
        mlflow.log_param("lr", "0.1")
        mlflow.log_metric("loss", 1.0, step=0)
    client = client_as(writer)
    assert client.get_run(run.info.run_id).data.metrics == {"loss": 1.0}
    assert [e.name for e in client.search_experiments()] == [mine]

    # another project's things read as missing, and its experiment cannot be made
    with pytest.raises(MlflowException) as hidden:
        client.get_run(other_run)
    assert hidden.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException) as hidden:
        client.log_metric(other_run, "loss", 1.0)
    assert hidden.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert client.get_experiment_by_name(theirs) is None
    assert client.search_runs([their_experiment]) == []
    with pytest.raises(MlflowException) as denied:
        client.create_experiment(f"new-{unique}")
    assert denied.value.error_code == "PERMISSION_DENIED"
    with pytest.raises(MlflowException) as denied:  # deleting an experiment is admin's
        client.delete_experiment(experiment.experiment_id)
    assert denied.value.error_code == "PERMISSION_DENIED"


def test_a_read_token_reads_and_no_token_is_refused(guarded, client_as, unique):
    project = f"read-{unique}"
    admin = client_as(BOOT)
    experiment = admin.create_experiment(project)
    run_id = admin.create_run(experiment).info.run_id
    reader = client_as(token(guarded, "read", project))
    assert reader.get_run(run_id).info.run_id == run_id
    assert [r.info.run_id for r in reader.search_runs([experiment])] == [run_id]
    with pytest.raises(MlflowException) as denied:
        reader.log_metric(run_id, "loss", 1.0)
    assert denied.value.error_code == "PERMISSION_DENIED"
    anonymous = client_as(None)
    with pytest.raises(MlflowException) as refused:
        anonymous.get_run(run_id)
    assert refused.value.error_code == "UNAUTHENTICATED"
    assert refused.value.get_http_status_code() == 401
    response = httpx.get(f"{guarded}/ajax-api/2.0/mlflow/runs/get", params={"run_id": run_id})
    assert response.status_code == 401  # MLflow's UI path is behind the token too
