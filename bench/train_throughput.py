"""Training throughput: fitdoc's loop vs a hand-tuned reference loop vs a naive loop.

In one process, for each workload, the same model (built by fitdoc's registry, same init
seed) trains on the same data with the same batch size, precision and augmentation, and
each epoch also evaluates on the same validation set:

- fitdoc     `workers.training.train(cfg)` as a worker runs a job, with the worker's own
             epoch hooks (metric write, progress, cancel poll) against a SQLite store;
- reference  a plain loop written here as a careful engineer would: data resident on the
             device as uint8, random crop + flip as batched tensor ops on the device, bf16
             autocast, channels_last for conv nets, fused SGD on a GPU, no host sync inside
             an epoch, train loss, validation loss and accuracy read back once per epoch;
- naive      a CPU DataLoader over float32 tensors, fp32, augmentation on the host, the
             loss read with .item() every step;
- fitdoc+compile (with --compile) the fitdoc job with `training.compile` (torch.compile).

How it is measured. Images/s counts the samples a loop really trained (the reference and
naive loops drop the last partial batch; fitdoc trains it) over whole epochs (training
steps + evaluation), each run's first epoch left out as warm-up (cuDNN autotuning, allocator
growth, compilation). The loops take turns in short rounds, in an order that rotates each
round, and fitdoc/reference is the median of the rounds' ratios, each ratio taken from two
runs close in time: on the 2-core dev VM the speed of everything drifts by up to 1.5x for
seconds at a time, which a ratio of two separate medians picks up and a paired ratio does
not. The quartiles of the rounds' ratios are printed beside it.

Bookkeeping (fitdoc), as shares of the median training epoch:
- eval   the evaluation (the loop's own eval_time metric);
- hooks  the worker's epoch hooks (workers.jobs.epoch_hooks) on a SQLite file; left out
         when the service package cannot be imported (a GPU box with torch alone);
- best   keeping the best epoch's weights (BestWeights.keep), as if every epoch improved;
- save   the end-of-job checkpoint file (save_checkpoint), once per job: printed in ms.
On a GPU it also counts the host syncs per epoch of a fitdoc run (CUDA's sync debug mode).

    python bench/train_throughput.py --epochs 3 --repeats 15 --threads 1   # CPU workloads
    python bench/train_throughput.py --workloads resnet18-gpu cnn-gpu --epochs 3 --repeats 5
    python bench/train_throughput.py --workloads cnn-gpu --device cpu --n-train 1024 \\
        --precision fp32 --epochs 2 --repeats 1          # the GPU workloads' code on a CPU
"""

from __future__ import annotations

import argparse
import atexit
import functools
import math
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workers.training import TrainConfig, save_checkpoint, train  # noqa: E402
from workers.training.checkpoint import BestWeights  # noqa: E402
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


def mnist1d(model: dict[str, Any]) -> Workload:
    spec = {
        "dataset": {"name": "mnist1d"},
        "model": model,
        "optimizer": {"name": "sgd", "lr": 0.05, "momentum": 0.9},
        "training": {"batch_size": 128},
    }
    return Workload(spec, "cpu", 4_000)


WORKLOADS: dict[str, Workload] = {
    "resnet18-gpu": gpu_images("resnet18"),
    "cnn-gpu": gpu_images("cnn"),
    "mlp-cpu": mnist1d({"arch": "mlp", "widths": [256, 256]}),
    "cnn1d-cpu": mnist1d({"arch": "cnn1d"}),
}


@dataclass
class Timing:
    """One run of a loop: its steady-state epochs and the samples it trains per epoch."""

    seconds: list[float]
    samples: int

    @property
    def rate(self) -> float:
        return self.samples * len(self.seconds) / sum(self.seconds)


def steady(times: list[float], samples: int) -> Timing:
    return Timing(times[1:] or times, samples)


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


def full_batches(n: int, batch: int) -> int:
    if n < batch:
        raise SystemExit(f"{n} training samples make no full batch of {batch}")
    return n // batch


