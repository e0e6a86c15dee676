"""`fitdoc import-mlflow --from URL`: copy an MLflow tracking server's experiments, runs,
params, tags and metric histories into fitdoc, idempotently.

MLflow is read over its REST API with plain httpx (`experiments/search`,
`experiments/get-by-name`, `runs/search`, `metrics/get-history`, each paged), so the
importer needs no mlflow package. fitdoc is written through its HTTP API (fitdoc/client.py),
like every remote command of the CLI: the importer runs wherever the user is, needs the
API's URL and a token rather than database credentials, and what it writes goes through the
API's checks, limits and access rules and its live path (events, diagnosis on write) like
any client's points.

The mapping: an experiment is a project (of the same name; one without runs is skipped
unless named with --experiment); a run is a run with MLflow's run name, its params (as
MLflow keeps them: strings) and tags, and these tags of fitdoc's (`TAG`): the source run id
(what a later import matches on), the experiment id, MLflow's status and start/end times
(ISO 8601, UTC) — tags, since a later import may have to change them and the API does not
change a run's meta; the run's meta keeps the source (`meta.mlflow`: run id, experiment,
user, artifact URI, the server's URL). MLflow's status becomes the run's status (RUNNING and
SCHEDULED: running; FINISHED, FAILED, KILLED: finished, failed, killed). A metric's history
becomes its series, one point per (key, step) as fitdoc keeps them: of several values
logged at one step, the last logged (by timestamp) is kept; a negative step is skipped.

A second import changes nothing: the run is found by its source run id, and only what
differs is written — new or changed tags, a status that changed, points that are new (a
run that grew since) or whose value changed. Params cannot be added to a run through the
API; a param that appeared in MLflow after the first import is reported, not copied.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from fitdoc.client import ApiError, Client
from service.schemas import MAX_DESCRIPTION_LENGTH, MAX_TAG_VALUE_LENGTH, Run

TAG = "fitdoc.mlflow."  # the prefix of the tags the importer keeps on a run
RUN_ID_TAG = TAG + "run_id"
STATUS = {"RUNNING": "running", "SCHEDULED": "running", "FINISHED": "finished",
          "FAILED": "failed", "KILLED": "killed"}
RUNS_PAGE = 1000  # runs/search's largest page
HISTORY_PAGE = 25_000  # metrics/get-history's largest page


class MlflowError(Exception):
    """The MLflow server refused or could not be read: the message to print."""


@dataclass
class Report:
    experiments: int = 0
    runs_created: int = 0
    runs_updated: int = 0
    runs_unchanged: int = 0
    points_written: int = 0
    failed: list[str] = field(default_factory=list)  # runs not copied, and why
    notes: list[str] = field(default_factory=list)  # what was left out or shortened


class MlflowReader:
    """An MLflow tracking server's REST API (/api/2.0/mlflow), read with httpx."""

    def __init__(
        self,
        url: str,
        token: str | None = None,
        timeout: float = 60,
        runs_page: int = RUNS_PAGE,
        history_page: int = HISTORY_PAGE,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.url = url.rstrip("/")
        self.runs_page, self.history_page = runs_page, history_page
        self.http = httpx.Client(base_url=f"{self.url}/api/2.0/mlflow", headers=headers,
                                 timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = self.http.request(method, path, **kwargs)
        if response.status_code >= 400:
            try:
                body = response.json()
                why = f"{body.get('error_code', '')}: {body.get('message', '')}"
            except ValueError:
                why = response.text[:200]
            raise MlflowError(f"MLflow {method} {path}: {response.status_code} {why}")
        answer: dict[str, Any] = response.json()
        return answer

    def experiments(self, names: list[str] | None = None) -> list[dict[str, Any]]:
        """The active experiments, or those named (an unknown name is an error)."""
        if names:
            return [self._call("GET", "/experiments/get-by-name",
                               params={"experiment_name": name})["experiment"]
                    for name in names]
        found: list[dict[str, Any]] = []
        token = None
        while True:
            body: dict[str, Any] = {"max_results": 1000, "view_type": "ACTIVE_ONLY"}
            if token:
                body["page_token"] = token
            page = self._call("POST", "/experiments/search", json=body)
            found += page.get("experiments", [])
            token = page.get("next_page_token")
            if not token:
                return found

    def runs(self, experiment_id: str) -> Iterator[dict[str, Any]]:
        token = None
        while True:
            body: dict[str, Any] = {"experiment_ids": [experiment_id],
                                    "max_results": self.runs_page,
                                    "run_view_type": "ACTIVE_ONLY"}
            if token:
                body["page_token"] = token
            page = self._call("POST", "/runs/search", json=body)
            yield from page.get("runs", [])
            token = page.get("next_page_token")
            if not token:
                return

    def history(self, run_id: str, key: str) -> list[dict[str, Any]]:
        """Every value logged for `key`, page by page."""
        points: list[dict[str, Any]] = []
        token = None
        while True:
            params: dict[str, Any] = {"run_id": run_id, "metric_key": key,
                                      "max_results": self.history_page}
            if token:
                params["page_token"] = token
            page = self._call("GET", "/metrics/get-history", params=params)
            points += page.get("metrics", [])
            token = page.get("next_page_token")
            if not token:
                return points


def import_mlflow(
    reader: MlflowReader,
    client: Client,
    experiments: list[str] | None = None,
    say: Callable[[str], None] = lambda line: None,
) -> Report:
    """Copy `experiments` (names; None: every active one) from `reader` into `client`."""
    report = Report()
    source = _without_credentials(reader.url)
    projects = {p.name for p in client.projects()}
    for experiment in reader.experiments(experiments):
        name = experiment["name"]
        runs = list(reader.runs(experiment["experiment_id"]))
        if not runs and not experiments:
            say(f"experiment {name!r}: no runs, skipped")
            continue
        report.experiments += 1
        if name not in projects:
            description = _experiment_description(experiment)
            try:
                client.create_project(name, description)
            except ApiError as refused:
                if refused.status != 409:  # made meanwhile: fine
                    raise
            projects.add(name)
        existing = _imported_runs(client, name)
        before = (report.runs_created, report.runs_updated, report.points_written)
        for run in runs:
            run_id = run["info"]["run_id"]
            try:
                _copy_run(reader, client, source, name, run, existing.get(run_id), report)
            except ApiError as refused:
                report.failed.append(f"run {run_id} of {name!r}: {refused}")
        created, updated, points = (now - then for now, then in zip(
            (report.runs_created, report.runs_updated, report.points_written), before,
            strict=True))
        say(f"experiment {name!r} -> project {name!r}: {len(runs)} runs ({created} new, "
            f"{updated} updated), {points} points written")
    return report


def _imported_runs(client: Client, project: str) -> dict[str, Run]:
    """The project's runs that an import made, by their source run id."""
    return {run.tags[RUN_ID_TAG]: run for run in client.runs(project=project)
            if RUN_ID_TAG in run.tags}


def _copy_run(
    reader: MlflowReader,
    client: Client,
    source: str,
    project: str,
    run: dict[str, Any],
    copy: Run | None,
    report: Report,
) -> None:
    info, data = run["info"], run.get("data", {})
    run_id = info["run_id"]
    params = {p["key"]: p["value"] for p in data.get("params", [])}
    tags = {t["key"]: _tag(t["value"], f"run {run_id} tag {t['key']!r}", report)
            for t in data.get("tags", [])}
    tags.update(_source_tags(info))
    status = STATUS.get(info.get("status", "RUNNING"), "running")
    changed, created = False, copy is None
    if copy is None:
        meta = {"mlflow": {"run_id": run_id, "experiment_id": info.get("experiment_id"),
                           "user_id": info.get("user_id"),
                           "artifact_uri": info.get("artifact_uri"), "server": source}}
        copy = client.create_run(project, name=info.get("run_name") or None, params=params,
                                 tags=tags, meta=meta)
    else:
        new_tags = {k: v for k, v in tags.items() if copy.tags.get(k) != v}
        if new_tags:
            copy = client.patch_run(copy.id, tags=new_tags)
            changed = True
        left_out = sorted(set(params) - set(copy.params))
        if left_out:
            report.notes.append(f"run {run_id}: params logged after the first import are "
                                f"not copied (the API cannot add them): {', '.join(left_out)}")
    keys = sorted({m["key"] for m in data.get("metrics", [])})
    if keys:
        have = client.metrics(copy.id, keys)
        points = []
        for key in keys:
            had = dict(have.get(key, ()))
            for step, (value, stamp) in _by_step(reader.history(run_id, key), report).items():
                old = had.get(step)
                if old is None or not _same(old, value):
                    points.append({"key": key, "step": step, "value": value,
                                   "timestamp": datetime.fromtimestamp(stamp / 1000, UTC)})
        if points:
            report.points_written += client.log_metrics(copy.id, points)
            changed = True
    if copy.status != status:  # after the points: an ended run is judged as ended
        client.patch_run(copy.id, status=status)
        changed = True
    if created:
        report.runs_created += 1
    elif changed:
        report.runs_updated += 1
    else:
        report.runs_unchanged += 1


def _by_step(history: list[dict[str, Any]], report: Report) -> dict[int, tuple[float, int]]:
    """One (value, timestamp) per step: the one logged last."""
    best: dict[int, tuple[float, int]] = {}
    for point in history:
        step, stamp = int(point.get("step", 0)), int(point.get("timestamp", 0))
        if step < 0:
            report.notes.append(f"a point of {point['key']!r} at step {step} is skipped "
                                "(fitdoc's steps start at 0)")
            continue
        if step not in best or stamp >= best[step][1]:
            best[step] = (float(point["value"]), stamp)
    return best


def _source_tags(info: dict[str, Any]) -> dict[str, str]:
    tags = {RUN_ID_TAG: info["run_id"], TAG + "experiment_id": str(info["experiment_id"]),
            TAG + "status": info.get("status", "RUNNING")}
    for which in ("start_time", "end_time"):
        if info.get(which):
            tags[TAG + which] = datetime.fromtimestamp(
                int(info[which]) / 1000, UTC).isoformat(timespec="milliseconds")
    return tags


def _tag(value: str, what: str, report: Report) -> str:
    if len(value) <= MAX_TAG_VALUE_LENGTH:
        return value
    report.notes.append(f"{what}: cut to {MAX_TAG_VALUE_LENGTH} characters")
    return value[:MAX_TAG_VALUE_LENGTH]


def _experiment_description(experiment: dict[str, Any]) -> str | None:
    for tag in experiment.get("tags", []):
        if tag.get("key") == "mlflow.note.content" and tag.get("value", "").strip():
            return str(tag["value"])[:MAX_DESCRIPTION_LENGTH]
    return None


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
