"""`check_config`: can this spec run? Decided without loading data.

`TrainConfig.from_dict` has already checked each field on its own; this checks them
together against what the dataset declares (DatasetInfo): model vs input kind, image
augmentations vs kind, loss vs task, options the chosen optimizer/schedule/model would
ignore. It does so by building the pieces the way the loop will — the model on the "meta"
device (shapes only, no memory), the optimizer and schedule on one dummy parameter, the
augmentations — so that the factories' own checks are the single source of the rules.

For datasets whose shape is known only from their files (npz, image_folder) the checks
that need it run again inside `train`, right after loading, with the real DatasetInfo.
"""

from __future__ import annotations

import torch

from .augment import build_augment
from .config import TrainConfig
from .data import DatasetInfo, dataset_info
from .errors import ConfigError
from .models import build_model, count_parameters
from .optim import OPTIMIZERS, build_schedule

# A bound on the model: one billion fp32 parameters is 4 GB before gradients and Adam's
# two moments (16 GB in all); beyond that the job is surely a typo in widths.
MAX_PARAMETERS = 1_000_000_000
# Stand-ins to build a model for kinds whose exact shape is known only after loading.
_PLACEHOLDER_SHAPES = {"tabular": (8,), "sequence": (1, 32), "image": (3, 32, 32)}


def check_config(cfg: TrainConfig, info: DatasetInfo | None = None) -> None:
    """Raise ConfigError (with the field path) when `cfg` cannot run. `info` defaults to
    what the dataset declares; `train` passes the loaded data's."""
    info = info or dataset_info(cfg.dataset.name)
    task = info.task or cfg.dataset.task
    _check_task(cfg, info, task)
    _check_model(cfg, info, task)
    build_augment(cfg.augmentation, info)
    _check_optimizer_and_schedule(cfg)
    _check_training(cfg, task)


def _check_task(cfg: TrainConfig, info: DatasetInfo, task: str) -> None:
    if info.task is not None and cfg.dataset.task != info.task:
        raise ConfigError("dataset.task", f"{cfg.dataset.name} is a {info.task} dataset")
    if task == "regression":
        if cfg.training.loss != "mse":
            raise ConfigError("training.loss", "regression needs the mse loss")
        if cfg.regularization.label_smoothing:
            raise ConfigError("regularization.label_smoothing", "label smoothing is for "
                                                                "classification")
    if info.num_classes is not None and info.num_classes < 2:
        raise ConfigError("dataset.name", "classification needs at least 2 classes")
    if cfg.dataset.path and cfg.dataset.name not in ("npz", "image_folder"):
        raise ConfigError("dataset.path", f"{cfg.dataset.name} is generated or bundled; "
                                          "path is for npz and image_folder")


def _check_model(cfg: TrainConfig, info: DatasetInfo, task: str) -> None:
    if info.kind is None:  # npz: nothing known until the file is read
        return
    shape = info.input_shape or _PLACEHOLDER_SHAPES[info.kind]
    outputs = info.num_classes or (1 if task == "regression" else 2)
    with torch.device("meta"):
        model = build_model(cfg.model, shape, outputs)
    if count_parameters(model) > MAX_PARAMETERS:
        raise ConfigError("model.widths" if cfg.model.widths else "model.width",
                          f"the model would have {count_parameters(model):,} parameters; "
                          f"the limit is {MAX_PARAMETERS:,}")


def _check_optimizer_and_schedule(cfg: TrainConfig) -> None:
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = OPTIMIZERS[cfg.optimizer.name]([param], cfg.optimizer, torch.device("cpu"))
    build_schedule(optimizer, cfg.schedule, cfg.training.epochs, steps_per_epoch=10)
    if cfg.optimizer.name == "lbfgs" and cfg.training.precision == "fp16":
        raise ConfigError("training.precision", "lbfgs cannot use fp16's gradient scaler; "
                                                "use fp32 or bf16")


def _check_training(cfg: TrainConfig, task: str) -> None:
    # Not checked here: training.device. The API server that checks a spec has no GPU, the
    # worker that runs it may; `train` raises if "cuda" is asked of a worker without one.
    stop = cfg.regularization.early_stopping
    if stop is not None and stop.metric.endswith("_acc") and task == "regression":
        raise ConfigError("regularization.early_stopping.metric", "regression runs record no "
                                                                  "accuracy; use val_loss")
