"""`fitdoc import-mlflow` from a real `mlflow server` (SQLite, started here from the
separate .venv-mlflow: `make mlflow-venv`) into a real `fitdoc serve`: runs logged with the
stock mlflow client are copied with their params, tags, statuses and metric histories, and
importing again changes nothing (no write, no event) but what MLflow has gained since."""

from __future__ import annotations

import json
import math
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fitdoc import runtime
from fitdoc.cli import app
from fitdoc.client import Client
from fitdoc.mlflow_import import RUN_ID_TAG, MlflowReader, import_mlflow
from service.schemas import MAX_TAG_VALUE_LENGTH
from tests.conftest import _unavailable

pytestmark = pytest.mark.integration

# What the script logs, by the stock client of .venv-mlflow. `phase` first: a finished run
# (params, tags, two metrics for 12 steps, two values of acc at step 3 and a NaN at step 4)
# and a running one in experiment A, a failed one in experiment B; then `grow`: the running
# run gets 5 more steps, a tag, and ends.
LOG_SCRIPT = r'''
import json, math, sys
import mlflow
from mlflow import MlflowClient
from mlflow.entities import Metric

url, phase, a, b = sys.argv[1:5]
mlflow.set_tracking_uri(url)
client = MlflowClient()

def loss(step): return 1.0 / (step + 1)
def val_loss(step): return 1.1 / (step + 1) + 0.01 * step

if phase == "first":
    mlflow.set_experiment(a)
    with mlflow.start_run(run_name="finished-run") as r1:
        mlflow.log_params({"lr": 0.01, "optimizer": "adam", "widths": "[64, 64]"})
        mlflow.set_tags({"team": "vision", "long": "x" * 7000})
        for step in range(12):
            mlflow.log_metrics({"loss": loss(step), "val_loss": val_loss(step)}, step=step)
        run_id = r1.info.run_id
        client.log_metric(run_id, "acc", 0.25, step=3, timestamp=1_000_000)
        client.log_metric(run_id, "acc", 0.5, step=3, timestamp=2_000_000)  # the later wins
        client.log_metric(run_id, "acc", math.nan, step=4, timestamp=3_000_000)
    experiment = client.get_experiment_by_name(a)
    r2 = client.create_run(experiment.experiment_id, run_name="still-running")
    client.log_param(r2.info.run_id, "lr", "0.1")
    client.log_batch(r2.info.run_id, metrics=[
        Metric("loss", loss(s), 1_000 + s, s) for s in range(5)])
    mlflow.set_experiment(b)
    with mlflow.start_run(run_name="failed-run") as r3:
        mlflow.log_metric("loss", 9.0, step=0)
    client.set_terminated(r3.info.run_id, "FAILED")
    print(json.dumps({"r1": run_id, "r2": r2.info.run_id, "r3": r3.info.run_id}))
else:
    r2 = client.search_runs([client.get_experiment_by_name(a).experiment_id],
                            filter_string="attributes.run_name = 'still-running'")[0]
    client.log_batch(r2.info.run_id, metrics=[
        Metric("loss", loss(s), 1_000 + s, s) for s in range(5, 10)])
    client.set_tag(r2.info.run_id, "phase", "grown")
    client.set_terminated(r2.info.run_id, "FINISHED")
    print(json.dumps({"r2": r2.info.run_id}))
'''


def loss(step: int) -> float:
    return 1.0 / (step + 1)


def val_loss(step: int) -> float:
    return 1.1 / (step + 1) + 0.01 * step


@pytest.fixture(scope="module")
def mlflow_url(tmp_path_factory) -> Iterator[str]:
    if not (runtime.MLFLOW_VENV / "bin" / "mlflow").exists():
        _unavailable("mlflow server", FileNotFoundError(
            f"{runtime.MLFLOW_VENV} has no mlflow: run `make mlflow-venv`"))
    with runtime.mlflow_server(tmp_path_factory.mktemp("mlflow")) as url:
        yield url


@pytest.fixture(scope="module")
def fitdoc_url(tmp_path_factory) -> Iterator[str]:
    settings = runtime.embedded_settings(tmp_path_factory.mktemp("fitdoc"))
    with runtime.serve_process(settings) as server:
        yield server.url


