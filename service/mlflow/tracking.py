"""MLflow's tracking calls over fitdoc's store: each function takes the stores, the caller
and the request message, checks the message as MLflow's server does (its limits, names and
error codes), and returns the response's JSON.

What maps to what (docs/ARCHITECTURE.md, "MLflow compatibility"):
- an experiment is a project; "0", MLflow's default experiment, is the project named
  "Default" (made by the first run logged to it);
- a run is a run, its MLflow id its fitdoc id; params are written once (the same value
  again is accepted, another one is INVALID_PARAMETER_VALUE, as in MLflow); a metric point
  is unique by (key, step): a value logged again at a step replaces the one there (MLflow
  keeps both), so a batch sent twice leaves one point per (key, step);
- step units: a run whose batches carry an `epoch` metric (Lightning's MLFlowLogger and Hugging
  Face's MLflowCallback log one beside every batch, with `step` the global optimizer step)
  gets `meta.step_unit = "batch"`, so the advisor reads its steps as optimizer steps and
  averages a per-step series into the validation intervals; the tag `fitdoc.step_unit`
  (epoch|batch) says it explicitly;
- the tag `fitdoc.diagnosis` (with `fitdoc.diagnosis.cause`) is the run's stored diagnosis,
  read, never computed, in the request; fitdoc sets it, a client cannot.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from service.access import Principal
from service.errors import Conflict, NotFound
from service.mlflow.errors import (
    PERMISSION_DENIED,
    RESOURCE_ALREADY_EXISTS,
    MlflowError,
)
from service.mlflow.messages import (
    CAUSE_TAG,
    DEFAULT_EXPERIMENT_ID,
    DEFAULT_EXPERIMENT_NAME,
    CreateExperiment,
    CreateRun,
    DeleteTag,
    ExperimentRef,
    KeyValue,
    LogBatch,
    LogMetric,
    LogParam,
    MetricIn,
    RunRef,
    SearchExperiments,
    SearchRuns,
    SetExperimentTag,
    SetTag,
    UpdateExperiment,
    UpdateRun,
    experiment_json,
    metric_json,
    run_info_json,
    run_json,
)
from service.mlflow.search import (
    DIAGNOSIS_TAG,
    EPOCH,
    MLFLOW_TO_STATUS,
    RUN_NAME_TAG,
    decode_token,
    encode_token,
    experiment_clauses,
    experiment_orderings,
    ms_to_datetime,
    run_clauses,
    run_orderings,
)
from service.schemas import MAX_NAME_LENGTH, MAX_STEP, RunStatus
from service.store import Stores
from service.store.mlflow import ExperimentView, RunView

# MLflow's limits (mlflow/utils/validation.py) where fitdoc's columns allow them.
MAX_METRICS_PER_BATCH = 1000
MAX_PARAMS_TAGS_PER_BATCH = 100
MAX_ENTITIES_PER_BATCH = 1000
MAX_KEY_LENGTH = 250
MAX_PARAM_VALUE_LENGTH = 6000
MAX_TAG_VALUE_LENGTH = 8000
MAX_EXPERIMENT_TAG_VALUE_LENGTH = 20000
MAX_RESULTS_SEARCH_RUNS = 50000
DEFAULT_RESULTS_SEARCH_RUNS = 1000
MAX_RESULTS_SEARCH_EXPERIMENTS = 50000
DEFAULT_RESULTS_SEARCH_EXPERIMENTS = 1000
MAX_RESULTS_HISTORY = 25000  # a page of get-history (its client asks 25,000 at a time)
MAX_RUNS_BULK = 100
MAX_RESULTS_BULK = 2500
INT64 = 2**63
STEP_UNIT_TAG = "fitdoc.step_unit"
# Lightning's MLFlowLogger and Hugging Face's MLflowCallback log this metric beside the
# others, with `step` the global optimizer step.
EPOCH_METRIC = "epoch"
# MLflow's names for keys: letters, digits, _ - . / : and spaces (mlflow/utils/validation.py)
_NAME = re.compile(r"^[/\w.\- :]*$")
_VIEW_TYPES = {"ACTIVE_ONLY": False, "1": False, "DELETED_ONLY": True, "2": True,
               "ALL": None, "3": None}
_STATUS_NUMBERS = {"1": "RUNNING", "2": "SCHEDULED", "3": "FINISHED", "4": "FAILED",
                   "5": "KILLED"}


# --- checks ------------------------------------------------------------------------------


def _storable(value: str) -> bool:
    """Text both databases can hold: no NUL, no unpaired surrogate."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def required(value: str | None, name: str) -> str:
    if value is None or value == "":
        raise MlflowError.invalid(f"Missing value for required parameter '{name}'.")
    return text(value, name)


