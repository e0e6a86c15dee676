"""Webhooks end to end, with real processes: `fitdoc serve` (uvicorn) and `fitdoc beat`
(the sweeper and the webhook deliveries, a Celery worker on `<queue>.control` and
`<queue>.hooks`) started by fitdoc.runtime, and a real HTTP receiver on 127.0.0.1; on the
embedded mode (SQLite, the filesystem broker) and on PostgreSQL + Redis.

- a run posted over HTTP that turns from healthy to overfitting gets exactly one signed
  `diagnosis.changed` delivery to overfitting (and the latency from the write that
  changed it is measured);
- a receiver that answers 500 twice gets the delivery on the third attempt, with the same
  X-Fitdoc-Delivery, after the backoff;
- events written by a process that did not dispatch them (it died first) are dispatched
  by the sweeper;
- the API stopped between the change and the delivery (no hooks consumer running while the
  change is made; the broker's messages kept, or lost) loses nothing: API + beat started
  again, the delivery arrives, once.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from fitdoc import runtime
from service.advisor import RunFacts, diagnose
from service.schemas import MetricPoint
from service.settings import Settings
from service.store import Stores, migrate
from service.webhooks import verify_signature
from tests.utils.live import HEALTHY_EPOCHS, OVERFIT_EPOCHS, OVERFIT_META, epoch_points
from tests.utils.receiver import Received, receiver
from tests.workers.conftest import REDIS_URL, _check_redis

pytestmark = pytest.mark.integration

SECRET = "lab-bot-secret"
# Short enough for a test: retries after 0.2 s, 0.4 s ...; the sweeper every second, and a
# due delivery's lost message sent again after a second.
FAST = {
    "sweep_seconds": 1.0,
    "webhook_backoff_seconds": 0.2,
    "webhook_resend_after_seconds": 1.0,
}


def make_settings(kind: str, tmp_path_factory, request) -> Settings:
    data_dir = tmp_path_factory.mktemp(f"hooks-{kind}")
    if kind == "sqlite":
        return runtime.embedded_settings(data_dir, **FAST)
    _check_redis()
    url = request.getfixturevalue("pg_databases").new()
    migrate.upgrade(url)
    return Settings(
        database_url=url, broker_url=REDIS_URL, data_dir=data_dir, port=runtime.free_port(),
        # queues of their own: nothing else on this Redis takes these messages
        queue=f"fitdoc-test-{uuid.uuid4().hex[:8]}", **FAST,
    )


@contextmanager
def running(settings: Settings, beat: bool = True) -> Iterator[str]:
    """The API (`fitdoc serve --no-worker`) and, with `beat`, `fitdoc beat`: in the
    embedded mode serve starts it itself, in production it is a process of its own."""
    with ExitStack() as stack:
        server = stack.enter_context(runtime.serve_process(settings, beat=beat))
        if beat and not settings.embedded:
            stack.enter_context(runtime.beat_process(settings))
        yield server.url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stack(request, tmp_path_factory) -> Iterator[tuple[Settings, str]]:
    settings = make_settings(request.param, tmp_path_factory, request)
    try:
        with running(settings) as url:
            warm_up(url)
            yield settings, url
    finally:
        runtime.purge_broker(settings)  # nothing of this test's queues stays in Redis


def warm_up(url: str) -> None:
    """One delivery through the new processes, so that the latency measured next is not
    that of a `fitdoc beat` still starting."""
    with receiver() as bot, httpx.Client(base_url=url, timeout=30) as client:
        webhook = make_webhook(client, bot.url, ["metrics.logged"], "warm-up")
        run_id = new_run(client, "warm-up")
        client.post(f"/api/v1/runs/{run_id}/metrics", json=epoch_points(0)).raise_for_status()
        bot.wait(lambda got: bot.ok(), timeout=60)
        client.delete(f"/api/v1/webhooks/{webhook['id']}").raise_for_status()


def make_webhook(client: httpx.Client, url: str, events: list[str], project: str) -> dict:
    made = client.post("/api/v1/webhooks", json={
        "url": url, "events": events, "project": project, "secret": SECRET,
    })
    assert made.status_code == 201, made.text
    return made.json()


def new_run(client: httpx.Client, project: str) -> str:
    made = client.post("/api/v1/runs", json={"project": project, "meta": OVERFIT_META})
    assert made.status_code == 201, made.text
    return made.json()["id"]


def post_epochs(client: httpx.Client, run_id: str) -> dict[int, float]:
    """Every epoch of the run that turns to overfitting, one POST each: the healthy ones,
    then (once the service has said healthy: diagnoses are debounced, and epochs posted
    back to back could be judged only at the end) the rest. Returns when each write had
    committed (its answer), by the run's metrics revision it made (1, 2, ...)."""
    written = {}
    for epoch in range(OVERFIT_EPOCHS):
        if epoch == HEALTHY_EPOCHS:
            deadline = time.monotonic() + 30
            while not [e for e in changes(client, run_id) if e["data"]["status"] == "healthy"]:
                assert time.monotonic() < deadline, changes(client, run_id)
                time.sleep(0.05)
        posted = client.post(f"/api/v1/runs/{run_id}/metrics", json=epoch_points(epoch))
        assert posted.status_code == 200, posted.text
        written[epoch + 1] = time.time()
    return written


