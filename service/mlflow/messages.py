"""MLflow's messages as JSON: the request bodies its client sends (protobuf's JSON mapping,
read as leniently as protobuf reads it: unknown fields ignored, int64 as a number or a
string, doubles as numbers or "NaN"/"Infinity"/"-Infinity") and the entities it expects
back (Experiment, Run, RunInfo, Metric ...), from fitdoc's views of projects and runs.

An experiment is a project: its id is the project's id, except the project named
"Default", which is MLflow's default experiment "0". A run is a run: the MLflow run id is
the fitdoc run id.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from typing_extensions import TypedDict

from service.mlflow.search import DIAGNOSIS_TAG, RUN_NAME_TAG, STATUS_TO_MLFLOW, ms_of
from service.schemas import encode_value
from service.store.mlflow import ExperimentView, RunView, text_of

DEFAULT_EXPERIMENT_ID = "0"
DEFAULT_EXPERIMENT_NAME = "Default"
CAUSE_TAG = "fitdoc.diagnosis.cause"
USER_TAG = "mlflow.user"


class Message(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)


class KeyValue(Message):
    key: str | None = None
    value: str | None = None


class MetricIn(TypedDict, total=False):
    """A metric of a batch: a dict, not a model, since log-batch reads 1,000 of them a
    call (parsed into models they took 1.1 ms a call, into dicts 0.6 ms)."""

    __pydantic_config__ = ConfigDict(extra="ignore", coerce_numbers_to_str=True)  # type: ignore[misc]
    key: str | None
    value: float | None
    timestamp: int | None
    step: int | None


class CreateExperiment(Message):
    name: str | None = None
    artifact_location: str | None = None
    tags: list[KeyValue] = []


class ExperimentRef(Message):
    experiment_id: str | None = None


class UpdateExperiment(ExperimentRef):
    new_name: str | None = None


class SetExperimentTag(ExperimentRef):
    key: str | None = None
    value: str | None = None


class SearchExperiments(Message):
    max_results: int | None = None
    page_token: str | None = None
    filter: str | None = None
    order_by: list[str] = []
    view_type: str | None = None


class CreateRun(Message):
    experiment_id: str | None = None
    user_id: str | None = None
    run_name: str | None = None
    start_time: int | None = None
    tags: list[KeyValue] = []


class RunRef(Message):
    run_id: str | None = None
    run_uuid: str | None = None  # MLflow's old name, still sent beside run_id

    @property
    def id(self) -> str | None:
        return self.run_id or self.run_uuid


class UpdateRun(RunRef):
    status: str | None = None
    end_time: int | None = None
    run_name: str | None = None


class LogBatch(RunRef):
    metrics: list[MetricIn] = []
    params: list[KeyValue] = []
    tags: list[KeyValue] = []


class LogMetric(RunRef):
    key: str | None = None
    value: float | None = None
    timestamp: int | None = None
    step: int | None = None

    def metric(self) -> MetricIn:
        return MetricIn(key=self.key, value=self.value, timestamp=self.timestamp, step=self.step)


class LogParam(RunRef):
    key: str | None = None
    value: str | None = None


class SetTag(LogParam):
    pass


class DeleteTag(RunRef):
    key: str | None = None


class SearchRuns(Message):
    experiment_ids: list[str] = []
    filter: str | None = None
    run_view_type: str | None = None
    max_results: int | None = None
    order_by: list[str] = []
    page_token: str | None = None


# --- entities ----------------------------------------------------------------------------


def experiment_id(project_id: str, name: str) -> str:
    return DEFAULT_EXPERIMENT_ID if name == DEFAULT_EXPERIMENT_NAME else project_id


def artifact_root(experiment: str) -> str:
    return f"mlflow-artifacts:/{experiment}"


def experiment_json(view: ExperimentView) -> dict[str, Any]:
    eid = experiment_id(view.id, view.name)
    return {
        "experiment_id": eid,
        "name": view.name,
        "artifact_location": artifact_root(eid),
        "lifecycle_stage": "deleted" if view.deleted else "active",
        "last_update_time": ms_of(view.updated_at),
        "creation_time": ms_of(view.created_at),
        "tags": [{"key": k, "value": v} for k, v in sorted(view.tags.items())],
    }


def run_tags(view: RunView) -> dict[str, str]:
    """The run's tags as MLflow shows them: its own, `mlflow.runName` (its name), and
    `fitdoc.diagnosis` (the stored diagnosis's status) with `fitdoc.diagnosis.cause`."""
    tags = dict(view.tags)
    tags[RUN_NAME_TAG] = view.name
    if view.diagnosis is not None:
        tags[DIAGNOSIS_TAG] = view.diagnosis
        if view.cause:
            tags[CAUSE_TAG] = view.cause
    return tags


def run_info_json(view: RunView) -> dict[str, Any]:
    eid = experiment_id(view.project_id, view.project)
    info: dict[str, Any] = {
        "run_id": view.id,
        "run_uuid": view.id,
        "run_name": view.name,
        "experiment_id": eid,
        "user_id": view.tags.get(USER_TAG, ""),
        "status": STATUS_TO_MLFLOW.get(view.status, "RUNNING"),
        "start_time": ms_of(view.started_at),
        "artifact_uri": f"{artifact_root(eid)}/{view.id}/artifacts",
        "lifecycle_stage": "deleted" if view.deleted else "active",
    }
    if view.ended_at is not None:
        info["end_time"] = ms_of(view.ended_at)
    return info


def run_json(view: RunView) -> dict[str, Any]:
    return {
        "info": run_info_json(view),
        "data": {
            "metrics": [
                {"key": p.key, "value": encode_value(p.value), "timestamp": p.timestamp,
                 "step": p.step}
                for p in view.metrics
            ],
            "params": [{"key": k, "value": text_of(v)} for k, v in sorted(view.params.items())],
            "tags": [{"key": k, "value": v} for k, v in sorted(run_tags(view).items())],
        },
        "inputs": {},
    }


def metric_json(key: str, step: int, value: float, timestamp: int) -> dict[str, Any]:
    return {"key": key, "value": encode_value(value), "timestamp": timestamp, "step": step}