def log_with_mlflow(url: str, tmp_path: Path, *args: str) -> dict[str, str]:
    script = tmp_path / "log.py"
    script.write_text(LOG_SCRIPT)
    done = subprocess.run([str(runtime.MLFLOW_VENV / "bin" / "python"), str(script), url, *args],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def cli_import(mlflow_url: str, fitdoc_url: str, *args: str) -> str:
    result = CliRunner().invoke(app, ["import-mlflow", "--from", mlflow_url, *args],
                                env={"FITDOC_URL": fitdoc_url, "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def snapshot(client: Client, projects: list[str]) -> dict:
    """Every run of `projects` as fitdoc has it, with every point."""
    runs = {}
    for project in projects:
        for run in client.runs(project=project):
            series = {key: [(step, repr(value)) for step, value in points]  # nan == nan
                      for key, points in client.metrics(run.id).items()}
            runs[run.id] = (run.model_dump(mode="json"), series)
    return runs


def by_source(client: Client, project: str) -> dict:
    return {run.tags[RUN_ID_TAG]: run for run in client.runs(project=project)}


def test_import_copies_runs_and_a_second_import_changes_nothing(
    mlflow_url, fitdoc_url, tmp_path, unique
):
    a, b = f"vision-{unique}", f"audio-{unique}"
    ids = log_with_mlflow(mlflow_url, tmp_path, "first", a, b)
    client = Client(fitdoc_url)

    # 1. one experiment, by name
    out = cli_import(mlflow_url, fitdoc_url, "--experiment", a)
    assert "2 runs new, 0 updated, 0 unchanged" in out, out
    assert "cut to 5000 characters" in out, out  # the 7,000-character tag
    assert {p.name for p in client.projects()} >= {a} and b not in out
    runs = by_source(client, a)
    assert set(runs) == {ids["r1"], ids["r2"]}
    r1, r2 = runs[ids["r1"]], runs[ids["r2"]]
    assert (r1.name, r1.status, r2.name, r2.status) == (
        "finished-run", "finished", "still-running", "running")
    assert r1.params == {"lr": "0.01", "optimizer": "adam", "widths": "[64, 64]"}
    assert r1.tags["team"] == "vision" and r1.tags["mlflow.runName"] == "finished-run"
    assert r1.tags["long"] == "x" * MAX_TAG_VALUE_LENGTH
    assert r1.tags["fitdoc.mlflow.status"] == "FINISHED"
    assert r1.tags["fitdoc.mlflow.start_time"] < r1.tags["fitdoc.mlflow.end_time"]
    assert r2.tags["fitdoc.mlflow.status"] == "RUNNING" and "fitdoc.mlflow.end_time" not in r2.tags
    assert r1.meta["mlflow"]["run_id"] == ids["r1"] and r1.meta["mlflow"]["server"] == mlflow_url
    series = client.metrics(r1.id)
    assert series["loss"] == [(s, loss(s)) for s in range(12)]
    assert series["val_loss"] == [(s, val_loss(s)) for s in range(12)]
    assert series["acc"][0] == (3, 0.5) and series["acc"][1][0] == 4
    assert math.isnan(series["acc"][1][1])
    assert client.metrics(r2.id) == {"loss": [(s, loss(s)) for s in range(5)]}

    # 2. everything, read in small pages: B is new, A's runs are left as they are
    report = import_mlflow(MlflowReader(mlflow_url, runs_page=1, history_page=5), client,
                           [a, b])
    assert (report.runs_created, report.runs_updated, report.runs_unchanged) == (1, 0, 2)
    assert report.points_written == 1 and not report.failed
    r3 = by_source(client, b)[ids["r3"]]
    assert r3.status == "failed" and client.metrics(r3.id) == {"loss": [(0, 9.0)]}

    # 3. again: nothing is written, so nothing happens in fitdoc
    before, (_, last_event) = snapshot(client, [a, b]), client.event_page(limit=1)
    _, last_event = client.event_page(after=last_event, limit=1000)
    out = cli_import(mlflow_url, fitdoc_url, "--experiment", a, "--experiment", b)
    assert "0 runs new, 0 updated, 3 unchanged; 0 points written" in out, out
    assert snapshot(client, [a, b]) == before
    # no write: no metrics.logged or run.status (diagnosis.changed may still come from the
    # earlier imports' writes: runs written in a burst are diagnosed when it pauses)
    assert client.event_page(after=last_event, types=["metrics.logged", "run.status"])[0] == []

    # 4. the running run grew and ended: its new points, tag and status come in
    log_with_mlflow(mlflow_url, tmp_path, "grow", a, b)
    out = cli_import(mlflow_url, fitdoc_url, "--experiment", a, "--experiment", b)
    assert "0 runs new, 1 updated, 2 unchanged; 5 points written" in out, out
    grown = client.get_run(r2.id)
    assert grown.status == "finished" and grown.tags["phase"] == "grown"
    assert grown.tags["fitdoc.mlflow.status"] == "FINISHED"
    assert client.metrics(r2.id) == {"loss": [(s, loss(s)) for s in range(10)]}
    assert len(by_source(client, a)) == 2

    # 5. and once more: nothing
    before = snapshot(client, [a, b])
    report = import_mlflow(MlflowReader(mlflow_url, runs_page=2, history_page=3), client,
                           [a, b])
    assert (report.runs_created, report.runs_updated, report.points_written) == (0, 0, 0)
    assert snapshot(client, [a, b]) == before


def test_an_unknown_experiment_or_server_is_an_error(mlflow_url, fitdoc_url):
    result = CliRunner().invoke(app, ["import-mlflow", "--from", mlflow_url, "--experiment",
                                      "no-such-experiment"], env={"FITDOC_URL": fitdoc_url})
    assert result.exit_code == 1
    assert "RESOURCE_DOES_NOT_EXIST" in result.output, result.output
    down = f"http://127.0.0.1:{runtime.free_port()}"
    result = CliRunner().invoke(app, ["import-mlflow", "--from", down],
                                env={"FITDOC_URL": fitdoc_url})
    assert result.exit_code == 1 and "cannot reach" in result.output, result.output
