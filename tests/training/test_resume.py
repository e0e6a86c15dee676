"""Resumable training: a run stopped at any epoch and resumed from its state file ends
bit-identical to an uninterrupted one (CPU, one thread); a bad or foreign file is ignored."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

from workers.training import Cancelled, TrainConfig, config_fingerprint, discard_state, train
from workers.training.resume import FORMAT

from .specs import spec

TIMINGS = ("epoch_time", "eval_time")
REPO = Path(__file__).resolve().parents[2]

# Dropout (the global CPU RNG), Adam, plateau: a per-epoch cut (patience 0) after a per-batch
# warm-up.
MLP_PLATEAU = spec(model={"arch": "mlp", "width": 64, "depth": 2, "dropout": 0.3},
                   optimizer={"name": "adam", "lr": 0.03},
                   schedule={"name": "plateau", "warmup_epochs": 1, "patience": 0,
                             "factor": 0.5},
                   training={"epochs": 7, "batch_size": 32})
# A per-batch step schedule with a drop mid-run, AdamW, label smoothing, mixup and noise.
MLP_STEP = spec(model={"arch": "mlp", "width": 32, "depth": 2, "dropout": 0.2},
                optimizer={"name": "adamw", "lr": 0.01, "weight_decay": 0.01},
                schedule={"name": "step", "step_size": 2, "gamma": 0.5},
                regularization={"label_smoothing": 0.1},
                augmentation={"noise": {"std": 0.2}, "mixup": {}},
                training={"epochs": 5, "batch_size": 32})
# BatchNorm (running statistics), SGD with Nesterov momentum, onecycle (per batch, with
# momentum cycling), noise and mixup on sequences.
CNN1D_ONECYCLE = spec(dataset={"name": "mnist1d", "n_train": 384},
                      model={"arch": "cnn1d", "width": 16, "batchnorm": True},
                      optimizer={"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True},
                      schedule={"name": "onecycle"},
                      augmentation={"noise": {"std": 0.1}, "mixup": {}},
                      training={"epochs": 5, "batch_size": 64})
# Images: BatchNorm, crops, flips and cutout, cosine with a warm-up.
CNN_COSINE = spec(dataset={"name": "synthetic_images", "n_train": 96, "val_fraction": 0.25},
                  model={"arch": "cnn", "width": 4, "depth": 2},
                  optimizer={"name": "sgd", "lr": 0.05, "momentum": 0.9},
                  schedule={"name": "cosine", "warmup_epochs": 1},
                  augmentation={"random_crop": {"padding": 2}, "hflip": True, "cutout": {}},
                  training={"epochs": 5, "batch_size": 32})
# Overfits from epoch 3 on: early stopping (patience 3) ends it at epoch 6 of 20.
EARLY_STOP = spec(dataset={"name": "wine", "n_train": 40},
                  model={"arch": "mlp", "width": 128, "depth": 2},
                  optimizer={"name": "adam", "lr": 0.01},
                  regularization={"early_stopping": {"patience": 3}},
                  training={"epochs": 20, "batch_size": 16})


def metrics(history):
    return [{k: v for k, v in m.items() if k not in TIMINGS} for m in history]


def assert_same_run(got, want):
    assert metrics(got.history) == metrics(want.history)
    assert (got.best_epoch, got.stopped_reason) == (want.best_epoch, want.stopped_reason)
    last, reference = got.model.state_dict(), want.model.state_dict()
    assert last.keys() == reference.keys()
    for name in reference:
        assert torch.equal(last[name], reference[name]), name
    assert got.best_state.keys() == want.best_state.keys()
    for name in want.best_state:
        assert torch.equal(got.best_state[name], want.best_state[name]), name


class Crash(Exception):
    pass


def interrupted(job, state, at: int, how: str, data_dir=None) -> None:
    """Run `job` with a state file until epoch `at`: cancelled before it ("cancel"), or
    on_epoch raising at it ("crash": that epoch's state is never written)."""
    coming = [0]  # the epoch about to run (a resumed run starts further on)

    def on_resume(done, _history):
        coming[0] = done

    def should_stop():
        return how == "cancel" and coming[0] == at

    def on_epoch(epoch, _metrics):
        if how == "crash" and epoch == at:
            raise Crash
        coming[0] = epoch + 1

    with pytest.raises(Cancelled if how == "cancel" else Crash):
        train(job, on_epoch=on_epoch, should_stop=should_stop, on_resume=on_resume,
              state_path=state, data_dir=data_dir)


def resumed(job, state, data_dir=None):
    calls = []
    result = train(job, state_path=state, data_dir=data_dir,
                   on_epoch=lambda epoch, m: calls.append(("epoch", epoch, m)),
                   on_resume=lambda done, history: calls.append(("resume", done, history)))
    return result, calls


@pytest.fixture(scope="module")
def uninterrupted(data_dir):
    """Each job's uninterrupted run, trained once for the module."""
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = train(globals()[name], data_dir=data_dir)
        return cache[name]
    return get


@pytest.mark.parametrize(("name", "at", "how"), [
    ("MLP_PLATEAU", 3, "cancel"),
    ("MLP_PLATEAU", 5, "crash"),
    ("MLP_STEP", 3, "crash"),
    ("CNN1D_ONECYCLE", 2, "crash"),
    ("CNN_COSINE", 3, "cancel"),
    ("EARLY_STOP", 5, "cancel"),  # after the best epoch, before the stop: patience counts
    ("EARLY_STOP", 6, "crash"),  # killed in the epoch that stops it
])
def test_a_resumed_run_ends_as_the_uninterrupted_one(name, at, how, uninterrupted, tmp_path,
                                                    data_dir):
    job, want = globals()[name], uninterrupted(name)
    state = tmp_path / "job.state.pt"
    interrupted(job, state, at, how, data_dir)
    saved = torch.load(state, weights_only=True)
    assert saved["epoch"] == at - 1
    if name == "EARLY_STOP":  # the best epoch (3) is behind: its weights are stored apart
        assert not saved["best_is_model"] and saved["best"] is not None
    got, calls = resumed(job, state, data_dir)
    assert got.resumed_from_epoch == at and want.resumed_from_epoch is None
    # on_resume once, first, with the saved epochs; on_epoch for the new epochs only
    assert calls[0][:2] == ("resume", at) and metrics(calls[0][2]) == metrics(want.history[:at])
    assert [c[1] for c in calls[1:]] == list(range(at, len(want.history)))
    assert all(c[0] == "epoch" for c in calls[1:])
    assert_same_run(got, want)
    assert got.notes == want.notes


def test_the_jobs_exercise_what_must_be_restored(uninterrupted):
    """The configs above would not notice a schedule left unrestored if it never moved."""
    lrs = [m["lr"] for m in uninterrupted("MLP_PLATEAU").history]
    assert lrs[0] < lrs[1] and min(lrs[2:]) < lrs[1]  # warm-up, then plateau's cuts
    assert uninterrupted("EARLY_STOP").stopped_reason == "early_stopping"
    assert len(uninterrupted("EARLY_STOP").history) == 7
    assert uninterrupted("EARLY_STOP").best_epoch == 3


def test_interrupted_twice_and_resumed_twice(uninterrupted, tmp_path):
    state = tmp_path / "job.state.pt"
    interrupted(MLP_STEP, state, 1, "crash")
    interrupted(MLP_STEP, state, 3, "cancel")  # resumes at 1, stopped again at 3
    got, calls = resumed(MLP_STEP, state)
    assert got.resumed_from_epoch == 3 and calls[0][1] == 3
    assert_same_run(got, uninterrupted("MLP_STEP"))


@pytest.mark.parametrize("rng", ["torch", "shuffle", "augment"])
def test_each_random_stream_counts(rng, uninterrupted, tmp_path):
    """The check can fail: with one RNG not restored (here: reseeded in the file) the
    resumed run differs from the uninterrupted one."""
    state = tmp_path / "job.state.pt"
    interrupted(MLP_STEP, state, 2, "cancel")
    saved = torch.load(state, weights_only=True)
    if rng == "torch":
        saved["rng"]["torch"] = torch.Generator().manual_seed(123).get_state()
    else:
        saved["rng"][rng] = torch.Generator().manual_seed(123).get_state()
    torch.save(saved, state)
    got, _ = resumed(MLP_STEP, state)
    assert got.resumed_from_epoch == 2
    with pytest.raises(AssertionError):
        assert_same_run(got, uninterrupted("MLP_STEP"))


def test_the_state_file_is_plain_values_and_tensors(tmp_path):
    state = tmp_path / "job.state.pt"
    result = train(MLP_PLATEAU, state_path=state)
    saved = torch.load(state, weights_only=True)  # no pickled code
    assert saved["format"] == FORMAT
    assert saved["fingerprint"] == config_fingerprint(TrainConfig.from_dict(MLP_PLATEAU))
    # written after every epoch but the last: the caller has the last one's result
    assert saved["epoch"] == len(result.history) - 2
    assert metrics(saved["history"]) == metrics(result.history[:-1])
    # the best weights are stored apart only when they are not the model's own
    assert saved["best_is_model"] == (saved["best_epoch"] == saved["epoch"])
    assert saved["best"] is None if saved["best_is_model"] else \
        saved["best"].keys() == saved["model"].keys()
    assert set(saved["rng"]) == {"torch", "cuda", "shuffle", "augment"}
    for name in ("torch", "shuffle", "augment"):
        assert saved["rng"][name].dtype == torch.uint8
    assert saved["schedule"]["per_batch"] is not None
    assert saved["schedule"]["per_epoch"]["num_bad_epochs"] >= 0
    assert saved["optimizer"]["state"]  # Adam's moments
    assert not list(tmp_path.glob("*.partial"))
    discard_state(state)
    assert not list(tmp_path.iterdir())


def test_state_every_limits_how_often_it_is_written(tmp_path):
    train(MLP_STEP, state_path=tmp_path / "never.pt", state_every=3600.0)
    assert not (tmp_path / "never.pt").exists()


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "not_a_state"])
def test_an_unreadable_state_is_ignored(damage, uninterrupted, tmp_path):
    state = tmp_path / "job.state.pt"
    interrupted(MLP_STEP, state, 3, "cancel")
    data = state.read_bytes()
    if damage == "garbage":
        state.write_bytes(os.urandom(len(data)))
    elif damage == "truncated":
        state.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        state.write_bytes(b"")
    else:
        torch.save({"weights": torch.zeros(3)}, state)
    got, calls = resumed(MLP_STEP, state)
    assert got.resumed_from_epoch is None and calls[0][:2] == ("epoch", 0)
    assert any("training state job.state.pt" in note for note in got.notes), got.notes
    assert_same_run(got, uninterrupted("MLP_STEP"))


