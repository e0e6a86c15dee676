"""The thirteenth split's own `npz` files (specs_thirteenth.py), prefix `s13_`.

Four tasks, each generated from a formula with a fixed numpy seed (independent of the job's
seed), so that every run reads the same bytes:

- `s13_rhythms.npz` (sequence (1, 96), 4 classes): heartbeat-like traces, a sharp beat
  with a small wide wave after it, at one of four tempo bands (beats every ~22, ~15.5, ~11
  or ~7.7 samples, jittered beat to beat), at a random phase, with amplitude changes,
  baseline wander and noise. The class is the tempo band, so a model must find the beats
  wherever they fall (a convolution does; a linear map of the raw trace cannot).
- `s13_roll.npz` (tabular (6,), 4 classes): points of a noisy Swiss roll (x, z the spiral,
  h its height, in centimetres) and three unrelated readings; the class is the quarter of
  the spiral's turns (its parameter t from 1.5 pi to 4.5 pi) the point lies on, which only a
  curved boundary tells apart.
- `s13_spring.npz` (tabular (6,), regression): a damped mass on a spring (mass, stiffness,
  damping, initial amplitude, and two readings that do not matter); the target is the peak
  speed two seconds in, standardised, with a little measurement noise (`spring_target`
  is the law without noise).
- `s13_moire.npz` (image (1, 24, 24) uint8, 4 classes): sinusoidal gratings at a random
  orientation, phase and contrast; the class is the spatial frequency band (about 1.7, 3.2,
  5.3 or 8.5 cycles across the image).

And five files whose validation part (`x_val`, `y_val`, used as is since the specs leave
`val_fraction` unset) comes from another distribution than the training part, the way
exports really go wrong:

- `s13_rhythms_resampled.npz`: the validation traces were recorded by a device sampling
  1.45x faster, so every beat interval is 1.45x longer in samples (each tempo reads as the
  next slower band).
- `s13_roll_shifted_origin.npz`: the validation points were measured from another origin,
  10 cm off along both x and z (a rig moved between the two recording sessions).
- `s13_spring_cm.npz`: the validation targets were logged in cm/s where training's were in
  m/s (the raw speed 100x, standardised with training's constants).
- `s13_digits_rescaled.npz`: scikit-learn's digits, whose validation export was rescaled to
  [0, 1] (divided by 16) while the training export kept the raw [0, 16] pixels.
- `s13_moire_period_labels.npz`: the validation export numbers the classes by period, not
  frequency, so the label order is reversed (3 - y).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

RHYTHM_LENGTH = 96
RHYTHM_CLASSES = 4
# beat interval (samples) of each tempo band: low and high end
RHYTHM_INTERVALS = ((20.0, 24.0), (14.0, 17.0), (10.0, 12.0), (7.0, 8.4))
RHYTHM_RESAMPLING = 1.45

ROLL_FEATURES = 6
ROLL_CLASSES = 4
ROLL_T = (1.5 * np.pi, 4.5 * np.pi)

SPRING_FEATURES = 6
SPRING_NOISE = 0.1
SPRING_SECONDS = 2.0

MOIRE_SIZE = 24
MOIRE_CLASSES = 4
MOIRE_CYCLES = ((1.5, 1.9), (2.9, 3.5), (4.9, 5.7), (8.0, 9.0))


# --- rhythms ---------------------------------------------------------------------------------


def rhythm_traces(labels: np.ndarray, rng: np.random.Generator,
                  stretch: float = 1.0) -> np.ndarray:
    """(N, 1, RHYTHM_LENGTH) float32 traces of the tempo band of each label; `stretch`
    multiplies every interval and width in samples (a faster sampling device)."""
    n = len(labels)
    t = np.arange(RHYTHM_LENGTH, dtype=np.float64)
    x = np.zeros((n, RHYTHM_LENGTH))
    for i, label in enumerate(labels):
        low, high = RHYTHM_INTERVALS[label]
        interval = rng.uniform(low, high) * stretch
        pos = -rng.uniform(0.0, interval)
        while pos < RHYTHM_LENGTH + 5 * stretch:
            amp = rng.uniform(0.8, 1.2)
            x[i] += amp * np.exp(-0.5 * ((t - pos) / (0.9 * stretch)) ** 2)
            x[i] += 0.25 * amp * np.exp(-0.5 * ((t - pos - 3.5 * stretch) / (1.8 * stretch)) ** 2)
            pos += interval * rng.uniform(0.95, 1.05)
        wander = rng.uniform(0.1, 0.3) * np.sin(2 * np.pi * t / rng.uniform(60, 200)
                                                 + rng.uniform(0, 2 * np.pi))
        x[i] += wander + rng.normal(0.0, 0.08, RHYTHM_LENGTH)
    return x[:, None, :].astype(np.float32)


def _rhythm_labels(n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.permutation(np.arange(n) % RHYTHM_CLASSES).astype(np.int64)


def rhythms(data_dir: Path) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(13_001)
    y = _rhythm_labels(2000, rng)
    return {"x": rhythm_traces(y, rng), "y": y}


def rhythms_resampled(data_dir: Path) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(13_002)
    y, y_val = _rhythm_labels(1600, rng), _rhythm_labels(400, rng)
    return {"x": rhythm_traces(y, rng), "y": y,
            "x_val": rhythm_traces(y_val, rng, stretch=RHYTHM_RESAMPLING), "y_val": y_val}


# --- roll --------------------------------------------------------------------------------------


def roll_points(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(N, 6) float32 points (x, h, z in centimetres, three unrelated readings) and their
    quarter of the spiral (N,) int64, balanced."""
    y = rng.permutation(np.arange(n) % ROLL_CLASSES)
    # the quarters of the spiral's parameter range, each filled uniformly
    edges = np.linspace(*ROLL_T, ROLL_CLASSES + 1)
    t = rng.uniform(edges[y], edges[y + 1])
    x = np.stack([t * np.cos(t) + rng.normal(0, 0.3, n), rng.uniform(0, 10, n),
                  t * np.sin(t) + rng.normal(0, 0.3, n), rng.normal(5, 2, n),
                  rng.uniform(-1, 1, n), rng.exponential(1.0, n)], axis=1)
    return x.astype(np.float32), y.astype(np.int64)