def text(value: str, name: str, limit: int | None = None) -> str:
    if not _storable(value):
        raise MlflowError.invalid(
            f"Invalid value for parameter '{name}': no NUL and no unpaired surrogate"
        )
    if limit is not None and len(value) > limit:
        raise MlflowError.invalid(
            f"Invalid value for parameter '{name}': {len(value)} characters, over the "
            f"limit of {limit}"
        )
    return value


def key_name(value: str | None, name: str) -> str:
    key = required(value, name)
    if not _NAME.match(key):
        raise MlflowError.invalid(
            f"Invalid value {key!r} for parameter '{name}': names may only contain "
            "alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) "
            "and slashes (/)"
        )
    if key != "/" and (key.startswith("/") or "//" in key or "/./" in f"/{key}/"
                       or "/../" in f"/{key}/"):
        raise MlflowError.invalid(f"Invalid value {key!r} for parameter '{name}': it must "
                                  "be a normalised path")
    return text(key, name, MAX_KEY_LENGTH)


def _run_name(value: str, name: str) -> str:
    value = text(value, name, MAX_NAME_LENGTH)
    if not value.strip():
        raise MlflowError.invalid(f"Invalid value for parameter '{name}': it is blank")
    return value


def _int_bound(value: int | None, name: str, low: int, high: int, default: int) -> int:
    if value is None:
        return default
    if not low <= value <= high:
        raise MlflowError.invalid(
            f"Invalid value {value} for parameter '{name}' supplied: it must be between "
            f"{low} and {high}"
        )
    return value


def _view_type(value: str | None) -> bool | None:
    """ACTIVE_ONLY (default) -> False (not deleted), DELETED_ONLY -> True, ALL -> None."""
    if value is None or value == "":
        return False
    if value.upper() not in _VIEW_TYPES:
        raise MlflowError.invalid(f"Invalid view type {value!r}: ACTIVE_ONLY, DELETED_ONLY "
                                  "or ALL")
    return _VIEW_TYPES[value.upper()]


def _ms(value: int | None, name: str) -> datetime | None:
    return None if value is None else ms_to_datetime(value, name)


def _writable_tag(key: str, name: str) -> str:
    if key in (DIAGNOSIS_TAG, CAUSE_TAG):
        raise MlflowError.invalid(
            f"Invalid value {key!r} for parameter '{name}': fitdoc sets {key} from the run's "
            "diagnosis"
        )
    return key


def _step_unit_tag(value: str) -> str:
    if value not in ("epoch", "batch"):
        raise MlflowError.invalid(
            f"Invalid value {value!r} for tag {STEP_UNIT_TAG!r}: epoch or batch"
        )
    return value


# --- access ------------------------------------------------------------------------------


def _check_project(principal: Principal, project_id: str, what: str, key: str) -> None:
    if not principal.sees(project_id):
        raise MlflowError.missing(_missing(what, key))


def _missing(what: str, key: str) -> str:
    if what == "run":
        return f"Run with id={key} not found"
    return f"Could not find experiment with ID {key}"


