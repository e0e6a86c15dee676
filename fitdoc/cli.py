"""The `fitdoc` command (typer)."""

from __future__ import annotations

import gc
import json
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from fitdoc import runtime
from service.settings import Settings, get_settings

if TYPE_CHECKING:
    from rich.console import Console

    from fitdoc.client import Client

app = typer.Typer(
    help="fitdoc: tracks training runs, trains them on workers, and says what is wrong.",
    no_args_is_help=True,
    add_completion=False,
)

OPENAPI_PATH = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"
BEAT_THREADS = 4  # `fitdoc beat`'s tasks at once: the sweeper and webhook deliveries


def _check_bind(settings: Settings, host: str) -> None:
    """Refuse an open non-loopback bind without a token."""
    if not settings.bind_is_loopback(host) and not settings.api_token:
        raise typer.BadParameter(
            f"refusing to listen on {host} without FITDOC_API_TOKEN: anyone who can reach "
            "the port could write to the database. Set a token or bind to 127.0.0.1.",
            param_hint="--host",
        )


@app.command()
def migrate() -> None:
    """Apply the database migrations (Alembic) up to the newest."""
    from service.store import migrate as migrations

    url = get_settings().resolved_database_url()
    migrations.upgrade(url)
    typer.echo(f"database at revision {migrations.current_revision(url)}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="bind address (default 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default 8000)")] = None,
    no_worker: Annotated[
        bool, typer.Option("--no-worker", help="do not start a training worker beside the API")
    ] = False,
    no_beat: Annotated[
        bool,
        typer.Option(
            "--no-beat",
            help="embedded mode: do not start `fitdoc beat` beside the API; run one "
            "yourself, since it is the sweeper and it delivers the webhooks",
        ),
    ] = False,
) -> None:
    """Run the HTTP API (and, unless --no-worker, one training worker beside it; in the
    embedded mode, unless --no-beat, the sweeper that takes over jobs whose worker died).
    The embedded SQLite database is migrated first."""
    import uvicorn

    from service.api.app import create_app
    from service.store import migrate as migrations

    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    _check_bind(settings, host)
    if settings.embedded:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        migrations.upgrade(settings.resolved_database_url())
    # SIGTERM must reach the `finally:` that stops the worker: uvicorn shuts down gracefully
    # on it, then raises it again with the handler it found, which would end the process on
    # the spot. If this process is killed outright, the worker gets SIGTERM from the kernel.
    beat = settings.embedded and not no_beat
    with runtime.exit_on_signals():
        # supervised: started again if one ends by itself (a crash), as a service manager
        # would in a split installation
        with (
            nullcontext() if no_worker else runtime.supervised(
                "worker", lambda: runtime.start_worker(settings)),
            runtime.supervised("sweeper", lambda: runtime.start_beat(settings)) if beat
            else nullcontext(),
        ):
            url = f"http://{host}:{port}"
            typer.echo(f"fitdoc API on {url}/api/v1  (docs: {url}/docs)")
            api = create_app(settings)
            # What is loaded by now lives as long as the process: frozen, the cyclic GC no
            # longer walks it, and a full collection in a request costs ~1 ms, not ~17 ms.
            gc.collect()
            gc.freeze()
            uvicorn.run(api, host=host, port=port, log_level="warning")


@app.command()
def worker(
    pool: Annotated[
        str,
        typer.Option(
            help="prefork: train in a child process that a crash cannot take "
            "down with the worker; solo: in the worker process itself"
        ),
    ] = "prefork",
    loglevel: Annotated[str, typer.Option(help="celery log level")] = "INFO",
) -> None:
    """Run one training worker (one per GPU: set CUDA_VISIBLE_DEVICES)."""
    from workers.app import celery_app

    settings = get_settings()
    celery_app.worker_main(
        [
            "worker",
            f"--loglevel={loglevel}",
            f"--pool={pool}",
            "--concurrency=1",
            f"--queues={settings.queue}",
            f"--hostname=fitdoc-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
        ]
    )


