"""The seventh split: a seventh set of injected training faults, written apart from the others.

Written from the status table of docs/ARCHITECTURE.md section 5, the JobSpec, the catalogue,
the training engine and the lecture notes' account of each fault, as a practitioner meets
them in their own work; `specs.py` was read for the format and `curves.py` for the
yardsticks, and no other split's specs. Each spec was kept, re-injected or dropped by what
`curves.py` reads from its curves alone (bench/repair/validate.py --split seventh); no
diagnosis of fitdoc was asked for. Its npz files (`s7_...`) are made by datasets_seventh.py.

It is kept out of SPECS, the tune/report dealing and the other splits kept apart:
`cases("seventh")` expands it with split "seventh", to be run once.
"""

from __future__ import annotations

from typing import Any

from bench.repair.specs import Spec, job, npz

SECTORS = npz("s7_sectors.npz", val_fraction=0.2)
BEAM = npz("s7_beam.npz", task="regression", val_fraction=0.2)
IMAGES = {"name": "synthetic_images", "n_train": 1500}


def _healthy() -> list[Spec]:
    def h(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, "sound_recipe", "healthy", None, why, spec)

    return [
        h("seventh_healthy_mnist1d_cnn1d_bn_adamw_cosine",
          "a batch-normed cnn1d with AdamW, a little weight decay and cosine decay for 20 "
          "epochs",
          job("mnist1d", {"arch": "cnn1d", "width": 32, "batchnorm": True},
              {"name": "adamw", "lr": 0.003, "weight_decay": 0.01},
              schedule={"name": "cosine"}, epochs=20)),
        h("seventh_healthy_digits_mlp_adam_large_val",
          "a 2x128 MLP with Adam 1e-3 for 12 epochs, validated on 40% of digits",
          job({"name": "digits", "val_fraction": 0.4}, {"arch": "mlp", "width": 128},
              {"name": "adam", "lr": 0.001}, epochs=12, batch_size=32)),
        h("seventh_healthy_digits_linear_adamw_short",
          "softmax regression on the 64 pixels with AdamW for 8 epochs",
          job("digits", {"arch": "linear"}, {"name": "adamw", "lr": 0.01,
                                             "weight_decay": 0.01},
              epochs=8, batch_size=32)),
        h("seventh_healthy_wine_mlp_sgd_nesterov_l2",
          "a one-hidden-layer MLP with Nesterov SGD, a little l2 and a cosine decay for 25 "
          "epochs",
          job("wine", {"arch": "mlp", "width": 16, "depth": 1},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True},
              schedule={"name": "cosine"}, regularization={"l2": 0.001}, epochs=25,
              batch_size=16)),
        h("seventh_healthy_wine_linear_sgd_short",
          "logistic regression with SGD and momentum for 6 epochs on standardised wine",
          job("wine", {"arch": "linear"}, {"name": "sgd", "lr": 0.05, "momentum": 0.9},
              epochs=6, batch_size=8)),
        h("seventh_healthy_iris_mlp_rmsprop_large_val",
          "a small MLP with RMSprop and a linear decay for 40 epochs, validated on 30% of iris",
          job({"name": "iris", "val_fraction": 0.3}, {"arch": "mlp", "width": 16, "depth": 1},
              {"name": "rmsprop", "lr": 0.005}, schedule={"name": "linear"}, epochs=40,
              batch_size=8)),
        h("seventh_healthy_iris_linear_adam_long",
          "softmax regression with Adam for 60 epochs on iris",
          job("iris", {"arch": "linear"}, {"name": "adam", "lr": 0.02}, epochs=60,
              batch_size=16)),
        h("seventh_healthy_breast_cancer_linear_adam",
          "logistic regression with Adam and a little l2 for 20 epochs",
          job("breast_cancer", {"arch": "linear"}, {"name": "adam", "lr": 0.005},
              regularization={"l2": 0.001}, epochs=20, batch_size=32)),
        h("seventh_healthy_breast_cancer_mlp_adagrad_small_val",
          "a one-hidden-layer MLP with Adagrad and l2 0.01, validated on 10% of breast_cancer",
          job({"name": "breast_cancer", "val_fraction": 0.1},
              {"arch": "mlp", "width": 32, "depth": 1}, {"name": "adagrad", "lr": 0.01},
              regularization={"l2": 0.01}, epochs=10, batch_size=32)),
        h("seventh_healthy_images_cnn_adam_cosine",
          "a 3-block batch-normed CNN with Adam and cosine decay for 12 epochs on 2000 images",
          job({"name": "synthetic_images", "n_train": 2000},
              {"arch": "cnn", "width": 16, "depth": 3}, {"name": "adam", "lr": 0.003},
              schedule={"name": "cosine"}, epochs=12, batch_size=64)),
        h("seventh_healthy_sectors_mlp_adam_cosine",
          "a 2x64 MLP with Adam and cosine decay for 40 epochs on the radar sectors",
          job(SECTORS, {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 0.003},
              schedule={"name": "cosine"}, epochs=40, batch_size=64)),
        h("seventh_healthy_beam_mlp_adam_cosine",
          "a 2x64 MLP regressing the beam's deflection with Adam and cosine decay",
          job(BEAM, {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 0.003},
              schedule={"name": "cosine"}, epochs=40, batch_size=32, loss="mse")),
        h("seventh_healthy_beam_mlp_sgd_step",
          "a 2x128 tanh MLP regressing the beam with SGD and momentum, the lr divided by 5 "
          "every 15 epochs, validated on 10%",
          job(npz("s7_beam.npz", task="regression", val_fraction=0.1),
              {"arch": "mlp", "width": 128, "activation": "tanh"},
              {"name": "sgd", "lr": 0.02, "momentum": 0.9},
              schedule={"name": "step", "step_size": 15, "gamma": 0.2}, epochs=45,
              batch_size=32, loss="mse")),
    ]


