"""The Celery application shared by the API (which only sends) and the workers.

Embedded mode uses kombu's filesystem transport in the data dir (with atomic writes:
`AtomicFilesystemTransport`); production uses Redis.
The database, not Celery, is the source of truth for a job's state, so no result backend.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic

from celery import Celery
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

from service.settings import Settings


class AtomicFilesystemChannel(filesystem.Channel):
    """kombu's filesystem channel, whose producer writes a message whole before it shows:
    kombu's own opens the message file under its final name and then writes it, so a
    consumer can take a file that is still empty, `json.loads("")` raises out of
    `drain_events` and the consumer process shuts down (celery/kombu#1551: `fitdoc beat`
    died so, losing the message, the sweeper and every later webhook delivery). Here the
    message is written under a name no consumer takes (".<name>.part") and renamed."""

    def _put(self, queue, payload, **kwargs):  # type: ignore[no-untyped-def]
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        part = os.path.join(self.data_folder_out, f".{name}.part")
        try:
            with open(part, "wb") as out:
                out.write(str_to_bytes(dumps(payload)))
            os.replace(part, final)
        except OSError as exc:
            raise filesystem.ChannelError(f"Cannot add file {final!r} to directory") from exc


class AtomicFilesystemTransport(filesystem.Transport):
    Channel = AtomicFilesystemChannel

    def drain_events(self, connection, timeout=None):  # type: ignore[no-untyped-def]
        """One polling interval at most, not `timeout`: Celery's loop for this transport
        asks for 2 s and looks for a shutdown only between calls, so a worker told to stop
        polled on for up to 2 s (an idle `fitdoc worker` took 6.4 s to stop)."""
        if timeout is not None and self.polling_interval:
            timeout = min(timeout, self.polling_interval)
        return super().drain_events(connection, timeout=timeout)


# The embedded broker's URL scheme (settings.resolved_broker_url): every process that
# imports this module (the API, the workers, fitdoc beat) resolves it to the class above.
FILESYSTEM = "fitdocfs"
TRANSPORT_ALIASES[FILESYSTEM] = f"{__name__}:AtomicFilesystemTransport"

TRAIN_TASK = "fitdoc.train_job"
SWEEP_TASK = "fitdoc.sweep"
DELIVER_TASK = "fitdoc.deliver_webhook"


def make_celery(settings: Settings) -> Celery:
    url = settings.resolved_broker_url()
    app = Celery("fitdoc", broker=url, set_as_current=False)
    options: dict[str, object] = {
        "visibility_timeout": settings.visibility_timeout,
        # a broker that is down must not hold a request: the outbox sends the job later
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
    }
    if url.startswith(("filesystem", FILESYSTEM)):
        folder = (settings.data_dir / "broker").resolve()
        for sub in ("queue", "processed", "control"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        options = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),  # else kombu writes ./control
            "store_processed": False,
            # how long a consumer sleeps when its queues are empty (kombu's default, 1 s,
            # would be most of a webhook's latency budget)
            "polling_interval": 0.1,
        }
    app.conf.update(
        broker_transport_options=options,
        broker_connection_retry_on_startup=True,
        task_default_queue=settings.queue,
        task_ignore_result=True,
        # Training jobs are long: take one message at a time, acknowledge it only when the
        # job is over, and hand it back if the worker process dies under it.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_concurrency=1,
        worker_hijack_root_logger=False,
        task_serializer="json",
        accept_content=["json"],
        # Sending fails fast when the broker is down (the job stays in the outbox).
        task_publish_retry_policy={
            "max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5
        },
        # Celery beat (`fitdoc beat`) runs the sweeper on the control queue, and delivers
        # webhooks from a queue of their own.
        task_routes={
            SWEEP_TASK: {"queue": settings.control_queue},
            DELIVER_TASK: {"queue": settings.hooks_queue},
        },
        beat_schedule={
            "sweep": {
                "task": SWEEP_TASK,
                "schedule": settings.sweep_seconds,
                # a sweep that waited a whole period is superseded by the next one
                "options": {"expires": settings.sweep_seconds},
            }
        },
        beat_schedule_filename=str((settings.data_dir / "beat-schedule").resolve()),
    )
    return app


def enqueue_job(app: Celery, job_id: str) -> None:
    app.send_task(TRAIN_TASK, args=[job_id])


def enqueue_delivery(app: Celery, delivery_id: str, countdown: float | None = None) -> None:
    """A webhook delivery's message (service/webhooks.py), to be run now or after
    `countdown` seconds."""
    app.send_task(DELIVER_TASK, args=[delivery_id], countdown=countdown)
