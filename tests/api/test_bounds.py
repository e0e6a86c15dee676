"""Bounds on what a job may ask for, checked at submit (service/jobs.py `check_bounds`): the
samples of its dataset, its model's parameters, its training's memory as the catalogue
estimates it. Over a bound: 422 naming the field and the estimate, and no run is made."""

from __future__ import annotations

import pytest

from service.catalogue.memory import estimate_training_memory
from service.errors import Invalid
from service.jobs import check_bounds
from service.schemas import JobSpec, JobStatus, RunCreate
from service.settings import Settings

DIGITS = {"name": "digits"}
ADAM = {"name": "adam"}


def post(client, spec: dict, project: str):
    return client.post("/api/v1/jobs", json={"project": project, "spec": spec})


def refused(client, spec: dict, project: str = "bounds") -> dict:
    response = post(client, spec, project)
    assert response.status_code == 422, response.text
    return response.json()["error"]


def resolved(spec: dict) -> dict:
    return JobSpec.model_validate(spec).resolved()


def test_a_model_over_the_parameter_bound_is_422_with_its_count(client, unique):
    # the example: width 31,000 x depth 2 on a dataset (~18 GB to train with Adam)
    wide = {"dataset": DIGITS, "model": {"arch": "mlp", "width": 31_000, "depth": 2},
            "optimizer": ADAM}
    error = refused(client, wide, f"wide-{unique}")
    assert error["code"] == "invalid" and error["field"] == "spec.model.width"
    assert error["message"] == ("the model has 9.63e8 parameters; the limit is 1e8 "
                                "(FITDOC_MAX_PARAMS)")
    # no run is made for it
    assert client.get("/api/v1/runs", params={"project": f"wide-{unique}"}).status_code == 404

    listed = {**wide, "model": {"arch": "mlp", "widths": [20_000, 20_000]}}
    assert refused(client, listed)["field"] == "spec.model.widths"


def test_ten_million_samples_are_422_on_n_train(client):
    many = {"dataset": {"name": "synthetic_images", "n_train": 10_000_000},
            "model": {"arch": "cnn"}, "optimizer": ADAM}
    error = refused(client, many)
    assert error["field"] == "spec.dataset.n_train"
    assert "10,000,000 training samples; the limit is 1,000,000" in error["message"]


def test_a_model_whose_optimizer_state_is_over_the_memory_bound_names_its_width(client):
    # 16.3M parameters (under 1e8), but L-BFGS keeps 100 steps of history: ~13 GiB
    spec = {"dataset": DIGITS, "model": {"arch": "mlp", "width": 4_000, "depth": 2},
            "optimizer": {"name": "lbfgs"}, "training": {"batch_size": 2048}}
    error = refused(client, spec)
    assert error["field"] == "spec.model.width"
    message = error["message"]
    assert message.startswith("training would need about 12.9 GiB (weights 62 MiB, ")
    assert "optimizer state 12.6 GiB" in message
    assert message.endswith("the limit is 8.0 GiB (FITDOC_MAX_JOB_MEMORY): use a smaller width")
    # the same model with Adam fits
    assert post(client, {**spec, "optimizer": ADAM}, "bounds").status_code == 202


def test_activations_over_the_memory_bound_name_the_batch_size(client):
    spec = {"dataset": {"name": "synthetic_images"}, "model": {"arch": "resnet18"},
            "optimizer": {"name": "sgd"}, "training": {"batch_size": 4096}}
    error = refused(client, spec)
    assert error["field"] == "spec.training.batch_size"
    assert "activations 31.1 GiB for a batch of 4,096" in error["message"]
    assert error["message"].endswith("use a smaller batch_size")


def test_a_follow_up_over_a_bound_is_422(app, client, unique):
    """A follow-up's patched spec is checked like a submitted one."""
    stores = app.state.stores
    spec = resolved({"dataset": DIGITS, "model": {"arch": "mlp"}, "optimizer": ADAM})
    parent = stores.jobs.create_job(RunCreate(project=f"fu-bounds-{unique}"), spec, epochs=10)
    stores.jobs.finish_job(parent.id, JobStatus.succeeded)
    response = client.post(f"/api/v1/jobs/{parent.id}/follow-up",
                           json={"patch": {"model": {"width": 31_000, "depth": 2}}})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "spec.model.width"
    assert "9.63e8 parameters" in response.json()["error"]["message"]


def test_a_dataset_over_the_memory_bound_names_n_train():
    settings = Settings(max_job_memory=1024**3)  # 1 GiB
    spec = resolved({"dataset": {"name": "synthetic_images", "n_train": 500_000},
                     "model": {"arch": "cnn"}, "optimizer": ADAM})
    with pytest.raises(Invalid) as caught:
        check_bounds(spec, settings)
    assert caught.value.field == "spec.dataset.n_train"
    assert "dataset 1.8 GiB for 625,000 samples" in caught.value.message
    assert caught.value.message.endswith("use a smaller n_train")
    check_bounds(spec, Settings(max_job_memory=3 * 1024**3))  # fits in 3 GiB


def test_a_spec_whose_data_is_read_from_files_has_no_estimate_at_submit():
    spec = resolved({"dataset": {"name": "npz", "path": "x.npz"}, "model": {"arch": "mlp"},
                     "optimizer": ADAM})
    assert estimate_training_memory(spec) is None
    check_bounds(spec, Settings(max_params=1, max_job_memory=1024**2))  # nothing to check


def test_the_estimate_follows_the_spec():
    base = {"dataset": DIGITS, "model": {"arch": "mlp", "width": 1000},
            "optimizer": {"name": "sgd"}, "training": {"batch_size": 64}}
    plain = estimate_training_memory(resolved(base))
    assert plain.parameters == 64 * 1000 + 1000 + 1000 * 1000 + 1000 + 1000 * 10 + 10
    assert plain.optimizer == 0
    assert plain.weights == plain.gradients == plain.best_weights == plain.parameters * 4

    momentum = estimate_training_memory(resolved({**base, "optimizer": {"name": "sgd",
                                                                        "momentum": 0.9}}))
    assert momentum.optimizer == plain.parameters * 4
    adam = estimate_training_memory(resolved({**base, "optimizer": ADAM}))
    assert adam.optimizer == plain.parameters * 8

    bf16 = estimate_training_memory(resolved({**base, "training": {"batch_size": 64,
                                                                   "precision": "bf16"}}))
    assert bf16.activations * 2 == plain.activations
    assert bf16.weights == plain.parameters * 6  # fp32 weights and autocast's bf16 copy

    bigger = estimate_training_memory(resolved({**base, "training": {"batch_size": 128}}))
    assert bigger.activations == 2 * plain.activations
    # a batch larger than the training set is the training set
    whole = estimate_training_memory(resolved({**base, "training": {"batch_size": 65536}}))
    assert whole.batch_size == 1438 and whole.samples == 1797


def test_an_uploads_known_shape_and_size_are_estimated():
    from service.catalogue import DatasetInfo

    spec = resolved({"dataset": {"name": "npz", "path": "x.npz"}, "model": {"arch": "mlp"},
                     "optimizer": ADAM})
    upload = DatasetInfo("tabular", 3, (100,), task=None, user_files=True, samples=1000,
                         held_out=200)
    estimate = estimate_training_memory(spec, upload)
    assert estimate.samples == 1000 and estimate.dataset == 1000 * (100 * 4 + 8)
    assert estimate.parameters == 100 * 128 + 128 + 128 * 128 + 128 + 128 * 3 + 3
