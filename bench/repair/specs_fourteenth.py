"""The fourteenth split: JobSpecs with one injected training fault each (or none), written
apart from the other splits.

Written from docs/ARCHITECTURE.md sections 4 (the JobSpec) and 5 (the table of statuses and
causes), the catalogue (service/catalogue), the training engine (workers/training), the
format of specs.py and datasets.py, and the yardsticks of curves.py; without reading
fitdoc's advisor, any benchmark result or the other splits' specs and datasets. Each fault
is written from what it does to a run's curves, and every spec was checked only by
curves.py through validate.py (`--split fourteenth`).

Datasets: the built-ins (mnist1d, digits, wine, breast_cancer, iris, synthetic_images) and
the `s14_` npz files of datasets_fourteenth.py (a waveform classification, a regression,
spirals, and five train/validation mismatches).
"""

from __future__ import annotations

from typing import Any

from bench.repair.specs import Spec, job, npz

WAVES = npz("s14_waveforms.npz", val_fraction=0.2)
SPIRALS = npz("s14_spirals.npz", val_fraction=0.2)


def reactor(**fields: Any) -> dict[str, Any]:
    """The s14 regression (targets already standardised)."""
    return npz("s14_reactor.npz", task="regression", **{"val_fraction": 0.2, **fields})


def _healthy() -> list[Spec]:
    def h(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, "sound_recipe", "healthy", None, why, spec)

    return [
        h("f14_healthy_mnist1d_cnn1d_bn_adamw_cosine_warmup",
          "a batch-normed cnn1d with AdamW, a little weight decay and cosine decay after a "
          "one-epoch warm-up",
          job("mnist1d", {"arch": "cnn1d", "width": 32, "batchnorm": True},
              {"name": "adamw", "lr": 0.003, "weight_decay": 0.01},
              schedule={"name": "cosine", "warmup_epochs": 1}, epochs=15)),
        h("f14_healthy_mnist1d_cnn1d_gelu_adam_small_val",
          "a GELU cnn1d with batch norm and Adam under a linear decay, validated on 8%",
          job({"name": "mnist1d", "val_fraction": 0.08},
              {"arch": "cnn1d", "width": 32, "activation": "gelu", "batchnorm": True},
              {"name": "adam", "lr": 0.002}, schedule={"name": "linear"}, epochs=18)),
        h("f14_healthy_digits_mlp_nesterov_step_small_val",
          "a 2x96 MLP with a little dropout and l2, Nesterov SGD, the lr cut 10x after 5 "
          "epochs, validated on 10%",
          job({"name": "digits", "val_fraction": 0.1}, {"arch": "mlp", "width": 96,
                                                        "dropout": 0.1},
              {"name": "sgd", "lr": 0.02, "momentum": 0.9, "nesterov": True},
              schedule={"name": "step", "step_size": 5}, regularization={"l2": 0.001},
              epochs=8, batch_size=64)),
        h("f14_healthy_digits_linear_adagrad_short",
          "multinomial logistic regression with Adagrad for 6 epochs",
          job("digits", {"arch": "linear"}, {"name": "adagrad", "lr": 0.1}, epochs=6,
              batch_size=32)),
        h("f14_healthy_digits_mlp_bn_adam_short",
          "a batch-normed 2x128 MLP with Adam for 6 epochs, validated on 15%",
          job({"name": "digits", "val_fraction": 0.15},
              {"arch": "mlp", "width": 128, "batchnorm": True}, {"name": "adam", "lr": 0.002},
              epochs=6, batch_size=32)),
        h("f14_healthy_wine_mlp_tanh_rmsprop",
          "a one-layer tanh MLP with RMSprop and a little l2 on wine",
          job("wine", {"arch": "mlp", "width": 24, "depth": 1, "activation": "tanh"},
              {"name": "rmsprop", "lr": 0.003}, regularization={"l2": 0.001}, epochs=25,
              batch_size=16)),
        h("f14_healthy_wine_linear_adam_short",
          "logistic regression with Adam for 10 epochs on wine",
          job("wine", {"arch": "linear"}, {"name": "adam", "lr": 0.02}, epochs=10,
              batch_size=16)),
        h("f14_healthy_breast_cancer_linear_adamw_exponential_long",
          "logistic regression with AdamW under an exponential decay for 60 epochs, "
          "validated on 12%",
          job({"name": "breast_cancer", "val_fraction": 0.12}, {"arch": "linear"},
              {"name": "adamw", "lr": 0.01, "weight_decay": 0.05},
              schedule={"name": "exponential", "gamma": 0.93}, epochs=60, batch_size=32)),
        h("f14_healthy_iris_mlp_sgd_nesterov_plateau",
          "a small MLP with Nesterov SGD, l2 and a reduce-on-plateau schedule for 30 epochs",
          job("iris", {"arch": "mlp", "width": 16, "depth": 1},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True},
              schedule={"name": "plateau", "patience": 3, "factor": 0.3},
              regularization={"l2": 0.01}, epochs=30, batch_size=16)),
        h("f14_healthy_waves_cnn1d_bn_sgd_onecycle",
          "a batch-normed cnn1d with SGD and momentum under a one-cycle schedule on the "
          "waveforms",
          job(WAVES, {"arch": "cnn1d", "width": 32, "batchnorm": True},
              {"name": "sgd", "lr": 0.1, "momentum": 0.9}, schedule={"name": "onecycle"},
              epochs=15, batch_size=64)),
        h("f14_healthy_spirals_mlp_gelu_adam_cosine",
          "a 3x64 GELU MLP with Adam, a touch of l2 and cosine decay for 40 epochs on the "
          "spirals",
          job(SPIRALS, {"arch": "mlp", "width": 64, "depth": 3, "activation": "gelu"},
              {"name": "adam", "lr": 0.003}, schedule={"name": "cosine"},
              regularization={"l2": 0.0001}, epochs=40, batch_size=64)),
        h("f14_healthy_reactor_mlp_adam_cosine_long",
          "a 2x64 MLP regressing the s14 formula with Adam and cosine decay for 60 epochs",
          job(reactor(), {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 0.003},
              schedule={"name": "cosine"}, epochs=60, batch_size=64, loss="mse")),
        h("f14_healthy_reactor_mlp_sgd_inverse_small_val",
          "a 2x128 MLP regressor with SGD and momentum under an inverse-sqrt decay, "
          "validated on 10%",
          job(reactor(val_fraction=0.1), {"arch": "mlp", "width": 128},
              {"name": "sgd", "lr": 0.03, "momentum": 0.9}, schedule={"name": "inverse"},
              epochs=50, batch_size=32, loss="mse")),
    ]


