"""The sixteenth split's own npz files (specs_sixteenth.py), written apart from the others.

Every file is generated locally and deterministically with numpy (fixed generator seeds,
independent of a job's seed), from a formula or from scikit-learn's bundled sets, and
written by datasets.write_all under the names below. Names start with `s16_`.

Tasks of their own:
- `s16_chirps.npz`: 2400 noisy one-channel recordings (N, 1, 64) of four time-asymmetric
  sounds, 600 each: a rising chirp, a falling chirp (the same frequency sweep run the
  other way), a plucked tone (sharp onset, exponential decay) and a swelled tone
  (exponential growth, abrupt end), at a random phase, amplitude and offset: a sequence
  classification whose classes swap pairwise under time reversal.
- `s16_housing.npz`: 2000 samples of a smooth function of 6 features (uniform on
  [-1, 1]): a linear part, an interaction, a square and a sine, plus a little noise, the
  targets standardised once with fixed constants (the formula's mean and std over a large
  sample): a tabular regression a linear model fits only in part.
- `s16_rings.npz`: four concentric rings in the plane (radii 1, 2, 3, 4, radial noise
  0.12) plus two noise features, 1600 samples, 400 per class: no linear boundary exists.

Train/validation mismatches (x, y train; x_val, y_val validate, used as is because the
specs leave val_fraction unset), each a way an export or a pipeline breaks:
- `s16_chirps_reversed.npz`: the validation recorder stores each buffer newest sample
  first (time-reversed), labels intact: rising and falling chirps, plucked and swelled
  tones trade places.
- `s16_housing_wrong_target.npz`: the validation export's target column is another field
  of the same rows (a standardised quantity that falls as the training target rises,
  correlation -0.6).
- `s16_iris_sorted_rows.npz`: the validation sheet was sorted by sepal length with the
  species column left out of the selection: the measurements moved, the labels stayed.
- `s16_breast_cancer_prestandardised.npz`: the validation export was z-scored by the
  exporting tool (each column with the validation part's own mean and std), the training
  export is raw.
- `s16_digits_transposed.npz`: the validation 8x8 images were flattened column-major
  (each image transposed).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.repair.arrays import holdout, sklearn_classes

CHIRP_LENGTH = 64


# --- chirps: a sequence classification ----------------------------------------------------


def _chirps(n_per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(4 * n_per_class, 1, 64) float32 recordings and int64 labels, classes interleaved."""
    rng = np.random.default_rng(seed)
    n = 4 * n_per_class
    y = np.tile(np.arange(4), n_per_class).astype(np.int64)
    t = np.linspace(0.0, 1.0, CHIRP_LENGTH)[None, :]
    phase0 = rng.uniform(0.0, 2 * np.pi, (n, 1))
    low = rng.uniform(2.0, 4.0, (n, 1))
    high = rng.uniform(9.0, 13.0, (n, 1))
    # rising: instantaneous frequency low -> high; falling: high -> low (the same sweep
    # reversed in time)
    rising = np.sin(phase0 + 2 * np.pi * (low * t + (high - low) * t**2 / 2))
    falling = np.sin(phase0 + 2 * np.pi * (high * t - (high - low) * t**2 / 2))
    freq = rng.uniform(4.0, 9.0, (n, 1))
    tau = rng.uniform(0.1, 0.25, (n, 1))
    onset = rng.uniform(0.0, 0.2, (n, 1))
    tone = np.sin(phase0 + 2 * np.pi * freq * t)
    plucked = np.where(t >= onset, np.exp(-(t - onset) / tau), 0.0) * tone
    end = 1.0 - onset
    swelled = np.where(t <= end, np.exp(-(end - t) / tau), 0.0) * tone
    signals = np.stack([rising, falling, plucked, swelled])  # (4, n, L)
    x = signals[y, np.arange(n)]
    x = x * rng.uniform(0.7, 1.3, (n, 1)) + rng.normal(0.0, 0.2, (n, 1))
    x = x + rng.normal(0.0, 0.15, x.shape)
    return x[:, None, :].astype(np.float32), y


def chirps(data_dir: Path) -> dict[str, np.ndarray]:
    """2400 recordings, 600 per class; no validation arrays (the spec's val_fraction)."""
    x, y = _chirps(600, seed=1601)
    return {"x": x, "y": y}


def chirps_reversed(data_dir: Path) -> dict[str, np.ndarray]:
    """Train on 1800 recordings; validate on 400 others stored time-reversed."""
    x, y = _chirps(450, seed=1602)
    x_val, y_val = _chirps(100, seed=1603)
    return {"x": x, "y": y, "x_val": x_val[:, :, ::-1].copy(), "y_val": y_val}


