"""Every name a JobSpec may use, and what fitdoc knows of each without loading anything.

One entry per name; the pydantic JobSpec (service/schemas.py), the advisor's remedies and
the training engine's registries (workers/training) all read these tables, and
tests/training/test_catalogue_agrees.py fails when an engine registry names something the
catalogue does not, or the other way round. Standard library only: the training engine
imports this module on GPU boxes that have torch and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# --- kinds of data and tasks --------------------------------------------------------------------

# One sample's shape per kind, without the batch dimension: tabular (F,), sequence (C, L),
# image (C, H, W). The rank of a sample tells its kind, and the other way round.
KINDS = ("tabular", "sequence", "image")
TASKS = ("classification", "regression")


def kind_of_shape(shape: tuple[int, ...]) -> str | None:
    """The kind of data whose samples have this shape (None: no kind has that rank)."""
    return KINDS[len(shape) - 1] if 1 <= len(shape) <= len(KINDS) else None


def describe_shape(shape: tuple[int, ...]) -> str:
    """'tabular (F,) (64,)', as messages name a dataset's samples."""
    labels = {"tabular": "tabular (F,)", "sequence": "sequence (C, L)",
              "image": "image (C, H, W)"}
    kind = kind_of_shape(shape)
    return f"{labels[kind]} {tuple(shape)}" if kind else f"shaped {tuple(shape)}"


# --- datasets -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DatasetInfo:
    """What a dataset looks like; None means "known only once its files are read"."""

    kind: str | None  # one of KINDS
    num_classes: int | None
    input_shape: tuple[int, ...] | None  # one sample, without the batch dimension
    task: str | None = "classification"  # None: the spec's dataset.task decides (npz)
    user_files: bool = False  # read from dataset.path on the worker (npz, image_folder)
    # Samples it holds (training + validation; None: generated on demand, or files), and
    # how many of them are its own held-out split, used when val_fraction is not given.
    samples: int | None = None
    held_out: int | None = None
    # Generated to order: the training samples made when the spec gives no n_train (the
    # engine's SYNTHETIC_DEFAULT_TRAIN; tests/training/test_memory_estimate.py checks it).
    generated_train: int | None = None
    # Bytes of one input value as the engine holds it: images generated or read as pixels
    # stay uint8 (1), everything else is float32 (4). (Labels are int64.)
    value_bytes: int = 4


DATASETS: dict[str, DatasetInfo] = {
    # MNIST-1D (Greydanus 2020) with its package's default arguments: 40-step sequences,
    # 4000 for training and 1000 held out.
    "mnist1d": DatasetInfo("sequence", 10, (1, 40), samples=5000, held_out=1000),
    # scikit-learn's bundled sets.
    "digits": DatasetInfo("tabular", 10, (64,), samples=1797),
    "wine": DatasetInfo("tabular", 3, (13,), samples=178),
    "breast_cancer": DatasetInfo("tabular", 2, (30,), samples=569),
    "iris": DatasetInfo("tabular", 3, (4,), samples=150),
    # Procedural CIFAR-shaped images of 10 shapes (workers/training/data.py).
    "synthetic_images": DatasetInfo("image", 10, (3, 32, 32), generated_train=5000,
                                    value_bytes=1),
    # A user's own arrays or image folder on the worker's disk.
    "npz": DatasetInfo(None, None, None, task=None, user_files=True),
    "image_folder": DatasetInfo("image", None, None, user_files=True),
}

# Stand-ins for checking a model whose input shape is known only once the files are read:
# the worker checks again with the real shape right after loading.
# The validation share when a dataset without a held-out split is given no val_fraction.
DEFAULT_VAL_FRACTION = 0.2

PLACEHOLDER_SHAPES: dict[str, tuple[int, ...]] = {
    "tabular": (8,),
    "sequence": (1, 32),
    "image": (3, 32, 32),
}

# --- models -------------------------------------------------------------------------------------

