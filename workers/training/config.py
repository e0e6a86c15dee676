"""The frozen training config: the JobSpec (docs/ARCHITECTURE.md section 4) as dataclasses.

`TrainConfig.from_dict` takes the JobSpec as nested dicts (JSON), checks the shape, the types,
the bounds and the names (the catalogue's, service/catalogue), and raises
`ConfigError(field="model.arch", ...)` naming the first field at fault. What needs two fields
at once (cnn on tabular data, hflip on 1-D data) is `check_config`'s job (check.py, the
catalogue's rules); neither loads data.

Only `dataset.name`, `model.arch` and `optimizer.name` are required:

    TrainConfig.from_dict({"dataset": {"name": "mnist1d"}, "model": {"arch": "mlp"},
                           "optimizer": {"name": "adam"}})

is a complete config. A `None` default means "the chosen dataset/model/optimizer/schedule's
own default", named in the field's comment. `to_dict()` gives the JSON shape back, with the
optimizer's usual learning rate filled in so stored configs say which lr was used.

The HTTP JobSpec (service/schemas.py, pydantic) declares the same fields and bounds for the
API; tests/training/test_jobspec_contract.py keeps the two in step.
"""

from __future__ import annotations

import math
import re
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import MISSING, asdict, dataclass, field, fields, is_dataclass
from typing import Any, ClassVar

from service.catalogue import (
    ACTIVATIONS,
    ARCHS,
    AUGMENTATIONS,
    DATASETS,
    DEVICE_PATTERN,
    FREEZE_NAMES,
    INITIAL_LOSS_BATCHES,
    INITS,
    JOB_ID_PATTERN,
    LOSSES,
    LR_RANGE_STEPS,
    MAX_ENSEMBLE_MEMBERS,
    MAX_FOLDS,
    MAX_FREEZE,
    MAX_HESSIAN_BATCHES,
    MAX_HESSIAN_ITERS,
    MAX_HESSIAN_K,
    MAX_INITIAL_LOSS_BATCHES,
    MAX_LR_RANGE_STEPS,
    MIN_ENSEMBLE_MEMBERS,
    MIN_FOLDS,
    OPTIMIZERS,
    PRECISIONS,
    SCHEDULES,
    TASKS,
    WATCHABLE_METRICS,
    WEIGHTS,
    check_widths,
)

from .errors import ConfigError

MAX_SEED = 2**31 - 1


# --- field helpers: bounds and allowed names live next to the field they constrain ----------


def _num(default: Any = MISSING, *, ge=None, gt=None, le=None, lt=None) -> Any:
    """A numeric field (or a tuple of numbers) with bounds checked in `__post_init__`."""
    bounds = {"ge": ge, "gt": gt, "le": le, "lt": lt}
    return field(default=default, metadata={"bounds": bounds})


def _choice(names: Iterable[str], default: Any = MISSING) -> Any:
    """A string field whose value must be one of `names` (a catalogue table's keys)."""
    return field(default=default, metadata={"choices": tuple(names)})


def _check_fields(obj: Any) -> None:
    """Bounds and choices of every field of a config section (called by `__post_init__`)."""
    for f in fields(obj):
        value = getattr(obj, f.name)
        path = f"{obj.SECTION}.{f.name}"
        if value is None:
            continue
        if "choices" in f.metadata:
            names = list(f.metadata["choices"])
            if value not in names:
                raise ConfigError(path, f"unknown value {value!r}; expected one of {names}")
        if "bounds" in f.metadata and not isinstance(value, str):  # freeze: a name or n
            items = value if isinstance(value, tuple) else (value,)
            for i, item in enumerate(items):
                item_path = f"{path}[{i}]" if isinstance(value, tuple) else path
                _check_bounds(item_path, item, **f.metadata["bounds"])


def _check_bounds(path: str, value: float, ge=None, gt=None, le=None, lt=None) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(path, f"must be a finite number, got {value}")
    for bound, ok, words in (
        (ge, lambda b: value >= b, "at least"),
        (gt, lambda b: value > b, "greater than"),
        (le, lambda b: value <= b, "at most"),
        (lt, lambda b: value < b, "less than"),
    ):
        if bound is not None and not ok(bound):
            raise ConfigError(path, f"must be {words} {bound}, got {value}")


