"""How long a fresh server takes to accept its first job.

Starts `fitdoc serve --no-worker` several times (each on a fresh data dir and a free port,
through fitdoc/runtime.py) and, once /healthz has answered, times the first
`POST /api/v1/jobs` (a small valid spec), then a second one for comparison; says whether the
server process has loaded torch (libtorch in /proc/<pid>/maps). Prints each start and the
medians.

    python bench/first_job_latency.py [--starts 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from fitdoc import runtime

JOB = {
    "project": "p",
    "spec": {
        "dataset": {"name": "mnist1d"},
        "model": {"arch": "mlp"},
        "optimizer": {"name": "adam"},
        "training": {"epochs": 1},
    },
}


def torch_loaded(pid: int) -> bool | None:
    """Whether the process has libtorch mapped; None where /proc does not say."""
    try:
        return "libtorch" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return None


def post_job(http: httpx.Client) -> float:
    """Seconds for one POST /api/v1/jobs, which must be accepted."""
    start = time.perf_counter()
    response = http.post("/api/v1/jobs", json=JOB)
    seconds = time.perf_counter() - start
    assert response.status_code == 202, response.text
    return seconds


def one_start() -> tuple[float, float, float, bool | None]:
    """(seconds to healthy, first POST, second POST, torch loaded) for a fresh server."""
    with tempfile.TemporaryDirectory() as data:
        start = time.perf_counter()
        with runtime.serve_process(runtime.embedded_settings(Path(data))) as server:
            healthy = time.perf_counter() - start
            with httpx.Client(base_url=server.url, timeout=120) as http:
                http.get("/healthz").raise_for_status()  # the connection is open: not timed
                first = post_job(http)
                second = post_job(http)
            return healthy, first, second, torch_loaded(server.proc.pid)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5, help="fresh servers to start")
    args = parser.parse_args()
    print("fitdoc serve --no-worker, fresh data dir each start; POST /api/v1/jobs after /healthz")
    print(f"{'start':>5}  {'to healthy':>10}  {'1st POST':>9}  {'2nd POST':>9}  torch loaded")
    rows = []
    for i in range(1, args.starts + 1):
        healthy, first, second, torch = one_start()
        rows.append((first, second))
        print(f"{i:>5}  {healthy:9.2f}s  {first:8.3f}s  {second:8.3f}s  {torch}", flush=True)
    firsts, seconds = zip(*rows, strict=True)
    print(
        f"median first POST {statistics.median(firsts):.3f} s, "
        f"second POST {statistics.median(seconds):.3f} s"
    )


if __name__ == "__main__":
    main()
