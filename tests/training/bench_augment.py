"""Own augmentation ops vs kornia's, same batch, same machine (a measurement, not a test).

    pip install kornia            # only for this measurement; the package never needs it
    python -m tests.training.bench_augment [--device cpu|cuda] [--batch 512] [--threads 1]

Prints milliseconds per call for each augmentation (median of 60 calls, alternating between
the two implementations); the CPU figures are quoted at the top of
workers/training/augment.py. kornia's closest ops are not identical: RandomErasing with a
fixed 1/16 area stands in for cutout, RandomMixUpV2 draws lambda uniformly, not from Beta.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import torch

from workers.training.augment import AUGMENTATIONS
from workers.training.data import DatasetInfo


def _median_ms(fns: list, device: torch.device, calls: int = 60, warmup: int = 5) -> list:
    """Median milliseconds per call of each function. The calls alternate between the
    functions, so that load from other processes on a shared machine hits both alike."""
    for fn in fns:
        for _ in range(warmup):
            fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(calls):
        for fn, record in zip(fns, times, strict=True):
            if device.type == "cuda":
                torch.cuda.synchronize()
            start = time.perf_counter()
            fn()
            if device.type == "cuda":
                torch.cuda.synchronize()
            record.append((time.perf_counter() - start) * 1e3)
    return [statistics.median(t) for t in times]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    import kornia
    import kornia.augmentation as K

    device = torch.device(args.device)
    x = torch.rand(args.batch, 3, 32, 32, device=device)
    y = torch.randint(0, 10, (args.batch,), device=device)
    info = DatasetInfo("image", 10, (3, 32, 32))
    generator = torch.Generator(device).manual_seed(0)
    # (ours: name and params, theirs: the closest kornia op with the same settings)
    pairs = {
        "hflip": ({}, K.RandomHorizontalFlip(p=0.5)),
        "random_crop": ({"padding": 4}, K.RandomCrop((32, 32), padding=4,
                                                     padding_mode="reflect")),
        "random_resized_crop": ({"scale": (0.08, 1.0)},
                                K.RandomResizedCrop((32, 32), scale=(0.08, 1.0))),
        "color_jitter": ({"brightness": 0.4, "contrast": 0.4, "saturation": 0.4},
                         K.ColorJitter(0.4, 0.4, 0.4)),
        "cutout": ({"size": 8}, K.RandomErasing(scale=(0.0625, 0.0625), ratio=(1.0, 1.0),
                                                p=1.0)),
        "noise": ({"std": 0.1}, K.RandomGaussianNoise(std=0.1, p=1.0)),
        "mixup": ({"alpha": 0.2}, K.RandomMixUpV2()),
    }
    print(f"batch {args.batch}x3x32x32 float32 on {device} ({platform.processor() or 'cpu'}), "
          f"{args.threads} thread(s), torch {torch.__version__}, kornia {kornia.__version__}")
    print(f"{'augmentation':<22}{'own ms':>9}{'kornia ms':>11}{'ratio':>8}")
    for name, (params, theirs) in pairs.items():
        ours = AUGMENTATIONS[name](params, info)
        kornia_args = (x, y) if name == "mixup" else (x,)
        own_ms, kornia_ms = _median_ms([lambda ours=ours: ours(x, y, generator),
                                        lambda t=theirs, a=kornia_args: t(*a)], device)
        print(f"{name:<22}{own_ms:>9.2f}{kornia_ms:>11.2f}{kornia_ms / own_ms:>7.1f}x")


if __name__ == "__main__":
    main()
