"""GET /runs/{id}/metrics without max_points: the series streamed from the store in pages
(keyset by key and step), the same JSON as the whole read, in constant memory
(bench/metrics_memory.py measures it)."""

from __future__ import annotations

import json
import math

import pytest

from service.api.metrics import series_json
from service.schemas import MetricPoint, encode_value
from service.store import tracking as tracking_module
from tests.utils.factories import make_run, points

WEIRD = [1.5, "NaN", "Infinity", "-Infinity", -0.25, 0, 1e-300, 3.0e300, 123456789.125]


def whole(tracking, run_id: str, keys=None) -> dict:
    """The series as the whole read (read_series) gives them, in the contract's JSON."""
    return {"series": {key: [{"step": s, "value": encode_value(v)} for s, v in pts]
                       for key, pts in tracking.read_series(run_id, keys).items()}}


@pytest.mark.parametrize("page_size", [1, 2, 3, 7, 5000])
def test_pages_put_together_are_the_whole_read(app, client, unique, page_size):
    tracking = app.state.stores.tracking
    run = make_run(client, f"pages-{unique}")
    values = {"loss": WEIRD, "acc": [0.5] * 6, "lr": [0.1], "z\u00e9\"key": [2.0, "NaN"]}
    tracking.log_metrics(run["id"], [
        MetricPoint(key=key, step=10 * i + 3, value=v)
        for key, series in values.items() for i, v in enumerate(series)])

    keys = tracking.series_keys(run["id"])
    assert keys == sorted(values)
    pages = list(tracking.series_pages(run["id"], keys, page_size=page_size))
    assert all(0 < len(pts) <= page_size for _, pts in pages)
    assert [key for key, _ in pages] == sorted(
        key for key in values for _ in range(max(1, math.ceil(len(values[key]) / page_size))))
    text = b"".join(series_json(iter(pages))).decode()
    assert json.loads(text) == whole(tracking, run["id"])
    # the only non-numbers are the contract's strings, never JSON's NaN/Infinity tokens
    assert json.loads(text, parse_constant=lambda c: pytest.fail(f"bare {c}"))


def test_a_run_without_points_and_unknown_keys_give_empty_series(app, client, unique):
    tracking = app.state.stores.tracking
    run = make_run(client, f"empty-{unique}")
    url = f"/api/v1/runs/{run['id']}/metrics"
    assert client.get(url).json() == {"series": {}}
    client.post(url, json={"metrics": points("loss", range(3))})
    assert client.get(url, params={"keys": "nope,other"}).json() == {"series": {}}
    assert b"".join(series_json(iter([]))) == b'{"series":{}}'
    assert tracking.series_keys(run["id"], ["nope", "loss"]) == ["loss"]


def test_a_long_series_is_streamed_in_pages_and_equals_the_whole_read(
        app, client, unique, monkeypatch):
    tracking = app.state.stores.tracking
    run = make_run(client, f"long-{unique}")
    url = f"/api/v1/runs/{run['id']}/metrics"
    for start in range(0, 12_001, 4_000):
        steps = range(start, min(start + 4_000, 12_001))
        batch = points("loss", steps, lambda s: "NaN" if s % 997 == 0 else math.sin(s))
        response = client.post(url, json={"metrics": batch + points("lr", steps[:10])})
        assert response.status_code == 200

    expected = whole(tracking, run["id"])
    # The route reads the store a page at a time, never the whole series at once.
    pages = []
    real_pages = tracking.series_pages

    def counted(*args, **kwargs):
        for page in real_pages(*args, **kwargs):
            pages.append(len(page[1]))
            yield page

    monkeypatch.setattr(tracking, "read_series", lambda *a, **k: pytest.fail("whole read"))
    monkeypatch.setattr(tracking, "series_pages", counted)
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == expected
    assert len(response.json()["series"]["loss"]) == 12_001
    assert pages == [5_000, 5_000, 2_001, 31]  # loss, then lr (10 + 10 + 10 + 1)
    assert tracking_module.SERIES_PAGE == 5_000

    only = client.get(url, params={"keys": "lr"}).json()
    assert only == {"series": {"lr": expected["series"]["lr"]}}


def test_an_unknown_run_is_a_404_before_anything_is_streamed(client):
    response = client.get("/api/v1/runs/nope/metrics")
    assert response.status_code == 404
    assert response.json()["error"]["field"] == "run_id"
