"""The fifteenth split: JobSpecs with one injected training fault each (or none), written
apart from the other splits.

Written from docs/ARCHITECTURE.md sections 4 (the JobSpec) and 5 (the table of statuses and
causes), the catalogue (service/catalogue), the training engine (workers/training), the
format of specs.py and datasets.py, and the yardsticks of curves.py; without reading
fitdoc's advisor, any benchmark result or the other splits' specs and datasets (beyond
their format; bench/repair/README.md says what else was seen). Each fault
is written from what it does to a run's curves, and every spec was checked only by
curves.py through validate.py (`--split fifteenth`).

Datasets: the built-ins (mnist1d, digits, wine, breast_cancer, iris, synthetic_images) and
the `s15_` npz files of datasets_fifteenth.py (two-axis vibration recordings, a smart-meter
regression, concentric shells, the meter's load in watt-hours, and five train/validation
mismatches).
"""

from __future__ import annotations

from typing import Any

from bench.repair.specs import Spec, job, npz

BEARING = npz("s15_bearing.npz", val_fraction=0.2)
SHELLS = npz("s15_shells.npz", val_fraction=0.2)
IMAGES = {"name": "synthetic_images", "n_train": 1500}


def meter(**fields: Any) -> dict[str, Any]:
    """The s15 meter regression (targets already standardised)."""
    return npz("s15_meter.npz", task="regression", **{"val_fraction": 0.2, **fields})


def _healthy() -> list[Spec]:
    def h(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(f"f15_healthy_{name}", "sound_recipe", "healthy", None, why, spec)

    return [
        h("bearing_cnn1d_bn_adam_cosine",
          "a 3-layer cnn1d with batch norm on the two-axis vibration recordings, Adam 3e-3 "
          "under a cosine decay for 30 epochs",
          job(BEARING, {"arch": "cnn1d", "width": 32, "depth": 3, "batchnorm": True},
              {"name": "adam", "lr": 0.003}, schedule={"name": "cosine"}, epochs=30,
              batch_size=64)),
        h("meter_mlp_adamw_plateau",
          "a 2x128 MLP regressing the meter load with AdamW and a reduce-on-plateau schedule",
          job(meter(), {"arch": "mlp", "width": 128, "depth": 2},
              {"name": "adamw", "lr": 0.002, "weight_decay": 0.01},
              schedule={"name": "plateau", "patience": 3, "factor": 0.3}, epochs=60,
              batch_size=64, loss="mse")),
        h("shells_mlp_sgd_onecycle_l2",
          "a 2x64 ReLU MLP on the concentric shells, SGD with momentum under a one-cycle "
          "schedule and a little l2 for 30 epochs",
          job(SHELLS, {"arch": "mlp", "width": 64, "depth": 2},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9}, schedule={"name": "onecycle"},
              regularization={"l2": 0.001}, epochs=30, batch_size=32)),
        h("mnist1d_cnn1d_bn_nesterov_step_short",
          "a wide cnn1d with batch norm, Nesterov SGD and a step decay, 10 epochs",
          job("mnist1d", {"arch": "cnn1d", "width": 48, "batchnorm": True},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True},
              schedule={"name": "step", "step_size": 4, "gamma": 0.3}, epochs=10)),
        h("digits_mlp_gelu_adam_early_stop_small_val",
          "a 2x256 GELU MLP with Adam, stopped early on a validation set of 8% of digits",
          job({"name": "digits", "val_fraction": 0.08}, {"arch": "mlp", "width": 256,
                                                         "activation": "gelu"},
              {"name": "adam", "lr": 0.001},
              regularization={"early_stopping": {"patience": 2}}, epochs=40, batch_size=32)),
        h("digits_linear_lbfgs_short",
          "l2-regularised multinomial logistic regression fitted by full-batch L-BFGS in 5 "
          "epochs",
          job("digits", {"arch": "linear"}, {"name": "lbfgs"}, regularization={"l2": 0.005},
              epochs=5, batch_size=2048)),
        h("wine_mlp_tanh_rmsprop_long",
          "a 2x32 tanh MLP with RMSprop at its usual lr for 40 epochs on wine",
          job("wine", {"arch": "mlp", "width": 32, "activation": "tanh"},
              {"name": "rmsprop", "lr": 0.001}, epochs=40, batch_size=16)),
        h("wine_linear_adagrad_short",
          "logistic regression with Adagrad for 8 epochs on wine",
          job("wine", {"arch": "linear"}, {"name": "adagrad", "lr": 0.1}, epochs=8,
              batch_size=8)),
        h("iris_mlp_selu_sgd_long",
          "a 2x32 SELU MLP with LeCun (kaiming) init, SGD with momentum and l2 0.01 for 60 "
          "epochs",
          job("iris", {"arch": "mlp", "width": 32, "activation": "selu", "init": "kaiming"},
              {"name": "sgd", "lr": 0.01, "momentum": 0.9}, regularization={"l2": 0.01},
              epochs=60, batch_size=16)),
        h("breast_cancer_mlp_dropout_adamw_short_small_val",
          "a 2x64 MLP with dropout and AdamW's weight decay for 10 epochs, validated on 12% "
          "of breast_cancer",
          job({"name": "breast_cancer", "val_fraction": 0.12},
              {"arch": "mlp", "width": 64, "dropout": 0.3},
              {"name": "adamw", "lr": 0.001, "weight_decay": 0.05}, epochs=10, batch_size=32)),
        h("breast_cancer_linear_sgd_inverse_short",
          "logistic regression with SGD under an inverse-square-root decay, 6 epochs",
          job("breast_cancer", {"arch": "linear"}, {"name": "sgd", "lr": 0.1},
              schedule={"name": "inverse"}, epochs=6, batch_size=16)),
        h("images_cnn_adamw_onecycle_short",
          "a narrow 3-block CNN with batch norm, AdamW under a one-cycle schedule, 8 epochs "
          "on 1500 images",
          job(IMAGES, {"arch": "cnn", "width": 8, "depth": 3},
              {"name": "adamw", "lr": 0.01, "weight_decay": 0.0001},
              schedule={"name": "onecycle"}, epochs=8, batch_size=32)),
        h("iris_linear_adam_long",
          "multinomial logistic regression with Adam for 50 epochs on iris",
          job("iris", {"arch": "linear"}, {"name": "adam", "lr": 0.02}, epochs=50,
              batch_size=16)),
    ]


