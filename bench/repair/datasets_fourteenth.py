"""The fourteenth split's own npz files (specs_fourteenth.py), written apart from the others.

Every file is generated locally and deterministically with numpy (fixed generator seeds,
independent of a job's seed), from a formula or from scikit-learn's bundled sets, and
written by datasets.write_all under the names below. Names start with `s14_`.

Tasks of their own:
- `s14_waveforms.npz`: 2400 noisy periodic signals (N, 1, 64) of five shapes (sine,
  square, triangle, rising sawtooth, narrow pulse train) at a random frequency, phase,
  amplitude and offset: a sequence classification a cnn1d learns and a linear map of the
  raw samples cannot (the phase is random).
- `s14_reactor.npz`: 2400 samples of a smooth nonlinear function of 7 of 8 features
  (uniform on [-1, 1]) with a linear part, plus noise, the targets standardised once with
  fixed constants (the formula's mean and std over a large sample): a tabular regression.
- `s14_spirals.npz`: three interleaved spiral arms (about 1.3 turns) in the plane plus
  two noise features, 1800 samples, 600 per class.

Train/validation mismatches (x, y train; x_val, y_val validate, used as is because the
specs leave val_fraction unset), each a way an export or a pipeline breaks:
- `s14_reactor_reversed_columns.npz`: the validation export lists the 8 feature columns
  in reverse order (targets computed on the true order).
- `s14_waveforms_relabelled.npz`: the validation labels are coded by another class map
  (c -> c + 2 mod 5, no class keeps its index).
- `s14_digits_inverted.npz`: the validation images' ink is inverted (16 - pixel).
- `s14_iris_swapped_columns.npz`: the validation export swaps the sepal and petal
  measurement columns ([2, 3, 0, 1]).
- `s14_breast_cancer_misaligned.npz`: the validation labels are shifted by 7 rows against
  their feature rows (a join off by a few rows), so label and features are unrelated.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.repair.arrays import holdout, sklearn_classes

WAVE_LEN = 64
WAVE_CLASSES = 5


def _waveforms(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n signals (n, 1, 64) float32, labels (n,) int64, balanced (n // 5 per class)."""
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(WAVE_CLASSES), n // WAVE_CLASSES)
    y = rng.permutation(np.concatenate([y, rng.integers(0, WAVE_CLASSES,
                                                        n - len(y))])).astype(np.int64)
    t = np.arange(WAVE_LEN, dtype=np.float64)[None, :] / WAVE_LEN
    cycles = rng.uniform(1.5, 4.0, (n, 1))
    phase = rng.uniform(0.0, 1.0, (n, 1))
    u = (cycles * t + phase) % 1.0  # position within the period, in [0, 1)
    shapes = np.stack([
        np.sin(2 * np.pi * u),  # sine
        np.where(u < 0.5, 1.0, -1.0),  # square
        1.0 - 4.0 * np.abs(u - 0.5),  # triangle
        2.0 * u - 1.0,  # rising sawtooth
        np.where(u < 0.12, 1.0, -0.2),  # narrow pulse train
    ])
    wave = shapes[y, np.arange(n)]
    amplitude = rng.uniform(0.6, 1.4, (n, 1))
    offset = rng.uniform(-0.3, 0.3, (n, 1))
    x = amplitude * wave + offset + rng.normal(0.0, 0.12, (n, WAVE_LEN))
    return x[:, None, :].astype(np.float32), y


def _reactor_raw(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, (n, 8))
    y = (1.2 * np.sin(np.pi * x[:, 0]) * x[:, 1] + 1.5 * x[:, 2] ** 2
         - 1.0 * x[:, 3] * x[:, 4] + 0.8 * np.cos(np.pi * x[:, 5])
         + 1.1 * x[:, 6] - 0.7 * x[:, 1] + rng.normal(0.0, 0.1, n))
    return x.astype(np.float32), y


# The target's mean and std over a large sample of the formula (seed 999), fixed so that
# every file standardises the same way.
def _reactor_scale() -> tuple[float, float]:
    _, y = _reactor_raw(200_000, seed=999)
    return float(y.mean()), float(y.std())


