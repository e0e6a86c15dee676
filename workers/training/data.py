"""Datasets (registry DATASETS) and the one function the loop calls, `load_data`.

Every dataset is local: generated (mnist1d, synthetic_images), bundled with scikit-learn, or
a user's own arrays on the worker's disk (npz, image_folder). Nothing is downloaded.

Each entry of DATASETS is a `Dataset(info, load)`: `info` is the catalogue's declaration of
what the data looks like (service/catalogue: kind, classes, sample shape), so that a spec
like "cnn on tabular data" is refused without loading anything; `load(cfg, where)` returns
the raw arrays, where `where` is data_dir for a generated or bundled dataset (its cache)
and the checked file or folder for a user's files. `load_data` does what every dataset
needs the same way: which user's file may be read (`Files`: inside the dataset roots, or
the upload a `dataset.id` names), the train/validation split, `n_train`, standardisation,
and the checks of the arrays.

Kinds and shapes, per sample: "tabular" (F,), "sequence" (C, L), "image" (C, H, W).
Tabular and sequence data are standardised here with training-set statistics; images keep
their pixel scale (uint8 stays uint8, 4x smaller on the device and what augmentations
expect) and `Data.mean/std` go into the model's first layer instead (models.Normalize).
scikit-learn, mnist1d and PIL are imported inside the loaders that need them: the package
itself needs only torch and numpy.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from service.catalogue import DATASETS as DECLARED
from service.catalogue import (
    DEFAULT_VAL_FRACTION,
    KINDS,
    DatasetInfo,
    SpecError,
    check_fold_samples,
    inside_roots,
    path_message,
    readable_dataset_path,
    upload_message,
)

from .errors import ConfigError

if TYPE_CHECKING:
    from .config import DatasetConfig


@dataclass
class Arrays:
    """What a loader returns: training arrays and, if the dataset has one, its own held-out
    split (mnist1d's test set, an npz's x_val/y_val)."""

    x: np.ndarray
    y: np.ndarray
    x_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    # True when the loader generated exactly the n_train and val_fraction asked for
    # (synthetic_images): load_data then neither re-splits nor shrinks.
    as_requested: bool = False


@dataclass(frozen=True)
class Dataset:
    info: DatasetInfo
    load: Callable[[DatasetConfig, Path], Arrays]


@dataclass
class Data:
    """Ready to train on: split, shrunk, standardised, checked."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    info: DatasetInfo  # fully known now: kind, num_classes (None: regression), input_shape
    num_outputs: int  # classes, or regression targets per sample
    mean: np.ndarray | None = None  # images: per-channel statistics for models.Normalize
    std: np.ndarray | None = None
    # The training samples the dataset holds before `n_train` takes a part of them (None
    # when a generator made exactly what was asked: it can make more)
    train_available: int | None = None

    def run_facts(self) -> dict[str, float | int]:
        """What the run's advisor may use beyond its curves, as a job's worker records it in
        the run's meta: `baseline_loss` (a regression's) and `train_available` (when
        known)."""
        facts = {"baseline_loss": self.baseline_loss, "train_available": self.train_available}
        return {key: value for key, value in facts.items() if value is not None}

    @property
    def baseline_loss(self) -> float | None:
        """A regression's reference level: the MSE of predicting the training targets'
        mean (their variance, averaged over the outputs as the MSE loss averages), the
        counterpart of a classifier's chance loss; None for a classifier."""
        if self.info.task != "regression" or not len(self.y_train):
            return None
        return float(np.var(self.y_train.astype(np.float64), axis=0).mean())


def default_data_dir() -> Path:
    """Where generated datasets are cached when the caller passes no data_dir."""
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "fitdoc" / "data"


# --- generated and bundled datasets --------------------------------------------------------


