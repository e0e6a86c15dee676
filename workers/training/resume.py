"""Resumable training: the state of a run at an epoch's end, saved and restored.

`train(cfg, state_path=...)` writes, after every epoch but the last (or at most every
`state_every` seconds), one `torch.save` file with everything the next epoch depends on:

    format        "fitdoc-train-state/1"
    fingerprint   sha256 of the config's canonical JSON, less the fields that do not change
                  what is trained (training.device, training.compile)
    data          [n_train, n_val, input_shape, num_outputs]: a dataset that changed shape
                  under the same config does not resume
    device        the device type it was written on ("cpu" | "cuda")
    epoch         the index of the epoch just finished (epoch + 1 epochs are done)
    history       the metrics of those epochs
    best_value, best_epoch   early stopping's (and the best weights') bookkeeping
    model, best   the model's state and BestWeights' copy (None before a finite epoch,
                  and when `best_is_model`: the epoch just finished was the best)
    optimizer     optimizer.state_dict()
    schedule      {"per_batch": state_dict | None, "per_epoch": state_dict | None}
    scaler        the GradScaler's state_dict (None without fp16)
    rng           {"torch": the global CPU RNG (dropout on a CPU), "cuda": the training
                  GPU's RNG (dropout there) or None, "shuffle", "augment": the loop's two
                  generators}, each a uint8 tensor
    shuffle_device, augment_device   where the two generators live

Tensors, numbers, strings, lists and dicts only: `torch.load(path, weights_only=True)` reads
it. It is written to a side file in the same folder and renamed over `state_path`
(`os.replace`), so a process killed mid-write leaves the previous state whole; the side
file it leaves behind (`.<name>.<pid>.partial`) is removed by the next start.

A file that cannot be read, is not this format, or was written for another config or data
is ignored (a note in `TrainResult.notes`) and the run starts from epoch 0.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.optim import Optimizer

from .checkpoint import BestWeights
from .config import TrainConfig
from .optim import Schedule

FORMAT = "fitdoc-train-state/1"
# Fields that choose where or how fast the same computation runs, not what it computes: a
# job taken over by a worker with another GPU (or without torch.compile) still resumes.
NOT_FINGERPRINTED = {"training": ("device", "compile")}


def config_fingerprint(cfg: TrainConfig) -> str:
    """sha256 of the config's canonical JSON (sorted keys, defaults filled in) without the
    NOT_FINGERPRINTED fields."""
    spec = cfg.to_dict()
    for section, names in NOT_FINGERPRINTED.items():
        spec[section] = {k: v for k, v in spec[section].items() if k not in names}
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _partials(path: Path) -> list[Path]:
    return list(path.parent.glob(f".{path.name}.*.partial"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_stale_partials(path: Path) -> None:
    """Side files of writers that died mid-write (killed processes). A live process's side
    file (another attempt writing the same state right now) is left alone."""
    for partial in _partials(path):
        pid = partial.name[len(path.name) + 2:-len(".partial")]
        if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
            continue
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()


def discard_state(path: str | Path) -> None:
    """Remove a job's training state and any side file a killed write left: what the caller
    does once the job has ended (its final checkpoint saved) and will not be retried."""
    path = Path(path)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    for partial in _partials(path):
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()


def write_state(path: str | Path, payload: dict[str, Any]) -> int:
    """torch.save `payload` to a side file, then rename it over `path` (atomic on POSIX);
    returns the size in bytes. No fsync: a kill leaves the previous file whole; a power cut
    may leave an unreadable one, which the next start ignores like any corrupt file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    torch.save(payload, partial)
    size = partial.stat().st_size
    os.replace(partial, path)
    return size


def read_state(path: str | Path, fingerprint: str,
               data: list[Any]) -> tuple[dict[str, Any] | None, str | None]:
    """(the saved state, None) when `path` holds a state of this config and data; else
    (None, why it was ignored), (None, None) when there is no file."""
    path = Path(path)
    if not path.exists():
        return None, None
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # truncated, garbage, unpicklable: all the same to a resume
        return None, f"training state {path.name} unreadable ({type(error).__name__}): " \
                     "started from epoch 0"
    if not isinstance(saved, dict) or saved.get("format") != FORMAT:
        return None, f"training state {path.name} is not {FORMAT}: started from epoch 0"
    if saved.get("fingerprint") != fingerprint:
        return None, f"training state {path.name} was written for another config: " \
                     "started from epoch 0"
    if saved.get("data") != data:
        return None, f"training state {path.name} was written for other data " \
                     f"({saved.get('data')} vs {data}): started from epoch 0"
    return saved, None


def _optimizer_on_cpu(state: dict[str, Any]) -> dict[str, Any]:
    return {**state, "state": {
        index: {k: v.detach().to("cpu") if isinstance(v, torch.Tensor) else v
                for k, v in values.items()}
        for index, values in state["state"].items()}}


EXECUTION_OPTIONS = ("fused", "foreach")


@dataclass
class Progress:
    """The loop's own bookkeeping at an epoch's end."""

    epoch: int  # the epoch just finished; -1 before the first
    history: list[dict[str, float]] = field(default_factory=list)
    best_value: float = float("inf")
    best_epoch: int | None = None


