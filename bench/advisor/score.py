"""Score the advisor on the stored benchmark runs, next to an AUTOTRAINER-like baseline.

    python -m bench.advisor.score            # the tables and every miss
    python -m bench.advisor.score --quiet    # the tables only

Three readings of each run:
- full: the whole curve, with the facts the run ended with (finished / killed / failed);
- cut at 75% and 50% of its epochs, with run_status "running" and the planned epochs of the
  full run, as a dashboard polling a live run would see it.

How cut curves are labelled ("at-cut" label, by construction; the strict score against the
full label is printed too):
- faults present from the first epochs keep their label: stuck, oscillating, mismatch,
  underfitting/model_bias;
- an overfitting run is expected to look healthy until a few epochs after the point where
  its full validation curve first rose 10% above its best so far (`onset_epoch`, measured
  by the generator); it is labelled overfitting only when the cut is >= onset + 3 epochs;
- a diverging run likewise is healthy before its loss first turns up (1.5x its best so
  far) or becomes non-finite; after that, "stuck" is accepted besides "diverging" (a net
  whose lr has grown too high can die at chance level before it blows up);
- an undertrained run is still running with epochs left and still improving, which is a
  healthy run in progress; so are healthy runs.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from service.advisor import RunFacts, diagnose

HERE = Path(__file__).resolve().parent
CURVES = HERE / "curves"
HOLDOUT = CURVES / "holdout"  # the same constructions with other seeds
STATUSES = (
    "insufficient_data",
    "healthy",
    "underfitting",
    "overfitting",
    "stuck",
    "oscillating",
    "diverging",
    "mismatch",
)


def load_runs(folder: Path = CURVES) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def decode(series: dict[str, list[list[Any]]]) -> dict[str, list[tuple[int, float]]]:
    return {k: [(int(s), float(v)) for s, v in pts] for k, pts in series.items()}


def facts_of(run: dict[str, Any], **override: Any) -> RunFacts:
    f = {**run["facts"], **override}
    return RunFacts(
        run_id=run["name"],
        params=f["params"],
        meta=f["meta"],
        spec=f["spec"],
        run_status=f["run_status"],
    )


def cut(run: dict[str, Any], fraction: float) -> tuple[dict, RunFacts, int]:
    """The run as seen after `fraction` of its epochs, still running."""
    series = decode(run["series"])
    n = len(series["train_loss"])
    keep = max(1, math.ceil(fraction * n))
    last_step = series["train_loss"][keep - 1][0]
    part = {k: [(s, v) for s, v in pts if s <= last_step] for k, pts in series.items()}
    meta = {**run["facts"]["meta"], "planned_epochs": run["facts"]["meta"]["planned_epochs"]}
    return part, facts_of(run, meta=meta, run_status="running"), keep


def labels_at_cut(run: dict[str, Any], epochs_seen: int) -> tuple[str, ...]:
    """The statuses a correct advisor may give the run cut after `epochs_seen` epochs."""
    status, cause = run["label"]["status"], run["label"]["cause"]
    onset = run.get("onset_epoch")
    if status == "overfitting":
        seen = onset is not None and epochs_seen >= onset + 3
        return ("overfitting",) if seen else ("healthy",)
    if status == "diverging":
        seen = onset is not None and epochs_seen > onset
        return ("diverging", "stuck") if seen else ("healthy",)
    if status == "underfitting" and cause == "undertrained":
        return ("healthy",)
    return (status,)


# --- an AUTOTRAINER-like baseline -----------------------------------------------------------------
# After AutoTrainer/utils/monitor.py (shiningrain/AUTOTRAINER): its curve-based features with
# its default parameters (satisfied acc Theta=0.7, unstable zeta=0.03 at rate eta=0.2, flat
# accuracy delta=0.01, acc gap 0.1 / 0.07, NaN or val loss >= 1e5), mapped to our statuses.
# Its gradient/weight features need per-layer tensors that curves do not carry, so they are
# left out; it has no notion of mismatch and needs accuracies (regression runs: only NaN).


def _ol_judge(acc: list[float], threshold: float = 0.03, rate: float = 0.2) -> bool:
    inner = range(1, len(acc) - 1)
    maxima = [acc[i] for i in inner if acc[i] >= acc[i - 1] and acc[i] >= acc[i + 1]]
    minima = [acc[i] for i in inner if acc[i] <= acc[i - 1] and acc[i] <= acc[i + 1]]
    count = sum(1 for a, b in zip(maxima, minima, strict=False) if a - b >= threshold)
    return count >= rate * len(acc)


def _max_delta(acc: list[float]) -> float:
    return max([b - a for a, b in zip(acc, acc[1:], strict=False)] + [0.0])


def autotrainer_like(series: dict[str, list[tuple[int, float]]]) -> str:
    vals = {k: [v for _, v in pts] for k, pts in series.items()}
    tl, vl = vals.get("train_loss", []), vals.get("val_loss", [])
    if len(tl) < 2:
        return "insufficient_data"
    if any(not math.isfinite(v) for v in tl + vl) or (vl and vl[-1] >= 1e5):
        return "diverging"
    ta, va = vals.get("train_acc"), vals.get("val_acc")
    if not ta or not va:
        return "healthy"
    if _max_delta(va) < 0.01 and _max_delta(ta) < 0.01:
        return "stuck"
    if max(va) < 0.7 or max(ta) < 0.7:
        return "underfitting"
    if _ol_judge(ta):
        return "oscillating"
    gap = ta[-1] - va[-1]
    if (ta[-1] <= 0.9 and gap >= 0.1) or (ta[-1] > 0.9 and gap >= 0.07):
        return "overfitting"
    return "healthy"


# --- scoring --------------------------------------------------------------------------------------


def precision_recall(pairs: list[tuple[str, str]]) -> dict[str, tuple[float, float, int]]:
    out = {}
    for s in STATUSES:
        tp = sum(1 for y, p in pairs if y == s and p == s)
        predicted = sum(1 for _, p in pairs if p == s)
        actual = sum(1 for y, _ in pairs if y == s)
        if actual or predicted:
            prec = tp / predicted if predicted else float("nan")
            rec = tp / actual if actual else float("nan")
            out[s] = (prec, rec, actual)
    return out


def accuracy(pairs: list[tuple[str, str]]) -> float:
    return sum(y == p for y, p in pairs) / len(pairs)


def latency_ms(runs: list[dict[str, Any]], repeats: int = 200) -> tuple[float, float]:
    """Median and p99 of diagnose() on a 1000-epoch x 6-key run (a real run, stretched)."""
    run = next(r for r in runs if r["name"] == "overfit_mnist1d_mlp")
    src = decode(run["series"])
    rng = np.random.default_rng(0)
    big = {}
    for key, pts in src.items():
        s = np.array([p[0] for p in pts], float)
        v = np.array([p[1] for p in pts], float)
        x = np.linspace(s[0], s[-1], 1000)
        y = np.interp(x, s, v) * (1 + 0.01 * rng.standard_normal(1000))
        big[key] = list(zip(range(1000), y.tolist(), strict=True))
    facts = facts_of(run)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        diagnose(big, facts)
        times.append((time.perf_counter() - t0) * 1000)
    return float(np.median(times)), float(np.percentile(times, 99))


def score_set(runs: list[dict[str, Any]], title: str, show_misses: bool) -> dict[str, float]:
    """Print the tables for one set of runs; return its headline figures."""
    full, full_base, causes = [], [], []
    cuts: dict[float, list[tuple[str, str]]] = defaultdict(list)
    strict: dict[float, list[tuple[str, str]]] = defaultdict(list)
    misses: list[str] = []
    for run in runs:
        label = run["label"]["status"]
        series = decode(run["series"])
        d = diagnose(series, facts_of(run))
        full.append((label, d.status.value))
        full_base.append((label, autotrainer_like(series)))
        if run["label"]["cause"]:
            causes.append((run["label"]["cause"], d.cause or "-"))
        if d.status.value != label or (run["label"]["cause"] and d.cause != run["label"]["cause"]):
            misses.append(
                f"full  {run['name']:34s} want {label}/{run['label']['cause']} "
                f"got {d.status.value}/{d.cause}: {d.summary}"
            )
        for fraction in (0.75, 0.5):
            part, facts, seen = cut(run, fraction)
            got = diagnose(part, facts).status.value
            want = labels_at_cut(run, seen)
            cuts[fraction].append((got if got in want else want[0], got))
            strict[fraction].append((label, got))
            if got not in want:
                misses.append(f"{fraction:.0%}   {run['name']:34s} want {'/'.join(want)} got {got}")

    print(f"## {title}: {len(runs)} runs\n")
    print(f"labels: {dict(sorted(Counter(y for y, _ in full).items()))}\n")
    print("| status | runs | precision | recall | baseline precision | baseline recall |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    ours, base = precision_recall(full), precision_recall(full_base)
    for st in STATUSES:
        if st in ours or st in base:
            p, r, n = ours.get(st, (float("nan"), float("nan"), 0))
            bp, br, _ = base.get(st, (float("nan"), float("nan"), 0))
            print(f"| {st} | {n} | {p:.2f} | {r:.2f} | {bp:.2f} | {br:.2f} |")
    print("\n| curves | advisor (at-cut label) | advisor (full label, strict) | baseline |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| full | {accuracy(full):.1%} | {accuracy(full):.1%} | {accuracy(full_base):.1%} |")
    for fraction in (0.75, 0.5):
        print(
            f"| cut at {fraction:.0%} | {accuracy(cuts[fraction]):.1%} | "
            f"{accuracy(strict[fraction]):.1%} | - |"
        )
    hits = sum(y == p for y, p in causes)
    print(f"\ncause accuracy (full curves, runs with a cause): {hits}/{len(causes)}")
    if show_misses and misses:
        print(f"\n{len(misses)} misses:")
        for line in misses:
            print(" ", line)
    print()
    return {"full": accuracy(full), "75": accuracy(cuts[0.75]), "50": accuracy(cuts[0.5])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="do not list the misses")
    args = parser.parse_args()
    runs = load_runs()
    score_set(runs, "Benchmark runs (thresholds were chosen on these)", not args.quiet)
    held = load_runs(HOLDOUT)
    if held:
        shown = [r for r in held if r.get("shows_fault", True)]
        score_set(held, "Held-out seeds, all runs", not args.quiet)
        if len(shown) < len(held):
            score_set(shown, "Held-out seeds, runs that show their fault", False)
    med, p99 = latency_ms(runs)
    print(f"diagnose() on 1000 epochs x 6 keys: median {med:.2f} ms, p99 {p99:.2f} ms")


if __name__ == "__main__":
    main()
