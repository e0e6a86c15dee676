"""Probe jobs through the worker's code (workers/jobs.py run_probe_job): in process with
run_job (every kind, on both databases), and one on a real worker behind the broker."""

from __future__ import annotations

import io
import math

import pytest
import torch

from service.schemas import JobStatus
from workers.jobs import run_job
from workers.training import load_model

pytestmark = pytest.mark.integration

SPEC = {"dataset": {"name": "wine"}, "model": {"arch": "mlp", "widths": [4], "activation": "tanh"},
        "optimizer": {"name": "adam", "lr": 0.01},
        "training": {"epochs": 3, "batch_size": 32, "device": "cpu"}}


def submit(client, project: str, spec: dict) -> dict:
    response = client.post("/api/v1/jobs", json={"project": project, "spec": spec})
    assert response.status_code == 202, response.text
    return response.json()


def run(app, client, project: str, spec: dict) -> tuple[dict, str]:
    """Submit `spec` and run it here, as a worker would; the job as the API then shows it."""
    job = submit(client, project, spec)
    outcome = run_job(app.state.stores.jobs, job["id"], "test-worker", app.state.settings)
    return client.get(f"/api/v1/jobs/{job['id']}").json(), outcome


def series(client, job: dict) -> dict[str, list[tuple[int, float]]]:
    got = client.get(f"/api/v1/runs/{job['run_id']}/metrics").json()["series"]
    return {k: [(p["step"], p["value"]) for p in v] for k, v in got.items()}


def test_initial_loss_and_lr_range_jobs_record_a_result_and_a_curve(app, client, unique):
    project = f"probe-jobs-{unique}"
    job, outcome = run(app, client, project, {**SPEC, "probe": {"kind": "initial_loss"}})
    assert job["status"] == "succeeded", (job, outcome)
    result = job["result"]
    assert result["expected"] == pytest.approx(math.log(3)) and result["num_classes"] == 3
    assert job["progress"] == {"epoch": 1, "epochs": 1}
    assert series(client, job) == {"train_loss": [(0, pytest.approx(result["loss"]))],
                                   "train_acc": [(0, pytest.approx(result["accuracy"]))]}
    run_ = client.get(f"/api/v1/runs/{job['run_id']}").json()
    assert run_["status"] == "finished" and run_["meta"]["probe"] == "initial_loss"
    # the advisor does not read a probe's curve as training
    diagnosis = client.get(f"/api/v1/runs/{job['run_id']}/diagnosis").json()
    assert diagnosis["status"] == "insufficient_data" and "probe" in diagnosis["summary"]
    # no model of its own
    assert client.get(f"/api/v1/jobs/{job['id']}/checkpoint").status_code == 404

    probe = {"kind": "lr_range", "lr_min": 1e-4, "lr_max": 100.0, "steps": 40}
    job, outcome = run(app, client, project, {**SPEC, "probe": probe})
    assert job["status"] == "succeeded", (job, outcome)
    result, curve = job["result"], series(client, job)
    steps = result["steps"]
    assert job["progress"] == {"epoch": steps, "epochs": 40}
    assert [s for s, _ in curve["lr"]] == list(range(steps))
    assert [v for _, v in curve["lr"]] == pytest.approx(result["lrs"])
    assert result["suggested_lr"] == pytest.approx(result["min_loss_lr"] / 10)
    assert set(curve) == {"train_loss", "loss_smoothed", "lr"}


def saddle(path, settings) -> None:
    """Make a wine tanh MLP's checkpoint a saddle point: every weight zero, the output bias
    the log class frequencies of the training part (the gradient is then zero)."""
    from workers.training import TrainConfig
    from workers.training.data import load_data

    data = load_data(TrainConfig.from_dict(SPEC).dataset, settings.data_dir / "datasets")
    counts = torch.bincount(torch.from_numpy(data.y_train), minlength=3).float()
    saved = torch.load(path, weights_only=True)
    for which in ("last", "best"):
        state = saved[which]
        for name in state:
            state[name] = torch.zeros_like(state[name])
        state[[k for k in state if k.endswith("bias")][-1]] = (counts / counts.sum()).log()
    torch.save(saved, path)


