"""Transfer (`model.init_from`): a job starts from another job's checkpoint, freezes what
it is told to (bit-identical to the source afterwards), trains the rest, re-initialises the
head when the number of classes differs, refuses another input shape or other layers, and
resumes bit-identically without reading the source again. Torch only, seconds."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from service.catalogue import SpecError, check_spec, model_layers
from workers.training import ConfigError, Files, TrainConfig, save_checkpoint, train
from workers.training.data import DATASETS
from workers.training.models import build_model
from workers.training.transfer import layers

from .specs import spec
from .test_resume import Crash, assert_same_run

JOB = "0123456789abcdef0123456789abcdef"  # the source job's id, as the store makes them


def source_spec(**model) -> dict:
    return spec(dataset={"name": "digits"},
                model={"arch": "mlp", "widths": [32, 32], "batchnorm": True, **model},
                optimizer={"name": "adam", "lr": 0.01},
                training={"epochs": 3, "batch_size": 64})


def started_from(base: dict, freeze="head_only", weights="best", **changes) -> dict:
    model = {**base["model"], "init_from": {"job_id": JOB, "freeze": freeze,
                                            "weights": weights}}
    return {**base, "model": model, **changes}


@pytest.fixture(scope="module")
def source(tmp_path_factory, data_dir):
    """A trained digits mlp with BatchNorm (running statistics to keep), saved as a job."""
    path = tmp_path_factory.mktemp("source") / f"{JOB}.pt"
    torch.set_num_threads(1)
    save_checkpoint(path, train(source_spec(), data_dir=data_dir))
    return path


def saved(path) -> dict:
    return torch.load(path, weights_only=True)


def head_keys(model: nn.Module) -> set[str]:
    name = layers(model)[-1][0][0]
    return {k for k in model.state_dict() if k.rsplit(".", 1)[0] == name}


def layer_keys(model: nn.Module) -> list[set[str]]:
    """The state keys of each layer, in order."""
    keys = []
    for layer in layers(model):
        names = {name for name, _ in layer}
        keys.append({k for k in model.state_dict() if any(k.startswith(f"{n}.") for n in names)})
    return keys


# --- layers: the engine counts them as the catalogue does ---------------------------------

MODELS = [
    ({"arch": "linear"}, (64,)),
    ({"arch": "mlp"}, (64,)),
    ({"arch": "mlp", "widths": [8, 8, 8], "batchnorm": True, "dropout": 0.1}, (1, 40)),
    ({"arch": "cnn1d", "depth": 2, "batchnorm": True, "dropout": 0.2}, (1, 40)),
    ({"arch": "cnn", "width": 4, "depth": 2}, (3, 16, 16)),
    ({"arch": "cnn", "width": 4, "depth": 3, "batchnorm": False}, (3, 16, 16)),
    ({"arch": "resnet18", "width": 4}, (3, 16, 16)),
    ({"arch": "resnet18", "width": 4, "batchnorm": False, "dropout": 0.1}, (1, 8, 8)),
]


@pytest.mark.parametrize(("model", "shape"), MODELS, ids=lambda v: str(v))
def test_the_engine_counts_layers_as_the_catalogue_does(model, shape):
    cfg = TrainConfig.from_dict({"dataset": {"name": "npz", "path": "x.npz"}, "model": model,
                                 "optimizer": {"name": "adam"}})
    mean = std = np.zeros(shape[0]) if len(shape) == 3 else None
    net = build_model(cfg.model, shape, 7, mean, std)
    found = layers(net)
    assert len(found) == model_layers(cfg.to_dict()["model"])
    head = found[-1][0][1]
    assert isinstance(head, nn.Linear) and head.out_features == 7
    # every parameter is in exactly one layer
    keys = layer_keys(net)
    params = {n for n, _ in net.named_parameters()}
    assert set().union(*keys) >= params
    assert sum(len(k & params) for k in keys) == len(params)


# --- what is frozen stays as it was, what trains changes ----------------------------------


def test_head_only_leaves_every_frozen_weight_bit_identical_and_trains_the_head(
        source, data_dir):
    result = train(started_from(source_spec()), data_dir=data_dir, init_from_path=source)
    before, after = saved(source)["best"], result.model.state_dict()
    head = head_keys(result.model)
    assert head == {"7.weight", "7.bias"}
    for key, tensor in after.items():
        if key in head:
            assert not torch.equal(tensor, before[key]), key
        else:  # weights, biases and BatchNorm's running statistics alike
            assert torch.equal(tensor, before[key]), key
    trainable = {n for n, p in result.model.named_parameters() if p.requires_grad}
    assert trainable == head
    assert "first 2 of 3 layers frozen" in " ".join(result.notes)


def test_the_best_epochs_weights_keep_the_frozen_ones_too(source, data_dir, tmp_path):
    result = train(started_from(source_spec(), weights="last"), data_dir=data_dir,
                   init_from_path=source)
    save_checkpoint(tmp_path / "t.pt", result)
    last, mine = saved(source)["last"], saved(tmp_path / "t.pt")
    for key in set(last) - head_keys(result.model):
        assert torch.equal(mine["best"][key], last[key]) and torch.equal(mine["last"][key],
                                                                           last[key])


def test_freeze_none_starts_from_the_source_and_changes_every_weight(source, data_dir):
    start = started_from(source_spec(), freeze="none")
    result = train({**start, "training": {**start["training"], "epochs": 1}},
                   data_dir=data_dir, init_from_path=source)
    before = saved(source)["best"]
    for name, param in result.model.named_parameters():
        assert param.requires_grad and not torch.equal(param.detach(), before[name]), name
    # ... and it did start there: one epoch on from the source is far better than chance
    assert result.history[0]["train_acc"] > 0.9


@pytest.mark.parametrize("n", [1, 2])
def test_freeze_n_freezes_exactly_the_first_n_layers(data_dir, tmp_path, n):
    base = source_spec(widths=[16, 16, 16])
    path = tmp_path / "source.pt"
    save_checkpoint(path, train({**base, "training": {**base["training"], "epochs": 1}},
                                data_dir=data_dir))
    result = train(started_from(base, freeze=n), data_dir=data_dir, init_from_path=path)
    before, after = saved(path)["best"], result.model.state_dict()
    per_layer = layer_keys(result.model)
    assert len(per_layer) == 4
    for i, keys in enumerate(per_layer):
        for key in keys:
            frozen = torch.equal(after[key], before[key])
            if key.endswith("num_batches_tracked"):
                continue  # a counter: it moves in a training BatchNorm, says nothing else
            assert frozen == (i < n), (i, key)
    grads = {name: p.requires_grad for name, p in result.model.named_parameters()}
    assert [all(grads[k] for k in keys if k in grads) for keys in per_layer] \
        == [i >= n for i in range(4)]


def test_a_frozen_layers_batchnorm_runs_in_eval_mode_while_the_rest_trains(
        source, data_dir, monkeypatch):
    from workers.training import loop

    modes: dict[str, set[bool]] = {}
    real = loop.build_model

    def spy(*args, **kwargs):
        model = real(*args, **kwargs)
        for name, module in model.named_modules():
            if isinstance(module, nn.BatchNorm1d):
                module.register_forward_pre_hook(
                    lambda m, _, name=name: modes.setdefault(name, set()).add(m.training))
        return model

    monkeypatch.setattr(loop, "build_model", spy)
    result = train(started_from(source_spec(), freeze=1), data_dir=data_dir,
                   init_from_path=source)
    # evaluation runs both in eval mode; only the second layer's ever trains
    assert modes == {"2": {False}, "5": {True, False}}
    before, after = saved(source)["best"], result.model.state_dict()
    assert torch.equal(after["2.running_mean"], before["2.running_mean"])
    assert not torch.equal(after["5.running_mean"], before["5.running_mean"])


def test_the_optimizer_only_holds_what_trains(source, data_dir, monkeypatch):
    from workers.training import loop

    held = []
    real = loop.build_optimizer

    def spy(params, cfg, device):
        held.extend(params)
        return real(params, cfg, device)

    monkeypatch.setattr(loop, "build_optimizer", spy)
    result = train(started_from(source_spec()), data_dir=data_dir, init_from_path=source)
    head = dict(result.model.named_parameters())
    assert {id(p) for p in held} == {id(head["7.weight"]), id(head["7.bias"])}


# --- the head, the input, the layers -------------------------------------------------------


def five_class_digits(path, data_dir):
    """digits' classes 5-9 as 0-4, an npz of its own (64 features, 5 classes)."""
    arrays = DATASETS["digits"].load(None, data_dir)
    keep = arrays.y >= 5
    np.savez(path, x=arrays.x[keep], y=arrays.y[keep] - 5)


