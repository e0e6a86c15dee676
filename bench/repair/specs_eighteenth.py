"""The eighteenth split: JobSpecs with one injected training fault each (or none), written
apart from the other splits.

Written from docs/ARCHITECTURE.md sections 4 (the JobSpec) and 5 (the table of statuses and
causes), the catalogue (service/catalogue), the training engine (workers/training), the
format of specs.py and datasets.py, and the yardsticks of curves.py; without reading
fitdoc's advisor, any benchmark result or the other splits' specs and datasets. Each fault
is written from what it does to a run's curves, and every spec was checked only by
curves.py through validate.py (`--split eighteenth`).

Datasets: the built-ins (mnist1d, digits, wine, breast_cancer, iris, synthetic_images) and
the `s18_` npz files of datasets_eighteenth.py (chirp/envelope sequences, a regression,
nested shells, and five train/validation mismatches).
"""

from __future__ import annotations

from typing import Any

from bench.repair.specs import Spec, job, npz

CHIRPS = npz("s18_chirps.npz", val_fraction=0.2)
SHELLS = npz("s18_shells.npz", val_fraction=0.2)


def orbital(**fields: Any) -> dict[str, Any]:
    """The s18 regression (targets already standardised)."""
    return npz("s18_orbital.npz", task="regression", **{"val_fraction": 0.2, **fields})


def images(n_train: int, **fields: Any) -> dict[str, Any]:
    return {"name": "synthetic_images", "n_train": n_train, **fields}


def _healthy() -> list[Spec]:
    def h(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, "sound_recipe", "healthy", None, why, spec)

    return [
        h("f18_healthy_mnist1d_cnn1d_bn_adamw_cosine",
          "a batch-normed cnn1d with AdamW and a cosine decay over 20 epochs on MNIST-1D",
          job("mnist1d", {"arch": "cnn1d", "width": 32, "batchnorm": True},
              {"name": "adamw", "lr": 0.003, "weight_decay": 0.01},
              schedule={"name": "cosine"}, epochs=20)),
        h("f18_healthy_digits_mlp_nesterov_onecycle",
          "a 2x128 MLP with Nesterov SGD under a one-cycle schedule on digits",
          job("digits", {"arch": "mlp", "width": 128},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True},
              schedule={"name": "onecycle"}, epochs=15, batch_size=64)),
        h("f18_healthy_digits_linear_adagrad",
          "multinomial logistic regression fitted by Adagrad on digits",
          job("digits", {"arch": "linear"}, {"name": "adagrad", "lr": 0.05}, epochs=20,
              batch_size=32)),
        h("f18_healthy_wine_mlp_rmsprop_small_val",
          "a one-hidden-layer MLP with RMSprop and a little l2, validated on 10% of wine",
          job({"name": "wine", "val_fraction": 0.1}, {"arch": "mlp", "width": 32, "depth": 1},
              {"name": "rmsprop", "lr": 0.002}, regularization={"l2": 0.001}, epochs=30,
              batch_size=16)),
        h("f18_healthy_wine_linear_lbfgs",
          "l2-regularised logistic regression fitted by full-batch L-BFGS on wine",
          job("wine", {"arch": "linear"}, {"name": "lbfgs"}, regularization={"l2": 0.01},
              epochs=6, batch_size=256)),
        h("f18_healthy_iris_mlp_adam_small_val",
          "a small MLP with Adam and l2 on iris, validated on 10% of it",
          job({"name": "iris", "val_fraction": 0.1}, {"arch": "mlp", "width": 16, "depth": 1},
              {"name": "adam", "lr": 0.01}, regularization={"l2": 0.02}, epochs=30,
              batch_size=16)),
        h("f18_healthy_iris_linear_sgd_exponential",
          "logistic regression with SGD and momentum under a gentle exponential decay",
          job("iris", {"arch": "linear"}, {"name": "sgd", "lr": 0.1, "momentum": 0.9},
              schedule={"name": "exponential", "gamma": 0.97}, epochs=60, batch_size=16)),
        h("f18_healthy_breast_cancer_linear_sgd_step",
          "logistic regression with SGD and momentum, the lr cut 10x halfway",
          job("breast_cancer", {"arch": "linear"},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9},
              schedule={"name": "step", "step_size": 10, "gamma": 0.1}, epochs=20,
              batch_size=32)),
        h("f18_healthy_images_cnn_sgd_onecycle",
          "a narrow 3-block CNN with batch norm and SGD under a one-cycle schedule on 2000 "
          "procedural images",
          job(images(2000), {"arch": "cnn", "width": 8, "depth": 3},
              {"name": "sgd", "lr": 0.1, "momentum": 0.9}, schedule={"name": "onecycle"},
              epochs=10, batch_size=64)),
        h("f18_healthy_chirps_cnn1d_bn_adam_cosine",
          "a batch-normed cnn1d with Adam and a cosine decay on the chirps",
          job(CHIRPS, {"arch": "cnn1d", "width": 24, "batchnorm": True},
              {"name": "adam", "lr": 0.003}, schedule={"name": "cosine"}, epochs=12,
              batch_size=64)),
        h("f18_healthy_orbital_mlp_adam_cosine",
          "a 2x128 MLP regressing the orbital function with Adam and a cosine decay",
          job(orbital(), {"arch": "mlp", "width": 128}, {"name": "adam", "lr": 0.003},
              schedule={"name": "cosine"}, epochs=60, batch_size=64, loss="mse")),
        h("f18_healthy_shells_mlp_adamw_linear_decay",
          "a 2x64 MLP with AdamW and a linear decay on the nested shells",
          job(SHELLS, {"arch": "mlp", "width": 64}, {"name": "adamw", "lr": 0.005},
              schedule={"name": "linear"}, epochs=60, batch_size=32)),
        h("f18_healthy_breast_cancer_mlp_adam_warmup",
          "a one-hidden-layer MLP with Adam, a warm-up and l2 on breast_cancer",
          job("breast_cancer", {"arch": "mlp", "width": 32, "depth": 1},
              {"name": "adam", "lr": 0.002}, schedule={"name": "constant", "warmup_epochs": 1},
              regularization={"l2": 0.003}, epochs=12, batch_size=32)),
    ]


