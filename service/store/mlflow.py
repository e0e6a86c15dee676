"""Projects and runs as MLflow sees them (service/mlflow): experiments with tags and a
soft-delete lifecycle, runs with their params, tags, latest metrics (with timestamps),
stored diagnosis, start and end times and lifecycle; write-once params, metric histories a
page at a time, and searches.

The MLflow names stay in service/mlflow: this module knows projects, runs, params, tags,
metric points and diagnoses. A search arrives as `Clause`s and `Ordering`s over those.
Functions return the frozen views below and raise the coded errors of service.errors; each
takes an optional `tx` (see service.store.db).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    cast,
    func,
    select,
    update,
)

from service.errors import Conflict, Invalid, NotFound
from service.schemas import RunCreate, RunMeta, RunPatch, RunStatus
from service.store.db import Database, Tx, aware, found, utcnow
from service.store.models import (
    DiagnosisRow,
    LatestMetricRow,
    MetricRow,
    ProjectRow,
    RunRow,
    new_id,
    null_to_nan,
)
from service.store.tracking import TrackingStore

# Ids per IN list (SQLite binds at most 32,766 parameters in a statement).
CHUNK = 1000

Kind = Literal["attribute", "param", "tag", "metric", "diagnosis"]


@dataclass(frozen=True)
class ExperimentView:
    id: str
    name: str
    tags: dict[str, str]
    created_at: datetime
    updated_at: datetime
    deleted: bool


@dataclass(frozen=True)
class LatestPoint:
    key: str
    value: float
    timestamp: int  # ms since the epoch
    step: int


@dataclass(frozen=True)
class RunView:
    id: str
    project_id: str
    project: str
    name: str
    status: str  # RunStatus
    source: str
    started_at: datetime
    ended_at: datetime | None
    deleted: bool
    params: dict[str, Any]
    tags: dict[str, str]
    meta: dict[str, Any]
    metrics: list[LatestPoint]
    diagnosis: str | None  # the stored diagnosis's status (None: not diagnosed yet)
    cause: str | None


@dataclass(frozen=True)
class Clause:
    """One comparison of a search. Runs: `attribute` keys run_id, run_name, status,
    start_time, end_time; `param`/`tag`: a key of the run's params or tags, compared as
    text; `metric`: the key's latest value; `diagnosis`: the stored diagnosis's status.
    Experiments: `attribute` keys experiment_id, name, creation_time, last_update_time;
    `tag`. `op`: = != < <= > >= LIKE ILIKE IN NOT IN; `value` a str, float, datetime or a
    tuple of str (IN)."""

    kind: Kind
    key: str
    op: str
    value: Any


@dataclass(frozen=True)
class Ordering:
    kind: Kind
    key: str
    ascending: bool = True


def text_of(value: Any) -> str:
    """A param's value as text: MLflow's params are strings; fitdoc's own API stores
    numbers and booleans as JSON, read here as Python's str() of them."""
    return value if isinstance(value, str) else str(value)


# What a batch reads of its run, under the run's row lock (built once: log-batch is the
# stock client's hot path).
_BATCH_RUN = (
    select(RunRow.params, RunRow.tags, RunRow.meta, RunRow.deleted_at, RunRow.name)
    .where(RunRow.id == bindparam("run_id"))
    .with_for_update()
)


