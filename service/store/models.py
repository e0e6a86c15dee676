"""SQLAlchemy 2.0 tables. The schema is made only by Alembic (migrations/); these classes
describe it for queries and for `alembic revision --autogenerate`."""

from __future__ import annotations

import math
import os
import time
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints so that migrations can drop them on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Json = JSON().with_variant(JSONB(), "postgresql")
Id = String(32)


def new_id() -> str:
    """An `Id`: 32 hex chars, 12 of milliseconds then 20 random, so ids sort by creation
    time."""
    return f"{time.time_ns() // 1_000_000:012x}{os.urandom(10).hex()}"


def nan_to_null(value: float | str) -> float | None:
    """A metric's value as `MetricRow.value` stores it (NaN as NULL, see there)."""
    number = float(value)
    return None if math.isnan(number) else number


def null_to_nan(value: float | None) -> float:
    """A stored `MetricRow.value` as the float it stands for."""
    return math.nan if value is None else value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ProjectRow(Base):
    __tablename__ = "projects"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(250), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The project as an MLflow experiment (service/mlflow): its tags, when it was last
    # renamed, deleted or restored, and when it was deleted (None: active; MLflow's
    # deletion is soft and can be undone).
    tags: Mapped[dict[str, Any] | None] = mapped_column(Json)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RunRow(Base):
    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    project_id: Mapped[str] = mapped_column(Id, ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(250))
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    job_id: Mapped[str | None] = mapped_column(Id)
    params: Mapped[dict[str, Any]] = mapped_column(Json)
    tags: Mapped[dict[str, Any]] = mapped_column(Json)
    meta: Mapped[dict[str, Any]] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The run as the advisor sees it: bumped by every metric batch and status change; the
    # diagnosis cache is valid while it is unchanged.
    metrics_rev: Mapped[int] = mapped_column(Integer, default=0)
    # The token that created the run (None: the bootstrap token, or auth off).
    created_by: Mapped[str | None] = mapped_column(Id)
    # MLflow's view of the run (service/mlflow): the start_time its client gave (None: the
    # run's created_at), its end_time, and when it was deleted (None: active; soft).
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_runs_project_id_id", "project_id", "id"),
        Index("ix_runs_status", "status"),
    )


class MetricRow(Base):
    __tablename__ = "metrics"

    run_id: Mapped[str] = mapped_column(
        Id, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(250), primary_key=True)
    step: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    # NULL stands for NaN: SQLite cannot store a NaN REAL (it turns it into NULL anyway),
    # so both databases use the same convention; +-inf are stored as themselves.
    value: Mapped[float | None] = mapped_column(Float)
    # Milliseconds since the epoch (client's timestamp, or the server's at ingest).
    timestamp: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = ({"sqlite_with_rowid": False},)


class LatestMetricRow(Base):
    """The point at the highest step of each (run, key): `Run.latest` without a scan."""

    __tablename__ = "latest_metrics"

    run_id: Mapped[str] = mapped_column(
        Id, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(250), primary_key=True)
    step: Mapped[int] = mapped_column(BigInteger)
    value: Mapped[float | None] = mapped_column(Float)

    __table_args__ = ({"sqlite_with_rowid": False},)


