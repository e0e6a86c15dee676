"""The seventh split's npz files (specs_seventh.py): two new tasks and four mismatches.

Every file is generated deterministically (fixed generator seeds, independent of the job's
seed) and registered in datasets.py next to the others, under names prefixed `s7_`.

- "sectors": a radar's returns, 8 features; the first two are the target's position in the
  plane, the other six are clutter (noise). The class (6) is the bearing sector (3) crossed
  with near/far range (2), with guard bands between them: the bearing is linear in the
  features, the range is not.
- "beam": a beam's standardised deflection regressed on 8 readings (load, span, stiffness,
  temperature, ...), through a product, a sine, a square and linear parts; small noise.

The mismatch files bring their own x_val/y_val (the specs leave val_fraction unset):
the sectors' validation export writes its columns in another order; the beam's validation
log lists its readings in the opposite column order; the digits' validation scans come from
a scanner mounted a quarter turn round; the wine validation file numbers the cultivars in
another order.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.repair.arrays import holdout, sklearn_classes


def _sectors_arrays(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    r = rng.uniform(0.3, 2.0, 3 * n)
    theta = rng.uniform(0.0, 2 * np.pi, 3 * n)
    # guard bands: no returns within 0.15 rad of a sector edge nor between the range bands
    edge = np.abs(((theta + np.pi / 3) % (2 * np.pi / 3)) - np.pi / 3)
    keep = np.flatnonzero((edge > 0.15) & ((r < 1.0) | (r > 1.3)))[:n]
    r, theta = r[keep], theta[keep]
    x = rng.normal(0.0, 1.0, (n, 8))
    x[:, 0], x[:, 1] = r * np.cos(theta), r * np.sin(theta)
    sector = np.floor(theta / (2 * np.pi / 3)).astype(np.int64).clip(0, 2)
    y = 2 * sector + (r > 1.15).astype(np.int64)
    return x.astype(np.float32), y


def sectors(data_dir: Path) -> dict[str, np.ndarray]:
    """2400 radar returns in 6 classes (bearing sector x range band); the spec's
    val_fraction splits."""
    x, y = _sectors_arrays(2400, seed=701)
    return {"x": x, "y": y}


def sectors_columns_reordered(data_dir: Path) -> dict[str, np.ndarray]:
    """sectors; the validation export writes the position columns last (positions 6 and 7)
    and the clutter first: a column order changed in one export."""
    x, y = _sectors_arrays(1600, seed=702)
    x_val, y_val = _sectors_arrays(400, seed=703)
    order = [2, 3, 4, 5, 6, 7, 0, 1]
    return {"x": x, "y": y, "x_val": x_val[:, order].copy(), "y_val": y_val}


# The beam's deflection before standardisation: mean and std of the formula on U[0,1]^8,
# fixed once (from 10^6 draws) so that every file is standardised the same way.
_BEAM_MEAN, _BEAM_STD = 1.4340, 1.1260


def _beam(x: np.ndarray) -> np.ndarray:
    return (3.0 * x[:, 0] * x[:, 1] + np.sin(2 * np.pi * x[:, 2]) + 4.0 * (x[:, 3] - 0.5) ** 2
            + 1.5 * x[:, 4] - 0.8 * x[:, 5])


def _beam_arrays(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 1.0, (n, 8))
    y = (_beam(x) - _BEAM_MEAN) / _BEAM_STD + rng.normal(0.0, 0.05, n)
    return x.astype(np.float32), y.astype(np.float32)


def beam(data_dir: Path) -> dict[str, np.ndarray]:
    """2000 beam readings (8 features, 6 used), standardised deflection (variance ~1, noise
    floor 0.0025); the spec's val_fraction splits."""
    x, y = _beam_arrays(2000, seed=711)
    return {"x": x, "y": y}


def beam_columns_reversed(data_dir: Path) -> dict[str, np.ndarray]:
    """beam; the validation log lists the 8 readings in the opposite column order."""
    x, y = _beam_arrays(1600, seed=712)
    x_val, y_val = _beam_arrays(400, seed=713)
    return {"x": x, "y": y, "x_val": x_val[:, ::-1].copy(), "y_val": y_val}


def digits_rotated(data_dir: Path) -> dict[str, np.ndarray]:
    """digits; the 400 validation scans come from a scanner mounted a quarter turn round
    (each 8x8 image rotated by 90 degrees), labels intact."""
    x, y = sklearn_classes("digits")
    x, y, x_val, y_val = holdout(x, y, 400, seed=721)
    turned = np.rot90(x_val.reshape(-1, 8, 8), k=1, axes=(1, 2)).reshape(-1, 64)
    return {"x": x, "y": y, "x_val": np.ascontiguousarray(turned), "y_val": y_val}


def wine_cultivars_renumbered(data_dir: Path) -> dict[str, np.ndarray]:
    """wine; the 60 validation rows number the three cultivars in another order
    (0 -> 2, 1 -> 0, 2 -> 1)."""
    x, y = sklearn_classes("wine")
    x, y, x_val, y_val = holdout(x, y, 60, seed=731)
    return {"x": x, "y": y, "x_val": x_val, "y_val": np.array([2, 0, 1])[y_val]}


GENERATORS: dict[str, Callable[[Path], dict[str, np.ndarray]]] = {
    "s7_sectors.npz": sectors,
    "s7_sectors_columns_reordered.npz": sectors_columns_reordered,
    "s7_beam.npz": beam,
    "s7_beam_columns_reversed.npz": beam_columns_reversed,
    "s7_digits_rotated.npz": digits_rotated,
    "s7_wine_cultivars_renumbered.npz": wine_cultivars_renumbered,
}

# The dataset each file is made from (new tasks: their own name), for the summary tables.
NPZ_SOURCE = {
    "s7_sectors.npz": "sectors",
    "s7_sectors_columns_reordered.npz": "sectors",
    "s7_beam.npz": "beam",
    "s7_beam_columns_reversed.npz": "beam",
    "s7_digits_rotated.npz": "digits",
    "s7_wine_cultivars_renumbered.npz": "wine",
}
