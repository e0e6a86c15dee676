"""Starting and stopping fitdoc's processes: the one place that does it, for `fitdoc serve`,
`fitdoc demo`, the tests and the benchmarks.

A child started here (`spawn`) has a process group of its own, so that stopping it can reach
whatever it started in turn (a Celery worker's pool child), and on Linux it is sent SIGTERM
when the process that started it dies, even by SIGKILL (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from service.settings import Settings


def free_port() -> int:
    """A port nothing listens on now, on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def embedded_settings(data_dir: Path, **values: object) -> Settings:
    """Settings of a fresh embedded installation in `data_dir` (SQLite and the filesystem
    broker there, whatever FITDOC_DATABASE_URL / FITDOC_BROKER_URL say) on a free port."""
    fields = {"data_dir": data_dir, "database_url": "", "broker_url": "", "port": free_port()}
    return Settings(**{**fields, **values})  # type: ignore[arg-type]


def settings_env(settings: Settings) -> dict[str, str]:
    """`settings` as the FITDOC_* environment that makes a child process read the same."""
    env = {}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if isinstance(value, Path):
            value = value.resolve()
        text = json.dumps(value) if isinstance(value, list | dict) else str(value)
        env[f"FITDOC_{name.upper()}"] = text
    return env


# -- processes ---------------------------------------------------------------------------

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


def _die_with(parent: int) -> Callable[[], None] | None:
    """A preexec_fn: SIGTERM this child when `parent` dies (the thread that forks it, to be
    exact: start children from the main thread). Linux only; elsewhere None."""
    if _libc is None:
        return None
    prctl = _libc.prctl  # looked up before the fork: the child only calls it

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