def _underfitting() -> list[Spec]:
    def bias(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(f"f15_underfit_{name}", kind, "underfitting", "model_bias", why, spec)

    def opt(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(f"f15_underfit_{name}", kind, "underfitting", "optimization_issue", why,
                    spec)

    def short(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(f"f15_underfit_{name}", "too_few_epochs", "underfitting", "undertrained",
                    why, spec)

    return [
        bias("meter_linear_sgd", "model_too_small",
             "a linear model for the meter load, whose squares and interactions a linear map "
             "cannot follow",
             job(meter(), {"arch": "linear"}, {"name": "sgd", "lr": 0.01, "momentum": 0.9},
                 epochs=30, batch_size=64, loss="mse")),
        bias("mnist1d_mlp_dropout_0.9", "regularization_too_strong",
             "an MLP that drops 90% of its hidden units at every step: it cannot hold what "
             "it learns",
             job("mnist1d", {"arch": "mlp", "width": 64, "dropout": 0.9},
                 {"name": "adam", "lr": 0.003}, epochs=30)),
        bias("shells_mlp_two_unit_layer", "model_too_small",
             "an MLP whose one hidden layer has 2 ReLU units: two half-space folds cannot "
             "carve three concentric shells",
             job(SHELLS, {"arch": "mlp", "widths": [2]}, {"name": "adam", "lr": 0.03},
                 epochs=40, batch_size=32)),
        bias("wine_linear_adamw_decay_too_strong", "regularization_too_strong",
             "logistic regression with AdamW's decoupled weight decay at 5 (500x the usual), "
             "which holds the weights near zero",
             job("wine", {"arch": "linear"}, {"name": "adamw", "lr": 0.01, "weight_decay": 5.0},
                 epochs=40, batch_size=16)),
        opt("mnist1d_cnn1d_inverse_power_2", "lr_schedule_collapse",
            "an inverse decay with power 2 (meant 0.5): the lr is 1/16 of its start after 3 "
            "epochs and 1/900 after 30, and training freezes far from a fit",
            job({"name": "mnist1d", "n_train": 2000}, {"arch": "cnn1d", "width": 32},
                {"name": "adam", "lr": 0.003}, schedule={"name": "inverse", "power": 2.0},
                epochs=30)),
        opt("meter_mlp_exponential_gamma_0.3", "lr_schedule_collapse",
            "an exponential decay of 0.3 per epoch (meant per ten epochs): after 5 epochs of "
            "30 the lr is 400x smaller and the regressor freezes at a poor fit",
            job(meter(), {"arch": "mlp", "width": 128}, {"name": "adam", "lr": 0.001},
                schedule={"name": "exponential", "gamma": 0.3}, epochs=30, batch_size=64,
                loss="mse")),
        opt("mnist1d_mlp_plateau_patience_0_small_val", "lr_schedule_collapse",
            "reduce-on-plateau with patience 0 and factor 0.1 watching a 5% validation set: "
            "every wobble of its loss cuts the lr 10x, and within a few epochs it is nil",
            job({"name": "mnist1d", "n_train": 2000, "val_fraction": 0.05},
                {"arch": "mlp", "width": 128}, {"name": "sgd", "lr": 0.05, "momentum": 0.9},
                schedule={"name": "plateau", "patience": 0, "factor": 0.1}, epochs=30)),
        opt("bearing_cnn1d_step_every_epoch", "lr_schedule_collapse",
            "a step schedule dividing the lr by 10 after every epoch (step_size 1): the "
            "cnn1d has barely left chance when its lr is gone",
            job(BEARING, {"arch": "cnn1d", "width": 32, "batchnorm": True},
                {"name": "adam", "lr": 0.001},
                schedule={"name": "step", "step_size": 1, "gamma": 0.1}, epochs=30,
                batch_size=64)),
        short("mnist1d_cnn1d_adam_3_epochs",
              "a cnn1d with Adam at its usual lr stopped after 3 epochs",
              job("mnist1d", {"arch": "cnn1d", "width": 32}, {"name": "adam", "lr": 0.001},
                  epochs=3)),
        short("images_cnn_adam_3_epochs",
              "a 3-block CNN with Adam stopped after 3 epochs",
              job(IMAGES, {"arch": "cnn", "width": 8, "depth": 3},
                  {"name": "adam", "lr": 0.002}, epochs=3, batch_size=64)),
        short("shells_mlp_plain_sgd_long",
              "a 2x32 MLP with plain SGD at lr 0.03 for 30 epochs: it leaves the chance "
              "plateau late and is still descending when the run ends",
              job(SHELLS, {"arch": "mlp", "width": 32}, {"name": "sgd", "lr": 0.03},
                  epochs=30, batch_size=64)),
        short("meter_mlp_sgd_6_epochs",
              "a 2x64 MLP regressing the meter load with plain SGD, 6 epochs",
              job(meter(), {"arch": "mlp", "width": 64}, {"name": "sgd", "lr": 0.01},
                  epochs=6, batch_size=32, loss="mse")),
    ]


def _overfitting() -> list[Spec]:
    def o(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(f"f15_overfit_{name}", "small_train_set_big_model", "overfitting", None,
                    why, spec)

    return [
        o("digits_mlp_1024_on_100",
          "a 2x1024 MLP trained on 100 digits for 100 epochs with Adam",
          job({"name": "digits", "n_train": 100}, {"arch": "mlp", "width": 1024},
              {"name": "adam", "lr": 0.003}, epochs=100, batch_size=16)),
        o("mnist1d_cnn1d_wide_on_300",
          "a 64-channel cnn1d on 300 MNIST-1D sequences for 60 epochs",
          job({"name": "mnist1d", "n_train": 300}, {"arch": "cnn1d", "width": 64},
              {"name": "adam", "lr": 0.003}, epochs=60, batch_size=32)),
        o("shells_mlp_deep_on_60",
          "a 3x256 MLP on 60 shell points (three of their six features noise) for 150 epochs",
          job(npz("s15_shells.npz", val_fraction=0.2, n_train=60),
              {"arch": "mlp", "width": 256, "depth": 3}, {"name": "adam", "lr": 0.003},
              epochs=150, batch_size=8)),
        o("breast_cancer_mlp_deep_on_40",
          "a 3x256 MLP with Adam on 40 breast_cancer samples for 100 epochs",
          job({"name": "breast_cancer", "n_train": 40}, {"arch": "mlp", "width": 256,
                                                         "depth": 3},
              {"name": "adam", "lr": 0.001}, epochs=100, batch_size=8)),
        o("bearing_cnn1d_on_160",
          "a 64-channel cnn1d on 160 vibration recordings for 80 epochs",
          job(npz("s15_bearing.npz", val_fraction=0.2, n_train=160),
              {"arch": "cnn1d", "width": 64}, {"name": "adam", "lr": 0.003}, epochs=80,
              batch_size=16)),
    ]


def _stuck() -> list[Spec]:
    def s(name: str, cause: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(f"f15_stuck_{name}", kind, "stuck", cause, why, spec)

    low, high = "lr_too_low", "lr_too_high"
    vanish, sat, crit = "vanishing_gradient", "saturated_loss", "critical_point"
    return [
        s("mnist1d_cnn1d_adam_lr_1e-6", low, "lr_far_too_low",
          "Adam at lr 1e-6 (1000x below its usual) on a cnn1d for 5 epochs",
          job("mnist1d", {"arch": "cnn1d", "width": 32}, {"name": "adam", "lr": 1e-6},
              epochs=5)),
        s("digits_mlp_sgd_lr_1e-6_long", low, "lr_far_too_low",
          "plain SGD at lr 1e-6 on a 2x128 MLP for 40 epochs",
          job("digits", {"arch": "mlp", "width": 128}, {"name": "sgd", "lr": 1e-6},
              epochs=40, batch_size=64)),
        s("bearing_mlp_rmsprop_lr_1e-7", low, "lr_far_too_low",
          "RMSprop at lr 1e-7 on a 2x128 MLP for 6 epochs",
          job(BEARING, {"arch": "mlp", "width": 128}, {"name": "rmsprop", "lr": 1e-7},
              epochs=6, batch_size=64)),
        s("digits_mlp_sgd_lr_1.5_dead_relu", high, "lr_far_too_high_dead_units",
          "plain SGD at lr 1.5 (50x its usual) on a ReLU MLP: the first steps throw every "
          "hidden unit into its dead zone and the outputs stay at the class prior",
          job("digits", {"arch": "mlp", "width": 128}, {"name": "sgd", "lr": 1.5},
              epochs=30, batch_size=32)),
        s("images_cnn_adam_lr_1", high, "lr_far_too_high_dead_units",
          "Adam at lr 1 (1000x its usual) on a batch-normed CNN",
          job({"name": "synthetic_images", "n_train": 1000},
              {"arch": "cnn", "width": 8, "depth": 3}, {"name": "adam", "lr": 1.0},
              epochs=4, batch_size=64)),
        s("bearing_cnn1d_bn_adam_lr_1", high, "lr_far_too_high_dead_units",
          "Adam at lr 1 (1000x its usual) on a batch-normed cnn1d",
          job(BEARING, {"arch": "cnn1d", "width": 32, "batchnorm": True},
              {"name": "adam", "lr": 1.0}, epochs=8, batch_size=64)),
        s("mnist1d_mlp_sigmoid_depth10_normal", vanish, "deep_saturating_tiny_init",
          "a 10-layer sigmoid MLP with N(0, 0.01) weights and plain SGD",
          job("mnist1d", {"arch": "mlp", "width": 64, "depth": 10, "activation": "sigmoid",
                          "init": "normal"},
              {"name": "sgd", "lr": 0.1}, epochs=8)),
        s("wine_mlp_tanh_depth12_normal_long", vanish, "deep_saturating_tiny_init",
          "a 12-layer tanh MLP with N(0, 0.01) weights, SGD with momentum, 60 epochs",
          job("wine", {"arch": "mlp", "width": 32, "depth": 12, "activation": "tanh",
                       "init": "normal"},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=60, batch_size=16)),
        s("bearing_cnn1d_sigmoid_normal", vanish, "deep_saturating_tiny_init",
          "a 4-layer sigmoid cnn1d without batch norm, N(0, 0.01) kernels, plain SGD",
          job(BEARING, {"arch": "cnn1d", "width": 16, "depth": 4, "activation": "sigmoid",
                        "init": "normal", "batchnorm": False},
              {"name": "sgd", "lr": 0.1}, epochs=8, batch_size=64)),
        s("shells_mse_sigmoid_mlp_long", sat, "mse_on_saturating_classifier",
          "MSE on one-hot targets with a 3-layer sigmoid MLP on the shells, 40 epochs",
          job(SHELLS, {"arch": "mlp", "width": 64, "depth": 3, "activation": "sigmoid"},
              {"name": "sgd", "lr": 0.05}, epochs=40, batch_size=32, loss="mse")),
        s("mnist1d_mse_sigmoid_cnn1d", sat, "mse_on_saturating_classifier",
          "MSE on one-hot targets with a sigmoid cnn1d without batch norm, plain SGD",
          job("mnist1d", {"arch": "cnn1d", "width": 32, "activation": "sigmoid",
                          "batchnorm": False},
              {"name": "sgd", "lr": 0.05}, epochs=6, loss="mse")),
        s("wine_mse_sigmoid_mlp_long", sat, "mse_on_saturating_classifier",
          "MSE on one-hot targets with a 3-layer sigmoid MLP on wine, 60 epochs",
          job("wine", {"arch": "mlp", "width": 64, "depth": 3, "activation": "sigmoid"},
              {"name": "sgd", "lr": 0.1}, epochs=60, batch_size=16, loss="mse")),
        s("images_cnn_relu_normal_depth4_no_bn", crit, "deep_nonsaturating_tiny_init",
          "a 4-block ReLU CNN without batch norm, N(0, 0.01) kernels, SGD with momentum",
          job({"name": "synthetic_images", "n_train": 1000},
              {"arch": "cnn", "width": 16, "depth": 4, "init": "normal", "batchnorm": False},
              {"name": "sgd", "lr": 0.03, "momentum": 0.9}, epochs=4, batch_size=64)),
        s("shells_mlp_selu_depth8_normal_long", crit, "deep_nonsaturating_tiny_init",
          "an 8-layer SELU MLP with N(0, 0.01) weights and plain SGD for 40 epochs",
          job(SHELLS, {"arch": "mlp", "width": 64, "depth": 8, "activation": "selu",
                       "init": "normal"},
              {"name": "sgd", "lr": 0.1}, epochs=40, batch_size=32)),
        s("meter_mlp_relu_depth6_normal_long", crit, "deep_nonsaturating_tiny_init",
          "a 6-layer ReLU MLP regressor with N(0, 0.01) weights and plain SGD: the output "
          "starts at 0 and no gradient reaches the hidden layers",
          job(meter(), {"arch": "mlp", "width": 64, "depth": 6, "init": "normal"},
              {"name": "sgd", "lr": 0.01}, epochs=30, batch_size=32, loss="mse")),
    ]


def _oscillating() -> list[Spec]:
    def o(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(f"f15_oscillate_{name}", "lr_too_high_oscillation", "oscillating", None,
                    why, spec)

    return [
        o("iris_linear_sgd_lr_50_batch_4",
          "logistic regression with SGD at lr 50 on batches of 4",
          job("iris", {"arch": "linear"}, {"name": "sgd", "lr": 50.0}, epochs=40,
              batch_size=4)),
        o("breast_cancer_mlp_adam_lr_0.1_batch_8",
          "a 2x64 MLP with Adam at lr 0.1 (100x its usual) on batches of 8",
          job("breast_cancer", {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 0.1},
              epochs=40, batch_size=8)),
        o("meter_mlp_rmsprop_lr_0.1",
          "an MLP regressor with RMSprop at lr 0.1 (100x its usual)",
          job(meter(), {"arch": "mlp", "width": 64}, {"name": "rmsprop", "lr": 0.1},
              epochs=30, batch_size=32, loss="mse")),
        o("shells_mlp_rmsprop_lr_0.1",
          "a 2x64 MLP with RMSprop at lr 0.1 (100x its usual) on the shells",
          job(SHELLS, {"arch": "mlp", "width": 64}, {"name": "rmsprop", "lr": 0.1},
              epochs=40, batch_size=32)),
        o("digits_linear_sgd_lr_30",
          "a linear classifier on digits with SGD at lr 30 on batches of 8",
          job("digits", {"arch": "linear"}, {"name": "sgd", "lr": 30.0}, epochs=30,
              batch_size=8)),
    ]


def _diverging() -> list[Spec]:
    def d(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(f"f15_diverge_{name}", kind, "diverging", None, why, spec)

    return [
        d("meter_watt_hours_mlp_sgd", "unscaled_regression_targets",
          "an MLP regressing the meter load left in watt-hours (mean 2500) with SGD at lr "
          "0.01: the first gradients are thousands and the weights blow up",
          job(npz("s15_meter_watt_hours.npz", task="regression", val_fraction=0.2),
              {"arch": "mlp", "width": 64}, {"name": "sgd", "lr": 0.01}, epochs=30,
              batch_size=32, loss="mse")),
        d("mnist1d_cnn1d_selu_sgd_lr_1", "lr_too_high_divergence",
          "a SELU cnn1d without batch norm with SGD at lr 1 and momentum 0.9: SELU has no "
          "dead zone to stop the blow-up, and the loss is NaN within the first epoch",
          job("mnist1d", {"arch": "cnn1d", "width": 32, "activation": "selu"},
              {"name": "sgd", "lr": 1.0, "momentum": 0.9}, epochs=5)),
        d("images_cnn_selu_no_bn_onecycle_to_lr_2", "onecycle_max_lr_too_high",
          "a SELU CNN without batch norm under a one-cycle schedule whose peak lr is 2 (SGD, "
          "momentum 0.9): the loss is fine until the lr climbs past what the net stands",
          job({"name": "synthetic_images", "n_train": 1000},
              {"arch": "cnn", "width": 8, "depth": 3, "batchnorm": False,
               "activation": "selu"},
              {"name": "sgd", "lr": 2.0, "momentum": 0.9}, schedule={"name": "onecycle"},
              epochs=8, batch_size=64)),
        d("wine_linear_mse_full_batch_gd_lr_3", "lr_too_high_divergence",
          "full-batch gradient descent at lr 3 on a linear model with MSE on one-hot wine "
          "labels: above 2 / the largest curvature, the error grows each step until it "
          "overflows",
          job("wine", {"arch": "linear"}, {"name": "sgd", "lr": 3.0}, epochs=30,
              batch_size=256, loss="mse")),
        d("breast_cancer_gelu_mlp_nesterov_lr_10", "lr_too_high_divergence",
          "a GELU MLP with Nesterov SGD at lr 10 and momentum 0.9",
          job("breast_cancer", {"arch": "mlp", "width": 64, "activation": "gelu"},
              {"name": "sgd", "lr": 10.0, "momentum": 0.9, "nesterov": True}, epochs=30,
              batch_size=32)),
    ]


def _mismatch() -> list[Spec]:
    def m(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(f"f15_mismatch_{name}", kind, "mismatch", None, why, spec)

    return [
        m("bearing_swapped_axes_cnn1d", "feature_shift",
          "the validation recordings were wired with the two accelerometer axes swapped",
          job(npz("s15_bearing_swapped_axes.npz"), {"arch": "cnn1d", "width": 32,
                                                    "batchnorm": True},
              {"name": "adam", "lr": 0.003}, epochs=8, batch_size=64)),
        m("meter_other_target_mlp", "concept_shift",
          "the validation export's target column holds another quantity of the same rows",
          job(npz("s15_meter_other_target.npz", task="regression"),
              {"arch": "mlp", "width": 128}, {"name": "adam", "lr": 0.001}, epochs=40,
              batch_size=32, loss="mse")),
        m("iris_inches_mlp", "feature_shift",
          "the validation flowers were measured in inches, the training ones in centimetres",
          job(npz("s15_iris_inches.npz"), {"arch": "mlp", "width": 32, "depth": 1},
              {"name": "adam", "lr": 0.01}, epochs=40, batch_size=16)),
        m("wine_one_based_linear", "label_map_shift",
          "the validation export numbers the classes from 1, the training one from 0",
          job(npz("s15_wine_one_based.npz"), {"arch": "linear"},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=30, batch_size=16)),
        m("images_sorted_names_cnn", "label_map_shift",
          "the validation labels index the class names sorted alphabetically",
          job(npz("s15_images_sorted_names.npz"), {"arch": "cnn", "width": 8, "depth": 3},
              {"name": "adam", "lr": 0.003}, epochs=6, batch_size=64)),
    ]


FIFTEENTH: list[Spec] = [*_healthy(), *_underfitting(), *_overfitting(), *_stuck(),
                         *_oscillating(), *_diverging(), *_mismatch()]