class DiagnosisRow(Base):
    """The advisor's last answer for a run, valid while runs.metrics_rev == metrics_rev."""

    __tablename__ = "diagnoses"

    run_id: Mapped[str] = mapped_column(
        Id, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True
    )
    metrics_rev: Mapped[int] = mapped_column(Integer)
    advisor_version: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32), index=True)
    body: Mapped[dict[str, Any]] = mapped_column(Json)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class JobRow(Base):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    run_id: Mapped[str] = mapped_column(Id, ForeignKey("runs.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    spec: Mapped[dict[str, Any]] = mapped_column(Json)
    epoch: Mapped[int] = mapped_column(Integer, default=0)
    epochs: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    # A redelivered message must not train a job twice: a worker claims a job by
    # bumping `attempts` and taking the lease; a second delivery finds it taken.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The epoch whose weights the job kept (the watched metric's best), set at its end.
    best_epoch: Mapped[int | None] = mapped_column(Integer)
    # Chains of follow-up jobs: each job's parent and its chain's first job (its own id for
    # a first job), its round in the chain, and the suggestion applied to the parent's spec.
    parent_id: Mapped[str | None] = mapped_column(Id, ForeignKey("jobs.id", ondelete="SET NULL"))
    root_id: Mapped[str] = mapped_column(Id, index=True)
    round: Mapped[int] = mapped_column(Integer, default=0)
    applied: Mapped[dict[str, Any] | None] = mapped_column(Json)
    # On a chain's first job: how many follow-ups auto-repair may make (0: none), and where
    # the repair stands (running | repaired | gave_up; None without auto-repair).
    repair_rounds: Mapped[int] = mapped_column(Integer, default=0)
    repair_state: Mapped[str | None] = mapped_column(String(16))
    # The outbox of the job's message to the workers: when it was last sent (NULL: not yet,
    # e.g. the broker was down at submission) and how often; the sweeper (service/sweep.py)
    # sends again what waited too long.
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    sends: Mapped[int] = mapped_column(Integer, default=0)
    # The running attempt's last heartbeat, and the epochs it found done in its predecessor's
    # training state (None: it started from epoch 0).
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resumed_from_epoch: Mapped[int | None] = mapped_column(Integer)
    # The token that submitted the job (None: the bootstrap token, or auth off).
    created_by: Mapped[str | None] = mapped_column(Id, index=True)
    # A job of an experiment (issue 13): the experiment, the job's part in it ("shallow",
    # "fold-2", ...), and what a probe job found (JSON; None for a training job).
    experiment_id: Mapped[str | None] = mapped_column(
        Id, ForeignKey("experiments.id", ondelete="SET NULL"), index=True
    )
    experiment_role: Mapped[str | None] = mapped_column(String(64))
    experiment_phase: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[dict[str, Any] | None] = mapped_column(Json)


class TokenRow(Base):
    """An API token: only its SHA-256 is kept (the token itself is shown once, at creation).
    `project_id` None: every project (admins only)."""

    __tablename__ = "tokens"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(250))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    project_id: Mapped[str | None] = mapped_column(
        Id, ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str | None] = mapped_column(Id)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DatasetRow(Base):
    """An uploaded dataset (an npz checked at upload), stored under its project."""

    __tablename__ = "datasets"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    project_id: Mapped[str] = mapped_column(
        Id, ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(250))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    # What the upload's check found: arrays and their shapes and dtypes, task, classes.
    info: Mapped[dict[str, Any]] = mapped_column(Json)
    created_by: Mapped[str | None] = mapped_column(Id)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ExperimentRow(Base):
    """An experiment (service/experiments): jobs planned by its kind, in phases, and what it
    concluded from them once they ended."""

    __tablename__ = "experiments"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    project_id: Mapped[str] = mapped_column(
        Id, ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(250))
    status: Mapped[str] = mapped_column(String(16), index=True)
    spec: Mapped[dict[str, Any]] = mapped_column(Json)
    options: Mapped[dict[str, Any]] = mapped_column(Json)
    phase: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict[str, Any] | None] = mapped_column(Json)
    verdict: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    # The run whose diagnosis this experiment's finding feeds (a hessian's trained job's
    # run, the spec's own run of a shallow_vs_deep), once it has concluded.
    subject_run_id: Mapped[str | None] = mapped_column(Id, index=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str | None] = mapped_column(Id)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EventRow(Base):
    """The event log, and the outbox every event leaves through (SSE, webhooks): written in
    the transaction of the change it reports. `position` is the order readers follow: on
    SQLite it is set at insert (writers are serialised, so insert order is commit order);
    on PostgreSQL ids are handed out before commit and transactions commit in any order, so
    `position` stays NULL until `EventStore.sequence` numbers committed rows in id order
    (one sequencer at a time): a reader that resumes after position N never skips an event
    that committed late (service/store/events.py)."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    position: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    type: Mapped[str] = mapped_column(String(32))
    project_id: Mapped[str] = mapped_column(Id, ForeignKey("projects.id", ondelete="CASCADE"))
    run_id: Mapped[str | None] = mapped_column(Id)
    job_id: Mapped[str | None] = mapped_column(Id)
    data: Mapped[dict[str, Any]] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_events_run_id_position", "run_id", "position"),
        Index("ix_events_project_id_position", "project_id", "position"),
        Index("ix_events_created_at", "created_at"),
    )


class EventCursorRow(Base):
    """How far a consumer of the log has read it (the webhook dispatcher: `webhooks`)."""

    __tablename__ = "event_cursors"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger)


class WebhookRow(Base):
    """A subscriber that is POSTed the events it asked for (service/webhooks.py)."""

    __tablename__ = "webhooks"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    # None: every project the creator's token could see (an unbound token: all of them).
    project_id: Mapped[str | None] = mapped_column(
        Id, ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(Text)
    events: Mapped[list[str]] = mapped_column(Json)
    # Kept to sign each delivery (HMAC-SHA256); never returned by the API.
    secret: Mapped[str] = mapped_column(String(256))
    created_by: Mapped[str | None] = mapped_column(Id)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeliveryRow(Base):
    """One event for one webhook: its id is the `X-Fitdoc-Delivery` header, the same on
    every attempt. The table is the delivery outbox: a delivery that is due and not in
    flight is sent (again) by the sweeper, so a restart loses none."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    webhook_id: Mapped[str] = mapped_column(
        Id, ForeignKey("webhooks.id", ondelete="CASCADE")
    )
    event_position: Mapped[int] = mapped_column(BigInteger)
    event_type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))  # pending, delivered, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("uq_webhook_deliveries_webhook_event", "webhook_id", "event_position",
              unique=True),
        Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
        # a webhook's deliveries, newest first (GET /webhooks/{id}/deliveries)
        Index("ix_webhook_deliveries_webhook_id_id", "webhook_id", "id"),
    )
