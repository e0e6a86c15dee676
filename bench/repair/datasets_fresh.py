"""The npz files of the fresh split (specs_fresh.py): new tasks and new ways a validation set
goes wrong.

Like datasets.py, every file is generated deterministically (fixed generator seeds,
independent of the job's seed) and written by `datasets.write_all` (which registers these
generators next to its own), so the service finds them under FITDOC_DATA_DIR/datasets.
This module imports nothing of the benchmark at import time (datasets.py imports it).

New tasks: two interleaved half-moons and three interleaved spirals (2-D tabular), short
noisy sine waves classified by frequency (sequences for cnn1d), a smooth regression target
of six features, scikit-learn's diabetes regression, digits as 1x8x8 images (for cnn and
resnet18), and digits / mnist1d with a share of their labels replaced at random (label
noise in training and validation alike).

New mismatches, each a way an export breaks: a validation set filtered to classes the
training set never holds, validation labels joined one row off, recordings sampled at
twice the rate, regression targets exported before standardisation, and a coordinate frame
rotated by 180 degrees.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np


def _sklearn(name: str) -> tuple[np.ndarray, np.ndarray]:
    import sklearn.datasets

    bunch = getattr(sklearn.datasets, f"load_{name}")()
    return bunch.data.astype(np.float32), bunch.target


def _shuffle(seed: int, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    order = np.random.default_rng(seed).permutation(len(arrays[0]))
    return tuple(a[order] for a in arrays)


# --- new tasks --------------------------------------------------------------------------


def _moons(n: int, seed: int, noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    t = rng.uniform(0.0, np.pi, n)
    x = np.where(y[:, None] == 0, np.c_[np.cos(t), np.sin(t)],
                 np.c_[1.0 - np.cos(t), 0.5 - np.sin(t)])
    x = x + rng.normal(0.0, noise, x.shape)
    return x.astype(np.float32), y.astype(np.int64)


def moons(data_dir: Path) -> dict[str, np.ndarray]:
    """1500 points of two interleaved half-moons (noise 0.1); the spec's val_fraction
    splits them."""
    x, y = _moons(1500, seed=101)
    return {"x": x, "y": y}


def moons_rotated(data_dir: Path) -> dict[str, np.ndarray]:
    """Moons to train on; the validation points exported in a frame rotated by 180 degrees
    about the data's centre (a sign convention of both axes flipped)."""
    x, y = _moons(1200, seed=102)
    x_val, y_val = _moons(300, seed=103)
    centre = np.array([0.5, 0.25], np.float32)
    return {"x": x, "y": y, "x_val": (2 * centre - x_val).astype(np.float32), "y_val": y_val}


def spirals(data_dir: Path) -> dict[str, np.ndarray]:
    """1800 points on three interleaved spiral arms (1.5 turns each, noise 0.03 of the
    radius scale)."""
    rng = np.random.default_rng(111)
    n, arms = 1800, 3
    y = rng.integers(0, arms, n)
    r = rng.uniform(0.1, 1.0, n)
    angle = 3.0 * np.pi * r + 2.0 * np.pi * y / arms
    x = np.c_[r * np.cos(angle), r * np.sin(angle)] + rng.normal(0.0, 0.03, (n, 2))
    return {"x": x.astype(np.float32), "y": y.astype(np.int64)}


SINE_LENGTH = 64
SINE_CYCLES = (2.0, 3.0, 4.0, 5.0)  # cycles per window, one class each


