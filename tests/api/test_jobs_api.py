"""The jobs API without a worker: validation, 404s, cancelling a queued job."""

from __future__ import annotations

import pytest

VALID = {
    "dataset": {"name": "mnist1d"},
    "model": {"arch": "mlp"},
    "optimizer": {"name": "adam"},
}


@pytest.mark.parametrize(
    ("spec", "field", "words"),
    [
        ({**VALID, "model": {"arch": "cnn"}}, "spec.model.arch", "image"),
        ({**VALID, "augmentation": {"hflip": True}}, "spec.augmentation.hflip", "images"),
        ({**VALID, "model": {"arch": "mlp", "colour": "red"}}, "spec.model.colour", "xtra"),
        ({**VALID, "optimizer": {"name": "adam", "lr": 0}}, "spec.optimizer.lr", "greater"),
        ({**VALID, "optimizer": {"name": "adamax"}}, "spec.optimizer.name", "Input should be"),
        ({**VALID, "training": {"epochs": 100_000}}, "spec.training.epochs", "at most"),
        ({**VALID, "training": {"batch_size": 0}}, "spec.training.batch_size", "greater"),
        (
            {**VALID, "optimizer": {"name": "sgd", "nesterov": True}},
            "spec.optimizer.nesterov",
            "momentum",
        ),
        ({"dataset": {"name": "mnist1d"}, "model": {"arch": "mlp"}}, "spec.optimizer", "equired"),
        # rules that tie fields together: the catalogue's, decided without torch
        ({**VALID, "model": {"arch": "mlp", "widths": [8], "width": 8}}, "spec.model.widths",
         "either"),
        ({**VALID, "model": {"arch": "mlp", "widths": [65536] * 4}}, "spec.model.widths",
         "parameters"),
        ({**VALID, "dataset": {"name": "synthetic_images"}, "model": {"arch": "cnn", "depth": 6}},
         "spec.model.depth", "32x32"),
        ({**VALID, "model": {"arch": "linear", "dropout": 0.5}}, "spec.model.dropout",
         "does not use"),
        # an npz file's shape is known only once it is read, but not what an arch uses
        ({**VALID, "dataset": {"name": "npz", "path": "g.npz"},
          "model": {"arch": "linear", "batchnorm": True}}, "spec.model.batchnorm",
         "does not use"),
        ({**VALID, "dataset": {"name": "npz"}}, "spec.dataset.path", "needs a path"),
        ({**VALID, "dataset": {"name": "wine", "n_train": 150}}, "spec.dataset.n_train",
         "142 training samples"),
        ({**VALID, "dataset": {"name": "wine", "path": "w.npz"}}, "spec.dataset.path",
         "bundled"),
        ({**VALID, "augmentation": {"mixup": {"alpha": 5}}}, "spec.augmentation.mixup.alpha",
         "less than or equal to 4"),
        ({**VALID, "dataset": {"name": "synthetic_images"}, "model": {"arch": "cnn"},
          "augmentation": {"random_resized_crop": {"scale": [0.9, 0.2]}}},
         "spec.augmentation.random_resized_crop.scale", "low <= high"),
        ({**VALID, "schedule": {"name": "cosine", "gamma": 0.5}}, "spec.schedule.gamma",
         "does not use"),
        ({**VALID, "schedule": {"name": "cosine", "warmup_epochs": 10}},
         "spec.schedule.warmup_epochs", "leave nothing"),
        ({**VALID, "optimizer": {"name": "lbfgs"}, "training": {"precision": "fp16"}},
         "spec.training.precision", "fp16"),
        ({**VALID, "dataset": {"name": "npz", "path": "r.npz", "task": "regression"}},
         "spec.training.loss", "mse"),
        ({**VALID, "dataset": {"name": "wine", "standardize_targets": True}},
         "spec.dataset.standardize_targets", "regression"),
        ({**VALID, "dataset": {"name": "wine", "standardize_targets": "yes"}},
         "spec.dataset.standardize_targets", "boolean"),
    ],
)
def test_invalid_specs_are_422_naming_the_field(client, spec, field, words):
    response = client.post("/api/v1/jobs", json={"project": "bad-specs", "spec": spec})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == field
    assert words in error["message"]