# --- the sections --------------------------------------------------------------------------


@dataclass(frozen=True)
class DatasetConfig:
    SECTION: ClassVar[str] = "dataset"

    name: str = _choice(DATASETS)
    # npz file or image folder: relative paths are under the first dataset root (the
    # worker's FITDOC_DATASET_ROOTS; data_dir when train() is given no `files`)
    path: str | None = None
    id: str | None = None  # npz only, instead of path: an uploaded dataset (files.upload)
    n_train: int | None = _num(None, ge=1, le=10_000_000)  # shrink the training set to this
    # None: the dataset's own held-out split where it has one (mnist1d's 4000/1000, npz's
    # x_val/y_val), else 0.2. A number always re-splits train+held-out with `seed`.
    val_fraction: float | None = _num(None, gt=0.0, lt=1.0)
    seed: int = _num(0, ge=0, le=MAX_SEED)  # the split's seed (the data, not the training)
    task: str = _choice(TASKS, "classification")  # regression: npz with float y
    # Cross-validation (both or neither; no val_fraction): the training part, shrunk to
    # n_train, shuffled by `seed`, cut into `folds` parts (stratified by class); part `fold`
    # validates, the others train. A held-out split the dataset brings is not used.
    folds: int | None = _num(None, ge=MIN_FOLDS, le=MAX_FOLDS)
    fold: int | None = _num(None, ge=0, le=MAX_FOLDS - 1)
    # regression: train on targets standardised with the training set's mean and std
    standardize_targets: bool = False

    def __post_init__(self) -> None:
        _check_fields(self)


@dataclass(frozen=True)
class InitFromConfig:
    """Start from job `job_id`'s checkpoint (transfer.py): its `weights`, the head new when
    the number of outputs differs; `freeze` "none", "head_only" or the number of first
    layers that keep the source's weights."""

    SECTION: ClassVar[str] = "model.init_from"

    job_id: str
    weights: str = _choice(WEIGHTS, "best")
    freeze: str | int = _num("none", ge=1, le=MAX_FREEZE)  # bounds: a number's

    def __post_init__(self) -> None:
        _check_fields(self)
        _check_job_id("model.init_from.job_id", self.job_id)
        if isinstance(self.freeze, str) and self.freeze not in FREEZE_NAMES:
            raise ConfigError("model.init_from.freeze", f"expected one of "
                                                        f"{list(FREEZE_NAMES)} or a number of "
                                                        f"layers, got {self.freeze!r}")


@dataclass(frozen=True)
class ModelConfig:
    SECTION: ClassVar[str] = "model"

    arch: str = _choice(ARCHS)
    widths: tuple[int, ...] | None = _num(None, ge=1, le=65_536)  # mlp: hidden layer widths
    width: int | None = _num(None, ge=1, le=65_536)  # per arch default, see models.py
    depth: int | None = _num(None, ge=1, le=64)  # per arch default, see models.py
    activation: str = _choice(ACTIVATIONS, "relu")
    dropout: float = _num(0.0, ge=0.0, lt=1.0)
    batchnorm: bool | None = None  # None: the arch's default (on for cnn and resnet18)
    init: str = _choice(INITS, "default")
    init_from: InitFromConfig | None = None  # start from another job's checkpoint

    def __post_init__(self) -> None:
        _check_fields(self)
        check_widths(self.widths, self.width, self.depth)


@dataclass(frozen=True)
class OptimizerConfig:
    SECTION: ClassVar[str] = "optimizer"

    name: str = _choice(OPTIMIZERS)
    lr: float | None = _num(None, gt=0.0, le=1e6)  # None: the optimizer's usual lr
    momentum: float | None = _num(None, ge=0.0, lt=1.0)  # sgd, rmsprop; None: 0
    nesterov: bool = False  # sgd with momentum > 0
    weight_decay: float = _num(0.0, ge=0.0, le=10.0)  # the optimizer's own (decoupled in adamw)
    betas: tuple[float, float] | None = _num(None, ge=0.0, lt=1.0)  # adam, adamw
    alpha: float | None = _num(None, gt=0.0, lt=1.0)  # rmsprop's moving-average weight

    def __post_init__(self) -> None:
        _check_fields(self)
        if self.lr is None:
            # Resolved here, not in the factory, so that to_dict() (stored with the results and
            # read by the advisor's "lower lr by 10x" patch) says which lr actually ran.
            object.__setattr__(self, "lr", OPTIMIZERS[self.name].usual_lr)


