"""check_config: specs that cannot run are refused before any data is loaded."""

from __future__ import annotations

import pytest

from workers.training import (
    AUGMENTATIONS,
    DATASETS,
    ConfigError,
    DatasetInfo,
    TrainConfig,
    check_config,
    dataset_info,
)
from workers.training.data import Dataset

from .specs import spec

IMAGE_ONLY = ["hflip", "random_crop", "random_resized_crop", "color_jitter", "cutout"]


def refused(spec_dict: dict, info: DatasetInfo | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as err:
        check_config(TrainConfig.from_dict(spec_dict), info)
    return err.value


@pytest.fixture
def no_loading(monkeypatch):
    """Every loader fails if called: check_config must decide from DatasetInfo alone."""
    def forbidden(cfg, data_dir):
        raise AssertionError("check_config loaded data")

    for name, entry in list(DATASETS.items()):
        monkeypatch.setitem(DATASETS, name, Dataset(entry.info, forbidden))


def test_every_dataset_declares_kind_and_classes():
    for name in DATASETS:
        info = dataset_info(name)
        assert info.kind in (None, "tabular", "sequence", "image"), name
    mnist1d = dataset_info("mnist1d")
    assert (mnist1d.kind, mnist1d.num_classes, mnist1d.input_shape) == ("sequence", 10, (1, 40))
    assert dataset_info("wine").kind == "tabular"
    assert dataset_info("synthetic_images").input_shape == (3, 32, 32)


@pytest.mark.usefixtures("no_loading")
@pytest.mark.parametrize("arch", ["cnn", "resnet18"])
def test_image_models_on_tabular_data_are_refused(arch):
    err = refused(spec(model={"arch": arch}))
    assert err.field == "model.arch"
    assert "tabular" in err.message and "images" in err.message


@pytest.mark.usefixtures("no_loading")
def test_cnn1d_on_images_is_refused():
    err = refused(spec(dataset={"name": "synthetic_images"}, model={"arch": "cnn1d"}))
    assert err.field == "model.arch" and "image" in err.message


@pytest.mark.usefixtures("no_loading")
@pytest.mark.parametrize("name", IMAGE_ONLY)
def test_image_augmentations_on_mnist1d_are_refused(name):
    err = refused(spec(dataset={"name": "mnist1d"}, augmentation={name: {}}))
    assert err.field == f"augmentation.{name}"
    assert "images" in err.message and "sequence" in err.message


@pytest.mark.usefixtures("no_loading")
def test_augmentations_that_fit_any_data_pass_on_tabular_data():
    check_config(TrainConfig.from_dict(spec(augmentation={"noise": {"std": 0.1},
                                                          "mixup": {"alpha": 0.4}})))


@pytest.mark.usefixtures("no_loading")
def test_every_image_augmentation_passes_on_images():
    check_config(TrainConfig.from_dict(spec(
        dataset={"name": "synthetic_images"}, model={"arch": "cnn"},
        augmentation={name: {} for name in AUGMENTATIONS})))


@pytest.mark.usefixtures("no_loading")
@pytest.mark.parametrize(("sections", "field"), [
    ({"augmentation": {"noise": {"sigma": 1}}}, "augmentation.noise.sigma"),
    ({"augmentation": {"mixup": {"alpha": -1}}}, "augmentation.mixup.alpha"),
    ({"optimizer": {"name": "adam", "momentum": 0.9}}, "optimizer.momentum"),
    ({"optimizer": {"name": "sgd", "nesterov": True}}, "optimizer.nesterov"),
    ({"optimizer": {"name": "sgd", "betas": [0.9, 0.99]}}, "optimizer.betas"),
    ({"optimizer": {"name": "lbfgs", "weight_decay": 0.1}}, "optimizer.weight_decay"),
    ({"schedule": {"name": "cosine", "gamma": 0.5}}, "schedule.gamma"),
    ({"schedule": {"name": "step", "patience": 2}}, "schedule.patience"),
    ({"schedule": {"name": "cosine", "warmup_epochs": 3}}, "schedule.warmup_epochs"),
    ({"schedule": {"name": "cosine", "min_lr": 1.0}}, "schedule.min_lr"),
    ({"model": {"arch": "linear", "width": 8}}, "model.width"),
    ({"model": {"arch": "resnet18", "depth": 3}}, "model.arch"),  # tabular comes first
    ({"dataset": {"name": "wine", "task": "regression"}}, "dataset.task"),
    ({"dataset": {"name": "wine", "path": "/tmp/x.npz"}}, "dataset.path"),
    ({"training": {"epochs": 3, "precision": "fp16"}, "optimizer": {"name": "lbfgs"}},
     "training.precision"),
    ({"model": {"arch": "mlp", "widths": [65536] * 4}}, "model.widths"),
])
def test_options_that_cannot_run_are_refused(sections, field):
    assert refused(spec(**sections)).field == field


@pytest.mark.usefixtures("no_loading")
def test_regression_needs_mse_and_no_accuracy():
    info = DatasetInfo("tabular", None, (5,), task="regression")
    npz = {"name": "npz", "path": "y.npz", "task": "regression"}
    err = refused(spec(dataset=npz), info)
    assert err.field == "training.loss"
    err = refused(spec(dataset=npz, training={"loss": "mse"},
                       regularization={"early_stopping": {"metric": "val_acc"}}), info)
    assert err.field == "regularization.early_stopping.metric"
    check_config(TrainConfig.from_dict(spec(dataset=npz, training={"loss": "mse"})), info)
    scaled = {**npz, "standardize_targets": True}
    check_config(TrainConfig.from_dict(spec(dataset=scaled, training={"loss": "mse"})), info)


def test_only_a_regression_standardises_its_targets():
    err = refused(spec(dataset={"name": "digits", "standardize_targets": True}))
    assert err.field == "dataset.standardize_targets"


@pytest.mark.usefixtures("no_loading")
def test_npz_specs_pass_until_the_file_says_otherwise():
    # Nothing is known about an npz before it is read: a cnn spec passes here and is
    # checked again by train() with the loaded shape.
    cfg = TrainConfig.from_dict(spec(dataset={"name": "npz", "path": "missing.npz"},
                                     model={"arch": "cnn"}, augmentation={"hflip": True}))
    check_config(cfg)
    with pytest.raises(ConfigError) as err:
        check_config(cfg, DatasetInfo("tabular", 3, (7,)))
    assert err.value.field == "model.arch"


@pytest.mark.usefixtures("no_loading")
def test_a_cuda_spec_passes_on_a_machine_without_cuda():
    # The API server checks specs for GPU workers; it need not have a GPU itself.
    check_config(TrainConfig.from_dict(spec(training={"device": "cuda"})))


@pytest.mark.usefixtures("no_loading")
def test_too_deep_models_for_the_input_are_refused():
    err = refused(spec(dataset={"name": "synthetic_images"}, model={"arch": "cnn", "depth": 6}))
    assert err.field == "model.depth" and "32x32" in err.message
