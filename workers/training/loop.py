"""The training loop: `train(cfg) -> TrainResult`, one function read top to bottom.

Sections in dependency order: device, data, model, loss, optimizer, schedule, step,
evaluate, then the epoch loop that logs. Per epoch it records the canonical metrics
train_loss, val_loss, train_acc, val_acc (classification only), lr, grad_norm, and
epoch_time and eval_time, and hands them to `on_epoch(epoch, metrics)`. It keeps the best
epoch's weights (checkpoint.BestWeights) for the job to save.

Habits borrowed from airbench and nanoGPT: the dataset lives on the device when it fits and
batches are sliced from a fresh random permutation each epoch (no DataLoader, no worker
processes); losses, correct counts and gradient norms are summed in device tensors and read
once per epoch, so the GPU never waits for the host inside an epoch; evaluation runs under
inference_mode with large batches.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import torch
from torch import nn

from service.catalogue import CANONICAL_METRICS

from .augment import build_augment
from .check import check_config
from .checkpoint import BestWeights
from .config import TrainConfig
from .data import Files, load_data
from .errors import Cancelled, ConfigError
from .losses import LOSSES, count_correct
from .models import build_model, count_parameters
from .optim import build_optimizer, build_schedule
from .result import TrainResult
from .resume import (
    OnResume,
    Progress,
    TrainingState,
    config_fingerprint,
    read_state,
    remove_stale_partials,
    write_state,
)
from .transfer import Transfer

EVAL_BATCH_SIZE = 1024
GRAD_NORM_SAMPLES = 8
# The catalogue's canonical metrics, then how long the epoch and its evaluation took.
METRIC_KEYS = (*CANONICAL_METRICS, "epoch_time", "eval_time")


def resolve_device(name: str | torch.device) -> torch.device:
    if str(name) == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    device = torch.device(name)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError("training.device", "this worker has no CUDA device; use auto "
                                                 "or cpu")
        device = torch.device("cuda", device.index or torch.cuda.current_device())
    return device


def batches_per_epoch(n: int, batch_size: int) -> int:
    """ceil(n / batch_size), without a last batch of one sample: BatchNorm cannot train on
    a batch of one, and one sample's gradient is mostly noise anyway."""
    batches = math.ceil(n / batch_size)
    return batches - 1 if batches > 1 and n % batch_size == 1 else batches


def _fits_on(device: torch.device, nbytes: int) -> bool:
    if device.type != "cuda":
        return True
    free, _ = torch.cuda.mem_get_info(device)
    return nbytes < free // 2  # the other half is for the model, activations, optimizer


def _native_cpu_bf16() -> bool:
    # AVX512-BF16 and AMX have bf16 instructions; AVX2 CPUs convert in software.
    return "AVX512" in torch.backends.cpu.get_cpu_capability()


def _mark(device: torch.device) -> torch.cuda.Event | float:
    """A point in time: on a GPU an event recorded on its stream (no host wait), read once
    the epoch's read-back has synchronised anyway; on a CPU the clock."""
    if device.type != "cuda":
        return time.perf_counter()
    event = torch.cuda.Event(enable_timing=True)
    event.record()
    return event


def _seconds(start: torch.cuda.Event | float, end: torch.cuda.Event | float) -> float:
    if isinstance(start, float):
        return end - start
    return start.elapsed_time(end) / 1000.0


def _as_input(x: torch.Tensor) -> torch.Tensor:
    # uint8 pixels travel and get indexed as uint8 (4x less memory traffic than float32)
    # and become floats in [0, 1] only per batch, on the device.
    return x.float().div_(255.0) if x.dtype == torch.uint8 else x


def _grad_norm(params: list[nn.Parameter], max_norm: float | None) -> torch.Tensor:
    """Total L2 norm of all gradients before clipping, as a device tensor; clips in place
    when max_norm is given."""
    if max_norm is not None:
        return torch.nn.utils.clip_grad_norm_(params, max_norm)
    grads = [p.grad for p in params if p.grad is not None]
    if hasattr(torch.nn.utils, "get_total_norm"):  # torch >= 2.6: one foreach kernel
        return torch.nn.utils.get_total_norm(grads)
    return torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))


