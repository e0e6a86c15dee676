"""`fitdoc demo`: the embedded service and a worker, a few mnist1d jobs with different
faults, their progress, and what the advisor says of each.

Everything goes through the real HTTP API and a real worker process, as a user's would.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import uvicorn
from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

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


def render_diagnosis(console: Console, title: str, diagnosis: dict[str, Any]) -> None:
    status = diagnosis["status"]
    style = STATUS_STYLE.get(status, "white")
    head = f"[{style}]{status}[/]"
    if diagnosis.get("cause"):
        head += f" ({diagnosis['cause']})"
    head += f"  confidence {diagnosis['confidence']:.2f}"
    lines = [head, diagnosis["summary"]]
    if diagnosis.get("best_step") is not None:
        lines.append(f"best epoch: {diagnosis['best_step']}")
    for item in diagnosis.get("evidence", []):
        lines.append(f"  [dim]evidence[/] {item['signal']}: {item['message']}")
    for item in sorted(diagnosis.get("suggestions", []), key=lambda s: s["priority"]):
        patch = f"  [dim]patch {item['patch']}[/]" if item.get("patch") else ""
        lines.append(f"  [cyan]{item['priority']}. {item['action']}[/] {item['rationale']}{patch}")
    console.print(Panel("\n".join(lines), title=title, title_align="left", expand=True))


class _ApiThread:
    """The API in this process (uvicorn in a thread), for the demo's lifetime."""

    def __init__(self, settings: Settings, port: int) -> None:
        from service.api.app import create_app

        config = uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{port}"

    def __enter__(self) -> _ApiThread:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"the API did not start on {self.url}")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def run_demo(settings: Settings, port: int, keep_serving: bool, console: Console) -> int:
    """Returns how many jobs' diagnoses differ from the fault each job was built with."""
    from fitdoc.cli import start_worker_process, stop_process
    from service.store import migrate

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.resolved_database_url())
    worker = start_worker_process()
    try:
        with _ApiThread(settings, port) as api, httpx.Client(base_url=api.url, timeout=60) as http:
            console.print(
                f"fitdoc API at [bold]{api.url}/api/v1[/]  (interactive docs: {api.url}/docs)\n"
                f"data in {settings.data_dir.resolve()}; worker log in "
                f"{settings.data_dir.resolve() / 'worker.log'}"
            )
            jobs = []
            for title, overrides in DEMO_JOBS:
                body = {"project": "demo", "name": title.split(":")[0], "spec": job_spec(overrides)}
                response = http.post("/api/v1/jobs", json=body)
                response.raise_for_status()
                jobs.append((title, response.json()))
            finished = _follow(http, jobs, console)
            misses = 0
            for title, job in finished:
                diagnosis = http.get(f"/api/v1/runs/{job['run_id']}/diagnosis").json()
                if job["error"]:
                    console.print(f"[red]job {job['status']}:[/] {job['error']}")
                render_diagnosis(console, f"{title}  run {job['run_id']}", diagnosis)
                misses += diagnosis["status"] != title.split(":")[0]
            _summary(console, finished, api.url)
            if keep_serving:
                console.print("serving until Ctrl+C ...")
                while True:
                    time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        stop_process(worker)
    return misses


def _follow(
    http: httpx.Client, jobs: list[tuple[str, dict[str, Any]]], console: Console
) -> list[tuple[str, dict[str, Any]]]:
    columns = (
        TextColumn("{task.description:<44}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("epochs  {task.fields[status]:<10}"),
        TimeElapsedColumn(),
    )
    done: dict[str, dict[str, Any]] = {}
    with Progress(*columns, console=console) as progress:
        bars = {
            job["id"]: progress.add_task(title, total=job["progress"]["epochs"], status="queued")
            for title, job in jobs
        }
        while len(done) < len(jobs):
            for _, job in jobs:
                if job["id"] in done:
                    continue
                now = http.get(f"/api/v1/jobs/{job['id']}").json()
                progress.update(
                    bars[job["id"]], completed=now["progress"]["epoch"], status=now["status"]
                )
                if now["status"] in ("succeeded", "failed", "cancelled"):
                    done[job["id"]] = now
            time.sleep(0.3)
    return [(title, done[job["id"]]) for title, job in jobs]


def _summary(console: Console, finished: list[tuple[str, dict[str, Any]]], url: str) -> None:
    table = Table(title="demo runs")
    for column in ("job", "status", "run", "see"):
        table.add_column(column)
    for title, job in finished:
        table.add_row(
            title.split(":")[0], job["status"], job["run_id"], f"{url}/api/v1/runs/{job['run_id']}"
        )
    console.print(table)
    console.print(
        "The runs stay in the data dir: `fitdoc serve` brings the API back, "
        "`fitdoc diagnose RUN_ID` prints a diagnosis again."
    )