@app.command()
def beat(loglevel: Annotated[str, typer.Option(help="celery log level")] = "INFO") -> None:
    """Run Celery beat and the sweeper it schedules (service/sweep.py): jobs whose worker
    died are taken over, jobs the broker did not take are sent; and deliver webhooks
    (service/webhooks.py). One per installation; `fitdoc serve` starts it itself in the
    embedded mode."""
    from workers.app import celery_app

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    celery_app.worker_main(
        [
            "worker",
            "--beat",
            f"--schedule={(settings.data_dir / 'beat-schedule').resolve()}",
            f"--loglevel={loglevel}",
            # threads: a slow webhook receiver holds one thread, not the sweeper
            "--pool=threads",
            f"--concurrency={BEAT_THREADS}",
            f"--queues={settings.control_queue},{settings.hooks_queue}",
            f"--hostname=fitdoc-beat-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
        ]
    )


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="port for the API (0: any free one)")] = 0,
    keep_serving: Annotated[
        bool, typer.Option("--keep-serving", help="keep the API up after the demo")
    ] = False,
) -> None:
    """The main job: embedded API + worker, a few mnist1d jobs, their diagnoses."""
    from fitdoc.demo import DEMO_JOBS, make_console, run_demo

    console = make_console()
    # Ctrl+C stops the demo even when started from a process that ignores SIGINT (its
    # children inherit the ignoring: a script's background job, some test runners)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with runtime.exit_on_signals():
        misses = run_demo(get_settings(), port or runtime.free_port(), keep_serving, console)
    if misses is None:
        console.print("demo interrupted")
        raise typer.Exit(130)
    console.print(
        f"the advisor named {len(DEMO_JOBS) - misses} of {len(DEMO_JOBS)} demo faults as built"
    )


# The remote commands' options: the API they talk to (fitdoc/client.py).
Url = Annotated[
    str, typer.Option(envvar="FITDOC_URL", help="the API's URL (or FITDOC_URL)")
]
Token = Annotated[
    str | None,
    typer.Option(envvar="FITDOC_TOKEN", help="a bearer token (or FITDOC_TOKEN)",
                 show_default=False),
]
DEFAULT_URL = "http://127.0.0.1:8000"


@contextmanager
def _remote(url: str, token: str | None) -> Iterator[tuple[Client, Console]]:
    """A client of the API at `url` and a console; an API's refusal or an unreachable
    server is printed and exits 1, Ctrl+C exits 130."""
    import httpx
    from rich.markup import escape

    from fitdoc.client import ApiError, Client
    from fitdoc.demo import make_console

    console = make_console()
    try:
        with Client(url, token) as client:
            yield client, console
    except ApiError as refused:
        console.print(f"[red]{escape(str(refused))}[/]")
        raise typer.Exit(1) from None
    except httpx.TransportError as down:
        console.print(f"[red]cannot reach the API at {escape(url)}: {escape(str(down))}[/]")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


@app.command()
def diagnose(
    run_id: Annotated[str, typer.Argument(help="the run's id")],
    as_json: Annotated[bool, typer.Option("--json", help="print the raw JSON")] = False,
    url: Annotated[
        str | None,
        typer.Option(envvar="FITDOC_URL", show_default=False,
                     help="ask the API at this URL (or FITDOC_URL); without it, read the "
                     "database in FITDOC_DATABASE_URL / the data dir"),
    ] = None,
    token: Token = None,
) -> None:
    """Print a run's diagnosis: from a server with --url, else from the local database."""
    from fitdoc.demo import make_console, render_diagnosis

    if url:
        with _remote(url, token) as (client, console):
            result = client.diagnosis(run_id).model_dump(mode="json")
    else:
        from service.diagnosis import diagnose_run
        from service.errors import NotFound
        from service.store import Stores

        console = make_console()
        diagnoses = Stores.open(get_settings().resolved_database_url()).diagnoses
        try:
            result = diagnose_run(diagnoses, run_id).model_dump(mode="json")
        except NotFound as missing:
            raise typer.BadParameter(missing.message, param_hint="RUN_ID") from missing
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    else:
        render_diagnosis(console, "diagnosis", result)