def _experiment(stores: Stores, principal: Principal, experiment_id: str) -> ExperimentView:
    """The experiment `experiment_id` names ("0": the Default project, which reads as an
    empty active experiment until a run is logged to it), or RESOURCE_DOES_NOT_EXIST."""
    if experiment_id == DEFAULT_EXPERIMENT_ID:
        view = stores.mlflow.experiment(DEFAULT_EXPERIMENT_NAME, by_name=True)
        if view is None:
            if principal.project_id is not None:
                raise MlflowError.missing(_missing("experiment", experiment_id))
            return ExperimentView(id="", name=DEFAULT_EXPERIMENT_NAME, tags={},
                                  created_at=EPOCH, updated_at=EPOCH, deleted=False)
    else:
        view = stores.mlflow.experiment(experiment_id)
        if view is None:
            raise MlflowError.missing(_missing("experiment", experiment_id))
    _check_project(principal, view.id, "experiment", experiment_id)
    return view


def _run(stores: Stores, principal: Principal, run_id: str | None) -> RunView:
    run_id = required(run_id, "run_id")
    try:
        view = stores.mlflow.run(run_id)
    except NotFound:
        raise MlflowError.missing(_missing("run", run_id)) from None
    _check_project(principal, view.project_id, "run", run_id)
    return view


def _run_id(stores: Stores, principal: Principal, run_id: str | None) -> str:
    """The run's id once it is known to exist and be visible (cheaper than `_run`: the
    project of a run is cached)."""
    run_id = required(run_id, "run_id")
    try:
        project_id = stores.tracking.project_of_run(run_id)
    except NotFound:
        raise MlflowError.missing(_missing("run", run_id)) from None
    _check_project(principal, project_id, "run", run_id)
    return run_id


# --- experiments -------------------------------------------------------------------------


def get_experiment(stores: Stores, principal: Principal, experiment_id: str | None) -> dict:
    view = _experiment(stores, principal, required(experiment_id, "experiment_id"))
    return {"experiment": experiment_json(view)}


def get_experiment_by_name(
    stores: Stores, principal: Principal, name: str | None
) -> dict[str, Any]:
    name = required(name, "experiment_name")
    view = stores.mlflow.experiment(name, by_name=True)
    if view is None and name == DEFAULT_EXPERIMENT_NAME and principal.project_id is None:
        return get_experiment(stores, principal, DEFAULT_EXPERIMENT_ID)
    if view is None or not principal.sees(view.id):
        raise MlflowError.missing(f"Could not find experiment with name '{name}'")
    return {"experiment": experiment_json(view)}


def create_experiment(
    stores: Stores, principal: Principal, body: CreateExperiment
) -> dict[str, Any]:
    name = _run_name(required(body.name, "name"), "name")
    if principal.project_id is not None and not principal.sees(name):
        raise MlflowError(
            PERMISSION_DENIED,
            f"this token is bound to the project {principal.project!r}: it cannot create "
            f"experiment {name!r}",
        )
    tags = _experiment_tags(body.tags)
    try:
        view = stores.mlflow.create_experiment(name, tags)
    except Conflict:
        existing = stores.mlflow.experiment(name, by_name=True)
        state = " in deleted state" if existing is not None and existing.deleted else ""
        raise MlflowError(
            RESOURCE_ALREADY_EXISTS, f"Experiment '{name}' already exists{state}."
        ) from None
    return {"experiment_id": experiment_json(view)["experiment_id"]}


def _experiment_tags(tags: Sequence[KeyValue]) -> dict[str, str]:
    out = {}
    for i, tag in enumerate(tags):
        key = text(required(tag.key, f"tags[{i}].key"), f"tags[{i}].key", MAX_KEY_LENGTH)
        out[key] = text(tag.value or "", f"tags[{i}].value", MAX_EXPERIMENT_TAG_VALUE_LENGTH)
    return out


