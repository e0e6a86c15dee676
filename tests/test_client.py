"""fitdoc/client.py and the CLI's remote commands (`fitdoc runs`, `fitdoc diagnose --url`,
`fitdoc submit --follow`) against a real `fitdoc serve` (embedded: SQLite, the filesystem
broker), with a real `fitdoc worker` for the jobs."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from fitdoc import runtime
from fitdoc.cli import app
from fitdoc.client import ApiError, Client
from service.schemas import Diagnosis, Job, Run
from tests.utils.live import OVERFIT_EPOCHS, OVERFIT_META, epoch_points
from tests.workers.conftest import WORKER_ENV

pytestmark = pytest.mark.integration

# A 3-epoch MLP on wine: a few seconds on one CPU thread.
SPEC = {
    "dataset": {"name": "wine"},
    "model": {"arch": "mlp", "widths": [16]},
    "optimizer": {"name": "adam", "lr": 0.01},
    "training": {"epochs": 3, "batch_size": 32, "device": "cpu"},
}


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[runtime.Server]:
    data_dir = tmp_path_factory.mktemp("client-api")
    settings = runtime.embedded_settings(data_dir, sse_ping_seconds=0.5)
    with runtime.serve_process(settings) as served:
        served.settings = settings  # type: ignore[attr-defined]
        yield served


@pytest.fixture(scope="module")
def worker(server) -> Iterator[None]:
    """A training worker on the server's broker and database, for the tests that run jobs."""
    proc = runtime.start_worker(server.settings, env=WORKER_ENV)
    try:
        yield
    finally:
        runtime.stop_process(proc, timeout=30)


@pytest.fixture
def client(server) -> Iterator[Client]:
    with Client(server.url, token="ignored: auth is off") as c:
        yield c


def overfitting_run(client: Client, project: str, name: str = "overfits") -> Run:
    run = client.create_run(project, name=name, meta=OVERFIT_META)
    for epoch in range(OVERFIT_EPOCHS):
        client.log_metrics(run.id, epoch_points(epoch)["metrics"])
    return client.patch_run(run.id, status="finished")


def test_runs_metrics_and_diagnosis(client, unique):
    project = client.create_project(f"client-{unique}", "made by the client")
    assert project.name == f"client-{unique}" and project.description == "made by the client"
    assert project.name in {p.name for p in client.projects()}
    run = client.create_run(project.name, name="r1", params={"lr": 0.01, "opt": "adam"},
                            tags={"team": "vision"}, meta={"task": "classification"})
    assert isinstance(run, Run) and run.status == "running" and run.params["lr"] == 0.01
    assert client.log(run.id, 0, {"loss": 2.0, "val_loss": 2.1}) == 2
    points = [{"key": "loss", "step": s, "value": 2.0 / (s + 1)} for s in range(1, 6)]
    points.append({"key": "grad_norm", "step": 5, "value": math.nan})
    assert client.log_metrics(run.id, points, batch_size=2) == 6  # three requests
    series = client.metrics(run.id)
    assert [step for step, _ in series["loss"]] == list(range(6))
    assert series["loss"][3] == (3, 0.5) and math.isnan(series["grad_norm"][0][1])
    assert set(client.metrics(run.id, keys=["val_loss"])) == {"val_loss"}
    assert client.get_run(run.id).latest["loss"] == pytest.approx(2.0 / 6)
    patched = client.patch_run(run.id, status="finished", tags={"team": None, "stage": "2"})
    assert patched.status == "finished" and patched.tags == {"stage": "2"}
    diagnosis = client.diagnosis(run.id)
    assert isinstance(diagnosis, Diagnosis) and diagnosis.run_id == run.id


def test_lists_follow_cursors(client, unique):
    project = f"pages-{unique}"
    made = [client.create_run(project, name=f"run-{i}").id for i in range(5)]
    client.page_size = 2  # three pages
    assert [r.id for r in client.runs(project=project)] == made[::-1]  # newest first
    assert [r.id for r in client.runs(project=project, limit=3)] == made[::-1][:3]
    client.patch_run(made[0], status="failed")
    assert [r.id for r in client.runs(project=project, status="failed")] == [made[0]]


def test_errors_carry_code_message_and_field(client, unique):
    with pytest.raises(ApiError) as missing:
        client.get_run("no-such-run")
    assert (missing.value.status, missing.value.code) == (404, "not_found")
    assert "no-such-run" in missing.value.message and missing.value.field == "run_id"
    with pytest.raises(ApiError) as invalid:
        client.create_run(f"errors-{unique}", params={"lr": "x" * 7000})
    error = invalid.value
    assert (error.status, error.code, error.field) == (422, "invalid", "params.lr")
    assert error.details and "422 invalid" in str(error) and "POST /api/v1/runs" in str(error)
    run = client.create_run(f"errors-{unique}")
    with pytest.raises(ApiError) as bad_point:
        client.log_metrics(run.id, [{"key": "loss", "step": -1, "value": 1.0}])
    assert bad_point.value.status == 422 and bad_point.value.field == "metrics[0].step"
    with pytest.raises(ApiError) as bad_status:
        client.runs(status="sleeping").__next__()
    assert bad_status.value.field == "status"


