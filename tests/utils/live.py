"""For the tests of the live path (tests/test_live_sse.py, tests/test_watch.py): a run's
per-epoch curves that turn from healthy to overfitting, server-sent event streams read in
asyncio tasks, and the event log read as JSON pages."""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from httpx_sse import aconnect_sse

EVENTS = "/api/v1/events"
# A 10-class classifier planned for 30 epochs: the advisor judges a val_loss that rises
# while the training loss falls as overfitting (not a run that is still warming up).
OVERFIT_META = {"task": "classification", "num_classes": 10, "planned_epochs": 30}
HEALTHY_EPOCHS = 10  # both losses fall
OVERFIT_EPOCHS = 20  # then val_loss rises for 10 epochs while loss keeps falling


def _train_loss(epoch: int) -> float:
    return 2.3 * math.exp(-epoch / 6) + 0.05


def _val_loss(epoch: int) -> float:
    if epoch < HEALTHY_EPOCHS:
        return _train_loss(epoch) + 0.1
    return _val_loss(HEALTHY_EPOCHS - 1) + 0.04 * (epoch - HEALTHY_EPOCHS + 1) ** 1.2


def epoch_points(epoch: int) -> dict[str, Any]:
    """The body of POST /runs/{id}/metrics for one epoch of a run that overfits from
    epoch HEALTHY_EPOCHS on (the advisor says so a few epochs later)."""
    return {"metrics": [
        {"key": "loss", "step": epoch, "value": _train_loss(epoch)},
        {"key": "val_loss", "step": epoch, "value": _val_loss(epoch)},
    ]}


async def new_run(client: httpx.AsyncClient, project: str, **extra: Any) -> str:
    made = await client.post("/api/v1/runs",
                             json={"project": project, "meta": OVERFIT_META, **extra})
    assert made.status_code == 201, made.text
    return made.json()["id"]


async def post_epochs(client: httpx.AsyncClient, run_id: str, epochs: range) -> None:
    for epoch in epochs:
        posted = await client.post(f"/api/v1/runs/{run_id}/metrics", json=epoch_points(epoch))
        assert posted.status_code == 200, posted.text


async def read_log(client: httpx.AsyncClient, after: int = 0, **params: str) -> list[dict]:
    """Every event of the log after `after` (the filters in `params`), page by page."""
    events: list[dict] = []
    while True:
        page = await client.get(EVENTS, params={**params, "after": after, "limit": 1000})
        assert page.status_code == 200, page.text
        body = page.json()
        events += body["items"]
        if not body["items"]:
            return events
        after = body["last_id"]


@dataclass(eq=False)
class Stream:
    """A server-sent events stream of GET /api/v1/events, read by a task: its events (the
    JSON of each, with the SSE id and event name checked against it) as they come."""

    events: list[dict] = field(default_factory=list)
    task: asyncio.Task | None = None

    @property
    def ids(self) -> list[int]:
        return [event["id"] for event in self.events]

    def of_type(self, type: str) -> list[dict]:
        return [event for event in self.events if event["type"] == type]

    async def wait(self, done: Callable[[Stream], bool], timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not done(self):
            assert self.task is not None
            if self.task.done():
                self.task.result()  # its error, if it had one
                raise AssertionError("the stream ended")
            assert time.monotonic() < deadline, f"not within {timeout} s: {self.events}"
            await asyncio.sleep(0.02)

    async def close(self) -> None:
        assert self.task is not None
        self.task.cancel()
        try:
            await self.task
        except asyncio.CancelledError:
            pass


async def open_stream(
    client: httpx.AsyncClient, last_event_id: int | None = None, **params: Any
) -> Stream:
    """Start reading GET /api/v1/events as server-sent events (`params`: project, run,
    types, after); returns once the response's headers have come."""
    stream = Stream()
    headers = {} if last_event_id is None else {"Last-Event-ID": str(last_event_id)}
    connected = asyncio.get_running_loop().create_future()

    async def read() -> None:
        try:
            async with aconnect_sse(client, "GET", EVENTS, params=params,
                                    headers=headers) as source:
                source.response.raise_for_status()
                connected.set_result(None)
                async for sse in source.aiter_sse():
                    if not sse.data:  # httpx_sse's reading of a heartbeat (a comment line)
                        continue
                    event = json.loads(sse.data)
                    assert (sse.id, sse.event) == (str(event["id"]), event["type"]), sse
                    stream.events.append(event)
        except BaseException as exc:
            if not connected.done():
                connected.set_exception(exc)
            raise

    stream.task = asyncio.create_task(read())
    await asyncio.wait_for(connected, 30)
    return stream


async def settle(
    client: httpx.AsyncClient, stream: Stream, after: int = 0, quiet: float = 1.0,
    timeout: float = 60, **params: str,
) -> list[dict]:
    """Wait until what `stream` received equals the log after `after` read as JSON (same
    filters) and neither has changed for `quiet` seconds (the diagnoses that follow the
    last write have been made); returns that log."""
    deadline = time.monotonic() + timeout
    same_since, last = None, None
    while True:
        log = await read_log(client, after, **params)
        now = time.monotonic()
        state = ([event["id"] for event in log], stream.ids)
        if state[0] == state[1] and state == last:
            if now - same_since >= quiet:
                return log
        else:
            same_since, last = now, state
        assert now < deadline, (
            f"the stream and the log differ after {timeout} s:\nlog    {state[0]}\n"
            f"stream {state[1]}"
        )
        await asyncio.sleep(0.1)
