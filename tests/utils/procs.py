"""What is left of the processes a test started, from /proc (Linux)."""

from __future__ import annotations

import os
import time
from pathlib import Path

HAS_PROC = Path("/proc/self/stat").exists()


def _stat(pid: int) -> tuple[int, str, int] | None:
    """(parent pid, state, start time) of a process, None when there is none."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text.rsplit(")", 1)[1].split()  # after "pid (command)"
    return int(fields[1]), fields[0], int(fields[19])


def descendants(pid: int) -> dict[int, int]:
    """Every process below `pid`: pid -> start time (which tells a reused pid apart)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))):
            children.setdefault(stat[0], []).append(int(entry))
    found, todo = {}, list(children.get(pid, []))
    while todo:
        child = todo.pop()
        if stat := _stat(child):
            found[child] = stat[2]
            todo += children.get(child, [])
    return found


def alive(family: dict[int, int]) -> dict[int, str]:
    """Those of `family` that still run (a zombie has ended): pid -> command line."""
    left = {}
    for pid, started in family.items():
        stat = _stat(pid)
        if stat and stat[2] == started and stat[1] != "Z":
            try:
                left[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except FileNotFoundError:
                continue
    return left


def worker_and_pool(pid: int) -> dict[int, int]:
    """The processes below `pid` once there are two: a worker and its pool child."""
    family = descendants(pid)
    return family if len(family) >= 2 else {}


def wait_for(condition, timeout: float, every: float = 0.1):
    """`condition()` once it is truthy, or its last value after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (result := condition()) and time.monotonic() < deadline:
        time.sleep(every)
    return result
