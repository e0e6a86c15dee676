"""Optimizers (registry OPTIMIZERS) and learning-rate schedules (registry SCHEDULES).

Optimizer factory: `(params, cfg: OptimizerConfig, device) -> torch.optim.Optimizer`.
It uses torch's fused kernels where torch has them for the device (one kernel for the whole
update instead of one per parameter tensor), else the foreach (multi-tensor) path on CUDA.
`build_optimizer` runs the catalogue's `check_optimizer` first: an option the optimizer
does not have is a ConfigError, not silently ignored. Default learning rates are the
catalogue's `OPTIMIZERS[name].usual_lr`.

Schedule factory: `(optimizer, cfg: ScheduleConfig, epochs, steps_per_epoch) -> Schedule`.
`build_schedule` runs the catalogue's `check_schedule` first (options the schedule does not
take, a warm-up as long as the run, a min_lr above the lr).

How schedules step — every schedule except plateau steps **per batch**, as a function of
fractional epochs t = step / steps_per_epoch, so warm-up ramps smoothly and a drop "at
epoch 30" happens at the first batch of epoch 30. `plateau` steps **per epoch**, on the
validation loss (its warm-up still ramps per batch). Warm-up is linear over
`warmup_epochs` from lr/warmup_steps to lr; the decay formulas then run over the epochs
left after warm-up, with t counted from the end of warm-up:

    constant     lr
    step         lr * gamma ** floor(t / step_size)    gamma 0.1, step_size epochs // 3
    cosine       min_lr + (lr - min_lr) * (1 + cos(pi * t / T)) / 2     min_lr 0
    linear       lr - (lr - min_lr) * t / T                             min_lr 0
    inverse      lr / (1 + t) ** power    power 0.5 (inverse square root); 1 gives 1/t
    exponential  lr * gamma ** t          gamma 0.9 per epoch
    onecycle     torch's OneCycleLR with max lr = lr (rise over warmup_epochs, 30% if 0)
    plateau      torch's ReduceLROnPlateau(factor 0.1, patience 5) on val_loss

The formula schedules are one torch LambdaLR each (torch keeps the state, each entry is only
its formula, as in lr_scheduler.py) rather than StepLR/CosineAnnealingLR chained with
SequentialLR: those update the lr recursively (float drift, and SequentialLR's hand-over
step), while a closed form gives the exact lr of any step, which the tests check.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import torch
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LambdaLR, LinearLR, LRScheduler, OneCycleLR, ReduceLROnPlateau

from service.catalogue import check_optimizer, check_schedule

if TYPE_CHECKING:
    from .config import OptimizerConfig, ScheduleConfig


def _version_at_least(major: int, minor: int) -> bool:
    parts = torch.__version__.split("+")[0].split(".")
    return (int(parts[0]), int(parts[1])) >= (major, minor)


def _fast(device: torch.device, fused_on: Iterable[str]) -> dict[str, bool]:
    """fused=True where torch has a fused kernel for this optimizer on this device, else
    foreach=True on CUDA. CPU fused kernels exist from torch 2.4."""
    fused_on = set(fused_on)
    if not _version_at_least(2, 4):
        fused_on.discard("cpu")
    if device.type in fused_on:
        return {"fused": True}
    return {"foreach": True} if device.type == "cuda" else {}


def sgd(params, cfg: OptimizerConfig, device: torch.device) -> Optimizer:
    return torch.optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum or 0.0, nesterov=cfg.nesterov,
                           weight_decay=cfg.weight_decay, **_fast(device, ("cuda", "cpu")))


def adam(params, cfg: OptimizerConfig, device: torch.device) -> Optimizer:
    return torch.optim.Adam(params, lr=cfg.lr, betas=cfg.betas or (0.9, 0.999),
                            weight_decay=cfg.weight_decay, **_fast(device, ("cuda", "cpu")))


def adamw(params, cfg: OptimizerConfig, device: torch.device) -> Optimizer:
    # torch's AdamW default weight_decay is 1e-2; here 0 means 0, as for every optimizer.
    return torch.optim.AdamW(params, lr=cfg.lr, betas=cfg.betas or (0.9, 0.999),
                             weight_decay=cfg.weight_decay, **_fast(device, ("cuda", "cpu")))


def rmsprop(params, cfg: OptimizerConfig, device: torch.device) -> Optimizer:
    return torch.optim.RMSprop(params, lr=cfg.lr, alpha=cfg.alpha or 0.99,
                               momentum=cfg.momentum or 0.0, weight_decay=cfg.weight_decay,
                               **_fast(device, ()))


def adagrad(params, cfg: OptimizerConfig, device: torch.device) -> Optimizer:
    return torch.optim.Adagrad(params, lr=cfg.lr, weight_decay=cfg.weight_decay,
                               **_fast(device, ("cpu",)))


def lbfgs(params, cfg: OptimizerConfig, device: torch.device) -> Optimizer:
    """Full-batch quasi-Newton: set batch_size >= the training set. The loop calls it with
    a closure; the strong-Wolfe line search keeps lr=1 steps from overshooting."""
    return torch.optim.LBFGS(params, lr=cfg.lr, line_search_fn="strong_wolfe")


OptimizerFactory = Callable[[Iterable[torch.nn.Parameter], "OptimizerConfig", torch.device],
                            Optimizer]

OPTIMIZERS: dict[str, OptimizerFactory] = {
    "sgd": sgd,
    "adam": adam,
    "adamw": adamw,
    "rmsprop": rmsprop,
    "adagrad": adagrad,
    "lbfgs": lbfgs,
}


def build_optimizer(params: Iterable[torch.nn.Parameter], cfg: OptimizerConfig,
                    device: torch.device) -> Optimizer:
    check_optimizer(asdict(cfg))
    return OPTIMIZERS[cfg.name](params, cfg, device)


# --- schedules -----------------------------------------------------------------------------


@dataclass
class Schedule:
    """What the loop drives: `per_batch.step()` after every optimizer step,
    `per_epoch.step(val_loss)` after every evaluation. Either may be None."""

    per_batch: LRScheduler | None = None
    per_epoch: ReduceLROnPlateau | None = None


def _base_lr(optimizer: Optimizer) -> float:
    return optimizer.param_groups[0].get("initial_lr", optimizer.param_groups[0]["lr"])


def _formula_schedule(optimizer: Optimizer, cfg: ScheduleConfig, epochs: int,
                      steps_per_epoch: int,
                      formula: Callable[[float, float], float]) -> Schedule:
    """LambdaLR of warm-up x formula(t, T): t epochs since warm-up, T epochs after it."""
    warmup_steps = round(cfg.warmup_epochs * steps_per_epoch)
    horizon = epochs - warmup_steps / steps_per_epoch

    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        return formula((step - warmup_steps) / steps_per_epoch, horizon)

    return Schedule(per_batch=LambdaLR(optimizer, factor))


def constant(optimizer, cfg, epochs, steps_per_epoch) -> Schedule:
    if not cfg.warmup_epochs:
        return Schedule()  # nothing to step: a scheduler call per batch would be pure cost
    return _formula_schedule(optimizer, cfg, epochs, steps_per_epoch, lambda t, T: 1.0)


def step(optimizer, cfg, epochs, steps_per_epoch) -> Schedule:
    size, gamma = cfg.step_size or max(1, epochs // 3), cfg.gamma or 0.1
    return _formula_schedule(optimizer, cfg, epochs, steps_per_epoch,
                             lambda t, T: gamma ** math.floor(t / size + 1e-9))


def _final_ratio(optimizer: Optimizer, cfg: ScheduleConfig) -> float:
    return (cfg.min_lr or 0.0) / _base_lr(optimizer)


def cosine(optimizer, cfg, epochs, steps_per_epoch) -> Schedule:
    low = _final_ratio(optimizer, cfg)
    return _formula_schedule(
        optimizer, cfg, epochs, steps_per_epoch,
        lambda t, T: low + (1 - low) * 0.5 * (1 + math.cos(math.pi * min(t / T, 1.0))))


def linear(optimizer, cfg, epochs, steps_per_epoch) -> Schedule:
    low = _final_ratio(optimizer, cfg)
    return _formula_schedule(optimizer, cfg, epochs, steps_per_epoch,
                             lambda t, T: 1 - (1 - low) * min(t / T, 1.0))


def inverse(optimizer, cfg, epochs, steps_per_epoch) -> Schedule:
    power = cfg.power or 0.5
    return _formula_schedule(optimizer, cfg, epochs, steps_per_epoch,
                             lambda t, T: (1.0 + t) ** -power)


def exponential(optimizer, cfg, epochs, steps_per_epoch) -> Schedule:
    gamma = cfg.gamma or 0.9
    return _formula_schedule(optimizer, cfg, epochs, steps_per_epoch, lambda t, T: gamma**t)


def onecycle(optimizer, cfg, epochs, steps_per_epoch) -> Schedule:
    group = optimizer.param_groups[0]
    # Cycle momentum too (the 1cycle policy) where the optimizer has it; forcing it on
    # momentum-free SGD or Adagrad would change the optimizer the spec asked for.
    has_momentum = "betas" in group or group.get("momentum", 0) > 0
    return Schedule(per_batch=OneCycleLR(
        optimizer, max_lr=_base_lr(optimizer), total_steps=epochs * steps_per_epoch,
        pct_start=cfg.warmup_epochs / epochs if cfg.warmup_epochs else 0.3,
        cycle_momentum=has_momentum))


def plateau(optimizer, cfg, epochs, steps_per_epoch) -> Schedule:
    warmup_steps = round(cfg.warmup_epochs * steps_per_epoch)
    # LinearLR updates the lr relative to its current value and leaves it alone after its
    # last step, so it composes with ReduceLROnPlateau's cuts (a LambdaLR would undo them).
    warmup = None
    if warmup_steps > 1:
        warmup = LinearLR(optimizer, start_factor=1 / warmup_steps, end_factor=1.0,
                          total_iters=warmup_steps - 1)
    return Schedule(per_batch=warmup, per_epoch=ReduceLROnPlateau(
        optimizer, mode="min", factor=cfg.factor or 0.1,
        patience=5 if cfg.patience is None else cfg.patience, min_lr=cfg.min_lr or 0.0))


ScheduleFactory = Callable[[Optimizer, "ScheduleConfig", int, int], Schedule]

SCHEDULES: dict[str, ScheduleFactory] = {
    "constant": constant,
    "step": step,
    "cosine": cosine,
    "linear": linear,
    "inverse": inverse,
    "exponential": exponential,
    "onecycle": onecycle,
    "plateau": plateau,
}


def build_schedule(optimizer: Optimizer, cfg: ScheduleConfig, epochs: int,
                   steps_per_epoch: int) -> Schedule:
    check_schedule(asdict(cfg), epochs, _base_lr(optimizer))
    return SCHEDULES[cfg.name](optimizer, cfg, epochs, steps_per_epoch)


def schedule_curve(cfg: ScheduleConfig, lr: float, epochs: int, steps_per_epoch: int,
                   val_losses: list[float] | None = None) -> list[float]:
    """The lr of every step (epochs * steps_per_epoch values) as the loop would use it,
    with a throwaway SGD optimizer; `val_losses` (one per epoch) drive plateau."""
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=lr, momentum=0.9)
    schedule = build_schedule(optimizer, cfg, epochs, steps_per_epoch)
    lrs = []
    for epoch in range(epochs):
        for _ in range(steps_per_epoch):
            lrs.append(optimizer.param_groups[0]["lr"])
            optimizer.step()  # keeps torch from warning that the schedule stepped first
            if schedule.per_batch is not None:
                schedule.per_batch.step()
        if schedule.per_epoch is not None:
            loss = val_losses[epoch] if val_losses is not None else 1.0
            schedule.per_epoch.step(loss)
    return lrs
