"""The embedded server as the benchmarks start it: `fitdoc serve --no-worker` in a fresh
data dir, in its own process (so the client does not share its interpreter); and a
throw-away PostgreSQL database for the benchmarks that compare the two backends."""

from __future__ import annotations

import gc
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, make_url, text

from fitdoc import runtime

PG_ADMIN = os.environ.get(
    "FITDOC_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@contextmanager
def embedded_server(**settings: object) -> Iterator[httpx.Client]:
    """A client for a new embedded server; the server and its data go away afterwards."""
    with embedded_api(**settings) as (client, _):
        yield client


@contextmanager
def embedded_api(**settings: object) -> Iterator[tuple[httpx.Client, runtime.Server]]:
    """A new embedded server (`settings`: Settings fields to set) and a client for it; the
    server and its data go away afterwards."""
    with (
        tempfile.TemporaryDirectory() as data,
        runtime.serve_process(runtime.embedded_settings(Path(data), **settings)) as server,
        httpx.Client(base_url=server.url, timeout=60) as client,
    ):
        yield client, server


def cpu_seconds(pid: int) -> float:
    """The CPU time (user + system, all threads) process `pid` has used (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_when_idle(pid: int, quiet: float = 0.3) -> float:
    """`cpu_seconds(pid)` once the process has stopped working (under 10 ms of CPU in
    `quiet` seconds): what it does after answering (a diagnosis on write) counts."""
    last = cpu_seconds(pid)
    while True:
        time.sleep(quiet)
        now = cpu_seconds(pid)
        if now - last < 0.01:
            return now
        last = now


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


@contextmanager
def pg_database() -> Iterator[str]:
    """A throw-away PostgreSQL database (its URL), dropped after the block."""
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"fitdoc_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
