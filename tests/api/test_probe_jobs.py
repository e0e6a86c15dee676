"""Probe jobs at submit (service/jobs.py): the jobs a probe names must be the project's, have
succeeded and left a checkpoint; the probe's own rules are the catalogue's. No worker."""

from __future__ import annotations

import pytest

from service.schemas import JobStatus

SPEC = {"dataset": {"name": "wine"}, "model": {"arch": "mlp", "width": 8, "depth": 1},
        "optimizer": {"name": "adam"}, "training": {"epochs": 2}}


def post(client, project: str, spec: dict, **body):
    return client.post("/api/v1/jobs", json={"project": project, "spec": spec, **body})


def error_of(response) -> tuple[str, str]:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    return error["field"], error["message"]


def ended(app, client, project: str, spec: dict = SPEC, status=JobStatus.succeeded,
          checkpoint: bool = True) -> str:
    """A job of `project`, ended by hand, with a (stand-in) checkpoint file."""
    response = post(client, project, spec)
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    app.state.stores.jobs.finish_job(job_id, status)
    if checkpoint:
        path = app.state.settings.checkpoint_path(job_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"stand-in")
    return job_id


def test_a_probe_job_names_succeeded_jobs_of_its_project(app, client, unique):
    project = f"probes-{unique}"
    trained = ended(app, client, project)
    hessian = {**SPEC, "probe": {"kind": "hessian", "job_id": trained}}
    response = post(client, project, hessian)
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["spec"]["probe"] == {"kind": "hessian", "job_id": trained, "weights": "best",
                                    "batches": 4, "k": 3, "iters": 30, "tolerance": 1e-3,
                                    "escape_step": None}
    # its progress counts Lanczos iterations; its run says it is a probe's
    assert job["progress"] == {"epoch": 0, "epochs": 30}
    run = client.get(f"/api/v1/runs/{job['run_id']}").json()
    assert run["meta"]["probe"] == "hessian" and run["meta"]["planned_epochs"] == 30

    elsewhere = ended(app, client, f"probes-other-{unique}")
    queued = post(client, project, SPEC).json()["id"]
    failed = ended(app, client, project, status=JobStatus.failed)
    without = ended(app, client, project, checkpoint=False)
    for job_id, words in [("f" * 32, "no job"), (elsewhere, "no job"),
                          (queued, "is queued"), (failed, "is failed"),
                          (without, "has no checkpoint")]:
        field, message = error_of(post(client, project, {
            **SPEC, "probe": {"kind": "hessian", "job_id": job_id}}))
        assert field == "spec.probe.job_id" and words in message, message
    field, _ = error_of(post(client, project, {**SPEC, "probe": {"kind": "hessian",
                                                                  "job_id": "../x"}}))
    assert field == "spec.probe.job_id"


def test_an_ensembles_members_share_its_data(app, client, unique):
    project = f"ensemble-{unique}"
    a, b = ended(app, client, project), ended(app, client, project)
    other = ended(app, client, project, {**SPEC, "dataset": {"name": "wine", "seed": 1}})
    ok = post(client, project, {**SPEC, "probe": {"kind": "ensemble", "members": [a, b]}})
    assert ok.status_code == 202 and ok.json()["progress"]["epochs"] == 2
    for members, field, words in [
        ([a, "f" * 32], "spec.probe.members[1]", "no job"),
        ([a, other], "spec.probe.members[1]", "other data"),
        ([a, b, a], "spec.probe.members[2]", "already member 0"),
        ([a], "spec.probe.members", "at least 2"),
    ]:
        found, message = error_of(post(client, project, {
            **SPEC, "probe": {"kind": "ensemble", "members": members}}))
        assert (found, words in message) == (field, True), message


@pytest.mark.parametrize(("probe", "extra", "field", "words"), [
    ({"kind": "lr_range", "lr_min": 1.0, "lr_max": 0.5}, {}, "spec.probe.lr_max", "greater"),
    ({"kind": "lr_range", "steps": 1001}, {}, "spec.probe.steps", "1000"),
    ({"kind": "initial_loss"}, {"repair": {"max_rounds": 2}}, "spec.probe", "repair"),
    ({"kind": "nope"}, {}, "spec.probe", "kind"),
])
def test_a_probes_own_rules(client, probe, extra, field, words):
    found, message = error_of(post(client, "probe-rules", {**SPEC, "probe": probe}, **extra))
    assert found.startswith(field) and words in message, (found, message)


def test_an_lr_range_job_counts_its_batches(client, unique):
    response = post(client, f"lr-{unique}", {**SPEC, "probe": {"kind": "lr_range", "steps": 50}})
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["progress"]["epochs"] == 50
    meta = client.get(f"/api/v1/runs/{job['run_id']}").json()["meta"]
    assert meta["step_unit"] == "batch" and meta["probe"] == "lr_range"
