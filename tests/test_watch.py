"""`fitdoc watch RUN_ID` as a user runs it: a process of its own against a real `fitdoc
serve`, while a training script posts per-epoch points that turn the run to overfitting
and then ends the run."""

from __future__ import annotations

import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from fitdoc import runtime
from tests.utils.live import OVERFIT_EPOCHS, OVERFIT_META, epoch_points

pytestmark = pytest.mark.integration


class Watch:
    """`fitdoc watch` in a process of its own (runtime.spawn: it dies with the test), its
    output in a file."""

    def __init__(self, log: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.log = log
        argv = [sys.executable, "-m", "fitdoc", "watch", *args]
        self.proc = runtime.spawn(argv, {"COLUMNS": "200", **(env or {})}, log)

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_for(self, pattern: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.output):
            assert self.proc.poll() is None, f"watch ended:\n{self.output}"
            assert time.monotonic() < deadline, f"no {pattern!r} in:\n{self.output}"
            time.sleep(0.05)

    def wait(self, timeout: float = 60) -> int:
        return self.proc.wait(timeout=timeout)

    def stop(self) -> None:
        runtime.stop_process(self.proc, timeout=5)

    def steps(self) -> list[int]:
        """The step of each metrics line, in order."""
        return [int(m) for m in re.findall(r"^\S+ step (\d+) ", self.output, re.MULTILINE)]


@pytest.fixture
def watch(tmp_path) -> Iterator[Callable[..., Watch]]:
    started: list[Watch] = []

    def start(*args: str, env: dict[str, str] | None = None) -> Watch:
        started.append(Watch(tmp_path / f"watch-{len(started)}.log", *args, env=env))
        return started[-1]

    yield start
    for one in started:
        one.stop()


def new_run(url: str, project: str) -> str:
    made = httpx.post(f"{url}/api/v1/runs", json={"project": project, "meta": OVERFIT_META})
    assert made.status_code == 201, made.text
    return made.json()["id"]


def post_epochs(url: str, run_id: str, epochs: range) -> None:
    with httpx.Client(timeout=30) as client:
        for epoch in epochs:
            posted = client.post(f"{url}/api/v1/runs/{run_id}/metrics", json=epoch_points(epoch))
            assert posted.status_code == 200, posted.text


def finish(url: str, run_id: str) -> None:
    done = httpx.patch(f"{url}/api/v1/runs/{run_id}", json={"status": "finished"})
    assert done.status_code == 200, done.text


def test_watch_follows_a_run_to_overfitting_and_ends_with_it(embedded_api, watch, unique):
    url = embedded_api.url
    run_id = new_run(url, f"watch-{unique}")
    post_epochs(url, run_id, range(3))
    # the URL from FITDOC_URL, a token (auth is off on this server: it is ignored)
    watching = watch(run_id, env={"FITDOC_URL": url, "FITDOC_TOKEN": "unused"})
    watching.wait_for("following its events")
    post_epochs(url, run_id, range(3, OVERFIT_EPOCHS))
    watching.wait_for("-> overfitting")
    finish(url, run_id)
    assert watching.wait() == 0, watching.output
    out = watching.output
    assert "watching run" in out and run_id in out and "diagnosis now" in out
    assert re.search(r"diagnosis healthy -> overfitting: .+", out), out
    assert out.count("-> overfitting") == 1
    assert "run running -> finished" in out
    # a line per epoch logged while it watched, with the run's latest values
    assert watching.steps() == list(range(3, OVERFIT_EPOCHS)), out
    last = re.search(rf"step {OVERFIT_EPOCHS - 1} +loss (\S+) +val_loss (\S+)", out)
    assert last and float(last[2]) > float(last[1]), out


def test_watch_reconnects_after_event_it_saw_last(embedded_api, watch, unique):
    """The connection drops (a proxy in between cuts it) while points keep coming: watch
    connects again with Last-Event-ID and shows every epoch once."""
    url = embedded_api.url
    run_id = new_run(url, f"reconnect-{unique}")
    with Proxy(embedded_api.url) as proxy:
        watching = watch(run_id, "--url", proxy.url)
        watching.wait_for("following its events")
        post_epochs(url, run_id, range(5))
        watching.wait_for(r"step 4 ")
        proxy.cut()  # the stream and any kept-alive connection
        post_epochs(url, run_id, range(5, 12))
        watching.wait_for("reconnecting")
        watching.wait_for(r"step 11 ")
        finish(url, run_id)
        assert watching.wait() == 0, watching.output
    assert watching.steps() == list(range(12)), watching.output


def test_watch_of_an_unknown_run_says_so(embedded_api, watch):
    watching = watch("no-such-run", "--url", embedded_api.url)
    assert watching.wait() == 1
    assert "404" in watching.output and "no-such-run" in watching.output


class Proxy:
    """A TCP proxy on a loopback port to `target` (http://host:port) whose connections
    can be cut."""

    def __init__(self, target: str) -> None:
        host, port = target.removeprefix("http://").split(":")
        self.target = (host, int(port))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()

    def __enter__(self) -> Proxy:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.listener.close()
        self.cut()

    def cut(self) -> None:
        with self.lock:
            for sock in self.open:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self.open.clear()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:  # closed
                return
            server = socket.create_connection(self.target)
            with self.lock:
                self.open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
