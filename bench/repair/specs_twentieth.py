"""The twentieth split: JobSpecs with one injected training fault each (or none), written
apart from the other splits.

Written from docs/ARCHITECTURE.md sections 4 (the JobSpec) and 5 (the table of statuses and
causes), the catalogue (service/catalogue), the training engine (workers/training), the
format of specs.py and datasets.py, and the yardsticks of curves.py; without reading
fitdoc's advisor, any benchmark result or the other splits' specs and datasets. Each fault
is written from what it does to a run's curves, and every spec was checked only by
curves.py through validate.py (`--split twentieth`).

Datasets: the built-ins (mnist1d, digits, wine, breast_cancer, iris, synthetic_images) and
the `s20_` npz files of datasets_twentieth.py (a pulse-counting sequence task, a beam
deflection regression, a triangle classification, and five train/validation mismatches).
"""

from __future__ import annotations

from typing import Any

from bench.repair.specs import Spec, job, npz

PULSES = npz("s20_pulses.npz", val_fraction=0.2)
TRIANGLES = npz("s20_triangles.npz", val_fraction=0.2)


def beam(**fields: Any) -> dict[str, Any]:
    """The s20 regression (targets already standardised)."""
    return npz("s20_beam.npz", task="regression", **{"val_fraction": 0.2, **fields})


def images(n_train: int) -> dict[str, Any]:
    return {"name": "synthetic_images", "n_train": n_train}