def test_a_hessian_job_at_a_saddle_saves_the_escaped_weights(app, client, unique):
    project = f"hessian-jobs-{unique}"
    trained, _ = run(app, client, project, SPEC)
    assert trained["status"] == "succeeded"
    saddle(app.state.settings.checkpoint_path(trained["id"]), app.state.settings)
    probe = {"kind": "hessian", "job_id": trained["id"], "batches": 5, "k": 2, "iters": 71}
    # (5 batches of 32: the whole training part, whose frequencies the bias holds)
    job, outcome = run(app, client, project, {**SPEC, "probe": probe})
    assert job["status"] == "succeeded", (job, outcome)
    result = job["result"]
    assert result["verdict"] == "saddle_point" and result["min"] < 0, result
    assert result["escape"]["loss_after"] < result["escape"]["loss_before"]
    curve = series(client, job)
    assert [s for s, _ in curve["eig_min"]] == list(range(71))
    assert curve["eig_min"][-1][1] == pytest.approx(result["min"])
    # the moved weights, served like any job's model, load and are lower on the loss
    response = client.get(f"/api/v1/jobs/{job['id']}/checkpoint")
    assert response.status_code == 200
    path = app.state.settings.checkpoint_path(job["id"])
    saved = torch.load(io.BytesIO(response.content), weights_only=True)
    assert saved["job_id"] == job["id"] and saved["source_job_id"] == trained["id"]
    moved = dict(load_model(path, which="last").named_parameters())
    assert any(float(p.abs().max()) > 0 for name, p in moved.items() if "weight" in name)



def test_an_ensemble_job_reads_its_members(app, client, unique):
    project = f"ensemble-jobs-{unique}"
    members = []
    for seed in (1, 2):
        job, _ = run(app, client, project, {**SPEC, "training": {**SPEC["training"],
                                                                 "seed": seed}})
        assert job["status"] == "succeeded"
        members.append(job["id"])
    job, outcome = run(app, client, project,
                       {**SPEC, "probe": {"kind": "ensemble", "members": members}})
    assert job["status"] == "succeeded", (job, outcome)
    result = job["result"]
    assert [m["job_id"] for m in result["members"]] == members
    assert result["best_member"] in members and job["progress"] == {"epoch": 2, "epochs": 2}
    assert set(series(client, job)) == {"val_loss", "val_acc", "ensemble_val_loss",
                                        "ensemble_val_acc"}
    # a member's checkpoint gone after the API checked it at submit, before a worker took
    # the job: the job fails, saying which
    job = submit(client, project, {**SPEC, "probe": {"kind": "ensemble", "members": members}})
    app.state.settings.checkpoint_path(members[1]).unlink()
    run_job(app.state.stores.jobs, job["id"], "test-worker", app.state.settings)
    failed = client.get(f"/api/v1/jobs/{job['id']}").json()
    assert failed["status"] == JobStatus.failed.value
    assert "probe.members[1]" in failed["error"] and "no checkpoint" in failed["error"]


def test_a_probe_job_runs_on_a_real_worker(stack, unique):
    spec = {**SPEC, "probe": {"kind": "initial_loss", "batches": 2}}
    response = stack.client.post("/api/v1/jobs", json={"project": f"probe-{unique}",
                                                       "spec": spec})
    assert response.status_code == 202, response.text
    job = stack.wait_job(response.json()["id"],
                         lambda j: j["status"] in ("succeeded", "failed", "cancelled"))
    assert job["status"] == "succeeded", job
    assert job["result"]["samples"] == 64 and job["result"]["expected"] == pytest.approx(
        math.log(3))
    got = stack.client.get(f"/api/v1/runs/{job['run_id']}/metrics").json()["series"]
    assert got["train_loss"][0]["value"] == pytest.approx(job["result"]["loss"])


def test_probe_points_are_fenced_writes_that_read_the_cancel_flag(app, unique):
    import threading
    from dataclasses import replace

    from service.schemas import RunCreate
    from service.store.jobs import LeaseLost
    from workers.jobs import ProbePoints

    jobs = app.state.stores.jobs
    job = jobs.create_job(RunCreate(project=f"points-{unique}"),
                          {**SPEC, "probe": {"kind": "lr_range"}}, epochs=100)
    lease = jobs.claim_job(job.id, "test-worker", 60).lease
    lost = threading.Event()
    points = ProbePoints(jobs, lease, job.run_id, lost, every=0.0)
    points.add(0, {"lr": 1e-7, "train_loss": 2.0})  # every=0: written at once
    assert jobs.get_job(job.id).progress.epoch == 1 and points.should_stop() is False
    jobs.request_cancel(job.id)
    assert points.should_stop() is True
    # another attempt's lease writes nothing; a lost lease stops the probe at its next step
    other = ProbePoints(jobs, replace(lease, attempt=2), job.run_id, threading.Event(), 0.0)
    with pytest.raises(LeaseLost):
        other.add(1, {"lr": 1e-6, "train_loss": 2.0})
    lost.set()
    with pytest.raises(LeaseLost):
        points.add(1, {"lr": 1e-6, "train_loss": 2.0})
    read = app.state.stores.tracking.read_series(job.run_id)
    assert [step for step, _ in read["lr"]] == [0]
