"""Input the databases cannot hold is refused up front, on SQLite and PostgreSQL alike
(issue 12): NUL and unpaired surrogates in any string (422 naming the field; 404 for an id),
lengths on what is stored, malformed or too deeply nested JSON (422)."""

from __future__ import annotations

import json

import pytest

from service.schemas import MAX_JSON_DEPTH, MAX_NAME_LENGTH
from tests.utils.factories import make_run

SPEC = {"dataset": {"name": "wine"}, "model": {"arch": "mlp"}, "optimizer": {"name": "adam"}}
NUL, SURROGATE = "a\x00b", "a\ud800b"


def refused(response, status: int = 422) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == ("invalid" if status == 422 else "not_found")
    return error


def post_json(client, url: str, body) -> object:
    """A body as JSON text (json.dumps writes a lone surrogate as its \\ud800 escape)."""
    return client.post(url, content=json.dumps(body), headers={"content-type": "application/json"})


def bodies(bad: str) -> list[tuple[str, dict, str]]:
    """(url, body, the field named) for every string a body can carry, `bad` in it."""
    return [
        ("/api/v1/projects", {"name": bad}, "name"),
        ("/api/v1/projects", {"name": "p", "description": bad}, "description"),
        ("/api/v1/runs", {"project": bad}, "project"),
        ("/api/v1/runs", {"project": "p", "name": bad}, "name"),
        ("/api/v1/runs", {"project": "p", "params": {bad: 1}}, "params"),
        ("/api/v1/runs", {"project": "p", "params": {"k": bad}}, "params.k"),
        ("/api/v1/runs", {"project": "p", "tags": {bad: "v"}}, "tags"),
        ("/api/v1/runs", {"project": "p", "tags": {"k": bad}}, "tags.k"),
        ("/api/v1/runs", {"project": "p", "meta": {bad: 1}}, "meta"),
        ("/api/v1/runs", {"project": "p", "meta": {"k": [1, {"x": bad}]}}, "meta.k[1].x"),
        ("/api/v1/jobs", {"project": bad, "spec": SPEC}, "project"),
        ("/api/v1/jobs", {"project": "p", "name": bad, "spec": SPEC}, "name"),
        ("/api/v1/jobs", {"project": "p", "spec": SPEC, "tags": {"k": bad}}, "tags.k"),
        (
            "/api/v1/jobs",
            {"project": "p", "spec": {**SPEC, "dataset": {"name": "npz", "path": bad}}},
            "spec.dataset.path",
        ),
        ("/api/v1/tokens", {"project": "p", "role": "read", "name": bad}, "name"),
    ]


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["nul", "surrogate"])
def test_a_bad_string_anywhere_in_a_body_is_422_naming_the_field(client, unique, bad):
    run = make_run(client, f"input-{unique}")
    cases = bodies(bad) + [
        (f"/api/v1/runs/{run['id']}/metrics",
         {"metrics": [{"key": "ok", "step": 0, "value": 1}, {"key": bad, "step": 0, "value": 1}]},
         "metrics[1].key"),
    ]
    for url, body, field in cases:
        error = refused(post_json(client, url, body))
        assert error["field"] == field, (url, body, error)
        assert ("NUL" if bad == NUL else "surrogate") in error["message"], error
    patch = client.patch(
        f"/api/v1/runs/{run['id']}", content=json.dumps({"tags": {"k": bad}}),
        headers={"content-type": "application/json"},
    )
    assert refused(patch)["field"] == "tags.k"
    assert client.get(f"/api/v1/runs/{run['id']}").json()["tags"] == {}  # nothing was kept