def test_another_number_of_classes_gets_a_new_head(source, data_dir, tmp_path):
    five_class_digits(tmp_path / "five.npz", data_dir)
    start = started_from(source_spec(), dataset={"name": "npz", "path": "five.npz"})
    result = train(start, data_dir=data_dir, files=Files(roots=(tmp_path,)),
                   init_from_path=source)
    assert result.num_outputs == 5
    assert result.model.state_dict()["7.weight"].shape == (5, 32)
    before = saved(source)["best"]
    for key in set(before) - {"7.weight", "7.bias"}:
        assert torch.equal(result.model.state_dict()[key], before[key]), key
    assert "the head is new (10 outputs there, 5 here)" in " ".join(result.notes)
    assert result.history[-1]["val_acc"] > 0.8  # the frozen digits features serve


def test_another_input_shape_is_refused_saying_so(source, data_dir):
    start = started_from(source_spec(), dataset={"name": "wine"})
    with pytest.raises(ConfigError, match=r"tabular \(F,\) \(64,\) but this dataset's are "
                                          r"tabular \(F,\) \(13,\)") as caught:
        train(start, data_dir=data_dir, init_from_path=source)
    assert caught.value.field == "model.init_from.job_id"


@pytest.mark.parametrize(("model", "field"), [
    ({"widths": [32, 16]}, "model.widths"),
    ({"activation": "tanh"}, "model.activation"),
    ({"batchnorm": False}, "model.batchnorm"),
    ({"dropout": 0.1}, "model.dropout"),
])
def test_other_layers_are_refused_naming_the_field(source, data_dir, model, field):
    with pytest.raises(ConfigError, match="same layers") as caught:
        train(started_from(source_spec(**model)), data_dir=data_dir, init_from_path=source)
    assert caught.value.field == field


