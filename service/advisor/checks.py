"""One small function per symptom, in the order of the lecture's flow.

Each check reads the curves (and the run's facts where it needs them), compares one
measured signal against one threshold, and returns a `Finding` with the numbers in its
message — or None. Checks do not decide the status; `decide.py` does, in one place.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from service.advisor.curves import LOWEST_CHANCE, Curves, Series, median
from service.advisor.findings import Code, Finding, evidence, strength
from service.advisor.thresholds import Thresholds

Check = Callable[[Curves, Thresholds], Finding | None]
CHECKS: list[Check] = []


def check(fn: Check) -> Check:
    """Register a check; the runner calls them in registration order."""
    CHECKS.append(fn)
    return fn


def run_checks(c: Curves, t: Thresholds) -> dict[Code, Finding]:
    """Run every registered check; code -> finding for those that fired."""
    if c.train is None and c.val is None:  # nothing else can be read
        finding = check_enough_data(c, t)
        return {finding.code: finding} if finding else {}
    checks = CHECKS if c.nonnegative else [fn for fn in CHECKS if fn in SIGN_FREE]
    found: dict[Code, Finding] = {}
    for fn in checks:
        finding = fn(c, t)
        if finding is not None:
            found.setdefault(finding.code, finding)
    return found


# --- small measurements ----------------------------------------------------------------------


def _tail_mask(s: Series, t: Thresholds) -> np.ndarray:
    """The end of the run: its last tail_fraction of steps, at least tail_min_points points."""
    mask = s.since(t.tail_fraction)
    if mask.sum() < t.tail_min_points:
        mask = np.zeros(len(s), dtype=bool)
        mask[-t.tail_min_points :] = True
    return mask


def end_level(s: Series, t: Thresholds) -> float:
    """The level at the end of the run (median of its tail: robust to one bad epoch)."""
    return median(s.values[_tail_mask(s, t)])


def fit_level(c: Curves, s: Series, t: Thresholds) -> tuple[float, str]:
    """How far down the model the run delivers fits the training data, and how to say it:
    the end level; for a run that early stopping ended, the level around the epoch whose
    weights it kept (the median of the tail_min_points points up to it) when that is lower.
    The epochs after the kept one are the wait, and what the training loss did there (a
    late spike of a net that then relearns) is not what the job delivers. (After the fresh
    split: a CNN early-stopped at epoch 89 with training loss 7% of chance, whose loss blew
    up at epoch 94 in the wait, was called underfitting/model_bias.)"""
    end = end_level(s, t)
    if c.kept_step is None:
        return end, "ends at"
    before = s.values[s.steps <= c.kept_step]
    if len(before) < t.tail_min_points:
        return end, "ends at"
    kept = median(before[-t.tail_min_points:])
    return (kept, f"is, at the kept {c.unit} {c.kept_step},") if kept < end else (end, "ends at")


def _slope(s: Series, mask: np.ndarray) -> float:
    """Least-squares slope of the values over the masked window (per step)."""
    x, y = s.steps[mask], s.values[mask]
    if len(x) < 2 or x[-1] == x[0]:
        return 0.0
    xc = x - x.mean()
    return float((xc * (y - y.mean())).sum() / (xc * xc).sum())


def _projected_fall(s: Series, t: Thresholds) -> tuple[float, float]:
    """How much the loss would still fall if training ran as long again at its final rate:
    the slope over the end of the run times the run's length, and the end level."""
    mask = _tail_mask(s, t)
    span = float(s.steps[-1] - s.steps[0]) + 1.0
    return -_slope(s, mask) * span, median(s.values[mask])


def _train_falling(c: Curves, t: Thresholds) -> tuple[float, float] | None:
    """(fall relative to the end level, fall in units of scale) of the training loss
    (of the validation loss when that is all there is). None with too few points; no fall
    once the schedule has annealed the lr (another run as long would not be at this lr)."""
    s = c.loss.finite()
    if len(s) < t.min_points:
        return None
    if c.lr_annealed(t):
        return 0.0, 0.0
    fall, level = _projected_fall(s, t)
    fall = min(fall, level)  # a loss cannot fall below zero, however steep its slope
    return (fall / level if level > 0 else 0.0), fall / c.scale


def _is_falling(fall: tuple[float, float] | None, t: Thresholds) -> bool:
    return fall is not None and fall[0] >= t.improving_drop and fall[1] >= t.improving_abs