def reference_loop(
    make_model: Callable[[], nn.Module], data, work: Workload, epochs: int, device: torch.device
) -> Timing:
    spec = work.spec
    batch = spec["training"]["batch_size"]
    bf16 = spec["training"].get("precision") == "bf16"
    images = data.x_train.ndim == 4
    augment = bool(spec.get("augmentation"))
    torch.backends.cudnn.benchmark = True
    model = make_model().to(device)
    if images and device.type == "cuda":
        model = model.to(memory_format=torch.channels_last)
    optimizer = sgd(model, spec["optimizer"], fused=device.type == "cuda")
    x_train = torch.from_numpy(data.x_train).to(device)  # uint8 images stay uint8
    y_train = torch.from_numpy(data.y_train).to(device)
    x_val = torch.from_numpy(data.x_val).to(device)
    y_val = torch.from_numpy(data.y_val).to(device)
    generator = torch.Generator(device).manual_seed(0)
    n = len(x_train)
    steps = full_batches(n, batch)

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
    return steady(times, steps * batch)


# --- the naive loop ----------------------------------------------------------------------------


def naive_loop(
    make_model: Callable[[], nn.Module], data, work: Workload, epochs: int, device: torch.device
) -> Timing:
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
    return steady(times, full_batches(len(train_set), batch) * batch)


# --- fitdoc, and its bookkeeping --------------------------------------------------------------


