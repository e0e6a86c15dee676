"""What the advisor knows about a run besides its curves.

`RunFacts` is what the caller hands over (params, meta, the JobSpec of a job run, the run's
status). `Hyper` is the advisor's own reading of it: the learning rate, optimizer, loss,
activation and depth, taken from the spec when there is one and from the params otherwise,
under the names real clients use.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RunFacts:
    """Facts about a run. Every field is optional; the curves alone are enough to answer."""

    run_id: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)  # task, num_classes, planned_epochs ...
    spec: dict[str, Any] | None = None  # the JobSpec of a job run
    run_status: str | None = None  # running | finished | failed | killed


# The learning rate each optimizer is usually run at (PyTorch defaults; for SGD, which has
# none, the middle of the lecture's 1e-1 ... 1e-4 sweep where SGD on normalised data trains).
TYPICAL_LR: dict[str, float] = {
    "adam": 1e-3,
    "adamw": 1e-3,
    "nadam": 2e-3,
    "radam": 1e-3,
    "rmsprop": 1e-3,
    "adagrad": 1e-2,
    "adadelta": 1.0,
    "sgd": 3e-2,
    "lbfgs": 1.0,
}

_MSE_NAMES = {"mse", "l2", "mean_squared_error", "mseloss", "squared_error", "mean_squared"}
_SATURATING = {"sigmoid", "tanh", "logistic", "hard_sigmoid", "softsign"}

_PARAM_NAMES: dict[str, tuple[str, ...]] = {
    "lr": ("lr", "learning_rate", "learningrate", "base_lr", "initial_lr", "optimizer_lr"),
    "optimizer": ("optimizer", "optim", "optimizer_name", "opt"),
    "loss": ("loss", "loss_fn", "loss_function", "criterion", "objective"),
    "activation": ("activation", "act", "activation_fn", "nonlinearity"),
    "depth": ("depth", "num_layers", "n_layers", "layers", "hidden_layers"),
    "widths": ("widths", "hidden", "hidden_sizes", "hidden_dims", "units"),
    "momentum": ("momentum",),
    "batchnorm": ("batchnorm", "batch_norm", "bn"),
    "arch": ("arch", "model", "architecture", "model_name"),
    "epochs": ("epochs", "num_epochs", "max_epochs", "n_epochs"),
    "dropout": ("dropout", "dropout_rate", "drop_rate"),
    "weight_decay": ("weight_decay", "wd", "l2"),
}


@dataclass(frozen=True)
class Hyper:
    """The hyperparameters the advisor reads, normalised; None where the run does not say."""

    lr: float | None = None
    optimizer: str | None = None
    momentum: float | None = None
    loss: str | None = None
    activation: str | None = None
    depth: int | None = None  # hidden layers
    widths: tuple[int, ...] | None = None
    batchnorm: bool | None = None
    arch: str | None = None
    dropout: float | None = None
    weight_decay: float | None = None
    epochs: int | None = None

    @property
    def typical_lr(self) -> float | None:
        return TYPICAL_LR.get(self.optimizer or "")

    @property
    def lr_ratio(self) -> float | None:
        """The learning rate as a multiple of the optimizer's usual one."""
        if self.lr is None or self.typical_lr is None or self.lr <= 0:
            return None
        return self.lr / self.typical_lr

    @property
    def mse(self) -> bool:
        return (self.loss or "") in _MSE_NAMES

    @property
    def saturating(self) -> bool:
        return (self.activation or "") in _SATURATING


def _norm(name: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")


def _float(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    text = _norm(value)
    if text in {"true", "yes", "1", "on"}:
        return True
    if text in {"false", "no", "0", "off", "none"}:
        return False
    return None


def _widths(value: Any) -> tuple[int, ...] | None:
    if isinstance(value, list | tuple):
        items = value
    elif isinstance(value, str):
        items = re.findall(r"\d+", value)
    elif isinstance(value, int):
        items = [value]
    else:
        return None
    try:
        widths = tuple(int(w) for w in items)
    except (TypeError, ValueError):
        return None
    return widths or None


def _lookup(params: Mapping[str, Any], what: str) -> Any:
    normalised = {_norm(k): v for k, v in params.items()}
    for name in _PARAM_NAMES[what]:
        if name in normalised and normalised[name] not in (None, ""):
            return normalised[name]
    return None


def _section(spec: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = spec.get(name)
    return value if isinstance(value, Mapping) else {}


def read_hyper(facts: RunFacts) -> Hyper:
    """Hyperparameters from the JobSpec when given, else from the params."""
    spec = facts.spec if isinstance(facts.spec, Mapping) else {}
    model, optim, training = (_section(spec, k) for k in ("model", "optimizer", "training"))
    params = facts.params if isinstance(facts.params, Mapping) else {}

    def pick(spec_value: Any, what: str) -> Any:
        return spec_value if spec_value not in (None, "") else _lookup(params, what)

    widths = _widths(pick(model.get("widths"), "widths"))
    depth_value = pick(model.get("depth"), "depth")
    depth = int(d) if (d := _float(depth_value)) is not None else None
    if depth is None and widths is not None:
        depth = len(widths)
    optimizer = pick(optim.get("name"), "optimizer")
    loss = pick(training.get("loss"), "loss")
    activation = pick(model.get("activation"), "activation")
    arch = pick(model.get("arch"), "arch")
    return Hyper(
        lr=_float(pick(optim.get("lr"), "lr")),
        optimizer=_norm(optimizer) if optimizer is not None else None,
        momentum=_float(pick(optim.get("momentum"), "momentum")),
        loss=_norm(loss) if loss is not None else None,
        activation=_norm(activation) if activation is not None else None,
        depth=depth,
        widths=widths,
        batchnorm=_bool(pick(model.get("batchnorm"), "batchnorm")),
        arch=_norm(arch) if arch is not None else None,
        dropout=_float(pick(model.get("dropout"), "dropout")),
        weight_decay=_float(pick(optim.get("weight_decay"), "weight_decay")),
        epochs=int(e) if (e := _float(pick(training.get("epochs"), "epochs"))) else None,
    )