def test_events_stream_and_resume_after_the_last_seen(client, unique):
    run = client.create_run(f"events-{unique}", meta=OVERFIT_META)
    with client.events(run=run.id) as stream:
        client.log_metrics(run.id, epoch_points(0)["metrics"])
        client.patch_run(run.id, status="finished")
        seen = []
        for event in stream:
            seen.append(event)
            if event.type == "run.status":
                break
    assert [e.type for e in seen if e.type != "diagnosis.changed"] == [
        "metrics.logged", "run.status"]
    assert all(e.run_id == run.id for e in seen) and seen[-1].data["status"] == "finished"
    client.patch_run(run.id, tags={"later": "1"})  # no event
    client.log_metrics(run.id, epoch_points(1)["metrics"])
    with client.events(run=run.id, after=seen[-1].id) as resumed:
        missed = next(e for e in resumed if e.type == "metrics.logged")
    assert missed.id > seen[-1].id and missed.data["first_step"] == 1
    page, last_id = client.event_page(after=seen[0].id - 1, run=run.id)
    assert [e.id for e in page][0] == seen[0].id and last_id == page[-1].id
    with pytest.raises(ApiError) as unknown:
        client.events(run="no-such-run")
    assert unknown.value.status == 404


def test_cli_runs_and_diagnose_over_the_api(server, client, unique):
    project = f"cli-{unique}"
    overfit = overfitting_run(client, project)
    client.create_run(project, name="empty")
    runner = CliRunner()
    env = {"COLUMNS": "250", "FITDOC_URL": server.url}
    listed = runner.invoke(app, ["runs", "--project", project], env=env)
    assert listed.exit_code == 0, listed.output
    rows = [line for line in listed.output.splitlines() if project in line]
    assert len(rows) == 2, listed.output
    assert "empty" in rows[0] and "insufficient_data" in rows[0] and "running" in rows[0]
    assert overfit.id in rows[1] and "overfitting" in rows[1] and "finished" in rows[1]
    assert "val_loss" in rows[1]
    only = runner.invoke(app, ["runs", "--project", project, "--diagnosis", "overfitting",
                               "--json"], env=env)
    assert only.exit_code == 0, only.output
    assert [r["id"] for r in json.loads(only.stdout)] == [overfit.id]
    diagnosed = runner.invoke(app, ["diagnose", overfit.id, "--json"], env=env)
    assert diagnosed.exit_code == 0, diagnosed.output
    assert json.loads(diagnosed.stdout)["status"] == "overfitting"
    missing = runner.invoke(app, ["diagnose", "no-such-run", "--url", server.url], env=env)
    assert missing.exit_code == 1 and "404" in missing.output and "no-such-run" in missing.output
    down = runner.invoke(app, ["runs", "--url", f"http://127.0.0.1:{runtime.free_port()}"])
    assert down.exit_code == 1 and "cannot reach the API" in down.output


def submit(server, tmp_path, spec: dict, *args: str) -> subprocess.CompletedProcess[str]:
    """`fitdoc submit` as a user runs it, in a process of its own."""
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    argv = [sys.executable, "-m", "fitdoc", "submit", str(path), "--url", server.url, *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=240,
                          env={**os.environ, "COLUMNS": "200"})


def test_submit_follow_prints_the_job_to_its_end_and_its_diagnosis(
    server, worker, client, tmp_path, unique
):
    done = submit(server, tmp_path, SPEC, "--project", f"submit-{unique}", "--follow")
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    job_id = next(line.split()[2] for line in out.splitlines()
                  if line.startswith("submitted job"))
    job = client.job(job_id)
    assert job.status == "succeeded" and job.progress.epoch == 3
    assert "queued -> running" in out and "running -> succeeded" in out, out
    assert "run running -> finished" in out and "step 2 " in out, out
    assert "diagnosis" in out and job.run_id in out and f"job {job_id} succeeded" in out


def test_submit_follow_exits_1_when_the_job_fails(server, worker, client, tmp_path, unique):
    datasets = server.settings.data_dir / "datasets"
    datasets.mkdir(exist_ok=True)
    (datasets / f"broken-{unique}.npz").write_bytes(b"not a zip file")
    spec = {**SPEC, "dataset": {"name": "npz", "path": f"broken-{unique}.npz"}}
    failed = submit(server, tmp_path, spec, "--project", f"submit-{unique}", "--follow")
    out = failed.stdout + failed.stderr
    assert failed.returncode == 1, out
    # the worker may fail the job before --follow reads it: a transition, or its state then
    assert ("-> failed" in out or "): failed" in out) and "failed:" in out, out
    plain = submit(server, tmp_path, {"dataset": {"name": "wine"}}, "--project", "p")
    assert plain.returncode == 1 and "422" in plain.stdout and "spec.model" in plain.stdout


def test_jobs_wait_follow_up_lineage_and_cancel(server, worker, client, unique):
    job = client.submit(f"jobs-{unique}", SPEC, name="first")
    assert isinstance(job, Job) and job.status in ("queued", "running")
    ended = client.wait(job.id, timeout=180)
    assert ended.status == "succeeded" and client.get_run(job.run_id).status == "finished"
    child = client.follow_up(job.id, patch={"training": {"epochs": 50}})
    assert child.parent_id == job.id and child.spec["training"]["epochs"] == 50
    lineage = client.lineage(child.id)
    assert [j.id for j in lineage.jobs] == [job.id, child.id]
    assert [j.id for j in client.jobs(project=f"jobs-{unique}")] == [child.id, job.id]
    assert [j.id for j in client.jobs(project=f"jobs-{unique}", status="succeeded")] == [job.id]
    cancelling = client.cancel(child.id)
    assert cancelling.cancel_requested
    assert client.wait(child.id, timeout=180).status == "cancelled"
    queued = client.submit(f"jobs-{unique}", SPEC)
    with pytest.raises(TimeoutError):
        client.wait(queued.id, timeout=0)
    client.cancel(queued.id)