def test_a_follow_up_patch_with_a_bad_string_is_422(client, unique):
    job = client.post("/api/v1/jobs", json={"project": f"input-{unique}", "spec": SPEC}).json()
    client.post(f"/api/v1/jobs/{job['id']}/cancel")
    for patch, field in (({"dataset": {"path": NUL}}, "patch.dataset.path"),
                         ({NUL: 1}, "patch")):
        url = f"/api/v1/jobs/{job['id']}/follow-up"
        assert refused(post_json(client, url, {"patch": patch}))["field"] == field


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/runs", {"project": NUL}),
        ("/api/v1/runs", {"cursor": NUL}),
        ("/api/v1/projects", {"cursor": NUL}),
        ("/api/v1/runs/{run}/metrics", {"keys": f"loss,{NUL}"}),
    ],
)
def test_a_nul_in_a_query_parameter_is_422_naming_it(client, unique, url, params):
    run = make_run(client, f"input-{unique}")
    error = refused(client.get(url.format(run=run["id"]), params=params))
    assert error["field"] == next(iter(params)) and "NUL" in error["message"]


@pytest.mark.parametrize(
    ("method", "url", "field"),
    [
        ("GET", "/api/v1/runs/{bad}", "run_id"),
        ("PATCH", "/api/v1/runs/{bad}", "run_id"),
        ("GET", "/api/v1/runs/{bad}/metrics", "run_id"),
        ("POST", "/api/v1/runs/{bad}/metrics", "run_id"),
        ("GET", "/api/v1/runs/{bad}/diagnosis", "run_id"),
        ("GET", "/api/v1/jobs/{bad}", "job_id"),
        ("POST", "/api/v1/jobs/{bad}/cancel", "job_id"),
        ("GET", "/api/v1/jobs/{bad}/checkpoint", "job_id"),
        ("GET", "/api/v1/jobs/{bad}/lineage", "job_id"),
        ("POST", "/api/v1/jobs/{bad}/follow-up", "job_id"),
    ],
)
def test_an_id_with_a_nul_is_404(client, method, url, field):
    body = {"metrics": []} if url.endswith("metrics") else {"suggestion": 0}
    response = client.request(
        method, url.format(bad="a%00b"), json=body if method != "GET" else None
    )
    assert refused(response, 404)["field"] == field


@pytest.mark.parametrize(
    ("url", "body", "field", "stored"),
    [
        ("/api/v1/projects", {"name": "{v}"}, "name", lambda r: r["name"]),
        ("/api/v1/runs", {"project": "{v}"}, "project", lambda r: r["project"]),
        ("/api/v1/runs", {"project": "p", "name": "{v}"}, "name", lambda r: r["name"]),
        ("/api/v1/runs", {"project": "p", "params": {"{v}": 1}}, "params",
         lambda r: next(k for k in r["params"])),
        ("/api/v1/runs", {"project": "p", "tags": {"{v}": "x"}}, "tags",
         lambda r: next(k for k in r["tags"])),
    ],
)
def test_lengths_are_checked_on_what_is_sent_and_so_on_what_is_stored(
    client, unique, url, body, field, stored
):
    """A name or key is stored stripped; its bound holds for the string as sent (the
    document's maxLength), so a padded one cannot slip 250 characters past the check."""

    def send(value: str):
        text = json.dumps(body).replace("{v}", value)
        return client.post(url, content=text, headers={"content-type": "application/json"})

    fits = unique + "a" * (MAX_NAME_LENGTH - len(unique))
    made = send(fits)
    assert made.status_code == 201, made.text
    assert stored(made.json()) == fits
    for over in (fits + "a", " " + fits, fits + "\\t", "  " + fits[2:] + "  a"):
        assert refused(send(over))["field"] == field, over
    padded = send(f"  {unique}-padded\\n")
    assert padded.status_code == 201 and stored(padded.json()) == f"{unique}-padded"
    for blank in ("", "   ", "\\u001c", "\\t\\n"):  # \x1c: Python strips it, \s does not
        assert refused(send(blank))["field"] == field, blank


