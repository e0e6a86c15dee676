"""The ninth split's npz files (specs_ninth.py): five new generated tasks and the mismatches.

Every file is generated deterministically (fixed generator seeds, independent of the job's
seed) from a formula or from scikit-learn's bundled sets, and written by
`datasets.write_all` under the names `specs_ninth.py` uses as `dataset.path` (all prefixed
`s9_`). The tasks:

- checker: points of the square [-2, 2]^2, labelled by the colour of a 4 x 4 checkerboard
  (2 classes), with a thin margin left empty along the cell borders so that a flexible model
  can be nearly certain; no linear or tiny model can fit it.
- bumps: noisy 64-step signals holding one to four well-separated bumps on a drifting
  baseline; the class is how many (4 classes, sequences (1, 64) for cnn1d).
- projectile: the horizontal range of a projectile thrown from a height (speed, launch
  angle in degrees and height, plus two features that do not matter), standardised with
  fixed constants; "projectile_field" is the same measurement made in the field, with noise
  of about half the target's spread, on few rows.
- blobs: five overlapping Gaussian classes in ten dimensions (best accuracy about 0.9).
- glyphs: 16 x 16 grey images of one stroke in one of four orientations (4 classes).

A mismatch file holds `x, y` (training) and `x_val, y_val` (validation, used as is since the
specs leave val_fraction unset), the validation export differing from the training one in
one of the ways data pipelines break: the checkerboard's validation points logged by a
digitiser whose origin sits half a cell off, the projectile's validation export written by
another logging tool (speed in km/h, angle in radians), the blobs' validation sensor wired
with reversed polarity, iris's validation export with the petal columns before the sepal
ones, and breast_cancer's validation site (a referral clinic, with more malignant cases)
sending features it had already standardised with its own statistics.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.repair.arrays import holdout, sklearn_classes

# --- checker ------------------------------------------------------------------------------------

_CHECKER_MARGIN = 0.06


def _checker_points(n: int, rng: np.random.Generator) -> np.ndarray:
    """n points of [-2, 2]^2 at least _CHECKER_MARGIN away from every cell border."""
    out: list[np.ndarray] = []
    count = 0
    while count < n:
        p = rng.uniform(-2.0, 2.0, (2 * n, 2))
        frac = p - np.floor(p)
        keep = np.all((frac > _CHECKER_MARGIN) & (frac < 1.0 - _CHECKER_MARGIN), axis=1)
        out.append(p[keep])
        count += int(keep.sum())
    return np.concatenate(out)[:n]


def _checker_colour(p: np.ndarray) -> np.ndarray:
    cells = np.floor(p).astype(np.int64)
    return ((cells[:, 0] + cells[:, 1]) % 2).astype(np.int64)


def checker(data_dir: Path) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(9001)
    p = _checker_points(3000, rng)
    return {"x": p.astype(np.float32), "y": _checker_colour(p)}


def checker_offset(data_dir: Path) -> dict[str, np.ndarray]:
    """Validation points logged with the digitiser's origin half a cell off in x and y."""
    rng = np.random.default_rng(9002)
    p = _checker_points(2000, rng)
    q = _checker_points(600, rng)
    return {"x": p.astype(np.float32), "y": _checker_colour(p),
            "x_val": (q + 0.5).astype(np.float32), "y_val": _checker_colour(q)}


# --- bumps --------------------------------------------------------------------------------------

_BUMPS_LENGTH = 64


def bumps(data_dir: Path) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(9003)
    n = 3000
    t = np.arange(_BUMPS_LENGTH, dtype=np.float64)
    y = rng.integers(0, 4, n).astype(np.int64)
    x = np.empty((n, 1, _BUMPS_LENGTH), np.float32)
    for i in range(n):
        count = int(y[i]) + 1
        while True:  # positions at least 10 steps apart
            centres = np.sort(rng.uniform(5.0, _BUMPS_LENGTH - 5.0, count))
            if count == 1 or np.diff(centres).min() >= 10.0:
                break
        signal = rng.normal(0.0, 0.3) + rng.uniform(-0.01, 0.01) * (t - _BUMPS_LENGTH / 2)
        for c in centres:
            width, height = rng.uniform(1.3, 2.3), rng.uniform(0.9, 1.5)
            signal = signal + height * np.exp(-0.5 * ((t - c) / width) ** 2)
        x[i, 0] = signal + rng.normal(0.0, 0.1, _BUMPS_LENGTH)
    return {"x": x, "y": y}


# --- projectile ---------------------------------------------------------------------------------

_G = 9.81


def _projectile_inputs(n: int, rng: np.random.Generator) -> np.ndarray:
    """speed (m/s), launch angle (degrees), height (m), mass (kg), air temperature (C)."""
    return np.stack([rng.uniform(5.0, 30.0, n), rng.uniform(5.0, 85.0, n),
                     rng.uniform(0.0, 20.0, n), rng.uniform(0.1, 5.0, n),
                     rng.uniform(-10.0, 35.0, n)], axis=1)


def _projectile_range(x: np.ndarray) -> np.ndarray:
    v, angle, h = x[:, 0], np.radians(x[:, 1]), x[:, 2]
    vs = v * np.sin(angle)
    return v * np.cos(angle) / _G * (vs + np.sqrt(vs * vs + 2.0 * _G * h))


# The range's mean and spread over the inputs' box (measured once on 200k draws), so that
# every projectile file uses the same units.
_RANGE_MEAN, _RANGE_STD = 33.9, 23.9


