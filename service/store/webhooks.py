"""Webhooks and their deliveries: the subscribers, and the delivery outbox.

A delivery is one event for one webhook, made by `dispatch` from the event log (under the
`webhooks` cursor's row lock, so each (webhook, event) pair is made once) and sent by a
Celery task. Its row is the source of truth: `claim` takes an attempt (a delivery that is
pending and due: its `next_attempt_at` is pushed past the attempt's end, so a second copy
of its message finds it not due), `record` writes the outcome; a due delivery whose
message was never sent or was lost is sent again by the sweeper (`due_for_sending`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, or_, select, update

from service.errors import NotFound
from service.schemas import (
    DeliveryStatus,
    Event,
    EventType,
    Page,
    Webhook,
    WebhookCreate,
    WebhookDelivery,
)
from service.store.db import Database, Tx, aware, found, to_model, utcnow
from service.store.events import EventStore
from service.store.models import (
    DeliveryRow,
    EventCursorRow,
    EventRow,
    ProjectRow,
    TokenRow,
    WebhookRow,
    new_id,
)
from service.store.tracking import TrackingStore, decode_cursor, page_of

CURSOR = "webhooks"  # the dispatcher's cursor in event_cursors
PAGE = 500  # events read per step of a dispatch
# How long a process trusts what it last read of the event types webhooks want (its own
# changes take effect at once; another process's webhook within this long).
WANTED_SECONDS = 1.0


@dataclass(frozen=True)
class Target:
    """What an attempt needs: where to POST, the secret to sign with, the event."""

    delivery_id: str
    webhook_id: str
    url: str
    secret: str
    attempt: int  # this attempt's number, from 1
    event: Event


class WebhookStore:
    def __init__(self, db: Database, tracking: TrackingStore, events: EventStore) -> None:
        self.db = db
        self.tracking = tracking
        self.events = events
        self._wanted: tuple[list[str], float] | None = None  # (types, until)
        self._changes = 0  # webhooks made or deleted by this process

    # --- the webhooks ---------------------------------------------------------------------

    def create(
        self, body: WebhookCreate, project: str | None, created_by: str | None = None,
        tx: Tx | None = None,
    ) -> Webhook:
        """A new webhook of `project` (name or id; made if new; None: every project). It
        is told of events recorded from now on."""
        with self.db.write(tx) as tx:
            project_id, name = self.tracking.project_for(tx, project) if project else (None, None)
            # The dispatcher's cursor exists from the first webhook on (at the log's end),
            # so no event recorded after this one is passed over.
            self.events.cursor(CURSOR, tx)
            row = WebhookRow(
                id=new_id(),
                project_id=project_id,
                url=body.url,
                events=list(dict.fromkeys(t.value for t in body.events)),
                secret=body.secret,
                created_by=created_by,
                created_at=utcnow(),
            )
            tx.add(row)
            tx.flush()
            self.db.after_commit(tx, self._forget_wanted)
        return _webhook(row, name)

    def get(self, webhook_id: str, tx: Tx | None = None) -> Webhook:
        with self.db.read(tx) as tx:
            row, name = found(tx.execute(_query().where(WebhookRow.id == webhook_id)).first(),
                              "webhook", webhook_id)
        return _webhook(row, name)

    def list(
        self, limit: int, cursor: str | None = None, project: str | None = None
    ) -> Page[Webhook]:
        """Newest first; `project` (name or id): only its webhooks (NotFound if unknown)."""
        query = _query().order_by(WebhookRow.id.desc())
        if cursor:
            query = query.where(WebhookRow.id < decode_cursor(cursor))
        with self.db.read() as tx:
            if project is not None:
                project_id = self.tracking.get_project(project, tx).id
                query = query.where(WebhookRow.project_id == project_id)
            rows = tx.execute(query.limit(limit + 1)).all()
        return page_of([_webhook(row, name) for row, name in rows], limit)

    def delete(self, webhook_id: str, tx: Tx | None = None) -> None:
        """The webhook and its deliveries (a message still queued for one finds nothing)."""
        with self.db.write(tx) as tx:
            gone = tx.execute(delete(WebhookRow).where(WebhookRow.id == webhook_id))
            if not gone.rowcount:
                raise NotFound.missing("webhook", webhook_id)
            self.db.after_commit(tx, self._forget_wanted)

    def deliveries(
        self, webhook_id: str, limit: int, cursor: str | None = None
    ) -> Page[WebhookDelivery]:
        """The webhook's deliveries, newest first."""
        query = (
            select(DeliveryRow).where(DeliveryRow.webhook_id == webhook_id)
            .order_by(DeliveryRow.id.desc())
        )
        if cursor:
            query = query.where(DeliveryRow.id < decode_cursor(cursor))
        with self.db.read() as tx:
            rows = tx.scalars(query.limit(limit + 1)).all()
        return page_of([_delivery(row) for row in rows], limit)

    def get_delivery(self, delivery_id: str) -> WebhookDelivery:
        with self.db.read() as tx:
            row = found(tx.get(DeliveryRow, delivery_id), "delivery", delivery_id)
        return _delivery(row)

    # --- dispatch: the event log -> deliveries ------------------------------------------------

    def wanted_types(self) -> list[str]:
        """The event types some webhook asks for (none: there is no webhook), as read at
        most WANTED_SECONDS ago (a dispatcher asks after every commit with events)."""
        known, changes = self._wanted, self._changes
        if known is not None and time.monotonic() < known[1]:
            return known[0]
        with self.db.read() as tx:
            wanted = self._wanted_types(tx)
        if changes == self._changes:  # else a change committed meanwhile: read again next
            self._wanted = (wanted, time.monotonic() + WANTED_SECONDS)
        return wanted

    @property
    def changes(self) -> int:
        """How many times this process has made or deleted a webhook."""
        return self._changes

    def _forget_wanted(self) -> None:
        self._changes += 1
        self._wanted = None

    def worth_dispatching(self, after: int, wanted: list[str]) -> tuple[int, bool]:
        """A cheap look, without a lock, before a dispatch: the log's last position, and
        whether an event after max(`after`, the cursor) up to it is of a `wanted` type
        (False also when there is no cursor yet: no webhook was ever made)."""
        with self.db.read() as tx:
            last = self.events.last_position(tx)
            at = tx.scalar(select(self._cursor_position()))
            if at is None or last <= max(after, at) or not wanted:
                return last, False
            hit = tx.scalar(
                select(EventRow.id).where(
                    EventRow.position > max(after, at), EventRow.position <= last,
                    EventRow.type.in_(wanted),
                ).limit(1)
            )
        return last, hit is not None

    def dispatch_page(self) -> tuple[list[str], bool]:
        """One step of a dispatch, in one transaction holding the cursor's row lock: the
        deliveries of the next events after the cursor (one per matching webhook and
        event), and the cursor moved past them. Returns the new deliveries' ids and
        whether more events wait."""
        now = utcnow()
        with self.db.write() as tx:
            at = self.events.cursor(CURSOR, tx)
            last = self.events.last_position(tx)
            if last <= at:
                return [], False
            hooks = tx.execute(
                _of_live_makers(select(WebhookRow.id, WebhookRow.project_id,
                                       WebhookRow.events, WebhookRow.created_at))
            ).all()
            wanted = sorted({t for hook in hooks for t in hook.events})
            rows: list[Any] = []
            if wanted:
                rows = tx.execute(
                    select(EventRow.position, EventRow.type, EventRow.project_id,
                           EventRow.created_at)
                    .where(EventRow.position > at, EventRow.position <= last,
                           EventRow.type.in_(wanted))
                    .order_by(EventRow.position).limit(PAGE)
                ).all()
            more = len(rows) == PAGE
            made = []
            for event in rows:
                for hook in hooks:
                    if (event.type in hook.events
                            and hook.project_id in (None, event.project_id)
                            and aware(event.created_at) >= aware(hook.created_at)):
                        made.append({
                            "id": new_id(), "webhook_id": hook.id,
                            "event_position": event.position, "event_type": event.type,
                            "status": DeliveryStatus.pending.value, "attempts": 0,
                            "next_attempt_at": now, "created_at": now,
                        })
            if made:
                tx.execute(
                    self.db.insert(DeliveryRow).values(made).on_conflict_do_nothing(
                        index_elements=[DeliveryRow.webhook_id, DeliveryRow.event_position]
                    )
                )
            self.events.move_cursor(CURSOR, rows[-1].position if more else last, tx)
            ids = [d["id"] for d in made]
            if ids:  # on a conflict (never under the lock) the row that was there stands
                ids = list(tx.scalars(select(DeliveryRow.id).where(DeliveryRow.id.in_(ids))))
        return ids, more

    def cursor_position(self) -> int | None:
        """Where the dispatcher has read the log to (None: no webhook was ever made)."""
        with self.db.read() as tx:
            return tx.scalar(select(self._cursor_position()))

    @staticmethod
    def _cursor_position():  # type: ignore[no-untyped-def]
        return (select(EventCursorRow.position).where(EventCursorRow.name == CURSOR)
                .scalar_subquery())

    @staticmethod
    def _wanted_types(tx: Tx) -> list[str]:
        return sorted({t for types in tx.scalars(select(WebhookRow.events)) for t in types})

    # --- the outbox ---------------------------------------------------------------------------

    def mark_sent(self, delivery_ids: list[str], tx: Tx | None = None) -> None:
        """Their messages are with the broker now."""
        if not delivery_ids:
            return
        with self.db.write(tx) as tx:
            tx.execute(update(DeliveryRow).where(DeliveryRow.id.in_(delivery_ids))
                       .values(sent_at=utcnow()))

    def due_for_sending(self, resend_after: float, limit: int = 1000) -> list[str]:
        """Pending deliveries that are due and whose message was never sent, or was sent
        `resend_after` seconds ago and has not been taken since (the broker lost it, or
        the worker that held it died)."""
        now = utcnow()
        stale = now - timedelta(seconds=resend_after)
        query = (
            select(DeliveryRow.id)
            .where(
                DeliveryRow.status == DeliveryStatus.pending.value,
                DeliveryRow.next_attempt_at <= now,
                or_(DeliveryRow.sent_at.is_(None),
                    and_(DeliveryRow.sent_at <= stale, DeliveryRow.next_attempt_at <= stale)),
            )
            .order_by(DeliveryRow.next_attempt_at).limit(limit)
        )
        with self.db.read() as tx:
            return list(tx.scalars(query))

    # --- attempts -----------------------------------------------------------------------------

    def claim(self, delivery_id: str, hold: float) -> Target | None:
        """Take the delivery's next attempt: None unless it is pending and due (delivered,
        failed, gone, or another copy of its message has it now). It is not due again for
        `hold` seconds (a worker that dies in the attempt: the sweeper sends it again). A
        delivery whose event is no longer in the log fails."""
        now = utcnow()
        with self.db.write() as tx:
            taken = tx.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id,
                       DeliveryRow.status == DeliveryStatus.pending.value,
                       DeliveryRow.next_attempt_at <= now)
                .values(next_attempt_at=now + timedelta(seconds=hold))
            ).rowcount
            if not taken:
                return None
            delivery = tx.get(DeliveryRow, delivery_id)
            hook = tx.get(WebhookRow, delivery.webhook_id)
            page = self.events.read_after(delivery.event_position - 1, limit=1, tx=tx)
            event = page[0] if page and page[0].id == delivery.event_position else None
            why = None
            if hook is None or event is None:  # pruned, or its project was deleted
                why = "the event is no longer in the log"
            elif tx.scalar(_of_live_makers(select(WebhookRow.id))
                           .where(WebhookRow.id == hook.id)) is None:
                why = "the token that made the webhook was revoked"
            if why is not None:
                delivery.status = DeliveryStatus.failed.value
                delivery.last_error = why
                delivery.next_attempt_at = None
                return None
            return Target(
                delivery_id=delivery.id, webhook_id=hook.id, url=hook.url, secret=hook.secret,
                attempt=delivery.attempts + 1, event=event,
            )

    def record(
        self,
        delivery_id: str,
        attempt: int,
        *,
        delivered: bool,
        status_code: int | None,
        error: str | None,
        retry_at: datetime | None,
    ) -> DeliveryStatus | None:
        """The outcome of attempt `attempt`: delivered, or failed (tried again at
        `retry_at`; None: never). None if the delivery is gone or the attempt was recorded
        already."""
        now = utcnow()
        values: dict[str, Any] = {"attempts": attempt, "status_code": status_code}
        if delivered:
            status = DeliveryStatus.delivered
            values.update(delivered_at=now, next_attempt_at=None)
        elif retry_at is None:
            status = DeliveryStatus.failed
            values.update(last_error=error, next_attempt_at=None)
        else:
            status = DeliveryStatus.pending
            values.update(last_error=error, next_attempt_at=retry_at, sent_at=None)
        values["status"] = status.value
        with self.db.write() as tx:
            done = tx.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id, DeliveryRow.attempts == attempt - 1,
                       DeliveryRow.status == DeliveryStatus.pending.value)
                .values(**values)
            ).rowcount
        return status if done else None

    def prune_deliveries(self, before: datetime) -> int:
        """Delete deliveries made before `before` that are over (delivered or failed)."""
        with self.db.write() as tx:
            return tx.execute(
                delete(DeliveryRow).where(
                    DeliveryRow.created_at < before,
                    DeliveryRow.status != DeliveryStatus.pending.value,
                )
            ).rowcount


def _query():  # type: ignore[no-untyped-def]
    return select(WebhookRow, ProjectRow.name).outerjoin(
        ProjectRow, ProjectRow.id == WebhookRow.project_id
    )


def _of_live_makers(query):  # type: ignore[no-untyped-def]
    """`query` (of webhooks) kept to those whose maker's token is live. A webhook speaks with
    its maker's authority (its scope is what that token could see): once the token is
    revoked, no event is made into a delivery for it and none still pending is sent (a
    leaked token's webhook stops with the token). Made with auth off or by the bootstrap
    token (no maker recorded): live."""
    return query.outerjoin(TokenRow, TokenRow.id == WebhookRow.created_by).where(
        or_(WebhookRow.created_by.is_(None),
            and_(TokenRow.id.is_not(None), TokenRow.revoked_at.is_(None))))


def _webhook(row: WebhookRow, project: str | None) -> Webhook:
    return to_model(Webhook, row, project=project, events=[EventType(t) for t in row.events])


def _delivery(row: DeliveryRow) -> WebhookDelivery:
    return to_model(WebhookDelivery, row, event_id=row.event_position,
                    event_type=EventType(row.event_type), status=DeliveryStatus(row.status))