class MlflowStore:
    def __init__(self, db: Database, tracking: TrackingStore) -> None:
        self.db = db
        self.tracking = tracking

    # --- experiments (projects) ---------------------------------------------------------

    def experiment(
        self, key: str, by_name: bool = False, tx: Tx | None = None
    ) -> ExperimentView | None:
        """The project with id `key` (or name, `by_name`), deleted or not; None if none."""
        column = ProjectRow.name if by_name else ProjectRow.id
        with self.db.read(tx) as tx:
            row = tx.scalar(select(ProjectRow).where(column == key))
            return _experiment(row) if row is not None else None

    def create_experiment(
        self, name: str, tags: dict[str, str], tx: Tx | None = None
    ) -> ExperimentView:
        """A new project; Conflict when one of that name exists (deleted ones too)."""
        with self.db.write(tx) as tx:
            if tx.scalar(select(ProjectRow.id).where(ProjectRow.name == name)):
                raise Conflict(f"experiment {name!r} already exists", field="name")
            now = utcnow()
            row = ProjectRow(
                id=new_id(), name=name, created_at=now, updated_at=now, tags=dict(tags)
            )
            tx.add(row)
            tx.flush()
            return _experiment(row)

    def rename_experiment(self, project_id: str, name: str, tx: Tx | None = None) -> None:
        with self.db.write(tx) as tx:
            row = found(tx.get(ProjectRow, project_id, with_for_update=True), "project",
                        project_id)
            if row.name == name:
                return
            if tx.scalar(select(ProjectRow.id).where(ProjectRow.name == name)):
                raise Conflict(f"experiment {name!r} already exists", field="new_name")
            row.name = name
            row.updated_at = utcnow()

    def set_experiment_tag(
        self, project_id: str, key: str, value: str, tx: Tx | None = None
    ) -> None:
        with self.db.write(tx) as tx:
            row = found(tx.get(ProjectRow, project_id, with_for_update=True), "project",
                        project_id)
            row.tags = {**(row.tags or {}), key: value}
            row.updated_at = utcnow()

    def set_experiment_deleted(
        self, project_id: str, deleted: bool, tx: Tx | None = None
    ) -> None:
        """Delete (softly) or restore a project, and its runs with it: deleting marks its
        active runs deleted at the same moment; restoring restores those runs only (a run
        deleted on its own before stays deleted)."""
        with self.db.write(tx) as tx:
            row = found(tx.get(ProjectRow, project_id, with_for_update=True), "project",
                        project_id)
            now = utcnow()
            if deleted and row.deleted_at is None:
                tx.execute(
                    update(RunRow)
                    .where(RunRow.project_id == project_id, RunRow.deleted_at.is_(None))
                    .values(deleted_at=now)
                )
                row.deleted_at = now
            elif not deleted and row.deleted_at is not None:
                tx.execute(
                    update(RunRow)
                    .where(RunRow.project_id == project_id,
                           RunRow.deleted_at == row.deleted_at)
                    .values(deleted_at=None)
                )
                row.deleted_at = None
            row.updated_at = now

    def search_experiments(
        self,
        project_ids: Sequence[str] | None,
        clauses: Sequence[Clause],
        orderings: Sequence[Ordering],
        deleted: bool | None,
        offset: int,
        limit: int,
    ) -> list[ExperimentView]:
        """Projects (of `project_ids` when given) matching every clause, in the order asked
        (then the newest first), `limit` of them after `offset`. `deleted`: only deleted
        ones (True), only active ones (False), both (None)."""
        query = select(ProjectRow)
        if project_ids is not None:
            query = query.where(ProjectRow.id.in_(list(project_ids)))
        if deleted is not None:
            query = query.where(
                ProjectRow.deleted_at.is_not(None) if deleted else ProjectRow.deleted_at.is_(None)
            )
        for clause in clauses:
            query = query.where(_compare(_experiment_column(clause.kind, clause.key), clause))
        order = [_ordered(_experiment_column(o.kind, o.key), o.ascending) for o in orderings]
        order += [ProjectRow.created_at.desc(), ProjectRow.id]
        with self.db.read() as tx:
            rows = tx.scalars(query.order_by(*order).offset(offset).limit(limit)).all()
            return [_experiment(row) for row in rows]

    # --- runs ---------------------------------------------------------------------------

    def create_run(
        self,
        project: str,
        name: str | None,
        tags: dict[str, str],
        started_at: datetime | None,
        meta: dict[str, Any],
        create_project: bool = False,
        created_by: str | None = None,
        tx: Tx | None = None,
    ) -> RunView:
        """A run of the project whose id (or, with `create_project`, name: made when new)
        is `project`; Invalid when that project is deleted."""
        with self.db.write(tx) as tx:
            row = tx.scalar(
                select(ProjectRow).where(
                    (ProjectRow.name if create_project else ProjectRow.id) == project
                )
            )
            if row is None and not create_project:
                raise NotFound.missing("project", project, "experiment_id")
            if row is not None and row.deleted_at is not None:
                raise Invalid(
                    f"experiment {row.name!r} is deleted: restore it to create runs in it",
                    field="experiment_id",
                )
            body = RunCreate.model_construct(
                project=row.id if row is not None else project, name=name, params={},
                tags=dict(tags), meta=RunMeta.model_validate(meta),
            )
            run = self.tracking.create_run(body, tx=tx, created_by=created_by)
            if started_at is not None:
                tx.execute(update(RunRow).where(RunRow.id == run.id)
                           .values(started_at=started_at))
            return self.run(run.id, tx=tx)

    def run(self, run_id: str, tx: Tx | None = None) -> RunView:
        views = self.runs([run_id], tx=tx)
        if not views:
            raise NotFound.missing("run", run_id)
        return views[0]

    def runs(self, run_ids: Sequence[str], tx: Tx | None = None) -> list[RunView]:
        """The runs that exist of `run_ids`, in that order."""
        by_id: dict[str, RunView] = {}
        with self.db.read(tx) as tx:
            for i in range(0, len(run_ids), CHUNK):
                by_id.update(self._views(tx, run_ids[i : i + CHUNK]))
        return [by_id[run_id] for run_id in run_ids if run_id in by_id]

    def _views(self, tx: Tx, run_ids: Sequence[str]) -> dict[str, RunView]:
        rows = tx.execute(
            select(RunRow, ProjectRow.name, DiagnosisRow.status,
                   DiagnosisRow.body["cause"].as_string())
            .join(ProjectRow, ProjectRow.id == RunRow.project_id)
            .outerjoin(DiagnosisRow, DiagnosisRow.run_id == RunRow.id)
            .where(RunRow.id.in_(list(run_ids)))
            .execution_options(populate_existing=True)
        ).all()
        latest: dict[str, list[LatestPoint]] = {}
        points = tx.execute(
            select(LatestMetricRow.run_id, LatestMetricRow.key, LatestMetricRow.value,
                   MetricRow.timestamp, LatestMetricRow.step)
            .outerjoin(MetricRow, and_(MetricRow.run_id == LatestMetricRow.run_id,
                                       MetricRow.key == LatestMetricRow.key,
                                       MetricRow.step == LatestMetricRow.step))
            .where(LatestMetricRow.run_id.in_(list(run_ids)))
            .order_by(LatestMetricRow.run_id, LatestMetricRow.key)
        )
        for run_id, key, value, stamp, step in points:
            latest.setdefault(run_id, []).append(
                LatestPoint(key, null_to_nan(value), int(stamp or 0), int(step))
            )
        return {
            row.id: RunView(
                id=row.id,
                project_id=row.project_id,
                project=project,
                name=row.name,
                status=row.status,
                source=row.source,
                started_at=aware(row.started_at or row.created_at),
                ended_at=aware(row.ended_at) if row.ended_at else None,
                deleted=row.deleted_at is not None,
                params=dict(row.params or {}),
                tags=dict(row.tags or {}),
                meta=dict(row.meta or {}),
                metrics=latest.get(row.id, []),
                diagnosis=status,
                cause=cause,
            )
            for row, project, status, cause in rows
        }

    def log_batch(
        self,
        run_id: str,
        points: Sequence[tuple[str, int, float, int]],
        params: dict[str, str],
        tags: dict[str, str | None],
        name: str | None = None,
        step_unit: tuple[str, bool] | None = None,
        tx: Tx | None = None,
    ) -> None:
        """One write for a run: params (write-once: the same value again is nothing, a
        different one Invalid), tags (None: remove; a missing one is NotFound), a new name,
        metric points as (key, step, value, ms) upserted by (key, step), and `step_unit`
        (unit, force) into the run's meta (without force only when it has none). Invalid for
        a deleted run. Holds the run's row lock, so concurrent batches of a run queue."""
        with self.db.write(tx) as tx:
            row = tx.execute(_BATCH_RUN, {"run_id": run_id}).first()
            row = found(row, "run", run_id)
            if row.deleted_at is not None:
                raise Invalid(f"run {run_id!r} is deleted: restore it to log to it",
                              field="run_id")
            values: dict[str, Any] = {}
            if params:
                merged = dict(row.params or {})
                for key, value in params.items():
                    if key in merged:
                        if text_of(merged[key]) != value:
                            raise Invalid(
                                f"param {key!r} of run {run_id!r} is {text_of(merged[key])!r}"
                                f"; params are written once, so {value!r} is refused",
                                field="params",
                            )
                    else:
                        merged[key] = value
                if len(merged) != len(row.params or {}):
                    values["params"] = merged
            if tags:
                merged_tags = dict(row.tags or {})
                for key, tag in tags.items():
                    if tag is None:
                        if key not in merged_tags:
                            raise NotFound(f"no tag {key!r} on run {run_id!r}", field="key")
                        del merged_tags[key]
                    else:
                        merged_tags[key] = tag
                values["tags"] = merged_tags
            if name is not None and name != row.name:
                values["name"] = name
            meta = dict(row.meta or {})
            if step_unit is not None:
                unit, force = step_unit
                if meta.get("step_unit") != unit and (force or "step_unit" not in meta):
                    meta["step_unit"] = unit
                    values["meta"] = meta
            if values:
                tx.execute(update(RunRow).where(RunRow.id == run_id)
                           .values(updated_at=utcnow(), **values))
            if points:
                self.tracking.log_points(run_id, points, tx=tx)
            elif "params" in values or "meta" in values:
                self.tracking.touch(run_id, tx=tx)  # what the advisor reads changed

    def update_run(
        self,
        run_id: str,
        status: RunStatus | None,
        ended_at: datetime | None,
        name: str | None,
        tx: Tx | None = None,
    ) -> RunView:
        """A new status (a job's run: Conflict; its status follows the job), end time or
        name; Invalid for a deleted run."""
        with self.db.write(tx) as tx:
            row = found(tx.get(RunRow, run_id, with_for_update=True), "run", run_id)
            if row.deleted_at is not None:
                raise Invalid(f"run {run_id!r} is deleted: restore it to update it",
                              field="run_id")
            if status is not None:
                self.tracking.patch_run(run_id, RunPatch.model_construct(status=status,
                                                                         tags=None), tx=tx)
            if ended_at is not None:
                row.ended_at = ended_at
            if name is not None:
                row.name = name
            row.updated_at = utcnow()
            tx.flush()
            return self.run(run_id, tx=tx)

    def set_run_deleted(self, run_id: str, deleted: bool, tx: Tx | None = None) -> None:
        with self.db.write(tx) as tx:
            row = found(tx.get(RunRow, run_id, with_for_update=True), "run", run_id)
            if deleted and row.deleted_at is None:
                row.deleted_at = utcnow()
            elif not deleted:
                row.deleted_at = None

    def projects_of_runs(self, run_ids: Sequence[str], tx: Tx | None = None) -> dict[str, str]:
        """Run id -> its project's id, for the runs of `run_ids` that exist."""
        out: dict[str, str] = {}
        with self.db.read(tx) as tx:
            for i in range(0, len(run_ids), CHUNK):
                rows = tx.execute(
                    select(RunRow.id, RunRow.project_id)
                    .where(RunRow.id.in_(list(run_ids[i : i + CHUNK])))
                )
                out.update((run_id, project_id) for run_id, project_id in rows)
        return out

    def search_runs(
        self,
        project_ids: Sequence[str],
        clauses: Sequence[Clause],
        orderings: Sequence[Ordering],
        deleted: bool | None,
        offset: int,
        limit: int,
    ) -> list[RunView]:
        """Runs of the projects matching every clause, in the order asked (then the latest
        started first, then by id), `limit` of them after `offset`."""
        if not project_ids:
            return []
        query: Select[Any] = select(RunRow.id).where(RunRow.project_id.in_(list(project_ids)))
        if any(c.kind == "diagnosis" for c in [*clauses, *orderings]):
            query = query.outerjoin(DiagnosisRow, DiagnosisRow.run_id == RunRow.id)
        if deleted is not None:
            query = query.where(
                RunRow.deleted_at.is_not(None) if deleted else RunRow.deleted_at.is_(None)
            )
        for clause in clauses:
            query = query.where(_compare(_run_column(clause.kind, clause.key), clause))
        order = [_ordered(_run_column(o.kind, o.key), o.ascending) for o in orderings]
        order += [_run_column("attribute", "start_time").desc(), RunRow.id]
        with self.db.read() as tx:
            ids = list(tx.scalars(query.order_by(*order).offset(offset).limit(limit)))
            return self.runs(ids, tx=tx)

    # --- metric histories ---------------------------------------------------------------

    def history(
        self, run_id: str, key: str, after_step: int, limit: int, tx: Tx | None = None
    ) -> list[tuple[int, float, int]]:
        """The run's points of `key` after `after_step`, in step order, at most `limit`:
        (step, value, ms). NotFound if no run."""
        with self.db.read(tx) as tx:
            found(tx.scalar(select(RunRow.id).where(RunRow.id == run_id)), "run", run_id)
            rows = tx.execute(
                select(MetricRow.step, MetricRow.value, MetricRow.timestamp)
                .where(MetricRow.run_id == run_id, MetricRow.key == key,
                       MetricRow.step > after_step)
                .order_by(MetricRow.step)
                .limit(limit)
            ).all()
        return [(int(s), null_to_nan(v), int(t)) for s, v, t in rows]

    def steps(
        self, run_ids: Sequence[str], key: str, start: int | None, end: int | None
    ) -> dict[str, list[int]]:
        """Each run's steps of `key` (within [start, end] when given), in order."""
        query = select(MetricRow.run_id, MetricRow.step).where(
            MetricRow.run_id.in_(list(run_ids)), MetricRow.key == key
        )
        if start is not None and end is not None:
            query = query.where(MetricRow.step >= start, MetricRow.step <= end)
        out: dict[str, list[int]] = {run_id: [] for run_id in run_ids}
        with self.db.read() as tx:
            for run_id, step in tx.execute(query.order_by(MetricRow.run_id, MetricRow.step)):
                out[run_id].append(int(step))
        return out

    def points_at(
        self, run_ids: Sequence[str], key: str, steps: Iterable[int]
    ) -> list[tuple[str, int, float, int]]:
        """The points of `key` at `steps` of each run: (run id, step, value, ms), by run in
        the order given, then by step."""
        wanted = sorted(set(steps))
        rows: list[tuple[str, int, float, int]] = []
        with self.db.read() as tx:
            for i in range(0, len(wanted), CHUNK):
                rows += [
                    (r, int(s), null_to_nan(v), int(t))
                    for r, s, v, t in tx.execute(
                        select(MetricRow.run_id, MetricRow.step, MetricRow.value,
                               MetricRow.timestamp)
                        .where(MetricRow.run_id.in_(list(run_ids)), MetricRow.key == key,
                               MetricRow.step.in_(wanted[i : i + CHUNK]))
                    )
                ]
        order = {run_id: i for i, run_id in enumerate(run_ids)}
        return sorted(rows, key=lambda row: (order[row[0]], row[1]))


