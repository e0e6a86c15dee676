from __future__ import annotations

from fastapi import APIRouter

from service import __version__
from service.api.deps import StoresDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def read_health(stores: StoresDep) -> dict[str, str]:
    return {"status": "ok", "version": __version__, "database": stores.db.ping()}
