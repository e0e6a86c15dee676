"""The eleventh split's npz files (specs_eleventh.py), named `s11_...`.

Written apart from the other splits' generators, from the JobSpec and the training engine
only. Every file is deterministic (fixed generator seeds, independent of the job's seed);
`datasets.write_all` writes them next to the other splits' files.

Four generated tasks (their NPZ_SOURCE names): "spiral" (tabular classification, interleaved
arms in the plane plus nuisance features), "pendulum" (regression, a smooth nonlinear law
of four inputs, targets of mean 0 and variance 1), "pulses" (sequence classification,
where in a 48-step trace a bump sits) and "mixture" (tabular classification, Gaussian
clusters in a few of many dimensions). The mismatch files bring their own validation part
(`x_val`, `y_val`), drawn so that it disagrees with the training part; the others are
split at random by the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.repair.arrays import holdout, sklearn_classes

SPIRAL_ARMS = 3
PULSE_LENGTH = 48
PULSE_CLASSES = 4
MIXTURE_CLASSES = 4
MIXTURE_DIMS = 24
MIXTURE_INFORMATIVE = 4
# The law of the pendulum file, standardised by these constants (the training sample's).
PENDULUM_SEED = 1101


def _spiral_arrays(n: int, seed: int, noise: float = 0.15) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.arange(n) % SPIRAL_ARMS
    rng.shuffle(y)
    t = rng.uniform(0.15, 1.0, n)
    angle = 2 * np.pi * y / SPIRAL_ARMS + 3.0 * np.pi * t
    r = 2.0 * t
    xy = np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1)
    xy += rng.normal(0, noise * 0.2, xy.shape)
    nuisance = rng.normal(0, 1, (n, 2))
    x = np.concatenate([xy, nuisance], axis=1).astype(np.float32)
    return x, y.astype(np.int64)


def pendulum_law(x: np.ndarray) -> np.ndarray:
    """The pendulum file's target before standardisation (x: (N, 4) float64)."""
    return (np.sin(2.0 * x[:, 0]) * (1.0 + 0.5 * x[:, 1]) + 0.6 * x[:, 2] ** 2
            - 0.8 * np.tanh(x[:, 3] * x[:, 0]))


def _pendulum_inputs(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1.5, 1.5, (n, 4))


def _pendulum_scale() -> tuple[float, float]:
    y = pendulum_law(_pendulum_inputs(20000, PENDULUM_SEED + 99))
    return float(y.mean()), float(y.std())


def pendulum_target(x: np.ndarray) -> np.ndarray:
    mean, std = _pendulum_scale()
    return (pendulum_law(x) - mean) / std


