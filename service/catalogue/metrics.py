"""The names real clients give metrics and hyperparameters, and how fitdoc reads them.

Keras logs `loss`/`val_accuracy`, Hugging Face `eval_loss`/`learning_rate`, Lightning
`train_loss_epoch`, W&B `train/loss`. Names are compared after `normalise_name`: lower
case, every run of non-alphanumerics one "_", so "train/loss", "Train-Loss" and
"train_loss" are one name.
"""

from __future__ import annotations

import re

from service.catalogue.names import CANONICAL_METRICS


def normalise_name(name: object) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")


# Canonical metric key -> accepted names (normalised), best first.
METRIC_ALIASES: dict[str, tuple[str, ...]] = {
    "train_loss": (
        "train_loss",
        "loss",
        "training_loss",
        "train_loss_epoch",
        "loss_train",
        "trn_loss",
        "train_loss_step",
        "train_epoch_loss",
        "epoch_loss",
    ),
    "val_loss": (
        "val_loss",
        "validation_loss",
        "eval_loss",
        "valid_loss",
        "val_loss_epoch",
        "loss_val",
        "dev_loss",
        "test_loss",
        "eval_epoch_loss",
    ),
    "train_acc": (
        "train_acc",
        "accuracy",
        "acc",
        "train_accuracy",
        "training_accuracy",
        "train_acc_epoch",
        "acc_train",
        "categorical_accuracy",
        "sparse_categorical_accuracy",
    ),
    "val_acc": (
        "val_acc",
        "val_accuracy",
        "eval_accuracy",
        "validation_accuracy",
        "valid_acc",
        "eval_acc",
        "val_acc_epoch",
        "acc_val",
        "dev_acc",
        "test_acc",
        "test_accuracy",
        "val_categorical_accuracy",
        "val_sparse_categorical_accuracy",
    ),
    "lr": ("lr", "learning_rate", "lr_adam", "lr_sgd", "lr_0", "lr_group_0", "learningrate"),
    "grad_norm": ("grad_norm", "gradient_norm", "grad_norm_total", "total_grad_norm", "gnorm"),
}
assert tuple(METRIC_ALIASES) == CANONICAL_METRICS


def resolve_metric_keys(keys: list[str]) -> dict[str, str]:
    """Canonical key -> the client's key that supplies it (the best alias present wins)."""
    by_norm: dict[str, str] = {}
    for key in keys:
        by_norm.setdefault(normalise_name(key), key)
    found: dict[str, str] = {}
    for canonical, names in METRIC_ALIASES.items():
        for name in names:
            if name in by_norm:
                found[canonical] = by_norm[name]
                break
    return found


# What the advisor reads from a run's params -> the names clients use for it (normalised),
# best first. A job's run has each of these under its first name too (`JOB_PARAMS`).
PARAM_ALIASES: dict[str, tuple[str, ...]] = {
    "lr": ("lr", "learning_rate", "learningrate", "base_lr", "initial_lr", "optimizer_lr"),
    "optimizer": ("optimizer", "optim", "optimizer_name", "opt"),
    "loss": ("loss", "loss_fn", "loss_function", "criterion", "objective"),
    "activation": ("activation", "act", "activation_fn", "nonlinearity"),
    "depth": ("depth", "num_layers", "n_layers", "layers", "hidden_layers"),
    "widths": ("widths", "hidden", "hidden_sizes", "hidden_dims", "units"),
    "momentum": ("momentum",),
    "batchnorm": ("batchnorm", "batch_norm", "bn"),
    "arch": ("arch", "model", "architecture", "model_name"),
    "epochs": ("epochs", "num_epochs", "max_epochs", "n_epochs"),
    "dropout": ("dropout", "dropout_rate", "drop_rate"),
    "weight_decay": ("weight_decay", "wd", "l2"),
    "init": ("init", "initializer", "weight_init", "initialization"),
}

# A job run's params are its spec flattened ("optimizer.lr": 0.001) plus these short names,
# so that any client (a dashboard, the advisor reading params) finds them where an external
# run would put them.
JOB_PARAMS: dict[str, str] = {
    "lr": "optimizer.lr",
    "optimizer": "optimizer.name",
    "loss": "training.loss",
    "activation": "model.activation",
    "arch": "model.arch",
    "dataset": "dataset.name",
    "batch_size": "training.batch_size",
    "epochs": "training.epochs",
    "schedule": "schedule.name",
}
