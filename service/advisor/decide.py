"""Status and cause from the findings — the one place where they are chosen.

Precedence (first match wins), after the lecture's flow "look at the training loss first":

 1. diverging          the loss is NaN/inf (checked even on a single point)
 2. insufficient_data  no loss series, or fewer than three finite points
 3. diverging          the loss ends far above where it started
 4. oscillating        the training loss jumps up and down by large factors
 5. stuck              the training loss (or accuracy) barely leaves its start / chance,
                       and is not still falling fast (unless the lr is to blame)
 6. underfitting       the training loss ends high and has stopped falling: model_bias,
                       or optimization_issue when the optimizer is to blame (a deep
                       sigmoid/tanh net, or an lr that blew the loss up)
 7. mismatch           training is fine, validation never improved from the first epochs
 8. overfitting        validation turned up from its best while training kept falling,
                       or a large generalisation gap that keeps growing
 9. underfitting       still falling when the run stopped (undertrained; model_bias
                       through a layer of a few units); a run that is still running with
                       epochs left is "healthy, still improving"
10. healthy            converged, early-stopped at its validation best, or still improving;
                       with nothing of these to show, "no fault found" and the levels

Training-side problems (1-6) come before validation-side ones (7-8): a run whose training
loss is broken says nothing about generalisation. Causes of `stuck`, first match wins:
lr_too_high (the loss blew up early or rose above its start, or the lr is >= 30x the usual),
saturated_loss (MSE on class outputs), lr_too_low (lr <= 1/100 of the usual),
vanishing_gradient (a deep sigmoid/tanh net, or a tiny gradient norm), critical_point (a
tiny init), lr_too_low (a steady crawl), else
critical_point (flat loss, nothing else to blame) — except for a linear model, whose convex
loss has no critical point but its optimum: flat at chance, it is underfitting/model_bias.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from service.advisor.checks import fit_level, no_training_only_noise
from service.advisor.curves import Curves
from service.advisor.findings import Code, Finding
from service.advisor.thresholds import Confidence, Thresholds
from service.schemas import DiagnosisStatus as S

# Findings that support each status (shown as evidence after the deciding ones).
SUPPORTING: dict[S, tuple[Code, ...]] = {
    S.insufficient_data: (),
    S.diverging: (Code.LOSS_BLEW_UP, Code.LR_HIGH),
    S.oscillating: (Code.LR_HIGH, Code.LOSS_BLEW_UP, Code.ACC_GAP),
    S.stuck: (Code.LOSS_STUCK, Code.ACC_AT_CHANCE, Code.GRAD_TINY, Code.STEADY_CRAWL,
              Code.INIT_SMALL),
    S.underfitting: (Code.DEEP_SATURATING, Code.LR_LOW, Code.LOSS_HIGH, Code.MODEL_TINY,
                     Code.CONVERGED),
    S.mismatch: (Code.ACC_GAP,),
    S.overfitting: (Code.VAL_TURNED_UP, Code.GAP_GROWING, Code.MEMORISED, Code.KEPT_AT_CHANCE,
                    Code.ACC_GAP),
    S.healthy: (Code.EARLY_STOPPED, Code.CONVERGED, Code.STILL_IMPROVING),
}

# Stuck causes, first match wins: (cause, findings that point at it).
STUCK_CAUSES: tuple[tuple[str, tuple[Code, ...]], ...] = (
    ("lr_too_high", (Code.LOSS_BLEW_UP, Code.LR_HIGH)),
    ("saturated_loss", (Code.MSE_ON_CLASSES,)),
    ("lr_too_low", (Code.LR_LOW,)),
    # a deep sigmoid/tanh stack before a crawl: at an lr within a hundredth of the usual
    # one, its flat loss is the gradient that vanishes through the layers (after the
    # eighth split's reading: 12 sigmoid layers at SGD lr 0.01 with momentum, falling by
    # 0.01 in six epochs, were given raise_lr first, and change_activation came a round late)
    ("vanishing_gradient", (Code.DEEP_SATURATING, Code.GRAD_TINY)),
    # a net initialised tiny sits at the saddle where every output is ~0 and creeps there:
    # its crawl is the saddle's, not the lr's (after the ninth split's reading: a CNN with
    # N(0, 0.01) weights, flat at ln 10, was lr_too_low; raise_lr left it flat)
    ("critical_point", (Code.INIT_SMALL,)),
    ("lr_too_low", (Code.STEADY_CRAWL,)),
)


@dataclass(frozen=True)
class Verdict:
    status: S
    cause: str | None
    deciding: tuple[Finding, ...]  # the findings that chose the status
    causes: tuple[Finding, ...] = ()  # the findings that chose the cause
    in_progress: bool = False
    # findings that did not choose the status but whose remedies belong in the plan
    also: tuple[Finding, ...] = ()

    @property
    def levels_only(self) -> bool:
        """Healthy with nothing to show but where the losses are (no fault found)."""
        return bool(self.deciding) and self.deciding[0].code == Code.LEVELS

    @property
    def remedy_codes(self) -> list[Code]:
        """Whose remedies to suggest, in order: the cause's first, then the status's; a
        training-side fault that the loss function makes worse (MSE on class outputs) gets
        the change of loss first, or after the lr's remedies when the lr is to blame (but a
        diverging one's change of loss, which lowers the lr with it, first)."""
        codes = [f.code for f in self.causes] + [f.code for f in self.deciding]
        extra = [f.code for f in self.also if f.code not in codes]
        before = (Code.TARGETS_UNSCALED, Code.REG_STRONG)  # before anything else
        first = [c for c in before if c in extra]
        extra = [c for c in extra if c not in before]
        lr_first = self.status in (S.diverging, S.oscillating) or self.cause in LR_CAUSES
        if self.status == S.diverging and Code.MSE_ON_CLASSES in extra:
            lr_first = False  # its change of loss lowers the lr too (remedies._cross_entropy)
        return first + (codes + extra if lr_first else extra + codes)


