"""What the late splits' npz tests share (tests/bench/test_repair_<split>.py): the files as
the benchmark writes them, read back, and a nearest-centroid yardstick that tells whether
a validation part comes from the training part's distribution."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.repair import datasets


def read_back(where: Path, names: list[str]) -> dict[str, dict[str, np.ndarray]]:
    """The files `names` as datasets.write_all writes them into `where`, read back."""
    datasets.write_all(where, names=names)
    out = {}
    for name in names:
        with np.load(where / name) as d:
            out[name] = {k: d[k] for k in d.files}
    return out


def centroid_accuracy(x: np.ndarray, y: np.ndarray, x_test: np.ndarray,
                      y_test: np.ndarray) -> float:
    """A nearest-centroid classifier fitted on (x, y), standardised with x's statistics
    (inputs of any shape, flattened per sample)."""
    x, x_test = x.reshape(len(x), -1), x_test.reshape(len(x_test), -1)
    mu, sigma = x.mean(axis=0), x.std(axis=0) + 1e-8
    z, z_test = (x - mu) / sigma, (x_test - mu) / sigma
    classes = np.unique(y)
    centroids = np.stack([z[y == c].mean(axis=0) for c in classes])
    dist = ((z_test[:, None, :] - centroids[None]) ** 2).sum(axis=2)
    return float((classes[dist.argmin(axis=1)] == y_test).mean())


def linear_residual_variance(x: np.ndarray, y: np.ndarray) -> float:
    """The variance a least-squares linear fit (with an intercept) leaves of targets `y`:
    how much of a regression a linear model cannot fit."""
    design = np.c_[x, np.ones(len(x))]
    return float((y - design @ np.linalg.lstsq(design, y, rcond=None)[0]).var())


def assert_deterministic(generators: dict, prefix: str, where: Path) -> None:
    """Every generator of a split is named `<prefix>*.npz`, registered in datasets.py, and
    makes the same arrays, bit for bit, each time it is called."""
    for name, make in generators.items():
        assert name.startswith(prefix) and name.endswith(".npz")
        assert name in datasets.GENERATORS and name in datasets.NPZ_SOURCE
        first, second = make(where), make(where)
        assert sorted(first) == sorted(second)
        for key in first:
            assert first[key].dtype == second[key].dtype
            assert first[key].tobytes() == second[key].tobytes(), (name, key)


def assert_written_as_generated(generators: dict, files: dict[str, dict[str, np.ndarray]],
                                where: Path) -> None:
    """The files datasets.write_all wrote (`files`, read back) hold what each generator
    makes."""
    for name, make in generators.items():
        made = make(where)
        assert sorted(made) == sorted(files[name])
        for key, array in made.items():
            np.testing.assert_array_equal(array, files[name][key])


def assert_mismatch_files(files: dict[str, dict[str, np.ndarray]],
                          shapes: dict[str, tuple[tuple[int, ...], tuple[int, ...]]]) -> None:
    """Each mismatch file's training and validation inputs have the shapes given, with a
    label per row; a classifier's file holds every class in both parts, none under a third
    of the largest."""
    for name, (train, val) in shapes.items():
        d = files[name]
        assert d["x"].shape == train and d["x_val"].shape == val, name
        assert len(d["y"]) == train[0] and len(d["y_val"]) == val[0], name
        if d["y"].dtype.kind == "i":
            counts = np.bincount(d["y"])
            assert counts.min() >= counts.max() / 3, name
            assert set(np.unique(d["y_val"])) == set(np.unique(d["y"])), name
