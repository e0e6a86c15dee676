"""The sixth split's own npz files (specs_sixth.py): four new generated tasks and the
exports of them (and of digits) that break the way data pipelines break.

Every file is generated deterministically (fixed generator seeds, independent of the job's
seed) and written by datasets.write_all with the others. The tasks:

- rings: 3 classes of points on three concentric rings in a random 2-D plane of 8
  features (the other 6 directions are noise); a linear map of the features cannot tell
  the rings apart, a small MLP can. `s6_rings_noisy` is 400 points of it with a fifth of
  the labels drawn at random (noisy annotation).
- spectra: 1-D spectra (1, 48) of 4 substances, each a sum of two Gaussian lines at
  substance-specific positions, with random amplitudes, a sloping baseline and noise.
- sensor: a regression of a plant's output on 6 sensor readings (a product, a sine and a
  square of them plus a linear part), targets standardised with fixed constants;
  `s6_sensor_small_noisy` is a 160-reading pilot of it with 4x the measurement noise.
- bars: 16x16 one-channel images of a bar (horizontal, vertical, two diagonals) at a random
  offset, with pixel noise: 4 classes.

The mismatch files (their own x_val/y_val, from the same task): `s6_rings_relabelled`
(the validation export numbers the rings from the outside in), `s6_spectra_recalibrated`
(the validation spectrometer's wavelength axis is offset by 9 bins), `s6_sensor_misjoined`
(the validation targets were joined to the readings one row off), `s6_bars_rotated` (the
validation camera is mounted a quarter turn round), `s6_digits_inverted` (digits whose
validation scans store ink as 0 and paper as 16).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

# --- rings -----------------------------------------------------------------------------------


def _rings(n: int, seed: int, label_noise: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    radius = np.array([1.0, 2.2, 3.4])[y] + rng.normal(0.0, 0.18, n)
    angle = rng.uniform(0.0, 2 * np.pi, n)
    plane = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    basis = np.linalg.qr(np.random.default_rng(601).normal(size=(8, 8)))[0]
    noise = rng.normal(0.0, 1.0, (n, 6))
    x = np.concatenate([plane, noise], axis=1) @ basis.T
    if label_noise:
        flip = rng.random(n) < label_noise
        y = np.where(flip, rng.integers(0, 3, n), y)
    return x.astype(np.float32), y.astype(np.int64)


def rings(data_dir: Path) -> dict[str, np.ndarray]:
    """1500 points of the three rings; the spec's val_fraction splits."""
    x, y = _rings(1500, seed=602)
    return {"x": x, "y": y}


def rings_noisy(data_dir: Path) -> dict[str, np.ndarray]:
    """400 points with a fifth of the labels redrawn at random."""
    x, y = _rings(400, seed=603, label_noise=0.2)
    return {"x": x, "y": y}


def rings_relabelled(data_dir: Path) -> dict[str, np.ndarray]:
    """Train on the rings numbered from the inside out; the validation export numbers them
    from the outside in (inner 2, outer 0)."""
    x, y = _rings(1200, seed=604)
    x_val, y_val = _rings(300, seed=605)
    return {"x": x, "y": y, "x_val": x_val, "y_val": (2 - y_val).astype(np.int64)}


# --- spectra ---------------------------------------------------------------------------------

LINES = ((6.0, 30.0), (12.0, 38.0), (18.0, 26.0), (24.0, 42.0))  # two lines per substance


def _spectra(n: int, seed: int, shift: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 4, n)
    grid = np.arange(48, dtype=np.float64)
    centres = np.array(LINES)[y] + rng.normal(0.0, 0.7, (n, 2)) + shift
    amps = rng.uniform(0.6, 1.4, (n, 2))
    lines = sum(amps[:, [k]] * np.exp(-0.5 * ((grid - centres[:, [k]]) / 1.6) ** 2)
                for k in range(2))
    baseline = rng.normal(0.0, 0.3, (n, 1)) + rng.normal(0.0, 0.01, (n, 1)) * grid
    x = lines + baseline + rng.normal(0.0, 0.12, (n, 48))
    return x[:, None, :].astype(np.float32), y.astype(np.int64)


def spectra(data_dir: Path) -> dict[str, np.ndarray]:
    """2000 spectra of 4 substances, (N, 1, 48); the spec's val_fraction splits."""
    x, y = _spectra(2000, seed=611)
    return {"x": x, "y": y}


def spectra_recalibrated(data_dir: Path) -> dict[str, np.ndarray]:
    """Train on one spectrometer; validate on one whose wavelength axis is offset by 9 bins
    (every line 9 bins later)."""
    x, y = _spectra(1600, seed=612)
    x_val, y_val = _spectra(400, seed=613, shift=9.0)
    return {"x": x, "y": y, "x_val": x_val, "y_val": y_val}


# --- sensor (regression) ---------------------------------------------------------------------