LR_CAUSES = ("lr_too_high", "lr_too_low")
# Statuses of a run whose training itself goes wrong: a loss ill-suited to the task is part
# of their plan whatever chose the status. (After the first reading of the report half:
# diverging and undertrained classifiers on MSE got only lr and epoch changes, and ended
# saturated or still slow.)
TRAINING_FAULTS = (S.diverging, S.oscillating, S.stuck, S.underfitting)


def _with_loss_fix(verdict: Verdict, found: dict[Code, Finding]) -> Verdict:
    """A training fault's plan also changes a loss ill-suited to the task, and first of all
    standardises a regression's unscaled targets and weakens regularisation far stronger
    than usual: a penalty that large shapes the loss more than the data does (an l2 of 48
    with full-batch SGD diverges at any lr that still trains, and is stuck below it).
    (After the fifth split's reading.)"""
    if verdict.status not in TRAINING_FAULTS or verdict.in_progress:
        return verdict
    # unscaled targets are the plan's start only when training itself blows up or stalls
    scale = (Code.TARGETS_UNSCALED,) if verdict.status != S.underfitting else ()
    also = _first(found, *scale, Code.REG_STRONG, Code.MSE_ON_CLASSES)
    return replace(verdict, also=also) if also else verdict


def _first(found: dict[Code, Finding], *codes: Code) -> tuple[Finding, ...]:
    return tuple(found[c] for c in codes if c in found)


def _still_high(c: Curves, t: Thresholds) -> bool:
    """The training loss ends high enough that more epochs are worth asking for; as rule
    7 does, the validation loss's level when it is lower and something only training does
    (BatchNorm's batch statistics, dropout, augmentation) can hold the training loss above
    what the model delivers. (After the ninth split's reading: a BatchNorm ReLU net at SGD
    lr 0.05 early-stopped with training loss at 37% of chance, validation at 16% and 99%
    accuracy, was called undertrained and given 2,260 epochs.)"""
    s = c.loss.finite()
    if not len(s):
        return False
    level = fit_level(c, s, t)[0]
    v = c.val.finite() if c.train is not None and c.val is not None else None
    if v is not None and len(v) >= t.min_points and not no_training_only_noise(c):
        level = min(level, fit_level(c, v, t)[0])
    return level / c.scale >= t.undertrained_level


