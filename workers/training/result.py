"""What `train` returns: the run's history and what a checkpoint needs to rebuild its model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn


@dataclass
class TrainResult:
    history: list[dict[str, float]]  # one metrics dict per epoch, index = epoch
    best_epoch: int | None  # best value of the early-stopping metric (default val_loss)
    stopped_reason: str  # "completed" | "early_stopping" | "non_finite_loss"
    num_params: int
    device: str
    config: dict[str, Any]
    seconds: float
    notes: list[str] = field(default_factory=list)  # what ran differently from the spec
    input_shape: tuple[int, ...] = ()  # one sample's shape, and the model's outputs:
    num_outputs: int = 0  # what rebuilding the model from `config` needs
    resumed_from_epoch: int | None = None  # epochs a saved state held, None: from scratch
    model: nn.Module | None = field(default=None, repr=False, compare=False)  # last weights
    best_state: dict[str, torch.Tensor] | None = field(default=None, repr=False,
                                                       compare=False)  # at best_epoch

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("model", "best_state")}
