from __future__ import annotations

import math
import random
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.utils.factories import make_run, points


def test_retried_batch_leaves_one_point_per_key_step(client, unique):
    run = make_run(client, f"retry-{unique}")
    batch = {"metrics": points("train_loss", range(100)) + points("val_loss", range(100))}
    for _ in range(3):
        response = client.post(f"/api/v1/runs/{run['id']}/metrics", json=batch)
        assert response.status_code == 200 and response.json() == {"accepted": 200}
    series = client.get(f"/api/v1/runs/{run['id']}/metrics").json()["series"]
    assert {k: len(v) for k, v in series.items()} == {"train_loss": 100, "val_loss": 100}
    assert [p["step"] for p in series["train_loss"]] == list(range(100))


def test_repeated_point_overwrites(client, unique):
    run = make_run(client, f"over-{unique}")
    url = f"/api/v1/runs/{run['id']}/metrics"
    client.post(url, json={"metrics": [{"key": "acc", "step": 3, "value": 0.5}]})
    client.post(url, json={"metrics": [{"key": "acc", "step": 3, "value": 0.75}]})
    assert client.get(url).json()["series"] == {"acc": [{"step": 3, "value": 0.75}]}


def test_non_finite_values_round_trip(client, unique):
    run = make_run(client, f"nan-{unique}")
    url = f"/api/v1/runs/{run['id']}/metrics"
    sent = [1.5, "NaN", "Infinity", "-Infinity", -0.25, 0]
    client.post(
        url, json={"metrics": [{"key": "loss", "step": i, "value": v} for i, v in enumerate(sent)]}
    )
    got = [p["value"] for p in client.get(url).json()["series"]["loss"]]
    assert got == [1.5, "NaN", "Infinity", "-Infinity", -0.25, 0.0]


def test_eight_threads_ten_thousand_points_each(live_url, unique):
    """8 clients x 10,000 points into one run, concurrently, over real HTTP."""
    run = httpx.post(f"{live_url}/api/v1/runs", json={"project": f"conc-{unique}"}).json()
    url = f"{live_url}/api/v1/runs/{run['id']}/metrics"

    def post_all(worker: int) -> list[int]:
        statuses = []
        with httpx.Client(timeout=120) as http:
            for chunk in range(10):  # 10 batches of 1,000
                steps = range(chunk * 1000, (chunk + 1) * 1000)
                batch = {"metrics": points(f"w{worker}", steps, lambda s: random.random())}
                statuses.append(http.post(url, json=batch).status_code)
        return statuses

    with ThreadPoolExecutor(8) as pool:
        statuses = [s for result in pool.map(post_all, range(8)) for s in result]
    assert statuses == [200] * 80

    series = httpx.get(url, timeout=60).json()["series"]
    assert sum(len(v) for v in series.values()) == 80_000
    assert all(len(series[f"w{w}"]) == 10_000 for w in range(8))


def test_keys_filter_and_downsampling_keeps_extremes(client, unique):
    run = make_run(client, f"down-{unique}")
    url = f"/api/v1/runs/{run['id']}/metrics"
    values = [math.sin(s / 50) for s in range(2000)]
    values[777] = 50.0  # a spike
    values[1500] = float("nan")  # a blow-up
    batch = [
        {"key": "loss", "step": s, "value": "NaN" if math.isnan(v) else v}
        for s, v in enumerate(values)
    ]
    client.post(url, json={"metrics": batch + points("lr", range(10))})

    only_loss = client.get(url, params={"keys": "loss", "max_points": 100}).json()["series"]
    assert list(only_loss) == ["loss"]
    loss = only_loss["loss"]
    assert 50 <= len(loss) <= 100
    steps = [p["step"] for p in loss]
    assert steps == sorted(steps) and steps[0] == 0 and steps[-1] == 1999
    assert {"step": 777, "value": 50.0} in loss
    assert {"step": 1500, "value": "NaN"} in loss
    assert min(p["value"] for p in loss if p["value"] != "NaN") <= -0.999

    both = client.get(url, params={"keys": "loss,lr"}).json()["series"]
    assert len(both["loss"]) == 2000 and len(both["lr"]) == 10


def test_downsampling_reads_the_series_a_page_at_a_time(client, unique, monkeypatch):
    """A series longer than the store's page (SERIES_PAGE) is downsampled from its pages,
    never read whole, to what the rule gives for the whole series."""
    from service.downsample import downsample
    from service.store.tracking import SERIES_PAGE, TrackingStore

    run = make_run(client, f"pages-{unique}")
    url = f"/api/v1/runs/{run['id']}/metrics"
    n = 2 * SERIES_PAGE + 1234
    rng = random.Random(7)
    values = [rng.gauss(0, 1) for _ in range(n)]
    values[SERIES_PAGE + 3] = 40.0  # a spike past the first page
    for start in range(0, n, 5000):
        batch = [{"key": "loss", "step": s, "value": values[s]}
                 for s in range(start, min(n, start + 5000))]
        assert client.post(url, json={"metrics": batch}).status_code == 200
    client.post(url, json={"metrics": points("lr", range(3))})
    whole = client.get(url).json()["series"]

    def whole_read(*args, **kwargs):
        raise AssertionError("read_series holds the whole series")

    monkeypatch.setattr(TrackingStore, "read_series", whole_read)
    got = client.get(url, params={"max_points": 500}).json()["series"]
    assert list(got) == ["loss", "lr"] and got["lr"] == whole["lr"]
    expected = downsample([(p["step"], p["value"]) for p in whole["loss"]], 500)
    assert [(p["step"], p["value"]) for p in got["loss"]] == expected
    assert len(got["loss"]) <= 500 and {"step": SERIES_PAGE + 3, "value": 40.0} in got["loss"]
