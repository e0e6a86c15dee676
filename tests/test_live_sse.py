"""The live path end to end, with real uvicorn servers (`fitdoc serve` processes): metric
points posted over HTTP, diagnosis on write in the API process, the event log, and GET
/api/v1/events as server-sent events read by an SSE client, on the embedded SQLite and
on PostgreSQL (two API processes over one database)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import create_engine, text

from fitdoc import runtime
from service.settings import Settings
from service.store import migrate
from tests.utils.live import (
    EVENTS,
    HEALTHY_EPOCHS,
    OVERFIT_EPOCHS,
    epoch_points,
    new_run,
    open_stream,
    post_epochs,
    read_log,
    settle,
)

pytestmark = pytest.mark.integration


@dataclass
class PgApis:
    database_url: str
    urls: list[str]


@pytest.fixture(scope="module")
def pg_apis(tmp_path_factory, pg_databases) -> Iterator[PgApis]:
    """Two API processes (`fitdoc serve --no-worker`) over one PostgreSQL database."""
    url = pg_databases.new()
    migrate.upgrade(url)
    with ExitStack() as stack:
        servers = [
            stack.enter_context(runtime.serve_process(Settings(
                database_url=url, data_dir=tmp_path_factory.mktemp("pg-api"),
                port=runtime.free_port(), sse_ping_seconds=0.5,
            )))
            for _ in range(2)
        ]
        yield PgApis(url, [server.url for server in servers])


@pytest.fixture(params=["sqlite", "postgresql"])
def api(request) -> str:
    """The URL of a real API server: the embedded one, or the first PostgreSQL one."""
    if request.param == "sqlite":
        return request.getfixturevalue("embedded_api").url
    return request.getfixturevalue("pg_apis").urls[0]


def http(url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=url, timeout=30)


def test_a_run_that_turns_to_overfitting_is_told_once(api, unique):
    """Per-epoch points posted over HTTP: the API's Diagnoser re-diagnoses the run after
    each write, and a stream of the run's events gets exactly one diagnosis.changed to
    overfitting, from healthy, and every metrics.logged in order."""

    async def scenario():
        async with http(api) as client:
            run_id = await new_run(client, f"turn-{unique}")
            stream = await open_stream(client, run=run_id, after=0)
            # A run is diagnosed at most once per FITDOC_DIAGNOSE_INTERVAL_SECONDS: epochs
            # posted back to back may skip a status. The healthy first half is told first.
            await post_epochs(client, run_id, range(HEALTHY_EPOCHS))
            await stream.wait(lambda s: any(
                change["data"]["status"] == "healthy"
                for change in s.of_type("diagnosis.changed")
            ))
            await post_epochs(client, run_id, range(HEALTHY_EPOCHS, OVERFIT_EPOCHS))
            await stream.wait(lambda s: any(
                change["data"]["status"] == "overfitting"
                for change in s.of_type("diagnosis.changed")
            ))
            await settle(client, stream, run=run_id)  # and no second one comes
            await stream.close()
            return stream

    stream = asyncio.run(scenario())
    changes = [change["data"] for change in stream.of_type("diagnosis.changed")]
    statuses = [change["status"] for change in changes]
    assert statuses.count("overfitting") == 1 and statuses[-2:] == ["healthy", "overfitting"]
    assert [change["previous"]["status"] for change in changes] == [None, *statuses[:-1]]
    assert changes[-1]["summary"] and changes[-1]["metrics_rev"] >= 1
    logged = stream.of_type("metrics.logged")
    assert [event["data"]["last_step"] for event in logged] == list(range(OVERFIT_EPOCHS))
    assert logged[0]["data"]["keys"] == ["loss", "val_loss"]
    assert stream.ids == sorted(set(stream.ids))


def test_a_stream_resumed_with_last_event_id_gets_exactly_what_it_missed(api, unique):
    """Disconnect, write more points, a new run and a status change, reconnect with
    Last-Event-ID: the events received are the log after that id (its JSON page), no
    duplicate, no gap; the two connections together are the whole log."""
    project = f"resume-{unique}"

    async def scenario():
        async with http(api) as client:
            first_run = await new_run(client, project)
            await post_epochs(client, first_run, range(5))
            before = await open_stream(client, project=project, after=0)
            await before.wait(lambda s: len(s.of_type("metrics.logged")) == 5)
            await settle(client, before, project=project)
            await before.close()
            last_id = before.ids[-1]

            await post_epochs(client, first_run, range(5, OVERFIT_EPOCHS))
            second_run = await new_run(client, project)
            await post_epochs(client, second_run, range(12))
            done = await client.patch(f"/api/v1/runs/{first_run}", json={"status": "finished"})
            assert done.status_code == 200, done.text

            after = await open_stream(client, last_event_id=last_id, project=project)
            missed = await settle(client, after, after=last_id, project=project)
            everything = await read_log(client, project=project)
            await after.close()
            return before, after, missed, everything, (first_run, second_run)

    before, after, missed, everything, (first_run, second_run) = asyncio.run(scenario())
    assert after.events == missed and missed[0]["id"] > before.ids[-1]
    assert before.events + after.events == everything
    logged = [(e["run_id"], e["data"]["last_step"]) for e in after.of_type("metrics.logged")]
    assert logged == [(first_run, step) for step in range(5, OVERFIT_EPOCHS)] + [
        (second_run, step) for step in range(12)
    ]
    assert [(e["run_id"], e["data"]) for e in after.of_type("run.status")] == [
        (first_run, {"status": "finished", "previous": "running"})
    ]


def test_a_new_stream_starts_at_the_end_of_the_log(embedded_api, unique):
    """A stream without Last-Event-ID gets what happens from now on, not what was written
    while nobody was listening."""

    async def scenario():
        async with http(embedded_api.url) as client:
            run_id = await new_run(client, f"now-{unique}")
            # a stream that comes and goes, then writes with no stream open
            early = await open_stream(client, run=run_id, after=0)
            await early.close()
            await post_epochs(client, run_id, range(10))
            await asyncio.sleep(0.5)
            stream = await open_stream(client, run=run_id)
            step = 10
            # the subscription is made once the response has begun: write until it sees one
            while not stream.of_type("metrics.logged"):
                await post_epochs(client, run_id, range(step, step + 1))
                step += 1
                await asyncio.sleep(0.2)
            await stream.close()
            return stream

    stream = asyncio.run(scenario())
    assert all(event["data"]["first_step"] >= 10 for event in stream.of_type("metrics.logged"))


def test_an_idle_stream_gets_heartbeats(embedded_api, unique):
    """FITDOC_SSE_PING_SECONDS=0.5: a stream with nothing to say sends comment lines."""

    async def scenario():
        lines = []
        async with http(embedded_api.url) as client:
            run_id = await new_run(client, f"idle-{unique}")
            # A new run is diagnosed once (insufficient_data), a moment after its creation,
            # by diagnosis on write: let that event pass before the stream opens, or a slow
            # machine tells it on the stream (a clean-clone CI run did).
            for _ in range(100):
                told = await read_log(client, run=run_id)
                if any(event["type"] == "diagnosis.changed" for event in told):
                    break
                await asyncio.sleep(0.1)
            async with client.stream("GET", EVENTS, params={"run": run_id},
                                     headers={"Accept": "text/event-stream"}) as response:
                assert response.headers["content-type"].startswith("text/event-stream")

                async def read() -> None:
                    async for line in response.aiter_lines():
                        lines.append(line)

                try:
                    await asyncio.wait_for(read(), 2.5)
                except TimeoutError:
                    pass
        return lines

    lines = asyncio.run(scenario())
    comments = [line for line in lines if line.startswith(":")]
    assert len(comments) >= 2, lines
    assert not [line for line in lines if line.startswith(("data:", "id:", "event:"))], lines


WRITERS = 6


def test_concurrent_writers_reach_a_subscriber_once_and_in_order(pg_apis, unique):
    """PostgreSQL, two API processes: writer threads post epochs of their own runs to
    either process at once (and end them), while a subscriber streams every event from
    the first: it receives each exactly once, in increasing id order, and the same events
    as a final JSON read of the log, from either process (ids are commit-ordered)."""
    first, second = pg_apis.urls

    def write(n: int) -> str:
        with httpx.Client(timeout=30) as client:
            made = client.post(f"{pg_apis.urls[n % 2]}/api/v1/runs",
                               json={"project": f"busy-{unique}"})
            run_id = made.json()["id"]
            for epoch in range(OVERFIT_EPOCHS):
                url = f"{pg_apis.urls[(n + epoch) % 2]}/api/v1/runs/{run_id}/metrics"
                assert client.post(url, json=epoch_points(epoch)).status_code == 200
            done = client.patch(f"{pg_apis.urls[n % 2]}/api/v1/runs/{run_id}",
                                json={"status": "finished"})
            assert done.status_code == 200, done.text
            return run_id

    async def scenario():
        async with http(first) as client, http(second) as other:
            old = await read_log(client)
            start = old[-1]["id"] if old else 0
            stream = await open_stream(client, after=start)
            run_ids = await asyncio.gather(
                *(asyncio.to_thread(write, n) for n in range(WRITERS))
            )
            log = await settle(client, stream, after=start)
            await stream.close()
            return stream, log, await read_log(other, after=start), run_ids

    stream, log, log_elsewhere, run_ids = asyncio.run(scenario())
    assert stream.ids == sorted(set(stream.ids)) and stream.events == log == log_elsewhere
    for run_id in run_ids:
        events = [e for e in stream.events if e["run_id"] == run_id]
        steps = [e["data"]["last_step"] for e in events if e["type"] == "metrics.logged"]
        assert steps == list(range(OVERFIT_EPOCHS)), (run_id, steps)
        assert events[-1]["type"] in ("run.status", "diagnosis.changed")
        assert [e["data"]["status"] for e in events if e["type"] == "run.status"] == ["finished"]
        assert any(e["data"]["status"] == "overfitting"
                   for e in events if e["type"] == "diagnosis.changed")
    # How often an event got its id before another's but committed after it (what the
    # sequencer's commit order is for): printed, as the scheduler decides it.
    engine = create_engine(pg_apis.database_url)
    try:
        with engine.connect() as conn:
            inversions = conn.execute(text(
                "SELECT count(*) FROM events a JOIN events b "
                "ON a.id < b.id AND a.position > b.position WHERE a.position > :start"
            ), {"start": start_of(log)}).scalar()
    finally:
        engine.dispose()
    print(f"{len(log)} events from {WRITERS} writers; {inversions} pairs numbered out of "
          "id order (committed out of order)")


def start_of(log: list[dict]) -> int:
    return log[0]["id"] - 1 if log else 0

