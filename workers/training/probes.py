"""Probe jobs: measure a model instead of (only) training it. `run_probe(cfg) -> ProbeResult`.

A spec with a `probe` section (config.py, service/catalogue/probes.py) is run by the worker
with `run_probe` in place of `train`: the probe's curve goes to the run as metric points
(`on_point(step, metrics)`, as `train`'s `on_epoch`), its findings to the job as `result`
(JSON: non-finite numbers become null). The spec's `training.epochs` is not read. Every
probe computes in fp32 (a note says so when the spec asks for bf16/fp16). Kinds:

initial_loss
    The model exactly as `train` would start it (same seed), in train mode (batch norm on
    batch statistics, dropout on: what the first steps see), without augmentation or label
    smoothing, on the first `batches` training batches (a fixed subset: the training part
    is in random order already). `expected` is ln C for cross-entropy over C classes; for
    MSE the MSE of the best constant prediction, the targets' variance (per output, over
    the subset; one-hot targets for a classifier). Result: {loss, expected, ratio (loss /
    expected; null when expected is 0), accuracy, chance_accuracy (1/C),
    majority_accuracy (the subset's most frequent class), num_classes, task, loss_name,
    samples, batches, val_samples}; accuracies and classes are null for a regression. One
    point: step 0, train_loss and train_acc (classifiers).

lr_range
    Leslie Smith's learning-rate range test (Smith 2017, "Cyclical learning rates", 3.3):
    the spec's model (seeded as `train` seeds it) and optimizer, `steps` mini-batches of
    the training data (reshuffled each pass, augmented, penalised and clipped as the spec
    trains) with the lr set to lr_min * (lr_max / lr_min) ** (i / (steps - 1)) at step i.
    Each step's training loss (the batch's, before its update) is smoothed by a
    bias-corrected exponential moving average (`smoothing`, the past's weight); the test
    stops at the first step whose loss is not finite or whose smoothed loss is above 4x
    the best so far (diverged). Points: step i with train_loss (raw), loss_smoothed, lr.
    Result: {lrs, losses (smoothed), raw_losses, suggested_lr, min_loss_lr, diverged_at_lr
    (null: it never diverged), steps (done), rule}.
    suggested_lr = min_loss_lr / 10: the smoothed loss is lowest just before the lr where
    training breaks down, and a tenth of it stays clear of that edge (fastai's `lr_find`
    "minimum" suggestion). Measured on mnist1d (MLP [64], 3 seeds; Adam, SGD, SGD with
    momentum 0.9) against the best lr of a half-decade grid of 3- and 5-epoch trainings:
    the grid's best was 2.5x - 5.3x above the suggestion with the defaults (100 steps,
    smoothing 0.9), so it errs on the safe side, as a training longer than the grid's
    wants. The lr of the steepest fall of the smoothed loss, the other usual rule, was
    closer on some runs (1x - 3.3x) but picked lr_min itself at a heavier smoothing (0.95:
    early batch noise outweighs a smoothed-out descent), so it is not offered. The
    suggestion moves down with more steps (each lr trains longer, the minimum comes
    earlier: 300 steps put it 5x - 12x below the grid's best): keep ~100 steps for it.

hessian
    At the weights of job `job_id`'s checkpoint (`weights`: best or last; the model as
    `load_model` builds it, in eval mode: dropout off, batch norm on running statistics,
    so the function is deterministic), the objective the job trained (the spec's loss with
    its label smoothing, plus its l1/l2 penalties) over the first `batches` training
    batches of the spec's dataset. The Hessian is reached only through Hessian-vector
    products (double backward, batch by batch): Lanczos with full reorthogonalisation,
    `iters` products, then Rayleigh-Ritz on the basis (`lanczos`). The extreme Ritz values
    converge first; a start vector's Krylov space that closes (an eigenvalue repeated, or
    few distinct ones) is followed by a fresh random start, so with `iters` at least the
    number of parameters every eigenvalue is found, repeated ones as often as they are.
    Verdict: `not_critical` when the gradient is not small, else `saddle_point` when the
    smallest eigenvalue is below -tolerance * max(1, |largest|), else `local_minimum`.
    "Small" is scale-free (the same under a rescaled loss or rescaled weights): a step
    along -g gains at least gain = |g|^2 / (2 * largest eigenvalue) of loss on the
    quadratic model, and the gradient is small when gain <= tolerance * max(loss,
    tolerance). At a saddle point the weights are moved along the most negative
    eigenvector v (unit norm) by +-escape_step or, without one, by each of +-{1e-3, 3e-3,
    ..., 3} * max(|weights| / sqrt(n), 0.01), keeping the point of lowest loss on the
    subset (`escape_step`); when none lowers the loss there is no escape (escape: null, a
    note). The moved model is returned as `checkpoint`: the worker saves it at the probe
    job's own checkpoint path in the format `load_model` reads (best = last = the moved
    weights; its config is the source job's), for a job to start from (model.init_from).
    Points: step i = the i-th Hessian-vector product, eig_max and eig_min (the extreme Ritz
    values so far). Result: {top (k largest, descending), bottom (k smallest, ascending),
    max, min, grad_norm, loss, gain, verdict, tolerance, weights, job_id, params, samples,
    iters (products made), block, residuals: {max, min} (|Hy - theta y| of the extreme
    Ritz pairs), escape: {step, loss_before, loss_after} | null}.

ensemble
    Each member job's checkpoint (best weights), evaluated on the validation set of the
    spec's dataset, which must be the one every member trained on (the same dataset
    section, and the model's input shape and outputs). Cross-entropy: the members' softmax
    probabilities are averaged and the ensemble's val_loss is the negative log-likelihood
    of that average; MSE (and regression): the outputs are averaged. Accuracy is the
    argmax's. Points: step i with member i's val_loss, val_acc and the ensemble of members
    0..i's ensemble_val_loss, ensemble_val_acc. Result: {ensemble: {val_loss, val_acc},
    members: [{job_id, val_loss, val_acc}], best_member (highest val_acc, ties to the lower
    val_loss; regression: lowest val_loss), gain (ensemble val_acc - best member's;
    regression: best member's val_loss - ensemble's), loss_gain (lowest member val_loss -
    ensemble val_loss: positive when the ensemble beats every member on loss), task,
    samples}; val_acc null for a regression.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import torch
from torch import nn

from service.catalogue import LR_RANGE_DIVERGENCE

from .augment import build_augment
from .check import check_config
from .checkpoint import FORMAT, load_model
from .config import (
    EnsembleProbe,
    HessianProbe,
    InitialLossProbe,
    LrRangeProbe,
    TrainConfig,
)
from .data import Data, Files, load_data
from .errors import Cancelled, ConfigError
from .loop import EVAL_BATCH_SIZE, _as_input, batches_per_epoch, resolve_device
from .losses import LOSSES, count_correct
from .models import build_model, count_parameters
from .optim import build_optimizer
from .result import TrainResult

OnPoint = Callable[[int, dict[str, float]], None]
ShouldStop = Callable[[], bool]
CheckpointOf = Callable[[str], Path]

HESSIAN_BLOCK = 1  # Lanczos start vectors (band Lanczos when more): see the module doc


@dataclass
class ProbeResult:
    kind: str
    result: dict[str, Any]  # JSON (finite numbers, null), the job's `result`
    points: list[tuple[int, dict[str, float]]]  # (step, metrics), as on_point saw them
    seconds: float
    device: str
    notes: list[str] = field(default_factory=list)
    # hessian at a saddle point: the moved model, to save at the probe job's checkpoint path
    checkpoint: TrainResult | None = field(default=None, repr=False)
    checkpoint_extra: dict[str, Any] = field(default_factory=dict)


def run_probe(cfg: TrainConfig | Mapping[str, Any], *,
              on_point: OnPoint | None = None,
              should_stop: ShouldStop | None = None,
              data_dir: str | Path | None = None,
              device: str | torch.device | None = None,
              files: Files | None = None,
              checkpoint_of: CheckpointOf | None = None) -> ProbeResult:
    """Run the probe `cfg.probe` (see the module doc). `on_point(step, metrics)` gets every
    metric point as it is made; `should_stop()` is polled between steps (True raises
    Cancelled(step)); `checkpoint_of(job_id)` is where a job's checkpoint lies (hessian,
    ensemble). ConfigError for a spec that cannot run (a member trained on other data, a
    missing checkpoint, ...)."""
    started = time.perf_counter()
    if not isinstance(cfg, TrainConfig):
        cfg = TrainConfig.from_dict(cfg)
    if cfg.probe is None:
        raise ValueError("the spec has no probe section: train it with train()")
    check_config(cfg)
    notes: list[str] = []
    if cfg.training.precision != "fp32":
        notes.append(f"probes compute in fp32 (the spec asks for {cfg.training.precision})")
    device = resolve_device(device or cfg.training.device)
    points: list[tuple[int, dict[str, float]]] = []

    def emit(step: int, metrics: dict[str, float]) -> None:
        points.append((step, dict(metrics)))
        if on_point is not None:
            on_point(step, dict(metrics))

    def stop(step: int) -> None:
        if should_stop is not None and should_stop():
            raise Cancelled(step)

    stop(0)
    data = load_data(cfg.dataset, data_dir, files)
    check_config(cfg, data.info)
    probe = cfg.probe
    extra: dict[str, Any] = {}
    checkpoint = None
    if isinstance(probe, InitialLossProbe):
        result = _initial_loss(cfg, probe, data, device, emit)
    elif isinstance(probe, LrRangeProbe):
        result = _lr_range(cfg, probe, data, device, emit, stop)
    elif isinstance(probe, HessianProbe):
        result, checkpoint, extra = _hessian(cfg, probe, data, device, emit, stop,
                                             _need(checkpoint_of), notes)
    elif isinstance(probe, EnsembleProbe):
        result = _ensemble(cfg, probe, data, device, emit, stop, _need(checkpoint_of))
    else:  # a kind config.py declares and this module does not run: a bug here
        raise TypeError(f"no probe runs {type(probe).__name__}")
    seconds = time.perf_counter() - started
    if checkpoint is not None:
        checkpoint.seconds = seconds
    return ProbeResult(kind=probe.kind, result=jsonable(result), points=points,
                       seconds=seconds, device=str(device), notes=notes,
                       checkpoint=checkpoint, checkpoint_extra=extra)


def _need(checkpoint_of: CheckpointOf | None) -> CheckpointOf:
    if checkpoint_of is None:
        raise ValueError("this probe reads other jobs' checkpoints: pass checkpoint_of")
    return checkpoint_of


def jsonable(value: Any) -> Any:
    """`value` as JSON can hold it: non-finite floats become None (JSON has no NaN, and
    PostgreSQL's jsonb refuses it), tuples lists, numpy/torch scalars Python numbers."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, torch.Tensor):
        return jsonable(value.tolist())
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    number = float(value)
    return number if math.isfinite(number) else None


# --- shared pieces -------------------------------------------------------------------------


def _subset(data: Data, batches: int, batch_size: int,
            device: torch.device) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The first `batches` training batches: the fixed subset a probe measures on (the
    training part is in random order already, so a prefix is a random sample)."""
    n = min(len(data.x_train), batches * batch_size)
    x = torch.from_numpy(data.x_train[:n]).to(device)
    y = torch.from_numpy(data.y_train[:n]).to(device)
    return [(_as_input(x[i:i + batch_size]), y[i:i + batch_size])
            for i in range(0, n, batch_size)]


def _model(cfg: TrainConfig, data: Data, device: torch.device) -> nn.Module:
    """The model `train` would start from: seeded the same way, built the same way."""
    torch.manual_seed(cfg.training.seed)
    return build_model(cfg.model, data.info.input_shape, data.num_outputs, data.mean,
                       data.std).to(device)


def _penalty(cfg: TrainConfig, params: list[nn.Parameter]) -> Callable[[], torch.Tensor | float]:
    """The spec's l1/l2 penalty over weight matrices and kernels, as the loop adds it."""
    reg = cfg.regularization
    weights = [p for p in params if p.dim() > 1]

    def penalty() -> torch.Tensor | float:
        total: torch.Tensor | float = 0.0
        if reg.l1:
            total = total + reg.l1 * sum(w.abs().sum() for w in weights)
        if reg.l2:
            total = total + 0.5 * reg.l2 * sum(w.pow(2).sum() for w in weights)
        return total

    return penalty


def _read_checkpoint(path: Path, job_id: str, field_name: str) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigError(field_name, f"job {job_id} has no checkpoint (it saved no model: "
                                      "only a job that trained to the end has one)")
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # noqa: BLE001 - any unreadable file reads the same
        raise ConfigError(field_name, f"job {job_id}'s checkpoint cannot be read "
                                      f"({type(error).__name__})") from error
    if not isinstance(saved, dict) or saved.get("format") != FORMAT:
        raise ConfigError(field_name, f"job {job_id}'s checkpoint is not a fitdoc "
                                      f"checkpoint ({FORMAT})")
    return saved


def _check_fits(saved: Mapping[str, Any], data: Data, job_id: str, field_name: str) -> None:
    shape = tuple(saved["input_shape"])
    if shape != tuple(data.info.input_shape) or saved["num_outputs"] != data.num_outputs:
        raise ConfigError(field_name, f"job {job_id}'s model takes samples of shape {shape} "
                                      f"and has {saved['num_outputs']} outputs; this spec's "
                                      f"data has {tuple(data.info.input_shape)} and "
                                      f"{data.num_outputs}")


# --- initial_loss ----------------------------------------------------------------------------


def expected_initial_loss(loss_name: str, y: torch.Tensor, num_classes: int | None) -> float:
    """What an untrained model's loss should be: ln C for cross-entropy (uniform
    predictions), for MSE the MSE of the best constant prediction, i.e. the targets'
    variance per output (one-hot targets for a classifier), averaged over the outputs as
    the loss averages."""
    if loss_name == "cross_entropy":
        return math.log(num_classes)
    if num_classes is not None and y.dtype in (torch.int64, torch.int32):
        targets = (y.unsqueeze(1) == torch.arange(num_classes, device=y.device)).double()
    else:
        targets = y.double().reshape(len(y), -1)
    return float(targets.var(dim=0, unbiased=False).mean())


@torch.no_grad()
def initial_loss_of(model: nn.Module, batches: list[tuple[torch.Tensor, torch.Tensor]],
                    loss_name: str, num_classes: int | None) -> dict[str, Any]:
    """The initial-loss measurement of `model` (in train mode) on `batches`."""
    model.train()
    loss_fn = LOSSES[loss_name](num_classes, 0.0)
    classification = num_classes is not None
    loss_sum, correct, n = 0.0, 0, 0
    for x, y in batches:
        output = model(x)
        loss_sum += float(loss_fn(output, y)) * len(x)
        if classification:
            correct += int(count_correct(output, y))
        n += len(x)
    y_all = torch.cat([y for _, y in batches])
    loss = loss_sum / n
    expected = expected_initial_loss(loss_name, y_all, num_classes)
    result: dict[str, Any] = {
        "loss": loss,
        "expected": expected,
        "ratio": loss / expected if expected > 0 else None,
        "accuracy": correct / n if classification else None,
        "chance_accuracy": 1.0 / num_classes if classification else None,
        "majority_accuracy": (float(torch.bincount(y_all, minlength=num_classes).max()) / n
                              if classification else None),
        "num_classes": num_classes,
        "task": "classification" if classification else "regression",
        "loss_name": loss_name,
        "samples": n,
        "batches": len(batches),
    }
    return result


def _initial_loss(cfg: TrainConfig, probe: InitialLossProbe, data: Data,
                  device: torch.device, emit: OnPoint) -> dict[str, Any]:
    model = _model(cfg, data, device)
    batches = _subset(data, probe.batches, cfg.training.batch_size, device)
    result = initial_loss_of(model, batches, cfg.training.loss, data.info.num_classes)
    result["val_samples"] = len(data.x_val)
    point = {"train_loss": result["loss"]}
    if result["accuracy"] is not None:
        point["train_acc"] = result["accuracy"]
    emit(0, point)
    return result


# --- lr_range --------------------------------------------------------------------------------


def lr_at(step: int, steps: int, lr_min: float, lr_max: float) -> float:
    """The exponential sweep: lr_min at step 0, lr_max at step steps - 1."""
    t = step / max(1, steps - 1)
    return lr_min ** (1 - t) * lr_max ** t  # exact at both ends


def suggest_lr(lrs: list[float], smoothed: list[float]) -> dict[str, float | None]:
    """min_loss_lr (the lr of the lowest finite smoothed loss) and suggested_lr =
    min_loss_lr / 10 (the rule: see the module doc)."""
    finite = [(loss, lr) for lr, loss in zip(lrs, smoothed, strict=True) if math.isfinite(loss)]
    if not finite:
        return {"min_loss_lr": None, "suggested_lr": None}
    min_loss_lr = min(finite)[1]
    return {"min_loss_lr": min_loss_lr, "suggested_lr": min_loss_lr / 10}


def _lr_range(cfg: TrainConfig, probe: LrRangeProbe, data: Data, device: torch.device,
              emit: OnPoint, stop: Callable[[int], None]) -> dict[str, Any]:
    run = cfg.training
    model = _model(cfg, data, device)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = build_optimizer(params, replace(cfg.optimizer, lr=probe.lr_min), device)
    loss_fn = LOSSES[run.loss](data.info.num_classes, cfg.regularization.label_smoothing)
    penalty = _penalty(cfg, params)
    augment = build_augment(cfg.augmentation, data.info)
    x_train = torch.from_numpy(data.x_train).to(device)
    y_train = torch.from_numpy(data.y_train).to(device)
    n = len(x_train)
    per_pass = batches_per_epoch(n, run.batch_size)
    shuffle = torch.Generator(device).manual_seed(run.seed)
    augment_generator = torch.Generator(device).manual_seed(run.seed + 1)
    order = torch.randperm(n, device=device, generator=shuffle)

    lrs: list[float] = []
    raw: list[float] = []
    smoothed: list[float] = []
    average, best = 0.0, math.inf
    diverged_at = None
    beta = probe.smoothing
    model.train()
    for step in range(probe.steps):
        stop(step)
        b = step % per_pass
        if b == 0 and step > 0:
            order = torch.randperm(n, device=device, generator=shuffle)
        index = order[b * run.batch_size:(b + 1) * run.batch_size]
        x, target = _as_input(x_train[index]), y_train[index]
        if augment is not None:
            x, target = augment(x, target, augment_generator)
        lr = lr_at(step, probe.steps, probe.lr_min, probe.lr_max)
        for group in optimizer.param_groups:
            group["lr"] = lr
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), target)
        objective = loss + penalty()
        objective.backward()
        if run.grad_clip is not None:
            torch.nn.utils.clip_grad_norm_(params, run.grad_clip)
        value = float(loss.detach())  # one sync per step: the stop test needs it
        finite = math.isfinite(value)
        if finite:
            optimizer.step()
            average = beta * average + (1 - beta) * value
            smooth = average / (1 - beta ** (step + 1))
        else:
            smooth = math.nan
        lrs.append(lr)
        raw.append(value)
        smoothed.append(smooth)
        emit(step, {"train_loss": value, "loss_smoothed": smooth, "lr": lr})
        if not finite or smooth > LR_RANGE_DIVERGENCE * best:
            diverged_at = lr
            break
        best = min(best, smooth)
    return {
        "lrs": lrs,
        "losses": smoothed,
        "raw_losses": raw,
        **suggest_lr(lrs, smoothed),
        "diverged_at_lr": diverged_at,
        "steps": len(lrs),
        "rule": "min_loss_lr / 10",
    }


