"""A job that runs out of memory fails with a clear message, and its worker goes on.

In-process: run_job with the training call replaced by one that fails as torch does on a GPU
(torch.OutOfMemoryError) or by a real failed allocation (numpy's MemoryError, torch's CPU
allocator). In a subprocess: real jobs under an address-space limit (RLIMIT_AS), as a worker
on a machine without the memory: the big one fails while building its optimizer state, and
the next one, which would not fit beside what the first held, trains in the same process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch

import workers.training
from fitdoc import runtime
from service.catalogue.memory import estimate_training_memory, format_bytes
from service.schemas import JobSpec, JobStatus, RunCreate
from workers.jobs import out_of_memory, run_job

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SMALL = {
    "dataset": {"name": "wine"},
    "model": {"arch": "mlp", "width": 16, "depth": 1},
    "optimizer": {"name": "adam", "lr": 0.01},
    "training": {"epochs": 1, "batch_size": 32, "device": "cpu"},
}


def resolved(spec: dict) -> dict:
    return JobSpec.model_validate(spec).resolved()


def gpu_out_of_memory(*args, **kwargs):
    raise torch.OutOfMemoryError(
        "CUDA out of memory. Tried to allocate 20.00 GiB. GPU 0 has a total capacity of "
        "79.10 GiB of which 1.20 GiB is free.\nmore lines of advice")


def numpy_out_of_memory(*args, **kwargs):
    np.empty(10**16, np.uint8)  # 10 PB: more than any address space holds


def torch_cpu_out_of_memory(*args, **kwargs):
    torch.empty(10**16, dtype=torch.uint8)


@pytest.mark.parametrize(("fail", "device"), [(gpu_out_of_memory, "cuda"),
                                              (numpy_out_of_memory, "cpu"),
                                              (torch_cpu_out_of_memory, "cpu")])
def test_out_of_memory_fails_the_job_with_the_estimate_and_the_next_one_trains(
        app, unique, monkeypatch, fail, device):
    stores = app.state.stores
    settings = app.state.settings
    big = stores.jobs.create_job(RunCreate(project=f"oom-{unique}"), resolved(SMALL), epochs=1)
    with monkeypatch.context() as patched:
        patched.setattr(workers.training, "train", fail)
        outcome = run_job(stores.jobs, big.id, "test-worker", settings)

    done = stores.jobs.get_job(big.id)
    assert done.status == JobStatus.failed and outcome == f"failed: {done.error}"
    assert done.error.startswith(f"out of memory on this worker ({device}): ")
    estimate = estimate_training_memory(resolved(SMALL))
    assert f"; the spec's estimate was {format_bytes(estimate.total)} (weights " in done.error
    assert done.error.endswith("; use a smaller n_train")  # the dataset: its largest part
    assert "\n" not in done.error and "alloc_cpu.cpp" not in done.error

    after = stores.jobs.create_job(RunCreate(project=f"oom-{unique}"), resolved(SMALL), epochs=1)
    assert run_job(stores.jobs, after.id, "test-worker", settings).startswith("succeeded")


def test_other_errors_are_not_out_of_memory():
    assert out_of_memory(RuntimeError("mat1 and mat2 shapes cannot be multiplied")) is None
    assert out_of_memory(ValueError("can't allocate memory")) is None
    assert out_of_memory(MemoryError()) == "cpu"


WORKER = """
import json, os, resource, sys
import torch
torch.set_num_threads(1)
import workers.training  # what a worker has loaded when a job comes
from service.settings import Settings
from service.store import Stores
from workers.jobs import run_job

settings = Settings()
stores = Stores.open(settings.resolved_database_url())
stores.jobs.get_job(sys.argv[2])  # connected before the limit
for line in open("/proc/self/status"):
    if line.startswith("VmSize:"):
        size = int(line.split()[1]) * 1024
limit = size + int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
print(json.dumps([run_job(stores.jobs, job, "oom-worker", settings) for job in sys.argv[2:]]))
"""


def test_a_worker_out_of_memory_fails_the_job_and_trains_the_next(app, unique):
    """Real allocations under a 1.5 GiB address-space limit above what the worker has
    loaded: the big job (4 x 368 MB of weights, gradients and Adam's state) fails; the next
    one (5 x 117 MB) trains only if the first one's memory was given back."""
    stores = app.state.stores
    settings = app.state.settings
    images = {"name": "synthetic_images", "n_train": 256}
    big = resolved({"dataset": images, "model": {"arch": "mlp", "widths": [8192, 8192]},
                    "optimizer": {"name": "adam"},
                    "training": {"epochs": 1, "batch_size": 64, "device": "cpu"}})
    next_one = resolved({**big, "model": {"arch": "mlp", "widths": [4096, 4096]}})
    jobs = [stores.jobs.create_job(RunCreate(project=f"oom-real-{unique}"), spec, epochs=1)
            for spec in (big, next_one)]
    env = {**runtime.settings_env(settings), "PYTHONPATH": str(ROOT),
           "CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2"}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(WORKER), str(1536 * 1024**2),
         *(job.id for job in jobs)],
        capture_output=True, text=True, cwd=ROOT, timeout=300, env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    outcomes = json.loads(done.stdout.strip().splitlines()[-1])
    failed = stores.jobs.get_job(jobs[0].id)
    assert failed.status == JobStatus.failed, (outcomes, failed)
    assert failed.error.startswith("out of memory on this worker (cpu): ")
    assert "can't allocate memory" in failed.error
    estimate = estimate_training_memory(big)
    assert estimate.total > 1536 * 1024**2 > estimate_training_memory(next_one).total
    assert f"the spec's estimate was {format_bytes(estimate.total)} (" in failed.error
    assert failed.error.endswith("; use smaller widths")
    assert outcomes[1].startswith("succeeded"), outcomes
