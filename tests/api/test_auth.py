"""Tokens with a role and a project (issue 12), on SQLite and PostgreSQL: who may read, log,
submit and manage tokens; another project's things read as missing; revoked tokens fail;
the token is checked before the body is read; per-caller limits answer 429."""

from __future__ import annotations

import asyncio
import json

import pytest
from fastapi.testclient import TestClient

from service.store.models import TokenRow

BOOT = "bootstrap-admin-token"
SPEC = {"dataset": {"name": "mnist1d"}, "model": {"arch": "mlp"}, "optimizer": {"name": "adam"}}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def auth_app(settings):
    from service.api.app import create_app

    return create_app(settings.model_copy(update={"api_token": BOOT}))


@pytest.fixture(scope="module")
def api(auth_app):
    with TestClient(auth_app) as client:
        yield client


def make_token(api, role: str, project: str | None, by: str = BOOT) -> dict:
    response = api.post("/api/v1/tokens", json={"role": role, "project": project},
                        headers=bearer(by))
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def world(api, unique):
    """Two projects, P and Q, each with a run (with a point) and a job, and tokens."""
    p, q = f"p-{unique}", f"q-{unique}"
    made = {}
    for project in (p, q):
        run = api.post("/api/v1/runs", json={"project": project}, headers=bearer(BOOT)).json()
        api.post(f"/api/v1/runs/{run['id']}/metrics", headers=bearer(BOOT),
                 json={"metrics": [{"key": "train_loss", "step": 0, "value": 1.0}]})
        job = api.post("/api/v1/jobs", json={"project": project, "spec": SPEC},
                       headers=bearer(BOOT))
        assert job.status_code == 202, job.text
        made[project] = {"run": run["id"], "job": job.json()["id"]}
    tokens = {
        "p_read": make_token(api, "read", p)["token"],
        "p_write": make_token(api, "write", p)["token"],
        "p_admin": make_token(api, "admin", p)["token"],
    }
    return {"p": p, "q": q, **made, **tokens}


def test_no_token_or_a_wrong_one_is_401(api):
    assert api.get("/api/v1/runs").status_code == 401
    response = api.get("/api/v1/runs", headers=bearer("fdt_not-a-token"))
    assert response.status_code == 401
    assert response.json()["error"]["field"] == "authorization"
    assert response.headers["www-authenticate"] == "Bearer"
    assert api.get("/healthz").status_code == 200  # health stays open


def test_the_token_is_checked_before_the_body_is_read(auth_app):
    """A client without a token gets its 401 without the server reading a byte of the
    body (the ASGI receive channel is never called)."""
    sent: list[dict] = []

    async def receive():
        raise AssertionError("the body was read before the token was checked")

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http", "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/api/v1/runs", "raw_path": b"/api/v1/runs", "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 5000), "server": ("testserver", 80),
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"9999999")],
    }
    asyncio.run(auth_app(scope, receive, send))
    assert sent[0]["status"] == 401


def test_a_read_token_reads_but_cannot_log_submit_or_patch(api, world):
    token = bearer(world["p_read"])
    run, job = world[world["p"]]["run"], world[world["p"]]["job"]
    assert api.get(f"/api/v1/runs/{run}", headers=token).status_code == 200
    assert api.get(f"/api/v1/runs/{run}/metrics", headers=token).status_code == 200
    assert api.get(f"/api/v1/jobs/{job}", headers=token).status_code == 200
    refused = [
        api.post(f"/api/v1/runs/{run}/metrics", headers=token,
                 json={"metrics": [{"key": "train_loss", "step": 1, "value": 0.5}]}),
        api.post("/api/v1/runs", json={"project": world["p"]}, headers=token),
        api.post("/api/v1/jobs", json={"project": world["p"], "spec": SPEC}, headers=token),
        api.patch(f"/api/v1/runs/{run}", json={"tags": {"a": "b"}}, headers=token),
        api.post(f"/api/v1/jobs/{job}/cancel", headers=token),
        api.post("/api/v1/tokens", json={"role": "read", "project": world["p"]}, headers=token),
    ]
    for response in refused:
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "forbidden"
    points = api.get(f"/api/v1/runs/{run}/metrics", headers=token).json()["series"]
    assert [p["step"] for p in points["train_loss"]] == [0]  # nothing was logged


