"""The twentieth split (bench/repair/specs_twentieth.py, datasets_twentieth.py): its npz files
are deterministic and shaped as its specs expect, its mismatch files' validation part
really comes from another distribution in the way each names, and its cases cover every
status and cause of docs/ARCHITECTURE.md section 5 with the split's counts. No servers, no
training."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from bench.repair import datasets_twentieth, specs
from bench.repair.specs_twentieth import TWENTIETH
from tests.bench.npz_files import (
    assert_deterministic,
    assert_mismatch_files,
    assert_written_as_generated,
    centroid_accuracy,
    linear_residual_variance,
    read_back,
)

NAMES = sorted(datasets_twentieth.GENERATORS)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, np.ndarray]]:
    """Every s20 file as datasets.write_all writes it, read back."""
    return read_back(tmp_path_factory.mktemp("s20"), NAMES)


def _deflection(x: np.ndarray) -> np.ndarray:
    """The beam's standardised tip deflection 4 F L^3 / (E b h^3), written out again."""
    mean, std = datasets_twentieth._beam_scale()
    x = x.astype(np.float64)
    d = 4.0 * x[:, 0] * x[:, 1] ** 3 / (x[:, 2] * x[:, 3] * x[:, 4] ** 3)
    return (d - mean) / std


def _triangle_labels(x: np.ndarray) -> np.ndarray:
    """2 * obtuse + clockwise of each row (x1, y1, x2, y2, x3, y3), from the geometry:
    the sign of the cross product, and a negative dot product at some corner."""
    p = x.astype(np.float64).reshape(-1, 3, 2)
    a, b, c = p[:, 0], p[:, 1], p[:, 2]
    cross = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    obtuse = np.zeros(len(p), bool)
    for at, u, v in ((a, b, c), (b, c, a), (c, a, b)):
        obtuse |= ((u - at) * (v - at)).sum(axis=1) < 0
    return 2 * obtuse.astype(np.int64) + (cross < 0).astype(np.int64)


def _sorted_values(x: np.ndarray) -> np.ndarray:
    """Place-free features of (N, 1, L) recordings: their values sorted."""
    return np.sort(x[:, 0, :], axis=1)


def test_every_generator_is_deterministic_and_named_s20(tmp_path: Path) -> None:
    assert_deterministic(datasets_twentieth.GENERATORS, "s20_", tmp_path)


def test_written_files_hold_the_generated_arrays(files, tmp_path: Path) -> None:
    assert_written_as_generated(datasets_twentieth.GENERATORS, files, tmp_path)


def test_shapes_and_class_balance(files) -> None:
    pulses = files["s20_pulses.npz"]
    assert pulses["x"].shape == (2400, 1, 48) and pulses["x"].dtype == np.float32
    assert np.bincount(pulses["y"]).tolist() == [600] * 4
    triangles = files["s20_triangles.npz"]
    assert triangles["x"].shape == (2400, 6) and triangles["x"].dtype == np.float32
    assert np.bincount(triangles["y"]).tolist() == [600] * 4
    assert float(np.abs(triangles["x"]).max()) <= 1.0
    beam = files["s20_beam.npz"]
    assert beam["x"].shape == (2400, 8) and beam["y"].shape == (2400,)
    assert beam["y"].dtype == np.float32
    assert abs(float(beam["y"].mean())) < 0.1 and 0.9 < float(beam["y"].std()) < 1.1
    # a linear fit leaves about a fifth of the variance: a linear model plateaus above
    # curves.py's underfitting bar (0.15), an MLP does not
    assert 0.17 < linear_residual_variance(beam["x"], beam["y"]) < 0.3

    shapes = {
        "s20_pulses_offset.npz": ((2000, 1, 48), (500, 1, 48)),
        "s20_beam_centimetres.npz": ((1800, 8), (400, 8)),
        "s20_triangles_screen.npz": ((2000, 6), (500, 6)),
        "s20_digits_recoded.npz": ((1397, 64), (400, 64)),
        "s20_wine_rejoined.npz": ((130, 13), (48, 13)),
    }
    assert_mismatch_files(files, shapes)