@app.command()
def plot(
    run_id: Annotated[str, typer.Argument(help="the run's id")],
    out: Annotated[Path, typer.Option("--out", "-o", help="the PNG to write")] = Path("run.png"),
    url: Annotated[
        str | None,
        typer.Option(help="read the run from this API (else from the database, as "
                     "`fitdoc diagnose` does)", show_default=False),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(envvar="FITDOC_TOKEN", help="a bearer token for --url (or FITDOC_TOKEN)",
                     show_default=False),
    ] = None,
    smoothing: Annotated[
        float, typer.Option(min=0.0, max=0.999, help="the moving average's weight (EMA)")
    ] = 0.6,
) -> None:
    """Draw a run's curves to a PNG: a panel per metric family, raw and smoothed, the best
    step and `since_step` marked, the diagnosis as the caption."""
    from fitdoc.plot import plot_run, read_http, read_store
    from service.errors import NotFound

    try:
        view = read_http(url, token, run_id) if url else read_store(run_id)
    except (NotFound, LookupError) as missing:
        message = missing.message if isinstance(missing, NotFound) else str(missing)
        raise typer.BadParameter(message, param_hint="RUN_ID") from missing
    written = plot_run(view, out, smoothing)
    typer.echo(f"wrote {written} ({view.diagnosis['status']})")


@app.command()
def watch(
    run_id: Annotated[str, typer.Argument(help="the run's id")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    follow_forever: Annotated[
        bool, typer.Option("--follow-forever", help="go on after the run has ended")
    ] = False,
) -> None:
    """Follow a run live over the API: its diagnosis now, then a line per logged epoch
    (the latest values), per change of diagnosis, job or run status; ends with the run."""
    from fitdoc.watch import watch_run

    with _remote(url, token) as (client, console):
        watch_run(console, client, run_id, follow_forever)


@app.command()
def submit(
    spec_file: Annotated[Path, typer.Argument(help="a JobSpec as JSON", exists=True,
                                              dir_okay=False, readable=True)],
    project: Annotated[str, typer.Option(help="the project (made if new)")],
    name: Annotated[str | None, typer.Option(help="the run's name")] = None,
    repair: Annotated[int, typer.Option(help="auto-repair: at most this many rounds")] = 0,
    follow: Annotated[
        bool, typer.Option("--follow", help="print its progress until it ends, then the "
                           "diagnosis; exit 1 unless it succeeded")
    ] = False,
    url: Url = DEFAULT_URL,
    token: Token = None,
) -> None:
    """Submit a training job to the API's workers; with --follow, follow it to its end."""
    from rich.markup import escape

    from fitdoc.demo import render_diagnosis
    from fitdoc.watch import follow_job

    try:
        spec = json.loads(spec_file.read_text())
    except (OSError, ValueError) as bad:
        raise typer.BadParameter(f"not a JSON file: {bad}", param_hint="SPEC_FILE") from bad
    with _remote(url, token) as (client, console):
        job = client.submit(project, spec, name=name, repair_rounds=repair or None)
        console.print(f"submitted job [bold]{job.id}[/] (run {job.run_id}) to project "
                      f"{escape(job.project)}: {job.status}", soft_wrap=True)
        if not follow:
            return
        job = follow_job(console, client, job.id)
        render_diagnosis(console, "diagnosis", client.diagnosis(job.run_id).model_dump(
            mode="json"))
        error = f": {escape(job.error)}" if job.error else ""
        console.print(f"job {job.id} {job.status}{error}", soft_wrap=True)
    if job.status != "succeeded":
        raise typer.Exit(1)


@app.command()
def runs(
    project: Annotated[str | None, typer.Option(help="only this project's runs")] = None,
    status: Annotated[
        str | None, typer.Option(help="running | finished | failed | killed")
    ] = None,
    diagnosis: Annotated[
        str | None,
        typer.Option(help="only runs diagnosed so: healthy, overfitting, underfitting, "
                     "stuck, oscillating, diverging, mismatch, insufficient_data"),
    ] = None,
    limit: Annotated[int, typer.Option(help="at most this many (newest first)")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="print the runs as JSON")] = False,
    url: Url = DEFAULT_URL,
    token: Token = None,
) -> None:
    """The runs, newest first, with their diagnosis and latest values (a table)."""
    from rich.markup import escape
    from rich.table import Table

    with _remote(url, token) as (client, console):
        found = list(client.runs(project, status, diagnosis, limit=limit))
        if as_json:
            typer.echo(json.dumps([r.model_dump(mode="json") for r in found], indent=2))
            return
        table = Table("id", "project", "name", "status", "diagnosis", "latest", "updated")
        table.columns[0].no_wrap = True
        for run in found:
            judged = client.diagnosis(run.id)
            verdict = judged.status.value + (f" ({judged.cause})" if judged.cause else "")
            keys = [k for k in LATEST_KEYS if k in run.latest] or sorted(run.latest)[:3]
            latest = "  ".join(f"{key} {_number(run.latest[key])}" for key in keys)
            table.add_row(run.id, escape(run.project), escape(run.name), run.status.value,
                          verdict, escape(latest), f"{run.updated_at:%Y-%m-%d %H:%M}")
        console.print(table)
        if not found:
            console.print("no runs")


