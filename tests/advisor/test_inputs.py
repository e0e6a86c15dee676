"""What real clients send: few points, NaN, aliases, dense or irregular logging, no validation."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from service.advisor import RunFacts, diagnose
from service.schemas import DiagnosisStatus as S

RENAME = {
    "train_loss": "loss",
    "val_loss": "eval_loss",
    "train_acc": "accuracy",
    "val_acc": "val_accuracy",
    "lr": "learning_rate",
    "grad_norm": "grad_norm",
}


def test_no_series_at_all():
    d = diagnose({})
    assert d.status == S.insufficient_data
    assert d.suggestions[0].action == "keep_logging"


def test_one_epoch_is_insufficient():
    d = diagnose({"train_loss": [(0, 2.3)], "val_loss": [(0, 2.2)]})
    assert d.status == S.insufficient_data
    assert d.evidence[0].value == 1


def test_one_nan_epoch_is_already_diverging():
    d = diagnose({"loss": [(0, float("nan"))]})
    assert d.status == S.diverging


def test_all_nan_is_diverging():
    d = diagnose({"train_loss": [(i, math.nan) for i in range(10)]})
    assert d.status == S.diverging
    assert d.since_step == 0


def test_nan_sent_as_json_strings():
    pts = [(0, 2.3), (1, 1.9), (2, "Infinity"), (3, "NaN"), (4, "NaN")]
    assert diagnose({"train_loss": pts}).status == S.diverging


def test_one_nan_glitch_in_a_healthy_run_is_ignored(run):
    series, facts, _ = run("healthy_digits_mlp")
    glitched = dict(series)
    loss = list(series["train_loss"])
    loss[20] = (loss[20][0], math.nan)
    glitched["train_loss"] = loss
    assert diagnose(glitched, facts).status == S.healthy


def test_constant_loss_is_stuck():
    d = diagnose({"train_loss": [(i, 0.75) for i in range(20)]})
    assert d.status == S.stuck
    assert d.evidence[0].value == pytest.approx(0.0)


def test_constant_loss_at_ln_c_is_stuck_even_if_first_epoch_was_lower():
    pts = [(0, 2.2)] + [(i, 2.302) for i in range(1, 15)]
    facts = RunFacts(meta={"task": "classification", "num_classes": 10})
    d = diagnose({"train_loss": pts}, facts)
    assert d.status == S.stuck
    assert "ln(10)" in d.evidence[0].message


def test_aliases_read_like_canonical_keys(run):
    series, facts, _ = run("overfit_mnist1d_cnn")
    renamed = {RENAME[k]: v for k, v in series.items()}
    d = diagnose(renamed, facts)
    assert d.status == S.overfitting
    assert any(e.signal == "input" and "'eval_loss' as val_loss" in e.message for e in d.evidence)


@pytest.mark.parametrize(
    "keys",
    [
        ("train/loss", "val/loss"),
        ("training_loss", "validation_loss"),
        ("Train-Loss", "valid_loss"),
        ("train_loss_epoch", "val_loss_epoch"),
    ],
)
def test_other_naming_styles(run, keys):
    series, facts, _ = run("overfit_mnist1d_cnn")
    d = diagnose({keys[0]: series["train_loss"], keys[1]: series["val_loss"]}, facts)
    assert d.status == S.overfitting


def test_canonical_key_wins_over_alias(run):
    series, facts, _ = run("healthy_digits_mlp")
    noise = [(s, 5.0) for s, _ in series["train_loss"]]
    d = diagnose({**series, "loss": noise}, facts)  # "loss" must not replace "train_loss"
    assert d.status == S.healthy


def test_missing_validation_series(run):
    series, facts, _ = run("overfit_mnist1d_cnn")
    train_only = {k: v for k, v in series.items() if not k.startswith("val")}
    d = diagnose(train_only, facts)
    assert d.status in (S.healthy, S.underfitting)  # overfitting cannot be seen without val
    series, facts, _ = run("stuck_lowlr_digits_sgd")
    assert diagnose({"train_loss": series["train_loss"]}, facts).status == S.stuck


def test_validation_only(run):
    series, facts, _ = run("div_wine_explodes_finite")
    assert diagnose({"val_loss": series["val_loss"]}, facts).status == S.diverging


def _per_batch(series, per_epoch: int, seed: int = 0):
    """A per-epoch run as a client logging every batch would send it: `per_epoch` noisy
    training points per epoch (steps are batches), validation once per epoch."""
    rng = np.random.default_rng(seed)
    out = {}
    for key, pts in series.items():
        steps = np.array([s for s, _ in pts], float)
        values = np.array([v for _, v in pts], float)
        if key.startswith("val"):
            ends = (steps + 1) * per_epoch - 1  # validated at the end of each epoch
            out[key] = list(zip(ends.astype(int).tolist(), values.tolist(), strict=True))
            continue
        x = np.arange(len(pts) * per_epoch) / per_epoch
        y = np.interp(x, steps, values)
        if key.endswith("acc"):  # a batch accuracy: noisy, but a fraction
            y = np.clip(y + 0.05 * rng.standard_normal(len(x)), 0.0, 1.0)
        elif key != "lr":  # losses and gradient norms: +-30% from batch to batch
            y = y * np.exp(0.3 * rng.standard_normal(len(x)))
        out[key] = list(zip(range(len(x)), y.tolist(), strict=True))
    return out


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("overfit_mnist1d_cnn", S.overfitting),
        ("healthy_digits_cnn", S.healthy),
        ("stuck_lowlr_digits_sgd", S.stuck),
    ],
)
def test_many_noisy_points_per_epoch_are_averaged(run, name, status):
    series, facts, _ = run(name)
    dense = _per_batch(series, per_epoch=50)
    meta = {**facts.meta, "step_unit": "batch"}
    d = diagnose(dense, replace(facts, meta=meta))
    assert d.status == status
    assert any(e.signal == "input" and "averaged" in e.message for e in d.evidence)


def test_many_points_per_epoch_without_validation():
    rng = np.random.default_rng(1)
    x = np.arange(3000)
    loss = (0.2 + 2.0 * np.exp(-x / 300)) * np.exp(0.4 * rng.standard_normal(len(x)))
    d = diagnose(
        {"loss": list(zip(x.tolist(), loss.tolist(), strict=True))},
        RunFacts(meta={"step_unit": "batch"}),
    )
    assert d.status == S.healthy  # per-batch noise of +-40% is not oscillation


@pytest.mark.parametrize(
    "name", ["overfit_digits_mlp", "bias_mnist1d_linear_adam", "stuck_lowlr_digits_sgd"]
)
def test_irregular_steps_and_gaps(run, name):
    series, facts, record = run(name)
    want = diagnose(series, facts).status
    n = len(series["train_loss"])
    keep = sorted({0, 1, 2, 3, 5, 8, 9, 13, 14, 20, 21, 34, 40, 55, 60, 89, 100, 144, n - 1})
    keep = [i for i in keep if i < n]
    sparse = {k: [v[i] for i in keep if i < len(v)] for k, v in series.items()}
    assert diagnose(sparse, facts).status == want


def test_unsorted_and_duplicated_points_are_cleaned(run):
    series, facts, _ = run("overfit_digits_mlp")
    messy = {k: list(reversed(v)) + v[:5] for k, v in series.items()}
    assert diagnose(messy, facts).status == diagnose(series, facts).status


def test_accuracy_in_percent(run):
    series, facts, _ = run("stuck_saturated_digits")
    pct = {**series, "train_acc": [(s, 100 * v) for s, v in series["train_acc"]]}
    assert diagnose(pct, facts).status == S.stuck


def test_regression_run_without_accuracy_or_facts(run):
    series, _, _ = run("healthy_diabetes_linear")
    d = diagnose({"loss": series["train_loss"], "val_loss": series["val_loss"]})
    assert d.status == S.healthy


def test_dict_points_as_the_metrics_api_returns_them():
    pts = [{"step": i, "value": 2.3 * 0.8**i} for i in range(12)]
    assert diagnose({"train_loss": pts}).status != S.insufficient_data


def test_never_raises_on_odd_input():
    """Random keys, lengths, steps and values (negative, zero, NaN, None, strings), odd
    params, meta and specs: always a Diagnosis, never an exception or a numpy warning."""
    import warnings

    rng = np.random.default_rng(7)
    keys = ["loss", "val_loss", "accuracy", "val_accuracy", "lr", "grad_norm", "weird"]
    values = [
        lambda n: rng.normal(size=n),
        lambda n: np.exp(5 * rng.normal(size=n)),
        lambda n: np.zeros(n),
        lambda n: np.where(rng.random(n) < 0.3, np.nan, rng.random(n)),
        lambda n: np.where(rng.random(n) < 0.3, np.inf, -rng.random(n)),
        lambda n: 2.3 * np.exp(-np.arange(n) / 5),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(300):
            series = {}
            for key in rng.choice(keys, size=rng.integers(0, 5), replace=False):
                n = int(rng.integers(0, 30))
                steps = rng.integers(0, 60, size=n) if rng.random() < 0.3 else np.arange(n)
                vals = values[int(rng.integers(0, len(values)))](n)
                series[str(key)] = [(int(s), float(v)) for s, v in zip(steps, vals, strict=True)]
            facts = RunFacts(
                params={
                    "lr": rng.choice([0, -1, 1e-6, 0.5, "fast"]),
                    "depth": "deep",
                    "optimizer": "sgd",
                    "loss": rng.choice(["mse", "x"]),
                },
                meta={
                    "task": rng.choice(["classification", "regression"]),
                    "num_classes": rng.choice([0, 3, "ten"]),
                    "planned_epochs": "x",
                },
                spec=rng.choice([None, {"optimizer": "x", "training": {"epochs": "many"}}]),
                run_status=rng.choice(["running", "finished", None]),
            )
            d = diagnose(series, facts)
            assert 0.0 <= d.confidence <= 1.0


def test_fast_median_matches_numpy_including_nan():
    import numpy as np

    from service.advisor.curves import median

    rng = np.random.default_rng(0)
    for n in (1, 2, 3, 4, 7, 10, 101):
        for _ in range(50):
            x = rng.normal(size=n)
            if rng.random() < 0.2:
                x[rng.integers(n)] = np.nan
            expected = np.median(x)
            got = median(x)
            assert (np.isnan(got) and np.isnan(expected)) or got == expected
    assert np.isnan(median(np.array([])))