def test_a_state_of_another_config_is_ignored(uninterrupted, tmp_path):
    state = tmp_path / "job.state.pt"
    other = {**MLP_STEP, "optimizer": {**MLP_STEP["optimizer"], "lr": 0.02}}
    interrupted(other, state, 3, "cancel")
    got, _ = resumed(MLP_STEP, state)
    assert got.resumed_from_epoch is None
    assert any("another config" in note for note in got.notes), got.notes
    assert_same_run(got, uninterrupted("MLP_STEP"))


def test_where_and_how_fast_it_runs_is_not_part_of_the_fingerprint():
    def fingerprint(**training):
        job = {**MLP_STEP, "training": {**MLP_STEP["training"], **training}}
        return config_fingerprint(TrainConfig.from_dict(job))

    assert fingerprint() == fingerprint(device="cpu") == fingerprint(compile=True)
    assert fingerprint() != fingerprint(seed=1) != fingerprint(epochs=6)


def test_a_state_that_does_not_load_is_undone_whole(uninterrupted, tmp_path):
    """Right format and config, but the optimizer's part does not fit: the model weights
    loaded before it are put back, and the run starts from scratch."""
    state = tmp_path / "job.state.pt"
    interrupted(MLP_STEP, state, 3, "cancel")
    saved = torch.load(state, weights_only=True)
    saved["optimizer"]["param_groups"].append(saved["optimizer"]["param_groups"][0])
    torch.save(saved, state)
    got, _ = resumed(MLP_STEP, state)
    assert got.resumed_from_epoch is None
    assert any("did not load" in note for note in got.notes), got.notes
    assert_same_run(got, uninterrupted("MLP_STEP"))


