"""The embedded broker (service/queue.py's AtomicFilesystemTransport): a message shows in
the queue folder only once it is whole, so a consumer never reads an empty file (kombu's
own transport opened it under its final name first: celery/kombu#1551 shut `fitdoc beat`
down)."""

from __future__ import annotations

import os

import service.queue
from service.queue import FILESYSTEM, make_celery
from service.settings import Settings


def test_a_message_shows_only_once_written_and_is_read_back(tmp_path, monkeypatch):
    settings = Settings(data_dir=tmp_path)
    assert settings.resolved_broker_url().startswith(FILESYSTEM)
    app = make_celery(settings)
    folder = tmp_path / "broker" / "queue"
    seen = []
    real_replace = os.replace

    def replace(part, final):
        # the moment before the message shows: whole under its hidden name, not yet taken
        queued = [n for n in os.listdir(folder) if n.partition(".")[2] == "fitdoc.msg"]
        seen.append((os.path.basename(part), os.path.getsize(part), queued))
        real_replace(part, final)

    monkeypatch.setattr(service.queue.os, "replace", replace)
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        assert isinstance(channel, service.queue.AtomicFilesystemChannel)
        payload = {"body": "x" * 100_000, "headers": {"task": "t"}}
        channel._put("fitdoc", payload)
        [(part, size, queued)] = seen
        assert part.startswith(".") and part.endswith(".part") and size > 100_000
        assert queued == []  # nothing a consumer could take before the rename
        # the hidden file is not a message of the queue; the renamed one is, and is whole
        assert channel._size("fitdoc") == 1
        assert channel._get("fitdoc") == payload
        assert not [n for n in os.listdir(folder) if n.endswith(".part")]