@functools.cache
def bench_jobs():
    """One SQLite job store for the benchmark's jobs, removed at exit; None when the
    service package cannot be imported (e.g. on a GPU box with torch alone)."""
    try:
        from service.store import Stores, migrate
    except ImportError:
        return None
    folder = tempfile.mkdtemp(prefix="fitdoc-bench-store-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    url = f"sqlite:///{folder}/bench.db"
    migrate.upgrade(url)
    return Stores.open(url).jobs


def worker_hooks(cfg: TrainConfig) -> tuple[Callable, Callable] | None:
    """The worker's epoch hooks for a new job, or None without the service package."""
    jobs = bench_jobs()
    if jobs is None:
        return None
    from service.schemas import RunCreate
    from workers.jobs import epoch_hooks

    job = jobs.create_job(RunCreate(project="bench"), cfg.to_dict(), cfg.training.epochs)
    claim = jobs.claim_job(job.id, "bench", 3600)
    on_epoch, should_stop, _ = epoch_hooks(jobs, claim.lease, job.run_id)
    return on_epoch, should_stop


@dataclass
class FitdocRun:
    timing: Timing
    eval_seconds: list[float]  # per steady epoch
    hook_seconds: list[float]  # per steady epoch; empty without the service package
    best_seconds: float  # one BestWeights.keep of the trained model
    save_seconds: float  # one save_checkpoint of the result
    save_bytes: int
    losses: list[float]


def time_best_weights(model: nn.Module, device: torch.device, calls: int = 10) -> float:
    best = BestWeights(model, device)
    best.keep(model)  # the first keep allocates the copy
    spent = []
    for _ in range(calls):
        sync(device)
        start = time.perf_counter()
        best.keep(model)
        sync(device)
        spent.append(time.perf_counter() - start)
    return statistics.median(spent)


def fitdoc_loop(cfg: TrainConfig, samples: int, device: torch.device, data_dir: Path) -> FitdocRun:
    """`samples`: the training set's size; fitdoc trains all of it every epoch, the last
    partial batch included."""
    hooks = worker_hooks(cfg)
    spent: dict[str, list[float]] = {"should_stop": [], "on_epoch": []}

    def timed(name: str, hook: Callable) -> Callable:
        def call(*args):
            start = time.perf_counter()
            out = hook(*args)
            spent[name].append(time.perf_counter() - start)
            return out

        return call

    on_epoch = should_stop = None
    if hooks:
        on_epoch, should_stop = timed("on_epoch", hooks[0]), timed("should_stop", hooks[1])
    sync(device)
    result = train(
        cfg, on_epoch=on_epoch, should_stop=should_stop, data_dir=data_dir, device=device
    )
    history = result.history
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        size = save_checkpoint(Path(folder) / "bench.pt", result)
        save = time.perf_counter() - start
    # An epoch's hooks: the cancel poll before it and the write after it. The first epoch's
    # are left out like the epoch itself (its poll reads the database, later ones the flag
    # the last write returned; the first write on a connection is slower).
    hook_seconds = [stop + end for stop, end in zip(*spent.values(), strict=True)][1:]
    return FitdocRun(
        timing=steady([h["epoch_time"] for h in history], samples),
        eval_seconds=[h["eval_time"] for h in history[1:]],
        hook_seconds=hook_seconds,
        best_seconds=time_best_weights(result.model, device),
        save_seconds=save,
        save_bytes=size,
        losses=[h["train_loss"] for h in history],
    )


def host_syncs_per_epoch(cfg: TrainConfig, device: torch.device, data_dir: Path) -> list[int]:
    """Host syncs per steady epoch of a fitdoc run, counted by CUDA's sync debug mode
    (it warns at every sync; the loop's one read-back per epoch is one of them)."""
    marks: list[int] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")

        def syncs_so_far(epoch: int, metrics: dict[str, float]) -> None:
            # c10 warns "called a synchronizing CUDA operation"; other warnings don't count
            marks.append(sum("synchroniz" in str(w.message).lower() for w in caught))

        torch.cuda.set_sync_debug_mode("warn")
        try:
            train(cfg, on_epoch=syncs_so_far, data_dir=data_dir, device=device)
        finally:
            torch.cuda.set_sync_debug_mode("default")
    return [after - before for before, after in pairwise(marks)]


# --- the comparison ------------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    device: str
    rates: dict[str, list[float]] = field(default_factory=dict)  # loop -> per-round rate
    ratios: list[float] = field(default_factory=list)  # per round, fitdoc / reference
    compile_ratios: list[float] = field(default_factory=list)  # fitdoc+compile / reference
    runs: list[FitdocRun] = field(default_factory=list)
    syncs: list[int] | None = None


def quartiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        return values[0], values[0], values[0]
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3


def run_workload(name: str, work: Workload, args: argparse.Namespace) -> Row:
    device = torch.device(args.device or work.device)
    training = {**work.spec["training"], "epochs": args.epochs, "device": device.type}
    if args.precision:
        training["precision"] = args.precision
    work = replace(work, spec={**work.spec, "training": training})
    spec = {
        **work.spec,
        "dataset": {**work.spec["dataset"], "n_train": args.n_train or work.n_train},
    }
    cfg = TrainConfig.from_dict(spec)
    compiled = TrainConfig.from_dict({**spec, "training": {**training, "compile": True}})
    data = load_data(cfg.dataset, args.data_dir)

    def make_model() -> nn.Module:
        torch.manual_seed(0)
        return build_model(cfg.model, data.info.input_shape, data.num_outputs, data.mean, data.std)

    label = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    row = Row(name, label)
    samples = len(data.x_train)

    def fitdoc() -> Timing:
        row.runs.append(fitdoc_loop(cfg, samples, device, args.data_dir))
        return row.runs[-1].timing

    loops: dict[str, Callable[[], Timing]] = {
        "fitdoc": fitdoc,
        "reference": lambda: reference_loop(make_model, data, work, args.epochs, device),
        "naive": lambda: naive_loop(make_model, data, work, args.epochs, device),
    }
    if args.compile:
        loops["fitdoc+compile"] = lambda: (
            fitdoc_loop(compiled, samples, device, args.data_dir).timing
        )
    row.rates = {k: [] for k in loops}
    order = list(loops)
    for round_ in range(args.repeats):
        shift = round_ % len(order)  # rotate: no loop always runs first or last
        this_round = {k: loops[k]().rate for k in order[shift:] + order[:shift]}
        for k, rate in this_round.items():
            row.rates[k].append(rate)
        row.ratios.append(this_round["fitdoc"] / this_round["reference"])
        if args.compile:
            row.compile_ratios.append(this_round["fitdoc+compile"] / this_round["reference"])
    if device.type == "cuda":
        row.syncs = host_syncs_per_epoch(cfg, device, args.data_dir)
    return row


def print_report(rows: list[Row], args: argparse.Namespace) -> None:
    loops = list(rows[0].rates)
    print(
        "\nimages/s (median of rounds); fitdoc/ref = median of the rounds' paired ratios "
        "[quartiles]"
    )
    print(
        f"{'workload':<14}{'device':<24}"
        + "".join(f"{k:>16}" for k in loops)
        + f"{'fitdoc/ref':>12}  {'[q1 - q3]':<15}"
        + ("compiled/ref" if args.compile else "")
    )
    for r in rows:
        q1, q2, q3 = quartiles(r.ratios)
        line = f"{r.name:<14}{r.device[:23]:<24}" + "".join(
            f"{statistics.median(r.rates[k]):>16,.0f}" for k in loops
        )
        line += f"{q2:>12.3f}  [{q1:.3f} - {q3:.3f}]"
        if args.compile:
            c1, c2, c3 = quartiles(r.compile_ratios)
            line += f"  {c2:.3f} [{c1:.3f} - {c3:.3f}]"
        print(line)

    print(
        "\nfitdoc's bookkeeping per epoch, as a share of the median training epoch "
        "(best: as if every epoch improved; save: once per job)"
    )
    print(
        f"{'workload':<14}{'epoch ms':>10}{'eval':>16}{'hooks':>16}{'best':>16}"
        f"{'total':>9}{'save ms':>10}{'file MB':>9}"
    )
    for r in rows:
        epoch = statistics.median(s for run in r.runs for s in run.timing.seconds)
        parts = {
            "eval": [s for run in r.runs for s in run.eval_seconds],
            "hooks": [s for run in r.runs for s in run.hook_seconds],
            "best": [run.best_seconds for run in r.runs],
        }
        line, total = f"{r.name:<14}{1000 * epoch:>10.1f}", 0.0
        for values in parts.values():
            if not values:
                line += f"{'n/a':>16}"
                continue
            part = statistics.median(values)
            total += part
            line += f"{1000 * part:>8.2f} ms{100 * part / epoch:>5.1f}%"
        save = statistics.median(run.save_seconds for run in r.runs)
        line += f"{100 * total / epoch:>8.1f}%{1000 * save:>10.1f}"
        line += f"{r.runs[-1].save_bytes / 1e6:>9.2f}"
        print(line)
    for r in rows:
        losses = r.runs[-1].losses
        falling = all(math.isfinite(v) for v in losses) and losses[-1] < losses[0]
        trace = " ".join(f"{v:.3f}" for v in losses)
        print(f"{r.name}: train_loss by epoch {trace}  {'falls' if falling else 'DOES NOT FALL'}")
        if r.syncs is not None:
            print(f"{r.name}: host syncs per steady epoch of a fitdoc run: {r.syncs}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", nargs="*", choices=list(WORKLOADS))
    parser.add_argument("--epochs", type=int, default=3, help="per run, the first is warm-up")
    parser.add_argument("--repeats", type=int, default=5, help="rounds of the loops")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads (0: torch's)")
    parser.add_argument("--compile", action="store_true", help="also fitdoc + torch.compile")
    parser.add_argument("--device", help="run every workload here instead (e.g. cpu)")
    parser.add_argument("--n-train", type=int, help="training samples instead of the workload's")
    parser.add_argument("--precision", choices=["fp32", "bf16", "fp16"])
    parser.add_argument(
        "--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "fitdoc-bench"
    )
    args = parser.parse_args()
    if args.epochs < 2:
        parser.error("--epochs must be at least 2: the first epoch of every run is warm-up")
    if args.threads:
        torch.set_num_threads(args.threads)
    names = args.workloads or [
        n for n, w in WORKLOADS.items() if w.device == "cpu" or torch.cuda.is_available()
    ]
    print(
        f"torch {torch.__version__}, {platform.machine()}, {os.cpu_count()} cores, "
        f"{torch.get_num_threads()} threads; {args.repeats} rounds of {args.epochs} epochs "
        f"per loop (the first is warm-up)"
    )
    rows = []
    for name in names:
        started = time.perf_counter()
        rows.append(run_workload(name, WORKLOADS[name], args))
        print(f"{name}: {time.perf_counter() - started:.0f} s", flush=True)
    print_report(rows, args)


if __name__ == "__main__":
    main()
