"""The stock MLflow client (mlflow-skinny, pinned in the dev extras) logs to fitdoc unchanged,
on SQLite and PostgreSQL: experiments, runs, params, metrics (synchronous and not), tags,
ending, searching, histories, artifacts; MLflow's error codes and statuses; a batch sent
twice; the Default experiment; lifecycle; the diagnosis tag."""

from __future__ import annotations

import json
import math

import httpx
import mlflow
import pytest
from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag
from mlflow.exceptions import MlflowException

from tests.mlflow.conftest import wait_diagnosed

pytestmark = pytest.mark.integration

API = "/api/2.0/mlflow"


def code(exc: pytest.ExceptionInfo[MlflowException]) -> str:
    return exc.value.error_code


def test_a_run_logged_with_the_fluent_api_reads_back(tracking, unique):
    experiment = mlflow.set_experiment(f"fluent-{unique}")
    assert experiment.lifecycle_stage == "active"
    with mlflow.start_run(run_name="first") as run:
        mlflow.log_param("lr", 0.01)
        mlflow.log_params({"optimizer": "adam", "batch_size": 32})
        mlflow.log_metric("loss", 2.0, step=0)
        mlflow.log_metrics({"loss": 1.5, "val_loss": 1.7}, step=1)
        mlflow.log_metric("loss", 1.0, step=2, synchronous=False)
        mlflow.log_metrics({"loss": 0.5, "val_loss": 1.2}, step=3, synchronous=False)
        mlflow.set_tag("team", "vision")
        mlflow.set_tags({"stage": "dev"})
    run_id = run.info.run_id

    got = MlflowClient().get_run(run_id)
    assert got.info.status == "FINISHED" and got.info.end_time >= got.info.start_time
    assert got.info.experiment_id == experiment.experiment_id
    assert got.info.run_name == "first" and got.data.tags["mlflow.runName"] == "first"
    assert got.data.params == {"lr": "0.01", "optimizer": "adam", "batch_size": "32"}
    assert got.data.metrics == {"loss": 0.5, "val_loss": 1.2}
    assert got.data.tags["team"] == "vision" and got.data.tags["stage"] == "dev"
    history = MlflowClient().get_metric_history(run_id, "loss")
    assert [(m.step, m.value) for m in history] == [(0, 2.0), (1, 1.5), (2, 1.0), (3, 0.5)]
    assert all(m.timestamp > 0 for m in history)

    # the MLflow run id is the fitdoc run id: fitdoc's own API reads the same run
    mine = httpx.get(f"{tracking}/api/v1/runs/{run_id}").json()
    assert mine["project"] == experiment.name and mine["status"] == "finished"
    assert mine["latest"] == {"loss": 0.5, "val_loss": 1.2}
    diagnosis = httpx.get(f"{tracking}/api/v1/runs/{run_id}/diagnosis")
    assert diagnosis.status_code == 200 and diagnosis.json()["run_id"] == run_id


def test_search_runs_filters_orders_and_pages(tracking, unique):
    experiment = mlflow.set_experiment(f"search-{unique}")
    ids = {}
    for i in range(5):
        with mlflow.start_run(run_name=f"r{i}") as run:
            mlflow.log_param("width", str(64 * (i + 1)))
            mlflow.log_param("optimizer", "sgd" if i % 2 else "adam")
            mlflow.log_metric("val_loss", 1.0 - i / 10, step=0)
            mlflow.set_tag("parity", "odd" if i % 2 else "even")
        ids[i] = run.info.run_id
    client = MlflowClient()
    eid = [experiment.experiment_id]

    runs = mlflow.search_runs(experiment_ids=eid, output_format="list",
                              filter_string="params.optimizer = 'adam' AND metrics.val_loss < 0.85",
                              order_by=["metrics.val_loss ASC"])
    assert [r.info.run_id for r in runs] == [ids[4], ids[2]]
    runs = client.search_runs(eid, "tags.parity = 'odd'", order_by=["attributes.run_name DESC"])
    assert [r.info.run_name for r in runs] == ["r3", "r1"]
    runs = client.search_runs(eid, "attributes.run_name LIKE 'r%' AND "
                                   "params.width IN ('64', '128')")
    assert {r.info.run_id for r in runs} == {ids[0], ids[1]}
    runs = client.search_runs(eid, "attributes.status = 'FINISHED'")
    assert len(runs) == 5
    runs = client.search_runs(eid, f"attributes.run_id = '{ids[3]}'")
    assert [r.info.run_id for r in runs] == [ids[3]]

    # pages of 2, newest first by default, and the same 5 runs in all
    seen, token = [], None
    while True:
        page = client.search_runs(eid, max_results=2, page_token=token)
        assert len(page) <= 2
        seen += [r.info.run_id for r in page]
        token = page.token
        if not token:
            break
    assert seen == [ids[i] for i in (4, 3, 2, 1, 0)]

    with pytest.raises(MlflowException) as refused:
        client.search_runs(eid, "metrics.val_loss < 1 OR params.width = '64'")
    assert code(refused) == "INVALID_PARAMETER_VALUE"