def test_a_state_from_another_device_type_resumes_reseeded(tmp_path):
    """A CPU generator's state cannot seed a CUDA generator (and back): a job taken over on
    another kind of device keeps its epochs, with new random streams and a note."""
    state = tmp_path / "job.state.pt"
    interrupted(MLP_STEP, state, 2, "cancel")
    saved = torch.load(state, weights_only=True)
    saved["augment_device"] = saved["device"] = "cuda"
    saved["rng"]["augment"] = torch.zeros(16, dtype=torch.uint8)  # a Philox state
    torch.save(saved, state)
    got, _ = resumed(MLP_STEP, state)
    assert got.resumed_from_epoch == 2 and len(got.history) == 5
    assert any("augment random streams reseeded" in note for note in got.notes), got.notes


KILLED_MID_WRITE = textwrap.dedent("""
    import os, signal, sys
    import torch
    torch.set_num_threads(1)
    from workers.training import resume, train
    from tests.training.test_resume import MLP_STEP

    real_save, writes = torch.save, []

    def save(payload, path):  # the third write dies half-way, as under kill -9
        writes.append(path)
        if len(writes) < 3:
            return real_save(payload, path)
        real_save(payload, path)
        with open(path, "r+b") as f:
            f.truncate(os.path.getsize(path) // 2)
        os.kill(os.getpid(), signal.SIGKILL)

    resume.torch.save = save
    train(MLP_STEP, state_path=sys.argv[1])
""")


def test_a_process_killed_mid_write_leaves_the_previous_state(uninterrupted, tmp_path):
    state = tmp_path / "job.state.pt"
    killed = subprocess.run([sys.executable, "-c", KILLED_MID_WRITE, str(state)], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert killed.returncode == -9, killed.stderr
    assert len(list(tmp_path.glob(".job.state.pt.*.partial"))) == 1  # the half-written one
    assert torch.load(state, weights_only=True)["epoch"] == 1  # the second write, whole
    got, _ = resumed(MLP_STEP, state)
    assert got.resumed_from_epoch == 2
    assert_same_run(got, uninterrupted("MLP_STEP"))
    assert not list(tmp_path.glob("*.partial"))  # the dead writer's side file is gone


def test_a_state_that_cannot_be_written_does_not_stop_training(tmp_path):
    # a file where the folder should be: no state can be saved, the run trains on
    (tmp_path / "blocked").write_text("not a folder")
    result = train(EARLY_STOP, state_path=tmp_path / "blocked" / "job.state.pt",
                   data_dir=tmp_path)
    assert len(result.history) > 1
    assert any("could not be written" in note for note in result.notes)