# --- hessian ---------------------------------------------------------------------------------


class Objective:
    """A model's objective over fixed batches as a function of its trainable parameters:
    value, gradient and Hessian-vector products on flat vectors (double backward)."""

    def __init__(self, model: nn.Module,
                 batches: list[tuple[torch.Tensor, torch.Tensor]],
                 loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
                 penalty: Callable[[], torch.Tensor | float] | None = None) -> None:
        self.model = model
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.batches = batches
        self.loss_fn = loss_fn
        self.penalty = penalty
        self.samples = sum(len(x) for x, _ in batches)
        self.n = sum(p.numel() for p in self.params)

    def _terms(self):
        """(the objective's part from one batch, weighted to the mean over all samples)."""
        for i, (x, y) in enumerate(self.batches):
            term = self.loss_fn(self.model(x), y) * (len(x) / self.samples)
            if i == 0 and self.penalty is not None:
                term = term + self.penalty()
            yield term

    def flat(self, tensors) -> torch.Tensor:
        return torch.cat([(t if t is not None else torch.zeros_like(p)).reshape(-1)
                          for t, p in zip(tensors, self.params, strict=True)])

    def split(self, vector: torch.Tensor) -> list[torch.Tensor]:
        out, start = [], 0
        for p in self.params:
            out.append(vector[start:start + p.numel()].view_as(p))
            start += p.numel()
        return out

    def value(self) -> float:
        with torch.no_grad():
            return float(sum(float(t) for t in self._terms()))

    def gradient(self) -> tuple[float, torch.Tensor]:
        """(objective, flat gradient)."""
        total, grad = 0.0, torch.zeros(self.n, device=self.params[0].device)
        for term in self._terms():
            total += float(term.detach())
            grad += self.flat(torch.autograd.grad(term, self.params, allow_unused=True))
        return total, grad

    def hvp(self, vector: torch.Tensor) -> torch.Tensor:
        """H @ vector, summed batch by batch (memory: one batch's double backward)."""
        parts = self.split(vector)
        out = torch.zeros_like(vector)
        for term in self._terms():
            grads = torch.autograd.grad(term, self.params, create_graph=True,
                                        allow_unused=True)
            dot = sum((g * v).sum() for g, v in zip(grads, parts, strict=True)
                      if g is not None)
            if isinstance(dot, torch.Tensor) and dot.requires_grad:
                out += self.flat(torch.autograd.grad(dot, self.params, allow_unused=True))
        return out

    def set(self, vector: torch.Tensor) -> None:
        with torch.no_grad():
            for p, v in zip(self.params, self.split(vector), strict=True):
                p.copy_(v)

    def get(self) -> torch.Tensor:
        return self.flat([p.detach() for p in self.params]).clone()


