"""What to change, per finding: the remedy catalogue.

Checks say what is wrong; this module says what to do about it. `CATALOGUE` maps every
finding code to its remedies, best first, each with an `action` from `ACTIONS`, a
rationale in plain words (after the lecture notes), and — for job runs, whose JobSpec is
known — a `patch`: the partial JobSpec that applies the change.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from service.advisor.curves import Curves
from service.advisor.facts import USUAL_MOMENTUM
from service.advisor.findings import Code, Finding
from service.advisor.thresholds import DEFAULT, Thresholds
from service.catalogue import (
    ARCHS,
    DATASETS,
    SCHEDULE_OPTIONS,
    SCHEDULES,
    ScheduleFacts,
    deep_merge,
    mlp_widths,
    optimizer_facts,
    train_samples,
)
from service.schemas import EarlyStoppingSpec

# The action vocabulary (README.md describes each).
ACTIONS = (
    "lower_lr",
    "raise_lr",
    "add_warmup",
    "add_lr_decay",
    "change_schedule",
    "clip_gradients",
    "switch_optimizer",
    "add_momentum",
    "larger_batch",
    "add_batchnorm",
    "change_activation",
    "change_init",
    "change_loss",
    "bigger_model",
    "add_features",
    "train_longer",
    "add_augmentation",
    "add_regularization",
    "less_regularization",
    "standardize_targets",
    "early_stop",
    "smaller_model",
    "more_data",
    "check_data",
    "check_data_split",
    "resplit_validation",
    "check_preprocessing",
    "ensemble",
    "keep_logging",
)


def _num(value: Any) -> float | None:
    """A positive finite number, or None (params and meta come from clients as they are)."""
    if isinstance(value, bool):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) and x > 0 else None


@dataclass(frozen=True)
class Ctx:
    """What a remedy needs to word its rationale and build its patch."""

    c: Curves
    best_step: int | None
    found: dict[Code, Finding] = field(default_factory=dict)  # every finding of the run
    t: Thresholds = DEFAULT

    @property
    def spec(self) -> dict[str, Any] | None:
        return self.c.facts.spec

    def section(self, name: str) -> dict[str, Any]:
        value = (self.spec or {}).get(name)
        return dict(value) if isinstance(value, dict) else {}

    @property
    def lr(self) -> float | None:
        lr = _num(self.section("optimizer").get("lr")) or _num(self.c.hyper.lr)
        if lr is None and self.c.lr is not None and len(self.c.lr.finite()):
            lr = _num(self.c.lr.finite().values[-1])
        return lr

    @property
    def optimizer(self) -> str:
        return str(self.section("optimizer").get("name") or self.c.hyper.optimizer or "")

    @property
    def epochs(self) -> int | None:
        e = _num(self.section("training").get("epochs")) or _num(self.c.hyper.epochs)
        e = e or _num((self.c.facts.meta or {}).get("planned_epochs"))
        if e is None and self.c.train is not None and self.c.step_unit != "batch":
            e = _num(self.c.train.steps[-1] + 1)
        return int(e) if e else None

    @property
    def widths(self) -> list[int] | None:
        w = self.section("model").get("widths") or self.c.hyper.widths
        if not isinstance(w, list | tuple):
            return None
        widths = [int(x) for x in map(_num, w) if x]
        return widths if widths and len(widths) == len(w) else None

    @property
    def image(self) -> bool:
        """Image data: what the catalogue says of the spec's dataset or its model."""
        dataset = DATASETS.get(str(self.section("dataset").get("name") or ""))
        arch = ARCHS.get(str(self.section("model").get("arch") or self.c.hyper.arch or ""))
        return (dataset is not None and dataset.kind == "image") or (
            arch is not None and arch.inputs == ("image",)
        )

    @property
    def usual_lr(self) -> float | None:
        return self.c.hyper.typical_lr

    def words(self) -> dict[str, str]:
        lr = self.lr
        epochs = self.epochs
        return {
            "lr": f"{lr:.3g}" if lr else "the current lr",
            "lower_lr": f"{lowered_lr(self):.3g}" if lr else "a tenth",
            "raise_lr": f"{raised_lr(self):.3g}" if lr else "10x",
            "best": str(self.best_step) if self.best_step is not None else "its best",
            "unit": self.c.unit,
            "epochs": str(epochs) if epochs else "the current number of",
            "more_epochs": str(longer_epochs(self)) if epochs else "several times as many",
            "patience": str(patience(self)),
        }


# How far a learning rate moves. The lecture sweeps lr by decades. A run whose lr is too
# high goes back to the optimizer's usual one when it is above it (its curves show where it
# fails: above the usual lr, the usual lr is the known good place), and a decade down when
# it is at or below it already; a run whose lr is a decade or more too low goes up to the
# usual one, else a decade up.
LR_DECADE = 10.0


def raised_lr(ctx: Ctx) -> float:
    lr, usual = ctx.lr or 0.0, ctx.usual_lr
    if usual and lr <= usual / LR_DECADE:
        return usual
    return lr * LR_DECADE


