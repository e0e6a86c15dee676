"""Chains of jobs: a follow-up applies one change to an ended job's spec; auto-repair keeps
applying the diagnosis' best untried suggestion until a run is healthy; a chain's lineage
says where it stands.

The chain lives in the database (each job's parent, round, what it applied; the first job's
repair rounds and state), so it outlives any API or worker process. `advance` is what a
worker calls when a job of a chain has ended; it holds the chain's lock while it decides, so
a job is advanced once however often it is called.
"""

from __future__ import annotations

import json
from typing import Any

from celery import Celery
from pydantic import ValidationError

from service.catalogue import deep_merge
from service.diagnosis import diagnose_run
from service.errors import Conflict, Invalid
from service.jobs import check_active_jobs, create_job, queue_job
from service.schemas import (
    MAX_NAME_LENGTH,
    TERMINAL_JOB_STATUSES,
    Applied,
    Diagnosis,
    DiagnosisBrief,
    DiagnosisStatus,
    EventType,
    FollowUpCreate,
    Job,
    JobCreate,
    JobSpec,
    Lineage,
    LineageJob,
    RepairState,
    Suggestion,
    ValidationMetric,
)
from service.settings import Settings
from service.store import Stores
from service.store.db import Tx

# --- follow-ups -------------------------------------------------------------------------


def follow_up(
    stores: Stores,
    queue: Celery,
    settings: Settings,
    job_id: str,
    body: FollowUpCreate,
    created_by: str | None = None,
) -> Job:
    """A new job: `job_id`'s spec with one suggestion of its run's diagnosis, or a patch,
    applied. Conflict if the job has not ended; Invalid if the index is out of range, the
    suggestion has no patch, or the change makes no new spec that can run."""
    parent = stores.jobs.get_job(job_id)
    check_active_jobs(stores.jobs, settings, created_by)
    if parent.status not in TERMINAL_JOB_STATUSES:
        raise Conflict(
            f"job {job_id} is {parent.status.value}: a follow-up starts from an ended job",
            field="job_id",
        )
    if body.suggestion is not None:
        suggestions = diagnose_run(stores.diagnoses, parent.run_id).suggestions
        if body.suggestion >= len(suggestions):
            raise Invalid(
                f"the run's diagnosis has {len(suggestions)} suggestions; "
                f"give an index from 0 to {len(suggestions) - 1}"
                if suggestions
                else "the run's diagnosis has no suggestions",
                field="suggestion",
            )
        chosen = suggestions[body.suggestion]
        if chosen.patch is None:
            raise Invalid(
                f"suggestion {body.suggestion} ({chosen.action}) is advice without a patch; "
                "send the change as a patch",
                field="suggestion",
            )
        applied, where = Applied(action=chosen.action, patch=chosen.patch), "suggestion"
    else:
        applied, where = Applied(action="patch", patch=body.patch or {}), "patch"
    request = follow_up_request(stores, parent, applied, where)
    with stores.db.write() as tx:
        stores.jobs.lock_chain(parent.root_id, tx)
        job = create_job(
            stores.jobs,
            request,
            settings,
            datasets=stores.datasets,
            parent=parent,
            applied=applied,
            created_by=created_by,
            tx=tx,
        )
    return queue_job(stores.jobs, queue, job)


def _resolved(spec: dict[str, Any]) -> dict[str, Any]:
    """A stored spec as a spec is resolved today: one stored before a field was added (the
    dataset's `id`) lacks it, and is the same spec all the same."""
    try:
        return JobSpec.model_validate(spec).resolved()
    except ValidationError:
        return spec


def follow_up_request(stores: Stores, parent: Job, applied: Applied, where: str) -> JobCreate:
    """The job to submit: the parent's project, name and tags, its spec with the patch;
    Invalid naming `where` (patch.<field> or suggestion) when that spec is not valid or is
    the parent's."""
    spec = deep_merge(parent.spec, applied.patch)
    try:
        checked = JobSpec.model_validate(spec)
    except ValidationError as bad:
        first = bad.errors()[0]
        path = ".".join(str(part) for part in first["loc"])
        raise Invalid(first["msg"], field=f"{where}.{path}" if where == "patch" else where) \
            from bad
    if checked.resolved() == _resolved(parent.spec):
        raise Invalid("the change would leave the job's spec as it is", field=where)
    run = stores.tracking.get_run(parent.run_id)
    name = f"{run.name} + {applied.action}"[:MAX_NAME_LENGTH]
    return JobCreate(project=parent.project, name=name, spec=checked, tags=run.tags)


# --- auto-repair ------------------------------------------------------------------------