@dataclass
class Spectrum:
    values: torch.Tensor  # the Ritz values, ascending (float64, CPU)
    vectors: torch.Tensor  # their Ritz vectors, one per row (n-vectors, unit norm)
    residuals: torch.Tensor  # |H y - theta y| of each
    iters: int  # Hessian-vector products made


def lanczos(hvp: Callable[[torch.Tensor], torch.Tensor], n: int, iters: int, *,
            block: int = 1, device: torch.device | str = "cpu", seed: int = 0,
            on_iter: Callable[[int, float, float], None] | None = None,
            stop: Callable[[int], None] | None = None) -> Spectrum:
    """Extreme eigenpairs of the symmetric operator `hvp` on R^n by band Lanczos: `block`
    random start vectors, then each new basis vector is H times the one `block` places
    before it, orthogonalised (twice: full reorthogonalisation) against the whole basis;
    Rayleigh-Ritz on the basis at the end (T = Q^T H Q, kept as it is built). Uses
    min(iters, n) products; a candidate that falls in the span of the basis is dropped and
    a fresh random vector taken, so with iters >= n the basis spans R^n and every
    eigenvalue is found with its multiplicity. `on_iter(i, max, min)` after product i with
    the extreme Ritz values so far."""
    m = min(iters, n)
    generator = torch.Generator(device="cpu").manual_seed(seed)

    def fresh() -> torch.Tensor:
        return torch.randn(n, generator=generator, dtype=torch.float32).to(device)

    basis = torch.zeros(m, n, dtype=torch.float32, device=device)
    images = torch.zeros(m, n, dtype=torch.float32, device=device)  # H q_j
    T = torch.zeros(m, m, dtype=torch.float64)
    candidates = [fresh() for _ in range(max(1, block))]
    j = 0
    while j < m:
        if stop is not None:
            stop(j)
        c = candidates.pop(0) if candidates else fresh()
        size = float(c.norm())
        for _ in range(2):
            c = c - basis[:j].T @ (basis[:j] @ c)
        norm = float(c.norm())
        if not math.isfinite(norm) or norm <= 1e-5 * size or norm == 0.0:
            continue  # in the span already (deflation): the next candidate, or a fresh one
        q = c / norm
        w = hvp(q)
        basis[j], images[j] = q, w
        column = (basis[:j + 1] @ w).double().cpu()
        T[:j + 1, j] = column
        T[j, :j + 1] = column
        j += 1
        ritz = torch.linalg.eigvalsh((T[:j, :j] + T[:j, :j].T) / 2)
        if on_iter is not None:
            on_iter(j - 1, float(ritz[-1]), float(ritz[0]))
        candidates.append(w)
    T = (T[:j, :j] + T[:j, :j].T) / 2
    values, S = torch.linalg.eigh(T)
    S32 = S.to(dtype=torch.float32, device=device)
    vectors = S32.T @ basis[:j]
    residuals = (S32.T @ images[:j]
                 - values.to(dtype=torch.float32, device=device)[:, None] * vectors).norm(dim=1)
    return Spectrum(values, vectors, residuals.double().cpu(), j)


