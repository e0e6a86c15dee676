"""Running one training job: claim it, train it, record every epoch, save it, end it.

A plain function (the Celery task is a thin wrapper), so tests can call it directly.
The database is the source of truth: the job's status, progress, lease and error live in
the jobs table; metrics are written each epoch, so clients see them while the job runs.
The trained model (last and best weights) goes to `Settings.checkpoint_path(job_id)`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from service.schemas import JobStatus, MetricPoint
from service.settings import Settings
from service.store import JobStore

log = logging.getLogger("fitdoc.worker")


class Heartbeat:
    """Renews the job's lease in the background while it trains, so a long epoch does not
    let the lease lapse, and a dead worker's lease does (then the job can be taken over)."""

    def __init__(self, jobs: JobStore, job_id: str, owner: str, lease_seconds: int) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, args=(jobs, job_id, owner, lease_seconds), daemon=True
        )

    def _beat(self, jobs: JobStore, job_id: str, owner: str, lease_seconds: int) -> None:
        while not self._stop.wait(lease_seconds / 3):
            try:
                jobs.renew_lease(job_id, owner, lease_seconds)
            except Exception:  # noqa: BLE001 - a missed beat is retried; the job goes on
                log.warning("could not renew the lease of job %s", job_id, exc_info=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def epoch_points(epoch: int, metrics: dict[str, float]) -> list[MetricPoint]:
    return [MetricPoint(key=key, step=epoch, value=float(v)) for key, v in metrics.items()]


def epoch_hooks(
    jobs: JobStore, job_id: str, run_id: str
) -> tuple[Callable[[int, dict[str, float]], None], Callable[[], bool]]:
    """What the worker does between epochs: write the epoch's metrics and the job's
    progress (on_epoch), and look for a cancel request (should_stop). The epoch's write
    reads the cancel flag in the same transaction; only before the first epoch (data
    loading can take a while after the claim) does should_stop ask the database itself."""
    cancelled: bool | None = None  # as the last epoch's write read it; None before any

    def on_epoch(epoch: int, metrics: dict[str, float]) -> None:
        nonlocal cancelled
        cancelled = jobs.record_epoch(job_id, run_id, epoch + 1, epoch_points(epoch, metrics))

    def should_stop() -> bool:
        return jobs.cancel_requested(job_id) if cancelled is None else cancelled

    return on_epoch, should_stop


def run_job(jobs: JobStore, job_id: str, owner: str, settings: Settings) -> str:
    """Train job `job_id` unless it is over or taken; returns what happened.

    Raises LeaseHeld (service.store.jobs) when another worker holds the job (the caller
    retries later)."""
    claim = jobs.claim_job(job_id, owner, settings.job_lease_seconds)
    if claim is None:
        return "skipped: the job has ended or was cancelled before it started"

    # Imported here, not at module level: torch (and CUDA) only in the process that trains.
    from workers.training import (
        Cancelled,
        ConfigError,
        TrainConfig,
        check_config,
        save_checkpoint,
        train,
    )

    on_epoch, should_stop = epoch_hooks(jobs, job_id, claim.run_id)
    checkpoint = settings.checkpoint_path(job_id)
    with Heartbeat(jobs, job_id, owner, settings.job_lease_seconds):
        try:
            config = TrainConfig.from_dict(claim.spec)
            check_config(config)
            result = train(
                config,
                on_epoch=on_epoch,
                should_stop=should_stop,
                data_dir=Path(settings.data_dir) / "datasets",
            )
        except Cancelled as stop:
            jobs.finish_job(job_id, JobStatus.cancelled)
            return f"cancelled before epoch {stop.epoch}"
        except ConfigError as bad:
            jobs.finish_job(job_id, JobStatus.failed, f"the spec cannot run: {bad}")
            return "failed: bad spec"
        except Exception as exc:  # noqa: BLE001 - any training error ends the job, not the worker
            _free_accelerator_memory()
            message = _describe(exc)
            log.exception("job %s failed", job_id)
            jobs.finish_job(job_id, JobStatus.failed, message)
            return f"failed: {message}"
        try:
            # Saved for a NaN run too: its best epoch's weights may be worth having.
            save_checkpoint(checkpoint, result, job_id=job_id, run_id=claim.run_id)
        except OSError as exc:
            message = f"trained, but the checkpoint could not be written to {checkpoint}: {exc}"
            log.exception("job %s: %s", job_id, message)
            jobs.finish_job(job_id, JobStatus.failed, message)
            return f"failed: {message}"

    if result.stopped_reason == "non_finite_loss":
        last = len(result.history) - 1
        jobs.finish_job(
            job_id,
            JobStatus.failed,
            f"the training loss became NaN or infinite at epoch {last}; training stopped "
            "(see the run's diagnosis: usually the learning rate is too high)",
            best_epoch=result.best_epoch,
        )
        return "failed: non-finite loss"
    jobs.finish_job(job_id, JobStatus.succeeded, best_epoch=result.best_epoch)
    return f"succeeded after {len(result.history)} epochs ({result.stopped_reason})"


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if "out of memory" in text.lower():
        return f"the GPU ran out of memory: {text}. Try a smaller batch_size or model."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _free_accelerator_memory() -> None:
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except Exception:  # noqa: BLE001 - best effort only
        pass
