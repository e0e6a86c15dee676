"""`fitdoc watch RUN_ID`: a run followed live, over the HTTP API only.

The run's current diagnosis (GET /runs/{id}/diagnosis), then the run's events from GET
/api/v1/events?run= as server-sent events: a line per metrics.logged (its steps and the
run's latest values, GET /runs/{id}, as they are when the line is printed: a watcher that
has fallen behind shows newer ones), per diagnosis.changed (highlighted), per job.status
and run.status. A dropped connection is opened again with Last-Event-ID, so no event is
missed or shown twice. Ends when the run does, unless told to follow on.
"""

from __future__ import annotations

import json
import time
from collections.abc import Generator
from typing import Any

import httpx
from httpx_sse import EventSource
from rich.console import Console
from rich.markup import escape

from fitdoc.demo import STATUS_STYLE, render_diagnosis

ENDED = frozenset({"finished", "failed", "killed", "cancelled"})
RETRY_SECONDS = (0.5, 1, 2, 5)  # waits between reconnections, the last repeated


class WatchError(Exception):
    """The API refused: the message to print (a wrong URL, token or run id)."""


def watch_run(
    console: Console, url: str, run_id: str, token: str | None = None,
    follow_forever: bool = False,
) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    # No read timeout on the stream: the server's heartbeats keep it alive, and a silent
    # run may say nothing for hours; requests time out after 30 s.
    timeout = httpx.Timeout(30, read=None)
    with httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=timeout) as api:
        watcher = _Watcher(console, api, run_id)
        # The stream first, then what the run is now: an event of the meantime is shown
        # after it rather than lost.
        events = watcher.follow()
        try:
            run = watcher.get(f"/api/v1/runs/{run_id}")
            console.print(f"watching run [bold]{escape(run['name'])}[/] ({run_id}), project "
                          f"{escape(run['project'])}: {run['status']}")
            diagnosis = watcher.get(f"/api/v1/runs/{run_id}/diagnosis")
            render_diagnosis(console, "diagnosis now", diagnosis)
            if run["status"] in ENDED and not follow_forever:
                console.print(f"the run has ended ({run['status']})")
                return
            console.print("[dim]following its events (Ctrl+C to stop)[/]")
            for event in events:
                if watcher.show(event) in ENDED and not follow_forever:
                    return
        finally:
            events.close()


class _Watcher:
    def __init__(self, console: Console, api: httpx.Client, run_id: str) -> None:
        self.console, self.api, self.run_id = console, api, run_id

    def get(self, path: str) -> dict[str, Any]:
        response = self.api.get(path)
        _check(response)
        return response.json()

    def follow(self) -> Generator[dict[str, Any], None, None]:
        """The run's events, from when it is called on; connected at once (errors of the
        first connection are raised here), reconnected with Last-Event-ID when dropped."""
        last_id: int | None = None
        source = self._connect(last_id)
        return self._events(source, last_id)

    def _connect(self, last_id: int | None) -> EventSource:
        headers = {"Accept": "text/event-stream"}
        if last_id is not None:
            headers["Last-Event-ID"] = str(last_id)
        request = self.api.build_request("GET", "/api/v1/events", params={"run": self.run_id},
                                         headers=headers)
        response = self.api.send(request, stream=True)
        if response.status_code != 200:
            response.read()
            response.close()
            _check(response)
        return EventSource(response)

    def _events(
        self, source: EventSource, last_id: int | None
    ) -> Generator[dict[str, Any], None, None]:
        failures = 0
        while True:
            try:
                for sse in source.iter_sse():
                    if not sse.data:  # httpx_sse's reading of a heartbeat comment
                        continue
                    failures = 0
                    event = json.loads(sse.data)
                    last_id = event["id"]
                    yield event
                why = "the server closed the stream"
            except httpx.TransportError as lost:
                why = f"the connection dropped ({type(lost).__name__})"
            finally:
                source.response.close()
            while True:
                wait = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                failures += 1
                self.console.print(f"[dim]{why}; reconnecting in {wait:g} s"
                                   f"{'' if last_id is None else f' after event {last_id}'}[/]")
                time.sleep(wait)
                try:
                    source = self._connect(last_id)
                    break
                except httpx.TransportError as lost:
                    why = f"cannot connect ({type(lost).__name__})"

    def show(self, event: dict[str, Any]) -> str | None:
        """Print a line for `event`; returns the run's new status for a run.status."""
        data, kind = event["data"], event["type"]
        when = f"[dim]{event['created_at'][11:19]}[/] "
        if kind == "metrics.logged":
            first, last = data["first_step"], data["last_step"]
            steps = f"step {last}" if first == last else f"steps {first}-{last}"
            try:
                latest = self.get(f"/api/v1/runs/{self.run_id}")["latest"]
            except httpx.TransportError:  # the stream will reconnect; the values can wait
                latest = {}
            values = "  ".join(f"{escape(key)} {_number(value)}"
                               for key, value in sorted(latest.items()))
            self.console.print(f"{when}{steps:<14} {values}")
        elif kind == "diagnosis.changed":
            old, new = data["previous"]["status"] or "none", data["status"]
            style = STATUS_STYLE.get(new, "white")
            cause = f" ({escape(data['cause'])})" if data.get("cause") else ""
            self.console.print(f"{when}[bold {style}]diagnosis {old} -> {new}[/]{cause}: "
                               f"{escape(data['summary'])}")
        elif kind == "job.status":
            progress = data.get("progress") or {}
            epochs = (f"  epoch {progress.get('epoch')}/{progress.get('epochs')}"
                      if progress.get("epochs") else "")
            error = f"  [red]{escape(data['error'])}[/]" if data.get("error") else ""
            self.console.print(f"{when}job {event['job_id']} {data.get('previous') or 'new'} "
                               f"-> {data['status']}{epochs}{error}")
        elif kind == "run.status":
            self.console.print(f"{when}[bold]run {data['previous']} -> {data['status']}[/]")
            return data["status"]
        else:
            self.console.print(f"{when}{kind} {escape(json.dumps(data))}")
        return None


def _check(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    try:
        message = response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        message = response.text[:200]
    raise WatchError(f"{response.request.method} {response.request.url.path}: "
                     f"{response.status_code} {message}")


def _number(value: float | str) -> str:
    return value if isinstance(value, str) else f"{value:.4g}"