def hessian_verdict(top_value: float, min_value: float, grad_norm: float, loss: float,
                    tolerance: float) -> tuple[str, float]:
    """(verdict, gain): `gain` = |g|^2 / (2 * max(top, tolerance)), the loss a step along
    -g gains at least on the quadratic model; the gradient is small when gain <= tolerance
    * max(loss, tolerance). not_critical (gradient not small), saddle_point (min <
    -tolerance * max(1, |top|)) or local_minimum."""
    gain = grad_norm ** 2 / (2 * max(top_value, tolerance))
    if gain > tolerance * max(abs(loss), tolerance):
        return "not_critical", gain
    if min_value < -tolerance * max(1.0, abs(top_value)):
        return "saddle_point", gain
    return "local_minimum", gain


ESCAPE_SCALES = (1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0, 3.0)


def escape_step(objective: Objective, direction: torch.Tensor, step: float | None
                ) -> dict[str, float] | None:
    """Move the weights along +-`direction` (unit norm) by `step`, or, without one, by the
    step of ESCAPE_SCALES * max(|weights| / sqrt(n), 1e-2) that gives the lowest loss; the
    sign with the lower loss. Leaves the model at the chosen point and returns {step (signed),
    loss_before, loss_after}, or puts it back and returns None when no tried step lowers the
    loss."""
    start = objective.get()
    before = objective.value()
    if step is not None:
        steps = [step]
    else:
        unit = max(float(start.norm()) / math.sqrt(max(1, objective.n)), 1e-2)
        steps = [s * unit for s in ESCAPE_SCALES]
    best: tuple[float, float] | None = None
    for size in steps:
        for signed in (size, -size):
            objective.set(start + signed * direction)
            value = objective.value()
            if math.isfinite(value) and (best is None or value < best[1]):
                best = (signed, value)
    if best is None or best[1] >= before:
        objective.set(start)
        return None
    objective.set(start + best[0] * direction)
    return {"step": best[0], "loss_before": before, "loss_after": best[1]}


