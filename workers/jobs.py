"""Running one training job: claim it, train it, record every epoch, save it, end it.

A plain function (the Celery task is a thin wrapper), so tests can call it directly.
The database is the source of truth: the job's status, progress, lease and error live in
the jobs table; metrics are written each epoch, so clients see them while the job runs.
The trained model (last and best weights) goes to `Settings.checkpoint_path(job_id)`.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from service.catalogue import is_upload_id
from service.catalogue.memory import estimate_training_memory, format_bytes, largest_part_field
from service.schemas import JobStatus, MetricPoint
from service.settings import Settings
from service.store import JobStore
from service.store.jobs import JobClaim, Lease, LeaseLost

log = logging.getLogger("fitdoc.worker")


class Heartbeat:
    """Renews the attempt's lease in the background while it trains, so a long epoch does
    not let the lease lapse, and a dead worker's lease does (then the job is taken over).
    A renewal that finds the lease taken marks the attempt `lost`: it stops at the next
    epoch boundary without writing (and every write it tries meanwhile is fenced anyway)."""

    def __init__(self, jobs: JobStore, lease: Lease, lease_seconds: int) -> None:
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, args=(jobs, lease, lease_seconds), daemon=True
        )

    def _beat(self, jobs: JobStore, lease: Lease, lease_seconds: int) -> None:
        while not self._stop.wait(lease_seconds / 3):
            try:
                if not jobs.renew_lease(lease, lease_seconds):
                    log.warning("job %s: the lease was taken; this attempt stops", lease.job_id)
                    self.lost.set()
                    return
            except Exception:  # noqa: BLE001 - a missed beat is retried; the job goes on
                log.warning("could not renew the lease of job %s", lease.job_id, exc_info=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def epoch_points(epoch: int, metrics: dict[str, float]) -> list[MetricPoint]:
    return [MetricPoint(key=key, step=epoch, value=float(v)) for key, v in metrics.items()]


def epoch_hooks(
    jobs: JobStore, lease: Lease, run_id: str, lost: threading.Event | None = None
) -> tuple[
    Callable[[int, dict[str, float]], None],
    Callable[[], bool],
    Callable[[int, list[dict[str, float]]], None],
]:
    """What the worker does between epochs: write the epoch's metrics and the job's
    progress (on_epoch), look for a cancel request (should_stop), and, when the attempt
    resumes a saved training state, put the run's records in step with it (on_resume).
    Every write is fenced by the attempt's lease (LeaseLost once it is taken). The epoch's
    write reads the cancel flag in the same transaction; only before the first epoch (data
    loading can take a while after the claim) does should_stop ask the database itself."""
    cancelled: bool | None = None  # as the last epoch's write read it; None before any

    def check_lease() -> None:
        if lost is not None and lost.is_set():
            raise LeaseLost(lease)

    def on_epoch(epoch: int, metrics: dict[str, float]) -> None:
        nonlocal cancelled
        check_lease()
        cancelled = jobs.record_epoch(lease, run_id, epoch + 1, epoch_points(epoch, metrics))

    def should_stop() -> bool:
        check_lease()
        return jobs.cancel_requested(lease.job_id) if cancelled is None else cancelled

    def on_resume(epochs_done: int, history: list[dict[str, float]]) -> None:
        check_lease()
        points = [p for epoch, m in enumerate(history) for p in epoch_points(epoch, m)]
        jobs.start_attempt(lease, run_id, epochs_done, points)
        log.info("job %s: attempt %d resumes after epoch %d", lease.job_id, lease.attempt,
                 epochs_done - 1)

    return on_epoch, should_stop, on_resume


def use_threads(settings: Settings) -> None:
    """torch's CPU threads for this process's training: the worker's choice
    (`Settings.training_threads`), or torch's default."""
    threads = settings.training_threads()
    if threads is None:
        return
    import torch

    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


