"""API tokens: made, listed, revoked, and looked up by the SHA-256 of what a client sends
(the token itself is never stored). Each token has a role and, unless it is an admin's of
every project, one project."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select, update

from service.access import Principal
from service.errors import Invalid
from service.schemas import Page, Role, Token, TokenCreate, TokenCreated
from service.store.db import Database, Tx, aware, found, to_model, utcnow
from service.store.models import ProjectRow, TokenRow, new_id
from service.store.tracking import TrackingStore, decode_cursor, page_of

PREFIX = "fdt_"  # a fitdoc token, recognisable in logs and by secret scanners
# `last_used_at` is written at most this often per token (not a write per request).
TOUCH_EVERY = timedelta(minutes=1)
# A token's caller is remembered this long by each process (a lookup per request doubled a
# small request's latency: bench/RESULTS.md). A revocation takes effect at once in the
# process that made it, and within this long in other API processes.
REMEMBER_SECONDS = 2.0


def token_hash(token: str) -> str:
    """What is stored: tokens are 256 random bits, so a plain SHA-256 cannot be reversed
    (no salt or slow hash is needed, unlike a password) and finds the row by index."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class TokenStore:
    def __init__(self, db: Database, tracking: TrackingStore) -> None:
        self.db = db
        self.tracking = tracking
        self._known: dict[str, tuple[Principal, float]] = {}  # hash -> (caller, until)

    def remembered(self, token: str, client: str = "") -> Principal | None:
        """The caller a token stood for when it was last looked up, if that was less than
        REMEMBER_SECONDS ago (no I/O: the API calls it on the event loop)."""
        known = self._known.get(token_hash(token))
        if known is None or known[1] < time.monotonic():
            return None
        return replace(known[0], client=client)

    def create(
        self, body: TokenCreate, created_by: str | None = None, tx: Tx | None = None
    ) -> TokenCreated:
        """A new token; the returned `token` is the only copy of it. A project named for
        the first time is made."""
        if body.project is None and body.role is not Role.admin:
            raise Invalid(
                "a token of every project must be an admin's; name a project", field="project"
            )
        secret = PREFIX + secrets.token_urlsafe(32)
        with self.db.write(tx) as tx:
            project_id, project = (
                self.tracking.project_for(tx, body.project) if body.project else (None, None)
            )
            row = TokenRow(
                id=new_id(),
                name=body.name or f"{body.role.value}-{project or 'all'}",
                hash=token_hash(secret),
                project_id=project_id,
                role=body.role.value,
                created_by=created_by,
                created_at=utcnow(),
            )
            tx.add(row)
        return to_model(TokenCreated, row, project=project, token=secret)

    def authenticate(self, token: str, client: str = "") -> Principal | None:
        """The caller a token stands for, or None (unknown or revoked)."""
        query = (
            select(TokenRow, ProjectRow.name)
            .outerjoin(ProjectRow, ProjectRow.id == TokenRow.project_id)
            .where(TokenRow.hash == token_hash(token), TokenRow.revoked_at.is_(None))
        )
        with self.db.read() as tx:
            first = tx.execute(query).first()
        if first is None:
            return None
        row, project = first
        principal = Principal(
            token_id=row.id,
            role=Role(row.role),
            project_id=row.project_id,
            project=project,
            client=client,
        )
        if len(self._known) > 10_000:
            self._known.clear()
        self._known[row.hash] = (principal, time.monotonic() + REMEMBER_SECONDS)
        now = utcnow()
        if row.last_used_at is None or now - aware(row.last_used_at) > TOUCH_EVERY:
            with self.db.write() as tx:
                tx.execute(update(TokenRow).where(TokenRow.id == row.id).values(last_used_at=now))
        return principal

    def get(self, token_id: str, tx: Tx | None = None) -> Token:
        with self.db.read(tx) as tx:
            row, project = found(
                tx.execute(self._query().where(TokenRow.id == token_id)).first(), "token", token_id
            )
        return to_model(Token, row, project=project)

    def list(
        self, limit: int, cursor: str | None = None, project_id: str | None = None
    ) -> Page[Token]:
        """Newest first; `project_id`: only that project's tokens."""
        query = self._query().order_by(TokenRow.id.desc())
        if project_id is not None:
            query = query.where(TokenRow.project_id == project_id)
        if cursor:
            query = query.where(TokenRow.id < decode_cursor(cursor))
        with self.db.read() as tx:
            rows = tx.execute(query.limit(limit + 1)).all()
        return page_of([to_model(Token, row, project=project) for row, project in rows], limit)

    def revoke(self, token_id: str, tx: Tx | None = None) -> Token:
        """The token no longer authenticates (kept, with when it was revoked)."""
        with self.db.write(tx) as tx:
            row = found(tx.get(TokenRow, token_id, with_for_update=True), "token", token_id)
            if row.revoked_at is None:
                row.revoked_at = utcnow()
            self._known.pop(row.hash, None)
            return self.get(token_id, tx)

    @staticmethod
    def _query():  # type: ignore[no-untyped-def]
        return select(TokenRow, ProjectRow.name).outerjoin(
            ProjectRow, ProjectRow.id == TokenRow.project_id
        )
