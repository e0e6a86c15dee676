from __future__ import annotations

import httpx
import pytest
from typer.testing import CliRunner

from fitdoc import runtime
from fitdoc.cli import app


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
    settings = runtime.embedded_settings(tmp_path)
    with runtime.serve_process(settings) as server:
        health = httpx.get(f"{server.url}/healthz", timeout=5)
        assert health.json()["status"] == "ok"
        run = httpx.post(f"{server.url}/api/v1/runs", json={"project": "cli"})
        assert run.status_code == 201
        assert (tmp_path / "fitdoc.db").exists()
    assert server.proc.returncode is not None