def _underfitting() -> list[Spec]:
    def bias(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "underfitting", "model_bias", why, spec)

    def opt(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "underfitting", "optimization_issue", why, spec)

    def short(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, "too_few_epochs", "underfitting", "undertrained", why, spec)

    return [
        bias("f18_underfit_mnist1d_cnn1d_two_channels", "model_too_small",
             "a cnn1d of one layer with two channels: 48 numbers left to tell ten classes of "
             "shifted, scaled templates apart",
             job("mnist1d", {"arch": "cnn1d", "width": 2, "depth": 1},
                 {"name": "adam", "lr": 0.01}, epochs=30)),
        bias("f18_underfit_orbital_linear", "model_too_small",
             "a linear model on a target with products, a square and a sine: a quarter of "
             "the variance stays out of reach",
             job(orbital(), {"arch": "linear"}, {"name": "sgd", "lr": 0.02}, epochs=30,
                 batch_size=32, loss="mse")),
        bias("f18_underfit_digits_mlp_dropout_090", "regularization_too_strong",
             "dropout 0.9 on a 2x64 MLP: nine of ten units dropped at every step",
             job("digits", {"arch": "mlp", "width": 64, "dropout": 0.9},
                 {"name": "adam", "lr": 0.003}, epochs=40, batch_size=64)),
        bias("f18_underfit_wine_linear_l1_heavy", "regularization_too_strong",
             "an l1 penalty of 0.1 per weight on logistic regression for wine",
             job("wine", {"arch": "linear"}, {"name": "adam", "lr": 0.02},
                 regularization={"l1": 0.1}, epochs=40, batch_size=16)),
        opt("f18_underfit_chirps_cnn1d_exponential_freeze", "lr_schedule_collapse",
            "an exponential schedule with gamma 0.35 per epoch: after five epochs the lr is "
            "200x smaller and the cnn1d freezes half-trained",
            job(CHIRPS, {"arch": "cnn1d", "width": 16},
                {"name": "sgd", "lr": 0.03, "momentum": 0.9},
                schedule={"name": "exponential", "gamma": 0.35}, epochs=20, batch_size=64)),
        opt("f18_underfit_mnist1d_mlp_plateau_patience_zero", "lr_schedule_collapse",
            "reduce-on-plateau with patience 0 and factor 0.03 on a 10% validation set: the "
            "first noisy epoch cuts the lr 30x, the next 1000x",
            job({"name": "mnist1d", "val_fraction": 0.1}, {"arch": "mlp", "width": 128},
                {"name": "sgd", "lr": 0.03, "momentum": 0.9},
                schedule={"name": "plateau", "patience": 0, "factor": 0.03}, epochs=20)),
        opt("f18_underfit_digits_mlp_inverse_power_three", "lr_schedule_collapse",
            "an inverse schedule with power 3: the lr falls as 1/(1+t)^3 and is 1/64 of "
            "itself by the fourth epoch, so the run spends half an epoch's worth of steps",
            job("digits", {"arch": "mlp", "width": 64},
                {"name": "sgd", "lr": 0.1, "momentum": 0.9},
                schedule={"name": "inverse", "power": 3.0}, epochs=20, batch_size=64)),
        opt("f18_underfit_shells_mlp_step_cut_after_two", "lr_schedule_collapse",
            "a step schedule dividing the lr by 1000 after two epochs of 30",
            job(SHELLS, {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 0.003},
                schedule={"name": "step", "step_size": 2, "gamma": 0.001}, epochs=30,
                batch_size=64)),
        short("f18_underfit_images_cnn_five_epochs",
              "a CNN on procedural images stopped after 5 epochs of SGD",
              job(images(1000), {"arch": "cnn", "width": 8, "depth": 3},
                  {"name": "sgd", "lr": 0.02, "momentum": 0.9}, epochs=5, batch_size=64)),
        short("f18_underfit_mnist1d_cnn1d_five_epochs",
              "a cnn1d with Adam stopped after 5 epochs while its loss still falls fast",
              job("mnist1d", {"arch": "cnn1d", "width": 16}, {"name": "adam", "lr": 0.001},
                  epochs=5)),
        short("f18_underfit_orbital_mlp_six_epochs",
              "an MLP regressor with plain SGD stopped after 6 epochs",
              job(orbital(), {"arch": "mlp", "width": 64}, {"name": "sgd", "lr": 0.01},
                  epochs=6, batch_size=64, loss="mse")),
        short("f18_underfit_iris_mlp_adagrad_short",
              "a small MLP with Adagrad stopped after 5 epochs on iris",
              job("iris", {"arch": "mlp", "width": 16, "depth": 1},
                  {"name": "adagrad", "lr": 0.02}, epochs=5, batch_size=16)),
    ]


