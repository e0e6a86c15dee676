"""The fifteenth split's own npz files (specs_fifteenth.py), written apart from the others.

Every file is generated locally and deterministically with numpy (fixed generator seeds,
independent of a job's seed), from a formula, from scikit-learn's bundled sets or from the
engine's procedural images, and written by datasets.write_all under the names below. Names
start with `s15_`.

Tasks of their own:
- `s15_bearing.npz`: 2400 two-channel vibration recordings (N, 2, 64) from two
  accelerometer axes, each holding one or two wave packets (a Gaussian-enveloped sine of
  random frequency and phase) at random times over background noise; 4 classes, 600 each:
  a packet on axis 0 only, on axis 1 only, on both with axis 0 first, on both with axis 1
  first. The phase is random, so a linear map of the raw samples cannot read it; a cnn1d
  can.
- `s15_meter.npz`: 2400 rows of a smart-meter load model, a smooth nonlinear function of
  6 features (uniform on [-1, 1]) with interactions, plus noise; the targets standardised
  once with fixed constants (the formula's mean and std over a large sample). A linear fit
  leaves about half of the variance.
- `s15_meter_watt_hours.npz`: the same load model (other rows), the target left in
  watt-hours (mean about 2500, std about 600) as the meter reports it, not standardised.
- `s15_shells.npz`: 1800 points in 3-D on three concentric spherical shells (radii
  0.3-1.0, 1.4-2.0, 2.4-3.0: the class) plus three noise features, 600 per class; the
  classes are rotationally symmetric, so no linear map separates them.

Train/validation mismatches (x, y train; x_val, y_val validate, used as is because the
specs leave val_fraction unset), each a way an export or a pipeline breaks:
- `s15_bearing_swapped_axes.npz`: the validation recordings were wired with the two
  accelerometer axes the other way round (channels swapped), so every class reads as its
  mirror (0 <-> 1, 2 <-> 3).
- `s15_meter_other_target.npz`: the validation export's target column holds another
  quantity of the same rows (another formula of the same features, uncorrelated with the
  training target).
- `s15_iris_inches.npz`: the validation flowers were measured in inches, the training ones
  in centimetres.
- `s15_wine_one_based.npz`: the validation export numbers the classes from 1 (1, 2, 3), the
  training one from 0.
- `s15_images_sorted_names.npz`: the validation images' labels index the class names in
  alphabetical order, the training labels in the generator's order (a derangement of the
  10 classes).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.repair.arrays import holdout, sklearn_classes

# --- the bearing recordings ---------------------------------------------------------------

BEARING_LEN = 64
BEARING_CLASSES = 4


def _packet(rng: np.random.Generator, centre: np.ndarray) -> np.ndarray:
    """Wave packets (n, BEARING_LEN) centred at `centre` (n,): random frequency, phase,
    width and amplitude."""
    n = len(centre)
    t = np.arange(BEARING_LEN, dtype=np.float64)[None, :]
    width = rng.uniform(2.5, 4.0, (n, 1))
    freq = rng.uniform(0.12, 0.28, (n, 1))
    phase = rng.uniform(0.0, 2 * np.pi, (n, 1))
    amp = rng.uniform(1.5, 2.5, (n, 1))
    c = centre[:, None]
    return amp * np.exp(-(((t - c) / width) ** 2)) * np.sin(2 * np.pi * freq * (t - c) + phase)


def _bearing(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n recordings (n, 2, 64) float32 and labels (n,) int64, n // 4 per class."""
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.repeat(np.arange(BEARING_CLASSES), n // BEARING_CLASSES))
    y = y.astype(np.int64)
    x = rng.normal(0.0, 0.3, (n, 2, BEARING_LEN))
    single = rng.uniform(8.0, 56.0, n)
    first = rng.uniform(8.0, 38.0, n)
    second = first + rng.uniform(10.0, 18.0, n)
    for axis in (0, 1):
        alone = y == axis
        x[alone, axis] += _packet(rng, single[alone])
        leads = y == 2 + axis  # both axes, this one first
        x[leads, axis] += _packet(rng, first[leads])
        x[leads, 1 - axis] += _packet(rng, second[leads])
    return x.astype(np.float32), y


def bearing(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = _bearing(2400, seed=1501)
    return {"x": x, "y": y}


def bearing_swapped_axes(data_dir: Path) -> dict[str, np.ndarray]:
    """Training recordings as `bearing`; 400 validation recordings with the two axes
    swapped (labels as recorded, i.e. for the true wiring)."""
    x, y = _bearing(2000, seed=1502)
    x_val, y_val = _bearing(400, seed=1503)
    return {"x": x, "y": y, "x_val": x_val[:, ::-1, :].copy(), "y_val": y_val}


# --- the meter regression -----------------------------------------------------------------


def _meter_formula(x: np.ndarray) -> np.ndarray:
    """The load model: heating/cooling against temperature (x0), daily rhythm (x1), occupancy
    (x2) times appliances (x3), tariff (x4), weekend (x5)."""
    return (1.4 * x[:, 0] ** 2 + 0.9 * np.sin(np.pi * x[:, 1]) + 1.2 * x[:, 2] * x[:, 3]
            + 0.8 * x[:, 2] - 0.6 * x[:, 4] + 0.5 * x[:, 5] * x[:, 1] + 0.7 * x[:, 3])


def _other_formula(x: np.ndarray) -> np.ndarray:
    """Another quantity of the same rows (a grid-frequency deviation, say)."""
    return (np.cos(np.pi * x[:, 4]) * x[:, 5] + 0.9 * x[:, 0] * x[:, 1]
            + 0.6 * np.sin(2 * np.pi * x[:, 2]))


def _scale(formula: Callable[[np.ndarray], np.ndarray]) -> tuple[float, float]:
    """The formula's mean and std over a large fixed sample, to standardise every file the
    same way."""
    x = np.random.default_rng(1599).uniform(-1.0, 1.0, (200_000, 6))
    y = formula(x)
    return float(y.mean()), float(y.std())


METER_NOISE = 0.15  # in the standardised units: a noise floor of 0.0225 for the MSE


def _meter(n: int, seed: int,
           formula: Callable[[np.ndarray], np.ndarray] = _meter_formula
           ) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, (n, 6))
    mean, std = _scale(formula)
    y = (formula(x) - mean) / std + rng.normal(0.0, METER_NOISE, n)
    return x.astype(np.float32), y.astype(np.float32)


def meter(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = _meter(2400, seed=1511)
    return {"x": x, "y": y}


# The load in watt-hours: the standardised target's scale put back (a mean load of 2500 Wh,
# a spread of 600 Wh).
WATT_HOURS_MEAN, WATT_HOURS_STD = 2500.0, 600.0


def meter_watt_hours(data_dir: Path) -> dict[str, np.ndarray]:
    """The meter rows with the target left in watt-hours (not standardised)."""
    x, y = _meter(2400, seed=1514)
    return {"x": x, "y": (WATT_HOURS_MEAN + WATT_HOURS_STD * y).astype(np.float32)}


def meter_other_target(data_dir: Path) -> dict[str, np.ndarray]:
    """Training rows as `meter`; the 400 validation rows carry the other formula's value
    in their target column."""
    x, y = _meter(1600, seed=1512)
    x_val, y_val = _meter(400, seed=1513, formula=_other_formula)
    return {"x": x, "y": y, "x_val": x_val, "y_val": y_val}


# --- the shells ---------------------------------------------------------------------------

SHELL_RADII = ((0.3, 1.0), (1.4, 2.0), (2.4, 3.0))


def _shells(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    k = len(SHELL_RADII)
    y = rng.permutation(np.repeat(np.arange(k), n // k)).astype(np.int64)
    direction = rng.normal(0.0, 1.0, (n, 3))
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    low = np.array([r[0] for r in SHELL_RADII])[y]
    high = np.array([r[1] for r in SHELL_RADII])[y]
    radius = rng.uniform(low, high)
    noise = rng.normal(0.0, 1.0, (n, 3))
    x = np.concatenate([direction * radius[:, None], noise], axis=1)
    return x.astype(np.float32), y


def shells(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = _shells(1800, seed=1521)
    return {"x": x, "y": y}


# --- mismatches from the built-ins --------------------------------------------------------

CM_PER_INCH = 2.54


def iris_inches(data_dir: Path) -> dict[str, np.ndarray]:
    """iris; the 30 validation flowers' four measurements in inches."""
    x, y = sklearn_classes("iris")
    x, y, x_val, y_val = holdout(x, y, 30, seed=1531)
    return {"x": x, "y": y, "x_val": (x_val / CM_PER_INCH).astype(np.float32),
            "y_val": y_val}


def wine_one_based(data_dir: Path) -> dict[str, np.ndarray]:
    """wine; the 40 validation wines' classes numbered 1, 2, 3 (the training ones 0, 1, 2)."""
    x, y = sklearn_classes("wine")
    x, y, x_val, y_val = holdout(x, y, 40, seed=1541)
    return {"x": x, "y": y, "x_val": x_val, "y_val": y_val + 1}


# The procedural images' classes in the generator's order (workers/training/data.py _SHAPES).
SHAPE_NAMES = ("disc", "square", "ring", "hbar", "vbar", "cross", "diamond", "triangle",
               "stripes", "checker")
# generator index -> index of its name in alphabetical order
SORTED_INDEX = np.array([sorted(SHAPE_NAMES).index(name) for name in SHAPE_NAMES])


def images_sorted_names(data_dir: Path) -> dict[str, np.ndarray]:
    """Procedural images, 1500 to train; the 300 validation images' labels index the class
    names sorted alphabetically."""
    from workers.training.data import make_synthetic_images

    x, y = make_synthetic_images(1800, seed=1551)
    return {"x": x[:1500], "y": y[:1500], "x_val": x[1500:], "y_val": SORTED_INDEX[y[1500:]]}


GENERATORS: dict[str, Callable[[Path], dict[str, np.ndarray]]] = {
    "s15_bearing.npz": bearing,
    "s15_meter.npz": meter,
    "s15_shells.npz": shells,
    "s15_meter_watt_hours.npz": meter_watt_hours,
    "s15_bearing_swapped_axes.npz": bearing_swapped_axes,
    "s15_meter_other_target.npz": meter_other_target,
    "s15_iris_inches.npz": iris_inches,
    "s15_wine_one_based.npz": wine_one_based,
    "s15_images_sorted_names.npz": images_sorted_names,
}

# The dataset each file is made from (a formula of this module: its task's name).
NPZ_SOURCE = {
    "s15_bearing.npz": "bearing",
    "s15_meter.npz": "meter",
    "s15_shells.npz": "shells",
    "s15_meter_watt_hours.npz": "meter",
    "s15_bearing_swapped_axes.npz": "bearing",
    "s15_meter_other_target.npz": "meter",
    "s15_iris_inches.npz": "iris",
    "s15_wine_one_based.npz": "wine",
    "s15_images_sorted_names.npz": "synthetic_images",
}
