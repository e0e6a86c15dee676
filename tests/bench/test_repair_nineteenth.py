"""The nineteenth split (bench/repair/specs_nineteenth.py, datasets_nineteenth.py): its npz
files are deterministic and shaped as its specs expect, its mismatch files' validation part
really comes from another distribution in the way each names, and its cases cover every
status and cause of docs/ARCHITECTURE.md section 5. No servers, no training."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.repair import datasets_nineteenth, specs
from bench.repair.specs_nineteenth import NINETEENTH
from tests.bench.npz_files import (
    assert_deterministic,
    assert_mismatch_files,
    assert_written_as_generated,
    centroid_accuracy,
    linear_residual_variance,
    read_back,
)

NAMES = sorted(datasets_nineteenth.GENERATORS)
BUILT_INS = {"mnist1d", "digits", "wine", "breast_cancer", "iris", "synthetic_images"}
WORDS = {"healthy": "healthy", "underfitting": "underfit", "overfitting": "overfit",
         "stuck": "stuck", "oscillating": "oscillate", "diverging": "diverge",
         "mismatch": "mismatch"}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, np.ndarray]]:
    """Every s19 file as datasets.write_all writes it, read back."""
    return read_back(tmp_path_factory.mktemp("s19"), NAMES)


def _spectrogram(x: np.ndarray) -> np.ndarray:
    """Phase-free features of (N, 1, L) records: the magnitude spectrum of each quarter
    of the record (how the frequency content moves along it)."""
    s = x[:, 0, :].astype(np.float64)
    s = s - s.mean(axis=1, keepdims=True)
    quarters = np.split(s, 4, axis=1)
    return np.concatenate([np.abs(np.fft.rfft(q, axis=1)) for q in quarters], axis=1)


def test_every_generator_is_deterministic_and_named_s19(tmp_path: Path) -> None:
    assert_deterministic(datasets_nineteenth.GENERATORS, "s19_", tmp_path)


def test_written_files_hold_the_generated_arrays(files, tmp_path: Path) -> None:
    assert_written_as_generated(datasets_nineteenth.GENERATORS, files, tmp_path)


def test_shapes_and_class_balance(files) -> None:
    tides = files["s19_tides.npz"]
    assert tides["x"].shape == (2000, 1, 64) and tides["x"].dtype == np.float32
    assert np.bincount(tides["y"]).tolist() == [500] * 4
    shells = files["s19_shells.npz"]
    assert shells["x"].shape == (1800, 5)
    assert np.bincount(shells["y"]).tolist() == [600] * 3
    kiln = files["s19_kiln.npz"]
    assert kiln["x"].shape == (2400, 6) and kiln["y"].shape == (2400,)
    assert kiln["y"].dtype == np.float32
    assert abs(float(kiln["y"].mean())) < 0.1 and 0.9 < float(kiln["y"].std()) < 1.1
    # a linear fit leaves most of the variance: a linear model underfits, an MLP does not
    assert 0.3 < linear_residual_variance(kiln["x"], kiln["y"]) < 0.8

    shapes = {
        "s19_kiln_sign_flipped.npz": ((1600, 6), (400, 6)),
        "s19_tides_alphabetical.npz": ((1600, 1, 64), (400, 1, 64)),
        "s19_digits_complement.npz": ((1397, 64), (400, 64)),
        "s19_breast_cancer_rejoined.npz": ((419, 30), (150, 30)),
        "s19_shells_drifted.npz": ((1200, 5), (300, 5)),
    }
    assert_mismatch_files(files, shapes)


def test_shells_are_nested_with_gaps(files) -> None:
    d = files["s19_shells.npz"]
    radius = np.linalg.norm(d["x"][:, :3], axis=1)
    for c, (lo, hi) in enumerate(datasets_nineteenth.SHELL_BANDS):
        r = radius[d["y"] == c]
        assert lo - 1e-5 <= r.min() and r.max() <= hi + 1e-5


def test_kiln_validation_sign_is_flipped(files) -> None:
    d = files["s19_kiln_sign_flipped.npz"]
    noise = datasets_nineteenth.KILN_NOISE**2
    # the training part follows the formula up to its noise
    assert float(np.var(datasets_nineteenth.kiln_target(d["x"]) - d["y"])) < 2 * noise
    # the validation part does only once its sign is put back
    assert float(np.var(datasets_nineteenth.kiln_target(d["x_val"]) + d["y_val"])) < 2 * noise
    assert float(np.mean((datasets_nineteenth.kiln_target(d["x_val"]) - d["y_val"]) ** 2)) > 2


def test_tides_validation_labels_follow_the_alphabetical_map(files) -> None:
    d = files["s19_tides_alphabetical.npz"]
    f, f_val = _spectrogram(d["x"]), _spectrogram(d["x_val"])
    back = np.argsort(datasets_nineteenth.ALPHABETICAL)  # alphabetical rank -> training code
    as_stored = centroid_accuracy(f, d["y"], f_val, d["y_val"])
    mapped_back = centroid_accuracy(f, d["y"], f_val, back[d["y_val"]])
    assert mapped_back > 0.7 and as_stored < 0.3
    # no class keeps its index, and the records themselves look like the training ones
    assert np.all(datasets_nineteenth.ALPHABETICAL != np.arange(4))
    assert abs(float(d["x_val"].std()) - float(d["x"].std())) < 0.05


def test_digits_validation_labels_are_complemented(files) -> None:
    d = files["s19_digits_complement.npz"]
    as_stored = centroid_accuracy(d["x"], d["y"], d["x_val"], d["y_val"])
    restored = centroid_accuracy(d["x"], d["y"], d["x_val"], 9 - d["y_val"])
    assert restored > 0.8 and as_stored < 0.2


def test_breast_cancer_validation_labels_belong_to_other_rows(files) -> None:
    d = files["s19_breast_cancer_rejoined.npz"]
    ratio = d["x_val"].mean(axis=0) / d["x"].mean(axis=0)
    assert np.all((ratio > 0.7) & (ratio < 1.4))
    as_stored = centroid_accuracy(d["x"], d["y"], d["x_val"], d["y_val"])
    other = np.random.default_rng(1925).permutation(len(d["y_val"]))
    rejoined = np.empty_like(d["y_val"])
    rejoined[other] = d["y_val"]
    realigned = centroid_accuracy(d["x"], d["y"], d["x_val"], rejoined)
    majority = float(np.bincount(d["y"]).max() / len(d["y"]))
    assert realigned > 0.85 and as_stored < majority


def test_shells_validation_zero_drifted(files) -> None:
    d = files["s19_shells_drifted.npz"]
    shift = d["x_val"].mean(axis=0) - d["x"].mean(axis=0)
    assert np.all(np.abs(shift[:3] - 2.5) < 0.3) and np.all(np.abs(shift[3:]) < 0.3)
    radius = np.linalg.norm(d["x_val"][:, :3] - 2.5, axis=1)
    for c, (lo, hi) in enumerate(datasets_nineteenth.SHELL_BANDS):
        r = radius[d["y_val"] == c]
        assert lo - 1e-5 <= r.min() and r.max() <= hi + 1e-5


def test_cases_cover_every_status_and_cause() -> None:
    specs.check()
    cases = specs.cases("nineteenth")
    assert len(cases) == 120 and len(NINETEENTH) == 60
    assert {c["split"] for c in cases} == {"nineteenth"}
    assert {c["seed"] for c in cases} == {0, 1}
    labels = {(c["label"]["status"], c["label"]["cause"]) for c in cases}
    table = {(status, cause) for status in specs.STATUSES if status != "insufficient_data"
             for cause in specs.CAUSES.get(status, (None,))}
    assert labels == table
    assert sum(s.status != "healthy" for s in NINETEENTH) == 47
    used = set()
    for s in NINETEENTH:
        assert s.name.startswith(f"f19_{WORDS[s.status]}_"), s.name
        assert (s.kind == "sound_recipe") == (s.status == "healthy"), s.name
        data = s.spec["dataset"]
        used.add(data["name"])
        if data["name"] == "npz":
            assert data["path"] in datasets_nineteenth.GENERATORS, s.name
        if s.status == "overfitting":
            assert data.get("n_train"), s.name
        if s.status == "mismatch":
            assert data["name"] == "npz" and "val_fraction" not in data, s.name
    assert BUILT_INS | {"npz"} <= used
    assert {s.spec["model"]["arch"] for s in NINETEENTH} >= {"mlp", "linear", "cnn1d", "cnn"}
    names = [s.name for s in NINETEENTH]
    assert len(names) == len(set(names))