def run_job(jobs: JobStore, job_id: str, owner: str, settings: Settings) -> str:
    """Train job `job_id` unless it is over or taken; returns what happened.

    Raises LeaseHeld (service.store.jobs) when another worker holds the job. An attempt
    that loses its lease while it trains (it stalled past the lease and the job went to
    another worker) stops and writes nothing more: "lease lost"."""
    claim = jobs.claim_job(job_id, owner, settings.job_lease_seconds)
    if claim is None:
        return "skipped: the job has ended or was cancelled before it started"
    use_threads(settings)
    if claim.spec.get("probe"):
        return run_probe_job(jobs, claim, settings)

    # Imported here, not at module level: torch (and CUDA) only in the process that trains.
    from workers.training import (
        Cancelled,
        ConfigError,
        Files,
        TrainConfig,
        check_config,
        discard_state,
        save_checkpoint,
        train,
    )

    lease = claim.lease
    checkpoint, state = settings.checkpoint_path(job_id), settings.state_path(job_id)
    try:
        with Heartbeat(jobs, lease, settings.job_lease_seconds) as beat:
            on_epoch, should_stop, on_resume = epoch_hooks(jobs, lease, claim.run_id, beat.lost)
            if lease.attempt > 1:
                # a retry: the dead attempt's points go; train() calls on_resume again with
                # the epochs of the saved state if it resumes from one
                on_resume(0, [])
            try:
                config = TrainConfig.from_dict(claim.spec)
                check_config(config)
                result = train(
                    config,
                    on_epoch=on_epoch,
                    should_stop=should_stop,
                    data_dir=Path(settings.data_dir) / "datasets",
                    state_path=state,
                    on_resume=on_resume,
                    state_every=settings.state_every_seconds,
                    files=Files(
                        roots=tuple(settings.resolved_dataset_roots()),
                        excluded=tuple(settings.private_dirs()),
                        upload=upload_file(jobs, settings, claim.run_id, config.dataset.id),
                    ),
                    init_from_path=init_from_file(settings, config.model.init_from),
                    on_data=lambda facts: jobs.record_meta(lease, claim.run_id, facts),
                )
            except Cancelled as stop:
                jobs.finish_job(job_id, JobStatus.cancelled, lease=lease)
                _discard(state, discard_state)
                return f"cancelled before epoch {stop.epoch}"
            except ConfigError as bad:
                jobs.finish_job(job_id, JobStatus.failed, f"the spec cannot run: {bad}",
                                lease=lease)
                _discard(state, discard_state)
                return "failed: bad spec"
            except LeaseLost:
                raise
            except Exception as exc:  # noqa: BLE001 - a training error ends the job, not the worker
                message = _describe(exc, claim.spec)
                log.exception("job %s failed", job_id)
                _release(exc)
                jobs.finish_job(job_id, JobStatus.failed, message, lease=lease)
                _discard(state, discard_state)
                return f"failed: {message}"
            if not jobs.holds(lease):
                raise LeaseLost(lease)
            try:
                # Saved for a NaN run too: its best epoch's weights may be worth having.
                save_checkpoint(checkpoint, result, job_id=job_id, run_id=claim.run_id)
            except OSError as exc:
                message = f"trained, but the checkpoint could not be written to {checkpoint}: {exc}"
                log.exception("job %s: %s", job_id, message)
                jobs.finish_job(job_id, JobStatus.failed, message, lease=lease)
                return f"failed: {message}"
    except LeaseLost as lost:
        log.warning("%s: stopped, nothing more written", lost)
        return f"{LEASE_LOST}: attempt {lease.attempt}"

    resumed = "" if result.resumed_from_epoch is None else (
        f", resumed after epoch {result.resumed_from_epoch - 1}")
    try:
        if result.stopped_reason == "non_finite_loss":
            last = len(result.history) - 1
            jobs.finish_job(
                job_id,
                JobStatus.failed,
                f"the training loss became NaN or infinite at epoch {last}; training stopped "
                "(see the run's diagnosis: usually the learning rate is too high)",
                best_epoch=result.best_epoch,
                lease=lease,
            )
            outcome = "failed: non-finite loss"
        else:
            jobs.finish_job(job_id, JobStatus.succeeded, best_epoch=result.best_epoch,
                            lease=lease)
            outcome = f"succeeded after {len(result.history)} epochs ({result.stopped_reason})"
    except LeaseLost as lost:
        log.warning("%s: stopped, nothing more written", lost)
        return f"{LEASE_LOST}: attempt {lease.attempt}"
    _discard(state, discard_state)
    return outcome + resumed