def test_params_are_written_once(tracking, unique):
    mlflow.set_experiment(f"params-{unique}")
    with mlflow.start_run():
        mlflow.log_param("lr", "0.1")
        mlflow.log_param("lr", "0.1")  # the same value again: fine, as in MLflow
        with pytest.raises(MlflowException) as refused:
            mlflow.log_param("lr", "0.2")
        assert code(refused) == "INVALID_PARAMETER_VALUE"
        assert "written once" in str(refused.value)
        assert mlflow.get_run(mlflow.active_run().info.run_id).data.params == {"lr": "0.1"}


def test_unknown_ids_answer_with_mlflow_codes(tracking):
    client = MlflowClient()
    with pytest.raises(MlflowException) as missing:
        client.get_run("0" * 32)
    assert code(missing) == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException) as missing:
        client.get_experiment("123456")
    assert code(missing) == "RESOURCE_DOES_NOT_EXIST"
    assert client.get_experiment_by_name("no such experiment, ever") is None
    with pytest.raises(MlflowException) as missing:
        client.log_metric("f" * 32, "loss", 1.0)
    assert code(missing) == "RESOURCE_DOES_NOT_EXIST"

    # the wire format, as MLflow's server answers
    response = httpx.get(f"{tracking}{API}/runs/get", params={"run_id": "nope"})
    assert response.status_code == 404
    assert response.json() == {"error_code": "RESOURCE_DOES_NOT_EXIST",
                               "message": "Run with id=nope not found"}
    response = httpx.get(f"{tracking}{API}/experiments/get-by-name",
                         params={"experiment_name": "no such experiment, ever"})
    assert response.status_code == 404
    assert response.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    response = httpx.post(f"{tracking}{API}/runs/log-batch", json={"run_id": "x", "metrics": 5})
    assert response.status_code == 400
    assert response.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    run_id = MlflowClient().create_run("0").info.run_id
    for metric in ({"key": "x", "value": 1, "timestamp": 2**70, "step": 0},  # not an int64
                   {"key": "x", "value": 1, "timestamp": 1, "step": -1},     # fitdoc's steps
                   {"key": "a\x00b", "value": 1, "timestamp": 1, "step": 0},
                   {"key": "x", "timestamp": 1, "step": 0}):
        response = httpx.post(f"{tracking}{API}/runs/log-batch",
                              json={"run_id": run_id, "metrics": [metric]})
        assert response.status_code == 400, (metric, response.text)
        assert response.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    # an endpoint fitdoc does not implement, under both prefixes
    for prefix in ("/api/2.0", "/ajax-api/2.0"):
        response = httpx.post(f"{tracking}{prefix}/mlflow/registered-models/create", json={})
        assert response.status_code == 404
        assert response.json()["error_code"] == "ENDPOINT_NOT_FOUND"


