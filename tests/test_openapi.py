from __future__ import annotations

import json

from fitdoc.cli import OPENAPI_PATH, openapi_document


def test_openapi_json_is_current():
    """openapi/openapi.json is generated from the app: regenerate with `fitdoc openapi`."""
    committed = json.loads(OPENAPI_PATH.read_text())
    assert committed == json.loads(openapi_document()), (
        "openapi/openapi.json is stale: run `fitdoc openapi` and commit it"
    )


def test_contract_endpoints_are_documented():
    paths = json.loads(openapi_document())["paths"]
    for path, methods in {
        "/healthz": {"get"},
        "/api/v1/projects": {"get", "post"},
        "/api/v1/runs": {"get", "post"},
        "/api/v1/runs/{run_id}": {"get", "patch"},
        "/api/v1/runs/{run_id}/metrics": {"get", "post"},
        "/api/v1/runs/{run_id}/diagnosis": {"get"},
    }.items():
        assert methods <= set(paths[path]), path