# ModelSpec fields besides arch, activation and init; each arch says which of them it uses.
MODEL_OPTIONS = ("widths", "width", "depth", "dropout", "batchnorm")


@dataclass(frozen=True)
class ArchFacts:
    inputs: tuple[str, ...]  # the kinds of data it takes
    options: tuple[str, ...]  # the MODEL_OPTIONS it uses; giving another one is an error
    width: int | None = None  # defaults when the spec leaves width/depth out
    depth: int | None = None
    batchnorm: bool = False  # default when the spec leaves batchnorm out
    summary: str = ""


ARCHS: dict[str, ArchFacts] = {
    "linear": ArchFacts(
        KINDS, (), summary="one Linear layer on the flattened input"),
    "mlp": ArchFacts(
        KINDS, MODEL_OPTIONS, width=128, depth=2,
        summary="depth hidden layers of width units (or widths), then a Linear layer"),
    "cnn1d": ArchFacts(
        ("sequence",), ("width", "depth", "dropout", "batchnorm"), width=25, depth=3,
        summary="the MNIST-1D paper's CNN: stride-2 Conv1d layers (kernel 5, then 3)"),
    "cnn": ArchFacts(
        ("image",), ("width", "depth", "dropout", "batchnorm"), width=32, depth=3,
        batchnorm=True,
        summary="conv3x3 -> [BN] -> act -> maxpool blocks, channels doubling per block"),
    "resnet18": ArchFacts(
        ("image",), ("width", "dropout", "batchnorm"), width=64, batchnorm=True,
        summary="the CIFAR ResNet-18 (3x3 stem, no max-pool, 4 stages of 2 BasicBlocks)"),
}


@dataclass(frozen=True)
class ActivationFacts:
    # Saturating activations have a derivative that shrinks towards 0 at both ends
    # (sigmoid' <= 0.25): stacked deep without BatchNorm, gradients vanish.
    saturating: bool


ACTIVATIONS: dict[str, ActivationFacts] = {
    "relu": ActivationFacts(False),
    "gelu": ActivationFacts(False),
    "tanh": ActivationFacts(True),
    "sigmoid": ActivationFacts(True),
    "selu": ActivationFacts(False),
}

# Activations a JobSpec cannot name but external runs log (Keras, timm): whether they
# saturate, so the advisor can judge a deep net from any run's params.
OTHER_ACTIVATIONS: dict[str, ActivationFacts] = {
    "logistic": ActivationFacts(True),
    "hard_sigmoid": ActivationFacts(True),
    "softsign": ActivationFacts(True),
}


def activation_facts(name: str) -> ActivationFacts | None:
    """Facts of an activation by the name a JobSpec or an external run uses."""
    return ACTIVATIONS.get(name) or OTHER_ACTIVATIONS.get(name)


@dataclass(frozen=True)
class InitFacts:
    # Draws weights far smaller than the layer needs to pass a signal on (the lecture's
    # "small random numbers", N(0, 0.01^2)): deep nets start with vanishing activations and
    # gradients, and a ReLU net near its all-zero saddle point.
    small: bool = False


INITS: dict[str, InitFacts] = {
    "default": InitFacts(),  # PyTorch's own, Kaiming-uniform with a=sqrt(5)
    "kaiming": InitFacts(),
    "xavier": InitFacts(),
    "normal": InitFacts(small=True),
}

# --- optimizers ---------------------------------------------------------------------------------

# OptimizerSpec fields besides name and lr; each optimizer says which of them it takes.
OPTIMIZER_OPTIONS = ("momentum", "nesterov", "betas", "alpha", "weight_decay")