def hessian_of(objective: Objective, *, k: int, iters: int, tolerance: float,
               seed: int = 0, block: int | None = None, on_point: OnPoint | None = None,
               stop: Callable[[int], None] | None = None) -> tuple[dict[str, Any], Spectrum]:
    """The hessian probe's measurement of `objective` at its model's current weights."""
    block = HESSIAN_BLOCK if block is None else block
    device = objective.params[0].device
    loss, grad = objective.gradient()
    grad_norm = float(grad.norm())

    def iterate(i: int, top: float, bottom: float) -> None:
        if on_point is not None:
            on_point(i, {"eig_max": top, "eig_min": bottom})

    spectrum = lanczos(objective.hvp, objective.n, iters, block=block, device=device,
                       seed=seed, on_iter=iterate, stop=stop)
    values = spectrum.values.tolist()
    top = values[::-1][:k]
    bottom = values[:k]
    verdict, gain = hessian_verdict(top[0], bottom[0], grad_norm, loss, tolerance)
    result = {
        "top": top,
        "bottom": bottom,
        "max": top[0],
        "min": bottom[0],
        "grad_norm": grad_norm,
        "loss": loss,
        "gain": gain,
        "verdict": verdict,
        "tolerance": tolerance,
        "params": objective.n,
        "samples": objective.samples,
        "iters": spectrum.iters,
        "block": block,
        "residuals": {"max": float(spectrum.residuals[-1]), "min": float(spectrum.residuals[0])},
    }
    return result, spectrum


