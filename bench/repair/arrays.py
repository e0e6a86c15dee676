"""Arrays the npz generators of the splits share (datasets.py, datasets_seventh.py,
datasets_eighth.py)."""

from __future__ import annotations

import numpy as np


def sklearn_classes(name: str) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled classification set `name` (digits, wine, ...): float32
    inputs, int64 labels."""
    import sklearn.datasets

    bunch = getattr(sklearn.datasets, f"load_{name}")()
    return bunch.data.astype(np.float32), bunch.target.astype(np.int64)


def holdout(x: np.ndarray, y: np.ndarray, n_val: int, seed: int) -> tuple[np.ndarray, ...]:
    """(x, y, x_val, y_val): `n_val` samples drawn at random (seeded) for validation."""
    order = np.random.default_rng(seed).permutation(len(x))
    return x[order[n_val:]], y[order[n_val:]], x[order[:n_val]], y[order[:n_val]]