def _underfitting() -> list[Spec]:
    def bias(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "underfitting", "model_bias", why, spec)

    def opt(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "underfitting", "optimization_issue", why, spec)

    def short(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, "too_few_epochs", "underfitting", "undertrained", why, spec)

    return [
        bias("seventh_underfit_beam_linear", "model_too_small",
             "a linear regressor for a deflection with a product, a sine and a square term",
             job(BEAM, {"arch": "linear"}, {"name": "adam", "lr": 0.01}, epochs=30,
                 batch_size=32, loss="mse")),
        bias("seventh_underfit_mnist1d_mlp_3_unit_bottleneck", "model_too_small",
             "an MLP whose hidden layers have 3 units each: ten classes through a 3-number "
             "bottleneck",
             job("mnist1d", {"arch": "mlp", "widths": [3, 3]}, {"name": "adam", "lr": 0.003},
                 epochs=30)),
        bias("seventh_underfit_digits_mlp_l2_too_strong", "regularization_too_strong",
             "a 2x128 MLP with an l2 penalty of 0.1, which holds the weights near zero",
             job("digits", {"arch": "mlp", "width": 128}, {"name": "adam", "lr": 0.003},
                 regularization={"l2": 0.1}, epochs=25, batch_size=32)),
        bias("seventh_underfit_wine_mlp_dropout_0.9", "regularization_too_strong",
             "a 2x16 MLP dropping 90% of its units at every step",
             job("wine", {"arch": "mlp", "width": 16, "dropout": 0.9},
                 {"name": "adam", "lr": 0.003}, epochs=40, batch_size=16)),
        opt("seventh_underfit_digits_mlp_exponential_collapse", "lr_schedule_collapse",
            "SGD whose lr an exponential schedule of gamma 0.4 per epoch takes to nothing "
            "within a few of 30 epochs",
            job("digits", {"arch": "mlp", "width": 128},
                {"name": "sgd", "lr": 0.03, "momentum": 0.9},
                schedule={"name": "exponential", "gamma": 0.4}, epochs=30, batch_size=64)),
        opt("seventh_underfit_beam_mlp_step_collapse", "lr_schedule_collapse",
            "Adam whose lr a step schedule divides by 1000 after the first epoch of 40",
            job(BEAM, {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 0.001},
                schedule={"name": "step", "step_size": 1, "gamma": 0.001}, epochs=40,
                batch_size=64, loss="mse")),
        opt("seventh_underfit_mnist1d_cnn1d_step_collapse", "lr_schedule_collapse",
            "a cnn1d with SGD whose lr a step schedule divides by 100 every 2 epochs",
            job("mnist1d", {"arch": "cnn1d", "width": 32},
                {"name": "sgd", "lr": 0.05, "momentum": 0.9},
                schedule={"name": "step", "step_size": 2, "gamma": 0.01}, epochs=12)),
        short("seventh_underfit_mnist1d_cnn1d_rmsprop_4_epochs",
              "a cnn1d with RMSprop 5e-4 stopped after 4 epochs",
              job("mnist1d", {"arch": "cnn1d", "width": 32},
                  {"name": "rmsprop", "lr": 0.0005}, epochs=4)),
        short("seventh_underfit_images_cnn_sgd_3_epochs",
              "a CNN with SGD and momentum stopped after 3 epochs",
              job(IMAGES, {"arch": "cnn", "width": 16, "depth": 3},
                  {"name": "sgd", "lr": 0.03, "momentum": 0.9}, epochs=3, batch_size=64)),
        short("seventh_underfit_beam_mlp_sgd_4_epochs",
              "an MLP regressor with SGD stopped after 4 epochs",
              job(BEAM, {"arch": "mlp", "width": 64}, {"name": "sgd", "lr": 0.01,
                                                       "momentum": 0.5},
                  epochs=4, batch_size=64, loss="mse")),
        short("seventh_underfit_sectors_mlp_adam_5_epochs",
              "an MLP with Adam 3e-4 stopped after 5 epochs on the radar sectors",
              job(SECTORS, {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 0.0003},
                  epochs=5, batch_size=64)),
    ]


