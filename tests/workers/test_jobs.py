"""Jobs through the whole machine: HTTP -> broker -> a real Celery worker -> database."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
import torch

from service.catalogue import path_message, upload_message
from service.queue import enqueue_job
from service.schemas import JobSpec, RunCreate

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
    # a file under the dataset roots (the API checks that much) that is no npz
    root = stack.settings.resolved_dataset_roots()[0]
    root.mkdir(parents=True, exist_ok=True)
    (root / f"broken-{unique}.npz").write_bytes(b"not a zip")
    broken = post_job(
        stack, f"fail-{unique}", spec(dataset={"name": "npz", "path": f"broken-{unique}.npz"})
    )
    nan = post_job(stack, f"fail-{unique}", spec(epochs=5, optimizer={"name": "sgd", "lr": 1e5}))
    done = stack.wait_job(broken["id"], finished)
    assert done["status"] == "failed"
    assert f"'broken-{unique}.npz' is not a readable .npz file" in done["error"]
    assert str(root) not in done["error"]  # named as the spec names it, not where it lies

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


def test_an_uploaded_dataset_trains(stack, unique):
    project = f"upload-{unique}"
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 6)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)  # learnable
    buf = io.BytesIO()
    np.savez(buf, x=x, y=y)
    made = stack.client.post("/api/v1/datasets", data={"project": project},
                             files={"file": ("blobs.npz", buf.getvalue())})
    assert made.status_code == 201, made.text
    dataset = made.json()
    job = post_job(stack, project, spec(epochs=4, dataset={"name": "npz", "id": dataset["id"]}))
    done = stack.wait_job(job["id"], finished)
    assert done["status"] == "succeeded", done
    series = stack.client.get(f"/api/v1/runs/{job['run_id']}/metrics").json()["series"]
    assert [p["step"] for p in series["val_acc"]] == [0, 1, 2, 3]
    assert series["val_acc"][-1]["value"] > 0.8  # it trained on the uploaded arrays


def test_the_worker_refuses_what_the_api_would_have_refused(stack, unique):
    # Jobs put in the database and queue directly, as if the API's checks had been skipped:
    # a readable npz outside the dataset roots, and another project's upload.
    outside = stack.settings.data_dir / f"private-{unique}.npz"
    np.savez(outside, x=np.zeros((20, 3), np.float32), y=np.arange(20) % 2)
    buf = io.BytesIO()
    np.savez(buf, x=np.zeros((20, 3), np.float32), y=np.arange(20) % 2)
    theirs = stack.client.post("/api/v1/datasets", data={"project": f"theirs-{unique}"},
                               files={"file": ("t.npz", buf.getvalue())}).json()
    stores, queue = stack.client.app.state.stores, stack.client.app.state.queue
    refused = {}
    for key, dataset in (("path", {"name": "npz", "path": str(outside)}),
                         ("id", {"name": "npz", "id": theirs["id"]})):
        resolved = JobSpec.model_validate(spec(epochs=1, dataset=dataset)).resolved()
        job = stores.jobs.create_job(RunCreate(project=f"mine-{unique}"), resolved, epochs=1)
        enqueue_job(queue, job.id)
        refused[key] = job.id
    path = stack.wait_job(refused["path"], finished)
    assert path["status"] == "failed" and path_message("npz") in path["error"], path
    upload = stack.wait_job(refused["id"], finished)
    assert upload["status"] == "failed" and upload_message(theirs["id"]) in upload["error"]


def test_a_regression_job_records_its_baseline_loss_and_is_judged_by_it(stack, unique):
    """The worker records the loss of predicting the training targets' mean in the run's
    meta once the data is read; a linear model of a nonlinear target settles far above
    zero against it: model bias (against its first epoch's loss it read healthy)."""
    root = stack.settings.resolved_dataset_roots()[0]
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, size=(600, 2)).astype(np.float32)
    y = np.sin(2 * x[:, 0]) + x[:, 1] ** 2  # no line fits it
    np.savez(root / f"bowl-{unique}.npz", x=x, y=y)
    job = post_job(stack, f"reg-{unique}", {
        "dataset": {"name": "npz", "path": f"bowl-{unique}.npz", "task": "regression"},
        "model": {"arch": "linear"},
        "optimizer": {"name": "adam", "lr": 0.01},
        "training": {"epochs": 25, "batch_size": 32, "loss": "mse", "device": "cpu"},
    })
    done = stack.wait_job(job["id"], finished)
    assert done["status"] == "succeeded", done
    meta = stack.client.get(f"/api/v1/runs/{job['run_id']}").json()["meta"]
    # the variance of the training part of the engine's split: about that of all targets
    assert meta["baseline_loss"] == pytest.approx(float(np.var(y)), rel=0.2)
    assert meta["train_available"] == 480  # what dataset.n_train may ask of the file
    diagnosis = stack.client.get(f"/api/v1/runs/{job['run_id']}/diagnosis").json()
    assert (diagnosis["status"], diagnosis["cause"]) == ("underfitting", "model_bias"), diagnosis
    assert "predicting the training mean" in diagnosis["summary"]
