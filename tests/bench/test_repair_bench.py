"""bench/repair: the benchmark set is well formed (labels, split, specs the API accepts), its
curve reading and its scoring do what they say. Nothing here trains a model or starts the
service."""

from __future__ import annotations

import json
import math
from collections import Counter

import numpy as np
import pytest

from bench.repair import curves, datasets, run, score, specs, validate
from bench.repair.specs_fresh import FRESH
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


@pytest.mark.parametrize("entry", specs.SPECS, ids=lambda s: s.name)
def test_every_spec_is_a_job_the_api_and_the_engine_accept(entry):
    resolved = JobSpec.model_validate(entry.spec).resolved()
    check_spec(resolved)  # what POST /api/v1/jobs runs; raises SpecError (a 422)
    check_config(TrainConfig.from_dict(entry.spec))
    if entry.spec["dataset"]["name"] == "npz":
        assert entry.spec["dataset"]["path"] in datasets.GENERATORS


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


@pytest.mark.parametrize("entry", FRESH, ids=lambda s: s.name)
def test_every_fresh_spec_is_a_job_the_api_and_the_engine_accept(entry):
    resolved = JobSpec.model_validate(entry.spec).resolved()
    check_spec(resolved)
    check_config(TrainConfig.from_dict(entry.spec))
    if entry.spec["dataset"]["name"] == "npz":
        assert entry.spec["dataset"]["path"] in datasets.GENERATORS


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
    saved = json.loads(validate.DEFAULT_FRESH_OUT.read_text())
    assert sorted(c["name"] for c in saved["cases"]) == sorted(
        c["name"] for c in specs.cases("fresh"))
    assert all(c["shows"] for c in saved["cases"])
