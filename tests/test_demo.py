"""`fitdoc demo`, the README's main job, as a user runs it: a fresh data dir, the embedded
API and worker, four jobs, and the advisor naming each job's built-in fault."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.integration
@pytest.mark.slow
def test_demo_names_each_fault(tmp_path):
    env = {**os.environ, "FITDOC_DATA_DIR": str(tmp_path / ".fitdoc"), "COLUMNS": "200"}
    env.pop("FITDOC_DATABASE_URL", None)
    env.pop("FITDOC_BROKER_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "fitdoc.cli", "demo"],
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
    assert (tmp_path / ".fitdoc" / "fitdoc.db").exists()
