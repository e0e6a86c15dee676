"""The fourteenth split (bench/repair/specs_fourteenth.py, datasets_fourteenth.py): its npz
files are deterministic and shaped as its specs expect, its mismatch files' validation part
really comes from another distribution in the way each names, and its cases cover every
status and cause of docs/ARCHITECTURE.md section 5. No servers, no training."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.repair import datasets_fourteenth, specs
from bench.repair.specs_fourteenth import FOURTEENTH
from tests.bench.npz_files import (
    assert_deterministic,
    assert_mismatch_files,
    assert_written_as_generated,
    centroid_accuracy,
    linear_residual_variance,
    read_back,
)

NAMES = sorted(datasets_fourteenth.GENERATORS)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, np.ndarray]]:
    """Every s14 file as datasets.write_all writes it, read back."""
    return read_back(tmp_path_factory.mktemp("s14"), NAMES)



def _wave_features(x: np.ndarray) -> np.ndarray:
    """Phase- and frequency-free features of (N, 1, L) signals: the sorted standardised
    values and the sorted first differences (their distributions)."""
    s = x[:, 0, :].astype(np.float64)
    s = (s - s.mean(axis=1, keepdims=True)) / (s.std(axis=1, keepdims=True) + 1e-8)
    return np.concatenate([np.sort(s, axis=1), np.sort(np.diff(s, axis=1), axis=1)], axis=1)


def test_every_generator_is_deterministic_and_named_s14(tmp_path: Path) -> None:
    assert_deterministic(datasets_fourteenth.GENERATORS, "s14_", tmp_path)


def test_written_files_hold_the_generated_arrays(files, tmp_path: Path) -> None:
    assert_written_as_generated(datasets_fourteenth.GENERATORS, files, tmp_path)


def test_shapes_and_class_balance(files) -> None:
    waves = files["s14_waveforms.npz"]
    assert waves["x"].shape == (2400, 1, 64) and waves["x"].dtype == np.float32
    assert np.bincount(waves["y"]).tolist() == [480] * 5
    spirals = files["s14_spirals.npz"]
    assert spirals["x"].shape == (1800, 4)
    assert np.bincount(spirals["y"]).tolist() == [600] * 3
    reactor = files["s14_reactor.npz"]
    assert reactor["x"].shape == (2400, 8) and reactor["y"].shape == (2400,)
    assert reactor["y"].dtype == np.float32
    assert abs(float(reactor["y"].mean())) < 0.1 and 0.9 < float(reactor["y"].std()) < 1.1
    # a linear fit leaves about half the variance: a linear model underfits, an MLP does not
    assert 0.3 < linear_residual_variance(reactor["x"], reactor["y"]) < 0.7

    shapes = {
        "s14_reactor_reversed_columns.npz": ((1800, 8), (400, 8)),
        "s14_waveforms_relabelled.npz": ((2000, 1, 64), (500, 1, 64)),
        "s14_digits_inverted.npz": ((1397, 64), (400, 64)),
        "s14_iris_swapped_columns.npz": ((120, 4), (30, 4)),
        "s14_breast_cancer_misaligned.npz": ((419, 30), (150, 30)),
    }
    assert_mismatch_files(files, shapes)


def test_reactor_validation_columns_are_reversed(files) -> None:
    d = files["s14_reactor_reversed_columns.npz"]
    mean, std = datasets_fourteenth._reactor_scale()

    def formula(x: np.ndarray) -> np.ndarray:
        x = x.astype(np.float64)
        y = (1.2 * np.sin(np.pi * x[:, 0]) * x[:, 1] + 1.5 * x[:, 2] ** 2
             - 1.0 * x[:, 3] * x[:, 4] + 0.8 * np.cos(np.pi * x[:, 5])
             + 1.1 * x[:, 6] - 0.7 * x[:, 1])
        return (y - mean) / std

    # the training part follows the formula up to its noise
    assert float(np.var(formula(d["x"]) - d["y"])) < 0.02
    # the validation part does only once its columns are put back in order
    assert float(np.var(formula(d["x_val"][:, ::-1]) - d["y_val"])) < 0.02
    assert float(np.var(formula(d["x_val"]) - d["y_val"])) > 1.0


def test_waveform_validation_labels_follow_another_class_map(files) -> None:
    d = files["s14_waveforms_relabelled.npz"]
    f, f_val = _wave_features(d["x"]), _wave_features(d["x_val"])
    as_stored = centroid_accuracy(f, d["y"], f_val, d["y_val"])
    mapped_back = centroid_accuracy(f, d["y"], f_val, (d["y_val"] - 2) % 5)
    assert mapped_back > 0.7 and as_stored < 0.3
    # the validation signals themselves look like the training ones
    assert abs(float(d["x_val"].std()) - float(d["x"].std())) < 0.05


def test_digits_validation_ink_is_inverted(files) -> None:
    d = files["s14_digits_inverted.npz"]
    assert float(d["x"].mean()) < 6.0 and float(d["x_val"].mean()) > 10.0
    as_stored = centroid_accuracy(d["x"], d["y"], d["x_val"], d["y_val"])
    restored = centroid_accuracy(d["x"], d["y"], 16.0 - d["x_val"], d["y_val"])
    assert restored > 0.8 and as_stored < 0.3


def test_iris_validation_columns_are_swapped(files) -> None:
    d = files["s14_iris_swapped_columns.npz"]
    train_means, val_means = d["x"].mean(axis=0), d["x_val"].mean(axis=0)
    # the first validation column measures what the third training column does
    assert abs(val_means[0] - train_means[2]) < abs(val_means[0] - train_means[0])
    as_stored = centroid_accuracy(d["x"], d["y"], d["x_val"], d["y_val"])
    restored = centroid_accuracy(d["x"], d["y"], d["x_val"][:, [2, 3, 0, 1]], d["y_val"])
    assert restored >= 0.75 and as_stored < 0.5


def test_breast_cancer_validation_labels_are_misaligned(files) -> None:
    d = files["s14_breast_cancer_misaligned.npz"]
    # the features are the same kind as the training ones (same scale per column)
    ratio = d["x_val"].mean(axis=0) / d["x"].mean(axis=0)
    assert np.all((ratio > 0.7) & (ratio < 1.4))
    as_stored = centroid_accuracy(d["x"], d["y"], d["x_val"], d["y_val"])
    realigned = centroid_accuracy(d["x"], d["y"], d["x_val"], np.roll(d["y_val"], -7))
    majority = float(np.bincount(d["y"]).max() / len(d["y"]))
    assert realigned > 0.85 and as_stored < majority


def test_cases_cover_every_status_and_cause() -> None:
    specs.check()
    cases = specs.cases("fourteenth")
    assert len(cases) == 120 and len(FOURTEENTH) == 60
    assert {c["split"] for c in cases} == {"fourteenth"}
    assert {c["seed"] for c in cases} == {0, 1}
    labels = {(c["label"]["status"], c["label"]["cause"]) for c in cases}
    table = {(status, cause) for status in specs.STATUSES if status != "insufficient_data"
             for cause in specs.CAUSES.get(status, (None,))}
    assert labels == table
    for s in FOURTEENTH:
        data = s.spec["dataset"]
        if data["name"] == "npz":
            assert data["path"] in datasets_fourteenth.GENERATORS, s.name
        if s.status == "overfitting":
            assert data.get("n_train"), s.name
    names = [s.name for s in FOURTEENTH]
    assert len(names) == len(set(names))
