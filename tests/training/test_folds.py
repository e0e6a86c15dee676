"""Cross-validation folds (`dataset.folds`, `dataset.fold`): the training part, shrunk to
n_train and shuffled by dataset.seed, cut into folds that are disjoint and together hold
every sample once, stratified by class; a dataset's own held-out split stays out of them.
Checked on the pure function over real datasets' labels and through `load_data` on npz
files whose samples carry their own index."""

from __future__ import annotations

import numpy as np
import pytest

from service.catalogue import SpecError, check_spec
from workers.training import ConfigError, Files, TrainConfig, train
from workers.training.data import DATASETS, fold_indices, load_data

from .specs import spec


def config(dataset: dict) -> TrainConfig:
    return TrainConfig.from_dict({"dataset": dataset, "model": {"arch": "mlp"},
                                  "optimizer": {"name": "adam"}})


def training_part(name: str, data_dir) -> np.ndarray:
    """The labels of a dataset's training part, as its loader gives them."""
    return DATASETS[name].load(config({"name": name}).dataset, data_dir).y


def assert_partition(folds: list[np.ndarray], kept: np.ndarray) -> None:
    """Every kept sample in exactly one fold; a fold's training set is the rest."""
    together = np.concatenate(folds)
    assert len(together) == len(kept) == len(np.unique(together))
    assert set(together.tolist()) == set(kept.tolist())
    for i, val in enumerate(folds):
        train = np.concatenate([f for j, f in enumerate(folds) if j != i])
        assert not set(train.tolist()) & set(val.tolist())
        assert len(train) + len(val) == len(kept)


@pytest.mark.parametrize(("name", "k"), [("digits", 5), ("wine", 3), ("iris", 10),
                                         ("breast_cancer", 7), ("mnist1d", 20)])
def test_folds_are_disjoint_cover_the_training_part_and_are_stratified(name, k, data_dir):
    y = training_part(name, data_dir)
    folds = fold_indices(y, k, seed=3)
    assert_partition(folds, np.arange(len(y)))
    sizes = [len(f) for f in folds]
    assert max(sizes) - min(sizes) <= 1
    for c in np.unique(y):  # each class spread as evenly as it can be
        counts = [int((y[f] == c).sum()) for f in folds]
        assert max(counts) - min(counts) <= 1, (c, counts)


def test_without_stratification_the_folds_are_a_plain_cut_of_the_shuffle(data_dir):
    y = training_part("digits", data_dir)
    folds = fold_indices(y, 4, seed=0, stratify=False)
    assert_partition(folds, np.arange(len(y)))
    order = np.random.default_rng(0).permutation(len(y))
    assert np.array_equal(folds[1], order[1::4])


def test_n_keeps_the_same_random_subset_for_every_fold():
    y = np.repeat(np.arange(3), 50)  # sorted by class, as iris is
    folds = fold_indices(y, 5, seed=1, n=60)
    kept = np.random.default_rng(1).permutation(150)[:60]
    assert_partition(folds, kept)
    assert len(np.unique(y[kept])) == 3  # a random subset, not the first class


def test_the_seed_decides_the_folds():
    y = np.arange(100) % 4
    same = [fold_indices(y, 5, seed=2)[i] for i in range(5)]
    assert all(np.array_equal(a, b) for a, b in zip(same, fold_indices(y, 5, seed=2),
                                                    strict=True))
    assert not np.array_equal(fold_indices(y, 5, seed=2)[0], fold_indices(y, 5, seed=3)[0])


# --- through load_data: which samples a job trains and validates on ----------------------


