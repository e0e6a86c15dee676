"""Transfer: a job that starts from another job's checkpoint (`model.init_from`).

    init_from: {"job_id": ..., "weights": "best" | "last", "freeze": "none" | "head_only" | n}

`train(cfg, init_from_path=<the source job's checkpoint>)` builds the spec's model as usual,
then (`Transfer`):

- **freezes** the first `n` layers (`head_only`: every layer but the last): their
  parameters get `requires_grad=False`, so the optimizer, the l1/l2 penalty and the gradient
  norm see only the trainable ones, and their BatchNorm modules stay in eval mode while the
  rest trains: a frozen layer normalises with the source's running statistics and keeps
  them (a BatchNorm in train mode would both normalise by the batch's statistics and
  overwrite the source's, which is not "frozen"). Dropout in a frozen layer still runs as
  the spec says: it is a regulariser of what trains, not a weight.
- **loads** the source's weights (`best` falls back to `last` when the source had no finite
  epoch) once it is known that the run does not resume from a saved training state, which
  holds the model already: a resumed attempt never reads the source again. The head (the
  last layer) is left as the spec's init made it when the number of outputs differs (another
  number of classes, or a regression); everything else must match: the same input shape
  and the same layers (the catalogue's `check_same_architecture`, then every tensor's shape),
  else `ConfigError` on the field to change. An image model's Normalize layer comes with the
  source's weights too: the source's input statistics, as a pretrained network keeps its
  normalisation.

A layer, as the catalogue's `model_layers` counts them: a Linear or convolution with what
follows it up to the next (BatchNorm, activation, pooling, dropout, flatten), or a ResNet
BasicBlock; the head is the last. `layers(model)` groups a torch model that way.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from service.catalogue import (
    SpecError,
    check_same_architecture,
    frozen_layers,
    input_mismatch,
)

from .checkpoint import FORMAT
from .config import ModelConfig, TrainConfig
from .errors import ConfigError

Layer = list[tuple[str, nn.Module]]  # (the module's name in the model, the module)


def layers(model: nn.Module) -> list[Layer]:
    """The model's layers in order (Sequential containers looked through): each module
    with parameters of its own that is not a norm starts one; the parameter-free modules
    and norms after it belong to it; what comes before the first (Normalize) to none."""
    found: list[Layer] = []

    def walk(prefix: str, module: nn.Module) -> None:
        for name, child in module.named_children():
            full = f"{prefix}{name}"
            if isinstance(child, nn.Sequential):
                walk(f"{full}.", child)
            elif any(True for _ in child.parameters()) and not isinstance(
                    child, _BatchNorm | nn.LayerNorm | nn.GroupNorm):
                found.append([(full, child)])
            elif found:
                found[-1].append((full, child))

    walk("", model)
    return found


class Transfer:
    """What `model.init_from` does to one model: `freeze()` before the optimizer is built,
    `train_mode()` each time the model goes to train mode, `load()` unless resumed."""

    def __init__(self, model: nn.Module, cfg: ModelConfig, path: str | Path | None) -> None:
        if cfg.init_from is None:
            raise ValueError("the model section has no init_from")
        self.model, self.cfg, self.init = model, cfg, cfg.init_from
        self.path = Path(path) if path is not None else None
        self.layers = layers(model)
        self.frozen = frozen_layers(asdict(cfg))
        if self.frozen and self.frozen >= len(self.layers):  # the catalogue's rule, again
            raise ConfigError("model.init_from.freeze", f"the model has {len(self.layers)} "
                                                        "layers; freeze fewer")
        self.norms: list[nn.Module] = []

    def freeze(self) -> int:
        """requires_grad off for the first layers' parameters; returns how many there were."""
        count = 0
        for layer in self.layers[:self.frozen]:
            for _, module in layer:
                for p in module.parameters():
                    p.requires_grad_(False)
                    count += p.numel()
                self.norms += [m for m in module.modules() if isinstance(m, _BatchNorm)]
        return count

    def train_mode(self) -> None:
        """After `model.train()`: the frozen layers' BatchNorm back to eval mode."""
        for norm in self.norms:
            norm.eval()

    def load(self, input_shape: tuple[int, ...], num_outputs: int) -> str:
        """Put the source's weights into the model (the head only when the number of
        outputs is the same); returns a note for the result."""
        job = self.init.job_id
        saved = read_source(self.path, job)
        if tuple(saved["input_shape"]) != tuple(input_shape):
            raise ConfigError("model.init_from.job_id",
                              input_mismatch(job, tuple(saved["input_shape"]), input_shape))
        try:
            source = TrainConfig.from_dict(saved["config"]).to_dict()["model"]
        except ConfigError as bad:
            raise ConfigError("model.init_from.job_id", f"job {job}'s checkpoint holds a "
                                                        f"config this worker cannot read: "
                                                        f"{bad}") from None
        try:
            check_same_architecture(source, asdict(self.cfg), job)
        except SpecError as bad:
            raise ConfigError(bad.field, bad.message) from None
        which = self.init.weights
        weights = saved[which] if saved[which] is not None else saved["last"]
        new_head = int(saved["num_outputs"]) != num_outputs
        head = {name for name, module in self.layers[-1]
                if any(True for _ in module.parameters(recurse=False))}
        target = self.model.state_dict()
        if set(weights) != set(target):
            missing = sorted(set(target) ^ set(weights))[:3]
            raise ConfigError("model.init_from.job_id", f"job {job}'s weights do not fit this "
                                                        f"model (tensors {missing} differ)")
        state = {}
        for key, tensor in target.items():
            if new_head and key.rsplit(".", 1)[0] in head:
                state[key] = tensor  # the spec's own initialisation
            elif weights[key].shape != tensor.shape:
                raise ConfigError("model.init_from.job_id",
                                  f"job {job}'s {key} is {tuple(weights[key].shape)}, this "
                                  f"model's {tuple(tensor.shape)}")
            else:
                state[key] = weights[key]
        self.model.load_state_dict(state)
        fell_back = " (it had no best epoch: its last)" if weights is not saved[which] else ""
        note = f"started from job {job}'s {which} weights{fell_back}"
        if new_head:
            note += (f"; the head is new ({saved['num_outputs']} outputs there, "
                     f"{num_outputs} here)")
        if self.frozen:
            note += f"; the first {self.frozen} of {len(self.layers)} layers frozen"
        return note


def read_source(path: Path | None, job_id: str) -> dict[str, Any]:
    """The source job's checkpoint (checkpoint.py's format), or ConfigError saying why not."""
    field = "model.init_from.job_id"
    if path is None:
        raise ConfigError(field, f"no checkpoint was given for job {job_id} "
                                 "(train(..., init_from_path=...))")
    if not path.is_file():
        raise ConfigError(field, f"job {job_id} has no checkpoint on this worker: a job "
                                 "starts from another's saved model once that one has ended")
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # noqa: BLE001 - truncated, garbage: the same to the job
        raise ConfigError(field, f"job {job_id}'s checkpoint cannot be read "
                                 f"({type(error).__name__})") from None
    if not isinstance(saved, dict) or saved.get("format") != FORMAT:
        raise ConfigError(field, f"job {job_id}'s checkpoint is not a {FORMAT} file")
    return saved
