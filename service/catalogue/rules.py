"""Can this spec run? The rules that tie JobSpec fields together, decided from the
catalogue alone: no torch, no data loaded.

`check_spec(spec)` takes a resolved spec (the JSON shape a job stores: every section, every
field, the optimizer's lr filled in) and raises `SpecError(field, message)` naming the first
field at fault, in the order a reader of the spec would meet them: task and data, model,
augmentation, optimizer, schedule, training. The API runs it on every submitted job; the
worker runs it again right after loading the data, with the loaded data's `DatasetInfo`
(an npz's kind and shape are known only then), and the engine's factories call the single
rules below (`check_model`, `augmentation_params`, `check_optimizer`, `check_schedule`)
so that each rule is written once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from service.catalogue.names import (
    ARCHS,
    AUGMENTATIONS,
    DATASETS,
    DEFAULT_VAL_FRACTION,
    LOSSES,
    MODEL_OPTIONS,
    OPTIMIZER_OPTIONS,
    OPTIMIZERS,
    PLACEHOLDER_SHAPES,
    SCHEDULE_OPTIONS,
    SCHEDULES,
    DatasetInfo,
    Param,
    describe_shape,
    kind_of_shape,
)

# The datasets an upload (POST /api/v1/datasets, `dataset.id`) can be read as.
UPLOADABLE = ("npz",)

# A bound on the model: one billion fp32 parameters is 4 GB before gradients and Adam's
# two moments (16 GB in all); beyond that the job is surely a typo in widths.
MAX_PARAMETERS = 1_000_000_000


class SpecError(ValueError):
    """A job spec that cannot run, with the dotted path of the field at fault.

    The API turns it into a 422 ``{"error": {"code", "message", "field"}}`` (field prefixed
    with "spec."); the worker fails the job with it. The message is written for the person
    who sent the spec ("cnn needs images ..."), not for us.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def check_spec(spec: Mapping[str, Any], info: DatasetInfo | None = None) -> None:
    """Raise SpecError when `spec` cannot run. `info` defaults to what the dataset declares;
    the worker passes the loaded data's."""
    dataset = spec["dataset"]
    info = info or DATASETS[dataset["name"]]
    task = info.task or dataset["task"]
    check_task(spec, info, task)
    if info.kind is not None:
        shape = info.input_shape or PLACEHOLDER_SHAPES[info.kind]
        outputs = info.num_classes or (1 if task == "regression" else 2)
        check_model(spec["model"], shape)
        check_model_size(spec["model"], shape, outputs)
    else:  # npz: nothing known about the model's input until it is read, but its options
        check_model_options(spec["model"])
    check_init_from(spec["model"])
    for name, params in spec["augmentation"].items():
        augmentation_params(name, params, info)
    check_optimizer(spec["optimizer"])
    check_schedule(spec["schedule"], spec["training"]["epochs"], spec["optimizer"]["lr"])
    check_training(spec, task)
    if spec.get("probe"):
        check_probe(spec)


def deep_merge(base: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with `patch` laid over it: objects merge key by key, anything else replaces.
    How a follow-up job applies a suggestion's patch to its parent's spec."""
    merged = dict(base)
    for key, value in patch.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


# --- task and data --------------------------------------------------------------------------


def check_task(spec: Mapping[str, Any], info: DatasetInfo, task: str) -> None:
    dataset, training = spec["dataset"], spec["training"]
    name = dataset["name"]
    if info.task is not None and dataset["task"] != info.task:
        raise SpecError("dataset.task", f"{name} is a {info.task} dataset")
    if task not in LOSSES[training["loss"]].tasks:
        usable = [loss for loss, facts in LOSSES.items() if task in facts.tasks]
        raise SpecError("training.loss", f"{task} needs the {' or '.join(usable)} loss")
    if task == "regression" and spec["regularization"]["label_smoothing"]:
        raise SpecError("regularization.label_smoothing", "label smoothing is for "
                                                          "classification")
    if task != "regression" and dataset.get("standardize_targets"):
        raise SpecError("dataset.standardize_targets", "standardising targets is for "
                                                       "regression; labels are classes")
    if info.num_classes is not None and info.num_classes < 2:
        raise SpecError("dataset.name", "classification needs at least 2 classes")
    check_source(dataset)
    available = train_samples(dataset, info)
    if dataset.get("n_train") and available is not None and dataset["n_train"] > available:
        raise SpecError("dataset.n_train", f"{dataset['n_train']} is more than the {available} "
                                           f"training samples of {name}")
    check_folds(dataset, info, task)


def check_source(dataset: Mapping[str, Any]) -> None:
    """Where the data comes from: a user's files need a path (an npz: a path or the id of an
    upload, not both); generated and bundled datasets take neither. Whether the path or the
    upload can be read is the caller's to check (paths.py; the API and the worker)."""
    name = dataset["name"]
    user_files = DATASETS[name].user_files  # as declared: `info` may be the loaded data's
    path, upload = dataset.get("path"), dataset.get("id")
    if path and not user_files:
        readers = " and ".join(n for n, facts in DATASETS.items() if facts.user_files)
        raise SpecError("dataset.path", f"{name} is generated or bundled; path is for "
                                        f"{readers}")
    if upload is not None and name not in UPLOADABLE:
        raise SpecError("dataset.id", f"id names an uploaded dataset (POST /api/v1/datasets), "
                                      f"which is read as {' or '.join(UPLOADABLE)}; {name} "
                                      "takes none")
    if path and upload is not None:
        raise SpecError("dataset.id", "give either path (a file on the workers) or id (an "
                                      "upload), not both")
    if user_files and not path and upload is None:
        also = " or the id of an uploaded dataset" if name in UPLOADABLE else ""
        raise SpecError("dataset.path", f"the {name} dataset needs a path{also}")


