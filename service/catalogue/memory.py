"""How much memory a job's training will take, from the spec and the catalogue alone (no
torch): the API bounds a submitted spec by it (FITDOC_MAX_PARAMS, FITDOC_MAX_JOB_MEMORY,
service/jobs.py), and a worker that runs out of memory quotes it.

    estimate = estimate_training_memory(spec)       # None: the data's shape is unknown
    estimate.total, estimate.describe()             # bytes; "weights 1.2 GiB, ..."

What it counts, in the engine's terms (workers/training/loop.py), per parameter and per
sample:

- weights, fp32 (plus the bf16/fp16 copy autocast makes of them at a lower precision),
  their gradients, the optimizer's state (`OptimizerFacts.state_buffers` tensors of the
  model's size, one more for momentum) and the copy of the best epoch's weights;
- the activations one training batch keeps for its backward pass: the input batch and the
  output of every layer (`layer_outputs`), at the spec's precision; or, when larger (a
  small batch_size), what evaluating a batch of EVAL_BATCH_SIZE samples holds at once
  without gradients: the input and the largest layer's input and output;
- the dataset's arrays, training and validation, as the engine holds them (pixels as
  uint8, everything else float32, labels int64).

Not counted: the worker process itself (torch and its libraries, a CUDA context), the
allocator's slack, and short-lived copies while the data loads. tests/training/
test_memory_estimate.py compares each part with the tensors a real training step makes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from service.catalogue.names import (
    ARCHS,
    DATASETS,
    DEFAULT_VAL_FRACTION,
    EVAL_BATCH_SIZE,
    OPTIMIZERS,
    DatasetInfo,
)
from service.catalogue.rules import cnn1d_lengths, count_parameters, mlp_widths

FP32, HALF, LABEL = 4, 2, 8  # bytes of a float32, a bf16/fp16 value, an int64 label
GiB, MiB = 1024**3, 1024**2


@dataclass(frozen=True)
class MemoryEstimate:
    """A job's training memory by part, in bytes."""

    parameters: int
    weights: int
    gradients: int
    optimizer: int
    best_weights: int
    activations: int  # a training batch's, kept for its backward pass
    evaluation: int  # an evaluation batch's, at once (not at the same time as activations)
    dataset: int
    batch_size: int  # the batch the activations are for
    samples: int  # training + validation samples held

    @property
    def total(self) -> int:
        return self.model + max(self.activations, self.evaluation) + self.dataset

    @property
    def model(self) -> int:
        """What grows with the model's size."""
        return self.weights + self.gradients + self.optimizer + self.best_weights

    def describe(self) -> str:
        if self.evaluation > self.activations:
            batch = f"activations {format_bytes(self.evaluation)} to evaluate"
        else:
            batch = (f"activations {format_bytes(self.activations)} for a batch of "
                     f"{self.batch_size:,}")
        return (f"weights {format_bytes(self.weights)}, gradients "
                f"{format_bytes(self.gradients)}, optimizer state "
                f"{format_bytes(self.optimizer)}, best epoch's weights "
                f"{format_bytes(self.best_weights)}, {batch}, dataset "
                f"{format_bytes(self.dataset)} for {self.samples:,} samples")


def estimate_training_memory(spec: Mapping[str, Any],
                             info: DatasetInfo | None = None) -> MemoryEstimate | None:
    """The memory training `spec` (a resolved spec, checked by `check_spec`) will take, or
    None when the data's sample shape or size is known only once its files are read (npz,
    image_folder). `info` defaults to what the dataset declares (an upload's is known)."""
    dataset, model, training = spec["dataset"], spec["model"], spec["training"]
    info = info or DATASETS[dataset["name"]]
    sizes = split_sizes(dataset, info)
    if info.input_shape is None or sizes is None:
        return None
    shape = tuple(info.input_shape)
    task = info.task or dataset["task"]
    outputs = info.num_classes or (1 if task == "regression" else 2)
    parameters = count_parameters(model, shape, outputs)
    half = training["precision"] in ("bf16", "fp16")
    value = HALF if half else FP32

    n_train, n_val = sizes
    batch = min(training["batch_size"], n_train)
    layers = layer_outputs(model, shape, outputs)
    evaluated = min(EVAL_BATCH_SIZE, n_val)

    optimizer = spec["optimizer"]
    facts = OPTIMIZERS[optimizer["name"]]
    buffers = facts.state_buffers + bool("momentum" in facts.options and optimizer.get("momentum"))
    return MemoryEstimate(
        parameters=parameters,
        weights=parameters * (FP32 + (HALF if half else 0)),
        gradients=parameters * FP32,
        optimizer=parameters * FP32 * buffers,
        best_weights=parameters * FP32,
        activations=math.ceil(batch * sum(layers) * value),
        evaluation=math.ceil(evaluated * (layers[0] + 2 * max(layers)) * value),
        dataset=(n_train + n_val) * (math.prod(shape) * info.value_bytes + LABEL),
        batch_size=batch,
        samples=n_train + n_val,
    )


