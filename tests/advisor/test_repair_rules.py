"""Rules added after the first reading of the repair benchmark's report half (advisor-2.1),
each on a real run of a repair chain (tests/advisor/curves) and on the contrast that must
not change."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from service.advisor import DEFAULT, diagnose
from service.schemas import DiagnosisStatus as S


def _codes(d) -> set[str]:
    return {e.signal for e in d.evidence}


def test_a_memorised_training_set_is_overfitting_even_when_val_loss_came_back(chain_run):
    series, facts, _ = chain_run("memorised_digits_mlp_100")
    d = diagnose(series, facts)
    assert d.status == S.overfitting
    assert "acc.gap_memorised" in _codes(d)
    first = d.suggestions[0]
    assert first.action == "more_data"
    assert first.patch["dataset"]["n_train"] > facts.spec["dataset"]["n_train"]


def test_memorising_is_not_overfitting_while_validation_accuracy_keeps_up(chain_run):
    series, facts, _ = chain_run("memorised_digits_mlp_100")
    # the same curves with validation accuracy as high as training's: no accuracy gap
    train_acc = dict(series["train_acc"])
    level = dict(series)
    level["val_acc"] = [(s, train_acc[s]) for s, _ in series["val_acc"]]
    assert "acc.gap_memorised" not in _codes(diagnose(level, facts))


def test_a_validation_loss_never_better_than_an_untrained_model_is_a_mismatch(chain_run):
    series, facts, record = chain_run("mismatch_regression_sign_flip")
    val = [v for _, v in series["val_loss"]]
    # it did improve a little first (what made it read as overfitting before)
    assert min(val) < val[0]
    d = diagnose(series, facts)
    assert d.status == S.mismatch
    assert d.suggestions[0].action in ("check_data_split", "resplit_validation")


def test_train_loss_jumps_with_a_smoothly_falling_val_loss_are_batch_noise(chain_run):
    series, facts, _ = chain_run("batchnorm_noise_iris")
    assert facts.spec["model"]["batchnorm"] is True
    d = diagnose(series, facts)
    assert d.status != S.oscillating
    # the same jumps at an lr far above the usual one are the lr's
    spec = {**facts.spec, "optimizer": {**facts.spec["optimizer"], "lr": 3.0}}
    assert diagnose(series, replace(facts, spec=spec)).status == S.oscillating


def _without_lr(facts):
    """The run's facts as an external run might send them: no lr anywhere."""
    spec = {**facts.spec, "optimizer": {**facts.spec["optimizer"], "lr": None}}
    params = {k: v for k, v in facts.params.items() if "lr" not in k}
    return replace(facts, spec=spec, params=params)


def test_the_same_jumps_with_validation_jumping_too_are_oscillation(chain_run):
    series, facts, _ = chain_run("batchnorm_noise_iris")
    # validation made to follow the training loss's jumps: the weights themselves bounce
    jumpy = dict(series)
    jumpy["val_loss"] = [(s, v * 1.1) for s, v in series["train_loss"]]
    # with the lr not known (nor logged), the curves alone decide
    unlogged = {k: v for k, v in jumpy.items() if k != "lr"}
    assert diagnose(unlogged, _without_lr(facts)).status == S.oscillating
    # at an lr far above the usual one, the lr is to blame
    spec = {**facts.spec, "optimizer": {**facts.spec["optimizer"], "lr": 3.0}}
    assert diagnose(jumpy, replace(facts, spec=spec)).status == S.oscillating


def test_jumps_at_a_usual_lr_are_not_oscillation(chain_run):
    """DESIGN: oscillation is the lr too high for the optimizer. At SGD's usual lr the
    jumps of a BatchNorm net on batches of 16 are batch noise, even where validation jumps
    with them (a validation set of 30 samples)."""
    series, facts, _ = chain_run("batchnorm_noise_iris")
    jumpy = dict(series)
    jumpy["val_loss"] = [(s, v * 1.1) for s, v in series["train_loss"]]
    assert diagnose(jumpy, facts).status != S.oscillating


def test_heavy_ball_momentum_counts_in_the_lr(chain_run):
    """SGD's usual lr is meant with momentum 0.9: momentum 0.99 takes steps 10x as long,
    so lr 0.1 with it is an lr 33x the usual one; lowering it resets the momentum too."""
    series, facts, _ = chain_run("batchnorm_noise_iris")
    jumpy = dict(series)
    jumpy["val_loss"] = [(s, v * 1.1) for s, v in series["train_loss"]]
    heavy = {**facts.spec, "optimizer": {**facts.spec["optimizer"], "lr": 0.1,
                                         "momentum": 0.99}}
    d = diagnose(jumpy, replace(facts, spec=heavy))
    assert d.status == S.oscillating
    assert "params.lr_ratio" in _codes(d)
    lower = next(s for s in d.suggestions if s.action == "lower_lr")
    assert lower.patch["optimizer"]["momentum"] == 0.9
    assert lower.patch["optimizer"]["lr"] <= 0.03  # SGD's usual lr, with momentum 0.9
    # the same lr with momentum 0.9 is SGD's usual range: no lr finding, no oscillation
    usual = {**facts.spec, "optimizer": {**facts.spec["optimizer"], "lr": 0.1,
                                         "momentum": 0.9}}
    assert diagnose(jumpy, replace(facts, spec=usual)).status != S.oscillating


def test_a_reduce_on_plateau_schedule_is_not_an_lr_collapse(chain_run):
    series, facts, _ = chain_run("plateau_regression_healthy")
    assert facts.spec["schedule"]["name"] == "plateau"
    d = diagnose(series, facts)
    assert d.status == S.healthy
    # the same cuts while validation was still improving at the first one: a collapse
    lr = dict(series["lr"])
    first_cut = min(s for s, v in lr.items() if v < lr[0])
    descending = dict(series)
    descending["val_loss"] = [(s, v if s >= first_cut else 1.0 - 0.01 * s)
                              for s, v in series["val_loss"]]
    assert diagnose(descending, facts).cause == "optimization_issue"


def test_a_bigger_model_reaches_the_usual_width_and_stops_early(chain_run):
    series, facts, _ = chain_run("one_channel_cnn1d")
    assert facts.spec["model"]["width"] == 1
    d = diagnose(series, facts)
    assert (d.status, d.cause) == (S.underfitting, "model_bias")
    bigger = next(s for s in d.suggestions if s.action == "bigger_model")
    assert bigger.patch["model"]["width"] >= 25  # cnn1d's usual width, not 2
    assert bigger.patch["regularization"]["early_stopping"]["metric"] == "val_loss"


def test_an_undertrained_classifier_on_mse_changes_its_loss_with_more_epochs(chain_run):
    series, facts, _ = chain_run("mse_linear_iris_undertrained")
    assert facts.spec["training"]["loss"] == "mse"
    d = diagnose(series, facts)
    assert (d.status, d.cause) == (S.underfitting, "undertrained")
    first = d.suggestions[0]
    assert first.action == "change_loss"
    assert first.patch["training"]["loss"] == "cross_entropy"
    assert first.patch["training"]["epochs"] > facts.spec["training"]["epochs"]
    assert "params.loss" in _codes(d)  # the evidence behind the change