def _overfitting() -> list[Spec]:
    def o(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, "small_train_set_big_model", "overfitting", None, why, spec)

    return [
        o("seventh_overfit_mnist1d_mlp_250_samples",
          "a 3x512 MLP trained 60 epochs on 250 MNIST-1D samples",
          job({"name": "mnist1d", "n_train": 250}, {"arch": "mlp", "width": 512, "depth": 3},
              {"name": "adam", "lr": 0.001}, epochs=60, batch_size=32)),
        o("seventh_overfit_mnist1d_cnn1d_300_samples",
          "a 64-channel cnn1d on 300 samples for 40 epochs",
          job({"name": "mnist1d", "n_train": 300}, {"arch": "cnn1d", "width": 64},
              {"name": "adam", "lr": 0.001}, epochs=40, batch_size=32)),
        o("seventh_overfit_digits_mlp_80_samples",
          "a 2x1024 MLP with Adam on 80 digits for 80 epochs",
          job({"name": "digits", "n_train": 80}, {"arch": "mlp", "width": 1024},
              {"name": "adam", "lr": 0.003}, epochs=80, batch_size=16)),
        o("seventh_overfit_breast_cancer_mlp_50_samples",
          "a 3x256 MLP on 50 breast_cancer samples for 100 epochs",
          job({"name": "breast_cancer", "n_train": 50},
              {"arch": "mlp", "width": 256, "depth": 3}, {"name": "adam", "lr": 0.002},
              epochs=100, batch_size=16)),
        o("seventh_overfit_sectors_mlp_80_samples_large_val",
          "a 3x512 MLP on 80 radar returns for 100 epochs, validated on 40%",
          job(npz("s7_sectors.npz", n_train=80, val_fraction=0.4),
              {"arch": "mlp", "width": 512, "depth": 3}, {"name": "adam", "lr": 0.001},
              epochs=100, batch_size=16)),
        o("seventh_overfit_mnist1d_mlp_150_samples_small_val",
          "a 2x512 MLP on 150 MNIST-1D samples for 100 epochs, validated on 5% of the data",
          job({"name": "mnist1d", "n_train": 150, "val_fraction": 0.05},
              {"arch": "mlp", "width": 512}, {"name": "adam", "lr": 0.0003},
              epochs=100, batch_size=16)),
    ]


