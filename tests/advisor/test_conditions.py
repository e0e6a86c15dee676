"""One test per condition, on real curves from the advisor benchmark (bench/advisor).

Each run was trained for real with its fault built in (see bench/advisor/generate.py); the
tests check the status, the cause, the step it points at, and the first suggestion.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from service.advisor import diagnose
from service.catalogue import OPTIMIZERS
from service.schemas import Diagnosis, DiagnosisStatus


def _actions(d: Diagnosis) -> list[str]:
    return [s.action for s in d.suggestions]


def lowered(optimizer: dict) -> float:
    """Where lower_lr takes an lr: back to the optimizer's usual one when it is above it,
    else down one decade."""
    usual = OPTIMIZERS[optimizer["name"]].usual_lr
    return usual if optimizer["lr"] > usual else optimizer["lr"] / 10


@pytest.mark.parametrize(
    "name", ["div_digits_sgd_3", "div_mnist1d_cnn_sgd", "div_wine_sgd_momentum", "div_diabetes_sgd"]
)
def test_nan_loss_is_diverging(run, name):
    series, facts, _ = run(name)
    d = diagnose(series, facts)
    assert d.status == DiagnosisStatus.diverging
    assert d.evidence[0].signal == "train_loss.nonfinite"
    assert d.suggestions[0].action == "lower_lr"
    assert "clip_gradients" in _actions(d)
    if facts.spec is not None:  # a job run: the patch moves the spec's lr down
        optimizer = facts.spec["optimizer"]
        lower = lowered(optimizer)
        assert d.suggestions[0].patch["optimizer"]["lr"] == pytest.approx(lower)
        if optimizer["name"] == "sgd" and not optimizer["momentum"]:  # landing on SGD's
            assert d.suggestions[0].patch["optimizer"]["momentum"] == 0.9  # usual lr
    else:  # an external run: advice without patches
        assert d.suggestions[0].patch is None


def test_finite_explosion_is_diverging(run):
    series, facts, _ = run("div_wine_explodes_finite")
    d = diagnose(series, facts)
    assert d.status == DiagnosisStatus.diverging
    assert d.evidence[0].signal == "train_loss.end_over_start"
    assert d.evidence[0].value > 3


def test_loss_that_grows_mid_run_is_diverging_from_where_it_turned(run):
    series, facts, record = run("div_mnist1d_lr_runaway")
    d = diagnose(series, facts)
    assert d.status == DiagnosisStatus.diverging
    assert d.since_step is not None and d.since_step > 5  # it trained well at first


@pytest.mark.parametrize(
    "name", ["osc_digits_adam_05", "osc_digits_adam_10", "osc_digits_adamw_08"]
)
def test_up_and_down_jumps_are_oscillating(run, name):
    series, facts, _ = run(name)
    d = diagnose(series, facts)
    assert d.status == DiagnosisStatus.oscillating
    assert d.evidence[0].signal == "train_loss.jump_rate"
    assert d.suggestions[0].action == "lower_lr"
    # the same curves sent by a job: the patch lowers the spec's lr
    spec = {"optimizer": {"name": "adam", "lr": facts.params["lr"]},
            "training": {"batch_size": 64, "epochs": 30}}
    d = diagnose(series, replace(facts, spec=spec))
    lower = pytest.approx(lowered(spec["optimizer"]))
    assert d.suggestions[0].patch == {"optimizer": {"lr": lower}}
    batch = next(s for s in d.suggestions if s.action == "larger_batch")
    assert batch.patch == {"training": {"batch_size": 128}}


def test_tiny_lr_is_stuck_lr_too_low(run):
    series, facts, _ = run("stuck_lowlr_mnist1d_adam")
    d = diagnose(series, facts)
    assert (d.status, d.cause) == (DiagnosisStatus.stuck, "lr_too_low")
    assert "ln(10)" in d.evidence[0].message  # compared with the chance level
    assert d.suggestions[0].action == "raise_lr"
    patch = d.suggestions[0].patch
    assert patch["optimizer"] == {"lr": 1e-3}  # straight to Adam's usual lr
    # the run starts learning only now: a short one gets the epochs to do it, stopping early
    if facts.spec["training"]["epochs"] < 30:
        assert patch["training"] == {"epochs": 30}
        assert patch["regularization"]["early_stopping"]["metric"] == "val_loss"


def test_mse_on_sigmoid_outputs_is_stuck_saturated_loss(run):
    series, facts, _ = run("stuck_saturated_digits")
    d = diagnose(series, facts)
    assert (d.status, d.cause) == (DiagnosisStatus.stuck, "saturated_loss")
    assert d.suggestions[0].action == "change_loss"


def test_deep_sigmoid_net_is_stuck_vanishing_gradient(run):
    series, facts, _ = run("stuck_vanish_mnist1d_deep")
    d = diagnose(series, facts)
    assert (d.status, d.cause) == (DiagnosisStatus.stuck, "vanishing_gradient")
    assert d.suggestions[0].action == "change_activation"
    # ReLU with He init, and BatchNorm: the net is deep and has none
    assert d.suggestions[0].patch == {"model": {"activation": "relu", "init": "kaiming",
                                                "batchnorm": True}}


def test_blow_up_then_dead_is_stuck_lr_too_high(run):
    series, facts, _ = run("stuck_highlr_mnist1d_adam")
    d = diagnose(series, facts)
    assert (d.status, d.cause) == (DiagnosisStatus.stuck, "lr_too_high")
    assert any(e.signal == "train_loss.first_spike" for e in d.evidence)
    assert d.suggestions[0].action == "lower_lr"


def test_stuck_without_any_facts_still_names_a_cause(run):
    series, _, _ = run("stuck_vanish_digits")
    d = diagnose(series)
    assert d.status == DiagnosisStatus.stuck
    assert d.cause in {"lr_too_low", "lr_too_high", "vanishing_gradient", "critical_point"}


def test_linear_model_on_mnist1d_is_underfitting_model_bias(run):
    series, facts, _ = run("bias_mnist1d_linear_adam")
    d = diagnose(series, facts)
    assert (d.status, d.cause) == (DiagnosisStatus.underfitting, "model_bias")
    assert d.suggestions[0].action == "bigger_model"
    patch = d.suggestions[0].patch
    assert patch["model"] == {"arch": "mlp", "widths": [256, 256], "width": None, "depth": None}
    # a model big enough to fit the data can overfit it: it stops at the validation minimum
    assert patch["regularization"]["early_stopping"]["metric"] == "val_loss"


def test_plateau_of_a_deep_sigmoid_net_is_an_optimization_issue(run):
    series, facts, _ = run("bias_mnist1d_linear_adam")
    deep = replace(facts, spec=None, params={"activation": "sigmoid", "depth": 6, "lr": 0.01})
    d = diagnose(series, deep)
    assert (d.status, d.cause) == (DiagnosisStatus.underfitting, "optimization_issue")
    assert d.suggestions[0].action == "change_activation"


def test_stopped_while_improving_is_undertrained(run):
    series, facts, _ = run("under_mnist1d_mlp_killed")
    d = diagnose(series, facts)
    assert (d.status, d.cause) == (DiagnosisStatus.underfitting, "undertrained")
    assert d.suggestions[0].action == "train_longer"
    # a step big enough that one more round gets there: the epochs its loss needs to come
    # down at the rate it was falling, 2x to 10x the run
    epochs = facts.spec["training"]["epochs"]
    longer = d.suggestions[0].patch["training"]["epochs"]
    assert 2 * epochs <= longer <= 10 * epochs and longer % 5 == 0


def test_still_improving_while_running_is_healthy_so_far(run):
    series, facts, _ = run("under_mnist1d_mlp_killed")
    d = diagnose(series, replace(facts, run_status="running"))  # 6 of 60 planned epochs
    assert d.status == DiagnosisStatus.healthy
    assert d.summary.startswith("Healthy so far")


def test_val_turning_up_is_overfitting_with_early_stopping_at_best(run):
    series, facts, _ = run("overfit_mnist1d_cnn")
    d = diagnose(series, facts)
    assert d.status == DiagnosisStatus.overfitting
    val = dict(series["val_loss"])
    assert d.best_step == min(val, key=val.get)
    assert d.since_step == d.best_step
    # A job keeps its best epoch's weights anyway: early stopping alone would keep the same
    # model, so the remedies that change the model come first, each stopping early too.
    actions = _actions(d)
    assert actions[-1] == "early_stop" and actions[0] != "early_stop"
    stop = {"regularization": {"early_stopping": {"metric": "val_loss", "patience": 16}}}
    assert d.suggestions[-1].patch == stop
    for s in d.suggestions[:-1]:
        assert s.patch["regularization"]["early_stopping"] == stop["regularization"][
            "early_stopping"], s.action
    # 1-D data: augmentation adds noise, not image flips
    augment = next(s for s in d.suggestions if s.action == "add_augmentation")
    assert augment.patch["augmentation"] == {"noise": {"std": 0.3}}


def test_regression_overfitting_without_accuracy(run):
    series, facts, _ = run("overfit_diabetes_mlp")
    assert "train_acc" not in series
    assert diagnose(series, facts).status == DiagnosisStatus.overfitting


@pytest.mark.parametrize("name", ["mismatch_digits_labels", "mismatch_breast_shifted"])
def test_validation_that_never_improves_is_mismatch(run, name):
    series, facts, _ = run(name)
    d = diagnose(series, facts)
    assert d.status == DiagnosisStatus.mismatch
    assert d.suggestions[0].action == "check_data_split"
    assert not {"add_dropout", "add_weight_decay"} & set(_actions(d))  # not a regularisation fix


@pytest.mark.parametrize(
    "name", ["healthy_digits_mlp", "healthy_mnist1d_cnn", "healthy_diabetes_linear"]
)
def test_converged_run_is_healthy(run, name):
    series, facts, _ = run(name)
    d = diagnose(series, facts)
    assert d.status == DiagnosisStatus.healthy
    assert d.cause is None
    assert d.evidence and d.evidence[0].signal.startswith("train_loss")


def test_external_run_gets_no_patches(run):
    series, facts, _ = run("overfit_mnist1d_cnn")
    d = diagnose(series, replace(facts, spec=None))
    assert d.status == DiagnosisStatus.overfitting
    assert all(s.patch is None for s in d.suggestions)
    assert [s.priority for s in d.suggestions] == list(range(1, len(d.suggestions) + 1))
