"""Every experiment kind on cases whose answer is known, through the service, on the CPU.

Starts `fitdoc serve` (embedded: SQLite, the filesystem broker, one worker and the sweeper)
in a fresh data dir plus a second worker, runs each case through POST /api/v1/experiments,
waits for it, and prints its verdict against the expected one, its jobs and its wall time.
Workers use one torch thread each (2-core machine).

    python bench/experiments.py [--only KIND ...]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from fitdoc import runtime  # noqa: E402


def mnist1d(model: dict, optimizer: dict | None = None, epochs: int = 15, **dataset) -> dict:
    return {"dataset": {"name": "mnist1d", "n_train": 2000, **dataset}, "model": model,
            "optimizer": optimizer or {"name": "adam"}, "training": {"epochs": epochs}}


MLP = {"arch": "mlp", "width": 128}


def npz_datasets(root: Path) -> None:
    """mnist1d with its labels shuffled (no signal), and with its classes renamed (the same
    inputs, another task: for transfer)."""
    from mnist1d.data import get_dataset_args, make_dataset

    data = make_dataset(get_dataset_args())  # the generator the workers use
    x, y = data["x"].astype(np.float32), data["y"].astype(np.int64)
    rng = np.random.default_rng(0)
    root.mkdir(parents=True, exist_ok=True)
    np.savez(root / "shuffled.npz", x=x, y=rng.permutation(y))
    # (N, 1, 40): a sequence, the shape the mnist1d source model was built for
    np.savez(root / "renamed.npz", x=x[:1000, None, :], y=(y[:1000] + 3) % 10)


def cases(source_job: str | None) -> list[tuple[str, str, dict, dict, str]]:
    """(kind, case, spec, options, expected verdict)."""
    out = [
        ("initial_loss", "mlp on mnist1d", mnist1d(MLP), {}, "ok"),
        ("initial_loss", "shuffled labels",
         {**mnist1d(MLP), "dataset": {"name": "npz", "path": "shuffled.npz"}}, {},
         "labels_not_learnable"),
        ("overfit_small", "mlp, 32 samples", mnist1d(MLP), {"samples": 32, "epochs": 150},
         "can_overfit"),
        ("overfit_small", "SGD lr 1e-5", mnist1d(MLP, {"name": "sgd", "lr": 1e-5}),
         {"samples": 32, "epochs": 60}, "cannot_overfit"),
        ("lr_range", "mlp, Adam", mnist1d(MLP), {"steps": 100}, "suggested_lr"),
        ("shallow_vs_deep", "linear model", mnist1d({"arch": "linear"}), {}, "model_bias"),
        ("shallow_vs_deep", "10-layer sigmoid, SGD",
         mnist1d({"arch": "mlp", "depth": 10, "width": 64, "activation": "sigmoid"},
                 {"name": "sgd", "lr": 0.05, "momentum": 0.9}), {}, "optimization_issue"),
        ("hessian", "mlp trained 30 epochs", mnist1d({"arch": "mlp", "width": 32},
                                                     epochs=30), {}, "*"),
        ("cross_validation", "5 folds, width 32 vs 256",
         mnist1d({"arch": "mlp", "width": 32}, epochs=10),
         {"folds": 5, "candidates": [{"model": {"width": 256}}]}, "*"),
        ("ensemble", "5 seeds of an mlp",
         mnist1d({"arch": "mlp", "width": 128}, epochs=20, n_train=4000), {"members": 5},
         "ensemble_better"),
        ("sweep", "SGD lr 1e-4..1, 3 points",
         mnist1d({"arch": "mlp", "width": 64}, {"name": "sgd", "momentum": 0.9}, epochs=10,
                 n_train=1000),
         {"fields": {"optimizer.lr": [1e-4, 1.0]}, "points": 3, "epochs": 4}, "best_found"),
    ]
    if source_job:
        out.append(("transfer", "mnist1d -> its classes renamed, fine-tuned",
                    {**mnist1d(MLP, epochs=10), "dataset": {"name": "npz",
                                                            "path": "renamed.npz"}},
                    {"source_job_id": source_job}, "transfer_helps"))
    return out


def run(client: httpx.Client, kind: str, spec: dict, options: dict) -> tuple[dict, float]:
    started = time.perf_counter()
    made = client.post("/api/v1/experiments",
                       json={"project": "bench", "kind": kind, "spec": spec,
                             "options": options})
    assert made.status_code == 202, made.text
    url = f"/api/v1/experiments/{made.json()['id']}"
    while True:
        experiment = client.get(url).json()
        if experiment["status"] in ("succeeded", "failed", "cancelled"):
            return experiment, time.perf_counter() - started
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    os.environ["OMP_NUM_THREADS"] = "1"  # the workers' torch threads (inherited)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    rows = []
    with tempfile.TemporaryDirectory() as data:
        settings = runtime.embedded_settings(Path(data))
        npz_datasets(settings.data_dir / "datasets")
        with runtime.serve_process(settings, worker=True) as server, \
                runtime.worker_process(settings, settings.data_dir / "worker-2.log"), \
                httpx.Client(base_url=server.url, timeout=60) as client:
            source = client.post("/api/v1/jobs", json={"project": "bench",
                                                       "spec": mnist1d(MLP, epochs=10)})
            source_id = source.json()["id"]
            for kind, case, spec, options, expected in cases(source_id):
                if args.only and kind not in args.only:
                    continue
                if kind == "transfer":  # its source must have been trained
                    while client.get(f"/api/v1/jobs/{source_id}").json()["status"] in (
                            "queued", "running"):
                        time.sleep(0.2)
                experiment, seconds = run(client, kind, spec, options)
                verdict = experiment["verdict"] or f"{experiment['status']}: " \
                    f"{experiment['error'] or ''}"
                ok = expected == "*" and experiment["status"] == "succeeded" or \
                    verdict == expected
                says = (experiment["result"] or {}).get("says", "")
                rows.append((kind, case, verdict, expected, ok, len(experiment["jobs"]),
                             seconds, says))
                print(f"{kind:16} {case:38} {verdict:22} ({'ok' if ok else 'MISS'}) "
                      f"{len(experiment['jobs'])} jobs {seconds:6.1f} s", flush=True)
    print(f"\ncommit {commit}; {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, 2 workers (1 torch thread each)\n")
    print("| kind | case | verdict (expected) | jobs | wall time | what it says |")
    print("| --- | --- | --- | ---: | ---: | --- |")
    for kind, case, verdict, expected, ok, jobs, seconds, says in rows:
        mark = "" if ok else " **miss**"
        print(f"| {kind} | {case} | {verdict} ({expected}){mark} | {jobs} | {seconds:.1f} s "
              f"| {says[:140]} |")


if __name__ == "__main__":
    main()