def _stuck() -> list[Spec]:
    def s(name: str, cause: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "stuck", cause, why, spec)

    low, high = "lr_too_low", "lr_too_high"
    vanish, sat, crit = "vanishing_gradient", "saturated_loss", "critical_point"
    return [
        s("seventh_stuck_breast_cancer_mlp_sgd_lr_1e-6", low, "lr_too_low",
          "plain SGD at lr 1e-6 on a 2x64 MLP for 12 epochs",
          job("breast_cancer", {"arch": "mlp", "width": 64}, {"name": "sgd", "lr": 1e-6},
              epochs=12, batch_size=32)),
        s("seventh_stuck_images_cnn_adam_lr_1e-7", low, "lr_too_low",
          "a CNN with Adam at lr 1e-7",
          job(IMAGES, {"arch": "cnn", "width": 8, "depth": 3}, {"name": "adam", "lr": 1e-7},
              epochs=3, batch_size=64)),
        s("seventh_stuck_sectors_mlp_rmsprop_lr_1e-7", low, "lr_too_low",
          "RMSprop at lr 1e-7 on the radar sectors for 40 epochs",
          job(SECTORS, {"arch": "mlp", "width": 64}, {"name": "rmsprop", "lr": 1e-7},
              epochs=40, batch_size=64)),
        s("seventh_stuck_mnist1d_mlp_adam_lr_0.8", high, "lr_too_high_dead_units",
          "Adam at lr 0.8 on a 4x128 ReLU MLP: the first steps kill the units",
          job("mnist1d", {"arch": "mlp", "width": 128, "depth": 4}, {"name": "adam", "lr": 0.8},
              epochs=8)),
        s("seventh_stuck_digits_mlp_adam_lr_0.8", high, "lr_too_high_dead_units",
          "Adam at lr 0.8 on a 4x128 ReLU MLP",
          job("digits", {"arch": "mlp", "width": 128, "depth": 4},
              {"name": "adam", "lr": 0.8}, epochs=10, batch_size=32)),
        s("seventh_stuck_sectors_mlp_adam_lr_1", high, "lr_too_high_dead_units",
          "Adam at lr 1 on a 4x128 ReLU MLP for 20 epochs",
          job(SECTORS, {"arch": "mlp", "width": 128, "depth": 4}, {"name": "adam", "lr": 1.0},
              epochs=20, batch_size=32)),
        s("seventh_stuck_sectors_sigmoid_depth10_normal_init", vanish,
          "deep_saturating_tiny_init",
          "a 10-layer sigmoid MLP with N(0, 0.01) weights and SGD",
          job(SECTORS, {"arch": "mlp", "width": 64, "depth": 10, "activation": "sigmoid",
                        "init": "normal"},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=10, batch_size=64)),
        s("seventh_stuck_iris_tanh_depth8_normal_init", vanish, "deep_saturating_tiny_init",
          "an 8-layer tanh MLP with N(0, 0.01) weights and SGD for 50 epochs",
          job("iris", {"arch": "mlp", "width": 32, "depth": 8, "activation": "tanh",
                       "init": "normal"},
              {"name": "sgd", "lr": 0.05}, epochs=50, batch_size=16)),
        s("seventh_stuck_mnist1d_sigmoid_depth7_normal_init", vanish,
          "deep_saturating_tiny_init",
          "a 7-layer sigmoid MLP with N(0, 0.01) weights and Adam",
          job("mnist1d", {"arch": "mlp", "width": 64, "depth": 7, "activation": "sigmoid",
                          "init": "normal"},
              {"name": "adam", "lr": 0.0003}, epochs=6)),
        s("seventh_stuck_wine_mse_sigmoid_mlp", sat, "mse_on_saturating_classifier",
          "MSE on one-hot targets through a 4-layer sigmoid MLP with SGD",
          job("wine", {"arch": "mlp", "width": 32, "depth": 4, "activation": "sigmoid"},
              {"name": "sgd", "lr": 0.05}, epochs=30, batch_size=16, loss="mse")),
        s("seventh_stuck_breast_cancer_mse_sigmoid_mlp", sat, "mse_on_saturating_classifier",
          "MSE on one-hot targets through a 5-layer sigmoid MLP",
          job("breast_cancer", {"arch": "mlp", "width": 64, "depth": 5,
                                "activation": "sigmoid"},
              {"name": "sgd", "lr": 0.05}, epochs=20, batch_size=32, loss="mse")),
        s("seventh_stuck_digits_mse_sigmoid_mlp", sat, "mse_on_saturating_classifier",
          "MSE on one-hot targets through a 4-layer sigmoid MLP on digits",
          job("digits", {"arch": "mlp", "width": 64, "depth": 4, "activation": "sigmoid"},
              {"name": "sgd", "lr": 0.02}, epochs=8, batch_size=64, loss="mse")),
        s("seventh_stuck_breast_cancer_relu_depth7_normal_init", crit,
          "deep_nonsaturating_tiny_init",
          "a 7-layer ReLU MLP with N(0, 0.01) weights and plain SGD",
          job("breast_cancer", {"arch": "mlp", "width": 64, "depth": 7, "init": "normal"},
              {"name": "sgd", "lr": 0.05}, epochs=20, batch_size=32)),
        s("seventh_stuck_mnist1d_gelu_depth6_normal_init", crit,
          "deep_nonsaturating_tiny_init",
          "a 6-layer GELU MLP with N(0, 0.01) weights and plain SGD",
          job("mnist1d", {"arch": "mlp", "width": 128, "depth": 6, "activation": "gelu",
                          "init": "normal"},
              {"name": "sgd", "lr": 0.05}, epochs=8)),
        s("seventh_stuck_sectors_relu_depth6_normal_init", crit,
          "deep_nonsaturating_tiny_init",
          "a 6-layer ReLU MLP with N(0, 0.01) weights and SGD with momentum",
          job(SECTORS, {"arch": "mlp", "width": 64, "depth": 6, "init": "normal"},
              {"name": "sgd", "lr": 0.02, "momentum": 0.5}, epochs=15, batch_size=64)),
    ]