def train(cfg: TrainConfig | Mapping[str, Any],
          on_epoch: Callable[[int, dict[str, float]], None] | None = None,
          should_stop: Callable[[], bool] | None = None,
          data_dir: str | Path | None = None,
          device: str | torch.device | None = None,
          *,
          state_path: str | Path | None = None,
          on_resume: OnResume | None = None,
          state_every: float = 0.0,
          files: Files | None = None,
          init_from_path: str | Path | None = None,
          on_data: Callable[[dict[str, float | int]], None] | None = None) -> TrainResult:
    """Train `cfg` and return its history.

    on_epoch(epoch, metrics) is called after every epoch (0-based). should_stop() is polled
    before every epoch; True raises Cancelled. A non-finite training loss is recorded and
    ends training with stopped_reason "non_finite_loss"; other errors propagate. `device`
    overrides cfg.training.device (a worker knows which GPU is its own).

    With `state_path`, the whole training state is saved there (atomically) at the end of
    every epoch but the last, after on_epoch (an on_epoch that raises keeps that epoch out
    of it), or at most every `state_every` seconds; a run that finds a state of the same
    config there resumes from it, after calling on_resume(epochs_done, history_so_far), and
    ends as an uninterrupted run would. An unreadable or foreign file is ignored (a note).
    The caller removes the file (`discard_state`) once the job has ended. resume.py holds
    the file's contents.

    `files` (data.Files) says which of a user's files `dataset.path` may name (the dataset
    roots) and where the upload `dataset.id` names is; without it, files under data_dir.

    `init_from_path` is the checkpoint of the job `model.init_from` names (transfer.py): its
    weights are loaded unless the run resumes from a saved state (which holds the model).

    on_data(facts) is called once the data is read, before the first epoch, with what the
    run's advisor may use beyond its curves: a regression's `baseline_loss` (the MSE of
    predicting the training targets' mean), and `train_available`, the training samples
    the dataset holds (what `dataset.n_train` may ask for). Not called when there is
    nothing to say.
    """
    started = time.perf_counter()
    if not isinstance(cfg, TrainConfig):
        cfg = TrainConfig.from_dict(cfg)
    check_config(cfg)
    run = cfg.training
    notes: list[str] = []

    # --- device and seeds -------------------------------------------------------------------
    device = resolve_device(device or run.device)
    precision = run.precision
    if precision == "fp16" and device.type == "cpu":
        # CPU autocast runs fp16, but without native kernels: a small CNN step took 11x as
        # long as in fp32 on an AVX2 CPU (3.0 s vs 0.27 s), and reduced precision buys a CPU
        # nothing else. fp32 computes the same model, better.
        precision = "fp32"
        notes.append("fp16 asked on a CPU: ran fp32 (CPU fp16 autocast is emulated, ~11x "
                     "slower)")
    elif precision == "bf16" and device.type == "cpu" and not _native_cpu_bf16():
        notes.append(f"bf16 on a {torch.backends.cpu.get_cpu_capability()} CPU is emulated "
                     "(~11x slower than fp32 here); it runs as asked")
    torch.manual_seed(run.seed)  # model init; shuffling and augmentation have generators

    # --- data ---------------------------------------------------------------------------------
    data = load_data(cfg.dataset, data_dir, files)
    check_config(cfg, data.info)  # now that the files are read, the shape-dependent checks
    if on_data is not None and (facts := data.run_facts()):
        on_data(facts)
    task = data.info.task
    classification = task == "classification"
    arrays = (data.x_train, data.y_train, data.x_val, data.y_val)
    nbytes = sum(a.nbytes for a in arrays)
    home = device if _fits_on(device, nbytes) else torch.device("cpu")
    if home != device:
        notes.append(f"dataset ({nbytes / 2**30:.1f} GiB) kept in host memory: too big for "
                     f"{device}")
    x_train, y_train, x_val, y_val = (torch.from_numpy(a).to(home) for a in arrays)
    n_train = len(x_train)
    steps_per_epoch = batches_per_epoch(n_train, run.batch_size)
    shuffle_generator = torch.Generator(home).manual_seed(run.seed)
    augment_generator = torch.Generator(device).manual_seed(run.seed + 1)
    augment = build_augment(cfg.augmentation, data.info)

    # --- model --------------------------------------------------------------------------------
    model = build_model(cfg.model, data.info.input_shape, data.num_outputs, data.mean,
                        data.std).to(device)
    # On a GPU, image models run channels_last (NHWC): cuDNN's tensor-core convolutions take
    # it without transposing, and cudnn.benchmark picks the fastest algorithm per shape once.
    channels_last = device.type == "cuda" and data.info.kind == "image"
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True

    def layout(x: torch.Tensor) -> torch.Tensor:
        return x.contiguous(memory_format=torch.channels_last) if channels_last else x

    num_params = count_parameters(model)
    transfer = None
    if cfg.model.init_from is not None:  # frozen before the optimizer sees the parameters
        transfer = Transfer(model, cfg.model, init_from_path)
        transfer.freeze()
    forward = torch.compile(model) if run.compile else model
    params = [p for p in model.parameters() if p.requires_grad]

    # --- loss and regularisation ------------------------------------------------------------
    reg = cfg.regularization
    loss_fn = LOSSES[run.loss](data.info.num_classes, reg.label_smoothing)
    # Validation loss without label smoothing, so that runs with and without it compare.
    val_loss_fn = LOSSES[run.loss](data.info.num_classes, 0.0)
    # Penalise weight matrices and kernels only: penalising biases and normalisation scales
    # constrains nothing useful (the usual practice, e.g. in timm's weight-decay groups).
    weights = [p for p in params if p.dim() > 1]

    def penalty(loss: torch.Tensor) -> torch.Tensor:
        if reg.l1:
            loss = loss + reg.l1 * sum(w.abs().sum() for w in weights)
        if reg.l2:
            loss = loss + 0.5 * reg.l2 * sum(w.pow(2).sum() for w in weights)
        return loss

    # --- optimizer, schedule and precision ---------------------------------------------------
    optimizer = build_optimizer(params, cfg.optimizer, device)
    schedule = build_schedule(optimizer, cfg.schedule, run.epochs, steps_per_epoch)
    is_lbfgs = isinstance(optimizer, torch.optim.LBFGS)
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision)

    def autocast():
        return torch.autocast(device.type, dtype=dtype) if dtype else nullcontext()

    # fp16's narrow range needs loss scaling. Without fp16 the scaler is not called at all:
    # its disabled methods cost a few microseconds per step each, for nothing.
    scaler = torch.amp.GradScaler(device.type, enabled=precision == "fp16")
    scaling = scaler.is_enabled()

    # --- step -----------------------------------------------------------------------------------
    def forward_backward(x, target):
        optimizer.zero_grad(set_to_none=True)
        with autocast():
            output = forward(x)
            loss = loss_fn(output, target)
        objective = penalty(loss)
        (scaler.scale(objective) if scaling else objective).backward()
        return output, loss, objective

    def step(x, target, measure: bool):
        """One optimizer step; returns (output, data loss, gradient norm before clipping),
        the norm None unless `measure` or clipping needs it."""
        if is_lbfgs:
            # L-BFGS re-evaluates the objective during its line search, hence the closure;
            # the first evaluation is the one at the current weights, the one we record.
            first = []

            def closure():
                output, loss, objective = forward_backward(x, target)
                norm = _grad_norm(params, run.grad_clip)
                if not first:
                    first.append((output.detach(), loss.detach(), norm))
                return objective

            optimizer.step(closure)
            return first[0]
        output, loss, _ = forward_backward(x, target)
        norm = None
        if measure or run.grad_clip is not None:
            if scaling:
                scaler.unscale_(optimizer)  # clip and measure true gradients, not scaled ones
            norm = _grad_norm(params, run.grad_clip)
        if scaling:
            scaler.step(optimizer)
            scaler.update()
        else:
            optimizer.step()
        # The output needs no detach: argmax and comparisons record no graph.
        return output, loss.detach(), norm

    # grad_norm is the epoch's mean of the total gradient norm, measured on up to
    # GRAD_NORM_SAMPLES evenly spaced steps (every step when clipping computes it anyway):
    # measuring every step cost 19% of a small MLP's throughput on a CPU (40.7k vs 50.1k
    # samples/s), and the advisor reads orders of magnitude, not the third digit.
    norm_stride = 1 if run.grad_clip is not None else max(1, steps_per_epoch // GRAD_NORM_SAMPLES)

    def train_epoch() -> tuple[torch.Tensor, ...]:
        model.train()
        if transfer is not None:
            transfer.train_mode()  # a frozen layer's BatchNorm stays in eval mode
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), device=device, dtype=torch.int64)
        norm_sum = torch.zeros((), device=device)
        # Steps whose norm counts: a device tensor only when fp16 may skip some (below).
        norm_count: torch.Tensor | int = torch.zeros((), device=device) if scaling else 0
        order = torch.randperm(n_train, device=home, generator=shuffle_generator)
        seen = 0
        for b in range(steps_per_epoch):
            measure = b % norm_stride == 0
            index = order[b * run.batch_size:(b + 1) * run.batch_size]
            x, target = x_train[index], y_train[index]
            if home != device:  # a dataset too big for the GPU: this batch goes over
                x, target = x.to(device, non_blocking=True), target.to(device, non_blocking=True)
            x = _as_input(x)
            if augment is not None:
                x, target = augment(x, target, augment_generator)
            output, loss, norm = step(layout(x), target, measure)
            if schedule.per_batch is not None:
                schedule.per_batch.step()
            loss_sum.add_(loss, alpha=len(index))
            if classification:
                correct += count_correct(output, target)
            if measure and norm is not None:
                # With fp16 the scaler skips steps whose gradients overflowed; their inf
                # norm says nothing about the model, so it stays out of the mean.
                if scaling:
                    finite = torch.isfinite(norm)
                    norm, norm_count = torch.where(finite, norm, 0.0), norm_count + finite
                else:
                    norm_count += 1
                norm_sum += norm
            seen += len(index)
        if isinstance(norm_count, torch.Tensor):
            norm_count = norm_count.clamp(min=1)
        return loss_sum / seen, correct / seen, norm_sum / norm_count

    # --- evaluate -----------------------------------------------------------------------------
    @torch.inference_mode()
    def evaluate() -> tuple[torch.Tensor, torch.Tensor]:
        model.eval()
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), device=device, dtype=torch.int64)
        for start in range(0, len(x_val), EVAL_BATCH_SIZE):
            x = _as_input(x_val[start:start + EVAL_BATCH_SIZE].to(device, non_blocking=True))
            y = y_val[start:start + EVAL_BATCH_SIZE].to(device, non_blocking=True)
            with autocast():
                output = forward(layout(x))
            loss_sum += val_loss_fn(output, y) * len(x)
            if classification:
                correct += count_correct(output, y)
        return loss_sum / len(x_val), correct / len(x_val)

    # --- resume --------------------------------------------------------------------------------
    best_weights = BestWeights(model, device)
    progress = Progress(epoch=-1)
    resumed_from_epoch = None
    state = None
    if state_path is not None:
        state_path = Path(state_path)
        data_key = [n_train, len(x_val), list(data.info.input_shape), data.num_outputs]
        state = TrainingState(model, optimizer, schedule, scaler, shuffle_generator,
                              augment_generator, best_weights, device,
                              config_fingerprint(cfg), data_key, run.seed)
        remove_stale_partials(state_path)
        saved, ignored = read_state(state_path, state.fingerprint, data_key)
        if saved is not None:
            try:
                progress = state.restore(saved, notes)
            except Exception as error:  # a file of the right format that does not fit
                ignored = (f"training state {state_path.name} did not load "
                           f"({type(error).__name__}: {str(error)[:200]}): started from "
                           "epoch 0")
            else:
                resumed_from_epoch = progress.epoch + 1
        if ignored:
            notes.append(ignored)
    if resumed_from_epoch is not None and on_resume is not None:
        on_resume(resumed_from_epoch, [dict(m) for m in progress.history])
    if transfer is not None and resumed_from_epoch is None:
        # Not on a resume: the saved state's model is the source's weights trained further.
        notes.append(transfer.load(tuple(data.info.input_shape), data.num_outputs))

    # --- epochs and logging -------------------------------------------------------------------
    stop_cfg = reg.early_stopping
    watch = stop_cfg.metric if stop_cfg else "val_loss"
    sign = -1.0 if watch.endswith("_acc") else 1.0  # compare as "lower is better"
    min_delta = stop_cfg.min_delta if stop_cfg else 0.0
    best_value, best_epoch = progress.best_value, progress.best_epoch
    history: list[dict[str, float]] = progress.history
    stopped_reason = "completed"
    last_saved = time.perf_counter()
    for epoch in range(progress.epoch + 1, run.epochs):
        if should_stop is not None and should_stop():
            raise Cancelled(epoch)
        epoch_start = time.perf_counter()
        lr = optimizer.param_groups[0]["lr"]  # the lr of the epoch's first step
        train_loss, train_acc, grad_norm = train_epoch()
        eval_start = _mark(device)
        val_loss, val_acc = evaluate()
        eval_end = _mark(device)
        # The one host sync of the epoch.
        values = torch.stack([train_loss, train_acc.float(), grad_norm, val_loss.float(),
                              val_acc.float()]).tolist()
        metrics = {"train_loss": values[0], "val_loss": values[3]}
        if classification:
            metrics.update(train_acc=values[1], val_acc=values[4])
        metrics.update(lr=lr, grad_norm=values[2], epoch_time=time.perf_counter() - epoch_start,
                       eval_time=_seconds(eval_start, eval_end))
        history.append(metrics)
        if schedule.per_epoch is not None:
            schedule.per_epoch.step(metrics["val_loss"])
        if on_epoch is not None:
            on_epoch(epoch, dict(metrics))

        if not math.isfinite(metrics["train_loss"]):
            # Recorded, not raised: the advisor needs the NaN to say "diverging".
            stopped_reason = "non_finite_loss"
            break
        value = sign * metrics[watch]
        if math.isfinite(value) and value < best_value - min_delta:
            best_value, best_epoch = value, epoch
            best_weights.keep(model)
        since_best = epoch - (best_epoch if best_epoch is not None else -1)
        if stop_cfg is not None and since_best >= stop_cfg.patience:
            stopped_reason = "early_stopping"
            break
        # The state after this epoch, unless the run ends here (a crash from now on redoes
        # at most the next epoch; the caller holds the result of the last one).
        if state is not None and epoch < run.epochs - 1 \
                and time.perf_counter() - last_saved >= state_every:
            try:
                write_state(state_path, state.capture(Progress(epoch, history, best_value,
                                                               best_epoch)))
            except OSError as error:
                # Training goes on without it (a crash would then start over): the state
                # only saves work, it is not the job's result.
                notes.append(f"the training state could not be written to {state_path} "
                             f"({error}); it is no longer saved in this run")
                state = None
            last_saved = time.perf_counter()

    return TrainResult(history=history, best_epoch=best_epoch, stopped_reason=stopped_reason,
                       num_params=num_params, device=str(device), config=cfg.to_dict(),
                       seconds=time.perf_counter() - started, notes=notes,
                       input_shape=tuple(data.info.input_shape), num_outputs=data.num_outputs,
                       resumed_from_epoch=resumed_from_epoch, model=model,
                       best_state=best_weights.state)