def lowered_lr(ctx: Ctx) -> float:
    # heavy-ball momentum above 0.9 goes back to 0.9 with it (_lower_lr), so the lr is
    # lowered from the step it took: lr x the momentum's gain
    lr, usual = (ctx.lr or 0.0) * ctx.c.hyper.momentum_gain, ctx.usual_lr
    if usual and lr > usual:
        if (not _not_adaptive(ctx) or _shrinking_steps(ctx)) and lr > LR_DECADE * usual:
            # an adaptive optimizer (Adam, RMSprop, ...) more than a decade above its usual
            # lr goes two decades down, not all the way: the usual 1e-3 is a deep net's, and
            # a BatchNorm CNN taken from Adam's lr 1 to it was still undertrained after 30
            # and 300 epochs (val accuracy 0.29, 0.75), at 0.01 it trains (after the sixth
            # split's reading; the six splits in process: 437 -> 439 of 476 repaired, no
            # chain worse). Adagrad too, whose per-parameter steps only shrink: linear
            # models oscillating at Adagrad lr 5-30 taken to its usual 0.01 were
            # undertrained after 40 epochs on iris and breast cancer, at lr / 100 they
            # converge (advisor-2.17, after the sixteenth split's reading)
            return max(usual, lr / LR_DECADE**2)
        # at least half a decade down: an lr just above the usual one gains little from it
        # (after the first reading of the report half: 0.05 -> 0.03 still oscillated)
        return min(usual, lr / math.sqrt(LR_DECADE))
    return lr / LR_DECADE


# Epochs for a run that was still falling when it stopped: as many as its loss needs, at
# the rate it was falling, to come down to half the level below which more epochs are not
# asked for (Thresholds.undertrained_level), twice over because the fall slows; at least 2x
# and at most 10x the run, 4x when the rate is not known.
LONGER_MIN, LONGER_MAX, LONGER_DEFAULT = 2, 10, 4


def longer_epochs(ctx: Ctx) -> int:
    epochs = ctx.epochs or 0
    factor: float = LONGER_DEFAULT
    improving = ctx.found.get(Code.STILL_IMPROVING)
    loss = ctx.c.loss.finite() if ctx.c.train is not None or ctx.c.val is not None else None
    if improving is not None and loss is not None and len(loss) and epochs:
        rate = float(improving.evidence[0].value or 0.0) / epochs  # relative fall per epoch
        level = float(loss.values[-1]) / ctx.c.scale
        target = ctx.t.undertrained_level / 2
        if rate > 0 and level > target:
            factor = 1 + 2 * math.log(level / target) / rate / epochs
    factor = min(LONGER_MAX, max(LONGER_MIN, factor))
    return int(5 * math.ceil(factor * epochs / 5))  # in steps of 5 epochs


def patience(ctx: Ctx, epochs: int | None = None) -> int:
    """Early-stopping patience for a run of `epochs` (default: this run's): a fifth of it,
    between 5 and 20 epochs. A tenth (3 for 30 epochs) stopped runs on a noisy validation
    loss while both losses were still falling (the tune half's mnist1d runs, 20 of 30
    epochs, then just as short when asked for more)."""
    n = epochs or ctx.epochs or 30  # length unknown: as for a 30-epoch run
    return int(min(20, max(5, round(n / 5))))


# --- patches ---------------------------------------------------------------------------------

Patch = Callable[[Ctx], dict[str, Any] | None]


def _move_lr(ctx: Ctx, lr: float) -> dict[str, Any]:
    optimizer: dict[str, Any] = {"lr": float(f"{lr:.3g}")}
    # SGD's usual lr is meant with momentum, which multiplies the step by up to 10: added
    # when the lr rises to it, or falls to it from a decade above or more, not when a
    # loss that oscillates needs smaller steps than it had
    far = (ctx.lr or 0.0) >= LR_DECADE * (ctx.usual_lr or math.inf)
    if _plain_sgd(ctx) and lr == ctx.usual_lr and (lr > (ctx.lr or 0.0) or far):
        optimizer["momentum"] = 0.9
    return {"optimizer": optimizer}


def _lower_lr(ctx: Ctx) -> dict[str, Any] | None:
    if not ctx.lr:
        return None
    patch = _move_lr(ctx, lowered_lr(ctx))
    if ctx.c.hyper.momentum_gain > 1:
        # a heavy ball (momentum 0.99) multiplies every step: the lr alone, lowered half a
        # decade, still overshoots (after the fresh split: SGD at momentum 0.99 lowered
        # from lr 1 to 0.3 still oscillated)
        patch["optimizer"]["momentum"] = USUAL_MOMENTUM
    return patch


def _raise_lr(ctx: Ctx) -> dict[str, Any] | None:
    return _move_lr(ctx, raised_lr(ctx)) if ctx.lr else None