def _healthy() -> list[Spec]:
    h = "healthy"
    return [
        Spec("f20_healthy_mnist1d_cnn1d_adamw_cosine", "sound_recipe", h, None,
             "the MNIST-1D CNN with AdamW, a two-epoch warm-up and a cosine decay: converges, "
             "and validation follows training",
             job("mnist1d", {"arch": "cnn1d", "width": 48, "depth": 3},
                 {"name": "adamw", "lr": 5e-3, "weight_decay": 0.01}, epochs=30,
                 batch_size=64, schedule={"name": "cosine", "warmup_epochs": 2})),
        Spec("f20_healthy_mnist1d_cnn1d_sgd_onecycle", "sound_recipe", h, None,
             "the CNN with Nesterov SGD under a one-cycle schedule",
             job("mnist1d", {"arch": "cnn1d", "width": 48, "depth": 3},
                 {"name": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": True}, epochs=30,
                 batch_size=64, schedule={"name": "onecycle"})),
        Spec("f20_healthy_digits_mlp_sgd_momentum", "sound_recipe", h, None,
             "one hidden layer, SGD with momentum at a usual lr and a little l2",
             job("digits", {"arch": "mlp", "widths": [128]},
                 {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=30, batch_size=32,
                 regularization={"l2": 1e-3})),
        Spec("f20_healthy_digits_linear_adam_l2", "sound_recipe", h, None,
             "a linear classifier with a little l2, Adam",
             job("digits", {"arch": "linear"}, {"name": "adam", "lr": 3e-3}, epochs=40,
                 batch_size=64, regularization={"l2": 1e-3})),
        Spec("f20_healthy_wine_mlp_adamw_small_val", "sound_recipe", h, None,
             "wine with a tenth held out (18 samples), a small MLP with AdamW",
             job({"name": "wine", "val_fraction": 0.1}, {"arch": "mlp", "widths": [32]},
                 {"name": "adamw", "lr": 3e-3, "weight_decay": 0.01}, epochs=60,
                 batch_size=16)),
        Spec("f20_healthy_iris_mlp_rmsprop_small_val", "sound_recipe", h, None,
             "iris with a tenth held out (15 samples), two small layers, RMSprop",
             job({"name": "iris", "val_fraction": 0.1}, {"arch": "mlp", "widths": [16, 16]},
                 {"name": "rmsprop", "lr": 1e-3}, epochs=80, batch_size=16,
                 schedule={"name": "linear"})),
        Spec("f20_healthy_breast_cancer_linear_lbfgs", "sound_recipe", h, None,
             "logistic regression by full-batch L-BFGS with a little l2",
             job("breast_cancer", {"arch": "linear"}, {"name": "lbfgs", "lr": 1.0},
                 epochs=10, batch_size=1024, regularization={"l2": 1e-2})),
        Spec("f20_healthy_images_cnn_adam_cosine", "sound_recipe", h, None,
             "a three-block CNN with BatchNorm on the procedural shapes, Adam with a cosine "
             "decay",
             job(images(2000), {"arch": "cnn", "width": 16, "depth": 3},
                 {"name": "adam", "lr": 4e-3}, epochs=12, batch_size=64,
                 schedule={"name": "cosine"})),
        Spec("f20_healthy_beam_mlp_adam_cosine", "sound_recipe", h, None,
             "the beam regression with a two-layer MLP, Adam and a cosine decay",
             job(beam(), {"arch": "mlp", "widths": [128, 128]}, {"name": "adam", "lr": 2e-3},
                 epochs=60, batch_size=64, loss="mse", schedule={"name": "cosine"})),
        Spec("f20_healthy_pulses_cnn1d_adam", "sound_recipe", h, None,
             "counting pulses with the CNN, Adam",
             job(PULSES, {"arch": "cnn1d", "width": 32, "depth": 3},
                 {"name": "adam", "lr": 2e-3}, epochs=30, batch_size=64)),
        Spec("f20_healthy_beam_mlp_selu_sgd_plateau", "sound_recipe", h, None,
             "the beam regression with a SELU MLP, SGD with momentum and an lr cut on "
             "plateaus",
             job(beam(), {"arch": "mlp", "widths": [64, 64], "activation": "selu",
                          "init": "kaiming"},
                 {"name": "sgd", "lr": 0.01, "momentum": 0.9}, epochs=60, batch_size=64,
                 loss="mse", schedule={"name": "plateau", "patience": 3, "factor": 0.3})),
        Spec("f20_healthy_wine_linear_adagrad", "sound_recipe", h, None,
             "a linear classifier on wine with Adagrad at its usual lr x10",
             job("wine", {"arch": "linear"}, {"name": "adagrad", "lr": 0.1}, epochs=40,
                 batch_size=16)),
        Spec("f20_healthy_breast_cancer_mlp_sgd_step", "sound_recipe", h, None,
             "one hidden layer, SGD with momentum and a step decay",
             job({"name": "breast_cancer", "val_fraction": 0.3}, {"arch": "mlp", "widths": [64]},
                 {"name": "sgd", "lr": 0.01, "momentum": 0.9}, epochs=30, batch_size=32,
                 schedule={"name": "step", "step_size": 10, "gamma": 0.3})),
    ]


def _underfitting() -> list[Spec]:
    u = "underfitting"
    return [
        # model_bias: the model cannot express the task; the loss plateaus high
        Spec("f20_underfit_model_bias_beam_linear", "model_too_simple", u, "model_bias",
             "a straight-line fit of a cubic-over-cubic deflection: the loss settles at the "
             "fifth of the variance a linear map cannot explain",
             job(beam(), {"arch": "linear"}, {"name": "adam", "lr": 1e-2}, epochs=60,
                 batch_size=64, loss="mse")),
        Spec("f20_underfit_model_bias_mnist1d_mlp_3_units", "model_too_small", u,
             "model_bias",
             "a bottleneck of three hidden units for ten classes of sequences",
             job("mnist1d", {"arch": "mlp", "widths": [3]}, {"name": "adam", "lr": 3e-3},
                 epochs=40, batch_size=64)),
        Spec("f20_underfit_model_bias_digits_mlp_heavy_l2", "over_regularized", u,
             "model_bias",
             "an l2 penalty so strong that the weights cannot grow to fit the digits",
             job("digits", {"arch": "mlp", "widths": [64]},
                 {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=40, batch_size=32,
                 regularization={"l2": 0.3})),
        Spec("f20_underfit_model_bias_triangles_mlp_3_units", "model_too_small", u,
             "model_bias",
             "three ReLU units cannot carve out orientation and obtuseness of a triangle",
             job(TRIANGLES, {"arch": "mlp", "widths": [3]}, {"name": "adam", "lr": 3e-3},
                 epochs=50, batch_size=64)),
        # optimization_issue: the optimizer stops making progress long before the model could
        Spec("f20_underfit_optimization_mnist1d_cnn1d_exponential_decay", "lr_decays_too_fast",
             u, "optimization_issue",
             "an exponential decay of 0.3 per epoch: the lr is gone after a few epochs and "
             "the loss freezes high",
             job("mnist1d", {"arch": "cnn1d", "width": 32, "depth": 3},
                 {"name": "sgd", "lr": 0.1, "momentum": 0.9}, epochs=20, batch_size=64,
                 schedule={"name": "exponential", "gamma": 0.3})),
        Spec("f20_underfit_optimization_digits_adam_lr_cut_every_epoch", "lr_cut_too_early",
             u, "optimization_issue",
             "a step schedule that divides Adam's lr by five after every epoch: after three "
             "epochs it no longer moves the weights",
             job("digits", {"arch": "mlp", "widths": [64]}, {"name": "adam", "lr": 1e-3},
                 epochs=25, batch_size=64,
                 schedule={"name": "step", "step_size": 1, "gamma": 0.2})),
        Spec("f20_underfit_optimization_wine_step_decay_at_2", "lr_cut_too_early", u,
             "optimization_issue",
             "a step schedule cutting the lr a hundredfold every 2 epochs",
             job("wine", {"arch": "mlp", "widths": [32]}, {"name": "sgd", "lr": 0.02},
                 epochs=30, batch_size=16,
                 schedule={"name": "step", "step_size": 2, "gamma": 0.01})),
        Spec("f20_underfit_optimization_pulses_inverse_square", "lr_decays_too_fast", u,
             "optimization_issue",
             "an inverse schedule of power 2: the lr falls as 1/(1+t)^2 and stalls training",
             job(PULSES, {"arch": "cnn1d", "width": 32, "depth": 3},
                 {"name": "sgd", "lr": 0.02, "momentum": 0.9}, epochs=30, batch_size=64,
                 schedule={"name": "inverse", "power": 2.0})),
        # undertrained: stopped while the loss still falls
        Spec("f20_underfit_undertrained_mnist1d_cnn1d_3_epochs", "too_few_epochs", u,
             "undertrained",
             "three epochs of plain SGD on the CNN",
             job("mnist1d", {"arch": "cnn1d", "width": 32, "depth": 3},
                 {"name": "sgd", "lr": 0.01, "momentum": 0.9}, epochs=3, batch_size=64)),
        Spec("f20_underfit_undertrained_beam_mlp_4_epochs", "too_few_epochs", u,
             "undertrained",
             "four epochs of slow SGD on the beam regression",
             job(beam(), {"arch": "mlp", "widths": [64, 64]}, {"name": "sgd", "lr": 0.005},
                 epochs=4, batch_size=64, loss="mse")),
        Spec("f20_underfit_undertrained_images_cnn_3_epochs", "too_few_epochs", u,
             "undertrained",
             "three epochs of SGD on the shapes",
             job(images(1500), {"arch": "cnn", "width": 8, "depth": 3},
                 {"name": "sgd", "lr": 0.01, "momentum": 0.9}, epochs=3, batch_size=64)),
        Spec("f20_underfit_undertrained_iris_linear_5_epochs", "too_few_epochs", u,
             "undertrained",
             "five epochs of plain SGD on iris",
             job("iris", {"arch": "linear"}, {"name": "sgd", "lr": 0.02}, epochs=5,
                 batch_size=16)),
    ]


def _overfitting() -> list[Spec]:
    o = "overfitting"
    return [
        Spec("f20_overfit_mnist1d_mlp_400_samples", "small_train_set_big_model", o, None,
             "two 512-unit layers on 400 sequences, trained long",
             job({"name": "mnist1d", "n_train": 400}, {"arch": "mlp", "widths": [512, 512]},
                 {"name": "adam", "lr": 1e-3}, epochs=60, batch_size=32)),
        Spec("f20_overfit_triangles_mlp_200_samples", "small_train_set_big_model", o, None,
             "three 256-unit layers on 200 triangles",
             job(npz("s20_triangles.npz", val_fraction=0.2, n_train=200),
                 {"arch": "mlp", "widths": [256, 256, 256]}, {"name": "adam", "lr": 2e-3},
                 epochs=150, batch_size=32)),
        Spec("f20_overfit_pulses_mlp_200_samples", "small_train_set_big_model", o, None,
             "two 512-unit layers on 200 recordings: an MLP memorises where the bumps were "
             "instead of counting them",
             job(npz("s20_pulses.npz", val_fraction=0.2, n_train=200),
                 {"arch": "mlp", "widths": [512, 512]}, {"name": "adam", "lr": 1e-3},
                 epochs=60, batch_size=32)),
        Spec("f20_overfit_breast_cancer_mlp_30_samples", "small_train_set_big_model", o,
             None,
             "two 256-unit layers on 30 tumours for 200 epochs: the training loss goes to "
             "zero while the few validation cases it gets wrong grow ever more confident",
             job({"name": "breast_cancer", "n_train": 30}, {"arch": "mlp", "widths": [256, 256]},
                 {"name": "adam", "lr": 3e-4}, epochs=200, batch_size=8)),
        Spec("f20_overfit_mnist1d_cnn1d_300_samples", "small_train_set_big_model", o, None,
             "a wide CNN on 300 sequences",
             job({"name": "mnist1d", "n_train": 300}, {"arch": "cnn1d", "width": 64, "depth": 3},
                 {"name": "adam", "lr": 3e-3}, epochs=60, batch_size=32)),
    ]


def _stuck() -> list[Spec]:
    s = "stuck"
    return [
        # lr_too_low
        Spec("f20_stuck_lr_low_digits_mlp_sgd_1e-5", "lr_far_too_low", s, "lr_too_low",
             "SGD at 1e-5, three thousand times below its usual lr",
             job("digits", {"arch": "mlp", "widths": [128]}, {"name": "sgd", "lr": 1e-5},
                 epochs=15, batch_size=32)),
        Spec("f20_stuck_lr_low_pulses_cnn1d_adam_1e-7", "lr_far_too_low", s, "lr_too_low",
             "Adam at 1e-7",
             job(PULSES, {"arch": "cnn1d", "width": 32, "depth": 3},
                 {"name": "adam", "lr": 1e-7}, epochs=10, batch_size=64)),
        Spec("f20_stuck_lr_low_beam_mlp_rmsprop_1e-7", "lr_far_too_low", s, "lr_too_low",
             "RMSprop at 1e-7 on the regression",
             job(beam(), {"arch": "mlp", "widths": [64, 64]}, {"name": "rmsprop", "lr": 1e-7},
                 epochs=12, batch_size=64, loss="mse")),
        # lr_too_high
        Spec("f20_stuck_lr_high_mnist1d_mlp_adam_2", "lr_far_too_high", s, "lr_too_high",
             "Adam at lr 2, 2000x its usual: the first steps kill every ReLU and the net "
             "predicts the class prior",
             job("mnist1d", {"arch": "mlp", "widths": [128, 128]}, {"name": "adam", "lr": 2.0},
                 epochs=15, batch_size=64)),
        Spec("f20_stuck_lr_high_triangles_mlp_adam_3", "lr_far_too_high", s, "lr_too_high",
             "Adam at lr 3 on the triangles",
             job(TRIANGLES, {"arch": "mlp", "widths": [64, 64]}, {"name": "adam", "lr": 3.0},
                 epochs=20, batch_size=128)),
        Spec("f20_stuck_lr_high_pulses_cnn1d_adam_2", "lr_far_too_high", s, "lr_too_high",
             "Adam at lr 2 on the counting CNN: the first steps throw every ReLU out of its "
             "range and nothing is left to learn with",
             job(PULSES, {"arch": "cnn1d", "width": 32, "depth": 3},
                 {"name": "adam", "lr": 2.0}, epochs=25, batch_size=128)),
        # vanishing_gradient
        Spec("f20_stuck_vanishing_digits_sigmoid_10_layers", "deep_sigmoid_small_init", s,
             "vanishing_gradient",
             "ten sigmoid layers from N(0, 0.01^2) weights",
             job("digits", {"arch": "mlp", "width": 64, "depth": 10, "activation": "sigmoid",
                            "init": "normal"},
                 {"name": "sgd", "lr": 0.03, "momentum": 0.9}, epochs=20, batch_size=32)),
        Spec("f20_stuck_vanishing_mnist1d_cnn1d_sigmoid_normal", "deep_sigmoid_small_init", s,
             "vanishing_gradient",
             "a four-layer sigmoid CNN from tiny weights",
             job("mnist1d", {"arch": "cnn1d", "width": 32, "depth": 4, "activation": "sigmoid",
                             "init": "normal"},
                 {"name": "sgd", "lr": 0.05}, epochs=15, batch_size=64)),
        Spec("f20_stuck_vanishing_breast_cancer_tanh_12_layers", "deep_tanh_small_init", s,
             "vanishing_gradient",
             "twelve tanh layers from tiny weights: each layer shrinks the signal and its "
             "gradient twentyfold, and SGD never sees the first layers move",
             job("breast_cancer", {"arch": "mlp", "width": 32, "depth": 12,
                                   "activation": "tanh", "init": "normal"},
                 {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=30, batch_size=32)),
        # saturated_loss
        Spec("f20_stuck_saturated_digits_mse_sigmoid", "mse_on_saturating_units", s,
             "saturated_loss",
             "MSE on one-hot digits through three sigmoid layers, plain SGD",
             job("digits", {"arch": "mlp", "widths": [128, 128, 128], "activation": "sigmoid"},
                 {"name": "sgd", "lr": 0.01}, epochs=20, batch_size=32, loss="mse")),
        Spec("f20_stuck_saturated_pulses_mse_sigmoid", "mse_on_saturating_units", s,
             "saturated_loss",
             "MSE on the pulse counts through a sigmoid CNN",
             job(PULSES, {"arch": "cnn1d", "width": 32, "depth": 3, "activation": "sigmoid"},
                 {"name": "sgd", "lr": 0.01}, epochs=15, batch_size=64, loss="mse")),
        Spec("f20_stuck_saturated_iris_mse_sigmoid", "mse_on_saturating_units", s,
             "saturated_loss",
             "MSE through three sigmoid layers on iris",
             job("iris", {"arch": "mlp", "widths": [32, 32, 32], "activation": "sigmoid"},
                 {"name": "sgd", "lr": 0.01}, epochs=40, batch_size=16, loss="mse")),
        # critical_point
        Spec("f20_stuck_critical_mnist1d_relu_6_layers_normal", "relu_small_init", s,
             "critical_point",
             "six ReLU layers from N(0, 0.01^2): the net starts at its all-zero saddle and "
             "plain SGD does not leave it",
             job("mnist1d", {"arch": "mlp", "width": 128, "depth": 6, "init": "normal"},
                 {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=20, batch_size=64)),
        Spec("f20_stuck_critical_triangles_relu_5_layers_normal", "relu_small_init", s,
             "critical_point",
             "five ReLU layers from tiny weights on the triangles",
             job(TRIANGLES, {"arch": "mlp", "width": 64, "depth": 5, "init": "normal"},
                 {"name": "sgd", "lr": 0.1}, epochs=40, batch_size=64)),
        Spec("f20_stuck_critical_images_cnn_no_bn_normal", "relu_small_init", s,
             "critical_point",
             "a CNN without BatchNorm from tiny weights",
             job(images(1000), {"arch": "cnn", "width": 16, "depth": 3, "batchnorm": False,
                                "init": "normal"},
                 {"name": "sgd", "lr": 0.05}, epochs=5, batch_size=64)),
    ]


def _oscillating() -> list[Spec]:
    o = "oscillating"
    return [
        Spec("f20_oscillate_digits_linear_momentum_0.99", "momentum_too_high", o, None,
             "SGD with momentum 0.99 at lr 0.5 on a linear model: the velocity keeps "
             "carrying the weights past the minimum, and the loss swings by large factors",
             job("digits", {"arch": "linear"}, {"name": "sgd", "lr": 0.5, "momentum": 0.99},
                 epochs=60, batch_size=64)),
        Spec("f20_oscillate_iris_linear_momentum_0.99", "momentum_too_high", o, None,
             "momentum 0.99 and lr 1 on a linear model of iris",
             job("iris", {"arch": "linear"}, {"name": "sgd", "lr": 1.0, "momentum": 0.99},
                 epochs=100, batch_size=16)),
        Spec("f20_oscillate_breast_cancer_linear_sgd_lr_5", "lr_too_high", o, None,
             "plain SGD at lr 5, 170x its usual, on logistic regression of overlapping "
             "classes: each step overshoots and the loss jumps",
             job("breast_cancer", {"arch": "linear"}, {"name": "sgd", "lr": 5.0}, epochs=60,
                 batch_size=32)),
        Spec("f20_oscillate_wine_linear_momentum_0.99", "momentum_too_high", o, None,
             "momentum 0.99 and lr 1 on a linear model of wine: the loss falls to almost "
             "nothing, then the velocity throws the weights out again, over and over",
             job("wine", {"arch": "linear"}, {"name": "sgd", "lr": 1.0, "momentum": 0.99},
                 epochs=60, batch_size=16)),
        Spec("f20_oscillate_pulses_cnn1d_momentum_0.99", "momentum_too_high", o, None,
             "a GELU CNN with momentum 0.99: it learns for two epochs, is thrown out, "
             "recovers and is thrown out again",
             job(PULSES, {"arch": "cnn1d", "width": 32, "depth": 3, "activation": "gelu"},
                 {"name": "sgd", "lr": 0.05, "momentum": 0.99}, epochs=40, batch_size=64)),
    ]


def _diverging() -> list[Spec]:
    d = "diverging"
    return [
        Spec("f20_diverge_beam_tanh_mlp_sgd_lr_2", "lr_far_too_high", d, None,
             "SGD with momentum at lr 2 (70x its usual) on a tanh MLP regression: the "
             "squared error feeds on itself and overflows",
             job(beam(), {"arch": "mlp", "widths": [64, 64], "activation": "tanh"},
                 {"name": "sgd", "lr": 2.0, "momentum": 0.9}, epochs=10, batch_size=64,
                 loss="mse")),
        Spec("f20_diverge_iris_linear_mse_lr_5", "lr_far_too_high", d, None,
             "MSE on one-hot iris classes with plain SGD at lr 5",
             job("iris", {"arch": "linear"}, {"name": "sgd", "lr": 5.0}, epochs=20,
                 batch_size=16, loss="mse")),
        Spec("f20_diverge_wine_mlp_momentum_0.99_lr_0.3", "momentum_and_lr_too_high", d, None,
             "momentum 0.99 with lr 0.3 on a small MLP: every swing is larger than the last",
             job("wine", {"arch": "mlp", "widths": [32]},
                 {"name": "sgd", "lr": 0.3, "momentum": 0.99}, epochs=60, batch_size=16)),
        Spec("f20_diverge_mnist1d_cnn1d_warmup_to_lr_5", "lr_far_too_high", d, None,
             "a four-epoch warm-up that ramps SGD up to lr 5 on a tanh CNN: fine at first, "
             "then the loss grows a hundredfold",
             job("mnist1d", {"arch": "cnn1d", "width": 32, "depth": 3, "activation": "tanh"},
                 {"name": "sgd", "lr": 5.0, "momentum": 0.9}, epochs=10, batch_size=64,
                 schedule={"name": "constant", "warmup_epochs": 4})),
        Spec("f20_diverge_pulses_cnn1d_mse_lr_2", "lr_far_too_high", d, None,
             "MSE on the pulse counts with SGD at lr 2 on a tanh CNN",
             job(PULSES, {"arch": "cnn1d", "width": 32, "depth": 3, "activation": "tanh"},
                 {"name": "sgd", "lr": 2.0, "momentum": 0.9}, epochs=10, batch_size=64,
                 loss="mse")),
    ]


def _mismatch() -> list[Spec]:
    m = "mismatch"
    return [
        Spec("f20_mismatch_pulses_sensor_offset", "validation_sensor_offset", m, None,
             "validation recordings carry a DC offset the training ones do not",
             job(npz("s20_pulses_offset.npz"), {"arch": "cnn1d", "width": 32, "depth": 3},
                 {"name": "adam", "lr": 2e-3}, epochs=20, batch_size=64)),
        Spec("f20_mismatch_beam_centimetres", "validation_units_changed", m, None,
             "the validation export gives the length in centimetres",
             job(npz("s20_beam_centimetres.npz", task="regression"),
                 {"arch": "mlp", "widths": [128, 128]}, {"name": "adam", "lr": 2e-3},
                 epochs=30, batch_size=64, loss="mse")),
        Spec("f20_mismatch_triangles_screen_coordinates", "validation_mirrored", m, None,
             "validation triangles digitised with y pointing down",
             job(npz("s20_triangles_screen.npz"), {"arch": "mlp", "widths": [256, 256]},
                 {"name": "adam", "lr": 2e-3}, epochs=60, batch_size=64)),
        Spec("f20_mismatch_digits_recoded", "validation_label_coding", m, None,
             "validation labels coded 9 - d",
             job(npz("s20_digits_recoded.npz"), {"arch": "mlp", "widths": [64]},
                 {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=20, batch_size=32)),
        Spec("f20_mismatch_wine_rejoined", "validation_rejoined_ids", m, None,
             "validation labels joined by a re-issued id",
             job(npz("s20_wine_rejoined.npz"), {"arch": "mlp", "widths": [32]},
                 {"name": "adam", "lr": 3e-3}, epochs=40, batch_size=16)),
    ]


TWENTIETH: list[Spec] = [*_healthy(), *_underfitting(), *_overfitting(), *_stuck(),
                         *_oscillating(), *_diverging(), *_mismatch()]
