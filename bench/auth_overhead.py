"""What authentication, the project check and the request limit cost per request.

Paired rounds on one machine, in one run: the same embedded server (`fitdoc serve
--no-worker`, SQLite) started four ways, in a rotating order each round —

- before:    the code of `--before` (a commit before access control), auth off;
- off:       this checkout, auth off (the request limit still counts, per client address);
- bootstrap: this checkout, FITDOC_API_TOKEN set and sent (no lookup);
- token:     this checkout, a project-bound write token made through the API (a SHA-256
             lookup in the database per request, the run's project checked on each post).

Each side posts `--requests` small metric batches (10 points: the per-request cost
dominates) and reads the run `--reads` times, from one keep-alive client; it prints the
median latency of each and the ratio to `before` per round.

    python bench/auth_overhead.py [--before 3e8c8a5] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.embedded import client_gc_paused  # noqa: E402
from fitdoc import runtime  # noqa: E402

BOOT = "bench-bootstrap-token"


@contextmanager
def server(side: str, before: Path):
    with tempfile.TemporaryDirectory() as data:
        settings = runtime.embedded_settings(Path(data))
        if side in ("bootstrap", "token"):
            settings = settings.model_copy(update={"api_token": BOOT})
        saved = os.environ.get("PYTHONPATH")
        if side == "before":  # the old tree's packages come first on the child's path
            os.environ["PYTHONPATH"] = str(before)
        try:
            with runtime.serve_process(settings) as running:
                if saved is None:
                    os.environ.pop("PYTHONPATH", None)
                else:
                    os.environ["PYTHONPATH"] = saved
                headers = {"Authorization": f"Bearer {BOOT}"} if side != "off" else {}
                if side == "before":
                    headers = {}
                with httpx.Client(base_url=running.url, timeout=60, headers=headers) as client:
                    if side == "token":
                        made = client.post("/api/v1/tokens",
                                           json={"role": "write", "project": "bench"})
                        client.headers["Authorization"] = f"Bearer {made.json()['token']}"
                    yield client
        finally:
            if saved is None:
                os.environ.pop("PYTHONPATH", None)
            else:
                os.environ["PYTHONPATH"] = saved


def measure(client: httpx.Client, requests: int, reads: int) -> dict[str, float]:
    run = client.post("/api/v1/runs", json={"project": "bench"})
    assert run.status_code == 201, run.text
    run_id = run.json()["id"]
    url = f"/api/v1/runs/{run_id}/metrics"
    headers = {"content-type": "application/json"}
    bodies = [
        json.dumps({"metrics": [{"key": f"k{j}", "step": i, "value": 1.0 / (1 + i)}
                                for j in range(10)]}).encode()
        for i in range(requests)
    ]
    for body in bodies[:50]:  # warm-up
        client.post(url, content=body, headers=headers)
    posts, gets = [], []
    with client_gc_paused():
        for body in bodies:
            started = time.perf_counter()
            response = client.post(url, content=body, headers=headers)
            posts.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
        for _ in range(reads):
            started = time.perf_counter()
            response = client.get(f"/api/v1/runs/{run_id}")
            gets.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
    return {"post_ms": statistics.median(posts) * 1e3, "get_ms": statistics.median(gets) * 1e3}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="3e8c8a5")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--reads", type=int, default=1000)
    args = parser.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    sides = ["before", "off", "bootstrap", "token"]
    results: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
    with tempfile.TemporaryDirectory() as tree:
        before = Path(tree) / "before"
        subprocess.run(["git", "worktree", "add", "--detach", str(before), args.before],
                       cwd=ROOT, check=True, capture_output=True)
        try:
            for round_ in range(args.rounds):
                order = sides[round_ % 4:] + sides[:round_ % 4]
                for side in order:
                    with server(side, before) as client:
                        results[side].append(measure(client, args.requests, args.reads))
                line = "  ".join(
                    f"{s}: post {results[s][-1]['post_ms']:.2f} ms, get "
                    f"{results[s][-1]['get_ms']:.2f} ms" for s in sides)
                print(f"round {round_ + 1}: {line}", flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(before)], cwd=ROOT,
                           capture_output=True)
    print(f"\ncommit {commit} vs {args.before}; {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores; {args.requests} posts of 10 points and {args.reads} "
          f"GET /runs/{{id}} per side per round, {args.rounds} rounds\n")
    print("| side | POST metrics p50 (ms), per round | ratio to before | GET run p50 (ms) "
          "| ratio |")
    print("| --- | --- | --- | --- | --- |")
    for side in sides:
        posts = [r["post_ms"] for r in results[side]]
        gets = [r["get_ms"] for r in results[side]]
        post_ratio = [p / b["post_ms"] for p, b in zip(posts, results["before"], strict=True)]
        get_ratio = [g / b["get_ms"] for g, b in zip(gets, results["before"], strict=True)]
        print(f"| {side} | {' / '.join(f'{p:.2f}' for p in posts)} | "
              f"{statistics.median(post_ratio):.3f} | {' / '.join(f'{g:.2f}' for g in gets)} "
              f"| {statistics.median(get_ratio):.3f} |")


if __name__ == "__main__":
    main()
