"""Datasets: shapes and kinds as declared, splits, standardisation, user files, caching."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from service.catalogue import path_message
from workers.training import DATASETS, ConfigError, dataset_info
from workers.training.config import DatasetConfig
from workers.training.data import load_data, make_synthetic_images

BUILTIN = ["mnist1d", "digits", "wine", "breast_cancer", "iris", "synthetic_images"]


def test_the_package_imports_only_torch_and_numpy():
    # The GPU workers have torch and numpy, nothing else: optional libraries are imported
    # inside the loaders that need them.
    code = ("import sys, workers.training; "
            "bad = {'sklearn', 'mnist1d', 'PIL', 'torchvision', 'kornia', 'scipy', 'pandas'}; "
            "print(sorted(bad & {m.split('.')[0] for m in sys.modules}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("name", BUILTIN)
def test_loaded_data_matches_the_declared_info(name, data_dir):
    data = load_data(DatasetConfig(name=name, n_train=300 if name == "synthetic_images"
                                   else None), data_dir)
    declared = dataset_info(name)
    assert data.info.kind == declared.kind
    assert data.info.input_shape == declared.input_shape == data.x_train.shape[1:]
    assert data.num_outputs == declared.num_classes
    assert set(np.unique(data.y_train)) <= set(range(declared.num_classes))
    assert data.y_train.dtype == np.int64 and len(data.x_val) > 0


def test_mnist1d_uses_its_own_4000_1000_split_and_is_cached(data_dir, monkeypatch):
    data = load_data(DatasetConfig(name="mnist1d"), data_dir)
    assert data.x_train.shape == (4000, 1, 40) and data.x_val.shape == (1000, 1, 40)
    assert list((data_dir / "mnist1d").glob("*.npz"))

    import mnist1d.data

    def no_generation(*args, **kwargs):
        raise AssertionError("mnist1d regenerated although cached")

    monkeypatch.setattr(mnist1d.data, "make_dataset", no_generation)
    again = load_data(DatasetConfig(name="mnist1d"), data_dir)
    assert np.array_equal(again.x_val, data.x_val)


def test_an_explicit_val_fraction_resplits(data_dir):
    data = load_data(DatasetConfig(name="mnist1d", val_fraction=0.5, seed=3), data_dir)
    assert len(data.x_train) == len(data.x_val) == 2500


def test_tabular_features_are_standardised_with_training_statistics(data_dir):
    data = load_data(DatasetConfig(name="wine"), data_dir)
    assert np.allclose(data.x_train.mean(axis=0), 0, atol=1e-5)
    assert np.allclose(data.x_train.std(axis=0), 1, atol=1e-4)
    # the validation set is transformed with the training statistics, not its own
    assert not np.allclose(data.x_val.mean(axis=0), 0, atol=1e-3)
    assert len(data.x_val) == round(178 * 0.2)


def test_features_constant_in_training_are_centred_not_blown_up(data_dir):
    # digits has pixels that are blank in every training image of some splits; their rare
    # non-blank validation values must stay on the pixel scale (0..16), not become ~1e6.
    data = load_data(DatasetConfig(name="digits", seed=5), data_dir)  # such a split
    constant = data.x_train.std(axis=0) == 0
    assert np.abs(data.x_val[:, constant]).max() > 0  # the case: a validation sample differs
    assert np.abs(data.x_val[:, constant]).max() <= 16
    assert np.abs(data.x_val).max() < 100


def test_split_depends_on_the_seed_and_n_train_shrinks(data_dir):
    a = load_data(DatasetConfig(name="iris", seed=1), data_dir)
    b = load_data(DatasetConfig(name="iris", seed=2), data_dir)
    assert not np.array_equal(a.y_val, b.y_val)
    small = load_data(DatasetConfig(name="iris", seed=1, n_train=30), data_dir)
    assert len(small.x_train) == 30 and len(small.x_val) == len(a.x_val)
    with pytest.raises(ConfigError) as err:
        load_data(DatasetConfig(name="iris", n_train=1000), data_dir)
    assert err.value.field == "dataset.n_train"


def test_synthetic_images_any_size_uint8_with_pixel_statistics(data_dir):
    data = load_data(DatasetConfig(name="synthetic_images", n_train=1000, seed=5), data_dir)
    assert data.x_train.shape == (1000, 3, 32, 32) and data.x_train.dtype == np.uint8
    assert len(data.x_val) == 250  # 0.2 of the total
    assert data.mean.shape == (3,) and np.all((data.mean > 0.2) & (data.mean < 0.8))
    counts = np.bincount(data.y_train, minlength=10)
    assert counts.min() > 50  # balanced classes
    exact = load_data(DatasetConfig(name="synthetic_images", n_train=1000, val_fraction=0.3),
                      data_dir)
    assert len(exact.x_train) == 1000 and len(exact.x_val) == 429  # 0.3 of 1429
    x1, y1 = make_synthetic_images(50, seed=5)
    x2, y2 = make_synthetic_images(50, seed=5)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)


def test_npz_with_validation_arrays_uses_them(tmp_path):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "shifted.npz", x=rng.normal(0, 1, (80, 6)), y=rng.integers(0, 3, 80),
             x_val=rng.normal(5, 1, (20, 6)), y_val=rng.integers(0, 3, 20))
    data = load_data(DatasetConfig(name="npz", path="shifted.npz"), tmp_path)
    assert len(data.x_train) == 80 and len(data.x_val) == 20
    assert data.info.kind == "tabular" and data.num_outputs == 3
    assert data.x_val.mean() > 3  # a mismatch built on purpose survives standardisation


def test_npz_kinds_follow_the_array_rank_and_regression(tmp_path):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "seq.npz", x=rng.normal(size=(50, 2, 30)), y=rng.integers(0, 4, 50))
    seq = load_data(DatasetConfig(name="npz", path=str(tmp_path / "seq.npz")), tmp_path)
    assert seq.info.kind == "sequence" and seq.info.input_shape == (2, 30)
    np.savez(tmp_path / "reg.npz", x=rng.normal(size=(50, 3)), y=rng.normal(size=(50, 2)))
    reg = load_data(DatasetConfig(name="npz", path="reg.npz", task="regression"), tmp_path)
    assert reg.info.num_classes is None and reg.num_outputs == 2
    assert reg.y_train.dtype == np.float32


def test_a_regression_knows_the_loss_of_predicting_its_training_mean(tmp_path):
    rng = np.random.default_rng(2)
    y = np.stack([rng.normal(0, 2.0, 200), rng.normal(5, 0.5, 200)], axis=1)
    np.savez(tmp_path / "two.npz", x=rng.normal(size=(200, 3)), y=y)
    reg = load_data(DatasetConfig(name="npz", path="two.npz", task="regression"), tmp_path)
    # the MSE of predicting each output's training mean, averaged over the outputs as the
    # MSE loss averages: (4 + 0.25) / 2 about
    mean_mse = float(((reg.y_train - reg.y_train.mean(axis=0)) ** 2).mean())
    assert reg.baseline_loss == pytest.approx(mean_mse, rel=1e-5)
    assert 1.7 < reg.baseline_loss < 2.6
    std = load_data(DatasetConfig(name="npz", path="two.npz", task="regression",
                                  standardize_targets=True), tmp_path)
    assert std.baseline_loss == pytest.approx(1.0, rel=1e-4)  # what the model is fitted to
    assert load_data(DatasetConfig(name="wine"), tmp_path).baseline_loss is None


def test_the_data_says_how_many_training_samples_it_holds_before_n_train(tmp_path):
    rng = np.random.default_rng(3)
    np.savez(tmp_path / "f.npz", x=rng.normal(size=(200, 3)), y=rng.integers(0, 2, 200))
    whole = load_data(DatasetConfig(name="npz", path="f.npz"), tmp_path)
    assert whole.train_available == len(whole.x_train) == 160  # 0.2 held out
    part = load_data(DatasetConfig(name="npz", path="f.npz", n_train=50), tmp_path)
    assert len(part.x_train) == 50 and part.train_available == 160
    # cross-validation's n_train counts the whole training part, which its folds cut up
    folded = load_data(DatasetConfig(name="npz", path="f.npz", folds=4, fold=0), tmp_path)
    assert folded.train_available == 200 and len(folded.x_train) == 150
    # a generator that makes what is asked can make more: not known
    images = load_data(DatasetConfig(name="synthetic_images", n_train=100), tmp_path)
    assert images.train_available is None


def test_regression_targets_are_standardised_with_training_statistics_on_request(tmp_path):
    rng = np.random.default_rng(1)
    y = rng.normal(1500.0, 300.0, size=(80, 2))  # grams, not kilograms
    np.savez(tmp_path / "g.npz", x=rng.normal(size=(80, 3)), y=y)
    kept = load_data(DatasetConfig(name="npz", path="g.npz", task="regression",
                                   val_fraction=0.25), tmp_path)
    assert kept.y_train.mean() > 1000  # off by default: the targets as they come
    std = load_data(DatasetConfig(name="npz", path="g.npz", task="regression",
                                  val_fraction=0.25, standardize_targets=True), tmp_path)
    assert np.allclose(std.y_train.mean(axis=0), 0, atol=1e-4)
    assert np.allclose(std.y_train.std(axis=0), 1, atol=1e-4)
    # validation with the training set's statistics, not its own
    centre, spread = kept.y_train.mean(axis=0), kept.y_train.std(axis=0)
    assert np.allclose(std.y_val, (kept.y_val - centre) / spread, atol=1e-4)
    # classes are not standardised
    np.savez(tmp_path / "c.npz", x=rng.normal(size=(20, 3)), y=rng.integers(0, 2, 20))
    with pytest.raises(ConfigError) as err:
        load_data(DatasetConfig(name="npz", path="c.npz", standardize_targets=True), tmp_path)
    assert err.value.field == "dataset.standardize_targets"


@pytest.mark.parametrize(("arrays", "words"), [
    ({"x": np.zeros((5, 2))}, "no array named 'y'"),
    ({"x": np.zeros((5, 2)), "y": np.zeros(5, int), "x_val": np.zeros((2, 2))}, "both"),
    ({"x": np.zeros((5, 2)), "y": np.zeros(4, int)}, "differ in length"),
    ({"x": np.zeros((5, 2)), "y": np.full(5, 0.5)}, "integer labels"),
    ({"x": np.zeros(5), "y": np.zeros(5, int)}, "expected (N, F)"),
    ({"x": np.full((5, 2), np.nan), "y": np.zeros(5, int)}, "NaN"),
])
def test_bad_npz_files_are_explained(tmp_path, arrays, words):
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ConfigError) as err:
        load_data(DatasetConfig(name="npz", path="bad.npz"), tmp_path)
    assert words in err.value.message


def test_npz_path_is_required_and_must_exist(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_data(DatasetConfig(name="npz"), tmp_path)
    assert err.value.field == "dataset.path" and "needs a path" in err.value.message
    with pytest.raises(ConfigError) as err:
        load_data(DatasetConfig(name="npz", path="nothing.npz"), tmp_path)
    # the same words as for a path outside the roots (tests/training/test_dataset_paths.py)
    assert err.value.message == path_message("npz")


def _write_folder(root, classes=("cat", "dog"), per_class=6, shape=(8, 8, 3)):
    rng = np.random.default_rng(0)
    for c in classes:
        (root / c).mkdir(parents=True)
        for i in range(per_class):
            np.save(root / c / f"{i}.npy", rng.integers(0, 256, shape).astype(np.uint8))


def test_image_folder_of_npy_files(tmp_path):
    _write_folder(tmp_path / "pets")
    data = load_data(DatasetConfig(name="image_folder", path="pets", val_fraction=0.25),
                     tmp_path)
    assert data.info.kind == "image" and data.info.input_shape == (3, 8, 8)
    assert data.num_outputs == 2 and data.x_train.dtype == np.uint8
    assert len(data.x_train) + len(data.x_val) == 12


def test_image_folder_with_train_and_val_subfolders(tmp_path):
    _write_folder(tmp_path / "pets" / "train")
    _write_folder(tmp_path / "pets" / "val", per_class=2)
    data = load_data(DatasetConfig(name="image_folder", path="pets"), tmp_path)
    assert len(data.x_train) == 12 and len(data.x_val) == 4


def test_image_folder_reads_png_through_pil_when_installed(tmp_path):
    image = pytest.importorskip("PIL.Image")
    for c in ("a", "b"):
        (tmp_path / "png" / c).mkdir(parents=True)
        for i in range(3):
            pixels = np.full((6, 6), 40 * i + (100 if c == "b" else 0), np.uint8)
            image.fromarray(pixels).save(tmp_path / "png" / c / f"{i}.png")
    data = load_data(DatasetConfig(name="image_folder", path="png", val_fraction=0.34),
                     tmp_path)
    assert data.info.input_shape == (1, 6, 6)


def test_image_folder_without_pil_explains(tmp_path, monkeypatch):
    (tmp_path / "png" / "a").mkdir(parents=True)
    (tmp_path / "png" / "a" / "0.png").write_bytes(b"\x89PNG")
    monkeypatch.setitem(sys.modules, "PIL", None)  # "import PIL" now fails
    with pytest.raises(ConfigError) as err:
        load_data(DatasetConfig(name="image_folder", path="png"), tmp_path)
    assert "Pillow" in err.value.message and ".npy" in err.value.message


def test_image_folder_refuses_mixed_sizes(tmp_path):
    _write_folder(tmp_path / "mixed", classes=("a",))
    np.save(tmp_path / "mixed" / "a" / "big.npy", np.zeros((9, 9, 3), np.uint8))
    with pytest.raises(ConfigError) as err:
        load_data(DatasetConfig(name="image_folder", path="mixed"), tmp_path)
    assert "differ in shape" in err.value.message


def test_registry_entries_have_info_and_loader():
    for name, entry in DATASETS.items():
        assert callable(entry.load), name
        assert entry.info.kind in (None, "tabular", "sequence", "image")
