"""The nineteenth split's own npz files (specs_nineteenth.py), written apart from the others.

Every file is generated locally and deterministically with numpy (fixed generator seeds,
independent of a job's seed), from a formula or from scikit-learn's bundled sets, and
written by datasets.write_all under the names below. Names start with `s19_`.

Tasks of their own:
- `s19_tides.npz`: 2000 noisy gauge records (N, 1, 64) of four regimes: a steady tone, a
  rising chirp (frequency 2 -> 8 cycles per record), a falling chirp (8 -> 2) and a
  pulsing tone (amplitude-modulated), each at a random phase, amplitude, frequency and
  offset: a sequence classification whose classes differ in how the local frequency or
  envelope moves along the record.
- `s19_kiln.npz`: 2400 samples of 6 kiln settings (uniform on [-1, 1]) and a smooth
  yield: a saturating interaction of the first two, a square, a sine and a linear part
  (about 40% of the variance), plus a little noise, standardised once with fixed
  constants (the formula's mean and std over a large sample): a tabular regression.
- `s19_shells.npz`: three nested spherical shells in 3 dimensions (radius bands 0.3-1.0,
  1.4-2.0, 2.4-3.0, with empty gaps between them) plus 2 noise features, 1800 samples, 600
  per class: a linear model cannot separate them, a small MLP can.

Train/validation mismatches (x, y train; x_val, y_val validate, used as is because the
specs leave val_fraction unset), each a way a pipeline breaks:
- `s19_kiln_sign_flipped.npz`: the validation export writes the yield with the opposite
  sign convention (loss instead of gain).
- `s19_tides_alphabetical.npz`: the validation labels were coded by the regimes'
  alphabetical order (falling, pulsing, rising, steady) while training used
  (steady, rising, falling, pulsing): no class keeps its index.
- `s19_digits_complement.npz`: the validation labels were written as 9 - digit (a
  "nines' complement" field mistaken for the digit).
- `s19_breast_cancer_rejoined.npz`: the validation labels were joined on a re-issued
  patient id, so each row carries another (random, fixed) patient's diagnosis.
- `s19_shells_drifted.npz`: the validation sensor's zero drifted by +2.5 on the three
  informative channels, so every validation point sits far from the origin.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.repair.arrays import holdout, sklearn_classes

TIDE_LENGTH = 64
KILN_NOISE = 0.05


def _tides(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(TIDE_LENGTH) / TIDE_LENGTH
    y = np.repeat(np.arange(4), n // 4)
    rng.shuffle(y)
    x = np.empty((n, 1, TIDE_LENGTH), dtype=np.float64)
    for i, c in enumerate(y):
        phase = rng.uniform(0, 2 * np.pi)
        amp = rng.uniform(0.6, 1.4)
        if c == 0:  # steady tone
            f = rng.uniform(3.0, 7.0)
            s = np.sin(2 * np.pi * f * t + phase)
        elif c in (1, 2):  # chirps: instantaneous frequency f0 + (f1 - f0) t
            lo, hi = rng.uniform(1.5, 2.5), rng.uniform(7.5, 8.5)
            f0, f1 = (lo, hi) if c == 1 else (hi, lo)
            s = np.sin(2 * np.pi * (f0 * t + 0.5 * (f1 - f0) * t * t) + phase)
        else:  # pulsing: a tone under a slow envelope
            f = rng.uniform(4.0, 7.0)
            fm = rng.uniform(1.0, 2.0)
            env = 0.55 + 0.45 * np.sin(2 * np.pi * fm * t + rng.uniform(0, 2 * np.pi))
            s = env * np.sin(2 * np.pi * f * t + phase)
        x[i, 0] = amp * s + rng.uniform(-0.5, 0.5) + 0.12 * rng.standard_normal(TIDE_LENGTH)
    return x.astype(np.float32), y.astype(np.int64)


def _kiln_raw(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float64)
    return (1.6 * np.tanh(2.0 * x[:, 0] * x[:, 1]) + 1.2 * x[:, 2] ** 2
            - 0.6 * np.sin(3.0 * x[:, 5]) + 1.1 * x[:, 3] + 0.8 * x[:, 4])


def _kiln_scale() -> tuple[float, float]:
    """The formula's mean and std over 200k fixed samples (noise-free)."""
    big = np.random.default_rng(1901).uniform(-1, 1, size=(200_000, 6))
    y = _kiln_raw(big)
    return float(y.mean()), float(y.std())


