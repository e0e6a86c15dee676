"""The stock MLflow client's `log_batch` into fitdoc vs into `mlflow server` (issue 15).

Starts `mlflow server` (SQLite, from .venv-mlflow: `make mlflow-venv`) and `fitdoc serve
--no-worker` (embedded: SQLite) on this machine, then one client process — the stock
`MlflowClient` of mlflow-skinny in .venv when it is installed there, else the full mlflow
of .venv-mlflow — logs the same workload to each: per round and server, a new run and
`--batches` calls of `MlflowClient().log_batch(run_id, metrics=[...])` with `--batch` metrics
each (10 keys, every point at a new step, so nothing is deduplicated). Rounds are paired, the
order alternating (fitdoc first, then MLflow first, ...); the figure is each server's
points/s per round, their median, and the median of the rounds' ratios (a drift of the
machine cancels within a round). A first round warms both up and is not counted.

`--targets` adds `fitdoc-v1`: the same points through fitdoc's own API (POST
/api/v1/runs/{id}/metrics, the same batches as JSON with `requests`), for reference.
fitdoc's MLflow endpoint is /api/2.0/mlflow/runs/log-batch (service/api/mlflow.py).

    python bench/mlflow_ingest.py [--rounds 5] [--batches 10] [--batch 1000]
                                  [--targets fitdoc,mlflow,fitdoc-v1]

The client's own process runs this file with `--client` (only mlflow and the standard
library imported there). Its cyclic garbage collector is off during the timed calls (a full
collection before each series): measured per call, the client's own gen-2 collections of its
heap (mlflow's modules, the batches) took 65-80 ms, once or twice a series, falling into
whichever server's series the client was timing — a third of one of fitdoc's ~0.2 s series,
a twentieth of one of MLflow's ~1 s. That was the "two rounds in six ~25% slower" noise.
`--client-gc` leaves the collector on, as before.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEYS = [f"metric_{i}" for i in range(10)]


def client_main(argv: list[str]) -> None:
    """In the client process: for each (round, target) of the plan on stdin, a new run and
    the timed log_batch calls; prints a JSON line per measurement."""
    import mlflow
    import requests
    from mlflow import MlflowClient
    from mlflow.entities import Metric

    plan = json.loads(sys.stdin.read())
    clients = {name: MlflowClient(tracking_uri=url) for name, url in plan["urls"].items()}
    batches, size = plan["batches"], plan["batch"]
    http = requests.Session()
    print(json.dumps({"client": f"mlflow {mlflow.__version__}", "python": sys.executable}),
          flush=True)
    for round_no, order in enumerate(plan["rounds"]):
        for target in order:
            client = clients["fitdoc" if target == "fitdoc-v1" else target]
            experiment = f"bench-{round_no}-{target}-{time.time_ns()}"
            experiment_id = client.create_experiment(experiment)
            run_id = client.create_run(experiment_id).info.run_id
            stamp = int(time.time() * 1000)
            work = []
            for b in range(batches):
                work.append([Metric(KEYS[i % len(KEYS)], 1.0 / (1 + b * size + i), stamp,
                                    (b * size + i) // len(KEYS)) for i in range(size)])
            if target == "fitdoc-v1":
                url = f"{plan['urls']['fitdoc']}/api/v1/runs/{run_id}/metrics"
                bodies = [json.dumps({"metrics": [
                    {"key": m.key, "step": m.step, "value": m.value} for m in batch]})
                    for batch in work]
            else:
                bodies = None
            if not plan["client_gc"]:
                gc.collect()
                gc.disable()
            start, cpu = time.perf_counter(), time.process_time()
            if bodies is not None:
                for body in bodies:
                    answer = http.post(url, data=body,
                                       headers={"content-type": "application/json"})
                    answer.raise_for_status()
            else:
                for batch in work:
                    client.log_batch(run_id, metrics=batch)
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            gc.enable()
            print(json.dumps({"round": round_no, "target": target, "seconds": seconds,
                              "client_cpu": cpu, "points": batches * size}), flush=True)


def client_python() -> tuple[str, str]:
    """The interpreter with the stock client: .venv's (mlflow-skinny) when it has one."""
    probe = subprocess.run([sys.executable, "-c", "import mlflow, requests"],
                           capture_output=True)
    if probe.returncode == 0:
        return sys.executable, "mlflow-skinny in .venv"
    sys.path.insert(0, str(ROOT))
    from fitdoc.runtime import MLFLOW_VENV

    return str(MLFLOW_VENV / "bin" / "python"), "mlflow in .venv-mlflow"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="paired rounds (after a warm-up)")
    parser.add_argument("--batches", type=int, default=10, help="log_batch calls per run")
    parser.add_argument("--batch", type=int, default=1000, help="metrics per call (<= 1000)")
    parser.add_argument("--targets", default="fitdoc,mlflow")
    parser.add_argument("--out", type=Path, help="write the results as JSON here too")
    parser.add_argument("--client-gc", action="store_true",
                        help="leave the client's cyclic GC on during the timed calls")
    args = parser.parse_args()
    targets = args.targets.split(",")
    sys.path.insert(0, str(ROOT))
    import tempfile

    from fitdoc import runtime

    python, which = client_python()
    with tempfile.TemporaryDirectory() as tmp:
        settings = runtime.embedded_settings(Path(tmp) / "fitdoc")
        with (
            runtime.mlflow_server(Path(tmp) / "mlflow") as mlflow_url,
            runtime.serve_process(settings) as fitdoc,
        ):
            urls = {"fitdoc": fitdoc.url, "mlflow": mlflow_url}
            # warm-up, then the paired rounds: the order turns by one each round
            rounds = [targets] + [targets[r % len(targets):] + targets[:r % len(targets)]
                                  for r in range(args.rounds)]
            plan = {"urls": urls, "rounds": rounds, "batches": args.batches,
                    "batch": args.batch, "client_gc": args.client_gc}
            env = {**os.environ, "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
                   "MLFLOW_ENABLE_ASYNC_LOGGING": "false"}
            done = subprocess.run([python, __file__, "--client"], input=json.dumps(plan),
                                  capture_output=True, text=True, env=env, timeout=3600)
            if done.returncode != 0:
                sys.exit(f"the client failed:\n{done.stderr[-4000:]}")
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    header, measured = lines[0], [m for m in lines[1:] if m["round"] > 0]
    rate = {t: [m["points"] / m["seconds"] for m in measured if m["target"] == t]
            for t in targets}
    print(f"client: {header['client']} ({which}); {args.rounds} paired rounds after a "
          f"warm-up, {args.batches} x log_batch({args.batch} metrics) per run and server; "
          f"the client's GC {'on' if args.client_gc else 'off'} while timed")
    # the client's own CPU time per call: its share of the wall time is not the server's
    client_ms = {t: statistics.median(1000 * m["client_cpu"] / args.batches for m in measured
                                      if m["target"] == t) for t in targets}
    for t in targets:
        print(f"  {t:<10} points/s per round: "
              + ", ".join(f"{r:,.0f}" for r in rate[t])
              + f"   median {statistics.median(rate[t]):,.0f}"
              + f"   (the client's CPU: {client_ms[t]:.0f} ms per call)")
    result = {"client": header["client"], "rounds": args.rounds, "batches": args.batches,
              "batch": args.batch, "client_gc": args.client_gc, "rates": rate,
              "client_cpu_ms_per_call": client_ms}
    if "fitdoc" in rate and "mlflow" in rate:
        ratios = [f / m for f, m in zip(rate["fitdoc"], rate["mlflow"], strict=True)]
        result["ratios"] = ratios
        print("  fitdoc / mlflow per round: " + ", ".join(f"{r:.1f}x" for r in ratios)
              + f"   median {statistics.median(ratios):.1f}x (target >= 5x)")
    if args.out:
        args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--client"]:
        client_main(sys.argv[2:])
    else:
        main()