def train_samples(dataset: Mapping[str, Any], info: DatasetInfo | None = None) -> int | None:
    """How many training samples the dataset section can give (before n_train shrinks
    them): the samples not held out for validation. None: not known before loading, or
    generated to order. `info`: what is known of the data (an upload's sizes), else what
    the catalogue declares."""
    info = info or DATASETS[dataset["name"]]
    if info.samples is None:
        return None
    if dataset.get("folds") is not None:  # cross-validation cuts up the whole training part
        return info.samples - (info.held_out or 0)
    fraction = dataset.get("val_fraction")
    if fraction is None and info.held_out is not None:
        return info.samples - info.held_out
    return info.samples - round(info.samples * (fraction or DEFAULT_VAL_FRACTION))


# --- cross-validation folds -----------------------------------------------------------------

# dataset.folds: how many parts the training data is cut into (the k of k-fold).
MIN_FOLDS, MAX_FOLDS = 2, 20
# The fewest samples a regression's fold may validate on (a classifier's: one per class).
REGRESSION_FOLD_SAMPLES = 2


def fold_samples(dataset: Mapping[str, Any], info: DatasetInfo | None = None) -> int | None:
    """How many samples `dataset.folds` cuts into folds: the dataset's training part (its
    own held-out split, mnist1d's test set or an npz's x_val, stays out of it), shrunk to
    n_train. None: known only once the files are read."""
    info = info or DATASETS[dataset["name"]]
    n_train = dataset.get("n_train")
    if info.samples is None:  # generated to order (n_train of them), or files
        return n_train or info.generated_train
    available = info.samples - (info.held_out or 0)
    return min(n_train, available) if n_train else available


def min_fold_samples(folds: int, classes: int | None) -> int:
    """The fewest training samples `folds` folds may be cut from: each fold's validation
    part holds one sample per class on average (a regression's: REGRESSION_FOLD_SAMPLES)."""
    return folds * (classes or REGRESSION_FOLD_SAMPLES)


def check_fold_samples(n: int, folds: int, classes: int | None) -> None:
    """SpecError on dataset.folds when `n` training samples are too few for `folds` folds
    (min_fold_samples); the worker calls it again with the loaded data's count."""
    need = min_fold_samples(folds, classes)
    if n < need:
        per = (f"one sample per class per fold, {classes} classes" if classes
               else f"{REGRESSION_FOLD_SAMPLES} samples per fold")
        raise SpecError("dataset.folds", f"{folds} folds need at least {need} training "
                                         f"samples ({per}), this dataset gives {n}; use "
                                         "fewer folds or more samples")


