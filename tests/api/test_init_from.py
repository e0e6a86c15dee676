"""Submitting a job that starts from another's checkpoint (`model.init_from`) and one that
validates on a cross-validation fold (`dataset.folds`, `dataset.fold`): what the API
refuses, with the field to change, before anything is queued."""

from __future__ import annotations

import pytest

from service.schemas import JobSpec, JobStatus, RunCreate

SOURCE = {
    "dataset": {"name": "digits"},
    "model": {"arch": "mlp", "widths": [32]},
    "optimizer": {"name": "adam"},
}


def source_job(app, project: str, status: JobStatus | None = JobStatus.succeeded,
               checkpoint: bool = True, spec: dict | None = None):
    """A job of `project` as a worker would have left it: ended with `status` (None: still
    queued), with or without its checkpoint file."""
    stores, settings = app.state.stores, app.state.settings
    resolved = JobSpec.model_validate(spec or SOURCE).resolved()
    job = stores.jobs.create_job(RunCreate(project=project), resolved, epochs=10)
    if status is not None:
        stores.jobs.finish_job(job.id, status)
    if checkpoint:
        path = settings.checkpoint_path(job.id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"weights")  # the API checks that it is there, the worker reads it
    return job


def started_from(job_id: str, freeze="head_only", **model) -> dict:
    return {**SOURCE, "model": {**SOURCE["model"], **model,
                                "init_from": {"job_id": job_id, "freeze": freeze}}}


def post(client, project: str, spec: dict):
    return client.post("/api/v1/jobs", json={"project": project, "spec": spec})


def refused(response, field: str) -> str:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == field, error
    return error["message"]


def test_a_job_starts_from_a_succeeded_job_of_its_project(app, client, unique):
    source = source_job(app, f"tr-{unique}")
    response = post(client, f"tr-{unique}", started_from(source.id))
    assert response.status_code == 202, response.text
    init = response.json()["spec"]["model"]["init_from"]
    assert init == {"job_id": source.id, "weights": "best", "freeze": "head_only"}
    # the run's params say where it started
    run = client.get(f"/api/v1/runs/{response.json()['run_id']}").json()
    assert run["params"]["model.init_from.job_id"] == source.id


def test_any_ended_job_with_a_checkpoint_will_do(app, client, unique):
    # a hessian probe writes the moved weights of an escape at its own id, and may end
    # failed as a training (a NaN loss) does while still saving its model
    source = source_job(app, f"tr-{unique}", status=JobStatus.failed, checkpoint=True)
    assert post(client, f"tr-{unique}", started_from(source.id)).status_code == 202


def test_an_unknown_job_and_another_projects_read_the_same(app, client, unique):
    theirs = source_job(app, f"other-{unique}")
    source_job(app, f"tr-{unique}")  # the project exists, with a job of its own
    unknown = refused(post(client, f"tr-{unique}", started_from("f" * 32)),
                      "spec.model.init_from.job_id")
    assert unknown == f"no job {'f' * 32!r} in this project"
    other = refused(post(client, f"tr-{unique}", started_from(theirs.id)),
                    "spec.model.init_from.job_id")
    assert other == f"no job {theirs.id!r} in this project"
    # a new project has no jobs at all
    assert refused(post(client, f"new-{unique}", started_from(theirs.id)),
                   "spec.model.init_from.job_id") == other
    assert client.get("/api/v1/runs", params={"project": f"new-{unique}"}).status_code == 404


@pytest.mark.parametrize(("status", "checkpoint", "words"), [
    (None, False, "is queued: a job starts from another's model once that one has ended"),
    (JobStatus.failed, False, "no checkpoint to start from: it failed"),
    (JobStatus.cancelled, False, "no checkpoint to start from: it was cancelled"),
    (JobStatus.succeeded, False, "no checkpoint to start from: it is not in this server's"),
])
def test_a_job_without_a_model_to_start_from_is_refused_saying_why(
        app, client, unique, status, checkpoint, words):
    source = source_job(app, f"tr-{unique}", status=status, checkpoint=checkpoint)
    message = refused(post(client, f"tr-{unique}", started_from(source.id)),
                      "spec.model.init_from.job_id")
    assert words in message


