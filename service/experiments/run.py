"""Running an experiment: its kind plans jobs phase by phase; when a phase's jobs have all
ended, the next phase is planned from them, or the kind concludes.

`start` makes the experiment and its first phase's jobs in one transaction and sends them;
`advance` is called when one of its jobs ends (by the worker's task, as auto-repair's step
is) and by the sweeper for jobs that ended without a worker (cancelled while queued,
failed after their workers died). Every step holds the experiment's row lock and checks
the phase it read, so a second delivery of the same end changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery
from pydantic import ValidationError

from service.errors import Conflict, FitdocError, Invalid
from service.experiments.kinds import KINDS, Done, Outcome, Planned
from service.jobs import check_active_jobs, create_job, send_job
from service.schemas import (
    MAX_NAME_LENGTH,
    TERMINAL_JOB_STATUSES,
    Experiment,
    ExperimentCreate,
    ExperimentJob,
    ExperimentStatus,
    JobCreate,
    JobSpec,
    JobStatus,
)
from service.settings import Settings
from service.store import Stores
from service.store.db import Tx
from service.store.experiments import ENDED
from service.store.jobs import ExperimentPart

log = logging.getLogger("fitdoc.experiments")

CURVES = ("train_loss", "val_loss", "train_acc", "val_acc")


def start(
    stores: Stores,
    queue: Celery,
    settings: Settings,
    body: ExperimentCreate,
    created_by: str | None = None,
) -> Experiment:
    """The experiment and its first phase's jobs (each checked as any submitted spec: 422
    naming the field), queued; 429 when they would take the submitter over its limit of
    active jobs."""
    kind = KINDS[body.kind]
    options = kind.check(dict(body.options))
    spec = body.spec.resolved()
    planned = kind.plan(spec, options, 0, [])
    if not planned:
        raise Invalid("this experiment has no job to run", field="options")
    check_active_jobs(stores.jobs, settings, created_by, adding=len(planned))
    name = body.name or f"{body.kind}"
    with stores.db.write() as tx:
        experiment_id = stores.experiments.create(
            body.project, body.kind, name, spec, options.model_dump(mode="json"),
            created_by, tx=tx,
        )
        jobs = _create(stores, settings, body.project, name, experiment_id, 0, planned,
                       created_by, tx)
    for job_id in jobs:
        send_job(stores.jobs, queue, job_id)
    return stores.experiments.get(experiment_id)


def _create(
    stores: Stores,
    settings: Settings,
    project: str,
    name: str,
    experiment_id: str,
    phase: int,
    planned: list[Planned],
    created_by: str | None,
    tx: Tx,
) -> list[str]:
    made = []
    for job in planned:
        try:
            spec = JobSpec.model_validate(job.spec)
        except ValidationError as bad:  # a kind's plan made a spec the JobSpec refuses
            first = bad.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise Invalid(f"the {job.role} job's spec: {first['msg']}",
                          field=f"spec.{where}") from bad
        # the experiment's name (up to the limit itself) with the job's role, cut to fit
        title = f"{name}: {job.role}"[:MAX_NAME_LENGTH].strip()
        request = JobCreate(project=project, name=title, spec=spec)
        made.append(
            create_job(
                stores.jobs,
                request,
                settings,
                datasets=stores.datasets,
                created_by=created_by,
                experiment=ExperimentPart(experiment_id, job.role, phase),
                tx=tx,
            ).id
        )
    return made


def advance_after(stores: Stores, queue: Celery, settings: Settings, job_id: str
                  ) -> ExperimentStatus | None:
    """The experiment's next step once its job `job_id` has ended; None for a job of no
    experiment."""
    job = stores.jobs.get_job(job_id)
    if job.experiment_id is None:
        return None
    return advance(stores, queue, settings, job.experiment_id)


def advance(stores: Stores, queue: Celery, settings: Settings, experiment_id: str
            ) -> ExperimentStatus:
    """Start the next phase, conclude, or wait: whatever the experiment's ended jobs call
    for now."""
    seen = stores.experiments.get(experiment_id)
    if seen.status in ENDED:
        return seen.status
    current = [j for j in seen.jobs if j.phase == seen.phase]
    if any(j.status not in TERMINAL_JOB_STATUSES for j in current):
        if any(j.status == JobStatus.running for j in current):
            stores.experiments.mark_running(experiment_id)
        return ExperimentStatus.running if seen.status != ExperimentStatus.queued \
            else seen.status
    # Every job of the phase has ended: read them (outside the lock), then decide under it.
    done = [_done(stores, j) for j in seen.jobs]
    decision = _decide(seen, done)
    subject_run = None
    if isinstance(decision, Outcome):
        kind = KINDS[seen.kind]
        subject = kind.subject(seen.spec, kind.options.model_validate(seen.options), done)
        if subject is not None:
            subject_run = stores.jobs.get_job(subject).run_id
    queued: list[str] = []
    try:
        with stores.db.write() as tx:
            locked = stores.experiments.lock(experiment_id, tx)
            if locked.status in ENDED or locked.phase != seen.phase or len(
                locked.jobs
            ) != len(seen.jobs):
                return locked.status  # decided already
            if isinstance(decision, Outcome):
                stores.experiments.finish(
                    experiment_id,
                    ExperimentStatus.succeeded,
                    result={**decision.result, "patch": decision.patch},
                    verdict=decision.verdict,
                    subject_run_id=subject_run,
                    tx=tx,
                )
                status = ExperimentStatus.succeeded
            elif isinstance(decision, tuple):
                status, error = decision
                stores.experiments.finish(experiment_id, status, error=error, tx=tx)
            else:
                stores.experiments.start_phase(experiment_id, seen.phase + 1, tx=tx)
                queued = _create(stores, settings, seen.project, seen.name, experiment_id,
                                 seen.phase + 1, decision, seen.created_by, tx)
                status = ExperimentStatus.running
    except (Invalid, Conflict) as bad:  # the next phase's jobs cannot run: nothing was made
        stores.experiments.finish(
            experiment_id, ExperimentStatus.failed,
            error=f"phase {seen.phase + 1}'s jobs cannot run: {bad.message} ({bad.field})",
        )
        return ExperimentStatus.failed
    for job_id in queued:
        send_job(stores.jobs, queue, job_id)
    log.info("experiment %s (%s): %s", experiment_id, seen.kind, status.value)
    return status


def _decide(
    seen: Experiment, done: list[Done]
) -> Outcome | list[Planned] | tuple[ExperimentStatus, str]:
    """The kind's next phase, its conclusion, or why the experiment ends without one."""
    if seen.cancel_requested or any(d.status == JobStatus.cancelled.value for d in done):
        return ExperimentStatus.cancelled, "cancelled"
    failed = [d for d in done if d.phase == seen.phase and d.status == JobStatus.failed.value]
    if failed:
        first = failed[0]
        return ExperimentStatus.failed, f"its {first.role} job ({first.job_id}) failed: " \
            f"{first.error}"
    kind = KINDS[seen.kind]
    options = kind.options.model_validate(seen.options)
    try:
        planned = kind.plan(seen.spec, options, seen.phase + 1, done)
        if planned:
            return planned
        return kind.conclude(seen.spec, options, done)
    except (ValueError, KeyError, StopIteration, FitdocError) as bad:
        message = bad.message if isinstance(bad, FitdocError) else str(bad)
        return ExperimentStatus.failed, f"its jobs ended, but {message or type(bad).__name__}"


