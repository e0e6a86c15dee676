"""Diagnosing a stored run: read its series and facts, ask the advisor, cache the answer.

The cache is keyed by the run's metrics revision, so a diagnosis is recomputed only when
new points have arrived since (or the advisor's version changed).
"""

from __future__ import annotations

from service.advisor import ADVISOR_VERSION, RunFacts, diagnose
from service.schemas import Diagnosis
from service.store.store import Store


def diagnose_run(store: Store, run_id: str) -> Diagnosis:
    run, rev, cached = store.diagnosis_inputs(run_id)
    if cached is not None and cached.advisor_version == ADVISOR_VERSION:
        return cached
    series = store.read_series(run_id)
    facts = RunFacts(
        run_id=run.id,
        params=run.params,
        meta=run.meta,
        spec=store.job_spec_for_run(run_id) if run.job_id else None,
        run_status=run.status.value,
    )
    result = diagnose(series, facts)
    store.save_diagnosis(run_id, rev, result)
    return result


def refresh_stale_diagnoses(store: Store, project: str | None) -> int:
    """Bring every cached diagnosis up to date, so that `?diagnosis=` filters are true."""
    stale = store.stale_diagnosis_run_ids(ADVISOR_VERSION, project)
    for run_id in stale:
        diagnose_run(store, run_id)
    return len(stale)
