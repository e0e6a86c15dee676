"""The embedded server as the benchmarks start it: `fitdoc serve --no-worker` in a fresh
data dir, in its own process (so the client does not share its interpreter)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from fitdoc.cli import free_port

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def embedded_server() -> Iterator[httpx.Client]:
    """A client for a new embedded server; the server and its data go away afterwards."""
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "FITDOC_DATA_DIR": data, "FITDOC_PORT": str(port)}
        env.pop("FITDOC_DATABASE_URL", None)
        server = subprocess.Popen(
            [sys.executable, "-m", "fitdoc.cli", "serve", "--no-worker"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
                for _ in range(300):
                    try:
                        client.get("/healthz").raise_for_status()
                        break
                    except httpx.HTTPError:
                        if server.poll() is not None:
                            sys.exit("fitdoc serve exited before it answered")
                        time.sleep(0.1)
                yield client
        finally:
            server.terminate()
            server.wait(timeout=20)