@dataclass(frozen=True)
class ScheduleConfig:
    SECTION: ClassVar[str] = "schedule"

    name: str = _choice(SCHEDULES, "constant")
    warmup_epochs: float = _num(0.0, ge=0.0, le=100_000)  # linear ramp; onecycle: its rise
    step_size: int | None = _num(None, ge=1, le=100_000)  # step: epochs between drops
    gamma: float | None = _num(None, gt=0.0, le=1.0)  # step (0.1), exponential (0.9 / epoch)
    min_lr: float | None = _num(None, ge=0.0, le=1e6)  # cosine, linear: the final lr (0)
    power: float | None = _num(None, gt=0.0, le=10.0)  # inverse: 0.5 = 1/sqrt(t), 1 = 1/t
    factor: float | None = _num(None, gt=0.0, lt=1.0)  # plateau: lr multiplier (0.1)
    patience: int | None = _num(None, ge=0, le=100_000)  # plateau: epochs without gain (5)

    def __post_init__(self) -> None:
        _check_fields(self)


@dataclass(frozen=True)
class EarlyStoppingConfig:
    SECTION: ClassVar[str] = "regularization.early_stopping"

    metric: str = _choice(WATCHABLE_METRICS, "val_loss")
    patience: int = _num(5, ge=1, le=100_000)  # epochs without improvement before stopping
    min_delta: float = _num(0.0, ge=0.0, le=1e6)  # smaller changes do not count as improvement

    def __post_init__(self) -> None:
        _check_fields(self)


@dataclass(frozen=True)
class RegularizationConfig:
    SECTION: ClassVar[str] = "regularization"

    # Penalties added to the loss over weight matrices and kernels (not biases or norm scales):
    # l1 * sum|w| and l2/2 * sum w^2, so l2 has the gradient of SGD's weight_decay=l2.
    l1: float = _num(0.0, ge=0.0, le=100.0)
    l2: float = _num(0.0, ge=0.0, le=100.0)
    label_smoothing: float = _num(0.0, ge=0.0, lt=1.0)
    early_stopping: EarlyStoppingConfig | None = None

    def __post_init__(self) -> None:
        _check_fields(self)


@dataclass(frozen=True)
class TrainingConfig:
    SECTION: ClassVar[str] = "training"

    epochs: int = _num(10, ge=1, le=100_000)
    batch_size: int = _num(128, ge=1, le=1 << 20)
    loss: str = _choice(LOSSES, "cross_entropy")
    precision: str = _choice(PRECISIONS, "fp32")
    device: str = "auto"  # auto | cpu | cuda | cuda:N
    grad_clip: float | None = _num(None, gt=0.0, le=1e6)  # max total gradient norm
    compile: bool = False  # torch.compile the model
    seed: int = _num(0, ge=0, le=MAX_SEED)  # init, shuffling and augmentation

    def __post_init__(self) -> None:
        _check_fields(self)
        if not re.fullmatch(DEVICE_PATTERN, self.device):
            raise ConfigError("training.device", f"expected auto, cpu, cuda or cuda:N, got "
                                                 f"{self.device!r}")


# --- probes: jobs that measure (service/catalogue/probes.py, workers/training/probes.py) -----


def _check_job_id(path: str, value: str) -> None:
    if not re.fullmatch(JOB_ID_PATTERN, value):
        raise ConfigError(path, f"expected a job id (32 hex characters), got {value!r}")


@dataclass(frozen=True)
class InitialLossProbe:
    """The untrained model's loss on at most `batches` training batches, vs ln C (or the
    MSE of the best constant prediction). No training."""

    SECTION: ClassVar[str] = "probe"

    kind: str = _choice(("initial_loss",))
    batches: int = _num(INITIAL_LOSS_BATCHES, ge=1, le=MAX_INITIAL_LOSS_BATCHES)

    def __post_init__(self) -> None:
        _check_fields(self)