def _pulse_arrays(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A bump in one of PULSE_CLASSES quarters of the trace (its class), shifted within the
    quarter, on noise and a slow drift."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % PULSE_CLASSES
    rng.shuffle(y)
    steps = np.arange(PULSE_LENGTH)
    quarter = PULSE_LENGTH // PULSE_CLASSES
    centre = y * quarter + rng.uniform(2, quarter - 2, n)
    width = rng.uniform(1.0, 2.0, n)
    height = rng.uniform(1.5, 2.5, n)
    bump = height[:, None] * np.exp(-0.5 * ((steps[None] - centre[:, None]) / width[:, None]) ** 2)
    drift = rng.normal(0, 0.3, (n, 1)) * np.linspace(-1, 1, PULSE_LENGTH)[None]
    x = bump + drift + rng.normal(0, 0.3, (n, PULSE_LENGTH))
    return x[:, None, :].astype(np.float32), y.astype(np.int64)


def _mixture_means() -> np.ndarray:
    rng = np.random.default_rng(1141)
    means = np.zeros((MIXTURE_CLASSES, MIXTURE_DIMS))
    means[:, :MIXTURE_INFORMATIVE] = rng.normal(0, 2.0, (MIXTURE_CLASSES, MIXTURE_INFORMATIVE))
    return means


def _mixture_arrays(n: int, seed: int, means: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.arange(n) % MIXTURE_CLASSES
    rng.shuffle(y)
    x = means[y] + rng.normal(0, 1.0, (n, MIXTURE_DIMS))
    return x.astype(np.float32), y.astype(np.int64)


# --- the training-only files ----------------------------------------------------------------


def spiral(_: Path) -> dict[str, np.ndarray]:
    x, y = _spiral_arrays(1500, 1111)
    return {"x": x, "y": y}


def pendulum(_: Path) -> dict[str, np.ndarray]:
    x = _pendulum_inputs(2000, PENDULUM_SEED)
    return {"x": x.astype(np.float32), "y": pendulum_target(x).astype(np.float32)}


def pulses(_: Path) -> dict[str, np.ndarray]:
    x, y = _pulse_arrays(2000, 1121)
    return {"x": x, "y": y}


def mixture(_: Path) -> dict[str, np.ndarray]:
    x, y = _mixture_arrays(2000, 1131, _mixture_means())
    return {"x": x, "y": y}


# --- the mismatch files: a validation part that disagrees with training -------------------


def spiral_rotated_labels(_: Path) -> dict[str, np.ndarray]:
    x, y = _spiral_arrays(1500, 1112)
    x_val, y_val = _spiral_arrays(400, 1113)
    return {"x": x, "y": y, "x_val": x_val, "y_val": (y_val + 1) % SPIRAL_ARMS}


def pendulum_other_law(_: Path) -> dict[str, np.ndarray]:
    x = _pendulum_inputs(2000, PENDULUM_SEED + 1)
    x_val = _pendulum_inputs(500, PENDULUM_SEED + 2)
    return {"x": x.astype(np.float32), "y": pendulum_target(x).astype(np.float32),
            "x_val": x_val.astype(np.float32),
            "y_val": (-pendulum_target(x_val)).astype(np.float32)}


def pulses_reversed(_: Path) -> dict[str, np.ndarray]:
    x, y = _pulse_arrays(2000, 1122)
    x_val, y_val = _pulse_arrays(500, 1123)
    return {"x": x, "y": y, "x_val": np.ascontiguousarray(x_val[:, :, ::-1]), "y_val": y_val}


def mixture_swapped(_: Path) -> dict[str, np.ndarray]:
    means = _mixture_means()
    x, y = _mixture_arrays(2000, 1132, means)
    x_val, y_val = _mixture_arrays(500, 1133, np.roll(means, 1, axis=0))
    return {"x": x, "y": y, "x_val": x_val, "y_val": y_val}


def wine_offset(_: Path) -> dict[str, np.ndarray]:
    x, y = sklearn_classes("wine")
    x, y, x_val, y_val = holdout(x, y, 60, 1151)
    spread = x.std(axis=0, keepdims=True)
    return {"x": x, "y": y, "x_val": (x_val + 6.0 * spread).astype(np.float32),
            "y_val": y_val}


GENERATORS: dict[str, Callable[[Path], dict[str, np.ndarray]]] = {
    "s11_spiral.npz": spiral,
    "s11_pendulum.npz": pendulum,
    "s11_pulses.npz": pulses,
    "s11_mixture.npz": mixture,
    "s11_spiral_rotated.npz": spiral_rotated_labels,
    "s11_pendulum_other_law.npz": pendulum_other_law,
    "s11_pulses_reversed.npz": pulses_reversed,
    "s11_mixture_swapped.npz": mixture_swapped,
    "s11_wine_offset.npz": wine_offset,
}

NPZ_SOURCE = {
    "s11_spiral.npz": "spiral",
    "s11_pendulum.npz": "pendulum",
    "s11_pulses.npz": "pulses",
    "s11_mixture.npz": "mixture",
    "s11_spiral_rotated.npz": "spiral",
    "s11_pendulum_other_law.npz": "pendulum",
    "s11_pulses_reversed.npz": "pulses",
    "s11_mixture_swapped.npz": "mixture",
    "s11_wine_offset.npz": "wine",
}
