"""One Settings object, read from FITDOC_* environment variables (pydantic-settings).

Every setting has a safe default: the embedded mode (SQLite file + filesystem broker in
FITDOC_DATA_DIR, loopback bind) needs no environment at all.
"""

from __future__ import annotations

import ipaddress
import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FITDOC_", extra="ignore")

    data_dir: Path = Path(".fitdoc")
    # Empty means "embedded": derived from data_dir below.
    database_url: str = ""
    broker_url: str = ""

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # Required (as a bearer token) when the API binds to a non-loopback address.
    api_token: str | None = None

    # Request limits (README "Limits").
    max_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    max_metrics_per_batch: int = Field(default=10_000, ge=1, le=100_000)

    # Job limits (what a JobSpec may ask for).
    max_epochs: int = Field(default=1_000, ge=1)
    max_batch_size: int = Field(default=65_536, ge=1)
    # A model's parameters, and its training's memory as the catalogue estimates it (weights,
    # gradients, optimizer state, activations of a batch), checked at submit.
    max_params: int = Field(default=100_000_000, ge=1)
    max_job_memory: int = Field(default=8 * 1024**3, ge=1024**2)  # bytes
    # Samples of a generated or bundled dataset a spec may ask for (dataset.n_train).
    max_dataset_samples: int = Field(default=1_000_000, ge=1)

    # Files a job may read: an npz or image folder path must resolve (symlinks and `..`
    # followed) inside one of these folders (comma-separated; empty: the data dir's
    # datasets/). Uploads (POST /api/v1/datasets) live under the data dir, like checkpoints.
    dataset_roots: str = ""
    max_upload_bytes: int = Field(default=512 * 1024**2, ge=1024)

    # Per token (or per client address with auth off): jobs queued or running at once, and
    # requests per minute; over either: 429 with Retry-After. Counted in Redis when the
    # broker is Redis (shared by every API process), else in the process.
    max_active_jobs_per_token: int = Field(default=100, ge=1)
    requests_per_minute: int = Field(default=30_000, ge=1)

    # Diagnosis on write: a process that changes a run re-diagnoses it at once, in a thread
    # (service/diagnosis.py); off, a run is diagnosed when read and by the sweeper.
    diagnose_on_write: bool = True
    # ... each run at most once per this long (a run logging every few milliseconds costs
    # one diagnosis per interval; a change is told within it plus one diagnosis).
    diagnose_interval_seconds: float = Field(default=0.2, ge=0, le=60)
    # The event log (service/store/events.py): how often each API process reads it for
    # its server-sent events streams (a change made in the process itself wakes it at
    # once), the comment line an idle stream gets to keep proxies from closing it, and
    # how long events are kept (the sweeper deletes older ones).
    event_poll_seconds: float = Field(default=0.1, gt=0, le=10)
    sse_ping_seconds: float = Field(default=15.0, gt=0)
    event_retention_days: float = Field(default=7.0, gt=0)
    # Webhooks (service/webhooks.py): a delivery that fails is tried again after the
    # backoff (x2 after each failure, at most the cap) until it has been tried
    # max_attempts times (1, 2, 4 ... 64 s by default: about two minutes); each POST may
    # take timeout seconds; a due delivery whose message was sent resend_after seconds ago
    # and never taken (the broker lost it) is sent again by the sweeper.
    webhook_backoff_seconds: float = Field(default=1.0, gt=0)
    webhook_backoff_max_seconds: float = Field(default=600.0, gt=0)
    webhook_max_attempts: int = Field(default=8, ge=1, le=100)
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    webhook_resend_after_seconds: float = Field(default=60.0, gt=0)

    # Workers. The queue name lets several fitdoc installations share one Redis.
    queue: str = "fitdoc"
    # A running job's lease: renewed by a heartbeat (every third of it) while it trains.
    # Once it lapses the worker is taken for dead: the sweeper queues the job again and the
    # next attempt resumes from its last epoch (a stalled worker that wakes up is fenced
    # out: its writes no longer match the job).
    job_lease_seconds: int = Field(default=120, ge=3)
    # A job whose worker died (or stalled past its lease) in this many attempts fails.
    max_job_attempts: int = Field(default=5, ge=1)
    # torch's CPU threads in a job's training process. 0: the worker decides
    # (`training_threads`): half the cores it may run on (at least one) in the embedded
    # mode, where the API, the sweeper and the worker share the machine; torch's default (a
    # thread per core) on a machine of its own. On the 2-core dev VM an embedded worker at
    # torch's 2 threads trained 5.9x slower than at one while the API was busy, and 1.3x
    # faster when nothing else ran (bench/worker_threads.py, bench/RESULTS.md).
    worker_threads: int = Field(default=0, ge=0, le=1024)
    # A worker saves the job's training state at every epoch end (0), or at most every this
    # many seconds (a crash then redoes up to that long plus an epoch; for big models on a
    # GPU, where a save costs a sizeable part of a short epoch: bench/RESULTS.md).
    state_every_seconds: float = Field(default=0.0, ge=0)
    # How often Celery beat runs the sweeper (service/sweep.py): take-over of lapsed leases
    # and the outbox of unsent job messages.
    sweep_seconds: float = Field(default=15.0, gt=0)
    # A queued job's message is sent again this long after it was sent (then 2x, 4x ...
    # longer): a broker that restarted without persistence lost it.
    resend_after_seconds: float = Field(default=300.0, gt=0)
    # Redis hands an unacknowledged message (its worker died) to another worker after this
    # long. Unset: the lease's length, so that Redis's redelivery and the lease agree (a
    # redelivered message of a live job is dropped: the lease says who trains it).
    broker_visibility_timeout: int | None = Field(default=None, ge=3)

    @property
    def visibility_timeout(self) -> int:
        return self.broker_visibility_timeout or self.job_lease_seconds

    @property
    def control_queue(self) -> str:
        """The queue of the sweeper's periodic task: never behind a training job."""
        return f"{self.queue}.control"

    @property
    def hooks_queue(self) -> str:
        """The queue of webhook deliveries (consumed by `fitdoc beat`): never behind a
        training job."""
        return f"{self.queue}.hooks"

    def state_path(self, job_id: str) -> Path:
        """A running job's training state, saved at each epoch end, from which a job taken
        over resumes; removed when the job ends."""
        return self.data_dir / "checkpoints" / f"{job_id}.state.pt"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'fitdoc.db').resolve()}"

    def checkpoint_path(self, job_id: str) -> Path:
        """Where a job's trained model is saved (by the worker) and read (by the API): the
        data dir is one folder in the embedded mode and a shared volume in docker-compose."""
        return self.data_dir / "checkpoints" / f"{job_id}.pt"

    def resolved_dataset_roots(self) -> list[Path]:
        """The folders a job's files must lie in, resolved (symlinks followed)."""
        named = [part.strip() for part in self.dataset_roots.split(",") if part.strip()]
        roots = [Path(part).expanduser() for part in named] or [self.data_dir / "datasets"]
        return [root.resolve() for root in roots]

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    def upload_path(self, project_id: str, dataset_id: str) -> Path:
        """An uploaded dataset's npz: under the data dir (a shared volume in production), so
        a worker on another host reads it where it reads checkpoints; outside the default
        dataset root, so that another project's upload cannot be named by path."""
        return self.uploads_dir / project_id / f"{dataset_id}.npz"

    def private_dirs(self) -> list[Path]:
        """Folders that hold projects' own files (uploads, checkpoints): no dataset path may
        lead into them, even when a dataset root contains them."""
        return [self.uploads_dir, self.data_dir / "checkpoints"]

    def resolved_broker_url(self) -> str:
        if self.broker_url:
            return self.broker_url
        return "fitdocfs://"  # kombu's filesystem transport, atomic (service/queue.py)

    @property
    def embedded(self) -> bool:
        return self.resolved_database_url().startswith("sqlite")

    def training_threads(self) -> int | None:
        """The CPU threads a worker trains with (`worker_threads`), None for torch's
        default."""
        if self.worker_threads:
            return self.worker_threads
        if not self.embedded:
            return None
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
            else os.cpu_count() or 1
        return max(1, cores // 2)

    def bind_is_loopback(self, host: str | None = None) -> bool:
        host = host or self.host
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False


@lru_cache
def get_settings() -> Settings:
    return Settings()
