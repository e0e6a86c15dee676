"""The eleventh split: JobSpecs with one injected training fault each (or none), written
apart from the other splits and from fitdoc's advisor.

Written from docs/ARCHITECTURE.md (sections 4 and 5), the catalogue and the training engine
only, the way a practitioner meets each fault; every label was checked against the trained
curves by bench/repair/curves.py (`python -m bench.repair.validate --split eleventh`), never
against a diagnosis. The npz files are datasets_eleventh.py's (`s11_...`). Like the other
splits kept apart, ELEVENTH is not in SPECS, SPLIT or "all"; `specs.cases("eleventh")`
expands it with both seeds.
"""

from __future__ import annotations

from typing import Any

from bench.repair.specs import Spec, job, npz, regression


def _spec(name: str, kind: str, status: str, cause: str | None, why: str,
          spec: dict[str, Any]) -> Spec:
    return Spec(f"eleventh_{name}", kind, status, cause, why, spec)


SPIRAL = npz("s11_spiral.npz")
PULSES = npz("s11_pulses.npz")
MIXTURE = npz("s11_mixture.npz")
PENDULUM = regression("s11_pendulum.npz")
IMAGES = {"name": "synthetic_images", "n_train": 1200}


def _healthy() -> list[Spec]:
    ok = "sound_recipe"
    return [
        _spec("healthy_mnist1d_cnn1d_adamw_cosine", ok, "healthy", None,
              "the sequence CNN with AdamW and a cosine decay: converges, validation follows",
              job("mnist1d", {"arch": "cnn1d", "width": 32},
                  {"name": "adamw", "lr": 3e-3, "weight_decay": 0.05}, epochs=30,
                  batch_size=64, schedule={"name": "cosine"})),
        _spec("healthy_mnist1d_cnn1d_sgd_onecycle_small_val", ok, "healthy", None,
              "SGD with momentum under a one-cycle schedule, a tenth held out",
              job({"name": "mnist1d", "val_fraction": 0.1}, {"arch": "cnn1d", "width": 32},
                  {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=30, batch_size=64,
                  schedule={"name": "onecycle"})),
        _spec("healthy_digits_mlp_adam", ok, "healthy", None,
              "a one-hidden-layer MLP with Adam at its usual lr",
              job("digits", {"arch": "mlp", "widths": [128]}, {"name": "adam"}, epochs=25,
                  batch_size=64)),
        _spec("healthy_digits_linear_rmsprop_step", ok, "healthy", None,
              "softmax regression with RMSprop and a step decay",
              job({"name": "digits", "val_fraction": 0.15}, {"arch": "linear"},
                  {"name": "rmsprop", "lr": 2e-3}, epochs=30, batch_size=64,
                  schedule={"name": "step", "step_size": 10, "gamma": 0.3})),
        _spec("healthy_wine_linear_sgd_momentum", ok, "healthy", None,
              "a linear classifier on standardised wine features, SGD with momentum",
              job("wine", {"arch": "linear"}, {"name": "sgd", "lr": 0.02, "momentum": 0.9},
                  epochs=30, batch_size=16)),
        _spec("healthy_wine_mlp_adagrad_large_val", ok, "healthy", None,
              "a small MLP with Adagrad, a third of the samples held out",
              job({"name": "wine", "val_fraction": 0.35}, {"arch": "mlp", "widths": [16]},
                  {"name": "adagrad", "lr": 0.05}, epochs=40, batch_size=16)),
        _spec("healthy_iris_linear_adam", ok, "healthy", None,
              "softmax regression on iris with Adam",
              job("iris", {"arch": "linear"}, {"name": "adam", "lr": 0.05}, epochs=40,
                  batch_size=16)),
        _spec("healthy_breast_cancer_linear_adam", ok, "healthy", None,
              "logistic regression on breast cancer",
              job("breast_cancer", {"arch": "linear"}, {"name": "adam", "lr": 1e-2},
                  epochs=30, batch_size=32)),
        _spec("healthy_breast_cancer_mlp_rmsprop_small_val", ok, "healthy", None,
              "a small MLP with RMSprop, a tenth held out",
              job({"name": "breast_cancer", "val_fraction": 0.1},
                  {"arch": "mlp", "widths": [32]}, {"name": "rmsprop", "lr": 1e-3},
                  epochs=20, batch_size=32)),
        _spec("healthy_spiral_mlp_adam_linear_decay", ok, "healthy", None,
              "a two-layer MLP on the interleaved arms with a linear lr decay",
              job(SPIRAL, {"arch": "mlp", "widths": [64, 64]}, {"name": "adam", "lr": 3e-3},
                  epochs=60, batch_size=64, schedule={"name": "linear", "min_lr": 1e-4})),
        _spec("healthy_pendulum_mlp_adam_gelu", ok, "healthy", None,
              "a GELU MLP on the smooth regression law",
              job(PENDULUM, {"arch": "mlp", "widths": [64, 64], "activation": "gelu"},
                  {"name": "adam", "lr": 3e-3}, epochs=60, batch_size=64,
                  schedule={"name": "cosine"}, loss="mse")),
        _spec("healthy_pendulum_mlp_sgd_plateau_small_val", ok, "healthy", None,
              "SGD with momentum and a plateau schedule, a tenth held out",
              job(regression("s11_pendulum.npz", val_fraction=0.1),
                  {"arch": "mlp", "widths": [64, 64]},
                  {"name": "sgd", "lr": 0.02, "momentum": 0.9}, epochs=60, batch_size=32,
                  schedule={"name": "plateau", "patience": 3, "factor": 0.5}, loss="mse")),
        _spec("healthy_pulses_cnn1d_sgd_step", ok, "healthy", None,
              "the sequence CNN on bump positions, SGD with a step decay",
              job(PULSES, {"arch": "cnn1d", "width": 16},
                  {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=15, batch_size=64,
                  schedule={"name": "step", "step_size": 6, "gamma": 0.3})),
    ]


def _underfitting() -> list[Spec]:
    return [
        # model_bias: the model cannot express the task
        _spec("underfit_mnist1d_mlp_bottleneck", "model_too_small", "underfitting",
              "model_bias", "three hidden units cannot separate ten sequence classes",
              job("mnist1d", {"arch": "mlp", "widths": [3]}, {"name": "adam", "lr": 3e-3},
                  epochs=40, batch_size=128)),
        _spec("underfit_pendulum_linear", "model_too_small", "underfitting", "model_bias",
              "a linear model on a curved, interacting law",
              job(PENDULUM, {"arch": "linear"}, {"name": "adam", "lr": 1e-2}, epochs=30,
                  batch_size=64, loss="mse")),
        _spec("underfit_digits_linear_heavy_l2", "regularization_too_strong", "underfitting",
              "model_bias", "an L2 penalty so strong the weights cannot grow",
              job("digits", {"arch": "linear"}, {"name": "adam", "lr": 1e-2}, epochs=30,
                  batch_size=64, regularization={"l2": 1.0})),
        _spec("underfit_mnist1d_linear_sgd", "model_too_small", "underfitting",
              "model_bias", "a linear model on shifted, noisy sequence templates",
              job("mnist1d", {"arch": "linear"}, {"name": "sgd", "lr": 0.05, "momentum": 0.9},
                  epochs=30)),
        # optimization_issue: the optimizer or its schedule stops the descent early
        _spec("underfit_mnist1d_mlp_lr_decays_away", "lr_schedule_collapse", "underfitting",
              "optimization_issue", "an exponential decay that kills the lr within 3 epochs",
              job("mnist1d", {"arch": "mlp", "widths": [128, 128]},
                  {"name": "sgd", "lr": 0.1, "momentum": 0.9}, epochs=20, batch_size=128,
                  schedule={"name": "exponential", "gamma": 0.4})),
        _spec("underfit_digits_mlp_step_to_zero", "lr_schedule_collapse", "underfitting",
              "optimization_issue", "a step schedule dividing the lr by 100 after two epochs",
              job("digits", {"arch": "mlp", "widths": [64]},
                  {"name": "sgd", "lr": 0.02, "momentum": 0.9}, epochs=20, batch_size=256,
                  schedule={"name": "step", "step_size": 2, "gamma": 0.01})),
        _spec("underfit_pendulum_mlp_lr_decays_away", "lr_schedule_collapse", "underfitting",
              "optimization_issue", "an lr that decays to nothing after the first epochs",
              job(PENDULUM, {"arch": "mlp", "widths": [64, 64]},
                  {"name": "sgd", "lr": 0.02, "momentum": 0.9}, epochs=25, batch_size=64,
                  schedule={"name": "exponential", "gamma": 0.25}, loss="mse")),
        # undertrained: stopped while still falling
        _spec("underfit_mnist1d_cnn1d_four_epochs", "too_few_epochs", "underfitting",
              "undertrained", "four epochs of Adam on the sequence CNN",
              job("mnist1d", {"arch": "cnn1d"}, {"name": "adam"}, epochs=4, batch_size=128)),
        _spec("underfit_images_cnn_three_epochs", "too_few_epochs", "underfitting",
              "undertrained", "three epochs of Adam on the image CNN",
              job(IMAGES, {"arch": "cnn", "width": 16, "depth": 3}, {"name": "adam"},
                  epochs=3, batch_size=64)),
        _spec("underfit_pendulum_mlp_six_epochs", "too_few_epochs", "underfitting",
              "undertrained", "six epochs at a cautious SGD lr",
              job(PENDULUM, {"arch": "mlp", "widths": [64, 64]}, {"name": "sgd", "lr": 0.01},
                  epochs=6, batch_size=64, loss="mse")),
        _spec("underfit_digits_linear_adagrad_five_epochs", "too_few_epochs", "underfitting",
              "undertrained", "five epochs of Adagrad at a small lr",
              job("digits", {"arch": "linear"}, {"name": "adagrad", "lr": 3e-3}, epochs=5,
                  batch_size=64)),
    ]


def _overfitting() -> list[Spec]:
    k = "small_train_set_big_model"
    return [
        _spec("overfit_mnist1d_wide_mlp_300", k, "overfitting", None,
              "a wide MLP on 300 sequences for 80 epochs",
              job({"name": "mnist1d", "n_train": 300}, {"arch": "mlp", "widths": [512, 512]},
                  {"name": "adam"}, epochs=80, batch_size=32)),
        _spec("overfit_mnist1d_cnn1d_400", k, "overfitting", None,
              "the sequence CNN on 400 samples, trained long",
              job({"name": "mnist1d", "n_train": 400}, {"arch": "cnn1d", "width": 64},
                  {"name": "adam", "lr": 3e-3}, epochs=60, batch_size=32)),
        _spec("overfit_digits_mlp_60", k, "overfitting", None,
              "a big MLP on 60 digits for 150 epochs",
              job({"name": "digits", "n_train": 60}, {"arch": "mlp", "widths": [512, 512]},
                  {"name": "adam", "lr": 3e-3}, epochs=150, batch_size=8)),
        _spec("overfit_wine_mlp_40", k, "overfitting", None,
              "a big MLP on 40 wines for 200 epochs",
              job({"name": "wine", "n_train": 40}, {"arch": "mlp", "widths": [512, 512]},
                  {"name": "adam", "lr": 3e-3}, epochs=200, batch_size=8)),
        _spec("overfit_mixture_mlp_100_noise_dims", k, "overfitting", None,
              "100 samples whose classes live in 4 of 24 dimensions, a big MLP",
              job({**MIXTURE, "n_train": 100}, {"arch": "mlp", "widths": [256, 256]},
                  {"name": "adam"}, epochs=150, batch_size=16)),
        _spec("overfit_breast_cancer_mlp_60", k, "overfitting", None,
              "a big MLP on 60 patients",
              job({"name": "breast_cancer", "n_train": 60},
                  {"arch": "mlp", "widths": [512, 512]}, {"name": "adam"}, epochs=150,
                  batch_size=16)),
    ]


def _stuck() -> list[Spec]:
    return [
        # lr_too_low
        _spec("stuck_mnist1d_mlp_sgd_lr_1e-5", "lr_too_low", "stuck", "lr_too_low",
              "plain SGD at 1e-5",
              job("mnist1d", {"arch": "mlp"}, {"name": "sgd", "lr": 1e-5}, epochs=8)),
        _spec("stuck_digits_linear_adam_lr_1e-7", "lr_too_low", "stuck", "lr_too_low",
              "Adam at 1e-7",
              job("digits", {"arch": "linear"}, {"name": "adam", "lr": 1e-7}, epochs=6,
                  batch_size=64)),
        _spec("stuck_pulses_cnn1d_rmsprop_lr_1e-8", "lr_too_low", "stuck", "lr_too_low",
              "RMSprop at 1e-8 on the sequence CNN",
              job(PULSES, {"arch": "cnn1d"}, {"name": "rmsprop", "lr": 1e-8}, epochs=6,
                  batch_size=64)),
        _spec("stuck_iris_mlp_adagrad_lr_1e-6", "lr_too_low", "stuck", "lr_too_low",
              "Adagrad at 1e-6",
              job("iris", {"arch": "mlp", "widths": [32]}, {"name": "adagrad", "lr": 1e-6},
                  epochs=6, batch_size=16)),
        # lr_too_high: units killed by the first huge steps
        _spec("stuck_mnist1d_mlp_adam_lr_1", "lr_too_high_dead_units", "stuck", "lr_too_high",
              "Adam at lr 1",
              job("mnist1d", {"arch": "mlp", "widths": [128, 128]}, {"name": "adam", "lr": 1.0},
                  epochs=10)),
        _spec("stuck_digits_mlp_adam_lr_1", "lr_too_high_dead_units", "stuck", "lr_too_high",
              "Adam at lr 1 on a wider MLP",
              job("digits", {"arch": "mlp", "widths": [256, 256]}, {"name": "adam", "lr": 1.0},
                  epochs=10, batch_size=64)),
        _spec("stuck_mnist1d_cnn1d_adamw_lr_1", "lr_too_high_dead_units", "stuck",
              "lr_too_high", "AdamW at lr 1 on the sequence CNN",
              job("mnist1d", {"arch": "cnn1d"}, {"name": "adamw", "lr": 1.0}, epochs=8)),
        # vanishing_gradient: deep saturating stacks
        _spec("stuck_mnist1d_mlp_ten_sigmoid_layers", "deep_saturating_net", "stuck",
              "vanishing_gradient", "ten sigmoid layers trained with plain SGD",
              job("mnist1d", {"arch": "mlp", "width": 64, "depth": 10, "activation": "sigmoid"},
                  {"name": "sgd", "lr": 0.01}, epochs=10)),
        _spec("stuck_digits_mlp_eight_sigmoid_layers", "deep_saturating_net", "stuck",
              "vanishing_gradient", "eight sigmoid layers with SGD and momentum",
              job("digits", {"arch": "mlp", "width": 64, "depth": 8, "activation": "sigmoid"},
                  {"name": "sgd", "lr": 0.01, "momentum": 0.5}, epochs=10, batch_size=64)),
        _spec("stuck_spiral_mlp_twelve_sigmoid_layers", "deep_saturating_net", "stuck",
              "vanishing_gradient", "twelve sigmoid layers on the arms",
              job(SPIRAL, {"arch": "mlp", "width": 32, "depth": 12, "activation": "sigmoid"},
                  {"name": "sgd", "lr": 0.02}, epochs=12, batch_size=32)),
        # saturated_loss: MSE on a classifier with saturating units
        _spec("stuck_mnist1d_mlp_sigmoid_mse", "mse_on_saturating_classifier", "stuck",
              "saturated_loss", "MSE on one-hot targets through sigmoid layers",
              job("mnist1d", {"arch": "mlp", "width": 128, "depth": 3, "activation": "sigmoid"},
                  {"name": "sgd", "lr": 0.01}, epochs=10, loss="mse")),
        _spec("stuck_wine_mlp_sigmoid_mse", "mse_on_saturating_classifier", "stuck",
              "saturated_loss", "MSE through sigmoid layers on wine",
              job("wine", {"arch": "mlp", "width": 32, "depth": 3, "activation": "sigmoid"},
                  {"name": "sgd", "lr": 0.01}, epochs=10, batch_size=16, loss="mse")),
        _spec("stuck_pulses_mlp_sigmoid_mse", "mse_on_saturating_classifier", "stuck",
              "saturated_loss", "MSE through sigmoid layers on the pulses",
              job(PULSES, {"arch": "mlp", "width": 64, "depth": 4, "activation": "sigmoid"},
                  {"name": "sgd", "lr": 0.01}, epochs=8, batch_size=64, loss="mse")),
        # critical_point: tiny init of a deep non-saturating net, near the all-zero saddle
        _spec("stuck_mnist1d_mlp_deep_tiny_init", "deep_nonsaturating_tiny_init", "stuck",
              "critical_point", "six ReLU layers drawn from N(0, 0.01^2)",
              job("mnist1d", {"arch": "mlp", "width": 128, "depth": 6, "init": "normal"},
                  {"name": "sgd", "lr": 0.05}, epochs=10)),
        _spec("stuck_digits_mlp_gelu_tiny_init", "deep_nonsaturating_tiny_init", "stuck",
              "critical_point", "five GELU layers drawn from N(0, 0.01^2), SGD with momentum",
              job("digits", {"arch": "mlp", "width": 128, "depth": 5, "init": "normal",
                             "activation": "gelu"},
                  {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=10, batch_size=64)),
        _spec("stuck_pulses_cnn1d_tiny_init", "deep_nonsaturating_tiny_init", "stuck",
              "critical_point", "a four-layer sequence CNN drawn from N(0, 0.01^2)",
              job(PULSES, {"arch": "cnn1d", "depth": 4, "init": "normal"},
                  {"name": "sgd", "lr": 0.05}, epochs=8, batch_size=64)),
    ]


def _oscillating() -> list[Spec]:
    return [
        _spec("oscillate_iris_linear_sgd_high", "lr_too_high", "oscillating", None,
              "SGD with momentum at lr 5 and batches of 8 on iris",
              job("iris", {"arch": "linear"}, {"name": "sgd", "lr": 5.0, "momentum": 0.9},
                  epochs=30, batch_size=8)),
        _spec("oscillate_wine_linear_sgd_lr_10_large_val", "lr_too_high", "oscillating", None,
              "SGD with momentum at lr 10 and batches of 8 on wine, 30% held out",
              job({"name": "wine", "val_fraction": 0.3}, {"arch": "linear"},
                  {"name": "sgd", "lr": 10.0, "momentum": 0.9}, epochs=30, batch_size=8)),
        _spec("oscillate_digits_mlp_rmsprop_high", "lr_too_high", "oscillating", None,
              "RMSprop with a short memory at a high lr",
              job("digits", {"arch": "mlp", "widths": [128]},
                  {"name": "rmsprop", "lr": 0.02, "alpha": 0.5}, epochs=20, batch_size=64)),
        _spec("oscillate_breast_cancer_linear_sgd_high", "lr_too_high", "oscillating", None,
              "SGD with momentum at lr 3 on a linear classifier",
              job("breast_cancer", {"arch": "linear"},
                  {"name": "sgd", "lr": 3.0, "momentum": 0.9}, epochs=20, batch_size=32)),
    ]


def _diverging() -> list[Spec]:
    return [
        _spec("diverge_pendulum_linear_sgd_lr_3", "lr_too_high", "diverging", None,
              "plain SGD at lr 3 on a least-squares fit",
              job(PENDULUM, {"arch": "linear"}, {"name": "sgd", "lr": 3.0}, epochs=10,
                  batch_size=64, loss="mse")),
        _spec("diverge_wine_mlp_mse_sgd_lr_2", "lr_too_high", "diverging", None,
              "SGD with momentum at lr 2 on an MLP fitted to one-hot targets by MSE",
              job("wine", {"arch": "mlp", "widths": [32]},
                  {"name": "sgd", "lr": 2.0, "momentum": 0.9}, epochs=10, batch_size=16,
                  loss="mse")),
        _spec("diverge_mnist1d_linear_mse_sgd_lr_5", "lr_too_high", "diverging", None,
              "plain SGD at lr 5 on a linear least-squares classifier",
              job("mnist1d", {"arch": "linear"}, {"name": "sgd", "lr": 5.0}, epochs=6,
                  loss="mse")),
        _spec("diverge_breast_cancer_mlp_sgd_lr_30", "lr_too_high", "diverging", None,
              "SGD with momentum at lr 30 on a cross-entropy MLP",
              job("breast_cancer", {"arch": "mlp", "widths": [256, 256]},
                  {"name": "sgd", "lr": 30.0, "momentum": 0.9}, epochs=10, batch_size=32)),
    ]


def _mismatch() -> list[Spec]:
    k = "train_val_distribution_shift"
    return [
        _spec("mismatch_spiral_rotated_labels", k, "mismatch", None,
              "the validation export names each arm by its neighbour's label",
              job(npz("s11_spiral_rotated.npz"), {"arch": "mlp", "widths": [64, 64]},
                  {"name": "adam", "lr": 3e-3}, epochs=30, batch_size=64)),
        _spec("mismatch_pendulum_other_law", k, "mismatch", None,
              "the validation targets follow another law than training's",
              job(regression("s11_pendulum_other_law.npz"),
                  {"arch": "mlp", "widths": [64, 64]}, {"name": "adam", "lr": 3e-3},
                  epochs=20, batch_size=64, loss="mse")),
        _spec("mismatch_pulses_reversed", k, "mismatch", None,
              "the validation traces are recorded back to front",
              job(npz("s11_pulses_reversed.npz"), {"arch": "cnn1d", "width": 16},
                  {"name": "adam", "lr": 3e-3}, epochs=10, batch_size=64)),
        _spec("mismatch_mixture_swapped", k, "mismatch", None,
              "the validation clusters sit where other classes trained",
              job(npz("s11_mixture_swapped.npz"), {"arch": "linear"},
                  {"name": "adam", "lr": 1e-2}, epochs=15, batch_size=64)),
        _spec("mismatch_wine_offset", k, "mismatch", None,
              "the validation features carry a large calibration offset",
              job(npz("s11_wine_offset.npz"), {"arch": "mlp", "widths": [32]},
                  {"name": "adam", "lr": 1e-2}, epochs=30, batch_size=16)),
    ]


ELEVENTH: list[Spec] = [*_healthy(), *_underfitting(), *_overfitting(), *_stuck(),
                        *_oscillating(), *_diverging(), *_mismatch()]