def advance(stores: Stores, queue: Celery, settings: Settings, job_id: str) -> RepairState | None:
    """The next step of auto-repair once job `job_id` has ended: repaired (its run is
    healthy and beats the chain's first job on validation), a follow-up with the best
    suggestion not yet tried in the chain, or gave_up (no rounds or no usable suggestion
    left). None for a job without auto-repair; the chain's state otherwise."""
    job = stores.jobs.get_job(job_id)
    rounds, state = stores.jobs.repair_of(job.root_id)
    if state != RepairState.running or job.status not in TERMINAL_JOB_STATUSES:
        return state
    # Diagnosed before the chain is locked: diagnosing writes its cache in a transaction of
    # its own, which must not wait for ours.
    diagnosis = diagnose_run(stores.diagnoses, job.run_id)
    first = stores.jobs.get_job(job.root_id)
    metric = chain_metric([first, job])
    repaired = _repaired(
        diagnosis.status,
        job.id == first.id,
        kept_values(stores, job),
        kept_values(stores, first),
        metric,
    )
    plan = _plan(stores, job, diagnosis) if not repaired else []
    with stores.db.write() as tx:
        stores.jobs.lock_chain(job.root_id, tx)
        chain = stores.jobs.chain(job.root_id, tx=tx)
        _, state = stores.jobs.repair_of(job.root_id, tx=tx)
        if state != RepairState.running or any(j.parent_id == job.id for j in chain):
            return state  # decided already (a second delivery of the same end)
        if repaired or job.status.value == "cancelled" or job.round >= rounds:
            state = RepairState.repaired if repaired else RepairState.gave_up
            stores.jobs.set_repair_state(job.root_id, state, tx=tx)
            _tell(stores, tx, job, state)
            return state
        tried = {_key(j.applied) for j in chain if j.applied is not None}
        step = _next_step(stores, job, plan, tried)
        if step is None:
            stores.jobs.set_repair_state(job.root_id, RepairState.gave_up, tx=tx)
            _tell(stores, tx, job, RepairState.gave_up)
            return RepairState.gave_up
        applied, request = step
        made = create_job(
            stores.jobs,
            request,
            settings,
            datasets=stores.datasets,
            parent=job,
            applied=applied,
            created_by=job.created_by,  # auto-repair's jobs count as their chain's submitter's
            tx=tx,
        )
        _tell(stores, tx, made, RepairState.running)
    queue_job(stores.jobs, queue, made)
    return RepairState.running


def _tell(stores: Stores, tx: Tx, job: Job, state: RepairState) -> None:
    """A `repair.round` event: the chain's new job (state running: its round and the
    change it applies), or how the chain ended at `job`."""
    stores.events.append(
        tx, EventType.repair_round, stores.events.project_of_run(tx, job.run_id),
        {"root_id": job.root_id, "round": job.round, "state": state.value,
         "applied": job.applied.model_dump(mode="json") if job.applied else None},
        run_id=job.run_id, job_id=job.id,
    )


def _plan(stores: Stores, job: Job, diagnosis: Diagnosis) -> list[Suggestion]:
    """The suggestions to go on with: the run's own; for a run that is healthy but no
    better than the chain's first, the plan made for the fault first (the suggestions of
    the newest job of the chain that was not healthy), since a healthy run's own advice is
    only optional polish."""
    plan = list(diagnosis.suggestions)
    if diagnosis.status != DiagnosisStatus.healthy:
        return plan
    earlier = [j for j in stores.jobs.chain(job.root_id) if j.id != job.id and j.round < job.round]
    for member in reversed(earlier):
        found = diagnose_run(stores.diagnoses, member.run_id)
        if found.status != DiagnosisStatus.healthy:
            # a run still at its validation best at its end trains longer first
            longer = [s for s in plan if s.action == "train_longer"]
            return longer + list(found.suggestions) + [s for s in plan if s not in longer]
    return plan


def _next_step(
    stores: Stores, job: Job, plan: list[Suggestion], tried: set[str]
) -> tuple[Applied, JobCreate] | None:
    """The first suggestion of the plan whose patch, applied to this job's spec, makes a new
    spec that can run and that this chain has not applied before."""
    for suggestion in plan:
        if suggestion.patch is None:
            continue
        applied = Applied(action=suggestion.action, patch=suggestion.patch)
        if _key(applied) in tried:
            continue
        try:
            return applied, follow_up_request(stores, job, applied, "suggestion")
        except Invalid:
            continue  # changes nothing, or makes a spec that cannot run: the next one
    return None


def _key(applied: Applied) -> str:
    return json.dumps(applied.model_dump(mode="json"), sort_keys=True)


# --- lineage ----------------------------------------------------------------------------