def roll(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = roll_points(2400, np.random.default_rng(13_003))
    return {"x": x, "y": y}


ROLL_ORIGIN_SHIFT = 10.0


def roll_shifted_origin(data_dir: Path) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(13_004)
    x, y = roll_points(1600, rng)
    x_val, y_val = roll_points(400, rng)
    x_val[:, [0, 2]] += ROLL_ORIGIN_SHIFT
    return {"x": x, "y": y, "x_val": x_val, "y_val": y_val}


# --- spring -----------------------------------------------------------------------------------

def _spring_raw(x: np.ndarray) -> np.ndarray:
    m, k, c, a = x[:, 0], x[:, 1], x[:, 2], x[:, 3]
    return a * np.sqrt(k / m) * np.exp(-c * SPRING_SECONDS / (2 * m))


def _spring_inputs(n: int, rng: np.random.Generator) -> np.ndarray:
    return np.stack([rng.uniform(0.5, 2.0, n), rng.uniform(1.0, 4.0, n),
                     rng.uniform(0.05, 0.6, n), rng.uniform(0.5, 1.5, n),
                     rng.uniform(15, 30, n), rng.normal(0, 1, n)], axis=1)


# The standardisation of the raw speed (m/s), from a large reference sample of the inputs.
_REFERENCE = _spring_raw(_spring_inputs(200_000, np.random.default_rng(13_000)))
SPRING_CENTRE, SPRING_SCALE = float(_REFERENCE.mean()), float(_REFERENCE.std())
del _REFERENCE
SPRING_CM_PER_M = 100.0


def spring_target(x: np.ndarray) -> np.ndarray:
    """The law (no noise): peak speed after SPRING_SECONDS, standardised over the inputs'
    ranges to mean ~0 and std ~1 (then noise of std SPRING_NOISE is added)."""
    return (_spring_raw(np.asarray(x, np.float64)) - SPRING_CENTRE) / SPRING_SCALE


def _spring_arrays(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x = _spring_inputs(n, rng)
    y = spring_target(x) + rng.normal(0.0, SPRING_NOISE, n)
    return x.astype(np.float32), y.astype(np.float32)


def spring(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = _spring_arrays(1500, np.random.default_rng(13_005))
    return {"x": x, "y": y}


def spring_cm(data_dir: Path) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(13_006)
    x, y = _spring_arrays(1200, rng)
    x_val, _ = _spring_arrays(400, rng)
    noise = rng.normal(0.0, SPRING_NOISE * SPRING_SCALE, 400)
    noisy = _spring_raw(x_val.astype(np.float64)) + noise
    y_val = (SPRING_CM_PER_M * noisy - SPRING_CENTRE) / SPRING_SCALE
    return {"x": x, "y": y, "x_val": x_val, "y_val": y_val.astype(np.float32)}


# --- digits -----------------------------------------------------------------------------------


def digits_rescaled(data_dir: Path) -> dict[str, np.ndarray]:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    order = np.random.default_rng(13_007).permutation(len(bunch.target))
    x, y = bunch.data[order].astype(np.float32), bunch.target[order].astype(np.int64)
    cut = 1400
    return {"x": x[:cut], "y": y[:cut], "x_val": x[cut:] / 16.0, "y_val": y[cut:]}


# --- moire ------------------------------------------------------------------------------------


def moire_images(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(N, 1, MOIRE_SIZE, MOIRE_SIZE) uint8 gratings of each label's frequency band."""
    n = len(labels)
    rows, cols = np.mgrid[0:MOIRE_SIZE, 0:MOIRE_SIZE].astype(np.float64) / MOIRE_SIZE
    bands = np.array(MOIRE_CYCLES)[labels]
    cycles = rng.uniform(bands[:, 0], bands[:, 1])[:, None, None]
    angle = rng.uniform(0, np.pi, n)[:, None, None]
    phase = rng.uniform(0, 2 * np.pi, n)[:, None, None]
    contrast = rng.uniform(0.25, 0.45, n)[:, None, None]
    background = rng.uniform(0.4, 0.6, n)[:, None, None]
    u = np.cos(angle) * cols + np.sin(angle) * rows
    img = background + contrast * np.sin(2 * np.pi * cycles * u + phase)
    img += rng.normal(0.0, 0.05, img.shape)
    return np.clip(img * 255 + 0.5, 0, 255).astype(np.uint8)[:, None]


def _moire_labels(n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.permutation(np.arange(n) % MOIRE_CLASSES).astype(np.int64)


def moire(data_dir: Path) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(13_008)
    y = _moire_labels(2000, rng)
    return {"x": moire_images(y, rng), "y": y}


def moire_period_labels(data_dir: Path) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(13_009)
    y, y_val = _moire_labels(1600, rng), _moire_labels(400, rng)
    return {"x": moire_images(y, rng), "y": y, "x_val": moire_images(y_val, rng),
            "y_val": (MOIRE_CLASSES - 1 - y_val).astype(np.int64)}


GENERATORS: dict[str, Callable[[Path], dict[str, np.ndarray]]] = {
    "s13_rhythms.npz": rhythms,
    "s13_rhythms_resampled.npz": rhythms_resampled,
    "s13_roll.npz": roll,
    "s13_roll_shifted_origin.npz": roll_shifted_origin,
    "s13_spring.npz": spring,
    "s13_spring_cm.npz": spring_cm,
    "s13_digits_rescaled.npz": digits_rescaled,
    "s13_moire.npz": moire,
    "s13_moire_period_labels.npz": moire_period_labels,
}

# The dataset each file is made from (a formula: the task's own name), for the summary tables.
NPZ_SOURCE: dict[str, str] = {
    "s13_rhythms.npz": "rhythms",
    "s13_rhythms_resampled.npz": "rhythms",
    "s13_roll.npz": "roll",
    "s13_roll_shifted_origin.npz": "roll",
    "s13_spring.npz": "spring",
    "s13_spring_cm.npz": "spring",
    "s13_digits_rescaled.npz": "digits",
    "s13_moire.npz": "moire",
    "s13_moire_period_labels.npz": "moire",
}
