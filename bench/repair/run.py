"""Run the benchmark through fitdoc's real HTTP API and score its diagnoses and repairs.

    python -m bench.repair.run --split tune --rounds 0           # detection only
    python -m bench.repair.run --split tune --limit 6 --rounds 0  # six specs, one per label
    python -m bench.repair.run --split report                   # detection + 2 repair rounds
    python -m bench.repair.run --report-from bench/repair/results-tune.json
    python -m bench.repair.run --split fresh --rounds 0         # the fresh split: run it once
    python -m bench.repair.run --split fourth --rounds 0        # the fourth split: run it once
    python -m bench.repair.run --split fifth --rounds 0         # the fifth split: run it once
    python -m bench.repair.run --split sixth --rounds 0         # the sixth split: run it once
    python -m bench.repair.run --split seventh --rounds 0       # the seventh: run it once
    python -m bench.repair.run --split eighth --rounds 0        # the eighth: run it once
    python -m bench.repair.run --split ninth --rounds 0         # the ninth: run it once
    python -m bench.repair.run --split tenth --rounds 0         # the tenth: run it once
    python -m bench.repair.run --split eleventh --rounds 0      # the eleventh: run it once

It starts an embedded fitdoc (`fitdoc serve --no-worker` in a fresh data dir under
bench/out/, plus `--workers` training workers with one CPU thread each), writes the
benchmark's npz files into FITDOC_DATA_DIR/datasets, and submits every case as

    POST /api/v1/jobs {"project": "repair-bench", "name": <case>, "spec": <JobSpec>,
                       "repair": {"max_rounds": R}}        # no "repair" field when R == 0

a few at a time (the workers' slots plus a small queue, so that polling stays cheap and a
job is watched while it trains). For each case it records:

- early reading: GET /runs/{run_id}/diagnosis as soon as the job, still running, has done 60%
  of its planned epochs (GET /jobs/{id} progress.epoch / progress.epochs); "missed" when the
  job ended before a poll saw it there, "late" when first seen past 75%;
- detection: the run's diagnosis once the job has ended (status, cause, confidence, summary,
  evidence, suggestions), and its curves (GET /runs/{run_id}/metrics);
- repair (R > 0): GET /jobs/{id}/lineage, polled until its state is no longer "running":
  {root_id, state: repaired|gave_up, best_job_id, jobs: [{id, run_id, status,
  diagnosis: {status, cause}, applied: {action, patch} | null, val_metric}]}.

Everything goes to --out (default bench/repair/results-<split>.json); the summary table
(score.py) is printed at the end. Scoring compares fitdoc's answers with the labels of
specs.py only; this runner never reads fitdoc's advisor.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.repair import datasets, score, specs

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
OUT_ROOT = HERE.parent / "out" / "repair"  # bench/out is git-ignored
PROJECT = "repair-bench"
EARLY_FRACTION = 0.6
LATE_FRACTION = 0.75
TERMINAL = {"succeeded", "failed", "cancelled"}
WORKER_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


class ApiMissing(RuntimeError):
    """The API refused a part of the contract this runner relies on (repair, lineage)."""


@dataclass
class Active:
    case: dict[str, Any]
    record: dict[str, Any]
    job_id: str
    run_id: str
    epochs: int
    submitted: float
    next_poll: float = 0.0
    job_done: bool = False
    chain_done: bool = False
    polls: int = 0
    seen: list[tuple[float, int]] = field(default_factory=list)  # (t, progress.epoch)


# --- the API -------------------------------------------------------------------------------


def _error_text(r: httpx.Response) -> str:
    try:
        body = r.json()
    except ValueError:
        return r.text[:300]
    if isinstance(body, dict) and "error" in body:
        e = body["error"]
        return f"{e.get('code')}: {e.get('message')} (field {e.get('field')})"
    return json.dumps(body)[:300]


def ensure_project(client: httpx.Client) -> None:
    r = client.post("/api/v1/projects", json={"name": PROJECT,
                                               "description": "bench/repair: injected faults"})
    if r.status_code not in (201, 409):
        raise RuntimeError(f"POST /api/v1/projects: {r.status_code} {_error_text(r)}")


def submit(client: httpx.Client, case: dict[str, Any], rounds: int) -> dict[str, Any]:
    body: dict[str, Any] = {"project": PROJECT, "name": case["name"], "spec": case["spec"],
                            "tags": {"bench": "repair", "base": case["base"],
                                     "split": case["split"]}}
    if rounds > 0:
        body["repair"] = {"max_rounds": rounds}
    r = client.post("/api/v1/jobs", json=body)
    if r.status_code == 202:
        return r.json()
    text = _error_text(r)
    if rounds > 0 and r.status_code in (404, 422) and "repair" in text:
        raise ApiMissing(
            f"POST /api/v1/jobs refused the 'repair' field ({r.status_code} {text}): this "
            "fitdoc has no automatic repair yet. Run with --rounds 0 for detection only.")
    raise RuntimeError(f"POST /api/v1/jobs for {case['name']}: {r.status_code} {text}")


def get_json(client: httpx.Client, path: str, **params: Any) -> dict[str, Any]:
    r = client.get(path, params=params or None)
    if r.status_code != 200:
        raise RuntimeError(f"GET {path}: {r.status_code} {_error_text(r)}")
    return r.json()


def diagnosis(client: httpx.Client, run_id: str) -> dict[str, Any]:
    d = get_json(client, f"/api/v1/runs/{run_id}/diagnosis")
    return {k: d.get(k) for k in ("status", "cause", "confidence", "summary", "since_step",
                                  "best_step", "evidence", "suggestions", "advisor_version")}


def lineage(client: httpx.Client, job_id: str) -> dict[str, Any]:
    r = client.get(f"/api/v1/jobs/{job_id}/lineage")
    if r.status_code != 200:  # the job exists (we made it): the endpoint is what is missing
        raise ApiMissing(f"GET /api/v1/jobs/{job_id}/lineage answered {r.status_code} "
                         f"({_error_text(r)}): this fitdoc has no automatic repair yet. Run "
                         "with --rounds 0 for detection only.")
    return r.json()


def curves(client: httpx.Client, run_id: str) -> dict[str, list[Any]]:
    keys = "train_loss,val_loss,train_acc,val_acc,lr,grad_norm"
    series = get_json(client, f"/api/v1/runs/{run_id}/metrics", keys=keys)["series"]
    return {k: [p["value"] for p in sorted(pts, key=lambda p: p["step"])]
            for k, pts in series.items()}


# --- the embedded service ------------------------------------------------------------------


@contextmanager
def embedded_service(data_dir: Path, workers: int) -> Iterator[str]:
    """fitdoc serve --no-worker and `workers` workers on one data dir; yields the URL."""
    from fitdoc import runtime

    settings = runtime.embedded_settings(data_dir)
    procs = []
    with runtime.serve_process(settings, worker=False) as server:
        try:
            for i in range(workers):
                procs.append(runtime.start_worker(settings, log=data_dir / f"worker-{i}.log",
                                                  env=WORKER_ENV))
            yield server.url
        finally:
            for p in procs:
                runtime.stop_process(p)


def prepare_data_dir(data_dir: Path) -> None:
    """The npz files (and mnist1d's cache when validate.py made one) under datasets/."""
    target = data_dir / "datasets"
    cached = OUT_ROOT / "datasets" / "mnist1d"
    if cached.is_dir() and not (target / "mnist1d").exists():
        shutil.copytree(cached, target / "mnist1d")
    datasets.write_all(target)


# --- the loop ------------------------------------------------------------------------------


def _record(case: dict[str, Any]) -> dict[str, Any]:
    return {k: case[k] for k in ("name", "base", "seed", "split", "kind", "label", "why",
                                 "spec")} | {"describe": specs.describe(case["spec"])}


def _poll_job(client: httpx.Client, a: Active, now: float, poll: float) -> None:
    job = get_json(client, f"/api/v1/jobs/{a.job_id}")
    a.polls += 1
    progress = job.get("progress") or {}
    done_epochs = int(progress.get("epoch") or 0)
    planned = int(progress.get("epochs") or a.epochs)
    a.seen.append((round(now - a.submitted, 3), done_epochs))
    rec = a.record
    if (job["status"] == "running" and rec["early"] is None
            and done_epochs >= EARLY_FRACTION * planned):
        d = diagnosis(client, a.run_id)
        fraction = done_epochs / planned
        rec["early"] = {"state": "late" if fraction > LATE_FRACTION else "on_time",
                        "at_epoch": done_epochs, "epochs": planned,
                        "status": d["status"], "cause": d["cause"],
                        "confidence": d["confidence"], "summary": d["summary"]}
    if job["status"] in TERMINAL:
        a.job_done = True
        rec["job"] = {"id": a.job_id, "run_id": a.run_id, "status": job["status"],
                      "error": job.get("error"), "epochs_done": done_epochs,
                      "epochs": planned, "attempts": job.get("attempts"),
                      "seconds": _span(job.get("started_at"), job.get("finished_at")),
                      "polls": a.polls}
        if rec["early"] is None:
            rec["early"] = {"state": "missed", "epochs": planned,
                            "last_seen_epoch": max((e for _, e in a.seen), default=0)}
        rec["diagnosis"] = diagnosis(client, a.run_id)
        rec["curves"] = curves(client, a.run_id)
    # A queued job is looked at less often: polling costs the API (and the CPU) time.
    a.next_poll = now + (poll if job["status"] == "running" else max(poll, 0.5))


def _span(start: str | None, end: str | None) -> float | None:
    from datetime import datetime

    if not start or not end:
        return None
    try:
        return round((datetime.fromisoformat(end) - datetime.fromisoformat(start))
                     .total_seconds(), 3)
    except ValueError:
        return None


def _poll_chain(client: httpx.Client, a: Active, now: float) -> None:
    lin = lineage(client, a.job_id)
    if lin.get("state") != "running":
        a.chain_done = True
        a.record["lineage"] = lin
    a.next_poll = now + 0.5


def run_cases(url: str, cases: list[dict[str, Any]], rounds: int, capacity: int,
              poll: float, timeout: float) -> list[dict[str, Any]]:
    pending = list(cases)
    active: list[Active] = []
    done: list[dict[str, Any]] = []
    with httpx.Client(base_url=url, timeout=60) as client:
        ensure_project(client)
        while pending or active:
            now = time.monotonic()
            while pending and len(active) < capacity:
                case = pending.pop(0)
                job = submit(client, case, rounds)
                rec = _record(case) | {"early": None, "diagnosis": None, "lineage": None,
                                       "job": None}
                active.append(Active(case, rec, job["id"], job["run_id"],
                                     int(case["spec"]["training"]["epochs"]), now))
            for a in list(active):
                if now < a.next_poll:
                    continue
                if now - a.submitted > timeout:
                    a.record["timeout"] = f"no end within {timeout:.0f} s"
                    a.job_done = a.chain_done = True
                elif not a.job_done:
                    _poll_job(client, a, now, poll)
                elif rounds > 0 and not a.chain_done:
                    _poll_chain(client, a, now)
                else:
                    a.chain_done = True
                if a.job_done and (rounds == 0 or a.chain_done):
                    active.remove(a)
                    done.append(a.record)
                    _progress(len(done), len(cases), a.record)
            time.sleep(0.02)
    order = {c["name"]: i for i, c in enumerate(cases)}
    return sorted(done, key=lambda r: order[r["name"]])


def _progress(i: int, n: int, rec: dict[str, Any]) -> None:
    d = rec.get("diagnosis") or {}
    lab = rec["label"]
    early = rec.get("early") or {}
    chain = rec.get("lineage") or {}
    extra = f" chain {chain.get('state')} ({len(chain.get('jobs', []))} jobs)" if chain else ""
    print(f"[{i}/{n}] {rec['name']}: label {lab['status']}/{lab['cause']} -> "
          f"{d.get('status')}/{d.get('cause')} (early: {early.get('state')} "
          f"{early.get('status', '')}){extra}", file=sys.stderr, flush=True)


def select(split: str, seeds: list[int], limit: int | None, only: str) -> list[dict[str, Any]]:
    """The split's cases, specs interleaved across labels (so --limit N covers N labels
    before repeating one), both seeds of a spec together."""
    chosen = [s for s in specs.split_specs(split) if only in s.name]
    groups: dict[tuple[str, str | None], list[specs.Spec]] = {}
    for s in chosen:
        groups.setdefault((s.status, s.cause), []).append(s)
    ordered: list[specs.Spec] = []
    while any(groups.values()):
        for members in groups.values():
            if members:
                ordered.append(members.pop(0))
    if limit is not None:
        ordered = ordered[:limit]
    return specs.cases(split, seeds, ordered)


def _git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--split", default="all",
                   choices=(*specs.SPLITS, "all", *specs.SEPARATE_SPLITS),
                   help="all = tune + report; a split kept apart is its specs_<split>.py, "
                        "each to be run once")
    p.add_argument("--limit", type=int, default=None,
                   help="only the first N specs (interleaved across labels), every seed")
    p.add_argument("--only", default="", help="only specs whose name contains this")
    p.add_argument("--seeds", default="0,1")
    p.add_argument("--rounds", type=int, default=2,
                   help="repair rounds per job (0: no 'repair' field, detection only)")
    p.add_argument("--workers", type=int, default=2, help="training workers to start")
    p.add_argument("--queue", type=int, default=2,
                   help="cases submitted beyond the workers' slots")
    p.add_argument("--poll", type=float, default=0.1, help="seconds between job polls")
    p.add_argument("--timeout", type=float, default=900, help="seconds per case, at most")
    p.add_argument("--out", type=Path, default=None)
    p.add_argument("--data-dir", type=Path, default=None,
                   help="fitdoc's data dir (default: a fresh one under bench/out/repair)")
    p.add_argument("--keep-data", action="store_true", help="keep the data dir afterwards")
    p.add_argument("--report-from", type=Path, default=None,
                   help="print the table of a saved results file; runs nothing")
    args = p.parse_args(argv)

    if args.report_from:
        score.print_report(json.loads(args.report_from.read_text()))
        return 0
    if args.rounds < 0:
        p.error("--rounds must be 0 or more")
    specs.check()
    seeds = [int(s) for s in args.seeds.split(",") if s]
    cases = select(args.split, seeds, args.limit, args.only)
    if not cases:
        p.error("no case matches")
    out = args.out or HERE / f"results-{args.split}.json"
    data_dir = args.data_dir or OUT_ROOT / f"run-{time.strftime('%Y%m%d-%H%M%S')}"
    data_dir.mkdir(parents=True, exist_ok=True)
    print(f"{len(cases)} jobs ({args.split}, seeds {seeds}, rounds {args.rounds}); fitdoc data "
          f"dir {data_dir}", file=sys.stderr)
    started, wall = time.time(), time.perf_counter()
    try:
        prepare_data_dir(data_dir)
        with embedded_service(data_dir, args.workers) as url:
            results = run_cases(url, cases, args.rounds, args.workers + args.queue, args.poll,
                                args.timeout)
    except ApiMissing as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    finally:
        if not args.keep_data and args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)
    wall = time.perf_counter() - wall
    payload = {"meta": {"split": args.split, "seeds": seeds, "rounds": args.rounds,
                        "limit": args.limit, "only": args.only or None,
                        "workers": args.workers, "started": time.strftime(
                            "%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
                        "wall_seconds": round(wall, 1), "fitdoc_commit": _git_commit(),
                        "early_fraction": EARLY_FRACTION, "late_fraction": LATE_FRACTION},
               "cases": results}
    out.write_text(json.dumps(payload, indent=1, default=_nan_safe) + "\n")
    score.print_report(payload)
    print(f"\nwrote {out}; wall time {wall:.0f} s", file=sys.stderr)
    return 0


def _nan_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


if __name__ == "__main__":
    sys.exit(main())