def _experiment(row: ProjectRow) -> ExperimentView:
    created = aware(row.created_at)
    return ExperimentView(
        id=row.id,
        name=row.name,
        tags=dict(row.tags or {}),
        created_at=created,
        updated_at=aware(row.updated_at) if row.updated_at else created,
        deleted=row.deleted_at is not None,
    )


def _json_text(column: Any, key: str) -> ColumnElement[Any]:
    """A key of a JSON object column as text (a number stored by fitdoc's own API: its
    text), on SQLite and PostgreSQL."""
    return cast(column[key].as_string(), String)


def _run_column(kind: Kind, key: str) -> ColumnElement[Any]:
    if kind == "attribute":
        columns: dict[str, ColumnElement[Any]] = {
            "run_id": RunRow.id,
            "run_name": RunRow.name,
            "status": RunRow.status,
            "start_time": func.coalesce(RunRow.started_at, RunRow.created_at),
            "end_time": RunRow.ended_at,
        }
        if key not in columns:
            raise Invalid(f"runs cannot be searched or ordered by the attribute {key!r}",
                          field="filter")
        return columns[key]
    if kind == "param":
        return _json_text(RunRow.params, key)
    if kind == "tag":
        return _json_text(RunRow.tags, key)
    if kind == "diagnosis":
        return DiagnosisRow.status
    return (
        select(LatestMetricRow.value)
        .where(LatestMetricRow.run_id == RunRow.id, LatestMetricRow.key == key)
        .scalar_subquery()
    )