def _projectile(n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = _projectile_inputs(n, rng)
    y = (_projectile_range(x) - _RANGE_MEAN) / _RANGE_STD + rng.normal(0.0, noise, n)
    return x.astype(np.float32), y.astype(np.float32)


def projectile(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = _projectile(2000, 0.03, 9004)
    return {"x": x, "y": y}


def projectile_field(data_dir: Path) -> dict[str, np.ndarray]:
    """Few field measurements, noisy: the noise's std is about half the target's."""
    x, y = _projectile(400, 0.55, 9005)
    return {"x": x, "y": y}


def projectile_units(data_dir: Path) -> dict[str, np.ndarray]:
    """The validation export came from another logging tool: speed in km/h instead of m/s,
    launch angle in radians instead of degrees."""
    x, y = _projectile(2000, 0.03, 9006)
    x_val, y_val = x[1600:].astype(np.float64), y[1600:]
    x_val[:, 0] *= 3.6
    x_val[:, 1] = np.radians(x_val[:, 1])
    x_val = x_val.astype(np.float32)
    return {"x": x[:1600], "y": y[:1600], "x_val": x_val, "y_val": y_val}


# --- blobs --------------------------------------------------------------------------------------


def _blobs(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    centres = np.random.default_rng(9007).normal(0.0, 0.8, (5, 10))  # the same in every file
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 5, n).astype(np.int64)
    x = centres[y] + rng.normal(0.0, 1.0, (n, 10))
    return x.astype(np.float32), y


def blobs(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = _blobs(2500, 9008)
    return {"x": x, "y": y}


def blobs_polarity(data_dir: Path) -> dict[str, np.ndarray]:
    """The validation sensor was wired with reversed polarity: every reading negated."""
    x, y = _blobs(2400, 9009)
    return {"x": x[:1800], "y": y[:1800], "x_val": -x[1800:], "y_val": y[1800:]}


# --- glyphs -------------------------------------------------------------------------------------

_GLYPH_SIDE = 16


def glyphs(data_dir: Path) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(9010)
    n = 2400
    y = rng.integers(0, 4, n).astype(np.int64)
    rows, cols = np.mgrid[0:_GLYPH_SIDE, 0:_GLYPH_SIDE].astype(np.float64)
    angles = np.radians(np.array([0.0, 90.0, 45.0, 135.0]))
    x = np.empty((n, 1, _GLYPH_SIDE, _GLYPH_SIDE), np.uint8)
    for i in range(n):
        a = angles[y[i]] + rng.normal(0.0, 0.08)
        cx, cy = rng.uniform(5.5, 10.5, 2)
        half = rng.uniform(4.0, 6.0)
        dx, dy = np.cos(a), -np.sin(a)
        u = (cols - cx) * dx + (rows - cy) * dy  # along the stroke
        w = -(cols - cx) * dy + (rows - cy) * dx  # across it
        d2 = w * w + np.maximum(np.abs(u) - half, 0.0) ** 2
        img = rng.uniform(0.6, 1.0) * np.exp(-d2 / (2 * 0.7**2))
        img = img + rng.uniform(0.0, 0.15) + rng.normal(0.0, 0.06, img.shape)
        x[i, 0] = np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return {"x": x, "y": y}


# --- mismatches from scikit-learn's sets --------------------------------------------------------


def iris_columns_swapped(data_dir: Path) -> dict[str, np.ndarray]:
    """The validation export lists the petal columns first, then the sepal ones."""
    x, y = sklearn_classes("iris")
    x, y, x_val, y_val = holdout(x, y, 50, 9011)
    return {"x": x, "y": y, "x_val": x_val[:, [2, 3, 0, 1]], "y_val": y_val}


def breast_cancer_prestandardized(data_dir: Path) -> dict[str, np.ndarray]:
    """The validation site, a referral clinic (100 malignant and 70 benign cases), sent
    z-scores standardised with its own mean and std; the training site raw measurements."""
    x, y = sklearn_classes("breast_cancer")
    order = np.random.default_rng(9012).permutation(len(y))
    malignant, benign = order[y[order] == 0], order[y[order] == 1]
    val = np.sort(np.concatenate([malignant[:100], benign[:70]]))
    train = np.sort(np.concatenate([malignant[100:], benign[70:]]))
    x_val = x[val].astype(np.float64)
    z = (x_val - x_val.mean(axis=0)) / x_val.std(axis=0)
    return {"x": x[train], "y": y[train], "x_val": z.astype(np.float32), "y_val": y[val]}


GENERATORS: dict[str, Callable[[Path], dict[str, np.ndarray]]] = {
    "s9_checker.npz": checker,
    "s9_checker_offset.npz": checker_offset,
    "s9_bumps.npz": bumps,
    "s9_projectile.npz": projectile,
    "s9_projectile_field.npz": projectile_field,
    "s9_projectile_units.npz": projectile_units,
    "s9_blobs.npz": blobs,
    "s9_blobs_polarity.npz": blobs_polarity,
    "s9_glyphs.npz": glyphs,
    "s9_iris_columns_swapped.npz": iris_columns_swapped,
    "s9_breast_cancer_prestandardized.npz": breast_cancer_prestandardized,
}

# The task or dataset each file is made from, for the summary tables.
NPZ_SOURCE = {
    "s9_checker.npz": "checker",
    "s9_checker_offset.npz": "checker",
    "s9_bumps.npz": "bumps",
    "s9_projectile.npz": "projectile",
    "s9_projectile_field.npz": "projectile",
    "s9_projectile_units.npz": "projectile",
    "s9_blobs.npz": "blobs",
    "s9_blobs_polarity.npz": "blobs",
    "s9_glyphs.npz": "glyphs",
    "s9_iris_columns_swapped.npz": "iris",
    "s9_breast_cancer_prestandardized.npz": "breast_cancer",
}
