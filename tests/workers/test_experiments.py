"""Experiments end to end on real workers (Redis + PostgreSQL, two workers and the
sweeper): each kind's jobs train as ordinary jobs, its result is computed from their real
curves when they end, and the jobs of a phase run in parallel on the two workers."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from fitdoc import runtime
from service.settings import Settings
from service.store import migrate
from tests.conftest import empty_database
from tests.workers.conftest import REDIS_URL, Stack, _check_redis, start_worker

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def lab(request, tmp_path_factory) -> Iterator[Stack]:
    """Two training workers and the sweeper on Redis + PostgreSQL."""
    from fastapi.testclient import TestClient

    from service.api.app import create_app

    _check_redis()
    data_dir = tmp_path_factory.mktemp("fitdoc-data")
    database_url = empty_database("postgresql", tmp_path_factory, request)
    migrate.upgrade(database_url)
    settings = Settings(
        database_url=database_url, broker_url=REDIS_URL, data_dir=data_dir,
        queue=f"fitdoc-test-{uuid.uuid4().hex[:8]}", job_lease_seconds=6, sweep_seconds=1.0,
    )
    first, second = data_dir / "worker-1.log", data_dir / "worker-2.log"
    stack = Stack(settings, None, first, start_worker(settings, first))
    other = start_worker(settings, second)
    stack.beat = runtime.start_beat(settings)
    try:
        with TestClient(create_app(settings)) as client:
            stack.client = client
            yield stack
    finally:
        for proc in (stack.proc, other, stack.beat):
            runtime.stop_process(proc, timeout=30)
        runtime.purge_broker(settings)


def run_experiment(lab: Stack, kind: str, spec: dict, options: dict | None = None,
                   timeout: float = 240) -> dict:
    body = {"project": f"exp-{uuid.uuid4().hex[:8]}", "kind": kind, "spec": spec,
            "options": options or {}}
    made = lab.client.post("/api/v1/experiments", json=body)
    assert made.status_code == 202, made.text
    url = f"/api/v1/experiments/{made.json()['id']}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        experiment = lab.client.get(url).json()
        if experiment["status"] in ("succeeded", "failed", "cancelled"):
            assert experiment["status"] == "succeeded", experiment
            return experiment
        time.sleep(0.3)
    pytest.fail(f"{kind} did not end in {timeout}s: {experiment}\n{lab.worker_log()[-3000:]}")


def mnist1d(model: dict, optimizer: dict | None = None, epochs: int = 15, **dataset) -> dict:
    return {"dataset": {"name": "mnist1d", "n_train": 2000, **dataset}, "model": model,
            "optimizer": optimizer or {"name": "adam"}, "training": {"epochs": epochs}}


def test_shallow_vs_deep_names_model_bias_for_a_linear_model(lab):
    experiment = run_experiment(lab, "shallow_vs_deep", mnist1d({"arch": "linear"}))
    assert experiment["verdict"] == "model_bias", experiment["result"]
    result = experiment["result"]
    assert result["deep_train_loss"] < result["shallow_train_loss"]
    assert result["patch"]["model"]["arch"] == "mlp"  # the deeper model, as a change
    assert_diagnosis_cites(lab, experiment, "model_bias")


def test_shallow_vs_deep_names_an_optimization_issue_for_a_deep_sigmoid_net(lab):
    spec = mnist1d({"arch": "mlp", "depth": 10, "width": 64, "activation": "sigmoid"},
                   {"name": "sgd", "lr": 0.05, "momentum": 0.9})
    experiment = run_experiment(lab, "shallow_vs_deep", spec)
    assert experiment["verdict"] == "optimization_issue", experiment["result"]
    assert experiment["result"]["deep_train_loss"] > experiment["result"]["shallow_train_loss"]
    assert_diagnosis_cites(lab, experiment, "optimization_issue")


def assert_diagnosis_cites(lab: Stack, experiment: dict, cause: str) -> None:
    """The spec's own run is diagnosed with the cause the experiment found, citing it."""
    subject = experiment["subject_run_id"]
    mine = "shallow" if experiment["result"]["spec_is"] == "shallow" else "deep"
    assert subject == next(j["run_id"] for j in experiment["jobs"] if j["role"] == mine)
    diagnosis = lab.client.get(f"/api/v1/runs/{subject}/diagnosis").json()
    assert diagnosis["status"] in ("underfitting", "stuck"), diagnosis
    assert diagnosis["cause"] == cause, diagnosis
    cited = [e for e in diagnosis["evidence"] if e["signal"] == "experiment:shallow_vs_deep"]
    assert cited and experiment["id"] in cited[0]["message"]


