"""Thin Celery tasks: take a job id, run the plain function, report."""

from __future__ import annotations

import logging
import os
import socket

from service.queue import TRAIN_TASK
from service.repair import advance
from service.settings import get_settings
from service.store import Stores
from service.store.jobs import LeaseHeld
from workers.app import celery_app
from workers.jobs import run_job

log = logging.getLogger("fitdoc.worker")


def _stores() -> Stores:
    # One engine per process (database_for), made on first use, after the fork.
    return Stores.open(get_settings().resolved_database_url())


@celery_app.task(name=TRAIN_TASK, bind=True, max_retries=None)
def train_job(self, job_id: str) -> str:  # type: ignore[no-untyped-def]
    owner = f"{self.request.hostname or socket.gethostname()}:{os.getpid()}"
    stores, settings = _stores(), get_settings()
    try:
        outcome = run_job(stores.jobs, job_id, owner, settings)
    except LeaseHeld as held:
        # Another worker is training this job (a redelivered message): look again once its
        # lease could have run out; if that worker died, this delivery takes the job over.
        log.info("job %s is held by another worker; retrying in %.0f s", job_id, held.seconds_left)
        raise self.retry(countdown=held.seconds_left + 1) from held
    log.info("job %s: %s", job_id, outcome)
    # The job has ended (or had, for a late delivery): its chain's auto-repair goes on.
    try:
        state = advance(stores, celery_app, settings, job_id)
    except Exception:  # noqa: BLE001 - the job's own outcome stands; the chain waits
        log.exception("job %s: auto-repair could not take its next step", job_id)
    else:
        if state is not None:
            log.info("job %s: repair %s", job_id, state.value)
    return outcome