def test_a_write_token_logs_submits_and_its_token_is_recorded(api, world):
    token = bearer(world["p_write"])
    run = api.post("/api/v1/runs", json={"project": world["p"]}, headers=token).json()
    logged = api.post(f"/api/v1/runs/{run['id']}/metrics", headers=token,
                      json={"metrics": [{"key": "train_loss", "step": 0, "value": 2.0}]})
    assert logged.status_code == 200
    job = api.post("/api/v1/jobs", json={"project": world["p"], "spec": SPEC}, headers=token)
    assert job.status_code == 202
    mine = [t for t in api.get("/api/v1/tokens", headers=bearer(BOOT)).json()["items"]
            if t["project"] == world["p"] and t["role"] == "write"]
    assert run["created_by"] == job.json()["created_by"] == mine[0]["id"]
    # deletes and token management are an admin's
    assert api.get("/api/v1/tokens", headers=token).status_code == 403
    assert api.delete(f"/api/v1/tokens/{mine[0]['id']}", headers=token).status_code == 403


def test_a_project_token_sees_nothing_of_another_project(api, world):
    q_run, q_job = world[world["q"]]["run"], world[world["q"]]["job"]
    for token in (world["p_read"], world["p_write"], world["p_admin"]):
        headers = bearer(token)
        for path in (
            f"/api/v1/runs/{q_run}",
            f"/api/v1/runs/{q_run}/metrics",
            f"/api/v1/runs/{q_run}/diagnosis",
            f"/api/v1/jobs/{q_job}",
            f"/api/v1/jobs/{q_job}/checkpoint",
            f"/api/v1/jobs/{q_job}/lineage",
        ):
            response = api.get(path, headers=headers)
            assert response.status_code == 404, (path, response.text)
            # the same answer as for an id that does not exist
            none = "0" * 32
            unknown = api.get(path.replace(q_run, none).replace(q_job, none),
                              headers=bearer(BOOT)).json()["error"]
            seen = response.json()["error"]
            assert seen["field"] == unknown["field"]
            assert seen["message"].replace(q_run, none).replace(q_job, none) \
                == unknown["message"]
        listed = api.get("/api/v1/runs", headers=headers).json()["items"]
        assert {r["project"] for r in listed} == {world["p"]}
        assert api.get(f"/api/v1/runs?project={world['q']}", headers=headers).status_code == 404
        jobs = api.get("/api/v1/jobs", headers=headers).json()["items"]
        assert {j["project"] for j in jobs} == {world["p"]}
        assert api.get(f"/api/v1/jobs?project={world['q']}", headers=headers).status_code == 404
        projects = api.get("/api/v1/projects", headers=headers).json()["items"]
        assert [p["name"] for p in projects] == [world["p"]]
    write = bearer(world["p_write"])
    assert api.post(f"/api/v1/runs/{q_run}/metrics", headers=write, json={
        "metrics": [{"key": "x", "step": 0, "value": 1}]}).status_code == 404
    assert api.post(f"/api/v1/jobs/{q_job}/cancel", headers=write).status_code == 404
    assert api.patch(f"/api/v1/runs/{q_run}", json={"tags": {"a": "b"}},
                     headers=write).status_code == 404
    assert api.post("/api/v1/runs", json={"project": world["q"]}, headers=write).status_code \
        == 404
    assert api.post("/api/v1/jobs", json={"project": world["q"], "spec": SPEC},
                    headers=write).status_code == 404
    # a project's admin manages its own project's tokens only
    admin = bearer(world["p_admin"])
    assert api.post("/api/v1/tokens", json={"role": "read", "project": world["q"]},
                    headers=admin).status_code == 404
    assert api.post("/api/v1/tokens", json={"role": "admin"}, headers=admin).status_code == 422
    own = api.get("/api/v1/tokens", headers=admin).json()["items"]
    assert own and {t["project"] for t in own} == {world["p"]}


