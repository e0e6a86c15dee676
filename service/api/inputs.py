"""Strings in a request's path and query: the same rule as in its body (service/schemas.py:
no NUL, no unpaired surrogate), checked for every route in one place and written into the
OpenAPI document for every string parameter.

A body's strings are checked by their pydantic types (`Text`, `Name`, `Key`, `JsonValue`).
A path or query string reaches the store as it is, and PostgreSQL cannot compare a NUL: an
id with one cannot exist (404), any other parameter with one is invalid (422).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from service.errors import Invalid, NotFound
from service.schemas import NO_NUL


def storable(value: str) -> bool:
    """Text both databases can hold and compare: no NUL, no unpaired surrogate."""
    if "\x00" in value:
        return False
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


async def check_parameters(request: Request) -> None:
    """A router dependency: runs before the route's own dependencies look anything up."""
    for name, value in request.path_params.items():
        if isinstance(value, str) and not storable(value):
            raise NotFound.missing(name.removesuffix("_id"), value, name)
    for name, value in request.query_params.multi_items():
        if not storable(value):
            raise Invalid("must not contain NUL (\\u0000)", field=name)


def document_parameters(openapi: dict[str, Any]) -> dict[str, Any]:
    """Say the rule in the document: every string path and query parameter without a pattern
    of its own gets NO_NUL (idempotent)."""
    for operations in openapi.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                _no_nul(parameter.get("schema", {}))
    return openapi


def _no_nul(schema: dict[str, Any]) -> None:
    if schema.get("type") == "string" and not {"pattern", "enum", "const", "format"} & set(schema):
        schema["pattern"] = NO_NUL
    for branch in schema.get("anyOf", []):
        _no_nul(branch)
