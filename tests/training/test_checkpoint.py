"""Best weights and the checkpoint file: what is saved is what was trained and measured."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from workers.training import TrainConfig, load_model, save_checkpoint, train
from workers.training.data import load_data

from .specs import spec

# A wide MLP on 40 wine samples: validation loss is lowest at epoch 3 and rises after.
OVERFITS = spec(dataset={"name": "wine", "n_train": 40},
                model={"arch": "mlp", "width": 128, "depth": 2},
                optimizer={"name": "adam", "lr": 0.01},
                training={"epochs": 12, "batch_size": 16})


def val_loss(model: torch.nn.Module, job: dict, data_dir=None) -> float:
    data = load_data(TrainConfig.from_dict(job).dataset, data_dir)
    x, y = torch.from_numpy(data.x_val), torch.from_numpy(data.y_val)
    if x.dtype == torch.uint8:
        x = x.float() / 255
    with torch.inference_mode():
        return F.cross_entropy(model.eval()(x), y).item()


@pytest.fixture(scope="module")
def overfitted(tmp_path_factory):
    result = train(OVERFITS)
    path = tmp_path_factory.mktemp("ckpt") / "job.pt"
    size = save_checkpoint(path, result, job_id="j1")
    return result, path, size


def test_best_weights_are_those_of_the_best_epoch_not_the_last(overfitted):
    result, path, _ = overfitted
    losses = [m["val_loss"] for m in result.history]
    assert result.best_epoch == losses.index(min(losses)) < len(losses) - 1
    best, last = load_model(path, "best"), load_model(path, "last")
    # Re-measured from the file, each matches what the loop recorded for its epoch.
    assert val_loss(best, OVERFITS) == pytest.approx(losses[result.best_epoch], rel=1e-5)
    assert val_loss(last, OVERFITS) == pytest.approx(losses[-1], rel=1e-5)
    assert losses[result.best_epoch] < losses[-1]


def test_the_file_says_what_it_holds(overfitted):
    result, path, size = overfitted
    saved = torch.load(path, weights_only=True)  # tensors and plain values only
    assert size == path.stat().st_size > 0
    assert saved["format"] == "fitdoc-checkpoint/1" and saved["job_id"] == "j1"
    assert saved["config"] == result.config and saved["history"] == result.history
    assert saved["best_epoch"] == result.best_epoch and saved["epochs"] == len(result.history)
    assert all(t.device.type == "cpu" for t in saved["last"].values())
    assert not list(path.parent.glob("*.partial"))  # written to a side file, then renamed


def test_an_image_model_comes_back_with_its_normalisation(tmp_path, data_dir):
    job = spec(dataset={"name": "synthetic_images", "n_train": 64, "val_fraction": 0.25},
               model={"arch": "cnn", "width": 4, "depth": 2},
               training={"epochs": 2, "batch_size": 32})
    result = train(job, data_dir=data_dir)
    save_checkpoint(tmp_path / "img.pt", result)
    model = load_model(tmp_path / "img.pt", "last")
    x = torch.rand(5, *result.input_shape)
    with torch.inference_mode():
        assert torch.equal(model(x), result.model.eval()(x))
    assert torch.equal(model[0].mean, result.model[0].mean)  # the training set's statistics


def test_no_finite_epoch_means_no_best_weights_and_last_is_loaded(tmp_path):
    result = train(spec(optimizer={"name": "sgd", "lr": 1e4},
                        model={"arch": "mlp", "width": 64, "depth": 3},
                        training={"epochs": 20, "batch_size": 16}))
    # lr 1e4 makes the first epoch's losses NaN: no epoch was ever best
    assert result.stopped_reason == "non_finite_loss" and result.best_epoch is None
    assert result.best_state is None
    save_checkpoint(tmp_path / "nan.pt", result)
    assert torch.load(tmp_path / "nan.pt", weights_only=True)["best"] is None
    model = load_model(tmp_path / "nan.pt", "best")  # falls back to the last weights
    torch.testing.assert_close(dict(model.state_dict()), dict(result.model.state_dict()),
                               rtol=0, atol=0, equal_nan=True)


def test_a_file_that_is_not_a_checkpoint_is_refused(tmp_path):
    torch.save({"weights": torch.zeros(2)}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="not a fitdoc checkpoint"):
        load_model(tmp_path / "other.pt")
    with pytest.raises(ValueError, match="best' or 'last"):
        load_model(tmp_path / "other.pt", which="first")