def search_experiments(
    stores: Stores, principal: Principal, body: SearchExperiments
) -> dict[str, Any]:
    limit = _int_bound(body.max_results, "max_results", 1, MAX_RESULTS_SEARCH_EXPERIMENTS,
                       DEFAULT_RESULTS_SEARCH_EXPERIMENTS)
    offset = decode_token(body.page_token, "offset")
    clauses = experiment_clauses(text(body.filter or "", "filter"))
    # "0" is the Default project's id here: compare experiment_id clauses with its real id
    default = stores.mlflow.experiment(DEFAULT_EXPERIMENT_NAME, by_name=True)
    clauses = [
        c.__class__(c.kind, c.key, c.op, _real_experiment_id(c.value, default))
        if c.key == "experiment_id" else c
        for c in clauses
    ]
    views = stores.mlflow.search_experiments(
        [principal.project_id] if principal.project_id is not None else None,
        clauses,
        experiment_orderings([text(o, "order_by") for o in body.order_by]),
        _view_type(body.view_type),
        offset,
        limit + 1,
    )
    out: dict[str, Any] = {"experiments": [experiment_json(v) for v in views[:limit]]}
    if len(views) > limit:
        out["next_page_token"] = encode_token(offset=offset + limit)
    return out


def _real_experiment_id(value: Any, default: ExperimentView | None) -> Any:
    def real(one: str) -> str:
        return default.id if one == DEFAULT_EXPERIMENT_ID and default is not None else one

    return tuple(map(real, value)) if isinstance(value, tuple) else real(value)


def _stored_experiment(
    stores: Stores, principal: Principal, experiment_id: str | None
) -> ExperimentView:
    view = _experiment(stores, principal, required(experiment_id, "experiment_id"))
    if not view.id:  # the Default experiment before its first run
        raise MlflowError.missing(_missing("experiment", DEFAULT_EXPERIMENT_ID))
    return view


def update_experiment(
    stores: Stores, principal: Principal, body: UpdateExperiment
) -> dict[str, Any]:
    view = _stored_experiment(stores, principal, body.experiment_id)
    name = _run_name(required(body.new_name, "new_name"), "new_name")
    if view.deleted:
        raise MlflowError.invalid("Cannot rename a non-active experiment.")
    if DEFAULT_EXPERIMENT_NAME in (view.name, name) and view.name != name:
        raise MlflowError.invalid(
            f"the experiment {DEFAULT_EXPERIMENT_NAME!r} is MLflow's default experiment "
            f"'0': it cannot be renamed, nor another one renamed to it"
        )
    try:
        stores.mlflow.rename_experiment(view.id, name)
    except Conflict:
        raise MlflowError(RESOURCE_ALREADY_EXISTS,
                          f"Experiment '{name}' already exists.") from None
    return {}


def set_experiment_tag(
    stores: Stores, principal: Principal, body: SetExperimentTag
) -> dict[str, Any]:
    view = _stored_experiment(stores, principal, body.experiment_id)
    key = text(required(body.key, "key"), "key", MAX_KEY_LENGTH)
    value = text(body.value or "", "value", MAX_EXPERIMENT_TAG_VALUE_LENGTH)
    stores.mlflow.set_experiment_tag(view.id, key, value)
    return {}


def set_experiment_deleted(
    stores: Stores, principal: Principal, body: ExperimentRef, deleted: bool
) -> dict[str, Any]:
    view = _stored_experiment(stores, principal, body.experiment_id)
    if deleted and view.name == DEFAULT_EXPERIMENT_NAME:
        raise MlflowError.invalid("Cannot delete the default experiment '0'. This is an "
                                  "internally reserved experiment.")
    stores.mlflow.set_experiment_deleted(view.id, deleted)
    return {}


# --- runs --------------------------------------------------------------------------------


def create_run(
    stores: Stores, principal: Principal, body: CreateRun
) -> dict[str, Any]:
    experiment = body.experiment_id or DEFAULT_EXPERIMENT_ID
    view = _experiment(stores, principal, text(experiment, "experiment_id"))
    if view.deleted:
        raise MlflowError.invalid(
            f"Could not create run under non-active experiment with ID {experiment}."
        )
    tags = _run_tags(body.tags, "tags")
    name = tags.pop(RUN_NAME_TAG, None)
    if body.run_name:
        run_name = _run_name(body.run_name, "run_name")
        if name is not None and name != run_name:
            raise MlflowError.invalid(
                f"Both 'run_name' argument and 'mlflow.runName' tag are specified, but with "
                f"different values (run_name='{run_name}', mlflow.runName='{name}')."
            )
        name = run_name
    if body.user_id and "mlflow.user" not in tags:
        tags["mlflow.user"] = text(body.user_id, "user_id", MAX_TAG_VALUE_LENGTH)
    meta = {}
    if STEP_UNIT_TAG in tags:
        meta["step_unit"] = _step_unit_tag(tags[STEP_UNIT_TAG])
    run = stores.mlflow.create_run(
        view.id or DEFAULT_EXPERIMENT_NAME,
        name,
        {k: v for k, v in tags.items() if v is not None},
        _ms(body.start_time, "start_time"),
        meta,
        create_project=not view.id,
        created_by=principal.token_id,
    )
    return {"run": run_json(run)}


