"""What the advisor knows about a run besides its curves.

`RunFacts` is what the caller hands over (params, meta, the JobSpec of a job run, the run's
status). `Hyper` is the advisor's own reading of it: the learning rate, optimizer, loss,
activation and depth, taken from the spec when there is one and from the params otherwise,
under the names real clients use (the catalogue's PARAM_ALIASES).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from service.catalogue import (
    INITS,
    PARAM_ALIASES,
    activation_facts,
    normalise_name,
    optimizer_facts,
)


@dataclass(frozen=True)
class RunFacts:
    """Facts about a run. Every field is optional; the curves alone are enough to answer."""

    run_id: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)  # task, num_classes, planned_epochs ...
    spec: dict[str, Any] | None = None  # the JobSpec of a job run
    run_status: str | None = None  # running | finished | failed | killed
    # What experiments found about the run: {experiment_id, kind, verdict, result}
    # (service/experiments; the advisor's experiments.py reads them).
    findings: list[dict[str, Any]] = field(default_factory=list)


# The momentum SGD's usual lr is meant with (service.catalogue: measured with 0.9).
USUAL_MOMENTUM = 0.9

_MSE_NAMES = {"mse", "l2", "mean_squared_error", "mseloss", "squared_error", "mean_squared"}


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
    width: int | None = None  # a CNN's channels (the spec's model.width)
    batchnorm: bool | None = None
    arch: str | None = None
    init: str | None = None
    dropout: float | None = None
    weight_decay: float | None = None
    l1: float | None = None  # the spec's regularization penalties
    l2: float | None = None
    epochs: int | None = None

    @property
    def typical_lr(self) -> float | None:
        """The lr this optimizer is usually run at (the catalogue's usual_lr)."""
        facts = optimizer_facts(self.optimizer or "")
        return facts.usual_lr if facts is not None else None

    @property
    def lr_ratio(self) -> float | None:
        """The learning rate as a multiple of the optimizer's usual one."""
        if self.lr is None or self.typical_lr is None or self.lr <= 0:
            return None
        return self.lr / self.typical_lr

    @property
    def step_ratio(self) -> float | None:
        """`lr_ratio` as the step it takes: heavy-ball momentum counted (`momentum_gain`)."""
        ratio = self.lr_ratio
        return ratio * self.momentum_gain if ratio is not None else None

    @property
    def momentum_gain(self) -> float:
        """How many times SGD's heavy-ball momentum multiplies its step beyond what the usual
        lr is meant with (momentum 0.9, a gain of 1/(1-0.9) = 10): 1/(1-beta) / 10 for a
        momentum above 0.9 (0.99: 10x), else 1. SGD's usual lr was measured with momentum
        0.9 (the catalogue); a heavier ball at the same lr takes steps 10x as long."""
        beta = self.momentum or 0.0
        if self.optimizer != "sgd" or not USUAL_MOMENTUM < beta < 1.0:
            return 1.0
        return (1.0 - USUAL_MOMENTUM) / (1.0 - beta)

    @property
    def mse(self) -> bool:
        return (self.loss or "") in _MSE_NAMES

    @property
    def small_init(self) -> bool:
        facts = INITS.get(self.init or "")
        return facts is not None and facts.small

    @property
    def saturating(self) -> bool:
        facts = activation_facts(self.activation or "")
        return facts is not None and facts.saturating


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
    text = normalise_name(value)
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
    normalised = {normalise_name(k): v for k, v in params.items()}
    for name in PARAM_ALIASES[what]:
        if name in normalised and normalised[name] not in (None, ""):
            return normalised[name]
    return None


def _section(spec: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = spec.get(name)
    return value if isinstance(value, Mapping) else {}


def read_hyper(facts: RunFacts) -> Hyper:
    """Hyperparameters from the JobSpec when given, else from the params."""
    spec = facts.spec if isinstance(facts.spec, Mapping) else {}
    model, optim, training, reg = (
        _section(spec, k) for k in ("model", "optimizer", "training", "regularization")
    )
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
    init = pick(model.get("init"), "init")
    return Hyper(
        lr=_float(pick(optim.get("lr"), "lr")),
        optimizer=normalise_name(optimizer) if optimizer is not None else None,
        momentum=_float(pick(optim.get("momentum"), "momentum")),
        loss=normalise_name(loss) if loss is not None else None,
        activation=normalise_name(activation) if activation is not None else None,
        depth=depth,
        widths=widths,
        width=int(w) if (w := _float(model.get("width"))) is not None else None,
        batchnorm=_bool(pick(model.get("batchnorm"), "batchnorm")),
        arch=normalise_name(arch) if arch is not None else None,
        init=normalise_name(init) if init is not None else None,
        dropout=_float(pick(model.get("dropout"), "dropout")),
        weight_decay=_float(pick(optim.get("weight_decay"), "weight_decay")),
        l1=_float(reg.get("l1")),
        l2=_float(reg.get("l2")),
        epochs=int(e) if (e := _float(pick(training.get("epochs"), "epochs"))) else None,
    )
