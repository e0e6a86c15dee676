"""Experiments end to end on real workers (Redis + PostgreSQL, two workers and the
sweeper): each kind's jobs train as ordinary jobs, its result is computed from their real
curves when they end, and the jobs of a phase run in parallel on the two workers."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import datetime

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


def test_the_jobs_of_a_phase_run_in_parallel_on_two_workers(lab):
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
