"""bench/repair: the benchmark set is well formed (labels, split, specs the API accepts), its
curve reading and its scoring do what they say. Nothing here trains a model or starts the
service."""

from __future__ import annotations

import json
import math
from collections import Counter

import numpy as np
import pytest
from sklearn.datasets import load_digits

from bench.repair import (
    curves,
    datasets,
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
    run,
    score,
    specs,
    validate,
)
from bench.repair.arrays import sklearn_classes
from bench.repair.specs_eighteenth import EIGHTEENTH
from bench.repair.specs_eighth import EIGHTH
from bench.repair.specs_eleventh import ELEVENTH
from bench.repair.specs_fifteenth import FIFTEENTH
from bench.repair.specs_fifth import FIFTH
from bench.repair.specs_fourteenth import FOURTEENTH
from bench.repair.specs_fourth import FOURTH
from bench.repair.specs_fresh import FRESH
from bench.repair.specs_nineteenth import NINETEENTH
from bench.repair.specs_ninth import NINTH
from bench.repair.specs_seventeenth import SEVENTEENTH
from bench.repair.specs_seventh import SEVENTH
from bench.repair.specs_sixteenth import SIXTEENTH
from bench.repair.specs_sixth import SIXTH
from bench.repair.specs_tenth import TENTH
from bench.repair.specs_thirteenth import THIRTEENTH
from bench.repair.specs_twelfth import TWELFTH
from bench.repair.specs_twentieth import TWENTIETH
from service.catalogue import check_spec
from service.schemas import JobSpec
from workers.training import TrainConfig, check_config


def test_the_set_is_large_varied_and_split_in_balanced_halves():
    specs.check()
    faulty = [s for s in specs.SPECS if s.status != "healthy"]
    healthy = [s for s in specs.SPECS if s.status == "healthy"]
    assert len(faulty) >= 64 and len(healthy) >= 16
    labels = Counter((s.status, s.cause) for s in specs.SPECS)
    assert all(n >= 4 for n in labels.values()), labels
    assert {st for st, _ in labels} == set(specs.STATUSES) - {"insufficient_data"}
    assert {c for _, c in labels if c} == {c for cs in specs.CAUSES.values() for c in cs}
    described = [specs.describe(s.spec) for s in specs.SPECS]
    plain = {d["dataset"] for d in described if not d["dataset"].startswith("npz:")}
    assert plain >= {"mnist1d", "digits", "wine", "breast_cancer", "iris", "synthetic_images"}
    assert {d["family"] for d in described} >= {"linear", "mlp", "cnn1d", "cnn"}
    assert min(d["epochs"] for d in described) <= 8 and max(d["epochs"] for d in described) >= 30
    cases = specs.cases()
    assert len(cases) == 2 * len(specs.SPECS)
    for case in cases:  # both seeds of a spec in the same half, seeds in the spec
        assert case["split"] == specs.SPLIT[case["base"]]
        assert case["spec"]["training"]["seed"] == case["seed"]
        assert case["spec"]["dataset"]["seed"] == case["seed"]
    halves = Counter(c["split"] for c in cases)
    assert abs(halves["tune"] - halves["report"]) <= 2 * len(labels)


# Every spec of every split, with the generators its npz files must come from.
EVERY_SPEC = [
    *((s, datasets.GENERATORS) for s in (*specs.SPECS, *FRESH)),
    *((s, datasets_fourth.GENERATORS) for s in FOURTH),
    *((s, datasets_fifth.GENERATORS) for s in FIFTH),
    *((s, datasets_sixth.GENERATORS) for s in SIXTH),
    *((s, datasets_seventh.GENERATORS) for s in SEVENTH),
    *((s, datasets_eighth.GENERATORS) for s in EIGHTH),
    *((s, datasets_ninth.GENERATORS) for s in NINTH),
    *((s, datasets_tenth.GENERATORS) for s in TENTH),
    *((s, datasets_eleventh.GENERATORS) for s in ELEVENTH),
    *((s, datasets_twelfth.GENERATORS) for s in TWELFTH),
    *((s, datasets_thirteenth.GENERATORS) for s in THIRTEENTH),
    *((s, datasets_fourteenth.GENERATORS) for s in FOURTEENTH),
    *((s, datasets_fifteenth.GENERATORS) for s in FIFTEENTH),
    *((s, datasets_sixteenth.GENERATORS) for s in SIXTEENTH),
    *((s, datasets_seventeenth.GENERATORS) for s in SEVENTEENTH),
    *((s, datasets_eighteenth.GENERATORS) for s in EIGHTEENTH),
    *((s, datasets_nineteenth.GENERATORS) for s in NINETEENTH),
    *((s, datasets_twentieth.GENERATORS) for s in TWENTIETH),
]


@pytest.mark.parametrize(("entry", "files"), EVERY_SPEC, ids=[s.name for s, _ in EVERY_SPEC])
def test_every_spec_is_a_job_the_api_and_the_engine_accept(entry, files):
    resolved = JobSpec.model_validate(entry.spec).resolved()
    check_spec(resolved)  # what POST /api/v1/jobs runs; raises SpecError (a 422)
    check_config(TrainConfig.from_dict(entry.spec))
    if entry.spec["dataset"]["name"] == "npz":
        assert entry.spec["dataset"]["path"] in files


def test_the_npz_files_hold_what_the_specs_expect(tmp_path):
    small = ["repair_friedman.npz", "repair_friedman_concept_shift.npz",
             "repair_digits_permuted.npz", "repair_wine_unit_shift.npz",
             "repair_breast_cancer_flip.npz", "repair_iris_label_shift.npz"]
    paths = datasets.write_all(tmp_path, small)
    assert [p.name for p in paths] == small
    with np.load(tmp_path / "repair_iris_label_shift.npz") as d:
        assert d["x"].shape[1] == d["x_val"].shape[1] == 4
        assert set(np.unique(d["y_val"])) <= {0, 1, 2}
    with np.load(tmp_path / "repair_friedman_concept_shift.npz") as d:
        assert d["y"].dtype == np.float32 and d["y_val"].shape == (len(d["x_val"]),)


def _hist(train, val, train_acc=None, val_acc=None):
    out = []
    for i, (t, v) in enumerate(zip(train, val, strict=True)):
        h = {"train_loss": t, "val_loss": v}
        if train_acc:
            h["train_acc"] = train_acc[i]
        if val_acc:
            h["val_acc"] = val_acc[i]
        out.append(h)
    return out


def _label(status, cause=None):
    return {"status": status, "cause": cause}


def test_the_curve_reading_tells_each_fault_from_its_neighbours():
    ln10 = math.log(10)
    stuck = _hist([ln10 + 0.01] * 8, [ln10] * 8, [0.1] * 8)
    assert curves.fault_shows(_label("stuck", "lr_too_low"), stuck, num_classes=10)[0]
    assert not curves.fault_shows(_label("underfitting", "model_bias"), stuck,
                                  num_classes=10)[0]
    diverged = _hist([2.3, 40.0, float("nan")], [2.3, 50.0, float("nan")])
    assert curves.fault_shows(_label("diverging"), diverged, num_classes=10)[0]
    assert not curves.fault_shows(_label("oscillating"), diverged, num_classes=10)[0]
    zigzag = _hist([1.0, 0.5, 1.2, 0.4, 1.1, 0.3], [1.0] * 6)
    assert curves.fault_shows(_label("oscillating"), zigzag, num_classes=2)[0]
    over = _hist([2.0, 1.5, 1.0, 0.5, 0.2, 0.05, 0.01], [2.0, 1.6, 1.5, 1.7, 2.0, 2.4, 2.9])
    assert curves.fault_shows(_label("overfitting"), over, num_classes=10)[0]
    assert not curves.fault_shows(_label("mismatch"), over, num_classes=10)[0]
    mism = _hist([2.0, 1.5, 1.0, 0.5, 0.2, 0.05], [2.5, 3.0, 3.5, 4.0, 4.5, 5.0],
                 val_acc=[0.1, 0.08, 0.05, 0.05, 0.04, 0.03])
    assert curves.fault_shows(_label("mismatch"), mism, num_classes=10)[0]
    assert not curves.fault_shows(_label("overfitting"), mism, num_classes=10)[0]
    rising = _hist([2.3, 2.0, 1.7, 1.4], [2.3, 2.0, 1.7, 1.4])
    assert curves.fault_shows(_label("underfitting", "undertrained"), rising, num_classes=10)[0]
    assert not curves.fault_shows(_label("underfitting", "model_bias"), rising,
                                  num_classes=10)[0]
    good = _hist([2.3, 0.5, 0.2, 0.1, 0.08], [2.0, 0.4, 0.25, 0.2, 0.2],
                 val_acc=[0.3, 0.8, 0.9, 0.95, 0.95])
    assert curves.fault_shows(_label("healthy"), good, num_classes=10, dataset="digits")[0]
    # a constant prediction on imbalanced classes is still chance
    majority = _hist([0.67] * 5, [0.66] * 5, [0.63] * 5)
    assert curves.fault_shows(_label("stuck", "vanishing_gradient"), majority, num_classes=2,
                              majority=0.63)[0]


def _case(name, status, cause, diag, seed=0, early=None, lineage=None):
    return {"name": f"{name}-s{seed}", "base": name, "seed": seed, "label": _label(status, cause),
            "diagnosis": {"status": diag[0], "cause": diag[1]}, "early": early,
            "lineage": lineage, "job": {"status": "succeeded"}}


def test_scores_count_what_the_module_says():
    change = {"action": "lower_lr", "patch": {"optimizer": {"lr": 0.01}}}
    twice = {"state": "gave_up", "root_id": "a", "best_job_id": "a",
             "jobs": [{"applied": None}, {"applied": change}, {"applied": change}]}
    fixed = {"state": "repaired", "root_id": "b", "best_job_id": "c",
             "jobs": [{"applied": None}, {"applied": change}]}
    cases = [
        _case("a", "stuck", "lr_too_low", ("stuck", "lr_too_low"), 0,
              {"state": "on_time", "status": "stuck"}, twice),
        _case("a", "stuck", "lr_too_low", ("stuck", "lr_too_high"), 1, {"state": "missed"},
              fixed),
        _case("h", "healthy", None, ("overfitting", None), 0, {"state": "late"},
              {"state": "repaired", "jobs": [{"applied": None}]}),
        _case("h", "healthy", None, ("insufficient_data", None), 1, None, None),
    ]
    r = score.report({"meta": {"rounds": 2}, "cases": cases})
    a = r["all"]
    assert a["detected"] == (2, 2) and a["status_match"] == (2, 4)
    assert a["cause_match"] == (1, 2) and a["false_alarms"] == (1, 2)
    assert a["seed_agreement"] == (1, 2) and a["early_match"] == (1, 1)
    assert a["insufficient_data"] == 1
    assert r["faulty"]["repaired"] == (1, 2) and a["repeated_change_chains"] == 1
    assert r["faulty"]["rounds_used_mean"] == 1.5 and a["healthy_touched"] == (0, 2)
    score.print_report({"meta": {"rounds": 2, "split": "tune", "seeds": [0, 1]},
                        "cases": cases})


def test_limit_takes_one_spec_per_label_before_repeating_one():
    chosen = run.select("tune", [0], 13, "")
    labels = [(c["label"]["status"], c["label"]["cause"]) for c in chosen]
    assert len(chosen) == 13 and len(set(labels)) == 13
    assert all(c["split"] == "tune" for c in chosen)