TASK_LINE = re.compile(r"Task fitdoc\.train_job\[([^\]]+)\] (received|succeeded|failed|raised)")


def wait_until_idle(logs: list[Path], timeout: float = 120) -> None:
    """Until each worker has said it is ready and has ended every training task it received
    (a task ends after its job: the diagnosis and the chain's next step come first, and
    under load take seconds, in which that worker cannot start another job)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        texts = [log.read_text(errors="replace") for log in logs]
        busy = []
        for text in texts:
            # by each task's last line: a task taken over after a lost lease is received
            # again under the same id after its first attempt ended
            last = {task: what for task, what in TASK_LINE.findall(text)}
            busy.append(" ready." not in text or "received" in last.values())
        if not any(busy):
            return
        time.sleep(0.2)
    pytest.fail(f"the workers were still busy after {timeout} s")


def test_the_jobs_of_a_phase_run_in_parallel_on_two_workers(lab):
    wait_until_idle([lab.log, lab.log.with_name("worker-2.log")])  # an earlier test's tasks
    spec = mnist1d({"arch": "mlp", "width": 256}, epochs=25, n_train=4000)
    experiment = run_experiment(lab, "shallow_vs_deep", spec)
    jobs = [lab.client.get(f"/api/v1/jobs/{j['id']}").json() for j in experiment["jobs"]]
    spans = [(datetime.fromisoformat(j["started_at"]), datetime.fromisoformat(j["finished_at"]))
             for j in jobs]
    (a_start, a_end), (b_start, b_end) = spans
    assert a_start < b_end and b_start < a_end, f"the two jobs did not overlap: {spans}"


def test_overfit_small_tells_a_model_that_can_learn_from_one_that_cannot(lab):
    fits = run_experiment(lab, "overfit_small", mnist1d({"arch": "mlp", "width": 128}),
                          {"samples": 32, "epochs": 150})
    assert fits["verdict"] == "can_overfit", fits["result"]
    broken = run_experiment(lab, "overfit_small",
                            mnist1d({"arch": "mlp", "width": 128},
                                    {"name": "sgd", "lr": 1e-5}),
                            {"samples": 32, "epochs": 60})
    assert broken["verdict"] == "cannot_overfit", broken["result"]


def test_a_sweep_goes_coarse_then_fine_then_trains_the_best_longer(lab):
    spec = mnist1d({"arch": "mlp", "width": 64}, {"name": "sgd", "momentum": 0.9},
                   epochs=10, n_train=1000)
    experiment = run_experiment(lab, "sweep", spec, {
        "fields": {"optimizer.lr": [1e-4, 1.0]}, "points": 3, "epochs": 4})
    roles = [j["role"] for j in experiment["jobs"]]
    assert roles.count("final") == 1 and sum(r.startswith("coarse") for r in roles) == 3
    assert sum(r.startswith("fine") for r in roles) == 3
    best = experiment["result"]["best"]["optimizer.lr"]
    assert 1e-3 <= best <= 0.5  # neither end of the range: 1e-4 crawls, 1.0 blows up
    assert experiment["result"]["patch"] == {"optimizer": {"lr": best}}


def shuffled_mnist1d(lab: Stack) -> str:
    """An npz of mnist1d with its labels shuffled, under the dataset root; its path."""
    import numpy as np
    from mnist1d.data import get_dataset_args, make_dataset

    root = lab.settings.resolved_dataset_roots()[0]
    path = root / "shuffled.npz"
    if not path.exists():
        data = make_dataset(get_dataset_args())
        root.mkdir(parents=True, exist_ok=True)
        labels = np.random.default_rng(0).permutation(data["y"].astype(np.int64))
        np.savez(path, x=data["x"].astype(np.float32)[:2000], y=labels[:2000])
    return path.name


def test_initial_loss_passes_a_sound_run_and_flags_shuffled_labels(lab):
    sound = run_experiment(lab, "initial_loss", mnist1d({"arch": "mlp"}))
    assert sound["verdict"] == "ok", sound["result"]
    assert abs(sound["result"]["loss"] / sound["result"]["expected"] - 1) < 0.2
    spec = {**mnist1d({"arch": "mlp"}), "dataset": {"name": "npz",
                                                     "path": shuffled_mnist1d(lab)}}
    shuffled = run_experiment(lab, "initial_loss", spec)
    assert shuffled["verdict"] == "labels_not_learnable", shuffled["result"]


def test_lr_range_suggests_an_lr_as_a_patch(lab):
    experiment = run_experiment(lab, "lr_range", mnist1d({"arch": "mlp"}), {"steps": 80})
    suggested = experiment["result"]["suggested_lr"]
    assert 1e-5 < suggested < 1.0
    assert experiment["result"]["patch"] == {"optimizer": {"lr": suggested}}
    [job] = experiment["jobs"]
    points = lab.client.get(f"/api/v1/runs/{job['run_id']}/metrics?keys=lr").json()
    lrs = [p["value"] for p in points["series"]["lr"]]
    assert lrs == sorted(lrs) and lrs[0] < 1e-6  # the exponential sweep, as a curve


def test_hessian_examines_a_trained_job(lab):
    experiment = run_experiment(lab, "hessian", mnist1d({"arch": "mlp", "width": 16},
                                                        epochs=10))
    assert [j["role"] for j in experiment["jobs"]] == ["trained", "hessian"]
    result = experiment["result"]
    assert experiment["verdict"] in ("saddle_point", "local_minimum", "not_critical")
    assert result["max"] >= result["min"] and result["grad_norm"] >= 0
    trained = next(j for j in experiment["jobs"] if j["role"] == "trained")
    assert experiment["subject_run_id"] == trained["run_id"]


def test_cross_validation_runs_one_job_per_fold_and_candidate(lab):
    experiment = run_experiment(lab, "cross_validation", mnist1d({"arch": "mlp"}, epochs=5),
                                {"folds": 3, "candidates": [{"model": {"width": 256}}]})
    assert len(experiment["jobs"]) == 6
    folds = [lab.client.get(f"/api/v1/jobs/{j['id']}").json()["spec"]["dataset"]["fold"]
             for j in experiment["jobs"]]
    assert sorted(folds) == [0, 0, 1, 1, 2, 2]
    rows = experiment["result"]["candidates"]
    assert [r["folds"] for r in rows] == [3, 3]
    assert all(r["val_acc"]["std"] is not None for r in rows)


def test_an_ensemble_trains_its_members_then_averages_them(lab):
    experiment = run_experiment(lab, "ensemble", mnist1d({"arch": "mlp"}, epochs=8),
                                {"members": 3})
    roles = [j["role"] for j in experiment["jobs"]]
    assert sorted(roles) == ["ensemble", "member-0", "member-1", "member-2"]
    result = experiment["result"]
    assert len(result["members"]) == 3 and result["ensemble"]["val_loss"] is not None
    assert experiment["verdict"] in ("ensemble_better", "no_gain")


def test_transfer_compares_a_start_from_another_jobs_weights_with_scratch(lab):
    source = lab.client.post("/api/v1/jobs", json={"project": "transfer-src",
                                                   "spec": mnist1d({"arch": "mlp"})})
    lab.wait_job(source.json()["id"], lambda j: j["status"] == "succeeded")
    body = {"project": "transfer-src", "kind": "transfer", "spec": mnist1d({"arch": "mlp"}),
            "options": {"source_job_id": source.json()["id"], "freeze": "head_only"}}
    made = lab.client.post("/api/v1/experiments", json=body).json()
    url = f"/api/v1/experiments/{made['id']}"
    deadline = time.monotonic() + 120
    while (experiment := lab.client.get(url).json())["status"] not in (
            "succeeded", "failed"):
        assert time.monotonic() < deadline, experiment
        time.sleep(0.3)
    assert experiment["status"] == "succeeded", experiment
    assert experiment["verdict"] in ("transfer_helps", "no_gain")
    transfer = next(j for j in experiment["jobs"] if j["role"] == "transfer")
    spec = lab.client.get(f"/api/v1/jobs/{transfer['id']}").json()["spec"]
    assert spec["model"]["init_from"]["job_id"] == source.json()["id"]