def _moving_average(values: np.ndarray, t: Thresholds) -> np.ndarray:
    """Centred moving average of val_smooth points (ends padded); raw below
    val_smooth_min_windows windows of points."""
    k = t.val_smooth
    if k <= 1 or len(values) < t.val_smooth_min_windows * k:
        return values
    kernel = np.ones(k) / k
    padded = np.concatenate([np.full(k // 2, values[0]), values, np.full(k // 2, values[-1])])
    return np.convolve(padded, kernel, mode="valid")[: len(values)]


def _acc(s: Series | None, t: Thresholds) -> Series | None:
    """Accuracy as a fraction (clients also send percentages)."""
    if s is None:
        return None
    fin = s.finite()
    if len(fin) == 0:
        return None
    if fin.values.max() > t.percent_above:  # a fraction never exceeds 1; a percentage soon does
        return Series(fin.steps, fin.values / 100.0)
    return fin


def _val_mostly_right(c: Curves, t: Thresholds) -> bool:
    """A classifier's validation accuracy ends `mismatch_acc_share` of the way from chance
    to 1 or further: it is right on most validation samples. Chance is 1/C, or two classes'
    without C (the highest balanced one)."""
    va = _acc(c.val_acc, t)
    if c.task != "classification" or va is None or len(va) < t.min_points:
        return False
    level = 1.0 / c.num_classes if c.num_classes else t.max_chance_acc
    return (end_level(va, t) - level) / (1.0 - level) >= t.mismatch_acc_share


def _oscillation_start(n: int, t: Thresholds) -> int:
    """Index of the first point oscillation is judged from: the last oscillation_window of
    the run, with the point before it (for the first jump); never the run's first point,
    which may be an untrained model's spike."""
    return max(1, int(n * (1.0 - t.oscillation_window)) - 1)


def _past(
    code: Code,
    signal: str,
    value: float,
    threshold: float,
    far: float,
    msg: str,
    since: int | None = None,
) -> Finding:
    """A finding with one piece of evidence, `signal` = `value` against `threshold`; its
    strength is how far the value is past the threshold toward `far`."""
    ev = evidence(signal, value, msg, threshold)
    return Finding(code, (ev,), strength(value, threshold, far), since)


def _loss_and_ref(c: Curves, min_points: int) -> tuple[Series, float] | None:
    """The finite loss (None below `min_points` points) and the level it is judged
    against: chance, else its start (None when that is not positive)."""
    s = c.loss.finite()
    if len(s) < min_points:
        return None
    ref = c.chance_loss if c.chance_loss is not None else c.start
    return (s, ref) if ref > 0 else None


def _n(s: Series) -> int:
    return len(s)


def _loss_name(c: Curves) -> str:
    return "train loss" if c.train is not None else "val loss"


# --- enough data? ----------------------------------------------------------------------------


@check
def check_enough_data(c: Curves, t: Thresholds) -> Finding | None:
    """Too few points of any loss to read a trend."""
    if c.train is None and c.val is None:
        msg = "no loss series was logged (looked for train_loss, loss, val_loss and aliases)"
        ev = evidence("train_loss.points", 0.0, msg)
        return Finding(Code.TOO_FEW_POINTS, (ev,), t.confidence.certain)
    n = len(c.loss.finite())
    if n >= t.min_points:
        return None
    msg = f"{_loss_name(c)} has {n} finite point(s); {t.min_points} are needed to see a trend"
    ev = evidence("train_loss.points", float(n), msg, t.min_points)
    return Finding(Code.TOO_FEW_POINTS, (ev,), t.confidence.certain)


# --- diverging -------------------------------------------------------------------------------


@check
def check_loss_nonfinite(c: Curves, t: Thresholds) -> Finding | None:
    """Loss became NaN/inf and stayed so (or ended so)."""
    for name, s in (("train loss", c.train), ("val loss", c.val)):
        if s is None or len(s) == 0:
            continue
        bad = ~s.finite_mask
        if not (bad.sum() >= t.nonfinite_points or bad[-1]):
            continue
        if name == "val loss" and not bad[-1]:
            continue
        i = int(np.argmax(bad))
        kind = "NaN" if math.isnan(s.values[i]) else "inf"
        before = s.values[:i][np.isfinite(s.values[:i])]
        was = f" (it was {before[-1]:.3g} just before)" if len(before) else ""
        msg = (
            f"{name} became {kind} at {c.unit} {s.step(i)}{was}; "
            f"{int(bad.sum())} of {len(s)} points are not finite"
        )
        signal = name.replace(" ", "_") + ".nonfinite"
        ev = evidence(signal, kind, msg)
        return Finding(Code.LOSS_NONFINITE, (ev,), t.confidence.certain, s.step(i))
    return None


@check
def check_loss_explodes(c: Curves, t: Thresholds) -> Finding | None:
    """Loss ends far above where it started: it is blowing up, still finite."""
    s = c.loss.finite()
    if len(s) < t.min_points:
        return None
    ref = max(c.start, c.chance_loss or 0.0)
    if not ref > 0:
        return None
    end = end_level(s, t)
    ratio = end / ref
    if not ratio >= t.explode_ratio:
        return None
    i = int(np.argmax(s.values > t.explode_ratio * ref))
    msg = (
        f"{_loss_name(c)} grew from {ref:.3g} to {end:.3g} ({ratio:.3g}x) "
        f"since {c.unit} {s.step(i)}"
    )
    ev = evidence("train_loss.end_over_start", ratio, msg, t.explode_ratio)
    sure = strength(math.log(ratio), math.log(t.explode_ratio), t.explode_far_log)
    return Finding(Code.LOSS_EXPLODED, (ev,), sure, s.step(i))


# --- oscillating -----------------------------------------------------------------------------


def _jumps(values: np.ndarray, c: Curves, t: Thresholds) -> tuple[np.ndarray, np.ndarray]:
    """Steps where the loss changes by `jump_ratio` or more, up and down, measured on
    loss + jump_floor x scale so that noise near zero loss does not count."""
    d = np.diff(np.log(values - min(0.0, float(values.min())) + t.jump_floor * c.scale))
    big = math.log(t.jump_ratio)
    return d >= big, d <= -big


def _batch_noise(c: Curves, since: int, t: Thresholds) -> bool:
    """The training loss jumps, but at an lr that is not high, while the model of each
    epoch's end descends smoothly on validation: the jumps are batch noise (BatchNorm on
    small batches, dropout), not steps that overshoot the valley. (After the first reading
    of the report half: iris nets with BatchNorm on batches of 16 at SGD's usual lr, whose
    validation loss fell every epoch, were called oscillating.)"""
    if _lr_high(c, t):
        return False
    v = c.val.finite() if c.val is not None else None
    if v is None:
        return False
    w = v.values[v.steps >= since]
    if len(w) < t.oscillation_min_jumps + 1 or w[-1] > w[0]:
        return False
    up, down = _jumps(w, c, t)
    return float((up | down).mean()) < t.oscillation_rate or not (up.any() and down.any())


def _step_ratio(c: Curves) -> float | None:
    """The run's lr as the step it takes (`_step_lr`) over its optimizer's usual lr; None
    when either is not known."""
    lr, typical = _step_lr(c), c.hyper.typical_lr
    return lr / typical if lr is not None and typical else None


def _lr_high(c: Curves, t: Thresholds) -> bool:
    """The run's lr (as the step it takes) is known and `lr_high_factor` times its
    optimizer's usual one or more."""
    ratio = _step_ratio(c)
    return ratio is not None and ratio >= t.lr_high_factor


def _lr_usual(c: Curves, t: Thresholds) -> bool:
    """The run's lr (as the step it takes, momentum counted) is known and below
    `lr_high_factor` times its optimizer's usual one: not an lr the advisor calls too high.
    DESIGN's oscillation is the lr too high for the optimizer, the lecture's "oscillating
    across a valley because the learning rate is too high"; small jumps at a usual lr are
    the noise of small batches, BatchNorm on them, or a tiny training set, so there only
    large ones count (`oscillation_usual_step`). (After the fresh split: deep nets fixed
    with ReLU + He init + BatchNorm on 120 iris samples in batches of 8 at SGD's usual lr
    were called oscillating and given lower lrs, which kept the noise.)"""
    ratio = _step_ratio(c)
    return ratio is not None and ratio < t.lr_high_factor


@check
def check_loss_oscillates(c: Curves, t: Thresholds) -> Finding | None:
    """Large up-and-down jumps of the training loss over the second half of the run; at an
    lr the advisor calls too high, over the whole run after its first point if not there:
    such a run can jump for its first epochs and then settle into a memorised training set
    whose validation loss stays far above chance (huge logits); the jumps were the fault.
    (After the eighth split's reading: Adam at 300x its usual lr on breast_cancer, its
    training loss 1-9 for ten epochs, then 0.01, validation 5-9, was called a mismatch.)"""
    s = c.loss.finite()
    n = len(s)
    if n < t.oscillation_min_points:
        return None
    found = _oscillation(c, t, s, _oscillation_start(n, t))
    if found is None and _lr_high(c, t):
        found = _oscillation(c, t, s, 1, min_up=2)  # a fast fall makes many jumps down
    return found


def _oscillation(
    c: Curves, t: Thresholds, s: Series, first: int, min_up: int = 1
) -> Finding | None:
    """The oscillation finding for the training loss `s` from its point `first`, if it
    jumps up at least `min_up` times."""
    up, down = _jumps(s.values[first:], c, t)
    rate = float((up | down).mean())
    if rate < t.oscillation_rate or up.sum() < min_up or not down.any():
        return None
    if int((up | down).sum()) < t.oscillation_min_jumps:
        return None  # one spike and its return: a bad batch, not a loss that cannot settle
    if _lr_usual(c, t):
        # at a usual lr, only the jumps that move the loss by a good part of its scale:
        # small ones are batch noise (BatchNorm on small batches), or a converged net's
        # last bits
        large = np.abs(np.diff(s.values[first:])) >= t.oscillation_usual_step * c.scale
        up, down = up & large, down & large
        rate = float((up | down).mean())
        if rate < t.oscillation_rate or up.sum() < 2 or down.sum() < 2:
            return None  # and more than one spike with its way back: up and down, again
    if c.train is not None and _batch_noise(c, s.step(first), t):
        return None
    since = s.step(first + 1 + int(np.argmax(up | down)))
    w = s.values[first:]
    largest = ""
    if (w > 0).all():  # the largest factor between two points, as logged
        ratio = np.exp(np.abs(np.diff(np.log(w))).max())
        largest = f"; largest {ratio:.2g}x"
    where = (f"of the last {len(up)} {c.unit}s" if first > 1
             else f"of the {len(up)} changes from one {c.unit} to the next after the first")
    msg = (
        f"{_loss_name(c)} jumped by {t.jump_ratio - 1:.0%} or more on {int((up | down).sum())} "
        f"{where} ({int(up.sum())} up, {int(down.sum())} down{largest})"
        + (" instead of settling" if first > 1 else "")
    )
    return _past(
        Code.LOSS_OSCILLATES,
        "train_loss.jump_rate",
        rate,
        t.oscillation_rate,
        t.oscillation_far,
        msg,
        since,
    )


# --- stuck -----------------------------------------------------------------------------------


@check
def check_loss_stuck(c: Curves, t: Thresholds) -> Finding | None:
    """Training loss barely leaves its start (chance level for classification)."""
    loss = _loss_and_ref(c, t.min_points)
    if loss is None:
        return None
    s, ref = loss
    end = end_level(s, t)
    progress = (ref - end) / ref
    if progress >= t.stuck_progress:
        return None
    # say what was measured: the end level (a median, said so) against the reference, and
    # where the loss started, so that "above chance" never reads as "rose"
    where = f"{-progress:.1%} above" if progress < 0 else f"{progress:.1%} below"
    tail = int(_tail_mask(s, t).sum())
    msg = (
        f"{_loss_name(c)} ends at {end:.4g} (median of its last {tail} {c.unit}s) after "
        f"{_n(s)} {c.unit}s, {where} {c.ref_name}; it started at {float(s.values[0]):.4g}"
    )
    return _past(
        Code.LOSS_STUCK,
        "train_loss.progress",
        progress,
        t.stuck_progress,
        t.stuck_far,
        msg,
        s.step(0),
    )


@check
def check_accuracy_at_chance(c: Curves, t: Thresholds) -> Finding | None:
    """Training accuracy stays at chance even if the loss moves (e.g. saturated MSE)."""
    a = _acc(c.train_acc, t)
    if c.task != "classification" or a is None or len(a) < t.min_points:
        return None
    # Without the number of classes, its first value, but never above 1/2: no balanced
    # task has a chance level above two classes', and a first epoch that reached more had
    # learned already. (After the fresh split: a linear model on two moons whose first
    # epoch reached 86% was called stuck at "chance".)
    base = 1.0 / c.num_classes if c.num_classes else min(float(a.values[0]), t.max_chance_acc)
    if base >= 1.0:
        return None
    end = end_level(a, t)
    gain = (end - base) / (1.0 - base)
    if gain >= t.chance_acc_gain:
        return None
    what = (f"chance (1/{c.num_classes})" if c.num_classes
            else "its first value" if base == float(a.values[0]) else "two classes' chance")
    msg = (
        f"train accuracy is {end:.1%} after {len(a)} {c.unit}s, {base:.1%} at {what}: "
        f"it gained {gain:.0%} of what it could"
    )
    return _past(
        Code.ACC_AT_CHANCE,
        "train_acc.gain_over_chance",
        gain,
        t.chance_acc_gain,
        t.chance_acc_far,
        msg,
        a.step(0),
    )


@check
def check_loss_blew_up(c: Curves, t: Thresholds) -> Finding | None:
    """The first steps blew the loss up, or it ended above where it started (lr too high)."""
    s = c.loss.finite()
    if len(s) < t.min_points:
        return None
    v = s.values
    if c.start_spike and c.start > 0:
        msg = (
            f"{_loss_name(c)} blew up to {v[0]:.3g} in the first {c.unit}, "
            f"{v[0] / c.start:.0f}x the {c.start:.3g} that followed"
        )
        ev = evidence("train_loss.first_spike", float(v[0] / c.start), msg, t.spike_ratio)
        return Finding(Code.LOSS_BLEW_UP, (ev,), t.confidence.certain, s.step(0))
    end = end_level(s, t)
    if not v[0] > 0:
        return None
    rise = end / v[0] - 1.0
    if rise < t.rise_ratio or end < t.rise_min_level * (c.chance_loss or 0.0):
        return None
    how = f"{rise:.1%}" if rise < 10 else f"{end / v[0]:.3g}x"
    msg = f"{_loss_name(c)} ended at {end:.4g}, {how} above its first {c.unit} ({v[0]:.4g})"
    return _past(
        Code.LOSS_BLEW_UP,
        "train_loss.rise_over_start",
        rise,
        t.rise_ratio,
        t.rise_far,
        msg,
        s.step(0),
    )


def _lr(c: Curves) -> float | None:
    lr = c.hyper.lr
    if lr is None and c.lr is not None and len(c.lr.finite()):
        lr = float(c.lr.finite().values[0])
    return lr if lr is not None and lr > 0 else None


def _step_lr(c: Curves) -> float | None:
    """The lr as the step it takes: heavy-ball momentum above the usual 0.9 multiplies it
    (facts.Hyper.momentum_gain; 0.99 takes steps 10x as long as 0.9 at the same lr)."""
    lr = _lr(c)
    return lr * c.hyper.momentum_gain if lr is not None else None


def _momentum_words(c: Curves) -> str:
    gain = c.hyper.momentum_gain
    return f" (momentum {c.hyper.momentum:g}: steps {gain:.3g}x as long)" if gain > 1 else ""


@check
def check_lr_too_high(c: Curves, t: Thresholds) -> Finding | None:
    """The learning rate is far above what this optimizer usually trains at."""
    lr, typical = _step_lr(c), c.hyper.typical_lr
    if lr is None or typical is None or lr < t.lr_high_factor * typical:
        return None
    msg = (f"lr {_lr(c):.3g}{_momentum_words(c)} is {lr / typical:.0f}x the usual "
           f"{typical:.0e} for {c.hyper.optimizer}")
    ev = evidence("params.lr_ratio", lr / typical, msg, t.lr_high_factor)
    sure = strength(
        math.log10(lr / typical), math.log10(t.lr_high_factor), math.log10(t.lr_high_far)
    )
    return Finding(Code.LR_HIGH, (ev,), sure)


@check
def check_lr_too_low(c: Curves, t: Thresholds) -> Finding | None:
    """The learning rate is far below what this optimizer usually trains at."""
    lr, typical = _lr(c), c.hyper.typical_lr
    if lr is None or typical is None or lr > t.lr_low_factor * typical:
        return None
    msg = f"lr {lr:.3g} is 1/{typical / lr:.0f} of the usual {typical:.0e} for {c.hyper.optimizer}"
    ev = evidence("params.lr_ratio", lr / typical, msg, t.lr_low_factor)
    sure = strength(
        -math.log10(lr / typical), -math.log10(t.lr_low_factor), -math.log10(t.lr_low_far)
    )
    return Finding(Code.LR_LOW, (ev,), sure)


@check
def check_steady_crawl(c: Curves, t: Thresholds) -> Finding | None:
    """A loss that falls on nearly every step but by almost nothing: the lr is too low."""
    loss = _loss_and_ref(c, t.crawl_min_points)
    if loss is None:
        return None
    s, ref = loss
    progress = (s.values[0] - end_level(s, t)) / ref
    falls = float((np.diff(s.values) < 0).mean())
    if falls < t.steady_descent or progress >= t.crawl_progress:
        return None
    lr, usual = _lr(c), c.hyper.typical_lr
    if lr is not None and usual is not None and lr / usual >= t.crawl_lr_ratio:
        return None  # at the usual lr or above, a crawl is not the lr's fault
    msg = (
        f"{_loss_name(c)} fell on {falls:.0%} of {c.unit}s, but only {progress:.1%} "
        f"of {c.ref_name} in total: a steady crawl"
    )
    return _past(
        Code.STEADY_CRAWL, "train_loss.falling_fraction", falls, t.steady_descent, t.steady_far, msg
    )


@check
def check_mse_on_classes(c: Curves, t: Thresholds) -> Finding | None:
    """MSE on class outputs: flat regions where the sigmoid/softmax saturates."""
    if c.task != "classification" or not c.hyper.mse:
        return None
    msg = f"a classifier trained with {c.hyper.loss} loss: MSE on class probabilities saturates"
    ev = evidence("params.loss", c.hyper.loss, msg)
    return Finding(Code.MSE_ON_CLASSES, (ev,), t.confidence.likely)


@check
def check_deep_saturating(c: Curves, t: Thresholds) -> Finding | None:
    """A deep stack of sigmoid/tanh layers without BatchNorm: gradients vanish."""
    h = c.hyper
    deep = t.deep_conv_layers if h.arch in ("cnn", "cnn1d") else t.deep_layers
    if not h.saturating or (h.depth or 0) < deep or h.batchnorm:
        return None
    msg = (
        f"{h.depth} hidden layers of {h.activation} without BatchNorm: each layer shrinks "
        f"the gradient (sigmoid' <= 0.25)"
    )
    depth = float(h.depth or 0)
    return _past(Code.DEEP_SATURATING, "params.depth", depth, deep, t.deep_far, msg)


@check
def check_small_init(c: Curves, t: Thresholds) -> Finding | None:
    """Weights initialised far too small (the spec's init): activations and gradients
    start near zero, where a deep net learns slowly or not at all."""
    h = c.hyper
    if not h.small_init:
        return None
    msg = (
        f"init {h.init!r} draws weights from N(0, 0.01^2): far smaller than He/Xavier "
        "scaling, so the signal fades layer by layer"
    )
    return Finding(Code.INIT_SMALL, (evidence("params.init", h.init, msg),),
                   t.confidence.likely)


@check
def check_model_tiny(c: Curves, t: Thresholds) -> Finding | None:
    """A hidden layer of a few units (MLP) or channels (CNN): too little capacity."""
    h = c.hyper
    if h.arch in ("cnn", "cnn1d"):
        narrowest, limit, what = h.width, t.tiny_channels, "channel(s)"
    elif h.arch == "mlp" or (h.arch is None and h.widths):
        narrowest, limit, what = (min(h.widths) if h.widths else None), t.tiny_units, "unit(s)"
    else:
        return None
    if narrowest is None or narrowest > limit:
        return None
    msg = f"the narrowest hidden layer has {narrowest} {what}: too few to represent the task"
    ev = evidence("params.narrowest_layer", float(narrowest), msg, float(limit))
    return Finding(Code.MODEL_TINY, (ev,), t.confidence.likely)


@check
def check_grad_tiny(c: Curves, t: Thresholds) -> Finding | None:
    """Gradient norm is tiny while the loss is still high (vanishing gradient / flat region)."""
    g = c.grad_norm.finite() if c.grad_norm is not None else None
    s = c.loss.finite()
    if g is None or len(g) < t.min_points or len(s) < t.min_points:
        return None
    end = end_level(g, t)
    ref = c.chance_loss if c.chance_loss is not None else c.start
    if end >= t.grad_tiny or end_level(s, t) < t.grad_tiny_min_level * ref:
        return None
    msg = f"gradient norm is {end:.2g} at the end while the loss is still {end_level(s, t):.3g}"
    ev = evidence("grad_norm.end", end, msg, t.grad_tiny)
    return Finding(Code.GRAD_TINY, (ev,), t.confidence.likely)


# --- underfitting ----------------------------------------------------------------------------


def _strong_regularization(c: Curves, t: Thresholds) -> str | None:
    """The regularisation of the run when it is far stronger than usual (in words), else
    None: an l1/l2 penalty or coupled weight decay of `strong_penalty` or more, AdamW's
    decoupled decay of `strong_decoupled_decay` or more, dropout of `strong_dropout` or
    more. The lecture: too much regularisation is a cause of underfitting."""
    h = c.hyper
    decoupled = h.optimizer == "adamw"
    found = [f"{name} {value:g}" for name, value, limit in (
        ("l1", h.l1, t.strong_penalty),
        ("l2", h.l2, t.strong_penalty),
        ("weight decay", h.weight_decay,
         t.strong_decoupled_decay if decoupled else t.strong_penalty),
        ("dropout", h.dropout, t.strong_dropout),
    ) if value is not None and value >= limit]
    return ", ".join(found) or None


@check
def check_regularization_strong(c: Curves, t: Thresholds) -> Finding | None:
    """Penalties or dropout far stronger than usual (`_strong_regularization`)."""
    strong = _strong_regularization(c, t)
    if strong is None:
        return None
    msg = f"{strong}: far stronger than usual, it holds the weights back"
    ev = evidence("params.regularization", 1.0, msg)
    return Finding(Code.REG_STRONG, (ev,), t.confidence.likely)


@check
def check_targets_unscaled(c: Curves, t: Thresholds) -> Finding | None:
    """A job's regression whose targets are used as they come (the spec does not
    standardise them) and whose loss starts enormous (MSE far above unit scale)."""
    spec = c.facts.spec if isinstance(c.facts.spec, dict) else None
    if spec is None or c.task != "regression":
        return None
    if (spec.get("dataset") or {}).get("standardize_targets"):
        return None
    finite = c.loss.finite().values if c.loss is not None else np.array([])
    if c.baseline_loss is not None:
        # the targets' own variance, which the worker recorded, is their scale: it says so
        # even when the loss was NaN from its first epoch (after the sixth reading: targets
        # in grams, NaN at every lr the plan reached, had no other sign of their scale), and
        # a first loss in the hundreds from targets of unit variance is the lr's blow-up
        # (after the eleventh split's reading: a linear regression of a pendulum at SGD lr
        # 3, 8e34 in its first epoch, was given standardised targets it already had)
        if c.baseline_loss < t.unscaled_target_loss:
            return None
        seen = f"the targets' variance is {c.baseline_loss:.3g}"
    elif len(finite) and float(finite[0]) >= t.unscaled_target_loss:
        seen = f"the loss starts at {float(finite[0]):.3g}"
    else:
        return None
    msg = (f"{seen}: the regression targets are used as they come "
           "(dataset.standardize_targets is off), and targets far from unit scale make the "
           "loss and its gradients as large")
    ev = evidence("dataset.standardize_targets", 0.0, msg)
    return Finding(Code.TARGETS_UNSCALED, (ev,), t.confidence.likely)


def _val_best(tr: Series, v: Series, t: Thresholds) -> tuple[np.ndarray, int, float, float]:
    """The validation loss smoothed, the index of its best, and the training loss there and
    at the end: what a validation loss turning up is measured from."""
    smooth = _moving_average(v.values, t)
    best = int(np.argmin(smooth))
    at_best = float(tr.at(np.array([v.steps[best]]))[0])
    return smooth, best, at_best, end_level(tr, t)


def _fits_past_validation(c: Curves, t: Thresholds) -> bool:
    """The (smoothed) validation loss rose >= `val_rise` from its best while the training
    loss fell >= `fits_past_fall` after it, early stopping's wait included: the model has
    the capacity to fit more than what holds on validation."""
    pair = _pair(c, t)
    if pair is None:
        return False
    smooth, best, at_best, train_end = _val_best(*pair, t)
    low, end = float(smooth[best]), float(smooth[-1])
    if low <= 0 or (end - low) / low < t.val_rise:
        return False
    return at_best > 0 and (at_best - train_end) / at_best >= t.fits_past_fall


def no_training_only_noise(c: Curves) -> bool:
    """A job's linear model without augmentation or label smoothing: nothing raises its
    training loss that validation does not see (no dropout, no BatchNorm to have), so a
    validation loss below it is the validation set's luck, not a model that fits better
    than its training loss says. (After the seventh split's reading: a linear regression
    at 29% of its targets' variance, validation at 24%, read healthy.)"""
    spec = c.facts.spec if isinstance(c.facts.spec, dict) else None
    if spec is None or c.hyper.arch != "linear":
        return False
    regularization = spec.get("regularization") or {}
    return not spec.get("augmentation") and not regularization.get("label_smoothing")


@check
def check_loss_high(c: Curves, t: Thresholds) -> Finding | None:
    """Training loss ends high: far from zero relative to chance (or to its start)."""
    if c.train is None:
        return None
    s = c.train.finite()
    if len(s) < t.min_points:
        return None
    end, where = fit_level(c, s, t)
    # regularisation far stronger than usual holds the weights back: a lower bar
    strong = _strong_regularization(c, t) is not None
    relative_limit = t.high_loss_ratio_regularized if strong else t.high_loss_ratio
    if c.chance_loss is not None:
        ratio, limit = end / c.chance_loss, relative_limit
    elif c.task == "classification" and not c.hyper.mse and c.start > 0:
        # a classifier whose number of classes is not known (a user's file): its chance
        # level is at least ln 2, and about where its loss started when that is higher (an
        # untrained classifier starts at chance). (After the fresh split: a linear model on
        # two moons flat at 0.25, 36% of ln 2, was judged against its first epoch's 0.39.)
        ratio, limit = end / max(c.start, LOWEST_CHANCE), relative_limit
    elif c.baseline_loss is not None:
        # a regression whose worker recorded the loss of predicting the training mean (the
        # targets' variance under MSE): the same bar as a classifier's chance, i.e. the
        # model explains less than 75% of the training targets' variance. (After the sixth
        # split's reading: linear models on nonlinear targets settled at 25-58% of it and
        # read healthy against their first epoch's loss, 0.8 of which is the bar without it.)
        # Noisy targets hold a sound model's loss up there too: not when the model fits the
        # training set past where validation stops following (MLPs on diabetes, 36-41% of
        # the variance, validation up 15% from its best while training fell 25-42%).
        if _fits_past_validation(c, t):
            return None
        ratio, limit = end / c.baseline_loss, (relative_limit if strong
                                               else t.high_loss_ratio_baseline)
    else:
        no_chance = (t.high_loss_ratio_regularized_no_chance if strong
                     else t.high_loss_ratio_no_chance)
        ratio, limit = end / c.start if c.start > 0 else 0.0, no_chance
    if ratio < limit:
        return None
    v = c.val.finite() if c.val is not None else None
    if v is not None and len(v) >= t.min_points and fit_level(c, v, t)[0] < end * limit / ratio \
            and not no_training_only_noise(c):
        # Validation is predicted well below that level: the model can fit the task, and
        # its training loss is raised by what only training does (BatchNorm's batch
        # statistics, dropout, input noise, label smoothing). (After the fresh split: a
        # 12-layer BatchNorm net on spirals, training loss 0.53 in training mode while the
        # validation loss was 0.18 and its accuracy 100%, was called model bias.)
        return None
    if _val_mostly_right(c, t) and not no_training_only_noise(c) and not strong:
        # So is a classifier right on most validation samples: training-only noise holds
        # its training loss up, not a model that cannot fit. (After the eleventh split's
        # reading: a 12-layer BatchNorm ReLU net on spirals at SGD lr 0.2, training loss
        # 50% of its start in training mode, validation 0.29 and 93-99% right, was called
        # model bias.) Not under regularisation far stronger than usual, which holds
        # validation back as much (an MLP on digits under l2 0.1, 88% right where a sound
        # net is 97%, and one on iris under l2 0.3, 80%, are model bias).
        return None
    if _is_falling(_train_falling(c, t), t):
        return None  # high, but still coming down: not a plateau
    ref = (f"the loss of predicting the training mean {c.baseline_loss:.3g}"
           if c.baseline_loss is not None else c.ref_name)
    msg = f"train loss {where} {end:.3g}, {ratio:.0%} of {ref} and has stopped falling"
    a = _acc(c.train_acc, t)
    if a is not None and len(a):
        last = end_level(a, t) if len(a) >= t.tail_min_points else a.values[-1]
        msg += f" (train accuracy {last:.1%})"
    far = min(t.high_loss_far_cap, t.high_loss_far_factor * limit)
    return _past(Code.LOSS_HIGH, "train_loss.end_over_chance", ratio, limit, far, msg)


@check
def check_still_improving(c: Curves, t: Thresholds) -> Finding | None:
    """Train loss (and val loss, if logged) still falling at the end of the run."""
    fall = _train_falling(c, t)
    if not _is_falling(fall, t):
        return None
    assert fall is not None
    rel = fall[0]
    s = c.loss.finite()
    mask = _tail_mask(s, t)
    per_step = rel / (float(s.steps[-1] - s.steps[0]) + 1.0)
    msg = (
        f"{_loss_name(c)} is still falling at the end: {per_step:.1%} of its level per {c.unit} "
        f"over the last {int(mask.sum())} points ({rel:.0%} more if trained as long again)"
    )
    items = [evidence("train_loss.projected_fall", rel, msg, t.improving_drop)]
    v = c.val.finite() if c.val is not None and c.train is not None else None
    if v is not None and len(v) >= t.min_points:
        vmask = v.steps >= s.steps[mask][0]
        if vmask.sum() < t.val_tail_min_points:
            vmask = np.zeros(len(v), dtype=bool)
            vmask[-t.val_tail_min_points :] = True
        vslope = _slope(v, vmask)
        vlevel = median(v.values[vmask])
        vfall = min(-vslope * (float(v.steps[-1] - v.steps[0]) + 1.0), vlevel)
        vrel = -vfall / vlevel if vlevel > 0 else 0.0
        if -vrel < t.improving_val_drop:
            return None  # validation no longer follows: training longer would not help
        items.append(
            evidence(
                "val_loss.projected_fall",
                -vrel,
                f"val loss is still falling too ({-vrel:.0%} more if trained as long again)",
                t.improving_val_drop,
            )
        )
    sure = strength(rel, t.improving_drop, t.improving_far)
    return Finding(Code.STILL_IMPROVING, tuple(items), sure)


def _cut_after_stall(c: Curves, first_cut: int, t: Thresholds) -> bool:
    """The validation loss had not improved on its best for `lr_cut_after_stall` points when
    the lr was first cut: the cut answered a plateau (the model had reached its best on
    validation at that lr), it did not end a descent."""
    v = c.val.finite() if c.val is not None else None
    if v is None:
        return False
    before = v.values[v.steps < first_cut]
    if len(before) <= t.lr_cut_after_stall:
        return False
    best = int(np.argmin(before))
    return len(before) - 1 - best >= t.lr_cut_after_stall


def _slowed(s: Series, at: int, moved: float, t: Thresholds) -> bool:
    """The loss fell, per epoch, less than `lr_collapse_slowdown` of its pace just before the
    cut: what it still moved in a long run after the cut is the tail of the descent the
    cut stopped. (After the fresh split: reduce-on-plateau with patience 0 cut the lr 100x
    at epoch 9 of 30 while the loss fell 7% an epoch; it moved 11% in the 20 epochs after,
    past the 10% of `lr_collapse_flat`, and the run was called model bias.)"""
    i = int(np.searchsorted(s.steps, at))
    before = s.values[max(0, i - t.lr_collapse_window): i + 1]
    if len(before) < 2 or not before[0] > 0 or s.steps[-1] <= at:
        return False
    pace = (before[0] - before[-1]) / before[0] / (len(before) - 1)
    return moved / float(s.steps[-1] - at) < t.lr_collapse_slowdown * pace


@check
def check_lr_collapsed(c: Curves, t: Thresholds) -> Finding | None:
    """The schedule cut the lr to almost nothing early on, and training stopped with it."""
    lr = c.lr.finite() if c.lr is not None else None
    s = c.loss.finite()
    if lr is None or len(lr) < t.min_points or len(s) < t.min_points or not lr.values.max() > 0:
        return None
    top = int(np.argmax(lr.values))
    peak = float(lr.values[top])
    low = np.nonzero(lr.values[top:] <= t.lr_collapse * peak)[0]
    if len(low) == 0:
        return None
    at = lr.step(top + int(low[0]))
    if _cut_after_stall(c, lr.step(top + int(np.argmax(lr.values[top:] < peak))), t):
        return None  # the schedule followed a validation plateau (as reduce-on-plateau does)
    span = float(s.steps[-1] - s.steps[0]) + 1.0
    if (at - s.steps[0]) / span > t.lr_collapse_at:
        return None  # an annealing at the end of the run, as cosine does
    then, end = float(s.at(np.array([at]))[0]), end_level(s, t)
    moved = (then - end) / then if then > 0 else 0.0
    if moved >= t.lr_collapse_flat and not _slowed(s, at, moved, t):
        return None  # training went on after the cut
    msg = (
        f"the lr fell from {peak:.3g} to {float(lr.values[top + int(low[0])]):.3g} "
        f"({float(lr.values[top + int(low[0])]) / peak:.2g}x) by {c.unit} {at} of {int(span)}, "
        f"and {_loss_name(c)} hardly moved after it ({then:.3g} then, {end:.3g} at the end)"
    )
    ev = evidence("lr.collapse_step", float(at), msg)
    return Finding(Code.LR_COLLAPSED, (ev,), t.confidence.likely, at)


@check
def check_ends_high(c: Curves, t: Thresholds) -> Finding | None:
    """A running job whose loss, falling at its current rate, will still be high when its
    planned epochs run out: it is set up too short, and more epochs can be planned now."""
    planned = (c.facts.meta or {}).get("planned_epochs")
    if not c.in_progress or not isinstance(planned, int | float) or c.train is None:
        return None
    fall = _train_falling(c, t)
    if not _is_falling(fall, t):
        return None
    s = c.train.finite()
    done = float(s.steps[-1] - s.steps[0]) + 1.0
    rate = fall[0] / done  # the relative fall per epoch, as still_improving projects it
    level = end_level(s, t) / c.scale
    at_end = level * math.exp(-rate * (float(planned) - (s.steps[-1] + 1)))
    if at_end < t.undertrained_level:
        return None
    msg = (
        f"{_loss_name(c)} falls {rate:.1%} of its level per {c.unit}: at that rate it would "
        f"still be {at_end:.0%} of {c.ref_name} at the planned end ({c.unit} "
        f"{int(planned) - 1}), where more {c.unit}s still pay"
    )
    ev = evidence("train_loss.projected_end_level", at_end, msg, t.undertrained_level)
    return Finding(Code.ENDS_HIGH, (ev,), t.confidence.likely)


# --- validation against training -------------------------------------------------------------


def _pair(c: Curves, t: Thresholds) -> tuple[Series, Series] | None:
    if c.train is None or c.val is None:
        return None
    tr, v = c.train.finite(), c.val.finite()
    if len(tr) < t.min_points or len(v) < t.min_val_points:
        return None
    return tr, v


def _val_below_chance(c: Curves, t: Thresholds) -> Finding | None:
    """A classifier that learned its training set (training accuracy `anti_train_acc` or
    more) and is right on far fewer validation samples than chance: below half of 1/C, or
    without C, below `anti_val_acc_no_chance` and half its own first value. Overfitting
    falls back towards chance, not below it; below chance, validation's labels or inputs
    follow another rule than training's (classes coded or ordered otherwise, inputs
    reversed). (After the twelfth split's reading: a cnn1d at 100% on its training
    sequences, 0% on validation sequences recorded backwards, was called overfitting.)"""
    tra, va = _acc(c.train_acc, t), _acc(c.val_acc, t)
    if c.task != "classification" or tra is None or va is None or len(va) < t.min_points:
        return None
    trained, end, first = end_level(tra, t), end_level(va, t), float(va.values[0])
    if trained < t.anti_train_acc:
        return None
    if c.num_classes:
        chance = 1.0 / c.num_classes
        if end >= chance * t.anti_val_share:
            return None
        said = f"chance is {chance:.1%}"
    else:
        if end >= t.anti_val_acc_no_chance or end >= first * t.anti_val_share:
            return None
        said = f"it was {first:.1%} at its first value"
    msg = (f"val accuracy ends at {end:.1%} ({said}) while train accuracy ends at "
           f"{trained:.1%}: validation is predicted worse than by guessing, so its labels or "
           "inputs follow another rule than training's")
    ev = evidence("val_acc.below_chance", end, msg)
    return Finding(Code.VAL_NOT_TRACKING, (ev,), t.confidence.likely, va.step(0))


@check
def check_val_not_tracking(c: Curves, t: Thresholds) -> Finding | None:
    """Validation never improves with training from the first epochs: a mismatch."""
    pair = _pair(c, t)
    if pair is None:
        return None
    tr, v = pair
    progress = (c.start - end_level(tr, t)) / c.start if c.start > 0 else 0.0
    below = _val_below_chance(c, t)
    if below is not None:
        return below
    best = int(np.argmin(v.values))
    gain = (v.values[0] - v.values[best]) / v.values[0] if v.values[0] > 0 else 0.0
    end = end_level(v, t)
    ref = c.chance_loss if c.chance_loss is not None else float(v.values[0])
    if c.chance_loss is None and c.task == "classification" and not c.hyper.mse:
        # the number of classes unknown (a user's file): chance is ln C >= ln 2, and a
        # validation loss below ln 2 predicts better than chance for any C. (After the
        # fresh split: a linear model on two moons, val loss 0.15 throughout, was called
        # a mismatch because it ended a little above its first value.)
        ref = max(ref, LOWEST_CHANCE)
    level = end / ref if ref > 0 else 0.0
    # Never better than an untrained model: the best validation loss is still above where
    # training started (chance, or the first training loss without one), while training
    # fell far below it. Whatever small gain it made first, the model learned nothing that
    # holds on this validation set. (After the first reading of the report half: a
    # regression whose validation target had the opposite sign, val loss 3.6-4.0 against a
    # training start of 1.0, gained 10% in its first epoch and was called overfitting.)
    start = c.chance_loss if c.chance_loss is not None else c.start
    useless = start > 0 and float(v.values[best]) >= start * t.mismatch_useless
    early = best < t.mismatch_best_points and gain <= t.mismatch_val_gain
    if progress < t.mismatch_train_progress:
        return None
    if not useless and not (early and level >= t.mismatch_val_level):
        return None
    va = _acc(c.val_acc, t)
    if va is not None and len(va) >= t.min_points:
        rose = float(va.values.max() - va.values[0]) >= t.mismatch_acc_gain
        chance = 1.0 / c.num_classes if c.num_classes else 0.0
        if rose and end_level(va, t) > chance and gain > t.mismatch_val_gain:
            # validation accuracy rose with training, and its loss came down from its first
            # value for a while: it shares what was learned. (A validation loss never below
            # its first value is no such sign, whatever accuracy did on the way: after the
            # ninth split's reading, relabelled or shifted files whose accuracy wandered
            # from 0.11-0.48 to 0.35-0.70 were called overfitting.)
            return None
        # ... or it is right on most validation samples, whatever the loss says: a loss far
        # above chance with such accuracy is over-confidence (huge logits), not another
        # distribution.
        if _val_mostly_right(c, t):
            return None
    times = f" ({end / v.values[0]:.2g}x its first value)" if v.values[0] > 0 else ""
    msg = (
        f"val loss never improved: its best {v.values[best]:.3g} is at {c.unit} {v.step(best)} "
        f"and it ended at {end:.3g}{times} while train loss fell {progress:.0%}"
    )
    items = [evidence("val_loss.gain_from_first", gain, msg, t.mismatch_val_gain)]
    if va is not None and len(va) >= t.min_points and c.num_classes:
        items.append(
            evidence(
                "val_acc.end",
                end_level(va, t),
                f"val accuracy ends at {end_level(va, t):.1%} (chance is {1 / c.num_classes:.1%})",
            )
        )
    sure = strength(progress, t.mismatch_train_progress, t.mismatch_far)
    return Finding(Code.VAL_NOT_TRACKING, tuple(items), sure, v.step(0))


@check
def check_val_turned_up(c: Curves, t: Thresholds) -> Finding | None:
    """Validation loss turned up from its best while training loss kept falling (not the
    rise early stopping waits through after the epoch whose weights it keeps)."""
    pair = _pair(c, t)
    if pair is None or c.kept_step is not None:
        return None
    tr, v = pair
    smooth, best, at_best, train_end = _val_best(tr, v, t)
    if best > len(v) - 1 - t.val_after_best:
        return None
    end = end_level(v, t)
    low = float(smooth[best])
    rise, rise_abs = (end - low) / low if low > 0 else 0.0, (end - low) / c.scale
    if rise < t.val_rise or rise_abs < t.val_rise_abs:
        return None
    fall = (at_best - train_end) / at_best if at_best > 0 else 0.0
    if fall < t.train_fall:
        return None
    step = v.step(int(np.argmin(v.values[: -t.val_after_best])))  # the raw best: stop there
    msg = (
        f"val loss rose {rise:.0%} from its best {low:.3g} at {c.unit} {step} to {end:.3g}, "
        f"while train loss fell from {at_best:.3g} to {train_end:.3g}"
    )
    return _past(
        Code.VAL_TURNED_UP, "val_loss.rise_from_best", rise, t.val_rise, t.val_rise_far, msg, step
    )


@check
def check_gap_growing(c: Curves, t: Thresholds) -> Finding | None:
    """A large generalisation gap that keeps growing while validation stalls (early
    stopping ends a run when validation stalls: its kept model is judged, not the wait)."""
    pair = _pair(c, t)
    if pair is None or c.kept_step is not None:
        return None
    tr, v = pair
    gap = v.values - tr.at(v.steps)
    end_mask = _tail_mask(v, t)
    mid = v.steps[0] + t.gap_window * (v.steps[-1] - v.steps[0])
    mid_i = int(np.argmin(np.abs(v.steps - mid)))
    gap_end, gap_mid = median(gap[end_mask]), float(gap[mid_i])
    size = gap_end / c.scale
    growth = (gap_end - gap_mid) / abs(gap_mid) if gap_mid != 0 else math.inf
    val_end = end_level(v, t)
    stalled = val_end >= float(v.values[mid_i]) * (1.0 - t.gap_val_stall)
    if size < t.gap_large or growth < t.gap_growth or not stalled:
        return None
    msg = (
        f"the gap between val and train loss grew from {gap_mid:.3g} at {c.unit} "
        f"{v.step(mid_i)} to {gap_end:.3g} ({size:.0%} of {c.ref_name}) while val loss stalled"
    )
    since = v.step(mid_i)
    return _past(Code.GAP_GROWING, "gap.end_over_scale", size, t.gap_large, t.gap_far, msg, since)


@check
def check_memorised(c: Curves, t: Thresholds) -> Finding | None:
    """The training set is memorised (training loss ~0) while validation accuracy stays far
    below training accuracy: the lecture's high variance, even where the validation loss
    neither rose nor stalled. (After the first reading of the report half: a 2x1024 MLP on
    100 digits, training loss 2e-5, validation accuracy 87% against 100%, was healthy.)"""
    pair = _pair(c, t)
    a, va = _acc(c.train_acc, t), _acc(c.val_acc, t)
    if pair is None or c.kept_step is not None or a is None or va is None:
        return None
    if len(a) < t.min_points or len(va) < t.min_points or c.chance_loss is None:
        return None
    tr, v = pair
    level = end_level(tr, t) / c.scale
    gap = end_level(a, t) - end_level(va, t)
    if level > t.memorised_level:
        return None
    if gap < t.memorised_acc_gap:
        # ... or its validation loss ends above chance: however many samples it gets right,
        # it predicts validation worse than a uniform guess, with confidence learnt from the
        # training set alone; no run of the ten splits that did so was healthy. (After the
        # tenth split's reading: RMSprop at 500x its usual lr on digits, training loss 1e-5,
        # validation 3x chance at 94% accuracy, read healthy.)
        over = end_level(v, t) / c.chance_loss
        if over < t.memorised_val_over_chance:
            return None
        msg = (
            f"train loss ends at {end_level(tr, t):.2g} ({level:.1%} of {c.ref_name}): the "
            f"training set is memorised, while val loss ends at {end_level(v, t):.3g}, "
            f"{over:.1f}x {c.ref_name} (val accuracy {end_level(va, t):.1%})"
        )
        return _past(Code.MEMORISED, "val_loss.end_over_chance", over,
                     t.memorised_val_over_chance, t.memorised_val_far, msg)
    msg = (
        f"train loss ends at {end_level(tr, t):.2g} ({level:.1%} of {c.ref_name}): the training "
        f"set is memorised, while val accuracy {end_level(va, t):.1%} stays {gap * 100:.0f} "
        f"points below train accuracy {end_level(a, t):.1%}"
    )
    return _past(Code.MEMORISED, "acc.gap_memorised", gap, t.memorised_acc_gap,
                 t.acc_gap_far, msg)


@check
def check_kept_at_chance(c: Curves, t: Thresholds) -> Finding | None:
    """Early stopping kept a model that predicts validation no better than a uniform guess:
    the validation loss never went below chance, so neither did the kept epoch's, while
    the training loss fell well below it. The net learnt its training set and nothing that
    holds on validation: the lecture's high variance. What the job delivers is the kept
    model, and it is not a healthy one, however early stopping ended the run. (After the
    nineteenth split's reading: follow-ups of an image MLP that memorised 800 samples kept
    epoch 3, validation loss 124% of chance at 22% accuracy, and read healthy; a linear
    model whose validation loss rose from its first epoch kept epoch 0.)"""
    pair = _pair(c, t)
    if pair is None or c.kept_step is None or c.chance_loss is None or c.hyper.mse:
        return None
    tr, v = pair
    best, low = float(v.values.min()), float(tr.values.min())
    over = best / c.chance_loss
    if over < t.kept_val_over_chance or low > t.kept_train_below_chance * c.chance_loss:
        return None
    msg = (
        f"early stopping kept the model of {c.unit} {c.kept_step}, but val loss never went "
        f"below {best:.3g} ({over:.0%} of {c.ref_name}): no better than a uniform guess, "
        f"while train loss fell to {low:.3g} ({low / c.chance_loss:.1%})"
    )
    return _past(Code.KEPT_AT_CHANCE, "val_loss.best_over_chance", over,
                 t.kept_val_over_chance, t.kept_val_far, msg, c.kept_step)


@check
def check_accuracy_gap(c: Curves, t: Thresholds) -> Finding | None:
    """Train accuracy well above validation accuracy at the end."""
    a, va = _acc(c.train_acc, t), _acc(c.val_acc, t)
    if a is None or va is None or len(a) < t.min_points or len(va) < t.min_points:
        return None
    gap = end_level(a, t) - end_level(va, t)
    if gap < t.acc_gap:
        return None
    msg = (
        f"train accuracy {end_level(a, t):.1%} vs val accuracy {end_level(va, t):.1%} at the end "
        f"(a gap of {gap * 100:.0f} points)"
    )
    return _past(Code.ACC_GAP, "acc.gap", gap, t.acc_gap, t.acc_gap_far, msg)


# --- healthy ---------------------------------------------------------------------------------


@check
def check_early_stopped(c: Curves, t: Thresholds) -> Finding | None:
    """Early stopping ended the run and kept the weights of the validation best."""
    if c.kept_step is None or c.val is None or c.train is None:
        return None
    v, tr = c.val.finite(), c.train.finite()
    if len(v) == 0 or len(tr) == 0:
        return None
    at = np.array([c.kept_step])
    val, train = float(v.at(at)[0]), float(tr.at(at)[0])
    msg = (
        f"early stopping kept the model of {c.unit} {c.kept_step}: val loss {val:.3g}, train "
        f"loss {train:.3g} ({val / c.scale:.0%} and {train / c.scale:.0%} of {c.ref_name}); "
        f"the run ended at {c.unit} {int(v.steps[-1])}"
    )
    ev = evidence("val_loss.kept", val, msg)
    return Finding(Code.EARLY_STOPPED, (ev,), since_step=c.kept_step)


def _of_reference(c: Curves, level: float) -> str:
    """" (P% of <chance or the start>)" for a loss level, or "" without a reference."""
    ref = c.chance_loss or c.start
    return f" ({level / ref:.0%} of {c.ref_name})" if ref > 0 else ""


@check
def check_converged(c: Curves, t: Thresholds) -> Finding | None:
    """Training loss has flattened at the end (and validation sits near it)."""
    fall = _train_falling(c, t)
    if fall is None or _is_falling(fall, t):
        return None
    end = end_level(c.loss.finite(), t)
    msg = f"{_loss_name(c)} settled at {end:.3g}{_of_reference(c, end)}"
    if c.train is not None and c.val is not None and len(c.val.finite()) >= t.min_points:
        msg += f"; val loss ends at {end_level(c.val.finite(), t):.3g}"
    ev = evidence("train_loss.projected_fall_of_scale", fall[1], msg, t.improving_abs)
    return Finding(Code.CONVERGED, (ev,))


@check
def check_levels(c: Curves, t: Thresholds) -> Finding | None:
    """Where the training and validation losses are at the end: the evidence of a healthy
    verdict that no other finding supports (the issue's "healthy must be shown, not
    assumed": a running job whose loss is neither falling steadily nor settled yet read
    "Healthy." with nothing behind it)."""
    s = c.loss.finite()
    if len(s) < t.min_points:
        return None
    end = end_level(s, t)
    msg = f"{_loss_name(c)} is at {end:.3g}{_of_reference(c, end)} after {_n(s)} {c.unit}s"
    v = c.val.finite() if c.train is not None and c.val is not None else None
    if v is not None and len(v) >= t.min_points:
        msg += f"; val loss at {end_level(v, t):.3g}"
        va = _acc(c.val_acc, t)
        if va is not None and len(va) >= t.min_points:
            msg += f", val accuracy {end_level(va, t):.1%}"
    return Finding(Code.LEVELS, (evidence("train_loss.end", end, msg),))


# Checks that do not assume a non-negative loss (the others compare ratios of loss levels,
# which mean nothing for a loss that goes negative, such as a Gaussian negative log-likelihood).
SIGN_FREE = (
    check_enough_data,
    check_loss_nonfinite,
    check_loss_oscillates,
    check_lr_too_high,
    check_lr_too_low,
    check_mse_on_classes,
    check_deep_saturating,
    check_small_init,
    check_accuracy_gap,
)
