"""Real curves from the advisor benchmark (bench/advisor/curves), loaded by run name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from service.advisor import RunFacts

CURVES = Path(__file__).resolve().parents[2] / "bench" / "advisor" / "curves"


def load(name: str) -> tuple[dict[str, list[tuple[int, float]]], RunFacts, dict[str, Any]]:
    """(series, facts, record) of a stored benchmark run."""
    record = json.loads((CURVES / f"{name}.json").read_text())
    series = {
        key: [(int(step), float(value)) for step, value in points]
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
