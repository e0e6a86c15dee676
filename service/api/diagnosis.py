from __future__ import annotations

from fastapi import APIRouter

from service.api.deps import StoreDep
from service.diagnosis import diagnose_run
from service.schemas import Diagnosis

router = APIRouter(prefix="/runs/{run_id}/diagnosis", tags=["diagnosis"])


@router.get("")
def read_diagnosis(run_id: str, store: StoreDep) -> Diagnosis:
    return diagnose_run(store, run_id)
