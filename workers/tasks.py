"""Thin Celery tasks: take a job id, run the plain function, report."""

from __future__ import annotations

import logging
import os
import socket
import threading
from functools import lru_cache

from service.diagnosis import diagnose_on_write
from service.experiments import advance_after
from service.queue import DELIVER_TASK, SWEEP_TASK, TRAIN_TASK
from service.repair import advance
from service.settings import get_settings
from service.store import Stores
from service.store.jobs import LeaseHeld
from service.sweep import sweep
from service.webhooks import deliver, dispatch_on_write
from workers.app import celery_app
from workers.jobs import run_job

log = logging.getLogger("fitdoc.worker")
# `fitdoc beat` runs tasks in threads (webhook deliveries beside the sweeper): one sweep at
# a time in a process; a sweep that finds one running is dropped (the next one comes).
_SWEEPING = threading.Lock()


@lru_cache(maxsize=1)
def _stores() -> Stores:
    """The process's stores, made on first use, after the fork (one engine per process);
    with diagnosis on write, the runs this process changes are re-diagnosed in its
    Diagnoser's thread; the webhook deliveries of the events it records are made and sent
    by its Dispatcher's thread."""
    settings = get_settings()
    stores = Stores.open(settings.resolved_database_url())
    if settings.diagnose_on_write:
        diagnose_on_write(stores, settings.diagnose_interval_seconds)
    dispatch_on_write(stores, celery_app, settings)
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


# The beat process's own tasks are acknowledged on receipt, not after they ran (the
# installation's default, for training jobs): neither needs a late ack (a sweep runs every
# second; a delivery whose worker died is sent again by the sweeper once its claim lapses),
# and a message held unacknowledged when Redis went away crashed the beat process's
# consumer (kombu restoring it over a closed connection: "Unrecoverable error:
# AttributeError('NoneType' object has no attribute 'hostname')"), and with it the
# sweeper, so that queued jobs were never sent again (a CI run of the broker-restart test).
@celery_app.task(name=SWEEP_TASK, ignore_result=True, acks_late=False)
def sweep_jobs() -> dict[str, int]:
    """Celery beat's periodic task (service/sweep.py): take over jobs whose worker is gone,
    send what the outbox holds."""
    if not _SWEEPING.acquire(blocking=False):
        return {"skipped": 1}
    try:
        report = sweep(_stores(), celery_app, get_settings())
    finally:
        _SWEEPING.release()
    if report.requeued or report.cancelled or report.sent or report.unsent \
            or report.deliveries or report.resent:
        log.info("sweep: %s", report)
    return report.__dict__


@celery_app.task(name=DELIVER_TASK, ignore_result=True, acks_late=False)
def deliver_webhook(delivery_id: str) -> str:
    """One attempt of a webhook delivery (service/webhooks.py), on `<queue>.hooks`."""
    outcome = deliver(_stores(), celery_app, get_settings(), delivery_id)
    log.info("webhook delivery %s: %s", delivery_id, outcome)
    return outcome