def _sensor(n: int, seed: int, noise: float = 0.3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 1.0, (n, 6))
    f = (1.2 * x[:, 0] * x[:, 1] + 1.5 * np.sin(2.0 * x[:, 2]) + 0.6 * x[:, 3] ** 2
         + 0.8 * x[:, 4] - 0.5 * x[:, 5])
    y = f + rng.normal(0.0, noise, n)
    # standardised once with fixed constants (mean 0.6, std 2.25 of f on N(0, I))
    return x.astype(np.float32), ((y - 0.6) / 2.25).astype(np.float32)


def sensor(data_dir: Path) -> dict[str, np.ndarray]:
    """2000 readings; the spec's val_fraction splits (noise floor of the MSE ~0.02)."""
    x, y = _sensor(2000, seed=621)
    return {"x": x, "y": y}


def sensor_small_noisy(data_dir: Path) -> dict[str, np.ndarray]:
    """160 readings with 4x the measurement noise (a pilot study)."""
    x, y = _sensor(160, seed=622, noise=1.2)
    return {"x": x, "y": y}


def sensor_misjoined(data_dir: Path) -> dict[str, np.ndarray]:
    """The validation export joined each reading to the next row's target (off by one)."""
    x, y = _sensor(1600, seed=623)
    x_val, y_val = _sensor(400, seed=624)
    return {"x": x, "y": y, "x_val": x_val, "y_val": np.roll(y_val, 1)}


# --- bars (images) ---------------------------------------------------------------------------


def _bars(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 4, n)
    img = rng.normal(0.0, 0.15, (n, 16, 16))
    idx = np.arange(16)
    for i in range(n):
        off = rng.integers(-5, 6)
        width = rng.integers(2, 4)
        a = rng.uniform(0.7, 1.0)
        for w in range(width):
            k = 8 + off + w - 1
            if y[i] == 0:  # horizontal
                img[i, np.clip(k, 0, 15), :] += a
            elif y[i] == 1:  # vertical
                img[i, :, np.clip(k, 0, 15)] += a
            elif y[i] == 2:  # main diagonal
                cols = idx + off + w - 1
                keep = (cols >= 0) & (cols < 16)
                img[i, idx[keep], cols[keep]] += a
            else:  # anti-diagonal
                cols = 15 - idx + off + w - 1
                keep = (cols >= 0) & (cols < 16)
                img[i, idx[keep], cols[keep]] += a
    return np.clip(img, 0.0, 1.5)[:, None].astype(np.float32), y.astype(np.int64)


def bars(data_dir: Path) -> dict[str, np.ndarray]:
    """1600 images of bars, (N, 1, 16, 16); the spec's val_fraction splits."""
    x, y = _bars(1600, seed=631)
    return {"x": x, "y": y}


def bars_rotated(data_dir: Path) -> dict[str, np.ndarray]:
    """The validation camera is mounted a quarter turn round: its images are rotated 90
    degrees (horizontal bars look vertical, each diagonal looks like the other)."""
    x, y = _bars(1200, seed=632)
    x_val, y_val = _bars(300, seed=633)
    return {"x": x, "y": y, "x_val": np.rot90(x_val, 1, axes=(2, 3)).copy(), "y_val": y_val}


# --- digits ----------------------------------------------------------------------------------


def digits_inverted(data_dir: Path) -> dict[str, np.ndarray]:
    """digits; the validation scans store the ink the other way round (16 - pixel)."""
    import sklearn.datasets

    bunch = sklearn.datasets.load_digits()
    x, y = bunch.data.astype(np.float32), bunch.target.astype(np.int64)
    order = np.random.default_rng(641).permutation(len(x))
    tr, va = order[400:], order[:400]
    return {"x": x[tr], "y": y[tr], "x_val": (16.0 - x[va]).astype(np.float32), "y_val": y[va]}


GENERATORS: dict[str, Callable[[Path], dict[str, np.ndarray]]] = {
    "s6_rings.npz": rings,
    "s6_rings_noisy.npz": rings_noisy,
    "s6_rings_relabelled.npz": rings_relabelled,
    "s6_spectra.npz": spectra,
    "s6_spectra_recalibrated.npz": spectra_recalibrated,
    "s6_sensor.npz": sensor,
    "s6_sensor_small_noisy.npz": sensor_small_noisy,
    "s6_sensor_misjoined.npz": sensor_misjoined,
    "s6_bars.npz": bars,
    "s6_bars_rotated.npz": bars_rotated,
    "s6_digits_inverted.npz": digits_inverted,
}

# The dataset each file is made from, for the summary tables (new tasks by their own name).
NPZ_SOURCE = {
    "s6_rings.npz": "rings",
    "s6_rings_noisy.npz": "rings",
    "s6_rings_relabelled.npz": "rings",
    "s6_spectra.npz": "spectra",
    "s6_spectra_recalibrated.npz": "spectra",
    "s6_sensor.npz": "sensor",
    "s6_sensor_small_noisy.npz": "sensor",
    "s6_sensor_misjoined.npz": "sensor",
    "s6_bars.npz": "bars",
    "s6_bars_rotated.npz": "bars",
    "s6_digits_inverted.npz": "digits",
}
