"""Jobs: a training job's lifecycle (queued, claimed under a lease, its epochs, its end).

A job's run is a tracking run (source: job) whose status follows the job's; every job
writer locks the job row before the run's. Functions return pydantic models or plain
dataclasses and raise the coded errors of service.errors; each takes an optional `tx`
(see service.store.db).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from service.errors import Conflict
from service.schemas import (
    TERMINAL_JOB_STATUSES,
    Applied,
    EventType,
    Job,
    JobProgress,
    JobStatus,
    MetricPoint,
    Page,
    RepairState,
    RunCreate,
    RunSource,
    RunStatus,
)
from service.store.db import Database, Tx, aware, found, to_model, utcnow
from service.store.models import JobRow, ProjectRow, RunRow, new_id
from service.store.tracking import TrackingStore, decode_cursor, page_of

# What a job's end makes of its run.
RUN_STATUS_AT_END = {
    JobStatus.succeeded: RunStatus.finished,
    JobStatus.failed: RunStatus.failed,
    JobStatus.cancelled: RunStatus.killed,
}


@dataclass(frozen=True)
class Lease:
    """One attempt at a job: the worker that holds it and the attempt's number. Every write
    of the attempt is fenced by it: once the lease is taken (it lapsed and the job went to
    another worker), the attempt's writes match no row and raise LeaseLost."""

    job_id: str
    owner: str
    attempt: int


@dataclass(frozen=True)
class JobClaim:
    """What a worker needs once it holds a job's lease."""

    job_id: str
    run_id: str
    spec: dict[str, Any]
    lease: Lease


class LeaseHeld(Exception):
    """Another worker holds the job's lease (a redelivered message must wait)."""

    def __init__(self, seconds_left: float) -> None:
        super().__init__(f"lease held for {seconds_left:.0f} more seconds")
        self.seconds_left = seconds_left


class LeaseLost(Exception):
    """This attempt no longer holds the job: it must stop and write nothing more."""

    def __init__(self, lease: Lease) -> None:
        super().__init__(
            f"job {lease.job_id}: attempt {lease.attempt} of {lease.owner} lost its lease"
        )
        self.lease = lease


@dataclass(frozen=True)
class ExperimentPart:
    """A job's place in an experiment: which, its role, the phase that planned it."""

    id: str
    role: str
    phase: int


@dataclass(frozen=True)
class Swept:
    """What one pass of the sweeper found: jobs whose worker is gone, put back in the queue
    (`requeued`), ended because a cancel was waiting (`cancelled`), or failed because every
    one of their attempts died (`failed`)."""

    requeued: list[str]
    cancelled: list[str]
    failed: list[str] = field(default_factory=list)


