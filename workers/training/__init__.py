"""fitdoc's training engine: pure PyTorch (imports only the standard library, torch, numpy
and the stdlib-only spec catalogue, service/catalogue), so it runs on a GPU box with nothing
else installed. See README.md beside this file.

    cfg = TrainConfig.from_dict(spec)      # ConfigError(field, message) on a bad field
    check_config(cfg)                      # ConfigError when the spec cannot run
    result = train(cfg, on_epoch=..., should_stop=...)
    save_checkpoint(path, result)          # last + best weights; load_model(path) rebuilds
    train(cfg, state_path=p, on_resume=...)  # resumable: state saved at each epoch end
    train(cfg, files=Files(roots=(root,)))   # the only folders a dataset.path may name
    discard_state(p)                       # once the job has ended
    run_probe(cfg_with_probe, on_point=...)  # a probe job (spec.probe): measures, see probes.py
"""

from .augment import AUGMENTATIONS
from .check import check_config
from .checkpoint import load_model, save_checkpoint
from .config import TrainConfig
from .data import DATASETS, DatasetInfo, Files, dataset_info
from .errors import Cancelled, ConfigError
from .loop import METRIC_KEYS, train
from .losses import LOSSES
from .models import MODELS
from .optim import OPTIMIZERS, SCHEDULES, schedule_curve
from .probes import ProbeResult, run_probe
from .result import TrainResult
from .resume import config_fingerprint, discard_state

__all__ = [
    "AUGMENTATIONS",
    "DATASETS",
    "LOSSES",
    "METRIC_KEYS",
    "MODELS",
    "OPTIMIZERS",
    "SCHEDULES",
    "Cancelled",
    "ConfigError",
    "DatasetInfo",
    "Files",
    "ProbeResult",
    "TrainConfig",
    "TrainResult",
    "check_config",
    "config_fingerprint",
    "dataset_info",
    "discard_state",
    "load_model",
    "run_probe",
    "save_checkpoint",
    "schedule_curve",
    "train",
]