# --- the fresh split (specs_fresh.py) -------------------------------------------------------

# The tune and report halves as they were dealt before the fresh split was added: adding it
# must move no spec between them.
TUNE_BEFORE_FRESH = (
    "diverge_digits_linear_mse_sgd_lr_20",
    "diverge_mnist1d_mlp_sgd_lr_50",
    "diverge_mnist1d_mlp_sgd_warmup_to_lr_30",
    "diverge_regression_linear_sgd_full_batch",
    "healthy_breast_cancer_linear_sgd",
    "healthy_breast_cancer_mlp_adam",
    "healthy_breast_cancer_mlp_rmsprop_small_val",
    "healthy_images_cnn_adam_cosine_hflip",
    "healthy_iris_linear_lbfgs_full_batch",
    "healthy_iris_mlp_adam",
    "healthy_mnist1d_cnn1d_bn_adam_cosine",
    "healthy_mnist1d_cnn1d_bn_sgd_onecycle",
    "healthy_wine_linear_sgd",
    "healthy_wine_mlp_adagrad_small_val",
    "mismatch_breast_cancer_linear_label_flip",
    "mismatch_iris_mlp_label_shift",
    "mismatch_mnist1d_cnn1d_label_shift",
    "mismatch_mnist1d_mlp_reversed_sequences",
    "oscillate_breast_cancer_linear_sgd_lr_20",
    "oscillate_digits_mlp_rmsprop_lr_0.05",
    "oscillate_wine_tanh_mlp_sgd_lr_5",
    "overfit_breast_cancer_mlp_100_samples_sgd",
    "overfit_breast_cancer_mlp_60_samples",
    "overfit_mnist1d_cnn1d_200_samples_small_val",
    "overfit_mnist1d_cnn1d_300_samples_short",
    "overfit_wine_mlp_40_samples",
    "stuck_breast_cancer_sigmoid_depth8_normal_init",
    "stuck_digits_mlp_sgd_momentum_lr_0.5",
    "stuck_images_cnn_sigmoid_normal_init",
    "stuck_images_mse_sigmoid_cnn",
    "stuck_mnist1d_cnn1d_normal_init",
    "stuck_mnist1d_mlp_adam_lr_0.5",
    "stuck_mnist1d_mlp_sgd_lr_1e-5",
    "stuck_mnist1d_mse_sigmoid_mlp",
    "stuck_wine_mlp_adagrad_lr_1e-6",
    "stuck_wine_relu_depth6_normal_init",
    "underfit_digits_mlp_sgd_5_epochs",
    "underfit_digits_mlp_step_drop_1000x",
    "underfit_digits_mlp_width_1_bottleneck",
    "underfit_images_cnn_exponential_lr_collapse",
    "underfit_mnist1d_mlp_l2_too_strong",
    "underfit_mnist1d_mlp_sgd_5_epochs",
    "underfit_regression_linear",
    "underfit_regression_mlp_5_epochs",
    "underfit_regression_mlp_step_collapse",
)
REPORT_BEFORE_FRESH = (
    "diverge_images_linear_mse_sgd",
    "diverge_iris_linear_mse_sgd_lr_8",
    "diverge_wine_selu_mlp_sgd_momentum_lr_2",
    "healthy_digits_linear_sgd_short",
    "healthy_digits_mlp_adam_cosine",
    "healthy_digits_mlp_sgd_nesterov_dropout_small_val",
    "healthy_images_cnn_sgd_onecycle",
    "healthy_iris_linear_sgd_long",
    "healthy_mnist1d_cnn1d_adamw_noise_long",
    "healthy_mnist1d_cnn1d_rmsprop_small_val",
    "healthy_regression_mlp_adam_cosine",
    "healthy_regression_mlp_sgd_plateau",
    "healthy_wine_mlp_adam_l2_long",
    "mismatch_digits_mlp_permuted_pixels",
    "mismatch_images_cnn_label_permutation",
    "mismatch_regression_mlp_sign_flip",
    "mismatch_wine_mlp_calibration_offset",
    "oscillate_breast_cancer_linear_adam_lr_2",
    "oscillate_iris_linear_sgd_lr_20",
    "oscillate_iris_mlp_rmsprop_lr_0.3",
    "overfit_digits_mlp_100_samples",
    "overfit_iris_mlp_30_samples",
    "overfit_mnist1d_cnn1d_500_samples",
    "overfit_mnist1d_mlp_300_samples",
    "overfit_mnist1d_mlp_400_samples_sgd",
    "stuck_digits_gelu_depth5_normal_init",
    "stuck_digits_mlp_adam_lr_0.3",
    "stuck_digits_mlp_adam_lr_1e-7",
    "stuck_digits_mse_sigmoid_mlp",
    "stuck_digits_tanh_depth6_normal_init",
    "stuck_images_cnn_adam_lr_0.5",
    "stuck_images_cnn_normal_init_no_bn",
    "stuck_images_cnn_sgd_lr_1e-6",
    "stuck_iris_mse_sigmoid_mlp_long",
    "stuck_mnist1d_sigmoid_depth8_normal_init",
    "underfit_digits_linear_l2_too_strong",
    "underfit_images_cnn_4_epochs",
    "underfit_iris_mlp_exponential_lr_collapse",
    "underfit_mnist1d_cnn1d_4_epochs",
    "underfit_mnist1d_cnn1d_exponential_lr_collapse",
    "underfit_mnist1d_cnn1d_one_channel",
    "underfit_mnist1d_linear",
    "underfit_mnist1d_mlp_adam_lr_too_high",
    "underfit_wine_mlp_8_epochs",
)


def test_the_fresh_split_leaves_tune_and_report_as_they_were():
    assert sorted(n for n, h in specs.SPLIT.items() if h == "tune") == list(TUNE_BEFORE_FRESH)
    assert sorted(n for n, h in specs.SPLIT.items() if h == "report") == list(
        REPORT_BEFORE_FRESH)
    assert {s.name for s in specs.SPECS} == {*TUNE_BEFORE_FRESH, *REPORT_BEFORE_FRESH}
    assert [c["base"] for c in specs.cases("tune", [0])] == [
        s.name for s in specs.SPECS if s.name in TUNE_BEFORE_FRESH]
    fresh = {s.name for s in FRESH}
    assert not fresh & set(specs.SPLIT) and not fresh & {s.name for s in specs.SPECS}
    assert not fresh & {c["base"] for c in specs.cases("all")}


def test_the_fresh_split_is_large_varied_and_labelled_like_the_others():
    specs.check()  # includes the fresh split's invariants
    faulty = [s for s in FRESH if s.status != "healthy"]
    healthy = [s for s in FRESH if s.status == "healthy"]
    assert len(FRESH) >= 45 and len(faulty) >= 34 and len(healthy) >= 11
    labels = Counter((s.status, s.cause) for s in FRESH)
    assert set(labels) == {(s.status, s.cause) for s in specs.SPECS}
    assert labels[("overfitting", None)] >= 6 and all(n >= 2 for n in labels.values())
    described = [specs.describe(s.spec) for s in FRESH]
    assert len({d["dataset"] for d in described}) >= 6
    assert len({d["family"] for d in described}) >= 3
    assert min(d["epochs"] for d in described) <= 10 and max(d["epochs"] for d in described) >= 30
    small_val = [s for s in FRESH if (s.spec["dataset"].get("val_fraction") or 1) <= 0.1
                 or (s.spec["dataset"].get("n_train") or 10**9) <= 100]
    assert len(small_val) >= 3
    assert all(s.why and s.kind for s in FRESH)
    cases = specs.cases("fresh")
    assert len(cases) == 2 * len(FRESH) and {c["split"] for c in cases} == {"fresh"}
    for case in cases:
        assert case["spec"]["training"]["seed"] == case["spec"]["dataset"]["seed"] == case["seed"]
    assert [s.name for s in specs.split_specs("fresh")] == [s.name for s in FRESH]


def test_the_fresh_npz_files_hold_what_the_specs_expect(tmp_path):
    small = ["fresh_moons_rotated.npz", "fresh_waves_raw_units.npz", "fresh_diabetes.npz",
             "fresh_digits_images.npz", "fresh_digits_unseen_classes.npz",
             "fresh_breast_cancer_off_by_one.npz", "fresh_sines_resampled.npz"]
    datasets.write_all(tmp_path, small)
    with np.load(tmp_path / "fresh_digits_unseen_classes.npz") as d:
        assert set(np.unique(d["y"])) == set(range(6))
        assert set(np.unique(d["y_val"])) == {6, 7, 8, 9}
    with np.load(tmp_path / "fresh_digits_images.npz") as d:
        assert d["x"].shape == (1797, 1, 8, 8)
    with np.load(tmp_path / "fresh_sines_resampled.npz") as d:
        assert d["x"].shape[1:] == d["x_val"].shape[1:] == (1, 64)
    with np.load(tmp_path / "fresh_waves_raw_units.npz") as d:
        assert abs(float(d["y"].mean())) < 0.2 and 40 < float(d["y_val"].mean()) < 60


def test_the_runner_and_validation_take_the_fresh_split():
    chosen = run.select("fresh", [0], 13, "")
    labels = [(c["label"]["status"], c["label"]["cause"]) for c in chosen]
    assert len(chosen) == 13 and len(set(labels)) == 13
    assert all(c["split"] == "fresh" for c in chosen)
    saved = json.loads(validate.out_path("fresh").read_text())
    assert sorted(c["name"] for c in saved["cases"]) == sorted(
        c["name"] for c in specs.cases("fresh"))
    assert all(c["shows"] for c in saved["cases"])


# --- the fifth split (specs_fifth.py, datasets_fifth.py) ----------------------------------------

# The fifth split is run once, at the end: its labels are pinned so that no spec is added,
# dropped or relabelled without this test being changed with it.
FIFTH_LABELS = {
    ("healthy", None): 14,
    ("underfitting", "model_bias"): 4,
    ("underfitting", "optimization_issue"): 3,
    ("underfitting", "undertrained"): 3,
    ("overfitting", None): 6,
    ("stuck", "lr_too_low"): 2,
    ("stuck", "lr_too_high"): 2,
    ("stuck", "vanishing_gradient"): 2,
    ("stuck", "saturated_loss"): 2,
    ("stuck", "critical_point"): 3,
    ("oscillating", None): 6,
    ("diverging", None): 5,
    ("mismatch", None): 7,
}
# How a spec's name starts, by its status (the name must not contradict the label).
FIFTH_PREFIX = {"healthy": "fifth_healthy_", "underfitting": "fifth_underfit_",
                "overfitting": "fifth_overfit_", "stuck": "fifth_stuck_",
                "oscillating": "fifth_oscillate_", "diverging": "fifth_diverge_",
                "mismatch": "fifth_mismatch_"}