def _save_npz_atomically(path: Path, **arrays: np.ndarray) -> None:
    # Several workers may generate the same cache file at once; a rename is atomic, so
    # readers never see half a file.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def load_mnist1d(cfg: DatasetConfig, data_dir: Path) -> Arrays:
    """MNIST-1D (Greydanus 2020) with the package's default arguments: 4000 train / 1000
    test sequences of length 40, 10 classes. Generating takes ~3 s, so the arrays are cached
    as .npz under data_dir, keyed by the generator's arguments."""
    from mnist1d.data import get_dataset_args, make_dataset

    args = get_dataset_args(as_dict=True)
    key = hashlib.sha256(json.dumps(args, sort_keys=True).encode()).hexdigest()[:12]
    path = data_dir / "mnist1d" / f"mnist1d-{key}.npz"
    if not path.exists():
        raw = make_dataset(get_dataset_args())
        _save_npz_atomically(path, x=raw["x"], y=raw["y"], x_test=raw["x_test"],
                             y_test=raw["y_test"])
    with np.load(path) as d:
        # (N, 40) -> (N, 1, 40): one channel, so cnn1d and mlp read the same arrays.
        return Arrays(d["x"][:, None, :].astype(np.float32), d["y"].astype(np.int64),
                      d["x_test"][:, None, :].astype(np.float32), d["y_test"].astype(np.int64))


def _sklearn_loader(function_name: str) -> Callable[[DatasetConfig, Path], Arrays]:
    def load(cfg: DatasetConfig, data_dir: Path) -> Arrays:
        import sklearn.datasets

        bunch = getattr(sklearn.datasets, function_name)()
        return Arrays(bunch.data.astype(np.float32), bunch.target.astype(np.int64))

    load.__doc__ = f"scikit-learn's bundled `{function_name}()`; standardised by load_data."
    return load


# Procedural images: 10 shapes (the class), drawn at a random place, size and colour on a
# random background, plus pixel noise. Each shape is symmetric left-right, so hflip keeps
# the label; position and size vary, so a CNN beats a linear model by a wide margin.
# Coordinates u (right), v (down) are in units of the shape's radius.
_SHAPES: tuple[Callable[[np.ndarray, np.ndarray], np.ndarray], ...] = (
    lambda u, v: u * u + v * v < 1.0,  # disc
    lambda u, v: np.maximum(abs(u), abs(v)) < 0.8,  # square
    lambda u, v: (u * u + v * v < 1.0) & (u * u + v * v > 0.3),  # ring
    lambda u, v: (abs(v) < 0.3) & (abs(u) < 1.0),  # horizontal bar
    lambda u, v: (abs(u) < 0.3) & (abs(v) < 1.0),  # vertical bar
    lambda u, v: ((abs(v) < 0.3) | (abs(u) < 0.3)) & (np.maximum(abs(u), abs(v)) < 1.0),  # +
    lambda u, v: abs(u) + abs(v) < 1.0,  # diamond
    lambda u, v: (abs(v) < 0.8) & (abs(u) < (v + 0.8) / 1.6),  # triangle, apex up
    lambda u, v: (np.maximum(abs(u), abs(v)) < 0.9) & (np.floor((v + 1) * 2.5) % 2 == 0),
    lambda u, v: (np.maximum(abs(u), abs(v)) < 0.9)
    & ((np.floor((u + 1) * 2.5) + np.floor((v + 1) * 2.5)) % 2 == 0),  # checkerboard
)
SYNTHETIC_DEFAULT_TRAIN = 5000
SYNTHETIC_SIZE = DECLARED["synthetic_images"].input_shape[-1]