def _overfitting() -> list[Spec]:
    def o(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, "small_train_set_big_model", "overfitting", None, why, spec)

    return [
        o("f18_overfit_iris_mlp_12_samples",
          "a 2x256 MLP with Adam on 12 iris flowers for 150 epochs",
          job({"name": "iris", "n_train": 12}, {"arch": "mlp", "width": 256},
              {"name": "adam", "lr": 0.01}, epochs=150, batch_size=4)),
        o("f18_overfit_mnist1d_cnn1d_300_samples",
          "a wide cnn1d on 300 MNIST-1D sequences for 60 epochs",
          job({"name": "mnist1d", "n_train": 300}, {"arch": "cnn1d", "width": 64},
              {"name": "adam", "lr": 0.002}, epochs=60, batch_size=32)),
        o("f18_overfit_breast_cancer_mlp_30_samples",
          "a 3x128 MLP with RMSprop on 30 breast_cancer cases for 100 epochs",
          job({"name": "breast_cancer", "n_train": 30}, {"arch": "mlp", "width": 128, "depth": 3},
              {"name": "rmsprop", "lr": 0.001}, epochs=100, batch_size=10)),
        o("f18_overfit_shells_mlp_60_samples",
          "a 2x512 MLP on 60 points of the shells, whose two noise features it memorises",
          job(npz("s18_shells.npz", val_fraction=0.2, n_train=60), {"arch": "mlp", "width": 512},
              {"name": "adam", "lr": 0.003}, epochs=150, batch_size=20)),
        o("f18_overfit_mnist1d_mlp_500_samples_adamw",
          "a 2x512 MLP with AdamW on 500 MNIST-1D sequences for 50 epochs",
          job({"name": "mnist1d", "n_train": 500}, {"arch": "mlp", "width": 512},
              {"name": "adamw", "lr": 0.001}, epochs=50, batch_size=50)),
    ]


