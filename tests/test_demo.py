"""`fitdoc demo`, the README's main job, as a user runs it: a fresh data dir, the embedded
API and worker, four jobs, and the advisor naming each job's built-in fault. Its output goes
to a pipe, as in a CI log: plain lines, nothing cut short."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from fitdoc import runtime
from tests.utils.procs import HAS_PROC, alive, wait_for, worker_and_pool


@pytest.mark.integration
@pytest.mark.slow
def test_demo_names_each_fault(tmp_path):
    env = {**os.environ, "FITDOC_DATA_DIR": str(tmp_path / ".fitdoc")}
    for name in ("FITDOC_DATABASE_URL", "FITDOC_BROKER_URL", "COLUMNS", "FORCE_COLOR"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-m", "fitdoc", "demo"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=540,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-4000:]
    assert "fitdoc API at http://127.0.0.1:" in out
    for fault in ("healthy", "overfitting", "stuck", "diverging"):
        assert f"│ {fault} " in out, f"no {fault} diagnosis in:\n{out[-4000:]}"
    assert "the advisor named 4 of 4 demo faults as built" in out, out[-4000:]
    assert re.search(r"^dashboard: http://127\.0\.0\.1:\d+/\?project=demo ", out, re.M), out[-4000:]
    # Without a terminal: no progress bars, no ids or titles cut short.
    assert not re.search(r"\d+/\d+ epochs", out) and "…" not in out, out[-4000:]
    assert re.search(r"^\s*\d+\.\d s  stuck\s+succeeded\s+epoch 15/15$", out, re.M), out[-4000:]
    run_ids = set(re.findall(r"\b[0-9a-f]{32}\b", done.stdout))
    assert len(run_ids) == 4, out[-4000:]
    assert (tmp_path / ".fitdoc" / "fitdoc.db").exists()


@pytest.mark.integration
@pytest.mark.skipif(not HAS_PROC, reason="reads /proc (Linux)")
def test_ctrl_c_before_the_first_result_stops_the_demo_and_its_worker(tmp_path):
    data = str(tmp_path / ".fitdoc")
    env = {"FITDOC_DATA_DIR": data, "FITDOC_DATABASE_URL": "", "FITDOC_BROKER_URL": ""}
    log = tmp_path / "demo.log"
    demo = runtime.spawn([sys.executable, "-m", "fitdoc", "demo"], env, log)
    family: dict[int, int] = {}
    try:
        started = wait_for(lambda: "fitdoc API at" in log.read_text(), timeout=120)
        assert started, log.read_text()
        family = wait_for(lambda: worker_and_pool(demo.pid), timeout=60)
        assert family, "no worker and pool under the demo after 60 s:\n" + log.read_text()
        state = Path(f"/proc/{demo.pid}/status").read_text()
        demo.send_signal(signal.SIGINT)  # Ctrl+C
        assert demo.wait(timeout=60) == 130, state + log.read_text()
        out = log.read_text()
        assert "demo interrupted" in out and "Traceback" not in out, out
        assert "advisor named" not in out, out
        assert not alive(family), alive(family)
    finally:
        runtime.stop_process(demo)
        for pid in alive(family):
            os.kill(pid, signal.SIGKILL)
