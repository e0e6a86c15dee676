"""No host synchronisation inside an epoch: the loop reads its metrics back once per epoch.

On a GPU every read of a tensor's value by the host (`.item()`, `float(t)`, `bool(t)`,
`.tolist()`, `.cpu()`, `nonzero`, boolean-mask shapes) makes the CPU wait until the GPU has
finished everything queued, so it stops queueing work ahead. These tests run on the CPU, where
no such wait exists, and count the operations that would be one on a GPU: the dispatcher ops
that produce a host value (every `.item()` and `bool(t)` ends in `_local_scalar_dense`), and
the Python-level calls that leave the device (`tolist`, `numpy`, `cpu`, which on a CPU tensor
never reach the dispatcher). A steady-state epoch must make exactly one: the read-back.
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode

from workers.training import train

from .specs import spec

# ATen ops whose result size or value the host must know: a device sync on a GPU.
SYNCING_OPS = {
    "_local_scalar_dense",
    "nonzero",
    "masked_select",
    "is_nonzero",
    "item",
    "_unique2",
    "unique_dim",
    "unique_consecutive",
    "equal",
}
BOOLEAN_INDEXABLE = {"index", "index_put", "index_put_", "_index_put_impl_"}
LEAVING_DEVICE = ("tolist", "numpy", "cpu")


class CountHostReads(TorchDispatchMode):
    def __init__(self) -> None:
        super().__init__()
        self.counts: Counter[str] = Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        name = func._schema.name.split("::")[-1]
        if name in SYNCING_OPS:
            self.counts[name] += 1
        elif name in BOOLEAN_INDEXABLE and _has_boolean_index(args):
            # x[mask] reaches the dispatcher as plain `index`; its nonzero stays inside.
            self.counts["boolean_mask"] += 1
        return func(*args, **(kwargs or {}))


def _has_boolean_index(args) -> bool:
    indices = args[1] if len(args) > 1 and isinstance(args[1], list | tuple) else ()
    return any(isinstance(i, torch.Tensor) and i.dtype == torch.bool for i in indices)


@pytest.fixture
def host_reads(monkeypatch):
    """Counts host reads, dispatcher-level and Python-level, in one Counter."""
    mode = CountHostReads()
    for method in LEAVING_DEVICE:
        original = getattr(torch.Tensor, method)

        def counted(self, *args, _original=original, _name=method, **kwargs):
            mode.counts[_name] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(torch.Tensor, method, counted)
    with mode:
        yield mode.counts


def reads_per_epoch(job: dict, counts: Counter[str]) -> list[Counter[str]]:
    snapshots: list[Counter[str]] = []
    train(job, on_epoch=lambda epoch, metrics: snapshots.append(Counter(counts)))
    # Epoch 0 also pays set-up; from epoch 1 on, what an epoch costs in host reads.
    return [after - before for before, after in pairwise(snapshots)]


JOBS = {
    "sgd, clipping, warm-up + cosine, mixup, label smoothing, l1 + l2": spec(
        optimizer={"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True},
        schedule={"name": "cosine", "warmup_epochs": 1},
        regularization={"l1": 1e-5, "l2": 1e-4, "label_smoothing": 0.1},
        augmentation={"noise": {"std": 0.1}, "mixup": {"alpha": 0.4}},
        training={"epochs": 4, "batch_size": 16, "grad_clip": 1.0},
    ),
    "adam, mse on one-hot targets, onecycle": spec(
        optimizer={"name": "adam", "lr": 0.01},
        schedule={"name": "onecycle"},
        training={"epochs": 4, "batch_size": 16, "loss": "mse"},
    ),
    "rmsprop, plateau, bf16": spec(
        optimizer={"name": "rmsprop", "lr": 0.001, "momentum": 0.9},
        schedule={"name": "plateau", "warmup_epochs": 1},
        training={"epochs": 4, "batch_size": 16, "precision": "bf16"},
    ),
    "images: cnn with every image augmentation, adamw": spec(
        dataset={"name": "synthetic_images", "n_train": 96, "val_fraction": 0.25},
        model={"arch": "cnn", "width": 4, "depth": 2},
        optimizer={"name": "adamw", "lr": 0.01, "weight_decay": 0.01},
        augmentation={
            "random_resized_crop": {"scale": [0.5, 1.0]},
            "random_crop": {"padding": 2},
            "hflip": True,
            "color_jitter": {},
            "cutout": {"size": 6},
            "mixup": {},
        },
        training={"epochs": 3, "batch_size": 32},
    ),
}


@pytest.mark.parametrize("job", JOBS.values(), ids=JOBS.keys())
def test_an_epoch_reads_the_device_once(job, host_reads, data_dir, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(data_dir))  # synthetic_images cached once
    per_epoch = reads_per_epoch(job, host_reads)
    assert per_epoch, "needs at least two epochs"
    for reads in per_epoch:
        assert reads == Counter({"tolist": 1}), reads


def test_the_counter_sees_the_reads_it_must_catch(host_reads):
    # The test above is only as good as its counter: a loop that logged its loss with
    # .item() every step, or tested a tensor in an `if`, must be caught.
    x = torch.ones(3)
    x.sum().item()
    if x.max() > 0:
        x.tolist()
    x[x > 0] = 2.0
    x = x[x > 1]
    torch.where(x > 0)
    x.numpy()
    assert host_reads == Counter(
        {"_local_scalar_dense": 2, "tolist": 1, "boolean_mask": 2, "nonzero": 1, "numpy": 1}
    )
    # and what needs no read: masks applied with where, indices that are tensors
    host_reads.clear()
    y = torch.where(x > 0, x, 0.0)[torch.tensor([0])]
    y.masked_fill_(y > 5, 0.0)
    assert not host_reads