def make_synthetic_images(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n CIFAR-shaped images (n, 3, 32, 32) uint8 and labels (n,) int64; ~0.2 s per 10k."""
    rng = np.random.default_rng(seed)
    x = np.empty((n, 3, SYNTHETIC_SIZE, SYNTHETIC_SIZE), np.uint8)
    y = rng.integers(0, len(_SHAPES), n).astype(np.int64)
    rows, cols = np.mgrid[0:SYNTHETIC_SIZE, 0:SYNTHETIC_SIZE].astype(np.float32)
    for start in range(0, n, 4096):  # chunks bound the float temporaries to ~50 MB
        label = y[start:start + 4096]
        m = len(label)
        radius = rng.uniform(5.0, 9.0, (m, 1, 1)).astype(np.float32)
        u = (cols - rng.uniform(10.0, 22.0, (m, 1, 1)).astype(np.float32)) / radius
        v = (rows - rng.uniform(10.0, 22.0, (m, 1, 1)).astype(np.float32)) / radius
        mask = np.zeros((m, SYNTHETIC_SIZE, SYNTHETIC_SIZE), bool)
        for c, shape in enumerate(_SHAPES):
            sel = label == c
            mask[sel] = shape(u[sel], v[sel])
        # A complementary foreground colour guarantees the shape stands out from its
        # background; the jitter keeps colour from carrying the label.
        background = rng.uniform(0.0, 1.0, (m, 3, 1, 1)).astype(np.float32)
        foreground = np.clip(1.0 - background + rng.normal(0, 0.15, (m, 3, 1, 1)), 0, 1)
        img = np.where(mask[:, None], foreground, background)
        img += rng.normal(0.0, 0.08, img.shape).astype(np.float32)
        x[start:start + m] = np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return x, y


def load_synthetic_images(cfg: DatasetConfig, data_dir: Path) -> Arrays:
    """`n_train` training images (default 5000) and a validation set sized by
    val_fraction (default 0.2 of the total), generated from dataset.seed."""
    n_train = cfg.n_train or SYNTHETIC_DEFAULT_TRAIN
    fraction = cfg.val_fraction or DEFAULT_VAL_FRACTION
    n_val = max(1, round(n_train * fraction / (1.0 - fraction)))
    x, y = make_synthetic_images(n_train + n_val, cfg.seed)
    return Arrays(x[:n_train], y[:n_train], x[n_train:], y[n_train:], as_requested=True)


# --- a user's files -------------------------------------------------------------------------


@dataclass(frozen=True)
class Files:
    """Which of a user's files a job may read (the worker passes its settings'):
    `dataset.path` must resolve (symlinks and `..` followed, `~` not expanded; relative:
    under the first root) strictly inside one of `roots` and not in one of `excluded`
    (service/catalogue/paths.py, the rule the API checks at submit); `upload` is the file
    of the upload that `dataset.id` names, found by the worker in the job's project."""

    roots: tuple[Path, ...]
    excluded: tuple[Path, ...] = ()
    upload: Path | None = None

    @classmethod
    def under(cls, data_dir: Path) -> Files:
        """The default when train() is given no Files: data_dir is the one root."""
        return cls(roots=(data_dir,))


def _shown(cfg: DatasetConfig) -> str:
    """How messages name the user's data: as the spec did (never the resolved path, nor an
    upload's place in the data dir)."""
    return f"upload {cfg.id}" if cfg.id is not None else repr(cfg.path)


def _user_path(cfg: DatasetConfig, files: Files) -> Path:
    """The file or folder the spec names, once it passed the path rule: refused with one
    message whether it is outside the roots, missing or unreadable (nothing about the
    worker's other files shows through)."""
    if cfg.id is not None:
        if files.upload is None or not files.upload.is_file():
            raise ConfigError("dataset.id", upload_message(cfg.id))
        return files.upload
    if not cfg.path:
        raise ConfigError("dataset.path", f"the {cfg.name} dataset needs a path")
    path = readable_dataset_path(cfg.name, cfg.path, files.roots, files.excluded)
    if path is None:
        raise ConfigError("dataset.path", path_message(cfg.name))
    return path


