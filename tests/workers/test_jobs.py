"""Jobs through the whole machine: HTTP -> broker -> a real Celery worker -> database."""

from __future__ import annotations

import io
import time

import pytest
import torch

from service.queue import enqueue_job

pytestmark = pytest.mark.integration

CANONICAL = ["train_loss", "val_loss", "train_acc", "val_acc", "lr", "grad_norm"]


def spec(epochs: int = 3, **overrides) -> dict:
    base = {
        "dataset": {"name": "mnist1d"},
        "model": {"arch": "mlp", "widths": [64]},
        "optimizer": {"name": "adam", "lr": 0.003},
        "training": {"epochs": epochs, "batch_size": 128, "device": "cpu"},
    }
    for section, values in overrides.items():
        base[section] = {**base.get(section, {}), **values}
    return base


def post_job(stack, project: str, job_spec: dict) -> dict:
    response = stack.client.post("/api/v1/jobs", json={"project": project, "spec": job_spec})
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["status"] == "queued"
    return job


def finished(job: dict) -> bool:
    return job["status"] in ("succeeded", "failed", "cancelled")


def test_job_trains_and_records_every_metric_every_epoch(stack, unique):
    job = post_job(stack, f"jobs-{unique}", spec(epochs=3))
    # The run exists at once, listed with its project, marked as a job's.
    run = stack.client.get(f"/api/v1/runs/{job['run_id']}").json()
    assert run["source"] == "job" and run["job_id"] == job["id"]
    assert run["params"]["optimizer"] == "adam" and run["params"]["lr"] == 0.003
    assert run["meta"]["planned_epochs"] == 3 and run["meta"]["num_classes"] == 10
    listed = stack.client.get("/api/v1/runs", params={"project": f"jobs-{unique}"}).json()
    assert [r["id"] for r in listed["items"]] == [job["run_id"]]

    done = stack.wait_job(job["id"], finished)
    assert done["status"] == "succeeded", done
    assert done["progress"] == {"epoch": 3, "epochs": 3} and done["attempts"] == 1

    series = stack.client.get(f"/api/v1/runs/{job['run_id']}/metrics").json()["series"]
    for key in CANONICAL:
        assert [p["step"] for p in series[key]] == [0, 1, 2], key
    losses = [p["value"] for p in series["train_loss"]]
    assert losses[-1] < losses[0]  # it really trained
    assert stack.client.get(f"/api/v1/runs/{job['run_id']}").json()["status"] == "finished"
    assert all(0 < p["value"] for p in series["eval_time"])

    # The trained model, saved by the worker and served by the API.
    response = stack.client.get(f"/api/v1/jobs/{job['id']}/checkpoint")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/octet-stream"
    saved = torch.load(io.BytesIO(response.content), weights_only=True)
    assert saved["job_id"] == job["id"] and saved["run_id"] == job["run_id"]
    assert [m["train_loss"] for m in saved["history"]] == pytest.approx(losses)
    assert saved["best_epoch"] == min(range(3), key=lambda e: series["val_loss"][e]["value"])
    assert saved["last"].keys() == saved["best"].keys()


def test_cancel_takes_effect_within_an_epoch(stack, unique):
    job = post_job(stack, f"cancel-{unique}", spec(epochs=400))
    running = stack.wait_job(job["id"], lambda j: j["progress"]["epoch"] >= 2)
    response = stack.client.post(f"/api/v1/jobs/{job['id']}/cancel")
    assert response.status_code == 202 and response.json()["cancel_requested"] is True
    asked_at = stack.client.get(f"/api/v1/jobs/{job['id']}").json()["progress"]["epoch"]

    done = stack.wait_job(job["id"], finished)
    assert done["status"] == "cancelled"
    # Cooperative: the epoch under way when the cancel came may finish, no further one.
    assert running["progress"]["epoch"] <= done["progress"]["epoch"] <= asked_at + 1
    series = stack.client.get(f"/api/v1/runs/{job['run_id']}/metrics").json()["series"]
    assert len(series["train_loss"]) == done["progress"]["epoch"] < 400
    assert stack.client.get(f"/api/v1/runs/{job['run_id']}").json()["status"] == "killed"
    # Cancelling again is a conflict: the job is over.
    assert stack.client.post(f"/api/v1/jobs/{job['id']}/cancel").status_code == 409
    missing = stack.client.get(f"/api/v1/jobs/{job['id']}/checkpoint")
    assert missing.status_code == 404 and "cancelled" in missing.json()["error"]["message"]


def test_failing_training_ends_failed_with_the_message(stack, unique):
    missing = post_job(
        stack, f"fail-{unique}", spec(dataset={"name": "npz", "path": "/nonexistent/x.npz"})
    )
    nan = post_job(stack, f"fail-{unique}", spec(epochs=5, optimizer={"name": "sgd", "lr": 1e5}))
    done = stack.wait_job(missing["id"], finished)
    assert done["status"] == "failed"
    assert "/nonexistent/x.npz" in done["error"] and "does not exist" in done["error"]

    done = stack.wait_job(nan["id"], finished)
    assert done["status"] == "failed" and "NaN or infinite" in done["error"]
    # Its model is saved all the same; no epoch was finite, so there is no best one.
    saved = stack.client.get(f"/api/v1/jobs/{nan['id']}/checkpoint")
    assert saved.status_code == 200
    assert torch.load(io.BytesIO(saved.content), weights_only=True)["best"] is None
    # The advisor reads the job's curves and spec: diverging, and a patch for its JobSpec.
    diagnosis = stack.client.get(f"/api/v1/runs/{nan['run_id']}/diagnosis").json()
    assert diagnosis["status"] == "diverging"
    lower = next(s for s in diagnosis["suggestions"] if s["action"] == "lower_lr")
    # back to SGD's usual lr (with momentum, as it is meant), and the short run given the
    # epochs a fresh start needs, stopping early
    assert lower["patch"]["optimizer"] == {"lr": 0.03, "momentum": 0.9}
    assert lower["patch"]["training"]["epochs"] == 30
    assert lower["patch"]["regularization"]["early_stopping"]["metric"] == "val_loss"
    # The worker lives on: the next job still trains.
    after = post_job(stack, f"fail-{unique}", spec(epochs=1))
    assert stack.wait_job(after["id"], finished)["status"] == "succeeded"


def test_message_delivered_twice_trains_once(stack, unique):
    job = post_job(stack, f"twice-{unique}", spec(epochs=4))
    enqueue_job(stack.client.app.state.queue, job["id"])  # the same job, delivered again
    done = stack.wait_job(job["id"], finished)
    assert done["status"] == "succeeded" and done["attempts"] == 1

    # The second delivery either waited for the lease and found the job over, or came after.
    deadline = time.monotonic() + 60
    while f"job {job['id']}: skipped" not in stack.worker_log():
        assert time.monotonic() < deadline, stack.worker_log()[-3000:]
        time.sleep(0.5)
    assert stack.client.get(f"/api/v1/jobs/{job['id']}").json()["attempts"] == 1
    series = stack.client.get(f"/api/v1/runs/{job['run_id']}/metrics").json()["series"]
    assert [p["step"] for p in series["train_loss"]] == [0, 1, 2, 3]
