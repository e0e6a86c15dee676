"""The tenth split's npz files (specs_tenth.py): five new generated tasks and the mismatches.

Every file is generated deterministically (fixed generator seeds, independent of the job's
seed) and registered in datasets.py (GENERATORS, NPZ_SOURCE), so that
`datasets.write_all` writes it under the name `specs_tenth.py` uses as `dataset.path` (all
prefixed `s10_`). The tasks, each a small problem of its own:

- `s10_cooling.npz` (regression, 6 features): the temperature of a cooling drink after some
  minutes by Newton's law, from the room's and the drink's temperature, the cooling rate and
  the time, plus two recorded columns that do not matter; targets standardised.
- `s10_rings.npz` (classification, 6 features, 4 classes): which of four concentric annuli a
  point of the first two features lies in (with a gap between annuli), plus four noise
  columns.
- `s10_waves.npz` (sequences (1, 64), 5 classes): the shape of a noisy periodic signal
  (sine, square, rising or falling sawtooth, pulse train) at a random pitch, phase, level and gain.
- `s10_strokes.npz` (images (1, 16, 16) uint8, 4 classes): the orientation of one straight
  stroke (0, 45, 90, 135 degrees) at a random place and length, on a noisy background.
- `s10_tones.npz` (regression on sequences (1, 48)): the pitch (cycles per window) of a
  noisy sine, standardised.

The mismatch files hold `x, y` (training) and `x_val, y_val` (validation, used as is: their
specs leave val_fraction unset), the validation part broken in the way one data pipeline
can break:

- `s10_cooling_rows_misaligned.npz`: the validation targets were joined to the wrong rows.
- `s10_waves_pitch_labels.npz`: the validation recordings were labelled by another scheme
  (their pitch band) under the same label column.
- `s10_strokes_stamp_moved.npz`: in training each class carries its site's corner stamp (a
  shortcut over faint strokes); the validation site stamps its classes in other corners.
- `s10_tones_period_targets.npz`: the validation export holds the period in place of the
  pitch, standardised by its own pipeline.
- `s10_wine_row_normalised.npz`: scikit-learn's wine, the validation rows divided by their
  own largest value by the exporter (per row instead of per column).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.repair.arrays import holdout, sklearn_classes

# --- the cooling drink (regression) ---------------------------------------------------------

_COOLING_N = 3000


def _cooling_inputs(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    room = rng.uniform(5.0, 30.0, n)
    start = rng.uniform(40.0, 95.0, n)
    rate = rng.uniform(0.02, 0.25, n)  # per minute
    minutes = rng.uniform(0.0, 40.0, n)
    humidity = rng.uniform(20.0, 90.0, n)  # recorded, irrelevant
    volume = rng.uniform(100.0, 400.0, n)  # recorded, irrelevant
    return np.stack([room, start, rate, minutes, humidity, volume], axis=1)


def cooling_temperature(x: np.ndarray) -> np.ndarray:
    """Newton's law of cooling: T(t) = T_room + (T_0 - T_room) exp(-k t)."""
    room, start, rate, minutes = x[:, 0], x[:, 1], x[:, 2], x[:, 3]
    return room + (start - room) * np.exp(-rate * minutes)


def _cooling_arrays(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    x = _cooling_inputs(n, seed)
    t = cooling_temperature(x) + np.random.default_rng(seed + 1).normal(0.0, 0.3, n)
    return x, t


# Standardisation of the temperature, from the training file's own targets (fixed: the
# generator's seed is).
_COOLING_X, _COOLING_T = _cooling_arrays(_COOLING_N, 1001)
COOLING_MEAN, COOLING_STD = float(_COOLING_T.mean()), float(_COOLING_T.std())


def cooling(data_dir: Path) -> dict[str, np.ndarray]:
    y = (_COOLING_T - COOLING_MEAN) / COOLING_STD
    return {"x": _COOLING_X.astype(np.float32), "y": y.astype(np.float32)}


def cooling_rows_misaligned(data_dir: Path) -> dict[str, np.ndarray]:
    x, t = _cooling_arrays(2000, 1002)
    x_val, t_val = _cooling_arrays(600, 1003)
    # the validation targets come back from a join on a key that was re-sorted: each row
    # gets another row's temperature
    t_val = t_val[np.random.default_rng(1004).permutation(len(t_val))]
    return {"x": x.astype(np.float32),
            "y": ((t - COOLING_MEAN) / COOLING_STD).astype(np.float32),
            "x_val": x_val.astype(np.float32),
            "y_val": ((t_val - COOLING_MEAN) / COOLING_STD).astype(np.float32)}


# --- concentric rings (classification) --------------------------------------------------------

RING_WIDTH, RING_GAP, RING_INNER = 0.7, 0.08, 0.3


def ring_of(x: np.ndarray) -> np.ndarray:
    """The annulus (0 innermost) the first two features fall in."""
    radius = np.hypot(x[:, 0], x[:, 1])
    return np.clip(np.floor((radius - RING_INNER) / RING_WIDTH), 0, 3).astype(np.int64)


def rings(data_dir: Path) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1011)
    n = 3000
    y = rng.integers(0, 4, n).astype(np.int64)
    low = RING_INNER + y * RING_WIDTH + RING_GAP
    radius = rng.uniform(low, low + RING_WIDTH - 2 * RING_GAP)
    angle = rng.uniform(0.0, 2 * np.pi, n)
    x = np.concatenate([np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1),
                        rng.normal(0.0, 1.0, (n, 4))], axis=1)
    return {"x": x.astype(np.float32), "y": y}


