"""The fifteenth split (bench/repair/specs_fifteenth.py, datasets_fifteenth.py): its npz
files are deterministic and shaped as its specs expect, its mismatch files' validation part
really comes from another distribution in the way each names, and its cases cover every
status and cause of docs/ARCHITECTURE.md section 5. No servers, no training."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.repair import datasets_fifteenth, specs
from bench.repair.specs_fifteenth import FIFTEENTH
from tests.bench.npz_files import (
    assert_deterministic,
    assert_written_as_generated,
    centroid_accuracy,
    read_back,
)

NAMES = sorted(datasets_fifteenth.GENERATORS)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, np.ndarray]]:
    """Every s15 file as datasets.write_all writes it, read back."""
    return read_back(tmp_path_factory.mktemp("s15"), NAMES)



def _burst_features(x: np.ndarray) -> np.ndarray:
    """Phase-free features of (N, 2, L) recordings: each axis's peak smoothed energy (is
    there a packet on it) and, when both axes hold one, which comes first (-1, 0, +1)."""
    energy = x.astype(np.float64) ** 2
    window = np.ones(7) / 7
    smooth = np.apply_along_axis(lambda row: np.convolve(row, window, mode="same"), 2, energy)
    peak, when = smooth.max(axis=2), smooth.argmax(axis=2)
    both = (peak > 0.5).all(axis=1)  # the noise's smoothed energy stays near 0.09
    return np.c_[peak, np.where(both, np.sign(when[:, 1] - when[:, 0]), 0)]


def _least_squares(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    design = np.c_[x, np.ones(len(x))]
    return np.linalg.lstsq(design, y, rcond=None)[0]


def test_every_generator_is_deterministic_and_named_s15(tmp_path: Path) -> None:
    assert_deterministic(datasets_fifteenth.GENERATORS, "s15_", tmp_path)


def test_written_files_hold_the_generated_arrays(files, tmp_path: Path) -> None:
    assert_written_as_generated(datasets_fifteenth.GENERATORS, files, tmp_path)


def test_shapes_and_class_balance(files) -> None:
    bearing = files["s15_bearing.npz"]
    assert bearing["x"].shape == (2400, 2, 64) and bearing["x"].dtype == np.float32
    assert np.bincount(bearing["y"]).tolist() == [600] * 4
    shells = files["s15_shells.npz"]
    assert shells["x"].shape == (1800, 6)
    assert np.bincount(shells["y"]).tolist() == [600] * 3
    meter = files["s15_meter.npz"]
    assert meter["x"].shape == (2400, 6) and meter["y"].shape == (2400,)
    assert meter["y"].dtype == np.float32
    assert abs(float(meter["y"].mean())) < 0.1 and 0.9 < float(meter["y"].std()) < 1.1
    # a linear fit leaves about half the variance: a linear model underfits, an MLP does not
    residual = meter["y"] - np.c_[meter["x"], np.ones(2400)] @ _least_squares(meter["x"],
                                                                              meter["y"])
    assert 0.3 < float(residual.var()) < 0.6
    watt = files["s15_meter_watt_hours.npz"]
    assert watt["x"].shape == (2400, 6) and watt["y"].dtype == np.float32
    assert 2000 < float(watt["y"].mean()) < 3000 and 500 < float(watt["y"].std()) < 700

    shapes = {
        "s15_bearing_swapped_axes.npz": ((2000, 2, 64), (400, 2, 64)),
        "s15_meter_other_target.npz": ((1600, 6), (400, 6)),
        "s15_iris_inches.npz": ((120, 4), (30, 4)),
        "s15_wine_one_based.npz": ((138, 13), (40, 13)),
        "s15_images_sorted_names.npz": ((1500, 3, 32, 32), (300, 3, 32, 32)),
    }
    for name, (train, val) in shapes.items():
        d = files[name]
        assert d["x"].shape == train and d["x_val"].shape == val, name
        assert len(d["y"]) == train[0] and len(d["y_val"]) == val[0], name
        if d["y"].dtype.kind == "i":
            counts = np.bincount(d["y"])
            # every class present, none under a third of the largest
            assert counts.min() >= counts.max() / 3, name


def test_shells_are_radial_and_not_linear(files) -> None:
    d = files["s15_shells.npz"]
    radius = np.linalg.norm(d["x"][:, :3], axis=1)
    for c, (low, high) in enumerate(datasets_fifteenth.SHELL_RADII):
        assert radius[d["y"] == c].min() >= low - 1e-5
        assert radius[d["y"] == c].max() <= high + 1e-5
    # the class means coincide (the shells are centred), so a nearest-centroid (linear)
    # rule is near chance on the raw features, and perfect on the radius
    raw = centroid_accuracy(d["x"][:1200], d["y"][:1200], d["x"][1200:], d["y"][1200:])
    r = radius[:, None]
    by_radius = centroid_accuracy(r[:1200], d["y"][:1200], r[1200:], d["y"][1200:])
    assert raw < 0.5 and by_radius > 0.98


def test_bearing_classes_need_the_axes_and_their_order(files) -> None:
    d = files["s15_bearing.npz"]
    f = _burst_features(d["x"])
    assert centroid_accuracy(f[:1800], d["y"][:1800], f[1800:], d["y"][1800:]) > 0.9
    # the raw samples' class means are near zero (random phase): a linear read fails
    raw = centroid_accuracy(d["x"][:1800], d["y"][:1800], d["x"][1800:], d["y"][1800:])
    assert raw < 0.45


def test_bearing_validation_axes_are_swapped(files) -> None:
    d = files["s15_bearing_swapped_axes.npz"]
    f, f_val = _burst_features(d["x"]), _burst_features(d["x_val"])
    as_stored = centroid_accuracy(f, d["y"], f_val, d["y_val"])
    rewired = _burst_features(d["x_val"][:, ::-1, :])
    restored = centroid_accuracy(f, d["y"], rewired, d["y_val"])
    assert restored > 0.9 and as_stored < 0.1
    # the recordings themselves look like the training ones (same noise and packets)
    assert abs(float(d["x_val"].std()) - float(d["x"].std())) < 0.05


def test_meter_validation_target_is_another_quantity(files) -> None:
    d = files["s15_meter_other_target.npz"]
    mean, std = datasets_fifteenth._scale(datasets_fifteenth._meter_formula)

    def load(x: np.ndarray) -> np.ndarray:
        return (datasets_fifteenth._meter_formula(x.astype(np.float64)) - mean) / std

    # the training part follows the load formula up to its noise
    noise = datasets_fifteenth.METER_NOISE ** 2
    assert float(np.var(load(d["x"]) - d["y"])) < 1.5 * noise
    # the validation part does not: its target is uncorrelated with the load, and the
    # load's values predict it worse than its mean does
    assert abs(float(np.corrcoef(load(d["x_val"]), d["y_val"])[0, 1])) < 0.15
    assert float(np.mean((load(d["x_val"]) - d["y_val"]) ** 2)) > 1.5 * float(d["y_val"].var())
    # ... and it follows the other formula
    o_mean, o_std = datasets_fifteenth._scale(datasets_fifteenth._other_formula)
    other = (datasets_fifteenth._other_formula(d["x_val"].astype(np.float64)) - o_mean) / o_std
    assert float(np.var(other - d["y_val"])) < 1.5 * noise


def test_iris_validation_is_in_inches(files) -> None:
    d = files["s15_iris_inches.npz"]
    ratio = d["x"].mean(axis=0) / d["x_val"].mean(axis=0)
    assert np.all((ratio > 2.0) & (ratio < 3.1))
    # every validation sepal is shorter than the shortest training one, and standardised
    # with the training statistics the validation features sit far below the training's
    assert d["x_val"][:, 0].max() < d["x"][:, 0].min()
    z = (d["x_val"] - d["x"].mean(axis=0)) / d["x"].std(axis=0)
    assert np.all(z.mean(axis=0) < -0.9) and float(z.mean()) < -2.0
    in_cm = centroid_accuracy(d["x"], d["y"], d["x_val"] * datasets_fifteenth.CM_PER_INCH,
                               d["y_val"])
    assert in_cm > 0.8


def test_wine_validation_classes_count_from_one(files) -> None:
    d = files["s15_wine_one_based.npz"]
    assert sorted(np.unique(d["y"])) == [0, 1, 2]
    assert sorted(np.unique(d["y_val"])) == [1, 2, 3]
    as_stored = centroid_accuracy(d["x"], d["y"], d["x_val"], d["y_val"])
    zero_based = centroid_accuracy(d["x"], d["y"], d["x_val"], d["y_val"] - 1)
    assert zero_based > 0.85 and as_stored < 0.1
    # the features are the same kind as the training ones (same scale per column)
    ratio = d["x_val"].mean(axis=0) / d["x"].mean(axis=0)
    assert np.all((ratio > 0.7) & (ratio < 1.4))


def test_images_validation_labels_index_sorted_names(files) -> None:
    d = files["s15_images_sorted_names.npz"]
    index = datasets_fifteenth.SORTED_INDEX
    names = datasets_fifteenth.SHAPE_NAMES
    assert [sorted(names)[i] for i in index] == list(names)
    assert not np.any(index == np.arange(10))  # no class keeps its index
    # the stored validation labels are the generator's labels mapped by name order
    from workers.training.data import make_synthetic_images

    _, y = make_synthetic_images(1800, seed=1551)
    np.testing.assert_array_equal(d["y"], y[:1500])
    np.testing.assert_array_equal(d["y_val"], index[y[1500:]])
    assert not np.any(d["y_val"] == y[1500:])
    np.testing.assert_array_equal(np.sort(np.unique(d["y_val"])), np.arange(10))


def test_cases_cover_every_status_and_cause() -> None:
    specs.check()
    cases = specs.cases("fifteenth")
    assert len(cases) == 120 and len(FIFTEENTH) == 60
    assert {c["split"] for c in cases} == {"fifteenth"}
    assert {c["seed"] for c in cases} == {0, 1}
    labels = {(c["label"]["status"], c["label"]["cause"]) for c in cases}
    table = {(status, cause) for status in specs.STATUSES if status != "insufficient_data"
             for cause in specs.CAUSES.get(status, (None,))}
    assert labels == table
    for s in FIFTEENTH:
        assert s.name.startswith("f15_"), s.name
        data = s.spec["dataset"]
        if data["name"] == "npz":
            assert data["path"] in datasets_fifteenth.GENERATORS, s.name
        if s.status == "mismatch":
            # the file's own validation part is the one validated on
            assert data["name"] == "npz" and "val_fraction" not in data, s.name
        if s.status == "overfitting":
            assert data.get("n_train"), s.name
    names = [s.name for s in FIFTEENTH]
    assert len(names) == len(set(names))