def load_npz(cfg: DatasetConfig, path: Path) -> Arrays:
    """Arrays x, y and optionally x_val, y_val (then they are the validation set, e.g. to
    build a train/validation distribution mismatch on purpose), from the checked `path`."""
    shown, field = _shown(cfg), "dataset.id" if cfg.id is not None else "dataset.path"
    try:
        with np.load(path, allow_pickle=False) as d:
            if not hasattr(d, "files"):
                raise ValueError("an .npy array, not an .npz archive of named arrays")
            arrays = {k: d[k] for k in ("x", "y", "x_val", "y_val") if k in d.files}
    except Exception as e:  # noqa: BLE001 - zip, format and pickle errors alike
        why = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise ConfigError(field, f"{shown} is not a readable .npz file: {why}") from None
    for key in ("x", "y"):
        if key not in arrays:
            raise ConfigError(field, f"{shown} has no array named {key!r}")
    if ("x_val" in arrays) != ("y_val" in arrays):
        raise ConfigError(field, f"{shown} must hold both x_val and y_val, or neither")
    return Arrays(arrays["x"], arrays["y"], arrays.get("x_val"), arrays.get("y_val"))


IMAGE_SUFFIXES = (".png", ".npy")


def _read_image(path: Path) -> np.ndarray:
    """One image as (C, H, W). .npy holds (H, W) or (H, W, C), like a decoded PNG."""
    if path.suffix == ".npy":
        img = np.load(path, allow_pickle=False)
    else:
        try:
            from PIL import Image
        except ImportError:
            raise ConfigError("dataset.path", f"reading {path.name} needs Pillow, which is "
                                              "not installed on this worker; store the "
                                              "images as .npy arrays instead") from None
        with Image.open(path) as im:
            im = im if im.mode in ("L", "RGB") else im.convert("RGB")
            img = np.asarray(im)
    if img.ndim == 2:
        img = img[:, :, None]
    if img.ndim != 3:
        raise ConfigError("dataset.path", f"{path} is not an (H, W) or (H, W, C) image")
    return np.ascontiguousarray(img.transpose(2, 0, 1))