# The values `fitdoc runs` shows of a run, those it has (else its first three by name).
LATEST_KEYS = ("loss", "train_loss", "val_loss", "acc", "train_acc", "val_acc")


def _number(value: float | str) -> str:
    return value if isinstance(value, str) else f"{value:.4g}"


@app.command("import-mlflow")
def import_mlflow(
    source: Annotated[str, typer.Option("--from", help="the MLflow tracking server's URL")],
    experiment: Annotated[
        list[str] | None,
        typer.Option(help="an experiment's name (repeat for more); default: every active one "
                     "that has runs"),
    ] = None,
    mlflow_token: Annotated[
        str | None,
        typer.Option(envvar="MLFLOW_TRACKING_TOKEN", show_default=False,
                     help="the MLflow server's bearer token (or MLFLOW_TRACKING_TOKEN)"),
    ] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
) -> None:
    """Copy an MLflow server's experiments (as projects), runs, params, tags and metric
    histories into fitdoc through its API; run it again to bring in what is new."""
    import httpx
    from rich.markup import escape

    from fitdoc.mlflow_import import MlflowError, MlflowReader
    from fitdoc.mlflow_import import import_mlflow as copy

    with _remote(url, token) as (client, console):
        reader = MlflowReader(source, mlflow_token)
        try:
            report = copy(reader, client, experiment or None,
                          lambda line: console.print(escape(line), soft_wrap=True))
        except (MlflowError, httpx.TransportError) as failed:
            where = "" if isinstance(failed, MlflowError) else f"cannot reach {source}: "
            console.print(f"[red]{escape(where + str(failed))}[/]")
            raise typer.Exit(1) from None
        finally:
            reader.close()
        for note in report.notes:
            console.print(f"[yellow]note[/] {escape(note)}", soft_wrap=True)
        for failure in report.failed:
            console.print(f"[red]not copied[/] {escape(failure)}", soft_wrap=True)
        console.print(
            f"{report.experiments} experiments: {report.runs_created} runs new, "
            f"{report.runs_updated} updated, {report.runs_unchanged} unchanged; "
            f"{report.points_written} points written", soft_wrap=True)
    if report.failed:
        raise typer.Exit(1)


