"""Experiments (issue 13): a kind, a spec and options, the jobs planned for it phase by phase
(jobs.experiment_id, experiment_role, experiment_phase), and what it concluded."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from service.errors import Conflict
from service.schemas import (
    Experiment,
    ExperimentJob,
    ExperimentStatus,
    JobStatus,
    Page,
)
from service.store.db import Database, Tx, found, to_model, utcnow
from service.store.models import ExperimentRow, JobRow, ProjectRow, new_id
from service.store.tracking import TrackingStore, decode_cursor, page_of

ENDED = (ExperimentStatus.succeeded, ExperimentStatus.failed, ExperimentStatus.cancelled)


class ExperimentStore:
    def __init__(self, db: Database, tracking: TrackingStore) -> None:
        self.db = db
        self.tracking = tracking

    def create(
        self,
        project: str,
        kind: str,
        name: str,
        spec: dict[str, Any],
        options: dict[str, Any],
        created_by: str | None = None,
        tx: Tx | None = None,
    ) -> str:
        """A queued experiment (its project made if new); its jobs are made by the caller in
        the same transaction."""
        with self.db.write(tx) as tx:
            project_id, _ = self.tracking.project_for(tx, project)
            now = utcnow()
            row = ExperimentRow(
                id=new_id(),
                project_id=project_id,
                kind=kind,
                name=name,
                status=ExperimentStatus.queued.value,
                spec=spec,
                options=options,
                phase=0,
                cancel_requested=False,
                created_by=created_by,
                created_at=now,
                updated_at=now,
            )
            tx.add(row)
            tx.flush()
            return row.id

    def get(self, experiment_id: str, tx: Tx | None = None) -> Experiment:
        with self.db.read(tx) as tx:
            first = tx.execute(_query().where(ExperimentRow.id == experiment_id)).first()
            row, project = found(first, "experiment", experiment_id)
            jobs = self._jobs(tx, [row.id]).get(row.id, [])
        return to_model(Experiment, row, project=project, jobs=jobs)

    def list(
        self, limit: int, cursor: str | None = None, project_id: str | None = None
    ) -> Page[Experiment]:
        query = _query().order_by(ExperimentRow.id.desc())
        if project_id is not None:
            query = query.where(ExperimentRow.project_id == project_id)
        if cursor:
            query = query.where(ExperimentRow.id < decode_cursor(cursor))
        with self.db.read() as tx:
            rows = tx.execute(query.limit(limit + 1)).all()
            jobs = self._jobs(tx, [row.id for row, _ in rows[:limit]])
        items = [to_model(Experiment, row, project=p, jobs=jobs.get(row.id, [])) for row, p in rows]
        return page_of(items, limit)

    def lock(self, experiment_id: str, tx: Tx) -> Experiment:
        """The experiment, its row locked until `tx` ends (one advance at a time)."""
        found(
            tx.get(ExperimentRow, experiment_id, with_for_update=True),
            "experiment",
            experiment_id,
        )
        return self.get(experiment_id, tx)

    def start_phase(self, experiment_id: str, phase: int, tx: Tx | None = None) -> None:
        with self.db.write(tx) as tx:
            row = found(tx.get(ExperimentRow, experiment_id), "experiment", experiment_id)
            row.phase = phase
            row.status = ExperimentStatus.running.value
            row.updated_at = utcnow()

    def mark_running(self, experiment_id: str, tx: Tx | None = None) -> None:
        with self.db.write(tx) as tx:
            row = found(tx.get(ExperimentRow, experiment_id), "experiment", experiment_id)
            if row.status == ExperimentStatus.queued.value:
                row.status = ExperimentStatus.running.value
                row.updated_at = utcnow()

    def finish(
        self,
        experiment_id: str,
        status: ExperimentStatus,
        result: dict[str, Any] | None = None,
        verdict: str | None = None,
        error: str | None = None,
        subject_run_id: str | None = None,
        tx: Tx | None = None,
    ) -> None:
        """End it. A finding about a run (`subject_run_id`) makes that run's diagnosis
        stale, so that the advisor reads the finding."""
        with self.db.write(tx) as tx:
            row = found(tx.get(ExperimentRow, experiment_id), "experiment", experiment_id)
            now = utcnow()
            if subject_run_id is not None:
                row.subject_run_id = subject_run_id
                self.tracking.touch(subject_run_id, tx)
            row.status = status.value
            row.result = result
            row.verdict = verdict
            row.error = error
            row.finished_at = now
            row.updated_at = now

    def request_cancel(self, experiment_id: str, tx: Tx | None = None) -> Experiment:
        """Flag it; the caller cancels its jobs. Conflict once it has ended."""
        with self.db.write(tx) as tx:
            row = found(
                tx.get(ExperimentRow, experiment_id, with_for_update=True),
                "experiment",
                experiment_id,
            )
            if ExperimentStatus(row.status) in ENDED:
                raise Conflict(f"experiment already {row.status}", field="experiment_id")
            row.cancel_requested = True
            row.updated_at = utcnow()
            return self.get(experiment_id, tx)

    def unfinished(self, tx: Tx | None = None) -> list[str]:
        """Experiments still queued or running (the sweeper advances those whose jobs
        ended without a worker's report: cancelled while queued, failed by the sweeper)."""
        with self.db.read(tx) as tx:
            return list(
                tx.scalars(
                    select(ExperimentRow.id).where(
                        ExperimentRow.status.in_(
                            [ExperimentStatus.queued.value, ExperimentStatus.running.value]
                        )
                    )
                )
            )

    @staticmethod
    def _jobs(tx: Tx, ids: list[str]) -> dict[str, list[ExperimentJob]]:
        if not ids:
            return {}
        rows = tx.execute(
            select(
                JobRow.experiment_id,
                JobRow.id,
                JobRow.run_id,
                JobRow.experiment_role,
                JobRow.experiment_phase,
                JobRow.status,
            )
            .where(JobRow.experiment_id.in_(ids))
            .order_by(JobRow.id)
        ).all()
        out: dict[str, list[ExperimentJob]] = {}
        for experiment_id, job_id, run_id, role, phase, status in rows:
            out.setdefault(experiment_id, []).append(
                ExperimentJob(
                    id=job_id,
                    run_id=run_id,
                    role=role or "",
                    phase=phase or 0,
                    status=JobStatus(status),
                )
            )
        return out


def _query():  # type: ignore[no-untyped-def]
    return select(ExperimentRow, ProjectRow.name).join(
        ProjectRow, ProjectRow.id == ExperimentRow.project_id
    )
