from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from service import __version__
from service.api.deps import StoreDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def read_health(store: StoreDep) -> dict[str, str]:
    with store.db.read() as session:
        session.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__, "database": store.db.engine.dialect.name}
