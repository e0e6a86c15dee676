"""The eighteenth split's own npz files (specs_eighteenth.py), written apart from the others.

Every file is generated locally and deterministically with numpy (fixed generator seeds,
independent of a job's seed), from a formula or from scikit-learn's bundled sets, and
written by datasets.write_all under the names below. Names start with `s18_`.

Tasks of their own:
- `s18_chirps.npz`: 2000 noisy signals (N, 1, 48) of four kinds, 500 each: a chirp whose
  frequency rises, one whose frequency falls, an oscillation dying away and one building
  up (random frequencies, phase, amplitude and offset). A sequence classification whose
  classes come in time-mirrored pairs: a cnn1d reads the direction of time, a linear map
  of the raw samples cannot (the phase is random).
- `s18_orbital.npz`: 2400 samples of a smooth nonlinear function of 7 of 8 features
  (uniform on [-1, 1]) with a sizeable linear part, plus noise (std 0.1 after scaling), the
  targets standardised once with fixed constants (the formula's mean and std over a large
  sample): a tabular regression.
- `s18_shells.npz`: 1500 points on three nested spherical shells in 3-D (radii 0.3-0.9,
  1.3-1.9, 2.3-2.9, 500 each) plus two noise features: separable with margins, but not by
  any hyperplane.

Train/validation mismatches (x, y train; x_val, y_val validate, used as is because the
specs leave val_fraction unset), each a way an export or a pipeline breaks:
- `s18_chirps_reversed.npz`: the validation recorder's ring buffer is read backwards, so
  each validation signal runs time-reversed (labels those of the true signals).
- `s18_orbital_sign.npz`: the validation export stores the target as a loss instead of a
  gain (sign flipped).
- `s18_shells_outside_in.npz`: the validation labels number the shells from the outside
  in (c -> 2 - c).
- `s18_digits_transposed.npz`: the validation images were flattened column-major (each
  8x8 image transposed).
- `s18_wine_prescaled.npz`: the validation features were exported already standardised
  with their own statistics, then the engine standardises them again with the raw
  training statistics.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.repair.arrays import holdout, sklearn_classes

CHIRP_LEN = 48
CHIRP_CLASSES = 4


def _chirps(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n signals (n, 1, 48) float32 and labels (n,) int64, n // 4 per class."""
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.repeat(np.arange(CHIRP_CLASSES), n // CHIRP_CLASSES))
    n = len(y)
    t = np.arange(CHIRP_LEN, dtype=np.float64)[None, :] / CHIRP_LEN  # [0, 1)
    f_lo = rng.uniform(1.0, 2.0, (n, 1))  # cycles per window
    f_hi = rng.uniform(5.0, 7.0, (n, 1))
    phase = rng.uniform(0.0, 2 * np.pi, (n, 1))
    # rising chirp: instantaneous frequency f_lo -> f_hi; its phase integral
    rising = np.sin(2 * np.pi * (f_lo * t + (f_hi - f_lo) * t**2 / 2) + phase)
    falling = rising[:, ::-1]
    f_mid = rng.uniform(2.5, 4.5, (n, 1))
    rate = rng.uniform(2.5, 4.0, (n, 1))
    carrier = np.sin(2 * np.pi * f_mid * t + phase)
    dying = carrier * np.exp(-rate * t)
    growing = carrier * np.exp(-rate * (1.0 - t))
    waves = np.stack([rising, falling, dying, growing])[y, np.arange(n)]
    amplitude = rng.uniform(0.7, 1.3, (n, 1))
    offset = rng.uniform(-0.2, 0.2, (n, 1))
    x = amplitude * waves + offset + rng.normal(0.0, 0.08, (n, CHIRP_LEN))
    return x[:, None, :].astype(np.float32), y.astype(np.int64)


def _orbital_raw(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, (n, 8))
    y = (1.3 * np.sin(1.5 * x[:, 0] + x[:, 1]) + 1.2 * x[:, 2] * x[:, 3]
         + 0.9 * x[:, 4] ** 2 + 0.8 * np.tanh(3.0 * x[:, 5]) - 0.6 * x[:, 6]
         + 0.5 * np.cos(2.5 * x[:, 1]))
    return x.astype(np.float32), y


def _orbital_scale() -> tuple[float, float]:
    """The formula's mean and std over a large sample (seed 1818): fixed constants, so that
    every file standardises the same way."""
    _, y = _orbital_raw(200_000, seed=1818)
    return float(y.mean()), float(y.std())


def _orbital(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    x, y = _orbital_raw(n, seed)
    mean, std = _orbital_scale()
    noise = np.random.default_rng(seed + 7).normal(0.0, 0.1, n)
    return x, ((y - mean) / std + noise).astype(np.float32)


def _shells(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n points (n, 5) float32, labels by shell (n // 3 each)."""
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.repeat(np.arange(3), n // 3))
    n = len(y)
    direction = rng.normal(0.0, 1.0, (n, 3))
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    radius = 0.3 + 1.0 * y + rng.uniform(0.0, 0.6, n)
    noise = rng.normal(0.0, 1.0, (n, 2))
    x = np.concatenate([direction * radius[:, None], noise], axis=1)
    return x.astype(np.float32), y.astype(np.int64)


def chirps(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = _chirps(2000, seed=1801)
    return {"x": x, "y": y}


def orbital(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = _orbital(2400, seed=1802)
    return {"x": x, "y": y}


def shells(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = _shells(1500, seed=1803)
    return {"x": x, "y": y}


def chirps_reversed(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = _chirps(1600, seed=1811)
    x_val, y_val = _chirps(400, seed=1812)
    return {"x": x, "y": y, "x_val": x_val[:, :, ::-1].copy(), "y_val": y_val}


def orbital_sign(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = _orbital(1600, seed=1813)
    x_val, y_val = _orbital(400, seed=1814)
    return {"x": x, "y": y, "x_val": x_val, "y_val": -y_val}


def shells_outside_in(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = _shells(1200, seed=1815)
    x_val, y_val = _shells(300, seed=1816)
    return {"x": x, "y": y, "x_val": x_val, "y_val": (2 - y_val).astype(np.int64)}


def digits_transposed(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = sklearn_classes("digits")
    x, y, x_val, y_val = holdout(x, y, 400, seed=1817)
    x_val = x_val.reshape(-1, 8, 8).transpose(0, 2, 1).reshape(-1, 64).copy()
    return {"x": x, "y": y, "x_val": x_val, "y_val": y_val}


def wine_prescaled(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = sklearn_classes("wine")
    x, y, x_val, y_val = holdout(x, y, 48, seed=1819)
    x_val = (x_val - x_val.mean(axis=0)) / x_val.std(axis=0)
    return {"x": x, "y": y, "x_val": x_val.astype(np.float32), "y_val": y_val}


GENERATORS: dict[str, Callable[[Path], dict[str, np.ndarray]]] = {
    "s18_chirps.npz": chirps,
    "s18_orbital.npz": orbital,
    "s18_shells.npz": shells,
    "s18_chirps_reversed.npz": chirps_reversed,
    "s18_orbital_sign.npz": orbital_sign,
    "s18_shells_outside_in.npz": shells_outside_in,
    "s18_digits_transposed.npz": digits_transposed,
    "s18_wine_prescaled.npz": wine_prescaled,
}

# The dataset each file is made from (a formula of this module, or a bundled set).
NPZ_SOURCE = {
    "s18_chirps.npz": "s18_chirps",
    "s18_orbital.npz": "s18_orbital",
    "s18_shells.npz": "s18_shells",
    "s18_chirps_reversed.npz": "s18_chirps",
    "s18_orbital_sign.npz": "s18_orbital",
    "s18_shells_outside_in.npz": "s18_shells",
    "s18_digits_transposed.npz": "digits",
    "s18_wine_prescaled.npz": "wine",
}
