"""Submitting a training job: check the spec, make the job and its run, queue it."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from celery import Celery

from service.catalogue import (
    DATASETS,
    JOB_PARAMS,
    DatasetInfo,
    SpecError,
    check_same_architecture,
    check_spec,
    input_mismatch,
    probe_jobs,
    probe_steps,
)
from service.catalogue.memory import (
    estimate_training_memory,
    format_bytes,
    format_count,
    largest_part_field,
    model_field,
)
from service.datasets import check_dataset_path, upload_info
from service.errors import Invalid, NotFound, RateLimited
from service.queue import enqueue_job
from service.schemas import (
    TERMINAL_JOB_STATUSES,
    Applied,
    Job,
    JobCreate,
    JobStatus,
    RunCreate,
    RunMeta,
)
from service.settings import Settings
from service.store import DatasetStore, JobStore
from service.store.db import Tx
from service.store.jobs import ExperimentPart

log = logging.getLogger("fitdoc.jobs")


def resolve_spec(
    body: JobCreate,
    settings: Settings,
    datasets: DatasetStore,
    tx: Tx | None = None,
    *,
    jobs: JobStore | None = None,
) -> dict[str, Any]:
    """The spec as the worker will read it, or Invalid (422) naming the field at fault.

    Field-level rules (names, bounds, unknown fields) are the pydantic JobSpec's; the rules
    that tie fields together (cnn on tabular data, image augmentation on 1-D data, ...) are
    the catalogue's `check_spec`, which the worker runs again on the loaded data (an upload's
    shape and classes are known here already). The data must be the job's to read: a path
    under the dataset roots, an upload of the job's project (service/datasets.py); the job a
    `model.init_from` names must be the project's and have ended with a checkpoint
    (`check_init_from`; `jobs`: the job store, else one over the datasets' database). No
    torch here: the API process never loads it."""
    training = body.spec.training
    if training.epochs > settings.max_epochs:
        raise Invalid(
            f"at most {settings.max_epochs} epochs (FITDOC_MAX_EPOCHS)", "spec.training.epochs"
        )
    if training.batch_size > settings.max_batch_size:
        raise Invalid(
            f"at most {settings.max_batch_size} samples per batch (FITDOC_MAX_BATCH_SIZE)",
            "spec.training.batch_size",
        )
    # What is stored and trained is the resolved spec (e.g. the optimizer's usual lr written
    # out), so the run's params and the advisor's patches say what really ran.
    spec = body.spec.resolved()
    info = upload_info(spec["dataset"], body.project, datasets, tx)
    try:
        check_spec(spec, info)
    except SpecError as bad:
        raise Invalid(bad.message, f"spec.{bad.field}") from bad
    check_dataset_path(spec["dataset"], settings)
    if spec["model"].get("init_from"):
        jobs = jobs or JobStore(datasets.db, datasets.tracking)
        check_init_from(spec, body.project, jobs, settings, info, tx)
    if spec.get("probe"):
        jobs = jobs or JobStore(datasets.db, datasets.tracking)
        check_probe_jobs(spec, body, jobs, settings, info, tx)
    check_bounds(spec, settings, info)
    return spec


def _data_section(dataset: dict[str, Any]) -> dict[str, Any]:
    # Fields a spec written before they existed lacks read as their default, None.
    return {key: value for key, value in dataset.items() if value is not None}


def check_probe_jobs(
    spec: dict[str, Any],
    body: JobCreate,
    jobs: JobStore,
    settings: Settings,
    info: DatasetInfo | None = None,
    tx: Tx | None = None,
) -> None:
    """Invalid (422) unless a probe job can read what it names: each job (a hessian's
    `probe.job_id`, an ensemble's `probe.members[i]`) is of the project, has succeeded and
    left a checkpoint, and an ensemble's members trained on the spec's dataset; a probe is
    not auto-repaired; a hessian's Lanczos basis (2 x iters vectors the model's size) fits
    FITDOC_MAX_JOB_MEMORY beside the rest. The worker checks the checkpoints again."""
    probe = spec["probe"]
    if body.repair.max_rounds:
        raise Invalid("a probe job measures, it does not train: it has nothing to repair "
                      "(leave repair out)", "spec.probe")
    for field, job_id in probe_jobs(probe):
        where = f"spec.{field}"
        job = project_job(jobs, body.project, job_id, where, tx)
        if job.status != JobStatus.succeeded:
            raise Invalid(f"job {job_id} is {job.status.value}: a probe reads the weights of a "
                          "job that has succeeded", where)
        if not settings.checkpoint_path(job.id).is_file():
            raise Invalid(f"job {job_id} has no checkpoint in this server's data dir "
                          f"({settings.checkpoint_path(job.id).parent})", where)
        theirs = job.spec.get("dataset") if isinstance(job.spec, dict) else None
        if probe["kind"] == "ensemble" and isinstance(theirs, dict) \
                and _data_section(theirs) != _data_section(spec["dataset"]):
            raise Invalid(f"job {job_id} trained on other data than this spec's dataset: the "
                          "members of an ensemble are evaluated on the validation set of the "
                          "dataset they share", where)
    if probe["kind"] == "hessian":
        estimate = estimate_training_memory(spec, info)
        if estimate is not None:
            basis = 2 * probe["iters"] * estimate.parameters * 4
            if estimate.total + basis > settings.max_job_memory:
                raise Invalid(
                    f"the Lanczos basis of {probe['iters']} iterations takes "
                    f"{format_bytes(basis)} beside the model's {format_bytes(estimate.total)}; "
                    f"the limit is {format_bytes(settings.max_job_memory)} "
                    "(FITDOC_MAX_JOB_MEMORY): use fewer iters",
                    "spec.probe.iters",
                )


def check_init_from(
    spec: dict[str, Any],
    project: str,
    jobs: JobStore,
    settings: Settings,
    info: DatasetInfo | None = None,
    tx: Tx | None = None,
) -> None:
    """Invalid (422) unless the job `model.init_from` names can be started from: one of
    `project`'s, ended with a checkpoint (`startable_job`), whose model has the same layers
    (`spec.model.<field>`) and, where both datasets declare it, takes the same input shape.
    The worker checks the checkpoint itself again."""
    field = "spec.model.init_from.job_id"
    source = startable_job(jobs, settings, project, spec["model"]["init_from"]["job_id"], field,
                           tx)
    theirs = source.spec.get("model") if isinstance(source.spec, dict) else None
    if not isinstance(theirs, dict) or "arch" not in theirs:
        return  # not a training spec (a job made by hand): the worker decides
    try:
        check_same_architecture(theirs, spec["model"], source.id)
    except SpecError as bad:
        raise Invalid(bad.message, f"spec.{bad.field}") from bad
    source_data = DATASETS.get(source.spec.get("dataset", {}).get("name"))
    mine = (info or DATASETS[spec["dataset"]["name"]]).input_shape
    if source_data is not None and source_data.input_shape and mine \
            and tuple(source_data.input_shape) != tuple(mine):
        raise Invalid(input_mismatch(source.id, source_data.input_shape, mine), field)


def project_job(
    jobs: JobStore, project: str, job_id: str, field: str, tx: Tx | None = None
) -> Job:
    """Job `job_id` if it is of `project` (name or id), else Invalid (422 on `field`): an
    unknown id, another project's job and a project not made yet read the same."""
    unknown = f"no job {job_id!r} in this project"
    try:
        job = jobs.get_job(job_id, tx)
        here = jobs.tracking.get_project(project, tx)
    except NotFound:
        raise Invalid(unknown, field) from None
    if job.project != here.name:
        raise Invalid(unknown, field)
    return job


def startable_job(
    jobs: JobStore, settings: Settings, project: str, job_id: str, field: str,
    tx: Tx | None = None,
) -> Job:
    """Job `job_id`, if it is of `project` (`project_job`), has ended and left a checkpoint
    (a succeeded job's model; also any ended job that wrote one, like a hessian probe's moved
    weights): what another job may start from. Invalid (422 on `field`) otherwise."""
    job = project_job(jobs, project, job_id, field, tx)
    if job.status not in TERMINAL_JOB_STATUSES:
        raise Invalid(f"job {job_id} is {job.status.value}: a job starts from another's "
                      "model once that one has ended (succeeded)", field)
    if not settings.checkpoint_path(job.id).is_file():
        why = {
            JobStatus.failed: "it failed before its model could be saved",
            JobStatus.cancelled: "it was cancelled, and a cancelled job saves no model",
        }.get(job.status, f"it is not in this server's data dir "
                          f"({settings.checkpoint_path(job.id).parent})")
        raise Invalid(f"job {job_id} has no checkpoint to start from: {why}", field)
    return job


def check_bounds(
    spec: dict[str, Any], settings: Settings, info: DatasetInfo | None = None
) -> None:
    """Invalid (422) for a checked spec over this installation's bounds: the samples it asks
    for, its model's parameters and its training's memory as the catalogue estimates them
    (weights, gradients, optimizer state, activations, dataset; no torch). `info`: what is
    known of the data (an upload's), else what the catalogue declares. A spec whose data is
    known only once a worker reads its files has no estimate here; its worker fails it with
    a clear message if it runs out of memory."""
    n_train = spec["dataset"].get("n_train")
    if n_train is not None and n_train > settings.max_dataset_samples:
        raise Invalid(
            f"{n_train:,} training samples; the limit is {settings.max_dataset_samples:,} "
            "(FITDOC_MAX_DATASET_SAMPLES)",
            "spec.dataset.n_train",
        )
    estimate = estimate_training_memory(spec, info)
    if estimate is None:
        return
    if estimate.parameters > settings.max_params:
        raise Invalid(
            f"the model has {format_count(estimate.parameters)} parameters; the limit is "
            f"{format_count(settings.max_params)} (FITDOC_MAX_PARAMS)",
            f"spec.{model_field(spec['model'])}",
        )
    if estimate.total > settings.max_job_memory:
        field, remedy = largest_part_field(spec, estimate)
        raise Invalid(
            f"training would need about {format_bytes(estimate.total)} "
            f"({estimate.describe()}); the limit is {format_bytes(settings.max_job_memory)} "
            f"(FITDOC_MAX_JOB_MEMORY): {remedy}",
            f"spec.{field}",
        )


def submit_job(
    jobs: JobStore,
    queue: Celery,
    body: JobCreate,
    settings: Settings,
    created_by: str | None = None,
    *,
    datasets: DatasetStore,
) -> Job:
    """Check the submitter's limit and the spec, make the job and its run, queue it."""
    check_active_jobs(jobs, settings, created_by)
    job = create_job(jobs, body, settings, datasets=datasets, created_by=created_by)
    return queue_job(jobs, queue, job)


def check_active_jobs(
    jobs: JobStore, settings: Settings, created_by: str | None, adding: int = 1
) -> None:
    """RateLimited (429) when `adding` more jobs would take the token (None: the bootstrap
    token, or anyone with auth off) over FITDOC_MAX_ACTIVE_JOBS_PER_TOKEN jobs queued or
    running."""
    active = jobs.count_active(created_by)
    if active + adding > settings.max_active_jobs_per_token:
        raise RateLimited(
            f"{active} jobs of this token are queued or running and this adds {adding}; the "
            f"limit is {settings.max_active_jobs_per_token} "
            "(FITDOC_MAX_ACTIVE_JOBS_PER_TOKEN): submit again when some have ended",
            field="authorization",
            retry_after=max(1, round(settings.sweep_seconds)),
        )


def create_job(
    jobs: JobStore,
    body: JobCreate,
    settings: Settings,
    *,
    datasets: DatasetStore,
    parent: Job | None = None,
    applied: Applied | None = None,
    created_by: str | None = None,
    experiment: ExperimentPart | None = None,
    tx: Tx | None = None,
) -> Job:
    """The job and its run, queued in the database but not yet sent to a worker (queue it
    once `tx` has committed: a worker must find the job it is sent)."""
    spec = resolve_spec(body, settings, datasets, tx, jobs=jobs)
    num_classes = DATASETS[body.spec.dataset.name].num_classes
    probe = spec.get("probe")
    # A probe job's progress counts its steps (an lr_range's batches, a hessian's Lanczos
    # iterations, an ensemble's members), and its run says it is a probe's (meta.probe).
    steps = probe_steps(probe) if probe else body.spec.training.epochs
    meta = RunMeta(
        task=body.spec.dataset.task,
        num_classes=num_classes,
        planned_epochs=steps,
        step_unit=("batch" if probe["kind"] == "lr_range" else None) if probe else "epoch",
    )
    if probe:
        meta = RunMeta(**meta.model_dump(exclude_none=True), probe=probe["kind"])
    run = RunCreate(
        project=body.project,
        name=body.name,
        params=job_params(spec),
        tags=body.tags,
        meta=meta,
    )
    return jobs.create_job(
        run,
        spec,
        epochs=steps,
        parent=parent,
        applied=applied,
        repair_rounds=body.repair.max_rounds,
        created_by=created_by,
        experiment=experiment,
        tx=tx,
    )


def queue_job(jobs: JobStore, queue: Celery, job: Job) -> Job:
    """Send a created job to the workers. A broker that cannot take it now (down, or
    restarting) does not fail the job: it stays queued and unsent in the database, the
    outbox, and the sweeper sends it once the broker is back."""
    send_job(jobs, queue, job.id)
    return job


def send_job(jobs: JobStore, queue: Celery, job_id: str) -> bool:
    """Send the job's message and record it in the outbox; False (logged) when the broker
    cannot take it."""
    try:
        enqueue_job(queue, job_id)
    except Exception:  # noqa: BLE001 - any broker failure: the outbox keeps the job unsent
        log.warning("job %s: the broker cannot take it now; it is sent later", job_id,
                    exc_info=True)
        return False
    jobs.mark_sent(job_id)
    return True


def job_params(spec: dict[str, Any]) -> dict[str, Any]:
    """The run's params for a job: the spec flattened ("optimizer.lr": 0.001), plus the
    short names the advisor reads for any run (lr, optimizer, loss, activation, ...)."""
    flat: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else key, inner)
        elif isinstance(value, bool | int | float | str):
            flat[prefix] = value
        elif isinstance(value, list | tuple):
            flat[prefix] = str(list(value))

    walk("", spec)
    for short, long in JOB_PARAMS.items():
        if long in flat:
            flat[short] = flat[long]
    return flat


def checkpoint_file(jobs: JobStore, settings: Settings, job_id: str) -> Path:
    """The job's saved model (last and best weights, see workers/training/checkpoint.py), or
    NotFound saying why there is none."""
    job = jobs.get_job(job_id)  # NotFound for an unknown id, before any path is made
    path = settings.checkpoint_path(job.id)
    if path.is_file():
        return path
    why = {
        JobStatus.queued: "the job has not started; the model is saved when training ends",
        JobStatus.running: "the job is still training; the model is saved when training ends",
        JobStatus.cancelled: "the job was cancelled: a cancelled job saves no model",
        JobStatus.failed: "the job failed before its model could be saved",
    }.get(job.status, f"it is not in this server's data dir ({path.parent})")
    raise NotFound(f"job {job_id} has no checkpoint: {why}", field="job_id")
