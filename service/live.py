"""Live events for the server-sent events stream: one reader of the event log per API
process (`EventHub`), fanning what it reads out to that process's subscribers.

The hub reads the log after the last position it has seen, every `event_poll_seconds`
and at once when this process commits an event (`EventStore.appended`), so the cost of a
subscriber is a queue, not a query: 1,000 open streams cost one read per poll. A stream
starts at a position (SSE's Last-Event-ID, or where the log ended when its request came):
it reads what came after it from the log itself, then takes the hub's events, skipping
those it has already sent; one that falls more than `QUEUE` events behind reads the log
again from where it was.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import anyio

from service.schemas import Event, EventType
from service.store import EventStore

log = logging.getLogger("fitdoc.live")

QUEUE = 1000  # events a subscriber may fall behind the hub before it reads the log itself
PAGE = 500  # events per read of the log


@dataclass(frozen=True)
class EventFilter:
    """Which events a subscriber wants (None: any)."""

    project_ids: frozenset[str] | None = None
    run_id: str | None = None
    types: frozenset[EventType] | None = None

    def wants(self, event: Event, project_id: str) -> bool:
        return (
            (self.project_ids is None or project_id in self.project_ids)
            and (self.run_id is None or event.run_id == self.run_id)
            and (self.types is None or event.type in self.types)
        )

    def read(self, events: EventStore, after: int, limit: int = PAGE) -> list[Event]:
        return events.read_after(
            after, project_ids=self.project_ids, run_id=self.run_id, types=self.types,
            limit=limit,
        )


@dataclass(eq=False)
class Subscription:
    filter: EventFilter
    queue: asyncio.Queue[Event] = field(default_factory=lambda: asyncio.Queue(QUEUE))
    behind: bool = False  # the queue overflowed: read the log again

    def offer(self, event: Event) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.behind = True


class EventHub:
    def __init__(self, events: EventStore, poll_seconds: float) -> None:
        self.events = events
        self.poll_seconds = poll_seconds
        self.position = 0  # the last position read
        self.subscribers: set[Subscription] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    async def subscribe(self, wanted: EventFilter) -> Subscription:
        """A new subscription: the hub hands it the events it reads from now on."""
        await self._start()
        if not self.subscribers:
            # The hub reads the log only for subscribers: with none it has not read it
            # since, and "from now on" is the log's end, not where the hub stopped.
            end = await anyio.to_thread.run_sync(self.events.end)
            if not self.subscribers:  # still none: none was handed the old position
                self.position = max(self.position, end)
        subscription = Subscription(wanted)
        self.subscribers.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self.subscribers.discard(subscription)

    def wake(self) -> None:
        """Read the log now (thread-safe: called once a transaction with events commits)."""
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(wake.set)
            except RuntimeError:  # the loop closed meanwhile
                pass

    async def _start(self) -> None:
        loop = asyncio.get_running_loop()
        if self._task is not None and self._loop is loop and not self._task.done():
            return
        self._loop, self._wake = loop, asyncio.Event()
        self._task = loop.create_task(self._run(), name="fitdoc-event-hub")

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            except TimeoutError:
                pass
            self._wake.clear()
            if not self.subscribers:
                continue
            try:
                fresh = await anyio.to_thread.run_sync(self._read)
            except Exception:  # noqa: BLE001 - the database is away: try at the next poll
                log.exception("reading the event log failed")
                continue
            for event, project_id in fresh:
                if event.id <= self.position:  # a read that began before a subscribe's
                    continue
                for subscription in list(self.subscribers):
                    if subscription.filter.wants(event, project_id):
                        subscription.offer(event)
                self.position = event.id

    def _read(self) -> list[tuple[Event, str]]:
        self.events.sequence()
        out: list[tuple[Event, str]] = []
        position = self.position
        while True:
            page = self.events.read_all_after(position, PAGE)
            out.extend(page)
            if len(page) < PAGE:
                return out
            position = page[-1][0].id

    async def stream(self, wanted: EventFilter, after: int) -> AsyncIterator[Event]:
        """The events `wanted` after position `after`: from the log, then live."""
        subscription = await self.subscribe(wanted)
        try:
            last = after
            async for event in self._replay(wanted, last):
                last = event.id
                yield event
            while True:
                if subscription.behind:
                    subscription.behind = False
                    subscription.queue = asyncio.Queue(QUEUE)
                    async for event in self._replay(wanted, last):
                        last = event.id
                        yield event
                    continue
                event = await subscription.queue.get()
                if event.id > last:
                    last = event.id
                    yield event
        finally:
            self.unsubscribe(subscription)

    async def _replay(self, wanted: EventFilter, after: int) -> AsyncIterator[Event]:
        while True:
            page = await anyio.to_thread.run_sync(wanted.read, self.events, after)
            for event in page:
                yield event
            if len(page) < PAGE:
                return
            after = page[-1].id
