"""Follow-up jobs, lineage and the steps of auto-repair, without a worker: jobs whose runs
carry the curves of real training runs (bench/advisor/curves), ended by hand. The worker's
side (a job ends, the chain goes on) is tests/workers/test_repair.py."""

from __future__ import annotations

import math

import pytest

from service.catalogue import deep_merge
from service.repair import advance
from service.schemas import JobSpec, JobStatus, MetricPoint, RepairState, RunCreate
from tests.advisor.conftest import load


def ended_job(app, record: str, project: str, repair_rounds: int = 0, **sections):
    """A job with the spec of a stored benchmark run (sections changed as given), its
    curves logged, ended as it did."""
    _, facts, _ = load(record)
    # Runs on a user's own files were stored without a spec: an npz job stands in.
    spec = facts.spec or JobSpec.model_validate(
        {"dataset": {"name": "npz", "path": f"{record}.npz"}, "model": {"arch": "mlp"},
         "optimizer": {"name": "adam"}}).resolved()
    spec = deep_merge(spec, sections)
    job = app.state.stores.jobs.create_job(
        RunCreate(project=project, name=record, meta=facts.meta), spec,
        epochs=facts.meta["planned_epochs"], repair_rounds=repair_rounds,
    )
    return end_as(app, job, record)


def end_as(app, job, record: str):
    """End `job` with the curves of a stored benchmark run, as if it had trained them."""
    series, _, _ = load(record)
    stores = app.state.stores
    points = [MetricPoint(key=k, step=s, value=v if math.isfinite(v) else "NaN")
              for k, pts in series.items() for s, v in pts]
    stores.tracking.log_metrics(job.run_id, points)
    val = [(v, s) for s, v in series["val_loss"] if math.isfinite(v)]
    stores.jobs.finish_job(job.id, JobStatus.succeeded, best_epoch=min(val)[1] if val else None)
    return stores.jobs.get_job(job.id)


def test_deep_merge_lays_the_patch_over_the_spec():
    base = {"a": {"x": 1, "y": 2}, "b": 3, "c": None}
    assert deep_merge(base, {"a": {"y": 5}, "c": {"z": 1}}) == {
        "a": {"x": 1, "y": 5}, "b": 3, "c": {"z": 1}}
    assert base == {"a": {"x": 1, "y": 2}, "b": 3, "c": None}  # untouched


def test_a_follow_up_applies_a_suggestion_of_the_runs_diagnosis(app, client, unique):
    parent = ended_job(app, "overfit_wine_mlp", f"fu-{unique}")
    diagnosis = client.get(f"/api/v1/runs/{parent.run_id}/diagnosis").json()
    index = next(i for i, s in enumerate(diagnosis["suggestions"]) if s["patch"])
    response = client.post(f"/api/v1/jobs/{parent.id}/follow-up", json={"suggestion": index})
    assert response.status_code == 202, response.text
    job = response.json()
    chosen = diagnosis["suggestions"][index]
    assert job["parent_id"] == parent.id and job["root_id"] == parent.id and job["round"] == 1
    assert job["applied"] == {"action": chosen["action"], "patch": chosen["patch"]}
    merged = deep_merge(parent.spec, chosen["patch"])
    assert job["spec"] == JobSpec.model_validate(merged).resolved()  # defaults written out
    assert job["status"] == "queued" and job["project"] == f"fu-{unique}"


