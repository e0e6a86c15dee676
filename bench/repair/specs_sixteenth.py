"""The sixteenth split: JobSpecs with one injected training fault each (or none), written
apart from the other splits.

Written from docs/ARCHITECTURE.md sections 4 (the JobSpec) and 5 (the table of statuses and
causes), the catalogue (service/catalogue), the training engine (workers/training), the
format of specs.py and datasets.py, and the yardsticks of curves.py; without reading
fitdoc's advisor, any benchmark result or the other splits' specs and datasets. Each fault
is written from what it does to a run's curves, and every spec was checked only by
curves.py through validate.py (`--split sixteenth`).

Datasets: the built-ins (mnist1d, digits, wine, breast_cancer, iris, synthetic_images) and
the `s16_` npz files of datasets_sixteenth.py (a chirp classification, a regression,
concentric rings, and five train/validation mismatches).
"""

from __future__ import annotations

from typing import Any

from bench.repair.specs import Spec, job, npz

CHIRPS = npz("s16_chirps.npz", val_fraction=0.2)
RINGS = npz("s16_rings.npz", val_fraction=0.2)


def housing(**fields: Any) -> dict[str, Any]:
    """The s16 regression (targets already standardised)."""
    return npz("s16_housing.npz", task="regression", **{"val_fraction": 0.2, **fields})


def images(n_train: int, **fields: Any) -> dict[str, Any]:
    return {"name": "synthetic_images", "n_train": n_train, **fields}


def _healthy() -> list[Spec]:
    def h(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(f"f16_{name}", "sound_recipe", "healthy", None, why, spec)

    return [
        h("healthy_mnist1d_cnn1d_bn_adamw_cosine",
          "cnn1d with batch norm, AdamW with a little weight decay and cosine decay, 20 epochs",
          job("mnist1d", {"arch": "cnn1d", "width": 32, "batchnorm": True},
              {"name": "adamw", "lr": 0.003, "weight_decay": 0.01},
              schedule={"name": "cosine"}, epochs=20)),
        h("healthy_mnist1d_cnn1d_sgd_onecycle_small_val",
          "cnn1d with batch norm, Nesterov SGD under a one-cycle schedule for 12 epochs, "
          "validated on 10%",
          job({"name": "mnist1d", "val_fraction": 0.1},
              {"arch": "cnn1d", "width": 32, "batchnorm": True},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True},
              schedule={"name": "onecycle"}, epochs=12)),
        h("healthy_digits_mlp_sgd_step_small_val",
          "a 2x128 MLP with a little l2, SGD with momentum and a step decay for 15 epochs, "
          "validated on 10% of digits",
          job({"name": "digits", "val_fraction": 0.1}, {"arch": "mlp", "width": 128},
              {"name": "sgd", "lr": 0.03, "momentum": 0.9},
              schedule={"name": "step", "step_size": 5, "gamma": 0.3},
              regularization={"l2": 0.001}, epochs=15, batch_size=64)),
        h("healthy_digits_linear_adagrad",
          "multinomial logistic regression with Adagrad at its usual lr for 8 epochs",
          job("digits", {"arch": "linear"}, {"name": "adagrad", "lr": 0.05}, epochs=8,
              batch_size=32)),
        h("healthy_wine_linear_adam_long",
          "logistic regression on wine with Adam and a little l2 for 60 epochs",
          job("wine", {"arch": "linear"}, {"name": "adam", "lr": 0.01},
              regularization={"l2": 0.001}, epochs=60, batch_size=16)),
        h("healthy_breast_cancer_mlp_rmsprop_short",
          "a one-hidden-layer MLP with RMSprop at 1e-3 for 8 epochs",
          job("breast_cancer", {"arch": "mlp", "width": 64, "depth": 1},
              {"name": "rmsprop", "lr": 0.001}, epochs=8, batch_size=16)),
        h("healthy_breast_cancer_linear_sgd_exponential_small_val",
          "logistic regression with SGD and an exponential decay, validated on 12%",
          job({"name": "breast_cancer", "val_fraction": 0.12}, {"arch": "linear"},
              {"name": "sgd", "lr": 0.1}, schedule={"name": "exponential", "gamma": 0.95},
              epochs=50, batch_size=32)),
        h("healthy_iris_mlp_adam_l2",
          "a 2x16 MLP on iris with Adam and an l2 penalty of 0.01 for 40 epochs",
          job("iris", {"arch": "mlp", "width": 16}, {"name": "adam", "lr": 0.005},
              regularization={"l2": 0.01}, epochs=40, batch_size=16)),
        h("healthy_housing_mlp_sgd_step_standardized",
          "a 2x64 MLP on the regression with standardised targets, SGD with momentum and "
          "one step decay over 80 epochs",
          job(housing(standardize_targets=True), {"arch": "mlp", "width": 64},
              {"name": "sgd", "lr": 0.02, "momentum": 0.9},
              schedule={"name": "step", "step_size": 40, "gamma": 0.2}, epochs=80,
              batch_size=32, loss="mse")),
        h("healthy_chirps_cnn1d_adamw_cosine",
          "cnn1d with batch norm, AdamW with cosine decay for 10 epochs on the chirps",
          job(CHIRPS, {"arch": "cnn1d", "width": 16, "batchnorm": True},
              {"name": "adamw", "lr": 0.003, "weight_decay": 0.01},
              schedule={"name": "cosine"}, epochs=10, batch_size=64)),
        h("healthy_housing_mlp_adam_cosine",
          "a 2x64 MLP on the housing regression, Adam with cosine decay over 60 epochs",
          job(housing(), {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 0.003},
              schedule={"name": "cosine"}, epochs=60, batch_size=64, loss="mse")),
        h("healthy_rings_mlp_sgd_nesterov",
          "a 2x64 MLP on the rings with a little l2, Nesterov SGD with a linear decay for 30 "
          "epochs",
          job(RINGS, {"arch": "mlp", "width": 64},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True},
              schedule={"name": "linear"}, regularization={"l2": 0.001}, epochs=30,
              batch_size=32)),
        h("healthy_wine_mlp_tanh_xavier_sgd_inverse",
          "a tanh MLP with Xavier init, SGD with momentum and an inverse-sqrt decay",
          job("wine", {"arch": "mlp", "width": 32, "activation": "tanh", "init": "xavier"},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9}, schedule={"name": "inverse"},
              epochs=30, batch_size=16)),
    ]


