"""The npz files of the fifth split (specs_fifth.py): new tasks and new ways a validation set
goes wrong.

Like the other datasets modules, every file is generated deterministically (fixed generator
seeds, independent of the job's seed) and written by `datasets.write_all` (which registers
these generators next to its own), so the service finds them under FITDOC_DATA_DIR/datasets.
This module imports nothing of the benchmark (datasets.py imports it).

New tasks:
- checker: a 3x3 checkerboard in the plane (2 classes, points kept 0.1 away from the cell
  edges) plus three pure-noise features (tabular, 2400 points);
- pulses: 1x64 sequences holding 1, 2, 3 or 4 Gaussian pulses on a drifting baseline; the
  class is the number of pulses (a counting task, 4 classes);
- glyphs: 1x12x12 grey images of five shapes (plus, cross, square outline, disc, bar),
  light on dark, shifted by up to 2 pixels, with pixel noise (5 classes);
- kiln: a regression of six process readings (temperature in degrees Celsius, humidity,
  pressure, feed rate, fan speed, a noise channel) to a yield with a noise floor (the
  best validation MSE is ~0.04-0.05 of the standardised target's variance);
- six: six Gaussian classes in 10 dimensions (tabular, 6000 points, separable), and a
  wider version with 30% random labels;
- fraud: a binary task with ~3% positives whose region a nonlinear rule marks (tabular,
  12 features, 4000 points; a constant prediction is ~97% right).

Other files: the kiln's yield left in grams (unstandardised targets).

New mismatches, each a way an export breaks: validation temperatures in Fahrenheit and iris
measured in inches (units), the validation file's columns in reverse order, labels encoded
by another class index map (alphabetical instead of order of first appearance),
checkerboard coordinates measured from another origin, glyph images with inverted
polarity, pulse windows cut at another offset from the trigger (covariate shift in time).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

# --- checker ----------------------------------------------------------------------------------


def _checker(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n points uniform in [-3, 3]^2 on a 3x3 checkerboard of cells of side 2 (class = the
    parity of the cell), none within 0.1 of a cell edge, plus three N(0, 1) noise
    features."""
    rng = np.random.default_rng(seed)
    pts = []
    while sum(len(p) for p in pts) < n:
        p = rng.uniform(-3.0, 3.0, (2 * n, 2))
        frac = (p + 3.0) / 2.0 - np.floor((p + 3.0) / 2.0)
        keep = np.all((frac > 0.05) & (frac < 0.95), axis=1)
        pts.append(p[keep])
    p = np.concatenate(pts)[:n]
    cell = np.floor((p + 3.0) / 2.0).astype(np.int64)
    y = (cell[:, 0] + cell[:, 1]) % 2
    x = np.c_[p, rng.normal(0.0, 1.0, (n, 3))]
    return x.astype(np.float32), y.astype(np.int64)


def checker(data_dir: Path) -> dict[str, np.ndarray]:
    """2400 checkerboard points; the spec's val_fraction splits them."""
    x, y = _checker(2400, seed=501)
    return {"x": x, "y": y}


def checker_shifted_origin(data_dir: Path) -> dict[str, np.ndarray]:
    """Checkerboard points to train on; the validation export measured the coordinates from
    another origin, one cell (2 units) further along the first axis, so every point lands on
    a cell of the other colour (and a third of them past the edge of the training board)."""
    x, y = _checker(2000, seed=502)
    x_val, y_val = _checker(500, seed=503)
    x_val = x_val.copy()
    x_val[:, 0] += 2.0
    return {"x": x, "y": y, "x_val": x_val, "y_val": y_val}


# --- pulses -----------------------------------------------------------------------------------

PULSE_LENGTH = 64


