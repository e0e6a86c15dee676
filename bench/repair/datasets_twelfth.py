"""The twelfth split's own `npz` files (specs_twelfth.py), written apart from the others.

Five small tasks made from formulas, each deterministic (a fixed generator seed per file,
independent of the job's seed), and five mismatch files whose validation part comes from
another distribution than their training part, the way a data pipeline breaks:

- gears (tabular, 4 classes): a gearbox's condition from 9 vibration statistics in their
  own units. Two hidden traits make the class: a wear bit that a straight line through the
  features separates, and a misalignment bit that is the XOR of two others (no straight line
  separates it). Samples near either boundary are left out, so a small MLP can be sure of
  every class. `s12_gears_relabelled.npz`: the validation export coded the classes one
  step on (y_val = (true class + 1) % 4).
- chirps (sequence (1, 64), 4 classes): a swept tone, rising or falling, in a low or a high
  band, at a random phase and level, in noise. `s12_chirps_reversed.npz`: the validation
  recorder wrote its buffers back to front (time reversed), the labels those of the forward
  signals.
- heat (tabular regression, 7 features): the heat flux through a two-layer wall (the
  temperature difference over the layers' summed resistances), log-scaled and standardised,
  with two nuisance readings. `s12_heat_other_law.npz`: the validation site logs the flux
  with the opposite sign convention (heat into the room, not out of it).
- tiles (image (1, 16, 16) uint8, 4 classes): a striped tile at 0, 45, 90 or 135 degrees
  at a random stripe spacing, phase and contrast, in noise. `s12_tiles_rotated.npz`: the
  validation camera was mounted a quarter turn round, the labels those of the tiles as laid.
- decay (sequence (1, 32) regression): a noisy reading of a relaxing sensor,
  baseline + a * exp(-t / tau); the target is log tau, standardised.
- `s12_iris_misjoined.npz`: iris, the validation rows joined to the labels of other rows
  (a join on a key that was re-sorted): the validation labels carry nothing of the flowers.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.repair.arrays import holdout, sklearn_classes

GEARS_FEATURES = 9
GEARS_CLASSES = 4
CHIRP_LENGTH = 64
CHIRP_CLASSES = 4
HEAT_FEATURES = 7
TILE_SIZE = 16
TILE_ANGLES = (0.0, 45.0, 90.0, 135.0)  # the class is the index of the stripes' angle
DECAY_LENGTH = 32


# --- gears -------------------------------------------------------------------------------


def _gears_latent(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n latent rows (4 traits with margins around the class boundaries) and their class."""
    rows = []
    while sum(len(r) for r in rows) < n:
        u = rng.normal(0.0, 1.0, (4 * n, 4))
        wear = u[:, 0] + 0.6 * u[:, 1]
        keep = (np.abs(wear) > 0.35) & (np.abs(u[:, 2]) > 0.3) & (np.abs(u[:, 3]) > 0.3)
        rows.append(u[keep])
    u = np.concatenate(rows)[:n]
    worn = (u[:, 0] + 0.6 * u[:, 1] > 0).astype(np.int64)
    misaligned = (u[:, 2] * u[:, 3] > 0).astype(np.int64)
    return u, 2 * worn + misaligned


