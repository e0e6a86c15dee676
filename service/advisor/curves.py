"""From what clients send to curves the checks can read.

Real clients name their metrics in many ways (Keras `loss`/`val_accuracy`, Hugging Face
`eval_loss`/`learning_rate`, Lightning `train_loss_epoch`, W&B `train/loss`: the catalogue's
METRIC_ALIASES), log NaN, skip epochs, log every batch, or send no validation at all. This
module resolves the aliases,
drops duplicate steps, and brings dense (per-batch) logging down to one point per epoch or
per validation interval — the lecture's "look at the loss curves with a moving average".
It also works out the run's reference levels: the chance-level loss (ln C for C classes
under cross-entropy), the starting loss, and the scale every relative rule divides by.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from typing import Any

import numpy as np

from service.advisor.facts import Hyper, RunFacts, read_hyper
from service.advisor.thresholds import Thresholds
from service.catalogue import CANONICAL_METRICS, DATASETS, normalise_name, resolve_metric_keys

# --- one series ------------------------------------------------------------------------------


def _to_float(value: Any) -> float:
    if isinstance(value, bool) or value is None:
        return math.nan
    try:
        return float(value)  # also parses "NaN", "Infinity", "-Infinity"
    except (TypeError, ValueError):
        return math.nan


def median(values: np.ndarray) -> float:
    """np.median's result (NaN if any value is NaN) without its generic machinery, which
    costs ~60 us a call; the advisor takes ~20 medians of short windows per diagnosis."""
    n = len(values)
    if n == 0:
        return math.nan
    ordered = np.sort(values)  # NaN sorts last
    if math.isnan(ordered[-1]):
        return math.nan
    mid = n // 2
    return float(ordered[mid]) if n % 2 else float((ordered[mid - 1] + ordered[mid]) / 2)


def _point(p: Any) -> tuple[float, float]:
    if isinstance(p, Mapping):  # {"step": 3, "value": 0.5}, as the metrics API returns
        return _to_float(p.get("step")), _to_float(p.get("value"))
    return _to_float(p[0]), _to_float(p[1])


def _as_array(points: Sequence[Any]) -> np.ndarray:
    """(n, 2) float array of (step, value); the fast path takes plain numbers at C speed."""
    try:
        flat = np.fromiter(chain.from_iterable(points), dtype=np.float64, count=2 * len(points))
        return flat.reshape(-1, 2)
    except (TypeError, ValueError):
        pass
    return np.array([_point(p) for p in points], dtype=np.float64).reshape(-1, 2)


@dataclass(frozen=True)
class Series:
    """One metric: strictly increasing steps and their values (nan/inf kept)."""

    steps: np.ndarray
    values: np.ndarray

    @classmethod
    def parse(cls, points: Sequence[Any]) -> Series:
        if len(points) == 0:
            return cls(np.empty(0), np.empty(0))
        raw = _as_array(points)
        steps, values = raw[:, 0], raw[:, 1]
        keep = np.isfinite(steps)
        steps, values = steps[keep], values[keep]
        order = np.argsort(steps, kind="stable")
        steps, values = steps[order], values[order]
        # A repeated step overwrites (the store's rule): keep the last value of each step.
        last = np.ones(len(steps), dtype=bool)
        last[:-1] = steps[1:] != steps[:-1]
        return cls(steps[last], values[last])

    def __len__(self) -> int:
        return len(self.steps)

    @cached_property
    def finite_mask(self) -> np.ndarray:
        return np.isfinite(self.values)

    def finite(self) -> Series:
        return self._finite

    @cached_property
    def _finite(self) -> Series:
        mask = self.finite_mask
        return self if mask.all() else Series(self.steps[mask], self.values[mask])

    def step(self, i: int) -> int:
        return int(self.steps[i])

    def since(self, fraction: float) -> np.ndarray:
        """Mask of the points in the last `fraction` of the step range."""
        first, last = self.steps[0], self.steps[-1]
        return self.steps >= last - fraction * (last - first)

    def at(self, steps: np.ndarray) -> np.ndarray:
        """Linear interpolation of the finite values at `steps`."""
        fin = self.finite()
        return np.interp(steps, fin.steps, fin.values)


def bin_series(series: Series, edges: np.ndarray, finite_share: float) -> Series:
    """Average the points of each bin (edges[i-1], edges[i]]; a bin whose finite points are
    at most `finite_share` of its points becomes nan (the loss was NaN during that epoch);
    empty bins are dropped."""
    if len(series) == 0 or len(edges) == 0:
        return series
    idx = np.searchsorted(edges, series.steps, side="left")
    inside = idx < len(edges)
    idx, values = idx[inside], series.values[inside]
    fin = np.isfinite(values)
    n = len(edges)
    count = np.bincount(idx, minlength=n)
    count_fin = np.bincount(idx[fin], minlength=n)
    sums = np.bincount(idx[fin], weights=values[fin], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums / count_fin
    mean[count_fin <= finite_share * count] = math.nan
    keep = count > 0
    return Series(edges[keep].astype(float), mean[keep])


# --- all curves of a run ---------------------------------------------------------------------


@dataclass(frozen=True)
class Curves:
    """A run as the checks see it: per-epoch (or per-interval) series and reference levels."""

    train: Series | None  # training loss
    val: Series | None  # validation loss
    train_acc: Series | None
    val_acc: Series | None
    lr: Series | None
    grad_norm: Series | None
    hyper: Hyper
    facts: RunFacts
    task: str | None  # classification | regression | None (unknown)
    num_classes: int | None
    chance_loss: float | None  # the loss of predicting class frequencies (ln C for CE)
    # a regression's counterpart: the loss of predicting the training targets' mean (their
    # variance under MSE), as the run's meta gives it (`baseline_loss`; a job's worker
    # records it), else None
    baseline_loss: float | None
    start: float  # the training loss at the start of the run
    scale: float  # what absolute loss differences are divided by
    start_spike: bool  # the first point blew up far above what followed
    in_progress: bool  # the run is still running and has epochs left
    ended_early: bool  # it has ended before its planned epochs (killed, or stopped early)
    kept_step: int | None  # early stopping ended it, keeping this epoch's weights
    nonnegative: bool  # every finite loss value is >= 0 (what the ratio rules assume)
    step_unit: str
    keys: dict[str, str]  # canonical -> client key
    notes: tuple[str, ...] = field(default=())

    @property
    def loss(self) -> Series:
        """The loss the training-side checks read (validation only when no training loss)."""
        assert self.train is not None or self.val is not None
        return self.train if self.train is not None else self.val  # type: ignore[return-value]

    @property
    def unit(self) -> str:
        return "step" if self.step_unit == "batch" else "epoch"

    def lr_annealed(self, t: Thresholds) -> bool:
        """The schedule has brought the lr down to almost nothing by the end."""
        lr = self.lr.finite() if self.lr is not None else None
        if lr is None or len(lr) == 0 or not lr.values.max() > 0:
            return False
        return float(lr.values[-1]) <= t.lr_annealed * float(lr.values.max())

    @property
    def ref_name(self) -> str:
        if self.chance_loss is None:
            return f"the starting loss {self.start:.3g}"
        if self.hyper.mse:
            return f"the class-frequency MSE {self.chance_loss:.3g}"
        return f"ln({self.num_classes})={self.chance_loss:.3g}"


def _baseline(facts: RunFacts, task: str | None, hyper: Hyper) -> float | None:
    """meta.baseline_loss of a regression trained on MSE (or a loss not named): a positive
    finite number, else None."""
    if task != "regression" or (hyper.loss is not None and not hyper.mse):
        return None
    value = (facts.meta or {}).get("baseline_loss")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and value > 0 else None


def _dense(train: Series, val: Series | None, step_unit: str, t: Thresholds) -> bool:
    if step_unit == "batch":
        return True
    return (
        val is not None
        and len(val) >= t.dense_min_val_points
        and len(train) >= t.dense_ratio * len(val)
    )


def _epoch_edges(train: Series, val: Series | None, bins: int, t: Thresholds) -> np.ndarray:
    """Bin edges for dense logging: the validation steps, else `bins` evenly sized groups."""
    if val is not None and len(val) >= t.dense_min_val_points:
        edges = val.steps
        if train.steps[-1] > edges[-1]:  # training points logged after the last validation
            edges = np.append(edges, train.steps[-1])
        return edges
    k = max(1, math.ceil(len(train) / bins))
    edges = train.steps[k - 1 :: k]
    if edges[-1] != train.steps[-1]:
        edges = np.append(edges, train.steps[-1])
    return edges


def _num_classes(facts: RunFacts, task: str | None) -> int | None:
    value = facts.meta.get("num_classes") if facts.meta else None
    try:
        c = int(value) if value is not None else None
    except (TypeError, ValueError):
        c = None
    dataset = facts.spec.get("dataset") if isinstance(facts.spec, Mapping) else None
    if c is None and isinstance(dataset, Mapping) and task != "regression":
        declared = DATASETS.get(str(dataset.get("name", "")))
        c = declared.num_classes if declared is not None else None
    return c if c is not None and c >= 2 else None


def _task(facts: RunFacts, hyper: Hyper, has_acc: bool) -> str | None:
    task = str(facts.meta.get("task") or "").lower() if facts.meta else ""
    if task in ("classification", "regression"):
        return task
    if (facts.meta or {}).get("num_classes") or has_acc:
        return "classification"
    if hyper.loss and ("entropy" in hyper.loss or hyper.loss in ("nll", "ce", "bce")):
        return "classification"
    if hyper.mse:
        return "regression"
    return None


# The lowest chance-level cross-entropy of any classifier (two classes): ln 2.
LOWEST_CHANCE = math.log(2)


def _start(
    loss: Series, chance: float | None, t: Thresholds, usual_lr: bool = False
) -> tuple[float, bool]:
    """The starting loss; a first point that blew up far above what followed is skipped.

    A fast first epoch also starts far above the next ones (its average includes the
    untrained model), so with a chance level a blow-up must exceed the chance level too;
    without one (regression) only a much larger jump counts, and none at an lr known to be
    usual for its optimizer (`usual_lr`), which does not blow a loss up in one epoch: a
    first epoch 600x above the next is then the learning inside it. (After the fourth
    split's reading: L-BFGS fitting a linear least-squares model inside its first epoch, at
    its usual lr 1, was read as stuck after a blow-up.)"""
    fin = loss.finite().values
    if len(fin) == 0:
        return math.nan, False
    after = median(fin[1 : 1 + t.spike_next_points]) if len(fin) > 1 else float(fin[0])
    if chance is not None:
        spike = fin[0] > t.spike_ratio * max(after, chance)
    else:
        spike = not usual_lr and fin[0] > t.spike_ratio_no_chance * after
    if len(fin) >= t.min_points and spike:
        return after, True
    return float(fin[0]), False


def _bin_training_side(parsed: dict[str, Series | None], edges: np.ndarray, t: Thresholds) -> None:
    """Average the series logged with the training loss (per batch) into the bins, in place."""
    for key in ("train_loss", "train_acc", "lr", "grad_norm"):
        s = parsed[key]
        if s is not None:
            parsed[key] = bin_series(s, edges, t.bin_finite_share)


def _unit(step_unit: str) -> str:
    return "step" if step_unit == "batch" else "epoch"


def _early_stopping(facts: RunFacts) -> Mapping[str, Any] | None:
    """The early-stopping rule of a job's spec, if it has one."""
    spec = facts.spec if isinstance(facts.spec, Mapping) else {}
    rule = (spec.get("regularization") or {}).get("early_stopping")
    return rule if isinstance(rule, Mapping) else None


