"""Jobs that survive their worker, with real processes on both stacks (Redis + PostgreSQL,
filesystem + SQLite): the worker's whole process group killed with SIGKILL at a random
epoch and a new worker started (the job resumes from its last epoch and ends as if nothing
happened), a paused worker whose lease was taken (it writes nothing when it wakes), a
cancel of a job whose worker is gone. The sweeper runs in a `fitdoc beat` process."""

from __future__ import annotations

import os
import random
import signal
import time

import pytest

from fitdoc import runtime
from tests.workers.conftest import start_worker

pytestmark = pytest.mark.integration

# ~0.1 s an epoch on one core; dropout, so that resuming must restore the RNG too
SLOW = {
    "dataset": {"name": "mnist1d"},
    "model": {"arch": "mlp", "widths": [256, 256], "dropout": 0.2},
    "optimizer": {"name": "adam", "lr": 0.001},
    "training": {"epochs": 30, "batch_size": 32, "device": "cpu", "seed": 3},
}


def ended(job: dict) -> bool:
    return job["status"] in ("succeeded", "failed", "cancelled")


def submit(stack, project: str, spec: dict) -> dict:
    response = stack.client.post("/api/v1/jobs", json={"project": project, "spec": spec})
    assert response.status_code == 202, response.text
    return response.json()


def series(stack, run_id: str) -> dict[str, list[tuple[int, float]]]:
    found = stack.client.get(f"/api/v1/runs/{run_id}/metrics").json()["series"]
    return {key: [(p["step"], p["value"]) for p in points] for key, points in found.items()}


def kill_group(proc) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def wait_epoch(stack, job_id: str, epoch: int, timeout: float = 120) -> dict:
    return stack.wait_job(job_id, lambda j: j["progress"]["epoch"] >= epoch or ended(j), timeout)


def test_a_job_whose_worker_is_killed_resumes_on_a_new_worker(stack, unique):
    # the same job, undisturbed: what the resumed one must end as
    twin = stack.wait_job(submit(stack, f"twin-{unique}", SLOW)["id"], ended)
    assert twin["status"] == "succeeded" and twin["attempts"] == 1
    assert twin["resumed_from_epoch"] is None

    job = submit(stack, f"kill-{unique}", SLOW)
    at = random.randint(2, SLOW["training"]["epochs"] - 8)
    seen = wait_epoch(stack, job["id"], at)
    assert seen["status"] == "running", seen
    kill_group(stack.proc)  # the worker and its pool child, as an OOM killer or a reboot
    dead = stack.client.get(f"/api/v1/jobs/{job['id']}").json()
    assert dead["status"] == "running" and dead["progress"]["epoch"] >= at
    stack.proc = start_worker(stack.settings, stack.log)

    done = stack.wait_job(job["id"], ended, timeout=180)
    assert done["status"] == "succeeded", done
    assert done["attempts"] == 2
    # resumed from its last saved epoch: at most the one epoch in flight is redone
    assert dead["progress"]["epoch"] - 1 <= done["resumed_from_epoch"] <= dead["progress"]["epoch"]
    got, want = series(stack, job["run_id"]), series(stack, twin["run_id"])
    epochs = SLOW["training"]["epochs"]
    for key in ("train_loss", "val_loss", "val_acc", "lr"):
        assert [step for step, _ in got[key]] == list(range(epochs)), key  # each step once
        assert got[key] == want[key], key  # and the same run as without the crash
    assert not stack.settings.state_path(job["id"]).exists()  # no training state left


def test_a_paused_worker_whose_lease_was_taken_writes_nothing_when_it_wakes(stack, unique):
    job = submit(stack, f"pause-{unique}", {**SLOW, "training": {**SLOW["training"],
                                                                  "epochs": 40}})
    wait_epoch(stack, job["id"], 3)
    paused = stack.proc
    os.killpg(paused.pid, signal.SIGSTOP)  # a stalled host: the lease lapses
    other = start_worker(stack.settings, stack.log.with_name("worker-other.log"))
    try:
        stack.proc = other
        done = stack.wait_job(job["id"], ended, timeout=180)
        assert done["status"] == "succeeded" and done["attempts"] == 2
        before = (stack.client.get(f"/api/v1/jobs/{job['id']}").json(),
                  series(stack, job["run_id"]),
                  stack.client.get(f"/api/v1/runs/{job['run_id']}").json())
        os.killpg(paused.pid, signal.SIGCONT)
        deadline = time.monotonic() + 60
        while "lease lost" not in stack.log.read_text(errors="replace"):
            assert time.monotonic() < deadline, stack.log.read_text()[-3000:]
            time.sleep(0.2)
        time.sleep(1.0)
        after = (stack.client.get(f"/api/v1/jobs/{job['id']}").json(),
                 series(stack, job["run_id"]),
                 stack.client.get(f"/api/v1/runs/{job['run_id']}").json())
        assert after == before  # the job, its points and its run: untouched
    finally:
        runtime.stop_process(paused, timeout=30)
        stack.proc = other


def test_cancelling_a_job_whose_worker_died_ends_it(stack, unique):
    job = submit(stack, f"cancel-{unique}", SLOW)
    wait_epoch(stack, job["id"], 2)
    kill_group(stack.proc)
    stack.proc = start_worker(stack.settings, stack.log)
    # While the dead worker's lease runs the request waits for it; once it lapses, the
    # sweeper (or a worker meeting the job again) ends the job instead of resuming it.
    response = stack.client.post(f"/api/v1/jobs/{job['id']}/cancel")
    assert response.status_code == 202
    done = stack.wait_job(job["id"], ended, timeout=60)
    assert done["status"] == "cancelled"
    assert done["progress"]["epoch"] < SLOW["training"]["epochs"]
    run = stack.client.get(f"/api/v1/runs/{job['run_id']}").json()
    assert run["status"] == "killed"