class JobStore:
    def __init__(self, db: Database, tracking: TrackingStore) -> None:
        self.db = db
        self.tracking = tracking

    def create_job(
        self,
        run: RunCreate,
        spec: dict[str, Any],
        epochs: int,
        *,
        parent: Job | None = None,
        applied: Applied | None = None,
        repair_rounds: int = 0,
        created_by: str | None = None,
        experiment: ExperimentPart | None = None,
        tx: Tx | None = None,
    ) -> Job:
        """A job and its run (source: job), and the run's project when it is new: all in
        one transaction, so a failure leaves none of them behind. A follow-up names its
        `parent` and what it `applied` to the parent's spec; a first job may ask for
        `repair_rounds` of auto-repair."""
        job_id = new_id()
        now = utcnow()
        with self.db.write(tx) as tx:
            made = self.tracking.create_run(
                run, RunSource.job, job_id=job_id, tx=tx, created_by=created_by
            )
            tx.add(
                JobRow(
                    id=job_id,
                    run_id=made.id,
                    status=JobStatus.queued.value,
                    spec=spec,
                    epoch=0,
                    epochs=epochs,
                    attempts=0,
                    cancel_requested=False,
                    created_at=now,
                    updated_at=now,
                    parent_id=parent.id if parent else None,
                    root_id=parent.root_id if parent else job_id,
                    round=parent.round + 1 if parent else 0,
                    applied=applied.model_dump(mode="json") if applied else None,
                    repair_rounds=0 if parent else repair_rounds,
                    repair_state=RepairState.running.value if repair_rounds and not parent
                    else None,
                    sent_at=None,
                    sends=0,
                    created_by=created_by,
                    experiment_id=experiment.id if experiment else None,
                    experiment_role=experiment.role if experiment else None,
                    experiment_phase=experiment.phase if experiment else None,
                )
            )
            tx.flush()
            self._announce(tx, tx.get(JobRow, job_id), None)
            return self.get_job(job_id, tx=tx)

    def get_job(self, job_id: str, tx: Tx | None = None) -> Job:
        with self.db.read(tx) as tx:
            first = tx.execute(_jobs_query().where(JobRow.id == job_id)).first()
        return _job(*found(first, "job", job_id))

    def list_jobs(
        self,
        limit: int,
        cursor: str | None = None,
        project: str | None = None,
        status: JobStatus | None = None,
    ) -> Page[Job]:
        """Jobs newest first, `limit` a page, of one project (id or name; 404 if none) and
        in one status when given."""
        query = _jobs_query().order_by(JobRow.id.desc())
        if status is not None:
            query = query.where(JobRow.status == status.value)
        if cursor:
            query = query.where(JobRow.id < decode_cursor(cursor))
        with self.db.read() as tx:
            if project is not None:
                query = query.where(RunRow.project_id == self.tracking.project_row(tx, project).id)
            rows = tx.execute(query.limit(limit + 1)).all()
        return page_of([_job(row, name) for row, name in rows], limit)

    def count_active(self, created_by: str | None, tx: Tx | None = None) -> int:
        """Jobs queued or running that `created_by` submitted (None: the bootstrap token's
        and those made with auth off)."""
        with self.db.read(tx) as tx:
            return tx.scalar(
                select(func.count())
                .select_from(JobRow)
                .where(
                    JobRow.created_by.is_(None)
                    if created_by is None
                    else JobRow.created_by == created_by,
                    JobRow.status.in_([JobStatus.queued.value, JobStatus.running.value]),
                )
            ) or 0

    def request_cancel(self, job_id: str, tx: Tx | None = None) -> Job:
        """A queued job is cancelled at once; a running one at its next epoch boundary."""
        with self.db.write(tx) as tx:
            row = found(self._locked(tx, job_id), "job", job_id)
            if JobStatus(row.status) in TERMINAL_JOB_STATUSES:
                raise Conflict(f"job already {row.status}", field="job_id")
            row.cancel_requested = True
            row.updated_at = utcnow()
            if row.status == JobStatus.queued.value or not self._held(row):
                # queued, or running with no live worker (its lease lapsed): nobody would
                # see the request at an epoch boundary
                self._end(tx, row, JobStatus.cancelled, None)
            tx.flush()
            return self.get_job(job_id, tx=tx)

    def claim_job(
        self, job_id: str, owner: str, lease_seconds: int, tx: Tx | None = None
    ) -> JobClaim | None:
        """Take a job to train it. None when there is nothing to do (it ended, or it was
        cancelled while queued); LeaseHeld when another worker is training it right now.
        A running job whose lease ran out (its worker died) is taken over."""
        now = utcnow()
        with self.db.write(tx) as tx:
            row = self._locked(tx, job_id)
            if row is None or JobStatus(row.status) in TERMINAL_JOB_STATUSES:
                return None
            if row.status == JobStatus.running.value and row.lease_expires_at is not None:
                left = (aware(row.lease_expires_at) - now).total_seconds()
                if left > 0:
                    raise LeaseHeld(left)
            if row.cancel_requested:
                self._end(tx, row, JobStatus.cancelled, None)
                return None
            previous = row.status
            row.status = JobStatus.running.value
            row.attempts += 1
            row.lease_owner = owner
            row.lease_expires_at = now + timedelta(seconds=lease_seconds)
            row.heartbeat_at = now
            row.resumed_from_epoch = None
            row.started_at = row.started_at or now
            row.updated_at = now
            self.tracking.set_run_status(row.run_id, RunStatus.running, tx=tx)
            self._announce(tx, row, previous)
            return JobClaim(row.id, row.run_id, dict(row.spec), Lease(row.id, owner, row.attempts))

    def _fenced(self, lease: Lease):  # type: ignore[no-untyped-def]
        """UPDATE of the job row, only while `lease` holds it."""
        return update(JobRow).where(
            JobRow.id == lease.job_id,
            JobRow.lease_owner == lease.owner,
            JobRow.attempts == lease.attempt,
            JobRow.status == JobStatus.running.value,
        )

    def renew_lease(self, lease: Lease, lease_seconds: int, tx: Tx | None = None) -> bool:
        """Extend the lease (the heartbeat); False when the attempt has lost it."""
        now = utcnow()
        with self.db.write(tx) as tx:
            renewed = tx.execute(
                self._fenced(lease).values(
                    lease_expires_at=now + timedelta(seconds=lease_seconds), heartbeat_at=now
                )
            )
            return renewed.rowcount == 1

    def start_attempt(
        self,
        lease: Lease,
        run_id: str,
        epochs_done: int,
        points: Iterable[MetricPoint] = (),
        tx: Tx | None = None,
    ) -> None:
        """Put the run's records in the state the attempt starts from: the points of the
        `epochs_done` epochs its saved training state holds (`points`, written again), and
        none above them (a dead attempt's epochs that this one redoes). LeaseLost if the
        attempt no longer holds the job."""
        with self.db.write(tx) as tx:
            held = tx.execute(
                self._fenced(lease).values(
                    epoch=epochs_done,
                    resumed_from_epoch=epochs_done or None,
                    updated_at=utcnow(),
                )
            )
            if held.rowcount != 1:
                raise LeaseLost(lease)
            self.tracking.truncate_metrics(run_id, epochs_done, tx=tx)
            points = list(points)
            if points:
                self.tracking.log_metrics(run_id, points, tx=tx)

    def record_epoch(
        self,
        lease: Lease,
        run_id: str,
        epochs_done: int,
        points: Iterable[MetricPoint],
        tx: Tx | None = None,
    ) -> bool:
        """A job's finished epoch in one transaction: its progress and its metrics. Returns
        whether a cancel was requested, so the worker polls for it with the write it makes
        anyway: one transaction per epoch instead of three (on SQLite, 8 metrics: median
        2.5 ms instead of 3.4 ms). Locks the job row first and then the run's, the order of
        every job writer. LeaseLost (and nothing written) if the attempt lost the job."""
        with self.db.write(tx) as tx:
            cancel = tx.execute(
                self._fenced(lease)
                .values(epoch=epochs_done, updated_at=utcnow())
                .returning(JobRow.cancel_requested)
            ).scalar_one_or_none()
            if cancel is None:
                raise LeaseLost(lease)
            self.tracking.log_metrics(run_id, points, tx=tx)
        return bool(cancel)

    def record_meta(self, lease: Lease, run_id: str, values: dict[str, Any],
                    tx: Tx | None = None) -> None:
        """What the attempt learnt of its run once its data was read (a regression's
        baseline loss), into the run's meta; LeaseLost (and nothing written) if the attempt
        lost the job."""
        with self.db.write(tx) as tx:
            held = tx.execute(
                self._fenced(lease).values(updated_at=utcnow()).returning(JobRow.id)
            ).scalar_one_or_none()
            if held is None:
                raise LeaseLost(lease)
            self.tracking.merge_meta(run_id, values, tx=tx)

    def holds(self, lease: Lease, tx: Tx | None = None) -> bool:
        """Whether the attempt still holds the job (before a write outside the database,
        such as the model file)."""
        with self.db.read(tx) as tx:
            row = tx.get(JobRow, lease.job_id)
            return (
                row is not None
                and row.status == JobStatus.running.value
                and row.lease_owner == lease.owner
                and row.attempts == lease.attempt
            )

    def chain(self, root_id: str, tx: Tx | None = None) -> list[Job]:
        """Every job of a chain, first job first, in the order they were made."""
        with self.db.read(tx) as tx:
            ids = tx.scalars(
                select(JobRow.id).where(JobRow.root_id == root_id).order_by(JobRow.id)
            ).all()
            return [self.get_job(job_id, tx=tx) for job_id in ids]

    def repair_of(self, root_id: str, tx: Tx | None = None) -> tuple[int, RepairState | None]:
        """A chain's auto-repair: its rounds and where it stands."""
        with self.db.read(tx) as tx:
            row = found(tx.get(JobRow, root_id), "job", root_id)
            state = RepairState(row.repair_state) if row.repair_state else None
            return row.repair_rounds, state

    def lock_chain(self, root_id: str, tx: Tx) -> None:
        """Serialise the writers that extend one chain (auto-repair, follow-ups): lock its
        first job's row for the rest of `tx`."""
        found(self._locked(tx, root_id), "job", root_id)

    def set_repair_state(self, root_id: str, state: RepairState, tx: Tx | None = None) -> None:
        with self.db.write(tx) as tx:
            tx.execute(
                update(JobRow).where(JobRow.id == root_id).values(repair_state=state.value)
            )

    def cancel_requested(self, job_id: str, tx: Tx | None = None) -> bool:
        with self.db.read(tx) as tx:
            return bool(tx.scalar(select(JobRow.cancel_requested).where(JobRow.id == job_id)))

    def finish_job(
        self,
        job_id: str,
        status: JobStatus,
        error: str | None = None,
        best_epoch: int | None = None,
        lease: Lease | None = None,
        tx: Tx | None = None,
        result: dict[str, Any] | None = None,
    ) -> None:
        """End a job; `best_epoch` is the epoch whose weights it kept, `result` what a probe
        job found (JSON). A worker's attempt passes its `lease`: LeaseLost, and nothing
        changed, if it no longer holds the job."""
        with self.db.write(tx) as tx:
            row = self._locked(tx, job_id)
            if row is None:
                return
            if lease is not None and not (
                row.status == JobStatus.running.value
                and row.lease_owner == lease.owner
                and row.attempts == lease.attempt
            ):
                raise LeaseLost(lease)
            row.best_epoch = best_epoch
            if result is not None:
                row.result = result
            self._end(tx, row, status, error)

    # --- the outbox and the sweeper -------------------------------------------------------

    def mark_sent(self, job_id: str, tx: Tx | None = None) -> None:
        """The job's message went to the broker."""
        with self.db.write(tx) as tx:
            tx.execute(
                update(JobRow)
                .where(JobRow.id == job_id)
                .values(sent_at=utcnow(), sends=JobRow.sends + 1)
            )

    def expire_leases(self, max_attempts: int | None = None, tx: Tx | None = None) -> Swept:
        """Running jobs whose lease lapsed (their worker died, or stalled): back to `queued`,
        unsent, for the outbox to send again (the next attempt resumes from the saved
        training state), `cancelled` when a cancel was waiting, or `failed` once
        `max_attempts` attempts have died (a job whose worker the kernel kills for memory
        would otherwise be taken over for ever)."""
        now = utcnow()
        requeued, cancelled, failed = [], [], []
        with self.db.write(tx) as tx:
            ids = tx.scalars(
                select(JobRow.id).where(
                    JobRow.status == JobStatus.running.value, JobRow.lease_expires_at < now
                )
            ).all()
            for job_id in ids:
                row = self._locked(tx, job_id)
                if row is None or row.status != JobStatus.running.value or self._held(row, now):
                    continue  # renewed or ended meanwhile
                if row.cancel_requested:
                    self._end(tx, row, JobStatus.cancelled, None)
                    cancelled.append(job_id)
                    continue
                if max_attempts is not None and row.attempts >= max_attempts:
                    self._end(tx, row, JobStatus.failed, died_every_time(row))
                    failed.append(job_id)
                    continue
                row.status = JobStatus.queued.value
                row.lease_owner = None
                row.lease_expires_at = None
                row.sent_at = None
                row.updated_at = now
                self._announce(tx, row, JobStatus.running.value)
                requeued.append(job_id)
        return Swept(requeued, cancelled, failed)

    def due_for_sending(
        self, resend_after: float, limit: int = 1000, tx: Tx | None = None
    ) -> list[str]:
        """Queued jobs whose message was never sent, or was sent so long ago that it may be
        lost (a broker that restarted without persistence): `resend_after` seconds after
        the first send, twice as long after each further one (a long queue behind busy
        workers is not flooded with copies; a copy is harmless: the claim skips it)."""
        now = utcnow()
        with self.db.read(tx) as tx:
            rows = tx.execute(
                select(JobRow.id, JobRow.sent_at, JobRow.sends)
                .where(JobRow.status == JobStatus.queued.value)
                .order_by(JobRow.id)
            ).all()
        due = []
        for job_id, sent_at, sends in rows:
            wait = resend_after * 2 ** min(max(sends - 1, 0), 10)
            if sent_at is None or (now - aware(sent_at)).total_seconds() >= wait:
                due.append(job_id)
            if len(due) >= limit:
                break
        return due

    def _held(self, row: JobRow, now: datetime | None = None) -> bool:
        """A live lease: a worker holds the job and has renewed it recently."""
        return row.lease_expires_at is not None and aware(row.lease_expires_at) > (
            now or utcnow()
        )

    def _locked(self, tx: Tx, job_id: str) -> JobRow | None:
        return tx.get(JobRow, job_id, with_for_update=True)

    def _end(self, tx: Tx, row: JobRow, status: JobStatus, error: str | None) -> None:
        now = utcnow()
        previous = row.status
        row.status = status.value
        row.error = error
        row.lease_owner = None
        row.lease_expires_at = None
        row.finished_at = now
        row.updated_at = now
        self.tracking.set_run_status(row.run_id, RUN_STATUS_AT_END[status], tx=tx)
        self._announce(tx, row, previous)

    def _announce(self, tx: Tx, row: JobRow, previous: str | None) -> None:
        """The `job.status` event of a job whose status `row` now holds (after the run's
        row lock, where the status change takes it, so a run's events keep their order)."""
        events = self.tracking.events
        events.append(
            tx, EventType.job_status, events.project_of_run(tx, row.run_id),
            {"status": row.status, "previous": previous,
             "progress": {"epoch": row.epoch, "epochs": row.epochs},
             "attempts": row.attempts, "error": row.error},
            run_id=row.run_id, job_id=row.id,
        )


def died_every_time(row: JobRow) -> str:
    """Why a job whose every attempt died is not tried again."""
    return (
        f"the worker died or stalled in each of this job's {row.attempts} attempts (the last "
        f"at epoch {row.epoch} of {row.epochs}), so it is not tried again "
        "(FITDOC_MAX_JOB_ATTEMPTS). A worker the kernel kills for lack of memory dies this "
        "way (see the worker host's log, e.g. dmesg): try a smaller batch_size or model"
    )


def _jobs_query():  # type: ignore[no-untyped-def]
    """Jobs with their project's name (through their run)."""
    return (
        select(JobRow, ProjectRow.name)
        .join(RunRow, RunRow.id == JobRow.run_id)
        .join(ProjectRow, ProjectRow.id == RunRow.project_id)
    )


def _job(row: JobRow, project_name: str) -> Job:
    progress = JobProgress(epoch=row.epoch, epochs=row.epochs)
    return to_model(Job, row, project=project_name, progress=progress)
