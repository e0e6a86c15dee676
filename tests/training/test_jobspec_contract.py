"""The HTTP JobSpec (pydantic, service/schemas.py) and the training config (dataclasses,
workers/training/config.py) declare the same spec twice, because the training package must
run with torch alone. Both take their names and augmentation parameters from the catalogue;
these tests keep the rest in step: fields, defaults, bounds, and the hand-over
`JobSpec.resolved()` -> `TrainConfig.from_dict` -> `to_dict()`."""

from __future__ import annotations

import dataclasses
import typing

import annotated_types
import pytest
import torch

from service import catalogue, schemas
from workers.training import AUGMENTATIONS, TrainConfig, check_config
from workers.training import config as training_config

NAMES = [
    (schemas.DatasetName, catalogue.DATASETS),
    (schemas.Arch, catalogue.ARCHS),
    (schemas.Activation, catalogue.ACTIVATIONS),
    (schemas.Init, catalogue.INITS),
    (schemas.OptimizerName, catalogue.OPTIMIZERS),
    (schemas.ScheduleName, catalogue.SCHEDULES),
    (schemas.LossName, catalogue.LOSSES),
    (schemas.Precision, catalogue.PRECISIONS),
    (schemas.Watchable, catalogue.WATCHABLE_METRICS),
]

SECTIONS = [
    (schemas.DatasetSpec, training_config.DatasetConfig),
    (schemas.ModelSpec, training_config.ModelConfig),
    (schemas.InitFromSpec, training_config.InitFromConfig),
    (schemas.OptimizerSpec, training_config.OptimizerConfig),
    (schemas.ScheduleSpec, training_config.ScheduleConfig),
    (schemas.EarlyStoppingSpec, training_config.EarlyStoppingConfig),
    (schemas.RegularizationSpec, training_config.RegularizationConfig),
    (schemas.TrainingSpec, training_config.TrainingConfig),
    (schemas.InitialLossProbeSpec, training_config.InitialLossProbe),
    (schemas.LrRangeProbeSpec, training_config.LrRangeProbe),
    (schemas.HessianProbeSpec, training_config.HessianProbe),
    (schemas.EnsembleProbeSpec, training_config.EnsembleProbe),
]


@pytest.mark.parametrize(("literal", "names"), NAMES, ids=lambda v: getattr(v, "__name__", ""))
def test_the_http_spec_allows_the_catalogues_names(literal, names):
    assert set(typing.get_args(literal)) == set(names)


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


def _pydantic_bounds(info) -> dict[str, float]:
    """ge/gt/le/lt of a field's numbers, looking through Optional, lists and tuples."""
    found: dict[str, float] = {}
    metas, stack = list(info.metadata), [info.annotation]
    while stack:
        tp = stack.pop()
        metas += getattr(tp, "__metadata__", ())
        stack += [a for a in typing.get_args(tp) if a is not Ellipsis]
    for meta in metas:
        for item in getattr(meta, "metadata", [meta]):  # a FieldInfo holds its constraints
            if isinstance(item, annotated_types.BaseMetadata):
                found |= {b: getattr(item, b) for b in ("ge", "gt", "le", "lt")
                          if hasattr(item, b)}
    return found


@pytest.mark.parametrize(("spec", "cfg"), SECTIONS, ids=lambda v: v.__name__)
def test_sections_have_the_same_bounds(spec, cfg):
    for f in dataclasses.fields(cfg):
        mine = {k: v for k, v in f.metadata.get("bounds", {}).items() if v is not None}
        assert _pydantic_bounds(spec.model_fields[f.name]) == mine, f"{cfg.SECTION}.{f.name}"


def test_top_level_sections_match():
    assert set(schemas.JobSpec.model_fields) == {f.name for f in dataclasses.fields(TrainConfig)}
    assert list(schemas.AugmentationSpec.model_fields) == list(catalogue.AUGMENTATIONS)


def test_the_probe_kinds_are_the_catalogues():
    union = typing.get_args(typing.get_args(schemas.ProbeSpec)[0])
    kinds = {typing.get_args(spec.model_fields["kind"].annotation)[0]: spec for spec in union}
    assert set(kinds) == set(catalogue.PROBE_KINDS) == set(training_config.PROBES)
    pairs = dict(SECTIONS)
    for kind, spec in kinds.items():
        assert pairs[spec] is training_config.PROBES[kind]