def test_json_nested_1000_deep_is_422(client):
    for body in ("[" * 1000 + "]" * 1000, '{"project": "p", "meta": ' + '{"a":' * 1000 + "1"
                 + "}" * 1001):
        response = client.post(
            "/api/v1/runs", content=body, headers={"content-type": "application/json"}
        )
        error = refused(response)
        assert error["field"] == "body" and "deep" in error["message"]


def test_free_form_json_is_bounded_in_depth(client, unique):
    def nested(depth: int):  # `depth` levels of objects in all, meta's own included
        value: object = 1
        for _ in range(depth):
            value = {"a": value}
        return value

    fits = {"project": f"d-{unique}", "meta": nested(MAX_JSON_DEPTH)}
    ok = client.post("/api/v1/runs", json=fits)
    assert ok.status_code == 201, ok.text
    assert client.get(f"/api/v1/runs/{ok.json()['id']}").status_code == 200
    deep = {"project": f"d-{unique}", "meta": nested(MAX_JSON_DEPTH + 1)}
    error = refused(client.post("/api/v1/runs", json=deep))
    assert error["field"] == "meta" and str(MAX_JSON_DEPTH) in error["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"project": "p", "meta": {"x": NaN}}', "meta"),
        (b'{"project": "p", "meta": {"x": [Infinity]}}', "meta"),
        (b'{"project": "p", "params": {"x": -Infinity}}', "params"),
        (b'{"project": "p\xff"}', "body"),  # not UTF-8
        (b'{"project": "p\xed\xa0\x80"}', "project"),  # a surrogate written as UTF-8 bytes
    ],
)
def test_what_is_not_json_text_is_422(client, body, field):
    response = client.post("/api/v1/runs", content=body,
                           headers={"content-type": "application/json"})
    assert refused(response)["field"] == field


def test_a_string_stays_a_string(client, unique):
    """A param value over its length is refused, not read as the number it spells."""
    body = {"project": f"s-{unique}", "params": {"n": "0" * 6001, "s": "12"}}
    assert refused(client.post("/api/v1/runs", json=body))["field"] == "params.n"
    body["params"].pop("n")
    assert client.post("/api/v1/runs", json=body).json()["params"] == {"s": "12"}


def test_a_wrong_method_is_405_naming_every_method_of_the_path(client):
    response = client.delete("/api/v1/runs")
    assert response.status_code == 405 and response.json()["error"]["code"]
    assert set(response.headers["allow"].split(", ")) >= {"GET", "POST"}


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/runs", {"project": "p", "meta": {"num_classes": True}}, "meta.num_classes"),
        ("/api/v1/runs", {"project": "p", "meta": {"planned_epochs": "5"}}, "meta.planned_epochs"),
        ("/api/v1/jobs", {"project": "p", "spec": {**SPEC, "training": {"epochs": "5"}}},
         "spec.training.epochs"),
        ("/api/v1/jobs", {"project": "p", "spec": {**SPEC, "training": {"compile": 1}}},
         "spec.training.compile"),
        ("/api/v1/jobs", {"project": "p", "spec": {**SPEC, "model": {"arch": "mlp",
                                                                     "widths": [8, True]}}},
         "spec.model.widths[1]"),
        ("/api/v1/jobs", {"project": "p", "spec": SPEC, "repair": {"max_rounds": True}},
         "repair.max_rounds"),
        ("{run}/metrics", {"metrics": [{"key": "loss", "step": True, "value": 1}]},
         "metrics[0].step"),
        ("{run}/metrics", {"metrics": [{"key": "loss", "step": 1, "value": "1.5"}]},
         "metrics[0].value"),
    ],
)
def test_numbers_and_booleans_keep_their_json_type(client, unique, url, body, field):
    """pydantic's lax mode would read `true` as 1, "5" as 5 and 1 as true: the document
    says number or boolean, and so does the API."""
    run = make_run(client, f"types-{unique}")
    url = url.format(run=f"/api/v1/runs/{run['id']}")
    assert refused(client.post(url, json=body))["field"] == field
