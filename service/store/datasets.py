"""Uploaded datasets: the rows of the npz files a project uploaded (the files themselves are
service/datasets.py's, under the data dir). Each belongs to one project and is found by id,
or by id within a project (a job may only read its own project's uploads)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, delete, or_, select

from service.schemas import Dataset, Page
from service.store.db import Database, Tx, found, to_model, utcnow
from service.store.models import DatasetRow, ProjectRow, new_id
from service.store.tracking import TrackingStore, decode_cursor, page_of


class DatasetStore:
    def __init__(self, db: Database, tracking: TrackingStore) -> None:
        self.db = db
        self.tracking = tracking

    def create(
        self,
        project: str,
        name: str,
        size_bytes: int,
        sha256: str,
        info: dict[str, Any],
        created_by: str | None = None,
        tx: Tx | None = None,
    ) -> tuple[Dataset, str]:
        """A new upload's row in `project` (name or id; made if new), and the project's id
        (where its file goes). `info`: what the check of the file found (arrays, task,
        classes, n_train, n_val)."""
        with self.db.write(tx) as tx:
            project_id, project_name = self.tracking.project_for(tx, project)
            row = DatasetRow(
                id=new_id(),
                project_id=project_id,
                name=name,
                size_bytes=size_bytes,
                sha256=sha256,
                info=info,
                created_by=created_by,
                created_at=utcnow(),
            )
            tx.add(row)
            tx.flush()
        return _model(row, project_name), project_id

    def get(self, dataset_id: str, tx: Tx | None = None) -> Dataset:
        """The upload, or NotFound."""
        with self.db.read(tx) as tx:
            first = tx.execute(_query().where(DatasetRow.id == dataset_id)).first()
            row, project = found(first, "dataset", dataset_id)
        return _model(row, project)

    def find(self, dataset_id: str, project: str, tx: Tx | None = None) -> Dataset | None:
        """The upload `dataset_id` if it belongs to `project` (name or id), else None: an
        unknown id and another project's read the same."""
        query = _query().where(
            DatasetRow.id == dataset_id,
            or_(ProjectRow.id == project, ProjectRow.name == project),
        )
        with self.db.read(tx) as tx:
            first = tx.execute(query).first()
        return None if first is None else _model(*first)

    def list(
        self, limit: int, cursor: str | None = None, project: str | None = None
    ) -> Page[Dataset]:
        """Newest first; `project` (name or id): only its uploads (NotFound if unknown)."""
        query = _query().order_by(DatasetRow.id.desc())
        if cursor:
            query = query.where(DatasetRow.id < decode_cursor(cursor))
        with self.db.read() as tx:
            if project is not None:
                project_id = self.tracking.get_project(project, tx).id
                query = query.where(DatasetRow.project_id == project_id)
            rows = tx.execute(query.limit(limit + 1)).all()
        return page_of([_model(row, name) for row, name in rows], limit)

    def delete(self, dataset_id: str, tx: Tx | None = None) -> tuple[Dataset, str]:
        """Removes the row; the upload as it was and its project's id (where its file is).
        NotFound if there is no such upload (also when a concurrent delete came first)."""
        with self.db.write(tx) as tx:
            first = tx.execute(_query().where(DatasetRow.id == dataset_id)).first()
            row, project = found(first, "dataset", dataset_id)
            gone = tx.execute(delete(DatasetRow).where(DatasetRow.id == dataset_id))
            if gone.rowcount != 1:
                found(None, "dataset", dataset_id)
            return _model(row, project), row.project_id


def _query() -> Select[Any]:
    """Uploads with their project's name."""
    return select(DatasetRow, ProjectRow.name).join(
        ProjectRow, ProjectRow.id == DatasetRow.project_id
    )


def _model(row: DatasetRow, project: str) -> Dataset:
    info = row.info
    return to_model(
        Dataset,
        row,
        project=project,
        arrays=info["arrays"],
        task=info["task"],
        classes=info.get("classes"),
        n_train=info["n_train"],
        n_val=info.get("n_val"),
    )
