"""Diagnosing a stored run: read its series and facts, ask the advisor, cache the answer.

The cache is keyed by the run's metrics revision, so a diagnosis is recomputed only when
new points have arrived since (or the advisor's version changed).
"""

from __future__ import annotations

from collections.abc import Callable

from service.advisor import ADVISOR_VERSION, RunFacts, diagnose
from service.schemas import Diagnosis, DiagnosisStatus, Evidence
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
    probe = inputs.spec.get("probe") if isinstance(inputs.spec, dict) else None
    if isinstance(probe, dict):
        result = probe_diagnosis(run_id, str(probe.get("kind")))
    else:
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


def probe_diagnosis(run_id: str, kind: str) -> Diagnosis:
    """A probe job's run (its spec has a `probe`): its curve measures a model (an lr sweep,
    Lanczos iterates, ensemble members), it is not a training run, so the advisor does not
    read it as one. What the probe found is the job's `result`."""
    return Diagnosis(
        run_id=run_id,
        status=DiagnosisStatus.insufficient_data,
        confidence=1.0,
        summary=f"a {kind} probe job: its points are a measurement, not training; what it "
        "found is the job's result",
        evidence=[Evidence(signal="probe", value=kind,
                           message=f"the run of a {kind} probe job (spec.probe)")],
        advisor_version=ADVISOR_VERSION,
    )


def refresh_stale_diagnoses(diagnoses: DiagnosisStore, project: str | None) -> int:
    """Bring every cached diagnosis up to date, so that `?diagnosis=` filters are true."""
    stale = diagnoses.stale_run_ids(ADVISOR_VERSION, project)
    for run_id in stale:
        diagnose_run(diagnoses, run_id)
    return len(stale)