def test_early_stopping_at_the_validation_best_is_not_a_run_cut_short(chain_run):
    series, facts, record = chain_run("early_stopped_images_cnn")
    assert record["stopped_reason"] == "early_stopping"
    d = diagnose(series, facts)
    assert d.status == S.healthy
    # the same curves from a job without early stopping that was killed there: every
    # epoch is judged, and the validation loss had turned up from its best
    killed = replace(facts, spec={**facts.spec, "regularization": {}}, run_status="failed")
    assert diagnose(series, killed).status != S.healthy


def test_lowering_an_lr_just_above_the_usual_one_moves_half_a_decade(run):
    series, facts, _ = run("div_digits_sgd_3")
    spec = {
        "dataset": {"name": "digits"},
        "model": {"arch": "mlp"},
        "optimizer": {"name": "sgd", "lr": 0.06, "momentum": 0.9},
        "training": {"epochs": len(series["train_loss"])},
    }
    d = diagnose(series, replace(facts, spec=spec))
    assert d.status == S.diverging
    lower = next(s for s in d.suggestions if s.action == "lower_lr")
    assert lower.patch["optimizer"]["lr"] <= 0.06 / 3  # not 3e-2, SGD's usual one


# --- advisor-2.3: after all three splits (tune, report, fresh) were read -------------------


def test_the_model_early_stopping_kept_is_judged_not_a_spike_in_the_wait(chain_run):
    series, facts, record = chain_run("kept_model_spike_cnn")
    assert record["stopped_reason"] == "early_stopping"
    loss = dict(series["train_loss"])
    assert loss[max(loss)] > 5 * loss[record["best_epoch"]]  # it blew up after the kept epoch
    d = diagnose(series, facts)
    assert d.status == S.healthy
    # the same curves from a run without early stopping: its end is what it delivers
    plain = replace(facts, spec={**facts.spec, "regularization": {
        **facts.spec["regularization"], "early_stopping": None}})
    assert diagnose(series, plain).status == S.underfitting


def test_a_model_that_predicts_validation_well_is_not_biased(chain_run):
    series, facts, _ = chain_run("dropout_spirals")
    # training loss in training mode (BatchNorm's batch statistics) far above validation's
    assert series["train_loss"][-1][1] > 2 * series["val_loss"][-1][1]
    assert diagnose(series, facts).status == S.healthy
    # with validation as high as training, the same training loss is model bias
    high = dict(series)
    high["val_loss"] = [(s, v) for s, v in series["train_loss"]]
    high["val_acc"] = [(s, v) for s, v in series["train_acc"]]
    d = diagnose(high, facts)
    assert (d.status, d.cause) == (S.underfitting, "model_bias")


def test_a_classifier_of_unknown_classes_is_not_at_chance_after_a_good_first_epoch(chain_run):
    series, facts, _ = chain_run("moons_linear_unknown_classes")
    assert facts.meta.get("num_classes") is None  # a user's npz file
    assert series["train_acc"][0][1] > 0.8
    d = diagnose(series, facts)
    assert (d.status, d.cause) == (S.underfitting, "model_bias")
    assert d.suggestions[0].action == "bigger_model"
    # told it has two classes, the reading is the same
    two = replace(facts, meta={**facts.meta, "num_classes": 2})
    assert (diagnose(series, two).status, diagnose(series, two).cause) == (
        S.underfitting, "model_bias")


def test_an_lr_cut_that_stopped_a_descent_is_an_lr_collapse(chain_run):
    series, facts, _ = chain_run("plateau_patience_0")
    assert facts.spec["schedule"]["patience"] == 0
    d = diagnose(series, facts)
    assert (d.status, d.cause) == (S.underfitting, "optimization_issue")
    assert d.suggestions[0].action == "change_schedule"
    # the same curves with the lr left where it was: the plateau is the model's
    flat = dict(series)
    flat["lr"] = [(s, series["lr"][0][1]) for s, _ in series["lr"]]
    assert diagnose(flat, facts).cause == "model_bias"


def test_a_mismatch_validates_on_a_fold_of_the_training_data(chain_run):
    series, facts, _ = chain_run("mismatch_raw_units")
    d = diagnose(series, facts)
    assert d.status == S.mismatch
    resplit = next(s for s in d.suggestions if s.action == "resplit_validation")
    assert resplit.patch == {"dataset": {"folds": 5, "fold": 0}}  # the held-out set left out
    # a spec that already validates on a random split gets no re-split
    split = replace(facts, spec={**facts.spec, "dataset": {**facts.spec["dataset"],
                                                          "val_fraction": 0.2}})
    assert "resplit_validation" not in {s.action for s in diagnose(series, split).suggestions}


def test_a_healthy_run_still_at_its_validation_best_is_offered_a_longer_run(chain_run):
    series, facts, _ = chain_run("still_improving_iris_linear")
    d = diagnose(series, facts)
    assert d.status == S.healthy
    first = d.suggestions[0]
    assert first.action == "train_longer"
    assert first.patch["training"]["epochs"] >= 2 * facts.spec["training"]["epochs"]
    # the validation best well before the end: no longer run offered
    val = series["val_loss"]
    turned = dict(series)
    turned["val_loss"] = [(s, v if s < 10 else val[9][1] * (1 + 0.01 * (s - 9)))
                          for s, v in val]
    assert "train_longer" not in {s.action for s in diagnose(turned, facts).suggestions}


# --- advisor-2.4: after the fourth split's one untouched reading ------------------------------


def test_a_classifier_that_converged_inside_its_first_epoch_is_not_stuck(chain_run):
    series, facts, _ = chain_run("resnet18_converged_in_its_first_epoch")
    assert facts.meta.get("num_classes") is None  # a user's npz file
    loss = [v for _, v in series["train_loss"]]
    assert loss[0] < math.log(2) and loss[-1] < 0.02 * math.log(2)
    d = diagnose(series, facts)
    assert d.status == S.healthy, d.summary
    # told its number of classes, the reading is the same
    two = replace(facts, meta={**facts.meta, "num_classes": 2})
    assert diagnose(series, two).status == S.healthy


# --- after the fourth split's reading (advisor-2.5) -------------------------------------------


def test_an_optimizer_that_overshoots_at_a_usual_lr_oscillates(chain_run):
    """RMSprop with a short memory (alpha 0.3) and momentum at its usual lr: the loss moves by
    a good part of chance from epoch to epoch, up and down."""
    series, facts, _ = chain_run("rmsprop_short_memory_oscillates")
    assert facts.spec["optimizer"]["lr"] == 0.01  # 10x RMSprop's usual: under the lr rule
    d = diagnose(series, facts)
    assert d.status == S.oscillating, d.summary


def test_small_jumps_of_a_nearly_converged_net_at_a_usual_lr_are_not_oscillation(chain_run):
    """A ResNet-18 memorising 100 images with Adam at 0.003: its training loss jumps by 1.5x
    near zero (0.06 -> 0.18 on a chance of ln 10); what it does is overfit."""
    series, facts, _ = chain_run("resnet18_memorising_small_jumps")
    d = diagnose(series, facts)
    assert d.status == S.overfitting, d.summary
    # the same jumps at an lr far above the usual one are the lr's
    spec = {**facts.spec, "optimizer": {**facts.spec["optimizer"], "lr": 1.0}}
    assert diagnose(series, replace(facts, spec=spec)).status == S.oscillating


