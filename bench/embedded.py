"""The embedded server as the benchmarks start it: `fitdoc serve --no-worker` in a fresh
data dir, in its own process (so the client does not share its interpreter)."""

from __future__ import annotations

import gc
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from fitdoc import runtime


@contextmanager
def embedded_server() -> Iterator[httpx.Client]:
    """A client for a new embedded server; the server and its data go away afterwards."""
    with (
        tempfile.TemporaryDirectory() as data,
        runtime.serve_process(runtime.embedded_settings(Path(data))) as server,
        httpx.Client(base_url=server.url, timeout=60) as client,
    ):
        yield client


@contextmanager
def client_gc_paused() -> Iterator[None]:
    """The client's cyclic GC off while it times requests, as `timeit` does: a full
    collection in the client (12-16 ms, measured) is not the server's latency."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
