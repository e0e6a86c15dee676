"""A multipart/form-data upload read as it streams in: the file part goes straight into a
file in the data dir, counted against its limit while it arrives (never whole in memory,
never in the system's temp folder); the other parts are short text fields.

Used by `POST /api/v1/datasets`; the BodyLimit middleware lets that route's body be as large
as the upload limit (plus the form's few fields), and this reader stops at the file's own
limit exactly.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool

from service.errors import FitdocError, Invalid

MAX_FIELD_BYTES = 4096  # a text field: a project's name or id, a dataset's name
FLUSH_BYTES = 1024 * 1024  # file data is written in pieces of about this size


@dataclass
class Received:
    """The form as it arrived: its text fields, and the file (staged in the data dir, which
    the caller moves or `discard`s)."""

    fields: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    filename: str | None = None
    size: int = 0
    sha256: str = ""

    def discard(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)


class _Form:
    """The parser's callbacks: which part is arriving, and where its bytes go."""

    def __init__(self, file_field: str, text_fields: set[str], max_file_bytes: int,
                 too_large: Callable[[], FitdocError], stage: Callable[[], tuple[Path, IO[bytes]]]
                 ) -> None:
        self.file_field, self.text_fields = file_field, text_fields
        self.max_file_bytes, self.too_large, self.stage = max_file_bytes, too_large, stage
        self.received = Received()
        self.file: IO[bytes] | None = None
        self.pending: list[bytes] = []
        self.pending_bytes = 0
        self.hash = hashlib.sha256()
        self._headers: dict[bytes, bytes] = {}
        self._header = [b"", b""]
        self._part: str | None = None  # the field's name; file_field for the file
        self._text = bytearray()
        self.ended = False

    def callbacks(self):  # type: ignore[no-untyped-def]
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": lambda data, start, end: self._add(0, data[start:end]),
            "on_header_value": lambda data, start, end: self._add(1, data[start:end]),
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
            "on_end": self.end,
        }

    def _add(self, which: int, data: bytes) -> None:
        self._header[which] += data
        if len(self._header[which]) > MAX_FIELD_BYTES:
            raise Invalid("a part's header is too long", field="body")

    def part_begin(self) -> None:
        self._headers, self._header, self._part, self._text = {}, [b"", b""], None, bytearray()

    def header_end(self) -> None:
        self._headers[self._header[0].strip().lower()] = self._header[1].strip()
        self._header = [b"", b""]

    def headers_finished(self) -> None:
        disposition, options = parse_options_header(self._headers.get(b"content-disposition"))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if disposition != b"form-data" or not name:
            raise Invalid("each part of the form needs a content-disposition with a name",
                          field="body")
        if name == self.file_field:
            if self.file is not None or self.received.path is not None:
                raise Invalid(f"one {self.file_field} per upload", field=self.file_field)
            self.received.path, self.file = self.stage()
            filename = options.get(b"filename")
            self.received.filename = filename.decode("utf-8", "replace") if filename else None
        elif name in self.text_fields:
            if name in self.received.fields:
                raise Invalid(f"{name} is given twice", field=name)
        else:
            expected = sorted({self.file_field, *self.text_fields})
            raise Invalid(f"unknown form field {name[:100]!r}; expected {expected}", field=name)
        self._part = name

    def part_data(self, data: bytes, start: int, end: int) -> None:
        piece = data[start:end]
        if self._part == self.file_field:
            self.received.size += len(piece)
            if self.received.size > self.max_file_bytes:
                raise self.too_large()
            self.hash.update(piece)
            self.pending.append(piece)
            self.pending_bytes += len(piece)
        else:
            self._text += piece
            if len(self._text) > MAX_FIELD_BYTES:
                raise Invalid(f"{self._part} is over {MAX_FIELD_BYTES} bytes", field=self._part)

    def part_end(self) -> None:
        if self._part in self.text_fields:
            try:
                self.received.fields[self._part] = self._text.decode("utf-8")
            except UnicodeDecodeError:
                raise Invalid(f"{self._part} is not UTF-8 text", field=self._part) from None

    def end(self) -> None:
        self.ended = True

    def take_pending(self) -> bytes:
        data = b"".join(self.pending)
        self.pending, self.pending_bytes = [], 0
        return data


async def receive_form(
    request: Request,
    *,
    folder: Path,
    file_field: str,
    text_fields: set[str],
    max_file_bytes: int,
    too_large: Callable[[], FitdocError],
) -> Received:
    """Read the request's multipart/form-data body: `file_field`'s data into a new file in
    `folder` (`too_large()` is raised once it passes `max_file_bytes`), `text_fields` as
    text. Invalid (422) for another content type, an unknown field, a malformed body, no
    file. Nothing is left in `folder` when it raises."""
    content_type, params = parse_options_header(request.headers.get("content-type"))
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise Invalid(f"send multipart/form-data with the fields {file_field} and "
                      f"{', '.join(sorted(text_fields))}", field="body")

    def stage() -> tuple[Path, IO[bytes]]:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=folder, prefix="incoming-", suffix=".part")
        return Path(name), os.fdopen(fd, "wb")

    form = _Form(file_field, text_fields, max_file_bytes, too_large, stage)
    parser = MultipartParser(boundary, form.callbacks())
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            if form.file is not None and form.pending_bytes >= FLUSH_BYTES:
                await run_in_threadpool(form.file.write, form.take_pending())
        parser.finalize()
        if not form.ended:
            raise Invalid("the body ended before the form's closing boundary", field="body")
        if form.file is None:
            raise Invalid(f"{file_field} is required: the .npz to upload", field=file_field)
        await run_in_threadpool(form.file.write, form.take_pending())
        await run_in_threadpool(form.file.close)
    except MultipartParseError as bad:
        _close(form.file)
        form.received.discard()
        raise Invalid(f"a malformed multipart body: {bad}", field="body") from None
    except BaseException:
        _close(form.file)
        form.received.discard()
        raise
    form.received.sha256 = form.hash.hexdigest()
    return form.received


def _close(file: IO[bytes] | None) -> None:
    if file is not None:
        try:
            file.close()
        except OSError:
            pass