@dataclass(frozen=True)
class LrRangeProbe:
    """`steps` mini-batches of the spec's model and optimizer, the lr growing exponentially
    from lr_min to lr_max; stops when the smoothed loss passes 4x its best."""

    SECTION: ClassVar[str] = "probe"

    kind: str = _choice(("lr_range",))
    lr_min: float = _num(1e-7, gt=0.0, le=1e6)
    lr_max: float = _num(10.0, gt=0.0, le=1e6)
    steps: int = _num(LR_RANGE_STEPS, ge=5, le=MAX_LR_RANGE_STEPS)
    # the weight of the past in the loss's moving average (bias-corrected, as fastai's)
    smoothing: float = _num(0.9, ge=0.0, lt=1.0)

    def __post_init__(self) -> None:
        _check_fields(self)


@dataclass(frozen=True)
class HessianProbe:
    """At job `job_id`'s checkpoint weights: the k largest and k smallest eigenvalues of the
    training loss's Hessian over `batches` fixed training batches (Lanczos, `iters`
    Hessian-vector products), the gradient norm, a verdict; at a saddle point, a checkpoint
    moved along the most negative eigenvector (`escape_step`; None: a line search)."""

    SECTION: ClassVar[str] = "probe"

    kind: str = _choice(("hessian",))
    job_id: str
    weights: str = _choice(WEIGHTS, "best")
    batches: int = _num(4, ge=1, le=MAX_HESSIAN_BATCHES)
    k: int = _num(3, ge=1, le=MAX_HESSIAN_K)
    iters: int = _num(30, ge=2, le=MAX_HESSIAN_ITERS)
    tolerance: float = _num(1e-3, gt=0.0, lt=1.0)
    escape_step: float | None = _num(None, gt=0.0, le=1e3)

    def __post_init__(self) -> None:
        _check_fields(self)
        _check_job_id("probe.job_id", self.job_id)


@dataclass(frozen=True)
class EnsembleProbe:
    """The members' (job ids) best weights, their softmax probabilities (regression: their
    outputs) averaged on the validation set of the spec's dataset, vs each member."""

    SECTION: ClassVar[str] = "probe"

    kind: str = _choice(("ensemble",))
    members: tuple[str, ...]

    def __post_init__(self) -> None:
        _check_fields(self)
        if not MIN_ENSEMBLE_MEMBERS <= len(self.members) <= MAX_ENSEMBLE_MEMBERS:
            raise ConfigError("probe.members", f"{MIN_ENSEMBLE_MEMBERS} to "
                                               f"{MAX_ENSEMBLE_MEMBERS} jobs, got "
                                               f"{len(self.members)}")
        for i, member in enumerate(self.members):
            _check_job_id(f"probe.members[{i}]", member)


Probe = InitialLossProbe | LrRangeProbe | HessianProbe | EnsembleProbe
PROBES: dict[str, type] = {cls.__dataclass_fields__["kind"].metadata["choices"][0]: cls
                           for cls in typing.get_args(Probe)}


@dataclass(frozen=True)
class TrainConfig:
    """The whole job spec. Treat `augmentation` as read-only like the rest.

    augmentation maps an AUGMENTATIONS name to its parameters, e.g.
    {"hflip": {}, "random_crop": {"padding": 4}}; `true` stands for `{}` and `false` drops
    the entry. They are applied in AUGMENTATIONS' order, whatever the order here.
    """

    SECTION: ClassVar[str] = ""

    dataset: DatasetConfig
    model: ModelConfig
    optimizer: OptimizerConfig
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    regularization: RegularizationConfig = field(default_factory=RegularizationConfig)
    augmentation: dict[str, dict[str, Any]] = field(default_factory=dict)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    # A probe job measures instead of (only) training (workers/training/probes.py); its
    # training.epochs is not read. None: an ordinary training job.
    probe: Probe | None = None

    def __post_init__(self) -> None:
        for name in self.augmentation:
            if name not in AUGMENTATIONS:
                raise ConfigError(f"augmentation.{name}", f"unknown augmentation; expected "
                                                          f"one of {list(AUGMENTATIONS)}")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TrainConfig:
        """Parse a JobSpec-shaped dict; ConfigError names the first field at fault."""
        return _parse(cls, data, "")

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape (tuples become lists); `from_dict(to_dict())` gives it back. A
        training job's has no `probe` key (as JobSpec.resolved()), so its stored spec and
        its training state's fingerprint are what they were before probes existed."""
        spec = _jsonable(asdict(self))
        if spec["probe"] is None:
            del spec["probe"]
        return spec


