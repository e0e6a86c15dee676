from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks

from service.api.deps import StoreDep
from service.diagnosis import diagnose_run
from service.schemas import Diagnosis

router = APIRouter(prefix="/runs/{run_id}/diagnosis", tags=["diagnosis"])


@router.get("")
def read_diagnosis(run_id: str, store: StoreDep, background: BackgroundTasks) -> Diagnosis:
    # A new diagnosis is cached after the answer is on its way, not before.
    return diagnose_run(
        store, run_id, save=lambda *args: background.add_task(store.save_diagnosis, *args)
    )