def _experiment_column(kind: Kind, key: str) -> ColumnElement[Any]:
    if kind == "tag":
        return _json_text(ProjectRow.tags, key)
    columns: dict[str, ColumnElement[Any]] = {
        "experiment_id": ProjectRow.id,
        "name": ProjectRow.name,
        "creation_time": ProjectRow.created_at,
        "last_update_time": func.coalesce(ProjectRow.updated_at, ProjectRow.created_at),
    }
    if kind != "attribute" or key not in columns:
        raise Invalid(f"experiments cannot be searched or ordered by {kind} {key!r}",
                      field="filter")
    return columns[key]


def _compare(column: ColumnElement[Any], clause: Clause) -> ColumnElement[bool]:
    value, op = clause.value, clause.op
    if op == "=":
        return column == value
    if op == "!=":
        return column != value
    if op == "<":
        return column < value
    if op == "<=":
        return column <= value
    if op == ">":
        return column > value
    if op == ">=":
        return column >= value
    if op == "LIKE":
        return column.like(value)
    if op == "ILIKE":
        return column.ilike(value)
    if op == "IN":
        return column.in_(list(value))
    if op == "NOT IN":
        return column.not_in(list(value))
    raise Invalid(f"unknown comparison {op!r}", field="filter")


def _ordered(column: ColumnElement[Any], ascending: bool) -> Any:
    return (column.asc() if ascending else column.desc()).nulls_last()