def _cut_short(c: Curves) -> bool:
    """The run ended before its planned epochs for a reason other than early stopping at its
    validation best (killed, failed, cancelled): its still-falling loss had epochs left.
    Early stopping ends a run because validation stopped improving, which more epochs do
    not change. (After the first reading of the report half: a run early-stopped on its
    validation minimum, training loss at 12% of chance and still falling, was called
    undertrained.)"""
    return c.ended_early and c.kept_step is None


def decide(found: dict[Code, Finding], c: Curves, t: Thresholds) -> Verdict:
    return _with_loss_fix(_decide(found, c, t), found)


def _decide(found: dict[Code, Finding], c: Curves, t: Thresholds) -> Verdict:
    has = found.__contains__
    if has(Code.LOSS_NONFINITE):
        return Verdict(S.diverging, None, _first(found, Code.LOSS_NONFINITE))
    if has(Code.TOO_FEW_POINTS):
        return Verdict(S.insufficient_data, None, _first(found, Code.TOO_FEW_POINTS))
    if has(Code.LOSS_EXPLODED):
        return Verdict(S.diverging, None, _first(found, Code.LOSS_EXPLODED))
    if has(Code.LOSS_OSCILLATES):
        return Verdict(S.oscillating, None, _first(found, Code.LOSS_OSCILLATES))
    improving = has(Code.STILL_IMPROVING)
    # Accuracy at chance with a loss that falls fast is a run still getting going, unless
    # the loss is MSE on class outputs, whose loss moves while its accuracy cannot.
    at_chance = has(Code.ACC_AT_CHANCE) and (not improving or has(Code.MSE_ON_CLASSES))
    # So is a loss still falling fast near its start (a 3-epoch run 7% below chance, 7% a
    # epoch), unless the lr is to blame: a crawl, or a blow-up that left the net falling
    # slowly from chance. (After the fourth split's reading: a 3-epoch CNN whose loss fell
    # every epoch and accuracy rose 39% -> 59% was called stuck at a critical point; issue
    # 10's "short runs" kind.)
    lr_blamed = has(Code.STEADY_CRAWL) or has(Code.LOSS_BLEW_UP) or has(Code.LR_HIGH)
    stuck = has(Code.LOSS_STUCK) and (not improving or has(Code.MSE_ON_CLASSES) or lr_blamed)
    if stuck or at_chance:
        deciding = _first(found, Code.LOSS_STUCK, Code.ACC_AT_CHANCE)[:1]
        for cause, codes in STUCK_CAUSES:
            if any(has(code) for code in codes):
                return Verdict(S.stuck, cause, deciding, _first(found, *codes))
        if has(Code.REG_STRONG):
            # Regularisation far stronger than usual holds the weights near zero: the loss
            # stays near chance because the model may not fit, not at a saddle (the
            # lecture: too much regularisation underfits). (After the tenth split's
            # reading: an MLP under dropout 0.85, 6-7% below chance after 40 epochs, was
            # called a critical point.)
            return Verdict(S.underfitting, "model_bias", deciding, _first(found, Code.REG_STRONG))
        if c.hyper.arch == "linear":
            # A linear model's loss is convex: no saddle points, no other minima. Flat at
            # chance with a sane lr means it sits at its optimum: the inputs lack the signal.
            # So does its accuracy held at chance while the loss settles (after the twelfth
            # split's reading: a linear model of an XOR trait, accuracy flat at 51%, was
            # called a critical point).
            return Verdict(S.underfitting, "model_bias", deciding, _first(found, Code.LOSS_HIGH))
        # Flat with nothing else to blame; a small init is where the remedies start.
        return Verdict(S.stuck, "critical_point", deciding, _first(found, Code.INIT_SMALL))
    if has(Code.LR_COLLAPSED) and not improving:
        # The schedule stopped training, whatever level the loss had reached.
        deciding = _first(found, Code.LR_COLLAPSED)
        return Verdict(S.underfitting, "optimization_issue", deciding)
    if has(Code.LOSS_HIGH) and not improving:
        # a better function exists; the optimizer (or the loss it follows) did not reach it
        for code in (Code.MSE_ON_CLASSES, Code.DEEP_SATURATING, Code.LOSS_BLEW_UP, Code.LR_HIGH):
            if has(code):
                causes = _first(found, code)
                return Verdict(
                    S.underfitting, "optimization_issue", _first(found, Code.LOSS_HIGH), causes
                )
        return Verdict(S.underfitting, "model_bias", _first(found, Code.LOSS_HIGH))
    if has(Code.VAL_NOT_TRACKING):
        return Verdict(S.mismatch, None, _first(found, Code.VAL_NOT_TRACKING))
    overfit = (Code.VAL_TURNED_UP, Code.GAP_GROWING, Code.MEMORISED, Code.KEPT_AT_CHANCE)
    if any(has(code) for code in overfit):
        deciding = _first(found, *overfit)[:1]
        return Verdict(S.overfitting, None, deciding)
    if improving and not c.in_progress and has(Code.MODEL_TINY) and _still_high(c, t):
        # still falling, slowly, at a high level, through a layer of a few units: more
        # epochs will not make up for the capacity (model bias)
        deciding = _first(found, Code.STILL_IMPROVING)
        return Verdict(S.underfitting, "model_bias", deciding, _first(found, Code.MODEL_TINY))
    if improving and not c.in_progress and (_cut_short(c) or _still_high(c, t)):
        return Verdict(S.underfitting, "undertrained", _first(found, Code.STILL_IMPROVING))
    if improving and c.in_progress and has(Code.ENDS_HIGH):
        # running, and at its pace it will stop while the loss is still high
        deciding = _first(found, Code.ENDS_HIGH, Code.STILL_IMPROVING)
        return Verdict(S.underfitting, "undertrained", deciding)
    if improving and c.in_progress:
        return Verdict(S.healthy, None, _first(found, Code.STILL_IMPROVING), in_progress=True)
    return Verdict(S.healthy, None, _first(found, Code.EARLY_STOPPED, Code.CONVERGED,
                                             Code.STILL_IMPROVING, Code.LEVELS)[:1])