def first_overfitting_revision() -> int:
    """The first revision (epochs posted) at which the advisor calls the curve
    overfitting."""
    series: dict[str, list[tuple[int, float]]] = {}
    for epoch in range(OVERFIT_EPOCHS):
        for point in epoch_points(epoch)["metrics"]:
            series.setdefault(point["key"], []).append((point["step"], point["value"]))
        facts = RunFacts(run_id="r", params={}, meta=OVERFIT_META, run_status="running")
        if diagnose(series, facts).status.value == "overfitting":
            return epoch + 1
    raise AssertionError("the advisor never calls the curve overfitting")


def deliveries(client: httpx.Client, webhook_id: str) -> list[dict]:
    got = client.get(f"/api/v1/webhooks/{webhook_id}/deliveries")
    assert got.status_code == 200, got.text
    return got.json()["items"]


def changes(client: httpx.Client, run_id: str) -> list[dict]:
    """The run's diagnosis.changed events in the log (GET /events as JSON)."""
    got = client.get("/api/v1/events", params={"run": run_id, "types": "diagnosis.changed",
                                                "limit": 1000})
    assert got.status_code == 200, got.text
    return got.json()["items"]


def to_overfitting(received: list[Received]) -> list[Received]:
    return [r for r in received if 200 <= r.status < 300
            and r.json["event"]["data"]["status"] == "overfitting"]


def awaited(bot, until, client: httpx.Client, webhook: dict, settings: Settings) -> None:
    """`bot.wait(until)`, failing with the webhook's deliveries and the end of the
    sweeper's log."""
    try:
        bot.wait(until, timeout=60)
    except AssertionError as missing:
        log = Path(settings.data_dir) / "beat.log"
        tail = log.read_text(errors="replace")[-4000:] if log.exists() else "(no beat.log)"
        raise AssertionError(f"{missing}\ndeliveries: {deliveries(client, webhook['id'])}"
                             f"\n{log}:\n{tail}") from None


def check_told_once(client: httpx.Client, bot, webhook: dict, run_id: str,
                    settings: Settings) -> Received:
    """Exactly one 2xx receipt of the change to overfitting; every receipt signed; one
    delivery per diagnosis.changed event of the run, each delivered once."""
    awaited(bot, to_overfitting, client, webhook, settings)
    time.sleep(2.5)  # two more sweeps: nothing is sent again
    [told] = to_overfitting(bot.got)
    for received in bot.got:
        assert verify_signature(SECRET, received.body, received.headers["X-Fitdoc-Signature"])
        assert received.headers["X-Fitdoc-Event"] == "diagnosis.changed"
        assert received.json["event"]["run_id"] == run_id
    body = told.json
    assert body["event"]["data"]["previous"]["status"] == "healthy"
    assert body["delivery_id"] == told.headers["X-Fitdoc-Delivery"]
    ok_ids = [r.headers["X-Fitdoc-Delivery"] for r in bot.ok()]
    assert len(ok_ids) == len(set(ok_ids)), "a delivery was made twice"
    logged = changes(client, run_id)
    assert [e["data"]["status"] for e in logged].count("overfitting") == 1
    made = {d["event_id"]: d for d in deliveries(client, webhook["id"])}
    assert set(made) == {e["id"] for e in logged}
    assert {d["status"] for d in made.values()} == {"delivered"}
    assert made[body["event"]["id"]]["id"] == body["delivery_id"]
    return told


def test_a_run_that_turns_to_overfitting_is_delivered_once_signed(stack, unique):
    settings, url = stack
    with receiver() as bot, httpx.Client(base_url=url, timeout=30) as client:
        project = f"turn-{unique}"
        webhook = make_webhook(client, bot.url, ["diagnosis.changed"], project)
        run_id = new_run(client, project)
        written = post_epochs(client, run_id)
        told = check_told_once(client, bot, webhook, run_id, settings)
    # The write that made the curve overfitting (the advisor on the same points) may be
    # earlier than the last one the service's diagnosis read (diagnoses are debounced):
    # the latency is from that write.
    first = first_overfitting_revision()
    rev = told.json["event"]["data"]["metrics_rev"]
    assert rev >= first
    latency = told.at - written[first]
    print(f"\nwebhook latency ({settings.resolved_database_url().split(':')[0]}): "
          f"{latency * 1000:.0f} ms from the write that made the run overfitting "
          f"(revision {first}; the diagnosis read revision {rev})")
    assert 0 < latency < 5, latency