def test_an_experiment_name_is_taken_once(tracking, unique):
    client = MlflowClient()
    client.create_experiment(f"taken-{unique}")
    with pytest.raises(MlflowException) as taken:
        client.create_experiment(f"taken-{unique}")
    assert code(taken) == "RESOURCE_ALREADY_EXISTS"
    response = httpx.post(f"{tracking}{API}/experiments/create", json={"name": f"taken-{unique}"})
    assert response.status_code == 400


def test_a_batch_sent_twice_leaves_one_point_per_key_and_step(tracking, unique):
    """MLflow's client retries a batch on 429/5xx, so the same batch may arrive twice; and
    several values at one step: fitdoc keeps the last (MLflow keeps them all)."""
    mlflow.set_experiment(f"retry-{unique}")
    with mlflow.start_run() as run:
        pass
    run_id = run.info.run_id
    batch = {"run_id": run_id, "metrics": [
        {"key": "loss", "value": 1.0 / (s + 1), "timestamp": 1_700_000_000_000 + s, "step": s}
        for s in range(50)
    ]}
    for _ in range(2):
        sent = httpx.post(f"{tracking}{API}/runs/log-batch", json=batch)
        assert sent.status_code == 200 and sent.json() == {}
    client = MlflowClient()
    client.log_batch(run_id, metrics=[Metric("loss", 1.0 / (s + 1), 1_700_000_000_000 + s, s)
                                      for s in range(50)])
    history = client.get_metric_history(run_id, "loss")
    assert [m.step for m in history] == list(range(50))
    assert history[7].value == 1.0 / 8 and history[7].timestamp == 1_700_000_000_007

    client.log_batch(run_id, metrics=[Metric("acc", 0.1, 1, 0), Metric("acc", 0.3, 2, 0),
                                      Metric("acc", float("nan"), 3, 1)])
    history = client.get_metric_history(run_id, "acc")
    assert [(m.step, m.value) for m in history[:1]] == [(0, 0.3)]
    assert history[1].step == 1 and math.isnan(history[1].value)


def test_metric_history_pages(tracking, unique):
    client = MlflowClient()
    mlflow.set_experiment(f"pages-{unique}")
    with mlflow.start_run() as run:
        client.log_batch(run.info.run_id, metrics=[Metric("x", float(s), 0, s)
                                                   for s in range(0, 1000, 10)])
    url = f"{tracking}{API}/metrics/get-history"
    steps, token = [], None
    while True:
        params = {"run_id": run.info.run_id, "metric_key": "x", "max_results": 30}
        page = httpx.get(url, params=params | ({"page_token": token} if token else {})).json()
        steps += [m["step"] for m in page["metrics"]]
        token = page.get("next_page_token")
        if not token:
            break
    assert steps == list(range(0, 1000, 10))
    assert [m.step for m in client.get_metric_history(run.info.run_id, "x")] == steps
    assert client.get_metric_history(run.info.run_id, "never logged") == []

    # the bulk interval read of MLflow's UI: sampled steps, first and last kept
    sampled = httpx.get(f"{tracking}{API}/metrics/get-history-bulk-interval", params={
        "run_ids": [run.info.run_id], "metric_key": "x", "max_results": 10}).json()["metrics"]
    picked = [m["step"] for m in sampled]
    assert picked[0] == 0 and picked[-1] == 990 and 10 <= len(picked) <= 12
    assert all(m["run_id"] == run.info.run_id for m in sampled)


def test_the_default_experiment_is_zero(tracking, monkeypatch):
    """With no experiment set, the client logs to experiment "0": the project Default."""
    monkeypatch.setattr(mlflow.tracking.fluent, "_active_experiment_id", None)
    with mlflow.start_run() as run:
        mlflow.log_metric("loss", 1.0)
    assert run.info.experiment_id == "0"
    assert MlflowClient().get_experiment("0").name == "Default"
    assert MlflowClient().get_experiment_by_name("Default").experiment_id == "0"
    assert httpx.get(f"{tracking}/api/v1/runs/{run.info.run_id}").json()["project"] == "Default"
    found = MlflowClient().search_runs(["0"], f"attributes.run_id = '{run.info.run_id}'")
    assert [r.info.run_id for r in found] == [run.info.run_id]