def _underfitting() -> list[Spec]:
    def bias(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "underfitting", "model_bias", why, spec)

    def opt(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "underfitting", "optimization_issue", why, spec)

    def short(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, "too_few_epochs", "underfitting", "undertrained", why, spec)

    return [
        bias("f14_underfit_reactor_linear_sgd", "model_too_small",
             "a linear model on a target half of whose variance is products, squares and a "
             "cosine of the features",
             job(reactor(), {"arch": "linear"}, {"name": "sgd", "lr": 0.01}, epochs=40,
                 batch_size=64, loss="mse")),
        bias("f14_underfit_mnist1d_mlp_3_unit_bottleneck", "model_too_small",
             "an MLP whose only hidden layer has 3 units: ten classes through three numbers",
             job("mnist1d", {"arch": "mlp", "widths": [3]}, {"name": "adam", "lr": 0.005},
                 epochs=30)),
        bias("f14_underfit_breast_cancer_linear_l2_1", "regularization_too_strong",
             "logistic regression with l2 1.0, which keeps the weights too small to separate "
             "the classes confidently",
             job("breast_cancer", {"arch": "linear"}, {"name": "adam", "lr": 0.01},
                 regularization={"l2": 1.0}, epochs=30, batch_size=32)),
        bias("f14_underfit_images_linear_adam", "model_too_small",
             "a linear model on raw pixels of shapes drawn at random places and colours",
             job({"name": "synthetic_images", "n_train": 1000}, {"arch": "linear"},
                 {"name": "adam", "lr": 0.0005}, epochs=8, batch_size=64)),
        opt("f14_underfit_mnist1d_mlp_sgd_exponential_collapse", "lr_decays_too_fast",
            "SGD under an exponential decay of 0.3 per epoch: the lr is all but gone after a "
            "few epochs and the loss freezes where it was",
            job("mnist1d", {"arch": "mlp", "width": 128}, {"name": "sgd", "lr": 0.1,
                                                           "momentum": 0.9},
                schedule={"name": "exponential", "gamma": 0.3}, epochs=30)),
        opt("f14_underfit_reactor_mlp_sgd_step_every_epoch", "lr_decays_too_fast",
            "SGD whose step schedule cuts the lr 10x after every epoch",
            job(reactor(), {"arch": "mlp", "width": 64}, {"name": "sgd", "lr": 0.03,
                                                          "momentum": 0.9},
                schedule={"name": "step", "step_size": 1, "gamma": 0.1}, epochs=20,
                batch_size=64, loss="mse")),
        opt("f14_underfit_wine_mlp_sgd_inverse_cubed", "lr_decays_too_fast",
            "SGD under an inverse schedule of power 3: the lr falls as 1/(1+t)^3",
            job("wine", {"arch": "mlp", "width": 32, "depth": 1}, {"name": "sgd",
                                                                  "lr": 0.1},
                schedule={"name": "inverse", "power": 3.0}, epochs=40, batch_size=16)),
        opt("f14_underfit_spirals_mlp_adagrad_small_lr", "shrinking_steps",
            "Adagrad at lr 0.003: its steps shrink as the squared gradients pile up and the "
            "loss levels off far above what the MLP can reach",
            job(SPIRALS, {"arch": "mlp", "width": 64, "depth": 3},
                {"name": "adagrad", "lr": 0.003}, epochs=40, batch_size=64)),
        short("f14_underfit_images_cnn_sgd_3_epochs",
              "a CNN with SGD and momentum stopped after 3 epochs",
              job({"name": "synthetic_images", "n_train": 1200},
                  {"arch": "cnn", "width": 8, "depth": 3},
                  {"name": "sgd", "lr": 0.03, "momentum": 0.9}, epochs=3, batch_size=64)),
        short("f14_underfit_reactor_mlp_sgd_5_epochs",
              "an MLP regressor with SGD at lr 0.005 stopped after 5 epochs",
              job(reactor(), {"arch": "mlp", "width": 64}, {"name": "sgd", "lr": 0.005},
                  epochs=5, batch_size=32, loss="mse")),
        short("f14_underfit_waves_cnn1d_adam_5_epochs",
              "a cnn1d with Adam 6e-4 stopped after 5 epochs",
              job(WAVES, {"arch": "cnn1d", "width": 16}, {"name": "adam", "lr": 0.0006},
                  epochs=5, batch_size=64)),
        short("f14_underfit_breast_cancer_linear_sgd_6_epochs",
              "logistic regression with SGD at lr 0.002 stopped after 6 epochs",
              job("breast_cancer", {"arch": "linear"}, {"name": "sgd", "lr": 0.002},
                  epochs=6, batch_size=32)),
    ]