def _stuck() -> list[Spec]:
    def s(name: str, cause: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "stuck", cause, why, spec)

    low, high = "lr_too_low", "lr_too_high"
    van, sat, crit = "vanishing_gradient", "saturated_loss", "critical_point"
    return [
        s("f18_stuck_wine_mlp_sgd_lr_1e-5", low, "lr_far_too_low",
          "plain SGD at lr 1e-5 on a small MLP: 20 epochs move the weights by nothing",
          job("wine", {"arch": "mlp", "width": 32}, {"name": "sgd", "lr": 1e-5}, epochs=20,
              batch_size=16)),
        s("f18_stuck_chirps_cnn1d_adam_lr_1e-7", low, "lr_far_too_low",
          "Adam at lr 1e-7 (10000x below its usual lr) on a cnn1d",
          job(CHIRPS, {"arch": "cnn1d", "width": 16}, {"name": "adam", "lr": 1e-7},
              epochs=8, batch_size=64)),
        s("f18_stuck_digits_linear_adagrad_lr_1e-6", low, "lr_far_too_low",
          "Adagrad at lr 1e-6 on logistic regression for digits",
          job("digits", {"arch": "linear"}, {"name": "adagrad", "lr": 1e-6}, epochs=12,
              batch_size=64)),
        s("f18_stuck_digits_mlp_adam_lr_0.5", high, "lr_kills_relus",
          "Adam at lr 0.5 on a ReLU MLP: the first steps push every hidden unit dead and the "
          "net predicts one constant",
          job("digits", {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 0.5},
              epochs=15, batch_size=64)),
        s("f18_stuck_mnist1d_cnn1d_adam_lr_0.5_decayed", high, "lr_kills_relus",
          "Adam at lr 0.5 on a cnn1d without batch norm; the exponential decay that follows "
          "comes too late, every channel is already dead",
          job("mnist1d", {"arch": "cnn1d", "width": 16}, {"name": "adam", "lr": 0.5},
              schedule={"name": "exponential", "gamma": 0.7}, epochs=10)),
        s("f18_stuck_wine_mlp_adam_lr_3_decayed", high, "lr_kills_relus",
          "Adam at lr 3 on a 4-layer ReLU MLP for wine, then decayed by 0.7 per epoch: the "
          "first epoch kills the hidden layers and the decay only calms the output bias",
          job("wine", {"arch": "mlp", "width": 16, "depth": 4}, {"name": "adam", "lr": 3.0},
              schedule={"name": "exponential", "gamma": 0.7}, epochs=30, batch_size=16)),
        s("f18_stuck_breast_cancer_mlp_sigmoid_depth_10", van, "deep_sigmoid",
          "ten sigmoid layers without batch norm: the gradient shrinks by 4x per layer",
          job("breast_cancer", {"arch": "mlp", "width": 32, "depth": 10, "activation": "sigmoid"},
              {"name": "sgd", "lr": 0.01}, epochs=25, batch_size=32)),
        s("f18_stuck_digits_mlp_tanh_tiny_init", van, "deep_tanh_small_init",
          "eight tanh layers drawn from N(0, 0.01^2): the signal and the gradient fade by "
          "the width x 0.01 per layer",
          job("digits", {"arch": "mlp", "width": 64, "depth": 8, "activation": "tanh",
                         "init": "normal"},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=12, batch_size=64)),
        s("f18_stuck_chirps_cnn1d_sigmoid_tiny_init", van, "deep_sigmoid",
          "a cnn1d of sigmoid layers drawn from N(0, 0.01^2)",
          job(CHIRPS, {"arch": "cnn1d", "width": 16, "depth": 3, "activation": "sigmoid",
                       "init": "normal"},
              {"name": "sgd", "lr": 0.05}, epochs=15, batch_size=64)),
        s("f18_stuck_digits_mlp_sigmoid_mse", sat, "mse_on_saturating_units",
          "MSE on one-hot targets through three sigmoid layers: the gradient of each output "
          "is a tenth of a sigmoid's slope, and the net settles on the class frequencies",
          job("digits", {"arch": "mlp", "width": 64, "depth": 3, "activation": "sigmoid"},
              {"name": "sgd", "lr": 0.02}, epochs=15, batch_size=64, loss="mse")),
        s("f18_stuck_mnist1d_mlp_sigmoid_mse_adagrad", sat, "mse_on_saturating_units",
          "MSE through six sigmoid layers on MNIST-1D with Adagrad",
          job("mnist1d", {"arch": "mlp", "width": 64, "depth": 6, "activation": "sigmoid"},
              {"name": "adagrad", "lr": 0.005}, epochs=8, loss="mse")),
        s("f18_stuck_wine_mlp_sigmoid_mse_xavier", sat, "mse_on_saturating_units",
          "MSE through four sigmoid layers on wine with slow SGD",
          job("wine", {"arch": "mlp", "width": 32, "depth": 4, "activation": "sigmoid",
                       "init": "xavier"},
              {"name": "sgd", "lr": 0.01}, epochs=30, batch_size=16, loss="mse")),
        s("f18_stuck_mnist1d_mlp_relu_tiny_init", crit, "zero_saddle",
          "six ReLU layers drawn from N(0, 0.01^2): the net starts at the all-zero saddle "
          "point, where every gradient is a product of near-zero weights",
          job("mnist1d", {"arch": "mlp", "width": 64, "depth": 6, "init": "normal"},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=8)),
        s("f18_stuck_images_cnn_tiny_init_no_bn", crit, "zero_saddle",
          "a CNN without batch norm whose kernels are drawn from N(0, 0.01^2)",
          job(images(1000), {"arch": "cnn", "width": 8, "depth": 3, "batchnorm": False,
                             "init": "normal"},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=6, batch_size=64)),
        s("f18_stuck_iris_mlp_gelu_tiny_init", crit, "zero_saddle",
          "six GELU layers drawn from N(0, 0.01^2) on iris",
          job("iris", {"arch": "mlp", "width": 32, "depth": 6, "activation": "gelu",
                       "init": "normal"},
              {"name": "sgd", "lr": 0.05}, epochs=40, batch_size=16)),
    ]


