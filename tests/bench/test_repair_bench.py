"""bench/repair: the benchmark set is well formed (labels, split, specs the API accepts), its
curve reading and its scoring do what they say. Nothing here trains a model or starts the
service."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from bench.repair import curves, datasets, run, score, specs
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