def check_folds(dataset: Mapping[str, Any], info: DatasetInfo, task: str) -> None:
    """folds and fold come together (fold < folds), without val_fraction (the fold is the
    validation set), and the training part is big enough to cut into folds."""
    folds, fold = dataset.get("folds"), dataset.get("fold")
    if folds is None and fold is None:
        return
    if folds is None:
        raise SpecError("dataset.folds", f"fold needs folds: how many parts ({MIN_FOLDS}-"
                                         f"{MAX_FOLDS}) the training data is cut into")
    if fold is None:
        raise SpecError("dataset.fold", f"folds needs fold: which of the {folds} parts "
                                        f"(0-{folds - 1}) is the validation set")
    if fold >= folds:
        raise SpecError("dataset.fold", f"must be less than folds: the {folds} parts are "
                                        f"0-{folds - 1}, got {fold}")
    if dataset.get("val_fraction") is not None:
        raise SpecError("dataset.val_fraction", f"with folds the validation set is fold "
                                                f"{fold}; leave val_fraction out")
    n = fold_samples(dataset, info)
    if n is not None:
        check_fold_samples(n, folds, info.num_classes if task == "classification" else None)


# --- the model ------------------------------------------------------------------------------


def check_widths(widths: Any, width: Any, depth: Any) -> None:
    """mlp layers are given one way or the other, not both."""
    if widths is not None and (width is not None or depth is not None):
        raise SpecError("model.widths", "give either widths or width+depth, not both")
    if widths is not None and not 1 <= len(widths) <= 64:
        raise SpecError("model.widths", "must list between 1 and 64 layer widths")


def check_model_options(model: Mapping[str, Any]) -> None:
    """The layers are given one way, and the arch uses every option given: nothing here
    depends on the data, so it is checked for an npz file's job before the file is read.
    (A follow-up adding BatchNorm to a linear model of an npz file was accepted, then
    failed in the worker.)"""
    check_widths(model.get("widths"), model.get("width"), model.get("depth"))
    _check_options(model)


def _check_options(model: Mapping[str, Any]) -> None:
    arch = model["arch"]
    for option in MODEL_OPTIONS:
        if option not in ARCHS[arch].options and model.get(option):
            raise SpecError(f"model.{option}", f"{arch} does not use {option}")


def check_model(model: Mapping[str, Any], input_shape: tuple[int, ...]) -> None:
    """The arch takes this kind of data, uses every option given, and is not too deep for
    the input. (Its size is `check_model_size`'s.)"""
    arch = model["arch"]
    facts = ARCHS[arch]
    check_widths(model.get("widths"), model.get("width"), model.get("depth"))
    kind = kind_of_shape(input_shape)
    if kind not in facts.inputs:
        needs = {"tabular": "tabular data (F,)", "sequence": "sequences (C, L)",
                 "image": "images (C, H, W)"}
        fitting = [name for name, f in ARCHS.items() if kind in f.inputs]
        raise SpecError("model.arch", f"{arch} needs {' or '.join(needs[k] for k in facts.inputs)}"
                                      f" but this dataset's samples are "
                                      f"{describe_shape(input_shape)}; use "
                                      f"{' or '.join(fitting)}")
    _check_options(model)
    depth = model.get("depth") or facts.depth
    if arch == "cnn1d" and min(cnn1d_lengths(input_shape[1], depth)) < 1:
        raise SpecError("model.depth", f"{depth} stride-2 layers shrink sequences of length "
                                       f"{input_shape[1]} to nothing")
    if arch == "cnn" and min(input_shape[1:]) < 2**depth:
        side = 2**depth
        raise SpecError("model.depth", f"{depth} max-pool blocks need images of at least "
                                       f"{side}x{side}, got {input_shape[1]}x{input_shape[2]}")


def cnn1d_lengths(length: int, depth: int) -> list[int]:
    """Sequence length after each of cnn1d's stride-2 layers (padding 1; kernel 5, then 3)."""
    lengths = []
    for i in range(depth):
        kernel = cnn1d_kernel(i)
        length = (length + 2 - kernel) // 2 + 1
        lengths.append(length)
    return lengths


def cnn1d_kernel(layer: int) -> int:
    return 5 if layer == 0 else 3  # the MNIST-1D paper's first layer sees a wider window


def mlp_widths(model: Mapping[str, Any]) -> tuple[int, ...]:
    facts = ARCHS["mlp"]
    if model.get("widths"):
        return tuple(model["widths"])
    return (model.get("width") or facts.width,) * (model.get("depth") or facts.depth)


