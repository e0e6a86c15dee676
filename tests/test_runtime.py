"""fitdoc/runtime.py. `fitdoc serve` never leaves a worker behind: real processes, a real
signal to serve, and /proc to see what is left of everything it started (the worker and the
worker's pool child)."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import httpx
import pytest

from fitdoc import runtime
from service.settings import Settings
from tests.utils.procs import HAS_PROC, alive, descendants, wait_for, worker_and_pool


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


def _sleeper(seconds: float):
    return lambda: runtime.spawn([sys.executable, "-c", f"import time; time.sleep({seconds})"])


def test_a_supervised_child_that_ends_by_itself_is_started_again_a_few_times():
    child = runtime.Supervised("sleeper", _sleeper(0.2), poll=0.05, delay=0.05,
                               max_restarts=3, window=60)
    pids = {child.proc.pid}
    try:
        assert wait_for(lambda: len(child.restarts) == 3 and child.proc.poll() is not None,
                        timeout=20)
        # then it gives up (a child that dies at once would otherwise spin for ever)
        time.sleep(0.5)
        assert len(child.restarts) == 3 and not child._watcher.is_alive()
    finally:
        pids.add(child.proc.pid)
        child.stop()
    assert len(pids) == 2  # the first and the last of four processes


def test_stopping_a_supervised_child_ends_it_for_good():
    with runtime.supervised("sleeper", _sleeper(60)) as child:
        first = child.proc
        assert first.poll() is None
    assert first.poll() is not None and child.restarts == []
    time.sleep(0.7)  # past the watcher's poll: nothing started again
    assert child.proc is first


def _children(pid: int, word: str) -> list[int]:
    """`pid`'s direct children whose command line holds `word`."""
    found = []
    for child in descendants(pid):
        try:
            stat = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            line = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(stat[1]) == pid and word in line and stat[0] != "Z":
            found.append(child)
    return found


@pytest.mark.integration
@pytest.mark.skipif(not HAS_PROC, reason="reads /proc (Linux)")
def test_serve_starts_its_worker_again_when_it_dies(tmp_path):
    settings = runtime.embedded_settings(tmp_path / "data")
    with runtime.serve_process(settings, worker=True) as server:
        first = wait_for(lambda: _children(server.proc.pid, "fitdoc worker"), timeout=90)
        assert len(first) == 1, _logs(settings)
        os.kill(first[0], signal.SIGKILL)  # the kernel's OOM killer, say
        again = wait_for(lambda: [p for p in _children(server.proc.pid, "fitdoc worker")
                                  if p != first[0]], timeout=60)
        assert len(again) == 1, _logs(settings)
        assert "the worker ended (exit -9); starting it again" in (
            settings.data_dir / "serve.log").read_text()
        # and the new worker trains
        answer = httpx.post(f"{server.url}/api/v1/jobs", json={"project": "again", "spec": {
            "dataset": {"name": "wine"}, "model": {"arch": "linear"},
            "optimizer": {"name": "adam", "lr": 0.01},
            "training": {"epochs": 2, "device": "cpu"}}})
        assert answer.status_code == 202, answer.text
        job = answer.json()
        done = wait_for(lambda: httpx.get(f"{server.url}/api/v1/jobs/{job['id']}").json()
                        ["status"] in ("succeeded", "failed"), timeout=90)
        assert done and httpx.get(f"{server.url}/api/v1/jobs/{job['id']}").json()[
            "status"] == "succeeded", _logs(settings)
