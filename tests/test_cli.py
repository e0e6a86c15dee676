from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest
from typer.testing import CliRunner

from fitdoc.cli import app, free_port


def test_migrate_creates_the_embedded_database(tmp_path, monkeypatch):
    monkeypatch.setenv("FITDOC_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FITDOC_DATABASE_URL", raising=False)
    from service.settings import get_settings

    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["migrate"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "database at revision" in result.output
    assert (tmp_path / "fitdoc.db").exists()


def test_serve_refuses_open_bind_without_token(monkeypatch):
    monkeypatch.delenv("FITDOC_API_TOKEN", raising=False)
    from service.settings import get_settings

    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code != 0
    assert "FITDOC_API_TOKEN" in result.output


@pytest.mark.integration
def test_serve_starts_embedded_and_answers(tmp_path):
    port = free_port()
    env = {**os.environ, "FITDOC_DATA_DIR": str(tmp_path), "FITDOC_PORT": str(port)}
    env.pop("FITDOC_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "fitdoc.cli", "serve", "--no-worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                health = httpx.get(f"{url}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                assert proc.poll() is None, proc.stdout.read().decode()
                time.sleep(0.2)
        else:
            pytest.fail("fitdoc serve did not answer within 60 s")
        assert health.json()["status"] == "ok"
        run = httpx.post(f"{url}/api/v1/runs", json={"project": "cli"})
        assert run.status_code == 201
        assert (tmp_path / "fitdoc.db").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