def _overfitting() -> list[Spec]:
    def o(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, "small_train_set_big_model", "overfitting", None, why, spec)

    return [
        o("f14_overfit_digits_mlp_80_samples",
          "a 3x512 MLP on 80 digits for 60 epochs, validated on 10%",
          job({"name": "digits", "n_train": 80, "val_fraction": 0.1},
              {"arch": "mlp", "width": 512, "depth": 3}, {"name": "adam", "lr": 0.002},
              epochs=60, batch_size=16)),
        o("f14_overfit_mnist1d_cnn1d_250_samples",
          "a 128-channel cnn1d on 250 MNIST-1D samples for 40 epochs",
          job({"name": "mnist1d", "n_train": 250}, {"arch": "cnn1d", "width": 128},
              {"name": "adam", "lr": 0.002}, epochs=40, batch_size=25)),
        o("f14_overfit_waves_cnn1d_150_samples",
          "a 64-channel cnn1d on 150 waveforms for 50 epochs",
          job({**WAVES, "n_train": 150}, {"arch": "cnn1d", "width": 64},
              {"name": "adam", "lr": 0.002}, epochs=50, batch_size=15)),
        o("f14_overfit_wine_mlp_24_samples",
          "a 3x256 MLP on 24 wine samples for 100 epochs",
          job({"name": "wine", "n_train": 24, "val_fraction": 0.3},
              {"arch": "mlp", "width": 256, "depth": 3}, {"name": "adam", "lr": 0.003},
              epochs=100, batch_size=6)),
        o("f14_overfit_breast_cancer_mlp_30_samples",
          "a 2x1024 MLP on 30 breast_cancer samples for 150 epochs",
          job({"name": "breast_cancer", "n_train": 30}, {"arch": "mlp", "width": 1024},
              {"name": "adam", "lr": 0.0003}, epochs=150, batch_size=10)),
    ]


