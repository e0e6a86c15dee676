"""A run followed live over the HTTP API (fitdoc/client.py): `fitdoc watch RUN_ID`, and
`fitdoc submit --follow` for the job it submitted.

The run's events from GET /api/v1/events?run= as server-sent events: a line per
metrics.logged (its steps and the run's latest values, GET /runs/{id}, as they are when the
line is printed: a watcher that has fallen behind shows newer ones), per diagnosis.changed
(highlighted), per job.status and run.status. A dropped connection is opened again with
Last-Event-ID (the client does it), so no event is missed or shown twice. The stream is
opened before the run (or job) is read, so that a change of the meantime is shown after
what was read rather than lost.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
from rich.console import Console
from rich.markup import escape

from fitdoc.client import Client, EventStream
from fitdoc.demo import STATUS_STYLE, render_diagnosis
from service.schemas import TERMINAL_JOB_STATUSES, Event, Job

ENDED = frozenset({"finished", "failed", "killed", "cancelled"})


def watch_run(console: Console, client: Client, run_id: str, follow_forever: bool = False) -> None:
    """The run now and its diagnosis, then its events; ends when the run does, unless
    `follow_forever`."""
    with _stream(console, client, run_id) as events:
        run = client.get_run(run_id)
        console.print(f"watching run [bold]{escape(run.name)}[/] ({run_id}), project "
                      f"{escape(run.project)}: {run.status}")
        render_diagnosis(console, "diagnosis now", client.diagnosis(run_id).model_dump(mode="json"))
        if run.status in ENDED and not follow_forever:
            console.print(f"the run has ended ({run.status})")
            return
        console.print("[dim]following its events (Ctrl+C to stop)[/]")
        show = EventPrinter(console, client, run_id)
        for event in events:
            if show(event) in ENDED and not follow_forever:
                return


def follow_job(console: Console, client: Client, job_id: str) -> Job:
    """Print the events of the job's run until the job has ended; returns the ended job."""
    job = client.job(job_id)
    with _stream(console, client, job.run_id) as events:
        job = client.job(job_id)  # what it is now; what changes later comes on the stream
        console.print(f"job {job.id} (run {job.run_id}, project {escape(job.project)}): "
                      f"{job.status}")
        if job.status not in TERMINAL_JOB_STATUSES:
            show = EventPrinter(console, client, job.run_id)
            for event in events:
                show(event)
                if (event.type == "job.status" and event.job_id == job_id
                        and event.data.get("status") in TERMINAL_JOB_STATUSES):
                    break
    return client.job(job_id)


def _stream(console: Console, client: Client, run_id: str) -> EventStream:
    def notice(why: str, wait: float, last_id: int | None) -> None:
        after = "" if last_id is None else f" after event {last_id}"
        console.print(f"[dim]{why}; reconnecting in {wait:g} s{after}[/]")

    return client.events(run=run_id, on_reconnect=notice)


class EventPrinter:
    """Prints a line per event of one run; returns the run's new status for a run.status."""

    def __init__(self, console: Console, client: Client, run_id: str) -> None:
        self.console, self.client, self.run_id = console, client, run_id
        self.shows: dict[str, Callable[[Event, str], str | None]] = {
            "metrics.logged": self._metrics, "diagnosis.changed": self._diagnosis,
            "job.status": self._job, "run.status": self._run,
        }

    def __call__(self, event: Event) -> str | None:
        when = f"[dim]{event.created_at:%H:%M:%S}[/] "
        show = self.shows.get(str(event.type))
        if show is None:
            self.console.print(f"{when}{event.type} {escape(json.dumps(event.data))}")
            return None
        return show(event, when)

    def _metrics(self, event: Event, when: str) -> None:
        first, last = event.data["first_step"], event.data["last_step"]
        steps = f"step {last}" if first == last else f"steps {first}-{last}"
        try:
            latest = self.client.get_run(self.run_id).latest
        except httpx.TransportError:  # the stream will reconnect; the values can wait
            latest = {}
        values = "  ".join(f"{escape(key)} {_number(value)}"
                           for key, value in sorted(latest.items()))
        self.console.print(f"{when}{steps:<14} {values}")

    def _diagnosis(self, event: Event, when: str) -> None:
        data = event.data
        old, new = data["previous"]["status"] or "none", data["status"]
        style = STATUS_STYLE.get(new, "white")
        cause = f" ({escape(data['cause'])})" if data.get("cause") else ""
        self.console.print(f"{when}[bold {style}]diagnosis {old} -> {new}[/]{cause}: "
                           f"{escape(data['summary'])}")

    def _job(self, event: Event, when: str) -> None:
        data = event.data
        progress = data.get("progress") or {}
        epochs = (f"  epoch {progress.get('epoch')}/{progress.get('epochs')}"
                  if progress.get("epochs") else "")
        error = f"  [red]{escape(data['error'])}[/]" if data.get("error") else ""
        self.console.print(f"{when}job {event.job_id} {data.get('previous') or 'new'} "
                           f"-> {data['status']}{epochs}{error}")

    def _run(self, event: Event, when: str) -> str:
        data = event.data
        self.console.print(f"{when}[bold]run {data['previous']} -> {data['status']}[/]")
        return str(data["status"])


def _number(value: float | str) -> str:
    return value if isinstance(value, str) else f"{value:.4g}"