def spawn(
    argv: Sequence[str],
    env: Mapping[str, str] | None = None,
    log: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Start `argv` in a process group of its own, dying with this process, with
    `env` added to this process's environment; stdout and stderr appended to `log`."""
    out = open(log, "ab") if log else subprocess.DEVNULL
    try:
        return subprocess.Popen(
            list(argv),
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with(os.getpid()),
        )
    finally:
        if log:
            out.close()


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """SIGTERM (uvicorn's graceful shutdown, a Celery worker's warm one: it finishes or hands
    back its job), SIGKILL after `timeout` seconds, then SIGKILL to whatever is left in the
    process's group if it has one of its own (a worker's pool child)."""
    group = None
    if proc.returncode is None:  # not reaped yet: proc.pid is still that process
        try:
            group = os.getpgid(proc.pid)
        except ProcessLookupError:
            pass
    own_group = group == proc.pid
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if own_group:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class Supervised:
    """A child process that is started again when it ends by itself — a crash: a Celery
    worker ends on an "Unrecoverable error" of its broker connection (kombu restoring a
    message over a connection Redis had closed killed the sweeper in a CI run), or the
    kernel ended it for memory — at most `max_restarts` times in `window` seconds, after
    `delay` seconds each. What `fitdoc serve` runs its worker and its sweeper under in the
    embedded mode; a split installation leaves it to its service manager (docker-compose's
    `restart: unless-stopped`). `stop()` ends it for good."""

    def __init__(self, name: str, start: Callable[[], subprocess.Popen[bytes]],
                 poll: float = 0.5, delay: float = 1.0, max_restarts: int = 5,
                 window: float = 60.0) -> None:
        self.name, self._start = name, start
        self.poll, self.delay, self.max_restarts, self.window = poll, delay, max_restarts, window
        self.proc = start()
        self.restarts: list[float] = []  # when each restart happened (time.monotonic)
        self._stopping = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name=f"supervise-{name}",
                                         daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        while not self._stopping.wait(self.poll):
            code = self.proc.poll()
            if code is None:
                continue
            now = time.monotonic()
            recent = [t for t in self.restarts if now - t < self.window]
            if len(recent) >= self.max_restarts:
                print(f"fitdoc: the {self.name} ended (exit {code}) {len(recent) + 1} times "
                      f"in {self.window:.0f} s; not starting it again", file=sys.stderr)
                return
            print(f"fitdoc: the {self.name} ended (exit {code}); starting it again",
                  file=sys.stderr)
            if self._stopping.wait(self.delay):
                return
            # forked from this thread: PR_SET_PDEATHSIG ends it when this thread ends, i.e.
            # at stop(), which ends it anyway
            self.proc = self._start()
            self.restarts = [*recent, now]

    def stop(self, timeout: float = 20) -> None:
        self._stopping.set()
        self._watcher.join()
        stop_process(self.proc, timeout)


@contextmanager
def supervised(name: str, start: Callable[[], subprocess.Popen[bytes]]) -> Iterator[Supervised]:
    """`Supervised(name, start)` for the block's lifetime."""
    child = Supervised(name, start)
    try:
        yield child
    finally:
        child.stop()


def start_worker(
    settings: Settings,
    log: Path | None = None,
    pool: str = "prefork",
    env: Mapping[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """`fitdoc worker` with `settings` (passed as FITDOC_*), logging to `log` (default
    data_dir/worker.log); `env` adds variables (e.g. CUDA_VISIBLE_DEVICES)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "fitdoc", "worker", f"--pool={pool}"]
    return spawn(
        argv, {**settings_env(settings), **(env or {})}, log or settings.data_dir / "worker.log"
    )


@contextmanager
def worker_process(
    settings: Settings, log: Path | None = None, pool: str = "prefork"
) -> Iterator[subprocess.Popen[bytes]]:
    """A worker (`start_worker`) for the block's lifetime."""
    proc = start_worker(settings, log, pool)
    try:
        yield proc
    finally:
        stop_process(proc)


def start_beat(settings: Settings, log: Path | None = None) -> subprocess.Popen[bytes]:
    """`fitdoc beat` (Celery beat and the sweeper) with `settings`, logging to `log`
    (default data_dir/beat.log)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "fitdoc", "beat"]
    return spawn(argv, settings_env(settings), log or settings.data_dir / "beat.log")


@contextmanager
def beat_process(settings: Settings, log: Path | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """The sweeper (`start_beat`) for the block's lifetime."""
    proc = start_beat(settings, log)
    try:
        yield proc
    finally:
        stop_process(proc)


@contextmanager
def exit_on_signals(signums: Sequence[int] = (signal.SIGTERM, signal.SIGHUP)) -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise SystemExit, so that `finally:` blocks (that
    stop a worker) run: their default action ends the process at once. This matters after
    uvicorn's graceful shutdown too, which re-raises the signal it caught. Later ones are
    ignored, so that a second SIGTERM does not cut the cleanup short (SIGKILL still ends
    everything: the children die with their parent)."""

    def leave(signum: int, frame: object) -> None:
        for s in signums:
            signal.signal(s, signal.SIG_IGN)
        raise SystemExit(128 + signum)

    previous = {s: signal.signal(s, leave) for s in signums}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def purge_broker(settings: Settings) -> None:
    """Remove what an installation's queues left in a Redis broker (its queues, their
    bindings, unacknowledged messages of its queues): what the tests and the benchmarks do
    after running fitdoc on a shared Redis with queues of their own. The filesystem broker
    lives in the data dir and goes with it."""
    url = settings.resolved_broker_url()
    if not url.startswith("redis"):
        return
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    queues = {settings.queue, settings.control_queue, settings.hooks_queue}
    try:
        for queue in queues:
            for key in client.scan_iter(match=f"*{queue}*"):
                client.delete(key)
        for tag, payload in client.hscan_iter("unacked"):
            try:
                routing_key = json.loads(payload)[2]
            except (ValueError, IndexError, TypeError):
                continue
            if routing_key in queues:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
    finally:
        client.close()


# -- the API -----------------------------------------------------------------------------


def wait_healthy(
    url: str,
    alive: Callable[[], bool],
    timeout: float = 60,
    log: Path | None = None,
    path: str = "/healthz",
    what: str = "the API",
) -> None:
    """Wait until GET {url}{path} answers 200; fail (with the end of `log`) when `alive()`
    turns false or after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{url}{path}", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if not alive() or time.monotonic() > deadline:
            why = "stopped" if not alive() else f"did not answer within {timeout:.0f} s"
            tail = f"; {log}:\n{log.read_text(errors='replace')[-3000:]}" if log else ""
            raise RuntimeError(f"{what} on {url} {why}{tail}")
        time.sleep(0.05)


@contextmanager
def serve_in_thread(app: object, port: int | None = None, host: str = "127.0.0.1") -> Iterator[str]:
    """`app` behind a real uvicorn server in a thread of this process; yields its URL once
    /healthz answers, stops it after the block."""
    import uvicorn

    port = port or free_port()
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="fitdoc-api", daemon=True)
    thread.start()
    try:
        url = f"http://{host}:{port}"
        wait_healthy(url, thread.is_alive, timeout=60)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[bytes]


@contextmanager
def serve_process(
    settings: Settings,
    worker: bool = False,
    log: Path | None = None,
    timeout: float = 120,
    beat: bool = True,
) -> Iterator[Server]:
    """`fitdoc serve` (with a worker or `--no-worker`; in the embedded mode with its
    sweeper, `fitdoc beat`, unless `beat` is false) as a child process with `settings`,
    logging to `log` (default data_dir/serve.log); yields once /healthz answers, stops it
    (and so its worker and sweeper) after the block."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "fitdoc", "serve"] + ([] if worker else ["--no-worker"])
    argv += [] if beat else ["--no-beat"]
    log = log or settings.data_dir / "serve.log"
    proc = spawn(argv, settings_env(settings), log)
    try:
        url = f"http://{settings.host}:{settings.port}"
        wait_healthy(url, lambda: proc.poll() is None, timeout, log)
        yield Server(url, proc)
    finally:
        stop_process(proc)


# -- an MLflow tracking server (the importer's tests, bench/mlflow_ingest.py) ------------

MLFLOW_VENV = Path(os.environ.get("FITDOC_MLFLOW_VENV",
                                  Path(__file__).resolve().parents[1] / ".venv-mlflow"))


@contextmanager
def mlflow_server(data_dir: Path, venv: Path = MLFLOW_VENV, timeout: float = 180) -> Iterator[str]:
    """`mlflow server` from the virtual environment `venv` (the full mlflow package, kept
    apart from fitdoc's: `make mlflow-venv`) on a free loopback port, its SQLite database
    and artifacts in `data_dir`, its log in data_dir/mlflow.log; yields its URL once
    /health answers, stops it and its children after the block."""
    mlflow = venv / "bin" / "mlflow"
    if not mlflow.exists():
        raise FileNotFoundError(f"{mlflow} is missing: run `make mlflow-venv`")
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    argv = [str(mlflow), "server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
            "--backend-store-uri", f"sqlite:///{data_dir.resolve() / 'mlflow.db'}",
            "--default-artifact-root", str(data_dir.resolve() / "artifacts")]
    # No job runner (a second process that polls for MLflow's server-side jobs).
    env = {"MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    log = data_dir / "mlflow.log"
    proc = spawn(argv, env, log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, lambda: proc.poll() is None, timeout, log, path="/health",
                     what="mlflow server")
        yield url
    finally:
        stop_process(proc)