def test_pulse_labels_count_the_bumps(files) -> None:
    d = files["s20_pulses.npz"]
    # every bump adds about the same area: the mean area grows by a step per class
    area = d["x"][:, 0, :].astype(np.float64).sum(axis=1)
    means = [float(area[d["y"] == c].mean()) for c in range(4)]
    steps = np.diff(means)
    assert np.all(steps > 2.0) and np.all(steps < 4.5)


def test_beam_targets_follow_the_deflection_formula(files) -> None:
    d = files["s20_beam.npz"]
    # 1% measurement noise on the deflection, nothing else
    assert float(np.var(_deflection(d["x"]) - d["y"])) < 0.01
    # the three extra columns do not enter it
    assert np.corrcoef(d["x"][:, 5], d["y"])[0, 1] ** 2 < 0.01


def test_triangle_labels_follow_the_geometry(files) -> None:
    d = files["s20_triangles.npz"]
    assert np.array_equal(_triangle_labels(d["x"]), d["y"])
    # a centroid of raw coordinates knows nothing of either property
    assert centroid_accuracy(d["x"][:1800], d["y"][:1800], d["x"][1800:], d["y"][1800:]) < 0.4


def test_pulse_validation_carries_a_sensor_offset(files) -> None:
    d = files["s20_pulses_offset.npz"]
    shift = float(d["x_val"].mean() - d["x"].mean())
    assert abs(shift - datasets_twentieth.PULSE_OFFSET) < 0.05
    f, f_val = _sorted_values(d["x"]), _sorted_values(d["x_val"])
    as_stored = centroid_accuracy(f, d["y"], f_val, d["y_val"])
    restored = centroid_accuracy(f, d["y"], f_val - datasets_twentieth.PULSE_OFFSET, d["y_val"])
    assert restored > 0.6 and as_stored < 0.3
    # the offset is all that differs: the spread of the recordings is the training one
    assert abs(float(d["x_val"].std()) - float(d["x"].std())) < 0.03


def test_beam_validation_length_is_in_centimetres(files) -> None:
    d = files["s20_beam_centimetres.npz"]
    assert 0.69 < d["x"][:, 1].min() and d["x"][:, 1].max() < 1.31
    assert 69.0 < d["x_val"][:, 1].min() and d["x_val"][:, 1].max() < 131.0
    # the other columns are exported alike
    others = [0, 2, 3, 4, 5, 6, 7]
    ratio = d["x_val"][:, others].mean(axis=0) / d["x"][:, others].mean(axis=0)
    assert np.all((ratio > 0.9) & (ratio < 1.1))
    assert float(np.var(_deflection(d["x"]) - d["y"])) < 0.01
    metres = d["x_val"].copy()
    metres[:, 1] /= 100.0
    assert float(np.var(_deflection(metres) - d["y_val"])) < 0.01
    assert float(np.var(_deflection(d["x_val"]) - d["y_val"])) > 1e6