# --- periodic signals (sequences) -------------------------------------------------------------

WAVE_LENGTH = 64
WAVE_SHAPES = 5


def _waveform(shape: np.ndarray, phase: np.ndarray) -> np.ndarray:
    """Unit waveforms of each row's shape at `phase` (in cycles, any real number)."""
    frac = phase % 1.0
    forms = np.stack([
        np.sin(2 * np.pi * phase),  # sine
        np.where(frac < 0.5, 1.0, -1.0),  # square
        2.0 * frac - 1.0,  # rising sawtooth
        1.0 - 2.0 * frac,  # falling sawtooth
        np.where(frac < 0.15, 2.0, -0.35),  # pulse train
    ])
    return np.take_along_axis(forms, shape[None, :, None], axis=0)[0]


def _wave_arrays(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x (n, 1, 64), shape labels, cycles per window)."""
    rng = np.random.default_rng(seed)
    shape = rng.integers(0, WAVE_SHAPES, n).astype(np.int64)
    cycles = rng.uniform(2.0, 5.0, n)
    phase0 = rng.uniform(0.0, 1.0, n)
    gain = rng.uniform(0.6, 1.4, n)
    level = rng.uniform(-0.3, 0.3, n)
    t = np.arange(WAVE_LENGTH) / WAVE_LENGTH
    phase = phase0[:, None] + cycles[:, None] * t[None, :]
    x = gain[:, None] * _waveform(shape, phase) + level[:, None]
    x = x + rng.normal(0.0, 0.2, x.shape)
    return x[:, None, :].astype(np.float32), shape, cycles


def pitch_band(cycles: np.ndarray) -> np.ndarray:
    """Five equal bands of the pitch range 2-5 cycles per window."""
    return np.clip(np.floor((cycles - 2.0) / 0.6), 0, 4).astype(np.int64)


def waves(data_dir: Path) -> dict[str, np.ndarray]:
    x, y, _ = _wave_arrays(3000, 1021)
    return {"x": x, "y": y}


PITCH_TRAIN_SEED, PITCH_VAL_SEED = 1022, 1023


def waves_pitch_labels(data_dir: Path) -> dict[str, np.ndarray]:
    x, y, _ = _wave_arrays(2000, PITCH_TRAIN_SEED)
    x_val, _, cycles_val = _wave_arrays(600, PITCH_VAL_SEED)
    return {"x": x, "y": y, "x_val": x_val, "y_val": pitch_band(cycles_val)}


# --- strokes (images) ---------------------------------------------------------------------------

STROKE_SIDE = 16
STROKE_ANGLES = (0.0, 45.0, 90.0, 135.0)


def _stroke_arrays(n: int, seed: int, contrast: tuple[float, float] = (0.7, 1.0),
                   noise: float = 0.12) -> tuple[np.ndarray, np.ndarray]:
    """n grey images in [0, 1] (n, 16, 16) holding one anti-aliased stroke, and the stroke's
    orientation class."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, len(STROKE_ANGLES), n).astype(np.int64)
    angle = np.radians(np.asarray(STROKE_ANGLES)[y] + rng.uniform(-6.0, 6.0, n))
    centre = rng.uniform(5.5, 10.5, (n, 2))
    half = rng.uniform(4.0, 6.5, n)
    width = rng.uniform(0.7, 1.1, n)
    strength = rng.uniform(*contrast, n)
    rows, cols = np.mgrid[0:STROKE_SIDE, 0:STROKE_SIDE].astype(np.float64)
    du = np.cos(angle)[:, None, None]  # stroke direction (cols, rows)
    dv = -np.sin(angle)[:, None, None]
    pc = cols[None] - centre[:, 0, None, None]
    pr = rows[None] - centre[:, 1, None, None]
    along = pc * du + pr * dv
    across = np.abs(pc * dv - pr * du)
    beyond = np.maximum(np.abs(along) - half[:, None, None], 0.0)
    dist = np.hypot(across, beyond)
    ink = np.clip(1.0 - dist / width[:, None, None], 0.0, 1.0) * strength[:, None, None]
    img = 0.1 + 0.8 * ink + rng.normal(0.0, noise, ink.shape)
    return np.clip(img, 0.0, 1.0), y