def _done(stores: Stores, job: ExperimentJob) -> Done:
    full = stores.jobs.get_job(job.id)
    series = stores.tracking.read_series(full.run_id, list(CURVES))
    curves = {key: [value for _, value in points] for key, points in series.items()}
    return Done(
        role=job.role,
        phase=job.phase,
        job_id=job.id,
        status=full.status.value,
        error=full.error,
        spec=full.spec,
        result=full.result,
        best_epoch=full.best_epoch,
        curves=curves,
    )


def cancel(stores: Stores, queue: Celery, settings: Settings, experiment_id: str
           ) -> Experiment:
    """Cancel the experiment's unfinished jobs; it ends `cancelled` once they have."""
    experiment = stores.experiments.request_cancel(experiment_id)
    for job in experiment.jobs:
        if job.status not in TERMINAL_JOB_STATUSES:
            try:
                stores.jobs.request_cancel(job.id)
            except Conflict:
                pass  # it ended meanwhile
    advance(stores, queue, settings, experiment_id)
    return stores.experiments.get(experiment_id)


def advance_unfinished(stores: Stores, queue: Celery, settings: Settings) -> dict[str, Any]:
    """The sweeper's pass over experiments: one whose jobs ended without a worker's report
    goes on."""
    moved = {}
    for experiment_id in stores.experiments.unfinished():
        try:
            moved[experiment_id] = advance(stores, queue, settings, experiment_id).value
        except Exception:  # noqa: BLE001 - one experiment must not stop the sweep
            log.exception("experiment %s: could not advance", experiment_id)
    return moved