def test_a_regression_fitted_inside_its_first_epoch_at_a_usual_lr_is_healthy(chain_run):
    """L-BFGS on a linear least-squares problem: 0.67 in its first epoch, 0.001 from then on."""
    series, facts, _ = chain_run("lbfgs_linear_converged_in_its_first_epoch")
    assert facts.spec["dataset"]["task"] == "regression"
    loss = [v for _, v in series["train_loss"]]
    assert loss[0] > 100 * loss[1]
    d = diagnose(series, facts)
    assert d.status == S.healthy, d.summary
    # at an lr 50x L-BFGS's usual, the same first epoch reads as a blow-up
    spec = {**facts.spec, "optimizer": {**facts.spec["optimizer"], "lr": 50.0}}
    assert diagnose(series, replace(facts, spec=spec)).status == S.stuck


def test_regularisation_far_stronger_than_usual_is_model_bias(chain_run):
    """AdamW with a decoupled weight decay of 10 on a regression: the loss settles at half its
    start with no gap, which a noisy target could also do; the decay is what tells."""
    series, facts, _ = chain_run("regression_under_adamw_decay_10")
    d = diagnose(series, facts)
    assert (d.status, d.cause) == (S.underfitting, "model_bias"), d.summary
    assert "weight decay 10" in d.summary or any("weight decay 10" in e.message
                                                 for e in d.evidence)
    first = d.suggestions[0]
    assert first.action == "less_regularization"
    assert first.patch["optimizer"]["weight_decay"] == 0.1
    # AdamW's usual decay reads healthy on the same curves
    spec = {**facts.spec, "optimizer": {**facts.spec["optimizer"], "weight_decay": 0.05}}
    assert diagnose(series, replace(facts, spec=spec)).status == S.healthy


def test_validation_accuracy_that_rose_with_training_is_no_mismatch(chain_run):
    """A wide cnn1d on 150 sensor windows (an npz file: classes unknown): its first epoch
    looked like a blow-up, so its validation loss looked never better than an untrained
    model's; its validation accuracy rose from ~30% to ~53% with training: it overfits."""
    series, facts, _ = chain_run("cnn1d_overfits_150_windows")
    acc = [v for _, v in series["val_acc"]]
    assert max(acc) - acc[0] > 0.2
    assert diagnose(series, facts).status == S.overfitting
    # the same validation losses with an accuracy that never rose: a mismatch
    flat = {**series, "val_acc": [(s, acc[0]) for s, _ in series["val_acc"]]}
    assert diagnose(flat, facts).status == S.mismatch


def test_validation_accuracy_that_rose_but_stays_below_chance_is_a_mismatch():
    """The old benchmark's shifted wine validation set (held-out seed): accuracy 14% -> 27%,
    below the chance of 3 classes."""
    from tests.advisor.conftest import CURVES, load

    series, facts, _ = load("mismatch_wine_shifted", CURVES / "holdout")
    assert diagnose(series, facts).status == S.mismatch


def test_a_short_run_still_falling_fast_near_chance_is_undertrained_not_stuck(chain_run):
    """A 3-epoch CNN: 1.38 -> 1.28 -> 1.19 on a chance of ln 4, 7% a epoch, accuracy 39% ->
    59%."""
    series, facts, _ = chain_run("cnn_3_epochs_still_falling")
    assert len(series["train_loss"]) == 3
    d = diagnose(series, facts)
    assert (d.status, d.cause) == (S.underfitting, "undertrained"), d.summary
    # more epochs first; at plain SGD lr 0.003 (a hundredth of the usual step) with a larger
    # lr (advisor-2.10)
    assert d.suggestions[0].action == "raise_lr"
    assert d.suggestions[0].patch["training"]["epochs"] > 3
    # flat at the same level, it is stuck
    flat = {**series, "train_loss": [(s, 1.38) for s, _ in series["train_loss"]]}
    assert diagnose(flat, facts).status == S.stuck
    # falling the same way at an lr 50x SGD's usual one, the lr is to blame: stuck
    spec = {**facts.spec, "optimizer": {**facts.spec["optimizer"], "lr": 1.5}}
    assert diagnose(series, replace(facts, spec=spec)).status == S.stuck


def test_a_net_of_one_channel_still_falling_slowly_is_model_bias(chain_run):
    """A CNN of one filter: its loss still falls 1.3% a epoch at the end of 20, at a high
    level. More epochs will not make up for the capacity."""
    series, facts, _ = chain_run("cnn_one_filter_still_falling")
    assert facts.spec["model"]["width"] == 1
    d = diagnose(series, facts)
    assert (d.status, d.cause) == (S.underfitting, "model_bias"), d.summary
    first = d.suggestions[0]
    assert first.action == "bigger_model" and first.patch["model"]["width"] >= 8
    # the same curves through 16 channels: too few epochs
    spec = {**facts.spec, "model": {**facts.spec["model"], "width": 16}}
    d16 = diagnose(series, replace(facts, spec=spec))
    assert (d16.status, d16.cause) == (S.underfitting, "undertrained")


def test_one_spike_and_its_way_back_at_a_usual_lr_is_not_oscillation(chain_run):
    """A deep SELU net on iris after a fix (He init, then input noise), early-stopped: one
    batch threw its loss from 0.25 to 2.4, and it came back in two steps."""
    series, facts, _ = chain_run("augmented_iris_one_spike")
    loss = [v for _, v in series["train_loss"]]
    assert max(loss[10:]) > 5 * min(loss[10:])
    assert diagnose(series, facts).status == S.healthy
    # up and down twice over, it oscillates
    steps = [s for s, _ in series["train_loss"]]
    twice = [2.4 if i in (15, 18) else v for i, v in enumerate(loss)]
    again = {**series, "train_loss": list(zip(steps, twice, strict=True))}
    assert diagnose(again, facts).status == S.oscillating


def test_a_divergence_under_an_enormous_penalty_weakens_the_penalty_first(chain_run):
    """Full-batch SGD with an l2 of 48 (the fifth split, after its one reading): lowering
    the lr leaves the penalty in charge (stuck); weakening it comes first."""
    series, facts, _ = chain_run("diverging_under_l2_48")
    assert facts.spec["regularization"]["l2"] == 48
    d = diagnose(series, facts)
    assert d.status == S.diverging, d.summary
    first = d.suggestions[0]
    assert first.action == "less_regularization"
    # a hundredth (0.48) was still stuck: no more than a tenth of the strong level
    assert first.patch["regularization"]["l2"] == pytest.approx(0.003)
    # a penalty of 0.1 still goes to a hundredth of it
    milder = {**facts.spec, "regularization": {**facts.spec["regularization"], "l2": 0.1}}
    plan = diagnose(series, replace(facts, spec=milder)).suggestions
    less = next(s for s in plan if s.action == "less_regularization")
    assert less.patch["regularization"]["l2"] == pytest.approx(0.001)
    # with a usual penalty, the lr comes first
    usual = {**facts.spec, "regularization": {**facts.spec["regularization"], "l2": 1e-3}}
    again = diagnose(series, replace(facts, spec=usual))
    assert again.status == S.diverging
    assert again.suggestions[0].action == "lower_lr"