def supporting(verdict: Verdict, found: dict[Code, Finding]) -> tuple[Finding, ...]:
    shown = {f.code for f in verdict.deciding + verdict.causes}
    codes = [f.code for f in verdict.also] + list(SUPPORTING[verdict.status])
    return tuple(
        found[code] for code in dict.fromkeys(codes) if code in found and code not in shown
    )


def confidence(verdict: Verdict, c: Curves, w: Confidence) -> float:
    """How sure: past-threshold margin of the deciding finding, less for thin evidence
    (the weights `w` are thresholds.Confidence)."""
    if verdict.status == S.insufficient_data:
        return w.insufficient
    if verdict.status == S.healthy:
        if verdict.levels_only:
            return w.healthy_base  # no finding shows it healthy: nothing found, no more
        score = w.healthy_base + (w.healthy_bonus if c.val is not None else 0.0)
        score += w.healthy_bonus if not verdict.in_progress else 0.0
        long_run = c.train is not None and len(c.train) >= w.long_run_points
        score += w.healthy_bonus if long_run else 0.0
        return round(score, 2)
    margin = max((f.strength for f in verdict.deciding), default=0.0)
    score = w.base + w.margin_weight * margin
    if verdict.cause == "critical_point":
        score -= w.by_elimination  # a cause by elimination
    if c.train is not None and len(c.train) < w.short_run_points:
        score -= w.short_run_penalty
    return round(max(w.floor, min(w.ceiling, score)), 2)