def _pulses(n: int, seed: int, offset: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(n, 1, 64) sequences: k = y + 1 Gaussian pulses (width 1.2-2 steps, amplitude 1.5-2.5,
    at least 6 steps apart) at positions in [4 + offset, 34 + offset), on a baseline drifting
    linearly by up to +-0.5, plus noise of std 0.15. offset 0 is the training recordings'
    window (the pulses in its first half)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 4, n)
    t = np.arange(PULSE_LENGTH, dtype=np.float64)
    x = np.empty((n, PULSE_LENGTH))
    for i in range(n):
        k = y[i] + 1
        while True:
            pos = np.sort(rng.uniform(4 + offset, 34 + offset, k))
            if k == 1 or np.diff(pos).min() >= 6:
                break
        width = rng.uniform(1.2, 2.0, k)
        amp = rng.uniform(1.5, 2.5, k)
        sig = (amp[:, None] * np.exp(-0.5 * ((t[None] - pos[:, None]) / width[:, None]) ** 2))
        drift = rng.uniform(-0.5, 0.5) * (t / PULSE_LENGTH - 0.5) + rng.uniform(-0.3, 0.3)
        x[i] = sig.sum(axis=0) + drift + rng.normal(0.0, 0.15, PULSE_LENGTH)
    return x[:, None].astype(np.float32), y.astype(np.int64)


def pulses(data_dir: Path) -> dict[str, np.ndarray]:
    """2400 pulse windows in 4 classes (the pulse count); val_fraction splits them."""
    x, y = _pulses(2400, seed=511)
    return {"x": x, "y": y}


def pulses_late_trigger(data_dir: Path) -> dict[str, np.ndarray]:
    """Pulse windows to train on, cut at the trigger (pulses in steps 4-34); the validation
    windows were cut 26 steps earlier by another acquisition script, so their pulses lie in
    steps 30-60, where no training window has any."""
    x, y = _pulses(2000, seed=512)
    x_val, y_val = _pulses(500, seed=513, offset=26)
    return {"x": x, "y": y, "x_val": x_val, "y_val": y_val}


# --- glyphs -----------------------------------------------------------------------------------

GLYPH = 12


def _glyph_masks() -> np.ndarray:
    """(5, 16, 16) binary templates on a 16x16 canvas, centred: plus, cross, square outline,
    disc, horizontal bar."""
    r, c = np.mgrid[0:16, 0:16].astype(np.float64) - 7.5
    plus = ((np.abs(r) < 1.1) & (np.abs(c) < 4.6)) | ((np.abs(c) < 1.1) & (np.abs(r) < 4.6))
    cross = ((np.abs(r - c) < 1.5) | (np.abs(r + c) < 1.5)) & (np.abs(r) < 4.6) & (np.abs(c) < 4.6)
    square = (np.maximum(np.abs(r), np.abs(c)) < 4.6) & (np.maximum(np.abs(r), np.abs(c)) > 2.9)
    disc = r * r + c * c < 4.2**2
    bar = (np.abs(r) < 1.6) & (np.abs(c) < 4.6)
    return np.stack([plus, cross, square, disc, bar]).astype(np.float64)


