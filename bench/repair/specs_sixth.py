"""The sixth split: JobSpecs with one injected training fault each (or none), written apart.

Written from the status table of docs/ARCHITECTURE.md section 5, the JobSpec and the
catalogue (service/schemas.py, service/catalogue), the training engine (workers/training)
and the lecture's account of each fault (SEEDS.md, DESIGN.md), without the other splits'
specs and without fitdoc's diagnosis: each fault is what a practitioner sets up by mistake
(an lr far off its optimizer's range, a schedule that takes the lr away, a bottleneck, a
penalty too strong, tiny initial weights in a deep net, MSE on saturating units, a run
stopped early, a big model on a small noisy sample, a validation export that differs from
the training one), and each healthy spec is a sound recipe. Same Spec format as specs.py;
`cases("sixth")` expands every spec with seeds 0 and 1.

Datasets: the engine's mnist1d, digits, wine, iris, breast_cancer and synthetic_images, and
the npz files of datasets_sixth.py (rings, spectra, sensor, bars and their mismatched
exports), which write_all writes with the others.
"""

from __future__ import annotations

from typing import Any

from bench.repair.specs import Spec, job, npz

RINGS = npz("s6_rings.npz", val_fraction=0.2)
SPECTRA = npz("s6_spectra.npz", val_fraction=0.2)
BARS = npz("s6_bars.npz", val_fraction=0.2)


def sensor(**fields: Any) -> dict[str, Any]:
    return npz("s6_sensor.npz", task="regression", **{"val_fraction": 0.2, **fields})


def _healthy() -> list[Spec]:
    def h(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(f"sixth_healthy_{name}", "sound_recipe", "healthy", None, why, spec)

    return [
        h("mnist1d_cnn1d_bn_adam_cosine_big_val",
          "a batch-normed cnn1d with Adam 3e-3 and cosine decay for 20 epochs, validated on "
          "30% of MNIST-1D",
          job({"name": "mnist1d", "val_fraction": 0.3},
              {"arch": "cnn1d", "width": 32, "batchnorm": True}, {"name": "adam", "lr": 0.003},
              schedule={"name": "cosine"}, epochs=20)),
        h("mnist1d_cnn1d_bn_rmsprop_inverse",
          "a batch-normed cnn1d with RMSprop 1e-3 under an inverse-sqrt decay",
          job("mnist1d", {"arch": "cnn1d", "width": 48, "batchnorm": True},
              {"name": "rmsprop", "lr": 0.001}, schedule={"name": "inverse", "power": 0.5},
              epochs=20)),
        h("digits_mlp_adamw_linear_small_val",
          "a 2x128 MLP with AdamW and a linear decay for 12 epochs, validated on 8% of digits",
          job({"name": "digits", "val_fraction": 0.08}, {"arch": "mlp", "width": 128},
              {"name": "adamw", "lr": 0.002, "weight_decay": 0.01},
              schedule={"name": "linear"}, epochs=12, batch_size=32)),
        h("digits_gelu_mlp_adagrad",
          "a one-hidden-layer GELU MLP with Adagrad 0.02 and a little l2 on digits",
          job("digits", {"arch": "mlp", "width": 256, "depth": 1, "activation": "gelu"},
              {"name": "adagrad", "lr": 0.02}, regularization={"l2": 0.001}, epochs=12,
              batch_size=32)),
        h("wine_mlp_sgd_nesterov_long",
          "a one-hidden-layer MLP with Nesterov SGD, a little l2 and cosine decay for 40 "
          "epochs on wine",
          job("wine", {"arch": "mlp", "width": 32, "depth": 1},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True},
              schedule={"name": "cosine"}, regularization={"l2": 0.003}, epochs=40,
              batch_size=16)),
        h("iris_linear_adam_long",
          "multinomial logistic regression with Adam 0.01 for 60 epochs on iris",
          job("iris", {"arch": "linear"}, {"name": "adam", "lr": 0.01}, epochs=60,
              batch_size=16)),
        h("breast_cancer_mlp_rmsprop_short_big_val",
          "a 2x64 MLP with RMSprop 5e-4 and a little l2 for 8 epochs, validated on 40% of "
          "breast_cancer",
          job({"name": "breast_cancer", "val_fraction": 0.4}, {"arch": "mlp", "width": 64},
              {"name": "rmsprop", "lr": 0.0005}, regularization={"l2": 0.003}, epochs=8,
              batch_size=16)),
        h("images_cnn_adam_onecycle",
          "a 3-block batch-normed CNN with Adam under a one-cycle schedule for 12 epochs, "
          "2000 images",
          job({"name": "synthetic_images", "n_train": 2000}, {"arch": "cnn", "width": 16,
                                                              "depth": 3},
              {"name": "adam", "lr": 0.003}, schedule={"name": "onecycle"}, epochs=12,
              batch_size=64)),
        h("rings_mlp_adam_cosine_long",
          "a 2x64 MLP with Adam and cosine decay for 40 epochs on the rings",
          job(RINGS, {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 0.003},
              schedule={"name": "cosine"}, epochs=40, batch_size=64)),
        h("spectra_cnn1d_sgd_step",
          "a cnn1d with SGD and momentum, the lr cut 10x after 10 of 15 epochs, on the "
          "spectra",
          job(SPECTRA, {"arch": "cnn1d", "width": 32, "batchnorm": True},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9},
              schedule={"name": "step", "step_size": 10, "gamma": 0.1}, epochs=15,
              batch_size=64)),
        h("sensor_mlp_adam_plateau_long",
          "a 2x128 MLP regressor with Adam and a reduce-on-plateau schedule for 50 epochs",
          job(sensor(), {"arch": "mlp", "width": 128}, {"name": "adam", "lr": 0.002},
              schedule={"name": "plateau", "patience": 3}, epochs=50, batch_size=64,
              loss="mse")),
        h("bars_cnn_adam_small_val",
          "a 2-block batch-normed CNN with Adam for 8 epochs on the bars, validated on 10%",
          job(npz("s6_bars.npz", val_fraction=0.1), {"arch": "cnn", "width": 16, "depth": 2},
              {"name": "adam", "lr": 0.003}, epochs=8, batch_size=64)),
        h("breast_cancer_linear_sgd_inverse",
          "l2-regularised logistic regression with SGD and momentum under an inverse decay, "
          "validated on 5%",
          job({"name": "breast_cancer", "val_fraction": 0.05}, {"arch": "linear"},
              {"name": "sgd", "lr": 0.02, "momentum": 0.9},
              schedule={"name": "inverse", "power": 0.5}, regularization={"l2": 0.003},
              epochs=15, batch_size=32)),
    ]


