"""Chains of jobs through the whole machine: a follow-up, auto-repair that ends repaired,
one that gives up, and one that goes on across a worker restart (HTTP -> broker -> a real
worker -> database, on both stacks)."""

from __future__ import annotations

import time

import numpy as np
import pytest

pytestmark = pytest.mark.integration

# Adam at 1e-6 on wine: stuck; the usual lr trains it in a few seconds.
STUCK = {
    "dataset": {"name": "wine"},
    "model": {"arch": "mlp", "widths": [32]},
    "optimizer": {"name": "adam", "lr": 1e-6},
    "training": {"epochs": 30, "batch_size": 32, "device": "cpu"},
}


def ended(job: dict) -> bool:
    return job["status"] in ("succeeded", "failed", "cancelled")


def submit(stack, project: str, spec: dict, rounds: int = 0) -> dict:
    body = {"project": project, "spec": spec, "repair": {"max_rounds": rounds}}
    response = stack.client.post("/api/v1/jobs", json=body)
    assert response.status_code == 202, response.text
    return response.json()


def wait_chain(stack, job_id: str, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lineage = stack.client.get(f"/api/v1/jobs/{job_id}/lineage").json()
        if lineage["state"] != "running":
            return lineage
        assert stack.proc.poll() is None, "worker died:\n" + stack.worker_log()[-3000:]
        time.sleep(0.3)
    pytest.fail(f"chain of {job_id} still running after {timeout}s: {lineage}\n"
                f"{stack.worker_log()[-3000:]}")


def test_a_follow_up_job_trains_the_patched_spec(stack, unique):
    first = submit(stack, f"fu-{unique}", STUCK)
    stack.wait_job(first["id"], ended)
    response = stack.client.post(f"/api/v1/jobs/{first['id']}/follow-up",
                                 json={"patch": {"optimizer": {"lr": 0.001}}})
    assert response.status_code == 202, response.text
    follow = stack.wait_job(response.json()["id"], ended)
    assert follow["status"] == "succeeded" and follow["parent_id"] == first["id"]
    assert follow["spec"]["optimizer"]["lr"] == 0.001
    lineage = stack.client.get(f"/api/v1/jobs/{first['id']}/lineage").json()
    assert [j["id"] for j in lineage["jobs"]] == [first["id"], follow["id"]]
    assert lineage["jobs"][0]["diagnosis"]["status"] == "stuck"
    assert lineage["jobs"][1]["val_metric"] > lineage["jobs"][0]["val_metric"]  # val acc
    assert lineage["jobs"][1]["val_loss"] < lineage["jobs"][0]["val_loss"]
    assert lineage["best_job_id"] == follow["id"]


def test_auto_repair_ends_repaired_within_two_rounds(stack, unique):
    first = submit(stack, f"ar-{unique}", STUCK, rounds=2)
    lineage = wait_chain(stack, first["id"])
    assert lineage["state"] == "repaired", lineage
    jobs = lineage["jobs"]
    assert 2 <= len(jobs) <= 3 and jobs[-1]["diagnosis"]["status"] == "healthy"
    assert jobs[-1]["val_metric"] >= jobs[0]["val_metric"]  # val acc (ties: lower val loss)
    assert all(j["applied"] is not None for j in jobs[1:])
    applied = [repr(sorted(j["applied"].items())) for j in jobs[1:]]
    assert len(applied) == len(set(applied))
    # each round, and the end, is a repair.round event of the chain, in order
    told = stack.client.get("/api/v1/events", params={
        "project": f"ar-{unique}", "types": "repair.round"}).json()["items"]
    assert [(e["job_id"], e["data"]["round"], e["data"]["state"]) for e in told] == [
        *((j["id"], j["round"], "running") for j in jobs[1:]),
        (jobs[-1]["id"], jobs[-1]["round"], "repaired"),
    ]
    assert [e["data"]["applied"] for e in told[:-1]] == [j["applied"] for j in jobs[1:]]


def test_auto_repair_gives_up_when_its_rounds_are_used_up(stack, unique):
    # Labels drawn at random: there is nothing to learn, no change to the spec makes the
    # run healthy, and one round is all this chain may use.
    rng = np.random.default_rng(0)
    folder = stack.settings.data_dir / "datasets"
    folder.mkdir(parents=True, exist_ok=True)
    np.savez(folder / f"noise-{unique}.npz", x=rng.normal(size=(300, 8)).astype(np.float32),
             y=rng.integers(0, 3, 300))
    spec = {**STUCK, "dataset": {"name": "npz", "path": f"noise-{unique}.npz"},
            "optimizer": {"name": "adam", "lr": 0.001}}
    lineage = wait_chain(stack, submit(stack, f"gu-{unique}", spec, rounds=1)["id"])
    assert lineage["state"] == "gave_up", lineage
    assert len(lineage["jobs"]) == 2 and lineage["jobs"][1]["applied"] is not None
    assert lineage["jobs"][1]["diagnosis"]["status"] != "healthy"


def test_a_chain_goes_on_across_a_worker_restart(stack, unique):
    first = submit(stack, f"rs-{unique}", STUCK, rounds=2)
    stack.wait_job(first["id"], ended)
    stack.restart_worker()
    lineage = wait_chain(stack, first["id"])
    assert lineage["state"] == "repaired", lineage
    assert len(lineage["jobs"]) >= 2
