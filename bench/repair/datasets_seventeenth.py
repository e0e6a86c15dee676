"""The seventeenth split's own npz files (specs_seventeenth.py), written apart from the others.

Every file is generated locally and deterministically with numpy (fixed generator seeds,
independent of a job's seed), from a formula or from scikit-learn's bundled sets and
mnist1d, and written by datasets.write_all under the names below. Names start with `s17_`.

Tasks of their own:
- `s17_chirps.npz`: 2400 noisy sound snippets (N, 1, 64) of four kinds, 600 each: a
  rising chirp, a falling chirp (their frequency ranges overlap: only the direction tells
  them apart), a steady tone swelling in loudness and one fading; random start frequency,
  sweep rate, phase, loudness and offset. A sequence classification a cnn1d learns and a
  linear map of the raw samples cannot (the phase is random).
- `s17_kinetics.npz`: 2400 enzyme reaction rates (Michaelis-Menten with a competitive
  inhibitor, an Arrhenius temperature factor and a bell-shaped pH optimum) of 7 measured
  conditions, plus noise, the rate standardised once with fixed constants (the formula's
  mean and std over a large fixed sample): a tabular regression whose multiplicative
  structure a linear model captures only in part.
- `s17_shells.npz`: points in 3-D on two concentric shells (inner radius 0.5-1.0, outer
  1.4-2.0) split by the sign of the first coordinate (directions within 0.15 of the
  dividing plane left out), plus three noise features; 2000 samples, 500 per class. The
  shell needs a nonlinear model; the sign alone is what a linear model finds.

Train/validation mismatches (x, y train; x_val, y_val validate, used as is because the
specs leave val_fraction unset), each a way an export or a pipeline breaks:
- `s17_chirps_reversed_buffer.npz`: the validation recorder's ring buffer is read newest
  sample first, so every validation snippet is time-reversed: a rising chirp reads as a
  falling one and a swelling tone as a fading one.
- `s17_kinetics_sorted_target.npz`: the validation export sorted the rate column on its
  own (the feature rows kept their order), so each row's target belongs to another row.
- `s17_wine_row_normalised.npz`: the validation export scaled every sample (row) to unit
  length instead of every feature (column): proline, in the hundreds, swamps the rest.
- `s17_mnist1d_delta_encoded.npz`: the validation sequences are stored delta-encoded (the
  first value, then the differences of neighbours) and never decoded.
- `s17_digits_column_major.npz`: the validation export wrote each 8x8 image column by
  column (Fortran order) and the reader takes it row by row: every image is transposed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np

from bench.repair.arrays import holdout, sklearn_classes

CHIRP_LENGTH = 64

# --- chirps ------------------------------------------------------------------------------


def _chirps(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n snippets (n, 1, CHIRP_LENGTH) float32, labels 0 rising chirp, 1 falling chirp, 2
    swelling tone, 3 fading tone (n/4 each, shuffled)."""
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % 4).astype(np.int64)
    t = np.linspace(0.0, 1.0, CHIRP_LENGTH)[None, :]
    low = rng.uniform(2.0, 5.0, (n, 1))  # cycles per snippet at the low end
    high = rng.uniform(9.0, 13.0, (n, 1))
    steady = rng.uniform(4.0, 10.0, (n, 1))
    # instantaneous frequency per class; the phase is its integral over t
    start = np.where(y[:, None] == 0, low, np.where(y[:, None] == 1, high, steady))
    end = np.where(y[:, None] == 0, high, np.where(y[:, None] == 1, low, steady))
    phase0 = rng.uniform(0.0, 2 * np.pi, (n, 1))
    phase = phase0 + 2 * np.pi * (start * t + 0.5 * (end - start) * t**2)
    envelope = np.ones((n, CHIRP_LENGTH))
    floor = rng.uniform(0.1, 0.3, (n, 1))
    rising = floor + (1.0 - floor) * t
    envelope = np.where(y[:, None] == 2, rising, envelope)
    envelope = np.where(y[:, None] == 3, rising[:, ::-1], envelope)
    loudness = rng.uniform(0.6, 1.5, (n, 1))
    offset = rng.normal(0.0, 0.2, (n, 1))
    x = loudness * envelope * np.sin(phase) + offset + rng.normal(0.0, 0.15, (n, CHIRP_LENGTH))
    return x[:, None, :].astype(np.float32), y


def chirps(data_dir: Path) -> dict[str, np.ndarray]:
    """2400 snippets; no validation arrays: the spec's val_fraction splits."""
    x, y = _chirps(2400, seed=1701)
    return {"x": x, "y": y}


def chirps_reversed_buffer(data_dir: Path) -> dict[str, np.ndarray]:
    """2000 snippets to train; 500 others to validate, stored time-reversed."""
    x, y = _chirps(2000, seed=1702)
    x_val, y_val = _chirps(500, seed=1703)
    return {"x": x, "y": y, "x_val": x_val[:, :, ::-1].copy(), "y_val": y_val}


# --- kinetics ----------------------------------------------------------------------------


def _conditions(n: int, rng: np.random.Generator) -> np.ndarray:
    """Substrate, Vmax, Km, inhibitor, Ki, temperature (scaled), pH offset: (n, 7) float64."""
    low = np.array([0.1, 0.5, 0.2, 0.0, 0.5, -1.0, -1.0])
    high = np.array([5.0, 2.0, 2.0, 3.0, 2.0, 1.0, 1.0])
    return rng.uniform(low, high, (n, 7))