def count_parameters(model: Mapping[str, Any], input_shape: tuple[int, ...],
                     outputs: int) -> int:
    """The trainable parameters the engine's model will have, by arithmetic (a test checks
    it against torch for every arch). Batch-norm running statistics are buffers."""
    arch, facts = model["arch"], ARCHS[model["arch"]]
    width, depth = model.get("width") or facts.width, model.get("depth") or facts.depth
    batchnorm = facts.batchnorm if model.get("batchnorm") is None else model["batchnorm"]

    def linear(fan_in: int, fan_out: int, bias: bool = True) -> int:
        return fan_in * fan_out + (fan_out if bias else 0)

    def norm(channels: int) -> int:
        return 2 * channels if batchnorm else 0

    if arch == "linear":
        return linear(math.prod(input_shape), outputs)
    if arch == "mlp":
        total, fan_in = 0, math.prod(input_shape)
        for w in mlp_widths(model):
            total += linear(fan_in, w) + norm(w)
            fan_in = w
        return total + linear(fan_in, outputs)
    if arch == "cnn1d":
        channels, total = input_shape[0], 0
        for i in range(depth):
            total += linear(channels * cnn1d_kernel(i), width) + norm(width)
            channels = width
        return total + linear(width * cnn1d_lengths(input_shape[1], depth)[-1], outputs)
    if arch == "cnn":
        channels, total = input_shape[0], 0
        for i in range(depth):
            out = width * 2**i
            total += linear(channels * 9, out, bias=not batchnorm) + norm(out)
            channels = out
        return total + linear(channels, outputs)
    if arch == "resnet18":
        def block(cin: int, cout: int, stride: int) -> int:
            shortcut = linear(cin, cout, False) + norm(cout) if stride != 1 or cin != cout else 0
            return (linear(cin * 9, cout, False) + linear(cout * 9, cout, False)
                    + 2 * norm(cout) + shortcut)

        total = linear(input_shape[0] * 9, width, False) + norm(width)
        cin = width
        for stage, stride in enumerate((1, 2, 2, 2)):
            cout = width * 2**stage
            total += block(cin, cout, stride) + block(cout, cout, 1)
            cin = cout
        return total + linear(cin, outputs)
    raise KeyError(f"no parameter count for arch {arch!r}")  # a catalogue entry without one


def check_model_size(model: Mapping[str, Any], input_shape: tuple[int, ...],
                     outputs: int) -> None:
    n = count_parameters(model, input_shape, outputs)
    if n > MAX_PARAMETERS:
        raise SpecError("model.widths" if model.get("widths") else "model.width",
                        f"the model would have {n:,} parameters; the limit is "
                        f"{MAX_PARAMETERS:,}")


# --- transfer: starting from another job's weights (model.init_from) ------------------------

# model.init_from.freeze: a name, or how many of the first layers keep the source's weights.
FREEZE_NAMES = ("none", "head_only")
MAX_FREEZE = 64  # an mlp has at most 64 hidden layers


def model_layers(model: Mapping[str, Any]) -> int:
    """The layers `model.init_from.freeze` counts, the head (the last Linear) last: a Linear
    or convolution with what follows it up to the next (its BatchNorm, activation, pooling,
    dropout), or a ResNet BasicBlock. linear 1; mlp its hidden layers + 1; cnn1d and cnn
    depth + 1; resnet18 the stem, 8 blocks and the head, 10. (The engine groups a torch
    model the same way; a test checks each arch.)"""
    arch, facts = model["arch"], ARCHS[model["arch"]]
    if arch == "linear":
        return 1
    if arch == "mlp":
        return len(mlp_widths(model)) + 1
    if arch in ("cnn1d", "cnn"):
        return (model.get("depth") or facts.depth) + 1
    if arch == "resnet18":
        return 10
    raise KeyError(f"no layer count for arch {arch!r}")  # a catalogue entry without one


def frozen_layers(model: Mapping[str, Any]) -> int:
    """How many of the model's first layers `model.init_from.freeze` freezes."""
    freeze = (model.get("init_from") or {}).get("freeze", "none")
    if freeze == "none":
        return 0
    if freeze == "head_only":
        return model_layers(model) - 1
    return int(freeze)


def check_init_from(model: Mapping[str, Any]) -> None:
    """A number of frozen layers leaves at least the head to train. (That the source job
    exists, is the project's and has a checkpoint is the API's to check, and that its model
    fits this one `check_same_architecture`, at submit and again on the worker.)"""
    freeze = (model.get("init_from") or {}).get("freeze", "none")
    if freeze in FREEZE_NAMES:
        return
    layers = model_layers(model)
    if freeze >= layers:
        raise SpecError("model.init_from.freeze", f"{model['arch']} here has {layers} layers, "
                                                  f"the last the head: freeze at most "
                                                  f"{layers - 1} so that something trains "
                                                  "(head_only trains the head alone)")