def _cpu(state: dict[str, torch.Tensor] | None) -> dict[str, torch.Tensor] | None:
    if state is None:
        return None
    return {k: v.detach().to("cpu") for k, v in state.items()}


@dataclass
class TrainingState:
    """What an epoch changes, gathered to be saved (`capture`) and put back (`restore`)."""

    model: nn.Module
    optimizer: Optimizer
    schedule: Schedule
    scaler: torch.amp.GradScaler
    shuffle: torch.Generator
    augment: torch.Generator
    best_weights: BestWeights
    device: torch.device
    fingerprint: str
    data: list[Any]
    seed: int

    def capture(self, progress: Progress, clone: bool = False) -> dict[str, Any]:
        """The state as a dict of plain values and CPU tensors. Without `clone`, CPU tensors
        are the live ones (torch.save writes them out at once); `clone` deep-copies it all,
        for a snapshot that outlives changes to the model."""
        cuda = self.device.type == "cuda"
        schedule = self.schedule
        best_is_model = progress.best_epoch is not None and progress.best_epoch == progress.epoch
        payload = {
            "format": FORMAT,
            "fingerprint": self.fingerprint,
            "data": self.data,
            "device": self.device.type,
            "epoch": progress.epoch,
            "history": [dict(m) for m in progress.history],
            "best_value": progress.best_value,
            "best_epoch": progress.best_epoch,
            "model": _cpu(self.model.state_dict()),
            # An epoch that improved has best == model: stored once (resnet18: 45 MB less).
            "best_is_model": best_is_model,
            "best": None if best_is_model else _cpu(self.best_weights.state),
            "optimizer": _optimizer_on_cpu(self.optimizer.state_dict()),
            "schedule": {
                "per_batch": schedule.per_batch.state_dict() if schedule.per_batch else None,
                "per_epoch": schedule.per_epoch.state_dict() if schedule.per_epoch else None,
            },
            "scaler": self.scaler.state_dict() if self.scaler.is_enabled() else None,
            "rng": {
                "torch": torch.get_rng_state(),
                "cuda": torch.cuda.get_rng_state(self.device) if cuda else None,
                "shuffle": self.shuffle.get_state(),
                "augment": self.augment.get_state(),
            },
            "shuffle_device": self.shuffle.device.type,
            "augment_device": self.augment.device.type,
        }
        return copy.deepcopy(payload) if clone else payload

    def restore(self, saved: dict[str, Any], notes: list[str]) -> Progress:
        """Put `saved` back into the model, optimizer, schedules, scaler and RNGs; returns
        the loop's bookkeeping. All or nothing: if any part fails to load, what was loaded
        is undone and the error propagates."""
        before = self.capture(Progress(-1), clone=True)
        try:
            return self._apply(saved, notes)
        except Exception:
            self._apply(before, [])
            raise

    def _apply(self, saved: dict[str, Any], notes: list[str]) -> Progress:
        self.model.load_state_dict(saved["model"])
        self.best_weights.load(saved["model"] if saved["best_is_model"] else saved["best"])
        # How the optimizer runs (fused, foreach kernels) is this device's choice, not the
        # saved one's: a CPU's fused Adagrad has no CUDA kernel.
        how = [{k: g[k] for k in EXECUTION_OPTIONS if k in g}
               for g in self.optimizer.param_groups]
        self.optimizer.load_state_dict(saved["optimizer"])
        for group, options in zip(self.optimizer.param_groups, how, strict=True):
            group.update(options)
        for part in ("per_batch", "per_epoch"):
            scheduler, state = getattr(self.schedule, part), saved["schedule"][part]
            if (scheduler is None) != (state is None):
                raise ValueError(f"the saved schedule's {part} part does not match")
            if scheduler is not None:
                scheduler.load_state_dict(state)
        if self.scaler.is_enabled() and saved["scaler"] is not None:
            self.scaler.load_state_dict(saved["scaler"])
        rng = saved["rng"]
        torch.set_rng_state(rng["torch"])
        epochs_done = saved["epoch"] + 1
        reseeded = []
        if self.device.type == "cuda":
            if rng["cuda"] is not None:
                torch.cuda.set_rng_state(rng["cuda"], self.device)
            else:
                torch.cuda.manual_seed(_reseed(self.seed, epochs_done, 2))
                reseeded.append("dropout")
        for name, generator, offset in (("shuffle", self.shuffle, 0),
                                        ("augment", self.augment, 1)):
            if saved[f"{name}_device"] == generator.device.type:
                generator.set_state(rng[name])
            else:  # a CPU generator's state means nothing to a CUDA one, and back
                generator.manual_seed(_reseed(self.seed, epochs_done, offset))
                reseeded.append(name)
        if reseeded:
            notes.append(f"resumed on {self.device.type} from a state written on "
                         f"{saved['device']}: {', '.join(reseeded)} random streams reseeded, "
                         "so the run differs from an uninterrupted one")
        return Progress(epoch=saved["epoch"], history=[dict(m) for m in saved["history"]],
                        best_value=float(saved["best_value"]), best_epoch=saved["best_epoch"])


def _reseed(seed: int, epochs_done: int, offset: int) -> int:
    return (seed * 1_000_003 + epochs_done * 7919 + offset) % 2**63


OnResume = Callable[[int, list[dict[str, float]]], None]
