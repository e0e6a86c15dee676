"""The event log: one table (`events`) that every event leaves through, written in the
transaction of the change it reports (the outbox pattern), read in `position` order by the
server-sent events stream and the webhook dispatcher.

Order. A reader resumes "after position N" (SSE's Last-Event-ID, the dispatcher's cursor),
so a position must never be given to an event that becomes visible after a reader has
passed it:
- SQLite serialises writers (every write transaction takes the lock at BEGIN), so the
  position is set at insert: the next after the largest.
- PostgreSQL hands out ids before commit and commits in any order, so an event with a
  smaller id can become visible after one with a larger id has been read. Its position
  stays NULL until `sequence` numbers the committed, unnumbered events in id order; one
  process at a time does it (an advisory lock), every reader calls it before it reads.
  Events of one run are written after its row lock is taken (every writer of a run takes
  it first), so their ids, and positions, follow the order of the changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, text, update

from service.schemas import Event, EventType
from service.store.db import Database, Tx, aware, utcnow
from service.store.models import EventCursorRow, EventRow, ProjectRow, RunRow

# pg_advisory lock key of the sequencer ("fitd" in ASCII)
SEQUENCER_LOCK = 0x66697464
# Events numbered per sequencer pass; the rest wait for the next pass.
SEQUENCE_BATCH = 10_000

_SEQUENCE = text(
    "WITH todo AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM events "
    "WHERE position IS NULL ORDER BY id LIMIT :batch), "
    "base AS (SELECT COALESCE(MAX(position), 0) AS p FROM events) "
    "UPDATE events SET position = base.p + todo.n FROM todo, base WHERE events.id = todo.id"
)


# An event's insert, built once (every metric batch appends one: building the statement
# each time cost more than running it). On SQLite the position is set at insert.
_EVENTS = EventRow.__table__
_APPEND = insert(_EVENTS)
_APPEND_SQLITE = insert(_EVENTS).values(
    position=select(func.coalesce(func.max(_EVENTS.c.position), 0) + 1).scalar_subquery()
)


class EventStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        # Called (no arguments) once a transaction that appended an event has committed:
        # a process's event hub wakes at once instead of at its next poll.
        self.appended: list[Callable[[], None]] = []

    def append(
        self,
        tx: Tx,
        type: EventType,
        project_id: str,
        data: dict[str, Any],
        *,
        run_id: str | None = None,
        job_id: str | None = None,
    ) -> None:
        """Record an event in `tx`, the transaction of the change it reports."""
        tx.execute(_APPEND_SQLITE if self.db.is_sqlite else _APPEND, {
            "type": type.value, "project_id": project_id, "run_id": run_id, "job_id": job_id,
            "data": data, "created_at": utcnow(),
        })
        if self.appended and not tx.info.get("fitdoc.event_callback"):
            tx.info["fitdoc.event_callback"] = True
            self.db.after_commit(tx, self._announce)

    def _announce(self) -> None:
        for callback in self.appended:
            callback()

    def project_of_run(self, tx: Tx, run_id: str) -> str:
        """The project id of a run, for an event about it."""
        return tx.scalar(select(RunRow.project_id).where(RunRow.id == run_id))

    def sequence(self) -> int:
        """Number the committed events that have no position yet, in id order (PostgreSQL;
        SQLite numbers them at insert). Returns how many. One process at a time: a caller
        waits for another's pass (milliseconds), so once it returns every event that had
        committed when it was called has its position (a reader sees its own writes)."""
        if self.db.is_sqlite:
            return 0
        with self.db.read() as tx:
            waiting = tx.scalar(select(EventRow.id).where(EventRow.position.is_(None)).limit(1))
        if waiting is None:
            return 0
        with self.db.write() as tx:
            tx.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEQUENCER_LOCK})
            return tx.execute(_SEQUENCE, {"batch": SEQUENCE_BATCH}).rowcount

    def read_after(
        self,
        position: int,
        *,
        project_ids: Iterable[str] | None = None,
        run_id: str | None = None,
        types: Iterable[EventType] | None = None,
        limit: int = 500,
        tx: Tx | None = None,
    ) -> list[Event]:
        """Events after `position`, in order, at most `limit`, of the given projects, run
        and types (None: any)."""
        query = self._after(position, limit)
        if project_ids is not None:
            query = query.where(EventRow.project_id.in_(list(project_ids)))
        if run_id is not None:
            query = query.where(EventRow.run_id == run_id)
        if types is not None:
            query = query.where(EventRow.type.in_([t.value for t in types]))
        with self.db.read(tx) as tx:
            return [_event(row, name) for row, name in tx.execute(query).all()]

    def read_all_after(self, position: int, limit: int = 500) -> list[tuple[Event, str]]:
        """Every event after `position`, in order, at most `limit`, with its project's id
        (for a reader that filters them itself)."""
        with self.db.read() as tx:
            rows = tx.execute(self._after(position, limit)).all()
        return [(_event(row, name), row.project_id) for row, name in rows]

    @staticmethod
    def _after(position: int, limit: int):  # type: ignore[no-untyped-def]
        return (
            select(EventRow, ProjectRow.name)
            .join(ProjectRow, ProjectRow.id == EventRow.project_id)
            .where(EventRow.position > position)
            .order_by(EventRow.position)
            .limit(limit)
        )

    def last_position(self, tx: Tx | None = None) -> int:
        """The position of the last event readers can see (0: none)."""
        with self.db.read(tx) as tx:
            return tx.scalar(select(func.coalesce(func.max(EventRow.position), 0)))

    def end(self) -> int:
        """Where the log ends now: every event committed before the call numbered
        (`sequence`), the last one's position (0: none)."""
        self.sequence()
        return self.last_position()

    # --- consumers' cursors -----------------------------------------------------------------

    def cursor(self, name: str, tx: Tx, start: int | None = None) -> int:
        """Where consumer `name` has read to, its row locked for the rest of `tx` (one
        consumer of that name at a time). A new consumer starts at `start` (default: the
        log's end: it is told of what happens from now on)."""
        row = tx.get(EventCursorRow, name, with_for_update=True)
        if row is None:
            at = self.last_position(tx) if start is None else start
            tx.execute(self.db.insert(EventCursorRow).values(name=name, position=at)
                       .on_conflict_do_nothing(index_elements=[EventCursorRow.name]))
            row = tx.get(EventCursorRow, name, with_for_update=True)
        return row.position

    def move_cursor(self, name: str, position: int, tx: Tx) -> None:
        tx.execute(update(EventCursorRow).where(EventCursorRow.name == name)
                   .values(position=position))

    # --- retention ----------------------------------------------------------------------------

    def prune(self, before: datetime, keep_after: int | None = None) -> int:
        """Delete events recorded before `before` (and, with `keep_after`, only those at or
        below that position: what every consumer has read)."""
        stmt = delete(EventRow).where(EventRow.created_at < before,
                                      EventRow.position.is_not(None))
        if keep_after is not None:
            stmt = stmt.where(EventRow.position <= keep_after)
        with self.db.write() as tx:
            return tx.execute(stmt).rowcount


def _event(row: EventRow, project: str) -> Event:
    return Event(
        id=row.position, type=EventType(row.type), project=project, run_id=row.run_id,
        job_id=row.job_id, data=row.data, created_at=aware(row.created_at),
    )
