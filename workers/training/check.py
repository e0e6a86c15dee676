"""`check_config`: can this spec run? Decided without loading data.

`TrainConfig.from_dict` has already checked each field on its own; this checks them
together against what the dataset declares (DatasetInfo): model vs input kind, image
augmentations vs kind, loss vs task, options the chosen optimizer/schedule/model would
ignore, the model's size. The rules are the catalogue's (service/catalogue/rules.py), the
same the API runs before it queues a job, so the two never disagree.

For datasets whose shape is known only from their files (npz, image_folder) the checks
that need it run again inside `train`, right after loading, with the real DatasetInfo.
"""

from __future__ import annotations

from service.catalogue import DatasetInfo, check_spec

from .config import TrainConfig
from .data import dataset_info


def check_config(cfg: TrainConfig, info: DatasetInfo | None = None) -> None:
    """Raise ConfigError (with the field path) when `cfg` cannot run. `info` defaults to
    what the dataset declares; `train` passes the loaded data's."""
    check_spec(cfg.to_dict(), info or dataset_info(cfg.dataset.name))
