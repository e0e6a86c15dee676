"""What a check returns: a coded finding with the evidence it read."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from service.schemas import Evidence


class Code(StrEnum):
    """Finding codes, grouped by what they tell. The remedy catalogue has an entry for each.
    A member is its string value (`Code.LOSS_STUCK == "loss_stuck"`), in dicts and JSON alike."""

    TOO_FEW_POINTS = "too_few_points"
    LOSS_NONFINITE = "loss_nonfinite"
    LOSS_EXPLODED = "loss_exploded"
    LOSS_OSCILLATES = "loss_oscillates"
    LOSS_STUCK = "loss_stuck"
    ACC_AT_CHANCE = "acc_at_chance"
    LOSS_HIGH = "loss_high"
    STILL_IMPROVING = "still_improving"
    VAL_NOT_TRACKING = "val_not_tracking"
    VAL_TURNED_UP = "val_turned_up"
    GAP_GROWING = "gap_growing"
    MEMORISED = "memorised"  # training loss ~0, validation accuracy far below training's
    KEPT_AT_CHANCE = "kept_at_chance"  # early stopping kept a model no better than a guess
    CONVERGED = "converged"
    # ... and what points at a cause
    LOSS_BLEW_UP = "loss_blew_up"  # early spike or rise above the start: lr too high
    LR_HIGH = "lr_high"
    LR_LOW = "lr_low"
    STEADY_CRAWL = "steady_crawl"  # tiny but steady descent: lr too low
    MSE_ON_CLASSES = "mse_on_classes"
    DEEP_SATURATING = "deep_saturating"
    GRAD_TINY = "grad_tiny"
    ACC_GAP = "acc_gap"
    LR_COLLAPSED = "lr_collapsed"  # the schedule cut the lr early and training stopped
    INIT_SMALL = "init_small"  # weights drawn too small to pass a signal through the net
    MODEL_TINY = "model_tiny"  # a hidden layer of a few units or channels: too little capacity
    REG_STRONG = "regularization_strong"  # penalties or dropout far stronger than usual
    TARGETS_UNSCALED = "targets_unscaled"  # a job's regression targets used as they come
    EARLY_STOPPED = "early_stopped"  # early stopping ended the run at its validation best
    ENDS_HIGH = "ends_high"  # a running job, at its rate, will end with the loss still high
    # where the losses are: what a healthy verdict shows when nothing else does (a running
    # job neither falling steadily nor settled yet)
    LEVELS = "levels"


@dataclass(frozen=True)
class Finding:
    """One symptom: its code, how strongly it shows (0 at the threshold, 1 far past it),
    the step it shows from, and the evidence (first item: the signal that decided)."""

    code: Code
    evidence: tuple[Evidence, ...]
    strength: float = 0.5
    since_step: int | None = None

    @property
    def message(self) -> str:
        return self.evidence[0].message


def evidence(
    signal: str, value: float | str | None, message: str, threshold: float | None = None
) -> Evidence:
    if isinstance(value, float):
        value = round(value, 6)
    return Evidence(signal=signal, value=value, threshold=threshold, message=message)


def strength(value: float, threshold: float, far: float) -> float:
    """0 at the threshold, 1 at `far` (both on the same side of it), linear between."""
    if far == threshold:
        return 1.0
    return float(min(1.0, max(0.0, (value - threshold) / (far - threshold))))