@pytest.mark.parametrize(("model", "field", "words"), [
    ({"widths": [64]}, "spec.model.widths", "widths [32], this spec's [64]"),
    ({"activation": "tanh"}, "spec.model.activation", "activation relu, this spec's tanh"),
    ({"dropout": 0.2}, "spec.model.dropout", "dropout off, this spec's on"),
])
def test_a_model_with_other_layers_is_refused_naming_the_field(
        app, client, unique, model, field, words):
    source = source_job(app, f"tr-{unique}")
    message = refused(post(client, f"tr-{unique}", started_from(source.id, **model)), field)
    assert words in message and "same layers" in message


def test_dropouts_rate_may_differ(app, client, unique):
    spec = {**SOURCE, "model": {**SOURCE["model"], "dropout": 0.1}}
    source = source_job(app, f"tr-{unique}", spec=spec)
    assert post(client, f"tr-{unique}", started_from(source.id, dropout=0.5)).status_code == 202


def test_another_input_shape_is_refused_at_submit(app, client, unique):
    source = source_job(app, f"tr-{unique}")
    spec = {**started_from(source.id), "dataset": {"name": "wine"}}
    message = refused(post(client, f"tr-{unique}", spec), "spec.model.init_from.job_id")
    assert "(64,) but this dataset's are tabular (F,) (13,)" in message


@pytest.mark.parametrize(("init_from", "field", "words"), [
    ({"job_id": "not-an-id"}, "spec.model.init_from.job_id", "pattern"),
    ({"job_id": "a" * 32, "freeze": "all"}, "spec.model.init_from.freeze", "head_only"),
    ({"job_id": "a" * 32, "freeze": 0}, "spec.model.init_from.freeze", "1"),
    ({"job_id": "a" * 32, "freeze": 2}, "spec.model.init_from.freeze", "freeze at most 1"),
    ({"job_id": "a" * 32, "weights": "mid"}, "spec.model.init_from.weights", "best"),
])
def test_bad_init_from_fields_are_422(client, init_from, field, words):
    spec = {**SOURCE, "model": {**SOURCE["model"], "init_from": init_from}}
    assert words in refused(post(client, "bad-specs", spec), field)


# --- folds ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("dataset", "field", "words"), [
    ({"name": "digits", "folds": 5}, "spec.dataset.fold", "folds needs fold"),
    ({"name": "digits", "fold": 0}, "spec.dataset.folds", "fold needs folds"),
    ({"name": "digits", "folds": 5, "fold": 5}, "spec.dataset.fold", "less than folds"),
    ({"name": "digits", "folds": 5, "fold": 1, "val_fraction": 0.2},
     "spec.dataset.val_fraction", "leave val_fraction out"),
    ({"name": "iris", "n_train": 20, "folds": 10, "fold": 0}, "spec.dataset.folds",
     "at least 30 training samples"),
    ({"name": "digits", "folds": 21, "fold": 0}, "spec.dataset.folds", "20"),
    ({"name": "digits", "folds": 1, "fold": 0}, "spec.dataset.folds", "2"),
])
def test_folds_that_cannot_be_cut_are_422(client, dataset, field, words):
    spec = {**SOURCE, "dataset": dataset}
    assert words in refused(post(client, "bad-specs", spec), field)


def test_a_fold_is_accepted_and_stored(client, unique):
    spec = {**SOURCE, "dataset": {"name": "digits", "folds": 5, "fold": 3, "seed": 1}}
    response = post(client, f"cv-{unique}", spec)
    assert response.status_code == 202, response.text
    dataset = response.json()["spec"]["dataset"]
    assert (dataset["folds"], dataset["fold"], dataset["val_fraction"]) == (5, 3, None)
