"""The advisor's contract: its entry point, its imports, its speed, its benchmark score."""

from __future__ import annotations

import ast
import time
from pathlib import Path

import numpy as np

import service.advisor
from service.advisor import ADVISOR_VERSION, RunFacts, diagnose
from service.schemas import Diagnosis
from tests.advisor.conftest import CURVES, load

ALLOWED = {"__future__", "numpy", "service.schemas", "service.catalogue"}


def test_advisor_imports_only_stdlib_numpy_and_schemas():
    import sys

    stdlib = set(sys.stdlib_module_names)
    for path in Path(service.advisor.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                ok = top in stdlib or name in ALLOWED or top == "numpy"
                ok = ok or name.startswith("service.advisor")
                assert ok, f"{path.name} imports {name}"


def test_entry_point_returns_a_diagnosis():
    series, facts, _ = load("healthy_digits_mlp")
    d = diagnose(series, RunFacts(run_id="r1", params=facts.params, meta=facts.meta))
    assert isinstance(d, Diagnosis)
    assert d.run_id == "r1"
    assert d.advisor_version == ADVISOR_VERSION and len(ADVISOR_VERSION) <= 32
    assert 0.0 <= d.confidence <= 1.0
    assert d.summary and d.best_step is not None


def _stretched(series, n: int) -> dict:
    """The run's curves interpolated to `n` epochs."""
    big = {}
    for key, pts in series.items():
        steps = np.array([s for s, _ in pts], float)
        values = np.array([v for _, v in pts], float)
        x = np.linspace(steps[0], steps[-1], n)
        big[key] = list(zip(range(n), np.interp(x, steps, values).tolist(), strict=True))
    return big


def test_the_cost_grows_linearly_with_the_epochs():
    """A thousand epochs of six keys cost at most ~4x what 250 do (a quadratic step would
    make it 16x). A ratio of paired timings, best of 15 each, so the machine's load cancels
    out; the cost itself (~4 ms for 1,000 epochs on the dev VM) is not asserted here."""
    series, facts, _ = load("overfit_mnist1d_mlp")
    short, long = _stretched(series, 250), _stretched(series, 1000)
    assert diagnose(long, facts).status.value == "overfitting"
    times: dict[int, list[float]] = {250: [], 1000: []}
    for _ in range(15):
        for n, curves in ((250, short), (1000, long)):
            t0 = time.perf_counter()
            diagnose(curves, facts)
            times[n].append(time.perf_counter() - t0)
    assert min(times[1000]) < 8 * min(times[250]), times


def test_benchmark_accuracy_stays_above_95_percent():
    hits = total = 0
    for path in sorted(CURVES.glob("*.json")):
        series, facts, record = load(path.stem)
        d = diagnose(series, facts)
        total += 1
        hits += d.status.value == record["label"]["status"]
    assert total >= 40
    assert hits / total >= 0.95
