"""Diagnosing a stored run: read its series and facts, ask the advisor, cache the answer.

The cache is keyed by the run's metrics revision, so a diagnosis is recomputed only when
new points have arrived since (or the advisor's version changed).
"""

from __future__ import annotations

from collections.abc import Callable

from service.advisor import ADVISOR_VERSION, RunFacts, diagnose
from service.schemas import Diagnosis
from service.store import DiagnosisStore


def diagnose_run(
    diagnoses: DiagnosisStore,
    run_id: str,
    save: Callable[[str, int, Diagnosis], None] | None = None,
) -> Diagnosis:
    """The run's diagnosis, from the cache when current; a new one is stored by `save`
    (default: at once; the HTTP route stores it after the response is sent)."""
    inputs = diagnoses.diagnosis_inputs(run_id, ADVISOR_VERSION)
    if inputs.cached is not None:
        return inputs.cached
    facts = RunFacts(
        run_id=run_id,
        params=inputs.params or {},
        meta=inputs.meta or {},
        spec=inputs.spec,
        run_status=inputs.run_status,
        findings=inputs.findings,
    )
    result = diagnose(inputs.series or {}, facts)
    (save or diagnoses.save_diagnosis)(run_id, inputs.metrics_rev, result)
    return result


def refresh_stale_diagnoses(diagnoses: DiagnosisStore, project: str | None) -> int:
    """Bring every cached diagnosis up to date, so that `?diagnosis=` filters are true."""
    stale = diagnoses.stale_run_ids(ADVISOR_VERSION, project)
    for run_id in stale:
        diagnose_run(diagnoses, run_id)
    return len(stale)