def test_runs_and_experiments_are_deleted_and_restored(tracking, unique):
    client = MlflowClient()
    eid = client.create_experiment(f"life-{unique}")
    kept = client.create_run(eid).info.run_id
    gone = client.create_run(eid).info.run_id
    client.delete_run(gone)
    assert client.get_run(gone).info.lifecycle_stage == "deleted"
    assert [r.info.run_id for r in client.search_runs([eid])] == [kept]
    listed = httpx.get(f"{tracking}/api/v1/runs", params={"project": eid}).json()["items"]
    assert [r["id"] for r in listed] == [kept]  # fitdoc's own list leaves it out too
    assert [r.info.run_id for r in client.search_runs([eid], run_view_type=2)] == [gone]
    with pytest.raises(MlflowException) as refused:
        client.log_metric(gone, "loss", 1.0)
    assert code(refused) == "INVALID_PARAMETER_VALUE"
    client.restore_run(gone)
    assert len(client.search_runs([eid])) == 2

    client.delete_run(gone)
    client.delete_experiment(eid)
    assert client.get_experiment(eid).lifecycle_stage == "deleted"
    assert client.search_runs([eid]) == []
    with pytest.raises(MlflowException) as refused:
        client.create_run(eid)
    assert code(refused) == "INVALID_PARAMETER_VALUE"
    client.restore_experiment(eid)
    # the run deleted with the experiment comes back; the one deleted before does not
    assert [r.info.run_id for r in client.search_runs([eid])] == [kept]

    client.rename_experiment(eid, f"renamed-{unique}")
    assert client.get_experiment_by_name(f"renamed-{unique}").experiment_id == eid
    names = [e.name for e in client.search_experiments(filter_string=f"name LIKE '%{unique}'")]
    assert names == [f"renamed-{unique}"]


def test_tags_run_names_and_ending(tracking, unique):
    client = MlflowClient()
    eid = client.create_experiment(f"tags-{unique}", tags={"owner": "lab"})
    assert client.get_experiment(eid).tags == {"owner": "lab"}
    run = client.create_run(eid, run_name="before", tags={"a": "1"})
    run_id = run.info.run_id
    client.log_batch(run_id, params=[Param("p", "x")], tags=[RunTag("b", "2")])
    client.set_tag(run_id, "mlflow.runName", "after")
    client.delete_tag(run_id, "a")
    with pytest.raises(MlflowException) as missing:
        client.delete_tag(run_id, "a")
    assert code(missing) == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException) as refused:
        client.set_tag(run_id, "fitdoc.diagnosis", "healthy")
    assert code(refused) == "INVALID_PARAMETER_VALUE"
    got = client.get_run(run_id)
    assert got.info.run_name == "after" and got.data.tags["b"] == "2" and "a" not in got.data.tags
    client.set_terminated(run_id, "KILLED")
    assert client.get_run(run_id).info.status == "KILLED"
    assert httpx.get(f"{tracking}/api/v1/runs/{run_id}").json()["status"] == "killed"


def test_the_diagnosis_is_a_tag(tracking, app, unique):
    """`fitdoc.diagnosis` is the stored diagnosis (diagnosis on write), readable with
    runs/get and searchable."""
    mlflow.set_experiment(f"diagnosis-{unique}")
    with mlflow.start_run() as run:
        mlflow.set_tag("fitdoc.step_unit", "epoch")
        for epoch in range(20):
            loss = 2.3 * math.exp(-epoch / 6) + 0.05
            val = loss + 0.1 if epoch < 10 else 0.47 + 0.04 * (epoch - 9) ** 1.2
            mlflow.log_metrics({"loss": loss, "val_loss": val}, step=epoch)
    wait_diagnosed(app)
    run_id = run.info.run_id
    stored = httpx.get(f"{tracking}/api/v1/runs/{run_id}/diagnosis").json()
    assert stored["status"] == "overfitting"
    tags = MlflowClient().get_run(run_id).data.tags
    assert tags["fitdoc.diagnosis"] == "overfitting"
    assert tags.get("fitdoc.diagnosis.cause") == stored["cause"]
    found = MlflowClient().search_runs([run.info.experiment_id],
                                       "tags.fitdoc.diagnosis = 'overfitting'")
    assert [r.info.run_id for r in found] == [run_id]