def _sines(n: int, seed: int, rate: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """(n, 1, 64) noisy sine windows whose class is the frequency (2-5 cycles a window),
    with random phase, amplitude, offset and a slow drift. `rate` > 1 samples the same
    signals `rate` times faster, so a window holds 1/rate of the cycles."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, len(SINE_CYCLES), n)
    t = np.arange(SINE_LENGTH, dtype=np.float64) / SINE_LENGTH / rate
    cycles = np.asarray(SINE_CYCLES)[y][:, None]
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    amp = rng.uniform(0.5, 1.5, (n, 1))
    x = (amp * np.sin(2 * np.pi * cycles * t + phase) + rng.normal(0, 0.3, (n, 1))
         + rng.normal(0, 0.5, (n, 1)) * t * rate + rng.normal(0, 0.35, (n, SINE_LENGTH)))
    return x[:, None, :].astype(np.float32), y.astype(np.int64)


def sines(data_dir: Path) -> dict[str, np.ndarray]:
    """3000 sine windows in 4 frequency classes; the spec's val_fraction splits them."""
    x, y = _sines(3000, seed=121)
    return {"x": x, "y": y}


def sines_resampled(data_dir: Path) -> dict[str, np.ndarray]:
    """2400 sine windows to train on; the 600 validation windows recorded at twice the
    sampling rate (a window spans half the time, so it holds half the cycles)."""
    x, y = _sines(2400, seed=122)
    x_val, y_val = _sines(600, seed=123, rate=2.0)
    return {"x": x, "y": y, "x_val": x_val, "y_val": y_val}


def _waves_arrays(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, (n, 6)).astype(np.float32)
    y = (np.sin(2.5 * x[:, 0]) + x[:, 1] * x[:, 2] + 0.5 * np.cos(3.0 * x[:, 3])
         + 0.3 * x[:, 4] + rng.normal(0.0, 0.05, n))
    # standardised once with fixed constants (the function's mean ~0.05, std ~0.92)
    return x, ((y - 0.05) / 0.92).astype(np.float32)


def waves(data_dir: Path) -> dict[str, np.ndarray]:
    """2000 samples of a smooth function of 5 of 6 features (sine, product, cosine, linear
    term; the sixth is noise), targets of variance ~1, noise floor ~0.003."""
    x, y = _waves_arrays(2000, seed=131)
    return {"x": x, "y": y}


def waves_raw_units(data_dir: Path) -> dict[str, np.ndarray]:
    """The waves regression; the validation targets exported before standardisation, in
    the raw unit of a quantity with mean 50 and standard deviation 20."""
    x, y = _waves_arrays(1600, seed=132)
    x_val, y_val = _waves_arrays(400, seed=133)
    return {"x": x, "y": y, "x_val": x_val, "y_val": (50.0 + 20.0 * y_val).astype(np.float32)}


def diabetes(data_dir: Path) -> dict[str, np.ndarray]:
    """scikit-learn's diabetes progression (442 patients, 10 features), the target
    standardised with fixed constants (mean 152, std 77): a noisy task whose best MSE is
    ~0.5."""
    x, y = _sklearn("diabetes")
    x, y = _shuffle(141, x, ((y - 152.0) / 77.0).astype(np.float32))
    return {"x": x, "y": y}


def digits_images(data_dir: Path) -> dict[str, np.ndarray]:
    """digits as (N, 1, 8, 8) float images (0-16), for the image architectures."""
    x, y = _sklearn("digits")
    x, y = _shuffle(151, x.reshape(-1, 1, 8, 8), y.astype(np.int64))
    return {"x": x, "y": y}


def _noisy(y: np.ndarray, classes: int, share: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    flip = rng.random(len(y)) < share
    out = y.copy()
    out[flip] = rng.integers(0, classes, flip.sum())
    return out


def digits_noisy_labels(data_dir: Path) -> dict[str, np.ndarray]:
    """digits with 40% of the labels (training and validation alike) replaced by a random
    class: annotators who guess."""
    x, y = _sklearn("digits")
    x, y = _shuffle(161, x, y.astype(np.int64))
    return {"x": x, "y": _noisy(y, 10, 0.4, seed=162)}


def mnist1d_noisy_labels(data_dir: Path) -> dict[str, np.ndarray]:
    """mnist1d's 4000 training and 1000 test sequences, 35% of both label sets replaced by
    a random class."""
    from workers.training.config import DatasetConfig
    from workers.training.data import load_mnist1d

    a = load_mnist1d(DatasetConfig(name="mnist1d"), data_dir)
    return {"x": a.x, "y": _noisy(a.y, 10, 0.35, seed=171),
            "x_val": a.x_val, "y_val": _noisy(a.y_val, 10, 0.35, seed=172)}


# --- new mismatches -----------------------------------------------------------------------


def digits_unseen_classes(data_dir: Path) -> dict[str, np.ndarray]:
    """digits 0-5 to train on; the validation export holds only digits 6-9 (a split made
    on sorted labels)."""
    x, y = _sklearn("digits")
    y = y.astype(np.int64)
    x, y = _shuffle(181, x, y)
    seen = y <= 5
    return {"x": x[seen], "y": y[seen], "x_val": x[~seen][:400], "y_val": y[~seen][:400]}


def breast_cancer_off_by_one(data_dir: Path) -> dict[str, np.ndarray]:
    """breast_cancer; the validation labels joined to their rows one row off (each row
    gets its neighbour's label)."""
    x, y = _sklearn("breast_cancer")
    x, y = _shuffle(191, x, y.astype(np.int64))
    x_val, y_val = x[:150], np.roll(y[:150], 1)
    return {"x": x[150:], "y": y[150:], "x_val": x_val, "y_val": y_val}


GENERATORS: dict[str, Callable[[Path], dict[str, np.ndarray]]] = {
    "fresh_moons.npz": moons,
    "fresh_moons_rotated.npz": moons_rotated,
    "fresh_spirals.npz": spirals,
    "fresh_sines.npz": sines,
    "fresh_sines_resampled.npz": sines_resampled,
    "fresh_waves.npz": waves,
    "fresh_waves_raw_units.npz": waves_raw_units,
    "fresh_diabetes.npz": diabetes,
    "fresh_digits_images.npz": digits_images,
    "fresh_digits_noisy_labels.npz": digits_noisy_labels,
    "fresh_mnist1d_noisy_labels.npz": mnist1d_noisy_labels,
    "fresh_digits_unseen_classes.npz": digits_unseen_classes,
    "fresh_breast_cancer_off_by_one.npz": breast_cancer_off_by_one,
}

# The dataset each file is made from, for the summary tables (new tasks by their own name).
NPZ_SOURCE = {
    "fresh_moons.npz": "moons",
    "fresh_moons_rotated.npz": "moons",
    "fresh_spirals.npz": "spirals",
    "fresh_sines.npz": "sines",
    "fresh_sines_resampled.npz": "sines",
    "fresh_waves.npz": "waves",
    "fresh_waves_raw_units.npz": "waves",
    "fresh_diabetes.npz": "diabetes",
    "fresh_digits_images.npz": "digits",
    "fresh_digits_noisy_labels.npz": "digits",
    "fresh_mnist1d_noisy_labels.npz": "mnist1d",
    "fresh_digits_unseen_classes.npz": "digits",
    "fresh_breast_cancer_off_by_one.npz": "breast_cancer",
}