# --- housing: a regression ----------------------------------------------------------------


def _housing_raw(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float64)
    return (1.0 * x[:, 0] + 0.8 * x[:, 1] + 1.5 * x[:, 2] * x[:, 3] + 1.2 * x[:, 4] ** 2
            + 0.7 * np.sin(3.0 * x[:, 5]))


def _housing_scale() -> tuple[float, float]:
    """The formula's mean and std over a large fixed sample (constants, not per file)."""
    x = np.random.default_rng(1600).uniform(-1.0, 1.0, (200_000, 6))
    g = _housing_raw(x)
    return float(g.mean()), float(g.std())


def _other_field(x: np.ndarray) -> np.ndarray:
    """Another standardised quantity of the same rows (think: days on the market), which
    falls as the target rises: correlation -0.6 with it, variance 1."""
    x = x.astype(np.float64)
    mean, std = _housing_scale()
    unrelated = (x[:, 0] * x[:, 5] + x[:, 1] * x[:, 4]) / np.sqrt(2.0 / 9.0)
    return -0.6 * (_housing_raw(x) - mean) / std + 0.8 * unrelated


def _housing(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, (n, 6))
    mean, std = _housing_scale()
    y = (_housing_raw(x) + rng.normal(0.0, 0.1, n) - mean) / std
    return x.astype(np.float32), y.astype(np.float32)


def housing(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = _housing(2000, seed=1611)
    return {"x": x, "y": y}


def housing_wrong_target(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = _housing(1600, seed=1612)
    x_val, _ = _housing(400, seed=1613)
    noise = np.random.default_rng(1614).normal(0.0, 0.1, len(x_val))
    return {"x": x, "y": y, "x_val": x_val,
            "y_val": (_other_field(x_val) + noise).astype(np.float32)}


# --- rings: a tabular classification ------------------------------------------------------


def rings(data_dir: Path) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1621)
    n = 1600
    y = np.tile(np.arange(4), n // 4).astype(np.int64)
    radius = (y + 1.0) + rng.normal(0.0, 0.12, n)
    angle = rng.uniform(0.0, 2 * np.pi, n)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle),
                  rng.normal(0.0, 1.0, n), rng.normal(0.0, 1.0, n)], axis=1)
    return {"x": x.astype(np.float32), "y": y}


# --- mismatches of the built-ins ----------------------------------------------------------


def iris_sorted_rows(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = sklearn_classes("iris")
    x, y, x_val, y_val = holdout(x, y, 30, seed=1633)
    order = np.argsort(x_val[:, 0], kind="stable")
    return {"x": x, "y": y, "x_val": x_val[order], "y_val": y_val}


def breast_cancer_prestandardised(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = sklearn_classes("breast_cancer")
    x, y, x_val, y_val = holdout(x, y, 150, seed=1641)
    z = (x_val - x_val.mean(axis=0)) / x_val.std(axis=0)
    return {"x": x, "y": y, "x_val": z.astype(np.float32), "y_val": y_val}


def digits_transposed(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = sklearn_classes("digits")
    x, y, x_val, y_val = holdout(x, y, 400, seed=1651)
    flipped = x_val.reshape(-1, 8, 8).transpose(0, 2, 1).reshape(-1, 64)
    return {"x": x, "y": y, "x_val": np.ascontiguousarray(flipped), "y_val": y_val}


GENERATORS: dict[str, Callable[[Path], dict[str, np.ndarray]]] = {
    "s16_chirps.npz": chirps,
    "s16_housing.npz": housing,
    "s16_rings.npz": rings,
    "s16_chirps_reversed.npz": chirps_reversed,
    "s16_housing_wrong_target.npz": housing_wrong_target,
    "s16_iris_sorted_rows.npz": iris_sorted_rows,
    "s16_breast_cancer_prestandardised.npz": breast_cancer_prestandardised,
    "s16_digits_transposed.npz": digits_transposed,
}

# The dataset each file is made from (a formula: the task's own name), for the summary
# tables.
NPZ_SOURCE = {
    "s16_chirps.npz": "chirps",
    "s16_housing.npz": "housing",
    "s16_rings.npz": "rings",
    "s16_chirps_reversed.npz": "chirps",
    "s16_housing_wrong_target.npz": "housing",
    "s16_iris_sorted_rows.npz": "iris",
    "s16_breast_cancer_prestandardised.npz": "breast_cancer",
    "s16_digits_transposed.npz": "digits",
}