def test_a_revoked_token_fails_at_once_and_only_the_hash_is_kept(api, auth_app, world):
    made = make_token(api, "read", world["p"])
    run = world[world["p"]]["run"]
    assert api.get(f"/api/v1/runs/{run}", headers=bearer(made["token"])).status_code == 200
    assert api.delete(f"/api/v1/tokens/{made['id']}", headers=bearer(BOOT)).status_code == 204
    assert api.get(f"/api/v1/runs/{run}", headers=bearer(made["token"])).status_code == 401
    shown = api.get(f"/api/v1/tokens/{made['id']}", headers=bearer(BOOT)).json()
    assert shown["revoked_at"] is not None and "token" not in shown
    with auth_app.state.stores.db.read() as tx:
        row = tx.get(TokenRow, made["id"])
        stored = json.dumps({c.name: str(getattr(row, c.name)) for c in row.__table__.columns})
    assert made["token"] not in stored and made["token"][4:] not in stored


def test_over_the_request_limit_is_429_with_retry_after(settings, unique):
    from service.api.app import create_app

    limited = create_app(settings.model_copy(update={"api_token": BOOT,
                                                     "requests_per_minute": 5}))
    with TestClient(limited) as client:
        token = make_token(client, "read", f"lim-{unique}")["token"]
        answers = [client.get("/api/v1/runs", headers=bearer(token)) for _ in range(7)]
        codes = [a.status_code for a in answers]
        # the bootstrap token's one request (make_token) counts apart from this token's
        assert codes[:5] == [200] * 5 and codes[5:] == [429, 429], codes
        retry = int(answers[-1].headers["retry-after"])
        assert 1 <= retry <= 60
        assert answers[-1].json()["error"]["code"] == "rate_limited"


def test_over_the_active_jobs_limit_is_429(settings, unique):
    from service.api.app import create_app

    limited = create_app(settings.model_copy(update={"api_token": BOOT,
                                                     "max_active_jobs_per_token": 2}))
    with TestClient(limited) as client:
        token = bearer(make_token(client, "write", f"jobs-{unique}")["token"])
        body = {"project": f"jobs-{unique}", "spec": SPEC}
        codes = [client.post("/api/v1/jobs", json=body, headers=token).status_code
                 for _ in range(3)]
        assert codes == [202, 202, 429]
        # once one has ended, there is room again
        limited.state.stores.jobs.request_cancel(_jobs_of(limited, f"jobs-{unique}")[0])
        assert client.post("/api/v1/jobs", json=body, headers=token).status_code == 202


def _jobs_of(app, project: str) -> list[str]:
    from sqlalchemy import select

    from service.store.models import JobRow, ProjectRow, RunRow

    with app.state.stores.db.read() as tx:
        return list(tx.scalars(
            select(JobRow.id).join(RunRow, RunRow.id == JobRow.run_id)
            .join(ProjectRow, ProjectRow.id == RunRow.project_id)
            .where(ProjectRow.name == project).order_by(JobRow.id)))


def test_the_request_limit_is_shared_by_api_processes_through_redis(settings, unique):
    """Two apps (as two API processes) on one Redis count one token's requests together."""
    import redis

    from service.api.app import create_app
    from tests.workers.conftest import REDIS_URL, _check_redis

    _check_redis()
    shared = settings.model_copy(update={
        "api_token": BOOT, "requests_per_minute": 5, "broker_url": REDIS_URL,
        "queue": f"limit-{unique}",
    })
    first, second = create_app(shared), create_app(shared)
    try:
        with TestClient(first) as one, TestClient(second) as two:
            codes = [c.get("/api/v1/runs", headers=bearer(BOOT)).status_code
                     for c in (one, two, one, two, one, two)]
        assert codes == [200] * 5 + [429], codes
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"*limit-{unique}*"):
            client.delete(key)
        client.close()