@pytest.mark.parametrize("name", sorted(AUGMENTATIONS))
def test_augmentation_parameters_and_defaults_match(name):
    # The service's default parameters, given explicitly, must be accepted and must do
    # exactly what the training package's own defaults do.
    spec_type = typing.get_args(schemas.AugmentationSpec.model_fields[name].annotation)[0]
    params = spec_type().model_dump()
    info = catalogue.DatasetInfo("image", 10, (3, 16, 16))
    x, y = torch.rand(16, 3, 16, 16), torch.arange(16) % 10
    explicit = AUGMENTATIONS[name](params, info)(x, y, torch.Generator().manual_seed(0))
    implicit = AUGMENTATIONS[name]({}, info)(x, y, torch.Generator().manual_seed(0))
    assert all(torch.equal(a, b) for a, b in zip(explicit, implicit, strict=True))


SPECS = [
    {"dataset": {"name": "mnist1d"}, "model": {"arch": "mlp"}, "optimizer": {"name": "adam"}},
    {"dataset": {"name": "wine"}, "model": {"arch": "mlp", "widths": [8, 4]},
     "optimizer": {"name": "sgd", "lr": 1, "momentum": 0.9}, "training": {"epochs": 3.0}},
    {"dataset": {"name": "synthetic_images", "n_train": 100, "val_fraction": 0.2},
     "model": {"arch": "cnn", "width": 8, "depth": 2, "dropout": 0.1, "init": "kaiming"},
     "optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": True},
     "schedule": {"name": "cosine", "warmup_epochs": 1, "min_lr": 0.001},
     "regularization": {"l2": 1e-4, "label_smoothing": 0.1,
                        "early_stopping": {"metric": "val_acc", "patience": 3}},
     "augmentation": {"hflip": True, "random_crop": {"padding": 2}, "cutout": False,
                      "random_resized_crop": {"scale": [0.5, 1]}, "mixup": {}},
     "training": {"epochs": 3, "batch_size": 32, "grad_clip": 1.0}},
    {"dataset": {"name": "npz", "path": "x.npz", "task": "regression"},
     "model": {"arch": "linear"}, "optimizer": {"name": "adamw", "betas": [0.8, 0.9]},
     "training": {"loss": "mse"}},
    {"dataset": {"name": "digits", "n_train": 500, "folds": 5, "fold": 4},
     "model": {"arch": "mlp", "widths": [16, 16],
               "init_from": {"job_id": "0123456789abcdef0123456789abcdef", "freeze": 2}},
     "optimizer": {"name": "sgd"}},
    {"dataset": {"name": "mnist1d"},
     "model": {"arch": "cnn1d", "init_from": {"job_id": "0123456789abcdef0123456789abcdef",
                                              "weights": "last", "freeze": "head_only"}},
     "optimizer": {"name": "adam"}},
    {"dataset": {"name": "wine"}, "model": {"arch": "mlp"}, "optimizer": {"name": "sgd"},
     "probe": {"kind": "lr_range", "lr_max": 1.0, "steps": 50}},
    {"dataset": {"name": "wine"}, "model": {"arch": "mlp"}, "optimizer": {"name": "adam"},
     "probe": {"kind": "initial_loss"}},
    {"dataset": {"name": "wine"}, "model": {"arch": "mlp"}, "optimizer": {"name": "adam"},
     "probe": {"kind": "hessian", "job_id": "0" * 32, "escape_step": 0.1}},
    {"dataset": {"name": "wine"}, "model": {"arch": "mlp"}, "optimizer": {"name": "adam"},
     "probe": {"kind": "ensemble", "members": ["0" * 32, "1" * 32]}},
]


@pytest.mark.parametrize("raw", SPECS)
def test_the_resolved_spec_is_what_the_engine_would_make_of_it(raw):
    resolved = schemas.JobSpec.model_validate(raw).resolved()
    cfg = TrainConfig.from_dict(resolved)
    check_config(cfg)
    assert cfg.to_dict() == resolved
    # ... and the engine reads the raw spec the same way (defaults, the usual lr); the HTTP
    # side writes an augmentation's default parameters out, which changes nothing it does
    direct = TrainConfig.from_dict(raw)
    assert dataclasses.replace(direct, augmentation={}) == dataclasses.replace(cfg,
                                                                               augmentation={})
    info = catalogue.DATASETS["synthetic_images"]
    assert {k: catalogue.augmentation_params(k, v, info) for k, v in direct.augmentation.items()} \
        == {k: catalogue.augmentation_params(k, v, info) for k, v in cfg.augmentation.items()}
