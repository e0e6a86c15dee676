"""The npz files of the fourth split (specs_fourth.py): new tasks and new ways a validation set
goes wrong.

Like datasets.py and datasets_fresh.py, every file is generated deterministically (fixed
generator seeds, independent of the job's seed) and written by `datasets.write_all` (which
registers these generators next to its own), so the service finds them under
FITDOC_DATA_DIR/datasets. This module imports nothing of the benchmark (datasets.py imports
it).

New tasks:
- rings: three concentric rings in the plane plus two pure-noise features (tabular, 3
  classes, 1500 points);
- hypercube: scikit-learn's make_classification, 4 classes of 2 Gaussian clusters each on
  the vertices of a 6-dimensional hypercube of side 6, 6 redundant and 18 noise features
  (tabular, 30 features, 2400 points);
- skewed: five Gaussian classes in 8 dimensions with shares 70/15/8/5/2% (class imbalance:
  a constant prediction is 70% right);
- sensors: 4-channel sequences of length 48 where one channel carries a burst (a sine or a
  square wave) and the others noise; the class is (channel, wave shape), 8 classes;
- stripes: 1x16x16 grey images of stripes at one of four orientations (horizontal,
  vertical, two diagonals), random period, phase, contrast and noise;
- twin: a two-output regression (targets (N, 2)) of 8 features;
- heavy: a linear regression whose features are heavy-tailed (Student t with 1.5 degrees of
  freedom): after standardisation a few rows lie 10-40 standard deviations out;
- collinear: a linear regression on three pairs of nearly identical features whose target
  depends on the pairs' tiny differences (an ill-conditioned least-squares problem).

New mismatches, each a way an export breaks: images saved rotated by 90 degrees, sensor
channels stored in reverse order, the two target columns of a two-output regression swapped,
a V-shaped response trained on one arm and validated on the other (extrapolation),
and coordinates exported in another unit (every one doubled).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np


def _shuffle(seed: int, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    order = np.random.default_rng(seed).permutation(len(arrays[0]))
    return tuple(a[order] for a in arrays)


# --- new tasks --------------------------------------------------------------------------


def _rings(n: int, seed: int, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """n points on three concentric rings (radius 1, 2, 3; radial noise 0.12) with a
    uniform angle, plus two N(0, 1) noise features; `scale` multiplies the coordinates."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    r = 1.0 + y + rng.normal(0.0, 0.12, n)
    angle = rng.uniform(0.0, 2 * np.pi, n)
    x = np.c_[scale * r * np.cos(angle), scale * r * np.sin(angle), rng.normal(0.0, 1.0, (n, 2))]
    return x.astype(np.float32), y.astype(np.int64)


def rings(data_dir: Path) -> dict[str, np.ndarray]:
    """1500 points on three concentric rings; the spec's val_fraction splits them."""
    x, y = _rings(1500, seed=401)
    return {"x": x, "y": y}


def rings_doubled(data_dir: Path) -> dict[str, np.ndarray]:
    """Rings to train on; the validation export's two coordinates in another unit (every
    coordinate doubled: a ring of radius 1 lies where the training set's ring 2 is)."""
    x, y = _rings(1200, seed=402)
    x_val, y_val = _rings(300, seed=403, scale=2.0)
    return {"x": x, "y": y, "x_val": x_val, "y_val": y_val}


def hypercube(data_dir: Path) -> dict[str, np.ndarray]:
    """make_classification: 2400 samples, 30 features (6 informative, 6 redundant, 18
    noise), 4 classes of 2 clusters each, class separation 3, no label noise."""
    from sklearn.datasets import make_classification

    x, y = make_classification(n_samples=2400, n_features=30, n_informative=6,
                               n_redundant=6, n_classes=4, n_clusters_per_class=2,
                               class_sep=3.0, flip_y=0.0, random_state=411)
    return {"x": x.astype(np.float32), "y": y.astype(np.int64)}


SKEWED_SHARES = (0.70, 0.15, 0.08, 0.05, 0.02)


def skewed(data_dir: Path) -> dict[str, np.ndarray]:
    """3000 points of five Gaussian classes in 8 dimensions (unit variance, centres at
    distance 4.5 from the origin in random directions) with shares 70/15/8/5/2%."""
    rng = np.random.default_rng(421)
    n = 3000
    y = rng.choice(len(SKEWED_SHARES), size=n, p=SKEWED_SHARES)
    centres = rng.normal(0.0, 1.0, (len(SKEWED_SHARES), 8))
    centres *= 4.5 / np.linalg.norm(centres, axis=1, keepdims=True)
    x = centres[y] + rng.normal(0.0, 1.0, (n, 8))
    return {"x": x.astype(np.float32), "y": y.astype(np.int64)}


SENSOR_CHANNELS, SENSOR_LENGTH = 4, 48


