"""Live (issue 14): from the metric write that changes a run's diagnosis to the event's
arrival at a server-sent events subscriber and at a webhook receiver, and the same with
1,000 subscribers.

Each change is one run turned from healthy to overfitting by one write: the run's first
14 epochs (HEALTHY_STEPS, both losses falling, then val_loss rising for 4: still judged
healthy) are posted in one batch beforehand and diagnosed; then, timed, the POST of epoch
14, after which the advisor says overfitting. The clock starts before that POST is sent
and stops when the subscriber has read the `diagnosis.changed` event (to overfitting) off
its socket, and when a local HTTP receiver (a thread of this process, registered as the
project's webhook) has been POSTed it: the POST, the API's diagnosis on write (its
Diagnoser thread), the save with its event, the hub's read of the log and the stream; the
dispatch, the Celery message and `fitdoc beat`'s delivery are all in it. Changes are made
one at a time (the next once the last has arrived everywhere).

    python bench/live.py latency [--changes 200] [--mode embedded|production|both]
    python bench/live.py subscribers [--subscribers 1000] [--changes 50]

Modes: embedded = `fitdoc serve --no-worker` on a fresh SQLite data dir (its sweeper
beside it); production = PostgreSQL + Redis, the API (`fitdoc serve --no-worker`) and
`fitdoc beat` as processes of their own. `subscribers` opens that many SSE streams on one
API process with raw asyncio sockets (a client light enough to share the machine with
the server), records the API process's RSS before and after, and times each change to
every subscriber (no webhook). The ingest cost of diagnosis on write is bench/ingest.py's
(`--paired 8 --vs diagnose_on_write=false`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.embedded import pg_database  # noqa: E402
from bench.metrics_memory import api, status  # noqa: E402
from fitdoc import runtime  # noqa: E402
from service.settings import Settings  # noqa: E402
from tests.utils.live import OVERFIT_META, epoch_points, read_log  # noqa: E402

REDIS = os.environ.get("FITDOC_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
HEALTHY_STEPS = 14  # epochs 0-13: judged healthy; epoch 14 makes it overfitting
TARGETS_S = {"sse": 1.0, "webhook": 2.0}  # the targets for the p99
TIMEOUT_S = 30.0  # a change not told by then is a failure of the benchmark


# -- the API -------------------------------------------------------------------------------


@contextmanager
def api_server(mode: str) -> Iterator[runtime.Server]:
    """A fresh installation's API in `mode` (embedded | production), its data gone after."""
    if mode == "embedded":
        with api("sqlite") as server:  # bench/metrics_memory.py's: `fitdoc serve` on SQLite
            yield server
        return
    from service.store import migrate

    with tempfile.TemporaryDirectory() as data, pg_database() as url:
        migrate.upgrade(url)
        settings = Settings(
            database_url=url, broker_url=REDIS, data_dir=Path(data),
            queue=f"bench-live-{uuid.uuid4().hex[:8]}", port=runtime.free_port(),
        )
        try:
            with runtime.beat_process(settings), runtime.serve_process(settings) as server:
                yield server
        finally:
            runtime.purge_broker(settings)


def rss_mb(pid: int) -> float:
    return status(pid, "VmRSS") / 2**20


# -- the changes ---------------------------------------------------------------------------


async def prepare_runs(client: httpx.AsyncClient, project: str, n: int) -> list[str]:
    """`n` runs whose 14 epochs are posted (one batch each) and diagnosed healthy."""
    batch = {"metrics": [p for e in range(HEALTHY_STEPS) for p in epoch_points(e)["metrics"]]}
    runs = []
    for _ in range(n):
        made = await client.post("/api/v1/runs", json={"project": project, "meta": OVERFIT_META})
        made.raise_for_status()
        runs.append(made.json()["id"])
        (await client.post(f"/api/v1/runs/{runs[-1]}/metrics", json=batch)).raise_for_status()
    deadline = time.monotonic() + 120
    while True:  # every run's diagnosis stored (diagnosis on write) and healthy
        listed = await client.get("/api/v1/runs", params={
            "project": project, "diagnosis": "healthy", "limit": 1000})
        if len(listed.json()["items"]) == n:
            return runs
        if time.monotonic() > deadline:
            raise RuntimeError(f"{len(listed.json()['items'])} of {n} runs healthy after 120 s")
        await asyncio.sleep(0.2)


@dataclass
class Receiver:
    """Where the changes arrive: run id -> arrival times (one per subscriber)."""

    name: str
    arrivals: dict[str, list[float]] = field(default_factory=dict)
    expected: int = 1  # arrivals per change (subscribers)

    def arrived(self, run_id: str) -> None:
        self.arrivals.setdefault(run_id, []).append(time.perf_counter())

    def complete(self, run_id: str) -> bool:
        return len(self.arrivals.get(run_id, ())) >= self.expected


