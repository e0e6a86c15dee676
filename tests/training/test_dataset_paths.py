"""The path rule (service/catalogue/paths.py) and the engine's use of it: a worker reads a
user's file only inside its dataset roots, whatever the spec says and whether or not the
API checked it; an upload only where the worker was told it lies."""

from __future__ import annotations

import numpy as np
import pytest

from service.catalogue import path_message, upload_message
from workers.training import ConfigError, Files, train
from workers.training.config import DatasetConfig
from workers.training.data import load_data

from .specs import spec


def test_the_engine_reads_only_inside_its_roots(place, tmp_path):
    a, b, elsewhere = place
    files = Files(roots=(a, b))
    assert len(load_data(DatasetConfig(name="npz", path="in.npz"), tmp_path, files).x_train) == 24
    (a / "out.npz").symlink_to(elsewhere / "secret.npz")
    refused = [str(elsewhere / "secret.npz"), "../elsewhere/secret.npz", "out.npz",
               "nothing.npz", "~/secret.npz"]
    for path in refused:
        with pytest.raises(ConfigError) as err:
            load_data(DatasetConfig(name="npz", path=path), tmp_path, files)
        assert (err.value.field, err.value.message) == ("dataset.path", path_message("npz")), path
    excluded = Files(roots=(a,), excluded=(a,))
    with pytest.raises(ConfigError):
        load_data(DatasetConfig(name="npz", path="in.npz"), tmp_path, excluded)
    # without Files, the data dir is the one root
    with pytest.raises(ConfigError):
        load_data(DatasetConfig(name="npz", path=str(elsewhere / "secret.npz")), a)


def test_train_refuses_before_it_trains(place):
    # the worker's call, as if the API had never seen the spec
    a, _, elsewhere = place
    with pytest.raises(ConfigError) as err:
        train(spec(dataset={"name": "npz", "path": str(elsewhere / "secret.npz")},
                   training={"epochs": 1}), data_dir=a, files=Files(roots=(a,)))
    assert err.value.message == path_message("npz")
    with pytest.raises(ConfigError) as err:
        train(spec(dataset={"name": "image_folder", "path": "/"}, model={"arch": "cnn"},
                   training={"epochs": 1}), data_dir=a, files=Files(roots=(a,)))
    assert err.value.message == path_message("image_folder")


def test_an_upload_is_read_where_the_worker_was_told(place, tmp_path):
    _, _, elsewhere = place
    upload = elsewhere / "secret.npz"  # outside the roots: an upload is not named by path
    cfg = DatasetConfig(name="npz", id="a" * 32)
    data = load_data(cfg, tmp_path, Files(roots=(tmp_path,), upload=upload))
    assert len(data.x_train) + len(data.x_val) == 30
    gone = upload.with_name("gone.npz")
    for files in (Files(roots=(tmp_path,)), Files(roots=(tmp_path,), upload=gone)):
        with pytest.raises(ConfigError) as err:
            load_data(cfg, tmp_path, files)
        assert (err.value.field, err.value.message) == ("dataset.id", upload_message("a" * 32))
    upload.write_bytes(b"garbage")
    with pytest.raises(ConfigError) as err:
        load_data(cfg, tmp_path, Files(roots=(tmp_path,), upload=upload))
    assert err.value.message.startswith(f"upload {'a' * 32} is not a readable .npz file")
    assert str(elsewhere) not in err.value.message


def test_an_image_folder_cannot_link_out(place):
    a, _, elsewhere = place
    for label in ("cat", "dog"):
        (a / "pets" / label).mkdir(parents=True)
        np.save(a / "pets" / label / "0.npy", np.zeros((8, 8, 3), np.uint8))
        np.save(a / "pets" / label / "1.npy", np.ones((8, 8, 3), np.uint8))
    files = Files(roots=(a,))
    cfg = DatasetConfig(name="image_folder", path="pets", val_fraction=0.25)
    assert len(load_data(cfg, a, files).x_train) == 3
    np.save(elsewhere / "private.npy", np.zeros((8, 8, 3), np.uint8))
    (a / "pets" / "dog" / "2.npy").symlink_to(elsewhere / "private.npy")
    with pytest.raises(ConfigError) as err:
        load_data(cfg, a, files)
    assert "leads out of the image folder" in err.value.message
    assert "private" not in err.value.message
