"""`fitdoc demo`: the embedded service and a worker, a few mnist1d jobs with different
faults, their progress, and what the advisor says of each.

Everything goes through the real HTTP API and a real worker process, as a user's would.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from fitdoc import runtime
from service.settings import Settings

# Each job is built to show one diagnosis; the name says which, the advisor must find it.
DEMO_JOBS: list[tuple[str, dict[str, Any]]] = [
    (
        "healthy: cnn1d with BatchNorm, Adam, cosine decay",
        {
            "model": {"arch": "cnn1d", "width": 64, "batchnorm": True},
            "optimizer": {"name": "adam", "lr": 0.003},
            "schedule": {"name": "cosine"},
            "training": {"epochs": 15},
        },
    ),
    (
        "overfitting: a wide MLP on 300 samples",
        {
            "dataset": {"n_train": 300},
            "model": {"arch": "mlp", "widths": [512, 512]},
            "optimizer": {"name": "adam", "lr": 0.001},
            "training": {"epochs": 60, "batch_size": 32},
        },
    ),
    (
        "stuck: SGD with lr 1e-5",
        {
            "model": {"arch": "mlp", "widths": [128]},
            "optimizer": {"name": "sgd", "lr": 1e-5},
            "training": {"epochs": 15},
        },
    ),
    (
        "diverging: SGD with lr 50",
        {
            "model": {"arch": "mlp", "widths": [128]},
            "optimizer": {"name": "sgd", "lr": 50.0, "momentum": 0.9},
            "training": {"epochs": 15},
        },
    ),
]

STATUS_STYLE = {
    "healthy": "green",
    "insufficient_data": "dim",
    "overfitting": "yellow",
    "underfitting": "yellow",
    "stuck": "red",
    "oscillating": "red",
    "diverging": "bold red",
    "mismatch": "magenta",
}


def job_spec(overrides: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "dataset": {"name": "mnist1d"},
        "training": {"batch_size": 128, "device": "auto"},
    }
    for section, values in overrides.items():
        spec[section] = {**spec.get(section, {}), **values}
    return spec


def make_console() -> Console:
    """A rich console; without a terminal (a pipe, a CI log) 120 columns unless COLUMNS
    says otherwise, rather than rich's 80, so that panels wrap less."""
    console = Console()
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = 120
    return console


def render_diagnosis(console: Console, title: str, diagnosis: dict[str, Any]) -> None:
    """A diagnosis in a panel. The run id is a line of its own in the panel, not in its
    title, so that a narrow console (a pipe: 80 columns) cannot cut it."""
    status = diagnosis["status"]
    style = STATUS_STYLE.get(status, "white")
    head = f"[{style}]{status}[/]"
    if diagnosis.get("cause"):
        head += f" ({diagnosis['cause']})"
    head += f"  confidence {diagnosis['confidence']:.2f}"
    lines = [head, f"[dim]run[/] {diagnosis['run_id']}", diagnosis["summary"]]
    if diagnosis.get("best_step") is not None:
        lines.append(f"best epoch: {diagnosis['best_step']}")
    for item in diagnosis.get("evidence", []):
        lines.append(f"  [dim]evidence[/] {item['signal']}: {item['message']}")
    for item in sorted(diagnosis.get("suggestions", []), key=lambda s: s["priority"]):
        patch = f"  [dim]patch {item['patch']}[/]" if item.get("patch") else ""
        lines.append(f"  [cyan]{item['priority']}. {item['action']}[/] {item['rationale']}{patch}")
    console.print(Panel("\n".join(lines), title=title, title_align="left", expand=True))


def run_demo(settings: Settings, port: int, keep_serving: bool, console: Console) -> int | None:
    """Returns how many jobs' diagnoses differ from the fault each job was built with, or
    None when interrupted (Ctrl+C) before the diagnoses."""
    from service.api.app import create_app
    from service.store import migrate

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.resolved_database_url())
    log = settings.data_dir.resolve() / "worker.log"
    misses = None
    try:
        with (
            runtime.worker_process(settings, log=log),
            runtime.serve_in_thread(create_app(settings), port) as url,
            httpx.Client(base_url=url, timeout=60) as http,
        ):
            console.print(
                f"fitdoc API at [bold]{url}/api/v1[/]  (interactive docs: {url}/docs)",
                soft_wrap=True,
            )
            console.print(f"data in {settings.data_dir.resolve()}", soft_wrap=True)
            console.print(f"worker log in {log}", soft_wrap=True)
            jobs = []
            for title, overrides in DEMO_JOBS:
                body = {"project": "demo", "name": _name(title), "spec": job_spec(overrides)}
                response = http.post("/api/v1/jobs", json=body)
                response.raise_for_status()
                jobs.append((title, response.json()))
            finished = _follow(http, jobs, console)
            misses = 0
            for title, job in finished:
                diagnosis = http.get(f"/api/v1/runs/{job['run_id']}/diagnosis").json()
                if job["error"]:
                    console.print(f"[red]job {job['status']}:[/] {job['error']}")
                render_diagnosis(console, title, diagnosis)
                misses += diagnosis["status"] != _name(title)
            _summary(console, finished, url)
            if keep_serving:
                console.print(f"serving the API and the dashboard ({url}/) until Ctrl+C ...",
                              soft_wrap=True)
                while True:
                    time.sleep(3600)
    except KeyboardInterrupt:
        pass
    return misses