def _hessian(cfg: TrainConfig, probe: HessianProbe, data: Data, device: torch.device,
             emit: OnPoint, stop: Callable[[int], None], checkpoint_of: CheckpointOf,
             notes: list[str]) -> tuple[dict[str, Any], TrainResult | None, dict[str, Any]]:
    path = Path(checkpoint_of(probe.job_id))
    saved = _read_checkpoint(path, probe.job_id, "probe.job_id")
    _check_fits(saved, data, probe.job_id, "probe.job_id")
    if probe.weights == "best" and saved.get("best") is None:
        notes.append(f"job {probe.job_id} kept no best weights (no epoch had a finite value): "
                     "used its last")
    model = load_model(path, which=probe.weights).to(device)
    for p in model.parameters():
        p.requires_grad_(True)
    batches = _subset(data, probe.batches, cfg.training.batch_size, device)
    loss_fn = LOSSES[cfg.training.loss](data.info.num_classes,
                                        cfg.regularization.label_smoothing)
    params = [p for p in model.parameters() if p.requires_grad]
    objective = Objective(model, batches, loss_fn, _penalty(cfg, params))
    result, spectrum = hessian_of(objective, k=probe.k, iters=probe.iters,
                                  tolerance=probe.tolerance, seed=cfg.training.seed,
                                  on_point=emit, stop=stop)
    result.update(weights=probe.weights, job_id=probe.job_id, escape=None)
    if result["verdict"] != "saddle_point":
        return result, None, {}
    escaped = escape_step(objective, spectrum.vectors[0], probe.escape_step)
    if escaped is None:
        notes.append("a saddle point, but no step along the negative eigenvector tried "
                      "lowered the loss: no escape checkpoint")
        return result, None, {}
    result["escape"] = escaped
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    moved = TrainResult(history=[], best_epoch=None, stopped_reason="saddle_escape",
                        num_params=count_parameters(model), device=str(device),
                        config=saved["config"], seconds=0.0, notes=list(notes),
                        input_shape=tuple(saved["input_shape"]),
                        num_outputs=saved["num_outputs"], model=model, best_state=state)
    extra = {"source_job_id": probe.job_id, "source_weights": probe.weights,
             "escape": dict(escaped), "eigenvalue": result["min"]}
    return result, moved, extra


