"""TrainConfig.from_dict / to_dict: the JobSpec shape, defaults, and errors naming fields."""

from __future__ import annotations

import dataclasses

import pytest

from service.catalogue import OPTIMIZERS
from workers.training import ConfigError, TrainConfig

MINIMAL = {"dataset": {"name": "mnist1d"}, "model": {"arch": "mlp"},
           "optimizer": {"name": "adam"}}


def error(spec: dict) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        TrainConfig.from_dict(spec)
    return info.value


def test_the_three_required_fields_make_a_complete_config():
    cfg = TrainConfig.from_dict(MINIMAL)
    assert cfg.dataset.name == "mnist1d" and cfg.model.arch == "mlp"
    assert cfg.optimizer.lr == OPTIMIZERS["adam"].usual_lr == 1e-3  # filled in, so results say it
    assert cfg.schedule.name == "constant" and cfg.training.loss == "cross_entropy"
    assert cfg.training.epochs == 10 and cfg.training.precision == "fp32"
    assert cfg.augmentation == {} and cfg.regularization.early_stopping is None


def test_config_is_frozen():
    cfg = TrainConfig.from_dict(MINIMAL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.training.epochs = 3  # type: ignore[misc]


def test_to_dict_round_trips_and_is_json_shaped():
    spec = {**MINIMAL, "model": {"arch": "mlp", "widths": [64, 32]},
            "optimizer": {"name": "adam", "betas": [0.8, 0.99]},
            "augmentation": {"noise": {"std": 0.1}, "mixup": True, "cutout": False},
            "regularization": {"early_stopping": {"metric": "val_acc"}}}
    cfg = TrainConfig.from_dict(spec)
    out = cfg.to_dict()
    assert out["model"]["widths"] == [64, 32] and out["optimizer"]["betas"] == [0.8, 0.99]
    # true means "defaults", false drops the entry
    assert out["augmentation"] == {"noise": {"std": 0.1}, "mixup": {}}
    assert out["regularization"]["early_stopping"] == {"metric": "val_acc", "patience": 5,
                                                       "min_delta": 0.0}
    assert TrainConfig.from_dict(out) == cfg


@pytest.mark.parametrize("section", ["dataset", "model", "optimizer"])
def test_missing_required_section_is_named(section):
    spec = {k: v for k, v in MINIMAL.items() if k != section}
    assert error(spec).field == section


@pytest.mark.parametrize(("spec", "field"), [
    ({**MINIMAL, "model": {"arch": "mlp", "widht": 3}}, "model.widht"),
    ({**MINIMAL, "training": {"epoch": 3}}, "training.epoch"),
    ({**MINIMAL, "regularization": {"early_stopping": {"patiense": 3}}},
     "regularization.early_stopping.patiense"),
    ({**MINIMAL, "extra": {}}, "extra"),
])
def test_unknown_keys_are_rejected_with_their_path(spec, field):
    err = error(spec)
    assert err.field == field
    assert "unknown field" in err.message


@pytest.mark.parametrize(("spec", "field", "words"), [
    ({**MINIMAL, "model": {"arch": "transformer"}}, "model.arch", "expected one of"),
    ({**MINIMAL, "optimizer": {"name": "adam", "lr": -1}}, "optimizer.lr", "greater than 0"),
    ({**MINIMAL, "optimizer": {"name": "adam", "lr": "fast"}}, "optimizer.lr", "a number"),
    ({**MINIMAL, "training": {"epochs": 2.5}}, "training.epochs", "integer"),
    ({**MINIMAL, "training": {"epochs": True}}, "training.epochs", "integer"),
    ({**MINIMAL, "training": {"epochs": 0}}, "training.epochs", "at least 1"),
    ({**MINIMAL, "training": {"compile": "yes"}}, "training.compile", "true or false"),
    ({**MINIMAL, "training": {"device": "tpu"}}, "training.device", "cuda"),
    ({**MINIMAL, "model": {"arch": "mlp", "widths": [64, 0]}}, "model.widths[1]", "at least"),
    ({**MINIMAL, "model": {"arch": "mlp", "widths": [64], "depth": 2}}, "model.widths",
     "not both"),
    ({**MINIMAL, "optimizer": {"name": "adam", "betas": [0.9]}}, "optimizer.betas", "2"),
    ({**MINIMAL, "dataset": {"name": "mnist1d", "val_fraction": 1.0}},
     "dataset.val_fraction", "less than 1"),
    ({**MINIMAL, "augmentation": {"rotate": {}}}, "augmentation.rotate", "unknown"),
    ({**MINIMAL, "augmentation": {"noise": "lots"}}, "augmentation.noise", "object"),
    ({**MINIMAL, "dataset": "mnist1d"}, "dataset", "object"),
])
def test_bad_values_name_the_field(spec, field, words):
    err = error(spec)
    assert err.field == field
    assert words in err.message
    assert str(err).startswith(field)


def test_integral_floats_are_accepted_as_integers():
    cfg = TrainConfig.from_dict({**MINIMAL, "training": {"epochs": 4.0}})
    assert cfg.training.epochs == 4 and isinstance(cfg.training.epochs, int)
