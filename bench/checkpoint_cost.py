"""What saving the training state at every epoch end costs (`train(..., state_path=...)`).

For each CPU workload, runs with and without a state file take turns (paired rounds, the
order alternating), each of `--epochs` epochs. Two measures per workload:

- save ms   the state's capture plus its atomic write (`write_state`: torch.save to a side
            file, then os.replace), timed around the calls; the median over every saving
            epoch of every round;
- epoch ms  the median epoch (training + evaluation) of the runs without a state file,
            the loop's own `epoch_time`;
- share     save ms / epoch ms, times the writes per epoch that may write (all but the
            last; fewer with --state-every);
- paired    the same cost measured from outside: the median, over rounds, of the ratio of
            the median interval between two on_epoch calls with a state file to that
            without, minus 1 (the interval after epoch e holds e's save and e+1; with
            --state-every, the sums of the intervals: most hold no write). It includes any
            slowdown of the next epoch (a cold cache after writing), and the drift of a
            shared machine, so it is noisier than `share`.

The state's size is that of the file at the end of a run (model, optimizer, best weights,
RNGs, history). `--state-every S` measures `train(..., state_every=S)` instead (at most one
write every S seconds).

    python bench/checkpoint_cost.py --threads 1
    python bench/checkpoint_cost.py --threads 1 --workloads mlp --state-every 1
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workers.training import loop, train  # noqa: E402
from workers.training.resume import TrainingState, discard_state  # noqa: E402

MNIST1D_SGD = {"name": "sgd", "lr": 0.05, "momentum": 0.9}


def job(dataset: dict[str, Any], model: dict[str, Any], optimizer: dict[str, Any],
        batch_size: int, augmentation: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"dataset": dataset, "model": model, "optimizer": optimizer,
            "augmentation": augmentation or {},
            "training": {"batch_size": batch_size, "device": "cpu"}}


CROP_FLIP = {"random_crop": {"padding": 4}, "hflip": True}
WORKLOADS: dict[str, dict[str, Any]] = {
    # train_throughput's CPU workloads (mnist1d, 4000 samples, batch 128), the mlp with Adam
    # (two moments per weight: the biggest state per parameter)
    "mlp": job({"name": "mnist1d"}, {"arch": "mlp", "widths": [256, 256]},
               {"name": "adam", "lr": 1e-3}, 128),
    "cnn1d": job({"name": "mnist1d"}, {"arch": "cnn1d"}, MNIST1D_SGD, 128),
    # the synthetic images' default cnn, on a 2048-image subset
    "cnn": job({"name": "synthetic_images", "n_train": 2048, "val_fraction": 0.1},
               {"arch": "cnn"}, MNIST1D_SGD, 128, CROP_FLIP),
    # resnet18 (11.2M parameters) on 256 images: a big state against a short CPU epoch
    "resnet18": job({"name": "synthetic_images", "n_train": 256, "val_fraction": 0.2},
                    {"arch": "resnet18"}, MNIST1D_SGD, 64, CROP_FLIP),
}


@dataclass
class Run:
    intervals: list[float]  # between consecutive on_epoch calls
    epoch_times: list[float]  # the loop's epoch_time, warm-up epoch left out
    saves: list[float]  # seconds per saving epoch (capture + write)
    size: int  # bytes of the state file at the end


def timed_saves() -> list[float]:
    """Times TrainingState.capture + write_state per epoch (the loop calls both once)."""
    saves: list[float] = []
    capture, write = TrainingState.capture, loop.write_state
    started = [0.0]

    def timed_capture(self, *args, **kwargs):
        started[0] = time.perf_counter()
        return capture(self, *args, **kwargs)

    def timed_write(*args, **kwargs):
        size = write(*args, **kwargs)
        saves.append(time.perf_counter() - started[0])
        return size

    TrainingState.capture, loop.write_state = timed_capture, timed_write
    return saves


def one_run(spec: dict[str, Any], epochs: int, state: Path | None, state_every: float,
            data_dir: Path, saves: list[float]) -> Run:
    spec = {**spec, "training": {**spec["training"], "epochs": epochs}}
    marks: list[float] = []
    times: list[float] = []

    def on_epoch(epoch: int, metrics: dict[str, float]) -> None:
        marks.append(time.perf_counter())
        times.append(metrics["epoch_time"])

    saves.clear()
    if state is not None:
        discard_state(state)
    train(spec, on_epoch=on_epoch, data_dir=data_dir, state_path=state,
          state_every=state_every)
    size = state.stat().st_size if state is not None and state.exists() else 0
    if state is not None:
        discard_state(state)
    return Run([b - a for a, b in pairwise(marks)], times[1:], list(saves), size)


def measure(name: str, args: argparse.Namespace, saves: list[float]) -> dict[str, Any]:
    spec, state = WORKLOADS[name], args.dir / f"{name}.state.pt"
    train({**spec, "training": {**spec["training"], "epochs": 1}}, data_dir=args.data_dir)
    ratios, epoch_times, save_times, size = [], [], [], 0
    for r in range(args.rounds):
        order = [None, state] if r % 2 == 0 else [state, None]
        runs = {}
        for path in order:
            runs[path is not None] = one_run(spec, args.epochs, path, args.state_every,
                                             args.data_dir, saves)
        with_state, without = runs[True], runs[False]
        # every epoch: the median interval; throttled (--state-every), most intervals hold
        # no write, so the whole run's time after the warm-up
        pick = sum if args.state_every > 0 else statistics.median
        ratios.append(pick(with_state.intervals) / pick(without.intervals))
        epoch_times += without.epoch_times
        save_times += with_state.saves
        size = max(size, with_state.size)
    epoch = statistics.median(epoch_times)
    save = statistics.median(save_times) if save_times else 0.0
    writes = len(save_times) / args.rounds
    return {"name": name, "mb": size / 2**20, "save_ms": save * 1e3, "epoch_ms": epoch * 1e3,
            "writes": writes, "share": save / epoch * writes / (args.epochs - 1),
            "paired": statistics.median(ratios) - 1,
            "paired_q": statistics.quantiles(ratios, n=4) if len(ratios) > 1 else None}


def commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                              capture_output=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", nargs="*", choices=list(WORKLOADS),
                        default=list(WORKLOADS))
    parser.add_argument("--epochs", type=int, default=6, help="per run, the first is warm-up")
    parser.add_argument("--rounds", type=int, default=4, help="paired rounds per workload")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads (0: torch's)")
    parser.add_argument("--device", default="cpu", help="cpu, or cuda on a GPU box "
                        "(bench/gpu_session.sh checkpoint)")
    parser.add_argument("--state-every", type=float, default=0.0,
                        help="train(state_every=...): seconds between writes, 0 every epoch")
    parser.add_argument("--dir", type=Path, help="where the state files go (default: a "
                        "temporary folder on the same disk as --data-dir)")
    parser.add_argument("--data-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "fitdoc-bench")
    args = parser.parse_args()
    if args.epochs < 3:
        parser.error("--epochs must be at least 3 (a warm-up and two saving epochs)")
    if args.threads:
        torch.set_num_threads(args.threads)
    for spec in WORKLOADS.values():
        spec["training"]["device"] = args.device
    own_dir = args.dir is None
    if own_dir:
        args.data_dir.mkdir(parents=True, exist_ok=True)
        args.dir = Path(tempfile.mkdtemp(prefix="state-", dir=args.data_dir))
    saves = timed_saves()
    print(f"$ python bench/checkpoint_cost.py {' '.join(sys.argv[1:])}")
    print(f"commit {commit()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; torch "
          f"{torch.__version__}, {cpu_name()}, {os.cpu_count()} cores, "
          f"{torch.get_num_threads()} threads; {args.rounds} paired rounds of "
          f"{args.epochs} epochs (the first is warm-up), state_every={args.state_every} s")
    rows = []
    try:
        for name in args.workloads:
            started = time.perf_counter()
            rows.append(measure(name, args, saves))
            print(f"  {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr,
                  flush=True)
    finally:
        if own_dir:
            shutil.rmtree(args.dir, ignore_errors=True)
    print()
    print("| workload | state MB | save ms | writes/run | epoch ms | share | paired (IQR) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for row in rows:
        q = row["paired_q"]
        iqr = f" ({q[0] - 1:+.1%} .. {q[2] - 1:+.1%})" if q else ""
        print(f"| {row['name']} | {row['mb']:.2f} | {row['save_ms']:.1f} | "
              f"{row['writes']:.1f} | {row['epoch_ms']:.0f} | {row['share']:.1%} | "
              f"{row['paired']:+.1%}{iqr} |")


if __name__ == "__main__":
    main()
