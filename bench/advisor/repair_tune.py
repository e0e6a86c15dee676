"""Tune the advisor on the TUNE half of the independent repair benchmark (bench/repair), in
process: no HTTP, no broker, the same diagnosis a job's run gets from the service.

    python -m bench.advisor.repair_tune train            # train every tune case, store curves
    python -m bench.advisor.repair_tune score [-v]       # diagnose them: full and at 60%
    python -m bench.advisor.repair_tune chain [-v]       # auto-repair, 2 rounds, in process
    python -m bench.advisor.repair_tune early RESULTS    # the 60% reading of run.py's curves

The "tune" half by default. The "report" half was run once, untouched, through the HTTP API
(bench/RESULTS.md, issue 10, first reading), and so was the "fresh" split (written later by
someone who had not read the advisor, read once at advisor-2.1), the "fourth" (read once at
advisor-2.3), the "fifth" (read once at advisor-2.5), the "sixth" (read once at
advisor-2.6), the "seventh" (read once at advisor-2.8), the "eighth" (read once at
advisor-2.9), the "ninth" (read once at advisor-2.10), the "tenth" (at advisor-2.11), the
"eleventh" and the "twelfth" (both at advisor-2.12), the "thirteenth" (at advisor-2.13),
the "fourteenth" (at advisor-2.15), the "fifteenth" and the "sixteenth" (both at
advisor-2.16), the "seventeenth" (at advisor-2.17), the "eighteenth" (at advisor-2.18),
the "nineteenth" (at advisor-2.19), the "twentieth" (at advisor-2.20); after those readings
they are tuning data too (`--split report|fresh|...|twentieth`). A split written later still
and not yet read is never passed here. Trained runs are stored by the hash of their resolved
spec (bench/advisor/repair_curves/), so a follow-up spec that a chain meets twice trains
once.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from bench.repair.datasets import write_all
from bench.repair.specs import ALL_SPLITS, cases
from service.advisor import RunFacts, diagnose
from service.catalogue import DATASETS, SpecError, check_spec, deep_merge
from service.jobs import job_params
from service.repair import ACCURACY, LOSS, beats, improves
from service.schemas import Diagnosis, JobSpec, RunMeta, ValidationMetric

HERE = Path(__file__).resolve().parent
STORE = HERE / "repair_curves"
DATA = Path(os.environ.get("FITDOC_TUNE_DATA", "/tmp/fitdoc-tune-data"))
KEYS = ("train_loss", "val_loss", "train_acc", "val_acc", "lr", "grad_norm")
EARLY = 0.6


def resolved(spec: dict[str, Any]) -> dict[str, Any]:
    return JobSpec.model_validate(spec).resolved()


def key(spec: dict[str, Any]) -> str:
    # dataset.standardize_targets came later: off, it is left out, so that the runs stored
    # before it keep their keys
    if spec.get("dataset", {}).get("standardize_targets") is False:
        spec = {**spec, "dataset": {k: v for k, v in spec["dataset"].items()
                                    if k != "standardize_targets"}}
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]


def _train(spec: dict[str, Any]) -> dict[str, Any]:
    """Train one resolved spec as a worker would; its curves, kept epoch and end."""
    import torch

    from workers.training import TrainConfig, train

    torch.set_num_threads(1)
    try:
        result = train(TrainConfig.from_dict(spec), data_dir=DATA)
    except SpecError as bad:
        return {"spec": spec, "error": f"{bad.field}: {bad.message}"}
    series = {k: [[e, m[k] if math.isfinite(m[k]) else None] for e, m in
                  enumerate(result.history) if k in m] for k in KEYS}
    return {"spec": spec, "series": {k: v for k, v in series.items() if v},
            "best_epoch": result.best_epoch, "stopped_reason": result.stopped_reason,
            "seconds": round(result.seconds, 2)}


def trained(
    specs: list[dict[str, Any]], jobs: int = int(os.environ.get("REPAIR_TUNE_JOBS", "2"))
) -> list[dict[str, Any]]:
    """The stored run of each resolved spec, training the missing ones."""
    STORE.mkdir(exist_ok=True)
    missing = {key(s): s for s in specs if not (STORE / f"{key(s)}.json").exists()}
    if missing:
        write_all(DATA)
        with ProcessPoolExecutor(jobs) as pool:
            for k, run in zip(missing, pool.map(_train, missing.values()), strict=True):
                (STORE / f"{k}.json").write_text(json.dumps(run, separators=(",", ":")))
    return [json.loads((STORE / f"{key(s)}.json").read_text()) for s in specs]


_DATA_FACTS: dict[str, dict[str, float | int]] = {}


def data_facts(spec: dict[str, Any]) -> dict[str, float | int]:
    """What a job's worker records in its run's meta once its data is read
    (`Data.run_facts`), from the same data."""
    k = json.dumps(spec["dataset"], sort_keys=True)
    if k not in _DATA_FACTS:
        from workers.training import TrainConfig
        from workers.training.data import load_data

        write_all(DATA)
        _DATA_FACTS[k] = load_data(TrainConfig.from_dict(spec).dataset, DATA).run_facts()
    return _DATA_FACTS[k]


def judge(run: dict[str, Any], fraction: float | None = None) -> Diagnosis:
    """The diagnosis the service gives the run's job: ended, or still running at
    `fraction` of its planned epochs."""
    spec = run["spec"]
    series = {k: [(s, math.nan if v is None else v) for s, v in pts]
              for k, pts in run.get("series", {}).items()}
    status = "failed" if run.get("stopped_reason") == "non_finite_loss" else "finished"
    if fraction is not None:
        last = math.ceil(fraction * spec["training"]["epochs"]) - 1
        series = {k: [(s, v) for s, v in pts if s <= last] for k, pts in series.items()}
        status = "running"
    meta = RunMeta(task=spec["dataset"]["task"],
                   num_classes=DATASETS[spec["dataset"]["name"]].num_classes,
                   planned_epochs=spec["training"]["epochs"], step_unit="epoch",
                   **data_facts(spec))
    facts = RunFacts(params=job_params(spec), meta=meta.model_dump(exclude_none=True,
                                                                    mode="json"),
                     spec=spec, run_status=status)
    return diagnose(series, facts)


def kept(run: dict[str, Any], name: str) -> float | None:
    """The validation metric `name` at the kept epoch, as the lineage reads it."""
    if run.get("best_epoch") is None:
        return None
    return dict((s, v) for s, v in run.get("series", {}).get(name, [])).get(run["best_epoch"])


def _kept_values(run: dict[str, Any]) -> dict[str, float | None]:
    """val_loss and val_acc at the kept epoch (service.repair.kept_values of a run)."""
    return {name: kept(run, name) for name in (LOSS.name, ACCURACY.name)}


def _metric(run: dict[str, Any]) -> ValidationMetric:
    return LOSS if run["spec"]["dataset"]["task"] == "regression" else ACCURACY


def repaired_over(run: dict[str, Any], first: dict[str, Any]) -> bool:
    """service.repair's rule: the kept model improves on the first job's (a classifier's
    val accuracy, ties to the lower val loss, or both at 1.0; a regression's val loss)."""
    return improves(_kept_values(run), _kept_values(first), _metric(run))


def _table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))


