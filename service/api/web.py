"""The dashboard: plain HTML pages and ES modules served by the API itself.

Thin routes outside /api/v1 and outside the OpenAPI document (so outside the fuzz test):
each page is a static file, and every piece of data is fetched by the page from /api/v1
with the caller's token (service/web/static/api.js), so nothing here reads the database
or needs a token. uPlot, the one third-party asset, is copied into static/vendor/ by
`make web` (npm, pinned in service/web/package-lock.json); when it is missing the pages
say so. `/catalogue.js` hands the pages the metric aliases of the catalogue, so that the
dashboard reads `loss` or `val_accuracy` as the advisor does, from one table.
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

from service.catalogue import METRIC_ALIASES

STATIC = Path(__file__).resolve().parents[1] / "web" / "static"
VENDOR = STATIC / "vendor"
# The pages load scripts and styles from this origin only; data too.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
HEADERS = {"Content-Security-Policy": POLICY, "Cache-Control": "no-cache",
           "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
PAGES = {"/": "runs.html", "/runs/{run_id}": "run.html", "/compare": "compare.html",
         "/jobs": "jobs.html"}


def install(app: FastAPI) -> None:
    router = APIRouter(include_in_schema=False)
    for path, page in PAGES.items():
        router.add_api_route(path, _page(page), methods=["GET"], name=f"page:{page}")
    router.add_api_route("/catalogue.js", catalogue_js, methods=["GET"])
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")


def _page(name: str):  # type: ignore[no-untyped-def]
    path = STATIC / name

    def page() -> FileResponse:
        return FileResponse(path, media_type="text/html", headers=HEADERS)

    return page


def catalogue_js() -> Response:
    body = f"export const METRIC_ALIASES = {json.dumps(METRIC_ALIASES)};\n"
    return Response(body, media_type="text/javascript", headers=HEADERS)
