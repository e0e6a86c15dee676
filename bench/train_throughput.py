"""Training throughput: fitdoc's loop vs a hand-tuned reference loop vs a naive loop.

In one process, for each workload, the same model (built by fitdoc's registry, same init
seed) trains on the same data with the same batch size, precision and augmentation three
ways, and each epoch also evaluates on the same validation set:

- fitdoc     `workers.training.train(cfg)`, exactly as a worker runs a job;
- reference  a plain loop written here as a careful engineer would: data resident on the
             device as uint8, random crop + flip as batched tensor ops on the device, bf16
             autocast, channels_last for conv nets, fused SGD, no host sync inside an epoch,
             train loss, validation loss and accuracy read back once per epoch;
- naive      a CPU DataLoader over float32 tensors, fp32, augmentation on the host, the
             loss read with .item() every step.

Images/s counts training samples per second over whole epochs (train + evaluation), the
first epoch left out as warm-up (cuDNN autotuning, allocator growth, lazy init); with
--repeats the three loops take turns and each reports its median round.
It also reports the share of a fitdoc epoch spent outside the training steps (evaluation,
the per-epoch metric read-back and the job's metric write), and checks that the loss falls.

Needs torch and numpy only (the job-machinery write is timed against SQLite when the
fitdoc service package is importable, and left out otherwise).

    python bench/train_throughput.py --threads 1 --epochs 8 --repeats 5   # CPU workloads
    python bench/train_throughput.py --workloads resnet18-gpu cnn-gpu --epochs 4
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workers.training import TrainConfig, train  # noqa: E402
from workers.training.data import load_data  # noqa: E402
from workers.training.models import build_model  # noqa: E402

GPU_SGD = {"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 5e-4}
CROP_FLIP = {"random_crop": {"padding": 4}, "hflip": {}}


@dataclass(frozen=True)
class Workload:
    spec: dict[str, Any]
    device: str
    n_train: int


def gpu_images(arch: str) -> Workload:
    """The issue's GPU workload: 32x32 images, batch 512, bf16, random crop + flip."""
    spec = {
        "dataset": {"name": "synthetic_images", "val_fraction": 0.1},
        "model": {"arch": arch},
        "optimizer": GPU_SGD,
        "augmentation": CROP_FLIP,
        "training": {"batch_size": 512, "precision": "bf16"},
    }
    return Workload(spec, "cuda", 50_000)


WORKLOADS: dict[str, Workload] = {
    "resnet18-gpu": gpu_images("resnet18"),
    "cnn-gpu": gpu_images("cnn"),
    "mlp-cpu": Workload(
        {
            "dataset": {"name": "mnist1d"},
            "model": {"arch": "mlp", "widths": [256, 256]},
            "optimizer": {"name": "sgd", "lr": 0.05, "momentum": 0.9},
            "training": {"batch_size": 128},
        },
        "cpu",
        4_000,
    ),
    "cnn1d-cpu": Workload(
        {
            "dataset": {"name": "mnist1d"},
            "model": {"arch": "cnn1d"},
            "optimizer": {"name": "sgd", "lr": 0.05, "momentum": 0.9},
            "training": {"batch_size": 128},
        },
        "cpu",
        4_000,
    ),
}


def sgd(model: nn.Module, cfg: dict[str, Any], fused: bool) -> torch.optim.SGD:
    """The workload's SGD for the loops written here (fitdoc builds its own)."""
    return torch.optim.SGD(
        model.parameters(),
        lr=cfg["lr"],
        momentum=cfg.get("momentum", 0.0),
        nesterov=cfg.get("nesterov", False),
        weight_decay=cfg.get("weight_decay", 0.0),
        fused=fused,
    )


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


# --- the reference: a hand-tuned loop ---------------------------------------------------------


def crop_flip(x: torch.Tensor, padding: int, generator: torch.Generator) -> torch.Tensor:
    """Per-sample random crop (zero padding) and horizontal flip, as batched tensor ops."""
    n, _, h, w = x.shape
    padded = F.pad(x, (padding,) * 4)
    dx = torch.randint(0, 2 * padding + 1, (n,), device=x.device, generator=generator)
    dy = torch.randint(0, 2 * padding + 1, (n,), device=x.device, generator=generator)
    rows = (dy.view(n, 1) + torch.arange(h, device=x.device)).view(n, 1, h, 1)
    cols = (dx.view(n, 1) + torch.arange(w, device=x.device)).view(n, 1, 1, w)
    flip = torch.rand(n, device=x.device, generator=generator) < 0.5
    cols = torch.where(flip.view(n, 1, 1, 1), cols.flip(-1), cols)
    batch = torch.arange(n, device=x.device).view(n, 1, 1, 1)
    channels = torch.arange(x.shape[1], device=x.device).view(1, -1, 1, 1)
    return padded[batch, channels, rows, cols]


