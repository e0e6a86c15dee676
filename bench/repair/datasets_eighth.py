"""The eighth split's npz files (specs_eighth.py): a regression formula, a tabular task of
concentric shells, and validation exports broken the ways pipelines break them.

Every file is deterministic (fixed generator seeds); names start with `s8_`. A mismatch
file holds `x, y` (training) and `x_val, y_val` (validation, used as is).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.repair.arrays import holdout, sklearn_classes


def _surface(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2.0, 2.0, size=(n, 5)).astype(np.float32)
    y = np.sin(1.5 * x[:, 0]) * x[:, 1] + 0.5 * x[:, 2] ** 2 - 0.7 * x[:, 3]
    y = y + 0.05 * rng.standard_normal(n)
    return x, y


_Y_MEAN, _Y_STD = 0.6667, 1.25  # about the surface's mean and spread


def surface(data_dir: Path) -> dict[str, np.ndarray]:
    """A smooth nonlinear regression surface of five inputs (one unused), targets ~unit
    variance."""
    x, y = _surface(2400, 801)
    return {"x": x, "y": ((y - _Y_MEAN) / _Y_STD).astype(np.float32)}


def surface_stale_targets(data_dir: Path) -> dict[str, np.ndarray]:
    """The validation export's target column was joined on the wrong key: its targets belong
    to other rows."""
    x, y = _surface(2400, 802)
    y = ((y - _Y_MEAN) / _Y_STD).astype(np.float32)
    order = np.random.default_rng(803).permutation(600)
    return {"x": x[:1800], "y": y[:1800], "x_val": x[1800:], "y_val": y[1800:][order]}


def surface_noisy(data_dir: Path) -> dict[str, np.ndarray]:
    """The surface measured with a noisy instrument: target noise of about its own spread."""
    x, y = _surface(2400, 804)
    y = y + 1.0 * np.random.default_rng(805).standard_normal(len(y))
    return {"x": x, "y": ((y - _Y_MEAN) / 1.6).astype(np.float32)}


def _shells(n: int, seed: int, spread: float = 0.15) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=n)
    d = rng.standard_normal((n, 6))
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    r = 1.0 + 1.2 * y + spread * rng.standard_normal(n)
    x = d * r[:, None]
    return x.astype(np.float32), y.astype(np.int64)


def shells(data_dir: Path) -> dict[str, np.ndarray]:
    """Three classes on concentric shells in six dimensions (the radius tells the class)."""
    x, y = _shells(3000, 811)
    return {"x": x, "y": y}


def shells_blurred(data_dir: Path) -> dict[str, np.ndarray]:
    """shells whose radii overlap between neighbouring classes (a noisy sensor)."""
    x, y = _shells(3000, 812, spread=0.7)
    return {"x": x, "y": y}


def digits_rotated_labels(data_dir: Path) -> dict[str, np.ndarray]:
    """digits whose validation export numbers the classes from another origin."""
    x, y, xv, yv = holdout(*sklearn_classes("digits"), 360, 821)
    return {"x": x, "y": y, "x_val": xv, "y_val": (yv + 3) % 10}


def breast_cancer_inverted(data_dir: Path) -> dict[str, np.ndarray]:
    """breast_cancer whose validation export codes malignant/benign the other way round."""
    x, y, xv, yv = holdout(*sklearn_classes("breast_cancer"), 140, 831)
    return {"x": x, "y": y, "x_val": xv, "y_val": 1 - yv}


def shells_swapped(data_dir: Path) -> dict[str, np.ndarray]:
    """shells whose validation export swapped the outer and inner class ids."""
    x, y = _shells(2400, 841)
    xv, yv = _shells(600, 842)
    return {"x": x, "y": y, "x_val": xv, "y_val": (2 - yv).astype(np.int64)}


def iris_relabelled(data_dir: Path) -> dict[str, np.ndarray]:
    """iris whose validation export cycles the species ids."""
    x, y, xv, yv = holdout(*sklearn_classes("iris"), 45, 851)
    return {"x": x, "y": y, "x_val": xv, "y_val": (yv + 1) % 3}


GENERATORS: dict[str, Callable[[Path], dict[str, np.ndarray]]] = {
    "s8_surface.npz": surface,
    "s8_surface_stale_targets.npz": surface_stale_targets,
    "s8_shells.npz": shells,
    "s8_surface_noisy.npz": surface_noisy,
    "s8_shells_blurred.npz": shells_blurred,
    "s8_digits_rotated_labels.npz": digits_rotated_labels,
    "s8_breast_cancer_inverted.npz": breast_cancer_inverted,
    "s8_shells_swapped.npz": shells_swapped,
    "s8_iris_relabelled.npz": iris_relabelled,
}

NPZ_SOURCE = {
    "s8_surface.npz": "regression",
    "s8_surface_stale_targets.npz": "regression",
    "s8_shells.npz": "shells",
    "s8_surface_noisy.npz": "regression",
    "s8_shells_blurred.npz": "shells",
    "s8_digits_rotated_labels.npz": "digits",
    "s8_breast_cancer_inverted.npz": "breast_cancer",
    "s8_shells_swapped.npz": "shells",
    "s8_iris_relabelled.npz": "iris",
}
