"""The benchmark set: JobSpecs with one injected training fault each (or none), as plain dicts.

Each entry of SPECS is a JobSpec (docs/ARCHITECTURE.md section 4) written the way a
practitioner meets the fault: a learning rate far off for its optimizer, a deep sigmoid net
with tiny weights, MSE on a classifier with saturating units, a model too small or too
regularised for the task, too few epochs, a big model on a few hundred samples, a validation
file from another distribution, and sound recipes (healthy) for each dataset. Its label is
the status of the table in docs/ARCHITECTURE.md section 5 that the fault should produce,
with the cause where that table lists causes.

`cases(split, seeds)` expands every spec into one case per seed (training.seed and
dataset.seed both set to the seed), as dicts:

    {"name": "overfit_mnist1d_mlp_300_samples-s0", "base": "overfit_mnist1d_mlp_300_samples",
     "kind": "small_train_set_big_model", "label": {"status": "overfitting", "cause": None},
     "spec": {...JobSpec...}, "seed": 0, "split": "tune", "why": "..."}

The split is fixed by the spec (both seeds of a spec in the same half): within each
(status, cause) group the specs are ordered by a hash of their name and dealt alternately to
"tune" and "report", so each half holds every status and cause.

A third split, "fresh", holds the specs of specs_fresh.py (FRESH), written later and apart
(see that module): they are not in SPECS, SPLIT or "all", take no part in the dealing, and
`cases("fresh")` expands them with split "fresh". The later splits of SEPARATE_SPLITS
("fourth" of specs_fourth.py's FOURTH, ... "eleventh" of specs_eleventh.py's ELEVENTH,
"twelfth" of specs_twelfth.py's TWELFTH, "thirteenth" of specs_thirteenth.py's
THIRTEENTH, "fourteenth" of specs_fourteenth.py's FOURTEENTH, "fifteenth" of
specs_fifteenth.py's FIFTEENTH, "sixteenth" of specs_sixteenth.py's SIXTEENTH,
"seventeenth" of specs_seventeenth.py's SEVENTEENTH, "eighteenth" of
specs_eighteenth.py's EIGHTEENTH, "nineteenth" of specs_nineteenth.py's NINETEENTH,
"twentieth" of specs_twentieth.py's TWENTIETH) stand apart the same way.

Datasets: mnist1d, digits, wine, breast_cancer, iris, synthetic_images, and `npz` files
that datasets.py generates (regression, and the mismatches); the npz paths are relative, so
the service resolves them under FITDOC_DATA_DIR/datasets.
"""

from __future__ import annotations

import copy
import hashlib
import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bench.repair.datasets import NPZ_SOURCE

STATUSES = ("insufficient_data", "healthy", "underfitting", "overfitting", "stuck",
            "oscillating", "diverging", "mismatch")
CAUSES = {
    "underfitting": ("model_bias", "optimization_issue", "undertrained"),
    "stuck": ("lr_too_low", "lr_too_high", "vanishing_gradient", "saturated_loss",
              "critical_point"),
}
SEEDS = (0, 1)
SPLITS = ("tune", "report")  # the halves SPECS is dealt into
# The splits written later and kept apart from SPECS and from one another, in the order
# they were written: split X is the list X.upper() of bench/repair/specs_X.py (FRESH of
# specs_fresh.py, ...), each read once through the HTTP API and tuning data since.
SEPARATE_SPLITS = ("fresh", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
                   "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
                   "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth")
ALL_SPLITS = (*SPLITS, *SEPARATE_SPLITS)


@dataclass(frozen=True)
class Spec:
    name: str
    kind: str  # the injected fault
    status: str
    cause: str | None
    why: str
    spec: dict[str, Any]


def job(dataset: str | dict[str, Any], model: dict[str, Any], optimizer: dict[str, Any], *,
        epochs: int, batch_size: int = 128, schedule: dict[str, Any] | None = None,
        regularization: dict[str, Any] | None = None,
        augmentation: dict[str, Any] | None = None, **training: Any) -> dict[str, Any]:
    """A JobSpec with only the fields the case sets (the rest are the service's defaults)."""
    data = {"name": dataset} if isinstance(dataset, str) else dict(dataset)
    spec: dict[str, Any] = {"dataset": data, "model": model, "optimizer": optimizer}
    if schedule:
        spec["schedule"] = schedule
    if regularization:
        spec["regularization"] = regularization
    if augmentation:
        spec["augmentation"] = augmentation
    spec["training"] = {"epochs": epochs, "batch_size": batch_size, **training}
    return spec


def npz(path: str, **fields: Any) -> dict[str, Any]:
    return {"name": "npz", "path": path, **fields}


def regression(path: str = "repair_friedman.npz", **fields: Any) -> dict[str, Any]:
    return npz(path, task="regression", **fields)


FRIEDMAN = regression(val_fraction=0.2)
IMAGES = {"name": "synthetic_images", "n_train": 2000}