def test_weight_decay_weakened_for_a_divergence_is_no_longer_strong(chain_run):
    """SGD at lr 1 with a weight decay of 10 on images (the seventeenth split, after its one
    reading): NaN in the first epoch. Weakening the decay comes first, as for an l2 penalty,
    and to the same level: a hundredth, 0.1, was still strong, so the next round weakened it
    again and never lowered the lr that its diagnosis blamed."""
    series, facts, _ = chain_run("cnn_sgd_weight_decay_10_nan_at_once")
    assert facts.spec["optimizer"]["weight_decay"] == 10
    d = diagnose(series, facts)
    assert d.status == S.diverging, d.summary
    first = d.suggestions[0]
    assert first.action == "less_regularization"
    decay = first.patch["optimizer"]["weight_decay"]
    assert decay == pytest.approx(0.003) and decay < DEFAULT.strong_penalty
    # AdamW's decoupled decay keeps its own level: 10 -> 0.1, a tenth of the strong one
    adamw = {**facts.spec, "optimizer": {**facts.spec["optimizer"], "name": "adamw"}}
    plan = diagnose(series, replace(facts, spec=adamw)).suggestions
    less = next(s for s in plan if s.action == "less_regularization")
    assert less.patch["optimizer"]["weight_decay"] == pytest.approx(0.1)
    # the run with the weakened decay, still at lr 1: stuck with the lr to blame, whose
    # remedy now comes first
    series, facts, _ = chain_run("cnn_sgd_lr_1_stuck_after_weaker_decay")
    assert facts.spec["optimizer"]["weight_decay"] == pytest.approx(0.003)
    d = diagnose(series, facts)
    assert (d.status, d.cause) == (S.stuck, "lr_too_high"), d.summary
    assert d.suggestions[0].action == "lower_lr"
    assert d.suggestions[0].patch["optimizer"]["lr"] < facts.spec["optimizer"]["lr"] / 10


def test_a_fresh_start_under_a_schedule_that_cut_the_lr_to_nothing_gets_cosine(chain_run):
    """A cnn1d of mnist1d at Adam lr 0.5 under an exponential schedule (gamma 0.7 a epoch),
    flat at chance (the eighteenth split, after its one reading): the lr is to blame, and
    the lr lowered a hundredfold under the same schedule was cut to nothing again and read
    underfitting. The lowered lr comes with a cosine schedule over the new run."""
    series, facts, _ = chain_run("cnn1d_adam_lr_05_exponential_stuck")
    assert facts.spec["schedule"] == {**facts.spec["schedule"], "name": "exponential",
                                      "gamma": 0.7}
    d = diagnose(series, facts)
    assert (d.status, d.cause) == (S.stuck, "lr_too_high"), d.summary
    lower = d.suggestions[0]
    assert lower.action == "lower_lr"
    assert lower.patch["schedule"] == {"name": "cosine", "gamma": None}
    # and stops early, as change_schedule does: the model now trains, and can overfit
    assert lower.patch["regularization"]["early_stopping"]["metric"] == "val_loss"
    assert lower.patch["optimizer"]["lr"] < facts.spec["optimizer"]["lr"] / 10
    # every change that restarts training gets it, not the ones that go on with the run
    for s in d.suggestions[1:]:
        if s.patch is not None and "optimizer" in s.patch:
            assert s.patch["schedule"]["name"] == "cosine", s.action
    # a schedule that anneals over the run's length (cosine, linear, onecycle) is kept
    cosine = {**facts.spec, "schedule": {**facts.spec["schedule"], "name": "cosine",
                                         "gamma": None}}
    params = {**facts.params, "schedule": "cosine"}
    again = diagnose(series, replace(facts, spec=cosine, params=params))
    assert all("schedule" not in (s.patch or {}) for s in again.suggestions
               if s.action == "lower_lr")
    # and an exponential schedule that leaves the lr well above nothing is kept too
    flat = [(step, 0.5) for step, _ in series["lr"]]
    kept = diagnose({**series, "lr": flat}, facts)
    assert all("schedule" not in (s.patch or {}) for s in kept.suggestions
               if s.action == "lower_lr")


def test_a_regression_whose_loss_starts_in_the_millions_standardises_its_targets_first(
    chain_run,
):
    """Targets in grams (the fifth split's kiln task, after its reading) trained at SGD lr
    1e-7: the loss starts at 5.4e6 and crawls. Lowering the lr is no answer and raising
    it blows up: the targets' scale is."""
    series, facts, _ = chain_run("regression_in_grams_crawling")
    assert series["train_loss"][0][1] > 1e6
    d = diagnose(series, facts)
    assert d.status == S.stuck, d.summary
    first = d.suggestions[0]
    assert first.action == "standardize_targets"
    assert first.patch["dataset"] == {"standardize_targets": True}
    # targets already standardised: the suggestion is not made again
    spec = {**facts.spec, "dataset": {**facts.spec["dataset"], "standardize_targets": True}}
    again = diagnose(series, replace(facts, spec=spec))
    assert "standardize_targets" not in [s.action for s in again.suggestions]


def _without_baseline(facts):
    meta = {k: v for k, v in facts.meta.items() if k != "baseline_loss"}
    return replace(facts, meta=meta)


def test_a_regression_that_settles_far_above_zero_against_its_targets_variance_is_model_bias(
        chain_run):
    # a linear model on a target with a sine and a square term: its training loss settles at
    # 27% of the targets' variance (the loss of predicting their mean, which its worker
    # recorded) and read healthy against its first epoch's loss, the bar without it
    series, facts, _ = chain_run("linear_regression_of_a_nonlinear_target")
    assert facts.meta["baseline_loss"] > 0.9
    d = diagnose(series, facts)
    assert (d.status, d.cause) == (S.underfitting, "model_bias")
    assert "predicting the training mean" in d.summary
    assert d.suggestions[0].action == "bigger_model"
    assert diagnose(series, _without_baseline(facts)).status == S.healthy


def test_a_regression_that_explains_its_targets_stays_healthy_with_its_baseline(chain_run):
    series, facts, _ = chain_run("healthy_regression_with_baseline")
    assert diagnose(series, facts).status == S.healthy
    # a baseline that is no number, or not positive, is no baseline
    for wrong in ("0.9", 0.0, -1.0, math.inf, True):
        meta = {**facts.meta, "baseline_loss": wrong}
        assert diagnose(series, replace(facts, meta=meta)).status == S.healthy


def test_a_baseline_loss_is_read_only_for_a_regression(chain_run):
    series, facts, _ = chain_run("linear_regression_of_a_nonlinear_target")
    # the same meta on a run said to be a classifier (no accuracy, no class count): the
    # baseline is not its chance level
    spec = {**facts.spec, "dataset": {**facts.spec["dataset"], "task": "classification"}}
    meta = {**facts.meta, "task": "classification"}
    d = diagnose(series, replace(facts, spec=spec, meta=meta))
    assert "predicting the training mean" not in d.summary


