"""Print the signals behind each threshold, per labelled run (how the thresholds were chosen).

    python -m bench.advisor.measure

For every stored run: the value of each signal the advisor's checks compare, then, per
signal, its range over the runs that have the fault and over those that do not. A
threshold belongs in the gap between the two; service/advisor/thresholds.py cites these.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from bench.advisor.score import decode, facts_of, load_runs
from service.advisor import checks as ck
from service.advisor.curves import build_curves, median
from service.advisor.thresholds import DEFAULT as T


def signals(run: dict) -> dict[str, float]:
    c = build_curves(decode(run["series"]), facts_of(run), T)
    s = c.loss.finite()
    out: dict[str, float] = {}
    if c.hyper.lr_ratio is not None:  # the lr over the catalogue's usual lr for its optimizer
        out["lr.ratio"] = c.hyper.lr_ratio
    if len(s) < T.min_points:
        return out
    ref = c.chance_loss if c.chance_loss is not None else c.start
    end = ck.end_level(s, T)
    out["stuck.progress"] = (ref - end) / ref
    out["explode.end_over_start"] = end / max(c.start, c.chance_loss or 0.0)
    if c.start_spike:
        out["spike.first_over_next"] = float(s.values[0] / c.start)
    else:  # the first point over what follows it (and over chance, where there is one)
        after = median(s.values[1 : 1 + T.spike_next_points])
        if c.chance_loss is not None:
            out["start.first_over_next"] = float(s.values[0] / max(after, c.chance_loss))
        else:
            out["start.first_over_next_no_chance"] = float(s.values[0] / after)
    if len(s) >= T.oscillation_min_points:  # as check_loss_oscillates
        w = s.values[ck._oscillation_start(len(s), T) :]
        d = np.diff(np.log(w - min(0.0, float(w.min())) + T.jump_floor * c.scale))
        out["osc.jump_rate"] = float((np.abs(d) >= math.log(T.jump_ratio)).mean())
    if c.train_acc is not None and len(c.train_acc.finite()):  # as logged: <= 1 is a fraction
        out["acc.max_logged"] = float(c.train_acc.finite().values.max())
    a = ck._acc(c.train_acc, T)
    if a is not None and c.num_classes and len(a) >= T.min_points:
        base = 1 / c.num_classes
        out["stuck.acc_gain"] = (ck.end_level(a, T) - base) / (1 - base)
    out["high.end_over_chance"] = end / ref
    risen = s.values[0] > 0 and end / s.values[0] - 1.0 >= T.rise_ratio
    if risen and c.chance_loss is not None:  # as check_loss_blew_up
        out["blewup.risen_end_over_chance"] = end / c.chance_loss
    if len(s) >= T.crawl_min_points:  # as check_steady_crawl
        falls = float((np.diff(s.values) < 0).mean())
        out["crawl.falling_fraction"] = falls
        if falls >= T.steady_descent:
            out["crawl.progress_when_steady"] = (s.values[0] - end) / ref
    g = c.grad_norm.finite() if c.grad_norm is not None else None
    if g is not None and len(g) >= T.min_points:
        out["grad.end"] = ck.end_level(g, T)
        if out["grad.end"] < T.grad_tiny:
            out["grad.tiny_loss_over_chance"] = end / ref
    fall = ck._train_falling(c, T)
    if fall:
        out["improving.rel"], out["improving.abs"] = fall
    pair = ck._pair(c, T)
    if pair:
        tr, v = pair
        sm = ck._moving_average(v.values, T)
        best = int(np.argmin(sm))
        vend = ck.end_level(v, T)
        out["overfit.val_rise"] = (vend - sm[best]) / sm[best]
        out["overfit.val_rise_abs"] = (vend - sm[best]) / c.scale
        at_best = float(tr.at(np.array([v.steps[best]]))[0])
        out["overfit.train_fall"] = (at_best - ck.end_level(tr, T)) / at_best
        gap = v.values - tr.at(v.steps)
        mid_step = v.steps[0] + T.gap_window * (v.steps[-1] - v.steps[0])
        mid = int(np.argmin(np.abs(v.steps - mid_step)))
        gap_end = float(np.median(gap[ck._tail_mask(v, T)]))
        out["gap.size"] = gap_end / c.scale
        out["gap.growth"] = (gap_end - gap[mid]) / abs(gap[mid]) if gap[mid] else math.inf
        if out["gap.size"] >= T.gap_large and out["gap.growth"] >= T.gap_growth:
            out["gap.val_fall_when_large"] = 1.0 - vend / float(v.values[mid])
        raw_best = int(np.argmin(v.values))
        out["mismatch.best_index"] = raw_best
        out["mismatch.val_gain"] = (v.values[0] - v.values[raw_best]) / v.values[0]
        out["mismatch.train_progress"] = (c.start - ck.end_level(tr, T)) / c.start
    return out


def main() -> None:
    runs = load_runs()
    table = defaultdict(lambda: defaultdict(list))  # signal -> label -> [(value, name)]
    for run in runs:
        label = run["label"]["status"]
        if run["label"]["cause"]:
            label += "/" + run["label"]["cause"]
        for key, value in signals(run).items():
            table[key][label].append((value, run["name"]))
    for key in sorted(table):
        print(f"\n{key}")
        for label in sorted(table[key]):
            vals = sorted(table[key][label])
            lo, hi = vals[0], vals[-1]
            print(
                f"  {label:32s} n={len(vals):2d}  min {lo[0]:9.3g} ({lo[1]})"
                f"  max {hi[0]:9.3g} ({hi[1]})"
            )


if __name__ == "__main__":
    main()
