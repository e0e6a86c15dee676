"""The sixteenth split (bench/repair/specs_sixteenth.py, datasets_sixteenth.py): its npz
files are deterministic and shaped as its specs expect, its mismatch files' validation part
really comes from another distribution in the way each names, and its cases cover every
status and cause of docs/ARCHITECTURE.md section 5. No servers, no training."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.repair import datasets_sixteenth, specs
from bench.repair.arrays import holdout, sklearn_classes
from bench.repair.specs_sixteenth import SIXTEENTH
from tests.bench.npz_files import (
    assert_deterministic,
    assert_mismatch_files,
    assert_written_as_generated,
    centroid_accuracy,
    linear_residual_variance,
    read_back,
)

NAMES = sorted(datasets_sixteenth.GENERATORS)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, np.ndarray]]:
    """Every s16 file as datasets.write_all writes it, read back."""
    return read_back(tmp_path_factory.mktemp("s16"), NAMES)



def _halves_energy(x: np.ndarray) -> np.ndarray:
    """Time-asymmetry features of (N, 1, L) signals: the energy of each quarter and the
    mean absolute first difference (a frequency proxy) of each quarter, per signal."""
    s = x[:, 0, :].astype(np.float64)
    s = s - s.mean(axis=1, keepdims=True)
    quarters = np.split(s, 4, axis=1)
    energy = [np.mean(q**2, axis=1) for q in quarters]
    wiggle = [np.mean(np.abs(np.diff(q, axis=1)), axis=1) / (np.std(q, axis=1) + 1e-8)
              for q in quarters]
    return np.stack(energy + wiggle, axis=1)


def test_every_generator_is_deterministic_and_named_s16(tmp_path: Path) -> None:
    assert_deterministic(datasets_sixteenth.GENERATORS, "s16_", tmp_path)


def test_written_files_hold_the_generated_arrays(files, tmp_path: Path) -> None:
    assert_written_as_generated(datasets_sixteenth.GENERATORS, files, tmp_path)


def test_shapes_and_class_balance(files) -> None:
    chirps = files["s16_chirps.npz"]
    assert chirps["x"].shape == (2400, 1, 64) and chirps["x"].dtype == np.float32
    assert np.bincount(chirps["y"]).tolist() == [600] * 4
    rings = files["s16_rings.npz"]
    assert rings["x"].shape == (1600, 4)
    assert np.bincount(rings["y"]).tolist() == [400] * 4
    # the ring index is the rounded radius: the classes are separable, but not linearly
    radius = np.hypot(rings["x"][:, 0], rings["x"][:, 1])
    assert float((np.clip(np.rint(radius), 1, 4) - 1 == rings["y"]).mean()) > 0.99
    assert centroid_accuracy(rings["x"], rings["y"], rings["x"], rings["y"]) < 0.45
    housing = files["s16_housing.npz"]
    assert housing["x"].shape == (2000, 6) and housing["y"].shape == (2000,)
    assert housing["y"].dtype == np.float32
    assert abs(float(housing["y"].mean())) < 0.1 and 0.9 < float(housing["y"].std()) < 1.1
    # a linear fit leaves a good part of the variance: a linear model underfits
    assert 0.25 < linear_residual_variance(housing["x"], housing["y"]) < 0.6

    shapes = {
        "s16_chirps_reversed.npz": ((1800, 1, 64), (400, 1, 64)),
        "s16_housing_wrong_target.npz": ((1600, 6), (400, 6)),
        "s16_iris_sorted_rows.npz": ((120, 4), (30, 4)),
        "s16_breast_cancer_prestandardised.npz": ((419, 30), (150, 30)),
        "s16_digits_transposed.npz": ((1397, 64), (400, 64)),
    }
    assert_mismatch_files(files, shapes)


def test_chirps_validation_recordings_are_time_reversed(files) -> None:
    d = files["s16_chirps_reversed.npz"]
    f, f_val = _halves_energy(d["x"]), _halves_energy(d["x_val"])
    as_stored = centroid_accuracy(f, d["y"], f_val, d["y_val"])
    restored = centroid_accuracy(f, d["y"], _halves_energy(d["x_val"][:, :, ::-1]),
                                  d["y_val"])
    assert restored > 0.8 and as_stored < 0.2
    # reversed, each class looks like its partner: rising <-> falling, plucked <-> swelled
    partner = np.array([1, 0, 3, 2])
    assert centroid_accuracy(f, d["y"], f_val, partner[d["y_val"]]) > 0.8
    # the recordings' levels are alike: only the direction of time differs
    assert abs(float(d["x_val"].std()) - float(d["x"].std())) < 0.05


def test_housing_validation_target_is_another_field(files) -> None:
    d = files["s16_housing_wrong_target.npz"]
    mean, std = datasets_sixteenth._housing_scale()

    def target(x: np.ndarray) -> np.ndarray:
        return (datasets_sixteenth._housing_raw(x) - mean) / std

    # the training part follows the formula up to its noise
    assert float(np.var(target(d["x"]) - d["y"])) < 0.03
    # the validation target does not: it falls as the target rises, at the same scale
    assert float(np.corrcoef(target(d["x_val"]), d["y_val"])[0, 1]) < -0.4
    assert 0.7 < float(d["y_val"].std()) < 1.3
    assert float(np.mean((target(d["x_val"]) - d["y_val"]) ** 2)) > 1.5
    # the validation inputs come from the same distribution as the training ones
    assert np.allclose(d["x_val"].mean(axis=0), d["x"].mean(axis=0), atol=0.1)


def test_iris_validation_rows_were_sorted_without_their_labels(files) -> None:
    d = files["s16_iris_sorted_rows.npz"]
    assert np.all(np.diff(d["x_val"][:, 0]) >= 0)  # sorted by sepal length
    x, y = sklearn_classes("iris")
    _, _, x_val, y_val = holdout(x, y, 30, seed=1633)
    # the same rows and the same label column, only the rows moved
    np.testing.assert_array_equal(np.sort(d["x_val"], axis=0), np.sort(x_val, axis=0))
    np.testing.assert_array_equal(d["y_val"], y_val)
    as_stored = centroid_accuracy(d["x"], d["y"], d["x_val"], d["y_val"])
    honest = centroid_accuracy(d["x"], d["y"], x_val, y_val)
    assert honest > 0.85 and as_stored < 0.45


def test_breast_cancer_validation_was_standardised_apart(files) -> None:
    d = files["s16_breast_cancer_prestandardised.npz"]
    assert np.allclose(d["x_val"].mean(axis=0), 0.0, atol=1e-4)
    assert np.allclose(d["x_val"].std(axis=0), 1.0, atol=1e-3)
    assert float(d["x"].mean(axis=0).max()) > 100  # the training export is raw
    # standardised with the training statistics (as the engine does), half the validation
    # values lie beyond 5 training standard deviations, almost no training value does
    mu, sigma = d["x"].mean(axis=0), d["x"].std(axis=0)
    z, z_val = (d["x"] - mu) / sigma, (d["x_val"] - mu) / sigma
    assert float((np.abs(z_val) > 5).mean()) > 0.4 and float((np.abs(z) > 5).mean()) < 0.01
    # a logistic regression fitted on the training part is no better than the majority
    # class on the validation part as stored, and near perfect once it is put back in
    # the training units (with the training part's statistics, as an approximation)
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(max_iter=5000).fit(z, d["y"])
    majority = float(np.bincount(d["y"]).max() / len(d["y"]))
    assert model.score(z_val, d["y_val"]) < majority + 0.05
    assert model.score(d["x_val"], d["y_val"]) > 0.9  # x_val * sigma + mu, standardised


def test_digits_validation_images_are_transposed(files) -> None:
    d = files["s16_digits_transposed.npz"]

    def transpose(x: np.ndarray) -> np.ndarray:
        return x.reshape(-1, 8, 8).transpose(0, 2, 1).reshape(-1, 64)

    as_stored = centroid_accuracy(d["x"], d["y"], d["x_val"], d["y_val"])
    restored = centroid_accuracy(d["x"], d["y"], transpose(d["x_val"]), d["y_val"])
    assert restored > 0.85 and as_stored < 0.2
    # the same ink, only its layout differs
    assert abs(float(d["x_val"].mean()) - float(d["x"].mean())) < 0.5


def test_cases_cover_every_status_and_cause() -> None:
    specs.check()
    cases = specs.cases("sixteenth")
    assert len(cases) == 120 and len(SIXTEENTH) == 60
    assert {c["split"] for c in cases} == {"sixteenth"}
    assert {c["seed"] for c in cases} == {0, 1}
    labels = {(c["label"]["status"], c["label"]["cause"]) for c in cases}
    table = {(status, cause) for status in specs.STATUSES if status != "insufficient_data"
             for cause in specs.CAUSES.get(status, (None,))}
    assert labels == table
    for s in SIXTEENTH:
        assert s.name.startswith("f16_"), s.name
        data = s.spec["dataset"]
        if data["name"] == "npz":
            assert data["path"] in datasets_sixteenth.GENERATORS, s.name
        if s.status == "overfitting":
            assert data.get("n_train"), s.name
        if s.status == "mismatch":
            assert data["name"] == "npz" and "val_fraction" not in data, s.name
    names = [s.name for s in SIXTEENTH]
    assert len(names) == len(set(names))
