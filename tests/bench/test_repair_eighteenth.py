"""The eighteenth split (bench/repair/specs_eighteenth.py, datasets_eighteenth.py): its npz
files are deterministic and shaped as its specs expect, its mismatch files' validation part
really comes from another distribution in the way each names, and its cases cover every
status and cause of docs/ARCHITECTURE.md section 5. No servers, no training."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from bench.repair import datasets_eighteenth, specs
from bench.repair.specs_eighteenth import EIGHTEENTH
from tests.bench.npz_files import (
    assert_deterministic,
    assert_mismatch_files,
    assert_written_as_generated,
    centroid_accuracy,
    linear_residual_variance,
    read_back,
)

NAMES = sorted(datasets_eighteenth.GENERATORS)
WORDS = {"healthy": "healthy", "underfitting": "underfit", "overfitting": "overfit",
         "stuck": "stuck", "oscillating": "oscillate", "diverging": "diverge",
         "mismatch": "mismatch"}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, np.ndarray]]:
    """Every s18 file as datasets.write_all writes it, read back."""
    return read_back(tmp_path_factory.mktemp("s18"), NAMES)


def _direction_features(x: np.ndarray) -> np.ndarray:
    """Phase-free features of (N, 1, L) signals that tell the direction of time: the
    signal's energy and its zero crossings in each quarter of the window."""
    s = x[:, 0, :].astype(np.float64)
    s = s - s.mean(axis=1, keepdims=True)
    quarters = np.split(s, 4, axis=1)
    energy = [np.mean(q**2, axis=1) for q in quarters]
    crossings = [np.mean(np.diff(np.sign(q), axis=1) != 0, axis=1) for q in quarters]
    return np.stack(energy + crossings, axis=1)


def test_every_generator_is_deterministic_and_named_s18(tmp_path: Path) -> None:
    assert_deterministic(datasets_eighteenth.GENERATORS, "s18_", tmp_path)


def test_written_files_hold_the_generated_arrays(files, tmp_path: Path) -> None:
    assert_written_as_generated(datasets_eighteenth.GENERATORS, files, tmp_path)


def test_shapes_and_class_balance(files) -> None:
    chirps = files["s18_chirps.npz"]
    assert chirps["x"].shape == (2000, 1, 48) and chirps["x"].dtype == np.float32
    assert np.bincount(chirps["y"]).tolist() == [500] * 4
    shells = files["s18_shells.npz"]
    assert shells["x"].shape == (1500, 5)
    assert np.bincount(shells["y"]).tolist() == [500] * 3
    # the shells are separated by radius, with margins
    radius = np.linalg.norm(shells["x"][:, :3], axis=1)
    for c in range(2):
        assert radius[shells["y"] == c].max() < radius[shells["y"] == c + 1].min()
    orbital = files["s18_orbital.npz"]
    assert orbital["x"].shape == (2400, 8) and orbital["y"].shape == (2400,)
    assert orbital["y"].dtype == np.float32
    assert abs(float(orbital["y"].mean())) < 0.1 and 0.9 < float(orbital["y"].std()) < 1.1
    # a linear fit leaves a sizeable part of the variance: a linear model underfits
    assert 0.18 < linear_residual_variance(orbital["x"], orbital["y"]) < 0.5

    shapes = {
        "s18_chirps_reversed.npz": ((1600, 1, 48), (400, 1, 48)),
        "s18_orbital_sign.npz": ((1600, 8), (400, 8)),
        "s18_shells_outside_in.npz": ((1200, 5), (300, 5)),
        "s18_digits_transposed.npz": ((1397, 64), (400, 64)),
        "s18_wine_prescaled.npz": ((130, 13), (48, 13)),
    }
    assert_mismatch_files(files, shapes)


def test_chirp_validation_signals_run_backwards(files) -> None:
    d = files["s18_chirps_reversed.npz"]
    f, f_val = _direction_features(d["x"]), _direction_features(d["x_val"])
    as_stored = centroid_accuracy(f, d["y"], f_val, d["y_val"])
    restored = centroid_accuracy(f, d["y"], _direction_features(d["x_val"][:, :, ::-1]),
                                 d["y_val"])
    assert restored > 0.8 and as_stored < 0.3
    # the validation signals have the training ones' scale
    assert abs(float(d["x_val"].std()) - float(d["x"].std())) < 0.05