def _stuck() -> list[Spec]:
    def s(name: str, cause: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "stuck", cause, why, spec)

    low, high = "lr_too_low", "lr_too_high"
    vanish, sat, crit = "vanishing_gradient", "saturated_loss", "critical_point"
    return [
        s("f14_stuck_waves_cnn1d_sgd_lr_1e-5", low, "lr_too_low",
          "SGD at lr 1e-5 on a cnn1d",
          job(WAVES, {"arch": "cnn1d", "width": 32}, {"name": "sgd", "lr": 1e-5}, epochs=8,
              batch_size=64)),
        s("f14_stuck_reactor_mlp_adam_lr_1e-7", low, "lr_too_low",
          "Adam at lr 1e-7 on an MLP regressor",
          job(reactor(), {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 1e-7},
              epochs=10, batch_size=64, loss="mse")),
        s("f14_stuck_mnist1d_cnn1d_adagrad_lr_1e-6", low, "lr_too_low",
          "Adagrad at lr 1e-6 on a cnn1d for 6 epochs",
          job("mnist1d", {"arch": "cnn1d", "width": 32}, {"name": "adagrad", "lr": 1e-6},
              epochs=6)),
        s("f14_stuck_waves_cnn1d_adam_lr_1", high, "lr_too_high_dead_units",
          "Adam at lr 1 on a cnn1d without batch norm: the first steps kill the ReLUs",
          job(WAVES, {"arch": "cnn1d", "width": 32}, {"name": "adam", "lr": 1.0}, epochs=8,
              batch_size=64)),
        s("f14_stuck_images_cnn_no_bn_adamw_lr_1", high, "lr_too_high_dead_units",
          "AdamW at lr 1 on a CNN without batch norm: dead units, loss at chance",
          job({"name": "synthetic_images", "n_train": 800},
              {"arch": "cnn", "width": 8, "depth": 3, "batchnorm": False},
              {"name": "adamw", "lr": 1.0}, epochs=4, batch_size=64)),
        s("f14_stuck_digits_mlp_adamw_lr_1", high, "lr_too_high_dead_units",
          "AdamW at lr 1 (1000x its usual) on a 3x128 ReLU MLP: the first steps kill the "
          "units and the loss sits at chance",
          job("digits", {"arch": "mlp", "width": 128, "depth": 3}, {"name": "adamw", "lr": 1.0},
              epochs=10, batch_size=64)),
        s("f14_stuck_spirals_sigmoid_depth10_normal_init", vanish, "deep_saturating_tiny_init",
          "a 10-layer sigmoid MLP with N(0, 0.01) weights and SGD",
          job(SPIRALS, {"arch": "mlp", "width": 64, "depth": 10, "activation": "sigmoid",
                        "init": "normal"},
              {"name": "sgd", "lr": 0.1, "momentum": 0.9}, epochs=20, batch_size=32)),
        s("f14_stuck_waves_mlp_tanh_depth8_normal_init", vanish, "deep_saturating_tiny_init",
          "an 8-layer tanh MLP with N(0, 0.01) weights and SGD",
          job(WAVES, {"arch": "mlp", "width": 128, "depth": 8, "activation": "tanh",
                      "init": "normal"},
              {"name": "sgd", "lr": 0.05}, epochs=8, batch_size=64)),
        s("f14_stuck_iris_sigmoid_depth7_normal_init", vanish, "deep_saturating_tiny_init",
          "a 7-layer sigmoid MLP with N(0, 0.01) weights and SGD for 60 epochs",
          job("iris", {"arch": "mlp", "width": 32, "depth": 7, "activation": "sigmoid",
                       "init": "normal"},
              {"name": "sgd", "lr": 0.2}, epochs=60, batch_size=16)),
        s("f14_stuck_wine_mse_sigmoid_mlp", sat, "mse_on_saturating_classifier",
          "MSE on one-hot targets through a 3-layer sigmoid MLP trained by SGD",
          job("wine", {"arch": "mlp", "width": 32, "depth": 3, "activation": "sigmoid"},
              {"name": "sgd", "lr": 0.05}, epochs=30, batch_size=16, loss="mse")),
        s("f14_stuck_waves_mse_sigmoid_cnn1d", sat, "mse_on_saturating_classifier",
          "MSE on one-hot targets through a sigmoid cnn1d",
          job(WAVES, {"arch": "cnn1d", "width": 16, "activation": "sigmoid"},
              {"name": "sgd", "lr": 0.05}, epochs=8, batch_size=64, loss="mse")),
        s("f14_stuck_spirals_mse_sigmoid_mlp", sat, "mse_on_saturating_classifier",
          "MSE on one-hot targets through a 4-layer sigmoid MLP",
          job(SPIRALS, {"arch": "mlp", "width": 64, "depth": 4, "activation": "sigmoid"},
              {"name": "sgd", "lr": 0.1}, epochs=20, batch_size=64, loss="mse")),
        s("f14_stuck_spirals_relu_depth6_normal_init", crit, "deep_nonsaturating_tiny_init",
          "a 6-layer ReLU MLP with N(0, 0.01) weights and SGD: every layer's output starts "
          "at ~0",
          job(SPIRALS, {"arch": "mlp", "width": 64, "depth": 6, "init": "normal"},
              {"name": "sgd", "lr": 0.05}, epochs=20, batch_size=32)),
        s("f14_stuck_reactor_relu_depth5_normal_init", crit, "deep_nonsaturating_tiny_init",
          "a 5-layer ReLU MLP regressor with N(0, 0.01) weights and SGD",
          job(reactor(), {"arch": "mlp", "width": 64, "depth": 5, "init": "normal"},
              {"name": "sgd", "lr": 0.05}, epochs=15, batch_size=32, loss="mse")),
        s("f14_stuck_digits_selu_depth6_normal_init", crit, "deep_nonsaturating_tiny_init",
          "a 6-layer SELU MLP with N(0, 0.01) weights and SGD",
          job("digits", {"arch": "mlp", "width": 96, "depth": 6, "activation": "selu",
                         "init": "normal"},
              {"name": "sgd", "lr": 0.05}, epochs=10, batch_size=64)),
    ]