def test_a_rejected_spec_makes_no_run(client, unique):
    bad = {**VALID, "model": {"arch": "resnet18"}}
    client.post("/api/v1/jobs", json={"project": f"norun-{unique}", "spec": bad})
    assert client.get("/api/v1/runs", params={"project": f"norun-{unique}"}).status_code == 404


def test_unknown_job_is_404(client):
    assert client.get("/api/v1/jobs/nope").status_code == 404
    assert client.post("/api/v1/jobs/nope/cancel").status_code == 404
    # an id is looked up before any path is made from it
    response = client.get("/api/v1/jobs/nope/checkpoint")
    assert response.status_code == 404 and response.json()["error"]["field"] == "job_id"
    assert client.get("/api/v1/jobs/..%2F..%2Ffitdoc.db/checkpoint").status_code == 404


def test_a_queued_job_has_no_checkpoint_yet_and_says_why(app, client, unique):
    from service.schemas import RunCreate

    job = app.state.stores.jobs.create_job(RunCreate(project=f"ck-{unique}"), {"x": 1}, epochs=3)
    response = client.get(f"/api/v1/jobs/{job.id}/checkpoint")
    assert response.status_code == 404
    assert "has not started" in response.json()["error"]["message"]
    # once the worker has written it, it is served as it is
    path = app.state.settings.checkpoint_path(job.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"weights")
    response = client.get(f"/api/v1/jobs/{job.id}/checkpoint")
    assert response.status_code == 200 and response.content == b"weights"


def test_cancelling_a_queued_job_ends_it_at_once(app, unique):
    from service.schemas import JobStatus, RunCreate

    stores = app.state.stores
    job = stores.jobs.create_job(RunCreate(project=f"q-{unique}"), {"x": 1}, epochs=3)
    cancelled = stores.jobs.request_cancel(job.id)
    assert cancelled.status == JobStatus.cancelled and cancelled.finished_at is not None
    assert stores.tracking.get_run(job.run_id).status.value == "killed"
    assert stores.jobs.claim_job(job.id, "w", 60) is None  # a late delivery does nothing


def test_jobs_are_listed_newest_first_by_project_and_status_a_page_at_a_time(app, client, unique):
    from service.schemas import RunCreate

    jobs = app.state.stores.jobs
    mine = [jobs.create_job(RunCreate(project=f"list-{unique}", name=f"j{i}"), {"x": i},
                            epochs=3) for i in range(3)]
    other = jobs.create_job(RunCreate(project=f"other-{unique}"), {"x": 9}, epochs=3)
    jobs.request_cancel(mine[1].id)
    listed = client.get("/api/v1/jobs", params={"project": f"list-{unique}"})
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert [j["id"] for j in body["items"]] == [j.id for j in reversed(mine)]
    assert body["items"][0]["project"] == f"list-{unique}" and body["next_cursor"] is None
    assert other.id not in {j["id"] for j in body["items"]}
    cancelled = client.get("/api/v1/jobs", params={"project": f"list-{unique}",
                                                   "status": "cancelled"}).json()
    assert [j["id"] for j in cancelled["items"]] == [mine[1].id]
    # a page at a time, with the cursor of the last
    first = client.get("/api/v1/jobs", params={"project": f"list-{unique}", "limit": 2}).json()
    rest = client.get("/api/v1/jobs", params={"project": f"list-{unique}", "limit": 2,
                                              "cursor": first["next_cursor"]}).json()
    assert [j["id"] for j in first["items"] + rest["items"]] == [j.id for j in reversed(mine)]
    assert rest["next_cursor"] is None
    # every project's jobs without a filter, the newest first
    everything = client.get("/api/v1/jobs", params={"limit": 1}).json()
    assert everything["items"][0]["id"] == other.id
    # what cannot be listed says which field is wrong
    for params, status, field in (({"project": f"none-{unique}"}, 404, "project"),
                                  ({"status": "sleeping"}, 422, "status"),
                                  ({"cursor": "abc"}, 422, "cursor"),
                                  ({"limit": 0}, 422, "limit")):
        answer = client.get("/api/v1/jobs", params=params)
        assert answer.status_code == status and answer.json()["error"]["field"] == field, \
            (params, answer.text)