def _warmup(ctx: Ctx) -> dict[str, Any]:
    # a tenth of the run, 1 to 5 epochs (10 epochs assumed when the length is unknown)
    return {"schedule": {"warmup_epochs": int(min(5, max(1, (ctx.epochs or 10) // 10)))}}


def _schedule(ctx: Ctx, name: str) -> dict[str, Any]:
    """Switch the schedule to `name`, clearing the options of the old one that it does not
    take (a step schedule's gamma would make a cosine spec invalid)."""
    current = ctx.section("schedule")
    patch: dict[str, Any] = {"name": name}
    for option in SCHEDULE_OPTIONS:
        if option not in SCHEDULES[name].options and current.get(option) is not None:
            patch[option] = None
    return {"schedule": patch}


def _decay(ctx: Ctx) -> dict[str, Any]:
    return _schedule(ctx, "cosine")


def _restart_schedule(ctx: Ctx) -> dict[str, Any]:
    """A schedule that stopped training when it cut the lr, replaced by one that decays over
    the whole run; with early stopping, since the model now trains for the first time and
    can fit, then overfit, the data (advisor-2.17: mnist1d MLPs whose exponential schedule
    collapsed, in the fourteenth and sixteenth splits, trained under cosine to a val loss
    minimum near epoch 15 of 30 and overfitted after it; read overfitting, they were given
    dropout and L2 and ended with model bias, where their kept model was the repair)."""
    return _stopping(_decay(ctx), ctx)


def _clip(ctx: Ctx) -> dict[str, Any]:
    return {"training": {"grad_clip": 1.0}}  # the usual max-norm; CLIP's rationale names it


def _adam(ctx: Ctx) -> dict[str, Any]:
    return {"optimizer": {"name": "adam", "lr": 1e-3, "momentum": None, "nesterov": False}}


def _momentum(ctx: Ctx) -> dict[str, Any]:
    return {"optimizer": {"momentum": 0.9}}  # the standard heavy-ball value


def _larger_batch(ctx: Ctx) -> dict[str, Any] | None:
    batch = _num(ctx.section("training").get("batch_size"))
    return {"training": {"batch_size": int(batch) * 2}} if batch else None


def _batchnorm(ctx: Ctx) -> dict[str, Any]:
    return {"model": {"batchnorm": True}}


def _relu(ctx: Ctx) -> dict[str, Any]:
    model: dict[str, Any] = {"activation": "relu", "init": "kaiming"}
    if _deep(ctx) and _no_batchnorm(ctx):
        model["batchnorm"] = True  # a deep net starts better with it, whatever its units
    return {"model": model}


def _deep(ctx: Ctx) -> bool:
    return (ctx.c.hyper.depth or 0) >= ctx.t.deep_layers


def _init(ctx: Ctx) -> dict[str, Any]:
    # He init for ReLU-like units; a deep saturating net is better off with ReLU too
    if ctx.c.hyper.saturating:
        return _relu(ctx)
    return {"model": {"init": "kaiming"}}


def _cross_entropy(ctx: Ctx) -> dict[str, Any]:
    patch: dict[str, Any] = {"training": {"loss": "cross_entropy"}}
    if ctx.c.hyper.saturating:  # saturating units under it stay slow: ReLU with He init
        patch.update(_relu(ctx))
    if _blew_up(ctx):
        # MSE on raw class outputs blew up: its gradient grows with the error, so a step too
        # large feeds on itself; cross-entropy's does not (softmax minus the target is at
        # most 1), but at that lr it still jumps about or stalls. Both changes at once
        # (advisor-2.16, on the tuning splits' diverging MSE classifiers: the lr alone left
        # them diverging or stuck saturated, the loss alone stuck at a too-high lr, both
        # trained; a round spent on each left none for what came next)
        patch = deep_merge(patch, _lower_lr(ctx) or {})
    return patch


def _blew_up(ctx: Ctx) -> bool:
    """The training loss became non-finite or exploded (the run is diverging)."""
    return Code.LOSS_NONFINITE in ctx.found or Code.LOSS_EXPLODED in ctx.found


def _mlp_widths(ctx: Ctx) -> list[int] | None:
    """The mlp's hidden widths, however the spec gave them."""
    model = ctx.section("model")
    if model.get("arch") != "mlp":
        return ctx.widths
    return list(mlp_widths(model))


def _widths(widths: list[int]) -> dict[str, Any]:
    return {"model": {"widths": widths, "width": None, "depth": None}}


# Bigger: 4x the units (at most 1024 per layer), never below the architecture's usual width,
# and at least two hidden layers; a linear model becomes an mlp of two layers of 256; a conv
# net doubles its channels, or goes up to its usual width. (The floor came after the first
# reading of the report half: a one-channel cnn1d doubled twice, 1 -> 2 -> 4 channels, was
# still biased; steps must be big enough for two rounds.)
GROW, MAX_UNITS = 4, 1024


def _bigger(ctx: Ctx) -> dict[str, Any] | None:
    arch = str(ctx.section("model").get("arch") or ctx.c.hyper.arch or "")
    # a model big enough to fit the data can overfit it: stop early at the validation minimum
    if arch == "linear":
        mlp = {"model": {"arch": "mlp", "widths": [256, 256], "width": None, "depth": None}}
        return _stopping(mlp, ctx)
    if arch in ("cnn", "cnn1d", "resnet18"):
        usual = ARCHS[arch].width
        width = int(ctx.section("model").get("width") or usual)
        return _stopping({"model": {"width": min(MAX_UNITS, max(usual, 2 * width))}}, ctx)
    widths = _mlp_widths(ctx)
    if not widths:
        return None
    usual = ARCHS["mlp"].width
    bigger = [min(MAX_UNITS, max(usual, GROW * w)) for w in widths]
    if len(bigger) < 2:
        bigger.append(bigger[-1])
    return _stopping(_widths(bigger), ctx)


def _smaller(ctx: Ctx) -> dict[str, Any] | None:
    arch = str(ctx.section("model").get("arch") or "")
    if arch in ("cnn", "cnn1d", "resnet18"):
        width = ctx.section("model").get("width") or ARCHS[arch].width
        return _stopping({"model": {"width": max(4, int(width) // 4)}}, ctx)
    widths = _mlp_widths(ctx)
    # a quarter of the units, never below 8
    return _stopping(_widths([max(8, w // 4) for w in widths]), ctx) if widths else None


def _longer(ctx: Ctx) -> dict[str, Any] | None:
    if not ctx.epochs:
        return None
    epochs = longer_epochs(ctx)
    patch: dict[str, Any] = {"training": {"epochs": epochs}}
    stop = ctx.section("regularization").get("early_stopping")
    if stop:
        # a patience fitted to the longer run; twice what it was if early stopping cut a
        # run that was still learning
        waited = int(stop.get("patience") or 0)
        longer = max(waited, patience(ctx, epochs))
        if ctx.c.kept_step is not None:
            longer = max(longer, 2 * waited)
        if longer != waited:
            patch["regularization"] = {"early_stopping": {"patience": min(100, longer)}}
    # stopping early too: a run long enough to fit the data is long enough to overfit it
    return _stopping(patch, ctx)


def _early_stop(ctx: Ctx, epochs: int | None = None) -> dict[str, Any]:
    rule = {"metric": "val_loss", "patience": patience(ctx, epochs)}
    return {"regularization": {"early_stopping": rule}}


DEFAULT_PATIENCE = EarlyStoppingSpec.model_fields["patience"].default


def _stopping(patch: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    """`patch` with early stopping added when the spec has none (a job keeps its best
    epoch's weights anyway, and stopping there lets the run be judged on that model), its
    patience fitted to the run the patch makes. A patience of the spec's own is kept unless
    the patch sets one, or makes the run longer than that patience was fitted to: then it
    is raised to the longer run's (advisor-2.14: raise_lr's 300 epochs kept a 30-epoch run's
    patience of 6, and a run at the raised lr stopped on validation noise at epoch ~20)."""
    epochs = patch.get("training", {}).get("epochs")
    stop = ctx.section("regularization").get("early_stopping")
    if not stop:
        return deep_merge(_early_stop(ctx, epochs), patch)
    if epochs and patch.get("regularization", {}).get("early_stopping", {}).get(
            "patience") is None:
        waited = _num(stop.get("patience")) or DEFAULT_PATIENCE
        fitted = patience(ctx, epochs)
        if fitted > waited:
            return deep_merge(patch, {"regularization": {"early_stopping": {"patience": fitted}}})
    return patch


def _more_data(ctx: Ctx) -> dict[str, Any] | None:
    """Train on more of the dataset: 4x the samples, or all there are. How many there are:
    the catalogue's count, else what the run's worker found in the file (meta.
    train_available). (After the ninth split's reading: 4x the samples of an npz file,
    more than it held, made a follow-up job that failed.)"""
    dataset = ctx.section("dataset")
    n, available = dataset.get("n_train"), None
    if dataset.get("name") in DATASETS:
        available = train_samples(dataset)
    if available is None:
        held = _num((ctx.c.facts.meta or {}).get("train_available"))
        available = int(held) if held is not None else None
    if not n or (available is not None and n >= available):
        return None
    more = min(available, GROW * n) if available is not None else GROW * n
    return _stopping({"dataset": {"n_train": int(more)}}, ctx)


def _augment(ctx: Ctx) -> dict[str, Any]:
    current = ctx.section("augmentation")
    if ctx.image:
        # flips and 4-pixel crops, the usual image augmentation
        return _stopping({"augmentation": {"hflip": True, "random_crop": {"padding": 4}}}, ctx)
    # input noise for 1-D/tabular data (standardised inputs): 0.3 to start, else doubled
    noise = current.get("noise")
    std = _num(noise.get("std")) if isinstance(noise, dict) else None
    return _stopping({"augmentation": {"noise": {"std": round(2 * std, 4) if std else 0.3}}},
                     ctx)


def _regularize(ctx: Ctx) -> dict[str, Any]:
    """Dropout and an L2 penalty together, at strengths that change a small net: dropout
    0.3 (0.2 more from there, at most 0.5) and l2 1e-3 (10x from there, at most 0.1)."""
    model, reg = ctx.section("model"), ctx.section("regularization")
    patch: dict[str, Any] = {}
    if model.get("arch") != "linear":
        current = _num(model.get("dropout")) or _num(ctx.c.hyper.dropout) or 0.0
        patch["model"] = {"dropout": round(min(0.5, current + 0.2), 2) if current >= 0.3
                          else 0.3}
    l2 = _num(reg.get("l2"))
    patch["regularization"] = {"l2": float(f"{min(0.1, 10 * l2):.3g}") if l2 else 1e-3}
    return _stopping(patch, ctx)


def _standardize_targets(ctx: Ctx) -> dict[str, Any]:
    return {"dataset": {"standardize_targets": True}}


def _less_regularization(ctx: Ctx) -> dict[str, Any] | None:
    """A hundredth of the penalties, and no more than a tenth of the level called strong
    (Thresholds.strong_penalty), and no dropout: regularisation this strong keeps the model
    from fitting even the training data. (After the eighth split's reading: full-batch SGD
    under l2 48, a hundredth of it, 0.48, was still stuck; two rounds never reached a
    healthy run.)"""
    reg, model, opt = ctx.section("regularization"), ctx.section("model"), ctx.section("optimizer")

    def less(value: float, strong: float) -> float:
        return float(f"{min(value / 100, strong / 10):.3g}")

    patch: dict[str, Any] = {}
    for key in ("l1", "l2"):
        if _num(reg.get(key)):
            patch.setdefault("regularization", {})[key] = less(reg[key], ctx.t.strong_penalty)
    if _num(model.get("dropout")):
        patch["model"] = {"dropout": 0.0}
    if _num(opt.get("weight_decay")):
        # the same rule for weight decay, with AdamW's decoupled level (advisor-2.18: SGD's
        # weight decay 10 made 0.1, still strong, was weakened again in the next round, and
        # the lr that the next diagnosis blamed was never lowered)
        strong = ctx.t.strong_decoupled_decay if ctx.optimizer == "adamw" \
            else ctx.t.strong_penalty
        patch["optimizer"] = {"weight_decay": less(opt["weight_decay"], strong)}
    # a model freed to fit the training data can now overfit it: stop at the val minimum
    return _stopping(patch, ctx) if patch else None


# Validation from the training data itself: one fold of RESPLIT_FOLDS (a fifth, stratified
# by class), the held-out set the dataset brings left out (service.catalogue's folds).
RESPLIT_FOLDS = 5


def _resplit(ctx: Ctx) -> dict[str, Any] | None:
    """Validation drawn from the training data: the same distribution as training. A fold
    of the training part, not a re-split of training and validation pooled: when the
    held-out set is what is wrong (labels joined one row off, targets in other units, a
    rotated frame), pooling puts its errors into training too, and the model trains on two
    tasks at once; the lecture: an experiment on mismatched data means nothing. (After the
    fresh split: re-split runs then underfit or overfit the pooled data, 5 of its 10
    mismatch chains.) Not when the spec already validates on a random split or a fold."""
    dataset = ctx.section("dataset")
    if dataset.get("val_fraction") is not None or dataset.get("folds") is not None:
        return None
    return {"dataset": {"folds": RESPLIT_FOLDS, "fold": 0}}


# --- remedies --------------------------------------------------------------------------------

Applies = Callable[[Ctx], bool]


@dataclass(frozen=True)
class Remedy:
    action: str
    rationale: str  # may name {lr}, {lower_lr}, {raise_lr}, {best}, {epochs}, {patience} ...
    patch: Patch | None = None
    applies: Applies | None = None  # None: always
    # It changes how the net trains (lr, init, units, loss, optimizer ...): the next run
    # learns from scratch, and a short run gets the epochs to do it (FRESH_START_EPOCHS).
    fresh_start: bool = False


# A run that fixes how the net trains starts learning only then: a run shorter than this is
# given this many epochs, with early stopping (the tune half's stuck, diverging and
# oscillating runs of 4-10 epochs, once fixed, were still falling at their end and
# flattened within 20-40 epochs).
FRESH_START_EPOCHS = 30


def _not_adaptive(ctx: Ctx) -> bool:
    facts = optimizer_facts(ctx.optimizer)
    return not (facts is not None and facts.adaptive)


def _plain_sgd(ctx: Ctx) -> bool:
    return ctx.optimizer == "sgd" and not (ctx.c.hyper.momentum or 0)


def _no_batchnorm(ctx: Ctx) -> bool:
    """The model has no BatchNorm and its arch can have it (a linear model cannot: after
    the twelfth split's reading, add_batchnorm was a linear model's next step)."""
    arch = ARCHS.get(ctx.c.hyper.arch or "")
    return not ctx.c.hyper.batchnorm and (arch is None or "batchnorm" in arch.options)


def _saturating(ctx: Ctx) -> bool:
    return ctx.c.hyper.saturating


def _has_val(ctx: Ctx) -> bool:
    return ctx.c.val is not None


def _val_best_at_end(ctx: Ctx) -> bool:
    """Validation was still at its best at the end of a run that used its planned epochs:
    the model was still improving where it matters (the lecture's "accuracy still rising:
    train longer"), however flat the training loss looks."""
    v = ctx.c.val.finite() if ctx.c.val is not None else None
    if v is None or len(v) < ctx.t.min_val_points or ctx.c.ended_early:
        return False
    best = v.steps[int(np.argmin(v.values))]
    return bool(best >= v.steps[-1] - ctx.t.tail_fraction * (v.steps[-1] - v.steps[0]))


def _schedule_facts(ctx: Ctx) -> ScheduleFacts | None:
    schedule = ctx.section("schedule").get("name") or (ctx.c.facts.params or {}).get("schedule")
    return SCHEDULES.get(str(schedule or "constant").lower())


def _no_decay(ctx: Ctx) -> bool:
    facts = _schedule_facts(ctx)
    return not (facts is not None and facts.decays)


def _anneals_early(ctx: Ctx) -> bool:
    """A schedule that falls at a fixed rate per epoch (step, exponential, inverse) and had
    the lr down to almost nothing by the end of this run: a fresh start under it, longer or
    at a lower lr, is cut to nothing again. (advisor-2.19, after the eighteenth split's
    reading: runs stuck at Adam lr 0.5 and 3 under an exponential schedule of gamma 0.7 had
    their lr lowered a hundredfold; the schedule then cut it to nothing and the follow-ups
    were read underfitting, an optimization issue, a round too late for a new schedule.)"""
    facts = _schedule_facts(ctx)
    return facts is not None and facts.fixed_rate and ctx.c.lr_annealed(ctx.t)


LOWER_LR = Remedy(
    "lower_lr",
    "lower the learning rate (from {lr} to {lower_lr}): the steps overshoot "
    "the valley instead of descending into it",
    _lower_lr,
    fresh_start=True,
)
RAISE_LR = Remedy(
    "raise_lr",
    "raise the learning rate (from {lr} to {raise_lr}): sweep 1e-4 ... 1e-1 "
    "and keep the largest lr at which the loss goes down steadily",
    _raise_lr,
    fresh_start=True,
)
# An undertrained run whose steps are a decade or more below the usual ones (plain SGD,
# whose usual lr is meant with momentum 0.9, at that lr or below; another optimizer at a
# tenth of its usual lr or below) gains more from a larger lr than from epochs alone.
SLOW_STEPS = 10.0


def _slow_steps(ctx: Ctx) -> bool:
    lr, usual = ctx.lr, ctx.usual_lr
    if not lr or not usual:
        return False
    step = lr * ctx.c.hyper.momentum_gain / (LR_DECADE if _plain_sgd(ctx) else 1.0)
    return step <= usual / SLOW_STEPS


RAISE_SLOW_LR = Remedy(
    "raise_lr",
    "raise the learning rate (from {lr} to {raise_lr}) and train longer: the loss was still "
    "falling, at steps a decade or more below the usual ones",
    _raise_lr,
    _slow_steps,
    fresh_start=True,
)


def _shrinking_steps(ctx: Ctx) -> bool:
    facts = optimizer_facts(ctx.optimizer or "")
    return facts is not None and facts.shrinking_steps


# An undertrained run of an optimizer whose steps only shrink (Adagrad) crawls slower with
# every epoch it is given: Adam first (advisor-2.15: a CNN at Adagrad lr 3e-3 was given 80,
# then 800 epochs, and was still undertrained at 88%).
SWITCH_SHRINKING = Remedy(
    "switch_optimizer",
    "switch to Adam at lr 1e-3: this optimizer's steps only shrink as it trains (the sum of "
    "squared gradients that divides them grows at every step), so more epochs crawl slower "
    "still",
    _adam,
    _shrinking_steps,
    fresh_start=True,
)
CLIP = Remedy(
    "clip_gradients",
    "clip the gradient norm to 1.0 so that one bad batch cannot throw the weights far away",
    _clip,
    fresh_start=True,
)
WARMUP = Remedy(
    "add_warmup",
    "warm the learning rate up over the first epochs: early gradient statistics "
    "are unreliable, so start with small steps",
    _warmup,
    fresh_start=True,
)
DECAY = Remedy(
    "add_lr_decay",
    "decay the learning rate (cosine) so that the steps shrink as training approaches the minimum",
    _decay,
    _no_decay,
)
BATCHNORM = Remedy(
    "add_batchnorm",
    "add BatchNorm: normalising each layer's inputs keeps activations and "
    "gradients in a healthy range and makes the error surface rounder",
    _batchnorm,
    _no_batchnorm,
    fresh_start=True,
)
ADAM = Remedy(
    "switch_optimizer",
    "switch to Adam at lr 1e-3: momentum plus a per-parameter step size "
    "carries it past flat regions and saddle points",
    _adam,
    _not_adaptive,
    fresh_start=True,
)
MOMENTUM = Remedy(
    "add_momentum",
    "add momentum 0.9: the accumulated gradient carries SGD over small bumps and saddle points",
    _momentum,
    _plain_sgd,
    fresh_start=True,
)
CHANGE_INIT = Remedy(
    "change_init",
    "re-initialise with He (kaiming) init: weights too small make activations and "
    "gradients vanish layer by layer",
    _init,
    fresh_start=True,
)
RELU = Remedy(
    "change_activation",
    "use ReLU with He (kaiming) init instead of sigmoid/tanh (and BatchNorm in a deep net): "
    "its gradient does not shrink layer after layer",
    _relu,
    _saturating,
    fresh_start=True,
)
EARLY_STOP = Remedy(
    "early_stop",
    "stop early: keep the weights of {unit} {best}, where the validation loss "
    "was lowest (patience {patience}); it saves the epochs after it, the kept model is the same",
    _early_stop,
    _has_val,
)
MORE_DATA = Remedy(
    "more_data",
    "train on more of the data (the lecture's first fix for overfitting), and stop early at "
    "the validation minimum",
    _more_data,
)
AUGMENT = Remedy(
    "add_augmentation",
    "augment the training data (more effective data makes memorising harder), and stop "
    "early at the validation minimum",
    _augment,
)
REGULARIZE = Remedy(
    "add_regularization",
    "regularise: dropout, so that no unit can rely on another, and an L2 penalty that keeps "
    "the weights small; stop early at the validation minimum",
    _regularize,
)
SMALLER = Remedy(
    "smaller_model",
    "use a smaller model: fewer parameters to memorise the training set with",
    _smaller,
)
TRAIN_LONGER = Remedy(
    "train_longer",
    "train longer ({more_epochs} {unit}s instead of {epochs}), stopping early at the "
    "validation minimum: the loss was still falling when training stopped",
    _longer,
)

CATALOGUE: dict[Code, tuple[Remedy, ...]] = {
    Code.LEVELS: (
        Remedy(
            "keep_logging",
            "keep logging: no check has found a fault, and the loss is neither falling "
            "steadily nor settled yet",
        ),
    ),
    Code.TOO_FEW_POINTS: (
        Remedy(
            "keep_logging",
            "log a few more epochs of training (and validation) loss; the diagnosis needs a trend",
        ),
    ),
    Code.LOSS_NONFINITE: (
        LOWER_LR,
        CLIP,
        WARMUP,
        Remedy(
            "check_data",
            "check the inputs and targets for NaN/inf, and the loss for log(0) "
            "or a division by zero",
        ),
    ),
    Code.LOSS_EXPLODED: (LOWER_LR, CLIP, WARMUP),
    Code.LOSS_OSCILLATES: (
        Remedy(
            "lower_lr",
            "lower the learning rate (from {lr} to {lower_lr}): the loss bounces "
            "across the valley instead of settling in it",
            _lower_lr,
            fresh_start=True,
        ),
        DECAY,
        Remedy(
            "larger_batch",
            "use a larger batch: less noisy gradients, steadier steps "
            "(scale the lr with the batch)",
            _larger_batch,
        ),
    ),
    Code.LOSS_STUCK: (ADAM, MOMENTUM, BATCHNORM),
    Code.ACC_AT_CHANCE: (
        ADAM,
        BATCHNORM,
        Remedy(
            "check_data",
            "check that labels match their inputs (a shuffled label column "
            "also keeps accuracy at chance)",
        ),
    ),
    Code.LOSS_BLEW_UP: (LOWER_LR, WARMUP, CLIP),
    Code.LR_HIGH: (LOWER_LR,),
    Code.LR_LOW: (RAISE_LR,),
    Code.STEADY_CRAWL: (
        Remedy(
            "raise_lr",
            "raise the learning rate (from {lr} to {raise_lr}): the loss falls "
            "every epoch, only in steps far too small",
            _raise_lr,
            fresh_start=True,
        ),
    ),
    Code.MSE_ON_CLASSES: (
        Remedy(
            "change_loss",
            "use cross-entropy on the logits (softmax included) instead of MSE: "
            "MSE on class probabilities has flat regions where training gets stuck",
            _cross_entropy,
            fresh_start=True,
        ),
    ),
    Code.DEEP_SATURATING: (RELU, BATCHNORM, ADAM),
    Code.INIT_SMALL: (CHANGE_INIT,),
    Code.GRAD_TINY: (CHANGE_INIT, BATCHNORM),
    Code.LOSS_HIGH: (
        Remedy(
            "less_regularization",
            "weaken the regularisation (a hundredth of the penalties, no dropout): it keeps "
            "the model from fitting even the training data",
            _less_regularization,
        ),
        Remedy(
            "bigger_model",
            "use a bigger or deeper model: this one cannot fit the training data (model bias)",
            _bigger,
        ),
        Remedy(
            "add_features",
            "give the model more informative features (model bias can also "
            "come from inputs that lack the signal)",
        ),
        TRAIN_LONGER,
    ),
    Code.TARGETS_UNSCALED: (
        Remedy(
            "standardize_targets",
            "standardise the regression targets (the training set's mean and std): the "
            "loss and its gradients then have unit scale, and usual lrs work",
            _standardize_targets,
            fresh_start=True,
        ),
    ),
    Code.REG_STRONG: (
        Remedy(
            "less_regularization",
            "weaken the regularisation (a hundredth of the penalties, no dropout): this strong, "
            "it shapes the loss more than the data does",
            _less_regularization,
        ),
    ),
    Code.MODEL_TINY: (
        Remedy(
            "bigger_model",
            "use a wider model: a layer this narrow cannot represent the task (model bias), "
            "however long it trains",
            _bigger,
        ),
    ),
    Code.STILL_IMPROVING: (SWITCH_SHRINKING, RAISE_SLOW_LR, TRAIN_LONGER, DECAY),
    Code.ENDS_HIGH: (TRAIN_LONGER,),
    Code.VAL_NOT_TRACKING: (
        Remedy(
            "check_data_split",
            "check how the validation set was built: it behaves as if "
            "drawn from another distribution (other source, shifted features, relabelled "
            "classes); regularisation will not fix this",
        ),
        Remedy(
            "resplit_validation",
            "validate on a fold of the training data (a fifth of it), so that validation "
            "comes from the distribution the model trains on; the held-out set it had "
            "needs checking on its own before it is used again",
            _resplit,
        ),
        Remedy(
            "check_preprocessing",
            "apply exactly the same preprocessing (normalisation, "
            "feature order, label encoding) to training and validation data",
        ),
    ),
    Code.VAL_TURNED_UP: (MORE_DATA, AUGMENT, REGULARIZE, SMALLER, EARLY_STOP),
    Code.GAP_GROWING: (MORE_DATA, REGULARIZE, AUGMENT, SMALLER, EARLY_STOP),
    Code.MEMORISED: (MORE_DATA, AUGMENT, REGULARIZE, SMALLER),
    Code.KEPT_AT_CHANCE: (MORE_DATA, AUGMENT, REGULARIZE, SMALLER),
    Code.ACC_GAP: (AUGMENT,),
    Code.LR_COLLAPSED: (
        Remedy(
            "change_schedule",
            "decay the learning rate smoothly over the whole run (cosine) instead of cutting "
            "it to almost nothing early: training stopped when the lr did; stop early at the "
            "validation minimum, since the model can now fit the data, and overfit it",
            _restart_schedule,
            fresh_start=True,
        ),
    ),
    Code.EARLY_STOPPED: (
        Remedy(
            "ensemble",
            "optional: average a few independently trained models for a better validation score",
        ),
    ),
    Code.CONVERGED: (
        Remedy(
            "train_longer",
            "train longer ({more_epochs} {unit}s instead of {epochs}), stopping early at the "
            "validation minimum: validation was still at its best in the last {unit}s",
            _longer,
            _val_best_at_end,
        ),
        Remedy(
            "ensemble",
            "optional: average a few independently trained models for a better validation score",
        ),
        Remedy(
            "add_lr_decay",
            "optional: a longer run with a decaying learning rate can "
            "still lower the loss a little",
            _decay,
            _no_decay,
        ),
    ),
}


class _Words(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def suggest(
    codes: list[Code],
    c: Curves,
    best_step: int | None,
    found: dict[Code, Finding] | None = None,
    t: Thresholds = DEFAULT,
    limit: int = 5,
) -> list[dict]:
    """Suggestions for the findings, in order, one per action, at most `limit`; for a job
    run, none whose patch is already in its spec."""
    ctx = Ctx(c, best_step, found or {}, t)
    words = _Words(ctx.words())
    out: list[dict] = []
    seen: set[str] = set()
    # A run still falling when it stopped needs more epochs whatever else changes: a change
    # to how it trains comes with them. (After the first reading of the report half: an
    # undertrained classifier switched from MSE to cross-entropy at the same length was
    # still undertrained.)
    undertrained = Code.STILL_IMPROVING in codes or Code.ENDS_HIGH in codes
    # a fresh start under a schedule that cut the lr to nothing gets a new schedule too
    new_schedule = ctx.spec is not None and _anneals_early(ctx)
    for code in codes:
        for remedy in CATALOGUE.get(code, ()):
            if remedy.action in seen or (remedy.applies and not remedy.applies(ctx)):
                continue
            patch = remedy.patch(ctx) if remedy.patch and ctx.spec is not None else None
            epochs = FRESH_START_EPOCHS if (ctx.epochs or 0) < FRESH_START_EPOCHS else None
            if undertrained and ctx.epochs:
                epochs = max(epochs or 0, longer_epochs(ctx))
            if patch is not None and remedy.fresh_start and epochs:
                longer = {"training": {"epochs": epochs}}
                patch = _stopping(deep_merge(patch, longer), ctx)
            if patch is not None and remedy.fresh_start and new_schedule \
                    and "schedule" not in patch:
                # cosine over the new run, stopping early, as change_schedule does
                patch = deep_merge(patch, _restart_schedule(ctx))
            if patch is not None and deep_merge(ctx.spec, patch) == ctx.spec:
                continue  # already in the spec: not a suggestion
            if remedy.patch and ctx.spec is not None and patch is None:
                continue  # it does not apply to this spec (nothing to raise, to shrink ...)
            seen.add(remedy.action)
            out.append(
                {
                    "action": remedy.action,
                    "rationale": remedy.rationale.format_map(words),
                    "patch": patch,
                    "priority": len(out) + 1,
                }
            )
            if len(out) >= limit:
                return out
    return out