def reference_loop(
    make_model: Callable[[], nn.Module], data, work: Workload, epochs: int, device: torch.device
) -> list[float]:
    spec = work.spec
    batch = spec["training"]["batch_size"]
    bf16 = spec["training"].get("precision") == "bf16"
    images = data.x_train.ndim == 4
    augment = bool(spec.get("augmentation"))
    torch.backends.cudnn.benchmark = True
    model = make_model().to(device)
    if images:
        model = model.to(memory_format=torch.channels_last)
    optimizer = sgd(model, spec["optimizer"], fused=device.type == "cuda")
    x_train = torch.from_numpy(data.x_train).to(device)  # uint8 images stay uint8
    y_train = torch.from_numpy(data.y_train).to(device)
    x_val = torch.from_numpy(data.x_val).to(device)
    y_val = torch.from_numpy(data.y_val).to(device)
    generator = torch.Generator(device).manual_seed(0)
    n = len(x_train)
    steps = n // batch

    def as_float(x: torch.Tensor) -> torch.Tensor:
        x = x.float().div_(255) if x.dtype == torch.uint8 else x
        return x.contiguous(memory_format=torch.channels_last) if images else x

    def autocast():
        return torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16)

    times = []
    for _ in range(epochs):
        sync(device)
        start = time.perf_counter()
        model.train()
        order = torch.randperm(n, device=device, generator=generator)
        loss_sum = torch.zeros((), device=device)
        for b in range(steps):
            index = order[b * batch : (b + 1) * batch]
            x = as_float(x_train[index])
            if augment:
                x = crop_flip(x, 4, generator)
            with autocast():
                loss = F.cross_entropy(model(x), y_train[index])
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            loss_sum += loss.detach().float()
        model.eval()
        val_loss = torch.zeros((), device=device)
        correct = torch.zeros((), device=device, dtype=torch.int64)
        with torch.inference_mode(), autocast():
            for i in range(0, len(x_val), 1024):
                output, y = model(as_float(x_val[i : i + 1024])), y_val[i : i + 1024]
                val_loss += F.cross_entropy(output, y, reduction="sum").float()
                correct += (output.argmax(1) == y).sum()
        torch.stack([loss_sum, val_loss, correct.float()]).tolist()  # the epoch's read-back
        times.append(time.perf_counter() - start)
    return times


# --- the naive loop ----------------------------------------------------------------------------


def naive_loop(
    make_model: Callable[[], nn.Module], data, work: Workload, epochs: int, device: torch.device
) -> list[float]:
    spec = work.spec
    batch = spec["training"]["batch_size"]
    images = data.x_train.ndim == 4
    model = make_model().to(device)
    optimizer = sgd(model, spec["optimizer"], fused=False)

    def floats(x):
        x = torch.from_numpy(x)
        return x.float() / 255 if x.dtype == torch.uint8 else x

    train_set = torch.utils.data.TensorDataset(floats(data.x_train), torch.from_numpy(data.y_train))
    loader = torch.utils.data.DataLoader(train_set, batch_size=batch, shuffle=True, drop_last=True)
    x_val, y_val = floats(data.x_val), torch.from_numpy(data.y_val)
    generator = torch.Generator().manual_seed(0)
    times = []
    for _ in range(epochs):
        sync(device)
        start = time.perf_counter()
        model.train()
        for x, y in loader:
            if images and spec.get("augmentation"):
                x = crop_flip(x, 4, generator)  # on the host, then copied
            x, y = x.to(device), y.to(device)
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss.item()  # the usual per-step logging: a host sync every step
        model.eval()
        with torch.no_grad():
            correct, val_loss = 0, 0.0
            for i in range(0, len(x_val), batch):
                output = model(x_val[i : i + batch].to(device)).cpu()
                val_loss += F.cross_entropy(output, y_val[i : i + batch], reduction="sum").item()
                correct += int((output.argmax(1) == y_val[i : i + batch]).sum())
        times.append(time.perf_counter() - start)
    return times


# --- fitdoc --------------------------------------------------------------------------------------


def metric_writer() -> tuple[Callable[[int, dict[str, float]], None], list[float]]:
    """What a worker does after each epoch (write the metrics), timed; a no-op when the
    service package cannot be imported (e.g. on a GPU box with torch alone)."""
    spent: list[float] = []
    try:
        from service.schemas import RunCreate
        from service.store import migrate
        from service.store.db import Database
        from service.store.store import Store
        from workers.jobs import epoch_points
    except ImportError:
        return (lambda epoch, metrics: None), spent
    folder = tempfile.mkdtemp()
    url = f"sqlite:///{folder}/bench.db"
    migrate.upgrade(url)
    store = Store(Database(url))
    run = store.create_run(RunCreate(project="bench"))

    def write(epoch: int, metrics: dict[str, float]) -> None:
        start = time.perf_counter()
        store.log_metrics(run.id, epoch_points(epoch, metrics))
        spent.append(time.perf_counter() - start)

    return write, spent