def _gears_features(u: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """9 readings in their own units: the 4 traits mixed by a fixed rotation with 5 noise
    channels, then scaled and offset per channel."""
    n = len(u)
    z = np.concatenate([u, rng.normal(0.0, 1.0, (n, GEARS_FEATURES - 4))], axis=1)
    mix = np.linalg.qr(np.random.default_rng(1201).normal(size=(GEARS_FEATURES,) * 2))[0]
    units = np.array([0.01, 1.0, 40.0, 3.0, 0.2, 900.0, 5.0, 0.05, 12.0])
    offset = np.array([0.5, -2.0, 300.0, 10.0, 0.0, 5000.0, 1.0, 0.3, -40.0])
    return (z @ mix * units + offset).astype(np.float32)


def gears_arrays(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    u, y = _gears_latent(n, rng)
    return _gears_features(u, rng), y


def gears(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = gears_arrays(3000, 1202)
    return {"x": x, "y": y}


def gears_relabelled(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = gears_arrays(2000, 1203)
    x_val, y_val = gears_arrays(600, 1204)
    return {"x": x, "y": y, "x_val": x_val, "y_val": (y_val + 1) % GEARS_CLASSES}


# --- chirps ------------------------------------------------------------------------------

# cycles per window at the start and the end of a rising sweep, per band
CHIRP_BANDS = ((2.0, 5.0), (8.0, 14.0))


def chirp_arrays(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(n, 1, 64) signals and labels 2 * band + falling."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, CHIRP_CLASSES, n).astype(np.int64)
    band, falling = y // 2, y % 2
    t = np.linspace(0.0, 1.0, CHIRP_LENGTH)[None, :]
    low = np.array([b[0] for b in CHIRP_BANDS])[band] * rng.uniform(0.9, 1.1, n)
    high = np.array([b[1] for b in CHIRP_BANDS])[band] * rng.uniform(0.9, 1.1, n)
    start = np.where(falling == 1, high, low)[:, None]
    end = np.where(falling == 1, low, high)[:, None]
    # instantaneous frequency start + (end - start) t, in cycles per window
    phase = 2 * np.pi * (start * t + (end - start) * t**2 / 2)
    phase += rng.uniform(0.0, 2 * np.pi, (n, 1))
    level = rng.uniform(0.6, 1.4, (n, 1))
    x = level * np.sin(phase) + rng.normal(0.0, 0.25, (n, CHIRP_LENGTH))
    return x[:, None, :].astype(np.float32), y


def chirps(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = chirp_arrays(3000, 1205)
    return {"x": x, "y": y}


def chirps_reversed(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = chirp_arrays(2000, 1206)
    x_val, y_val = chirp_arrays(600, 1207)
    return {"x": x, "y": y, "x_val": np.ascontiguousarray(x_val[:, :, ::-1]), "y_val": y_val}


# --- heat --------------------------------------------------------------------------------

# log-flux's mean and std over a large draw of the training distribution (fixed here, so
# that a validation file standardises with the training file's numbers)
HEAT_CENTRE, HEAT_SPREAD = 2.53, 1.17


def heat_flux(x: np.ndarray) -> np.ndarray:
    """log of the flux (W/m^2): dT / (d1 / k1 + d2 / k2), columns dT (K), d1, d2 (m), k1,
    k2 (W/m/K); the other columns are nuisance readings."""
    d_t, d1, d2, k1, k2 = (x[:, i] for i in range(5))
    return np.log(d_t / (d1 / k1 + d2 / k2))


def heat_target(x: np.ndarray) -> np.ndarray:
    return ((heat_flux(x) - HEAT_CENTRE) / HEAT_SPREAD).astype(np.float32)


def heat_arrays(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    d_t = rng.uniform(5.0, 40.0, n)
    d1, d2 = rng.uniform(0.02, 0.3, n), rng.uniform(0.02, 0.3, n)
    k1, k2 = np.exp(rng.uniform(np.log(0.03), np.log(2.0), (2, n)))
    humidity = rng.uniform(20.0, 90.0, n)
    hour = rng.uniform(0.0, 24.0, n)
    x = np.stack([d_t, d1, d2, k1, k2, humidity, hour], axis=1)
    y = heat_target(x) + rng.normal(0.0, 0.03, n).astype(np.float32)
    return x.astype(np.float32), y.astype(np.float32)


def heat(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = heat_arrays(2500, 1208)
    return {"x": x, "y": y}


def heat_other_law(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = heat_arrays(2000, 1209)
    x_val, y_val = heat_arrays(500, 1210)
    return {"x": x, "y": y, "x_val": x_val, "y_val": (-y_val).astype(np.float32)}


# --- tiles -------------------------------------------------------------------------------


def tile_arrays(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(n, 1, 16, 16) uint8 striped tiles and the index of their angle."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, len(TILE_ANGLES), n).astype(np.int64)
    angle = np.deg2rad(np.array(TILE_ANGLES)[y])[:, None, None]
    rows, cols = np.mgrid[0:TILE_SIZE, 0:TILE_SIZE].astype(np.float64)
    # distance across the stripes: along the stripes' normal
    across = cols[None] * np.sin(angle) + rows[None] * np.cos(angle)
    period = rng.uniform(3.5, 6.0, (n, 1, 1))
    phase = rng.uniform(0.0, 2 * np.pi, (n, 1, 1))
    contrast = rng.uniform(0.25, 0.45, (n, 1, 1))
    mean = rng.uniform(0.35, 0.65, (n, 1, 1))
    img = mean + contrast * np.sin(2 * np.pi * across / period + phase)
    img += rng.normal(0.0, 0.08, img.shape)
    x = np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return x[:, None], y


def tiles(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = tile_arrays(2400, 1211)
    return {"x": x, "y": y}


def tiles_rotated(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = tile_arrays(1600, 1212)
    x_val, y_val = tile_arrays(500, 1213)
    turned = np.ascontiguousarray(np.rot90(x_val, k=1, axes=(2, 3)))
    return {"x": x, "y": y, "x_val": turned, "y_val": y_val}


# --- decay -------------------------------------------------------------------------------

DECAY_CENTRE, DECAY_SPREAD = float(np.log(0.3)), 0.6  # log tau ~ U(log 0.3 +- 0.6 sqrt 3)


def decay_arrays(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    log_tau = DECAY_CENTRE + DECAY_SPREAD * np.sqrt(3.0) * rng.uniform(-1.0, 1.0, n)
    t = np.linspace(0.0, 1.0, DECAY_LENGTH)[None, :]
    amplitude = rng.uniform(1.0, 3.0, (n, 1))
    baseline = rng.uniform(-0.5, 0.5, (n, 1))
    x = baseline + amplitude * np.exp(-t / np.exp(log_tau)[:, None])
    x += rng.normal(0.0, 0.03, x.shape)
    y = (log_tau - DECAY_CENTRE) / DECAY_SPREAD
    return x[:, None, :].astype(np.float32), y.astype(np.float32)


def decay(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = decay_arrays(2500, 1214)
    return {"x": x, "y": y}


# --- iris, misjoined ---------------------------------------------------------------------


def iris_misjoined(data_dir: Path) -> dict[str, np.ndarray]:
    x, y = sklearn_classes("iris")
    x, y, x_val, y_val = holdout(x, y, 60, 1215)
    # the labels of the validation rows, joined on a key that was re-sorted: a fixed
    # shuffle of the same labels, so each class keeps its count but not its flowers
    order = np.random.default_rng(1216).permutation(len(y_val))
    return {"x": x, "y": y, "x_val": x_val, "y_val": y_val[order]}


GENERATORS: dict[str, Callable[[Path], dict[str, np.ndarray]]] = {
    "s12_gears.npz": gears,
    "s12_gears_relabelled.npz": gears_relabelled,
    "s12_chirps.npz": chirps,
    "s12_chirps_reversed.npz": chirps_reversed,
    "s12_heat.npz": heat,
    "s12_heat_other_law.npz": heat_other_law,
    "s12_tiles.npz": tiles,
    "s12_tiles_rotated.npz": tiles_rotated,
    "s12_decay.npz": decay,
    "s12_iris_misjoined.npz": iris_misjoined,
}

NPZ_SOURCE = {
    "s12_gears.npz": "gears",
    "s12_gears_relabelled.npz": "gears",
    "s12_chirps.npz": "chirps",
    "s12_chirps_reversed.npz": "chirps",
    "s12_heat.npz": "heat",
    "s12_heat_other_law.npz": "heat",
    "s12_tiles.npz": "tiles",
    "s12_tiles_rotated.npz": "tiles",
    "s12_decay.npz": "decay",
    "s12_iris_misjoined.npz": "iris",
}