token_app = typer.Typer(help="API tokens: each has a role and a project (see README, Access).")
app.add_typer(token_app, name="token")


def _token_store():  # type: ignore[no-untyped-def]
    from service.store import Stores
    from service.store import migrate as migrations

    settings = get_settings()
    if settings.embedded:  # as `fitdoc serve` does: the SQLite file is made and migrated
        migrations.upgrade(settings.resolved_database_url())
    if not settings.api_token:
        typer.echo(
            "note: FITDOC_API_TOKEN is not set, so the API does not ask for tokens; "
            "set it (the bootstrap admin token) to turn auth on",
            err=True,
        )
    return Stores.open(settings.resolved_database_url()).tokens


def _print_tokens(tokens) -> None:  # type: ignore[no-untyped-def]
    from rich.console import Console
    from rich.table import Table

    table = Table("id", "name", "project", "role", "created", "last used", "revoked")
    table.columns[0].no_wrap = True
    for t in tokens:
        when = [
            f"{m:%Y-%m-%d %H:%M}" if m else "" for m in (t.created_at, t.last_used_at, t.revoked_at)
        ]
        table.add_row(t.id, t.name, t.project or "(every project)", t.role.value, *when)
    Console().print(table)


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option(help="read | write | admin")],
    project: Annotated[
        str | None,
        typer.Option(help="the project (name or id; made if new); none: every project, admin only"),
    ] = None,
    name: Annotated[str | None, typer.Option(help="a label to find it by")] = None,
) -> None:
    """Make a token and print it, once: only its SHA-256 is kept."""
    from pydantic import ValidationError

    from service.errors import FitdocError
    from service.schemas import TokenCreate

    try:
        made = _token_store().create(TokenCreate(project=project, role=role, name=name))
    except ValidationError as bad:
        first = bad.errors()[0]
        raise typer.BadParameter(first["msg"], param_hint=f"--{first['loc'][0]}") from bad
    except FitdocError as bad:
        raise typer.BadParameter(bad.message, param_hint=f"--{bad.field or 'project'}") from bad
    typer.echo(made.token)
    typer.echo(
        f"token {made.id} ({made.name}): role {made.role.value}, project "
        f"{made.project or '(every project)'}. Keep it now: it is not shown again.",
        err=True,
    )


@token_app.command("list")
def token_list(
    project: Annotated[str | None, typer.Option(help="only this project's tokens")] = None,
) -> None:
    """The tokens, newest first (never the tokens themselves)."""
    store = _token_store()
    project_id = None
    if project is not None:
        from service.errors import NotFound

        try:
            project_id = store.tracking.get_project(project).id
        except NotFound as missing:
            raise typer.BadParameter(missing.message, param_hint="--project") from missing
    _print_tokens(store.list(1000, project_id=project_id).items)


@token_app.command("revoke")
def token_revoke(token_id: Annotated[str, typer.Argument(help="the token's id")]) -> None:
    """The token stops working at once."""
    from service.errors import NotFound

    try:
        revoked = _token_store().revoke(token_id)
    except NotFound as missing:
        raise typer.BadParameter(missing.message, param_hint="TOKEN_ID") from missing
    typer.echo(f"revoked {revoked.id} ({revoked.name})")


@app.command()
def openapi(
    out: Annotated[Path, typer.Option(help="where to write it")] = OPENAPI_PATH,
) -> None:
    """Write the OpenAPI document of the HTTP API (openapi/openapi.json)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(openapi_document() + "\n")
    typer.echo(f"wrote {out}")


def openapi_document() -> str:
    from service.api.app import create_app

    # An in-memory database: generating the document touches no file.
    spec = create_app(Settings(database_url="sqlite://")).openapi()
    return json.dumps(spec, indent=2, sort_keys=True)


if __name__ == "__main__":
    app()