def score(verbose: bool, split: str = "tune") -> None:
    tune = cases(split)
    runs = trained([resolved(c["spec"]) for c in tune])
    by = defaultdict(Counter)
    seen: dict[str, dict[int, str]] = defaultdict(dict)
    for case, run in zip(tune, runs, strict=True):
        label = case["label"]
        group = f"{label['status']}/{label['cause']}" if label["cause"] else label["status"]
        if "error" in run:
            by[group]["refused"] += 1
            print("refused:", case["name"], run["error"])
            continue
        d, early = judge(run), judge(run, EARLY)
        faulty = label["status"] != "healthy"
        c = by[group]
        c["n"] += 1
        c["status"] += d.status == label["status"]
        c["cause"] += label["cause"] is not None and d.cause == label["cause"]
        c["detected"] += faulty and d.status != "healthy"
        c["early"] += early.status == label["status"]
        seen[case["base"]][case["seed"]] = d.status
        if verbose and (d.status != label["status"] or d.cause != label["cause"]):
            print(f"MISS {case['name']}: {d.status}/{d.cause} (want {group}) :: {d.summary}")
    rows = [("label", "n", "status", "cause", "detected", "early@60%")]
    total = Counter()
    for group in sorted(by):
        c = by[group]
        total.update(c)
        rows.append((group, str(c["n"]), str(c["status"]), str(c["cause"]),
                     str(c["detected"]), str(c["early"])))
    rows.append(("all", str(total["n"]), str(total["status"]), str(total["cause"]),
                 str(total["detected"]), str(total["early"])))
    _table(rows)
    agree = sum(len(set(s.values())) == 1 for s in seen.values() if len(s) == 2)
    print(f"seed agreement: {agree}/{sum(len(s) == 2 for s in seen.values())} specs")


def _next(plan: list[Any], spec: dict[str, Any], tried: set[str]) -> tuple[str, dict] | None:
    """The service's choice (service.repair): the first suggestion whose patch makes a new
    spec that can run and was not applied before in the chain."""
    for s in plan:
        if s.patch is None:
            continue
        k = json.dumps([s.action, s.patch], sort_keys=True)
        if k in tried:
            continue
        try:
            new = resolved(deep_merge(spec, s.patch))
            check_spec(new)
        except (SpecError, ValueError):
            continue
        if new != spec:
            return k, new
    return None


