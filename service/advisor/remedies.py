"""What to change, per finding: the remedy catalogue.

Checks say what is wrong; this module says what to do about it. `CATALOGUE` maps every
finding code to its remedies, best first, each with an `action` from `ACTIONS`, a
rationale in plain words (after the lecture notes), and — for job runs, whose JobSpec is
known — a `patch`: the partial JobSpec that applies the change.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from service.advisor.curves import Curves
from service.advisor.findings import Code
from service.catalogue import ARCHS, DATASETS, SCHEDULES, optimizer_facts

# The action vocabulary (README.md describes each).
ACTIONS = (
    "lower_lr",
    "raise_lr",
    "add_warmup",
    "add_lr_decay",
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
    "add_dropout",
    "add_weight_decay",
    "early_stop",
    "smaller_model",
    "more_data",
    "check_data",
    "check_data_split",
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

    def words(self) -> dict[str, str]:
        lr = self.lr
        epochs = self.epochs
        return {
            "lr": f"{lr:.3g}" if lr else "the current lr",
            "lower_lr": f"{lr / 10:.3g}" if lr else "a tenth",
            "raise_lr": f"{raised_lr(self):.3g}" if lr else "10x",
            "best": str(self.best_step) if self.best_step is not None else "its best",
            "unit": self.c.unit,
            "epochs": str(epochs) if epochs else "the current number of",
            "more_epochs": str(2 * epochs) if epochs else "twice as many",
            "patience": str(patience(self)),
        }


def raised_lr(ctx: Ctx) -> float:
    lr = ctx.lr or 0.0
    typical = ctx.c.hyper.typical_lr
    if typical and lr < typical / 10:
        return typical  # from a far-too-low lr, go straight to the usual one
    return lr * 10


def patience(ctx: Ctx) -> int:
    """Early-stopping patience: a tenth of the run, between 3 and 10 epochs."""
    n = ctx.epochs or 30  # length unknown: as for a 30-epoch run
    return int(min(10, max(3, round(n / 10))))


# --- patches ---------------------------------------------------------------------------------

Patch = Callable[[Ctx], dict[str, Any] | None]


def _lower_lr(ctx: Ctx) -> dict[str, Any] | None:
    return {"optimizer": {"lr": float(f"{ctx.lr / 10:.3g}")}} if ctx.lr else None


def _raise_lr(ctx: Ctx) -> dict[str, Any] | None:
    return {"optimizer": {"lr": float(f"{raised_lr(ctx):.3g}")}} if ctx.lr else None


def _warmup(ctx: Ctx) -> dict[str, Any]:
    # a tenth of the run, between 1 and 5 epochs (1 when the length is unknown)
    return {"schedule": {"warmup_epochs": int(min(5, max(1, (ctx.epochs or 10) // 10)))}}


def _decay(ctx: Ctx) -> dict[str, Any]:
    return {"schedule": {"name": "cosine"}}


def _clip(ctx: Ctx) -> dict[str, Any]:
    return {"training": {"grad_clip": 1.0}}  # the usual max-norm; CLIP's rationale names it


def _adam(ctx: Ctx) -> dict[str, Any]:
    return {"optimizer": {"name": "adam", "lr": 1e-3}}  # Adam's usual lr (catalogue usual_lr)


def _momentum(ctx: Ctx) -> dict[str, Any]:
    return {"optimizer": {"momentum": 0.9}}  # the standard heavy-ball value


def _larger_batch(ctx: Ctx) -> dict[str, Any] | None:
    batch = _num(ctx.section("training").get("batch_size"))
    return {"training": {"batch_size": int(batch) * 2}} if batch else None


def _batchnorm(ctx: Ctx) -> dict[str, Any]:
    return {"model": {"batchnorm": True}}


def _relu(ctx: Ctx) -> dict[str, Any]:
    return {"model": {"activation": "relu", "init": "kaiming"}}


def _init(ctx: Ctx) -> dict[str, Any]:
    return {"model": {"init": "xavier" if ctx.c.hyper.saturating else "kaiming"}}


def _cross_entropy(ctx: Ctx) -> dict[str, Any]:
    return {"training": {"loss": "cross_entropy"}}


def _bigger(ctx: Ctx) -> dict[str, Any] | None:
    arch = str(ctx.section("model").get("arch") or ctx.c.hyper.arch or "")
    if arch == "linear":
        return {"model": {"arch": "mlp", "widths": [128, 128]}}  # two hidden layers of 128
    widths = ctx.widths
    if not widths:
        return None
    bigger = [min(4096, 2 * w) for w in widths]  # doubled, at most 4096 units
    if arch == "mlp" and len(bigger) < 3:
        bigger.append(bigger[-1])  # wider and one layer deeper
    return {"model": {"widths": bigger}}


def _smaller(ctx: Ctx) -> dict[str, Any] | None:
    widths = ctx.widths
    # halved, never below 8 units
    return {"model": {"widths": [max(8, w // 2) for w in widths]}} if widths else None


def _longer(ctx: Ctx) -> dict[str, Any] | None:
    return {"training": {"epochs": 2 * ctx.epochs}} if ctx.epochs else None


def _early_stop(ctx: Ctx) -> dict[str, Any]:
    rule = {"metric": "val_loss", "patience": patience(ctx)}
    return {"regularization": {"early_stopping": rule}}


def _augment(ctx: Ctx) -> dict[str, Any]:
    current = ctx.section("augmentation")
    if ctx.image:
        # flips and 4-pixel crops, the usual image augmentation
        return {"augmentation": {"hflip": True, "random_crop": {"padding": 4}}}
    # input noise for 1-D/tabular data: twice the current std, or 0.1 to start
    noise = current.get("noise")
    std = _num(noise.get("std")) if isinstance(noise, dict) else None
    return {"augmentation": {"noise": {"std": round(2 * std, 4) if std else 0.1}}}


def _dropout(ctx: Ctx) -> dict[str, Any]:
    current = _num(ctx.section("model").get("dropout")) or _num(ctx.c.hyper.dropout) or 0.0
    # 0.3 to start; from 0.3 on, 0.2 more, at most 0.5
    return {"model": {"dropout": round(min(0.5, current + 0.2), 2) if current >= 0.3 else 0.3}}


def _weight_decay(ctx: Ctx) -> dict[str, Any]:
    current = _num(ctx.section("optimizer").get("weight_decay")) or _num(ctx.c.hyper.weight_decay)
    new = min(0.1, 10 * current) if current else 5e-4  # 5e-4 to start, else 10x, at most 0.1
    return {"optimizer": {"weight_decay": float(f"{new:.3g}")}}


# --- remedies --------------------------------------------------------------------------------

Applies = Callable[[Ctx], bool]


@dataclass(frozen=True)
class Remedy:
    action: str
    rationale: str  # may name {lr}, {lower_lr}, {raise_lr}, {best}, {epochs}, {patience} ...
    patch: Patch | None = None
    applies: Applies | None = None  # None: always


def _not_adaptive(ctx: Ctx) -> bool:
    facts = optimizer_facts(ctx.optimizer)
    return not (facts is not None and facts.adaptive)


def _plain_sgd(ctx: Ctx) -> bool:
    return ctx.optimizer == "sgd" and not (ctx.c.hyper.momentum or 0)


def _no_batchnorm(ctx: Ctx) -> bool:
    return not ctx.c.hyper.batchnorm


def _saturating(ctx: Ctx) -> bool:
    return ctx.c.hyper.saturating


def _has_val(ctx: Ctx) -> bool:
    return ctx.c.val is not None


def _no_decay(ctx: Ctx) -> bool:
    schedule = ctx.section("schedule").get("name") or (ctx.c.facts.params or {}).get("schedule")
    facts = SCHEDULES.get(str(schedule or "constant").lower())
    return not (facts is not None and facts.decays)


LOWER_LR = Remedy(
    "lower_lr",
    "lower the learning rate 10x (from {lr} to {lower_lr}): the steps overshoot "
    "the valley instead of descending into it",
    _lower_lr,
)
CLIP = Remedy(
    "clip_gradients",
    "clip the gradient norm to 1.0 so that one bad batch cannot throw the weights far away",
    _clip,
)
WARMUP = Remedy(
    "add_warmup",
    "warm the learning rate up over the first epochs: early gradient statistics "
    "are unreliable, so start with small steps",
    _warmup,
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
)
ADAM = Remedy(
    "switch_optimizer",
    "switch to Adam at lr 1e-3: momentum plus a per-parameter step size "
    "carries it past flat regions and saddle points",
    _adam,
    _not_adaptive,
)
MOMENTUM = Remedy(
    "add_momentum",
    "add momentum 0.9: the accumulated gradient carries SGD over small bumps and saddle points",
    _momentum,
    _plain_sgd,
)
EARLY_STOP = Remedy(
    "early_stop",
    "stop early: keep the weights of {unit} {best}, where the validation loss "
    "was lowest (patience {patience})",
    _early_stop,
    _has_val,
)
AUGMENT = Remedy(
    "add_augmentation",
    "augment the training data (more effective data makes memorising harder)",
    _augment,
)
DROPOUT = Remedy(
    "add_dropout",
    "add dropout in the fully connected layers so that no unit can rely on another one",
    _dropout,
)
WEIGHT_DECAY = Remedy(
    "add_weight_decay",
    "add weight decay (L2): it keeps the weights small and the function smoother",
    _weight_decay,
)
MORE_DATA = Remedy("more_data", "train on more data: the lecture's first fix for overfitting")

CATALOGUE: dict[Code, tuple[Remedy, ...]] = {
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
    Code.LR_LOW: (
        Remedy(
            "raise_lr",
            "raise the learning rate (from {lr} to {raise_lr}): sweep 1e-4 ... 1e-1 "
            "and keep the largest lr at which the loss goes down steadily",
            _raise_lr,
        ),
    ),
    Code.STEADY_CRAWL: (
        Remedy(
            "raise_lr",
            "raise the learning rate (from {lr} to {raise_lr}): the loss falls "
            "every epoch, only in steps far too small",
            _raise_lr,
        ),
    ),
    Code.MSE_ON_CLASSES: (
        Remedy(
            "change_loss",
            "use cross-entropy on the logits (softmax included) instead of MSE: "
            "MSE on class probabilities has flat regions where training gets stuck",
            _cross_entropy,
        ),
    ),
    Code.DEEP_SATURATING: (
        Remedy(
            "change_activation",
            "use ReLU with He (kaiming) init instead of "
            "sigmoid/tanh: its gradient does not shrink layer after layer",
            _relu,
        ),
        BATCHNORM,
        ADAM,
    ),
    Code.GRAD_TINY: (
        Remedy(
            "change_init",
            "re-initialise with He/Xavier init: too small weights make "
            "activations and gradients vanish",
            _init,
        ),
        BATCHNORM,
    ),
    Code.LOSS_HIGH: (
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
        Remedy(
            "train_longer",
            "then train longer without decay to see how low the training loss can go",
            _longer,
        ),
    ),
    Code.STILL_IMPROVING: (
        Remedy(
            "train_longer",
            "train longer ({more_epochs} {unit}s instead of {epochs}): "
            "the loss was still falling when training stopped",
            _longer,
        ),
        DECAY,
    ),
    Code.VAL_NOT_TRACKING: (
        Remedy(
            "check_data_split",
            "check how the validation set was built: it behaves as if "
            "drawn from another distribution (other source, shifted features, relabelled "
            "classes); regularisation will not fix this",
        ),
        Remedy(
            "check_preprocessing",
            "apply exactly the same preprocessing (normalisation, "
            "feature order, label encoding) to training and validation data",
        ),
    ),
    Code.VAL_TURNED_UP: (
        EARLY_STOP,
        AUGMENT,
        DROPOUT,
        WEIGHT_DECAY,
        MORE_DATA,
        Remedy(
            "smaller_model", "or use a smaller model: fewer parameters to memorise with", _smaller
        ),
    ),
    Code.GAP_GROWING: (WEIGHT_DECAY, DROPOUT, AUGMENT, MORE_DATA, EARLY_STOP),
    Code.ACC_GAP: (AUGMENT,),
    Code.CONVERGED: (
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


def suggest(codes: list[Code], c: Curves, best_step: int | None, limit: int = 5) -> list[dict]:
    """Suggestions for the findings, in order, one per action, at most `limit`."""
    ctx = Ctx(c, best_step)
    words = _Words(ctx.words())
    out: list[dict] = []
    seen: set[str] = set()
    for code in codes:
        for remedy in CATALOGUE.get(code, ()):
            if remedy.action in seen or (remedy.applies and not remedy.applies(ctx)):
                continue
            seen.add(remedy.action)
            patch = remedy.patch(ctx) if remedy.patch and ctx.spec is not None else None
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
