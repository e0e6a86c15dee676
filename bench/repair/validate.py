"""Train every case of the benchmark in-process and check that its injected fault shows.

    python -m bench.repair.validate                 # all specs, both seeds, 1 process
    python -m bench.repair.validate --jobs 2 --extra-seeds 2,3   # + a robustness check
    python -m bench.repair.validate --jobs 2 --split tune --only stuck_
    python -m bench.repair.validate --from bench/repair/validation.json   # reprint
    python -m bench.repair.validate --split fresh --jobs 2 --extra-seeds 2,3  # the fresh split
    python -m bench.repair.validate --split fourth --jobs 2 --extra-seeds 2,3  # the fourth
    python -m bench.repair.validate --split fifth --jobs 1 --extra-seeds 2,3   # the fifth
    python -m bench.repair.validate --split sixth --jobs 1 --extra-seeds 2     # the sixth
    python -m bench.repair.validate --split seventh --jobs 1 --extra-seeds 2   # the seventh
    python -m bench.repair.validate --split eighth --jobs 1 --extra-seeds 2    # the eighth
    python -m bench.repair.validate --split ninth --jobs 1 --extra-seeds 2     # the ninth
    python -m bench.repair.validate --split tenth --jobs 1 --extra-seeds 2     # the tenth
    python -m bench.repair.validate --split eleventh --jobs 1 --extra-seeds 2  # the eleventh
    python -m bench.repair.validate --split fifteenth --jobs 1 --extra-seeds 2  # the fifteenth
    python -m bench.repair.validate --split sixteenth --jobs 1 --extra-seeds 2  # the sixteenth
    python -m bench.repair.validate --split seventeenth --jobs 1 --extra-seeds 2  # the seventeenth
    python -m bench.repair.validate --split eighteenth --jobs 1 --extra-seeds 2  # the eighteenth
    python -m bench.repair.validate --split nineteenth --jobs 1 --extra-seeds 2  # the nineteenth
    python -m bench.repair.validate --split twentieth --jobs 1 --extra-seeds 2  # the twentieth

Each case is trained with `workers.training.train(TrainConfig.from_dict(spec), data_dir=...)`
under `torch.set_num_threads(1)` (what one worker thread does, without the service), and
its history is read by curves.fault_shows against the case's label. The summary (per case:
epochs, final train/validation loss, validation accuracy, seconds, whether the fault showed
and the numbers that say so) goes to bench/repair/validation.json (validation_fresh.json for
the fresh split, validation_fourth.json, validation_fifth.json, validation_sixth.json and
validation_seventh.json, validation_eighth.json, validation_ninth.json,
validation_tenth.json and validation_eleventh.json for the fourth to the eleventh); no
diagnosis of fitdoc is asked for.
`--extra-seeds` also trains each spec with seeds the benchmark does not use and records,
per spec, for how many of them the fault showed (how robust the injection is).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from bench.repair import datasets, specs
from bench.repair.curves import fault_shows

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "validation.json"  # a full run of the first split (tune + report)
DEFAULT_DATA = HERE.parent / "out" / "repair" / "datasets"  # bench/out is git-ignored


def out_path(split: str) -> Path:
    """Where a full run of `split` keeps its summary: validation_<split>.json for a split
    kept apart (specs.SEPARATE_SPLITS), else validation.json."""
    return HERE / f"validation_{split}.json" if split in specs.SEPARATE_SPLITS else DEFAULT_OUT


def _init_worker() -> None:
    import torch

    torch.set_num_threads(1)


def _round(x: float | None, digits: int = 4) -> float | str | None:
    if x is None:
        return None
    if x != x or x in (float("inf"), float("-inf")):
        return str(x)
    return float(f"{x:.{digits}g}")


def validate_case(case: dict[str, Any], data_dir: str) -> dict[str, Any]:
    """Train one case and read its curves; never raises (an error is recorded)."""
    import torch

    from workers.training import TrainConfig, train

    torch.set_num_threads(1)
    started = time.perf_counter()
    out: dict[str, Any] = {"name": case["name"], "base": case["base"], "seed": case["seed"],
                           "split": case["split"], "label": case["label"], "kind": case["kind"],
                           **specs.describe(case["spec"])}
    try:
        cfg = TrainConfig.from_dict(case["spec"])
        result = train(cfg, data_dir=data_dir)
    except Exception as e:  # a spec that cannot run is a benchmark bug: recorded, shown
        out.update(error=f"{type(e).__name__}: {e}", shows=False,
                   wall_seconds=round(time.perf_counter() - started, 3))
        return out
    hist = result.history
    classification = cfg.dataset.task == "classification"
    majority = None
    if classification:
        import numpy as np

        from workers.training.data import load_data

        y = load_data(cfg.dataset, data_dir).y_train
        majority = float(np.bincount(y).max() / len(y))
    shows, reason = fault_shows(case["label"], hist, loss=cfg.training.loss,
                                num_classes=result.num_outputs if classification else None,
                                dataset=cfg.dataset.name, majority=majority)
    last = hist[-1]
    out.update(
        epochs_run=len(hist), stopped_reason=result.stopped_reason,
        train_loss_first=_round(hist[0]["train_loss"]),
        train_loss_final=_round(last["train_loss"]),
        val_loss_min=_round(min((h["val_loss"] for h in hist), default=None)),
        val_loss_final=_round(last["val_loss"]),
        val_acc_final=_round(last.get("val_acc"), 3),
        seconds=round(result.seconds, 3), wall_seconds=round(time.perf_counter() - started, 3),
        shows=shows, reason=reason)
    return out


def run(cases: list[dict[str, Any]], data_dir: Path, jobs: int) -> list[dict[str, Any]]:
    datasets.write_all(data_dir)
    if jobs <= 1:
        _init_worker()
        results = []
        for i, case in enumerate(cases):
            results.append(validate_case(case, str(data_dir)))
            _progress(i + 1, len(cases), results[-1])
        return results
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker) as pool:
        futures = [pool.submit(validate_case, c, str(data_dir)) for c in cases]
        results = []
        for i, f in enumerate(futures):
            results.append(f.result())
            _progress(i + 1, len(cases), results[-1])
        return results


def _progress(i: int, n: int, r: dict[str, Any]) -> None:
    mark = "ok  " if r["shows"] else "MISS"
    print(f"[{i}/{n}] {mark} {r['name']} ({r.get('seconds', '?')} s) {r.get('reason') or ''}"
          f"{r.get('error') or ''}", file=sys.stderr, flush=True)


def _label(r: dict[str, Any]) -> str:
    lab = r["label"]
    return lab["status"] + (f"/{lab['cause']}" if lab["cause"] else "")


def print_table(results: list[dict[str, Any]]) -> None:
    print(f"{'case':58} {'label':30} {'ep':>5} {'train':>9} {'val':>9} {'vacc':>5} "
          f"{'sec':>6}  shows")
    for r in results:
        ep = f"{r.get('epochs_run', '-')}/{r.get('epochs')}"
        verdict = "yes" if r["shows"] else "NO " + (r.get("error") or r.get("reason", ""))
        print(f"{r['name']:58} {_label(r):30} {ep:>5} {str(r.get('train_loss_final')):>9} "
              f"{str(r.get('val_loss_final')):>9} {str(r.get('val_acc_final') or '-'):>5} "
              f"{r.get('seconds', 0):6.2f}  {verdict}")
    by: dict[str, list[bool]] = defaultdict(list)
    for r in results:
        by[_label(r)].append(r["shows"])
    print("\nfault shows, by label:")
    for lab in sorted(by):
        print(f"  {lab:34} {sum(by[lab])}/{len(by[lab])}")
    bases = defaultdict(list)
    for r in results:
        bases[r["base"]].append(r["shows"])
    both = sum(all(v) for v in bases.values())
    print(f"  {'all':34} {sum(r['shows'] for r in results)}/{len(results)} cases; "
          f"{both}/{len(bases)} specs show it for every seed")
    secs = [r["seconds"] for r in results if "seconds" in r]
    if secs:
        slowest = max(results, key=lambda r: r.get("seconds", 0))
        print(f"training time per job: median {statistics.median(secs):.2f} s, max "
              f"{max(secs):.2f} s ({slowest['name']}), total {sum(secs):.0f} s")
    for key in ("dataset", "family", "length"):
        print(f"jobs by {key}: " + ", ".join(f"{k} {v}" for k, v in
                                             sorted(Counter(r[key] for r in results).items())))


SAVED_KEYS = ("name", "base", "split", "label", "dataset", "family", "length", "epochs",
              "epochs_run", "stopped_reason", "train_loss_first", "train_loss_final",
              "val_loss_min", "val_loss_final", "val_acc_final", "seconds", "shows", "reason",
              "error")


def _extra_summary(seeds: list[int], robustness: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {"seeds": seeds, "specs": len(robustness),
            "show_for_every_seed": sum(v["shows"] == v["seeds"] for v in robustness.values()),
            "misses": {k: v["misses"] for k, v in robustness.items() if v["misses"]}}


def _compact(payload: dict[str, Any]) -> str:
    """The summary as JSON with one line per case (small, and diffs read well)."""
    head = {k: v for k, v in payload.items() if k != "cases"}
    cases = [{k: c[k] for k in SAVED_KEYS if k in c} for c in payload["cases"]]
    lines = ",\n".join("  " + json.dumps(c) for c in cases)
    return json.dumps(head, indent=1)[:-2] + ',\n "cases": [\n' + lines + "\n ]\n}\n"


def _robustness(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for r in results:
        entry = out.setdefault(r["base"], {"seeds": 0, "shows": 0, "misses": []})
        entry["seeds"] += 1
        entry["shows"] += bool(r["shows"])
        if not r["shows"]:
            entry["misses"].append(f"seed {r['seed']}: {r.get('error') or r.get('reason')}")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--split", default="all",
                   choices=(*specs.SPLITS, "all", *specs.SEPARATE_SPLITS),
                   help="all = tune + report; a split kept apart is its specs_<split>.py "
                        f"(summary in validation_<split>.json, else {DEFAULT_OUT.name})")
    p.add_argument("--seeds", default="0,1")
    p.add_argument("--only", default="", help="only specs whose name contains this")
    p.add_argument("--jobs", type=int, default=1, help="training processes (at most 2 here)")
    p.add_argument("--extra-seeds", default="",
                   help="also train these seeds (e.g. 2,3) and record per spec how often the "
                        "fault shows; they are not part of the benchmark")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    p.add_argument("--out", type=Path, default=None,
                   help=f"summary JSON (default {DEFAULT_OUT} for a full run, none otherwise)")
    p.add_argument("--from", dest="from_file", type=Path, default=None,
                   help="reprint the table of a saved summary")
    args = p.parse_args(argv)
    if args.from_file:
        print_table(json.loads(args.from_file.read_text())["cases"])
        return 0
    specs.check()
    seeds = [int(s) for s in args.seeds.split(",")]
    cases = [c for c in specs.cases(args.split, seeds) if args.only in c["base"]]
    extra_seeds = [int(s) for s in args.extra_seeds.split(",") if s]
    extra = [c for c in specs.cases(args.split, extra_seeds) if args.only in c["base"]]
    started = time.perf_counter()
    everything = run(cases + extra, args.data_dir, args.jobs)
    wall = time.perf_counter() - started
    results, extra_results = everything[:len(cases)], everything[len(cases):]
    print_table(results)
    robustness = _robustness(extra_results)
    if robustness:
        weak = {k: v for k, v in robustness.items() if v["shows"] < v["seeds"]}
        print(f"\nextra seeds {extra_seeds}: the fault shows for every one in "
              f"{len(robustness) - len(weak)}/{len(robustness)} specs; not always in:")
        for name, v in weak.items():
            print(f"  {name:58} {v['shows']}/{v['seeds']}  {v['misses'][0]}")
    print(f"wall time {wall:.0f} s with {args.jobs} process(es)")
    full = (args.split in ("all", *specs.SEPARATE_SPLITS)
            and not args.only and seeds == list(specs.SEEDS))
    out = args.out or (out_path(args.split) if full else None)
    if out:
        payload = {"about": "bench/repair/validate.py: each case trained in-process (torch, 1 "
                            "thread), its curves read by bench/repair/curves.py",
                   "torch_threads": 1, "wall_seconds": round(wall, 1), "cases": results}
        if robustness:
            payload["extra_seeds"] = _extra_summary(extra_seeds, robustness)
        out.write_text(_compact(payload))
        print(f"wrote {out}")
    return 0 if all(r["shows"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