def test_a_noisy_regression_that_fits_past_validation_is_not_model_bias(chain_run):
    # a 3x256 MLP on diabetes, early-stopped: its training loss stays at ~36% of the
    # targets' variance (noise a sound model does not fit), but it goes on falling while
    # validation rises from its best: capacity is not what it lacks
    series, facts, _ = chain_run("noisy_regression_mlp_early_stopped")
    d = diagnose(series, facts)
    assert d.cause != "model_bias" and "predicting the training mean" not in d.summary
    # the same training curve with validation flat at its level: nothing fitted past it
    flat = dict(series)
    level = min(v for _, v in series["val_loss"])
    flat["val_loss"] = [(s, level) for s, _ in series["val_loss"]]
    assert (diagnose(flat, facts).status, diagnose(flat, facts).cause) == (
        S.underfitting, "model_bias")


def test_targets_far_from_unit_scale_are_seen_in_their_variance_when_the_loss_is_nan_at_once(
        chain_run):
    # the fifth split's kiln task in grams at SGD lr 0.03: NaN from the first epoch, so the
    # loss says nothing of the targets' scale; the variance the worker recorded does
    series, facts, _ = chain_run("regression_in_grams_nan_at_once")
    assert all(math.isnan(v) for _, v in series["train_loss"])
    assert facts.meta["baseline_loss"] > 1e5
    d = diagnose(series, facts)
    assert d.status == S.diverging
    assert d.suggestions[0].action == "standardize_targets"
    assert "variance" in " ".join(e.message for e in d.evidence)
    # without the recorded variance there is no sign of it: the lr comes first
    assert diagnose(series, _without_baseline(facts)).suggestions[0].action == "lower_lr"
    # nor once the targets are standardised (their variance is then 1)
    spec = {**facts.spec, "dataset": {**facts.spec["dataset"], "standardize_targets": True}}
    again = diagnose(series, replace(facts, spec=spec, meta={**facts.meta, "baseline_loss": 1.0}))
    assert "standardize_targets" not in [s.action for s in again.suggestions]


def test_an_adaptive_optimizer_far_above_its_usual_lr_is_lowered_two_decades(chain_run):
    # a BatchNorm CNN under AdamW at lr 1 (1000x the usual 1e-3), stuck at chance: taken to
    # 1e-3 it was still undertrained after 30 and 300 epochs; two decades down, 0.01, trains
    series, facts, _ = chain_run("adamw_lr_1_dead_cnn")
    d = diagnose(series, facts)
    assert (d.status, d.cause) == (S.stuck, "lr_too_high")

    def lowered_to(lr: float) -> float:
        spec = {**facts.spec, "optimizer": {**facts.spec["optimizer"], "lr": lr}}
        plan = diagnose(series, replace(facts, spec=spec)).suggestions
        return next(s for s in plan if s.action == "lower_lr").patch["optimizer"]["lr"]

    assert lowered_to(1.0) == pytest.approx(0.01)
    assert lowered_to(0.05) == pytest.approx(0.001)  # not below the usual lr
    # plain SGD far above its usual lr still goes to it (its runs were repaired so)
    sgd = {**facts.spec, "optimizer": {"name": "sgd", "lr": 3.0, "momentum": 0.9}}
    plan = diagnose(series, replace(facts, spec=sgd)).suggestions
    assert next(s for s in plan if s.action == "lower_lr").patch["optimizer"]["lr"] == \
        pytest.approx(0.03)


def test_a_linear_model_gets_no_excuse_for_a_validation_loss_below_its_training_loss(
        chain_run):
    # a linear regression settled at 29% of its targets' variance with its validation loss
    # at 24%: no dropout or BatchNorm raises a linear model's training loss, so the lower
    # validation loss is the validation set's luck, and the model is too simple
    series, facts, _ = chain_run("linear_regression_val_below_train")
    assert facts.spec["model"]["arch"] == "linear"
    d = diagnose(series, facts)
    assert (d.status, d.cause) == (S.underfitting, "model_bias")
    # an MLP with dropout whose validation loss is well below its training loss (10% of
    # the variance: under the regression bar, 15%, since advisor-2.10) is excused
    mlp = {**facts.spec, "model": {**facts.spec["model"], "arch": "mlp", "widths": [64],
                                   "dropout": 0.3}}
    params = {**facts.params, "model.arch": "mlp", "model.dropout": 0.3}
    scale = 0.1 * facts.meta["baseline_loss"] / series["val_loss"][-1][1]
    low_val = {**series, "val_loss": [(s, v * scale) for s, v in series["val_loss"]]}
    assert diagnose(low_val, replace(facts, spec=mlp, params=params)).status == S.healthy
    # ... and not the linear model
    assert diagnose(low_val, facts).status == S.underfitting


def test_jumps_at_a_very_high_lr_are_oscillation_even_when_the_run_settled_later(chain_run):
    # Adam at lr 0.3 (300x its usual) on breast_cancer: training loss 1-9 (chance 0.69) for
    # ten epochs, then 0.01; validation accuracy 96%, its loss 5-9 (huge logits). Read as a
    # mismatch at advisor-2.9, healthy without that rule: the jumps were the fault
    series, facts, _ = chain_run("adam_300x_breast_cancer_settled")
    d = diagnose(series, facts)
    assert d.status == S.oscillating
    assert "after the first" in d.summary
    assert d.suggestions[0].action == "lower_lr"
    # at Adam's usual lr the same early wobble that settled is no oscillation (only the
    # second half of a run counts there) ...
    usual = {**facts.spec, "optimizer": {**facts.spec["optimizer"], "lr": 0.001}}
    at_usual = diagnose(series, replace(facts, spec=usual))
    assert at_usual.status != S.oscillating
    # ... nor a mismatch: the model is right on 96% of the validation samples
    assert at_usual.status != S.mismatch
    # with validation accuracy at chance, the same losses are a mismatch
    coin = {**series, "val_acc": [(s, 0.5) for s, _ in series["val_acc"]]}
    assert diagnose(coin, replace(facts, spec=usual)).status == S.mismatch


def test_a_deep_sigmoid_stack_is_blamed_before_a_crawl_at_a_sane_lr(chain_run):
    # 12 sigmoid layers at SGD lr 0.01 with momentum 0.9 (a third of the usual step), flat
    # at ln 10 while falling by 0.01 in six epochs: its loss "fell on 80% of the epochs",
    # a steady crawl, but the gradient that vanishes through the layers is the cause, and
    # the change of activation comes first
    series, facts, _ = chain_run("deep_sigmoid_12_layers_flat")
    d = diagnose(series, facts)
    assert (d.status, d.cause) == (S.stuck, "vanishing_gradient")
    assert d.suggestions[0].action == "change_activation"
    # at a hundredth of the usual lr or below, the lr is still blamed first
    low = {**facts.spec, "optimizer": {**facts.spec["optimizer"], "lr": 1e-5}}
    assert diagnose(series, replace(facts, spec=low)).cause == "lr_too_low"
    # a shallow net of the same curves at that sane lr crawls: the lr is blamed
    shallow = {**facts.spec, "model": {**facts.spec["model"], "depth": 2}}
    params = {**facts.params, "model.depth": 2}
    assert diagnose(series, replace(facts, spec=shallow, params=params)).cause == "lr_too_low"