def split_sizes(dataset: Mapping[str, Any], info: DatasetInfo) -> tuple[int, int] | None:
    """(training, validation) samples the engine will hold for this dataset section: a
    bundled set's split (n_train shrinks its training part), or what a generated one is
    made with (workers/training/data.py makes exactly these); None for files not read yet."""
    if info.samples is not None:
        available = info.samples - held_out(dataset, info)
        n_train = min(dataset.get("n_train") or available, available)
        return n_train, info.samples - available
    n_train = dataset.get("n_train") or info.generated_train
    if n_train is None:
        return None
    fraction = dataset.get("val_fraction") or DEFAULT_VAL_FRACTION
    return n_train, max(1, round(n_train * fraction / (1.0 - fraction)))


def held_out(dataset: Mapping[str, Any], info: DatasetInfo) -> int:
    """Validation samples of a dataset of known size: its own held-out split, unless
    val_fraction re-splits it (as `train_samples` counts)."""
    fraction = dataset.get("val_fraction")
    if fraction is None and info.held_out is not None:
        return info.held_out
    return round(info.samples * (fraction or DEFAULT_VAL_FRACTION))


def layer_outputs(model: Mapping[str, Any], input_shape: tuple[int, ...],
                  outputs: int) -> list[float]:
    """Values per sample of each tensor a training forward pass of the engine's model makes
    and its backward pass needs, in order: the input batch (for images also the Normalize
    layer's output), then each layer's output (a Linear or a convolution, its BatchNorm,
    its activation; dropout's output and its mask, float32 on a CPU; a max-pool's output
    and its int64 indices, two values), then the outputs and their log-softmax.

    Every layer's output counts, although some are freed during the forward pass (a
    Linear's output that only a ReLU reads): on the high side, by up to 2x for an MLP."""
    arch, facts = model["arch"], ARCHS[model["arch"]]
    width, depth = model.get("width") or facts.width, model.get("depth") or facts.depth
    batchnorm = facts.batchnorm if model.get("batchnorm") is None else model["batchnorm"]
    dropout = bool(model.get("dropout"))

    def layer(values: int) -> list[float]:  # Linear or conv, [BatchNorm], activation
        return [values] * (3 if batchnorm else 2)

    def drop(values: int) -> list[float]:
        return [values, values] if dropout else []

    sample = math.prod(input_shape)
    values: list[float] = [sample, sample] if len(input_shape) == 3 else [sample]
    if arch == "mlp":
        for w in mlp_widths(model):
            values += layer(w) + drop(w)
    elif arch == "cnn1d":
        lengths = cnn1d_lengths(input_shape[1], depth)
        for length in lengths:
            values += layer(width * length)
        values += drop(width * lengths[-1])
    elif arch == "cnn":
        height, side = input_shape[1:]
        for i in range(depth):
            channels = width * 2**i
            values += layer(channels * height * side)
            height, side = height // 2, side // 2
            values.append(3 * channels * height * side)  # max-pool output and indices
        values += [channels] + drop(channels)
    elif arch == "resnet18":
        height, side = input_shape[1:]
        values += layer(width * height * side)  # the stem
        cin = width
        for stage, stride in enumerate((1, 2, 2, 2)):
            cout = width * 2**stage
            if stride == 2:
                height, side = (height + 1) // 2, (side + 1) // 2
            for block in range(2):
                # conv1, [bn1], act1, conv2, [bn2], the sum, act2; [the 1x1 projection, [bn]]
                tensors = 5 + 2 * batchnorm
                if block == 0 and (stride != 1 or cin != cout):
                    tensors += 1 + batchnorm
                values += [cout * height * side] * tensors
                cin = cout
        values += [cin] + drop(cin)
    elif arch != "linear":
        raise KeyError(f"no layer sizes for arch {arch!r}")  # a catalogue entry without them
    return values + [outputs, outputs]


def model_field(model: Mapping[str, Any]) -> str:
    """The field that sizes the model, for messages about its size."""
    if model.get("widths"):
        return "model.widths"
    return "model.width" if "width" in ARCHS[model["arch"]].options else "model.arch"


def largest_part_field(spec: Mapping[str, Any], estimate: MemoryEstimate) -> tuple[str, str]:
    """(the field to change, how) for the largest part of an estimate over a bound."""
    parts = {"model": estimate.model, "activations": estimate.activations,
             "evaluation": estimate.evaluation, "dataset": estimate.dataset}
    largest = max(parts, key=parts.__getitem__)
    if largest == "activations":
        return "training.batch_size", "use a smaller batch_size"
    if largest == "evaluation":  # of a few large layers: the model's size is the lever
        field = model_field(spec["model"])
        return field, "use a smaller model"
    if largest == "dataset":
        return "dataset.n_train", "use a smaller n_train"
    field = model_field(spec["model"])
    remedy = {"model.widths": "use smaller widths", "model.width": "use a smaller width"}
    return field, remedy.get(field, "use a smaller model")


def format_bytes(n: float) -> str:
    """'18.2 GiB', '350 MiB', '2.5 MiB', '84 KiB', '0 B'."""
    if n >= 0.1 * GiB:
        return f"{n / GiB:.1f} GiB"
    if n >= MiB:
        return f"{n / MiB:.0f} MiB" if n >= 10 * MiB else f"{n / MiB:.1f} MiB"
    return f"{n / 1024:.0f} KiB" if n >= 1024 else f"{n:.0f} B"


def format_count(n: float) -> str:
    """'1.06e9', '1e8', '52,000'."""
    if n < 1e6:
        return f"{n:,.0f}"
    mantissa, exponent = f"{n:.2e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
