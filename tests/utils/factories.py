"""Small builders for request bodies."""

from __future__ import annotations

from typing import Any


def make_run(client, project: str, **extra: Any) -> dict[str, Any]:
    response = client.post("/api/v1/runs", json={"project": project, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def points(key: str, steps: range, value=lambda s: 1.0 / (s + 1)) -> list[dict[str, Any]]:
    return [{"key": key, "step": s, "value": value(s)} for s in steps]
