from __future__ import annotations

from fastapi import APIRouter

from service.api.deps import DiagnosesDep, RunIdDep
from service.diagnosis import diagnose_run
from service.schemas import Diagnosis

router = APIRouter(prefix="/runs/{run_id}/diagnosis", tags=["diagnosis"])


@router.get("")
def read_diagnosis(run_id: RunIdDep, diagnoses: DiagnosesDep) -> Diagnosis:
    # A new diagnosis is stored before it is answered: whatever the client reads next (the
    # run, MLflow's runs/get and its `fitdoc.diagnosis` tag, a search by status) says the
    # same (it was stored after the answer once, and a client that read the run at once
    # could see the older one).
    return diagnose_run(diagnoses, run_id)