# --- from_dict: one generic walk over the dataclasses' type hints --------------------------


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _parse(cls: type, data: Any, path: str) -> Any:
    if not isinstance(data, Mapping):
        raise ConfigError(path or "spec", f"expected an object, got {_type_name(data)}")
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in fields(cls) if f.init}
    for key in data:
        if key not in known:
            raise ConfigError(_join(path, str(key)),
                              f"unknown field; expected one of {sorted(known)}")
    kwargs = {}
    for name, f in known.items():
        if name in data:
            kwargs[name] = _coerce(hints[name], data[name], _join(path, name))
        elif f.default is MISSING and f.default_factory is MISSING:
            raise ConfigError(_join(path, name), "is required")
    return cls(**kwargs)


def _coerce(tp: Any, value: Any, path: str) -> Any:
    """Check `value` against the type hint `tp`, converting JSON forms (list -> tuple)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (types.UnionType, typing.Union):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        if len(inner) > 1 and not all(map(is_dataclass, inner)):  # freeze: str | int
            return _coerce_either(inner, value, path)
        if len(inner) > 1:  # the probe: dataclasses told apart by their `kind`
            return _parse_tagged(inner, value, path)
        return _coerce(inner[0], value, path)
    if value is None:
        raise ConfigError(path, "must not be null")
    if is_dataclass(tp):
        return _parse(tp, value, path)
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(path, f"expected true or false, got {_type_name(value)}")
        return value
    if tp is int:
        # JSON has one number type: 10.0 is accepted as 10, 10.5 and true are not.
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(path, f"expected an integer, got {value!r}")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(path, f"expected a number, got {value!r}")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(path, f"expected a string, got {_type_name(value)}")
        return value
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise ConfigError(path, f"expected a list, got {_type_name(value)}")
        variadic = len(args) == 2 and args[1] is Ellipsis
        if not variadic and len(value) != len(args):
            raise ConfigError(path, f"expected a list of {len(args)} numbers, got {len(value)}")
        item_types = [args[0]] * len(value) if variadic else list(args)
        return tuple(_coerce(t, v, f"{path}[{i}]")
                     for i, (t, v) in enumerate(zip(item_types, value, strict=True)))
    if origin is dict:  # augmentation: {name: {param: value} | bool}
        if not isinstance(value, Mapping):
            raise ConfigError(path, f"expected an object, got {_type_name(value)}")
        out = {}
        for name, params in value.items():
            item_path = _join(path, str(name))
            if params is True:
                params = {}
            elif params is False or params is None:
                continue
            if not isinstance(params, Mapping):
                raise ConfigError(item_path, "expected true, false or an object of parameters")
            out[str(name)] = {k: _plain_param(v, _join(item_path, str(k)))
                              for k, v in params.items()}
        return out
    raise TypeError(f"config type {tp!r} at {path} is not handled")  # a bug here, not in input


def _coerce_either(types_: list[Any], value: Any, path: str) -> Any:
    """A value of the first of `types_` (plain types, no dataclass) that takes it."""
    for tp in types_:
        try:
            return _coerce(tp, value, path)
        except ConfigError:
            continue
    names = " or ".join(getattr(tp, "__name__", str(tp)) for tp in types_)
    raise ConfigError(path, f"expected {names}, got {value!r}")


def _parse_tagged(classes: list[type], data: Any, path: str) -> Any:
    if not isinstance(data, Mapping):
        raise ConfigError(path, f"expected an object, got {_type_name(data)}")
    kinds = {cls.__dataclass_fields__["kind"].metadata["choices"][0]: cls for cls in classes}
    kind = data.get("kind")
    if kind not in kinds:
        raise ConfigError(_join(path, "kind"), f"unknown value {kind!r}; expected one of "
                                               f"{list(kinds)}")
    return _parse(kinds[kind], data, path)


def _plain_param(value: Any, path: str) -> Any:
    """Augmentation parameters: numbers, booleans or short lists of numbers."""
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value
    ):
        return tuple(value)
    raise ConfigError(path, f"expected a number, a boolean or a list of numbers, got {value!r}")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
