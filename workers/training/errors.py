"""The two exceptions callers of the training package catch.

`ConfigError` is the catalogue's `SpecError` (service/catalogue/rules.py): the API refuses a
spec with it before queueing (a 422 naming the field), and the engine raises the same error,
from the same rules, when a spec meets its data. `Cancelled` ends a job that was asked to
stop.
"""

from __future__ import annotations

from service.catalogue import SpecError as ConfigError

__all__ = ["Cancelled", "ConfigError"]


class Cancelled(Exception):
    """Raised by `train` when its `should_stop` callback asked it to stop."""

    def __init__(self, epoch: int) -> None:
        super().__init__(f"training cancelled before epoch {epoch}")
        self.epoch = epoch