def _glyphs(n: int, seed: int, invert: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(n, 1, 12, 12) float images in [0, 1]: a light glyph (0.6-1.0) on a dark background
    (0.0-0.25), shifted by up to 2 pixels each way, pixel noise 0.1. `invert` stores them
    as 1 - image (dark on light), labels unchanged."""
    rng = np.random.default_rng(seed)
    masks = _glyph_masks()
    y = rng.integers(0, len(masks), n)
    img = np.empty((n, GLYPH, GLYPH))
    for i in range(n):
        dr, dc = rng.integers(-2, 3, 2)
        m = masks[y[i]][2 + dr:2 + dr + GLYPH, 2 + dc:2 + dc + GLYPH]
        bg, fg = rng.uniform(0.0, 0.25), rng.uniform(0.6, 1.0)
        img[i] = bg + (fg - bg) * m
    img = np.clip(img + rng.normal(0.0, 0.1, img.shape), 0.0, 1.0)
    if invert:
        img = 1.0 - img
    return img[:, None].astype(np.float32), y.astype(np.int64)


def glyphs(data_dir: Path) -> dict[str, np.ndarray]:
    """2500 glyph images in 5 classes; the spec's val_fraction splits them."""
    x, y = _glyphs(2500, seed=521)
    return {"x": x, "y": y}


def glyphs_inverted(data_dir: Path) -> dict[str, np.ndarray]:
    """Glyph images to train on; the validation images exported with inverted polarity
    (dark glyphs on a light background, as another scanner's setting saves them)."""
    x, y = _glyphs(2000, seed=522)
    x_val, y_val = _glyphs(500, seed=523, invert=True)
    return {"x": x, "y": y, "x_val": x_val, "y_val": y_val}


# --- kiln (regression) ----------------------------------------------------------------------

def _kiln_raw(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Six readings in their own units and the yield before standardisation: temperature
    20-120 C, humidity 10-90 %, pressure 95-105 kPa, feed rate 1-5, fan speed 200-800 rpm,
    a noise channel; yield = a smooth function of the first five plus noise."""
    rng = np.random.default_rng(seed)
    temp = rng.uniform(20.0, 120.0, n)
    hum = rng.uniform(10.0, 90.0, n)
    pres = rng.uniform(95.0, 105.0, n)
    feed = rng.uniform(1.0, 5.0, n)
    fan = rng.uniform(200.0, 800.0, n)
    other = rng.normal(0.0, 1.0, n)
    t = (temp - 70.0) / 50.0
    h = (hum - 50.0) / 40.0
    z = (2.0 * np.sin(2.2 * t) + 1.2 * t * h - 0.8 * h**2 + 0.6 * (pres - 100.0) / 5.0
         + 0.8 * np.tanh(2.0 * (feed - 3.0)) - 0.5 * ((fan - 500.0) / 300.0) ** 2)
    z = z + rng.normal(0.0, 0.38, n)
    x = np.c_[temp, hum, pres, feed, fan, other]
    return x, z


KILN_MEAN, KILN_STD = -0.43, 1.85  # the yield's mean and std over a large sample


def _kiln(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    x, z = _kiln_raw(n, seed)
    return x.astype(np.float32), ((z - KILN_MEAN) / KILN_STD).astype(np.float32)


def kiln(data_dir: Path) -> dict[str, np.ndarray]:
    """2000 kiln records, the yield standardised (noise floor ~0.042 of its variance);
    the spec's val_fraction splits them."""
    x, y = _kiln(2000, seed=531)
    return {"x": x, "y": y}


def kiln_fahrenheit(data_dir: Path) -> dict[str, np.ndarray]:
    """Kiln records; the validation export gives the temperature in Fahrenheit (68-248)
    where the training file has Celsius (20-120)."""
    x, y = _kiln(1600, seed=532)
    x_val, y_val = _kiln(400, seed=533)
    x_val = x_val.copy()
    x_val[:, 0] = x_val[:, 0] * 1.8 + 32.0
    return {"x": x, "y": y, "x_val": x_val, "y_val": y_val}


def kiln_grams(data_dir: Path) -> dict[str, np.ndarray]:
    """Kiln records with the yield left in its raw unit (grams per batch: mean ~2300,
    std ~480) instead of standardised, training and validation alike."""
    x, z = _kiln_raw(2000, seed=536)
    grams = 2400.0 + 260.0 * z
    return {"x": x.astype(np.float32), "y": grams.astype(np.float32)}


# --- six (classification) ---------------------------------------------------------------------

SIX_NAMES = ("oak", "birch", "maple", "ash", "elm", "cedar")  # the classes' names


def _six(n: int, seed: int, spread: float = 1.0,
         label_noise: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """n points of six Gaussian classes in 10 dimensions: centres fixed (seed 541) at
    distance 5 from the origin, unit variance times `spread`; `label_noise` of the labels
    replaced by a uniformly drawn class."""
    centres = np.random.default_rng(541).normal(0.0, 1.0, (6, 10))
    centres *= 5.0 / np.linalg.norm(centres, axis=1, keepdims=True)
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 6, n)
    x = centres[y] + spread * rng.normal(0.0, 1.0, (n, 10))
    if label_noise:
        flip = rng.uniform(size=n) < label_noise
        y = np.where(flip, rng.integers(0, 6, n), y)
    return x.astype(np.float32), y.astype(np.int64)


def six(data_dir: Path) -> dict[str, np.ndarray]:
    """6000 points of six separable classes; val_fraction splits them."""
    x, y = _six(6000, seed=542)
    return {"x": x, "y": y}


def six_alphabetical_labels(data_dir: Path) -> dict[str, np.ndarray]:
    """Six classes; the training labels index the class names in order of first appearance
    in the log (oak 0, birch 1, ...), the validation export's labels index them in
    alphabetical order (ash 0, birch 1, cedar 2, elm 3, maple 4, oak 5)."""
    x, y = _six(3000, seed=543)
    x_val, y_val = _six(600, seed=544)
    alpha = sorted(SIX_NAMES)
    remap = np.array([alpha.index(name) for name in SIX_NAMES])
    return {"x": x, "y": y, "x_val": x_val, "y_val": remap[y_val]}


def six_reversed_columns(data_dir: Path) -> dict[str, np.ndarray]:
    """Six classes; the validation file holds the ten feature columns in reverse order."""
    x, y = _six(3000, seed=545)
    x_val, y_val = _six(600, seed=546)
    return {"x": x, "y": y, "x_val": x_val[:, ::-1].copy(), "y_val": y_val}


def six_noisy(data_dir: Path) -> dict[str, np.ndarray]:
    """Six classes, wider (spread 1.6), 30% of the labels random, in training and
    validation alike: 600 points (val_fraction splits them)."""
    x, y = _six(800, seed=547, spread=1.6, label_noise=0.3)
    return {"x": x, "y": y}


# --- fraud (imbalanced binary) ----------------------------------------------------------------


def fraud(data_dir: Path) -> dict[str, np.ndarray]:
    """4000 transactions of 12 features; the positives (~3%) are those whose amount (x0) and
    hour (x1) both lie far out on the same side (x0 * x1 > 2.2) or whose x2 exceeds 2.1, a
    nonlinear rule with a margin (rows within 0.2 of it dropped)."""
    rng = np.random.default_rng(551)
    x = rng.normal(0.0, 1.0, (9000, 12))
    score = np.maximum(x[:, 0] * x[:, 1] - 2.2, x[:, 2] - 2.1)
    keep = np.abs(score) > 0.2
    x, score = x[keep][:4000], score[keep][:4000]
    y = (score > 0).astype(np.int64)
    return {"x": x.astype(np.float32), "y": y}


# --- iris in inches ---------------------------------------------------------------------------


def iris_inches(data_dir: Path) -> dict[str, np.ndarray]:
    """iris; the validation flowers measured in inches where the training ones are in cm."""
    import sklearn.datasets

    bunch = sklearn.datasets.load_iris()
    x, y = bunch.data.astype(np.float32), bunch.target.astype(np.int64)
    order = np.random.default_rng(571).permutation(len(x))
    tr, va = order[40:], order[:40]
    return {"x": x[tr], "y": y[tr], "x_val": (x[va] / 2.54).astype(np.float32), "y_val": y[va]}


GENERATORS: dict[str, Callable[[Path], dict[str, np.ndarray]]] = {
    "fifth_checker.npz": checker,
    "fifth_checker_shifted_origin.npz": checker_shifted_origin,
    "fifth_pulses.npz": pulses,
    "fifth_pulses_late_trigger.npz": pulses_late_trigger,
    "fifth_glyphs.npz": glyphs,
    "fifth_glyphs_inverted.npz": glyphs_inverted,
    "fifth_kiln.npz": kiln,
    "fifth_kiln_fahrenheit.npz": kiln_fahrenheit,
    "fifth_kiln_grams.npz": kiln_grams,
    "fifth_six.npz": six,
    "fifth_six_alphabetical_labels.npz": six_alphabetical_labels,
    "fifth_six_reversed_columns.npz": six_reversed_columns,
    "fifth_six_noisy.npz": six_noisy,
    "fifth_fraud.npz": fraud,
    "fifth_iris_inches.npz": iris_inches,
}

# The dataset each file is made from, for the summary tables (new tasks by their own name).
NPZ_SOURCE = {
    "fifth_checker.npz": "checker",
    "fifth_checker_shifted_origin.npz": "checker",
    "fifth_pulses.npz": "pulses",
    "fifth_pulses_late_trigger.npz": "pulses",
    "fifth_glyphs.npz": "glyphs",
    "fifth_glyphs_inverted.npz": "glyphs",
    "fifth_kiln.npz": "kiln",
    "fifth_kiln_fahrenheit.npz": "kiln",
    "fifth_kiln_grams.npz": "kiln",
    "fifth_six.npz": "six",
    "fifth_six_alphabetical_labels.npz": "six",
    "fifth_six_reversed_columns.npz": "six",
    "fifth_six_noisy.npz": "six",
    "fifth_fraud.npz": "fraud",
    "fifth_iris_inches.npz": "iris",
}
