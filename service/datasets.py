"""Datasets a job may read: a user's files under the dataset roots, and uploads.

- **Paths.** An npz or image_folder `dataset.path` must resolve inside a dataset root
  (FITDOC_DATASET_ROOTS; service/catalogue/paths.py has the rule, which the worker applies
  again before it reads anything). `check_dataset_path` refuses a submitted spec with one
  message whatever the reason (outside, missing, unreadable), so a client learns nothing
  about the host's files.
- **Uploads.** `POST /api/v1/datasets` streams the file into the data dir
  (service/api/uploads.py); `create_dataset` checks it (`inspect_npz`: read as numpy would
  with allow_pickle=False, in chunks: constant memory whatever its size), stores its row
  (DatasetStore) and moves the file to `Settings.upload_path(project, id)`. A job reads it as
  `{"name": "npz", "id": ...}` (`upload_info`: only its own project's), and the worker finds
  the file at that place in the shared data dir, as it writes checkpoints.
"""

from __future__ import annotations

import math
import os
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import TypeAdapter, ValidationError

from service.catalogue import (
    UPLOADABLE,
    DatasetInfo,
    kind_of_shape,
    path_message,
    readable_dataset_path,
    upload_message,
)
from service.errors import Invalid, TooLarge
from service.schemas import MAX_NAME_LENGTH, Dataset, Name
from service.settings import Settings
from service.store import DatasetStore, Stores
from service.store.db import Tx

# The arrays an npz dataset is read from (workers/training/data.py `load_npz`).
ARRAYS = ("x", "y", "x_val", "y_val")
# Labels 0..C-1: a class count beyond this is a mistake (a label that is an id, a hash).
MAX_CLASSES = 100_000
CHUNK_BYTES = 4 * 1024 * 1024
# A header of an .npy array is a few hundred bytes; numpy's own bound.
MAX_HEADER_BYTES = 10_000


# --- paths ----------------------------------------------------------------------------------


def dataset_path_roots(settings: Settings) -> tuple[list[Path], list[Path]]:
    """The roots a dataset path must lie in, and the folders it may never lead into."""
    return settings.resolved_dataset_roots(), settings.private_dirs()


def check_dataset_path(dataset: Mapping[str, Any], settings: Settings) -> None:
    """Invalid (422, `spec.dataset.path`) unless the path of a user's files (npz,
    image_folder) names a readable file or folder under the dataset roots. The API sees the
    roots as the workers do (a shared volume, like the data dir); each worker checks again."""
    path = dataset.get("path")
    if not path:
        return
    roots, excluded = dataset_path_roots(settings)
    if readable_dataset_path(dataset["name"], path, roots, excluded) is None:
        raise Invalid(path_message(dataset["name"]), "spec.dataset.path")


# --- a job's upload -------------------------------------------------------------------------


def upload_info(
    dataset: Mapping[str, Any], project: str, datasets: DatasetStore, tx: Tx | None = None
) -> DatasetInfo | None:
    """What a spec that reads an upload (`{"name": "npz", "id": ...}`) will train on, for
    `check_spec` to decide the model against the real shape and classes; None when the spec
    names no upload (or names it wrongly, which check_spec says). Invalid (422,
    `spec.dataset.id`) when the id is no upload of `project`: the same for an unknown id and
    another project's."""
    dataset_id = dataset.get("id")
    if dataset["name"] not in UPLOADABLE or dataset_id is None or dataset.get("path"):
        return None
    upload = datasets.find(dataset_id, project, tx)
    if upload is None:
        raise Invalid(upload_message(dataset_id), "spec.dataset.id")
    task = dataset["task"]
    if task == "classification" and upload.task != "classification":
        y = upload.arrays["y"]
        raise Invalid(
            f"upload {dataset_id} holds regression targets (y: {y.dtype} {tuple(y.shape)}); "
            "set dataset.task to regression, or upload integer labels 0..C-1",
            "spec.dataset.task",
        )
    shape = tuple(upload.arrays["x"].shape[1:])
    return DatasetInfo(
        kind=kind_of_shape(shape),
        num_classes=upload.classes if task == "classification" else None,
        input_shape=shape,
        task=None,  # the spec's dataset.task decides, as for any npz
        user_files=True,
        samples=upload.n_train + (upload.n_val or 0),
        held_out=upload.n_val,
    )


# --- uploads --------------------------------------------------------------------------------


def create_dataset(
    stores: Stores,
    settings: Settings,
    *,
    project: str,
    name: str | None,
    staged: Path,
    filename: str | None,
    size_bytes: int,
    sha256: str,
    created_by: str | None = None,
) -> Dataset:
    """Check the uploaded file `staged` (streamed into the data dir by the HTTP layer), then
    record it under `project` (name or id; made if new) and move it to its place. Invalid
    naming the array at fault; TooLarge over FITDOC_MAX_UPLOAD_BYTES. On any failure the
    caller still owns (and removes) `staged`."""
    if size_bytes > settings.max_upload_bytes:
        raise too_large(settings)
    info = inspect_npz(staged, settings.max_upload_bytes)
    label = _dataset_name(name, filename)
    target: Path | None = None
    try:
        with stores.db.write() as tx:
            made, project_id = stores.datasets.create(
                project, label, size_bytes, sha256, info, created_by, tx=tx
            )
            target = settings.upload_path(project_id, made.id)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
    except BaseException:
        if target is not None:  # moved, but the row did not commit
            target.unlink(missing_ok=True)
        raise
    return made


