"""The catalogue's training-memory estimate (service/catalogue/memory.py) against what a real
training step of the engine holds on a CPU.

Each spec trains one epoch of one batch with the real loop (`train`). Measured, part by
part: the weights, gradients and optimizer state are the tensors themselves (the
optimizer is caught on its way out of `build_optimizer`), the best epoch's weights are the
result's copy, the dataset is the arrays `load_data` returned, and the activations are the
most bytes of tensors saved for the backward pass alive at once (torch's saved-tensor
hooks, one count per storage: a ReLU output saved by the ReLU and the next Linear is one
tensor). Then, in a subprocess, the peak RSS of a whole job against the estimate's total.

The bounds, and why: the API refuses a spec over FITDOC_MAX_JOB_MEMORY by this estimate, so
it must not fall far below what training takes (a job it lets through would run out of
memory) nor far above (it would refuse jobs that fit). The model's parts must be exact
(they are arithmetic on the parameter count, which test_catalogue_agrees checks). The
activations are estimated by counting every layer's output, although some are freed
during the forward pass: at most 2.5x what is saved, and never less than 0.9x. The total
against the tensors: 0.9x-2x. Against peak RSS, which also holds the allocator's slack,
the backward pass's gradients of activations and short-lived copies while the data
loads: 0.5x-3x, the issue's "reasonable factor".
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import weakref
from pathlib import Path

import pytest
import torch

from service.catalogue import names as catalogue
from service.catalogue.memory import estimate_training_memory, split_sizes
from workers.training import data as engine_data
from workers.training import loop
from workers.training.config import DatasetConfig, TrainConfig

ROOT = Path(__file__).resolve().parents[2]

SPECS = {
    "mlp-adam": {
        "dataset": {"name": "mnist1d", "n_train": 512},
        "model": {"arch": "mlp", "widths": [1024, 1024], "batchnorm": True, "dropout": 0.2},
        "optimizer": {"name": "adam"},
        "training": {"batch_size": 512},
    },
    "mlp-gelu-bf16-adamw": {
        "dataset": {"name": "digits", "n_train": 256},
        "model": {"arch": "mlp", "width": 512, "depth": 3, "activation": "gelu"},
        "optimizer": {"name": "adamw"},
        "training": {"batch_size": 256, "precision": "bf16"},
    },
    "cnn-sgd-momentum": {
        "dataset": {"name": "synthetic_images", "n_train": 128},
        "model": {"arch": "cnn"},
        "optimizer": {"name": "sgd", "momentum": 0.9},
        "training": {"batch_size": 128},
    },
    "cnn1d-rmsprop": {
        "dataset": {"name": "mnist1d", "n_train": 256},
        "model": {"arch": "cnn1d", "width": 64, "dropout": 0.1},
        "optimizer": {"name": "rmsprop", "momentum": 0.9},
        "training": {"batch_size": 256},
    },
    "resnet18-adagrad": {
        "dataset": {"name": "synthetic_images", "n_train": 32},
        "model": {"arch": "resnet18", "width": 16},
        "optimizer": {"name": "adagrad"},
        "training": {"batch_size": 32},
    },
    "linear-lbfgs": {  # full batch: every epoch is one L-BFGS step of up to 20 iterations
        "dataset": {"name": "digits"},
        "model": {"arch": "linear"},
        "optimizer": {"name": "lbfgs"},
        "training": {"batch_size": 2048, "epochs": 10},
    },
}


def test_the_catalogue_knows_the_engines_batch_and_generated_sizes():
    assert catalogue.EVAL_BATCH_SIZE == loop.EVAL_BATCH_SIZE
    synthetic = catalogue.DATASETS["synthetic_images"]
    assert synthetic.generated_train == engine_data.SYNTHETIC_DEFAULT_TRAIN
    for fraction in (None, 0.1, 0.5):
        n_train, n_val = split_sizes({"name": "synthetic_images", "n_train": None,
                                      "val_fraction": fraction},
                                     synthetic)
        made = engine_data.load_synthetic_images(
            DatasetConfig(name="synthetic_images", n_train=40, val_fraction=fraction), None)
        assert (len(made.x), len(made.x_val)) == split_sizes(
            {"name": "synthetic_images", "n_train": 40, "val_fraction": fraction}, synthetic)
        assert n_train == engine_data.SYNTHETIC_DEFAULT_TRAIN and n_val >= 1


def resolved(spec: dict) -> dict:
    """The spec as a job stores it (every field), one epoch unless it says otherwise, on
    the CPU."""
    training = {"epochs": 1, "device": "cpu", **spec["training"]}
    return TrainConfig.from_dict({**spec, "training": training}).to_dict()


class SavedTensors:
    """Bytes of the tensors autograd keeps for the backward pass, live and at their peak,
    one count per storage; parameters (leaves that need a gradient) and views of them are
    the weights' and not counted."""

    def __init__(self) -> None:
        self.live: dict[int, list[int]] = {}  # storage address -> [saves, bytes]
        self.bytes = self.peak = 0

    def pack(self, tensor: torch.Tensor) -> object:
        base = tensor if tensor._base is None else tensor._base  # a Linear saves weight.t()
        if base.is_leaf and base.requires_grad:
            return tensor
        storage = tensor.untyped_storage()
        address = storage.data_ptr()
        entry = self.live.setdefault(address, [0, storage.nbytes()])
        if entry[0] == 0:
            self.bytes += entry[1]
            self.peak = max(self.peak, self.bytes)
        entry[0] += 1
        holder = _Held(tensor)
        weakref.finalize(holder, self._release, address)
        return holder

    def _release(self, address: int) -> None:
        entry = self.live[address]
        entry[0] -= 1
        if entry[0] == 0:
            self.bytes -= entry[1]
            del self.live[address]

    @staticmethod
    def unpack(packed: object) -> torch.Tensor:
        return packed.tensor if isinstance(packed, _Held) else packed