LEASE_LOST = "lease lost"


class ProbePoints:
    """A probe's metric points on their way to the run: buffered, and written at most every
    `every` seconds (and at the end) in one fenced transaction with the job's progress (the
    last step + 1), which also reads the cancel flag; an lr_range makes a point per batch.
    LeaseLost once the attempt has lost the job."""

    def __init__(self, jobs: JobStore, lease: Lease, run_id: str, lost: threading.Event,
                 every: float = 1.0) -> None:
        self.jobs, self.lease, self.run_id, self.lost, self.every = jobs, lease, run_id, lost, every
        self.buffer: list[MetricPoint] = []
        self.step = -1
        self.cancelled = False
        self.known = self.written = time.monotonic()  # when the cancel flag was last read

    def _check_lease(self) -> None:
        if self.lost.is_set():
            raise LeaseLost(self.lease)

    def add(self, step: int, metrics: dict[str, float]) -> None:
        self._check_lease()
        self.buffer.extend(epoch_points(step, metrics))
        self.step = max(self.step, step)
        if time.monotonic() - self.written >= self.every:
            self.flush()

    def flush(self) -> None:
        self._check_lease()
        if self.buffer:
            self.cancelled = self.jobs.record_epoch(self.lease, self.run_id, self.step + 1,
                                                    self.buffer)
            self.buffer = []
            self.known = time.monotonic()
        self.written = time.monotonic()

    def should_stop(self) -> bool:
        """Polled between a probe's steps: the flag as the last write read it, or, when
        nothing was written for `every` seconds, as the database has it now."""
        self._check_lease()
        if time.monotonic() - self.known >= self.every:
            self.cancelled = self.jobs.cancel_requested(self.lease.job_id)
            self.known = time.monotonic()
        return self.cancelled


def run_probe_job(jobs: JobStore, claim: JobClaim, settings: Settings) -> str:
    """A claimed job whose spec has a `probe`: run the probe (workers/training/probes.py)
    instead of training, under the same lease, heartbeat and fencing as a training job. Its
    points go to the run as they come (ProbePoints), its findings to the job's `result`; a
    hessian probe at a saddle point saves the escaped weights at this job's checkpoint path
    (after checking the lease, as a trained model), for a job to start from."""
    from workers.training import Cancelled, ConfigError, Files, TrainConfig, save_checkpoint
    from workers.training.probes import run_probe

    lease, job_id = claim.lease, claim.job_id
    checkpoint = settings.checkpoint_path(job_id)
    try:
        with Heartbeat(jobs, lease, settings.job_lease_seconds) as beat:
            if lease.attempt > 1:  # a retry: the dead attempt's points go
                jobs.start_attempt(lease, claim.run_id, 0, [])
            points = ProbePoints(jobs, lease, claim.run_id, beat.lost)
            try:
                config = TrainConfig.from_dict(claim.spec)
                probe = run_probe(
                    config,
                    on_point=points.add,
                    should_stop=points.should_stop,
                    data_dir=Path(settings.data_dir) / "datasets",
                    files=Files(
                        roots=tuple(settings.resolved_dataset_roots()),
                        excluded=tuple(settings.private_dirs()),
                        upload=upload_file(jobs, settings, claim.run_id, config.dataset.id),
                    ),
                    checkpoint_of=settings.checkpoint_path,
                )
                points.flush()
            except Cancelled as stop:
                points.flush()
                jobs.finish_job(job_id, JobStatus.cancelled, lease=lease)
                return f"cancelled at probe step {stop.epoch}"
            except ConfigError as bad:
                jobs.finish_job(job_id, JobStatus.failed, f"the spec cannot run: {bad}",
                                lease=lease)
                return "failed: bad spec"
            except LeaseLost:
                raise
            except Exception as exc:  # noqa: BLE001 - a probe's error ends the job, not the worker
                message = _describe(exc, claim.spec)
                log.exception("job %s failed", job_id)
                _release(exc)
                jobs.finish_job(job_id, JobStatus.failed, message, lease=lease)
                return f"failed: {message}"
            if probe.checkpoint is not None:
                if not jobs.holds(lease):
                    raise LeaseLost(lease)
                try:
                    save_checkpoint(checkpoint, probe.checkpoint, job_id=job_id,
                                    run_id=claim.run_id, **probe.checkpoint_extra)
                except OSError as exc:
                    message = (f"probed, but the escaped weights could not be written to "
                               f"{checkpoint}: {exc}")
                    log.exception("job %s: %s", job_id, message)
                    jobs.finish_job(job_id, JobStatus.failed, message, lease=lease)
                    return f"failed: {message}"
        jobs.finish_job(job_id, JobStatus.succeeded, lease=lease, result=probe.result)
    except LeaseLost as lost:
        log.warning("%s: stopped, nothing more written", lost)
        return f"{LEASE_LOST}: attempt {lease.attempt}"
    return (f"succeeded: {probe.kind} probe, {len(probe.points)} points in "
            f"{probe.seconds:.1f} s")