def _reactor(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    x, y = _reactor_raw(n, seed)
    mean, std = _reactor_scale()
    return x, ((y - mean) / std).astype(np.float32)


def waveforms(data_dir: Path) -> dict[str, np.ndarray]:
    """2400 signals of five shapes, 480 per class; the spec's val_fraction splits."""
    x, y = _waveforms(2400, seed=1401)
    return {"x": x, "y": y}


def reactor(data_dir: Path) -> dict[str, np.ndarray]:
    """2400 samples of the regression formula; the spec's val_fraction splits."""
    x, y = _reactor(2400, seed=1402)
    return {"x": x, "y": y}


def spirals(data_dir: Path) -> dict[str, np.ndarray]:
    """Three spiral arms (about 1.3 turns each) with a little radial noise, plus two standard
    normal noise features; 600 per class, shuffled."""
    rng = np.random.default_rng(1403)
    per = 600
    xs, ys = [], []
    for c in range(3):
        r = rng.uniform(0.15, 1.0, per)
        angle = 3.0 * np.pi * r + 2.0 * np.pi * c / 3.0 + rng.normal(0.0, 0.12, per)
        xs.append(np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1))
        ys.append(np.full(per, c))
    x = np.concatenate(xs)
    x = np.concatenate([x, rng.normal(0.0, 0.5, (len(x), 2))], axis=1)
    y = np.concatenate(ys)
    order = rng.permutation(len(x))
    return {"x": x[order].astype(np.float32), "y": y[order].astype(np.int64)}


def reactor_reversed_columns(data_dir: Path) -> dict[str, np.ndarray]:
    """Train on the formula; the validation export's 8 columns in reverse order."""
    x, y = _reactor(1800, seed=1404)
    x_val, y_val = _reactor(400, seed=1405)
    return {"x": x, "y": y, "x_val": x_val[:, ::-1].copy(), "y_val": y_val}


def waveforms_relabelled(data_dir: Path) -> dict[str, np.ndarray]:
    """Waveforms; the validation labels coded by the map c -> c + 2 mod 5."""
    x, y = _waveforms(2000, seed=1406)
    x_val, y_val = _waveforms(500, seed=1407)
    return {"x": x, "y": y, "x_val": x_val, "y_val": (y_val + 2) % WAVE_CLASSES}


def digits_inverted(data_dir: Path) -> dict[str, np.ndarray]:
    """digits; the 400 validation images with inverted ink (16 - pixel value)."""
    x, y = sklearn_classes("digits")
    x, y, x_val, y_val = holdout(x, y, 400, seed=1408)
    return {"x": x, "y": y, "x_val": (16.0 - x_val).astype(np.float32), "y_val": y_val}


def iris_swapped_columns(data_dir: Path) -> dict[str, np.ndarray]:
    """iris; the 30 validation rows with sepal and petal columns swapped."""
    x, y = sklearn_classes("iris")
    x, y, x_val, y_val = holdout(x, y, 30, seed=1409)
    return {"x": x, "y": y, "x_val": x_val[:, [2, 3, 0, 1]].copy(), "y_val": y_val}


def breast_cancer_misaligned(data_dir: Path) -> dict[str, np.ndarray]:
    """breast_cancer; the 150 validation labels rolled 7 rows against their features."""
    x, y = sklearn_classes("breast_cancer")
    x, y, x_val, y_val = holdout(x, y, 150, seed=1410)
    return {"x": x, "y": y, "x_val": x_val, "y_val": np.roll(y_val, 7)}


GENERATORS: dict[str, Callable[[Path], dict[str, np.ndarray]]] = {
    "s14_waveforms.npz": waveforms,
    "s14_reactor.npz": reactor,
    "s14_spirals.npz": spirals,
    "s14_reactor_reversed_columns.npz": reactor_reversed_columns,
    "s14_waveforms_relabelled.npz": waveforms_relabelled,
    "s14_digits_inverted.npz": digits_inverted,
    "s14_iris_swapped_columns.npz": iris_swapped_columns,
    "s14_breast_cancer_misaligned.npz": breast_cancer_misaligned,
}

# The dataset each file is made from (a formula: its task's name), for the summary tables.
NPZ_SOURCE = {
    "s14_waveforms.npz": "s14_waveforms",
    "s14_reactor.npz": "s14_reactor",
    "s14_spirals.npz": "s14_spirals",
    "s14_reactor_reversed_columns.npz": "s14_reactor",
    "s14_waveforms_relabelled.npz": "s14_waveforms",
    "s14_digits_inverted.npz": "digits",
    "s14_iris_swapped_columns.npz": "iris",
    "s14_breast_cancer_misaligned.npz": "breast_cancer",
}
