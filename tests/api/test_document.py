"""The OpenAPI document says what the API answers and what it takes (issue 12), and /docs
works offline: its scripts and styles come from the API itself."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest

from service.schemas import NO_NUL, NOT_BLANK


@pytest.fixture(scope="module")
def document():
    from service.api.app import create_app
    from service.settings import Settings

    return create_app(Settings(database_url="sqlite://")).openapi()


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method.upper(), operation


def test_every_error_status_is_documented_with_the_error_schema(document):
    error = {"$ref": "#/components/schemas/Error"}
    for path, method, operation in operations(document):
        if not path.startswith("/api/"):
            continue
        statuses = set(operation["responses"])
        expected = {"401", "403", "404", "413", "422", "429"}
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            expected.add("409")
        assert expected <= statuses, (method, path, statuses)
        for status in statuses - {"200", "201", "202", "204"}:
            content = operation["responses"][status]["content"]["application/json"]
            assert content["schema"] == error, (method, path, status)
    body = document["components"]["schemas"]["ErrorBody"]
    assert {"code", "message"} <= set(body["required"])
    assert {"field", "details", "retry_after"} <= set(body["properties"])
    assert "HTTPValidationError" not in document["components"]["schemas"]


def _strings(schema, schemas, seen, where):
    """Every string schema a request can carry, and where it is (following $refs)."""
    if isinstance(schema, bool) or not isinstance(schema, dict):
        if schema is True:
            yield where, {"type": "string"}  # anything, strings with a NUL included
        return
    ref = schema.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        if name not in seen:
            yield from _strings(schemas[name], schemas, seen | {name}, f"{where}>{name}")
        return
    if schema.get("type") == "string":
        yield where, schema
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for i, sub in enumerate(schema.get(key, [])):
            yield from _strings(sub, schemas, seen, f"{where}.{key}[{i}]")
    for key in ("items", "additionalProperties", "propertyNames"):
        if key in schema:
            yield from _strings(schema[key], schemas, seen, f"{where}.{key}")
    if schema.get("type") == "object" and "propertyNames" not in schema:
        if schema.get("additionalProperties") not in (None, False):
            yield f"{where} (keys)", {"type": "string"}
    for name, sub in schema.get("properties", {}).items():
        yield from _strings(sub, schemas, seen, f"{where}.{name}")


def _excludes_nul(pattern: str) -> bool:
    """Ours, or a whole-string pattern of listed characters only (the device's)."""
    if pattern in (NO_NUL, NOT_BLANK):
        return True
    anchored = pattern.startswith("^") and pattern.endswith("$")
    unbounded = "[^" in pattern or re.search(r"(?<!\\)\.|\\[SDWPx]", pattern)
    return anchored and not unbounded


def test_every_string_a_request_carries_excludes_nul(document):
    """A string without such a pattern is one the fuzzer (and a client) may send a NUL in,
    which PostgreSQL cannot store: a new field of plain `str` fails here."""
    schemas = document["components"]["schemas"]
    bare = []
    for path, method, operation in operations(document):
        places = [(f"{p['in']} {p['name']}", p["schema"]) for p in operation.get("parameters", [])]
        for media, content in operation.get("requestBody", {}).get("content", {}).items():
            places.append((f"body {media}", content.get("schema", {})))
        for where, schema in places:
            for at, string in _strings(schema, schemas, frozenset(), where):
                if "enum" in string or "const" in string or "format" in string:
                    continue  # a closed set, a date-time, or a file's bytes
                if not _excludes_nul(string.get("pattern", "")):
                    bare.append(f"{method} {path}: {at} {string}")
    assert not bare, "\n".join(bare)


def test_docs_are_served_from_the_api_itself(client):
    for page in ("/docs", "/redoc"):
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.text
        assert "http://" not in html and "https://" not in html and "//cdn" not in html, page
        urls = re.findall(r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']""", html)
        urls += re.findall(r"""\burl\s*:\s*["']([^"']+)["']""", html)
        assert any(u.endswith(".js") for u in urls), (page, urls)
        for url in urls:
            assert url.startswith("/"), (page, url)
            fetched = client.get(urljoin(page, url))
            assert fetched.status_code == 200, (page, url)
            assert fetched.content, (page, url)