def _read_class_folders(root: Path, classes: list[str] | None, shown: str,
                        top: Path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """root/<class>/* images; `shown` names root in messages; every image must lie (links
    followed) inside `top`, the checked folder, so a link cannot lead out of the roots."""
    found = sorted(p.name for p in root.iterdir() if p.is_dir())
    classes = classes or found
    if not classes:
        raise ConfigError("dataset.path", f"{shown} has no class folders (root/<class>/*.png)")
    if set(found) - set(classes):
        raise ConfigError("dataset.path", f"{shown} has classes not in the training set: "
                                          f"{sorted(set(found) - set(classes))}")
    images, labels = [], []
    for label, name in enumerate(classes):
        folder = root / name
        files = sorted(p for p in folder.glob("*") if p.suffix.lower() in IMAGE_SUFFIXES) \
            if folder.is_dir() else []
        for f in files:
            inside = inside_roots(f, (top,))
            if inside is None:
                raise ConfigError("dataset.path", f"{shown}/{name} has an image that leads "
                                                  "out of the image folder (a link); images "
                                                  "must lie in it")
            images.append(_read_image(inside))
            labels.append(label)
    if not images:
        raise ConfigError("dataset.path", f"no .png or .npy images under {shown}")
    shapes = {img.shape for img in images}
    if len(shapes) > 1:
        raise ConfigError("dataset.path", f"images under {shown} differ in shape (C, H, W): "
                                          f"{sorted(shapes)[:4]}; resize them to one size")
    dtype = np.uint8 if all(img.dtype == np.uint8 for img in images) else np.float32
    return np.stack(images).astype(dtype), np.asarray(labels, np.int64), classes


def load_image_folder(cfg: DatasetConfig, root: Path) -> Arrays:
    """path/<class>/*.png|*.npy, classes in alphabetical order, from the checked folder
    `root`. If it has train/ and val/ subfolders, those are the training and validation
    sets."""
    shown = cfg.path or ""
    if (root / "train").is_dir() and (root / "val").is_dir():
        x, y, classes = _read_class_folders(root / "train", None, f"{shown}/train", root)
        x_val, y_val, _ = _read_class_folders(root / "val", classes, f"{shown}/val", root)
        return Arrays(x, y, x_val, y_val)
    x, y, _ = _read_class_folders(root, None, shown, root)
    return Arrays(x, y)


LOADERS: dict[str, Callable[[DatasetConfig, Path], Arrays]] = {
    "mnist1d": load_mnist1d,
    "digits": _sklearn_loader("load_digits"),
    "wine": _sklearn_loader("load_wine"),
    "breast_cancer": _sklearn_loader("load_breast_cancer"),
    "iris": _sklearn_loader("load_iris"),
    "synthetic_images": load_synthetic_images,
    "npz": load_npz,
    "image_folder": load_image_folder,
}
DATASETS: dict[str, Dataset] = {name: Dataset(DECLARED[name], load)
                                for name, load in LOADERS.items()}


def dataset_info(name: str) -> DatasetInfo:
    """What `name` looks like, without loading it."""
    if name not in DATASETS:
        raise ConfigError("dataset.name", f"unknown dataset {name!r}; expected one of "
                                          f"{list(DATASETS)}")
    return DATASETS[name].info


# --- the common part: split, shrink, check, standardise ------------------------------------


def _kind_of(x: np.ndarray) -> str:
    if x.ndim not in (2, 3, 4):
        raise ConfigError("dataset.path", f"x has shape {x.shape}; expected (N, F) tabular, "
                                          "(N, C, L) sequence or (N, C, H, W) image data")
    return KINDS[x.ndim - 2]


def _split(arrays: Arrays, cfg: DatasetConfig) -> tuple[np.ndarray, ...]:
    if cfg.val_fraction is None and arrays.x_val is not None:
        return arrays.x, arrays.y, arrays.x_val, arrays.y_val
    x, y = arrays.x, arrays.y
    if arrays.x_val is not None:  # an explicit val_fraction re-splits everything
        x, y = np.concatenate([x, arrays.x_val]), np.concatenate([y, arrays.y_val])
    fraction = cfg.val_fraction or DEFAULT_VAL_FRACTION
    n_val = round(len(x) * fraction)
    if n_val < 1 or n_val >= len(x):
        raise ConfigError("dataset.val_fraction", f"{fraction} of {len(x)} samples leaves "
                                                  "an empty training or validation set")
    order = np.random.default_rng(cfg.seed).permutation(len(x))
    return x[order[n_val:]], y[order[n_val:]], x[order[:n_val]], y[order[:n_val]]


def fold_indices(y: np.ndarray, folds: int, seed: int, n: int | None = None,
                 stratify: bool = True) -> list[np.ndarray]:
    """The validation indices of each of `folds` folds, into the training part whose
    targets are `y`: the part is shuffled by `seed` and its first `n` samples kept (all when
    None), then dealt out to the folds in turn, sorted by class first when `stratify` (each
    class then splits as evenly as it can: fold sizes, and a class's count in each fold,
    differ by at most one). Together the folds hold each kept sample exactly once; a
    fold's training set is the kept samples outside it. Each fold's indices are in the
    shuffled order."""
    order = np.random.default_rng(seed).permutation(len(y))[:n]
    # Position in the deal: by class (stable, so random within a class), or as shuffled.
    deal = np.argsort(y[order], kind="stable") if stratify else np.arange(len(order))
    fold_of = np.empty(len(order), np.int64)
    fold_of[deal] = np.arange(len(order)) % folds
    return [order[fold_of == i] for i in range(folds)]


def _fold(arrays: Arrays, cfg: DatasetConfig, task: str,
          num_classes: int | None) -> tuple[np.ndarray, ...]:
    """Cross-validation's split: fold `cfg.fold` of the training part (arrays.x; a held-out
    split the dataset brings is not used) validates, the other folds train."""
    x, y = arrays.x, arrays.y
    n = None if arrays.as_requested else cfg.n_train  # generated: n_train made already
    if n is not None and n > len(x):
        raise ConfigError("dataset.n_train", f"{n} is more than the {len(x)} training "
                                             f"samples of {cfg.name}")
    labels = task == "classification" and y.ndim == 1 and np.issubdtype(y.dtype, np.integer)
    classes = num_classes or (int(y.max()) + 1 if labels and len(y) else None)
    try:
        check_fold_samples(n or len(x), cfg.folds,
                           classes if task == "classification" else None)
    except SpecError as few:
        raise ConfigError(few.field, few.message) from None
    val = fold_indices(y, cfg.folds, cfg.seed, n, stratify=labels)[cfg.fold]
    kept = np.random.default_rng(cfg.seed).permutation(len(y))[:n]  # as fold_indices keeps
    train = kept[~np.isin(kept, val)]
    return x[train], y[train], x[val], y[val]


def _check_lengths(arrays: Arrays) -> None:
    pairs = [("x", "y", arrays.x, arrays.y)]
    if arrays.x_val is not None:
        pairs.append(("x_val", "y_val", arrays.x_val, arrays.y_val))
    for x_name, y_name, x, y in pairs:
        if len(x) != len(y) or len(x) == 0:
            raise ConfigError("dataset.path", f"{x_name} and {y_name} differ in length or are "
                                              f"empty ({len(x)} vs {len(y)} samples)")
        if not (np.issubdtype(x.dtype, np.number) or x.dtype == np.bool_):
            raise ConfigError("dataset.path", f"{x_name} holds {x.dtype}, not numbers")


def _check_targets(y: np.ndarray, y_val: np.ndarray, task: str) -> int:
    """Check labels or regression targets; return the number of model outputs."""
    if task == "regression":
        if y.ndim not in (1, 2) or y.shape[1:] != y_val.shape[1:]:
            raise ConfigError("dataset.path", f"regression targets must be (N,) or (N, k), "
                                              f"got {y.shape} and {y_val.shape}")
        if not (np.isfinite(y).all() and np.isfinite(y_val).all()):
            raise ConfigError("dataset.path", "regression targets contain NaN or inf")
        return 1 if y.ndim == 1 else y.shape[1]
    both = np.concatenate([y.reshape(-1), y_val.reshape(-1)])
    if y.ndim != 1 or y_val.ndim != 1 or not np.issubdtype(both.dtype, np.integer):
        raise ConfigError("dataset.task", f"classification needs integer labels (N,), got "
                                          f"{y.dtype} {y.shape}; for float targets set "
                                          "dataset.task to regression")
    if both.min() < 0:
        raise ConfigError("dataset.path", "class labels must be 0, 1, ..., C-1")
    return int(both.max()) + 1


def _channel_stats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and std of (N, C, H, W) images on the [0, 1] scale the loop feeds the
    model (uint8 / 255). Summed in float64 chunks: a float64 copy of 50k CIFAR images would
    be 1.2 GB."""
    scale = 1.0 / 255.0 if x.dtype == np.uint8 else 1.0
    sums, squares = np.zeros(x.shape[1]), np.zeros(x.shape[1])
    for start in range(0, len(x), 4096):
        chunk = x[start:start + 4096].astype(np.float64) * scale
        sums += chunk.sum(axis=(0, 2, 3))
        squares += (chunk * chunk).sum(axis=(0, 2, 3))
    count = x.shape[0] * x.shape[2] * x.shape[3]
    mean = sums / count
    std = np.sqrt(np.maximum(squares / count - mean * mean, 0.0))
    return mean.astype(np.float32), np.maximum(std, 1e-6).astype(np.float32)


def load_data(cfg: DatasetConfig, data_dir: Path | str | None = None,
              files: Files | None = None) -> Data:
    """The dataset `cfg` names, ready to train on. `data_dir` caches generated datasets;
    `files` says which of a user's files may be read (default: those under data_dir)."""
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    entry = DATASETS[cfg.name]
    if entry.info.user_files:
        where = _user_path(cfg, files or Files.under(data_dir))
    else:
        where = data_dir
    arrays = entry.load(cfg, where)
    _check_lengths(arrays)
    if cfg.folds is not None:
        x, y, x_val, y_val = _fold(arrays, cfg, entry.info.task or cfg.task,
                                   entry.info.num_classes)
    elif arrays.as_requested:
        x, y, x_val, y_val = arrays.x, arrays.y, arrays.x_val, arrays.y_val
    else:
        x, y, x_val, y_val = _split(arrays, cfg)
    # n_train counts the samples of the training part: before a fold is taken from it
    available = None if arrays.as_requested else len(arrays.x if cfg.folds is not None else x)
    if cfg.n_train is not None and not arrays.as_requested and cfg.folds is None:
        if cfg.n_train > len(x):
            raise ConfigError("dataset.n_train", f"{cfg.n_train} is more than the "
                                                 f"{len(x)} training samples of {cfg.name}")
        # The training part is already in random order (split or generator), so a prefix
        # is a random subset.
        x, y = x[:cfg.n_train], y[:cfg.n_train]

    kind = entry.info.kind or _kind_of(x)
    if x.shape[1:] != x_val.shape[1:]:
        raise ConfigError("dataset.path", f"training samples are {x.shape[1:]} but validation "
                                          f"samples are {x_val.shape[1:]}")
    task = entry.info.task or cfg.task
    num_outputs = _check_targets(y, y_val, task)
    num_classes = entry.info.num_classes or (num_outputs if task == "classification" else None)
    if task == "classification":
        if cfg.standardize_targets:
            raise ConfigError("dataset.standardize_targets", "standardising targets is for "
                                                             "regression; labels are classes")
        y, y_val = y.astype(np.int64), y_val.astype(np.int64)
        num_outputs = num_classes
    else:
        y, y_val = y.astype(np.float32), y_val.astype(np.float32)
        if cfg.standardize_targets:
            # training statistics only, per output; a constant target is only centred
            centre, spread = y.mean(axis=0), y.std(axis=0)
            spread = np.where(spread > 1e-8, spread, 1.0).astype(np.float32)
            y, y_val = (y - centre) / spread, (y_val - centre) / spread

    mean = std = None
    if kind == "image":
        # Pixel scale is kept (see the module doc); statistics on the [0, 1] scale the loop
        # feeds the model. float64 sums: uint8 images of 50k x 3072 overflow nothing then.
        if x.dtype != np.uint8:
            x, x_val = x.astype(np.float32, copy=False), x_val.astype(np.float32, copy=False)
        mean, std = _channel_stats(x)
    else:
        # Standardise with training statistics only: the validation set must not leak into
        # them. Per feature for tabular data, per channel for sequences.
        axes = (0,) if kind == "tabular" else (0, 2)
        x, x_val = x.astype(np.float32, copy=False), x_val.astype(np.float32, copy=False)
        mu = x.mean(axis=axes, keepdims=True)
        sigma = x.std(axis=axes, keepdims=True)
        # A feature constant in the training set (a digits pixel blank in every training
        # image) is only centred: dividing by a floor like 1e-6 turned its rare non-blank
        # validation values into 1e6-sized inputs, and the validation loss into 1e4.
        sigma = np.where(sigma > 1e-8, sigma, 1.0)
        x, x_val = (x - mu) / sigma, (x_val - mu) / sigma
    if not (np.isfinite(x).all() and np.isfinite(x_val).all()):
        raise ConfigError("dataset.path", "inputs contain NaN or inf")

    info = replace(entry.info, kind=kind, num_classes=num_classes, input_shape=x.shape[1:],
                   task=task)
    return Data(x, y, x_val, y_val, info, num_outputs, mean, std, train_available=available)