def _underfitting() -> list[Spec]:
    def u(name: str, cause: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(f"sixth_underfit_{name}", kind, "underfitting", cause, why, spec)

    bias, opt, short = "model_bias", "optimization_issue", "undertrained"
    return [
        u("rings_mlp_two_tanh_units", bias, "model_too_small",
          "an MLP with one hidden layer of 2 tanh units on the rings: two straight cuts "
          "cannot enclose concentric rings",
          job(RINGS, {"arch": "mlp", "widths": [2], "activation": "tanh"},
              {"name": "adam", "lr": 0.01}, epochs=30, batch_size=64)),
        u("mnist1d_mlp_three_unit_bottleneck", bias, "model_too_small",
          "an MLP whose only hidden layer has 3 units: ten classes through three numbers",
          job("mnist1d", {"arch": "mlp", "widths": [3]}, {"name": "adam", "lr": 0.005},
              epochs=30)),
        u("sensor_linear", bias, "model_too_small",
          "a linear regressor on a target with a product, a sine and a square of the inputs",
          job(sensor(), {"arch": "linear"}, {"name": "adam", "lr": 0.01}, epochs=30,
              batch_size=64, loss="mse")),
        u("iris_mlp_l2_too_strong", bias, "regularization_too_strong",
          "an MLP with l2 0.3 (300x the usual): the penalty keeps the weights too small to "
          "fit iris",
          job("iris", {"arch": "mlp", "width": 32, "depth": 1}, {"name": "adam", "lr": 0.01},
              regularization={"l2": 0.3}, epochs=40, batch_size=16)),
        u("digits_mlp_dropout_0.9", bias, "regularization_too_strong",
          "a 2x32 MLP that drops 90% of its hidden units at every step",
          job("digits", {"arch": "mlp", "width": 32, "dropout": 0.9},
              {"name": "adam", "lr": 0.003}, epochs=30, batch_size=64)),
        u("sensor_mlp_step_drop_100x", opt, "lr_schedule_collapse",
          "an MLP regressor whose lr a step schedule divides by 100 every 2 epochs of 30",
          job(sensor(), {"arch": "mlp", "width": 64},
              {"name": "sgd", "lr": 0.01, "momentum": 0.9},
              schedule={"name": "step", "step_size": 2, "gamma": 0.01}, epochs=30,
              batch_size=64, loss="mse")),
        u("mnist1d_cnn1d_step_drop_1000x", opt, "lr_schedule_collapse",
          "a step schedule dividing Adam's lr by 1000 after the first 2 of 25 epochs",
          job("mnist1d", {"arch": "cnn1d", "width": 32}, {"name": "adam", "lr": 0.002},
              schedule={"name": "step", "step_size": 2, "gamma": 0.001}, epochs=25)),
        u("wine_mlp_inverse_power_2", opt, "lr_schedule_collapse",
          "plain SGD under an inverse schedule of power 2: the lr is 1/4 after one epoch and "
          "1/100 after nine, long before wine is fitted",
          job("wine", {"arch": "mlp", "width": 32, "depth": 1}, {"name": "sgd", "lr": 0.1},
              schedule={"name": "inverse", "power": 2.0}, epochs=40, batch_size=16)),
        u("images_cnn_3_epochs", short, "too_few_epochs",
          "a CNN with SGD and momentum stopped after 3 epochs, the loss still falling",
          job({"name": "synthetic_images", "n_train": 1500}, {"arch": "cnn", "width": 8,
                                                              "depth": 3},
              {"name": "sgd", "lr": 0.01, "momentum": 0.9}, epochs=3, batch_size=64)),
        u("bars_cnn_adam_4_epochs", short, "too_few_epochs",
          "a CNN without batch norm, Adam 1e-3, stopped after 4 epochs",
          job(BARS, {"arch": "cnn", "width": 8, "depth": 2, "batchnorm": False},
              {"name": "adam", "lr": 0.001}, epochs=4, batch_size=64)),
        u("breast_cancer_mlp_sgd_5_epochs", short, "too_few_epochs",
          "an MLP with plain SGD at lr 0.02 stopped after 5 epochs",
          job("breast_cancer", {"arch": "mlp", "width": 32}, {"name": "sgd", "lr": 0.02},
              epochs=5, batch_size=32)),
    ]


def _overfitting() -> list[Spec]:
    def o(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(f"sixth_overfit_{name}", "small_train_set_big_model", "overfitting", None,
                    why, spec)

    return [
        o("rings_noisy_labels_mlp",
          "a 3x256 MLP for 80 epochs on 400 rings points, a fifth of them mislabelled",
          job(npz("s6_rings_noisy.npz", val_fraction=0.3), {"arch": "mlp", "width": 256,
                                                            "depth": 3},
              {"name": "adam", "lr": 0.001}, epochs=80, batch_size=32)),
        o("digits_mlp_80_samples",
          "a 3x1024 MLP on 80 digits for 80 epochs",
          job({"name": "digits", "n_train": 80}, {"arch": "mlp", "width": 1024, "depth": 3},
              {"name": "adam", "lr": 0.003}, epochs=80, batch_size=16)),
        o("mnist1d_cnn1d_250_samples_small_val",
          "a 128-channel cnn1d on 250 MNIST-1D samples for 40 epochs, validated on 8%",
          job({"name": "mnist1d", "n_train": 250, "val_fraction": 0.08},
              {"arch": "cnn1d", "width": 128}, {"name": "adam", "lr": 0.003}, epochs=40,
              batch_size=16)),
        o("sensor_pilot_mlp",
          "a 4x512 MLP regressor for 150 epochs on a 160-reading pilot study with noisy "
          "targets",
          job(npz("s6_sensor_small_noisy.npz", task="regression", val_fraction=0.25),
              {"arch": "mlp", "width": 512, "depth": 4}, {"name": "adam", "lr": 0.001},
              epochs=150, batch_size=8, loss="mse")),
        o("breast_cancer_mlp_50_samples_sgd",
          "a 3x256 MLP with SGD and momentum for 100 epochs on 50 breast_cancer samples",
          job({"name": "breast_cancer", "n_train": 50, "val_fraction": 0.3},
              {"arch": "mlp", "width": 256, "depth": 3},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=100, batch_size=8)),
    ]


def _stuck() -> list[Spec]:
    def s(name: str, cause: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(f"sixth_stuck_{name}", kind, "stuck", cause, why, spec)

    return [
        s("spectra_cnn1d_sgd_lr_1e-6", "lr_too_low", "lr_too_low",
          "SGD at lr 1e-6 on a cnn1d, 10^4 below its usual range",
          job(SPECTRA, {"arch": "cnn1d", "width": 32}, {"name": "sgd", "lr": 1e-6}, epochs=6,
              batch_size=64)),
        s("iris_mlp_rmsprop_lr_1e-7_long", "lr_too_low", "lr_too_low",
          "RMSprop at lr 1e-7 for 40 epochs on iris",
          job("iris", {"arch": "mlp", "width": 32}, {"name": "rmsprop", "lr": 1e-7},
              epochs=40, batch_size=16)),
        s("rings_mlp_sgd_momentum_lr_1", "lr_too_high", "lr_too_high_dead_units",
          "SGD at lr 1 with momentum 0.9 on a 3x128 ReLU MLP: the first steps kill the units "
          "and the loss sits at chance",
          job(RINGS, {"arch": "mlp", "width": 128, "depth": 3},
              {"name": "sgd", "lr": 1.0, "momentum": 0.9}, epochs=15, batch_size=64)),
        s("mnist1d_cnn1d_adam_lr_0.5", "lr_too_high", "lr_too_high_dead_units",
          "Adam at lr 0.5 on a ReLU cnn1d: dead units, loss at chance",
          job("mnist1d", {"arch": "cnn1d", "width": 32}, {"name": "adam", "lr": 0.5},
              epochs=8)),
        s("digits_sigmoid_depth10_normal_init", "vanishing_gradient",
          "deep_saturating_tiny_init",
          "a 10-layer sigmoid MLP with N(0, 0.01) weights: signal and gradient fade layer by "
          "layer",
          job("digits", {"arch": "mlp", "width": 64, "depth": 10, "activation": "sigmoid",
                         "init": "normal"},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=10, batch_size=64)),
        s("wine_tanh_depth8_normal_init", "vanishing_gradient", "deep_saturating_tiny_init",
          "an 8-layer tanh MLP with N(0, 0.01) weights and SGD for 40 epochs",
          job("wine", {"arch": "mlp", "width": 32, "depth": 8, "activation": "tanh",
                       "init": "normal"},
              {"name": "sgd", "lr": 0.05}, epochs=40, batch_size=16)),
        s("bars_sigmoid_cnn_mse", "saturated_loss", "mse_on_saturating_classifier",
          "MSE on one-hot targets with a sigmoid CNN without batch norm",
          job(BARS, {"arch": "cnn", "width": 8, "depth": 2, "activation": "sigmoid",
                     "batchnorm": False},
              {"name": "sgd", "lr": 0.05}, epochs=6, batch_size=64, loss="mse")),
        s("wine_sigmoid_mlp_mse", "saturated_loss", "mse_on_saturating_classifier",
          "MSE on one-hot targets with a 4-layer sigmoid MLP and plain SGD for 40 epochs",
          job("wine", {"arch": "mlp", "width": 64, "depth": 4, "activation": "sigmoid"},
              {"name": "sgd", "lr": 0.05}, epochs=40, batch_size=16, loss="mse")),
        s("iris_relu_depth6_normal_init", "critical_point", "deep_nonsaturating_tiny_init",
          "a 6-layer ReLU MLP with N(0, 0.01) weights and plain SGD: every layer's output "
          "starts at ~0, a saddle",
          job("iris", {"arch": "mlp", "width": 64, "depth": 6, "init": "normal"},
              {"name": "sgd", "lr": 0.05}, epochs=40, batch_size=16)),
        s("rings_gelu_depth5_normal_init", "critical_point", "deep_nonsaturating_tiny_init",
          "a 5-layer GELU MLP with N(0, 0.01) weights and plain SGD",
          job(RINGS, {"arch": "mlp", "width": 64, "depth": 5, "activation": "gelu",
                      "init": "normal"},
              {"name": "sgd", "lr": 0.05}, epochs=15, batch_size=64)),
    ]


def _oscillating() -> list[Spec]:
    def o(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(f"sixth_oscillate_{name}", "lr_too_high_oscillation", "oscillating", None,
                    why, spec)

    return [
        o("wine_tanh_mlp_adam_lr_0.5",
          "a tanh MLP with Adam at lr 0.5 on batches of 8: every step overshoots",
          job("wine", {"arch": "mlp", "width": 32, "activation": "tanh"},
              {"name": "adam", "lr": 0.5}, epochs=30, batch_size=8)),
        o("breast_cancer_linear_sgd_lr_50",
          "logistic regression with SGD at lr 50 on batches of 8",
          job("breast_cancer", {"arch": "linear"}, {"name": "sgd", "lr": 50.0}, epochs=30,
              batch_size=8)),
        o("digits_linear_adam_lr_1",
          "logistic regression with Adam at lr 1 on digits",
          job("digits", {"arch": "linear"}, {"name": "adam", "lr": 1.0}, epochs=25,
              batch_size=32)),
        o("iris_tanh_mlp_adam_lr_1",
          "a tanh MLP with Adam at lr 1 (1000x its usual lr)",
          job("iris", {"arch": "mlp", "width": 32, "activation": "tanh"},
              {"name": "adam", "lr": 1.0}, epochs=40, batch_size=8)),
        o("rings_mlp_rmsprop_lr_0.1",
          "a 2x64 MLP with RMSprop at lr 0.1 (100x its usual lr)",
          job(RINGS, {"arch": "mlp", "width": 64}, {"name": "rmsprop", "lr": 0.1},
              epochs=30, batch_size=32)),
    ]


def _diverging() -> list[Spec]:
    def d(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(f"sixth_diverge_{name}", kind, "diverging", None, why, spec)

    return [
        d("sensor_linear_sgd_full_batch_lr_3", "lr_too_high_divergence",
          "full-batch gradient descent on least squares at lr 3, beyond 2 over the largest "
          "curvature: the error grows geometrically",
          job(sensor(), {"arch": "linear"}, {"name": "sgd", "lr": 3.0}, epochs=40,
              batch_size=2048, loss="mse")),
        d("mnist1d_cnn1d_sgd_momentum_lr_20", "lr_too_high_divergence",
          "SGD at lr 20 with momentum 0.9 on a cnn1d: the loss is NaN within an epoch",
          job("mnist1d", {"arch": "cnn1d", "width": 32},
              {"name": "sgd", "lr": 20.0, "momentum": 0.9}, epochs=6)),
        d("digits_mlp_mse_sgd_momentum_lr_30", "lr_too_high_divergence",
          "an MLP on MSE with SGD at lr 30 and momentum 0.9: the quadratic loss blows up",
          job("digits", {"arch": "mlp", "width": 64},
              {"name": "sgd", "lr": 30.0, "momentum": 0.9}, epochs=10, batch_size=64,
              loss="mse")),
        d("wine_mlp_mse_sgd_momentum_lr_5", "lr_too_high_divergence",
          "an MLP on MSE with SGD at lr 5 and momentum 0.9 on wine",
          job("wine", {"arch": "mlp", "width": 64},
              {"name": "sgd", "lr": 5.0, "momentum": 0.9}, epochs=20, batch_size=16,
              loss="mse")),
        d("spectra_mlp_warmup_to_lr_40", "warmup_to_unstable_lr",
          "a linear warm-up over 5 epochs towards SGD lr 40: the loss turns NaN once the lr "
          "passes what the net stands",
          job(SPECTRA, {"arch": "mlp", "width": 64}, {"name": "sgd", "lr": 40.0},
              schedule={"name": "constant", "warmup_epochs": 5}, epochs=8, batch_size=64)),
        d("sensor_mlp_sgd_momentum_lr_2", "lr_too_high_divergence",
          "an MLP regressor with SGD at lr 2 and momentum 0.9 (effective lr 20)",
          job(sensor(val_fraction=0.1), {"arch": "mlp", "width": 64},
              {"name": "sgd", "lr": 2.0, "momentum": 0.9}, epochs=10, batch_size=16,
              loss="mse")),
    ]


def _mismatch() -> list[Spec]:
    def m(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(f"sixth_mismatch_{name}", kind, "mismatch", None, why, spec)

    return [
        m("rings_relabelled", "label_map_shift",
          "the validation export numbers the rings from the outside in",
          job(npz("s6_rings_relabelled.npz"), {"arch": "mlp", "width": 64},
              {"name": "adam", "lr": 0.003}, epochs=30, batch_size=64)),
        m("spectra_recalibrated", "feature_shift",
          "the validation spectrometer's wavelength axis is offset by 9 bins",
          job(npz("s6_spectra_recalibrated.npz"), {"arch": "mlp", "width": 128},
              {"name": "adam", "lr": 0.002}, epochs=15, batch_size=64)),
        m("sensor_misjoined", "label_misalignment",
          "the validation targets were joined to the readings one row off",
          job(npz("s6_sensor_misjoined.npz", task="regression"), {"arch": "mlp", "width": 128},
              {"name": "adam", "lr": 0.002}, epochs=30, batch_size=64, loss="mse")),
        m("bars_rotated", "feature_shift",
          "the validation camera is mounted a quarter turn round",
          job(npz("s6_bars_rotated.npz"), {"arch": "cnn", "width": 16, "depth": 2},
              {"name": "adam", "lr": 0.003}, epochs=8, batch_size=64)),
        m("digits_inverted_ink", "feature_shift",
          "the validation scans store ink and paper the other way round",
          job(npz("s6_digits_inverted.npz"), {"arch": "mlp", "width": 128},
              {"name": "adam", "lr": 0.001}, epochs=15, batch_size=64)),
    ]


SIXTH: list[Spec] = [*_healthy(), *_underfitting(), *_overfitting(), *_stuck(),
                     *_oscillating(), *_diverging(), *_mismatch()]
