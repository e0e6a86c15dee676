"""The entry point: a run's series and facts in, a `Diagnosis` out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from service.advisor.checks import run_checks
from service.advisor.curves import Curves, build_curves
from service.advisor.decide import Verdict, confidence, decide, supporting
from service.advisor.experiments import evidence as experiment_evidence
from service.advisor.experiments import experiment_cause, suggested_lr, with_lr
from service.advisor.facts import RunFacts
from service.advisor.remedies import suggest
from service.advisor.thresholds import DEFAULT, Thresholds
from service.schemas import Diagnosis, Evidence, Suggestion

# Part of the diagnosis cache's key: a new version recomputes every cached diagnosis.
# 1.1: SGD's usual lr is the catalogue's 1e-2 (was 3e-2): lr ratios and raise-lr patches of
# SGD runs are worded from it; no status or cause changed on the benchmark.
# 2.0: tuned on the repair benchmark's tune half (bench/RESULTS.md): a plan of suggestions
# (no patch already in the spec, lr moved by decades, epochs to where the loss flattens,
# real remedies for overfitting before early stopping), the kept model judged after early
# stopping, lr collapses, small inits, undertrained only while the loss is still high.
# 2.1: after the first reading of the report half (bench/RESULTS.md, issue 10): a memorised
# training set is overfitting, a validation loss never better than an untrained model is a
# mismatch, batch noise and single spikes are not oscillation, a reduce-on-plateau cut is not
# an lr collapse, early stopping is not a cut-short run; bigger models to at least the usual
# width, lr at least half a decade down, MSE's change of loss in every training-side plan,
# and an undertrained run's changes come with its longer run.
# 2.2: what experiments found about a run (service/advisor/experiments.py): the cause of an
# underfitting or stuck run from shallow_vs_deep or hessian, the lr of lr_range in patches;
# runs without experiments are diagnosed as by 2.1.
# 2.3: tuned on all three splits of the repair benchmark (tune, report and fresh, each read
# once untouched; bench/RESULTS.md "Advisor 2.2"): oscillation needs an lr the advisor
# calls too high (heavy-ball momentum counted), a mismatch validates on a fold of the
# training data, the model early stopping kept is what fits or not, classifiers whose
# number of classes is unknown, an lr cut that stopped a descent, a healthy run still
# improving on validation trains longer.
# 2.4: a first epoch below ln 2 of a classifier whose classes are unknown is its start.
# 2.5: tuned on all four splits (the fourth read once at 2.3): at a usual lr, oscillation
# counts only jumps of a good part of the loss's scale; no first-epoch blow-up of a
# regression at a usual lr; regularisation far stronger than usual lowers the bar of a
# high training loss (model bias); no mismatch when validation accuracy rose with training;
# a loss still falling fast near its start is not stuck unless the lr is to blame; a net
# of a few units or channels still falling at a high level is model bias. (The fifth split
# was read once at 2.5.)
# 2.6: after the fifth split's reading, regularisation far stronger than usual is weakened
# first in the plan of a training fault, and a regression whose loss starts in the hundreds
# standardises its targets first (the new dataset.standardize_targets).
# 2.7 - 2.9: a regression's reference level (meta.baseline_loss), targets_unscaled from it,
# adaptive optimizers far above their lr two decades down, no training-only-noise excuse for
# a linear model (service/advisor/README.md).
# 2.10: after the eighth split's reading: oscillation over the whole run at a high lr, no
# mismatch at a high validation accuracy, vanishing_gradient before a crawl, raise_lr for an
# undertrained run at slow steps, less_regularization to at most 0.003. (The ninth split was
# read once at 2.10.)
# 2.11: after the ninth split's reading: more_data bounded by meta.train_available, a
# regression's loss_high bar at 15% of its baseline loss, undertrained judged on validation's
# level under training-only noise, a tiny init is a critical point before a crawl, the
# mismatch accuracy excuse needs validation's loss to have come down, and healthy with nothing
# else to show says "No fault found" with the levels. (The tenth split was read once at 2.11.)
# 2.12: after the tenth split's reading: sigmoid/tanh CNNs are deep from 3 conv layers, and a
# run held near chance by regularisation far stronger than usual is model bias, and a
# memorised training set whose validation loss ends above chance is overfitting.
# 2.13: after the eleventh and twelfth splits' readings: a linear model's accuracy held at
# chance is model bias (no saddle in a convex loss), BatchNorm is never suggested for an
# arch without it, the targets' recorded variance (not a blown-up first loss) says whether
# they need standardising, a classifier right on most validation samples is not model
# bias, and validation predicted worse than guessing is a mismatch.
# 2.14: a change that makes the run longer fits a shorter early-stopping patience of the
# spec's to the longer run (no split read between 2.13 and it).
# 2.15: an undertrained run of an optimizer whose steps only shrink (Adagrad) switches to
# Adam before it trains longer (no split read between 2.14 and it).
# 2.16: after the fourteenth split's reading: a classifier whose MSE loss blew up changes
# to cross-entropy and lowers its lr in one step, first.
# 2.17: after the sixteenth split's reading: a schedule that collapsed is replaced with
# early stopping, and Adagrad far above its usual lr goes two decades down.
# 2.18: after the seventeenth split's reading: weight decay is weakened to the level an
# l1/l2 penalty is (no more than a tenth of the strong level).
# 2.19: after the eighteenth split's reading: a change that restarts training under a
# step, exponential or inverse schedule that had cut the lr to almost nothing also replaces
# it with cosine, stopping early.
# 2.20: after the nineteenth split's reading: a run that early stopping ended is not healthy
# when the model it kept is no better than a guess on validation (its loss never below
# chance) while training fell well below it: overfitting.
ADVISOR_VERSION = "advisor-2.20"

HEADLINES: dict[str, str] = {
    "insufficient_data": "Not enough data yet",
    "healthy": "Healthy",
    "underfitting": "Underfitting",
    "overfitting": "Overfitting",
    "stuck": "Stuck",
    "oscillating": "Oscillating",
    "diverging": "Diverging",
    "mismatch": "Train/validation mismatch",
}


def _best_step(c: Curves) -> int | None:
    for s in (c.val, c.train):
        if s is not None and np.isfinite(s.values).any():
            fin = s.finite()
            return int(fin.steps[int(np.argmin(fin.values))])
    return None


def _summary(verdict: Verdict, c: Curves, by: str | None = None) -> str:
    head = HEADLINES[verdict.status.value]
    if verdict.in_progress:
        head = "Healthy so far, still improving"
    elif verdict.levels_only:
        # nothing but the levels to show: say so
        head = "No fault found" + (" yet" if c.in_progress else "")
    elif verdict.cause:
        head += f" ({verdict.cause.replace('_', ' ')})"
        if by is not None:
            head += f", found by the {by.replace('_', ' ')} experiment"
    since = verdict.deciding[0].since_step if verdict.deciding else None
    if since is not None and verdict.status.value in ("overfitting", "diverging", "oscillating"):
        head += f" since {c.unit} {since}"
    message = verdict.deciding[0].message if verdict.deciding else ""
    return f"{head}: {message}." if message else f"{head}."


def diagnose(
    series: Mapping[str, Sequence[Any]],
    facts: RunFacts | None = None,
    thresholds: Thresholds = DEFAULT,
) -> Diagnosis:
    """Diagnose one run from its metric series (key -> [(step, value), ...]) and facts."""
    facts = facts or RunFacts()
    curves = build_curves(series, facts, thresholds)
    found = run_checks(curves, thresholds)
    verdict = decide(found, curves, thresholds)
    cause, by = experiment_cause(verdict.status.value, verdict.cause, facts.findings)
    if by is not None:
        verdict = replace(verdict, cause=cause)
    shown = verdict.deciding + verdict.causes + supporting(verdict, found)
    best = _best_step(curves)
    items: list[Evidence] = [e for f in shown for e in f.evidence]
    items += [Evidence(signal="input", message=note) for note in curves.notes]
    items += experiment_evidence(facts.findings)
    suggestions = [
        Suggestion(**s) for s in suggest(verdict.remedy_codes, curves, best, found, thresholds)
    ]
    lr = suggested_lr(facts.findings)
    if lr is not None:
        suggestions = [s.model_copy(update={"patch": with_lr(s.patch, lr)}) for s in suggestions]
    return Diagnosis(
        run_id=facts.run_id,
        status=verdict.status,
        cause=verdict.cause,
        confidence=confidence(verdict, curves, thresholds.confidence),
        summary=_summary(verdict, curves, by),
        since_step=verdict.deciding[0].since_step if verdict.deciding else None,
        best_step=best,
        evidence=items,
        suggestions=suggestions,
        advisor_version=ADVISOR_VERSION,
    )