@dataclass(frozen=True)
class OptimizerFacts:
    # The learning rate it is usually run at: the engine's default when a spec gives none,
    # and the advisor's yardstick for "far too high / far too low" and where its lr patches
    # land. torch's defaults, except rmsprop (torch: 1e-2; Keras' and Hinton's 1e-3 is the
    # usual choice) and sgd (torch: 1e-3, too slow to show anything in a few epochs): 3e-2,
    # the middle of the lecture's 1e-1 ... 1e-4 sweep. With momentum 0.9 an MLP on mnist1d
    # stopped early at 59-63% validation accuracy within 60 epochs at 3e-2 to 1e-1, and was
    # at 58% and still falling after 60 epochs at 1e-2 (measured).
    usual_lr: float
    options: tuple[str, ...]
    # A per-parameter step size (Adam's family): carries training over flat regions and
    # saddle points, so "switch to Adam" is no advice for it.
    adaptive: bool = False
    # Why an option it does not take makes no sense for it (the error says so).
    hints: tuple[tuple[str, str], ...] = ()
    # Its steps only shrink as it trains (Adagrad: the sum of squared gradients that divides
    # them grows at every step), so a run still crawling gains little from more epochs.
    shrinking_steps: bool = False
    # Tensors the size of the model it keeps between steps (training memory, at submit):
    # Adam's two moments, Adagrad's sum, RMSprop's square average; one more with momentum
    # when it takes momentum (SGD's and RMSprop's momentum buffer).
    state_buffers: int = 0


_WEIGHT_DECAY_HINT = ("weight_decay", "use regularization.l2")

OPTIMIZERS: dict[str, OptimizerFacts] = {
    "sgd": OptimizerFacts(3e-2, ("momentum", "nesterov", "weight_decay")),
    "adam": OptimizerFacts(1e-3, ("betas", "weight_decay"), adaptive=True,
                           hints=(("momentum", "its betas[0] plays that role"),),
                           state_buffers=2),
    "adamw": OptimizerFacts(1e-3, ("betas", "weight_decay"), adaptive=True,
                            hints=(("momentum", "its betas[0] plays that role"),),
                            state_buffers=2),
    "rmsprop": OptimizerFacts(1e-3, ("momentum", "alpha", "weight_decay"), adaptive=True,
                              state_buffers=1),
    "adagrad": OptimizerFacts(1e-2, ("weight_decay",),
                              hints=(("momentum", "it has no momentum"),), state_buffers=1,
                              shrinking_steps=True),
    # Full-batch quasi-Newton with a strong-Wolfe line search: lr 1 is its natural step.
    # It keeps torch's default history of 100 steps and gradient changes, and up to 8 flat
    # copies within a step (the direction, the previous and gathered gradients, the line
    # search's start and the gradients it compares).
    "lbfgs": OptimizerFacts(1.0, (), hints=(("momentum", "it has no momentum"),
                                            _WEIGHT_DECAY_HINT),
                            state_buffers=2 * 100 + 8),
}

# Optimizers a JobSpec cannot name but external runs log (Keras, timm, transformers): their
# usual learning rates, so the advisor can judge an lr from any run's params.
OTHER_OPTIMIZERS: dict[str, OptimizerFacts] = {
    "nadam": OptimizerFacts(2e-3, (), adaptive=True),
    "radam": OptimizerFacts(1e-3, (), adaptive=True),
    "adadelta": OptimizerFacts(1.0, ()),
}


def optimizer_facts(name: str) -> OptimizerFacts | None:
    """Facts of an optimizer by the name a JobSpec or an external run uses."""
    return OPTIMIZERS.get(name) or OTHER_OPTIMIZERS.get(name)


# --- schedules ----------------------------------------------------------------------------------

# ScheduleSpec fields besides name and warmup_epochs; each schedule says which it takes.
SCHEDULE_OPTIONS = ("step_size", "gamma", "min_lr", "power", "factor", "patience")


@dataclass(frozen=True)
class ScheduleFacts:
    options: tuple[str, ...]
    decays: bool  # the lr falls over the run ("add lr decay" is no advice for it)
    # min_lr is an absolute lr the schedule ends at, so it must not exceed the start lr
    ends_at_min_lr: bool = False
    # the lr falls at a rate set per epoch (step_size and gamma, gamma, power), whatever the
    # run's length: a run made longer or restarted lower falls as far or further
    fixed_rate: bool = False