# --- ensemble --------------------------------------------------------------------------------


@torch.no_grad()
def _outputs(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    model.eval()
    return torch.cat([model(_as_input(x[i:i + EVAL_BATCH_SIZE])).float()
                      for i in range(0, len(x), EVAL_BATCH_SIZE)])


def _score(prediction: torch.Tensor, y: torch.Tensor, loss_name: str, num_classes: int | None,
           probabilities: bool) -> tuple[float, float | None]:
    """(loss, accuracy) of a prediction: probabilities (cross-entropy's average: the loss
    is their negative log-likelihood) or outputs (MSE)."""
    if probabilities:
        picked = prediction.gather(1, y.view(-1, 1)).squeeze(1)
        loss = float(-torch.log(picked.clamp_min(1e-12)).mean())
    else:
        loss = float(LOSSES[loss_name](num_classes, 0.0)(prediction, y))
    accuracy = None
    if num_classes is not None:
        accuracy = float(count_correct(prediction, y)) / len(y)
    return loss, accuracy


def ensemble_of(outputs: list[torch.Tensor], y: torch.Tensor, loss_name: str,
                num_classes: int | None, emit: OnPoint | None = None) -> dict[str, Any]:
    """The ensemble measurement from each member's raw outputs on the validation set."""
    softmax = loss_name == "cross_entropy"
    total = None
    members, running = [], []
    for i, output in enumerate(outputs):
        prediction = torch.softmax(output, dim=1) if softmax else output
        total = prediction if total is None else total + prediction
        loss, acc = _score(prediction, y, loss_name, num_classes, softmax)
        ens_loss, ens_acc = _score(total / (i + 1), y, loss_name, num_classes, softmax)
        members.append({"val_loss": loss, "val_acc": acc})
        running.append((ens_loss, ens_acc))
        if emit is not None:
            point = {"val_loss": loss, "ensemble_val_loss": ens_loss}
            if acc is not None:
                point.update(val_acc=acc, ensemble_val_acc=ens_acc)
            emit(i, point)
    ens_loss, ens_acc = running[-1]
    if num_classes is not None:
        best = max(range(len(members)),
                   key=lambda i: (members[i]["val_acc"], -members[i]["val_loss"]))
        gain = ens_acc - members[best]["val_acc"]
    else:
        best = min(range(len(members)), key=lambda i: members[i]["val_loss"])
        gain = members[best]["val_loss"] - ens_loss
    return {
        "ensemble": {"val_loss": ens_loss, "val_acc": ens_acc},
        "members": members,
        "best": best,
        "gain": gain,
        "loss_gain": min(m["val_loss"] for m in members) - ens_loss,
        "task": "classification" if num_classes is not None else "regression",
        "samples": len(y),
    }


def _ensemble(cfg: TrainConfig, probe: EnsembleProbe, data: Data, device: torch.device,
              emit: OnPoint, stop: Callable[[int], None],
              checkpoint_of: CheckpointOf) -> dict[str, Any]:
    x_val = torch.from_numpy(data.x_val).to(device)
    y_val = torch.from_numpy(data.y_val).to(device)
    def data_section(dataset: Mapping[str, Any] | None) -> dict[str, Any]:
        # a field a checkpoint written before it existed lacks reads as its default, None
        return {k: v for k, v in (dataset or {}).items() if v is not None}

    mine = data_section(cfg.to_dict()["dataset"])
    outputs = []
    for i, job_id in enumerate(probe.members):
        stop(i)
        where = f"probe.members[{i}]"
        path = Path(checkpoint_of(job_id))
        saved = _read_checkpoint(path, job_id, where)
        theirs = data_section(saved["config"].get("dataset"))
        if theirs != mine:
            differ = sorted(k for k in set(mine) | set(theirs) if theirs.get(k) != mine.get(k))
            raise ConfigError(where, f"job {job_id} was trained on other data than this "
                                     f"spec's dataset (dataset.{', dataset.'.join(differ)} "
                                     "differ): the members of an ensemble share the spec's "
                                     "dataset")
        _check_fits(saved, data, job_id, where)
        outputs.append(_outputs(load_model(path, which="best").to(device), x_val))
    result = ensemble_of(outputs, y_val, cfg.training.loss, data.info.num_classes, emit)
    best = result.pop("best")
    result["members"] = [{"job_id": job_id, **m}
                         for job_id, m in zip(probe.members, result["members"], strict=True)]
    result["best_member"] = probe.members[best]
    return result