def delete_dataset(stores: Stores, settings: Settings, dataset_id: str) -> None:
    """The upload's row and its file. A job already training from it has read it; one that
    starts (or resumes) later fails with `upload_message`."""
    _, project_id = stores.datasets.delete(dataset_id)
    settings.upload_path(project_id, dataset_id).unlink(missing_ok=True)


def too_large(settings: Settings) -> TooLarge:
    return TooLarge(
        f"the file is over {settings.max_upload_bytes:,} bytes (FITDOC_MAX_UPLOAD_BYTES)",
        field="file",
    )


_NAME: TypeAdapter[str] = TypeAdapter(Name)


def form_name(value: str | None, field: str) -> str:
    """A name sent as a form field, checked as the JSON bodies' names are (Invalid)."""
    if value is None:
        raise Invalid(f"{field} is required", field=field)
    try:
        return _NAME.validate_python(value)
    except ValidationError as bad:
        raise Invalid(f"{field}: {bad.errors()[0]['msg']}", field=field) from None


def _dataset_name(name: str | None, filename: str | None) -> str:
    """The upload's name: as given, else the file's name without .npz."""
    if name is not None:
        return form_name(name, "name")
    stem = Path(filename or "").name.removesuffix(".npz")
    try:
        return _NAME.validate_python(stem[:MAX_NAME_LENGTH])
    except ValidationError:
        return "upload"


# --- the check of an npz --------------------------------------------------------------------


def _bad(array: str, message: str) -> Invalid:
    return Invalid(f"{array}: {message}", field=f"file.{array}")


def inspect_npz(path: Path | str, max_array_bytes: int) -> dict[str, Any]:
    """What a job will read from the npz at `path`, checked as the engine reads it
    (workers/training/data.py): arrays x, y and optionally x_val, y_val (both or neither);
    numbers only (nothing unpickled: allow_pickle=False); x (N, F), (N, C, L) or
    (N, C, H, W) and finite; y (N,) integer labels 0..C-1 (a classification), or float
    targets (N,) or (N, k) (a regression); lengths that match. Reads the arrays in chunks, so
    memory stays small whatever their size; their total (uncompressed) must be at most
    `max_array_bytes`. Returns the row's info: arrays (shape, dtype), task, classes,
    n_train, n_val. Invalid (field `file.<array>`, or `file`) otherwise."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise Invalid("not an .npz file: expected a zip of .npy arrays as numpy.savez "
                      "writes it, with arrays x and y", field="file") from None
    with archive:
        members = _members(archive)
        headers = {name: _header(archive, member) for name, member in members.items()}
        task = _check_structure(headers, max_array_bytes)
        ranges = {name: _scan(archive, members[name], name, *headers[name])
                  for name in headers}
    classes = None
    if task == "classification":
        labels = [name for name in ("y", "y_val") if name in ranges]
        for name in labels:
            if ranges[name][0] < 0:
                raise _bad(name, f"class labels must be 0, 1, ..., C-1; found "
                                 f"{ranges[name][0]} (for regression targets, store floats)")
        top = max(labels, key=lambda name: ranges[name][1])
        classes = ranges[top][1] + 1
        if classes > MAX_CLASSES:
            raise _bad(top, f"class labels must be 0, 1, ..., C-1 with C at most "
                            f"{MAX_CLASSES:,}; found {ranges[top][1]}")
    shapes = {name: h[0] for name, h in headers.items()}
    return {
        "arrays": {name: {"shape": list(shape), "dtype": headers[name][2].name}
                   for name, shape in shapes.items()},
        "task": task,
        "classes": classes,
        "n_train": shapes["x"][0],
        "n_val": shapes["x_val"][0] if "x_val" in shapes else None,
    }


def _members(archive: zipfile.ZipFile) -> dict[str, str]:
    """The zip members holding x, y, x_val, y_val, found as numpy's NpzFile finds them."""
    names = set(archive.namelist())
    members = {}
    for array in ARRAYS:
        for member in (array, f"{array}.npy"):
            if member in names:
                members[array] = member
                break
    for array in ("x", "y"):
        if array not in members:
            raise _bad(array, "missing: an npz dataset holds arrays x and y (and optionally "
                              "x_val and y_val), as np.savez(f, x=..., y=...) writes them")
    if ("x_val" in members) != ("y_val" in members):
        missing = "y_val" if "x_val" in members else "x_val"
        raise _bad(missing, "missing: give both x_val and y_val, or neither")
    return members