def _underfitting() -> list[Spec]:
    def u(name: str, cause: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(f"f16_{name}", kind, "underfitting", cause, why, spec)

    bias, opt, under = "model_bias", "optimization_issue", "undertrained"
    return [
        u("underfit_mnist1d_linear_adam", bias, "model_too_small",
          "a linear model on mnist1d's raw sequences for 40 epochs: it plateaus far above a "
          "CNN",
          job("mnist1d", {"arch": "linear"}, {"name": "adam", "lr": 0.003}, epochs=40)),
        u("underfit_housing_linear_sgd", bias, "model_too_small",
          "a linear regression on a target with an interaction, a square and a sine",
          job(housing(), {"arch": "linear"}, {"name": "sgd", "lr": 0.05, "momentum": 0.9},
              epochs=40, batch_size=64, loss="mse")),
        u("underfit_digits_mlp_bottleneck_2", bias, "model_too_small",
          "an MLP whose only hidden layer has 2 units: ten digits through two numbers",
          job("digits", {"arch": "mlp", "widths": [2]}, {"name": "adam", "lr": 0.01},
              epochs=40, batch_size=64)),
        u("underfit_breast_cancer_mlp_l2_heavy", bias, "too_regularised",
          "an MLP with an l2 penalty of 0.3 for 60 epochs: the weights are held near zero",
          job("breast_cancer", {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 0.01},
              regularization={"l2": 0.3}, epochs=60, batch_size=32)),
        u("underfit_mnist1d_mlp_exponential_collapse", opt, "lr_schedule_kills_lr",
          "SGD with momentum and an exponential decay of 0.4 per epoch: the lr is gone after "
          "a few epochs",
          job("mnist1d", {"arch": "mlp", "width": 128},
              {"name": "sgd", "lr": 0.1, "momentum": 0.9},
              schedule={"name": "exponential", "gamma": 0.4}, epochs=30)),
        u("underfit_digits_mlp_inverse_power_4", opt, "lr_schedule_kills_lr",
          "an inverse schedule with power 4: lr / (1 + t)^4 is 1/81 of its start after two "
          "epochs",
          job("digits", {"arch": "mlp", "width": 64}, {"name": "sgd", "lr": 0.1, "momentum": 0.9},
              schedule={"name": "inverse", "power": 4}, epochs=30, batch_size=32)),
        u("underfit_chirps_cnn1d_step_collapse", opt, "lr_schedule_kills_lr",
          "SGD with a step decay of 0.1 every epoch: after three epochs the lr is 1/1000 of "
          "its start",
          job(CHIRPS, {"arch": "cnn1d", "width": 16},
              {"name": "sgd", "lr": 0.03, "momentum": 0.9},
              schedule={"name": "step", "step_size": 1, "gamma": 0.1}, epochs=20,
              batch_size=64)),
        u("underfit_wine_mlp_step_gamma_0.01", opt, "lr_schedule_kills_lr",
          "a step schedule that divides the lr by 100 every 3 epochs, for a 40-epoch run",
          job("wine", {"arch": "mlp", "width": 32}, {"name": "sgd", "lr": 0.01, "momentum": 0.9},
              schedule={"name": "step", "step_size": 3, "gamma": 0.01}, epochs=40,
              batch_size=16)),
        u("underfit_mnist1d_cnn1d_3_epochs", under, "too_few_epochs",
          "cnn1d with SGD and momentum stopped after 3 epochs",
          job("mnist1d", {"arch": "cnn1d", "width": 32},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=3)),
        u("underfit_digits_linear_sgd_5_epochs", under, "too_few_epochs",
          "logistic regression with SGD at lr 0.003 for 5 epochs",
          job("digits", {"arch": "linear"}, {"name": "sgd", "lr": 0.003}, epochs=5,
              batch_size=64)),
        u("underfit_housing_mlp_adam_8_epochs", under, "too_few_epochs",
          "an MLP with Adam at 3e-4 on the regression, stopped after 8 epochs",
          job(housing(), {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 0.0003},
              epochs=8, batch_size=64, loss="mse")),
        u("underfit_images_cnn_adam_4_epochs", under, "too_few_epochs",
          "a CNN with Adam at 2e-3 stopped after 4 epochs on 1000 images",
          job(images(1000), {"arch": "cnn", "width": 8, "depth": 3},
              {"name": "adam", "lr": 0.002}, epochs=4, batch_size=64)),
    ]


def _overfitting() -> list[Spec]:
    def o(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(f"f16_{name}", "small_train_set_big_model", "overfitting", None, why, spec)

    return [
        o("overfit_mnist1d_mlp_400_samples",
          "a 3x256 MLP with Adam on 400 mnist1d sequences for 80 epochs",
          job({"name": "mnist1d", "n_train": 400}, {"arch": "mlp", "width": 256, "depth": 3},
              {"name": "adam", "lr": 0.001}, epochs=80, batch_size=32)),
        o("overfit_iris_mlp_30_samples",
          "a 3x256 MLP on 30 iris flowers for 300 epochs",
          job({"name": "iris", "n_train": 30}, {"arch": "mlp", "width": 256, "depth": 3},
              {"name": "adam", "lr": 0.003}, epochs=300, batch_size=8)),
        o("overfit_breast_cancer_mlp_60_samples",
          "a 3x256 MLP on 60 breast_cancer samples for 150 epochs",
          job({"name": "breast_cancer", "n_train": 60},
              {"arch": "mlp", "width": 256, "depth": 3}, {"name": "adam", "lr": 0.001},
              epochs=150, batch_size=16)),
        o("overfit_rings_mlp_80_samples",
          "a 3x256 MLP on 60 ring points (plus their two noise features) for 200 epochs",
          job({**RINGS, "n_train": 60}, {"arch": "mlp", "width": 256, "depth": 3},
              {"name": "adam", "lr": 0.003}, epochs=200, batch_size=8)),
        o("overfit_digits_mlp_50_samples_small_val",
          "a 2x512 MLP on 50 digits for 150 epochs, validated on 15%",
          job({"name": "digits", "n_train": 50, "val_fraction": 0.15},
              {"arch": "mlp", "width": 512}, {"name": "adam", "lr": 0.002}, epochs=150,
              batch_size=10)),
    ]


def _stuck() -> list[Spec]:
    def s(name: str, cause: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(f"f16_{name}", kind, "stuck", cause, why, spec)

    low, high = "lr_too_low", "lr_too_high"
    van, sat, crit = "vanishing_gradient", "saturated_loss", "critical_point"
    return [
        s("stuck_mnist1d_cnn1d_sgd_lr_1e-5", low, "lr_far_too_low",
          "cnn1d with plain SGD at lr 1e-5 (3000x below its usual lr) for 8 epochs",
          job("mnist1d", {"arch": "cnn1d", "width": 32}, {"name": "sgd", "lr": 1e-5},
              epochs=8)),
        s("stuck_digits_mlp_sgd_lr_1e-5", low, "lr_far_too_low",
          "a 2x128 MLP with SGD at lr 1e-5 for 40 epochs",
          job("digits", {"arch": "mlp", "width": 128}, {"name": "sgd", "lr": 1e-5},
              epochs=40, batch_size=32)),
        s("stuck_images_cnn_adam_lr_1e-7", low, "lr_far_too_low",
          "a CNN with Adam at lr 1e-7 for 4 epochs",
          job(images(800), {"arch": "cnn", "width": 8, "depth": 3},
              {"name": "adam", "lr": 1e-7}, epochs=4, batch_size=64)),
        s("stuck_digits_mlp_adam_lr_1", high, "lr_far_too_high_dead_units",
          "a 2x128 ReLU MLP with Adam at lr 1: the first steps kill the units and the "
          "outputs settle on the class frequencies",
          job("digits", {"arch": "mlp", "width": 128}, {"name": "adam", "lr": 1.0},
              epochs=20, batch_size=64)),
        s("stuck_mnist1d_mlp_adamw_lr_3", high, "lr_far_too_high_dead_units",
          "a ReLU MLP with AdamW at lr 3 (3000x its usual lr)",
          job("mnist1d", {"arch": "mlp", "width": 128}, {"name": "adamw", "lr": 3.0},
              epochs=10)),
        s("stuck_chirps_cnn1d_adam_lr_0.5", high, "lr_far_too_high_dead_units",
          "a ReLU cnn1d with Adam at lr 0.5",
          job(CHIRPS, {"arch": "cnn1d", "width": 16}, {"name": "adam", "lr": 0.5},
              epochs=10, batch_size=64)),
        s("stuck_mnist1d_sigmoid_depth8_normal_init", van, "deep_saturating_tiny_init",
          "an 8-layer sigmoid MLP with N(0, 0.01) weights and SGD",
          job("mnist1d", {"arch": "mlp", "width": 128, "depth": 8, "activation": "sigmoid",
                          "init": "normal"},
              {"name": "sgd", "lr": 0.05}, epochs=10)),
        s("stuck_rings_tanh_depth8_normal_init", van, "deep_saturating_tiny_init",
          "an 8-layer tanh MLP with N(0, 0.01) weights: the signal shrinks 10x per layer",
          job(RINGS, {"arch": "mlp", "width": 64, "depth": 8, "activation": "tanh",
                      "init": "normal"},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=40, batch_size=32)),
        s("stuck_wine_sigmoid_depth6_normal_init", van, "deep_saturating_tiny_init",
          "a 6-layer sigmoid MLP with N(0, 0.01) weights on wine for 50 epochs",
          job("wine", {"arch": "mlp", "width": 64, "depth": 6, "activation": "sigmoid",
                       "init": "normal"},
              {"name": "sgd", "lr": 0.1}, epochs=50, batch_size=16)),
        s("stuck_breast_cancer_mse_sigmoid_depth5", sat, "mse_on_saturating_classifier",
          "MSE on one-hot targets through a 5-layer sigmoid MLP for 30 epochs",
          job("breast_cancer", {"arch": "mlp", "width": 64, "depth": 5,
                                "activation": "sigmoid"},
              {"name": "sgd", "lr": 0.05}, epochs=30, batch_size=32, loss="mse")),
        s("stuck_chirps_mse_sigmoid_cnn1d", sat, "mse_on_saturating_classifier",
          "MSE on one-hot targets with a sigmoid cnn1d",
          job(CHIRPS, {"arch": "cnn1d", "width": 16, "activation": "sigmoid"},
              {"name": "sgd", "lr": 0.05}, epochs=10, batch_size=64, loss="mse")),
        s("stuck_images_mse_sigmoid_cnn", sat, "mse_on_saturating_classifier",
          "MSE on one-hot targets with a sigmoid CNN without batch norm",
          job(images(800), {"arch": "cnn", "width": 8, "depth": 3, "activation": "sigmoid",
                            "batchnorm": False},
              {"name": "sgd", "lr": 0.1, "momentum": 0.5}, epochs=4, batch_size=64,
              loss="mse")),
        s("stuck_mnist1d_relu_depth4_normal_init", crit, "deep_nonsaturating_tiny_init",
          "a 4-layer ReLU MLP with N(0, 0.01) weights and plain SGD: every layer's output "
          "starts at ~0",
          job("mnist1d", {"arch": "mlp", "width": 64, "depth": 4, "init": "normal"},
              {"name": "sgd", "lr": 0.05}, epochs=10)),
        s("stuck_chirps_cnn1d_normal_init", crit, "deep_nonsaturating_tiny_init",
          "a ReLU cnn1d with N(0, 0.01) kernels and plain SGD",
          job(CHIRPS, {"arch": "cnn1d", "width": 16, "init": "normal"},
              {"name": "sgd", "lr": 0.03}, epochs=10, batch_size=64)),
        s("stuck_breast_cancer_selu_depth5_normal_init", crit, "deep_nonsaturating_tiny_init",
          "a 5-layer SELU MLP with N(0, 0.01) weights and plain SGD for 40 epochs",
          job("breast_cancer", {"arch": "mlp", "width": 64, "depth": 5, "activation": "selu",
                                "init": "normal"},
              {"name": "sgd", "lr": 0.05}, epochs=40, batch_size=32)),
    ]


def _oscillating() -> list[Spec]:
    def o(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(f"f16_{name}", "lr_too_high_oscillation", "oscillating", None, why, spec)

    return [
        o("oscillate_digits_linear_rmsprop_lr_1",
          "logistic regression on digits with RMSprop at lr 1 (1000x its usual lr)",
          job("digits", {"arch": "linear"}, {"name": "rmsprop", "lr": 1.0}, epochs=30,
              batch_size=32)),
        o("oscillate_wine_tanh_mlp_adam_lr_1",
          "a tanh MLP on wine with Adam at lr 1 for 40 epochs",
          job("wine", {"arch": "mlp", "width": 32, "activation": "tanh"},
              {"name": "adam", "lr": 1.0}, epochs=40, batch_size=16)),
        o("oscillate_breast_cancer_linear_onecycle_lr_40",
          "logistic regression under a one-cycle schedule that peaks at lr 40",
          job("breast_cancer", {"arch": "linear"}, {"name": "sgd", "lr": 40.0},
              schedule={"name": "onecycle"}, epochs=30, batch_size=16)),
        o("oscillate_breast_cancer_linear_rmsprop_lr_1",
          "logistic regression with RMSprop at lr 1 on batches of 16",
          job("breast_cancer", {"arch": "linear"}, {"name": "rmsprop", "lr": 1.0}, epochs=30,
              batch_size=16)),
        o("oscillate_iris_linear_adagrad_lr_30",
          "logistic regression on iris with Adagrad at lr 30",
          job("iris", {"arch": "linear"}, {"name": "adagrad", "lr": 30.0}, epochs=40,
              batch_size=8)),
    ]


def _diverging() -> list[Spec]:
    def d(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(f"f16_{name}", kind, "diverging", None, why, spec)

    return [
        d("diverge_housing_tanh_mlp_sgd_momentum_lr_0.5", "lr_too_high_divergence",
          "a tanh MLP on the regression with SGD at lr 0.5 and momentum 0.9",
          job(housing(), {"arch": "mlp", "width": 64, "activation": "tanh"},
              {"name": "sgd", "lr": 0.5, "momentum": 0.9}, epochs=30, batch_size=64,
              loss="mse")),
        d("diverge_mnist1d_cnn1d_sgd_lr_20", "lr_too_high_divergence",
          "cnn1d without batch norm, SGD at lr 20",
          job("mnist1d", {"arch": "cnn1d", "width": 32}, {"name": "sgd", "lr": 20.0},
              epochs=5)),
        d("diverge_iris_linear_mse_sgd_full_batch", "lr_too_high_divergence",
          "a linear classifier on MSE with full-batch SGD at lr 6",
          job("iris", {"arch": "linear"}, {"name": "sgd", "lr": 6.0}, epochs=40,
              batch_size=256, loss="mse")),
        d("diverge_breast_cancer_tanh_mlp_mse_sgd_lr_0.5", "lr_too_high_divergence",
          "a tanh MLP on MSE with one-hot targets, SGD at lr 0.5 and momentum 0.9: the "
          "output layer's least-squares steps overshoot",
          job("breast_cancer", {"arch": "mlp", "width": 64, "activation": "tanh"},
              {"name": "sgd", "lr": 0.5, "momentum": 0.9}, epochs=10, batch_size=32,
              loss="mse")),
        d("diverge_wine_mlp_mse_sgd_warmup_to_lr_10", "warmup_to_unstable_lr",
          "MSE on one-hot targets with SGD warmed up over 5 epochs to lr 10",
          job("wine", {"arch": "mlp", "width": 64}, {"name": "sgd", "lr": 10.0},
              schedule={"name": "constant", "warmup_epochs": 5}, epochs=30, batch_size=16,
              loss="mse")),
    ]


def _mismatch() -> list[Spec]:
    def m(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(f"f16_{name}", kind, "mismatch", None, why, spec)

    return [
        m("mismatch_chirps_cnn1d_reversed_recordings", "feature_shift",
          "the validation recorder stores each buffer newest sample first",
          job(npz("s16_chirps_reversed.npz"), {"arch": "cnn1d", "width": 16,
                                                "batchnorm": True},
              {"name": "adam", "lr": 0.003}, epochs=12, batch_size=64)),
        m("mismatch_housing_mlp_wrong_target_column", "concept_shift",
          "the validation export's target column is another field of the same rows",
          job(npz("s16_housing_wrong_target.npz", task="regression"),
              {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 0.003}, epochs=30,
              batch_size=64, loss="mse")),
        m("mismatch_iris_mlp_rows_sorted_without_labels", "label_misalignment",
          "the validation sheet was sorted by sepal length with the species column left out "
          "of the selection",
          job(npz("s16_iris_sorted_rows.npz"), {"arch": "mlp", "width": 32},
              {"name": "adam", "lr": 0.01}, epochs=40, batch_size=16)),
        m("mismatch_breast_cancer_mlp_prestandardised_validation", "feature_shift",
          "the validation export was z-scored by the exporting tool, the training one is raw",
          job(npz("s16_breast_cancer_prestandardised.npz"), {"arch": "mlp", "width": 32,
                                                              "depth": 1},
              {"name": "sgd", "lr": 0.1, "momentum": 0.9}, epochs=20, batch_size=32)),
        m("mismatch_digits_mlp_transposed_images", "feature_shift",
          "the validation images were flattened column-major (transposed)",
          job(npz("s16_digits_transposed.npz"), {"arch": "mlp", "width": 128},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=8, batch_size=32)),
    ]


SIXTEENTH: list[Spec] = [*_healthy(), *_underfitting(), *_overfitting(), *_stuck(),
                         *_oscillating(), *_diverging(), *_mismatch()]
