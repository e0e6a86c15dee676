"""Take-over after a crash, repeated: a job's worker (its whole process group) is killed
with SIGKILL at a random epoch, a new worker is started, and the job must finish,
resumed from its last saved epoch, with each epoch once in its metrics.

    python bench/takeover.py                       # 20 trials on each backend
    python bench/takeover.py --trials 5 --backend filesystem+sqlite

Backends: redis+postgresql (the shared Redis on 127.0.0.1:6379, a queue of its own, a
throw-away PostgreSQL database) and filesystem+sqlite (the embedded mode). The API runs in
`fitdoc serve --no-worker`, the sweeper in `fitdoc beat` (lease 6 s, a sweep every 1 s, as
in the tests). Take-over time: from the kill to the first epoch the new attempt records.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.embedded import pg_database  # noqa: E402
from fitdoc import runtime  # noqa: E402
from service.settings import Settings  # noqa: E402
from service.store import migrate  # noqa: E402

REDIS = os.environ.get("FITDOC_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
WORKER_ENV = {"CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": "1"}  # as the tests
SPEC = {
    "dataset": {"name": "mnist1d"},
    "model": {"arch": "mlp", "widths": [256, 256], "dropout": 0.2},
    "optimizer": {"name": "adam", "lr": 0.001},
    "training": {"epochs": 30, "batch_size": 32, "device": "cpu", "seed": 3},
}


def trial(api: httpx.Client, settings: Settings, worker: subprocess.Popen, rng: random.Random):
    """One kill and take-over; returns (ok, take-over seconds, redone epochs, new worker)."""
    job = api.post("/api/v1/jobs", json={"project": "takeover", "spec": SPEC}).json()
    at = rng.randint(2, SPEC["training"]["epochs"] - 8)
    while True:
        seen = api.get(f"/api/v1/jobs/{job['id']}").json()
        if seen["progress"]["epoch"] >= at:
            break
        time.sleep(0.02)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    killed = time.monotonic()
    dead = api.get(f"/api/v1/jobs/{job['id']}").json()["progress"]["epoch"]
    worker = runtime.start_worker(settings, settings.data_dir / "worker.log",
                                  env=WORKER_ENV)
    taken = None
    deadline = killed + 300
    while time.monotonic() < deadline:
        now = api.get(f"/api/v1/jobs/{job['id']}").json()
        if taken is None and now["attempts"] >= 2 and (
                now["progress"]["epoch"] > (now["resumed_from_epoch"] or 0)):
            taken = time.monotonic() - killed
        if now["status"] in ("succeeded", "failed", "cancelled"):
            break
        time.sleep(0.05)
    resumed = now.get("resumed_from_epoch")
    steps = api.get(f"/api/v1/runs/{job['run_id']}/metrics").json()["series"]["train_loss"]
    once = [p["step"] for p in steps] == list(range(SPEC["training"]["epochs"]))
    ok = (now["status"] == "succeeded" and once and resumed is not None
          and dead - 1 <= resumed <= dead)
    redone = dead - resumed if resumed is not None else None
    return ok, taken, redone, worker, (at, dead, resumed, now["status"], once)


def backend_run(backend: str, trials: int, seed: int) -> dict:
    rng = random.Random(seed)
    with ExitStack() as stack:
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fitdoc-takeover-")))
        if backend == "redis+postgresql":
            url = stack.enter_context(pg_database())
            broker = REDIS
        else:
            url, broker = "", ""
        settings = runtime.embedded_settings(
            data_dir, database_url=url, broker_url=broker, job_lease_seconds=6,
            sweep_seconds=1.0, queue=f"fitdoc-takeover-{uuid.uuid4().hex[:8]}")
        migrate.upgrade(settings.resolved_database_url())
        stack.callback(runtime.purge_broker, settings)  # runs last: after everything stopped
        server = stack.enter_context(runtime.serve_process(settings))
        if not settings.embedded:  # `fitdoc serve` starts the sweeper only when embedded
            stack.enter_context(runtime.beat_process(settings))
        api = stack.enter_context(httpx.Client(base_url=server.url, timeout=30))
        worker = runtime.start_worker(settings, data_dir / "worker.log",
                                      env=WORKER_ENV)
        results = []
        try:
            for i in range(trials):
                ok, taken, redone, worker, detail = trial(api, settings, worker, rng)
                results.append((ok, taken, redone))
                print(f"  {backend} trial {i + 1}: {'ok' if ok else 'FAILED'} "
                      f"take-over {taken if taken is None else round(taken, 1)} s, "
                      f"(kill at epoch >= {detail[0]}, {detail[1]} recorded, resumed from "
                      f"{detail[2]}, {detail[3]}, each step once: {detail[4]})", flush=True)
        finally:
            runtime.stop_process(worker, timeout=30)
    times = [t for ok, t, _ in results if t is not None]
    return {
        "ok": sum(ok for ok, _, _ in results), "trials": trials,
        "median": statistics.median(times) if times else None,
        "min": min(times, default=None), "max": max(times, default=None),
        "redone": sorted({r for _, _, r in results if r is not None}),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--backend", choices=("redis+postgresql", "filesystem+sqlite", "both"),
                        default="both")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    backends = (["redis+postgresql", "filesystem+sqlite"] if args.backend == "both"
                else [args.backend])
    rows = {b: backend_run(b, args.trials, args.seed) for b in backends}
    print("\n| backend | jobs finished, resumed, each epoch once | take-over median | min - max |"
          " epochs redone |")
    print("| --- | --- | --- | --- | --- |")
    for b, r in rows.items():
        print(f"| {b} | {r['ok']}/{r['trials']} | {r['median']:.1f} s | {r['min']:.1f} - "
              f"{r['max']:.1f} s | {r['redone']} |")
    return 0 if all(r["ok"] == r["trials"] for r in rows.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