def _sensors(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(n, 4, 48) sequences: noise on every channel (std 0.3) and, on channel y // 2, a burst
    of 16-32 steps at a random place, a sine (y even) or a square wave (y odd) of 3-6 steps
    per half-period and amplitude 1.5-2.5."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2 * SENSOR_CHANNELS, n)
    x = rng.normal(0.0, 0.3, (n, SENSOR_CHANNELS, SENSOR_LENGTH))
    t = np.arange(SENSOR_LENGTH, dtype=np.float64)
    for i in range(n):
        span = rng.integers(16, 33)
        start = rng.integers(0, SENSOR_LENGTH - span + 1)
        half = rng.uniform(3.0, 6.0)
        phase = rng.uniform(0.0, 2 * np.pi)
        wave = np.sin(np.pi * t / half + phase)
        if y[i] % 2:
            wave = np.sign(wave)
        window = (t >= start) & (t < start + span)
        x[i, y[i] // 2] += rng.uniform(1.5, 2.5) * wave * window
    return x.astype(np.float32), y.astype(np.int64)


def sensors(data_dir: Path) -> dict[str, np.ndarray]:
    """2400 4-channel sensor windows in 8 classes; the spec's val_fraction splits them."""
    x, y = _sensors(2400, seed=431)
    return {"x": x, "y": y}


def sensors_reversed_channels(data_dir: Path) -> dict[str, np.ndarray]:
    """Sensor windows to train on; the validation file stores the four channels in reverse
    order (another device's channel map), so the burst sits on the mirrored channel."""
    x, y = _sensors(2000, seed=432)
    x_val, y_val = _sensors(500, seed=433)
    return {"x": x, "y": y, "x_val": x_val[:, ::-1].copy(), "y_val": y_val}


STRIPE_SIZE = 16


def _stripes(n: int, seed: int, rotate: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(n, 1, 16, 16) float images in [0, 1]: stripes horizontal (class 0), vertical (1),
    diagonal / (2) or diagonal \\ (3), period 3-7 pixels, random phase and contrast, pixel
    noise 0.15. `rotate` turns every image by 90 degrees (horizontal <-> vertical,
    / <-> \\) without changing its label."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 4, n)
    rows, cols = np.mgrid[0:STRIPE_SIZE, 0:STRIPE_SIZE].astype(np.float64)
    coord = np.stack([rows, cols, rows + cols, rows - cols])  # one per class
    period = rng.uniform(3.0, 7.0, (n, 1, 1))
    phase = rng.uniform(0.0, 2 * np.pi, (n, 1, 1))
    contrast = rng.uniform(0.25, 0.5, (n, 1, 1))
    mean = rng.uniform(0.3, 0.7, (n, 1, 1))
    scale = np.where(y >= 2, 1 / np.sqrt(2), 1.0)[:, None, None]  # same period across
    img = mean + contrast * np.sin(2 * np.pi * coord[y] * scale / period + phase)
    img = img + rng.normal(0.0, 0.15, img.shape)
    if rotate:
        img = np.rot90(img, k=1, axes=(1, 2))
    return np.clip(img, 0.0, 1.0)[:, None].astype(np.float32), y.astype(np.int64)


def stripes(data_dir: Path) -> dict[str, np.ndarray]:
    """2000 stripe images in 4 orientation classes; the spec's val_fraction splits them."""
    x, y = _stripes(2000, seed=441)
    return {"x": x, "y": y}


def stripes_rotated(data_dir: Path) -> dict[str, np.ndarray]:
    """Stripe images to train on; the validation images saved rotated by 90 degrees (a
    camera mounted sideways): every orientation becomes another class's."""
    x, y = _stripes(1600, seed=442)
    x_val, y_val = _stripes(400, seed=443, rotate=True)
    return {"x": x, "y": y, "x_val": x_val, "y_val": y_val}


def _twin(n: int, seed: int, noise: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """8 features uniform in [-1, 1]; two targets, each of variance ~1 (plus the noise's):
    a = sin(2 x0) + x1 x2 + noise, b = cos(2 x3) x4 + x5^2 - x6 + noise (x7 unused)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, (n, 8))
    a = np.sin(2.0 * x[:, 0]) + x[:, 1] * x[:, 2] + rng.normal(0.0, noise, n)
    b = np.cos(2.0 * x[:, 3]) * x[:, 4] + x[:, 5] ** 2 - x[:, 6] + rng.normal(0.0, noise, n)
    y = np.c_[a, b]
    # standardised with fixed constants (each column's mean and std over a large sample)
    y = (y - np.array([0.0, 0.333])) / np.array([0.84, 0.75])
    return x.astype(np.float32), y.astype(np.float32)


def twin(data_dir: Path) -> dict[str, np.ndarray]:
    """2000 samples of the two-output regression; the spec's val_fraction splits them."""
    x, y = _twin(2000, seed=451)
    return {"x": x, "y": y}


def twin_swapped_targets(data_dir: Path) -> dict[str, np.ndarray]:
    """The two-output regression; the validation export holds the two target columns in
    the other order."""
    x, y = _twin(1600, seed=452)
    x_val, y_val = _twin(400, seed=453)
    return {"x": x, "y": y, "x_val": x_val, "y_val": y_val[:, ::-1].copy()}


def v_shape_extrapolation(data_dir: Path) -> dict[str, np.ndarray]:
    """A V-shaped response y = 3|x0| - 1.5 + 0.3 x1 + noise of 4 features uniform in
    [-1, 1]: trained on x0 < 0 (one arm) and validated on x0 > 0 (the other arm), as when
    the validation set comes from a range of conditions the training set never saw."""
    rng = np.random.default_rng(461)
    x = rng.uniform(-1.0, 1.0, (2400, 4))
    y = 3.0 * np.abs(x[:, 0]) - 1.5 + 0.3 * x[:, 1] + rng.normal(0.0, 0.1, len(x))
    left = x[:, 0] < 0
    x, y = x.astype(np.float32), y.astype(np.float32)
    return {"x": x[left], "y": y[left], "x_val": x[~left][:400], "y_val": y[~left][:400]}


def heavy(data_dir: Path) -> dict[str, np.ndarray]:
    """1500 samples, 10 features drawn from a Student t with 1.5 degrees of freedom (heavy
    tails, infinite variance), a linear target of 5 of them plus noise, the target
    standardised: after the loader's standardisation a handful of rows lie tens of standard
    deviations out."""
    rng = np.random.default_rng(471)
    x = rng.standard_t(1.5, (1500, 10))
    w = np.array([1.0, -0.8, 0.6, 0.5, -0.4, 0, 0, 0, 0, 0])
    z = np.clip(x, -3, 3) @ w  # the response saturates where the feature is extreme
    y = z + rng.normal(0.0, 0.3, len(x))
    y = (y - y.mean()) / y.std()
    return {"x": x.astype(np.float32), "y": y.astype(np.float32)}


def collinear(data_dir: Path) -> dict[str, np.ndarray]:
    """2000 samples of 6 features in three nearly identical pairs (each pair is one signal
    plus 1% independent jitter) and a linear target of which a quarter of the variance
    comes from the pairs' small differences: a least-squares problem a linear model fits
    exactly but whose Hessian has eigenvalues ~10^4 apart (ill-conditioned)."""
    rng = np.random.default_rng(491)
    n = 2000
    common = rng.normal(0.0, 1.0, (n, 3))
    jitter = rng.normal(0.0, 0.01, (n, 6))
    x = np.repeat(common, 2, axis=1) + jitter
    diff = (x[:, 0::2] - x[:, 1::2]) / (0.01 * np.sqrt(2.0))  # unit variance each
    y = common @ np.array([0.9, -0.7, 0.6]) + diff @ np.array([0.5, 0.4, -0.4])
    y = y + rng.normal(0.0, 0.05, n)
    y = (y - y.mean()) / y.std()
    return {"x": x.astype(np.float32), "y": y.astype(np.float32)}


GENERATORS: dict[str, Callable[[Path], dict[str, np.ndarray]]] = {
    "fourth_rings.npz": rings,
    "fourth_rings_doubled.npz": rings_doubled,
    "fourth_hypercube.npz": hypercube,
    "fourth_skewed.npz": skewed,
    "fourth_sensors.npz": sensors,
    "fourth_sensors_reversed_channels.npz": sensors_reversed_channels,
    "fourth_stripes.npz": stripes,
    "fourth_stripes_rotated.npz": stripes_rotated,
    "fourth_twin.npz": twin,
    "fourth_twin_swapped_targets.npz": twin_swapped_targets,
    "fourth_v_shape_extrapolation.npz": v_shape_extrapolation,
    "fourth_heavy.npz": heavy,
    "fourth_collinear.npz": collinear,
}

# The dataset each file is made from, for the summary tables (new tasks by their own name).
NPZ_SOURCE = {
    "fourth_rings.npz": "rings",
    "fourth_rings_doubled.npz": "rings",
    "fourth_hypercube.npz": "hypercube",
    "fourth_skewed.npz": "skewed",
    "fourth_sensors.npz": "sensors",
    "fourth_sensors_reversed_channels.npz": "sensors",
    "fourth_stripes.npz": "stripes",
    "fourth_stripes_rotated.npz": "stripes",
    "fourth_twin.npz": "twin",
    "fourth_twin_swapped_targets.npz": "twin",
    "fourth_v_shape_extrapolation.npz": "vshape",
    "fourth_heavy.npz": "heavy",
    "fourth_collinear.npz": "collinear",
}