def _run_tags(tags: Sequence[KeyValue], field: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for i, tag in enumerate(tags):
        key = _writable_tag(key_name(tag.key, f"{field}[{i}].key"), f"{field}[{i}].key")
        value = text(tag.value or "", f"{field}[{i}].value", MAX_TAG_VALUE_LENGTH)
        if key == RUN_NAME_TAG:
            value = _run_name(value, f"{field}[{i}].value")
        out[key] = value
    return out


def get_run(stores: Stores, principal: Principal, run_id: str | None) -> dict[str, Any]:
    return {"run": run_json(_run(stores, principal, run_id))}


def update_run(stores: Stores, principal: Principal, body: UpdateRun) -> dict[str, Any]:
    run_id = _run_id(stores, principal, body.id)
    status = None
    if body.status:
        name = _STATUS_NUMBERS.get(body.status, body.status).upper()
        if name not in MLFLOW_TO_STATUS:
            raise MlflowError.invalid(f"Invalid value {body.status!r} for parameter 'status'")
        # SCHEDULED: fitdoc has no such state; a scheduled run is a running one
        status = RunStatus(MLFLOW_TO_STATUS[name] if name != "SCHEDULED" else "running")
    name = _run_name(body.run_name, "run_name") if body.run_name else None
    view = stores.mlflow.update_run(run_id, status, _ms(body.end_time, "end_time"), name)
    return {"run_info": run_info_json(view)}


def set_run_deleted(
    stores: Stores, principal: Principal, body: RunRef, deleted: bool
) -> dict[str, Any]:
    run_id = _run_id(stores, principal, body.id)
    stores.mlflow.set_run_deleted(run_id, deleted)
    return {}


def log_batch(stores: Stores, principal: Principal, body: LogBatch) -> dict[str, Any]:
    if len(body.metrics) > MAX_METRICS_PER_BATCH:
        raise MlflowError.invalid(
            f"A batch logging request can contain at most {MAX_METRICS_PER_BATCH} metrics. "
            f"Got {len(body.metrics)} metrics."
        )
    for what, items in (("params", body.params), ("tags", body.tags)):
        if len(items) > MAX_PARAMS_TAGS_PER_BATCH:
            raise MlflowError.invalid(
                f"A batch logging request can contain at most {MAX_PARAMS_TAGS_PER_BATCH} "
                f"{what}. Got {len(items)} {what}."
            )
    total = len(body.metrics) + len(body.params) + len(body.tags)
    if total > MAX_ENTITIES_PER_BATCH:
        raise MlflowError.invalid(
            f"A batch logging request can contain at most {MAX_ENTITIES_PER_BATCH} "
            f"metrics, params and tags in total. Got {total}."
        )
    return _log(stores, principal, body.id, body.metrics, body.params, body.tags)


def _log(
    stores: Stores,
    principal: Principal,
    run_id: str | None,
    metrics: Sequence[MetricIn] = (),
    params: Sequence[KeyValue] = (),
    tags: Sequence[KeyValue] = (),
    deleted_tags: Sequence[str] = (),
) -> dict[str, Any]:
    run_id = _run_id(stores, principal, run_id)
    keys: dict[str | None, str] = {}  # a batch repeats a few keys: each is checked once
    points = [_point(m, f"metrics[{i}]", keys) for i, m in enumerate(metrics)]
    logged_params: dict[str, str] = {}
    for i, param in enumerate(params):
        key = key_name(param.key, f"params[{i}].key")
        if key in logged_params:
            raise MlflowError.invalid(
                f"Duplicate parameter keys have been submitted: ['{key}']. Please ensure the "
                "request contains only one param value per param key."
            )
        value = param.value if param.value is not None else ""
        logged_params[key] = text(value, f"params[{i}].value", MAX_PARAM_VALUE_LENGTH)
    logged_tags: dict[str, str | None] = dict(_run_tags(tags, "tags"))
    for key in deleted_tags:
        logged_tags[_writable_tag(key_name(key, "key"), "key")] = None
    name = logged_tags.pop(RUN_NAME_TAG, None)
    step_unit = None
    if logged_tags.get(STEP_UNIT_TAG):
        step_unit = (_step_unit_tag(str(logged_tags[STEP_UNIT_TAG])), True)
    elif any(point[0] == EPOCH_METRIC for point in points):
        step_unit = ("batch", False)
    stores.mlflow.log_batch(run_id, points, logged_params, logged_tags, name=name,
                            step_unit=step_unit)
    return {}


def _point(
    metric: MetricIn, field: str, keys: dict[str | None, str]
) -> tuple[str, int, float, int]:
    name = metric.get("key")
    key = keys.get(name)
    if key is None:
        key = keys[name] = key_name(name, f"{field}.key")
    value = metric.get("value")
    if value is None:
        raise MlflowError.invalid(f"Missing value for required parameter '{field}.value'.")
    step = metric.get("step") or 0
    if not 0 <= step <= MAX_STEP:
        raise MlflowError.invalid(
            f"Invalid value {step} for parameter '{field}.step' supplied: fitdoc stores steps "
            f"from 0 to {MAX_STEP}"
        )
    stamp = metric.get("timestamp")
    if stamp is None:
        raise MlflowError.invalid(f"Missing value for required parameter '{field}.timestamp'.")
    if not -INT64 <= stamp < INT64:
        raise MlflowError.invalid(f"Invalid value {stamp} for parameter '{field}.timestamp': "
                                  "an int64 of milliseconds")
    return key, step, value, stamp


def log_metric(stores: Stores, principal: Principal, body: LogMetric) -> dict[str, Any]:
    return _log(stores, principal, body.id, metrics=[body.metric()])


def log_param(stores: Stores, principal: Principal, body: LogParam) -> dict[str, Any]:
    return _log(stores, principal, body.id, params=[KeyValue(key=body.key, value=body.value)])


def set_tag(stores: Stores, principal: Principal, body: SetTag) -> dict[str, Any]:
    return _log(stores, principal, body.id, tags=[KeyValue(key=body.key, value=body.value)])


def delete_tag(stores: Stores, principal: Principal, body: DeleteTag) -> dict[str, Any]:
    key = required(body.key, "key")
    if key == RUN_NAME_TAG:
        raise MlflowError.invalid(f"the tag {RUN_NAME_TAG!r} is the run's name: rename the "
                                  "run instead")
    try:
        return _log(stores, principal, body.id, deleted_tags=[key])
    except NotFound as exc:
        if exc.field != "key":
            raise
        raise MlflowError.missing(f"No tag with name: {key} in run with id {body.id}") from None


def search_runs(stores: Stores, principal: Principal, body: SearchRuns) -> dict[str, Any]:
    limit = _int_bound(body.max_results, "max_results", 1, MAX_RESULTS_SEARCH_RUNS,
                       DEFAULT_RESULTS_SEARCH_RUNS)
    offset = decode_token(body.page_token, "offset")
    projects = []
    for experiment_id in body.experiment_ids:
        try:
            view = _experiment(stores, principal, text(experiment_id, "experiment_ids"))
        except MlflowError:
            continue  # MLflow answers no runs for an experiment that does not exist
        if view.id:
            projects.append(view.id)
    views = stores.mlflow.search_runs(
        projects,
        run_clauses(text(body.filter or "", "filter")),
        run_orderings([text(o, "order_by") for o in body.order_by]),
        _view_type(body.run_view_type),
        offset,
        limit + 1,
    )
    out: dict[str, Any] = {"runs": [run_json(v) for v in views[:limit]]}
    if len(views) > limit:
        out["next_page_token"] = encode_token(offset=offset + limit)
    return out


# --- metric histories --------------------------------------------------------------------


def get_history(
    stores: Stores,
    principal: Principal,
    run_id: str | None,
    key: str | None,
    max_results: int | None,
    page_token: str | None,
) -> dict[str, Any]:
    """A page of the run's points of `key` in step order: `max_results` (at most 25,000,
    also without it: then a `next_page_token` says there is more, which MLflow's client
    follows)."""
    run_id = _run_id(stores, principal, run_id)
    key = required(key, "metric_key")
    if max_results is not None and max_results <= 0:
        raise MlflowError.invalid(
            f"Invalid value {max_results} for parameter 'max_results' supplied. It must be a "
            "positive integer."
        )
    limit = min(max_results or MAX_RESULTS_HISTORY, MAX_RESULTS_HISTORY)
    after = decode_token(page_token, "after_step") if page_token else -1
    points = stores.mlflow.history(run_id, key, after, limit + 1)
    out: dict[str, Any] = {
        "metrics": [metric_json(key, step, value, stamp) for step, value, stamp in points[:limit]]
    }
    if len(points) > limit:
        out["next_page_token"] = encode_token(after_step=points[limit - 1][0])
    return out


def get_history_bulk_interval(
    stores: Stores,
    principal: Principal,
    run_ids: list[str],
    key: str | None,
    start_step: int | None,
    end_step: int | None,
    max_results: int | None,
) -> dict[str, Any]:
    """MLflow's sampled histories of one key over up to 100 runs: at most `max_results`
    steps of the range (evenly spread over the steps that exist), each run's first and last
    step in it kept."""
    key = required(key, "metric_key")
    if not run_ids:
        raise MlflowError.invalid("Missing value for required parameter 'run_ids'.")
    if len(run_ids) > MAX_RUNS_BULK:
        raise MlflowError.invalid(
            f"GetMetricHistoryBulkInterval request must specify at most {MAX_RUNS_BULK} "
            f"run_ids. Received {len(run_ids)} run_ids."
        )
    limit = _int_bound(max_results, "max_results", 1, MAX_RESULTS_BULK, MAX_RESULTS_BULK)
    if (start_step is None) != (end_step is None):
        raise MlflowError.invalid(
            "If either start step or end step are specified, both must be specified."
        )
    for name, bound in (("start_step", start_step), ("end_step", end_step)):
        if bound is not None and not -MAX_STEP <= bound <= MAX_STEP:
            raise MlflowError.invalid(f"Invalid value {bound} for parameter '{name}'")
    if start_step is not None and end_step is not None and start_step > end_step:
        raise MlflowError.invalid(
            "end_step must be greater than start_step. "
            f"Found start_step={start_step} and end_step={end_step}."
        )
    ids = list(dict.fromkeys(text(r, "run_ids") for r in run_ids))
    projects = stores.mlflow.projects_of_runs(ids)
    for run_id in ids:
        if run_id not in projects:
            raise MlflowError.missing(_missing("run", run_id))
        _check_project(principal, projects[run_id], "run", run_id)
    steps = stores.mlflow.steps(ids, key, start_step, end_step)
    chosen = sample_steps(list(steps.values()), limit)
    points = stores.mlflow.points_at(ids, key, chosen)
    return {
        "metrics": [
            {**metric_json(key, step, value, stamp), "run_id": run_id}
            for run_id, step, value, stamp in points
        ]
    }


def sample_steps(runs: list[list[int]], limit: int) -> set[int]:
    """MLflow's sampling (AbstractStore.get_metric_history_bulk_interval): `limit` steps
    evenly spread over the union of the runs' steps, the last one, and each run's first and
    last."""
    every = sorted({step for run in runs for step in run})
    ends = {step for run in runs if run for step in (run[0], run[-1])}
    if len(every) <= limit:
        return set(every) | ends
    interval = len(every) / limit
    chosen = {every[int(i * interval)] for i in range(limit)}
    chosen.add(every[-1])
    return chosen | ends