def architecture(model: Mapping[str, Any]) -> dict[str, Any]:
    """What fixes a model's layers and their shapes besides its input and outputs: two
    model sections with the same architecture build the same parameters."""
    arch, facts = model["arch"], ARCHS[model["arch"]]
    shape: dict[str, Any] = {"arch": arch}
    if arch == "mlp":
        shape["widths"] = list(mlp_widths(model))
    else:
        if "width" in facts.options:
            shape["width"] = model.get("width") or facts.width
        if "depth" in facts.options:
            shape["depth"] = model.get("depth") or facts.depth
    if arch != "linear":
        shape["activation"] = model.get("activation") or "relu"
    if "batchnorm" in facts.options:
        shape["batchnorm"] = facts.batchnorm if model.get("batchnorm") is None \
            else model["batchnorm"]
    if "dropout" in facts.options:  # a Dropout module or none: the layers' positions
        shape["dropout"] = bool(model.get("dropout"))
    return shape


def check_same_architecture(source: Mapping[str, Any], model: Mapping[str, Any],
                            job_id: str) -> None:
    """SpecError naming the first field of `model` that builds other layers than the source
    job's model section: arch, widths (or width and depth), activation, batchnorm, dropout
    on or off. Dropout's rate, init and the number of outputs (the head) may differ."""
    theirs, mine = architecture(source), architecture(model)
    for key, value in mine.items():
        if theirs.get(key) != value:
            was, now = theirs.get(key), value
            if key == "dropout":
                was, now = ("on" if was else "off"), ("on" if now else "off")
            raise SpecError(f"model.{key}", f"job {job_id}'s model has {key} {was}, this "
                                            f"spec's {now}: a model that starts from "
                                            "another's weights (model.init_from) needs the "
                                            "same layers (dropout's rate, init and the "
                                            "number of outputs may differ)")


def input_mismatch(job_id: str, source: tuple[int, ...], shape: tuple[int, ...]) -> str:
    """The message for a source model that takes other inputs than this spec's data."""
    return (f"job {job_id}'s model takes samples {describe_shape(tuple(source))} but this "
            f"dataset's are {describe_shape(tuple(shape))}: a model that starts from "
            "another's weights needs inputs of the same shape")


# --- augmentation ---------------------------------------------------------------------------


def augmentation_params(name: str, given: Mapping[str, Any],
                        info: DatasetInfo) -> dict[str, Any]:
    """The augmentation's parameters, defaults filled in and each checked, or SpecError
    naming "augmentation.<name>[.<param>]"."""
    if name not in AUGMENTATIONS:
        raise SpecError(f"augmentation.{name}", f"unknown augmentation; expected one of "
                                                f"{list(AUGMENTATIONS)}")
    facts = AUGMENTATIONS[name]
    # kind None: an npz whose shape is known only once read; checked again after loading.
    if facts.images_only and info.kind not in (None, "image"):
        shape = f" {info.input_shape}" if info.input_shape else ""
        anywhere = " and ".join(n for n, f in AUGMENTATIONS.items() if not f.images_only)
        raise SpecError(f"augmentation.{name}", f"{name} works on images (N, C, H, W) only, "
                                                f"but this dataset is {info.kind} data{shape}; "
                                                f"{anywhere} work on any data")
    for key in given:
        if key not in facts.params:
            raise SpecError(f"augmentation.{name}.{key}", f"unknown parameter; {name} takes "
                                                          f"{list(facts.params) or 'none'}")
    values = {key: _param(f"augmentation.{name}.{key}", given.get(key, p.default), p)
              for key, p in facts.params.items()}
    if name == "random_crop" and info.input_shape is not None \
            and values["padding"] >= min(info.input_shape[1:]):
        raise SpecError("augmentation.random_crop.padding", f"must be smaller than the "
                                                            f"image, {info.input_shape[1:]}")
    return values


def _param(path: str, value: Any, p: Param) -> Any:
    if p.kind == "range":
        if (not isinstance(value, tuple | list) or len(value) != 2
                or not all(isinstance(v, int | float) and p.low <= v <= p.high for v in value)
                or value[0] > value[1]):
            raise SpecError(path, f"must be [low, high] with {p.low} <= low <= high <= "
                                  f"{p.high}")
        return float(value[0]), float(value[1])
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not p.low <= value <= p.high:
        raise SpecError(path, f"must be a number in [{p.low}, {p.high}], got {value!r}")
    if p.kind == "integer":
        if not float(value).is_integer():
            raise SpecError(path, f"must be a whole number of pixels, got {value!r}")
        return int(value)
    return float(value)


