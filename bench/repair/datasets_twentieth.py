"""The twentieth split's own npz files (specs_twentieth.py), written apart from the others.

Every file is generated locally and deterministically with numpy (fixed generator seeds,
independent of a job's seed), from a formula or from scikit-learn's bundled sets, and
written by datasets.write_all under the names below. Names start with `s20_`.

Tasks of their own:
- `s20_pulses.npz`: 2400 noisy recordings (N, 1, 48) holding 1, 2, 3 or 4 bumps (the
  class: how many) of random width, height and place on a wandering baseline: a counting
  task on sequences, 600 per class.
- `s20_beam.npz`: 2400 cantilever beams, tabular regression: the tip deflection
  4 F L^3 / (E b h^3) of a load F, length L, modulus E, width b and height h drawn from
  narrow ranges, with three columns that do not enter it (temperature, batch number,
  paint code) and 1% measurement noise; the target standardised once with fixed constants
  (the formula's mean and std over a large sample). A linear map leaves about a fifth of
  its variance.
- `s20_triangles.npz`: 2400 triangles given by their corners' coordinates (x1, y1, x2, y2,
  x3, y3, uniform in [-1, 1]), four classes: acute or obtuse, corners listed
  counter-clockwise or clockwise (600 each); degenerate ones (tiny area) and those with a
  largest angle within 8 degrees of a right angle are left out, so classes have a margin.

Train/validation mismatches (x, y train; x_val, y_val validate, used as is because the
specs leave val_fraction unset), each a way an export or a pipeline breaks:
- `s20_pulses_offset.npz`: the validation recordings come from a sensor with a DC offset
  of +1.5 (about four training standard deviations) that nobody subtracted.
- `s20_beam_centimetres.npz`: the validation export gives the beam length L in centimetres
  where the training export gives metres (the target is the same deflection).
- `s20_triangles_screen.npz`: the validation triangles were digitised in screen
  coordinates (y pointing down), which mirrors every triangle: the labels say the winding
  of the original, so every clockwise label now sits on a counter-clockwise triangle.
- `s20_digits_recoded.npz`: digits; the validation labels come from a system that codes
  a digit d as 9 - d (no class keeps its code).
- `s20_wine_rejoined.npz`: wine; the validation labels were joined to their feature rows
  by a sample id that had been re-issued, so every label belongs to another row (a fixed
  derangement of the validation rows).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.repair.arrays import holdout, sklearn_classes

# --- pulses: count the bumps -------------------------------------------------------------------

PULSE_LENGTH = 48
PULSE_OFFSET = 1.5


def _pulses(n_per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(4 * n_per_class, 1, 48) float32 recordings with 1-4 bumps, labels 0-3 (bumps - 1),
    shuffled."""
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(4), n_per_class)
    rng.shuffle(y)
    t = np.arange(PULSE_LENGTH, dtype=np.float64)
    x = np.empty((len(y), 1, PULSE_LENGTH), np.float32)
    for i, label in enumerate(y):
        k = int(label) + 1
        # k places at least 7 samples apart, at least 3 from either end
        while True:
            places = np.sort(rng.uniform(3.0, PULSE_LENGTH - 4.0, k))
            if k == 1 or np.diff(places).min() >= 7.0:
                break
        signal = np.zeros(PULSE_LENGTH)
        for place in places:
            width = rng.uniform(0.9, 1.6)
            height = rng.uniform(0.8, 1.2)
            signal += height * np.exp(-0.5 * ((t - place) / width) ** 2)
        wander = 0.15 * np.sin(2 * np.pi * t / rng.uniform(40.0, 90.0) + rng.uniform(0, 6.3))
        noise = rng.normal(0.0, 0.08, PULSE_LENGTH)
        x[i, 0] = (signal + wander + noise).astype(np.float32)
    return x, y.astype(np.int64)


