"""How many CPU threads the embedded worker should train with (Settings.worker_threads).

`fitdoc serve` in the embedded mode (SQLite, the filesystem broker, the sweeper and one
worker beside the API, as `make demo` runs it) trains a job while the API is kept busy by
`--load` client threads logging metrics to other runs and reading their diagnoses, as a lab
does. Each round starts a fresh installation per setting: the worker at one thread, and at
torch's default (one per core: `--threads` 0 sets it to os.cpu_count() explicitly); the
order turns each round. The figure is each job's median epoch time (the worker's own
`epoch_time` metric, the first epoch left out) and the median of the rounds' ratios.

    python bench/worker_threads.py [--rounds 3] [--epochs 15] [--load 2] [--threads 0]
    python bench/worker_threads.py --load 0              # the worker alone
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fitdoc import runtime  # noqa: E402

SPEC = {
    "dataset": {"name": "mnist1d"},
    "model": {"arch": "mlp", "width": 256, "depth": 2},
    "optimizer": {"name": "adam"},
}


def _load(url: str, stop: threading.Event, made: list[int]) -> None:
    """A client logging 100 points at a time to runs of its own and reading their
    diagnoses, as fast as the API answers."""
    with httpx.Client(base_url=url, timeout=30) as client:
        project = f"load-{uuid.uuid4().hex[:8]}"
        step = 0
        run = client.post("/api/v1/runs", json={"project": project}).json()["id"]
        while not stop.is_set():
            points = [{"key": k, "step": step + i, "value": 1.0 / (1 + step + i)}
                      for i in range(50) for k in ("train_loss", "val_loss")]
            client.post(f"/api/v1/runs/{run}/metrics", json={"metrics": points})
            client.get(f"/api/v1/runs/{run}/diagnosis")
            step += 50
            made[0] += 1
            if step >= 5000:  # a new run now and then, as new jobs start
                run = client.post("/api/v1/runs", json={"project": project}).json()["id"]
                step = 0


def one_job(threads: int, epochs: int, load: int) -> tuple[float, int]:
    """(median epoch seconds, requests the load made) of one job on a fresh installation
    whose worker trains with `threads` threads."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = runtime.embedded_settings(Path(tmp) / "fitdoc", worker_threads=threads)
        with runtime.serve_process(settings, worker=True) as server:
            stop, made = threading.Event(), [0]
            loaders = [threading.Thread(target=_load, args=(server.url, stop, made))
                       for _ in range(load)]
            for loader in loaders:
                loader.start()
            try:
                with httpx.Client(base_url=server.url, timeout=30) as client:
                    spec = {**SPEC, "training": {"epochs": epochs}}
                    job = client.post("/api/v1/jobs", json={"project": "threads",
                                                             "spec": spec}).json()
                    deadline = time.monotonic() + 900
                    while time.monotonic() < deadline:
                        state = client.get(f"/api/v1/jobs/{job['id']}").json()
                        if state["status"] in ("succeeded", "failed", "cancelled"):
                            break
                        time.sleep(0.5)
                    if state["status"] != "succeeded":
                        sys.exit(f"the job did not succeed: {state}")
                    series = client.get(f"/api/v1/runs/{job['run_id']}/metrics",
                                        params={"keys": "epoch_time"}).json()
            finally:
                stop.set()
                for loader in loaders:
                    loader.join()
    times = [p["value"] for p in series["series"]["epoch_time"]][1:]
    return statistics.median(times), made[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--load", type=int, default=2, help="client threads busying the API")
    parser.add_argument("--threads", type=int, default=0,
                        help="the setting compared with one thread (0: os.cpu_count())")
    args = parser.parse_args()
    many = args.threads or os.cpu_count() or 1
    print(f"{os.cpu_count()} CPUs; one thread vs {many}; load {args.load}; "
          f"{args.epochs} epochs of {SPEC['model']}")
    ratios = []
    for r in range(args.rounds):
        order = (1, many) if r % 2 == 0 else (many, 1)
        seconds = {}
        for threads in order:
            seconds[threads], requests = one_job(threads, args.epochs, args.load)
            print(f"  round {r}: {threads} thread(s): {1000 * seconds[threads]:.0f} ms an "
                  f"epoch ({requests} load requests)", flush=True)
        ratios.append(seconds[many] / seconds[1])
    print(f"epoch time at {many} threads / at one thread, per round: "
          + ", ".join(f"{x:.2f}" for x in ratios)
          + f"; median {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