def test_an_undertrained_run_at_steps_a_decade_below_the_usual_gets_a_larger_lr_first(
        chain_run):
    # a 4x64 ReLU MLP on mnist1d at plain SGD lr 0.01 (SGD's usual 0.03 is meant with
    # momentum 0.9: a thirtieth of the usual step), still falling after 30 epochs; ten
    # times the epochs at that lr left it undertrained (val accuracy 0.41 -> 0.54)
    series, facts, _ = chain_run("plain_sgd_0_01_undertrained_mlp")
    d = diagnose(series, facts)
    assert (d.status, d.cause) == (S.underfitting, "undertrained")
    first = d.suggestions[0]
    assert first.action == "raise_lr"
    assert first.patch["optimizer"]["lr"] > facts.spec["optimizer"]["lr"]
    assert first.patch["training"]["epochs"] > facts.spec["training"]["epochs"]
    # with momentum at the usual lr the steps are the usual ones: more epochs first
    usual = {**facts.spec, "optimizer": {**facts.spec["optimizer"], "lr": 0.03,
                                         "momentum": 0.9}}
    again = diagnose(series, replace(facts, spec=usual))
    assert again.suggestions[0].action == "train_longer"


def test_a_regression_explaining_less_than_85_percent_of_its_targets_variance_underfits(
        chain_run):
    # a linear model of a projectile's range (a nonlinear target) settled at 21% of the
    # training targets' variance (meta.baseline_loss): under the classifiers' bar (25% of
    # chance) it read healthy; healthy regressions of the nine splits end at <= 3.6%
    series, facts, _ = chain_run("linear_regression_of_a_projectile")
    baseline = facts.meta["baseline_loss"]
    d = diagnose(series, facts)
    assert (d.status, d.cause) == (S.underfitting, "model_bias")
    assert "loss of predicting the training mean" in d.summary
    # the same curves against twice that variance (10%): explained well enough
    wider = replace(facts, meta={**facts.meta, "baseline_loss": 2 * baseline})
    assert diagnose(series, wider).status == S.healthy


def test_more_data_of_a_file_asks_for_no_more_samples_than_its_worker_found(chain_run):
    # a cnn1d on 150 windows of an npz file: 4x the samples (600) unless the run's worker
    # recorded fewer (meta.train_available); none when n_train takes them all already
    # (after the ninth split's reading: 4x of a file that held less made failed jobs)
    series, facts, _ = chain_run("cnn1d_overfits_150_windows")
    assert facts.spec["dataset"]["name"] == "npz" and facts.spec["dataset"]["n_train"] == 150

    def more_data(available: int | None) -> dict | None:
        meta = {k: v for k, v in facts.meta.items() if k != "train_available"}
        if available is not None:
            meta["train_available"] = available
        plan = diagnose(series, replace(facts, meta=meta)).suggestions
        return next((s.patch for s in plan if s.action == "more_data"), None)

    assert more_data(None)["dataset"]["n_train"] == 600
    assert more_data(5000)["dataset"]["n_train"] == 600
    assert more_data(400)["dataset"]["n_train"] == 400
    assert more_data(150) is None


def test_an_early_stopped_net_whose_validation_is_fitted_is_not_undertrained(chain_run):
    # a BatchNorm ReLU net at SGD lr 0.05 + momentum, early-stopped at epoch 68 of 300: its
    # training loss (batch statistics, large steps) still falling at 40% of its start, its
    # validation at 16% with 99% accuracy. Called undertrained at advisor-2.10 and given
    # 2,260 epochs; early stopping would end those the same way
    series, facts, record = chain_run("batchnorm_relu_early_stopped_train_above_val")
    assert record["stopped_reason"] == "early_stopping"
    d = diagnose(series, facts)
    assert d.status == S.healthy, d.summary
    # with validation no better than training, the high training loss is what the model
    # delivers: more epochs
    level = {**series, "val_loss": list(series["train_loss"])}
    assert diagnose(level, facts).status == S.underfitting


def test_a_tiny_init_flat_at_chance_is_a_critical_point_before_a_crawl(chain_run):
    # a 3-layer CNN with N(0, 0.01) weights at SGD lr 0.02 + momentum: 2.303 -> 2.301 in
    # five epochs, falling on each (a "crawl"). Read lr_too_low at advisor-2.10: raise_lr
    # left it flat, and change_init came a round late
    series, facts, _ = chain_run("cnn_tiny_init_flat_at_chance")
    d = diagnose(series, facts)
    assert (d.status, d.cause) == (S.stuck, "critical_point")
    assert d.suggestions[0].action == "change_init"
    # with the default init the same crawl blames the lr
    default = {**facts.spec, "model": {**facts.spec["model"], "init": "default"}}
    params = {**facts.params, "model.init": "default"}
    assert diagnose(series, replace(facts, spec=default, params=params)).cause == "lr_too_low"


def test_accuracy_that_wanders_up_does_not_excuse_a_validation_loss_never_below_its_first(
        chain_run):
    # iris validated on a file in inches (trained in centimetres): validation accuracy
    # went 0.35 -> 0.70 -> 0.40 while its loss never came below its first value (1.09 ->
    # 3.7). The accuracy rise excused it from mismatch at advisor-2.10 (overfitting)
    series, facts, _ = chain_run("iris_validation_in_inches")
    d = diagnose(series, facts)
    assert d.status == S.mismatch, d.summary
    # the same accuracies with a validation loss that came down first (its first value
    # doubled): what was learned held for a while, and then the model overfitted
    first_high = {**series, "val_loss": [(s, v * (2.0 if i == 0 else 1.0))
                                         for i, (s, v) in enumerate(series["val_loss"])]}
    assert diagnose(first_high, facts).status == S.overfitting


def test_a_running_job_with_nothing_to_show_says_no_fault_found_yet_and_where_it_is(
        chain_run):
    # an RMSprop MLP on breast_cancer at 60% of its 10 epochs: its loss neither falling
    # steadily nor settled yet. At advisor-2.10 it read "Healthy." with no evidence at all
    series, facts, _ = chain_run("breast_cancer_mlp_rmsprop_healthy")
    last = math.ceil(0.6 * facts.spec["training"]["epochs"]) - 1
    running = {k: [(s, v) for s, v in pts if s <= last] for k, pts in series.items()}
    d = diagnose(running, replace(facts, run_status="running"))
    assert d.status == S.healthy
    assert d.summary.startswith("No fault found yet: train loss is at ")
    assert [e.signal for e in d.evidence] == ["train_loss.end"]
    assert [s.action for s in d.suggestions] == ["keep_logging"]
    # less sure than a finished run shown healthy by its curves
    done = diagnose(series, facts)
    assert done.status == S.healthy and not done.summary.startswith("No fault found")
    assert d.confidence < done.confidence


def test_a_three_layer_sigmoid_cnn_flat_at_chance_has_a_vanishing_gradient(chain_run):
    # 3 sigmoid conv layers without BatchNorm, flat at ln 4 for ten epochs: every such CNN
    # of the ten splits was stuck; a critical point at advisor-2.11's reading
    series, facts, _ = chain_run("sigmoid_cnn_3_layers_flat")
    assert facts.spec["model"]["depth"] == 3
    d = diagnose(series, facts)
    assert (d.status, d.cause) == (S.stuck, "vanishing_gradient")
    assert d.suggestions[0].action == "change_activation"
    # an MLP of three sigmoid layers is not deep enough to blame for it (4 for dense nets)
    mlp = {**facts.spec, "model": {**facts.spec["model"], "arch": "mlp"}}
    params = {**facts.params, "model.arch": "mlp"}
    assert diagnose(series, replace(facts, spec=mlp, params=params)).cause != \
        "vanishing_gradient"


