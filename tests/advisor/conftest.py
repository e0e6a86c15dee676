"""Real curves, loaded by run name: the advisor benchmark's (bench/advisor/curves), and runs
of repair chains kept as fixtures (tests/advisor/curves: each file says which chain)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from service.advisor import RunFacts

CURVES = Path(__file__).resolve().parents[2] / "bench" / "advisor" / "curves"
REPAIR_CURVES = Path(__file__).resolve().parent / "curves"


def load(
    name: str, folder: Path = CURVES
) -> tuple[dict[str, list[tuple[int, float]]], RunFacts, dict[str, Any]]:
    """(series, facts, record) of a stored run."""
    record = json.loads((folder / f"{name}.json").read_text())
    series = {
        # a value that was not finite is stored as null (bench/advisor/repair_tune.py)
        key: [(int(step), math.nan if value is None else float(value)) for step, value in points]
        for key, points in record["series"].items()
    }
    f = record["facts"]
    facts = RunFacts(
        run_id=name, params=f["params"], meta=f["meta"], spec=f["spec"],
        run_status=f["run_status"],
    )
    return series, facts, record


@pytest.fixture(scope="session")
def run():
    return load


@pytest.fixture(scope="session")
def chain_run():
    return lambda name: load(name, REPAIR_CURVES)