def chain(verbose: bool, rounds: int = 2, split: str = "tune") -> None:
    tune = cases(split)
    chains = [{"case": c, "specs": [resolved(c["spec"])], "tried": set(), "state": "running",
               "steps": []} for c in tune]
    for _ in range(rounds + 1):
        live = [ch for ch in chains if ch["state"] == "running"]
        if not live:
            break
        runs = trained([ch["specs"][-1] for ch in live])
        for ch, run in zip(live, runs, strict=True):
            ch.setdefault("runs", []).append(run)
            if "error" in run:
                ch["state"] = "gave_up"
                continue
            d = judge(run)
            metric = kept(run, "val_loss" if run["spec"]["dataset"]["task"] == "regression"
                          else "val_acc")
            shown = "-" if metric is None else f"{metric:.3g}"
            if run["spec"]["dataset"]["task"] != "regression":
                loss = kept(run, "val_loss")
                shown += "" if loss is None else f" loss {loss:.3g}"
            opt, epochs = run["spec"]["optimizer"], run["spec"]["training"]["epochs"]
            ch["steps"].append(f"{d.status}/{d.cause} [{shown} @{run.get('best_epoch')}/"
                               f"{epochs} lr {opt.get('lr')}]")
            if d.status == "healthy" and (len(ch["runs"]) == 1
                                          or repaired_over(run, ch["runs"][0])):
                ch["state"] = "repaired"
                # repaired without beating the first job: the tie at 1.0 (service.repair)
                ch["ceiling"] = len(ch["runs"]) > 1 and not beats(
                    _kept_values(run), _kept_values(ch["runs"][0]), _metric(run))
                continue
            if len(ch["runs"]) > rounds:
                ch["state"] = "gave_up"
                continue
            plan = list(d.suggestions)
            if d.status == "healthy":  # service.repair._plan: the fault's plan goes on,
                # after a longer run when validation was still improving at the end
                for earlier in reversed(ch["runs"][:-1]):
                    e = judge(earlier)
                    if e.status != "healthy":
                        longer = [s for s in plan if s.action == "train_longer"]
                        plan = longer + list(e.suggestions) + [s for s in plan
                                                               if s not in longer]
                        break
            step = _next(plan, run["spec"], ch["tried"])
            if step is None:
                ch["state"] = "gave_up"
                continue
            ch["tried"].add(step[0])
            ch["steps"].append(json.loads(step[0])[0])
            ch["specs"].append(step[1])
    by = defaultdict(Counter)
    for ch in chains:
        label = ch["case"]["label"]
        if label["status"] == "healthy":
            continue
        group = f"{label['status']}/{label['cause']}" if label["cause"] else label["status"]
        by[group]["n"] += 1
        # as bench/repair/score.py counts: a faulty job's chain is repaired only by a change
        # (one read healthy at its first job is a detection miss, not a repair)
        by[group]["repaired"] += ch["state"] == "repaired" and len(ch["runs"]) > 1
        by[group]["ceiling"] += bool(ch.get("ceiling"))  # service.repair: a tie at 1.0
        if verbose and not (ch["state"] == "repaired" and len(ch["runs"]) > 1):
            print(f"NOT REPAIRED {ch['case']['name']}: {' -> '.join(ch['steps'])}")
    rows = [("label", "n", "repaired", "of them at the ceiling")]
    total = Counter()
    for group in sorted(by):
        total.update(by[group])
        rows.append((group, str(by[group]["n"]), str(by[group]["repaired"]),
                     str(by[group]["ceiling"])))
    rows.append(("all faulty", str(total["n"]), str(total["repaired"]), str(total["ceiling"])))
    _table(rows)


def early(results: Path) -> None:
    """The reading at 60% of the planned epochs, from the curves a run of bench/repair/run.py
    saved (either half): each job's curves cut there, judged as a running job of its spec.
    The runner reads it live too, but a job of a few seconds is often over before a poll."""
    payload = json.loads(results.read_text())
    hits, n = Counter(), Counter()
    for case in payload["cases"]:
        label = case["label"]["status"]
        series = case.get("curves") or {}
        if label == "healthy" or not series.get("train_loss"):
            continue
        # the runner keeps each metric's values in epoch order (None or a string: not finite)
        run = {"spec": resolved(case["spec"]),
               "series": {k: [[e, v if isinstance(v, float | int) else None]
                              for e, v in enumerate(values)] for k, values in series.items()}}
        n[label] += 1
        hits[label] += judge(run, EARLY).status == label
    rows = [("label", "faulty jobs", "named at 60%")]
    for label in sorted(n):
        rows.append((label, str(n[label]), str(hits[label])))
    rows.append(("all faulty", str(sum(n.values())), str(sum(hits.values()))))
    _table(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("train", "score", "chain", "early"))
    parser.add_argument("results", nargs="?", type=Path, help="early: a run.py results file")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--split", default="tune",
                        choices=ALL_SPLITS,
                        help="report ... fourteenth: tuning data since their readings")
    args = parser.parse_args(argv)
    if args.what == "early":
        early(args.results)
    elif args.what == "train":
        runs = trained([resolved(c["spec"]) for c in cases(args.split)])
        print(f"{len(runs)} {args.split} runs stored in {STORE}")
    elif args.what == "score":
        score(args.verbose, args.split)
    else:
        chain(args.verbose, split=args.split)
    return 0


if __name__ == "__main__":
    sys.exit(main())
