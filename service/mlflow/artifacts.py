"""Run artifacts in the data dir: what MLflow's `mlflow-artifacts` API uploads, downloads and
lists (`mlflow.log_artifact`, `log_dict`, `log_text`, `download_artifacts`).

A run's artifact URI is `mlflow-artifacts:/<experiment_id>/<run_id>/artifacts`; its client
sends the path under it, which fitdoc keeps at
`FITDOC_DATA_DIR/artifacts/<project id>/<run id>/<path>`. A path must name a run the caller
can see, under that run's own experiment, with no empty, `.` or `..` part and no
backslash; symlinks are followed before the check that the file lies inside the run's
folder. A file is at most FITDOC_MAX_UPLOAD_BYTES (the API stops reading there), written
to a temporary file first and moved into place, so a reader never sees half of one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio

from service.access import Principal
from service.errors import NotFound, TooLarge
from service.mlflow.errors import MlflowError
from service.mlflow.messages import experiment_id
from service.store import Stores

ARTIFACTS_DIR = "artifacts"


@dataclass(frozen=True)
class RunFolder:
    """A path of a run's artifacts: the run's folder and the file or folder in it."""

    folder: Path
    local: Path
    relative: str  # the path under the run's `artifacts/`


def locate(stores: Stores, principal: Principal, data_dir: Path, path: str) -> RunFolder:
    """Where `path` (`<experiment_id>/<run_id>/artifacts[/...]`) lies in the data dir, once
    its run is known to be the caller's; MlflowError otherwise."""
    parts = path.strip("/").split("/") if path.strip("/") else []
    for part in parts:
        if part in ("", ".", "..") or "\\" in part or "\x00" in part:
            raise MlflowError.invalid(f"Invalid artifact path {path!r}: it must be relative, "
                                      "without empty, '.' or '..' parts")
    if len(parts) < 3 or parts[2] != "artifacts":
        raise MlflowError.missing(
            f"No artifact at {path!r}: fitdoc keeps artifacts per run, under "
            "<experiment_id>/<run_id>/artifacts/"
        )
    try:
        run = stores.mlflow.run(parts[1])
    except NotFound:
        run = None
    if (
        run is None
        or not principal.sees(run.project_id)
        or experiment_id(run.project_id, run.project) != parts[0]
    ):
        raise MlflowError.missing(f"Run with id={parts[1]} not found")
    root = (data_dir / ARTIFACTS_DIR).resolve()
    folder = root / run.project_id / run.id
    local = Path(os.path.realpath(folder.joinpath(*parts[3:])))
    if local != folder and folder not in local.parents:
        raise MlflowError.invalid(f"Invalid artifact path {path!r}: it leaves the run's folder")
    return RunFolder(folder, local, "/".join(parts[3:]))


async def save(target: RunFolder, chunks: AsyncIterator[bytes], limit: int) -> int:
    """Write the body into the file `target` names (replacing one there); TooLarge past
    `limit` bytes, leaving nothing behind. Returns the size."""
    if not target.relative:
        raise MlflowError.invalid("An artifact upload names a file under the run's artifacts/")
    await anyio.to_thread.run_sync(lambda: target.local.parent.mkdir(parents=True, exist_ok=True))
    if target.local.is_dir():
        raise MlflowError.invalid(f"{target.relative!r} is a folder of artifacts")
    fd, temp = tempfile.mkstemp(dir=target.local.parent, prefix=".upload-")
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise TooLarge(f"an artifact is at most {limit} bytes")
                await anyio.to_thread.run_sync(out.write, chunk)
        os.replace(temp, target.local)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return size


def listing(target: RunFolder) -> dict[str, Any]:
    """MLflow's ListArtifacts answer for a folder (its entries, names relative to it) or a
    file (itself); nothing for a path that does not exist."""
    if target.local.is_file():
        return {"files": [_entry(target.local, target.local.name)]}
    if not target.local.is_dir():
        return {}
    entries = sorted(
        (e for e in target.local.iterdir() if not e.name.startswith(".upload-")),
        key=lambda e: e.name,
    )
    return {"files": [_entry(e, e.name) for e in entries]} if entries else {}


def _entry(path: Path, name: str) -> dict[str, Any]:
    if path.is_dir():
        return {"path": name, "is_dir": True}
    return {"path": name, "is_dir": False, "file_size": path.stat().st_size}


def readable(target: RunFolder) -> Path:
    if not target.local.is_file():
        raise MlflowError.missing(f"No artifact at {target.relative!r}")
    return target.local