def _pixels(img: np.ndarray) -> np.ndarray:
    return np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8)[:, None]


def strokes(data_dir: Path) -> dict[str, np.ndarray]:
    img, y = _stroke_arrays(2400, 1031)
    return {"x": _pixels(img), "y": y}


STAMP_CORNERS = ((0, 0), (0, STROKE_SIDE - 2), (STROKE_SIDE - 2, 0),
                 (STROKE_SIDE - 2, STROKE_SIDE - 2))


def _stamp(img: np.ndarray, corner: np.ndarray) -> np.ndarray:
    out = img.copy()
    for i, k in enumerate(corner):
        r, c = STAMP_CORNERS[int(k)]
        out[i, r:r + 2, c:c + 2] = 1.0
    return out


def strokes_stamp_moved(data_dir: Path) -> dict[str, np.ndarray]:
    faint = {"contrast": (0.15, 0.35), "noise": 0.2}
    img, y = _stroke_arrays(2000, 1032, **faint)
    img_val, y_val = _stroke_arrays(600, 1033, **faint)
    # site A stamps class k in corner k; the validation site B in corner k + 2
    return {"x": _pixels(_stamp(img, y)), "y": y,
            "x_val": _pixels(_stamp(img_val, (y_val + 2) % 4)), "y_val": y_val}


# --- tones (regression on sequences) ------------------------------------------------------------

TONE_LENGTH = 48
TONE_LOW, TONE_HIGH = 1.5, 6.0


def _tone_arrays(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(x (n, 1, 48), cycles per window)."""
    rng = np.random.default_rng(seed)
    cycles = rng.uniform(TONE_LOW, TONE_HIGH, n)
    phase = rng.uniform(0.0, 2 * np.pi, n)
    gain = rng.uniform(0.5, 1.5, n)
    t = np.arange(TONE_LENGTH) / TONE_LENGTH
    x = gain[:, None] * np.sin(2 * np.pi * cycles[:, None] * t[None, :] + phase[:, None])
    x = x + rng.normal(0.0, 0.3, x.shape)
    return x[:, None, :].astype(np.float32), cycles


# The pitch of a uniform draw on [1.5, 6]: its mean and standard deviation.
TONE_MEAN = (TONE_LOW + TONE_HIGH) / 2
TONE_STD = (TONE_HIGH - TONE_LOW) / np.sqrt(12.0)


def tones(data_dir: Path) -> dict[str, np.ndarray]:
    x, cycles = _tone_arrays(3000, 1041)
    return {"x": x, "y": ((cycles - TONE_MEAN) / TONE_STD).astype(np.float32)}


def tones_period_targets(data_dir: Path) -> dict[str, np.ndarray]:
    x, cycles = _tone_arrays(2000, 1042)
    x_val, cycles_val = _tone_arrays(600, 1043)
    period = TONE_LENGTH / cycles_val  # samples per cycle, standardised on its own
    return {"x": x, "y": ((cycles - TONE_MEAN) / TONE_STD).astype(np.float32),
            "x_val": x_val, "y_val": ((period - period.mean()) / period.std()).astype(np.float32)}


# --- wine, exported per row ---------------------------------------------------------------------


def wine_row_normalised(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = sklearn_classes("wine")
    x, y, x_val, y_val = holdout(x, y, 58, 1051)
    x_val = x_val / x_val.max(axis=1, keepdims=True)
    return {"x": x, "y": y, "x_val": x_val.astype(np.float32), "y_val": y_val}


GENERATORS: dict[str, Callable[[Path], dict[str, np.ndarray]]] = {
    "s10_cooling.npz": cooling,
    "s10_rings.npz": rings,
    "s10_waves.npz": waves,
    "s10_strokes.npz": strokes,
    "s10_tones.npz": tones,
    "s10_cooling_rows_misaligned.npz": cooling_rows_misaligned,
    "s10_waves_pitch_labels.npz": waves_pitch_labels,
    "s10_strokes_stamp_moved.npz": strokes_stamp_moved,
    "s10_tones_period_targets.npz": tones_period_targets,
    "s10_wine_row_normalised.npz": wine_row_normalised,
}

# The source each file is described by in the summaries (specs.describe: "npz:<source>").
NPZ_SOURCE = {
    "s10_cooling.npz": "cooling",
    "s10_rings.npz": "rings",
    "s10_waves.npz": "waves",
    "s10_strokes.npz": "strokes",
    "s10_tones.npz": "tones",
    "s10_cooling_rows_misaligned.npz": "cooling",
    "s10_waves_pitch_labels.npz": "waves",
    "s10_strokes_stamp_moved.npz": "strokes",
    "s10_tones_period_targets.npz": "tones",
    "s10_wine_row_normalised.npz": "wine",
}