# --- optimizer and schedule -----------------------------------------------------------------


def check_optimizer(optimizer: Mapping[str, Any]) -> None:
    """Every option given is one this optimizer has (None / 0 / False: not given)."""
    name = optimizer["name"]
    facts = OPTIMIZERS[name]
    hints = dict(facts.hints)
    for option in OPTIMIZER_OPTIONS:
        if option not in facts.options and optimizer.get(option):
            hint = f"; {hints[option]}" if option in hints else ""
            raise SpecError(f"optimizer.{option}", f"{name} does not use {option}{hint}")
    if optimizer.get("nesterov") and not optimizer.get("momentum"):
        raise SpecError("optimizer.nesterov", "nesterov needs momentum > 0, e.g. 0.9")


def check_schedule(schedule: Mapping[str, Any], epochs: int, lr: float) -> None:
    name = schedule["name"]
    facts = SCHEDULES[name]
    for option in SCHEDULE_OPTIONS:
        if option not in facts.options and schedule.get(option) is not None:
            uses = ", ".join(facts.options) or "no options besides warmup_epochs"
            raise SpecError(f"schedule.{option}", f"the {name} schedule does not use "
                                                  f"{option} (it takes {uses})")
    min_lr = schedule.get("min_lr")
    if facts.ends_at_min_lr and min_lr is not None and min_lr > lr:
        raise SpecError("schedule.min_lr", f"min_lr {min_lr} is above the optimizer's lr {lr}")
    warmup = schedule.get("warmup_epochs") or 0.0
    if warmup >= epochs:
        message = (f"onecycle's rise must end before the last of {epochs} epochs"
                   if name == "onecycle" else
                   f"{warmup} warm-up epochs leave nothing of {epochs} epochs")
        raise SpecError("schedule.warmup_epochs", message)


# --- training -------------------------------------------------------------------------------


def check_training(spec: Mapping[str, Any], task: str) -> None:
    training = spec["training"]
    if spec["optimizer"]["name"] == "lbfgs" and training["precision"] == "fp16":
        raise SpecError("training.precision", "lbfgs cannot use fp16's gradient scaler; "
                                              "use fp32 or bf16")
    # Not checked here: whether training.device exists. The API server that checks a spec
    # has no GPU, the worker that runs it may; `train` refuses "cuda" on a worker without one.
    stop = spec["regularization"].get("early_stopping")
    if stop is not None and stop["metric"].endswith("_acc") and task == "regression":
        raise SpecError("regularization.early_stopping.metric", "regression runs record no "
                                                                "accuracy; use val_loss")


# --- probes ---------------------------------------------------------------------------------


def check_probe(spec: Mapping[str, Any]) -> None:
    """A probe's fields together and with the rest of the spec (probes.py). Whether the jobs
    it names exist, are the project's and have succeeded is the API's to check (it has the
    store); the worker checks their checkpoints when it reads them."""
    probe = spec["probe"]
    kind = probe["kind"]
    if kind in ("initial_loss", "lr_range") and spec["model"].get("init_from"):
        # (hessian and ensemble read their models from checkpoints, not the model section)
        raise SpecError("model.init_from", f"an {kind} probe measures the model as the spec "
                                           "initialises it; it does not start from another "
                                           "job's weights (leave init_from out)")
    if kind == "lr_range":
        if probe["lr_min"] >= probe["lr_max"]:
            raise SpecError("probe.lr_max", f"must be greater than lr_min ({probe['lr_min']})")
        if spec["optimizer"]["name"] == "lbfgs":
            raise SpecError("optimizer.name", "an lr range test takes one step per batch at a "
                                              "given lr: use a first-order optimizer, not lbfgs")
    elif kind == "hessian":
        if probe["iters"] < 2 * probe["k"]:
            raise SpecError("probe.iters", f"at least 2 * k ({2 * probe['k']}) Lanczos "
                                           "iterations, to find k eigenvalues at each end")
    elif kind == "ensemble":
        seen: dict[str, int] = {}
        for i, member in enumerate(probe["members"]):
            if member in seen:
                raise SpecError(f"probe.members[{i}]", f"job {member} is already member "
                                                       f"{seen[member]}")
            seen[member] = i