def _kept_step(parsed: dict[str, Series | None], rule: Mapping[str, Any]) -> int | None:
    """The epoch whose weights early stopping kept: the watched metric's best."""
    metric = str(rule.get("metric") or "val_loss")
    s = parsed.get(metric)
    if s is None or not s.finite_mask.any():
        return None
    fin = s.finite()
    i = int(np.argmax(fin.values)) if metric.endswith("_acc") else int(np.argmin(fin.values))
    return fin.step(i)


def build_curves(series: Mapping[str, Sequence[Any]], facts: RunFacts, t: Thresholds) -> Curves:
    keys = resolve_metric_keys(list(series))
    notes: list[str] = []
    renamed = {c: k for c, k in keys.items() if normalise_name(k) != c}
    if renamed:
        notes.append("read " + ", ".join(f"{k!r} as {c}" for c, k in renamed.items()))
    parsed: dict[str, Series | None] = {}
    for canonical in CANONICAL_METRICS:
        s = Series.parse(series[keys[canonical]]) if canonical in keys else None
        parsed[canonical] = s if s is not None and len(s) else None

    step_unit = str((facts.meta or {}).get("step_unit") or "epoch")
    train, val = parsed["train_loss"], parsed["val_loss"]
    if train is not None and _dense(train, val, step_unit, t):
        edges = _epoch_edges(train, val, t.dense_bins, t)
        if len(edges) < len(train):
            notes.append(f"averaged {len(train)} training points into {len(edges)} intervals")
            _bin_training_side(parsed, edges, t)
    elif train is not None and len(train) > t.max_points:  # bound the work on huge runs
        _bin_training_side(parsed, _epoch_edges(train, None, t.max_points, t), t)

    hyper = read_hyper(facts)
    task = _task(facts, hyper, parsed["train_acc"] is not None or parsed["val_acc"] is not None)
    num_classes = _num_classes(facts, task)
    chance = None
    if task == "classification" and num_classes:
        chance = (num_classes - 1) / num_classes**2 if hyper.mse else math.log(num_classes)
    loss = parsed["train_loss"] or parsed["val_loss"]
    # A classifier whose number of classes is unknown still has a chance loss of at least
    # ln 2 (cross-entropy): a first epoch below it learned, it did not blow up. (After the
    # fourth split's reading: a resnet18 and an L-BFGS linear model that converged inside
    # their first epoch, 0.6-1.2 then 1-3% of ln 2, were read as stuck at their second.)
    floor = chance
    if floor is None and task == "classification" and not hyper.mse:
        floor = LOWEST_CHANCE
    usual_lr = hyper.step_ratio is not None and hyper.step_ratio < t.lr_high_factor
    start, spike = _start(loss, floor, t, usual_lr) if loss is not None else (math.nan, False)
    scale = chance if chance is not None else abs(start)
    if not math.isfinite(scale) or scale <= 0:
        scale = 1.0

    nonnegative = all(
        s is None or not (s.finite().values < 0).any() for s in (parsed["train_loss"], val)
    )
    if not nonnegative:
        notes.append("the loss goes negative: only NaN, oscillation and facts were checked")
    planned = (facts.meta or {}).get("planned_epochs")
    in_progress = (facts.run_status or "") == "running"
    try:
        planned = float(planned) if planned is not None else None
    except (TypeError, ValueError):
        planned = None
    # Epochs left of the plan (unknowable per batch, or without a plan).
    epochs_known = bool(planned and step_unit != "batch" and loss is not None and len(loss))
    short = epochs_known and loss.steps[-1] + 1 < planned
    in_progress = in_progress and (short or not epochs_known)
    ended_early = short and (facts.run_status or "") not in ("", "running")
    kept = None
    if ended_early and _early_stopping(facts) is not None and facts.run_status == "finished":
        # The job stopped early and kept the weights of its best epoch: that model is what
        # to judge, not the epochs after it that early stopping waited through.
        kept = _kept_step(parsed, _early_stopping(facts))
        if kept is not None and loss is not None:
            notes.append(f"early stopping ended the run at {_unit(step_unit)} "
                         f"{int(loss.steps[-1])} and kept the model of {_unit(step_unit)} "
                         f"{kept}; the epochs after it are the wait, not a fault")
    return Curves(
        train=parsed["train_loss"],
        val=parsed["val_loss"],
        train_acc=parsed["train_acc"],
        val_acc=parsed["val_acc"],
        lr=parsed["lr"],
        grad_norm=parsed["grad_norm"],
        hyper=hyper,
        facts=facts,
        task=task,
        num_classes=num_classes,
        chance_loss=chance,
        baseline_loss=_baseline(facts, task, hyper),
        start=start,
        scale=scale,
        start_spike=spike,
        in_progress=in_progress,
        ended_early=ended_early,
        kept_step=kept,
        nonnegative=nonnegative,
        step_unit=step_unit,
        keys=keys,
        notes=tuple(notes),
    )