def test_orbital_validation_target_has_the_other_sign(files) -> None:
    d = files["s18_orbital_sign.npz"]
    design = np.c_[d["x"], np.ones(len(d["x"]))]
    coef = np.linalg.lstsq(design, d["y"], rcond=None)[0]
    fitted = np.c_[d["x_val"], np.ones(len(d["x_val"]))] @ coef
    assert np.corrcoef(fitted, d["y_val"])[0, 1] < -0.7
    assert np.corrcoef(fitted, -d["y_val"])[0, 1] > 0.7


def test_shells_validation_labels_count_from_outside(files) -> None:
    d = files["s18_shells_outside_in.npz"]
    radius = np.linalg.norm(d["x_val"][:, :3], axis=1)
    # as stored, a larger label means a smaller shell; 2 - label puts it back
    assert radius[d["y_val"] == 0].min() > radius[d["y_val"] == 2].max()
    train_radius = np.linalg.norm(d["x"][:, :3], axis=1)
    assert train_radius[d["y"] == 2].min() > train_radius[d["y"] == 0].max()


def test_digits_validation_images_are_transposed(files) -> None:
    d = files["s18_digits_transposed.npz"]
    as_stored = centroid_accuracy(d["x"], d["y"], d["x_val"], d["y_val"])
    restored = d["x_val"].reshape(-1, 8, 8).transpose(0, 2, 1).reshape(-1, 64)
    assert centroid_accuracy(d["x"], d["y"], restored, d["y_val"]) > 0.8
    assert as_stored < 0.25


def test_wine_validation_features_arrive_standardised(files) -> None:
    d = files["s18_wine_prescaled.npz"]
    np.testing.assert_allclose(d["x_val"].mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(d["x_val"].std(axis=0), 1.0, atol=1e-3)
    assert float(d["x"].mean(axis=0).max()) > 100.0  # raw units (proline) for training
    as_stored = centroid_accuracy(d["x"], d["y"], d["x_val"], d["y_val"])
    # put back in the training set's units (its own statistics, near the validation's)
    restored = d["x_val"] * d["x"].std(axis=0) + d["x"].mean(axis=0)
    restored_accuracy = centroid_accuracy(d["x"], d["y"], restored, d["y_val"])
    assert restored_accuracy > 0.85 and as_stored < restored_accuracy - 0.2


def test_cases_cover_every_status_and_cause() -> None:
    specs.check()
    cases = specs.cases("eighteenth")
    assert len(cases) == 120 and len(EIGHTEENTH) == 60
    assert {c["split"] for c in cases} == {"eighteenth"}
    assert {c["seed"] for c in cases} == {0, 1}
    labels = {(c["label"]["status"], c["label"]["cause"]) for c in cases}
    table = {(status, cause) for status in specs.STATUSES if status != "insufficient_data"
             for cause in specs.CAUSES.get(status, (None,))}
    assert labels == table
    datasets = set()
    for s in EIGHTEENTH:
        assert re.match(rf"f18_{WORDS[s.status]}_", s.name), s.name
        assert (s.kind == "sound_recipe") == (s.status == "healthy"), s.name
        data = s.spec["dataset"]
        datasets.add(data.get("path") or data["name"])
        if data["name"] == "npz":
            assert data["path"] in datasets_eighteenth.GENERATORS, s.name
        if s.status == "overfitting":
            assert data.get("n_train"), s.name
        if s.status == "mismatch":
            assert data["name"] == "npz" and "val_fraction" not in data, s.name
    assert {"mnist1d", "digits", "wine", "breast_cancer", "iris",
            "synthetic_images"} <= datasets
    assert set(NAMES) <= datasets
    assert {s.spec["model"]["arch"] for s in EIGHTEENTH} == {"mlp", "linear", "cnn1d", "cnn"}
    names = [s.name for s in EIGHTEENTH]
    assert len(names) == len(set(names))
    counts: dict[tuple[str, str | None], int] = {}
    for s in EIGHTEENTH:
        counts[(s.status, s.cause)] = counts.get((s.status, s.cause), 0) + 1
    assert counts[("healthy", None)] == 13
    assert all(counts[(status, None)] == 5 for status in
               ("overfitting", "oscillating", "diverging", "mismatch"))
    assert all(counts[("underfitting", c)] == 4 for c in specs.CAUSES["underfitting"])
    assert all(counts[("stuck", c)] == 3 for c in specs.CAUSES["stuck"])
