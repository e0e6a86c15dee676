"""The API's memory and time for reading a long series without `max_points` (issue 12).

Starts `fitdoc serve --no-worker` as its own process on a fresh data dir (SQLite, embedded)
or a throw-away PostgreSQL database, logs one run's series of N points (default
1,000,000, batches of 10,000), then reads it back with GET /runs/{id}/metrics and no
max_points, R times in a row (or C clients at once). It prints the API process's RSS when
idle before the read, its peak during the read (VmHWM, reset through /proc/<pid>/clear_refs
just before, and VmRSS sampled every 5 ms as a check) and the time to the last byte.
Then the same with max_points=1000, which reads the series a page at a time too (its
length counted first) and holds only the points it keeps (service/downsample.py; before
2026-11-30 it read the series whole).

    python bench/metrics_memory.py                          # SQLite and PostgreSQL
    python bench/metrics_memory.py --backend sqlite --points 200000 --concurrent 4

Linux only (/proc). PostgreSQL: FITDOC_TEST_PG_URL, default the local server (trust).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.embedded import pg_database  # noqa: E402
from fitdoc import runtime  # noqa: E402
from service.settings import Settings  # noqa: E402
from service.store import migrate  # noqa: E402

MB = 1024**2


def status(pid: int, field: str) -> int:
    """A /proc/<pid>/status field in bytes (VmRSS, VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


class RssSampler:
    """The largest VmRSS of `pid` seen every `every` seconds while it runs."""

    def __init__(self, pid: int, every: float = 0.005) -> None:
        self.pid, self.every, self.peak = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, status(self.pid, "VmRSS"))
            time.sleep(self.every)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def api(backend: str) -> Iterator[runtime.Server]:
    """`fitdoc serve --no-worker` on a fresh data dir and database of `backend`."""
    with tempfile.TemporaryDirectory() as data:
        if backend == "sqlite":
            with runtime.serve_process(runtime.embedded_settings(Path(data))) as server:
                yield server
            return
        with pg_database() as url:
            migrate.upgrade(url)
            settings = Settings(data_dir=Path(data), database_url=url, broker_url="",
                                port=runtime.free_port())
            with runtime.serve_process(settings) as server:
                yield server


def log_series(client: httpx.Client, points: int, batch: int) -> str:
    run = client.post("/api/v1/runs", json={"project": "bench-metrics-memory"}).json()
    url = f"/api/v1/runs/{run['id']}/metrics"
    for start in range(0, points, batch):
        metrics = [{"key": "train_loss", "step": s, "value": 1.0 / (s + 1)}
                   for s in range(start, min(start + batch, points))]
        body = json.dumps({"metrics": metrics}).encode()
        client.post(url, content=body, headers={"content-type": "application/json"}
                    ).raise_for_status()
    return url


def read(base: str, url: str, params: dict) -> tuple[float, bytes]:
    """Seconds to the last byte, and the body."""
    with httpx.Client(base_url=base, timeout=600) as client:
        started = time.perf_counter()
        with client.stream("GET", url, params=params) as response:
            response.raise_for_status()
            body = b"".join(response.iter_bytes())
        return time.perf_counter() - started, body


def measure(pid: int, base: str, url: str, params: dict, clients: int) -> dict:
    """The API's idle RSS, its peak while `clients` read at once, and their times."""
    time.sleep(1.0)  # the API idle: no request in flight
    idle = status(pid, "VmRSS")
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM starts again from VmRSS
    with RssSampler(pid) as sampler, ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(lambda _: read(base, url, params), range(clients)))
    peak = max(status(pid, "VmHWM"), sampler.peak)
    series = json.loads(results[0][1])["series"]["train_loss"]
    return {"idle": idle, "peak": peak, "seconds": [s for s, _ in results],
            "points": len(series), "bytes": len(results[0][1])}


def run(backend: str, points: int, repeats: int, clients: int) -> list[str]:
    lines = []
    with api(backend) as server, httpx.Client(base_url=server.url, timeout=600) as client:
        pid = server.proc.pid
        started = status(pid, "VmRSS")
        t0 = time.perf_counter()
        url = log_series(client, points, 10_000)
        logged = time.perf_counter() - t0
        lines.append(f"{backend}: {points:,} points logged in {logged:.1f} s; API RSS "
                     f"{started / MB:.0f} MB at start")
        cases = [("streamed (no max_points)", {}, clients)] * repeats
        cases += [("max_points=1000 (paged)", {"max_points": 1000}, 1)]
        for what, params, n in cases:
            m = measure(pid, server.url, url, params, n)
            times = ", ".join(f"{s:.2f}" for s in m["seconds"])
            lines.append(
                f"  {what:30s} x{n}: idle {m['idle'] / MB:6.0f} MB, peak {m['peak'] / MB:6.0f} "
                f"MB, +{(m['peak'] - m['idle']) / MB:5.0f} MB above idle; {times} s; "
                f"{m['points']:,} points, {m['bytes'] / MB:.1f} MB of JSON")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=2, help="streamed reads in a row")
    parser.add_argument("--concurrent", type=int, default=1, help="clients reading at once")
    args = parser.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=ROOT).stdout.strip()
    print(f"commit {commit}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {platform.machine()}, "
          f"{os.cpu_count()} cores, python {platform.python_version()}")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        for line in run(backend, args.points, args.repeats, args.concurrent):
            print(line, flush=True)


if __name__ == "__main__":
    main()
