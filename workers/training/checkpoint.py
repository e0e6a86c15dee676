"""What a job keeps of its model: the best epoch's weights while it trains, then one file.

`BestWeights` holds a copy of the model's state from the epoch where the watched metric
(early stopping's, else val_loss) was best: the weights the advisor's "stop early at epoch
N" refers to. The copy stays on the training device, so keeping it is a device-to-device
copy with no host sync (0.08 ms for the benchmark's MLP on a CPU, measured; resnet18's 45 MB
would take some 30 microseconds at an H100's 3 TB/s, by arithmetic); a model too big for a
quarter of the free GPU memory is copied to the host instead.

`save_checkpoint(path, result)` writes one file at the end of a job with the last and the
best weights, the config and what is needed to rebuild the model; `load_model(path)` builds
the model back, with torch alone:

    model = load_model("checkpoints/<job id>.pt", which="best")   # or "last"

The file is a plain `torch.save` of tensors, numbers, strings and lists, so `torch.load`'s
default `weights_only=True` reads it without unpickling code.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from .config import TrainConfig
from .models import Normalize, build_model
from .result import TrainResult

FORMAT = "fitdoc-checkpoint/1"
State = dict[str, torch.Tensor]


class BestWeights:
    """A copy of a model's state, refreshed in place by `keep(model)`."""

    def __init__(self, model: nn.Module, device: torch.device) -> None:
        nbytes = sum(t.numel() * t.element_size() for t in model.state_dict().values())
        self.home = device
        if device.type == "cuda" and nbytes > torch.cuda.mem_get_info(device)[0] // 4:
            self.home = torch.device("cpu")
        self.state: State | None = None

    def keep(self, model: nn.Module) -> None:
        with torch.no_grad():
            current = model.state_dict()
            if self.state is None:
                self.state = {k: v.detach().to(self.home, copy=True) for k, v in current.items()}
            else:
                for name, tensor in current.items():
                    self.state[name].copy_(tensor)

    def load(self, state: State | None) -> None:
        """Take `state` (a saved copy, on any device) as the kept weights: a resumed run's
        best epoch."""
        if state is None:
            self.state = None
            return
        with torch.no_grad():
            if self.state is None:
                self.state = {k: v.detach().to(self.home, copy=True) for k, v in state.items()}
            else:
                for name, tensor in state.items():
                    self.state[name].copy_(tensor)


def _on_cpu(state: State | None) -> State | None:
    if state is None:
        return None
    return {k: v.detach().to("cpu").contiguous() for k, v in state.items()}


def save_checkpoint(path: str | Path, result: TrainResult, **extra: Any) -> int:
    """Write `result`'s last and best weights to `path` (atomically: a reader never sees a
    half-written file); returns the file's size in bytes. `extra` goes in as given (the job
    and run ids, for instance)."""
    if result.model is None:
        raise ValueError("the result carries no model to save")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    first = next(iter(result.model.children()), None)
    payload = {
        "format": FORMAT,
        "config": result.config,
        "input_shape": list(result.input_shape),
        "num_outputs": result.num_outputs,
        # image models start with Normalize (its statistics are buffers in the state)
        "normalize_channels": first.mean.numel() if isinstance(first, Normalize) else None,
        "epochs": len(result.history),
        "best_epoch": result.best_epoch,
        "stopped_reason": result.stopped_reason,
        "history": result.history,
        "last": _on_cpu(result.model.state_dict()),
        "best": _on_cpu(result.best_state),
        **extra,
    }
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    torch.save(payload, partial)
    partial.replace(path)
    return path.stat().st_size


def load_model(path: str | Path, which: str = "best", map_location: str = "cpu") -> nn.Module:
    """The model of a checkpoint, with its `which` weights ("best" or "last"), in eval mode.
    "best" falls back to "last" when no epoch had a finite value of the watched metric."""
    if which not in ("best", "last"):
        raise ValueError(f"which must be 'best' or 'last', not {which!r}")
    saved = torch.load(path, map_location=map_location, weights_only=True)
    if saved.get("format") != FORMAT:
        raise ValueError(f"{path} is not a fitdoc checkpoint ({FORMAT})")
    cfg = TrainConfig.from_dict(saved["config"])
    state = saved[which] if saved[which] is not None else saved["last"]
    mean = std = None
    if saved["normalize_channels"]:  # placeholders: load_state_dict sets the statistics
        mean, std = np.zeros(saved["normalize_channels"]), np.ones(saved["normalize_channels"])
    model = build_model(cfg.model, tuple(saved["input_shape"]), saved["num_outputs"], mean, std)
    model.load_state_dict(state)
    return model.eval()