def _name(title: str) -> str:
    """The fault a job is built to show: the start of its title."""
    return title.split(":")[0]


FINAL = ("succeeded", "failed", "cancelled")
Show = Callable[[str, dict[str, Any]], None]


def _follow(
    http: httpx.Client, jobs: list[tuple[str, dict[str, Any]]], console: Console
) -> list[tuple[str, dict[str, Any]]]:
    """Poll the jobs until each has ended, showing their progress as it goes."""
    done: dict[str, dict[str, Any]] = {}
    progress = _bars if console.is_terminal else _lines
    with progress(console, jobs) as show:
        while len(done) < len(jobs):
            for _, job in jobs:
                if job["id"] in done:
                    continue
                now = http.get(f"/api/v1/jobs/{job['id']}").json()
                show(job["id"], now)
                if now["status"] in FINAL:
                    done[job["id"]] = now
            time.sleep(0.3)
    return [(title, done[job["id"]]) for title, job in jobs]


@contextmanager
def _bars(console: Console, jobs: list[tuple[str, dict[str, Any]]]) -> Iterator[Show]:
    """On a terminal: one live progress bar per job (in 80 columns)."""
    columns = (
        TextColumn("{task.description:<12}"),
        BarColumn(bar_width=24),
        MofNCompleteColumn(),
        TextColumn("epochs  {task.fields[status]:<10}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        bars = {
            job["id"]: progress.add_task(
                _name(title), total=job["progress"]["epochs"], status="queued"
            )
            for title, job in jobs
        }

        def show(job_id: str, now: dict[str, Any]) -> None:
            progress.update(bars[job_id], completed=now["progress"]["epoch"], status=now["status"])

        yield show


@contextmanager
def _lines(console: Console, jobs: list[tuple[str, dict[str, Any]]]) -> Iterator[Show]:
    """Without a terminal (a pipe, a CI log), plain lines: one when a job's status changes,
    and one for its epoch at most every 5 seconds."""
    names = {job["id"]: _name(title) for title, job in jobs}
    shown: dict[str, tuple[str, int, float]] = {}
    start = time.monotonic()

    def show(job_id: str, now: dict[str, Any]) -> None:
        status, epoch, epochs = now["status"], now["progress"]["epoch"], now["progress"]["epochs"]
        at = time.monotonic()
        last = shown.get(job_id)
        if last and status == last[0] and (epoch == last[1] or at - last[2] < 5):
            return
        shown[job_id] = (status, epoch, at)
        console.print(
            f"{at - start:6.1f} s  {names[job_id]:<12} {status:<10} epoch {epoch}/{epochs}",
            soft_wrap=True,
            highlight=False,
        )

    yield show


def _summary(console: Console, finished: list[tuple[str, dict[str, Any]]], url: str) -> None:
    table = Table(title="demo runs")
    for column in ("job", "status", "epochs"):
        table.add_column(column)
    table.add_column("run", no_wrap=True, min_width=32)
    for title, job in finished:
        epochs = f"{job['progress']['epoch']}/{job['progress']['epochs']}"
        table.add_row(_name(title), job["status"], epochs, job["run_id"])
    console.print(table)
    console.print(
        f"A run:          {url}/api/v1/runs/RUN\n"
        f"its diagnosis:  {url}/api/v1/runs/RUN/diagnosis\n"
        "The runs stay in the data dir: `fitdoc serve` brings the API back, "
        "`fitdoc diagnose RUN` prints a diagnosis again, `fitdoc plot RUN` draws it.",
        soft_wrap=True,
    )
    console.print(f"dashboard: [bold]{url}/?project=demo[/]  (runs, curves, diagnoses, live)",
                  soft_wrap=True)