def _oscillating() -> list[Spec]:
    def o(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, "lr_too_high_oscillation", "oscillating", None, why, spec)

    return [
        o("f14_oscillate_wine_linear_adam_lr_10",
          "logistic regression on wine with Adam at lr 10 on batches of 32",
          job("wine", {"arch": "linear"}, {"name": "adam", "lr": 10.0}, epochs=40,
              batch_size=32)),
        o("f14_oscillate_breast_cancer_linear_rmsprop_lr_1",
          "logistic regression on breast_cancer with RMSprop at lr 1 (1000x its usual)",
          job("breast_cancer", {"arch": "linear"}, {"name": "rmsprop", "lr": 1.0}, epochs=30,
              batch_size=64)),
        o("f14_oscillate_iris_tanh_mlp_sgd_momentum_full_batch",
          "a tanh MLP on iris, full-batch SGD at lr 3 with momentum 0.9",
          job("iris", {"arch": "mlp", "width": 16, "depth": 1, "activation": "tanh"},
              {"name": "sgd", "lr": 3.0, "momentum": 0.9}, epochs=40, batch_size=256)),
        o("f14_oscillate_iris_linear_sgd_full_batch_lr_30",
          "logistic regression on iris by full-batch gradient descent at lr 30",
          job("iris", {"arch": "linear"}, {"name": "sgd", "lr": 30.0}, epochs=30,
              batch_size=256)),
        o("f14_oscillate_digits_mlp_adam_lr_0.03",
          "a 2x64 MLP on digits with Adam at lr 0.03 (30x its usual) on batches of 16",
          job("digits", {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 0.03},
              epochs=30, batch_size=16)),
    ]