def _rate(c: np.ndarray) -> np.ndarray:
    """The reaction rate of conditions `c` (unscaled)."""
    s, vmax, km, inhibitor, ki, temp, ph = c.T
    michaelis = vmax * s / (km * (1.0 + inhibitor / ki) + s)
    return michaelis * np.exp(0.6 * temp) * np.exp(-1.5 * ph**2)


@lru_cache(maxsize=1)
def _rate_scale() -> tuple[float, float]:
    """The rate's mean and std over 200k conditions drawn with a fixed seed."""
    r = _rate(_conditions(200_000, np.random.default_rng(1799)))
    return float(r.mean()), float(r.std())


KINETICS_NOISE = 0.15  # in standardised units: the MSE floor is 0.0225


def _kinetics(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    c = _conditions(n, rng)
    mean, std = _rate_scale()
    y = (_rate(c) - mean) / std + rng.normal(0.0, KINETICS_NOISE, n)
    return c.astype(np.float32), y.astype(np.float32)


def kinetics(data_dir: Path) -> dict[str, np.ndarray]:
    """2400 samples; no validation arrays."""
    x, y = _kinetics(2400, seed=1711)
    return {"x": x, "y": y}


def kinetics_sorted_target(data_dir: Path) -> dict[str, np.ndarray]:
    """1800 samples to train; 400 to validate whose target column was sorted on its own."""
    x, y = _kinetics(1800, seed=1712)
    x_val, y_val = _kinetics(400, seed=1713)
    return {"x": x, "y": y, "x_val": x_val, "y_val": np.sort(y_val)}


# --- shells ------------------------------------------------------------------------------


def shells(data_dir: Path) -> dict[str, np.ndarray]:
    """2000 points, 500 per class: class = 2 * outer + (first coordinate > 0)."""
    rng = np.random.default_rng(1721)
    n = 2000
    y = rng.permutation(np.arange(n) % 4).astype(np.int64)
    outer, positive = y // 2, y % 2
    direction = rng.normal(0.0, 1.0, (4 * n, 3))
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    direction = direction[np.abs(direction[:, 0]) >= 0.15][:n]  # a gap around the plane
    direction[:, 0] = np.abs(direction[:, 0]) * np.where(positive == 1, 1.0, -1.0)
    radius = np.where(outer == 1, rng.uniform(1.4, 2.0, n), rng.uniform(0.5, 1.0, n))
    points = direction * radius[:, None]
    noise = rng.normal(0.0, 1.0, (n, 3))
    return {"x": np.c_[points, noise].astype(np.float32), "y": y}


# --- mismatches from the built-ins --------------------------------------------------------


def wine_row_normalised(data_dir: Path) -> dict[str, np.ndarray]:
    """wine; the 40 validation samples each scaled to unit Euclidean length."""
    x, y = sklearn_classes("wine")
    x, y, x_val, y_val = holdout(x, y, 40, seed=1743)
    x_val = x_val / np.linalg.norm(x_val, axis=1, keepdims=True)
    return {"x": x, "y": y, "x_val": x_val.astype(np.float32), "y_val": y_val}


def _mnist1d(data_dir: Path) -> tuple[np.ndarray, ...]:
    from workers.training.config import DatasetConfig
    from workers.training.data import load_mnist1d

    arrays = load_mnist1d(DatasetConfig(name="mnist1d"), data_dir)
    return arrays.x, arrays.y, arrays.x_val, arrays.y_val


def mnist1d_delta_encoded(data_dir: Path) -> dict[str, np.ndarray]:
    """mnist1d's first 3000 training sequences; its 1000 test sequences as validation,
    delta-encoded (x[0], x[1] - x[0], ...)."""
    x, y, x_val, y_val = _mnist1d(data_dir)
    delta = np.diff(x_val, axis=2, prepend=0.0).astype(np.float32)
    return {"x": x[:3000], "y": y[:3000], "x_val": delta, "y_val": y_val}


def digits_column_major(data_dir: Path) -> dict[str, np.ndarray]:
    """digits; the 400 validation images written column by column and read row by row
    (each 8x8 image transposed)."""
    x, y = sklearn_classes("digits")
    x, y, x_val, y_val = holdout(x, y, 400, seed=1741)
    transposed = x_val.reshape(-1, 8, 8).transpose(0, 2, 1).reshape(-1, 64)
    return {"x": x, "y": y, "x_val": np.ascontiguousarray(transposed), "y_val": y_val}


GENERATORS: dict[str, Callable[[Path], dict[str, np.ndarray]]] = {
    "s17_chirps.npz": chirps,
    "s17_kinetics.npz": kinetics,
    "s17_shells.npz": shells,
    "s17_chirps_reversed_buffer.npz": chirps_reversed_buffer,
    "s17_kinetics_sorted_target.npz": kinetics_sorted_target,
    "s17_wine_row_normalised.npz": wine_row_normalised,
    "s17_mnist1d_delta_encoded.npz": mnist1d_delta_encoded,
    "s17_digits_column_major.npz": digits_column_major,
}

# The dataset each file is made from (a formula: the task's own name), for the tables.
NPZ_SOURCE = {
    "s17_chirps.npz": "chirps",
    "s17_kinetics.npz": "kinetics",
    "s17_shells.npz": "shells",
    "s17_chirps_reversed_buffer.npz": "chirps",
    "s17_kinetics_sorted_target.npz": "kinetics",
    "s17_wine_row_normalised.npz": "wine",
    "s17_mnist1d_delta_encoded.npz": "mnist1d",
    "s17_digits_column_major.npz": "digits",
}