def indexed_images(path, n: int, n_val: int = 0, classes: int = 3) -> None:
    """Images (N, 1, 2, 2) uint8 whose pixels spell the sample's index (kept as they are by
    load_data: images are not standardised); held-out samples get indices from 10,000."""
    def images(first, count):
        i = np.arange(first, first + count)
        x = np.zeros((count, 1, 2, 2), np.uint8)
        x[:, 0, 0, 0], x[:, 0, 0, 1], x[:, 0, 1, 0] = i % 256, (i // 256) % 256, i // 65536
        return x, (i * 7 % classes).astype(np.int64)

    x, y = images(0, n)
    extra = {}
    if n_val:
        extra["x_val"], extra["y_val"] = images(10_000, n_val)
    np.savez(path, x=x, y=y, **extra)


def index_of(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.int64)
    return x[:, 0, 0, 0] + 256 * x[:, 0, 0, 1] + 65536 * x[:, 0, 1, 0]


@pytest.mark.parametrize(("n_train", "k"), [(None, 5), (None, 2), (90, 3)])
def test_an_npz_is_cut_into_folds_and_its_own_validation_set_is_left_out(
        tmp_path, n_train, k):
    indexed_images(tmp_path / "d.npz", 200, n_val=40)
    files = Files(roots=(tmp_path,))
    vals, kept = [], None
    for fold in range(k):
        data = load_data(config({"name": "npz", "path": "d.npz", "n_train": n_train,
                                 "folds": k, "fold": fold, "seed": 4}).dataset, tmp_path, files)
        train, val = index_of(data.x_train), index_of(data.x_val)
        assert not set(train) & set(val)
        everything = set(train) | set(val)
        assert kept is None or everything == kept  # the same samples for every fold
        kept = everything
        assert max(everything) < 10_000  # no held-out sample in any fold
        assert np.array_equal(data.y_val, val * 7 % 3)  # labels travel with their samples
        vals.append(val)
    together = np.concatenate(vals)
    assert len(together) == len(set(together)) == len(kept) == (n_train or 200)


def test_a_tabular_npz_is_cut_the_same_way(tmp_path):
    # Standardised per feature, but in order: a sample's rank in its fold's data is its
    # rank among all; feature 0 is the index.
    n, k = 150, 4
    x = np.stack([np.arange(n), np.sin(np.arange(n))], axis=1).astype(np.float32)
    np.savez(tmp_path / "t.npz", x=x, y=np.arange(n) % 3)
    files = Files(roots=(tmp_path,))
    vals = []
    for fold in range(k):
        data = load_data(config({"name": "npz", "path": "t.npz", "folds": k, "fold": fold})
                         .dataset, tmp_path, files)
        both = np.concatenate([data.x_train[:, 0], data.x_val[:, 0]])
        rank = np.argsort(np.argsort(both))
        vals.append(rank[len(data.x_train):])
        assert len(data.x_val) in (n // k, n // k + 1)
    together = np.concatenate(vals)
    assert sorted(together.tolist()) == list(range(n))


def test_mnist1d_folds_its_4000_training_sequences_not_its_test_set(data_dir):
    data = load_data(config({"name": "mnist1d", "folds": 8, "fold": 7}).dataset, data_dir)
    assert (len(data.x_train), len(data.x_val)) == (3500, 500)
    for c, count in enumerate(np.bincount(training_part("mnist1d", data_dir))):
        assert (data.y_val == c).sum() in (count // 8, -(-count // 8))  # stratified


def test_a_generated_dataset_folds_the_n_train_it_makes(data_dir):
    data = load_data(config({"name": "synthetic_images", "n_train": 90, "folds": 3,
                             "fold": 1}).dataset, data_dir)
    assert (len(data.x_train), len(data.x_val)) == (60, 30)


def test_a_job_trains_on_a_fold(data_dir):
    result = train(spec(dataset={"name": "digits", "folds": 5, "fold": 2},
                        training={"epochs": 2, "batch_size": 64}), data_dir=data_dir)
    assert result.history[-1]["val_acc"] > 0.5
    assert result.config["dataset"]["folds"] == 5


# --- the rules ------------------------------------------------------------------------------


def resolved(dataset: dict) -> dict:
    return config(dataset).to_dict()


@pytest.mark.parametrize(("dataset", "field", "words"), [
    ({"name": "digits", "folds": 5}, "dataset.fold", "folds needs fold"),
    ({"name": "digits", "fold": 1}, "dataset.folds", "fold needs folds"),
    ({"name": "digits", "folds": 5, "fold": 5}, "dataset.fold", "less than folds"),
    ({"name": "digits", "folds": 5, "fold": 0, "val_fraction": 0.2}, "dataset.val_fraction",
     "leave val_fraction out"),
    # one sample per class per fold: iris has 3 classes
    ({"name": "iris", "n_train": 29, "folds": 10, "fold": 0}, "dataset.folds",
     "at least 30 training samples"),
    ({"name": "mnist1d", "n_train": 4001, "folds": 5, "fold": 0}, "dataset.n_train",
     "4000 training samples"),
])
def test_the_catalogue_refuses_folds_that_cannot_be_cut(dataset, field, words):
    with pytest.raises(SpecError, match=words) as caught:
        check_spec(resolved(dataset))
    assert caught.value.field == field


def test_enough_samples_pass_and_the_whole_training_part_counts():
    check_spec(resolved({"name": "iris", "n_train": 30, "folds": 10, "fold": 9}))
    # digits has no held-out split: all 1797 samples are there to cut (no 20% held back)
    check_spec(resolved({"name": "digits", "n_train": 1797, "folds": 2, "fold": 1}))


def test_the_worker_counts_an_npz_once_read(tmp_path):
    indexed_images(tmp_path / "few.npz", 8, classes=3)
    cfg = config({"name": "npz", "path": "few.npz", "folds": 3, "fold": 0})
    with pytest.raises(ConfigError, match="at least 9 training samples") as caught:
        load_data(cfg.dataset, tmp_path, Files(roots=(tmp_path,)))
    assert caught.value.field == "dataset.folds"