def test_a_missing_or_foreign_checkpoint_fails_clearly(data_dir, tmp_path):
    with pytest.raises(ConfigError, match="no checkpoint on this worker"):
        train(started_from(source_spec()), data_dir=data_dir,
              init_from_path=tmp_path / "gone.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ConfigError, match="cannot be read"):
        train(started_from(source_spec()), data_dir=data_dir,
              init_from_path=tmp_path / "junk.pt")
    with pytest.raises(ConfigError, match="no checkpoint was given"):
        train(started_from(source_spec()), data_dir=data_dir)


def test_the_catalogue_refuses_freezing_every_layer():
    resolved = TrainConfig.from_dict(started_from(source_spec(), freeze=3)).to_dict()
    with pytest.raises(SpecError, match="freeze at most 2") as caught:
        check_spec(resolved)
    assert caught.value.field == "model.init_from.freeze"
    check_spec(TrainConfig.from_dict(started_from(source_spec(), freeze=2)).to_dict())


# --- resuming -----------------------------------------------------------------------------


def test_a_resumed_run_is_bit_identical_and_does_not_reload_the_source(
        source, data_dir, tmp_path):
    start = started_from(source_spec(), freeze=1)
    start["training"] = {**start["training"], "epochs": 5}
    want = train(start, data_dir=data_dir, init_from_path=source)

    state = tmp_path / "job.state.pt"

    def crash_at_2(epoch, metrics):
        if epoch == 2:
            raise Crash

    with pytest.raises(Crash):
        train(start, data_dir=data_dir, init_from_path=source, state_path=state,
              on_epoch=crash_at_2)
    # The source's file now holds other weights: a resume that loaded them would differ.
    other = tmp_path / "other.pt"
    base = source_spec()
    save_checkpoint(other, train({**base, "training": {**base["training"], "seed": 7}},
                                 data_dir=data_dir))
    got = train(start, data_dir=data_dir, init_from_path=other, state_path=state)
    assert got.resumed_from_epoch == 2
    assert_same_run(got, want)
    # ... while a run from scratch with that file does load it (the check can fail)
    fresh = train(start, data_dir=data_dir, init_from_path=other)
    assert not torch.equal(fresh.model.state_dict()["1.weight"],
                           want.model.state_dict()["1.weight"])


# --- transfer vs scratch: mnist1d's digits 0-4, then 5-9 -----------------------------------


def mnist1d_halves(folder, data_dir):
    """Two npz files: mnist1d's classes 0-4 and its classes 5-9 (labelled 0-4), each with
    its part of the held-out set as x_val/y_val. Same input shape (1, 40)."""
    cfg = TrainConfig.from_dict({"dataset": {"name": "mnist1d"}, "model": {"arch": "mlp"},
                                 "optimizer": {"name": "adam"}})
    a = DATASETS["mnist1d"].load(cfg.dataset, data_dir)
    for name, low in (("low.npz", 0), ("high.npz", 5)):
        m, mv = (a.y >= low) & (a.y < low + 5), (a.y_val >= low) & (a.y_val < low + 5)
        np.savez(folder / name, x=a.x[m], y=a.y[m] - low, x_val=a.x_val[mv],
                 y_val=a.y_val[mv] - low)


def test_a_model_trained_on_one_task_transfers_to_another(data_dir, tmp_path):
    mnist1d_halves(tmp_path, data_dir)
    files = Files(roots=(tmp_path,))
    model = {"arch": "cnn1d", "width": 32}
    low = {"dataset": {"name": "npz", "path": "low.npz"}, "model": model,
           "optimizer": {"name": "adam", "lr": 0.003},
           "training": {"epochs": 15, "batch_size": 64}}
    save_checkpoint(tmp_path / "low.pt", train(low, data_dir=data_dir, files=files))

    # 200 samples of the other five digits, 10 epochs, two seeds each
    final = {}
    for how in ("scratch", "head_only", "none"):
        init = {} if how == "scratch" else {"init_from": {"job_id": JOB, "freeze": how}}
        accs = []
        for seed in (0, 1):
            high = {**low, "dataset": {"name": "npz", "path": "high.npz", "n_train": 200},
                    "model": {**model, **init},
                    "training": {"epochs": 10, "batch_size": 32, "seed": seed}}
            result = train(high, data_dir=data_dir, files=files,
                           init_from_path=tmp_path / "low.pt")
            accs.append(result.history[-1]["val_acc"])
        final[how] = float(np.mean(accs))
    print("mnist1d 5-9 from 0-4 (val_acc after 10 epochs on 200 samples):", final)
    # Measured 0.76-0.78 fine-tuned against 0.49-0.50 from scratch (three seeds): a margin
    # far above the seeds' spread. head_only (a linear head on frozen features) measured
    # 0.42-0.44: the first five digits' features do not separate the other five well.
    assert final["none"] > final["scratch"] + 0.1
    assert final["head_only"] > 0.3  # it learnt something (chance: 0.2)
