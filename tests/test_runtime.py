"""fitdoc/runtime.py. `fitdoc serve` never leaves a worker behind: real processes, a real
signal to serve, and /proc to see what is left of everything it started (the worker and the
worker's pool child)."""

from __future__ import annotations

import os
import signal

import pytest

from fitdoc import runtime
from service.settings import Settings
from tests.utils.procs import HAS_PROC, alive, wait_for, worker_and_pool


def test_a_child_reads_the_settings_it_is_given(tmp_path, monkeypatch):
    given = Settings(
        data_dir=tmp_path,
        database_url="sqlite:///elsewhere.db",
        queue="q",
        port=1234,
        api_token="secret",
        job_lease_seconds=7,
    )
    for name, value in runtime.settings_env(given).items():
        monkeypatch.setenv(name, value)
    assert Settings() == given


@pytest.mark.integration
@pytest.mark.skipif(not HAS_PROC, reason="reads /proc (Linux)")
@pytest.mark.parametrize(
    "signum", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=lambda s: s.name
)
def test_serve_leaves_no_process_behind(tmp_path, signum):
    settings = runtime.embedded_settings(tmp_path / "data")
    family: dict[int, int] = {}
    try:
        with runtime.serve_process(settings, worker=True) as server:
            # serve -> the worker -> its pool child: wait for the grandchild.
            family = wait_for(lambda: worker_and_pool(server.proc.pid), timeout=90)
            assert family, "the worker and its pool child did not start\n" + _logs(settings)
            os.kill(server.proc.pid, signum)
            server.proc.wait(timeout=60)
            # On SIGTERM and SIGINT, serve stops its worker before it exits; when it is
            # killed, the worker has its own warm shutdown to do (about 6 s when idle).
            wait_for(lambda: not alive(family), timeout=30 if signum == signal.SIGKILL else 2)
            left = alive(family)
            assert not left, f"{signum.name} to fitdoc serve left {left}\n" + _logs(settings)
    finally:
        for pid in alive(family):
            os.kill(pid, signal.SIGKILL)


def _logs(settings) -> str:
    return "\n".join(
        f"--- {name}\n" + (settings.data_dir / name).read_text(errors="replace")[-3000:]
        for name in ("serve.log", "worker.log")
        if (settings.data_dir / name).exists()
    )
