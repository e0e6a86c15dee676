"""Which files a job may read: the one path rule, used by the API when a job is submitted
and by the training engine on the worker before it opens anything. Standard library only.

A dataset path (npz, image_folder) must resolve inside one of the dataset roots
(FITDOC_DATASET_ROOTS): relative paths are taken under the first root, `~` is not expanded
(it is a plain character: home folders differ between the API host and each worker), and
symlinks and `..` are followed (os.path.realpath) before the check, so neither leads out.
A root itself is not a dataset, only what lies under it. Folders that hold projects' own
files (uploads, checkpoints) are refused by path even when a root contains them: an upload
is named by its id, within its project.

Every refusal reads the same, whether the path is outside the roots, missing, of the wrong
kind or unreadable: a client learns nothing about the files of the host from it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TypeGuard

ROOTS_SETTING = "FITDOC_DATASET_ROOTS"
# The datasets whose path names a folder (the others name a file).
FOLDER_DATASETS = ("image_folder",)
# An uploaded dataset's id, as the store makes them (32 hex characters): nothing else is
# ever turned into a file name.
UPLOAD_ID_PATTERN = r"[0-9a-f]{32}"

PathText = str | os.PathLike[str]


def path_message(name: str) -> str:
    """The one message for a dataset path that cannot be read (outside the roots, missing,
    a folder for a file or the reverse, unreadable)."""
    what = "folder" if name in FOLDER_DATASETS else "file"
    return (f"must be a {what} under the dataset roots ({ROOTS_SETTING}) that the worker "
            "can read")


def upload_message(dataset_id: str) -> str:
    """The one message for a dataset id that names no upload of the job's project (unknown,
    another project's, deleted)."""
    return f"no uploaded dataset {dataset_id!r} in this project"


def is_upload_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and re.fullmatch(UPLOAD_ID_PATTERN, value) is not None


def _under(path: str, folder: str) -> bool:
    return os.path.commonpath([path, folder]) == folder


def inside_roots(path: PathText, roots: Sequence[PathText],
                 excluded: Sequence[PathText] = ()) -> Path | None:
    """`path` resolved (relative: under the first root; symlinks and `..` followed; `~` kept
    as it is), or None when it is not strictly under one of `roots` or is in one of
    `excluded`. Whether the file exists is not looked at (see `readable_dataset_path`)."""
    if not roots:
        return None
    try:
        text = os.fspath(path)
        if not text or "\x00" in text:
            return None
        folders = [os.path.realpath(os.fspath(root)) for root in roots]
        # os.path.join: an absolute path replaces the root it is joined to.
        resolved = os.path.realpath(os.path.join(folders[0], text))
        if not any(_under(resolved, f) and resolved != f for f in folders):
            return None
        if any(_under(resolved, os.path.realpath(os.fspath(e))) for e in excluded):
            return None
    except (TypeError, ValueError, OSError):  # a NUL byte, a path of another drive
        return None
    return Path(resolved)


def readable_dataset_path(name: str, path: PathText, roots: Sequence[PathText],
                          excluded: Sequence[PathText] = ()) -> Path | None:
    """The resolved file (npz) or folder (image_folder) that dataset `name`'s `path` names,
    when it is inside the roots, exists, is of that kind and this process can read it; else
    None (the caller says `path_message(name)`, the same for every reason)."""
    resolved = inside_roots(path, roots, excluded)
    if resolved is None:
        return None
    try:
        if name in FOLDER_DATASETS:
            ok = resolved.is_dir() and os.access(resolved, os.R_OK | os.X_OK)
        else:
            ok = resolved.is_file() and os.access(resolved, os.R_OK)
    except OSError:
        return None
    return resolved if ok else None
