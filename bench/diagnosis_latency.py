"""Latency of `GET /runs/{id}/diagnosis` for a run of 1,000 epochs x 6 keys.

Starts `fitdoc serve --no-worker` on a fresh data dir (SQLite, bench/embedded.py),
logs a realistic 1,000-epoch run (the canonical keys, with an overfitting turn), then times:
- recompute: a new point arrives before every GET, so the advisor runs each time
  (read 6,000 points, diagnose, store the cache);
- cached: no new points, the stored diagnosis is returned;
- and GET /healthz, the floor any request pays on the machine, for scale.

    python bench/diagnosis_latency.py [--epochs 1000] [--requests 200]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.embedded import client_gc_paused, embedded_server  # noqa: E402


def curves(epochs: int) -> list[dict]:
    """Train loss falls; validation loss falls, then turns up after 40% of the run."""
    points = []
    turn = int(0.4 * epochs)
    for e in range(epochs):
        train = 2.3 * math.exp(-e / (epochs / 8)) + 0.02
        val = 2.3 * math.exp(-min(e, turn) / (epochs / 8)) + 0.1 + 0.0004 * max(0, e - turn)
        values = {
            "train_loss": train,
            "val_loss": val,
            "train_acc": 1 - train / 2.5,
            "val_acc": 1 - val / 2.5,
            "lr": 1e-3,
            "grad_norm": 1.0 / (1 + e / 50),
        }
        points += [{"key": k, "step": e, "value": v} for k, v in values.items()]
    return points


def percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def time_requests(
    http: httpx.Client, base: str, points: list[dict], requests: int
) -> tuple[list[float], list[float], list[float]]:
    """Milliseconds of `requests` GETs each: recompute, cached, and GET /healthz."""
    recompute, cached, floor = [], [], []
    last = points[-1]["step"]
    for i in range(requests):
        # Overwrite the last point: a new revision, same curves.
        value = points[-6]["value"] * (1 + 1e-9 * (i % 2))
        bump = {"metrics": [{"key": "train_loss", "step": last, "value": value}]}
        http.post(f"{base}/metrics", json=bump)
        t0 = time.perf_counter()
        http.get(f"{base}/diagnosis").raise_for_status()
        recompute.append(1000 * (time.perf_counter() - t0))
    for _ in range(requests):
        t0 = time.perf_counter()
        http.get(f"{base}/diagnosis").raise_for_status()
        cached.append(1000 * (time.perf_counter() - t0))
    # The floor: what any request costs on this machine (one tiny query, no advisor).
    for _ in range(requests):
        t0 = time.perf_counter()
        http.get("/healthz").raise_for_status()
        floor.append(1000 * (time.perf_counter() - t0))
    return recompute, cached, floor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    with embedded_server() as http:
        database = http.get("/healthz").json()["database"]
        meta = {"task": "classification", "num_classes": 10, "planned_epochs": args.epochs}
        run = http.post(
            "/api/v1/runs", json={"project": "bench", "params": {"lr": 1e-3}, "meta": meta}
        ).json()
        base = f"/api/v1/runs/{run['id']}"
        points = curves(args.epochs)
        for i in range(0, len(points), 5000):
            http.post(f"{base}/metrics", json={"metrics": points[i : i + 5000]})
        status = http.get(f"{base}/diagnosis").json()["status"]

        with client_gc_paused():
            recompute, cached, floor = time_requests(http, base, points, args.requests)

    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, python {platform.python_version()}"
    )
    print(f"database {database}; run of {args.epochs} epochs x 6 keys; diagnosis: {status}")
    print(f"{'GET /diagnosis':<34}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    rows = (
        ("recompute (new points each time)", recompute),
        ("cached", cached),
        ("GET /healthz (the machine's floor)", floor),
    )
    for name, values in rows:
        values.sort()
        print(
            f"{name:<34}{statistics.median(values):>9.2f}{percentile(values, 0.99):>9.2f}"
            f"{values[-1]:>9.2f}"
        )


if __name__ == "__main__":
    main()
