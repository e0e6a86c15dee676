"""The two exceptions callers of the training package catch.

They live apart from config.py so that every module (data, models, optim, augment) can raise
them without importing the config, which imports the registries of those modules.
"""

from __future__ import annotations


class ConfigError(ValueError):
    """A job spec that cannot run, with the dotted path of the field at fault.

    The service turns it into a 422 ``{"error": {"code", "message", "field"}}``; the message is
    written for the person who sent the spec ("cnn needs image inputs ..."), not for us.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Cancelled(Exception):
    """Raised by `train` when its `should_stop` callback asked it to stop."""

    def __init__(self, epoch: int) -> None:
        super().__init__(f"training cancelled before epoch {epoch}")
        self.epoch = epoch