def _healthy() -> list[Spec]:
    def h(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, "sound_recipe", "healthy", None, why, spec)

    return [
        h("healthy_mnist1d_cnn1d_bn_adam_cosine",
          "the MNIST-1D paper's CNN with batch norm, Adam 3e-3 and a cosine decay over 25 "
          "epochs",
          job("mnist1d", {"arch": "cnn1d", "width": 32, "batchnorm": True},
              {"name": "adam", "lr": 0.003}, schedule={"name": "cosine"}, epochs=25)),
        h("healthy_mnist1d_cnn1d_bn_sgd_onecycle",
          "cnn1d with batch norm, SGD with Nesterov momentum under a one-cycle schedule",
          job("mnist1d", {"arch": "cnn1d", "width": 32, "batchnorm": True},
              {"name": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": True},
              schedule={"name": "onecycle"}, epochs=15)),
        h("healthy_mnist1d_cnn1d_adamw_noise_long",
          "a wider cnn1d, AdamW with weight decay, input noise and cosine decay with warm-up "
          "over 40 epochs",
          job("mnist1d", {"arch": "cnn1d", "width": 64, "batchnorm": True},
              {"name": "adamw", "lr": 0.002, "weight_decay": 0.05},
              schedule={"name": "cosine", "warmup_epochs": 2},
              augmentation={"noise": {"std": 0.1}}, epochs=40)),
        h("healthy_mnist1d_cnn1d_rmsprop_small_val",
          "cnn1d with batch norm and RMSprop under a linear decay, validated on 6% of the data",
          job({"name": "mnist1d", "val_fraction": 0.06},
              {"arch": "cnn1d", "width": 32, "batchnorm": True}, {"name": "rmsprop", "lr": 0.002},
              schedule={"name": "linear"}, epochs=15)),
        h("healthy_digits_mlp_adam_cosine",
          "a 2x128 MLP with Adam 1e-3 and cosine decay for 15 epochs on digits",
          job("digits", {"arch": "mlp", "width": 128}, {"name": "adam", "lr": 0.001},
              schedule={"name": "cosine"}, epochs=15, batch_size=64)),
        h("healthy_digits_linear_sgd_short",
          "multinomial logistic regression with SGD and momentum, 8 epochs",
          job("digits", {"arch": "linear"}, {"name": "sgd", "lr": 0.05, "momentum": 0.9},
              epochs=8, batch_size=64)),
        h("healthy_digits_mlp_sgd_nesterov_dropout_small_val",
          "a 2x256 MLP with dropout and a little l2, Nesterov SGD and cosine decay, validated "
          "on 10% of digits",
          job({"name": "digits", "val_fraction": 0.1},
              {"arch": "mlp", "width": 256, "dropout": 0.2},
              {"name": "sgd", "lr": 0.02, "momentum": 0.9, "nesterov": True},
              schedule={"name": "cosine"}, regularization={"l2": 0.001}, epochs=12,
              batch_size=64)),
        h("healthy_wine_mlp_adam_l2_long",
          "a one-hidden-layer MLP with a little l2 and cosine decay for 40 epochs on wine",
          job("wine", {"arch": "mlp", "width": 32, "depth": 1}, {"name": "adam", "lr": 0.003},
              schedule={"name": "cosine"}, regularization={"l2": 0.001}, epochs=40,
              batch_size=32)),
        h("healthy_wine_linear_sgd",
          "logistic regression with plain SGD on standardised wine features",
          job("wine", {"arch": "linear"}, {"name": "sgd", "lr": 0.1}, epochs=15,
              batch_size=16)),
        h("healthy_wine_mlp_adagrad_small_val",
          "a one-hidden-layer MLP with Adagrad, validated on 10% of wine",
          job({"name": "wine", "val_fraction": 0.1}, {"arch": "mlp", "width": 64, "depth": 1},
              {"name": "adagrad", "lr": 0.05}, epochs=20, batch_size=16)),
        h("healthy_iris_linear_sgd_long",
          "logistic regression with SGD and momentum for 40 epochs on iris",
          job("iris", {"arch": "linear"}, {"name": "sgd", "lr": 0.05, "momentum": 0.9},
              epochs=40, batch_size=16)),
        h("healthy_iris_mlp_adam",
          "a small MLP with Adam and a little l2 on iris",
          job("iris", {"arch": "mlp", "width": 16, "depth": 1}, {"name": "adam", "lr": 0.01},
              regularization={"l2": 0.001}, epochs=30, batch_size=16)),
        h("healthy_iris_linear_lbfgs_full_batch",
          "l2-regularised logistic regression fitted by full-batch L-BFGS",
          job("iris", {"arch": "linear"}, {"name": "lbfgs"}, regularization={"l2": 0.01},
              epochs=10, batch_size=256)),
        h("healthy_breast_cancer_linear_sgd",
          "logistic regression with SGD and momentum on breast_cancer",
          job("breast_cancer", {"arch": "linear"}, {"name": "sgd", "lr": 0.05, "momentum": 0.9},
              epochs=20, batch_size=32)),
        h("healthy_breast_cancer_mlp_adam",
          "a one-hidden-layer MLP with Adam and a little l2 on breast_cancer",
          job("breast_cancer", {"arch": "mlp", "width": 64, "depth": 1},
              {"name": "adam", "lr": 0.001}, regularization={"l2": 0.001}, epochs=15,
              batch_size=32)),
        h("healthy_breast_cancer_mlp_rmsprop_small_val",
          "a 2x32 MLP with RMSprop and l2, validated on 10% of breast_cancer",
          job({"name": "breast_cancer", "val_fraction": 0.1}, {"arch": "mlp", "width": 32},
              {"name": "rmsprop", "lr": 0.0003}, regularization={"l2": 0.003}, epochs=15,
              batch_size=32)),
        h("healthy_images_cnn_adam_cosine_hflip",
          "a 3-block CNN with batch norm, Adam and cosine decay, mirrored images, 2000 "
          "training images",
          job(IMAGES, {"arch": "cnn", "width": 16, "depth": 3}, {"name": "adam", "lr": 0.003},
              schedule={"name": "cosine"}, augmentation={"hflip": True}, epochs=12,
              batch_size=64)),
        h("healthy_images_cnn_sgd_onecycle",
          "a narrow 3-block CNN with batch norm and SGD under a one-cycle schedule",
          job(IMAGES, {"arch": "cnn", "width": 8, "depth": 3},
              {"name": "sgd", "lr": 0.1, "momentum": 0.9}, schedule={"name": "onecycle"},
              epochs=12, batch_size=64)),
        h("healthy_regression_mlp_adam_cosine",
          "a 2x64 MLP regressing a smooth function with Adam and cosine decay",
          job(FRIEDMAN, {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 0.003},
              schedule={"name": "cosine"}, epochs=40, batch_size=64, loss="mse")),
        h("healthy_regression_mlp_sgd_plateau",
          "a 2x128 MLP regressing a smooth function with SGD and a reduce-on-plateau schedule",
          job(regression(val_fraction=0.1), {"arch": "mlp", "width": 128},
              {"name": "sgd", "lr": 0.02, "momentum": 0.9},
              schedule={"name": "plateau", "patience": 2}, epochs=40, batch_size=32,
              loss="mse")),
    ]


def _underfitting() -> list[Spec]:
    def bias(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "underfitting", "model_bias", why, spec)

    def opt(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "underfitting", "optimization_issue", why, spec)

    def short(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, "too_few_epochs", "underfitting", "undertrained", why, spec)

    return [
        bias("underfit_mnist1d_linear", "model_too_small",
             "a linear model on MNIST-1D, whose classes a linear map of the raw sequence "
             "cannot separate (30 epochs of Adam)",
             job("mnist1d", {"arch": "linear"}, {"name": "adam", "lr": 0.01}, epochs=30)),
        bias("underfit_mnist1d_cnn1d_one_channel", "model_too_small",
             "a cnn1d with one channel and one layer: far too little capacity for 10 classes",
             job("mnist1d", {"arch": "cnn1d", "width": 1, "depth": 1},
                 {"name": "adam", "lr": 0.01}, epochs=40)),
        bias("underfit_mnist1d_mlp_l2_too_strong", "regularization_too_strong",
             "an MLP with l2 0.05 (100x the usual), which pins the weights near zero",
             job("mnist1d", {"arch": "mlp", "width": 128}, {"name": "adam", "lr": 0.003},
                 regularization={"l2": 0.05}, epochs=30)),
        bias("underfit_digits_mlp_width_1_bottleneck", "model_too_small",
             "an MLP whose single hidden layer has one unit: ten digit classes through a "
             "one-number bottleneck",
             job("digits", {"arch": "mlp", "widths": [1]}, {"name": "adam", "lr": 0.01},
                 epochs=40, batch_size=64)),
        bias("underfit_digits_linear_l2_too_strong", "regularization_too_strong",
             "logistic regression with l2 0.1, which keeps the weights too small to fit",
             job("digits", {"arch": "linear"}, {"name": "adam", "lr": 0.01},
                 regularization={"l2": 0.1}, epochs=30, batch_size=64)),
        bias("underfit_regression_linear", "model_too_small",
             "a linear model regressing a function with a sine and a square term",
             job(FRIEDMAN, {"arch": "linear"}, {"name": "adam", "lr": 0.01}, epochs=30,
                 batch_size=64, loss="mse")),
        opt("underfit_mnist1d_cnn1d_exponential_lr_collapse", "lr_schedule_collapse",
            "an exponential schedule with gamma 0.5 per epoch: the lr is 1000x smaller after "
            "10 epochs of 30 and training freezes far from a fit",
            job("mnist1d", {"arch": "cnn1d", "width": 32},
                {"name": "sgd", "lr": 0.05, "momentum": 0.9},
                schedule={"name": "exponential", "gamma": 0.5}, epochs=30)),
        opt("underfit_digits_mlp_step_drop_1000x", "lr_schedule_collapse",
            "a step schedule dividing the lr by 1000 after 2 epochs of 30",
            job("digits", {"arch": "mlp", "width": 128}, {"name": "adam", "lr": 0.0005},
                schedule={"name": "step", "step_size": 2, "gamma": 0.001}, epochs=30,
                batch_size=64)),
        opt("underfit_mnist1d_mlp_adam_lr_too_high", "adaptive_lr_too_high",
            "Adam at lr 0.05 (50x its usual lr) on a 4-layer MLP: the loss stalls, noisy, "
            "well above what the model reaches at 1e-3",
            job("mnist1d", {"arch": "mlp", "width": 128, "depth": 4},
                {"name": "adam", "lr": 0.05}, epochs=30)),
        opt("underfit_regression_mlp_step_collapse", "lr_schedule_collapse",
            "an MLP regressor whose lr a step schedule divides by 100 every 2 epochs: it stops "
            "at the error of a linear fit",
            job(FRIEDMAN, {"arch": "mlp", "width": 64},
                {"name": "sgd", "lr": 0.01, "momentum": 0.9},
                schedule={"name": "step", "step_size": 2, "gamma": 0.01}, epochs=30,
                batch_size=64, loss="mse")),
        opt("underfit_images_cnn_exponential_lr_collapse", "lr_schedule_collapse",
            "a CNN whose lr an exponential schedule (gamma 0.4) takes to nothing in 4 of 8 "
            "epochs",
            job({"name": "synthetic_images", "n_train": 1500}, {"arch": "cnn", "width": 16,
                                                                "depth": 3},
                {"name": "adam", "lr": 0.003},
                schedule={"name": "exponential", "gamma": 0.4}, epochs=8, batch_size=64)),
        opt("underfit_iris_mlp_exponential_lr_collapse", "lr_schedule_collapse",
            "plain SGD whose lr halves every epoch: iris stops at a loss a linear model beats",
            job("iris", {"arch": "mlp", "width": 32, "depth": 1}, {"name": "sgd", "lr": 0.1},
                schedule={"name": "exponential", "gamma": 0.5}, epochs=40, batch_size=16)),
        short("underfit_mnist1d_cnn1d_4_epochs",
              "a sound cnn1d recipe (Adam 1e-3) stopped after 4 epochs",
              job("mnist1d", {"arch": "cnn1d", "width": 32}, {"name": "adam", "lr": 0.001},
                  epochs=4)),
        short("underfit_mnist1d_mlp_sgd_5_epochs",
              "a 3x256 MLP with SGD (lr 0.03, momentum 0.5) stopped after 5 epochs, as the "
              "loss has just begun to fall",
              job("mnist1d", {"arch": "mlp", "width": 256, "depth": 3},
                  {"name": "sgd", "lr": 0.03, "momentum": 0.5}, epochs=5)),
        short("underfit_digits_mlp_sgd_5_epochs",
              "an MLP with SGD (lr 0.02, momentum 0.5) stopped after 5 epochs, just as the "
              "loss starts to fall fast",
              job("digits", {"arch": "mlp", "width": 128},
                  {"name": "sgd", "lr": 0.02, "momentum": 0.5}, epochs=5, batch_size=64)),
        short("underfit_wine_mlp_8_epochs",
              "an MLP with Adam 1e-3 stopped after 8 epochs on wine",
              job("wine", {"arch": "mlp", "width": 32}, {"name": "adam", "lr": 0.001},
                  epochs=8, batch_size=32)),
        short("underfit_images_cnn_4_epochs",
              "a CNN with SGD and momentum stopped after 4 epochs",
              job({"name": "synthetic_images", "n_train": 1500},
                  {"arch": "cnn", "width": 16, "depth": 3},
                  {"name": "sgd", "lr": 0.01, "momentum": 0.9}, epochs=4, batch_size=64)),
        short("underfit_regression_mlp_5_epochs",
              "an MLP regressor with Adam 1e-3 stopped after 5 epochs",
              job(FRIEDMAN, {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 0.001},
                  epochs=5, batch_size=64, loss="mse")),
    ]


def _overfitting() -> list[Spec]:
    def o(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, "small_train_set_big_model", "overfitting", None, why, spec)

    return [
        o("overfit_mnist1d_mlp_300_samples",
          "a 2x512 MLP trained 60 epochs on 300 MNIST-1D samples, no regularisation",
          job({"name": "mnist1d", "n_train": 300}, {"arch": "mlp", "width": 512},
              {"name": "adam", "lr": 0.001}, epochs=60, batch_size=64)),
        o("overfit_mnist1d_cnn1d_500_samples",
          "a 128-channel cnn1d trained 50 epochs on 500 samples",
          job({"name": "mnist1d", "n_train": 500}, {"arch": "cnn1d", "width": 128},
              {"name": "adam", "lr": 0.002}, epochs=50, batch_size=32)),
        o("overfit_mnist1d_cnn1d_200_samples_small_val",
          "a 64-channel cnn1d on 200 samples for 40 epochs, validated on 5% of the data",
          job({"name": "mnist1d", "n_train": 200, "val_fraction": 0.05},
              {"arch": "cnn1d", "width": 64}, {"name": "adam", "lr": 0.003}, epochs=40,
              batch_size=32)),
        o("overfit_mnist1d_cnn1d_300_samples_short",
          "a 256-channel cnn1d on 300 samples: it memorises them within 10 epochs",
          job({"name": "mnist1d", "n_train": 300}, {"arch": "cnn1d", "width": 256},
              {"name": "adam", "lr": 0.003}, epochs=10, batch_size=16)),
        o("overfit_mnist1d_mlp_400_samples_sgd",
          "a 2x512 MLP with SGD and momentum for 40 epochs on 400 samples",
          job({"name": "mnist1d", "n_train": 400}, {"arch": "mlp", "width": 512},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=40, batch_size=32)),
        o("overfit_digits_mlp_100_samples",
          "a 2x1024 MLP on 100 digits for 60 epochs",
          job({"name": "digits", "n_train": 100}, {"arch": "mlp", "width": 1024},
              {"name": "adam", "lr": 0.003}, epochs=60, batch_size=16)),
        o("overfit_breast_cancer_mlp_60_samples",
          "a 2x512 MLP on 60 breast_cancer samples for 80 epochs",
          job({"name": "breast_cancer", "n_train": 60}, {"arch": "mlp", "width": 512},
              {"name": "adam", "lr": 0.001}, epochs=80, batch_size=16)),
        o("overfit_breast_cancer_mlp_100_samples_sgd",
          "a 3x512 MLP with SGD and momentum for 60 epochs on 100 breast_cancer samples",
          job({"name": "breast_cancer", "n_train": 100}, {"arch": "mlp", "width": 512,
                                                          "depth": 3},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=60, batch_size=16)),
        o("overfit_iris_mlp_30_samples",
          "a 2x256 MLP on 30 iris samples for 80 epochs",
          job({"name": "iris", "n_train": 30, "val_fraction": 0.3},
              {"arch": "mlp", "width": 256}, {"name": "adam", "lr": 0.003}, epochs=80,
              batch_size=8)),
        o("overfit_wine_mlp_40_samples",
          "a 3x256 MLP on 40 wine samples for 60 epochs",
          job({"name": "wine", "n_train": 40, "val_fraction": 0.3},
              {"arch": "mlp", "width": 256, "depth": 3}, {"name": "adam", "lr": 0.003},
              epochs=60, batch_size=8)),
    ]


def _stuck() -> list[Spec]:
    def s(name: str, cause: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "stuck", cause, why, spec)

    low, high = "lr_too_low", "lr_too_high"
    vanish, sat, crit = "vanishing_gradient", "saturated_loss", "critical_point"
    return [
        s("stuck_mnist1d_mlp_sgd_lr_1e-5", low, "lr_too_low",
          "SGD at lr 1e-5, 1000x below its usual 1e-2",
          job("mnist1d", {"arch": "mlp", "width": 128}, {"name": "sgd", "lr": 1e-5}, epochs=10)),
        s("stuck_digits_mlp_adam_lr_1e-7", low, "lr_too_low",
          "Adam at lr 1e-7, 10000x below its usual 1e-3",
          job("digits", {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 1e-7}, epochs=8,
              batch_size=64)),
        s("stuck_images_cnn_sgd_lr_1e-6", low, "lr_too_low",
          "a CNN trained by SGD at lr 1e-6",
          job({"name": "synthetic_images", "n_train": 1000}, {"arch": "cnn", "width": 8,
                                                              "depth": 3},
              {"name": "sgd", "lr": 1e-6}, epochs=4, batch_size=64)),
        s("stuck_wine_mlp_adagrad_lr_1e-6", low, "lr_too_low",
          "Adagrad at lr 1e-6 for 40 epochs, validated on 10% of wine",
          job({"name": "wine", "val_fraction": 0.1}, {"arch": "mlp", "width": 32},
              {"name": "adagrad", "lr": 1e-6}, epochs=40, batch_size=16)),
        s("stuck_digits_mlp_adam_lr_0.3", high, "lr_too_high_dead_units",
          "Adam at lr 0.3: the first steps blow the ReLU units dead and the loss sits at chance",
          job("digits", {"arch": "mlp", "width": 128, "depth": 3}, {"name": "adam", "lr": 0.3},
              epochs=10, batch_size=64)),
        s("stuck_mnist1d_mlp_adam_lr_0.5", high, "lr_too_high_dead_units",
          "Adam at lr 0.5 on a 3x256 ReLU MLP: dead units, loss at chance",
          job("mnist1d", {"arch": "mlp", "width": 256, "depth": 3},
              {"name": "adam", "lr": 0.5}, epochs=10)),
        s("stuck_images_cnn_adam_lr_0.5", high, "lr_too_high_dead_units",
          "Adam at lr 0.5 on a CNN without batch norm: dead units, loss at chance",
          job({"name": "synthetic_images", "n_train": 1000},
              {"arch": "cnn", "width": 8, "depth": 3, "batchnorm": False},
              {"name": "adam", "lr": 0.5}, epochs=5, batch_size=64)),
        s("stuck_digits_mlp_sgd_momentum_lr_0.5", high, "lr_too_high_dead_units",
          "SGD at lr 0.5 with momentum 0.95 (an effective lr of 10): dead ReLUs within the "
          "first epoch",
          job("digits", {"arch": "mlp", "width": 128},
              {"name": "sgd", "lr": 0.5, "momentum": 0.95}, epochs=20, batch_size=32)),
        s("stuck_mnist1d_sigmoid_depth8_normal_init", vanish, "deep_saturating_tiny_init",
          "an 8-layer sigmoid MLP with N(0, 0.01) weights: the signal and its gradient vanish",
          job("mnist1d", {"arch": "mlp", "width": 64, "depth": 8, "activation": "sigmoid",
                          "init": "normal"},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=10)),
        s("stuck_digits_tanh_depth6_normal_init", vanish, "deep_saturating_tiny_init",
          "a 6-layer tanh MLP with N(0, 0.01) weights trained by SGD",
          job("digits", {"arch": "mlp", "width": 64, "depth": 6, "activation": "tanh",
                         "init": "normal"},
              {"name": "sgd", "lr": 0.1}, epochs=10, batch_size=64)),
        s("stuck_images_cnn_sigmoid_normal_init", vanish, "deep_saturating_tiny_init",
          "a 4-block sigmoid CNN without batch norm, N(0, 0.01) kernels",
          job({"name": "synthetic_images", "n_train": 1000},
              {"arch": "cnn", "width": 8, "depth": 4, "activation": "sigmoid",
               "init": "normal", "batchnorm": False},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=5, batch_size=64)),
        s("stuck_breast_cancer_sigmoid_depth8_normal_init", vanish, "deep_saturating_tiny_init",
          "an 8-layer sigmoid MLP with N(0, 0.01) weights for 30 epochs",
          job("breast_cancer", {"arch": "mlp", "width": 32, "depth": 8,
                                "activation": "sigmoid", "init": "normal"},
              {"name": "sgd", "lr": 0.1}, epochs=30, batch_size=32)),
        s("stuck_mnist1d_mse_sigmoid_mlp", sat, "mse_on_saturating_classifier",
          "MSE on one-hot targets with a 3-layer sigmoid MLP: the outputs settle on the class "
          "frequencies and the gradient through the saturated units is nil",
          job("mnist1d", {"arch": "mlp", "width": 128, "depth": 3, "activation": "sigmoid"},
              {"name": "sgd", "lr": 0.05}, epochs=10, loss="mse")),
        s("stuck_digits_mse_sigmoid_mlp", sat, "mse_on_saturating_classifier",
          "MSE on one-hot targets with a 4-layer sigmoid MLP",
          job("digits", {"arch": "mlp", "width": 64, "depth": 4, "activation": "sigmoid"},
              {"name": "sgd", "lr": 0.05}, epochs=10, batch_size=64, loss="mse")),
        s("stuck_iris_mse_sigmoid_mlp_long", sat, "mse_on_saturating_classifier",
          "MSE on one-hot targets with a 4-layer sigmoid MLP for 40 epochs",
          job("iris", {"arch": "mlp", "width": 32, "depth": 4, "activation": "sigmoid"},
              {"name": "sgd", "lr": 0.05}, epochs=40, batch_size=16, loss="mse")),
        s("stuck_images_mse_sigmoid_cnn", sat, "mse_on_saturating_classifier",
          "MSE on one-hot targets with a sigmoid CNN without batch norm",
          job({"name": "synthetic_images", "n_train": 1000},
              {"arch": "cnn", "width": 8, "depth": 3, "activation": "sigmoid",
               "batchnorm": False},
              {"name": "sgd", "lr": 0.05}, epochs=5, batch_size=64, loss="mse")),
        s("stuck_digits_gelu_depth5_normal_init", crit, "deep_nonsaturating_tiny_init",
          "a 5-layer GELU MLP with N(0, 0.01) weights and plain SGD: it starts at the saddle "
          "where every layer's output is ~0",
          job("digits", {"arch": "mlp", "width": 128, "depth": 5, "activation": "gelu",
                         "init": "normal"},
              {"name": "sgd", "lr": 0.1}, epochs=20, batch_size=64)),
        s("stuck_mnist1d_cnn1d_normal_init", crit, "deep_nonsaturating_tiny_init",
          "a ReLU cnn1d with N(0, 0.01) kernels and plain SGD",
          job("mnist1d", {"arch": "cnn1d", "width": 32, "init": "normal"},
              {"name": "sgd", "lr": 0.05}, epochs=10)),
        s("stuck_images_cnn_normal_init_no_bn", crit, "deep_nonsaturating_tiny_init",
          "a ReLU CNN without batch norm, N(0, 0.01) kernels, plain SGD",
          job({"name": "synthetic_images", "n_train": 1000},
              {"arch": "cnn", "width": 8, "depth": 3, "init": "normal", "batchnorm": False},
              {"name": "sgd", "lr": 0.05}, epochs=5, batch_size=64)),
        s("stuck_wine_relu_depth6_normal_init", crit, "deep_nonsaturating_tiny_init",
          "a 6-layer ReLU MLP with N(0, 0.01) weights and SGD for 40 epochs",
          job("wine", {"arch": "mlp", "width": 64, "depth": 6, "init": "normal"},
              {"name": "sgd", "lr": 0.1, "momentum": 0.5}, epochs=40, batch_size=16)),
    ]


def _oscillating() -> list[Spec]:
    def o(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, "lr_too_high_oscillation", "oscillating", None, why, spec)

    return [
        o("oscillate_breast_cancer_linear_sgd_lr_20",
          "logistic regression with SGD at lr 20 on batches of 16: each step overshoots",
          job("breast_cancer", {"arch": "linear"}, {"name": "sgd", "lr": 20.0}, epochs=20,
              batch_size=16)),
        o("oscillate_iris_linear_sgd_lr_20",
          "logistic regression with SGD at lr 20 on batches of 8",
          job("iris", {"arch": "linear"}, {"name": "sgd", "lr": 20.0}, epochs=30,
              batch_size=8)),
        o("oscillate_breast_cancer_linear_adam_lr_2",
          "logistic regression with Adam at lr 2 for 30 epochs",
          job("breast_cancer", {"arch": "linear"}, {"name": "adam", "lr": 2.0}, epochs=30,
              batch_size=16)),
        o("oscillate_wine_tanh_mlp_sgd_lr_5",
          "a tanh MLP with SGD at lr 5 on batches of 16",
          job("wine", {"arch": "mlp", "width": 32, "activation": "tanh"},
              {"name": "sgd", "lr": 5.0}, epochs=30, batch_size=16)),
        o("oscillate_digits_mlp_rmsprop_lr_0.05",
          "a small MLP with RMSprop at lr 0.05 (50x its usual lr)",
          job("digits", {"arch": "mlp", "width": 32}, {"name": "rmsprop", "lr": 0.05},
              epochs=30, batch_size=32)),
        o("oscillate_iris_mlp_rmsprop_lr_0.3",
          "a 2x32 MLP with RMSprop at lr 0.3",
          job("iris", {"arch": "mlp", "width": 32}, {"name": "rmsprop", "lr": 0.3},
              epochs=30, batch_size=16)),
    ]


def _diverging() -> list[Spec]:
    def d(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "diverging", None, why, spec)

    return [
        d("diverge_mnist1d_mlp_sgd_lr_50", "lr_too_high_divergence",
          "SGD at lr 50: the loss is NaN within the first epoch",
          job("mnist1d", {"arch": "mlp", "width": 128}, {"name": "sgd", "lr": 50.0}, epochs=6)),
        d("diverge_mnist1d_mlp_sgd_warmup_to_lr_30", "warmup_to_unstable_lr",
          "a linear warm-up over 6 epochs towards lr 30: the loss turns NaN once the lr is "
          "past what the net stands",
          job("mnist1d", {"arch": "mlp", "width": 128}, {"name": "sgd", "lr": 30.0},
              schedule={"name": "constant", "warmup_epochs": 6}, epochs=10)),
        d("diverge_regression_linear_sgd_full_batch", "lr_too_high_divergence",
          "full-batch gradient descent on a least-squares problem at lr 2.5, above 2/lambda_max:"
          " the error grows ~15x per epoch until it overflows",
          job(FRIEDMAN, {"arch": "linear"}, {"name": "sgd", "lr": 2.5}, epochs=40,
              batch_size=2048, loss="mse")),
        d("diverge_digits_linear_mse_sgd_lr_20", "lr_too_high_divergence",
          "a linear classifier on MSE with SGD at lr 20: the quadratic loss blows up "
          "geometrically",
          job("digits", {"arch": "linear"}, {"name": "sgd", "lr": 20.0}, epochs=20,
              batch_size=256, loss="mse")),
        d("diverge_iris_linear_mse_sgd_lr_8", "lr_too_high_divergence",
          "a linear classifier on MSE with full-batch SGD at lr 8",
          job("iris", {"arch": "linear"}, {"name": "sgd", "lr": 8.0}, epochs=30,
              batch_size=128, loss="mse")),
        d("diverge_wine_selu_mlp_sgd_momentum_lr_2", "lr_too_high_divergence",
          "a 3-layer SELU MLP with SGD at lr 2 and momentum 0.9",
          job("wine", {"arch": "mlp", "width": 64, "depth": 3, "activation": "selu"},
              {"name": "sgd", "lr": 2.0, "momentum": 0.9}, epochs=30, batch_size=16)),
        d("diverge_images_linear_mse_sgd", "lr_too_high_divergence",
          "a linear model on 3072 raw pixels with MSE and SGD at lr 0.05",
          job({"name": "synthetic_images", "n_train": 1000}, {"arch": "linear"},
              {"name": "sgd", "lr": 0.05}, epochs=6, batch_size=64, loss="mse")),
    ]


def _mismatch() -> list[Spec]:
    def m(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "mismatch", None, why, spec)

    return [
        m("mismatch_mnist1d_cnn1d_label_shift", "label_map_shift",
          "the validation file's labels are shifted by one class (c -> c+1)",
          job(npz("repair_mnist1d_label_shift.npz"), {"arch": "cnn1d", "width": 32},
              {"name": "adam", "lr": 0.003}, epochs=12)),
        m("mismatch_mnist1d_mlp_reversed_sequences", "feature_shift",
          "the validation sequences are stored time-reversed and negated",
          job(npz("repair_mnist1d_reversed.npz"), {"arch": "mlp", "width": 128},
              {"name": "adam", "lr": 0.002}, epochs=12)),
        m("mismatch_digits_mlp_permuted_pixels", "feature_shift",
          "the validation images' 64 pixels come in another column order",
          job(npz("repair_digits_permuted.npz"), {"arch": "mlp", "width": 128},
              {"name": "adam", "lr": 0.001}, epochs=15, batch_size=64)),
        m("mismatch_wine_mlp_calibration_offset", "feature_shift",
          "every validation feature is offset by 5 training standard deviations",
          job(npz("repair_wine_unit_shift.npz"), {"arch": "mlp", "width": 32, "depth": 1},
              {"name": "adam", "lr": 0.003}, epochs=30, batch_size=16)),
        m("mismatch_breast_cancer_linear_label_flip", "label_map_shift",
          "the validation labels code the classes the other way round",
          job(npz("repair_breast_cancer_flip.npz"), {"arch": "linear"},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=20, batch_size=32)),
        m("mismatch_iris_mlp_label_shift", "label_map_shift",
          "the validation labels are cycled (c -> c+1 mod 3)",
          job(npz("repair_iris_label_shift.npz"), {"arch": "mlp", "width": 32, "depth": 1},
              {"name": "adam", "lr": 0.01}, epochs=30, batch_size=16)),
        m("mismatch_images_cnn_label_permutation", "label_map_shift",
          "the validation images' labels go through a permutation of the 10 classes",
          job(npz("repair_images_label_shift.npz"), {"arch": "cnn", "width": 16, "depth": 3},
              {"name": "adam", "lr": 0.003}, epochs=6, batch_size=64)),
        m("mismatch_regression_mlp_sign_flip", "concept_shift",
          "the validation targets are stored with the opposite sign",
          job(regression("repair_friedman_concept_shift.npz"), {"arch": "mlp", "width": 64},
              {"name": "adam", "lr": 0.003}, epochs=30, batch_size=64, loss="mse")),
    ]


SPECS: list[Spec] = [*_healthy(), *_underfitting(), *_overfitting(), *_stuck(),
                     *_oscillating(), *_diverging(), *_mismatch()]


def _hash(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def _splits(specs: Iterable[Spec]) -> dict[str, str]:
    """tune/report per spec name: each (status, cause) group, ordered by name hash, dealt
    alternately (the first to tune)."""
    groups: dict[tuple[str, str | None], list[Spec]] = {}
    for s in specs:
        groups.setdefault((s.status, s.cause), []).append(s)
    out = {}
    for members in groups.values():
        for i, s in enumerate(sorted(members, key=lambda s: _hash(s.name))):
            out[s.name] = SPLITS[i % 2]
    return out


SPLIT = _splits(SPECS)


def separate_specs(split: str) -> list[Spec]:
    """The specs of a split kept apart from SPECS (one of SEPARATE_SPLITS): the list
    split.upper() of specs_<split>.py (imported here, not at the top: each of those modules
    imports this one)."""
    if split not in SEPARATE_SPLITS:
        raise KeyError(split)
    specs: list[Spec] = getattr(importlib.import_module(f"bench.repair.specs_{split}"),
                                split.upper())
    return specs


def _not_a_split(split: str) -> str:
    names = ", ".join((*SPLITS, "all", *SEPARATE_SPLITS))
    return f"split must be one of {names}, not {split!r}"


def split_specs(split: str) -> list[Spec]:
    """The specs of `split`: "tune" or "report" (a half of SPECS), "all" (SPECS), or one of
    SEPARATE_SPLITS."""
    if split in SEPARATE_SPLITS:
        return list(separate_specs(split))
    if split == "all":
        return list(SPECS)
    if split in SPLITS:
        return [s for s in SPECS if SPLIT[s.name] == split]
    raise ValueError(_not_a_split(split))


def with_seed(spec: dict[str, Any], seed: int) -> dict[str, Any]:
    out = copy.deepcopy(spec)
    out["dataset"]["seed"] = seed
    out["training"]["seed"] = seed
    return out


def describe(spec: dict[str, Any]) -> dict[str, Any]:
    """What the summary tables group by: dataset (npz files by their source), model family,
    run length, optimizer, schedule."""
    data = spec["dataset"]
    dataset = data["name"]
    if dataset == "npz":
        dataset = f"npz:{NPZ_SOURCE[data['path']]}"
    epochs = spec["training"]["epochs"]
    length = "short (<=10)" if epochs <= 10 else "long (>=30)" if epochs >= 30 else "medium"
    return {"dataset": dataset, "family": spec["model"]["arch"], "length": length,
            "epochs": epochs, "optimizer": spec["optimizer"]["name"],
            "schedule": spec.get("schedule", {}).get("name", "constant")}


def cases(split: str = "all", seeds: Iterable[int] = SEEDS,
          specs: Iterable[Spec] | None = None) -> list[dict[str, Any]]:
    """Every spec of `split` ("tune", "report", "all" = tune + report, or one of
    SEPARATE_SPLITS) once per seed, as plain dicts."""
    if split not in (*ALL_SPLITS, "all"):
        raise ValueError(_not_a_split(split))
    separate = split in SEPARATE_SPLITS
    source = (separate_specs(split) if separate else SPECS) if specs is None else specs
    out = []
    for s in source:
        half = split if separate else SPLIT[s.name]
        if split != "all" and not separate and half != split:
            continue
        for seed in seeds:
            out.append({"name": f"{s.name}-s{seed}", "base": s.name, "kind": s.kind,
                        "label": {"status": s.status, "cause": s.cause},
                        "spec": with_seed(s.spec, seed), "seed": seed, "split": half,
                        "why": s.why})
    return out


def check() -> None:
    """The set's own invariants (names unique, labels valid, both halves hold every
    status/cause, and so does each split kept apart, whose names repeat no other split's);
    raises AssertionError."""
    names = [s.name for s in SPECS]
    assert len(names) == len(set(names)), "spec names must be unique"
    _check_labels(SPECS)
    for half in SPLITS:
        labels = {(s.status, s.cause) for s in SPECS if SPLIT[s.name] == half}
        every = {(s.status, s.cause) for s in SPECS}
        assert labels == every, f"the {half} half lacks {every - labels}"
    seen = set(names)
    for split in SEPARATE_SPLITS:
        specs = separate_specs(split)
        split_names = [s.name for s in specs]
        assert len(split_names) == len(set(split_names)), f"{split} spec names must be unique"
        assert not set(split_names) & seen, f"{split} spec names must not repeat another split's"
        seen |= set(split_names)
        _check_labels(specs)
        lacking = {(s.status, s.cause) for s in SPECS} - {(s.status, s.cause) for s in specs}
        assert not lacking, f"the {split} split lacks {lacking}"


def _check_labels(specs: Iterable[Spec]) -> None:
    for s in specs:
        assert s.status in STATUSES and s.status != "insufficient_data", s.name
        assert (s.cause is None) == (s.status not in CAUSES), s.name
        if s.cause is not None:
            assert s.cause in CAUSES[s.status], s.name