def test_a_follow_up_applies_a_patch_and_the_lineage_lists_the_chain(app, client, unique):
    parent = ended_job(app, "stuck_lowlr_wine_adam", f"fu-{unique}")
    patch = {"optimizer": {"lr": 0.001}}
    job = client.post(f"/api/v1/jobs/{parent.id}/follow-up", json={"patch": patch}).json()
    assert job["applied"] == {"action": "patch", "patch": patch}
    assert job["spec"]["optimizer"]["lr"] == 0.001
    lineage = client.get(f"/api/v1/jobs/{job['id']}/lineage").json()
    assert lineage["root_id"] == parent.id and lineage["max_rounds"] == 0
    assert [j["id"] for j in lineage["jobs"]] == [parent.id, job["id"]]
    assert lineage["jobs"][0]["diagnosis"] == {"status": "stuck", "cause": "lr_too_low"}
    assert lineage["jobs"][1]["diagnosis"] is None  # queued: nothing to judge yet
    assert lineage["state"] == "running"  # a job of the chain has not ended
    assert lineage["metric"] == {"name": "val_acc", "higher_is_better": True,
                                 "tie_break": "val_loss", "best_possible": 1.0}
    assert lineage["jobs"][0]["val_metric"] is not None
    assert lineage["best_job_id"] == parent.id


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"suggestion": 99}, "suggestion", "give an index"),
        ({"patch": {"optimizer": {"lr": 1e-06}}}, "patch", "as it is"),
        ({"patch": {"model": {"arch": "transformer"}}}, "patch.model.arch", "Input should"),
        ({"patch": {"model": {"arch": "cnn"}}}, "spec.model.arch", "images"),
        ({}, "body", "either suggestion"),
        ({"suggestion": 0, "patch": {}}, "body", "either suggestion"),
    ],
)
def test_follow_ups_that_cannot_be_made_are_422_naming_the_field(
    app, client, unique, body, field, words
):
    parent = ended_job(app, "stuck_lowlr_wine_adam", f"fu-{unique}")
    response = client.post(f"/api/v1/jobs/{parent.id}/follow-up", json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == field and words in error["message"]


def test_a_suggestion_without_a_patch_is_not_applied(app, client, unique):
    parent = ended_job(app, "mismatch_wine_shifted", f"fu-{unique}")
    suggestions = client.get(f"/api/v1/runs/{parent.run_id}/diagnosis").json()["suggestions"]
    assert suggestions[0]["action"] == "check_data_split" and suggestions[0]["patch"] is None
    response = client.post(f"/api/v1/jobs/{parent.id}/follow-up", json={"suggestion": 0})
    assert response.status_code == 422 and "without a patch" in response.text


def test_a_follow_up_needs_an_ended_job(app, client, unique):
    stores = app.state.stores
    queued = stores.jobs.create_job(RunCreate(project=f"fu-{unique}"), {"x": 1}, epochs=3)
    response = client.post(f"/api/v1/jobs/{queued.id}/follow-up", json={"patch": {}})
    assert response.status_code == 409 and "ended job" in response.json()["error"]["message"]
    assert client.post("/api/v1/jobs/nope/follow-up", json={"patch": {}}).status_code == 404
    assert client.get("/api/v1/jobs/nope/lineage").status_code == 404


def test_auto_repair_follows_the_first_usable_suggestion_once(app, unique):
    stores, queue, settings = app.state.stores, app.state.queue, app.state.settings
    first = ended_job(app, "overfit_wine_mlp", f"ar-{unique}", repair_rounds=2)
    assert advance(stores, queue, settings, first.id) == RepairState.running
    # a second call for the same ended job (a redelivered message) changes nothing
    assert advance(stores, queue, settings, first.id) == RepairState.running
    chain = stores.jobs.chain(first.id)
    assert len(chain) == 2 and chain[1].parent_id == first.id and chain[1].round == 1
    assert chain[1].status == JobStatus.queued and chain[1].applied is not None


def test_auto_repair_never_applies_a_suggestion_twice_in_a_chain(app, unique):
    stores, queue, settings = app.state.stores, app.state.queue, app.state.settings
    job = ended_job(app, "overfit_wine_mlp", f"ar-{unique}", repair_rounds=4)
    for _ in range(4):  # every round shows the same fault again
        assert advance(stores, queue, settings, job.id) == RepairState.running
        job = end_as(app, stores.jobs.chain(job.root_id)[-1], "overfit_wine_mlp")
    applied = [j.applied for j in stores.jobs.chain(job.root_id) if j.applied is not None]
    keys = [(a.action, repr(sorted(a.patch.items()))) for a in applied]
    assert len(keys) == 4 and len(set(keys)) == 4, keys
    assert advance(stores, queue, settings, job.id) == RepairState.gave_up  # rounds used up


def test_a_healthy_run_ends_the_repair(app, unique):
    stores, queue, settings = app.state.stores, app.state.queue, app.state.settings
    healthy = ended_job(app, "healthy_wine_mlp", f"ar-{unique}", repair_rounds=2)
    assert advance(stores, queue, settings, healthy.id) == RepairState.repaired
    assert len(stores.jobs.chain(healthy.id)) == 1
    stuck = ended_job(app, "stuck_lowlr_wine_adam", f"ar-{unique}", repair_rounds=2)
    advance(stores, queue, settings, stuck.id)
    fixed = end_as(app, stores.jobs.chain(stuck.id)[-1], "healthy_wine_mlp")
    assert advance(stores, queue, settings, fixed.id) == RepairState.repaired
    assert stores.jobs.repair_of(stuck.id) == (2, RepairState.repaired)


def test_a_chain_without_usable_suggestions_gives_up_at_once(app, client, unique):
    stores, queue, settings = app.state.stores, app.state.queue, app.state.settings
    # A mismatch whose validation set is already drawn at random: no change to the spec
    # can help, the data needs checking.
    job = ended_job(app, "mismatch_wine_shifted", f"ar-{unique}", repair_rounds=2,
                    dataset={"val_fraction": 0.2})
    assert advance(stores, queue, settings, job.id) == RepairState.gave_up
    lineage = client.get(f"/api/v1/jobs/{job.id}/lineage").json()
    assert lineage["state"] == "gave_up" and len(lineage["jobs"]) == 1


def test_repair_rounds_are_bounded(client):
    spec = {"dataset": {"name": "wine"}, "model": {"arch": "mlp"}, "optimizer": {"name": "adam"}}
    response = client.post("/api/v1/jobs", json={"project": "bounds", "spec": spec,
                                                 "repair": {"max_rounds": 6}})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "repair.max_rounds"