def _diverging() -> list[Spec]:
    def d(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "diverging", None, why, spec)

    return [
        d("f14_diverge_reactor_linear_sgd_momentum_lr_1.5", "lr_too_high_divergence",
          "a linear regressor with SGD at lr 1.5 and momentum 0.5 on batches of 16: each "
          "step overshoots the least-squares minimum by more than it corrects",
          job(reactor(), {"arch": "linear"}, {"name": "sgd", "lr": 1.5, "momentum": 0.5},
              epochs=10, batch_size=16, loss="mse")),
        d("f14_diverge_mnist1d_cnn1d_sgd_lr_20", "lr_too_high_divergence",
          "a cnn1d with SGD at lr 20",
          job("mnist1d", {"arch": "cnn1d", "width": 32}, {"name": "sgd", "lr": 20.0},
              epochs=5)),
        d("f14_diverge_iris_mlp_sgd_warmup_to_lr_40", "warmup_to_unstable_lr",
          "a warm-up over 10 epochs towards SGD lr 40",
          job("iris", {"arch": "mlp", "width": 32}, {"name": "sgd", "lr": 40.0},
              schedule={"name": "constant", "warmup_epochs": 10}, epochs=30, batch_size=16)),
        d("f14_diverge_wine_linear_mse_sgd_full_batch", "lr_too_high_divergence",
          "a linear classifier on MSE with full-batch SGD at lr 3",
          job("wine", {"arch": "linear"}, {"name": "sgd", "lr": 3.0}, epochs=40,
              batch_size=256, loss="mse")),
        d("f14_diverge_breast_cancer_deep_selu_sgd_momentum", "lr_too_high_divergence",
          "a 4x64 SELU MLP with Kaiming init, SGD at lr 1 and momentum 0.9",
          job("breast_cancer", {"arch": "mlp", "width": 64, "depth": 4, "activation": "selu",
                                "init": "kaiming"},
              {"name": "sgd", "lr": 1.0, "momentum": 0.9}, epochs=20, batch_size=32)),
    ]


def _mismatch() -> list[Spec]:
    def m(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "mismatch", None, why, spec)

    return [
        m("f14_mismatch_reactor_mlp_reversed_columns", "feature_shift",
          "the validation export lists the feature columns in reverse order",
          job(npz("s14_reactor_reversed_columns.npz", task="regression"),
              {"arch": "mlp", "width": 64}, {"name": "sgd", "lr": 0.02, "momentum": 0.5},
              epochs=30, batch_size=64, loss="mse")),
        m("f14_mismatch_waves_cnn1d_relabelled", "label_map_shift",
          "the validation labels are coded by another class map",
          job(npz("s14_waveforms_relabelled.npz"), {"arch": "cnn1d", "width": 32,
                                                    "batchnorm": True},
              {"name": "adam", "lr": 0.003}, epochs=10, batch_size=64)),
        m("f14_mismatch_digits_mlp_inverted_ink", "feature_shift",
          "the validation images' ink is inverted",
          job(npz("s14_digits_inverted.npz"), {"arch": "mlp", "width": 128},
              {"name": "adam", "lr": 0.002}, epochs=15, batch_size=64)),
        m("f14_mismatch_iris_linear_swapped_columns", "feature_shift",
          "the validation export swaps the sepal and petal columns",
          job(npz("s14_iris_swapped_columns.npz"), {"arch": "linear"},
              {"name": "sgd", "lr": 0.1, "momentum": 0.9}, epochs=40, batch_size=16)),
        m("f14_mismatch_breast_cancer_mlp_misaligned_labels", "label_misalignment",
          "the validation labels are shifted rows against their features",
          job(npz("s14_breast_cancer_misaligned.npz"), {"arch": "mlp", "width": 64,
                                                        "depth": 1},
              {"name": "adam", "lr": 0.003}, epochs=30, batch_size=32)),
    ]


FOURTEENTH: list[Spec] = [*_healthy(), *_underfitting(), *_overfitting(), *_stuck(),
                          *_oscillating(), *_diverging(), *_mismatch()]
