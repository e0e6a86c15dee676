"""Thin Celery tasks: take a job id, run the plain function, report."""

from __future__ import annotations

import logging
import os
import socket
from functools import lru_cache

from service.diagnosis import diagnose_on_write
from service.experiments import advance_after
from service.queue import SWEEP_TASK, TRAIN_TASK
from service.repair import advance
from service.settings import get_settings
from service.store import Stores
from service.store.jobs import LeaseHeld
from service.sweep import sweep
from workers.app import celery_app
from workers.jobs import run_job

log = logging.getLogger("fitdoc.worker")


@lru_cache(maxsize=1)
def _stores() -> Stores:
    """The process's stores, made on first use, after the fork (one engine per process);
    with diagnosis on write, the runs this process changes are re-diagnosed in its
    Diagnoser's thread."""
    settings = get_settings()
    stores = Stores.open(settings.resolved_database_url())
    if settings.diagnose_on_write:
        diagnose_on_write(stores, settings.diagnose_interval_seconds)
    return stores


@celery_app.task(name=TRAIN_TASK, bind=True)
def train_job(self, job_id: str) -> str:  # type: ignore[no-untyped-def]
    owner = f"{self.request.hostname or socket.gethostname()}:{os.getpid()}"
    stores, settings = _stores(), get_settings()
    try:
        outcome = run_job(stores.jobs, job_id, owner, settings)
    except LeaseHeld as held:
        # A copy of the message of a job that a live worker trains (Redis redelivered it,
        # or the outbox sent it again): dropped. If that worker dies, its lease lapses and
        # the sweeper queues the job again.
        log.info("job %s is held by another worker (%.0f s left); message dropped",
                 job_id, held.seconds_left)
        return "skipped: held by another worker"
    log.info("job %s: %s", job_id, outcome)
    if settings.diagnose_on_write:
        # the run's last epochs and its end are diagnosed before the task reports
        diagnose_on_write(stores).wait_idle(timeout=30)
    # The job has ended (or had, for a late delivery): its chain's auto-repair goes on.
    try:
        state = advance(stores, celery_app, settings, job_id)
    except Exception:  # noqa: BLE001 - the job's own outcome stands; the chain waits
        log.exception("job %s: auto-repair could not take its next step", job_id)
    else:
        if state is not None:
            log.info("job %s: repair %s", job_id, state.value)
    # ... and so does its experiment.
    try:
        advance_after(stores, celery_app, settings, job_id)
    except Exception:  # noqa: BLE001 - the sweeper advances it later
        log.exception("job %s: its experiment could not take its next step", job_id)
    return outcome


@celery_app.task(name=SWEEP_TASK, ignore_result=True)
def sweep_jobs() -> dict[str, int]:
    """Celery beat's periodic task (service/sweep.py): take over jobs whose worker is gone,
    send what the outbox holds."""
    report = sweep(_stores(), celery_app, get_settings())
    if report.requeued or report.cancelled or report.sent or report.unsent:
        log.info("sweep: %s", report)
    return report.__dict__
