"""The HTTP JobSpec (pydantic, service/schemas.py) and the training config (dataclasses,
workers/training/config.py) describe the same spec twice, because the training package must
run with torch alone. These tests keep the two in step: names, fields, defaults, dataset
facts, augmentation parameters, and the hand-over `to_training_dict` -> `from_dict`."""

from __future__ import annotations

import dataclasses
import typing

import pytest
import torch

from service import schemas
from workers.training import (
    AUGMENTATIONS,
    DATASETS,
    LOSSES,
    MODELS,
    OPTIMIZERS,
    SCHEDULES,
    TrainConfig,
    check_config,
)
from workers.training import config as training_config
from workers.training.data import DatasetInfo
from workers.training.models import ACTIVATIONS, INITS

NAMES = [
    (schemas.DatasetName, DATASETS),
    (schemas.Arch, MODELS),
    (schemas.Activation, ACTIVATIONS),
    (schemas.Init, INITS),
    (schemas.OptimizerName, OPTIMIZERS),
    (schemas.ScheduleName, SCHEDULES),
    (schemas.LossName, LOSSES),
    (schemas.Precision, training_config.PRECISIONS),
    (schemas.Watchable, training_config.WATCHABLE_METRICS),
]

SECTIONS = [
    (schemas.DatasetSpec, training_config.DatasetConfig),
    (schemas.ModelSpec, training_config.ModelConfig),
    (schemas.OptimizerSpec, training_config.OptimizerConfig),
    (schemas.ScheduleSpec, training_config.ScheduleConfig),
    (schemas.EarlyStoppingSpec, training_config.EarlyStoppingConfig),
    (schemas.RegularizationSpec, training_config.RegularizationConfig),
    (schemas.TrainingSpec, training_config.TrainingConfig),
]


@pytest.mark.parametrize(("literal", "registry"), NAMES, ids=lambda v: getattr(v, "__name__",
                                                                                 ""))
def test_the_same_names_are_allowed(literal, registry):
    assert set(typing.get_args(literal)) == set(registry)


def test_the_service_knows_each_datasets_kind_and_classes():
    assert schemas.DATASET_FACTS == {name: (entry.info.kind, entry.info.num_classes)
                                     for name, entry in DATASETS.items()}


def _dataclass_default(f: dataclasses.Field):
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return f.default


@pytest.mark.parametrize(("spec", "cfg"), SECTIONS, ids=lambda v: v.__name__)
def test_sections_have_the_same_fields_and_defaults(spec, cfg):
    fields = {f.name: f for f in dataclasses.fields(cfg)}
    assert set(spec.model_fields) == set(fields)
    for name, info in spec.model_fields.items():
        if info.is_required():
            assert _dataclass_default(fields[name]) is dataclasses.MISSING, name
            continue
        default = info.default.model_dump() if hasattr(info.default, "model_dump") \
            else info.default
        mine = _dataclass_default(fields[name])
        mine = dataclasses.asdict(mine) if dataclasses.is_dataclass(mine) else mine
        assert default == mine, name


def test_top_level_sections_match():
    assert set(schemas.JobSpec.model_fields) == {f.name for f in dataclasses.fields(TrainConfig)}
    assert set(schemas.AugmentationSpec.model_fields) == set(AUGMENTATIONS)


@pytest.mark.parametrize("name", sorted(AUGMENTATIONS))
def test_augmentation_parameters_and_defaults_match(name):
    # The service's default parameters, given explicitly, must be accepted and must do
    # exactly what the training package's own defaults do.
    spec_type = typing.get_args(schemas.AugmentationSpec.model_fields[name].annotation)[0]
    params = spec_type().model_dump()
    info = DatasetInfo("image", 10, (3, 16, 16))
    x, y = torch.rand(16, 3, 16, 16), torch.arange(16) % 10
    explicit = AUGMENTATIONS[name](params, info)(x, y, torch.Generator().manual_seed(0))
    implicit = AUGMENTATIONS[name]({}, info)(x, y, torch.Generator().manual_seed(0))
    assert all(torch.equal(a, b) for a, b in zip(explicit, implicit, strict=True))


def test_a_validated_jobspec_is_a_valid_training_config():
    minimal = schemas.JobSpec.model_validate(
        {"dataset": {"name": "mnist1d"}, "model": {"arch": "mlp"},
         "optimizer": {"name": "adam"}})
    cfg = TrainConfig.from_dict(minimal.to_training_dict())
    check_config(cfg)
    assert cfg == TrainConfig.from_dict({"dataset": {"name": "mnist1d"},
                                         "model": {"arch": "mlp"},
                                         "optimizer": {"name": "adam"}})
    full = schemas.JobSpec.model_validate({
        "dataset": {"name": "synthetic_images", "n_train": 100, "val_fraction": 0.2},
        "model": {"arch": "cnn", "width": 8, "depth": 2, "dropout": 0.1, "init": "kaiming"},
        "optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": True},
        "schedule": {"name": "cosine", "warmup_epochs": 1, "min_lr": 0.001},
        "regularization": {"l2": 1e-4, "label_smoothing": 0.1,
                           "early_stopping": {"metric": "val_acc", "patience": 3}},
        "augmentation": {name: True for name in AUGMENTATIONS},
        "training": {"epochs": 3, "batch_size": 32, "grad_clip": 1.0},
    })
    cfg = TrainConfig.from_dict(full.to_training_dict())
    check_config(cfg)
    assert set(cfg.augmentation) == set(AUGMENTATIONS)
    assert cfg.optimizer.momentum == 0.9 and cfg.schedule.min_lr == 0.001