def _oscillating() -> list[Spec]:
    def o(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "oscillating", None, why, spec)

    return [
        o("f18_oscillate_wine_linear_mse_heavy_ball", "momentum_too_high",
          "full-batch SGD with momentum 0.98 on a least-squares classifier: the heavy ball "
          "overshoots the quadratic valley and swings back, again and again",
          job("wine", {"arch": "linear"}, {"name": "sgd", "lr": 0.3, "momentum": 0.98},
              epochs=60, batch_size=256, loss="mse")),
        o("f18_oscillate_iris_linear_mse_heavy_ball", "momentum_too_high",
          "SGD with momentum 0.98 and lr 0.5 on a least-squares fit of iris, one batch per "
          "epoch",
          job("iris", {"arch": "linear"}, {"name": "sgd", "lr": 0.5, "momentum": 0.98},
              epochs=80, batch_size=256, loss="mse")),
        o("f18_oscillate_breast_cancer_mlp_adam_lr_0.5", "adaptive_lr_too_high",
          "Adam at lr 0.5 on a small MLP: each time the loss gets near zero a step throws "
          "the margins back",
          job("breast_cancer", {"arch": "mlp", "width": 32, "depth": 1},
              {"name": "adam", "lr": 0.5}, epochs=40, batch_size=16)),
        o("f18_oscillate_orbital_linear_momentum_099", "momentum_too_high",
          "full-batch SGD with momentum 0.99 on a linear regressor: barely damped swings "
          "across the valley",
          job(orbital(), {"arch": "linear"}, {"name": "sgd", "lr": 0.15, "momentum": 0.99},
              epochs=60, batch_size=4096, loss="mse")),
        o("f18_oscillate_shells_mlp_rmsprop_high", "adaptive_lr_too_high",
          "RMSprop at lr 0.05 with a short memory (alpha 0.5) on the shells MLP",
          job(SHELLS, {"arch": "mlp", "width": 64}, {"name": "rmsprop", "lr": 0.05,
                                                      "alpha": 0.5},
              epochs=40, batch_size=64)),
    ]


