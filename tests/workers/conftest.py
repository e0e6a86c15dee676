"""A real Celery worker process (`fitdoc worker`) against a real broker and database:
Redis + PostgreSQL (production) and the filesystem transport + SQLite (embedded)."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fitdoc import runtime
from service.settings import Settings
from service.store import migrate
from tests.conftest import _unavailable, empty_database

REDIS_URL = os.environ.get("FITDOC_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@dataclass
class Stack:
    settings: Settings
    client: object
    log: Path
    proc: subprocess.Popen
    beat: subprocess.Popen | None = None

    def worker_log(self) -> str:
        return self.log.read_text(errors="replace")

    def restart_worker(self) -> None:
        """Stop the worker (a warm shutdown: it finishes the job in hand) and start a new
        one on the same broker and database."""
        runtime.stop_process(self.proc, timeout=60)
        self.proc = start_worker(self.settings, self.log)

    def wait_job(self, job_id: str, until, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.client.get(f"/api/v1/jobs/{job_id}").json()
            if until(job):
                return job
            assert self.proc.poll() is None, "worker died:\n" + self.worker_log()[-3000:]
            time.sleep(0.2)
        pytest.fail(f"job {job_id} not done in {timeout}s: {job}\n{self.worker_log()[-3000:]}")


def _check_redis() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001
        _unavailable("Redis", exc)


@pytest.fixture(scope="module", params=["redis+postgresql", "filesystem+sqlite"])
def stack(request, tmp_path_factory) -> Iterator[Stack]:
    from fastapi.testclient import TestClient

    from service.api.app import create_app

    data_dir = tmp_path_factory.mktemp("fitdoc-data")
    if request.param == "redis+postgresql":
        _check_redis()
        database_url = empty_database("postgresql", tmp_path_factory, request)
        broker_url = REDIS_URL
    else:
        database_url = empty_database("sqlite", tmp_path_factory, request)
        broker_url = ""
    migrate.upgrade(database_url)
    settings = Settings(
        database_url=database_url,
        broker_url=broker_url,
        data_dir=data_dir,
        # A queue of its own: nothing else on this Redis takes these messages.
        queue=f"fitdoc-test-{uuid.uuid4().hex[:8]}",
        job_lease_seconds=6,
        sweep_seconds=1.0,
    )
    log = data_dir / "worker.log"
    stack = Stack(settings, None, log, start_worker(settings, log))
    stack.beat = runtime.start_beat(settings)  # the sweeper, as in production
    try:
        with TestClient(create_app(settings)) as client:
            stack.client = client
            yield stack
    finally:
        runtime.stop_process(stack.proc, timeout=30)
        runtime.stop_process(stack.beat, timeout=30)
        runtime.purge_broker(settings)  # nothing of this test's queues stays in Redis


def start_worker(settings: Settings, log: Path):
    # One torch thread: on the 2-core test machine the test process, the API and the
    # sweeper share the cores, and two spinning OpenMP threads slow an epoch ~10x.
    return runtime.start_worker(settings, log, env=WORKER_ENV)


WORKER_ENV = {"CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": "1"}