def _oscillating() -> list[Spec]:
    def o(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, "lr_too_high_oscillation", "oscillating", None, why, spec)

    return [
        o("seventh_oscillate_breast_cancer_linear_sgd_lr_50",
          "logistic regression with SGD at lr 50 on batches of 8",
          job("breast_cancer", {"arch": "linear"}, {"name": "sgd", "lr": 50.0}, epochs=25,
              batch_size=8)),
        o("seventh_oscillate_digits_linear_sgd_lr_30",
          "softmax regression with SGD at lr 30 on batches of 16",
          job("digits", {"arch": "linear"}, {"name": "sgd", "lr": 30.0}, epochs=20,
              batch_size=16)),
        o("seventh_oscillate_wine_linear_adam_lr_3",
          "logistic regression with Adam at lr 3 for 40 epochs",
          job("wine", {"arch": "linear"}, {"name": "adam", "lr": 3.0}, epochs=40,
              batch_size=16)),
        o("seventh_oscillate_iris_linear_adagrad_lr_20",
          "softmax regression with Adagrad at lr 20 on batches of 8",
          job("iris", {"arch": "linear"}, {"name": "adagrad", "lr": 20.0}, epochs=40,
              batch_size=8)),
        o("seventh_oscillate_wine_tanh_mlp_rmsprop_lr_0.5",
          "a 2x32 tanh MLP with RMSprop at lr 0.5",
          job("wine", {"arch": "mlp", "width": 32, "activation": "tanh"},
              {"name": "rmsprop", "lr": 0.5}, epochs=40, batch_size=16)),
    ]


