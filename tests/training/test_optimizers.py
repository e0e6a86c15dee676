"""Every optimizer trains a small model; fused kernels where torch has them."""

from __future__ import annotations

import pytest
import torch

from workers.training import OPTIMIZERS, TrainConfig, train
from workers.training.config import OptimizerConfig

from .specs import spec

# lr per optimizer for 5 epochs of a one-layer mlp on wine (142 training samples).
SETTINGS = {
    "sgd": {"lr": 0.1, "momentum": 0.9, "nesterov": True},
    "adam": {"lr": 0.01},
    "adamw": {"lr": 0.01, "weight_decay": 0.01},
    "rmsprop": {"lr": 0.01, "alpha": 0.9},
    "adagrad": {"lr": 0.1},
    "lbfgs": {},  # lr 1 with line search; full batch below
}


def test_every_optimizer_is_tested():
    assert set(SETTINGS) == set(OPTIMIZERS)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_each_optimizer_lowers_the_training_loss(name):
    batch = 1024 if name == "lbfgs" else 32  # L-BFGS is a full-batch method
    result = train(TrainConfig.from_dict(spec(
        optimizer={"name": name, **SETTINGS[name]},
        training={"epochs": 5, "batch_size": batch})))
    losses = [m["train_loss"] for m in result.history]
    assert result.stopped_reason == "completed"
    assert losses[-1] < 0.5 * losses[0], losses
    assert result.history[-1]["val_acc"] > 0.8


@pytest.mark.parametrize(("name", "expected"), [
    ("sgd", {"fused": True}), ("adam", {"fused": True}), ("adamw", {"fused": True}),
    ("adagrad", {"fused": True}), ("rmsprop", {"foreach": None, "fused": None}),
])
def test_fused_kernels_are_used_on_cpu_where_torch_has_them(name, expected):
    param = torch.nn.Parameter(torch.zeros(3))
    optimizer = OPTIMIZERS[name]([param], OptimizerConfig(name=name), torch.device("cpu"))
    for key, value in expected.items():
        assert optimizer.defaults.get(key) == value


def test_defaults_are_torchs_and_options_reach_the_optimizer():
    param = torch.nn.Parameter(torch.zeros(3))
    cfg = OptimizerConfig(name="rmsprop", momentum=0.5, alpha=0.9, weight_decay=0.1)
    opt = OPTIMIZERS["rmsprop"]([param], cfg, torch.device("cpu"))
    assert opt.defaults["momentum"] == 0.5 and opt.defaults["alpha"] == 0.9
    assert opt.defaults["weight_decay"] == 0.1 and opt.defaults["lr"] == 1e-3
    adamw = OPTIMIZERS["adamw"]([param], OptimizerConfig(name="adamw"), torch.device("cpu"))
    assert adamw.defaults["weight_decay"] == 0.0  # 0 means 0, not torch's AdamW 1e-2
    assert adamw.defaults["betas"] == (0.9, 0.999)