def pulses(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = _pulses(600, 2001)
    return {"x": x, "y": y}


def pulses_offset(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = _pulses(500, 2002)
    x_val, y_val = _pulses(125, 2003)
    return {"x": x, "y": y, "x_val": (x_val + PULSE_OFFSET).astype(np.float32),
            "y_val": y_val}


# --- beam: tip deflection of a cantilever --------------------------------------------------------


def _beam_inputs(n: int, rng: np.random.Generator) -> np.ndarray:
    """(n, 8): F, L, E, b, h, then temperature, batch number, paint code (unused)."""
    return np.stack([
        rng.uniform(0.5, 1.5, n),  # load F
        rng.uniform(0.7, 1.3, n),  # length L (metres)
        rng.uniform(0.8, 1.2, n),  # modulus E
        rng.uniform(0.8, 1.2, n),  # width b
        rng.uniform(0.7, 1.3, n),  # height h
        rng.normal(20.0, 4.0, n),  # temperature
        rng.integers(1, 40, n).astype(np.float64),  # batch number
        rng.integers(0, 6, n).astype(np.float64),  # paint code
    ], axis=1)


def _deflection(x: np.ndarray) -> np.ndarray:
    f, length, e, b, h = (x[:, i] for i in range(5))
    return 4.0 * f * length**3 / (e * b * h**3)


def _beam_scale() -> tuple[float, float]:
    """The deflection's mean and std over a large fixed sample: the constants the
    targets are standardised with."""
    d = _deflection(_beam_inputs(200_000, np.random.default_rng(2010)))
    return float(d.mean()), float(d.std())


def _beam(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = _beam_inputs(n, rng)
    d = _deflection(x) * (1.0 + rng.normal(0.0, 0.01, n))
    mean, std = _beam_scale()
    return x.astype(np.float32), ((d - mean) / std).astype(np.float32)


def beam(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = _beam(2400, 2011)
    return {"x": x, "y": y}


def beam_centimetres(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = _beam(1800, 2012)
    x_val, y_val = _beam(400, 2013)
    x_val = x_val.copy()
    x_val[:, 1] *= 100.0  # metres -> centimetres, in this export only
    return {"x": x, "y": y, "x_val": x_val, "y_val": y_val}


# --- triangles: acute or obtuse, counter-clockwise or clockwise ----------------------------

TRIANGLE_MIN_AREA = 0.08
TRIANGLE_MARGIN_DEG = 8.0


def _triangle_classes(p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per triangle (rows x1, y1, x2, y2, x3, y3): signed area (> 0: counter-clockwise),
    largest angle in degrees, and the class (2 * obtuse + clockwise)."""
    a, b, c = p[:, 0:2], p[:, 2:4], p[:, 4:6]
    area = 0.5 * ((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1])
                  - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0]))

    def angle(at: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        d1, d2 = u - at, v - at
        cos = (d1 * d2).sum(axis=1) / (np.linalg.norm(d1, axis=1) * np.linalg.norm(d2, axis=1))
        return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))

    largest = np.maximum(np.maximum(angle(a, b, c), angle(b, c, a)), angle(c, a, b))
    label = 2 * (largest > 90.0).astype(np.int64) + (area < 0).astype(np.int64)
    return area, largest, label


def _triangles(n_per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    kept_x, kept_y = [], []
    counts = np.zeros(4, np.int64)
    while counts.min() < n_per_class:
        p = rng.uniform(-1.0, 1.0, (4096, 6))
        area, largest, label = _triangle_classes(p)
        ok = (np.abs(area) > TRIANGLE_MIN_AREA) & (np.abs(largest - 90.0) > TRIANGLE_MARGIN_DEG)
        for row, lab in zip(p[ok], label[ok], strict=True):
            if counts[lab] < n_per_class:
                kept_x.append(row)
                kept_y.append(lab)
                counts[lab] += 1
    x, y = np.array(kept_x, np.float32), np.array(kept_y, np.int64)
    order = rng.permutation(len(y))
    return x[order], y[order]


def triangles(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = _triangles(600, 2021)
    return {"x": x, "y": y}


def triangles_screen(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = _triangles(500, 2022)
    x_val, y_val = _triangles(125, 2023)
    x_val = x_val.copy()
    x_val[:, 1::2] *= -1.0  # y down: a mirror image, the winding reversed, labels kept
    return {"x": x, "y": y, "x_val": x_val, "y_val": y_val}


# --- mismatches of scikit-learn's sets -----------------------------------------------------


def digits_recoded(data_dir: Path) -> dict[str, np.ndarray]:
    x, y, x_val, y_val = holdout(*sklearn_classes("digits"), 400, 2031)
    return {"x": x, "y": y, "x_val": x_val, "y_val": 9 - y_val}


def wine_rejoined(data_dir: Path) -> dict[str, np.ndarray]:
    x, y, x_val, y_val = holdout(*sklearn_classes("wine"), 48, 2041)
    # a fixed derangement: each row takes the label of the row 17 places on
    return {"x": x, "y": y, "x_val": x_val, "y_val": np.roll(y_val, 17)}


GENERATORS: dict[str, Callable[[Path], dict[str, np.ndarray]]] = {
    "s20_pulses.npz": pulses,
    "s20_beam.npz": beam,
    "s20_triangles.npz": triangles,
    "s20_pulses_offset.npz": pulses_offset,
    "s20_beam_centimetres.npz": beam_centimetres,
    "s20_triangles_screen.npz": triangles_screen,
    "s20_digits_recoded.npz": digits_recoded,
    "s20_wine_rejoined.npz": wine_rejoined,
}

# What each file is made from (specs.describe groups npz jobs by it).
NPZ_SOURCE = {
    "s20_pulses.npz": "pulses",
    "s20_beam.npz": "beam",
    "s20_triangles.npz": "triangles",
    "s20_pulses_offset.npz": "pulses",
    "s20_beam_centimetres.npz": "beam",
    "s20_triangles_screen.npz": "triangles",
    "s20_digits_recoded.npz": "digits",
    "s20_wine_rejoined.npz": "wine",
}