def _diverging() -> list[Spec]:
    def d(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "diverging", None, why, spec)

    return [
        d("seventh_diverge_beam_mlp_sgd_momentum_lr_3", "lr_too_high_divergence",
          "an MLP regressor with SGD at lr 3 and momentum 0.9",
          job(BEAM, {"arch": "mlp", "width": 64}, {"name": "sgd", "lr": 3.0, "momentum": 0.9},
              epochs=10, batch_size=32, loss="mse")),
        d("seventh_diverge_digits_mlp_sgd_lr_100", "lr_too_high_divergence",
          "a 2x128 MLP with SGD at lr 100",
          job("digits", {"arch": "mlp", "width": 128}, {"name": "sgd", "lr": 100.0}, epochs=6,
              batch_size=64)),
        d("seventh_diverge_wine_linear_mse_full_batch_lr_15", "lr_too_high_divergence",
          "a linear classifier on MSE fitted by full-batch gradient descent at lr 15",
          job("wine", {"arch": "linear"}, {"name": "sgd", "lr": 15.0}, epochs=40,
              batch_size=256, loss="mse")),
        d("seventh_diverge_mnist1d_mlp_warmup_to_lr_60", "warmup_to_unstable_lr",
          "SGD with a 4-epoch linear warm-up towards lr 60",
          job("mnist1d", {"arch": "mlp", "width": 128}, {"name": "sgd", "lr": 60.0},
              schedule={"name": "constant", "warmup_epochs": 4}, epochs=8)),
        d("seventh_diverge_beam_linear_full_batch_lr_3", "lr_too_high_divergence",
          "full-batch least squares on the beam at lr 3, above 2 over the largest curvature",
          job(BEAM, {"arch": "linear"}, {"name": "sgd", "lr": 3.0}, epochs=40,
              batch_size=2048, loss="mse")),
    ]


def _mismatch() -> list[Spec]:
    def m(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "mismatch", None, why, spec)

    return [
        m("seventh_mismatch_sectors_mlp_columns_reordered", "feature_shift",
          "the validation export writes the radar's columns in another order",
          job(npz("s7_sectors_columns_reordered.npz"), {"arch": "mlp", "width": 64},
              {"name": "adam", "lr": 0.003}, epochs=25, batch_size=64)),
        m("seventh_mismatch_beam_mlp_columns_reversed", "feature_shift",
          "the validation log lists the beam's readings in the opposite column order",
          job(npz("s7_beam_columns_reversed.npz", task="regression"),
              {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 0.003}, epochs=25,
              batch_size=32, loss="mse")),
        m("seventh_mismatch_digits_mlp_rotated_scans", "feature_shift",
          "the validation digits were scanned a quarter turn round",
          job(npz("s7_digits_rotated.npz"), {"arch": "mlp", "width": 128},
              {"name": "adam", "lr": 0.001}, epochs=15, batch_size=32)),
        m("seventh_mismatch_wine_linear_cultivars_renumbered", "label_map_shift",
          "the validation file numbers the three cultivars in another order",
          job(npz("s7_wine_cultivars_renumbered.npz"), {"arch": "linear"},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=30, batch_size=16)),
        m("seventh_mismatch_sectors_linear_columns_reordered", "feature_shift",
          "softmax regression validated on the export with the columns in another order",
          job(npz("s7_sectors_columns_reordered.npz"), {"arch": "linear"},
              {"name": "sgd", "lr": 0.1, "momentum": 0.9}, epochs=15, batch_size=32)),
    ]


SEVENTH: list[Spec] = [*_healthy(), *_underfitting(), *_overfitting(), *_stuck(),
                       *_oscillating(), *_diverging(), *_mismatch()]