def test_a_net_held_near_chance_by_heavy_dropout_underfits_from_its_regularisation(chain_run):
    # an MLP under dropout 0.85, 6-7% below chance after 40 epochs: regularisation far
    # stronger than usual, not a saddle (a critical point at advisor-2.11's reading)
    series, facts, _ = chain_run("mlp_dropout_085_near_chance")
    d = diagnose(series, facts)
    assert (d.status, d.cause) == (S.underfitting, "model_bias")
    assert d.suggestions[0].action == "less_regularization"
    # with the usual dropout the same flat loss has nothing to blame: a critical point
    usual = {**facts.spec, "model": {**facts.spec["model"], "dropout": 0.2}}
    params = {**facts.params, "model.dropout": 0.2}
    assert diagnose(series, replace(facts, spec=usual, params=params)).cause == \
        "critical_point"


def test_a_memorised_training_set_with_validation_loss_above_chance_is_overfitting(
        chain_run):
    # RMSprop at 500x its usual lr on digits: training loss 1e-5, validation loss 3x ln 10
    # at 94% accuracy (6 points under training's: no accuracy gap rule). Read healthy at
    # advisor-2.11: a validation loss above chance does not follow training
    series, facts, _ = chain_run("rmsprop_500x_digits_memorised")
    d = diagnose(series, facts)
    assert d.status == S.overfitting, d.summary
    assert "val_loss.end_over_chance" in _codes(d)
    # the same run with its validation loss at a tenth of that is shown healthy
    low = {**series, "val_loss": [(s, v / 10) for s, v in series["val_loss"]]}
    assert diagnose(low, facts).status == S.healthy


# --- advisor-2.13 (after the eleventh and twelfth splits' readings) ---------------------


def test_a_linear_model_whose_accuracy_stays_at_chance_is_model_bias_not_a_saddle(
        chain_run):
    # A linear model of an XOR trait (the twelfth split): its loss settles at 57% of its
    # start, its accuracy flat at 51%. A convex loss has no critical point; at 2.12 it was
    # "stuck/critical_point" and the plan's next step was BatchNorm, which a linear model
    # cannot have (the job failed)
    series, facts, _ = chain_run("linear_xor_accuracy_flat")
    assert facts.spec["model"]["arch"] == "linear"
    d = diagnose(series, facts)
    assert (d.status, d.cause) == (S.underfitting, "model_bias"), d.summary
    assert d.suggestions[0].action == "bigger_model"
    assert all(s.action != "add_batchnorm" for s in d.suggestions)
    # the same curves from a two-layer MLP are a net that may sit at a saddle
    mlp = {**facts.spec, "model": {**facts.spec["model"], "arch": "mlp", "width": 64,
                                   "depth": 2}}
    other = diagnose(series, replace(facts, spec=mlp,
                                     params={**facts.params, "model.arch": "mlp",
                                             "arch": "mlp"}))
    assert other.cause != "model_bias" or other.status != S.underfitting


def test_a_batchnorm_net_right_on_most_validation_samples_is_not_model_bias(chain_run):
    # A 12-layer BatchNorm ReLU net on spirals at SGD lr 0.2: training loss half its start
    # in training mode (batch statistics of 32 samples), validation loss 0.25-0.3 and 93-99%
    # right. At 2.12: "underfitting/model_bias", a bigger model
    series, facts, _ = chain_run("deep_bn_spiral_val_right")
    assert facts.spec["model"]["batchnorm"] is True
    d = diagnose(series, facts)
    assert not (d.status == S.underfitting and d.cause == "model_bias"), d.summary
    # the same run with validation accuracy as low as training's is model bias again
    low = {**series, "val_acc": [(s, 0.6) for s, _ in series["val_acc"]],
           "val_loss": [(s, v * 2.5) for s, v in series["val_loss"]]}
    d = diagnose(low, facts)
    assert (d.status, d.cause) == (S.underfitting, "model_bias"), d.summary


def test_a_regression_with_unit_variance_targets_that_blows_up_is_not_given_scaled_ones(
        chain_run):
    # A linear regression of a pendulum at SGD lr 3: 8e34 in its first epoch. Its worker
    # recorded the targets' variance (meta.baseline_loss, about 1): the blow-up is the
    # lr's. At 2.12 the plan standardised the targets first, and the chain lost a round
    series, facts, _ = chain_run("pendulum_linear_blowup_unit_targets")
    assert facts.meta["baseline_loss"] < 100
    d = diagnose(series, facts)
    assert d.status == S.diverging
    assert d.suggestions[0].action == "lower_lr", [s.action for s in d.suggestions]
    # targets whose variance is in the thousands are standardised first
    big = replace(facts, meta={**facts.meta, "baseline_loss": 5000.0})
    assert diagnose(series, big).suggestions[0].action == "standardize_targets"


def test_validation_predicted_worse_than_guessing_is_a_mismatch(chain_run):
    # A cnn1d at 100% on its training sequences, 0% on validation sequences recorded
    # backwards (the twelfth split): its validation loss first fell a little, so at 2.12
    # "overfitting" (augmentation, regularisation) for data that follows another rule
    series, facts, _ = chain_run("val_below_chance_reversed_chirps")
    d = diagnose(series, facts)
    assert d.status == S.mismatch, d.summary
    assert "val_acc.below_chance" in _codes(d)
    # the same run falling back only to where it started on validation is overfitting
    first = series["val_acc"][0][1]
    back = {**series, "val_acc": [(s, max(v, first)) for s, v in series["val_acc"]]}
    assert diagnose(back, facts).status == S.overfitting


# --- advisor-2.14 ---------------------------------------------------------------------------


def test_a_change_that_makes_the_run_longer_fits_early_stoppings_patience_to_it(chain_run):
    # An MLP at plain SGD lr 0.01, early stopping with patience 6 over 30 epochs, still
    # falling at its end (the eighth split): raise_lr comes with 300 epochs. At 2.13 its
    # patch kept the patience of 6, and a run at the raised lr stopped on validation noise
    # some 20 epochs in; train_longer's own patch already set 20
    series, facts, _ = chain_run("plain_sgd_0_01_undertrained_mlp")
    assert facts.spec["regularization"]["early_stopping"]["patience"] == 6
    d = diagnose(series, facts)
    raise_lr, longer = d.suggestions[0], d.suggestions[1]
    assert (raise_lr.action, longer.action) == ("raise_lr", "train_longer")
    assert raise_lr.patch["training"]["epochs"] == 300
    assert raise_lr.patch["regularization"]["early_stopping"]["patience"] == \
        longer.patch["regularization"]["early_stopping"]["patience"] == 20
    # a patience of the spec's own above the fitted one is kept as it is
    patient = {**facts.spec, "regularization": {
        **facts.spec["regularization"], "early_stopping": {"metric": "val_loss", "patience": 40}}}
    kept = diagnose(series, replace(facts, spec=patient)).suggestions[0]
    assert kept.action == "raise_lr" and "regularization" not in kept.patch


