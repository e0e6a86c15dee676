"""Scores of a results file of run.py against the labels of specs.py, and the printed table.

Definitions (per job unless said otherwise):

- detected: a faulty job (label other than healthy) whose diagnosis is a fault, i.e. a
  status other than healthy and insufficient_data (insufficient_data says nothing was seen,
  so it is no detection; it is counted apart).
- status match: the diagnosis status equals the label's status.
- cause match: where the label has a cause, the diagnosis cause equals it (whatever the
  status); "given status" counts only the jobs whose status matched.
- false alarm: a healthy job diagnosed with a fault (status other than healthy and
  insufficient_data).
- seed agreement (per spec): every seed of the spec got the same diagnosis status.
- early reading: the diagnosis asked while the job was running, at >= 60% of its planned
  epochs; "on time" when taken at <= 75%, "late" past that, "missed" when the job ended
  first. The match rate is over on-time readings: early status equals the label's status.
- repair (rounds > 0): a faulty job's chain is repaired when the lineage state is
  "repaired" and at least one job of the chain applied a change (a chain left "repaired"
  without any change, e.g. after a missed fault, is counted apart); rounds used is the
  number of jobs in the chain that applied a change; a repeated change is the same
  (action, patch) applied twice in one chain; a healthy job "touched" has a chain of more
  than one job; "best improved" counts faulty chains whose best job is not the first one;
  "at the ceiling" counts repaired chains whose last job only ties the first job's
  validation accuracy of 1.0 (the service's rule since advisor-2.7: nothing can beat it),
  so that "repaired" minus them is the count under the strict reading "beats the first".
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any

from bench.repair.specs import STATUSES

NO_FINDING = ("healthy", "insufficient_data")


def _label(c: dict[str, Any]) -> str:
    lab = c["label"]
    return lab["status"] + (f"/{lab['cause']}" if lab["cause"] else "")


def _diag(c: dict[str, Any]) -> dict[str, Any]:
    return c.get("diagnosis") or {}


def _rate(hits: int, n: int) -> str:
    return f"{hits}/{n} {100 * hits / n:3.0f}%" if n else "-"


def _changes(chain: dict[str, Any]) -> list[str]:
    out = []
    for job in chain.get("jobs") or []:
        applied = job.get("applied")
        if applied:
            out.append(json.dumps({"action": applied.get("action"),
                                   "patch": applied.get("patch")}, sort_keys=True))
    return out


def group_scores(cases: list[dict[str, Any]], rounds: int) -> dict[str, Any]:
    """The scores of one group of jobs (see the module doc)."""
    faulty = [c for c in cases if c["label"]["status"] != "healthy"]
    healthy = [c for c in cases if c["label"]["status"] == "healthy"]
    with_cause = [c for c in cases if c["label"]["cause"]]
    early = [c for c in cases if (c.get("early") or {}).get("state") == "on_time"]
    s: dict[str, Any] = {
        "jobs": len(cases),
        "detected": (sum(_diag(c).get("status") not in NO_FINDING for c in faulty),
                     len(faulty)),
        "status_match": (sum(_diag(c).get("status") == c["label"]["status"] for c in cases),
                         len(cases)),
        "cause_match": (sum(_diag(c).get("cause") == c["label"]["cause"] for c in with_cause),
                        len(with_cause)),
        "cause_match_given_status": (
            sum(_diag(c).get("cause") == c["label"]["cause"] for c in with_cause
                if _diag(c).get("status") == c["label"]["status"]),
            sum(_diag(c).get("status") == c["label"]["status"] for c in with_cause)),
        "false_alarms": (sum(_diag(c).get("status") not in NO_FINDING for c in healthy),
                         len(healthy)),
        "insufficient_data": sum(_diag(c).get("status") == "insufficient_data"
                                 for c in cases),
        "early_match": (sum(c["early"]["status"] == c["label"]["status"] for c in early),
                        len(early)),
        "early_states": dict(Counter((c.get("early") or {}).get("state") for c in cases)),
    }
    by_spec: dict[str, set[str | None]] = defaultdict(set)
    seeds: Counter[str] = Counter()
    for c in cases:
        by_spec[c["base"]].add(_diag(c).get("status"))
        seeds[c["base"]] += 1
    multi = [b for b in by_spec if seeds[b] > 1]
    s["seed_agreement"] = (sum(len(by_spec[b]) == 1 for b in multi), len(multi))
    if rounds > 0:
        chains = [(c, c.get("lineage") or {}) for c in cases]
        f_chains = [(c, ch) for c, ch in chains if c["label"]["status"] != "healthy"]
        s["repaired"] = (sum(ch.get("state") == "repaired" and bool(_changes(ch))
                             for _, ch in f_chains), len(f_chains))
        s["repaired_at_ceiling"] = sum(ch.get("state") == "repaired" and bool(_changes(ch))
                                       and _ceiling_tie(ch) for _, ch in f_chains)
        s["repaired_without_change"] = sum(ch.get("state") == "repaired" and not _changes(ch)
                                           for _, ch in f_chains)
        s["best_improved"] = (sum(bool(ch.get("best_job_id")) and ch.get("best_job_id")
                                  != ch.get("root_id") for _, ch in f_chains), len(f_chains))
        used = [len(_changes(ch)) for _, ch in f_chains]
        s["rounds_used_mean"] = round(sum(used) / len(used), 2) if used else None
        s["repeated_change_chains"] = sum(len(set(ch)) < len(ch)
                                          for ch in (_changes(x) for _, x in chains))
        s["healthy_touched"] = (sum(len(ch.get("jobs") or []) > 1 for c, ch in chains
                                    if c["label"]["status"] == "healthy"), len(healthy))
        s["chain_states"] = dict(Counter(ch.get("state") for _, ch in chains))
    return s


def _ceiling_tie(lineage: dict[str, Any]) -> bool:
    """The chain's last job ties its first at validation accuracy 1.0 without a lower
    validation loss."""
    jobs = lineage.get("jobs") or []
    if len(jobs) < 2:
        return False
    first, last = jobs[0], jobs[-1]
    if not (first.get("val_acc") == last.get("val_acc") == 1.0):
        return False
    a, b = last.get("val_loss"), first.get("val_loss")
    return not (a is not None and b is not None and a < b)


def report(payload: dict[str, Any]) -> dict[str, Any]:
    """Scores per label, per status and overall, the confusion matrix, and job facts."""
    cases = payload["cases"]
    rounds = payload["meta"].get("rounds", 0)
    by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_status: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in cases:
        by_label[_label(c)].append(c)
        by_status[c["label"]["status"]].append(c)
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    for c in cases:
        confusion[c["label"]["status"]][str(_diag(c).get("status"))] += 1
    cause_confusion: dict[str, Counter[str]] = defaultdict(Counter)
    for c in cases:
        if c["label"]["cause"]:
            d = _diag(c)
            cause_confusion[_label(c)][f"{d.get('status')}/{d.get('cause')}"] += 1
    return {
        "labels": {k: group_scores(v, rounds) for k, v in sorted(by_label.items())},
        "statuses": {k: group_scores(v, rounds) for k, v in sorted(by_status.items())},
        "faulty": group_scores([c for c in cases if c["label"]["status"] != "healthy"],
                               rounds),
        "all": group_scores(cases, rounds),
        "confusion": {k: dict(v) for k, v in confusion.items()},
        "cause_confusion": {k: dict(v) for k, v in cause_confusion.items()},
        "job_status": dict(Counter((c.get("job") or {}).get("status") for c in cases)),
        "timeouts": sum("timeout" in c for c in cases),
    }


def _fmt(pair: Any) -> str:
    return _rate(*pair) if isinstance(pair, tuple | list) else str(pair)


def print_report(payload: dict[str, Any]) -> None:
    meta = payload["meta"]
    rounds = meta.get("rounds", 0)
    r = report(payload)
    print(f"repair benchmark: split {meta['split']}, seeds {meta['seeds']}, rounds {rounds}, "
          f"{len(payload['cases'])} jobs, wall {meta.get('wall_seconds')} s, fitdoc "
          f"{(meta.get('fitdoc_commit') or '?')[:10]}")
    cols = ["jobs", "detected", "status_match", "cause_match", "early_match", "seed_agreement"]
    heads = ["jobs", "detected", "status", "cause", "early (on time)", "seeds agree"]
    if rounds > 0:
        cols += ["repaired", "rounds_used_mean"]
        heads += ["repaired", "rounds"]
    widths = [5, 12, 12, 12, 15, 12, 12, 7]
    print(f"\n{'label':34}" + "".join(f"{h:>{w + 1}}" for h, w in zip(heads, widths,
                                                                  strict=False)))

    def row(name: str, s: dict[str, Any]) -> None:
        cells = []
        for col, w in zip(cols, widths, strict=False):
            v = s.get(col)
            if col in ("detected", "cause_match", "repaired") and isinstance(v, tuple | list) \
                    and v[1] == 0:
                v = "-"
            cells.append(f"{_fmt(v) if v is not None else '-':>{w + 1}}")
        print(f"{name:34}" + "".join(cells))

    for name, s in r["labels"].items():
        row(name, s)
    print("-" * 34)
    for name, s in r["statuses"].items():
        row(f"[{name}]", s)
    row("[all faulty]", r["faulty"])
    row("[all]", r["all"])
    a, f = r["all"], r["faulty"]
    print(f"\nfalse alarms on healthy jobs: {_fmt(a['false_alarms'])}; detection on faulty "
          f"jobs: {_fmt(f['detected'])}; status match {_fmt(a['status_match'])}; cause match "
          f"where labelled {_fmt(a['cause_match'])} (given the status: "
          f"{_fmt(a['cause_match_given_status'])}); insufficient_data answers: "
          f"{a['insufficient_data']}")
    print(f"early readings: {a['early_states']}; on-time ones matching the label: "
          f"{_fmt(a['early_match'])}; seed agreement {_fmt(a['seed_agreement'])} specs")
    if rounds > 0:
        print(f"repair: repaired {_fmt(f['repaired'])} of faulty chains (overfitting "
              f"{_fmt(r['statuses'].get('overfitting', {}).get('repaired', (0, 0)))}; "
              f"of them at the ceiling, tying a first job's val accuracy of 1.0: "
              f"{f.get('repaired_at_ceiling', 0)}), "
              f"mean rounds used {f['rounds_used_mean']}, best job not the first "
              f"{_fmt(f['best_improved'])}, 'repaired' without a change "
              f"{f['repaired_without_change']}, chains repeating a change "
              f"{a['repeated_change_chains']}, healthy jobs touched "
              f"{_fmt(a['healthy_touched'])}, chain states {a['chain_states']}")
    print(f"job statuses: {r['job_status']}; timeouts: {r['timeouts']}")
    print("\nconfusion (rows: label status, columns: diagnosis status):")
    seen = [s for s in STATUSES if any(s in v for v in r["confusion"].values())]
    others = sorted({k for v in r["confusion"].values() for k in v} - set(seen))
    columns = seen + others
    short = {s: s[:9] for s in columns}
    print(f"{'':14}" + "".join(f"{short[s]:>10}" for s in columns))
    for status in STATUSES:
        if status in r["confusion"]:
            counts = r["confusion"][status]
            print(f"{status:14}" + "".join(f"{counts.get(s, 0) or '.':>10}" for s in columns))
    if r["cause_confusion"]:
        print("\ncauses (label -> diagnosis status/cause):")
        for name, counts in sorted(r["cause_confusion"].items()):
            items = ", ".join(f"{k} {v}" for k, v in Counter(counts).most_common())
            print(f"  {name:32} {items}")