def fitdoc_loop(
    cfg: TrainConfig, epochs: int, device: torch.device, data_dir: Path
) -> tuple[list[float], list[float], list[float]]:
    write, write_times = metric_writer()
    walls: list[float] = []
    losses: list[float] = []
    last = [time.perf_counter()]

    def on_epoch(epoch: int, metrics: dict[str, float]) -> None:
        write(epoch, metrics)
        now = time.perf_counter()
        walls.append(now - last[0])
        last[0] = now
        losses.append(metrics["train_loss"])

    sync(device)
    result = train(cfg, on_epoch=on_epoch, data_dir=data_dir, device=device)
    epoch_times = [h["epoch_time"] for h in result.history]
    return epoch_times, write_times, losses


# --- the comparison -------------------------------------------------------------------------------


def images_per_second(n: int, times: list[float]) -> float:
    steady = times[1:] or times
    return n * len(steady) / sum(steady)


def run_workload(
    name: str, work: Workload, epochs: int, repeats: int, data_dir: Path
) -> dict[str, Any]:
    device = torch.device(work.device)
    spec = {**work.spec, "training": {**work.spec["training"], "epochs": epochs}}
    spec["dataset"] = {**spec["dataset"], "n_train": work.n_train}
    spec["training"]["device"] = work.device
    cfg = TrainConfig.from_dict(spec)
    data = load_data(cfg.dataset, data_dir)
    n = len(data.x_train)

    def make_model() -> nn.Module:
        torch.manual_seed(0)
        return build_model(cfg.model, data.info.input_shape, data.num_outputs, data.mean, data.std)

    # The loops take turns, `repeats` rounds, and each keeps its median: on a shared
    # machine, background load then falls on all three alike.
    rates: dict[str, list[float]] = {"fitdoc": [], "reference": [], "naive": []}
    write_times: list[float] = []
    for _ in range(repeats):
        fit_times, writes, losses = fitdoc_loop(cfg, epochs, device, data_dir)
        write_times += writes
        rates["fitdoc"].append(images_per_second(n, fit_times))
        ref_times = reference_loop(make_model, data, work, epochs, device)
        rates["reference"].append(images_per_second(n, ref_times))
        naive_times = naive_loop(make_model, data, work, epochs, device)
        rates["naive"].append(images_per_second(n, naive_times))
    fit, ref, naive = (statistics.median(rates[k]) for k in ("fitdoc", "reference", "naive"))
    write = statistics.median(write_times) if write_times else 0.0
    return {
        "name": name,
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "fitdoc": fit,
        "reference": ref,
        "naive": naive,
        "ratio": fit / ref,
        "write_ms": 1000 * write,
        "write_share": write / (n / fit + write),
        "losses": losses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", nargs="*", choices=list(WORKLOADS))
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=1, help="rounds of the three loops")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads (0: torch's)")
    parser.add_argument(
        "--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "fitdoc-bench"
    )
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    names = args.workloads or [
        n for n, w in WORKLOADS.items() if w.device == "cpu" or torch.cuda.is_available()
    ]
    print(
        f"torch {torch.__version__}, {platform.machine()}, {os.cpu_count()} cores, "
        f"{torch.get_num_threads()} threads, epochs {args.epochs} (first is warm-up), "
        f"median of {args.repeats} rounds"
    )
    rows = [
        run_workload(name, WORKLOADS[name], args.epochs, args.repeats, args.data_dir)
        for name in names
    ]
    header = f"{'workload':<14}{'device':<24}{'fitdoc':>10}{'reference':>11}{'naive':>10}"
    print(header + f"{'fitdoc/ref':>11}{'write ms':>10}{'write %':>9}")
    for r in rows:
        print(
            f"{r['name']:<14}{r['device'][:23]:<24}{r['fitdoc']:>10,.0f}{r['reference']:>11,.0f}"
            f"{r['naive']:>10,.0f}{r['ratio']:>11.3f}{r['write_ms']:>10.2f}"
            f"{100 * r['write_share']:>8.2f}%"
        )
    print("(images/s over whole epochs: training steps + evaluation; write = the job's metric")
    print(" write per epoch to SQLite, as a share of the epoch)")
    for r in rows:
        falling = all(math.isfinite(v) for v in r["losses"]) and r["losses"][-1] < r["losses"][0]
        trace = " ".join(f"{v:.3f}" for v in r["losses"])
        print(
            f"{r['name']}: train_loss by epoch {trace}  {'falls' if falling else 'DOES NOT FALL'}"
        )


if __name__ == "__main__":
    main()