SCHEDULES: dict[str, ScheduleFacts] = {
    "constant": ScheduleFacts((), decays=False),
    "step": ScheduleFacts(("step_size", "gamma"), decays=True, fixed_rate=True),
    "cosine": ScheduleFacts(("min_lr",), decays=True, ends_at_min_lr=True),
    "linear": ScheduleFacts(("min_lr",), decays=True, ends_at_min_lr=True),
    "inverse": ScheduleFacts(("power",), decays=True, fixed_rate=True),
    "exponential": ScheduleFacts(("gamma",), decays=True, fixed_rate=True),
    "onecycle": ScheduleFacts((), decays=True),
    "plateau": ScheduleFacts(("factor", "patience", "min_lr"), decays=True),
}

# --- losses, precisions, early stopping ----------------------------------------------------------


@dataclass(frozen=True)
class LossFacts:
    tasks: tuple[str, ...]  # the tasks it can train


LOSSES: dict[str, LossFacts] = {
    "cross_entropy": LossFacts(("classification",)),
    # on classification: raw outputs against one-hot targets (workers/training/losses.py)
    "mse": LossFacts(("classification", "regression")),
}

PRECISIONS = ("fp32", "bf16", "fp16")
# The engine evaluates the validation set in batches of this many samples, without gradients
# (workers/training/loop.py; tests/training/test_memory_estimate.py checks they agree).
EVAL_BATCH_SIZE = 1024
DEVICE_PATTERN = r"auto|cpu|cuda(:\d+)?"

# --- augmentations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One augmentation parameter: its default and its allowed range. kind "number" is a
    float, "integer" a whole number, "range" a [low, high] pair with low <= high."""

    default: float | tuple[float, float]
    low: float
    high: float
    kind: str = "number"
    description: str = ""


@dataclass(frozen=True)
class AugmentationFacts:
    images_only: bool  # needs (N, C, H, W) data; the others work on any data
    params: dict[str, Param] = field(default_factory=dict)


# In the order the engine applies them: geometry, colour, cutout, noise, then mixup last
# because it mixes finished samples.
AUGMENTATIONS: dict[str, AugmentationFacts] = {
    "random_resized_crop": AugmentationFacts(True, {
        "scale": Param((0.08, 1.0), 0.01, 1.0, "range", "area fraction of the crop"),
        "ratio": Param((0.75, 4 / 3), 0.1, 10.0, "range", "aspect ratio of the crop"),
    }),
    "random_crop": AugmentationFacts(True, {
        "padding": Param(4, 0, 512, "integer", "shift by up to this many pixels each way"),
    }),
    "hflip": AugmentationFacts(True, {
        "p": Param(0.5, 0.0, 1.0, description="probability of a mirror image"),
    }),
    "color_jitter": AugmentationFacts(True, {
        name: Param(0.4, 0.0, 1.0, description=f"{name} factor in [1 - s, 1 + s]")
        for name in ("brightness", "contrast", "saturation")
    }),
    "cutout": AugmentationFacts(True, {
        "size": Param(8, 1, 4096, "integer", "side of the blanked square, in pixels"),
    }),
    "noise": AugmentationFacts(False, {
        "std": Param(0.1, 0.0, 100.0, description="standard deviation of the added noise"),
    }),
    "mixup": AugmentationFacts(False, {
        "alpha": Param(0.2, 0.01, 4.0, description="Beta(alpha, alpha) mixing weights"),
    }),
}

# --- metrics the engine records -----------------------------------------------------------------

# The canonical per-epoch metrics (DESIGN: every epoch the worker records them).
CANONICAL_METRICS = ("train_loss", "val_loss", "train_acc", "val_acc", "lr", "grad_norm")
# What early stopping may watch: recorded every epoch by the loop.
WATCHABLE_METRICS = ("val_loss", "val_acc", "train_loss", "train_acc")