def test_an_undertrained_run_of_an_optimizer_whose_steps_shrink_switches_first(chain_run):
    # A CNN at Adagrad lr 3e-3, still falling after 8 epochs (the thirteenth split): at 2.14
    # it was given 80 epochs, then 800, and was still undertrained at 88% (Adagrad's sum of
    # squared gradients only grows, so its steps only shrink). Adam first, with the longer run
    series, facts, _ = chain_run("adagrad_cnn_still_falling")
    assert facts.spec["optimizer"]["name"] == "adagrad"
    d = diagnose(series, facts)
    assert (d.status, d.cause) == (S.underfitting, "undertrained")
    first = d.suggestions[0]
    assert first.action == "switch_optimizer" and first.patch["optimizer"]["name"] == "adam"
    assert first.patch["training"]["epochs"] > facts.spec["training"]["epochs"]
    # the same curves under SGD with momentum (steps that do not shrink): more epochs first
    sgd = {**facts.spec, "optimizer": {"name": "sgd", "lr": 0.03, "momentum": 0.9}}
    assert diagnose(series, replace(facts, spec=sgd)).suggestions[0].action == "train_longer"


def test_a_classifier_blowing_up_on_mse_changes_its_loss_and_its_lr_at_once(chain_run):
    # A linear model of digits with MSE on its raw class outputs at SGD lr 0.5 (the thirteenth
    # split): the loss exploded. At 2.15 the lr came first, then the loss a round later, and
    # runs so repaired had no round left for what came next (on the tuning splits' diverging
    # MSE classifiers the lr alone left them diverging or stuck saturated, the loss alone
    # stuck at the lr that blew up). One step does both (advisor-2.16).
    series, facts, _ = chain_run("mse_linear_digits_blowing_up")
    assert facts.spec["training"]["loss"] == "mse" and facts.spec["optimizer"]["lr"] == 0.5
    d = diagnose(series, facts)
    assert d.status == S.diverging
    first = d.suggestions[0]
    assert first.action == "change_loss"
    assert first.patch["training"]["loss"] == "cross_entropy"
    assert first.patch["optimizer"]["lr"] < facts.spec["optimizer"]["lr"] / 3
    assert [s.action for s in d.suggestions[1:3]] == ["lower_lr", "clip_gradients"]
    # the same curves under cross-entropy: nothing about the loss, the lr first
    ce = {**facts.spec, "training": {**facts.spec["training"], "loss": "cross_entropy"}}
    assert diagnose(series, replace(facts, spec=ce)).suggestions[0].action == "lower_lr"


def test_a_schedule_that_collapsed_is_replaced_with_early_stopping(chain_run):
    # An mnist1d MLP whose exponential schedule (gamma 0.3) cut the lr to nothing by epoch 4
    # (the sixteenth split). Under cosine it trains for the first time, reaches its val loss
    # minimum near epoch 15 of 30 and overfits after it: the patch stops it there, so that
    # the kept model is what is judged (advisor-2.17; at 2.16 it was read overfitting and
    # given dropout and L2, and ended with model bias).
    series, facts, _ = chain_run("mlp_mnist1d_schedule_collapsed")
    assert facts.spec["schedule"]["name"] == "exponential"
    assert facts.spec["regularization"]["early_stopping"] is None
    d = diagnose(series, facts)
    assert (d.status, d.cause) == (S.underfitting, "optimization_issue")
    first = d.suggestions[0]
    assert first.action == "change_schedule"
    assert first.patch["schedule"] == {"name": "cosine", "gamma": None}
    stop = first.patch["regularization"]["early_stopping"]
    assert stop["metric"] == "val_loss" and 5 <= stop["patience"] <= 20
    # a spec that stops early already keeps its rule: the schedule alone
    kept = {"metric": "val_loss", "patience": 9, "min_delta": 0.0}
    stopping = {**facts.spec, "regularization": {**facts.spec["regularization"],
                                                  "early_stopping": kept}}
    again = diagnose(series, replace(facts, spec=stopping)).suggestions[0]
    assert again.action == "change_schedule" and "regularization" not in again.patch


def test_adagrad_far_above_its_usual_lr_goes_two_decades_down(chain_run):
    # A linear model of iris oscillating at Adagrad lr 30 (the sixteenth split). Adagrad's
    # usual lr, 0.01, left such runs undertrained after 40 epochs (its steps only shrink);
    # like Adam's, a lr more than a decade above it goes down two decades (advisor-2.17).
    series, facts, _ = chain_run("adagrad_linear_iris_oscillating")
    assert facts.spec["optimizer"] == {**facts.spec["optimizer"], "name": "adagrad", "lr": 30.0}
    d = diagnose(series, facts)
    assert d.status == S.oscillating
    first = d.suggestions[0]
    assert first.action == "lower_lr"
    assert first.patch["optimizer"]["lr"] == pytest.approx(0.3)
    # within a decade of the usual lr the rule is unchanged: at least half a decade down,
    # not below the usual lr
    near = {**facts.spec, "optimizer": {**facts.spec["optimizer"], "lr": 0.05}}
    lowered = diagnose(series, replace(facts, spec=near)).suggestions[0]
    assert lowered.action == "lower_lr" and lowered.patch["optimizer"]["lr"] == pytest.approx(0.01)


# --- advisor-2.20 (after the nineteenth split's reading) -----------------------------------


@pytest.mark.parametrize("name, kept", [
    # an image MLP given 800 samples (more_data) that memorised them: early stopping kept
    # epoch 3, validation loss 124% of chance at 22% accuracy
    ("images_mlp_more_data_kept_above_chance", 3),
    # a ReLU MLP of images: kept epoch 9, validation loss 101% of chance at 19% accuracy
    ("images_mlp_relu_kept_at_chance", 9),
    # a linear model of images whose validation loss rose from its first epoch: kept epoch 0
    ("linear_images_early_stopped_at_first_epoch", 0),
])
def test_an_early_stopped_model_no_better_than_a_guess_on_validation_is_overfitting(
        chain_run, name, kept):
    # Read healthy at advisor-2.19 ("early stopping kept the model of epoch k"): the model
    # the job delivers predicts validation no better than a uniform guess while training
    # fell far below chance
    series, facts, record = chain_run(name)
    assert record["stopped_reason"] == "early_stopping" and record["best_epoch"] == kept
    d = diagnose(series, facts)
    assert d.status == S.overfitting, d.summary
    assert d.evidence[0].signal == "val_loss.best_over_chance"
    assert f"epoch {kept}" in d.summary and "no better than a uniform guess" in d.summary
    assert d.suggestions[0].action in {"more_data", "add_augmentation", "add_regularization"}
    # the same run with its validation loss at half is a model early stopping kept at its
    # validation best: healthy
    half = {**series, "val_loss": [(s, v / 2) for s, v in series["val_loss"]]}
    assert diagnose(half, facts).status == S.healthy
    # and one whose training loss never fell below chance either learnt nothing: not this
    flat = {**series, "train_loss": [(s, max(v, 2.4)) for s, v in series["train_loss"]]}
    assert "val_loss.best_over_chance" not in _codes(diagnose(flat, facts))
