"""Bad input gets a clear error (status, code, field) and never a 500."""

from __future__ import annotations

import pytest

from tests.utils.factories import make_run


@pytest.fixture
def run(client, unique):
    return make_run(client, f"err-{unique}")


def error(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] and body["error"]["message"]
    return body["error"]


@pytest.mark.parametrize(
    ("batch", "field"),
    [
        ({"metrics": [{"key": "loss", "step": "ten", "value": 1.0}]}, "metrics[0].step"),
        ({"metrics": [{"key": "loss", "step": 1, "value": "high"}]}, "metrics[0].value"),
        ({"metrics": [{"key": "loss", "step": 1, "value": True}]}, "metrics[0].value"),
        ({"metrics": [{"key": "loss", "step": -1, "value": 1.0}]}, "metrics[0].step"),
        ({"metrics": [{"step": 1, "value": 1.0}]}, "metrics[0].key"),
        ({"metrics": [{"key": "loss", "value": 1.0}]}, "metrics[0].step"),
        ({"metrics": [{"key": "x" * 251, "step": 1, "value": 1.0}]}, "metrics[0].key"),
        ({"metrics": [{"key": "loss", "step": 1, "value": 1.0, "unit": "s"}]}, "metrics[0].unit"),
        ({"points": []}, "metrics"),
        ({"metrics": "loss=1"}, "metrics"),
    ],
)
def test_bad_metric_batches_are_422_naming_the_field(client, run, batch, field):
    url = f"/api/v1/runs/{run['id']}/metrics"
    assert error(client.post(url, json=batch), 422)["field"] == field
    assert client.get(url).json()["series"] == {}  # nothing of a bad batch is kept


def test_malformed_json_is_422(client, run):
    response = client.post(
        f"/api/v1/runs/{run['id']}/metrics",
        content=b'{"metrics": [{"key": "loss",',
        headers={"content-type": "application/json"},
    )
    body = error(response, 422)
    assert body["field"] == "body" and "JSON" in body["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "project"),
        ({"project": ""}, "project"),
        ({"project": "p", "params": {"lr": [1, 2]}}, "params.lr"),
        ({"project": "p", "params": {"lr": "x" * 6001}}, "params.lr"),
        ({"project": "p", "tags": {"t": 3}}, "tags.t"),
        ({"project": "p", "meta": {"task": "ranking"}}, "meta.task"),
        ({"project": "p", "meta": {"num_classes": 0}}, "meta.num_classes"),
        ({"project": "p", "colour": "red"}, "colour"),
        ({"project": "x" * 251}, "project"),
    ],
)
def test_bad_runs_are_422(client, body, field):
    assert error(client.post("/api/v1/runs", json=body), 422)["field"] == field


def test_bad_patch_and_queries_are_422(client, run):
    assert (
        error(client.patch(f"/api/v1/runs/{run['id']}", json={"status": "done"}), 422)["field"]
        == "status"
    )
    assert error(client.get("/api/v1/runs", params={"limit": 0}), 422)["field"] == "limit"
    assert error(client.get("/api/v1/runs", params={"cursor": "!!"}), 422)["field"] == "cursor"
    assert error(client.get("/api/v1/runs", params={"diagnosis": "sad"}), 422)["field"] == (
        "diagnosis"
    )
    url = f"/api/v1/runs/{run['id']}/metrics"
    assert error(client.get(url, params={"max_points": 1}), 422)["field"] == "max_points"


def test_unknown_ids_are_404(client):
    for method, url, body in [
        ("get", "/api/v1/runs/nope", None),
        ("patch", "/api/v1/runs/nope", {"status": "finished"}),
        ("post", "/api/v1/runs/nope/metrics", {"metrics": [{"key": "a", "step": 0, "value": 1}]}),
        ("get", "/api/v1/runs/nope/metrics", None),
        ("get", "/api/v1/runs/nope/diagnosis", None),
        ("get", "/api/v1/runs?project=nope-never-made", None),
        ("get", "/api/v1/nowhere", None),
    ]:
        response = client.request(method, url, json=body)
        assert error(response, 404)["code"] == "not_found", url


def test_over_limit_batch_is_413(client, run):
    url = f"/api/v1/runs/{run['id']}/metrics"
    batch = {"metrics": [{"key": "k", "step": s, "value": 0.5} for s in range(10_001)]}
    body = error(client.post(url, json=batch), 413)
    assert body["code"] == "too_large" and body["field"] == "metrics"
    assert client.get(url).json()["series"] == {}
    exactly = {"metrics": batch["metrics"][:10_000]}
    assert client.post(url, json=exactly).json() == {"accepted": 10_000}


def test_over_limit_body_is_413(client, settings):
    huge = b'{"project": "' + b"x" * (settings.max_body_bytes + 10) + b'"}'
    response = client.post(
        "/api/v1/runs", content=huge, headers={"content-type": "application/json"}
    )
    assert error(response, 413)["code"] == "too_large"


def test_job_run_status_cannot_be_patched_by_hand(client, app, unique):
    from service.schemas import RunCreate, RunSource

    tracking = app.state.stores.tracking
    run = tracking.create_run(RunCreate(project=f"job-{unique}"), source=RunSource.job, job_id="j")
    response = client.patch(f"/api/v1/runs/{run.id}", json={"status": "finished"})
    assert error(response, 409)["field"] == "status"