def test_the_fifth_split_leaves_the_other_splits_as_they_were():
    assert sorted(n for n, h in specs.SPLIT.items() if h == "tune") == list(TUNE_BEFORE_FRESH)
    assert sorted(n for n, h in specs.SPLIT.items() if h == "report") == list(
        REPORT_BEFORE_FRESH)
    fifth = {s.name for s in FIFTH}
    assert len(fifth) == len(FIFTH)
    assert not fifth & set(specs.SPLIT) and not fifth & {s.name for s in specs.SPECS}
    assert not fifth & {s.name for s in FRESH} and not fifth & {s.name for s in FOURTH}
    for split in ("all", "tune", "report", "fresh", "fourth"):
        assert not fifth & {c["base"] for c in specs.cases(split, [0])}, split
    assert [s.name for s in specs.split_specs("fresh")] == [s.name for s in FRESH]
    assert [s.name for s in specs.split_specs("fourth")] == [s.name for s in FOURTH]
    # its npz files are new ones, registered next to the others without replacing any
    mine = set(datasets_fifth.GENERATORS)
    assert mine == set(datasets_fifth.NPZ_SOURCE)
    assert all(n.startswith("fifth_") for n in mine)
    assert not mine & (set(datasets_fresh.GENERATORS) | set(datasets_fourth.GENERATORS))
    assert not {n for n in datasets.GENERATORS if n.startswith("fifth_")} - mine
    for module in (datasets_fresh, datasets_fourth, datasets_fifth):
        for name, make in module.GENERATORS.items():
            assert datasets.GENERATORS[name] is make, name
            assert datasets.NPZ_SOURCE[name] == module.NPZ_SOURCE[name], name


def test_the_fifth_split_is_large_varied_and_labelled_like_the_others():
    specs.check()  # includes the fifth split's invariants
    faulty = [s for s in FIFTH if s.status != "healthy"]
    healthy = [s for s in FIFTH if s.status == "healthy"]
    assert len(FIFTH) == 59 and len(faulty) == 45 and len(healthy) == 14
    labels = Counter((s.status, s.cause) for s in FIFTH)
    assert labels == FIFTH_LABELS
    assert set(labels) == {(s.status, s.cause) for s in specs.SPECS}
    assert all(n >= 2 for n in labels.values())
    for s in FIFTH:
        assert s.name.startswith(FIFTH_PREFIX[s.status]), s.name
        assert s.why and s.kind, s.name
        assert (s.kind == "sound_recipe") == (s.status == "healthy"), s.name
    described = [specs.describe(s.spec) for s in FIFTH]
    sources = {d["dataset"] for d in described}
    assert len({d for d in sources if d.startswith("npz:")}) >= 6 and len(sources) >= 10
    assert {d["family"] for d in described} >= {"linear", "mlp", "cnn1d", "cnn"}
    assert min(d["epochs"] for d in described) <= 10 and max(d["epochs"] for d in described) >= 30
    assert len({d["optimizer"] for d in described}) >= 4
    assert len({d["schedule"] for d in described}) >= 4
    small_val = [s for s in FIFTH if (s.spec["dataset"].get("val_fraction") or 1) <= 0.1
                 or (s.spec["dataset"].get("n_train") or 10**9) <= 100]
    assert len(small_val) >= 3
    cases = specs.cases("fifth")
    assert len(cases) == 2 * len(FIFTH) and {c["split"] for c in cases} == {"fifth"}
    assert [c["name"] for c in cases] == [f"{s.name}-s{k}" for s in FIFTH for k in specs.SEEDS]
    for case in cases:
        assert case["spec"]["training"]["seed"] == case["spec"]["dataset"]["seed"] == case["seed"]
    assert [s.name for s in specs.split_specs("fifth")] == [s.name for s in FIFTH]
    assert specs.separate_specs("fifth") is FIFTH
    # the seeds go into copies: the specs themselves stay seedless
    assert all("seed" not in s.spec["training"] and "seed" not in s.spec["dataset"]
               for s in FIFTH)


