"""GET /runs/{id}/diagnosis on curves from real training runs (bench/advisor/curves),
logged as an external client would, under the names real clients use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.store.models import DiagnosisRow
from tests.utils.factories import make_run

CURVES = Path(__file__).resolve().parents[2] / "bench" / "advisor" / "curves"
# What other trackers' clients call the canonical keys.
ALIASES = {
    "train_loss": "loss",
    "val_loss": "val_loss",
    "train_acc": "accuracy",
    "val_acc": "val_accuracy",
    "lr": "learning_rate",
}


def log_stored_run(client, project: str, name: str, aliases: bool = True) -> dict:
    stored = json.loads((CURVES / f"{name}.json").read_text())
    facts = stored["facts"]
    run = make_run(client, project, name=name, params=facts["params"], meta=facts["meta"])
    points = [
        {
            "key": ALIASES.get(key, key) if aliases else key,
            "step": step,
            "value": value if isinstance(value, float | int) else str(value),
        }
        for key, values in stored["series"].items()
        for step, value in values
    ]
    response = client.post(f"/api/v1/runs/{run['id']}/metrics", json={"metrics": points})
    assert response.status_code == 200, response.text
    return run | {"label": stored["label"]}


@pytest.mark.parametrize(
    "name",
    [
        "healthy_mnist1d_cnn",
        "overfit_mnist1d_mlp",
        "stuck_lowlr_mnist1d_adam",
        "div_mnist1d_cnn_sgd",
        "mismatch_mnist1d_labels",
        "bias_mnist1d_linear_adam",
    ],
)
def test_external_runs_get_their_built_in_fault(client, unique, name):
    run = log_stored_run(client, f"ext-{unique}", name)
    body = client.get(f"/api/v1/runs/{run['id']}/diagnosis").json()
    assert body["status"] == run["label"]["status"], body["summary"]
    if run["label"]["cause"]:
        assert body["cause"] == run["label"]["cause"]
    assert body["run_id"] == run["id"] and body["evidence"] and body["suggestions"]
    # An external run has no JobSpec: suggestions carry no patch.
    assert all(s["patch"] is None for s in body["suggestions"])


def test_diagnosis_is_cached_until_new_points_arrive(client, app, unique):
    run = log_stored_run(client, f"cache-{unique}", "overfit_mnist1d_mlp", aliases=False)
    url = f"/api/v1/runs/{run['id']}/diagnosis"

    def cached_row():
        with app.state.stores.db.read() as session:
            row = session.get(DiagnosisRow, run["id"])
            return (row.metrics_rev, row.computed_at) if row else None

    first = client.get(url).json()
    stored = cached_row()
    assert stored is not None
    assert client.get(url).json() == first
    assert cached_row() == stored  # served from the cache, not recomputed

    client.post(
        f"/api/v1/runs/{run['id']}/metrics",
        json={"metrics": [{"key": "train_loss", "step": 10_000, "value": "NaN"}]},
    )
    after = client.get(url).json()
    assert after["status"] == "diverging"
    assert cached_row()[0] == stored[0] + 1


def test_edge_runs_answer_without_errors(client, unique):
    run = make_run(client, f"edge-{unique}")
    url = f"/api/v1/runs/{run['id']}"
    client.post(f"{url}/metrics", json={"metrics": [{"key": "loss", "step": 0, "value": 2.3}]})
    assert client.get(f"{url}/diagnosis").json()["status"] == "insufficient_data"
    nan = make_run(client, f"edge-{unique}")
    points = [{"key": "loss", "step": s, "value": "NaN"} for s in range(5)]
    client.post(f"/api/v1/runs/{nan['id']}/metrics", json={"metrics": points})
    assert client.get(f"/api/v1/runs/{nan['id']}/diagnosis").json()["status"] == "diverging"


def test_a_new_diagnosis_is_stored_before_it_is_answered(client, app, unique):
    """Read-your-writes: what GET /diagnosis answered is what the next read of the run sees
    (its MLflow `fitdoc.diagnosis` tag, a search by status). The route's function is called
    as the server calls it, but any work left for after the response is never run: the
    stored row must already be the answer when the function returns."""
    import inspect

    from fastapi import BackgroundTasks

    from service.api.diagnosis import read_diagnosis

    run = log_stored_run(client, f"ryw-{unique}", "overfit_mnist1d_mlp", aliases=False)
    stores = app.state.stores
    args = {"run_id": run["id"], "diagnoses": stores.diagnoses}
    if "background" in inspect.signature(read_diagnosis).parameters:
        args["background"] = BackgroundTasks()  # left unrun, as after a response
    answer = read_diagnosis(**args)
    with stores.db.read() as session:
        row = session.get(DiagnosisRow, run["id"])
        assert row is not None and row.status == answer.status.value == "overfitting"
        assert row.body == answer.model_dump(mode="json")
