"""Diagnoses: what the advisor reads for a run, and its cached answers.

A run's cached diagnosis is current while the run's metrics revision and the advisor's
version are the ones it was computed from. Functions return pydantic models or plain
dataclasses and raise the coded errors of service.errors; each takes an optional `tx`
(see service.store.db).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from service.schemas import Diagnosis, EventType, ExperimentStatus
from service.store.db import Database, Tx, found, utcnow
from service.store.models import DiagnosisRow, ExperimentRow, JobRow, RunRow
from service.store.series_cache import Series, SeriesCache
from service.store.tracking import TrackingStore


@dataclass(frozen=True)
class DiagnosisInputs:
    """A run's cached diagnosis when it is current; else what the advisor needs."""

    run_id: str
    metrics_rev: int
    cached: Diagnosis | None = None
    params: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None
    run_status: str | None = None
    spec: dict[str, Any] | None = None
    series: Series | None = None
    # What experiments found about the run (service/experiments: kind, verdict, result).
    findings: list[dict[str, Any]] = field(default_factory=list)


class DiagnosisStore:
    def __init__(self, db: Database, series_cache: SeriesCache, tracking: TrackingStore) -> None:
        self.db = db
        self.series_cache = series_cache  # filled by the reads here, advanced by tracking
        self.tracking = tracking

    def diagnosis_inputs(
        self, run_id: str, advisor_version: str, tx: Tx | None = None
    ) -> DiagnosisInputs:
        """What the advisor needs for a run, read in one transaction; when the cached
        diagnosis is current (same points, same advisor), only that."""
        with self.db.read(tx) as tx:
            first = tx.execute(
                select(
                    RunRow.params,
                    RunRow.meta,
                    RunRow.status,
                    RunRow.metrics_rev,
                    JobRow.spec,
                    DiagnosisRow.metrics_rev,
                    DiagnosisRow.advisor_version,
                    DiagnosisRow.body,
                )
                .outerjoin(JobRow, JobRow.run_id == RunRow.id)
                .outerjoin(DiagnosisRow, DiagnosisRow.run_id == RunRow.id)
                .where(RunRow.id == run_id)
            ).first()
            params, meta, status, rev, spec, cached_rev, cached_version, body = found(
                first, "run", run_id
            )
            if body is not None and cached_rev == rev and cached_version == advisor_version:
                return DiagnosisInputs(run_id, rev, cached=Diagnosis.model_validate(body))
            series = self.series_cache.get(run_id, rev)
            if series is None:
                series = self.tracking.read_series(run_id, tx=tx)
                self.series_cache.put(run_id, rev, series)
            findings = self._findings(tx, run_id)
        return DiagnosisInputs(
            run_id, rev, params=params, meta=meta, run_status=status, spec=spec, series=series,
            findings=findings,
        )

    @staticmethod
    def _findings(tx: Tx, run_id: str) -> list[dict[str, Any]]:
        """What succeeded experiments found about the run, oldest first."""
        rows = tx.execute(
            select(ExperimentRow.id, ExperimentRow.kind, ExperimentRow.verdict,
                   ExperimentRow.result)
            .where(ExperimentRow.subject_run_id == run_id,
                   ExperimentRow.status == ExperimentStatus.succeeded.value)
            .order_by(ExperimentRow.id)
        ).all()
        return [{"experiment_id": i, "kind": k, "verdict": v, "result": r or {}}
                for i, k, v, r in rows]

    def save_diagnosis(
        self, run_id: str, rev: int, diagnosis: Diagnosis, tx: Tx | None = None
    ) -> bool:
        """Store the diagnosis computed from the run's points at revision `rev`, unless one
        of a later revision by the same advisor is stored already (two processes diagnosed
        the run at once). When its status or cause differs from the stored one's, a
        `diagnosis.changed` event is recorded with it: holding the run's row lock, so each
        change is told once and in order. Returns whether it was stored."""
        with self.db.write(tx) as tx:
            project_id = tx.scalar(
                select(RunRow.project_id).where(RunRow.id == run_id).with_for_update()
            )
            if project_id is None:
                return False  # the run is gone
            old = tx.execute(
                select(DiagnosisRow.metrics_rev, DiagnosisRow.advisor_version,
                       DiagnosisRow.status, DiagnosisRow.body)
                .where(DiagnosisRow.run_id == run_id)
            ).first()
            if old is not None and old.advisor_version == diagnosis.advisor_version \
                    and old.metrics_rev >= rev:
                return False
            values = {
                "run_id": run_id,
                "metrics_rev": rev,
                "advisor_version": diagnosis.advisor_version,
                "status": diagnosis.status.value,
                "body": diagnosis.model_dump(mode="json"),
                "computed_at": utcnow(),
            }
            stmt = self.db.insert(DiagnosisRow).values(**values)
            stmt = stmt.on_conflict_do_update(
                index_elements=[DiagnosisRow.run_id],
                set_={k: v for k, v in values.items() if k != "run_id"},
            )
            tx.execute(stmt)
            previous = (old.status, old.body.get("cause")) if old is not None else (None, None)
            if previous != (diagnosis.status.value, diagnosis.cause):
                self.tracking.events.append(
                    tx, EventType.diagnosis_changed, project_id,
                    {"previous": {"status": previous[0], "cause": previous[1]},
                     "status": diagnosis.status.value, "cause": diagnosis.cause,
                     "summary": diagnosis.summary, "confidence": diagnosis.confidence,
                     "since_step": diagnosis.since_step, "metrics_rev": rev},
                    run_id=run_id,
                )
            return True

    def stale_run_ids(
        self, advisor_version: str, project: str | None = None, tx: Tx | None = None,
        limit: int | None = None,
    ) -> list[str]:
        """Runs whose cached diagnosis is missing, older than their points, or made by
        another advisor version (at most `limit`, the least recently updated first)."""
        query = select(RunRow.id).outerjoin(DiagnosisRow, DiagnosisRow.run_id == RunRow.id)
        query = query.where(
            DiagnosisRow.run_id.is_(None)
            | (DiagnosisRow.metrics_rev != RunRow.metrics_rev)
            | (DiagnosisRow.advisor_version != advisor_version)
        )
        with self.db.read(tx) as tx:
            if project is not None:
                project_id = self.tracking.get_project(project, tx=tx).id
                query = query.where(RunRow.project_id == project_id)
            if limit is not None:
                query = query.order_by(RunRow.updated_at).limit(limit)
            return list(tx.scalars(query))
