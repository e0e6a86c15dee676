"""The training engine's registries and the spec catalogue (service/catalogue) agree: every
name the catalogue offers has exactly one engine entry and the other way round, and what the
catalogue says of an entry (a dataset's shape and classes, an arch's parameter count and
defaults, an optimizer's options and usual lr) is what the engine does."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from service import catalogue
from workers.training import AUGMENTATIONS, DATASETS, LOSSES, MODELS, OPTIMIZERS, SCHEDULES
from workers.training.config import DatasetConfig, ModelConfig, OptimizerConfig
from workers.training.data import load_data
from workers.training.models import ACTIVATIONS, INITS, build_model, count_parameters

REGISTRIES = [
    ("datasets", DATASETS, catalogue.DATASETS),
    ("models", MODELS, catalogue.ARCHS),
    ("activations", ACTIVATIONS, catalogue.ACTIVATIONS),
    ("inits", INITS, catalogue.INITS),
    ("optimizers", OPTIMIZERS, catalogue.OPTIMIZERS),
    ("schedules", SCHEDULES, catalogue.SCHEDULES),
    ("losses", LOSSES, catalogue.LOSSES),
    ("augmentations", AUGMENTATIONS, catalogue.AUGMENTATIONS),
]


@pytest.mark.parametrize(("what", "engine", "declared"), REGISTRIES, ids=[r[0] for r in REGISTRIES])
def test_the_engine_has_an_entry_for_every_catalogue_name_and_no_other(what, engine, declared):
    assert list(engine) == list(declared)  # the same names, in the same order


def test_each_dataset_entry_carries_the_catalogues_declaration():
    for name, entry in DATASETS.items():
        assert entry.info is catalogue.DATASETS[name], name


@pytest.mark.parametrize("name", ["digits", "wine", "breast_cancer", "iris", "synthetic_images"])
def test_loaded_data_has_the_declared_shape_and_classes(name, tmp_path):
    data = load_data(DatasetConfig(name=name, n_train=200 if name == "synthetic_images"
                                   else None), tmp_path)
    declared = catalogue.DATASETS[name]
    assert data.info.kind == declared.kind
    assert tuple(data.x_train.shape[1:]) == declared.input_shape
    assert data.info.num_classes == declared.num_classes


def _models():
    """(arch options, input shape) for every arch: its defaults, and options set."""
    for arch, facts in catalogue.ARCHS.items():
        shapes = {"tabular": (13,), "sequence": (1, 40), "image": (3, 32, 32)}
        for kind in facts.inputs:
            yield {"arch": arch}, shapes[kind]
        options = {"width": 6, "depth": 2, "dropout": 0.1}
        taken = {k: v for k, v in options.items() if k in facts.options}
        for batchnorm in (True, False):
            extra = {"batchnorm": batchnorm} if "batchnorm" in facts.options else {}
            yield {"arch": arch, **taken, **extra}, shapes[facts.inputs[-1]]
    yield {"arch": "mlp", "widths": (7, 5, 3)}, (2, 9)
    yield {"arch": "cnn", "width": 4}, (1, 20, 24)
    yield {"arch": "cnn1d", "depth": 4}, (3, 50)


@pytest.mark.parametrize(("model", "shape"), list(_models()), ids=str)
def test_the_catalogues_parameter_count_is_the_models(model, shape):
    with torch.device("meta"):
        net = build_model(ModelConfig(**model), shape, 7)
    assert catalogue.count_parameters(model, shape, 7) == count_parameters(net)


def test_arch_defaults_are_the_catalogues():
    cnn1d = build_model(ModelConfig(arch="cnn1d"), (1, 40), 10)
    assert cnn1d[0].out_channels == catalogue.ARCHS["cnn1d"].width
    assert sum(isinstance(m, torch.nn.Conv1d) for m in cnn1d) == catalogue.ARCHS["cnn1d"].depth
    cnn = build_model(ModelConfig(arch="cnn"), (3, 32, 32), 10)
    assert cnn[0].out_channels == catalogue.ARCHS["cnn"].width
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in cnn) == catalogue.ARCHS["cnn"].batchnorm
    mlp = build_model(ModelConfig(arch="mlp"), (5,), 2)
    hidden = [m.out_features for m in mlp if isinstance(m, torch.nn.Linear)][:-1]
    assert hidden == [catalogue.ARCHS["mlp"].width] * catalogue.ARCHS["mlp"].depth


# A value for each optimizer option that differs from torch's default.
OPTION_VALUES = {"momentum": 0.5, "nesterov": True, "weight_decay": 0.1,
                 "betas": (0.8, 0.9), "alpha": 0.9}
TORCH_NAMES = {"momentum": "momentum", "nesterov": "nesterov", "weight_decay": "weight_decay",
               "betas": "betas", "alpha": "alpha"}


@pytest.mark.parametrize("name", list(catalogue.OPTIMIZERS))
def test_every_option_the_catalogue_lists_reaches_the_optimizer(name):
    facts = catalogue.OPTIMIZERS[name]
    options = {k: OPTION_VALUES[k] for k in facts.options}
    if "nesterov" in options:
        options["momentum"] = 0.9
    cfg = OptimizerConfig(name=name, **options)
    assert cfg.lr == facts.usual_lr
    param = torch.nn.Parameter(torch.zeros(3))
    optimizer = OPTIMIZERS[name]([param], cfg, torch.device("cpu"))
    assert optimizer.defaults["lr"] == facts.usual_lr
    for key, value in dataclasses.asdict(cfg).items():
        if key in facts.options:
            assert optimizer.defaults[TORCH_NAMES[key]] == value, key


@pytest.mark.parametrize("name", ["mnist1d", "digits", "wine", "breast_cancer", "iris"])
@pytest.mark.parametrize("val_fraction", [None, 0.3])
def test_the_catalogue_knows_how_many_training_samples_a_dataset_gives(
    name, val_fraction, tmp_path
):
    data = load_data(DatasetConfig(name=name, val_fraction=val_fraction), tmp_path)
    declared = catalogue.train_samples({"name": name, "val_fraction": val_fraction})
    assert declared == len(data.x_train)
    assert declared + len(data.x_val) == catalogue.DATASETS[name].samples
