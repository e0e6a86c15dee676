"""The sweeper: what keeps jobs moving when a worker or the broker fails. Run periodically
by Celery beat (`fitdoc beat`; `fitdoc serve` starts it in the embedded mode) on the
control queue, so that busy training workers never delay it.

One pass:
1. Take-over. A running job whose lease lapsed has lost its worker (killed, OOM, a host
   that rebooted, or one stalled so long that it must not write again): it goes back to
   `queued` (or ends `cancelled` if a cancel was waiting, or `failed` once
   FITDOC_MAX_JOB_ATTEMPTS attempts have died: a job that gets its worker killed for
   memory every time would loop for ever). Its next attempt resumes from the training
   state the last one saved at an epoch end.
2. The outbox. A queued job whose message was never sent (the broker was down when it was
   submitted, or the job was just put back) or was sent long ago (a broker restarted
   without persistence loses its queue) is sent again.
3. Catch-up. Runs whose stored diagnosis is stale (the process that changed them died
   before re-diagnosing them, or the advisor's version changed) are diagnosed, a bounded
   number per pass; events older than FITDOC_EVENT_RETENTION_DAYS are deleted (not those
   the webhook dispatcher has yet to read), and so are deliveries over by then.
4. Webhooks (service/webhooks.py). Events no process dispatched (it died first) get their
   deliveries, and due deliveries whose message was never sent, or was lost, are sent.

Every step is idempotent: two sweepers, or a sweep racing a worker, change nothing twice
(rows are locked; a claim skips a job that is taken or over).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from celery import Celery

from service.diagnosis import refresh_stale_diagnoses
from service.experiments import advance_unfinished
from service.jobs import send_job
from service.settings import Settings
from service.store import Stores
from service.store.db import utcnow
from service.webhooks import dispatch, send_due

log = logging.getLogger("fitdoc.sweep")

STALE_PER_SWEEP = 200  # stale diagnoses a pass brings up to date (the rest: the next)


@dataclass(frozen=True)
class SweepReport:
    requeued: int
    cancelled: int
    sent: int
    unsent: int  # due but the broker would not take them: the next pass tries again
    failed: int = 0  # every attempt died: not tried again
    diagnosed: int = 0  # stale diagnoses brought up to date
    deliveries: int = 0  # webhook deliveries made from events no process had dispatched
    resent: int = 0  # webhook deliveries sent (again)


def sweep(stores: Stores, queue: Celery, settings: Settings) -> SweepReport:
    swept = stores.jobs.expire_leases(settings.max_job_attempts)
    for job_id in swept.requeued:
        log.warning("job %s: its worker's lease lapsed; queued again", job_id)
    for job_id in swept.cancelled:
        log.info("job %s: its worker is gone; cancelled as requested", job_id)
    for job_id in swept.failed:
        log.error("job %s: its worker died in every attempt; failed", job_id)
    sent = unsent = 0
    for job_id in stores.jobs.due_for_sending(settings.resend_after_seconds):
        if send_job(stores.jobs, queue, job_id):
            sent += 1
        else:
            unsent += 1
            break  # the broker is down: the rest wait for the next pass
    # Experiments whose jobs ended without a worker's report (cancelled while queued,
    # failed here) take their next step.
    advance_unfinished(stores, queue, settings)
    # Diagnoses a process left undone (it died before its Diagnoser got to them), or made
    # by an older advisor; and events older than their retention.
    refreshed = refresh_stale_diagnoses(stores.diagnoses, limit=STALE_PER_SWEEP)
    # Webhooks: what no process dispatched, and messages never sent or lost.
    made = dispatch(stores, queue, settings)
    resent = send_due(stores, queue, settings)
    expired = utcnow() - timedelta(days=settings.event_retention_days)
    stores.events.prune(expired, keep_after=stores.webhooks.cursor_position())
    stores.webhooks.prune_deliveries(expired)
    return SweepReport(len(swept.requeued), len(swept.cancelled), sent, unsent,
                       len(swept.failed), refreshed, made, resent)