def test_a_receiver_that_fails_twice_gets_it_on_the_third_attempt(stack, unique):
    settings, url = stack
    with receiver(answers=[500, 500]) as bot, httpx.Client(base_url=url, timeout=30) as client:
        project = f"retry-{unique}"
        webhook = make_webhook(client, bot.url, ["metrics.logged"], project)
        run_id = new_run(client, project)
        posted = client.post(f"/api/v1/runs/{run_id}/metrics", json=epoch_points(0))
        assert posted.status_code == 200, posted.text
        awaited(bot, lambda got: bot.ok(), client, webhook, settings)
        time.sleep(1.5)  # a sweep more: nothing is sent again
        [delivery] = deliveries(client, webhook["id"])
    assert [r.status for r in bot.got] == [500, 500, 200]
    assert {r.headers["X-Fitdoc-Delivery"] for r in bot.got} == {delivery["id"]}
    assert [r.json["attempt"] for r in bot.got] == [1, 2, 3]
    assert len({r.json["event"]["id"] for r in bot.got}) == 1
    # exponential backoff: 0.2 s, then 0.4 s (a countdown: not earlier)
    first, second = (bot.got[1].at - bot.got[0].at, bot.got[2].at - bot.got[1].at)
    assert first >= 0.19 and second >= 0.39, (first, second)
    assert (delivery["status"], delivery["attempts"], delivery["status_code"]) == (
        "delivered", 3, 200)
    assert delivery["last_error"] == "HTTP 500: no"


def overfitting_pending(client: httpx.Client, webhook_id: str, run_id: str) -> bool:
    """Whether the run's change to overfitting is recorded and its delivery made (and
    not delivered)."""
    told = [e["id"] for e in changes(client, run_id) if e["data"]["status"] == "overfitting"]
    made = {d["event_id"]: d["status"] for d in deliveries(client, webhook_id)}
    return bool(told) and made.get(told[0]) == "pending"


def test_events_no_process_dispatched_are_dispatched_by_the_sweeper(stack, unique):
    """Points written by a process without a Dispatcher (as one that died right after its
    commit): the sweeper makes and sends the delivery."""
    settings, url = stack
    with receiver() as bot, httpx.Client(base_url=url, timeout=30) as client:
        project = f"swept-{unique}"
        webhook = make_webhook(client, bot.url, ["metrics.logged"], project)
        run_id = new_run(client, project)
        stores = Stores.open(settings.resolved_database_url())  # no Dispatcher: not the API's
        assert not stores.events.appended
        stores.tracking.log_metrics(run_id, [MetricPoint(key="loss", step=0, value=1.0)])
        started = time.monotonic()
        awaited(bot, lambda got: bot.ok(), client, webhook, settings)
        waited = time.monotonic() - started
        deadline = time.monotonic() + 10
        while (delivery := deliveries(client, webhook["id"])[0])["status"] != "delivered":
            assert time.monotonic() < deadline, delivery  # recorded after the answer
            time.sleep(0.05)
    assert bot.got[0].json["event"]["type"] == "metrics.logged"
    assert bot.got[0].json["event"]["run_id"] == run_id
    assert delivery["status"] == "delivered" and delivery["attempts"] == 1
    assert waited < settings.sweep_seconds + 5, waited


def lose_messages(settings: Settings) -> int:
    """What a broker that restarted empty does: the hooks queue's messages are gone."""
    if settings.embedded:
        folder = Path(settings.data_dir) / "broker" / "queue"
        lost = list(folder.glob(f"*.{settings.hooks_queue}.msg"))
        for message in lost:
            message.unlink()
        return len(lost)
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"{settings.hooks_queue}*"))
        lost = sum(client.llen(key) for key in keys)
        if keys:
            client.delete(*keys)
        return lost
    finally:
        client.close()


# The broker keeps its messages (the filesystem's folder; Redis does too, untested here:
# each case costs ~30 s of process starts), or loses them (the outbox sends them again).
@pytest.mark.parametrize("messages, kind", [
    ("kept", "sqlite"), ("lost", "sqlite"), ("lost", "postgresql"),
])
def test_an_api_restart_between_the_change_and_the_delivery_loses_nothing(
    kind, messages, tmp_path_factory, request, unique
):
    settings = make_settings(kind, tmp_path_factory, request)
    try:
        with receiver() as bot:
            project = f"restart-{unique}"
            # 1. No hooks consumer: the change is made, its deliveries are made and queued
            # (or, on a broker that restarts empty, lost), nothing is delivered.
            with running(settings, beat=False) as url, \
                    httpx.Client(base_url=url, timeout=30) as client:
                webhook = make_webhook(client, bot.url, ["diagnosis.changed"], project)
                run_id = new_run(client, project)
                post_epochs(client, run_id)
                deadline = time.monotonic() + 30
                while not overfitting_pending(client, webhook["id"], run_id):
                    assert time.monotonic() < deadline, deliveries(client, webhook["id"])
                    time.sleep(0.1)
            assert bot.got == []
            if messages == "lost":
                assert lose_messages(settings) >= 1
            # 2. API and beat again: the delivery arrives, once.
            with running(settings) as url, httpx.Client(base_url=url, timeout=30) as client:
                check_told_once(client, bot, webhook, run_id, settings)
    finally:
        runtime.purge_broker(settings)
