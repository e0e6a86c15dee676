"""A process's background worker woken on write: one daemon thread, started on first use,
and the condition that wakes it and tells `wait_idle` when it has nothing left to do.

Used by the Diagnoser (service/diagnosis.py: diagnosis on write) and the webhook
Dispatcher (service/webhooks.py: dispatch on write). The thread starts on the first
`_wake`, not at construction: in a forked worker process the thread must be the child's.
"""

from __future__ import annotations

import threading
import time


class Background:
    """Subclasses keep their state under `self._cond`, call `_wake()` with it held when
    there is work, run `_loop()` in the thread, and say in `_idle()` (called with it held)
    whether nothing is waiting or being done; `_loop` notifies all waiters when it runs out
    of work, so that `wait_idle` returns."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def _wake(self) -> None:
        """Start the thread if it is not running (first use, or after a fork), and wake it.
        Call with `self._cond` held."""
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
            self._thread.start()
        self._cond.notify()

    def _loop(self) -> None:
        raise NotImplementedError

    def _idle(self) -> bool:
        raise NotImplementedError

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until nothing is waiting or being done (a job's end, the tests); False if
        `timeout` seconds passed first."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self._idle():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True
