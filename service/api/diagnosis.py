from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks

from service.api.deps import DiagnosesDep, RunIdDep
from service.diagnosis import diagnose_run
from service.schemas import Diagnosis

router = APIRouter(prefix="/runs/{run_id}/diagnosis", tags=["diagnosis"])


@router.get("")
def read_diagnosis(
    run_id: RunIdDep, diagnoses: DiagnosesDep, background: BackgroundTasks
) -> Diagnosis:
    # A new diagnosis is cached after the answer is on its way, not before.
    return diagnose_run(
        diagnoses,
        run_id,
        save=lambda *args: background.add_task(diagnoses.save_diagnosis, *args),
    )
