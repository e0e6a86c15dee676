"""A plain reading of a run's curves: does the injected fault show?

Written for this benchmark from the definitions of docs/ARCHITECTURE.md section 5 alone, to
check that each spec of specs.py produces the behaviour its label names; it is not a
diagnosis and shares nothing with fitdoc's advisor. `fault_shows(label, history, ...)`
returns (shows, reason) from one run's per-epoch history (the training engine's metric
dicts: train_loss, val_loss, train_acc, val_acc).

The yardsticks, per label:

- diverging: the training loss becomes NaN/inf, or ends >= 10x both its first value and its
  minimum.
- stuck: the training loss after the first epoch stays within 10% of chance (ln C for cross
  entropy, (C-1)/C^2 for MSE on one-hot targets) or within 3% of its own first value, and
  the training accuracy stays within 0.1 of chance (the largest class's share).
- oscillating: from the third epoch on the training loss jumps up by >= 1.5x at least twice,
  once by >= 2x, and stays finite.
- underfitting: the run is finite, the loss leaves its start (last <= 0.9 x first), ends high
  (>= 0.15 x chance; regression targets have variance ~1, so 0.15), never jumps up 1.5x;
  then model_bias and optimization_issue: it has plateaued (the last third of the epochs
  lowers it by <= 10%); undertrained: it is still falling (the last epoch lowers it by
  >= 3%).
- overfitting: the validation loss first improves (its minimum <= 0.95x its first value),
  then ends >= 1.25x (and >= 0.02 above) that minimum, reached at least 2 epochs before the
  end, while the training loss fell >= 20% after the minimum.
- mismatch: the training loss falls >= 40%, the validation loss is lowest in the first two
  epochs (or never 5% below its first value) and ends no lower than 0.98x its first value,
  and (classification) the final validation accuracy is within 0.15 of chance (the largest
  class's share).
- healthy: finite, the training loss falls >= 50% and ends < 0.2x chance without 1.5x
  jumps, the validation loss ends within 15% (+0.01) of its minimum, and the validation
  accuracy reaches the dataset's bar (HEALTHY_VAL_ACC; regression: validation MSE <= 0.1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

HEALTHY_VAL_ACC = {"mnist1d": 0.85, "digits": 0.93, "wine": 0.9, "iris": 0.85,
                   "breast_cancer": 0.9, "synthetic_images": 0.85}


def chance_loss(loss: str, num_classes: int | None) -> float:
    """The loss of predicting the uniform distribution (regression: ~1, the variance of the
    standardised targets)."""
    if not num_classes:
        return 1.0
    if loss == "mse":
        return (num_classes - 1) / num_classes**2
    return math.log(num_classes)


def _finite(xs: Sequence[float]) -> bool:
    return all(math.isfinite(x) for x in xs)


def _up_ratios(xs: Sequence[float], start: int = 2) -> list[float]:
    return [xs[i] / xs[i - 1] for i in range(max(start, 1), len(xs)) if xs[i - 1] > 0]


def _series(history: Sequence[Mapping[str, float]], key: str) -> list[float]:
    return [float(h[key]) for h in history if key in h]


def fault_shows(label: Mapping[str, Any], history: Sequence[Mapping[str, float]], *,
                loss: str = "cross_entropy", num_classes: int | None = None,
                dataset: str | None = None, majority: float | None = None) -> tuple[bool, str]:
    """Whether the run shows its label's behaviour, and the numbers read. `majority` is the
    largest class's share of the training set (the accuracy of a constant prediction)."""
    status, cause = label["status"], label.get("cause")
    tl, vl = _series(history, "train_loss"), _series(history, "val_loss")
    ta, va = _series(history, "train_acc"), _series(history, "val_acc")
    if not tl:
        return False, "no epochs"
    chance = chance_loss(loss, num_classes)
    acc_chance = (majority or 1.0 / num_classes) if num_classes else None
    n = len(tl)

    if status == "diverging":
        if not _finite(tl):
            first_bad = next(i for i, x in enumerate(tl) if not math.isfinite(x))
            return True, f"train loss non-finite at epoch {first_bad}"
        grew = tl[-1] >= 10 * tl[0] and tl[-1] >= 10 * min(tl)
        return grew, f"train loss {tl[0]:.3g} -> {tl[-1]:.3g} (min {min(tl):.3g})"

    if not _finite(tl):
        return False, "train loss became non-finite"

    if status == "stuck":
        rest = tl[1:] or tl
        level = sorted(rest)[len(rest) // 2]
        near_chance = abs(level - chance) <= 0.1 * chance
        flat = max(rest) - min(rest) <= 0.03 * tl[0] and abs(rest[-1] - tl[0]) <= 0.03 * tl[0]
        acc_ok = not ta or acc_chance is None or ta[-1] <= acc_chance + 0.1
        shows = (near_chance or flat) and acc_ok
        return shows, (f"train loss median {level:.3g} vs chance {chance:.3g}, first "
                       f"{tl[0]:.3g}, last {tl[-1]:.3g}, train acc {ta[-1] if ta else 'n/a'}")

    ups = _up_ratios(tl)
    if status == "oscillating":
        big = [r for r in ups if r >= 1.5]
        shows = len(big) >= 2 and max(ups, default=0) >= 2.0 and max(tl[1:]) < 100 * tl[0]
        return shows, (f"{len(big)} up-jumps >= 1.5x from epoch 2, largest "
                       f"{max(ups, default=0):.2f}x")

    if status == "underfitting":
        left = tl[-1] <= 0.9 * tl[0]
        high = tl[-1] >= 0.15 * chance
        calm = max(ups, default=0) < 1.5
        base = left and high and calm
        why = (f"train loss {tl[0]:.3g} -> {tl[-1]:.3g} ({tl[-1] / chance:.2f}x chance), "
               f"largest up-jump {max(ups, default=0):.2f}x")
        if cause == "undertrained":
            drop = (tl[-2] - tl[-1]) / tl[-2] if n >= 2 and tl[-2] > 0 else 0.0
            return base and drop >= 0.03, f"{why}, last epoch -{drop:.1%}"
        k = max(3, n // 3)
        tail = ((tl[-k] - tl[-1]) / tl[-k] if tl[-k] > 0 else 0.0) if n > k else 1.0
        return base and tail <= 0.10, f"{why}, last {k} epochs -{tail:.1%}"

    if not vl or not _finite(vl):
        return False, "validation loss missing or non-finite"
    best = min(range(len(vl)), key=vl.__getitem__)

    if status == "overfitting":
        rise = vl[-1] / vl[best] if vl[best] > 0 else math.inf
        shows = (rise >= 1.25 and vl[-1] - vl[best] >= 0.02 and best <= n - 3
                 and vl[best] <= 0.95 * vl[0] and tl[-1] <= 0.8 * tl[best])
        return shows, (f"val loss first {vl[0]:.3g}, best {vl[best]:.3g} at epoch {best}, "
                       f"ends {vl[-1]:.3g} "
                       f"({rise:.2f}x); train {tl[best]:.3g} -> {tl[-1]:.3g}")

    if status == "mismatch":
        fine = tl[-1] <= 0.6 * tl[0]
        never = (best <= 1 or vl[best] >= 0.95 * vl[0]) and vl[-1] >= 0.98 * vl[0]
        acc_ok = not va or acc_chance is None or va[-1] <= acc_chance + 0.15
        return fine and never and acc_ok, (
            f"train {tl[0]:.3g} -> {tl[-1]:.3g}; val loss first {vl[0]:.3g}, best "
            f"{vl[best]:.3g} at epoch {best}, last {vl[-1]:.3g}; val acc "
            f"{va[-1] if va else 'n/a'}")

    if status == "healthy":
        fell = tl[-1] <= 0.5 * tl[0] and tl[-1] < 0.2 * chance
        calm = max(ups, default=0) < 1.5
        follows = vl[-1] <= 1.15 * vl[best] + 0.01
        if va and dataset in HEALTHY_VAL_ACC:
            good = va[-1] >= HEALTHY_VAL_ACC[dataset]
            score = f"val acc {va[-1]:.3f} (bar {HEALTHY_VAL_ACC[dataset]})"
        else:
            good = vl[-1] <= 0.1
            score = f"val loss {vl[-1]:.3g} (bar 0.1)"
        return fell and calm and follows and good, (
            f"train {tl[0]:.3g} -> {tl[-1]:.3g}, val best {vl[best]:.3g} last {vl[-1]:.3g}, "
            f"{score}, largest up-jump {max(ups, default=0):.2f}x")

    raise ValueError(f"no reading for status {status!r}")