def _header(archive: zipfile.ZipFile, member: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    """(shape, fortran_order, dtype) of an .npy member, read without unpickling anything."""
    array = member.removesuffix(".npy")
    try:
        with archive.open(member) as stream:
            version = np.lib.format.read_magic(stream)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(
                    stream, max_header_size=MAX_HEADER_BYTES)
            elif version == (2, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(
                    stream, max_header_size=MAX_HEADER_BYTES)
            else:
                raise ValueError(f".npy format version {version} (a structured array)")
    except Exception as exc:  # noqa: BLE001 - zip, format and header errors alike
        raise _bad(array, f"not a readable .npy array ({exc})") from None
    if dtype.hasobject:
        raise _bad(array, "holds Python objects, which load only by unpickling (refused: "
                          "allow_pickle=False); store numbers")
    return tuple(int(n) for n in shape), bool(fortran), dtype


def _numeric(dtype: np.dtype) -> bool:
    return dtype.kind in "biuf" and dtype.fields is None and not dtype.subdtype


def _check_structure(headers: dict[str, tuple[tuple[int, ...], bool, np.dtype]],
                     max_array_bytes: int) -> str:
    """Shapes, dtypes and lengths, from the headers alone; the task the labels make."""
    for name, (_, _, dtype) in headers.items():
        if not _numeric(dtype):
            raise _bad(name, f"holds {dtype}, not numbers")
    x_shape, _, _ = headers["x"]
    if not 2 <= len(x_shape) <= 4:
        raise _bad("x", f"has shape {x_shape}; expected (N, F) tabular, (N, C, L) sequence "
                        "or (N, C, H, W) image data")
    for xs, ys in (("x", "y"), ("x_val", "y_val")):
        if xs not in headers:
            continue
        x_len, y_len = headers[xs][0][0], headers[ys][0][0] if headers[ys][0] else None
        if x_len == 0:
            raise _bad(xs, "has no samples")
        if y_len != x_len:
            raise _bad(ys, f"has {y_len if y_len is not None else 'no'} samples but {xs} has "
                           f"{x_len}: one label or target per sample")
    if "x_val" in headers and headers["x_val"][0][1:] != x_shape[1:]:
        raise _bad("x_val", f"samples are {headers['x_val'][0][1:]} but x's are {x_shape[1:]}")
    if min(x_shape[1:]) < 1:
        raise _bad("x", f"has shape {x_shape}: a sample has no values")

    y_shape, _, y_dtype = headers["y"]
    if y_dtype.kind == "b":
        raise _bad("y", "holds booleans; store class labels as integers 0..C-1")
    if len(y_shape) not in (1, 2):
        raise _bad("y", f"has shape {y_shape}; expected labels (N,) or targets (N,) or (N, k)")
    if "y_val" in headers:
        val_shape, _, val_dtype = headers["y_val"]
        if val_shape[1:] != y_shape[1:] or val_dtype.kind != y_dtype.kind:
            raise _bad("y_val", f"is {val_dtype} {val_shape} but y is {y_dtype} {y_shape}: "
                                "labels (or targets) of the same kind and shape")
    total = sum(math.prod(shape) * dtype.itemsize for shape, _, dtype in headers.values())
    if total > max_array_bytes:
        raise TooLarge(f"the arrays hold {total:,} bytes uncompressed; at most "
                       f"{max_array_bytes:,} (FITDOC_MAX_UPLOAD_BYTES)", field="file")
    classification = y_dtype.kind in "iu" and len(y_shape) == 1
    return "classification" if classification else "regression"


def _scan(archive: zipfile.ZipFile, member: str, name: str, shape: tuple[int, ...],
          fortran: bool, dtype: np.dtype) -> tuple[int, int]:
    """Read the array's values in chunks: Invalid for NaN or inf (x, float targets) or a
    short file; (min, max) of integer labels (0, 0 for other arrays). Element order does not
    matter here, so a Fortran-ordered array reads the same."""
    count = math.prod(shape)
    per_chunk = max(1, CHUNK_BYTES // dtype.itemsize)
    low, high = 0, 0
    labels = name in ("y", "y_val") and dtype.kind in "iu"
    first = True
    try:
        with archive.open(member) as stream:
            version = np.lib.format.read_magic(stream)
            if version == (1, 0):
                np.lib.format.read_array_header_1_0(stream, max_header_size=MAX_HEADER_BYTES)
            else:
                np.lib.format.read_array_header_2_0(stream, max_header_size=MAX_HEADER_BYTES)
            left = count
            while left:
                n = min(per_chunk, left)
                data = stream.read(n * dtype.itemsize)
                if len(data) != n * dtype.itemsize:
                    raise _bad(name, f"is cut short: its header says {shape} but the data "
                                     "ends early")
                values = np.frombuffer(data, dtype=dtype)
                if dtype.kind == "f" and not np.isfinite(values).all():
                    what = "inputs" if name.startswith("x") else "targets"
                    raise _bad(name, f"{what} contain NaN or inf")
                if labels:
                    chunk_low, chunk_high = int(values.min()), int(values.max())
                    low = chunk_low if first else min(low, chunk_low)
                    high = chunk_high if first else max(high, chunk_high)
                    first = False
                left -= n
    except Invalid:
        raise
    except Exception as exc:  # noqa: BLE001 - a corrupt member (CRC, inflate) reads so
        raise _bad(name, f"cannot be read ({exc})") from None
    return low, high

