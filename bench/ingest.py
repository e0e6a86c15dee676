"""Metric ingest throughput of the embedded server (SQLite), from one client.

Starts `fitdoc serve --no-worker` in a fresh data dir, posts N points in batches of B from
one HTTP client (keep-alive), and prints metrics/s and the p50/p99 latency of a batch.
Then it splits one batch's cost into its parts in-process (JSON + validation, the store's
write, the rest of the HTTP stack) to say where the time goes.

With `--paired N --vs NAME=VALUE` it compares the server as it is with the server with
one setting changed (a Settings field, e.g. diagnose_on_write=false): N rounds, each
running both, the order alternating; the figure is the median of the rounds' ratios (the
machine's drift cancels within a round).

    python bench/ingest.py [--points 100000] [--batch 1000]
    python bench/ingest.py --paired 6 --vs diagnose_on_write=false
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.embedded import (  # noqa: E402
    client_gc_paused,
    cpu_when_idle,
    embedded_api,
)


def make_batches(points: int, batch: int) -> list[bytes]:
    keys = ["train_loss", "val_loss", "train_acc", "val_acc"]
    bodies = []
    for start in range(0, points, batch):
        metrics = [
            {"key": keys[i % 4], "step": i // 4, "value": 1.0 / (1 + i)}
            for i in range(start, min(start + batch, points))
        ]
        bodies.append(json.dumps({"metrics": metrics}).encode())
    return bodies


def http_run(points: int, batch: int, **settings: object) -> dict[str, float]:
    with embedded_api(**settings) as (client, server):
        run = client.post("/api/v1/runs", json={"project": "bench"}).json()
        url = f"/api/v1/runs/{run['id']}/metrics"
        bodies = make_batches(points, batch)
        headers = {"content-type": "application/json"}
        client.post(url, content=make_batches(batch, batch)[0], headers=headers)  # warm
        latencies = []
        with client_gc_paused():
            cpu = cpu_when_idle(server.proc.pid)
            started = time.perf_counter()
            for body in bodies:
                t0 = time.perf_counter()
                response = client.post(url, content=body, headers=headers)
                latencies.append(time.perf_counter() - t0)
                response.raise_for_status()
            elapsed = time.perf_counter() - started
            cpu = cpu_when_idle(server.proc.pid) - cpu
        stored = sum(len(v) for v in client.get(url).json()["series"].values())
    latencies.sort()
    return {
        "metrics_per_s": points / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
        "stored": stored,
        "seconds": elapsed,
        "server_cpu_s": cpu,  # the API process's, until it was idle again
    }


def breakdown(batch: int, repeats: int = 50) -> dict[str, float]:
    """Milliseconds per batch for each part, measured in-process on a SQLite file."""
    from service.schemas import MetricBatch, RunCreate
    from service.store import Stores, migrate

    with tempfile.TemporaryDirectory() as data:
        url = f"sqlite:///{data}/b.db"
        migrate.upgrade(url)
        stores = Stores.open(url)
        run = stores.tracking.create_run(RunCreate(project="bench"))
        bodies = make_batches(batch * repeats, batch)

        t0 = time.perf_counter()
        parsed = [MetricBatch.model_validate_json(b) for b in bodies]
        parse = (time.perf_counter() - t0) / repeats

        t0 = time.perf_counter()
        for p in parsed:
            stores.tracking.log_metrics(run.id, p.metrics)
        write = (time.perf_counter() - t0) / repeats
        stores.db.dispose()
    return {"parse_validate_ms": 1000 * parse, "store_write_ms": 1000 * write}


def paired(points: int, batch: int, rounds: int, setting: str) -> None:
    """The server as it is (A) and with `setting` NAME=VALUE (B), in alternating order."""
    name, _, value = setting.partition("=")
    variant = {name: value}
    print(f"embedded server (SQLite), 1 client, {points} points in batches of {batch}; "
          f"A: as configured, B: {setting}; {rounds} paired rounds")
    ratios, cpu_ratios = [], []
    for r in range(rounds):
        order = [("A", {}), ("B", variant)] if r % 2 == 0 else [("B", variant), ("A", {})]
        rates, cpu = {}, {}
        for label, settings in order:
            result = http_run(points, batch, **settings)
            if result["stored"] != points:
                sys.exit(f"stored {result['stored']} points, expected {points}")
            rates[label], cpu[label] = result["metrics_per_s"], result["server_cpu_s"]
        ratios.append(rates["A"] / rates["B"])
        cpu_ratios.append(cpu["A"] / cpu["B"])
        print(f"  round {r + 1} ({order[0][0]} first): A {rates['A']:>9,.0f} metrics/s "
              f"(server CPU {cpu['A']:.2f} s)  B {rates['B']:>9,.0f} metrics/s "
              f"(server CPU {cpu['B']:.2f} s)  A/B {ratios[-1]:.3f}, CPU {cpu_ratios[-1]:.2f}")
    for name, values in (("metrics/s", ratios), ("server CPU", cpu_ratios)):
        print(f"{name} A/B: median {statistics.median(values):.3f} (rounds "
              f"{min(values):.3f} - {max(values):.3f})")
    print(f"load average {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--paired", type=int, metavar="N", help="paired rounds with --vs")
    parser.add_argument("--vs", metavar="NAME=VALUE", help="the setting B changes")
    args = parser.parse_args()
    if args.paired:
        if not args.vs:
            parser.error("--paired needs --vs NAME=VALUE")
        paired(args.points, args.batch, args.paired, args.vs)
        return

    result = http_run(args.points, args.batch)
    parts = breakdown(args.batch)
    per_batch_ms = 1000 * result["seconds"] / (args.points / args.batch)
    rest = per_batch_ms - parts["parse_validate_ms"] - parts["store_write_ms"]

    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, python {platform.python_version()}"
    )
    print(f"embedded server (SQLite), 1 client, {args.points} points in batches of {args.batch}")
    print(f"  throughput  {result['metrics_per_s']:>10,.0f} metrics/s")
    print(f"  latency     p50 {result['p50_ms']:.1f} ms   p99 {result['p99_ms']:.1f} ms")
    print(f"  stored      {result['stored']} points")
    print(f"where one batch's {per_batch_ms:.1f} ms go (in-process, same SQLite settings):")
    print(f"  JSON parse + pydantic validation  {parts['parse_validate_ms']:6.1f} ms")
    print(f"  store write (upsert, commit)      {parts['store_write_ms']:6.1f} ms")
    print(f"  HTTP stack, FastAPI, client       {rest:6.1f} ms")
    if result["stored"] != args.points:
        sys.exit(f"stored {result['stored']} points, expected {args.points}")


if __name__ == "__main__":
    main()
