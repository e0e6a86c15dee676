"""A Redis of its own, restarted without persistence (as a crash does) while one job runs
and five wait in its queue: the queue is gone, the outbox in the database sends the jobs
again and all six finish."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid

import pytest

from fitdoc import runtime
from service.settings import Settings
from service.store import migrate
from tests.conftest import _unavailable, empty_database
from tests.workers.conftest import start_worker

pytestmark = pytest.mark.integration

JOB = {
    "dataset": {"name": "mnist1d"},
    "model": {"arch": "mlp", "widths": [128]},
    "optimizer": {"name": "adam", "lr": 0.001},
    "training": {"epochs": 15, "batch_size": 32, "device": "cpu"},
}


def start_redis(port: int, log) -> subprocess.Popen:
    argv = [shutil.which("redis-server") or "redis-server", "--port", str(port),
            "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    proc = runtime.spawn(argv, log=log)
    import redis

    client = redis.Redis(port=port, socket_connect_timeout=1)
    deadline = time.monotonic() + 20
    while True:
        try:
            if client.ping():
                return proc
        except redis.ConnectionError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"redis-server on {port} did not start:\n{log.read_text()}")
        time.sleep(0.05)


def test_queued_and_running_jobs_finish_after_redis_restarts_empty(tmp_path_factory, request):
    from fastapi.testclient import TestClient

    from service.api.app import create_app

    if shutil.which("redis-server") is None:
        _unavailable("redis-server", FileNotFoundError("redis-server not on PATH"))
    data_dir = tmp_path_factory.mktemp("restart")
    database_url = empty_database("postgresql", tmp_path_factory, request)
    migrate.upgrade(database_url)
    port = runtime.free_port()
    settings = Settings(
        database_url=database_url,
        broker_url=f"redis://127.0.0.1:{port}/0",
        data_dir=data_dir,
        queue=f"fitdoc-restart-{uuid.uuid4().hex[:8]}",
        job_lease_seconds=6,
        sweep_seconds=1.0,
        resend_after_seconds=3.0,
    )
    redis_log = data_dir / "redis.log"
    redis_proc = start_redis(port, redis_log)
    worker = start_worker(settings, data_dir / "worker.log")
    beat = runtime.start_beat(settings)
    try:
        with TestClient(create_app(settings)) as client:
            ids = []
            for _ in range(6):
                answer = client.post("/api/v1/jobs", json={"project": "restart", "spec": JOB})
                assert answer.status_code == 202, answer.text
                ids.append(answer.json()["id"])
            deadline = time.monotonic() + 120
            while True:  # one job trains, five wait in Redis
                jobs = [client.get(f"/api/v1/jobs/{i}").json() for i in ids]
                if any(j["status"] == "running" and j["progress"]["epoch"] >= 1 for j in jobs):
                    break
                assert time.monotonic() < deadline, jobs
                time.sleep(0.1)
            assert sum(j["status"] == "queued" for j in jobs) >= 4

            redis_proc.kill()  # a crash: nothing was saved
            redis_proc.wait()
            redis_proc = start_redis(port, redis_log)

            deadline = time.monotonic() + 240
            while True:
                jobs = [client.get(f"/api/v1/jobs/{i}").json() for i in ids]
                if all(j["status"] in ("succeeded", "failed", "cancelled") for j in jobs):
                    break
                assert worker.poll() is None, (data_dir / "worker.log").read_text()[-3000:]
                # the sweeper lives through it too: without it no queued job is sent again
                assert beat.poll() is None, (data_dir / "beat.log").read_text()[-3000:]
                assert time.monotonic() < deadline, (
                    f"{[j['status'] for j in jobs]}\n"
                    f"{(data_dir / 'worker.log').read_text()[-3000:]}\n"
                    f"{(data_dir / 'beat.log').read_text()[-3000:]}")
                time.sleep(0.3)
            assert [j["status"] for j in jobs] == ["succeeded"] * 6
    finally:
        runtime.stop_process(worker, timeout=30)
        runtime.stop_process(beat, timeout=30)
        runtime.stop_process(redis_proc, timeout=10)
