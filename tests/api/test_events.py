"""GET /api/v1/events without `Accept: text/event-stream`: the event log as a JSON page,
and the 422s of its parameters (the stream itself: tests/test_live_sse.py)."""

from __future__ import annotations

import pytest

from service.schemas import EventType
from tests.utils.factories import make_run, points

EVENTS = "/api/v1/events"
TYPES = "metrics.logged,run.status"  # not diagnosis.changed: the Diagnoser's thread adds it


def test_a_runs_events_as_a_json_page(client, unique):
    run = make_run(client, f"log-{unique}")
    url = f"/api/v1/runs/{run['id']}/metrics"
    for step in range(3):
        batch = points("train_loss", range(step, step + 1)) + points("val_loss", range(step + 1))
        assert client.post(url, json={"metrics": batch}).status_code == 200
    finished = client.patch(f"/api/v1/runs/{run['id']}", json={"status": "finished"})
    assert finished.status_code == 200
    # at once, with no stream open anywhere (PostgreSQL numbers the events on read)
    page = client.get(EVENTS, params={"run": run["id"], "types": TYPES}).json()
    items = page["items"]
    assert [e["type"] for e in items] == ["metrics.logged"] * 3 + ["run.status"]
    assert [e["data"] for e in items] == [
        {"keys": ["train_loss", "val_loss"], "first_step": 0, "last_step": 0, "points": 2},
        {"keys": ["train_loss", "val_loss"], "first_step": 0, "last_step": 1, "points": 3},
        {"keys": ["train_loss", "val_loss"], "first_step": 0, "last_step": 2, "points": 4},
        {"status": "finished", "previous": "running"},
    ]
    ids = [e["id"] for e in items]
    assert ids == sorted(set(ids)) and page["last_id"] == ids[-1]
    assert {(e["project"], e["run_id"], e["job_id"]) for e in items} == {
        (f"log-{unique}", run["id"], None)
    }

    def after(position: int, **params) -> list[int]:
        query = {"run": run["id"], "types": TYPES, "after": position, **params}
        return [e["id"] for e in client.get(EVENTS, params=query).json()["items"]]

    assert after(ids[1]) == ids[2:]
    assert after(ids[0], limit=2) == ids[1:3]
    # Last-Event-ID is the same as ?after= (and wins over it)
    resumed = client.get(EVENTS, params={"run": run["id"], "types": TYPES, "after": 0},
                         headers={"Last-Event-ID": str(ids[2])}).json()
    assert [e["id"] for e in resumed["items"]] == ids[3:]
    # nothing after the last: an empty page that says where to resume
    assert client.get(EVENTS, params={"run": run["id"], "after": 2**62}).json() == {
        "items": [], "last_id": 2**62
    }
    by_project = client.get(EVENTS, params={"project": f"log-{unique}", "types": "run.status"})
    assert [e["id"] for e in by_project.json()["items"]] == ids[3:]


def test_an_empty_types_list_means_any_type(client):
    for empty in ("", " , "):
        assert client.get(EVENTS, params={"types": empty}).status_code == 200


@pytest.mark.parametrize(
    ("params", "headers", "field"),
    [
        ({"types": "metrics.logged,bogus"}, {}, "types"),
        ({}, {"Last-Event-ID": "abc"}, "Last-Event-ID"),
        ({}, {"Last-Event-ID": "-1"}, "Last-Event-ID"),
        ({}, {"Last-Event-ID": str(2**63)}, "Last-Event-ID"),
        ({"after": "-1"}, {}, "after"),
        ({"limit": "0"}, {}, "limit"),
    ],
)
def test_bad_parameters_are_422_at_their_field(client, params, headers, field):
    for accept in ("application/json", "text/event-stream"):
        refused = client.get(EVENTS, params=params, headers={**headers, "Accept": accept})
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["field"] == field, refused.json()


def test_an_unknown_run_or_project_is_404(client):
    for params in ({"run": "no-such-run"}, {"project": "no-such-project"}):
        assert client.get(EVENTS, params=params).status_code == 404


def test_a_page_holds_up_to_limit_events(app, client, unique):
    run = make_run(client, f"page-{unique}")
    stores = app.state.stores
    with stores.db.write() as tx:
        project_id = stores.events.project_of_run(tx, run["id"])
        for n in range(700):
            stores.events.append(tx, EventType.run_status, project_id, {"n": n},
                                 run_id=run["id"])
    for limit, expected in ((1000, 700), (600, 600), (7, 7)):
        query = {"run": run["id"], "types": "run.status", "limit": limit}
        page = client.get(EVENTS, params=query).json()
        assert [e["data"]["n"] for e in page["items"]] == list(range(expected))
