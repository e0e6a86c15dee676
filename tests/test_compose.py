"""Docker does not run here, so the compose file is checked as data: the services, their
images or builds, the environment they need, health checks, volumes and the GPU."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_services_and_images():
    services = compose()["services"]
    assert {"postgres", "redis", "api", "worker", "beat"} <= set(services)
    assert services["beat"]["command"] == ["fitdoc", "beat"]
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    for name in ("api", "worker", "migrate"):
        assert "build" in services[name] or "image" in services[name], name
    assert (ROOT / "Dockerfile").exists()


def test_every_long_running_service_has_a_health_check():
    services = compose()["services"]
    for name in ("postgres", "redis", "api", "worker", "beat"):
        check = services[name]["healthcheck"]
        assert check["test"] and check["interval"], name


def test_api_and_worker_point_at_postgres_and_redis():
    services = compose()["services"]
    for name in ("api", "worker", "migrate", "beat"):
        env = services[name]["environment"]
        assert env["FITDOC_DATABASE_URL"].startswith("postgresql+psycopg://"), name
        assert "@postgres:5432/" in env["FITDOC_DATABASE_URL"], name
        assert env["FITDOC_BROKER_URL"] == "redis://redis:6379/0", name
    # An API bound beyond loopback must carry a token (fitdoc serve refuses otherwise).
    assert "FITDOC_API_TOKEN" in services["api"]["environment"]
    assert "0.0.0.0" in services["api"]["command"]


def test_startup_order_waits_for_health_and_migrations():
    services = compose()["services"]
    assert services["migrate"]["command"] == ["fitdoc", "migrate"]
    for name in ("api", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["redis"]["condition"] == "service_healthy"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_worker_reserves_a_gpu_and_data_persists():
    spec = compose()
    worker = spec["services"]["worker"]
    devices = worker["deploy"]["resources"]["reservations"]["devices"]
    assert any("gpu" in d["capabilities"] and d["driver"] == "nvidia" for d in devices)
    assert worker["command"] == ["fitdoc", "worker"]
    assert {"pgdata", "redisdata", "fitdocdata"} <= set(spec["volumes"])
    assert any(v.startswith("pgdata:") for v in spec["services"]["postgres"]["volumes"])
