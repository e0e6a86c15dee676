"""A webhook receiver for the tests: a real HTTP server (http.server) in a thread on a free
loopback port, answering each POST with the next status of a script (then 200), and
keeping what it was sent and when."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    at: float  # time.time() when it arrived
    headers: dict[str, str]
    body: bytes
    status: int  # what the receiver answered

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    answers: list[int] = field(default_factory=list)  # statuses to answer first, in order
    got: list[Received] = field(default_factory=list)
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def wait(self, until: Callable[[list[Received]], bool], timeout: float = 30) -> None:
        """Block until `until(got)` holds; AssertionError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not until(self.got):
                left = deadline - time.monotonic()
                assert left > 0, f"the receiver did not get what was awaited: {self.got}"
                self._cond.wait(left)

    def ok(self) -> list[Received]:
        return [r for r in self.got if 200 <= r.status < 300]


@contextmanager
def receiver(answers: list[int] | None = None, path: str = "/hook") -> Iterator[Receiver]:
    state: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with state._cond:
                status = state.answers.pop(0) if state.answers else 200
                state.got.append(Received(time.time(), dict(self.headers), body, status))
                state._cond.notify_all()
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok" if status < 300 else b"no")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state = Receiver(f"http://127.0.0.1:{server.server_port}{path}", list(answers or []))
    thread = threading.Thread(target=server.serve_forever, name="receiver", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
