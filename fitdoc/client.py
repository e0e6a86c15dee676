"""A small Python client of fitdoc's HTTP API (httpx): what the CLI's remote commands use.

    from fitdoc.client import Client

    with Client("http://lab:8000", token="fdt_...") as fitdoc:
        run = fitdoc.create_run("mnist", params={"lr": 0.01})
        fitdoc.log(run.id, step=0, values={"loss": 2.3, "val_loss": 2.4})
        print(fitdoc.diagnosis(run.id).status)

Every call returns the contract's pydantic models (service/schemas.py): `Run`, `Job`,
`Diagnosis`, `Lineage`, `Event`, ... A refusal of the API (4xx/5xx) raises `ApiError`,
which carries fitdoc's error body `{code, message, field}` and the HTTP status; a server
that cannot be reached raises httpx's `TransportError` (`httpx.ConnectError`, ...). A 429
is retried after the Retry-After the server names (it did nothing with the request), up to
`retries` times.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, TypeVar

import httpx
from httpx_sse import EventSource
from pydantic import BaseModel, ValidationError

from service.schemas import (
    MAX_METRICS_PER_BATCH,
    TERMINAL_JOB_STATUSES,
    Diagnosis,
    Event,
    Job,
    Lineage,
    MetricPoint,
    Page,
    Project,
    Run,
)

API = "/api/v1"
M = TypeVar("M", bound=BaseModel)
RECONNECT_SECONDS = (0.5, 1, 2, 5)  # waits between reconnections of an event stream


class ApiError(Exception):
    """The API answered with an error: `status` (HTTP), `code` (not_found, invalid,
    conflict, ...), `message`, `field` (the field, parameter or header at fault, if one)
    and, for a 422, `details` (every invalid field)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        details: list[dict[str, Any]] | None = None,
        method: str = "",
        path: str = "",
    ) -> None:
        self.status, self.code, self.message, self.field = status, code, message, field
        self.details = details or []
        self.method, self.path = method, path
        where = f"{method} {path}: " if method else ""
        at = f" ({field})" if field else ""
        super().__init__(f"{where}{status} {code}: {message}{at}")

    @classmethod
    def from_response(cls, response: httpx.Response) -> ApiError:
        try:
            body = response.json()["error"]
            code, message = str(body["code"]), str(body["message"])
            field, details = body.get("field"), body.get("details")
        except (ValueError, KeyError, TypeError):  # not fitdoc's error body (a proxy's page)
            code = httpx.codes.get_reason_phrase(response.status_code).lower().replace(" ", "_")
            message, field, details = response.text[:200] or code, None, None
        request = response.request
        return cls(response.status_code, code, message, field, details,
                   request.method, request.url.path)