def upload_file(jobs: JobStore, settings: Settings, run_id: str,
                dataset_id: str | None) -> Path | None:
    """Where the upload a spec's `dataset.id` names lies: under the job's own project in the
    shared data dir (the API checked at submit that it is that project's; a file that is
    not there, deleted since, fails the job with the same message as an unknown id)."""
    if not is_upload_id(dataset_id):
        return None
    project = jobs.tracking.get_project(jobs.tracking.get_run(run_id).project)
    return settings.upload_path(project.id, dataset_id)


def init_from_file(settings: Settings, init_from: object | None) -> Path | None:
    """The checkpoint of the job a spec's `model.init_from` names (the API checked at
    submit that it is of the same project and has ended with one), in the shared data dir."""
    job_id = getattr(init_from, "job_id", None)
    # A job id has an upload id's form (32 hex): nothing else becomes a file name.
    return settings.checkpoint_path(job_id) if is_upload_id(job_id) else None


def _discard(state: Path, discard: Callable[[Path], None]) -> None:
    """The job has ended: its training state goes (best effort: a folder that cannot be
    written is already in the job's error)."""
    try:
        discard(state)
    except OSError:
        log.warning("could not remove %s", state, exc_info=True)


def _describe(exc: BaseException, spec: dict) -> str:
    """The job's error for an exception out of training: for running out of memory, where
    and what the API estimated the spec would take."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    device = out_of_memory(exc)
    if device is None:
        return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    text = text.split("] err == 0. ")[-1][:300]  # torch's CPU allocator: no C++ location
    try:
        estimate = estimate_training_memory(spec)
    except Exception:  # noqa: BLE001 - a spec the catalogue cannot size: say so below
        estimate = None
    if estimate is None:
        known = "there was no estimate for it (its data's size is known only once read)"
        remedy = "use a smaller batch_size or model"
    else:
        known = (f"the spec's estimate was {format_bytes(estimate.total)} "
                 f"({estimate.describe()})")
        remedy = largest_part_field(spec, estimate)[1]
    return f"out of memory on this worker ({device}): {text}; {known}; {remedy}"


def out_of_memory(exc: BaseException) -> str | None:
    """Where `exc` ran out of memory ("cpu": the host's, "cuda": a GPU's), or None when it
    is another error. A failed host allocation is a MemoryError from numpy or Python, and a
    RuntimeError from torch's CPU allocator; a GPU's is torch.OutOfMemoryError."""
    import torch

    if isinstance(exc, torch.OutOfMemoryError):
        return "cuda"
    if isinstance(exc, MemoryError):
        return "cpu"
    text = str(exc)
    if isinstance(exc, RuntimeError) and ("can't allocate memory" in text
                                          or "not enough memory" in text):
        return "cpu"
    return None


def _release(exc: BaseException) -> None:
    """Let go of what the failed training held, so that the worker's next job has the
    memory: the traceback's frames hold the model, its data and its optimizer; then the GPU
    cache goes back to the driver."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        exc.__traceback__ = None
        exc = exc.__cause__ or exc.__context__
    gc.collect()
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except Exception:  # noqa: BLE001 - best effort only
        pass