async def flip(
    client: httpx.AsyncClient, run_id: str, receivers: list[Receiver]
) -> float:
    """Post the epoch that turns `run_id` to overfitting; wait until every receiver has
    it. Returns when the write was sent (perf_counter)."""
    sent = time.perf_counter()
    response = await client.post(f"/api/v1/runs/{run_id}/metrics",
                                 json=epoch_points(HEALTHY_STEPS))
    response.raise_for_status()
    deadline = time.monotonic() + TIMEOUT_S
    while not all(receiver.complete(run_id) for receiver in receivers):
        if time.monotonic() > deadline:
            got = {r.name: len(r.arrivals.get(run_id, ())) for r in receivers}
            raise RuntimeError(f"run {run_id}: not told within {TIMEOUT_S} s: {got}")
        await asyncio.sleep(0.001)
    return sent


# -- receivers -----------------------------------------------------------------------------


def overfitting_run(data: bytes) -> str | None:
    """The run id of an SSE data line that tells a change to overfitting, else None."""
    if b'"overfitting"' not in data:
        return None
    event = json.loads(data)
    return event["run_id"] if event["data"]["status"] == "overfitting" else None


async def raw_subscriber(url: str, path: str, receiver: Receiver,
                         connected: Callable[[], None]) -> None:
    """One SSE stream over a bare asyncio connection: the lines of the chunked body are
    read as they come; a `data:` line telling a change to overfitting is an arrival."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                     "Accept: text/event-stream\r\n\r\n".encode())
        await writer.drain()
        status = await reader.readline()
        if b" 200 " not in status:
            raise RuntimeError(f"{path}: {status!r}")
        while (await reader.readline()).strip():
            pass  # the headers
        connected()
        while line := await reader.readline():
            if line.startswith(b"data: "):
                run_id = overfitting_run(line[6:])
                if run_id is not None:
                    receiver.arrived(run_id)
    finally:
        writer.close()


@asynccontextmanager
async def sse_receivers(
    url: str, project: str, count: int, after: int
) -> AsyncIterator[Receiver]:
    """`count` SSE streams of the project's diagnosis changes after position `after`
    (so that each gets every later change however late it subscribes), all connected."""
    receiver = Receiver(f"sse x{count}", expected=count)
    path = f"/api/v1/events?project={project}&types=diagnosis.changed&after={after}"
    ready = 0

    def connected() -> None:
        nonlocal ready
        ready += 1

    tasks = [asyncio.create_task(raw_subscriber(url, path, receiver, connected))
             for _ in range(count)]
    try:
        deadline = time.monotonic() + 120
        while ready < count:
            for task in tasks:
                if task.done():
                    task.result()
            if time.monotonic() > deadline:
                raise RuntimeError(f"{ready} of {count} streams connected after 120 s")
            await asyncio.sleep(0.05)
        yield receiver
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


@dataclass
class WebhookArrivals(Receiver):
    """The deliveries a local HTTP receiver (tests/utils/receiver.py, a thread of this
    process) got: the first of each delivery id telling a change to overfitting."""

    hook: Any = None
    seen: int = 0
    delivery_ids: set[str] = field(default_factory=set)
    # time.time() of an arrival -> perf_counter(), the clock the writes are timed by
    offset: float = field(default_factory=lambda: time.perf_counter() - time.time())

    def complete(self, run_id: str) -> bool:
        got = self.hook.got[self.seen:]
        self.seen += len(got)
        for received in got:
            body = received.json
            if body["delivery_id"] in self.delivery_ids or not 200 <= received.status < 300:
                continue
            self.delivery_ids.add(body["delivery_id"])
            if body["event"]["data"]["status"] == "overfitting":
                self.arrivals.setdefault(body["event"]["run_id"], []).append(
                    received.at + self.offset)
        return super().complete(run_id)


@asynccontextmanager
async def webhook_receiver(url: str, project: str) -> AsyncIterator[Receiver]:
    """A local HTTP receiver registered as the project's webhook for diagnosis.changed
    (POST /api/v1/webhooks): webhook receipt, target p99 < 2 s."""
    from tests.utils.receiver import receiver

    with receiver() as hook:
        async with httpx.AsyncClient(base_url=url) as client:
            made = await client.post("/api/v1/webhooks", json={
                "url": hook.url, "events": ["diagnosis.changed"], "project": project,
                "secret": "bench-live-secret"})
            made.raise_for_status()
        yield WebhookArrivals("webhook", hook=hook)


# -- the measurements ----------------------------------------------------------------------


def percentiles(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    at = lambda q: ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]  # noqa: E731
    return {"n": len(ordered), "p50_ms": 1000 * at(0.5), "p99_ms": 1000 * at(0.99),
            "max_ms": 1000 * ordered[-1]}


async def measure_changes(url: str, changes: int, subscribers: int = 1,
                          pid: int | None = None, webhooks: bool = True) -> dict:
    """`changes` runs turned to overfitting one at a time, timed to every receiver."""
    project = f"live-{uuid.uuid4().hex[:8]}"
    limits = httpx.Limits(max_connections=10)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        runs = await prepare_runs(client, project, changes + 1)
        rss_before = rss_mb(pid) if pid else None
        told = await read_log(client, project=project, types="diagnosis.changed")
        async with AsyncExitStack() as stack:
            receivers = [await stack.enter_async_context(
                sse_receivers(url, project, subscribers, told[-1]["id"]))]
            if webhooks:
                receivers.append(await stack.enter_async_context(webhook_receiver(url, project)))
            rss_connected = rss_mb(pid) if pid else None
            # warm-up; once a stream has read it, it is subscribed
            await flip(client, runs[0], receivers)
            sent = {}
            for run_id in runs[1:]:
                sent[run_id] = await flip(client, run_id, receivers)
                await asyncio.sleep(0.02)
            rss_after = rss_mb(pid) if pid else None
    result = {"changes": changes, "subscribers": subscribers}
    for receiver in receivers:
        every = [t - sent[r] for r in sent for t in receiver.arrivals[r]]
        last = [max(receiver.arrivals[r]) - sent[r] for r in sent]
        result[receiver.name] = {"each": percentiles(every), "last_of_change": percentiles(last)}
    if pid:
        result["rss_mb"] = {"before": rss_before, "connected": rss_connected, "after": rss_after}
    return result


def git_commit() -> str:
    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                         capture_output=True, text=True)
    dirty = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", "service", "fitdoc"],
                           cwd=ROOT).returncode
    return out.stdout.strip() + ("+changes" if dirty else "")


def print_result(mode: str, result: dict) -> None:
    for name, figures in result.items():
        if not isinstance(figures, dict) or "each" not in figures:
            continue
        each, last = figures["each"], figures["last_of_change"]
        target = TARGETS_S[name.split()[0]]
        verdict = "meets" if each["p99_ms"] < 1000 * target else "MISSES"
        print(f"  {mode:<10} {name:<10} {each['n']:>7} arrivals  p50 {each['p50_ms']:7.1f} ms"
              f"  p99 {each['p99_ms']:7.1f} ms  max {each['max_ms']:7.1f} ms"
              f"  | per change, the last: p50 {last['p50_ms']:.1f} p99 "
              f"{last['p99_ms']:.1f} ms  ({verdict} p99 < {target:g} s)")
    if "rss_mb" in result:
        rss = result["rss_mb"]
        print(f"  API process RSS: {rss['before']:.1f} MB before the streams, "
              f"{rss['connected']:.1f} MB with {result['subscribers']} connected, "
              f"{rss['after']:.1f} MB after the changes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    latency = sub.add_parser("latency", help="write -> SSE event, one subscriber")
    latency.add_argument("--changes", type=int, default=200)
    latency.add_argument("--mode", choices=["embedded", "production", "both"], default="both")
    many = sub.add_parser("subscribers", help="write -> SSE event at N subscribers")
    many.add_argument("--subscribers", type=int, default=1000)
    many.add_argument("--changes", type=int, default=50)
    many.add_argument("--mode", choices=["embedded", "production"], default="embedded")
    args = parser.parse_args()

    print(f"machine: {platform.machine()} {os.cpu_count()} cores, python "
          f"{platform.python_version()}, load average {os.getloadavg()[0]:.1f}; "
          f"commit {git_commit()}")
    modes = ["embedded", "production"] if args.mode == "both" else [args.mode]
    for mode in modes:
        with api_server(mode) as server:
            subscribers = 1 if args.what == "latency" else args.subscribers
            started = time.perf_counter()
            result = asyncio.run(measure_changes(server.url, args.changes, subscribers,
                                                 server.proc.pid, args.what == "latency"))
            print(f"{mode}: {args.changes} changes, {subscribers} subscriber(s), "
                  f"{time.perf_counter() - started:.0f} s, load average "
                  f"{os.getloadavg()[0]:.1f}")
            print_result(mode, result)


if __name__ == "__main__":
    main()