class Client:
    """fitdoc's HTTP API at `url` (e.g. http://127.0.0.1:8000), with a bearer `token` when
    the server asks for one. Close it (or use it as a context manager) when done."""

    def __init__(
        self,
        url: str = "http://127.0.0.1:8000",
        token: str | None = None,
        timeout: float = 30,
        retries: int = 3,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.url = url.rstrip("/")
        self.retries = retries
        self.page_size = 1000  # items per request of a paged list (the API's largest page)
        self.http = httpx.Client(base_url=self.url, headers=headers,
                                 timeout=httpx.Timeout(timeout), transport=transport)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the wire ---------------------------------------------------------------------------

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """`method` on API + `path`; the response if it is a success, else ApiError."""
        for attempt in range(self.retries + 1):
            response = self.http.request(method, API + path, **kwargs)
            if response.status_code != 429 or attempt == self.retries:
                break
            time.sleep(_retry_after(response))
        if response.status_code >= 400:
            raise ApiError.from_response(response)
        return response

    def _model(self, model: type[M], method: str, path: str, **kwargs: Any) -> M:
        return model.model_validate_json(self.request(method, path, **kwargs).content)

    def _pages(
        self, model: type[M], path: str, params: dict[str, Any], limit: int | None
    ) -> Iterator[M]:
        """Every item of a paged list (at most `limit`), a page at a time."""
        params = {k: v for k, v in params.items() if v is not None}
        left = limit
        cursor = None
        while left is None or left > 0:
            size = self.page_size if left is None else min(left, self.page_size)
            page = self._model(Page[model], "GET", path,  # type: ignore[valid-type]
                               params={**params, "limit": size, "cursor": cursor})
            yield from page.items
            if left is not None:
                left -= len(page.items)
            cursor = page.next_cursor
            if not cursor or not page.items:
                return

    # -- projects ---------------------------------------------------------------------------

    def projects(self, limit: int | None = None) -> list[Project]:
        return list(self._pages(Project, "/projects", {}, limit))

    def create_project(self, name: str, description: str | None = None) -> Project:
        body = {"name": name, **({"description": description} if description else {})}
        return self._model(Project, "POST", "/projects", json=body)

    # -- runs -------------------------------------------------------------------------------

    def create_run(
        self,
        project: str,
        name: str | None = None,
        params: Mapping[str, Any] | None = None,
        tags: Mapping[str, str] | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> Run:
        """A run in `project` (made if new)."""
        body: dict[str, Any] = {"project": project}
        for key, value in (("name", name), ("params", params), ("tags", tags), ("meta", meta)):
            if value is not None:
                body[key] = dict(value) if isinstance(value, Mapping) else value
        return self._model(Run, "POST", "/runs", json=body)

    def get_run(self, run_id: str) -> Run:
        return self._model(Run, "GET", f"/runs/{run_id}")

    def runs(
        self,
        project: str | None = None,
        status: str | None = None,
        diagnosis: str | None = None,
        limit: int | None = None,
    ) -> Iterator[Run]:
        """Runs, newest first, filtered (`diagnosis`: the stored diagnosis' status), at most
        `limit` of them (None: all, read a page at a time as the iterator goes)."""
        filters = {"project": project, "status": status, "diagnosis": diagnosis}
        return self._pages(Run, "/runs", filters, limit)

    def patch_run(
        self, run_id: str, status: str | None = None, tags: Mapping[str, str | None] | None = None
    ) -> Run:
        """Set the run's status; merge `tags` into its tags (a None value removes one)."""
        body: dict[str, Any] = {}
        if status is not None:
            body["status"] = status
        if tags is not None:
            body["tags"] = dict(tags)
        return self._model(Run, "PATCH", f"/runs/{run_id}", json=body)

    # -- metrics ----------------------------------------------------------------------------

    def log_metrics(
        self,
        run_id: str,
        points: Iterable[MetricPoint | Mapping[str, Any]],
        batch_size: int = MAX_METRICS_PER_BATCH,
    ) -> int:
        """Upsert points ({key, step, value, timestamp?}; a NaN or an infinity is sent as its
        string), in batches of `batch_size`; returns how many the server accepted. A point
        at a (key, step) that has one replaces it."""
        accepted = 0
        batch: list[dict[str, Any]] = []
        for point in points:
            batch.append(_point_json(point))
            if len(batch) >= batch_size:
                accepted += self._post_points(run_id, batch)
                batch = []
        if batch:
            accepted += self._post_points(run_id, batch)
        return accepted

    def log(self, run_id: str, step: int, values: Mapping[str, float]) -> int:
        """One step's values, e.g. log(run, 3, {"loss": 0.4, "val_loss": 0.5})."""
        return self.log_metrics(run_id, ({"key": k, "step": step, "value": v}
                                         for k, v in values.items()))

    def _post_points(self, run_id: str, batch: list[dict[str, Any]]) -> int:
        response = self.request("POST", f"/runs/{run_id}/metrics", json={"metrics": batch})
        return int(response.json()["accepted"])

    def metrics(
        self, run_id: str, keys: Iterable[str] | None = None, max_points: int | None = None
    ) -> dict[str, list[tuple[int, float]]]:
        """The run's series by key, each [(step, value), ...] in step order (NaN and
        infinities as floats); `max_points`: downsampled to at most that many each."""
        params: dict[str, Any] = {}
        if keys is not None:
            params["keys"] = ",".join(keys)
        if max_points is not None:
            params["max_points"] = max_points
        series = self.request("GET", f"/runs/{run_id}/metrics", params=params).json()["series"]
        return {key: [(p["step"], float(p["value"])) for p in points]
                for key, points in series.items()}

    # -- jobs -------------------------------------------------------------------------------

    def submit(
        self,
        project: str,
        spec: Mapping[str, Any] | BaseModel,
        name: str | None = None,
        tags: Mapping[str, str] | None = None,
        repair_rounds: int | None = None,
    ) -> Job:
        """Queue a training job (spec: a JobSpec); `repair_rounds`: auto-repair's rounds."""
        body: dict[str, Any] = {"project": project, "spec": _json(spec)}
        if name is not None:
            body["name"] = name
        if tags:
            body["tags"] = dict(tags)
        if repair_rounds is not None:
            body["repair"] = {"max_rounds": repair_rounds}
        return self._model(Job, "POST", "/jobs", json=body)

    def jobs(
        self, project: str | None = None, status: str | None = None, limit: int | None = None
    ) -> Iterator[Job]:
        """Jobs, newest first, filtered, at most `limit` of them (None: all, a page at a
        time as the iterator goes)."""
        return self._pages(Job, "/jobs", {"project": project, "status": status}, limit)

    def job(self, job_id: str) -> Job:
        return self._model(Job, "GET", f"/jobs/{job_id}")

    def cancel(self, job_id: str) -> Job:
        return self._model(Job, "POST", f"/jobs/{job_id}/cancel")

    def follow_up(
        self,
        job_id: str,
        suggestion: int | None = None,
        patch: Mapping[str, Any] | None = None,
        name: str | None = None,
    ) -> Job:
        """A new job from this one's spec with its diagnosis' suggestion number
        `suggestion` applied, or with `patch` deep-merged."""
        body: dict[str, Any] = {}
        if suggestion is not None:
            body["suggestion"] = suggestion
        if patch is not None:
            body["patch"] = dict(patch)
        if name is not None:
            body["name"] = name
        return self._model(Job, "POST", f"/jobs/{job_id}/follow-up", json=body)

    def lineage(self, job_id: str) -> Lineage:
        return self._model(Lineage, "GET", f"/jobs/{job_id}/lineage")

    def wait(self, job_id: str, timeout: float | None = None, poll: float = 0.5) -> Job:
        """The job once it has ended (succeeded, failed or cancelled); TimeoutError after
        `timeout` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            job = self.job(job_id)
            if job.status in TERMINAL_JOB_STATUSES:
                return job
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"job {job_id} is still {job.status.value} after "
                                   f"{timeout:g} s")
            time.sleep(poll)
            poll = min(poll * 1.5, 5.0)

    # -- diagnosis --------------------------------------------------------------------------

    def diagnosis(self, run_id: str) -> Diagnosis:
        return self._model(Diagnosis, "GET", f"/runs/{run_id}/diagnosis")

    # -- events -----------------------------------------------------------------------------

    def events(
        self,
        project: str | None = None,
        run: str | None = None,
        types: Iterable[str] | None = None,
        after: int | None = None,
        reconnect: bool = True,
        on_reconnect: Callable[[str, float, int | None], None] | None = None,
    ) -> EventStream:
        """The event log live (server-sent events), from now on or after position `after`.
        Connected when this returns (a refusal raises ApiError here); iterate it for
        `Event`s; a dropped connection is opened again with Last-Event-ID, so nothing is
        missed or seen twice (`on_reconnect(why, wait_seconds, last_id)` hears of each
        try), unless `reconnect` is false. Close it, or use it as a context manager."""
        params = {"project": project, "run": run,
                  "types": ",".join(types) if types is not None else None}
        return EventStream(self, {k: v for k, v in params.items() if v is not None}, after,
                           reconnect, on_reconnect)

    def event_page(
        self,
        after: int = 0,
        project: str | None = None,
        run: str | None = None,
        types: Iterable[str] | None = None,
        limit: int = 100,
    ) -> tuple[list[Event], int]:
        """The events after position `after`, at once (no stream): (events, last_id)."""
        params = {"project": project, "run": run, "after": after, "limit": limit,
                  "types": ",".join(types) if types is not None else None}
        page = self.request("GET", "/events",
                            params={k: v for k, v in params.items() if v is not None}).json()
        return [_event(item) for item in page["items"]], int(page["last_id"])


class EventStream:
    """GET /api/v1/events as server-sent events (see Client.events)."""

    def __init__(
        self,
        client: Client,
        params: dict[str, str],
        after: int | None,
        reconnect: bool,
        on_reconnect: Callable[[str, float, int | None], None] | None,
    ) -> None:
        self.client, self.params = client, params
        self.last_id = after
        self.reconnect, self.on_reconnect = reconnect, on_reconnect
        self._source: EventSource | None = self._connect()

    def _connect(self) -> EventSource:
        headers = {"Accept": "text/event-stream"}
        if self.last_id is not None:
            headers["Last-Event-ID"] = str(self.last_id)
        http = self.client.http
        # No read timeout: the server's heartbeats keep the stream alive, and a quiet run
        # may say nothing for hours.
        timeout = httpx.Timeout(http.timeout.connect, read=None)
        request = http.build_request("GET", f"{API}/events", params=self.params,
                                     headers=headers, timeout=timeout)
        response = http.send(request, stream=True)
        if response.status_code != 200:
            response.read()
            response.close()
            raise ApiError.from_response(response)
        return EventSource(response)

    def __iter__(self) -> Iterator[Event]:
        failures = 0
        while self._source is not None:
            try:
                for sse in self._source.iter_sse():
                    if not sse.data:  # a heartbeat comment, as httpx_sse reads it
                        continue
                    failures = 0
                    event = _event(json.loads(sse.data))
                    self.last_id = event.id
                    yield event
                why = "the server closed the stream"
            except httpx.TransportError as lost:
                why = f"the connection dropped ({type(lost).__name__})"
            finally:
                if self._source is not None:
                    self._source.response.close()
            if not self.reconnect:
                self._source = None
                return
            while self._source is not None:
                wait = RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)]
                failures += 1
                if self.on_reconnect:
                    self.on_reconnect(why, wait, self.last_id)
                time.sleep(wait)
                try:
                    self._source = self._connect()
                    break
                except httpx.TransportError as lost:
                    why = f"cannot connect ({type(lost).__name__})"

    def close(self) -> None:
        if self._source is not None:
            self._source.response.close()
            self._source = None

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _event(data: dict[str, Any]) -> Event:
    try:
        return Event.model_validate(data)
    except ValidationError:
        # A type this client does not know (a newer server): kept, its type as sent.
        return Event.model_construct(
            id=int(data["id"]), type=data["type"], project=data["project"],
            run_id=data.get("run_id"), job_id=data.get("job_id"), data=data.get("data", {}),
            created_at=datetime.fromisoformat(data["created_at"]),
        )


def _point_json(point: MetricPoint | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(point, MetricPoint):
        point = {"key": point.key, "step": point.step, "value": point.value,
                 "timestamp": point.timestamp}
    out: dict[str, Any] = {"key": point["key"], "step": point["step"],
                           "value": _number(point["value"])}
    stamp = point.get("timestamp")
    if stamp is not None:
        out["timestamp"] = stamp.isoformat() if isinstance(stamp, datetime) else stamp
    return out


def _number(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def _json(value: Mapping[str, Any] | BaseModel) -> dict[str, Any]:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_unset=True)
    return dict(value)


def _retry_after(response: httpx.Response) -> float:
    try:
        return min(max(float(response.headers.get("Retry-After", "1")), 0.0), 60.0)
    except ValueError:
        return 1.0
