"""The store: the only SQL in fitdoc (MLflow's SqlAlchemyStore habit), split by concern
over one database.

- tracking (TrackingStore): projects, runs, their metrics;
- jobs (JobStore): training jobs, their leases and epochs;
- diagnoses (DiagnosisStore): the advisor's inputs and its cached answers;
- tokens (TokenStore): API tokens (their hashes), roles and projects;
- datasets (DatasetStore): uploaded datasets (their files are service/datasets.py's);
- experiments (ExperimentStore): the lecture's experiments and their phases;
- mlflow (MlflowStore): projects and runs as MLflow's REST API sees them (service/mlflow);
- events (EventStore): the event log every event leaves through (SSE, webhooks);
- webhooks (WebhookStore): webhooks and their deliveries (the delivery outbox).

Every store function takes an optional `tx`, a transaction opened with `Database.write()`
(or `read()`): given one it runs inside it and does not commit, so one unit of work can go
through several stores (service/store/db.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from service.store.datasets import DatasetStore
from service.store.db import Database, database_for
from service.store.diagnoses import DiagnosisStore
from service.store.events import EventStore
from service.store.experiments import ExperimentStore
from service.store.jobs import JobStore
from service.store.mlflow import MlflowStore
from service.store.series_cache import SeriesCache
from service.store.tokens import TokenStore
from service.store.tracking import TrackingStore
from service.store.webhooks import WebhookStore

__all__ = [
    "Database",
    "DatasetStore",
    "DiagnosisStore",
    "EventStore",
    "ExperimentStore",
    "JobStore",
    "MlflowStore",
    "Stores",
    "TokenStore",
    "TrackingStore",
    "WebhookStore",
]


@dataclass
class Stores:
    """The concerns over one Database, sharing one process-local series cache
    (tracking advances it on each committed write, diagnoses read through it)."""

    db: Database
    tracking: TrackingStore
    jobs: JobStore
    diagnoses: DiagnosisStore
    tokens: TokenStore
    datasets: DatasetStore
    experiments: ExperimentStore
    events: EventStore
    mlflow: MlflowStore
    webhooks: WebhookStore

    @classmethod
    def open(cls, url: str) -> Stores:
        """The stores over the process's one Database for `url` (`database_for`)."""
        db = database_for(url)
        cache = SeriesCache()
        events = EventStore(db)
        tracking = TrackingStore(db, cache, events)
        return cls(
            db=db,
            tracking=tracking,
            jobs=JobStore(db, tracking),
            diagnoses=DiagnosisStore(db, cache, tracking),
            tokens=TokenStore(db, tracking),
            datasets=DatasetStore(db, tracking),
            experiments=ExperimentStore(db, tracking),
            events=events,
            mlflow=MlflowStore(db, tracking),
            webhooks=WebhookStore(db, tracking, events),
        )
