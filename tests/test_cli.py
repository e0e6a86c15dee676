from __future__ import annotations

import time

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


@pytest.mark.integration
def test_token_commands_against_a_running_server(tmp_path, monkeypatch):
    """`fitdoc token create` prints a token once; a real `fitdoc serve` accepts it with its
    role; `fitdoc token revoke` stops it at once."""
    settings = runtime.embedded_settings(tmp_path).model_copy(update={"api_token": "boot"})
    for name, value in runtime.settings_env(settings).items():
        monkeypatch.setenv(name, value)
    from service.settings import get_settings

    get_settings.cache_clear()
    runner = CliRunner()
    try:
        made = runner.invoke(app, ["token", "create", "--role", "read", "--project", "lab",
                                   "--name", "alice"])
        assert made.exit_code == 0, made.output
        token = made.stdout.strip().splitlines()[0]
        assert token.startswith("fdt_")
        listed = runner.invoke(app, ["token", "list"], env={"COLUMNS": "200"})
        assert "alice" in listed.stdout and token not in listed.stdout
        token_id = next(line.split()[1] for line in listed.stdout.splitlines()
                        if "alice" in line)
        with runtime.serve_process(settings) as server:
            headers = {"Authorization": f"Bearer {token}"}
            api = f"{server.url}/api/v1"
            assert httpx.get(f"{api}/runs", headers=headers).status_code == 200
            assert httpx.post(f"{api}/runs", json={"project": "lab"},
                              headers=headers).status_code == 403
            revoked = runner.invoke(app, ["token", "revoke", token_id])
            assert revoked.exit_code == 0, revoked.output
            # another process revoked it: the server stops taking it once it forgets the
            # caller it looked up (REMEMBER_SECONDS), never later
            from service.store.tokens import REMEMBER_SECONDS

            deadline = time.monotonic() + REMEMBER_SECONDS + 0.5
            while httpx.get(f"{api}/runs", headers=headers).status_code != 401:
                assert time.monotonic() < deadline, "the revoked token still works"
                time.sleep(0.1)
        bad = runner.invoke(app, ["token", "create", "--role", "write"])
        assert bad.exit_code != 0 and "admin" in bad.output
    finally:
        get_settings.cache_clear()