def test_triangle_validation_is_mirrored(files) -> None:
    d = files["s20_triangles_screen.npz"]
    assert np.array_equal(_triangle_labels(d["x"]), d["y"])
    seen = _triangle_labels(d["x_val"])
    # mirrored: every winding is the other one, every angle the same
    assert np.all(seen % 2 != d["y_val"] % 2)
    assert np.array_equal(seen // 2, d["y_val"] // 2)
    flipped_back = d["x_val"].copy()
    flipped_back[:, 1::2] *= -1.0
    assert np.array_equal(_triangle_labels(flipped_back), d["y_val"])
    # the coordinates themselves look like the training ones
    assert abs(float(d["x_val"].mean()) - float(d["x"].mean())) < 0.05


def test_digits_validation_labels_are_recoded(files) -> None:
    d = files["s20_digits_recoded.npz"]
    as_stored = centroid_accuracy(d["x"], d["y"], d["x_val"], d["y_val"])
    decoded = centroid_accuracy(d["x"], d["y"], d["x_val"], 9 - d["y_val"])
    assert decoded > 0.85 and as_stored < 0.1
    # the images are the training set's kind (pixels 0-16, the same ink)
    assert d["x_val"].min() >= 0 and d["x_val"].max() <= 16
    assert abs(float(d["x_val"].mean()) - float(d["x"].mean())) < 0.5


def test_wine_validation_labels_are_joined_to_other_rows(files) -> None:
    d = files["s20_wine_rejoined.npz"]
    ratio = d["x_val"].mean(axis=0) / d["x"].mean(axis=0)
    assert np.all((ratio > 0.7) & (ratio < 1.4))
    as_stored = centroid_accuracy(d["x"], d["y"], d["x_val"], d["y_val"])
    realigned = centroid_accuracy(d["x"], d["y"], d["x_val"], np.roll(d["y_val"], -17))
    majority = float(np.bincount(d["y"]).max() / len(d["y"]))
    assert realigned > 0.9 and as_stored < majority


def test_cases_cover_every_status_and_cause() -> None:
    specs.check()
    cases = specs.cases("twentieth")
    assert len(cases) == 120 and len(TWENTIETH) == 60
    assert {c["split"] for c in cases} == {"twentieth"}
    assert {c["seed"] for c in cases} == {0, 1}
    labels = {(c["label"]["status"], c["label"]["cause"]) for c in cases}
    table = {(status, cause) for status in specs.STATUSES if status != "insufficient_data"
             for cause in specs.CAUSES.get(status, (None,))}
    assert labels == table
    counts = Counter((s.status, s.cause) for s in TWENTIETH)
    assert counts == {
        ("healthy", None): 13,
        ("underfitting", "model_bias"): 4,
        ("underfitting", "optimization_issue"): 4,
        ("underfitting", "undertrained"): 4,
        ("overfitting", None): 5,
        ("stuck", "lr_too_low"): 3,
        ("stuck", "lr_too_high"): 3,
        ("stuck", "vanishing_gradient"): 3,
        ("stuck", "saturated_loss"): 3,
        ("stuck", "critical_point"): 3,
        ("oscillating", None): 5,
        ("diverging", None): 5,
        ("mismatch", None): 5,
    }
    prefixes = {"healthy": "healthy", "underfitting": "underfit", "overfitting": "overfit",
                "stuck": "stuck", "oscillating": "oscillate", "diverging": "diverge",
                "mismatch": "mismatch"}
    for s in TWENTIETH:
        assert s.name.startswith(f"f20_{prefixes[s.status]}_"), s.name
        data = s.spec["dataset"]
        if data["name"] == "npz":
            assert data["path"] in datasets_twentieth.GENERATORS, s.name
        if s.status == "overfitting":
            assert data.get("n_train"), s.name
        if s.status == "mismatch":
            assert data["name"] == "npz" and "val_fraction" not in data, s.name
    names = [s.name for s in TWENTIETH]
    assert len(names) == len(set(names))


def test_the_split_mixes_datasets_models_and_run_lengths() -> None:
    builtins = {"mnist1d", "digits", "wine", "breast_cancer", "iris", "synthetic_images"}
    used = {s.spec["dataset"]["name"] for s in TWENTIETH}
    assert builtins <= used
    paths = {s.spec["dataset"]["path"] for s in TWENTIETH if s.spec["dataset"]["name"] == "npz"}
    assert paths == set(datasets_twentieth.GENERATORS)
    assert len({s.spec["model"]["arch"] for s in TWENTIETH}) >= 3
    epochs = [s.spec["training"]["epochs"] for s in TWENTIETH]
    assert min(epochs) <= 3 and max(epochs) >= 200
