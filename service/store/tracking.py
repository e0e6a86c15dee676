"""Tracking: projects, runs and their metrics (logged points, series, latest values).

Functions take and return pydantic models or plain values, never ORM rows, and raise the
coded errors of service.errors. Each takes an optional `tx` (see service.store.db).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Dialect

from service.errors import Conflict, Invalid
from service.schemas import (
    EventType,
    MetricPoint,
    Page,
    Project,
    ProjectCreate,
    Run,
    RunCreate,
    RunPatch,
    RunSource,
    RunStatus,
    encode_value,
)
from service.store.db import (
    INSERT,
    Database,
    DriverSQL,
    Tx,
    driver_sql,
    found,
    to_model,
    utcnow,
)
from service.store.events import EventStore
from service.store.models import (
    DiagnosisRow,
    LatestMetricRow,
    MetricRow,
    ProjectRow,
    RunRow,
    nan_to_null,
    new_id,
    null_to_nan,
)
from service.store.series_cache import Series, SeriesCache

# A metric batch is tuples of the table's columns, in its order (the cache takes them too);
# a key's latest point is the first columns of such a tuple.
METRIC_COLUMNS = tuple(column.name for column in MetricRow.__table__.columns)
LATEST_COLUMNS = tuple(column.name for column in LatestMetricRow.__table__.columns)
assert LATEST_COLUMNS == METRIC_COLUMNS[: len(LATEST_COLUMNS)]
# Points per page of a streamed series read (`series_pages`): ~150 KB of JSON a page.
SERIES_PAGE = 5000


@dataclass(frozen=True)
class MetricSQL:
    """The metric hot paths' statements, run through the driver: SQLAlchemy's per-row
    parameter and result processing would cost more than the database's work (3x on
    SQLite for a 1,000-point batch; a diagnosis reads 6,000 points)."""

    upsert: DriverSQL  # a point; (run, key, step) is unique and the last write wins
    latest_upsert: DriverSQL  # a key's latest point, replaced by one at the same or a later step
    keys: DriverSQL  # a run's keys
    points: DriverSQL  # a key's (step, value) pairs in step order
    page: DriverSQL  # the next `limit` of them after step `after` (keyset pagination)


@lru_cache
def metric_sql(dialect: type[Dialect]) -> MetricSQL:
    """The statements compiled from the table definitions, once per dialect."""
    insert = INSERT[dialect.name]
    metrics, latest = MetricRow.__table__, LatestMetricRow.__table__
    upsert = insert(metrics)
    upsert = upsert.on_conflict_do_update(
        index_elements=list(metrics.primary_key),
        set_={c.name: upsert.excluded[c.name] for c in metrics.columns if not c.primary_key},
    )
    newest = insert(latest)
    newest = newest.on_conflict_do_update(
        index_elements=list(latest.primary_key),
        set_={c.name: newest.excluded[c.name] for c in latest.columns if not c.primary_key},
        where=newest.excluded.step >= latest.c.step,
    )
    keys = select(LatestMetricRow.key).where(LatestMetricRow.run_id == bindparam("run_id"))
    points = (
        select(MetricRow.step, MetricRow.value)
        .where(MetricRow.run_id == bindparam("run_id"), MetricRow.key == bindparam("key"))
        .order_by(MetricRow.step)
    )
    page = (
        points.where(MetricRow.step > bindparam("after"))
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    statements = (upsert, newest, keys, points, page)
    return MetricSQL(*(driver_sql(s, dialect) for s in statements))


_RUNS = RunRow.__table__
# A new revision of a run, nothing else changed (`TrackingStore._bump` without values).
# Core, not the ORM: a run row loaded in the same transaction keeps its old metrics_rev,
# which nothing reads after a bump (patch_run bumps through the ORM path, with a status).
_BUMP = (
    update(_RUNS)
    .where(_RUNS.c.id == bindparam("run_id"))
    .values(metrics_rev=_RUNS.c.metrics_rev + 1, updated_at=bindparam("now"))
    .returning(_RUNS.c.metrics_rev, _RUNS.c.project_id)
)


def encode_cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = base64.urlsafe_b64decode(padded.encode()).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid("cursor is not one this server issued", field="cursor") from exc
    if len(value) != 32 or any(c not in "0123456789abcdef" for c in value):
        raise Invalid("cursor is not one this server issued", field="cursor")
    return value


class TrackingStore:
    def __init__(self, db: Database, series_cache: SeriesCache, events: EventStore) -> None:
        self.db = db
        self.series_cache = series_cache  # advanced by every committed metric write
        self.events = events
        # Called with a run's id once a new revision of it (points, status, a finding) has
        # committed: diagnosis on write (service/diagnosis.py's Diagnoser) listens here.
        self.revised: list[Callable[[str], None]] = []
        self._sql = metric_sql(type(db.dialect))
        self._run_projects: dict[str, str] = {}  # run id -> its project's id (immutable)

    # --- projects -----------------------------------------------------------------------

    def create_project(self, body: ProjectCreate, tx: Tx | None = None) -> Project:
        with self.db.write(tx) as tx:
            if tx.scalar(select(ProjectRow.id).where(ProjectRow.name == body.name)):
                raise Conflict(f"project {body.name!r} already exists", field="name")
            row = ProjectRow(
                id=new_id(), name=body.name, description=body.description, created_at=utcnow()
            )
            tx.add(row)
        return to_model(Project, row)

    def list_projects(self, limit: int, cursor: str | None = None) -> Page[Project]:
        query = select(ProjectRow).order_by(ProjectRow.id.desc())
        if cursor:
            query = query.where(ProjectRow.id < decode_cursor(cursor))
        with self.db.read() as tx:
            rows = tx.scalars(query.limit(limit + 1)).all()
        return page_of([to_model(Project, r) for r in rows], limit)

    def get_project(self, name_or_id: str, tx: Tx | None = None) -> Project:
        with self.db.read(tx) as tx:
            return to_model(Project, self.project_row(tx, name_or_id))

    def project_row(self, tx: Tx, name_or_id: str) -> ProjectRow:
        """The project of that id or name; NotFound (field `project`) if none."""
        return found(_find_project(tx, name_or_id), "project", name_or_id, "project")

    def project_for(self, tx: Tx, name_or_id: str) -> tuple[str, str]:
        """A run's project (id, name): an existing id or name, else a new project of that
        name, made in `tx`. Safe against a concurrent maker of the same name: the insert
        does nothing on a name that exists (on PostgreSQL it waits for the other
        transaction to end first), and the select then finds the project whoever made it."""
        row = _find_project(tx, name_or_id)
        if row is not None:
            return row.id, row.name
        tx.execute(
            self.db.insert(ProjectRow)
            .values(id=new_id(), name=name_or_id, created_at=utcnow())
            .on_conflict_do_nothing(index_elements=[ProjectRow.name])
        )
        made = tx.execute(
            select(ProjectRow.id, ProjectRow.name).where(ProjectRow.name == name_or_id)
        ).one()
        return made.id, made.name

    # --- runs ---------------------------------------------------------------------------

    def create_run(
        self,
        body: RunCreate,
        source: RunSource = RunSource.external,
        job_id: str | None = None,
        tx: Tx | None = None,
        created_by: str | None = None,
    ) -> Run:
        """A run, and its project when the name is new, in one transaction (`tx` when
        given: the run exists there when this returns, for what refers to it)."""
        with self.db.write(tx) as tx:
            project_id, project_name = self.project_for(tx, body.project)
            now = utcnow()
            run_id = new_id()
            row = RunRow(
                id=run_id,
                project_id=project_id,
                name=body.name or f"run-{run_id[-6:]}",
                status=RunStatus.running.value,
                source=source.value,
                job_id=job_id,
                params=dict(body.params),
                tags=dict(body.tags),
                meta=body.meta.model_dump(exclude_none=True, mode="json"),
                created_at=now,
                updated_at=now,
                metrics_rev=0,
                created_by=created_by,
            )
            tx.add(row)
            tx.flush()
            self.db.after_commit(tx, lambda: self._announce_revision(run_id))
        return to_model(Run, row, project=project_name, latest={})

    def get_run(self, run_id: str, tx: Tx | None = None) -> Run:
        with self.db.read(tx) as tx:
            first = tx.execute(_runs_query().where(RunRow.id == run_id)).first()
            row, project_name = found(first, "run", run_id)
            latest = self._latest(tx, [run_id])
        return to_model(Run, row, project=project_name, latest=latest.get(run_id, {}))

    def known_project_of_run(self, run_id: str) -> str | None:
        """The id of the run's project if this process has looked it up before (a run never
        changes project; a project's name may change, its id does not), without I/O."""
        return self._run_projects.get(run_id)

    def project_of_run(self, run_id: str, tx: Tx | None = None) -> str:
        """The id of the run's project (for access checks on the ingest path: a
        `Principal` sees a project by id or name), or NotFound."""
        known = self._run_projects.get(run_id)
        if known is not None:
            return known
        with self.db.read(tx) as tx:
            project_id = tx.scalar(select(RunRow.project_id).where(RunRow.id == run_id))
        if len(self._run_projects) > 100_000:
            self._run_projects.clear()
        self._run_projects[run_id] = found(project_id, "run", run_id)
        return project_id

    def list_runs(
        self,
        limit: int,
        cursor: str | None = None,
        project: str | None = None,
        status: RunStatus | None = None,
        diagnosis: str | None = None,
    ) -> Page[Run]:
        # Runs deleted through the MLflow API (soft: restorable there) are not listed.
        query = _runs_query().where(RunRow.deleted_at.is_(None)).order_by(RunRow.id.desc())
        if status is not None:
            query = query.where(RunRow.status == status.value)
        if diagnosis is not None:
            # The stored diagnosis: made when the run changed (diagnosis on write), so at
            # most the diagnosis interval behind its points.
            query = query.join(DiagnosisRow, DiagnosisRow.run_id == RunRow.id).where(
                DiagnosisRow.status == diagnosis,
            )
        if cursor:
            query = query.where(RunRow.id < decode_cursor(cursor))
        with self.db.read() as tx:
            if project is not None:
                query = query.where(RunRow.project_id == self.project_row(tx, project).id)
            rows = tx.execute(query.limit(limit + 1)).all()
            latest = self._latest(tx, [row.id for row, _ in rows[:limit]])
        runs = [
            to_model(Run, row, project=name, latest=latest.get(row.id, {})) for row, name in rows
        ]
        return page_of(runs, limit)

    def patch_run(self, run_id: str, body: RunPatch, tx: Tx | None = None) -> Run:
        with self.db.write(tx) as tx:
            row = found(tx.get(RunRow, run_id, with_for_update=True), "run", run_id)
            if body.status is not None:
                if row.source == RunSource.job.value and body.status.value != row.status:
                    raise Conflict(
                        "a job's run status follows its job; cancel the job instead",
                        field="status",
                    )
                if body.status.value != row.status:
                    self._bump(tx, run_id, status=body.status.value)
                    row.status = body.status.value  # the loaded row, as the update left it
            if body.tags is not None:
                tags = dict(row.tags)
                for key, value in body.tags.items():
                    if value is None:
                        tags.pop(key, None)
                    else:
                        tags[key] = value
                row.tags = tags
            row.updated_at = utcnow()
            tx.flush()
            return self.get_run(run_id, tx=tx)

    def set_run_status(self, run_id: str, status: RunStatus, tx: Tx | None = None) -> None:
        with self.db.write(tx) as tx:
            self._bump(tx, run_id, status=status.value)

    def merge_meta(self, run_id: str, values: dict[str, Any], tx: Tx | None = None) -> None:
        """Add `values` to the run's meta (what the advisor may know beyond its curves), a
        new revision when they change it."""
        with self.db.write(tx) as tx:
            meta = tx.scalar(select(RunRow.meta).where(RunRow.id == run_id).with_for_update())
            merged = {**(meta or {}), **values}
            if merged != (meta or {}):
                self._bump(tx, run_id, meta=merged)

    def touch(self, run_id: str, tx: Tx | None = None) -> None:
        """A new revision of the run with no new point: what the advisor knows of it changed
        (an experiment's finding), so its cached diagnosis is stale."""
        with self.db.write(tx) as tx:
            self._bump(tx, run_id)

    def _bump(
        self, tx: Tx, run_id: str, rows: Sequence[tuple[Any, ...]] = (), **values: Any
    ) -> tuple[int, str]:
        """A new revision of the run as the advisor sees it (new points, or a new status:
        a running run is judged "still improving", an ended one is not), so that a cached
        diagnosis of the old revision is not served. Locks the run's row (every writer of
        a run takes it first: its events are in the order of its changes); a status that
        changes is a `run.status` event. Returns the revision and the run's project id;
        the series cache follows, and the `revised` listeners hear of it, once `tx`
        commits."""
        previous = None
        if "status" in values:
            previous = tx.scalar(
                select(RunRow.status).where(RunRow.id == run_id).with_for_update()
            )
        if values:
            bumped = tx.execute(
                update(RunRow)
                .where(RunRow.id == run_id)
                .values(metrics_rev=RunRow.metrics_rev + 1, updated_at=utcnow(), **values)
                .returning(RunRow.metrics_rev, RunRow.project_id)
            ).first()
        else:  # new points, on every metric batch: the statement built once, no ORM sync
            bumped = tx.execute(_BUMP, {"run_id": run_id, "now": utcnow()}).first()
        rev, project_id = found(bumped, "run", run_id)
        if previous is not None and previous != values["status"]:
            self.events.append(
                tx, EventType.run_status, project_id,
                {"status": values["status"], "previous": previous}, run_id=run_id,
            )
        self.db.after_commit(tx, lambda: self._revised(run_id, rev, rows))
        return rev, project_id

    def _revised(self, run_id: str, rev: int, rows: Sequence[tuple[Any, ...]]) -> None:
        self.series_cache.advance(run_id, rev, rows)
        self._announce_revision(run_id)

    def _announce_revision(self, run_id: str) -> None:
        for listener in self.revised:
            listener(run_id)

    def _latest(self, tx: Tx, run_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        if not run_ids:
            return {}
        rows = tx.execute(
            select(LatestMetricRow.run_id, LatestMetricRow.key, LatestMetricRow.value).where(
                LatestMetricRow.run_id.in_(run_ids)
            )
        )
        latest: dict[str, dict[str, Any]] = {}
        for run_id, key, value in rows:
            latest.setdefault(run_id, {})[key] = encode_value(null_to_nan(value))
        return latest

    # --- metrics ------------------------------------------------------------------------

    def log_metrics(self, run_id: str, points: Iterable[MetricPoint], tx: Tx | None = None) -> int:
        """Upsert points; (run, key, step) is unique and the last write wins. Bumps the
        run's metrics revision; the series cache follows once the transaction commits."""
        now_ms = int(time.time() * 1000)
        return self.log_points(
            run_id,
            (
                (p.key, p.step, p.value,
                 int(p.timestamp.timestamp() * 1000) if p.timestamp else now_ms)
                for p in points
            ),
            tx=tx,
        )

    def log_points(
        self,
        run_id: str,
        points: Iterable[tuple[str, int, float | str, int]],
        tx: Tx | None = None,
    ) -> int:
        """`log_metrics` for points as (key, step, value, timestamp in ms since the epoch):
        the same upsert, for a client that counts time in milliseconds (MLflow's)."""
        batch: dict[tuple[str, int], tuple[Any, ...]] = {}
        for key, step, value, stamp in points:
            batch[(key, step)] = (run_id, key, step, nan_to_null(value), stamp)
        # One lock order for every writer: no deadlocks between concurrent batches on
        # PostgreSQL (the run row first, then the points in (key, step) order).
        rows = [batch[k] for k in sorted(batch)]
        latest: dict[str, tuple[Any, ...]] = {}
        for row in rows:
            latest[row[1]] = row[: len(LATEST_COLUMNS)]  # in step order: the last is highest
        with self.db.write(tx) as tx:
            _, project_id = self._bump(tx, run_id, rows)
            if rows:
                # One statement each through the driver's executemany.
                connection = tx.connection()
                sql = self._sql
                connection.exec_driver_sql(sql.upsert.text, sql.upsert.rows(METRIC_COLUMNS, rows))
                connection.exec_driver_sql(
                    sql.latest_upsert.text,
                    sql.latest_upsert.rows(LATEST_COLUMNS, list(latest.values())),
                )
                self.events.append(
                    tx, EventType.metrics_logged, project_id,
                    {"keys": sorted(latest), "first_step": min(row[2] for row in rows),
                     "last_step": max(row[2] for row in rows), "points": len(rows)},
                    run_id=run_id,
                )
        return len(rows)

    def truncate_metrics(self, run_id: str, from_step: int, tx: Tx | None = None) -> int:
        """Delete the run's points at `from_step` and above (a dead job attempt's epochs that
        a resumed one will redo), and put its latest values back in step; returns how many
        went."""
        with self.db.write(tx) as tx:
            self._bump(tx, run_id)
            gone = tx.execute(
                delete(MetricRow).where(MetricRow.run_id == run_id, MetricRow.step >= from_step)
            ).rowcount
            if gone:
                tx.execute(delete(LatestMetricRow).where(LatestMetricRow.run_id == run_id))
                top = (
                    select(MetricRow.key, func.max(MetricRow.step).label("step"))
                    .where(MetricRow.run_id == run_id)
                    .group_by(MetricRow.key)
                    .subquery()
                )
                tx.execute(
                    insert(LatestMetricRow).from_select(
                        ["run_id", "key", "step", "value"],
                        select(MetricRow.run_id, MetricRow.key, MetricRow.step, MetricRow.value)
                        .join(top, (top.c.key == MetricRow.key) & (top.c.step == MetricRow.step))
                        .where(MetricRow.run_id == run_id),
                    )
                )
            # the series cached in this process has points that are gone now
            self.db.after_commit(tx, lambda: self.series_cache.drop(run_id))
            return int(gone or 0)

    def series_keys(
        self, run_id: str, keys: Sequence[str] | None = None, tx: Tx | None = None
    ) -> list[str]:
        """The run's metric keys (those of `keys` it has, when given), sorted. 404 if no
        run."""
        with self.db.read(tx) as tx:
            found(tx.scalar(select(RunRow.id).where(RunRow.id == run_id)), "run", run_id)
            present = tx.scalars(
                select(LatestMetricRow.key).where(LatestMetricRow.run_id == run_id)
            ).all()
        return sorted(present if keys is None else set(present) & set(keys))

    def series_counts(self, run_id: str, keys: Sequence[str]) -> dict[str, int]:
        """How many points each of `keys` has in the run (those it has)."""
        if not keys:
            return {}
        with self.db.read() as tx:
            rows = tx.execute(
                select(MetricRow.key, func.count())
                .where(MetricRow.run_id == run_id, MetricRow.key.in_(keys))
                .group_by(MetricRow.key)
            ).all()
        return {key: int(count) for key, count in rows}

    def series_pages(
        self, run_id: str, keys: Sequence[str], page_size: int = SERIES_PAGE
    ) -> Iterator[tuple[str, list[tuple[int, float]]]]:
        """Each key's points in step order, `page_size` at a time: (key, points) pages, the
        first page of a key even when it has none. Keyset pagination by (key, step), each
        page a short read transaction of its own, so that reading a series of any length
        holds one page in memory and no transaction open (a point written meanwhile may or
        may not be in the pages after it)."""
        sql = self._sql.page
        for key in keys:
            after = -1  # steps are >= 0
            while True:
                with self.db.read() as tx:
                    cursor = tx.connection().connection.cursor()
                    try:
                        cursor.execute(
                            sql.text,
                            sql.args(
                                run_id=run_id, key=key, after=after, limit=page_size, offset=0
                            ),
                        )
                        points = cursor.fetchall()
                    finally:
                        cursor.close()
                if None in [value for _, value in points]:
                    points = [(step, null_to_nan(value)) for step, value in points]
                if points or after == -1:
                    yield key, points
                if len(points) < page_size:
                    break
                after = points[-1][0]

    def read_series(
        self, run_id: str, keys: Sequence[str] | None = None, tx: Tx | None = None
    ) -> Series:
        """Every point of the run (or of `keys`), by key, in step order. 404 if no run."""
        with self.db.read(tx) as tx:
            found(tx.scalar(select(RunRow.id).where(RunRow.id == run_id)), "run", run_id)
            # Straight through the driver's cursor, one key at a time: a run of 1,000
            # epochs x 6 keys is 6,000 rows, and SQLAlchemy row objects, or a key string per
            # row, would cost more than the advisor's whole diagnosis. The (step, value)
            # tuples the driver returns are used as they are unless a NaN (stored as NULL)
            # needs restoring.
            cursor = tx.connection().connection.cursor()
            try:
                cursor.execute(self._sql.keys.text, self._sql.keys.args(run_id=run_id))
                present = sorted(key for (key,) in cursor.fetchall())
                wanted = present if keys is None else [k for k in present if k in set(keys)]
                series: Series = {}
                for key in wanted:
                    cursor.execute(
                        self._sql.points.text, self._sql.points.args(run_id=run_id, key=key)
                    )
                    points = cursor.fetchall()
                    if None in [value for _, value in points]:  # a C-level scan
                        points = [(step, null_to_nan(value)) for step, value in points]
                    series[key] = points
                return series
            finally:
                cursor.close()


def _find_project(tx: Tx, name_or_id: str) -> ProjectRow | None:
    row = tx.get(ProjectRow, name_or_id)
    return row or tx.scalar(select(ProjectRow).where(ProjectRow.name == name_or_id))


def _runs_query() -> Select[Any]:
    """Runs with their project's name."""
    return select(RunRow, ProjectRow.name).join(ProjectRow, ProjectRow.id == RunRow.project_id)


def page_of(items: list[Any], limit: int) -> Page[Any]:
    if len(items) > limit:
        return Page(items=items[:limit], next_cursor=encode_cursor(items[limit - 1].id))
    return Page(items=items, next_cursor=None)