# What "best on validation" compares, for the weights each job kept: a classifier's
# validation accuracy, ties (common on small validation sets) going to the lower validation
# loss; a regression's validation loss. Measured on the repair benchmark's tune half: of
# the chains whose last run was healthy, accuracy with the loss as tie-break called 59 of
# 67 better than their first job, the loss alone 57 (accuracy is also what does not change
# meaning when a follow-up changes the loss function).
#
# A first job whose kept model is already right on every validation sample cannot be
# beaten on accuracy, and the tie-break then rewards over-confidence: an unstable run
# (oscillating at 100x its usual lr) that happened to be right on all 30-36 samples of a
# small validation set at some epoch has a validation loss of 1e-4 to 1e-8 there, which no
# sound model reaches. A healthy later job that is right on every sample too has repaired
# the chain (it is as good as validation can tell); the best job is still chosen with the
# tie-break. bench/RESULTS.md reports how many chains this rule decides.
LOSS = ValidationMetric(name="val_loss", higher_is_better=False)
ACCURACY = ValidationMetric(name="val_acc", higher_is_better=True, tie_break="val_loss",
                            best_possible=1.0)


def chain_metric(jobs: list[Job]) -> ValidationMetric:
    regression = any(j.spec.get("dataset", {}).get("task") == "regression" for j in jobs)
    return LOSS if regression else ACCURACY


def kept_values(stores: Stores, job: Job) -> dict[str, float | None]:
    """val_loss and val_acc (None for regression) at the epoch whose weights the job kept."""
    names = (LOSS.name, ACCURACY.name)
    if job.best_epoch is None:
        return dict.fromkeys(names)
    series = stores.tracking.read_series(job.run_id, list(names))

    def at(name: str) -> float | None:
        value = dict(series.get(name, [])).get(job.best_epoch)
        return value if value is not None and value == value else None  # NaN is no value

    return {name: at(name) for name in names}


def _repaired(
    status: DiagnosisStatus | None, is_first: bool, kept: dict[str, float | None],
    first: dict[str, float | None], metric: ValidationMetric,
) -> bool:
    """A chain is repaired when its newest run is healthy and, unless it is the first job,
    its kept model improves on the first job's on validation."""
    return status == DiagnosisStatus.healthy and (is_first or improves(kept, first, metric))


def improves(kept: dict[str, float | None], first: dict[str, float | None],
             metric: ValidationMetric) -> bool:
    """`kept` (a later job's kept values) improves on the first job's: it beats them, or
    both are at the metric's best possible value, which nothing can beat."""
    best = metric.best_possible
    return beats(kept, first, metric) or (
        best is not None and kept[metric.name] == best and first[metric.name] == best)


def beats(kept: dict[str, float | None], other: dict[str, float | None],
          metric: ValidationMetric) -> bool:
    value, rival = kept[metric.name], other[metric.name]
    if value is None:
        return False
    if rival is None:
        return True
    if value != rival:
        return value > rival if metric.higher_is_better else value < rival
    tie, rival_tie = (kept[metric.tie_break], other[metric.tie_break]) if metric.tie_break \
        else (None, None)
    return tie is not None and rival_tie is not None and tie < rival_tie


def lineage(stores: Stores, job_id: str) -> Lineage:
    """The chain `job_id` belongs to: its jobs with their diagnoses and kept validation
    metric, where its repair stands, and its best job."""
    job = stores.jobs.get_job(job_id)
    chain = stores.jobs.chain(job.root_id)
    rounds, stored = stores.jobs.repair_of(job.root_id)
    metric = chain_metric(chain)
    items, kept_all = [], []
    for member in chain:
        diagnosis = None
        if stores.tracking.get_run(member.run_id).latest:  # a run with points to judge
            found = diagnose_run(stores.diagnoses, member.run_id)
            diagnosis = DiagnosisBrief(status=found.status, cause=found.cause)
        kept = kept_values(stores, member)
        kept_all.append(kept)
        items.append(
            LineageJob(
                id=member.id,
                run_id=member.run_id,
                parent_id=member.parent_id,
                round=member.round,
                status=member.status,
                diagnosis=diagnosis,
                applied=member.applied,
                best_epoch=member.best_epoch,
                val_metric=kept[metric.name],
                val_loss=kept[LOSS.name],
                val_acc=kept[ACCURACY.name],
            )
        )
    best = None
    for i, kept in enumerate(kept_all):
        if kept[metric.name] is not None and (best is None or beats(kept, kept_all[best],
                                                                      metric)):
            best = i
    return Lineage(
        root_id=job.root_id,
        state=stored or _state_without_repair(chain, items, kept_all, metric),
        max_rounds=rounds,
        best_job_id=items[best].id if best is not None else None,
        metric=metric,
        jobs=items,
    )


def _state_without_repair(
    chain: list[Job], items: list[LineageJob], kept: list[dict[str, float | None]],
    metric: ValidationMetric,
) -> RepairState:
    """A chain without auto-repair (follow-ups by hand): running while a job runs, else
    whether its newest job repaired it."""
    if any(j.status not in TERMINAL_JOB_STATUSES for j in chain):
        return RepairState.running
    newest = items[-1]
    status = newest.diagnosis.status if newest.diagnosis else None
    done = _repaired(status, len(items) == 1, kept[-1], kept[0], metric)
    return RepairState.repaired if done else RepairState.gave_up