def _centroids(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.stack([x[y == k].mean(axis=0) for k in range(int(y.max()) + 1)])


def _npz_tasks(split: list) -> dict[str, str]:
    """npz file -> the task a split's specs read it as (one task per file)."""
    tasks: dict[str, set[str]] = {}
    for s in split:
        data = s.spec["dataset"]
        if data["name"] == "npz":
            tasks.setdefault(data["path"], set()).add(data.get("task", "classification"))
    assert all(len(t) == 1 for t in tasks.values()), tasks
    return {path: t.pop() for path, t in tasks.items()}


def _split_npz_files(tmp_path, split: list, generators: dict) -> dict[str, dict]:
    """A split's npz files, written twice (the same bytes), checked against what its specs
    expect of them; their arrays by file name."""
    tasks = _npz_tasks(split)
    assert set(tasks) == set(generators)  # every file used, none missing
    names = sorted(generators)
    assert sorted(p.name for p in datasets.write_all(tmp_path, names)) == names
    files = {}
    for name in names:
        again = generators[name](tmp_path)  # a second run gives the same file
        with np.load(tmp_path / name) as d:
            files[name] = {k: d[k] for k in d.files}
        assert set(files[name]) == set(again), name
        for k, v in again.items():
            assert v.dtype == files[name][k].dtype and np.array_equal(v, files[name][k]), name
    own_val = {s.spec["dataset"]["path"] for s in split
               if s.spec["dataset"]["name"] == "npz" and s.status == "mismatch"}
    for name, d in files.items():
        assert len(d["x"]) == len(d["y"]) >= 80 and np.isfinite(d["x"]).all(), name
        # a mismatch brings its own validation file; the others split theirs off at random
        assert ("x_val" in d) == ("y_val" in d) == (name in own_val), name
        if "x_val" in d:
            assert d["x_val"].shape[1:] == d["x"].shape[1:], name
            assert len(d["x_val"]) == len(d["y_val"]) >= 40, name
        ys = [d["y"], *([d["y_val"]] if "y_val" in d else [])]
        if tasks[name] == "regression":
            assert all(y.ndim == 1 and y.dtype == np.float32 for y in ys), name
        else:
            k = int(d["y"].max()) + 1
            assert d["y"].dtype == np.int64 and set(np.unique(d["y"])) == set(range(k)), name
            assert all(set(np.unique(y)) <= set(range(k)) for y in ys), name
    return files


def test_the_fifth_npz_files_are_deterministic_and_hold_what_the_specs_expect(tmp_path):
    files = _split_npz_files(tmp_path, FIFTH, datasets_fifth.GENERATORS)
    assert files["fifth_pulses.npz"]["x"].shape[1:] == (1, 64)
    assert files["fifth_glyphs.npz"]["x"].shape[1:] == (1, 12, 12)
    assert set(np.unique(files["fifth_glyphs.npz"]["y"])) == set(range(5))
    fraud = files["fifth_fraud.npz"]["y"]
    assert set(np.unique(fraud)) == {0, 1} and 0.015 < fraud.mean() < 0.05
    kiln = files["fifth_kiln.npz"]["y"]
    assert abs(float(kiln.mean())) < 0.1 and 0.9 < float(kiln.std()) < 1.1
    assert 2000 < float(files["fifth_kiln_grams.npz"]["y"].mean()) < 2600
    assert len(files["fifth_six_noisy.npz"]["y"]) == 800


def test_the_fifth_mismatch_files_differ_from_their_training_data(tmp_path):
    gen = datasets_fifth.GENERATORS
    d = gen["fifth_kiln_fahrenheit.npz"](tmp_path)
    assert 20 <= d["x"][:, 0].min() and d["x"][:, 0].max() <= 120
    assert 60 < d["x_val"][:, 0].min() and d["x_val"][:, 0].max() <= 248
    assert np.allclose(d["x"][:, 1:].mean(0), d["x_val"][:, 1:].mean(0), rtol=0.1, atol=0.2)
    d = gen["fifth_iris_inches.npz"](tmp_path)
    ratio = d["x"].mean(axis=0) / d["x_val"].mean(axis=0)
    assert np.all((ratio > 2) & (ratio < 3))
    d = gen["fifth_six_reversed_columns.npz"](tmp_path)
    c, v = _centroids(d["x"], d["y"]), _centroids(d["x_val"], d["y_val"])
    assert np.abs(v - c[:, ::-1]).max() < 0.6 < np.abs(v - c).max()
    d = gen["fifth_six_alphabetical_labels.npz"](tmp_path)
    c, v = _centroids(d["x"], d["y"]), _centroids(d["x_val"], d["y_val"])
    nearest = [int(np.argmin(np.linalg.norm(c - row, axis=1))) for row in v]
    assert sorted(nearest) == list(range(6))  # a relabelling of the same six classes
    assert sum(i != j for j, i in enumerate(nearest)) >= 4
    d = gen["fifth_checker_shifted_origin.npz"](tmp_path)

    def parity(x: np.ndarray) -> np.ndarray:
        return np.floor((x[:, :2] + 3.0) / 2.0).astype(np.int64).sum(axis=1) % 2

    assert np.array_equal(parity(d["x"]), d["y"]) and np.all(parity(d["x_val"]) != d["y_val"])
    d = gen["fifth_glyphs_inverted.npz"](tmp_path)
    assert d["x"].min() >= 0 and d["x_val"].max() <= 1
    assert float(d["x_val"].mean()) > float(d["x"].mean()) + 0.2
    d = gen["fifth_pulses_late_trigger.npz"](tmp_path)
    peak, peak_val = d["x"][:, 0].argmax(axis=1), d["x_val"][:, 0].argmax(axis=1)
    assert peak.max() < 38 and peak_val.min() > 26 and peak_val.mean() - peak.mean() > 20


# --- the sixth split (specs_sixth.py, datasets_sixth.py) ----------------------------------------

# The sixth split is run once, at the end: its labels are pinned so that no spec is added,
# dropped or relabelled without this test being changed with it.
SIXTH_LABELS = {
    ("healthy", None): 13,
    ("underfitting", "model_bias"): 5,
    ("underfitting", "optimization_issue"): 3,
    ("underfitting", "undertrained"): 3,
    ("overfitting", None): 5,
    ("stuck", "lr_too_low"): 2,
    ("stuck", "lr_too_high"): 2,
    ("stuck", "vanishing_gradient"): 2,
    ("stuck", "saturated_loss"): 2,
    ("stuck", "critical_point"): 2,
    ("oscillating", None): 5,
    ("diverging", None): 6,
    ("mismatch", None): 5,
}
# How a spec's name starts, by its status (the name must not contradict the label).
SIXTH_PREFIX = {"healthy": "sixth_healthy_", "underfitting": "sixth_underfit_",
                "overfitting": "sixth_overfit_", "stuck": "sixth_stuck_",
                "oscillating": "sixth_oscillate_", "diverging": "sixth_diverge_",
                "mismatch": "sixth_mismatch_"}


def test_the_sixth_split_leaves_the_other_splits_as_they_were():
    assert sorted(n for n, h in specs.SPLIT.items() if h == "tune") == list(TUNE_BEFORE_FRESH)
    assert sorted(n for n, h in specs.SPLIT.items() if h == "report") == list(
        REPORT_BEFORE_FRESH)
    sixth = {s.name for s in SIXTH}
    assert len(sixth) == len(SIXTH)
    assert not sixth & set(specs.SPLIT) and not sixth & {s.name for s in specs.SPECS}
    for other in (FRESH, FOURTH, FIFTH):
        assert not sixth & {s.name for s in other}
    for split in ("all", "tune", "report", "fresh", "fourth", "fifth"):
        assert not sixth & {c["base"] for c in specs.cases(split, [0])}, split
    assert [s.name for s in specs.split_specs("fresh")] == [s.name for s in FRESH]
    assert [s.name for s in specs.split_specs("fourth")] == [s.name for s in FOURTH]
    assert [s.name for s in specs.split_specs("fifth")] == [s.name for s in FIFTH]
    # its npz files are new ones, registered next to the others without replacing any
    mine = set(datasets_sixth.GENERATORS)
    assert mine == set(datasets_sixth.NPZ_SOURCE)
    assert all(n.startswith("s6_") for n in mine)
    assert not mine & (set(datasets_fresh.GENERATORS) | set(datasets_fourth.GENERATORS)
                       | set(datasets_fifth.GENERATORS))
    assert not {n for n in datasets.GENERATORS if n.startswith("s6_")} - mine
    for module in (datasets_fresh, datasets_fourth, datasets_fifth, datasets_sixth):
        for name, make in module.GENERATORS.items():
            assert datasets.GENERATORS[name] is make, name
            assert datasets.NPZ_SOURCE[name] == module.NPZ_SOURCE[name], name


def test_the_sixth_split_is_large_varied_and_labelled_like_the_others():
    specs.check()  # includes the sixth split's invariants
    faulty = [s for s in SIXTH if s.status != "healthy"]
    healthy = [s for s in SIXTH if s.status == "healthy"]
    assert len(SIXTH) == 55 and len(faulty) == 42 and len(healthy) == 13
    labels = Counter((s.status, s.cause) for s in SIXTH)
    assert labels == SIXTH_LABELS
    assert set(labels) == {(s.status, s.cause) for s in specs.SPECS}
    assert all(n >= 2 for n in labels.values())
    assert all(labels[(st, None)] >= 4
               for st in ("oscillating", "diverging", "overfitting", "mismatch"))
    for s in SIXTH:
        assert s.name.startswith(SIXTH_PREFIX[s.status]), s.name
        assert s.why and s.kind, s.name
        assert (s.kind == "sound_recipe") == (s.status == "healthy"), s.name
    described = [specs.describe(s.spec) for s in SIXTH]
    sources = {d["dataset"] for d in described}
    assert {"mnist1d", "digits", "wine", "iris", "breast_cancer", "synthetic_images"} <= sources
    assert len({d for d in sources if d.startswith("npz:")}) >= 5 and len(sources) >= 11
    assert {d["family"] for d in described} >= {"linear", "mlp", "cnn1d", "cnn"}
    assert min(d["epochs"] for d in described) <= 8 and max(d["epochs"] for d in described) >= 40
    assert len({d["optimizer"] for d in described}) >= 5
    assert len({d["schedule"] for d in described}) >= 6
    fractions = {s.spec["dataset"].get("val_fraction") for s in SIXTH}
    assert any(f is not None and f <= 0.1 for f in fractions)
    assert any(f is not None and f >= 0.3 for f in fractions)
    cases = specs.cases("sixth")
    assert len(cases) == 2 * len(SIXTH) and {c["split"] for c in cases} == {"sixth"}
    assert [c["name"] for c in cases] == [f"{s.name}-s{k}" for s in SIXTH for k in specs.SEEDS]
    for case in cases:
        assert case["spec"]["training"]["seed"] == case["spec"]["dataset"]["seed"] == case["seed"]
    assert [s.name for s in specs.split_specs("sixth")] == [s.name for s in SIXTH]
    assert specs.separate_specs("sixth") is SIXTH
    # the seeds go into copies: the specs themselves stay seedless
    assert all("seed" not in s.spec["training"] and "seed" not in s.spec["dataset"]
               for s in SIXTH)


def test_the_sixth_npz_files_are_deterministic_and_hold_what_the_specs_expect(tmp_path):
    files = _split_npz_files(tmp_path, SIXTH, datasets_sixth.GENERATORS)
    assert files["s6_spectra.npz"]["x"].shape[1:] == (1, 48)
    assert files["s6_bars.npz"]["x"].shape[1:] == (1, 16, 16)
    assert set(np.unique(files["s6_bars.npz"]["y"])) == set(range(4))
    assert set(np.unique(files["s6_rings.npz"]["y"])) == set(range(3))
    sensor = files["s6_sensor.npz"]["y"]
    assert abs(float(sensor.mean())) < 0.1 and 0.8 < float(sensor.std()) < 1.1
    assert len(files["s6_rings_noisy.npz"]["y"]) == 400


def test_the_sixth_mismatch_files_differ_from_their_training_data(tmp_path):
    gen = datasets_sixth.GENERATORS
    d = gen["s6_rings_relabelled.npz"](tmp_path)

    def radius(x: np.ndarray) -> np.ndarray:
        return np.linalg.norm(x, axis=1)  # the noise directions add the same to every ring

    for k in range(3):  # the inner ring is 0 in training, 2 in validation
        assert abs(radius(d["x"][d["y"] == k]).mean()
                   - radius(d["x_val"][d["y_val"] == 2 - k]).mean()) < 0.3
    assert radius(d["x"][d["y"] == 0]).mean() < radius(d["x"][d["y"] == 2]).mean() - 1
    d = gen["s6_spectra_recalibrated.npz"](tmp_path)
    peak = d["x"][:, 0].argmax(axis=1)
    peak_val = d["x_val"][:, 0].argmax(axis=1)
    for k in range(4):
        shift = np.median(peak_val[d["y_val"] == k]) - np.median(peak[d["y"] == k])
        assert 6 <= shift <= 12, k
    d = gen["s6_sensor_misjoined.npz"](tmp_path)
    assert np.allclose(np.roll(d["y_val"], -1)[:5], d["y_val"][1:6])
    d = gen["s6_bars_rotated.npz"](tmp_path)
    rows = d["x"][:, 0].mean(axis=2).std(axis=1)  # horizontal bars: rows differ
    rows_val = d["x_val"][:, 0].mean(axis=2).std(axis=1)
    assert rows[d["y"] == 0].mean() > 2 * rows[d["y"] == 1].mean()
    assert rows_val[d["y_val"] == 1].mean() > 2 * rows_val[d["y_val"] == 0].mean()
    d = gen["s6_digits_inverted.npz"](tmp_path)
    assert float(d["x_val"].mean()) > float(d["x"].mean()) + 5
    assert d["x_val"].min() >= 0 and d["x_val"].max() <= 16


@pytest.mark.parametrize("split", ["fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
                                   "eleventh", "twelfth", "thirteenth", "fourteenth",
                                   "fifteenth", "sixteenth", "seventeenth",
                                   "eighteenth", "nineteenth", "twentieth"])
def test_the_runner_and_validation_take_a_split_kept_apart(split):
    members = {"fifth": FIFTH, "sixth": SIXTH, "seventh": SEVENTH, "eighth": EIGHTH,
               "ninth": NINTH, "tenth": TENTH, "eleventh": ELEVENTH, "twelfth": TWELFTH,
               "thirteenth": THIRTEENTH, "fourteenth": FOURTEENTH, "fifteenth": FIFTEENTH,
               "sixteenth": SIXTEENTH, "seventeenth": SEVENTEENTH,
               "eighteenth": EIGHTEENTH, "nineteenth": NINETEENTH,
               "twentieth": TWENTIETH}[split]
    labels = {"fifth": FIFTH_LABELS, "sixth": SIXTH_LABELS, "seventh": SEVENTH_LABELS,
              "eighth": EIGHTH_LABELS, "ninth": NINTH_LABELS, "tenth": TENTH_LABELS,
              "eleventh": ELEVENTH_LABELS, "twelfth": TWELFTH_LABELS,
              "thirteenth": THIRTEENTH_LABELS, "fourteenth": FOURTEENTH_LABELS,
              "fifteenth": FIFTEENTH_LABELS, "sixteenth": SIXTEENTH_LABELS,
              "seventeenth": SEVENTEENTH_LABELS, "eighteenth": EIGHTEENTH_LABELS,
              "nineteenth": NINETEENTH_LABELS, "twentieth": TWENTIETH_LABELS}[split]
    out = validate.out_path(split)
    chosen = run.select(split, [0], 13, "")
    chosen_labels = [(c["label"]["status"], c["label"]["cause"]) for c in chosen]
    assert len(chosen) == 13 and set(chosen_labels) == set(labels)
    assert all(c["split"] == split for c in chosen)
    everything = run.select(split, list(specs.SEEDS), None, "")
    assert sorted(c["name"] for c in everything) == sorted(
        c["name"] for c in specs.cases(split))
    saved = json.loads(out.read_text())
    assert out.name == f"validation_{split}.json"
    by_name = {c["name"]: c for c in specs.cases(split)}
    assert sorted(c["name"] for c in saved["cases"]) == sorted(by_name)
    for c in saved["cases"]:  # every case trained without error, its fault shown
        case = by_name[c["name"]]
        assert c["shows"] and "error" not in c, c["name"]
        assert c["split"] == split and c["base"] == case["base"]
        assert c["label"] == case["label"], c["name"]
        described = specs.describe(case["spec"])
        assert {k: c[k] for k in ("dataset", "family", "length", "epochs")} == {
            k: described[k] for k in ("dataset", "family", "length", "epochs")}, c["name"]
        assert 1 <= c["epochs_run"] <= c["epochs"], c["name"]
    extra = saved["extra_seeds"]
    assert not set(extra["seeds"]) & set(specs.SEEDS) and extra["specs"] == len(members)
    assert set(extra["misses"]) <= {s.name for s in members}
    assert extra["show_for_every_seed"] + len(extra["misses"]) == extra["specs"]


# --- the seventh split (specs_seventh.py, datasets_seventh.py) ----------------------------------

# The seventh split is run once, at the end: its labels are pinned so that no spec is added,
# dropped or relabelled without this test being changed with it.
SEVENTH_LABELS = {
    ("healthy", None): 13,
    ("underfitting", "model_bias"): 4,
    ("underfitting", "optimization_issue"): 3,
    ("underfitting", "undertrained"): 4,
    ("overfitting", None): 6,
    ("stuck", "lr_too_low"): 3,
    ("stuck", "lr_too_high"): 3,
    ("stuck", "vanishing_gradient"): 3,
    ("stuck", "saturated_loss"): 3,
    ("stuck", "critical_point"): 3,
    ("oscillating", None): 5,
    ("diverging", None): 5,
    ("mismatch", None): 5,
}
# The splits written before the seventh, with the modules that make their npz files.
BEFORE_SEVENTH = {"fresh": (FRESH, datasets_fresh), "fourth": (FOURTH, datasets_fourth),
                  "fifth": (FIFTH, datasets_fifth), "sixth": (SIXTH, datasets_sixth)}


# The eighth split (specs_eighth.py, datasets_eighth.py), run once at the end like the
# seventh: its labels are pinned the same way.
EIGHTH_LABELS = {
    ("healthy", None): 13,
    ("underfitting", "model_bias"): 4,
    ("underfitting", "optimization_issue"): 3,
    ("underfitting", "undertrained"): 3,
    ("overfitting", None): 5,
    ("stuck", "lr_too_low"): 3,
    ("stuck", "lr_too_high"): 2,
    ("stuck", "vanishing_gradient"): 2,
    ("stuck", "saturated_loss"): 2,
    ("stuck", "critical_point"): 2,
    ("oscillating", None): 6,
    ("diverging", None): 5,
    ("mismatch", None): 5,
}
# The ninth split (specs_ninth.py, datasets_ninth.py), run once at the end like the seventh
# and the eighth: its labels are pinned the same way.
NINTH_LABELS = {
    ("healthy", None): 13,
    ("underfitting", "model_bias"): 4,
    ("underfitting", "optimization_issue"): 5,
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
# The tenth split (specs_tenth.py, datasets_tenth.py), run once at the end like the seventh
# to the ninth: its labels are pinned the same way.
TENTH_LABELS = {
    ("healthy", None): 15,
    ("underfitting", "model_bias"): 4,
    ("underfitting", "optimization_issue"): 4,
    ("underfitting", "undertrained"): 4,
    ("overfitting", None): 6,
    ("stuck", "lr_too_low"): 3,
    ("stuck", "lr_too_high"): 3,
    ("stuck", "vanishing_gradient"): 3,
    ("stuck", "saturated_loss"): 3,
    ("stuck", "critical_point"): 3,
    ("oscillating", None): 5,
    ("diverging", None): 5,
    ("mismatch", None): 5,
}
# The eleventh split (specs_eleventh.py, datasets_eleventh.py), run once at the end like the
# seventh to the tenth: its labels are pinned the same way.
ELEVENTH_LABELS = {
    ("healthy", None): 13,
    ("underfitting", "model_bias"): 4,
    ("underfitting", "optimization_issue"): 3,
    ("underfitting", "undertrained"): 4,
    ("overfitting", None): 6,
    ("stuck", "lr_too_low"): 4,
    ("stuck", "lr_too_high"): 3,
    ("stuck", "vanishing_gradient"): 3,
    ("stuck", "saturated_loss"): 3,
    ("stuck", "critical_point"): 3,
    ("oscillating", None): 4,
    ("diverging", None): 4,
    ("mismatch", None): 5,
}
# The twelfth split (specs_twelfth.py, datasets_twelfth.py), run once at the end like the
# seventh to the eleventh: its labels are pinned the same way.
TWELFTH_LABELS = {
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
# The thirteenth split (specs_thirteenth.py, datasets_thirteenth.py), run once at the end like
# the seventh to the twelfth: its labels are pinned the same way.
THIRTEENTH_LABELS = {
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
# The fourteenth split (specs_fourteenth.py, datasets_fourteenth.py; names f14_, files s14_),
# read once at advisor-2.15: the same labels as the thirteenth's.
FOURTEENTH_LABELS = THIRTEENTH_LABELS
# The fifteenth (specs_fifteenth.py, datasets_fifteenth.py; names f15_, files s15_), read once
# at advisor-2.16: the same labels again.
FIFTEENTH_LABELS = THIRTEENTH_LABELS
# The sixteenth (specs_sixteenth.py, datasets_sixteenth.py; names f16_, files s16_), read once
# at advisor-2.16 too.
SIXTEENTH_LABELS = THIRTEENTH_LABELS
# The seventeenth (specs_seventeenth.py, datasets_seventeenth.py; names f17_, files s17_),
# read once at advisor-2.17.
SEVENTEENTH_LABELS = THIRTEENTH_LABELS
# The eighteenth (specs_eighteenth.py, datasets_eighteenth.py; names f18_, files s18_), read
# once at advisor-2.18.
EIGHTEENTH_LABELS = THIRTEENTH_LABELS
# The nineteenth (specs_nineteenth.py, datasets_nineteenth.py; names f19_, files s19_), read
# once at advisor-2.19.
NINETEENTH_LABELS = THIRTEENTH_LABELS
# The twentieth (specs_twentieth.py, datasets_twentieth.py; names f20_, files s20_), read
# once at advisor-2.20.
TWENTIETH_LABELS = THIRTEENTH_LABELS
# Per late split: its specs, its npz module, the splits written before it, its pinned labels,
# its size and the npz sources it must use.
LATE_SPLITS = {
    "seventh": (SEVENTH, datasets_seventh, BEFORE_SEVENTH, SEVENTH_LABELS, 60,
                {"npz:sectors", "npz:beam"}),
    "eighth": (EIGHTH, datasets_eighth,
               {**BEFORE_SEVENTH, "seventh": (SEVENTH, datasets_seventh)}, EIGHTH_LABELS, 55,
               {"npz:shells", "npz:regression"}),
    "ninth": (NINTH, datasets_ninth,
              {**BEFORE_SEVENTH, "seventh": (SEVENTH, datasets_seventh),
               "eighth": (EIGHTH, datasets_eighth)}, NINTH_LABELS, 61,
              {"npz:checker", "npz:bumps", "npz:projectile", "npz:blobs", "npz:glyphs"}),
    "tenth": (TENTH, datasets_tenth,
              {**BEFORE_SEVENTH, "seventh": (SEVENTH, datasets_seventh),
               "eighth": (EIGHTH, datasets_eighth), "ninth": (NINTH, datasets_ninth)},
              TENTH_LABELS, 63,
              {"npz:cooling", "npz:rings", "npz:waves", "npz:strokes", "npz:tones"}),
    "eleventh": (ELEVENTH, datasets_eleventh,
                 {**BEFORE_SEVENTH, "seventh": (SEVENTH, datasets_seventh),
                  "eighth": (EIGHTH, datasets_eighth), "ninth": (NINTH, datasets_ninth),
                  "tenth": (TENTH, datasets_tenth)},
                 ELEVENTH_LABELS, 59,
                 {"npz:spiral", "npz:pendulum", "npz:pulses", "npz:mixture"}),
    "twelfth": (TWELFTH, datasets_twelfth,
                {**BEFORE_SEVENTH, "seventh": (SEVENTH, datasets_seventh),
                 "eighth": (EIGHTH, datasets_eighth), "ninth": (NINTH, datasets_ninth),
                 "tenth": (TENTH, datasets_tenth), "eleventh": (ELEVENTH, datasets_eleventh)},
                TWELFTH_LABELS, 60,
                {"npz:gears", "npz:chirps", "npz:heat", "npz:tiles", "npz:decay"}),
    "thirteenth": (THIRTEENTH, datasets_thirteenth,
                   {**BEFORE_SEVENTH, "seventh": (SEVENTH, datasets_seventh),
                    "eighth": (EIGHTH, datasets_eighth), "ninth": (NINTH, datasets_ninth),
                    "tenth": (TENTH, datasets_tenth), "eleventh": (ELEVENTH, datasets_eleventh),
                    "twelfth": (TWELFTH, datasets_twelfth)},
                   THIRTEENTH_LABELS, 60,
                   {"npz:rhythms", "npz:roll", "npz:spring", "npz:moire"}),
}
# the fourteenth's earlier splits are the thirteenth's and the thirteenth
LATE_SPLITS["fourteenth"] = (
    FOURTEENTH, datasets_fourteenth,
    {**LATE_SPLITS["thirteenth"][2], "thirteenth": (THIRTEENTH, datasets_thirteenth)},
    FOURTEENTH_LABELS, 60, {"npz:s14_waveforms", "npz:s14_reactor", "npz:s14_spirals"})
# and the fifteenth's are the fourteenth's and the fourteenth
LATE_SPLITS["fifteenth"] = (
    FIFTEENTH, datasets_fifteenth,
    {**LATE_SPLITS["fourteenth"][2], "fourteenth": (FOURTEENTH, datasets_fourteenth)},
    FIFTEENTH_LABELS, 60, {"npz:bearing", "npz:meter", "npz:shells"})
LATE_SPLITS["sixteenth"] = (
    SIXTEENTH, datasets_sixteenth,
    {**LATE_SPLITS["fifteenth"][2], "fifteenth": (FIFTEENTH, datasets_fifteenth)},
    SIXTEENTH_LABELS, 60, {"npz:chirps", "npz:housing", "npz:rings"})
LATE_SPLITS["seventeenth"] = (
    SEVENTEENTH, datasets_seventeenth,
    {**LATE_SPLITS["sixteenth"][2], "sixteenth": (SIXTEENTH, datasets_sixteenth)},
    SEVENTEENTH_LABELS, 60, {"npz:chirps", "npz:kinetics", "npz:shells"})
LATE_SPLITS["eighteenth"] = (
    EIGHTEENTH, datasets_eighteenth,
    {**LATE_SPLITS["seventeenth"][2], "seventeenth": (SEVENTEENTH, datasets_seventeenth)},
    EIGHTEENTH_LABELS, 60, {"npz:s18_chirps", "npz:s18_orbital", "npz:s18_shells"})
LATE_SPLITS["nineteenth"] = (
    NINETEENTH, datasets_nineteenth,
    {**LATE_SPLITS["eighteenth"][2], "eighteenth": (EIGHTEENTH, datasets_eighteenth)},
    NINETEENTH_LABELS, 60, {"npz:tides", "npz:kiln", "npz:shells"})
LATE_SPLITS["twentieth"] = (
    TWENTIETH, datasets_twentieth,
    {**LATE_SPLITS["nineteenth"][2], "nineteenth": (NINETEENTH, datasets_nineteenth)},
    TWENTIETH_LABELS, 60, {"npz:pulses", "npz:beam", "npz:triangles"})
# How a late split's spec names start, where not with the split's own name
NAME_PREFIX = {"fourteenth": "f14", "fifteenth": "f15", "sixteenth": "f16",
               "seventeenth": "f17", "eighteenth": "f18", "nineteenth": "f19",
               "twentieth": "f20"}


@pytest.mark.parametrize("split", list(LATE_SPLITS))
def test_a_late_split_leaves_the_other_splits_as_they_were(split):
    members, own, before, *_ = LATE_SPLITS[split]
    prefix = {"seventh": "s7_", "eighth": "s8_", "ninth": "s9_", "tenth": "s10_",
              "eleventh": "s11_", "twelfth": "s12_", "thirteenth": "s13_",
              "fourteenth": "s14_", "fifteenth": "s15_",
              "sixteenth": "s16_", "seventeenth": "s17_",
              "eighteenth": "s18_", "nineteenth": "s19_", "twentieth": "s20_"}[split]
    assert sorted(n for n, h in specs.SPLIT.items() if h == "tune") == list(TUNE_BEFORE_FRESH)
    assert sorted(n for n, h in specs.SPLIT.items() if h == "report") == list(
        REPORT_BEFORE_FRESH)
    names = {s.name for s in members}
    assert len(names) == len(members)
    assert not names & {s.name for s in specs.SPECS}
    for other, (others, _) in before.items():
        assert not names & {s.name for s in others}, other
        assert [s.name for s in specs.split_specs(other)] == [s.name for s in others], other
    for other in ("all", "tune", "report", *before):
        assert not names & {c["base"] for c in specs.cases(other, [0])}, other
    # its npz files are new ones, registered next to the others without replacing any
    mine = set(own.GENERATORS)
    assert mine == set(own.NPZ_SOURCE)
    assert all(n.startswith(prefix) for n in mine)
    assert not {n for n in datasets.GENERATORS if n.startswith(prefix)} - mine
    for _, module in before.values():
        assert not mine & set(module.GENERATORS)
    for module in (*(m for _, m in before.values()), own):
        for name, make in module.GENERATORS.items():
            assert datasets.GENERATORS[name] is make, name
            assert datasets.NPZ_SOURCE[name] == module.NPZ_SOURCE[name], name


@pytest.mark.parametrize("split", list(LATE_SPLITS))
def test_a_late_split_is_large_varied_and_labelled_like_the_others(split):
    members, _, _, pinned, size, npz_sources = LATE_SPLITS[split]
    specs.check()  # includes the late splits' invariants
    labels = Counter((s.status, s.cause) for s in members)
    assert labels == pinned
    assert len(members) == size and labels[("healthy", None)] >= 12
    assert set(labels) == {(s.status, s.cause) for s in specs.SPECS}
    assert all(n >= 2 for n in labels.values())
    assert all(labels[(st, None)] >= 4
               for st in ("oscillating", "diverging", "overfitting", "mismatch"))
    word = {"healthy": "healthy", "underfitting": "underfit", "overfitting": "overfit",
            "stuck": "stuck", "oscillating": "oscillate", "diverging": "diverge",
            "mismatch": "mismatch"}
    for s in members:
        # the name says the status (the seventeenth's undertrained runs say their cause)
        said = {word[s.status], *([s.cause] if s.cause == "undertrained" else [])}
        assert any(s.name.startswith(f"{NAME_PREFIX.get(split, split)}_{w}_") for w in said), (
            s.name)
        assert s.why and s.kind, s.name
        assert (s.kind == "sound_recipe") == (s.status == "healthy"), s.name
    described = [specs.describe(s.spec) for s in members]
    sources = {d["dataset"] for d in described}
    assert {"mnist1d", "digits", "wine", "iris", "breast_cancer", "synthetic_images"} <= sources
    assert npz_sources <= sources and len(sources) >= 10
    assert {d["family"] for d in described} >= {"linear", "mlp", "cnn1d", "cnn"}
    assert min(d["epochs"] for d in described) <= 8 and max(d["epochs"] for d in described) >= 40
    assert len({d["optimizer"] for d in described}) >= 5
    assert len({d["schedule"] for d in described}) >= 5
    fractions = {s.spec["dataset"].get("val_fraction") for s in members}
    assert any(f is not None and f <= 0.1 for f in fractions)
    # and varied: at least three validation sizes (the fifteenth's largest fraction is 0.2)
    assert len(fractions) >= 3
    cases = specs.cases(split)
    assert [c["name"] for c in cases] == [f"{s.name}-s{k}" for s in members for k in specs.SEEDS]
    assert {c["split"] for c in cases} == {split}
    for case in cases:
        assert case["spec"]["training"]["seed"] == case["spec"]["dataset"]["seed"] == case["seed"]
    assert specs.separate_specs(split) is members
    assert [s.name for s in specs.split_specs(split)] == [s.name for s in members]
    # the seeds go into copies: the specs themselves stay seedless
    assert all("seed" not in s.spec["training"] and "seed" not in s.spec["dataset"]
               for s in members)


def test_the_seventh_npz_files_are_deterministic_and_hold_what_the_specs_expect(tmp_path):
    files = _split_npz_files(tmp_path, SEVENTH, datasets_seventh.GENERATORS)
    sectors = files["s7_sectors.npz"]
    assert sectors["x"].shape == (2400, 8) and set(np.unique(sectors["y"])) == set(range(6))
    beam = files["s7_beam.npz"]["y"]
    assert abs(float(beam.mean())) < 0.1 and 0.8 < float(beam.std()) < 1.1


def test_the_seventh_mismatch_files_differ_from_their_training_data(tmp_path):
    gen = datasets_seventh.GENERATORS
    d = gen["s7_sectors_columns_reordered.npz"](tmp_path)

    def sector(a: np.ndarray, b: np.ndarray) -> np.ndarray:  # the bearing's third of the turn
        return np.floor((np.arctan2(b, a) % (2 * np.pi)) / (2 * np.pi / 3)).astype(np.int64)

    assert np.array_equal(sector(d["x"][:, 0], d["x"][:, 1]), d["y"] // 2)
    assert np.array_equal(sector(d["x_val"][:, 6], d["x_val"][:, 7]), d["y_val"] // 2)
    assert np.mean(sector(d["x_val"][:, 0], d["x_val"][:, 1]) == d["y_val"] // 2) < 0.5
    d = gen["s7_beam_columns_reversed.npz"](tmp_path)

    def deflection(x: np.ndarray) -> np.ndarray:
        mean, std = datasets_seventh._BEAM_MEAN, datasets_seventh._BEAM_STD
        return (datasets_seventh._beam(x.astype(np.float64)) - mean) / std

    assert np.std(deflection(d["x"]) - d["y"]) < 0.1
    assert np.std(deflection(d["x_val"][:, ::-1]) - d["y_val"]) < 0.1
    assert np.std(deflection(d["x_val"]) - d["y_val"]) > 0.5
    d = gen["s7_digits_rotated.npz"](tmp_path)
    mean, mean_val = d["x"].reshape(-1, 8, 8).mean(axis=0), d["x_val"].reshape(-1, 8, 8).mean(0)
    assert np.abs(mean_val - np.rot90(mean)).mean() < np.abs(mean_val - mean).mean() / 2
    d = gen["s7_wine_cultivars_renumbered.npz"](tmp_path)
    centres, centres_val = _centroids(d["x"], d["y"]), _centroids(d["x_val"], d["y_val"])
    spread = d["x"].std(axis=0)
    nearest = [int(np.argmin(np.abs((centres - c) / spread).sum(axis=1))) for c in centres_val]
    assert nearest == [1, 2, 0]


# --- the eighth split's npz files (datasets_eighth.py) -----------------------------------------


def test_the_eighth_npz_files_are_deterministic_and_hold_what_the_specs_expect(tmp_path):
    files = _split_npz_files(tmp_path, EIGHTH, datasets_eighth.GENERATORS)
    shells = files["s8_shells.npz"]
    assert shells["x"].shape == (3000, 6) and set(np.unique(shells["y"])) == {0, 1, 2}
    radius = np.linalg.norm(shells["x"], axis=1)
    assert all(radius[shells["y"] == k].mean() < radius[shells["y"] == k + 1].mean()
               for k in range(2))
    surface = files["s8_surface.npz"]["y"]
    assert abs(float(surface.mean())) < 0.15 and 0.7 < float(surface.std()) < 1.3


def test_the_eighth_mismatch_files_differ_from_their_training_data(tmp_path):
    gen = datasets_eighth.GENERATORS
    d = gen["s8_digits_rotated_labels.npz"](tmp_path)
    assert np.abs(_centroids(d["x"], d["y"])
                  - np.roll(_centroids(d["x_val"], d["y_val"]), -3, axis=0)).mean() < 2
    d = gen["s8_breast_cancer_inverted.npz"](tmp_path)
    assert np.abs(_centroids(d["x"], d["y"]) - _centroids(d["x_val"], d["y_val"])[::-1]).sum() < \
        np.abs(_centroids(d["x"], d["y"]) - _centroids(d["x_val"], d["y_val"])).sum()
    d = gen["s8_shells_swapped.npz"](tmp_path)
    r, r_val = np.linalg.norm(d["x"], axis=1), np.linalg.norm(d["x_val"], axis=1)
    assert r[d["y"] == 0].mean() < r[d["y"] == 2].mean()
    assert r_val[d["y_val"] == 0].mean() > r_val[d["y_val"] == 2].mean()
    d = gen["s8_surface_stale_targets.npz"](tmp_path)
    assert abs(np.corrcoef(d["y_val"], d["x_val"][:, 3])[0, 1]) < 0.2
    assert np.corrcoef(d["y"], d["x"][:, 3])[0, 1] < -0.2


# --- the ninth split's npz files (datasets_ninth.py) ------------------------------------------


def test_the_ninth_npz_files_are_deterministic_and_hold_what_the_specs_expect(tmp_path):
    files = _split_npz_files(tmp_path, NINTH, datasets_ninth.GENERATORS)
    checker = files["s9_checker.npz"]
    assert checker["x"].shape == (3000, 2) and set(np.unique(checker["y"])) == {0, 1}
    cells = np.floor(checker["x"]).astype(np.int64)
    assert np.array_equal((cells[:, 0] + cells[:, 1]) % 2, checker["y"])
    bumps = files["s9_bumps.npz"]
    assert bumps["x"].shape == (3000, 1, 64) and set(np.unique(bumps["y"])) == set(range(4))
    glyphs = files["s9_glyphs.npz"]
    assert glyphs["x"].shape == (2400, 1, 16, 16) and glyphs["x"].dtype == np.uint8
    blobs = files["s9_blobs.npz"]
    assert blobs["x"].shape == (2500, 10) and set(np.unique(blobs["y"])) == set(range(5))
    for name in ("s9_projectile.npz", "s9_projectile_field.npz"):
        y = files[name]["y"]
        assert abs(float(y.mean())) < 0.15 and 0.8 < float(y.std()) < 1.25, name
    # the field measurements are noisy: their targets stray from the clean formula's
    clean = (datasets_ninth._projectile_range(files["s9_projectile_field.npz"]["x"].astype(
        np.float64)) - datasets_ninth._RANGE_MEAN) / datasets_ninth._RANGE_STD
    assert 0.4 < float(np.std(files["s9_projectile_field.npz"]["y"] - clean)) < 0.7


def test_the_ninth_mismatch_files_differ_from_their_training_data(tmp_path):
    gen = datasets_ninth.GENERATORS
    d = gen["s9_checker_offset.npz"](tmp_path)

    def colour(p: np.ndarray) -> np.ndarray:
        cells = np.floor(p).astype(np.int64)
        return (cells[:, 0] + cells[:, 1]) % 2

    assert np.array_equal(colour(d["x"]), d["y"])
    assert np.array_equal(colour(d["x_val"] - 0.5), d["y_val"])
    assert abs(float(np.mean(colour(d["x_val"]) == d["y_val"])) - 0.5) < 0.1
    d = gen["s9_projectile_units.npz"](tmp_path)

    def target(x: np.ndarray) -> np.ndarray:
        return (datasets_ninth._projectile_range(x.astype(np.float64))
                - datasets_ninth._RANGE_MEAN) / datasets_ninth._RANGE_STD

    assert np.std(target(d["x"]) - d["y"]) < 0.05
    fixed = d["x_val"].astype(np.float64)
    fixed[:, 0] /= 3.6
    fixed[:, 1] = np.degrees(fixed[:, 1])
    assert np.std(target(fixed) - d["y_val"]) < 0.05
    assert d["x_val"][:, 1].max() < 1.6 and d["x"][:, 1].min() > 4.9  # radians vs degrees
    d = gen["s9_blobs_polarity.npz"](tmp_path)
    centres = _centroids(d["x"], d["y"])
    assert np.abs(_centroids(d["x_val"], d["y_val"]) + centres).mean() < 0.2
    d = gen["s9_iris_columns_swapped.npz"](tmp_path)
    assert d["x"][:, 0].mean() > d["x"][:, 2].mean()  # sepal length first in training
    assert d["x_val"][:, 0].mean() < d["x_val"][:, 2].mean()  # petal length first in validation
    assert np.abs(_centroids(d["x"], d["y"])[:, [2, 3, 0, 1]]
                  - _centroids(d["x_val"], d["y_val"])).mean() < 0.5
    d = gen["s9_breast_cancer_prestandardized.npz"](tmp_path)
    assert float(d["x"][:, 3].mean()) > 300  # mean area in raw units
    assert np.allclose(d["x_val"].mean(axis=0), 0, atol=1e-4)
    assert np.allclose(d["x_val"].std(axis=0), 1, atol=1e-3)
    assert float(np.mean(d["y_val"] == 0)) > 0.5 > float(np.mean(d["y"] == 0))


# --- the tenth split's npz files (datasets_tenth.py) ------------------------------------------


def test_the_tenth_npz_files_are_deterministic_and_hold_what_the_specs_expect(tmp_path):
    files = _split_npz_files(tmp_path, TENTH, datasets_tenth.GENERATORS)
    cooling = files["s10_cooling.npz"]
    assert cooling["x"].shape == (3000, 6)
    assert abs(float(cooling["y"].mean())) < 0.01 and abs(float(cooling["y"].std()) - 1) < 0.01
    law = (datasets_tenth.cooling_temperature(cooling["x"].astype(np.float64))
           - datasets_tenth.COOLING_MEAN) / datasets_tenth.COOLING_STD
    assert float(np.std(law - cooling["y"])) < 0.03  # the law, plus a little noise
    rings = files["s10_rings.npz"]
    assert rings["x"].shape == (3000, 6) and set(np.unique(rings["y"])) == set(range(4))
    assert np.array_equal(datasets_tenth.ring_of(rings["x"]), rings["y"])
    waves = files["s10_waves.npz"]
    assert waves["x"].shape == (3000, 1, 64) and set(np.unique(waves["y"])) == set(range(5))
    strokes = files["s10_strokes.npz"]
    assert strokes["x"].shape == (2400, 1, 16, 16) and strokes["x"].dtype == np.uint8
    assert set(np.unique(strokes["y"])) == set(range(4))
    # a horizontal stroke (class 0) varies across rows, a vertical one (class 2) across columns
    img = strokes["x"][:, 0].astype(np.float64)
    rows, cols = img.mean(axis=2).std(axis=1), img.mean(axis=1).std(axis=1)
    assert (rows > cols)[strokes["y"] == 0].mean() > 0.9
    assert (cols > rows)[strokes["y"] == 2].mean() > 0.9
    tones = files["s10_tones.npz"]
    assert tones["x"].shape == (3000, 1, 48)
    assert abs(float(tones["y"].mean())) < 0.1 and 0.9 < float(tones["y"].std()) < 1.1


def test_the_tenth_mismatch_files_differ_from_their_training_data(tmp_path):
    gen = datasets_tenth.GENERATORS
    d = gen["s10_cooling_rows_misaligned.npz"](tmp_path)

    def law(x: np.ndarray) -> np.ndarray:
        return (datasets_tenth.cooling_temperature(x.astype(np.float64))
                - datasets_tenth.COOLING_MEAN) / datasets_tenth.COOLING_STD

    assert float(np.std(law(d["x"]) - d["y"])) < 0.03
    assert abs(float(np.corrcoef(law(d["x_val"]), d["y_val"])[0, 1])) < 0.15
    assert np.allclose(np.sort(law(d["x_val"])), np.sort(d["y_val"]), atol=0.1)
    d = gen["s10_waves_pitch_labels.npz"](tmp_path)
    x, shape, _ = datasets_tenth._wave_arrays(2000, datasets_tenth.PITCH_TRAIN_SEED)
    assert np.array_equal(x, d["x"]) and np.array_equal(shape, d["y"])  # labelled by shape
    x_val, shape_val, cycles_val = datasets_tenth._wave_arrays(600, datasets_tenth.PITCH_VAL_SEED)
    assert np.array_equal(x_val, d["x_val"])
    assert np.array_equal(datasets_tenth.pitch_band(cycles_val), d["y_val"])  # by pitch band
    assert float(np.mean(shape_val == d["y_val"])) < 0.3  # ~ chance agreement with the shape
    assert set(np.unique(d["y_val"])) == set(range(5))

    def pitch(x: np.ndarray) -> np.ndarray:  # the strongest frequency of each signal
        spectrum = np.abs(np.fft.rfft(x[:, 0] - x[:, 0].mean(axis=1, keepdims=True), axis=1))
        return spectrum[:, 1:].argmax(axis=1) + 1
    d = gen["s10_strokes_stamp_moved.npz"](tmp_path)

    def stamped(x: np.ndarray) -> np.ndarray:  # the corner holding the bright 2x2 stamp
        corners = [x[:, 0, r:r + 2, c:c + 2].astype(np.float64).mean(axis=(1, 2))
                   for r, c in datasets_tenth.STAMP_CORNERS]
        return np.argmax(np.stack(corners, axis=1), axis=1)

    assert np.array_equal(stamped(d["x"]), d["y"])
    assert np.array_equal(stamped(d["x_val"]), (d["y_val"] + 2) % 4)
    d = gen["s10_tones_period_targets.npz"](tmp_path)
    assert abs(float(np.corrcoef(d["y"], pitch(d["x"]))[0, 1])) > 0.9
    assert float(np.corrcoef(d["y_val"], pitch(d["x_val"]))[0, 1]) < -0.8
    assert abs(float(d["y_val"].mean())) < 1e-4 and abs(float(d["y_val"].std()) - 1) < 1e-3
    d = gen["s10_wine_row_normalised.npz"](tmp_path)
    assert float(d["x"].max()) > 100  # proline in its own units in training
    assert np.allclose(d["x_val"].max(axis=1), 1.0) and float(d["x_val"].min()) >= 0


# --- the eleventh split's npz files (datasets_eleventh.py) ---------------------------------


def _pulse_quarter(x: np.ndarray) -> np.ndarray:
    """The quarter of each (N, 1, L) trace that holds its highest value."""
    return x[:, 0].argmax(axis=1) // (x.shape[-1] // datasets_eleventh.PULSE_CLASSES)


def test_the_eleventh_npz_files_are_deterministic_and_hold_what_the_specs_expect(tmp_path):
    files = _split_npz_files(tmp_path, ELEVENTH, datasets_eleventh.GENERATORS)
    pendulum = files["s11_pendulum.npz"]
    law = datasets_eleventh.pendulum_target(pendulum["x"].astype(np.float64))
    assert np.allclose(pendulum["y"], law, atol=1e-5)
    assert abs(float(pendulum["y"].mean())) < 0.1 and 0.8 < float(pendulum["y"].std()) < 1.2
    pulses = files["s11_pulses.npz"]
    assert pulses["x"].shape[1:] == (1, datasets_eleventh.PULSE_LENGTH)
    assert np.mean(_pulse_quarter(pulses["x"]) == pulses["y"]) > 0.9
    spiral = files["s11_spiral.npz"]
    assert spiral["x"].shape[1] == 4
    assert np.bincount(spiral["y"]).min() >= len(spiral["y"]) // datasets_eleventh.SPIRAL_ARMS - 1
    mixture = files["s11_mixture.npz"]
    assert mixture["x"].shape[1] == datasets_eleventh.MIXTURE_DIMS
    assert set(np.unique(mixture["y"])) == set(range(datasets_eleventh.MIXTURE_CLASSES))


def test_the_eleventh_mismatch_files_differ_from_their_training_data(tmp_path):
    gen = datasets_eleventh.GENERATORS
    # the arms: a 1-nearest-neighbour reading of training names the neighbour's label
    d = gen["s11_spiral_rotated.npz"](tmp_path)
    dist = ((d["x_val"][:, None, :2] - d["x"][None, :, :2]) ** 2).sum(axis=2)
    nearest = d["y"][dist.argmin(axis=1)]
    assert np.mean(nearest == d["y_val"]) < 0.1
    assert np.mean((nearest + 1) % datasets_eleventh.SPIRAL_ARMS == d["y_val"]) > 0.85
    # the regression: validation follows the negated law
    d = gen["s11_pendulum_other_law.npz"](tmp_path)
    assert np.allclose(d["y"], datasets_eleventh.pendulum_target(d["x"].astype(np.float64)),
                       atol=1e-5)
    assert np.corrcoef(d["y_val"], datasets_eleventh.pendulum_target(
        d["x_val"].astype(np.float64)))[0, 1] < -0.99
    # the pulses: validation traces back to front, the labels of their forward reading
    d = gen["s11_pulses_reversed.npz"](tmp_path)
    classes = datasets_eleventh.PULSE_CLASSES
    assert np.mean(_pulse_quarter(d["x"]) == d["y"]) > 0.9
    assert np.mean(_pulse_quarter(d["x_val"]) == classes - 1 - d["y_val"]) > 0.9
    assert np.mean(_pulse_quarter(d["x_val"]) == d["y_val"]) < 0.1
    # the mixture: training's class centroids name another class in validation
    d = gen["s11_mixture_swapped.npz"](tmp_path)
    centroids = _centroids(d["x"], d["y"])
    def nearest_centroid(x):
        return ((x[:, None, :] - centroids[None]) ** 2).sum(axis=2).argmin(axis=1)
    assert np.mean(nearest_centroid(d["x"]) == d["y"]) > 0.8
    assert np.mean(nearest_centroid(d["x_val"]) == d["y_val"]) < 0.2
    # wine: the validation features sit far off training's, by several training stds
    d = gen["s11_wine_offset.npz"](tmp_path)
    shift = (d["x_val"].mean(axis=0) - d["x"].mean(axis=0)) / d["x"].std(axis=0)
    assert (shift > 4).all()


# --- the twelfth split's npz files (datasets_twelfth.py) ----------------------------------


def _tile_angle(x: np.ndarray) -> np.ndarray:
    """The index (into datasets_twelfth.TILE_ANGLES) of the direction each (N, 1, H, W)
    tile varies least along: the stripes run that way."""
    img = x[:, 0].astype(np.float64)
    steps = {0: img[:, :, 1:] - img[:, :, :-1],  # along a row: horizontal stripes
             2: img[:, 1:, :] - img[:, :-1, :],  # down a column: vertical stripes
             1: img[:, 1:, :-1] - img[:, :-1, 1:],  # up-right diagonal
             3: img[:, 1:, 1:] - img[:, :-1, :-1]}  # down-right diagonal
    spread = np.stack([np.abs(steps[k]).mean(axis=(1, 2)) for k in range(4)], axis=1)
    return spread.argmin(axis=1)


def _sweep_direction(x: np.ndarray) -> np.ndarray:
    """1 where a (N, 1, L) chirp's power sits at lower frequencies in its second half than
    in its first (a falling sweep)."""
    half = x.shape[-1] // 2

    def centroid(part: np.ndarray) -> np.ndarray:
        power = np.abs(np.fft.rfft(part - part.mean(axis=1, keepdims=True), axis=1)) ** 2
        return (power * np.arange(power.shape[1])).sum(axis=1) / power.sum(axis=1)
    return (centroid(x[:, 0, half:]) < centroid(x[:, 0, :half])).astype(np.int64)


def test_the_twelfth_npz_files_are_deterministic_and_hold_what_the_specs_expect(tmp_path):
    files = _split_npz_files(tmp_path, TWELFTH, datasets_twelfth.GENERATORS)
    gears = files["s12_gears.npz"]
    assert gears["x"].shape[1] == datasets_twelfth.GEARS_FEATURES
    assert set(np.unique(gears["y"])) == set(range(datasets_twelfth.GEARS_CLASSES))
    assert np.bincount(gears["y"]).min() > len(gears["y"]) // 8  # no class left nearly empty
    chirps = files["s12_chirps.npz"]
    assert chirps["x"].shape[1:] == (1, datasets_twelfth.CHIRP_LENGTH)
    assert np.mean(_sweep_direction(chirps["x"]) == chirps["y"] % 2) > 0.8
    heat = files["s12_heat.npz"]
    assert heat["x"].shape[1] == datasets_twelfth.HEAT_FEATURES
    law = datasets_twelfth.heat_target(heat["x"].astype(np.float64))
    assert np.abs(heat["y"] - law).max() < 0.2 and np.corrcoef(heat["y"], law)[0, 1] > 0.99
    assert abs(float(heat["y"].mean())) < 0.1 and 0.85 < float(heat["y"].std()) < 1.15
    tiles = files["s12_tiles.npz"]
    assert tiles["x"].dtype == np.uint8
    assert tiles["x"].shape[1:] == (1, datasets_twelfth.TILE_SIZE, datasets_twelfth.TILE_SIZE)
    assert np.mean(_tile_angle(tiles["x"]) == tiles["y"]) > 0.9
    decay = files["s12_decay.npz"]
    assert decay["x"].shape[1:] == (1, datasets_twelfth.DECAY_LENGTH)
    assert abs(float(decay["y"].mean())) < 0.1 and 0.85 < float(decay["y"].std()) < 1.15
    # a slower relaxation (larger tau, larger target) holds more of its drop for longer:
    # the area under the trace scaled to fall from 1 to 0 grows with tau
    trace = decay["x"][:, 0]
    start, end = trace[:, :2].mean(axis=1), trace[:, -2:].mean(axis=1)
    area = ((trace - end[:, None]) / (start - end)[:, None]).mean(axis=1)
    assert np.corrcoef(area, decay["y"])[0, 1] > 0.95


def test_the_twelfth_mismatch_files_differ_from_their_training_data(tmp_path):
    gen = datasets_twelfth.GENERATORS
    classes = datasets_twelfth.GEARS_CLASSES
    # gears: a 1-nearest-neighbour reading of training names, in validation, the class one
    # step before the validation label
    d = gen["s12_gears_relabelled.npz"](tmp_path)
    centre, scale = d["x"].mean(axis=0), d["x"].std(axis=0)
    z, z_val = (d["x"] - centre) / scale, (d["x_val"] - centre) / scale
    nearest = d["y"][((z_val[:, None, :] - z[None]) ** 2).sum(axis=2).argmin(axis=1)]
    assert np.mean(nearest == (d["y_val"] - 1) % classes) > 0.8
    assert np.mean(nearest == d["y_val"]) < 0.1
    # chirps: validation sweeps run the other way from what their labels say
    d = gen["s12_chirps_reversed.npz"](tmp_path)
    assert np.mean(_sweep_direction(d["x"]) == d["y"] % 2) > 0.8
    assert np.mean(_sweep_direction(d["x_val"]) == d["y_val"] % 2) < 0.2
    # heat: validation logs the law's negative
    d = gen["s12_heat_other_law.npz"](tmp_path)
    assert np.corrcoef(d["y"], datasets_twelfth.heat_target(d["x"].astype(np.float64)))[0, 1] > 0.99
    assert np.corrcoef(d["y_val"], datasets_twelfth.heat_target(
        d["x_val"].astype(np.float64)))[0, 1] < -0.99
    # tiles: validation stripes turned a quarter (0 <-> 90, 45 <-> 135 degrees)
    d = gen["s12_tiles_rotated.npz"](tmp_path)
    assert np.mean(_tile_angle(d["x"]) == d["y"]) > 0.9
    assert np.mean(_tile_angle(d["x_val"]) == (d["y_val"] + 2) % 4) > 0.9
    # iris: the validation labels are a shuffle of the true ones, far from the flowers'
    d = gen["s12_iris_misjoined.npz"](tmp_path)
    x, y = sklearn_classes("iris")
    true = {tuple(row): label for row, label in zip(x, y, strict=True)}
    truth = np.array([true[tuple(row)] for row in d["x_val"]])
    assert np.array_equal(np.bincount(truth), np.bincount(d["y_val"]))
    assert np.mean(truth == d["y_val"]) < 0.6
    assert np.array_equal(d["y"], np.array([true[tuple(row)] for row in d["x"]]))


# --- the thirteenth split's npz files (datasets_thirteenth.py) --------------------------------


def _beat_interval(x: np.ndarray) -> np.ndarray:
    """The beat interval (samples) of each (N, 1, L) trace: the lag from 5 to 30 at which
    the trace, less its 9-sample moving average, best matches itself."""
    trace = x[:, 0].astype(np.float64)
    window = np.ones(9) / 9
    rest = trace - np.stack([np.convolve(row, window, mode="same") for row in trace])
    rest -= rest.mean(axis=1, keepdims=True)
    lags = np.arange(5, 31)
    match = np.stack([(rest[:, :-lag] * rest[:, lag:]).mean(axis=1) for lag in lags], axis=1)
    return lags[match.argmax(axis=1)].astype(np.float64)


def _tempo_ratio(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Each trace's beat interval over the middle of its label's tempo band."""
    centre = np.array([np.mean(band) for band in datasets_thirteenth.RHYTHM_INTERVALS])
    return _beat_interval(x) / centre[y]


def _grating_band(x: np.ndarray) -> np.ndarray:
    """The frequency band (into datasets_thirteenth.MOIRE_CYCLES) nearest the strongest
    spatial frequency of each (N, 1, H, W) grating, in cycles across the image."""
    img = x[:, 0].astype(np.float64)
    img -= img.mean(axis=(1, 2), keepdims=True)
    power = np.abs(np.fft.fft2(img)) ** 2
    f = np.fft.fftfreq(img.shape[-1]) * img.shape[-1]
    radius = np.hypot(f[:, None], f[None, :]).reshape(-1)
    peak = radius[power.reshape(len(power), -1).argmax(axis=1)]
    centre = np.array([np.mean(band) for band in datasets_thirteenth.MOIRE_CYCLES])
    return np.abs(peak[:, None] - centre[None]).argmin(axis=1)


def _roll_quarter(x: np.ndarray) -> np.ndarray:
    """The quarter of the roll's parameter range each point's radius in the (x, z) plane
    (which is the parameter t, up to noise) falls in."""
    t = np.hypot(x[:, 0].astype(np.float64), x[:, 2].astype(np.float64))
    edges = np.linspace(*datasets_thirteenth.ROLL_T, datasets_thirteenth.ROLL_CLASSES + 1)
    return np.clip(np.searchsorted(edges, t) - 1, 0, datasets_thirteenth.ROLL_CLASSES - 1)


def test_the_thirteenth_npz_files_are_deterministic_and_hold_what_the_specs_expect(tmp_path):
    files = _split_npz_files(tmp_path, THIRTEENTH, datasets_thirteenth.GENERATORS)
    rhythms = files["s13_rhythms.npz"]
    assert rhythms["x"].shape[1:] == (1, datasets_thirteenth.RHYTHM_LENGTH)
    assert np.array_equal(np.bincount(rhythms["y"]),
                          [len(rhythms["y"]) // datasets_thirteenth.RHYTHM_CLASSES] * 4)
    # the beats come at the label's tempo
    assert 0.9 < np.median(_tempo_ratio(rhythms["x"], rhythms["y"])) < 1.15
    roll = files["s13_roll.npz"]
    assert roll["x"].shape[1] == datasets_thirteenth.ROLL_FEATURES
    assert np.mean(_roll_quarter(roll["x"]) == roll["y"]) > 0.9
    assert np.bincount(roll["y"]).min() == len(roll["y"]) // datasets_thirteenth.ROLL_CLASSES
    spring = files["s13_spring.npz"]
    assert spring["x"].shape[1] == datasets_thirteenth.SPRING_FEATURES
    law = datasets_thirteenth.spring_target(spring["x"])
    assert np.abs(spring["y"] - law).max() < 6 * datasets_thirteenth.SPRING_NOISE
    assert np.corrcoef(spring["y"], law)[0, 1] > 0.99
    assert abs(float(spring["y"].mean())) < 0.1 and 0.9 < float(spring["y"].std()) < 1.1
    moire = files["s13_moire.npz"]
    assert moire["x"].dtype == np.uint8
    assert moire["x"].shape[1:] == (1, datasets_thirteenth.MOIRE_SIZE,
                                     datasets_thirteenth.MOIRE_SIZE)
    assert np.mean(_grating_band(moire["x"]) == moire["y"]) > 0.95
    # the mismatch files' training parts are the same tasks
    d = files["s13_rhythms_resampled.npz"]
    assert 0.9 < np.median(_tempo_ratio(d["x"], d["y"])) < 1.15
    d = files["s13_roll_shifted_origin.npz"]
    assert np.mean(_roll_quarter(d["x"]) == d["y"]) > 0.9
    d = files["s13_spring_cm.npz"]
    assert np.corrcoef(d["y"], datasets_thirteenth.spring_target(d["x"]))[0, 1] > 0.99
    d = files["s13_moire_period_labels.npz"]
    assert np.mean(_grating_band(d["x"]) == d["y"]) > 0.95
    d = files["s13_digits_rescaled.npz"]
    assert d["x"].min() >= 0 and d["x"].max() == 16


def test_the_thirteenth_mismatch_files_differ_from_their_training_data(tmp_path):
    gen = datasets_thirteenth.GENERATORS
    # rhythms: in validation every beat interval is 1.45x longer than its label's tempo
    d = gen["s13_rhythms_resampled.npz"](tmp_path)
    assert 1.3 < np.median(_tempo_ratio(d["x_val"], d["y_val"])) < 1.6
    # roll: the validation points' origin is moved; moved back they fit their labels again
    d = gen["s13_roll_shifted_origin.npz"](tmp_path)
    assert np.mean(_roll_quarter(d["x_val"]) == d["y_val"]) < 0.4
    back = d["x_val"].copy()
    back[:, [0, 2]] -= datasets_thirteenth.ROLL_ORIGIN_SHIFT
    assert np.mean(_roll_quarter(back) == d["y_val"]) > 0.9
    # spring: validation speeds are in cm/s (100x the raw speed, same standardisation)
    d = gen["s13_spring_cm.npz"](tmp_path)
    scale, centre = datasets_thirteenth.SPRING_SCALE, datasets_thirteenth.SPRING_CENTRE
    metres = ((d["y_val"] * scale + centre) / datasets_thirteenth.SPRING_CM_PER_M - centre) / scale
    law = datasets_thirteenth.spring_target(d["x_val"])
    assert np.corrcoef(metres, law)[0, 1] > 0.99
    assert float(d["y_val"].min()) > 20 and abs(float(d["y"].mean())) < 0.2
    # digits: the validation pixels were divided by 16 once more; the labels are the true ones
    d = gen["s13_digits_rescaled.npz"](tmp_path)
    bunch = load_digits()
    true = {tuple(row): label for row, label in zip(bunch.data, bunch.target, strict=True)}
    assert d["x_val"].max() <= 1.0 and d["x"].max() == 16
    assert np.array_equal(d["y_val"], [true[tuple(row)] for row in d["x_val"] * 16.0])
    assert np.array_equal(d["y"], [true[tuple(row)] for row in d["x"]])
    # moire: the validation labels run the other way (3 - the frequency band)
    d = gen["s13_moire_period_labels.npz"](tmp_path)
    classes = datasets_thirteenth.MOIRE_CLASSES
    assert np.mean(_grating_band(d["x_val"]) == classes - 1 - d["y_val"]) > 0.95
    assert np.mean(_grating_band(d["x_val"]) == d["y_val"]) < 0.1
