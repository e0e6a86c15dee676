"""The seventeenth split (bench/repair/specs_seventeenth.py, datasets_seventeenth.py): its npz
files are deterministic and shaped as its specs expect, its mismatch files' validation part
really comes from another distribution in the way each names, and its cases cover every
status and cause of docs/ARCHITECTURE.md section 5. No servers, no training."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.repair import datasets_seventeenth, specs
from bench.repair.arrays import holdout, sklearn_classes
from bench.repair.specs_seventeenth import SEVENTEENTH
from tests.bench.npz_files import (
    assert_deterministic,
    assert_mismatch_files,
    assert_written_as_generated,
    centroid_accuracy,
    linear_residual_variance,
    read_back,
)

NAMES = sorted(datasets_seventeenth.GENERATORS)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, np.ndarray]]:
    """Every s17 file as datasets.write_all writes it, read back."""
    return read_back(tmp_path_factory.mktemp("s17"), NAMES)


def _snippet_features(x: np.ndarray) -> np.ndarray:
    """Time-asymmetric, phase-free features of (N, 1, L) snippets: the energy and the
    number of zero crossings (a frequency) of each half, the snippet's mean removed."""
    s = x[:, 0, :].astype(np.float64)
    s = s - s.mean(axis=1, keepdims=True)
    half = s.shape[1] // 2

    def crossings(a: np.ndarray) -> np.ndarray:
        return (np.diff(np.sign(a), axis=1) != 0).sum(axis=1)

    return np.c_[(s[:, :half] ** 2).mean(axis=1), (s[:, half:] ** 2).mean(axis=1),
                 crossings(s[:, :half]), crossings(s[:, half:])]


def _rate(x: np.ndarray) -> np.ndarray:
    """The kinetics formula in standardised units."""
    mean, std = datasets_seventeenth._rate_scale()
    return (datasets_seventeenth._rate(x.astype(np.float64)) - mean) / std


def test_every_generator_is_deterministic_and_named_s17(tmp_path: Path) -> None:
    assert_deterministic(datasets_seventeenth.GENERATORS, "s17_", tmp_path)


def test_written_files_hold_the_generated_arrays(files, tmp_path: Path) -> None:
    assert_written_as_generated(datasets_seventeenth.GENERATORS, files, tmp_path)


def test_shapes_and_class_balance(files) -> None:
    chirps = files["s17_chirps.npz"]
    assert chirps["x"].shape == (2400, 1, 64) and chirps["x"].dtype == np.float32
    assert np.bincount(chirps["y"]).tolist() == [600] * 4
    shells = files["s17_shells.npz"]
    assert shells["x"].shape == (2000, 6)
    assert np.bincount(shells["y"]).tolist() == [500] * 4
    # the two shells do not touch, and each class's half-space is the sign of x0
    radius = np.linalg.norm(shells["x"][:, :3], axis=1)
    assert radius[shells["y"] < 2].max() < 1.01 and radius[shells["y"] >= 2].min() > 1.39
    assert np.all((shells["x"][:, 0] > 0) == (shells["y"] % 2 == 1))
    kinetics = files["s17_kinetics.npz"]
    assert kinetics["x"].shape == (2400, 7) and kinetics["y"].shape == (2400,)
    assert kinetics["y"].dtype == np.float32
    assert abs(float(kinetics["y"].mean())) < 0.1 and 0.9 < float(kinetics["y"].std()) < 1.1
    # the targets follow the formula up to their noise, and a linear fit leaves about 40%
    # of the variance: a linear model underfits, an MLP does not
    assert float(np.var(_rate(kinetics["x"]) - kinetics["y"])) < 0.03
    assert 0.25 < linear_residual_variance(kinetics["x"], kinetics["y"]) < 0.6

    shapes = {
        "s17_chirps_reversed_buffer.npz": ((2000, 1, 64), (500, 1, 64)),
        "s17_kinetics_sorted_target.npz": ((1800, 7), (400, 7)),
        "s17_wine_row_normalised.npz": ((138, 13), (40, 13)),
        "s17_mnist1d_delta_encoded.npz": ((3000, 1, 40), (1000, 1, 40)),
        "s17_digits_column_major.npz": ((1397, 64), (400, 64)),
    }
    assert_mismatch_files(files, shapes)


def test_chirps_validation_snippets_are_time_reversed(files) -> None:
    d = files["s17_chirps_reversed_buffer.npz"]
    f = _snippet_features(d["x"])
    as_stored = centroid_accuracy(f, d["y"], _snippet_features(d["x_val"]), d["y_val"])
    turned_back = centroid_accuracy(f, d["y"], _snippet_features(d["x_val"][:, :, ::-1]),
                                    d["y_val"])
    assert turned_back > 0.8 and as_stored < 0.1
    # the validation snippets are the same kind of signal (same loudness)
    assert abs(float(d["x_val"].std()) - float(d["x"].std())) < 0.05