class _Held:
    __slots__ = ("tensor", "__weakref__")

    def __init__(self, tensor: torch.Tensor) -> None:
        self.tensor = tensor


def nbytes(tensors) -> int:
    return sum(t.numel() * t.element_size() for t in tensors)


def measure(spec: dict, data_dir: Path, monkeypatch) -> dict[str, int]:
    """Train `spec` and return what it held, part by part, in bytes."""
    caught: dict[str, object] = {}

    def build_optimizer(*args, **kwargs):
        caught["optimizer"] = optimizer = real_build_optimizer(*args, **kwargs)
        return optimizer

    def load_data(*args, **kwargs):
        caught["data"] = data = real_load_data(*args, **kwargs)
        return data

    real_build_optimizer, real_load_data = loop.build_optimizer, loop.load_data
    monkeypatch.setattr(loop, "build_optimizer", build_optimizer)
    monkeypatch.setattr(loop, "load_data", load_data)
    saved = SavedTensors()
    with torch.autograd.graph.saved_tensors_hooks(saved.pack, saved.unpack):
        result = loop.train(spec, data_dir=data_dir)
    params = [p for p in result.model.parameters() if p.requires_grad]
    state = caught["optimizer"].state
    buffers = [value for per_param in state.values() for value in _tensors(per_param)
               if value.numel() > 1]  # not the step counters
    data = caught["data"]
    return {
        "weights": nbytes(params),
        "gradients": nbytes(p.grad for p in params if p.grad is not None),
        "optimizer": nbytes(buffers),
        "best_weights": nbytes(result.best_state.values()),
        "activations": saved.peak,
        "dataset": sum(a.nbytes for a in (data.x_train, data.y_train, data.x_val, data.y_val)),
    }


def _tensors(value):
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _tensors(inner)
    elif isinstance(value, list | tuple):
        for inner in value:
            yield from _tensors(inner)


@pytest.mark.parametrize("name", list(SPECS))
def test_the_estimate_is_what_a_training_step_holds(name, data_dir, monkeypatch):
    spec = resolved(SPECS[name])
    estimate = estimate_training_memory(spec)
    measured = measure(spec, data_dir, monkeypatch)

    low_precision = spec["training"]["precision"] != "fp32"
    # The model's parts are arithmetic on an exact parameter count.
    fp32_weights = estimate.parameters * 4
    assert measured["weights"] == fp32_weights
    assert measured["gradients"] == estimate.gradients
    assert measured["best_weights"] <= estimate.best_weights * 1.01  # + BatchNorm statistics
    assert measured["best_weights"] >= estimate.best_weights
    if spec["optimizer"]["name"] == "lbfgs":
        # history fills over steps: bounded by the estimate, and more than one step's worth
        assert fp32_weights * 4 <= measured["optimizer"] <= estimate.optimizer
    else:
        assert measured["optimizer"] == estimate.optimizer
    assert measured["dataset"] == estimate.dataset

    # Autocast's low-precision copies of the weights are saved tensors too: the estimate
    # counts them with the weights.
    activations = measured["activations"]
    if low_precision:
        activations -= estimate.weights - fp32_weights
    ratio = estimate.activations / activations
    assert 0.9 <= ratio <= 2.5, (name, estimate, measured)

    # Evaluation runs without gradients, after the batch's activations are gone: what it
    # holds at once is in the estimate's total and in the peak RSS test below, not here.
    held = estimate.model + estimate.activations + estimate.dataset
    total = sum(measured.values()) + (estimate.weights - fp32_weights)
    assert 0.9 <= held / total <= 2.0, (name, held, total, measured)


PEAK_RSS = """
import json, sys, torch
torch.set_num_threads(1)
from workers.training import train
spec = json.loads(sys.argv[1])

def rss(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) * 1024

before = rss("VmRSS:")
open("/proc/self/clear_refs", "w").write("5")  # the peak (VmHWM) starts again from here
train(spec, data_dir=sys.argv[2])
print(json.dumps({"before": before, "peak": rss("VmHWM:")}))
"""


BIG = {
    "mlp": {
        "dataset": {"name": "synthetic_images", "n_train": 1024},
        "model": {"arch": "mlp", "widths": [4096, 4096]},
        "optimizer": {"name": "adam"},
        "training": {"batch_size": 1024},
    },
    "resnet18": {
        "dataset": {"name": "synthetic_images", "n_train": 256},
        "model": {"arch": "resnet18", "width": 32},
        "optimizer": {"name": "sgd", "momentum": 0.9},
        "training": {"batch_size": 128},
    },
}


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="Linux /proc only")
@pytest.mark.parametrize("name", list(BIG))
def test_a_jobs_peak_rss_is_within_a_factor_of_the_estimate(name, data_dir):
    """A whole job in a fresh process (data loading, the loop, evaluation, the best
    weights) against the estimate: models big enough (~0.5 GB) that the interpreter's own
    noise does not matter. Measured on the 2-core VM: 0.95x (mlp) and 0.85x (resnet18)."""
    spec = resolved(BIG[name])
    estimate = estimate_training_memory(spec)
    assert estimate.total > 400 * 1024**2
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(PEAK_RSS), json.dumps(spec), str(data_dir)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
        env={"PYTHONPATH": str(ROOT), "CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": "1",
             "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rss = json.loads(done.stdout.strip().splitlines()[-1])
    grew = rss["peak"] - rss["before"]
    assert 0.5 <= estimate.total / grew <= 3.0, (estimate, grew)