def _diverging() -> list[Spec]:
    def d(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "diverging", None, why, spec)

    return [
        d("f18_diverge_orbital_tanh_mlp_sgd_lr_1", "lr_far_too_high",
          "SGD at lr 1 with momentum on a tanh MLP regressor: the output layer, linear in "
          "bounded features, overshoots further at every step",
          job(orbital(), {"arch": "mlp", "width": 64, "activation": "tanh"},
              {"name": "sgd", "lr": 1.0, "momentum": 0.9}, epochs=15, batch_size=32,
              loss="mse")),
        d("f18_diverge_digits_linear_mse_sgd_lr_5", "lr_far_too_high",
          "MSE on a linear model with SGD at lr 5: a quadratic whose every step multiplies the "
          "error",
          job("digits", {"arch": "linear"}, {"name": "sgd", "lr": 5.0}, epochs=8,
              batch_size=64, loss="mse")),
        d("f18_diverge_wine_mlp_l2_50", "penalty_step_overshoots",
          "an l2 penalty of 50 with SGD at lr 0.1: the penalty's own step multiplies every "
          "weight by -4",
          job("wine", {"arch": "mlp", "width": 32}, {"name": "sgd", "lr": 0.1},
              regularization={"l2": 50.0}, epochs=20, batch_size=16)),
        d("f18_diverge_images_linear_mse_sgd", "lr_far_too_high",
          "least squares on 3072 raw pixels with SGD at lr 0.05: the curvature grows with "
          "the number of inputs, and this lr is far past it",
          job(images(1000), {"arch": "linear"}, {"name": "sgd", "lr": 0.05}, epochs=4,
              batch_size=64, loss="mse")),
        d("f18_diverge_iris_mlp_mse_momentum", "lr_far_too_high",
          "MSE on an MLP for iris with SGD at lr 8 and momentum 0.95",
          job("iris", {"arch": "mlp", "width": 32}, {"name": "sgd", "lr": 8.0,
                                                      "momentum": 0.95},
              epochs=20, batch_size=16, loss="mse")),
    ]


def _mismatch() -> list[Spec]:
    def m(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "mismatch", None, why, spec)

    return [
        m("f18_mismatch_chirps_reversed_buffer", "validation_time_reversed",
          "the validation recorder's ring buffer read backwards: rising chirps arrive as "
          "falling ones, dying oscillations as growing ones",
          job(npz("s18_chirps_reversed.npz"), {"arch": "cnn1d", "width": 24,
                                               "batchnorm": True},
              {"name": "adam", "lr": 0.003}, epochs=15, batch_size=64)),
        m("f18_mismatch_orbital_sign_flipped", "validation_target_sign",
          "the validation export stores the target as a loss, not a gain (sign flipped)",
          job(npz("s18_orbital_sign.npz", task="regression"), {"arch": "mlp", "width": 64},
              {"name": "sgd", "lr": 0.01, "momentum": 0.9}, epochs=25, batch_size=64,
              loss="mse")),
        m("f18_mismatch_shells_outside_in", "validation_label_order",
          "the validation labels number the shells from the outside in",
          job(npz("s18_shells_outside_in.npz"), {"arch": "mlp", "width": 64},
              {"name": "adam", "lr": 0.005}, epochs=25, batch_size=32)),
        m("f18_mismatch_digits_transposed", "validation_flattened_column_major",
          "the validation images were flattened column-major (each image transposed)",
          job(npz("s18_digits_transposed.npz"), {"arch": "mlp", "width": 128},
              {"name": "adam", "lr": 0.001}, epochs=15, batch_size=64)),
        m("f18_mismatch_wine_prescaled", "validation_standardised_twice",
          "the validation features were exported already standardised, and are then "
          "standardised again with the raw training statistics",
          job(npz("s18_wine_prescaled.npz"), {"arch": "mlp", "width": 32, "depth": 1},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=30, batch_size=16)),
    ]


EIGHTEENTH: list[Spec] = [*_healthy(), *_underfitting(), *_overfitting(), *_stuck(),
                          *_oscillating(), *_diverging(), *_mismatch()]
