"""The benchmark's own `npz` files: regression targets and train/validation mismatches.

Every file is generated deterministically (fixed generator seeds, independent of the job's
seed) from the engine's own datasets (mnist1d, scikit-learn's bundled sets, the procedural
images) or from a formula, and written into `<data_dir>/` under the names `specs.py` uses as
`dataset.path`. The worker resolves a relative `dataset.path` against
`FITDOC_DATA_DIR/datasets`, so the runner calls `write_all(FITDOC_DATA_DIR / "datasets")`;
the in-process validation passes the same folder as `data_dir` to `train`.

A mismatch file holds `x, y` (the training set) and `x_val, y_val` (the validation set,
used as is because the specs leave `val_fraction` unset), where the validation set comes
from another distribution than the training set in one of the ways data pipelines break:
a label map shifted between two exports, a feature order scrambled in one export, a
calibration offset in the validation features, a target computed by another formula.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.repair import (
    datasets_eighteenth,
    datasets_eighth,
    datasets_eleventh,
    datasets_fifteenth,
    datasets_fifth,
    datasets_fourteenth,
    datasets_fourth,
    datasets_fresh,
    datasets_nineteenth,
    datasets_ninth,
    datasets_seventeenth,
    datasets_seventh,
    datasets_sixteenth,
    datasets_sixth,
    datasets_tenth,
    datasets_thirteenth,
    datasets_twelfth,
    datasets_twentieth,
)
from bench.repair.arrays import holdout, sklearn_classes

# Bump when a generator changes, so that a stale file in a kept data dir is rewritten.
VERSION = 2


def _save(path: Path, **arrays: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _mnist1d(data_dir: Path) -> tuple[np.ndarray, ...]:
    """mnist1d's own train/test arrays, (N, 1, 40), through the engine's loader (cached in
    data_dir/mnist1d like the engine's)."""
    from workers.training.config import DatasetConfig
    from workers.training.data import load_mnist1d

    arrays = load_mnist1d(DatasetConfig(name="mnist1d"), data_dir)
    return arrays.x, arrays.y, arrays.x_val, arrays.y_val


# --- regression ---------------------------------------------------------------------------


def _friedman(x: np.ndarray) -> np.ndarray:
    """Friedman's #1 function on the first five features (the rest are noise features)."""
    return (10 * np.sin(np.pi * x[:, 0] * x[:, 1]) + 20 * (x[:, 2] - 0.5) ** 2
            + 10 * x[:, 3] + 5 * x[:, 4])


def _friedman_arrays(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 1.0, (n, 10)).astype(np.float32)
    y = _friedman(x) + rng.normal(0.0, 1.0, n)
    # Targets standardised once with fixed constants (mean 14.4, std 5.0 of the function on
    # U[0,1]^10), as one would before training: the loss then starts near 1.
    return x, ((y - 14.4) / 5.0).astype(np.float32)


def regression_friedman(data_dir: Path) -> dict[str, np.ndarray]:
    """2000 samples of a smooth nonlinear function of 5 of 10 features, plus noise (the
    noise floor of the MSE is 0.04); no validation arrays: the spec's val_fraction splits."""
    x, y = _friedman_arrays(2000, seed=11)
    return {"x": x, "y": y}


def regression_concept_shift(data_dir: Path) -> dict[str, np.ndarray]:
    """Train on Friedman #1; the validation export stores the target with the opposite sign
    (another sign convention for the same quantity)."""
    x, y = _friedman_arrays(1600, seed=12)
    x_val, y_val = _friedman_arrays(400, seed=13)
    return {"x": x, "y": y, "x_val": x_val, "y_val": -y_val}


# --- classification mismatches ------------------------------------------------------------


def mnist1d_label_shift(data_dir: Path) -> dict[str, np.ndarray]:
    """mnist1d's training set; its test set as validation with every label shifted by one
    class (c -> c+1 mod 10): two exports with different class index maps."""
    x, y, x_val, y_val = _mnist1d(data_dir)
    return {"x": x[:2500], "y": y[:2500], "x_val": x_val, "y_val": (y_val + 1) % 10}


def mnist1d_reversed(data_dir: Path) -> dict[str, np.ndarray]:
    """mnist1d; validation sequences stored time-reversed and negated (another recording
    convention), labels intact."""
    x, y, x_val, y_val = _mnist1d(data_dir)
    return {"x": x[:2500], "y": y[:2500], "x_val": -x_val[:, :, ::-1].copy(), "y_val": y_val}


def digits_permuted_features(data_dir: Path) -> dict[str, np.ndarray]:
    """digits; the validation images' 64 pixels in another (fixed random) order: a column
    order scrambled in one export."""
    x, y = sklearn_classes("digits")
    x, y, x_val, y_val = holdout(x, y, 400, seed=21)
    perm = np.random.default_rng(22).permutation(x.shape[1])
    return {"x": x, "y": y, "x_val": x_val[:, perm], "y_val": y_val}


def wine_unit_shift(data_dir: Path) -> dict[str, np.ndarray]:
    """wine; every validation feature offset by +5 training standard deviations (an
    instrument calibrated differently)."""
    x, y = sklearn_classes("wine")
    x, y, x_val, y_val = holdout(x, y, 50, seed=31)
    return {"x": x, "y": y, "x_val": x_val + 5.0 * x.std(axis=0), "y_val": y_val}


def breast_cancer_label_flip(data_dir: Path) -> dict[str, np.ndarray]:
    """breast_cancer; the validation labels coded the other way round (malignant 1 instead
    of 0), as when two exports disagree on the positive class."""
    x, y = sklearn_classes("breast_cancer")
    x, y, x_val, y_val = holdout(x, y, 120, seed=41)
    return {"x": x, "y": y, "x_val": x_val, "y_val": 1 - y_val}


def iris_label_shift(data_dir: Path) -> dict[str, np.ndarray]:
    """iris; validation labels cycled (c -> c+1 mod 3)."""
    x, y = sklearn_classes("iris")
    x, y, x_val, y_val = holdout(x, y, 30, seed=51)
    return {"x": x, "y": y, "x_val": x_val, "y_val": (y_val + 1) % 3}


def images_label_shift(data_dir: Path) -> dict[str, np.ndarray]:
    """Procedural images (uint8, 3x32x32), 1500 to train; the 300 validation images'
    labels mapped through a fixed permutation of the 10 classes (no class keeps its index)."""
    from workers.training.data import make_synthetic_images

    x, y = make_synthetic_images(1800, seed=61)
    perm = np.roll(np.arange(10), 3)  # c -> c-3 mod 10: a derangement
    return {"x": x[:1500], "y": y[:1500], "x_val": x[1500:], "y_val": perm[y[1500:]]}


GENERATORS: dict[str, Callable[[Path], dict[str, np.ndarray]]] = {
    "repair_friedman.npz": regression_friedman,
    "repair_friedman_concept_shift.npz": regression_concept_shift,
    "repair_mnist1d_label_shift.npz": mnist1d_label_shift,
    "repair_mnist1d_reversed.npz": mnist1d_reversed,
    "repair_digits_permuted.npz": digits_permuted_features,
    "repair_wine_unit_shift.npz": wine_unit_shift,
    "repair_breast_cancer_flip.npz": breast_cancer_label_flip,
    "repair_iris_label_shift.npz": iris_label_shift,
    "repair_images_label_shift.npz": images_label_shift,
}

# The dataset each file is made from (regression: a formula), for the summary tables.
NPZ_SOURCE = {
    "repair_friedman.npz": "regression",
    "repair_friedman_concept_shift.npz": "regression",
    "repair_mnist1d_label_shift.npz": "mnist1d",
    "repair_mnist1d_reversed.npz": "mnist1d",
    "repair_digits_permuted.npz": "digits",
    "repair_wine_unit_shift.npz": "wine",
    "repair_breast_cancer_flip.npz": "breast_cancer",
    "repair_iris_label_shift.npz": "iris",
    "repair_images_label_shift.npz": "synthetic_images",
}

# The fresh split's files (specs_fresh.py) are written with the others.
GENERATORS.update(datasets_fresh.GENERATORS)
NPZ_SOURCE.update(datasets_fresh.NPZ_SOURCE)
# And the fourth split's (specs_fourth.py).
GENERATORS.update(datasets_fourth.GENERATORS)
NPZ_SOURCE.update(datasets_fourth.NPZ_SOURCE)
# And the fifth split's (specs_fifth.py).
GENERATORS.update(datasets_fifth.GENERATORS)
NPZ_SOURCE.update(datasets_fifth.NPZ_SOURCE)
# And the sixth split's (specs_sixth.py).
GENERATORS.update(datasets_sixth.GENERATORS)
NPZ_SOURCE.update(datasets_sixth.NPZ_SOURCE)
# And the seventh split's (specs_seventh.py).
GENERATORS.update(datasets_seventh.GENERATORS)
NPZ_SOURCE.update(datasets_seventh.NPZ_SOURCE)
# And the eighth split's (specs_eighth.py).
GENERATORS.update(datasets_eighth.GENERATORS)
NPZ_SOURCE.update(datasets_eighth.NPZ_SOURCE)
# And the ninth split's (specs_ninth.py).
GENERATORS.update(datasets_ninth.GENERATORS)
NPZ_SOURCE.update(datasets_ninth.NPZ_SOURCE)
# And the tenth split's (specs_tenth.py).
GENERATORS.update(datasets_tenth.GENERATORS)
NPZ_SOURCE.update(datasets_tenth.NPZ_SOURCE)
# And the eleventh split's (specs_eleventh.py).
GENERATORS.update(datasets_eleventh.GENERATORS)
NPZ_SOURCE.update(datasets_eleventh.NPZ_SOURCE)
# And the twelfth split's (specs_twelfth.py).
GENERATORS.update(datasets_twelfth.GENERATORS)
NPZ_SOURCE.update(datasets_twelfth.NPZ_SOURCE)
# And the thirteenth split's (specs_thirteenth.py).
GENERATORS.update(datasets_thirteenth.GENERATORS)
NPZ_SOURCE.update(datasets_thirteenth.NPZ_SOURCE)
# And the fourteenth split's (specs_fourteenth.py).
GENERATORS.update(datasets_fourteenth.GENERATORS)
NPZ_SOURCE.update(datasets_fourteenth.NPZ_SOURCE)
# And the fifteenth split's (specs_fifteenth.py).
GENERATORS.update(datasets_fifteenth.GENERATORS)
NPZ_SOURCE.update(datasets_fifteenth.NPZ_SOURCE)
# And the sixteenth split's (specs_sixteenth.py).
GENERATORS.update(datasets_sixteenth.GENERATORS)
NPZ_SOURCE.update(datasets_sixteenth.NPZ_SOURCE)
# And the seventeenth split's (specs_seventeenth.py).
GENERATORS.update(datasets_seventeenth.GENERATORS)
NPZ_SOURCE.update(datasets_seventeenth.NPZ_SOURCE)
# And the eighteenth split's (specs_eighteenth.py).
GENERATORS.update(datasets_eighteenth.GENERATORS)
NPZ_SOURCE.update(datasets_eighteenth.NPZ_SOURCE)

GENERATORS.update(datasets_nineteenth.GENERATORS)
NPZ_SOURCE.update(datasets_nineteenth.NPZ_SOURCE)
# And the twentieth split's (specs_twentieth.py).
GENERATORS.update(datasets_twentieth.GENERATORS)
NPZ_SOURCE.update(datasets_twentieth.NPZ_SOURCE)


def write_all(data_dir: Path | str, names: list[str] | None = None) -> list[Path]:
    """Write the benchmark's npz files into data_dir (what `train` gets as data_dir, i.e.
    FITDOC_DATA_DIR/datasets for the service); existing files of this VERSION are kept."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    stamp = data_dir / f".repair-npz-v{VERSION}"
    written = []
    for name, make in GENERATORS.items():
        if names is not None and name not in names:
            continue
        path = data_dir / name
        if not (path.exists() and stamp.exists()):
            _save(path, **make(data_dir))
        written.append(path)
    if names is None:
        stamp.touch()
    return written