def kiln_target(x: np.ndarray) -> np.ndarray:
    """The standardised noise-free yield of inputs x."""
    mean, std = _kiln_scale()
    return (_kiln_raw(x) - mean) / std


def _kiln(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n, 6))
    y = kiln_target(x) + KILN_NOISE * rng.standard_normal(n)
    return x.astype(np.float32), y.astype(np.float32)


SHELL_BANDS = ((0.3, 1.0), (1.4, 2.0), (2.4, 3.0))


def _shells(per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for c, (lo, hi) in enumerate(SHELL_BANDS):
        d = rng.standard_normal((per_class, 3))
        d /= np.linalg.norm(d, axis=1, keepdims=True)
        r = rng.uniform(lo, hi, size=(per_class, 1))
        xs.append(np.c_[d * r, rng.standard_normal((per_class, 2))])
        ys.append(np.full(per_class, c))
    x, y = np.concatenate(xs), np.concatenate(ys)
    order = rng.permutation(len(x))
    return x[order].astype(np.float32), y[order].astype(np.int64)


# --- tasks ----------------------------------------------------------------------------------


def tides(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = _tides(2000, seed=1911)
    return {"x": x, "y": y}


def kiln(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = _kiln(2400, seed=1912)
    return {"x": x, "y": y}


def shells(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = _shells(600, seed=1913)
    return {"x": x, "y": y}


# --- mismatches -----------------------------------------------------------------------------

# steady, rising, falling, pulsing -> their ranks in alphabetical order
ALPHABETICAL = np.array([3, 2, 0, 1])


def kiln_sign_flipped(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = _kiln(2000, seed=1921)
    return {"x": x[:1600], "y": y[:1600], "x_val": x[1600:], "y_val": -y[1600:]}


def tides_alphabetical(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = _tides(2000, seed=1922)
    return {"x": x[:1600], "y": y[:1600], "x_val": x[1600:], "y_val": ALPHABETICAL[y[1600:]]}


def digits_complement(data_dir: Path) -> dict[str, np.ndarray]:
    x, y, x_val, y_val = holdout(*sklearn_classes("digits"), 400, seed=1923)
    return {"x": x, "y": y, "x_val": x_val, "y_val": 9 - y_val}


def breast_cancer_rejoined(data_dir: Path) -> dict[str, np.ndarray]:
    x, y, x_val, y_val = holdout(*sklearn_classes("breast_cancer"), 150, seed=1924)
    other = np.random.default_rng(1925).permutation(len(y_val))
    return {"x": x, "y": y, "x_val": x_val, "y_val": y_val[other]}


def shells_drifted(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = _shells(500, seed=1926)
    x_val = x[1200:].copy()
    x_val[:, :3] += 2.5
    return {"x": x[:1200], "y": y[:1200], "x_val": x_val, "y_val": y[1200:]}


GENERATORS: dict[str, Callable[[Path], dict[str, np.ndarray]]] = {
    "s19_tides.npz": tides,
    "s19_kiln.npz": kiln,
    "s19_shells.npz": shells,
    "s19_kiln_sign_flipped.npz": kiln_sign_flipped,
    "s19_tides_alphabetical.npz": tides_alphabetical,
    "s19_digits_complement.npz": digits_complement,
    "s19_breast_cancer_rejoined.npz": breast_cancer_rejoined,
    "s19_shells_drifted.npz": shells_drifted,
}

# The dataset each file is made from (a task of its own: its name), for the summary tables.
NPZ_SOURCE = {
    "s19_tides.npz": "tides",
    "s19_kiln.npz": "kiln",
    "s19_shells.npz": "shells",
    "s19_kiln_sign_flipped.npz": "kiln",
    "s19_tides_alphabetical.npz": "tides",
    "s19_digits_complement.npz": "digits",
    "s19_breast_cancer_rejoined.npz": "breast_cancer",
    "s19_shells_drifted.npz": "shells",
}