def test_kinetics_validation_targets_were_sorted_apart_from_their_rows(files) -> None:
    d = files["s17_kinetics_sorted_target.npz"]
    assert float(np.var(_rate(d["x"]) - d["y"])) < 0.03
    assert np.all(np.diff(d["y_val"]) >= 0)
    # the rows' own rates, sorted, are the stored column up to noise; row by row they are not
    assert float(np.var(np.sort(_rate(d["x_val"])) - d["y_val"])) < 0.01
    assert float(np.var(_rate(d["x_val"]) - d["y_val"])) > 1.0


def test_wine_validation_rows_are_scaled_to_unit_length(files) -> None:
    d = files["s17_wine_row_normalised.npz"]
    np.testing.assert_allclose(np.linalg.norm(d["x_val"], axis=1), 1.0, rtol=1e-5)
    # they are the held-out wine samples, each divided by its own length
    x, y = sklearn_classes("wine")
    _, _, x_val, y_val = holdout(x, y, 40, seed=1743)
    np.testing.assert_array_equal(d["y_val"], y_val)
    np.testing.assert_allclose(d["x_val"] * np.linalg.norm(x_val, axis=1, keepdims=True),
                               x_val, rtol=1e-4)
    majority = float(np.bincount(d["y"]).max() / len(d["y"]))
    assert centroid_accuracy(d["x"], d["y"], x_val, y_val) > 0.85
    assert centroid_accuracy(d["x"], d["y"], d["x_val"], d["y_val"]) < majority


def test_mnist1d_validation_sequences_are_delta_encoded(files) -> None:
    d = files["s17_mnist1d_delta_encoded.npz"]
    decoded = np.cumsum(d["x_val"].astype(np.float64), axis=2)
    # decoded, they have the training sequences' scale; as stored, not
    assert abs(float(decoded.std()) - float(d["x"].std())) < 0.1
    assert float(d["x_val"].std()) < 0.75 * float(d["x"].std())
    as_stored = centroid_accuracy(d["x"], d["y"], d["x_val"], d["y_val"])
    restored = centroid_accuracy(d["x"], d["y"], decoded, d["y_val"])
    assert restored > as_stored + 0.1 and as_stored < 0.15


def test_digits_validation_images_are_transposed(files) -> None:
    d = files["s17_digits_column_major.npz"]
    back = d["x_val"].reshape(-1, 8, 8).transpose(0, 2, 1).reshape(-1, 64)
    as_stored = centroid_accuracy(d["x"], d["y"], d["x_val"], d["y_val"])
    restored = centroid_accuracy(d["x"], d["y"], back, d["y_val"])
    assert restored > 0.8 and as_stored < 0.2


def test_cases_cover_every_status_and_cause() -> None:
    specs.check()
    cases = specs.cases("seventeenth")
    assert len(cases) == 120 and len(SEVENTEENTH) == 60
    assert {c["split"] for c in cases} == {"seventeenth"}
    assert {c["seed"] for c in cases} == {0, 1}
    labels = {(c["label"]["status"], c["label"]["cause"]) for c in cases}
    table = {(status, cause) for status in specs.STATUSES if status != "insufficient_data"
             for cause in specs.CAUSES.get(status, (None,))}
    assert labels == table
    counts: dict[tuple[str, str | None], int] = {}
    for s in SEVENTEENTH:
        counts[(s.status, s.cause)] = counts.get((s.status, s.cause), 0) + 1
    assert counts[("healthy", None)] == 13
    assert all(counts[key] == 4 for key in table if key[0] == "underfitting")
    assert all(counts[key] == 3 for key in table if key[0] == "stuck")
    assert all(counts[(status, None)] == 5 for status in
               ("overfitting", "oscillating", "diverging", "mismatch"))
    builtins = set()
    for s in SEVENTEENTH:
        assert s.name.startswith("f17_"), s.name
        data = s.spec["dataset"]
        if data["name"] == "npz":
            assert data["path"] in datasets_seventeenth.GENERATORS, s.name
            if s.status == "mismatch":
                assert "val_fraction" not in data, s.name
        else:
            builtins.add(data["name"])
        if s.status == "overfitting":
            assert data.get("n_train"), s.name
    assert builtins == {"mnist1d", "digits", "wine", "breast_cancer", "iris",
                        "synthetic_images"}
    names = [s.name for s in SEVENTEENTH]
    assert len(names) == len(set(names))