def test_per_step_logging_is_read_by_epoch(tracking, app, unique):
    """A Lightning-like run: `step` the global optimizer step, an `epoch` metric beside, the
    training loss per step only: the run's meta says batch steps, and the advisor averages
    them into the validation intervals."""
    mlflow.set_experiment(f"steps-{unique}")
    client = MlflowClient()
    with mlflow.start_run() as run:
        run_id = run.info.run_id
        step = 0
        for epoch in range(12):
            for _ in range(2):  # 2 optimizer steps an epoch: too few to look dense per epoch
                loss = 2.3 * math.exp(-step / 8) + 0.05 + (0.2 if step % 2 else -0.2) * 0.3
                client.log_batch(run_id, metrics=[Metric("train_loss_step", loss, 0, step),
                                                  Metric("epoch", epoch, 0, step)])
                step += 1
            val = 2.0 - 0.15 * epoch if epoch < 6 else 1.1 + 0.12 * (epoch - 5)
            client.log_batch(run_id, metrics=[Metric("val_loss", val, 0, step - 1),
                                              Metric("epoch", epoch, 0, step - 1)])
    wait_diagnosed(app)
    assert httpx.get(f"{tracking}/api/v1/runs/{run_id}").json()["meta"]["step_unit"] == "batch"
    diagnosis = httpx.get(f"{tracking}/api/v1/runs/{run_id}/diagnosis").json()
    assert diagnosis["status"] == "overfitting", diagnosis


def test_artifacts_are_uploaded_listed_and_downloaded(tracking, unique, tmp_path):
    mlflow.set_experiment(f"files-{unique}")
    with mlflow.start_run() as run:
        mlflow.log_dict({"lr": 0.01, "layers": [64, 64]}, "config/spec.json")
        mlflow.log_text("notes", "notes.txt")
    client = MlflowClient()
    run_id = run.info.run_id
    assert run.info.artifact_uri == f"mlflow-artifacts:/{run.info.experiment_id}/{run_id}/artifacts"
    top = client.list_artifacts(run_id)
    assert [(f.path, f.is_dir) for f in top] == [("config", True), ("notes.txt", False)]
    assert [f.path for f in client.list_artifacts(run_id, "config")] == ["config/spec.json"]
    assert mlflow.artifacts.load_dict(f"runs:/{run_id}/config/spec.json") == {
        "lr": 0.01, "layers": [64, 64]}
    local = client.download_artifacts(run_id, "notes.txt", str(tmp_path))
    assert open(local).read() == "notes"

    base = f"{tracking}/api/2.0/mlflow-artifacts/artifacts/{run.info.experiment_id}/{run_id}"
    for bad in ("artifacts/../../x", "artifacts/%2E%2E/x", "artifacts/a/../../../b"):
        refused = httpx.put(f"{base}/{bad}", content=b"x")
        assert refused.status_code in (400, 404), (bad, refused.text)
        assert refused.json()["error_code"] in ("INVALID_PARAMETER_VALUE",
                                                "RESOURCE_DOES_NOT_EXIST")
    # another run's path under this run's experiment, or one outside any run's artifacts/
    assert httpx.put(f"{base}/elsewhere.txt", content=b"x").status_code == 404
    other = f"{tracking}/api/2.0/mlflow-artifacts/artifacts/0/{run_id}/artifacts/x.txt"
    assert httpx.put(other, content=b"x").status_code == 404
    assert httpx.get(f"{base}/artifacts/missing.txt").status_code == 404
    listed = httpx.get(f"{tracking}/api/2.0/mlflow-artifacts/artifacts",
                       params={"path": f"{run.info.experiment_id}/{run_id}/artifacts"}).json()
    assert json.dumps(listed["files"][1]) == json.dumps(
        {"path": "notes.txt", "is_dir": False, "file_size": 5})
