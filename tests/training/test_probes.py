"""Probe jobs' measurements (workers/training/probes.py), torch only: each probe against a case
whose answer is known, the Hessian's eigenvalues against the dense Hessian, the lr range
test's suggestion against a grid of real trainings, an ensemble that should beat its
members."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from tests.training.specs import spec as small_spec
from workers.training import (
    Cancelled,
    ConfigError,
    TrainConfig,
    load_model,
    run_probe,
    save_checkpoint,
    train,
)
from workers.training.data import load_data
from workers.training.losses import LOSSES
from workers.training.probes import (
    Objective,
    ensemble_of,
    expected_initial_loss,
    hessian_of,
    initial_loss_of,
    lanczos,
    lr_at,
    suggest_lr,
)

JOB_A, JOB_B = "a" * 32, "b" * 32


def probe_spec(probe: dict, **sections) -> dict:
    return {**small_spec(**sections), "probe": probe}


def as_json(result: dict) -> dict:
    """A result must be JSON as a database column holds it: no NaN, no Infinity."""
    return json.loads(json.dumps(result, allow_nan=False))


# --- the section itself --------------------------------------------------------------------


def test_a_probe_is_a_tagged_section_of_the_spec():
    cfg = TrainConfig.from_dict(probe_spec({"kind": "hessian", "job_id": JOB_A, "k": 2}))
    assert cfg.probe.kind == "hessian" and cfg.probe.k == 2 and cfg.probe.weights == "best"
    assert TrainConfig.from_dict(cfg.to_dict()) == cfg
    assert "probe" not in TrainConfig.from_dict(small_spec()).to_dict()  # training jobs as before
    for probe, field in [({"kind": "nope"}, "probe.kind"),
                         ({"kind": "hessian", "job_id": "../../etc/passwd"}, "probe.job_id"),
                         ({"kind": "ensemble", "members": [JOB_A]}, "probe.members"),
                         ({"kind": "lr_range", "steps": 5000}, "probe.steps"),
                         ({"kind": "initial_loss", "epochs": 3}, "probe.epochs")]:
        with pytest.raises(ConfigError) as error:
            TrainConfig.from_dict(probe_spec(probe))
        assert error.value.field == field


def test_the_catalogues_rules_tie_a_probe_to_its_spec():
    from workers.training import check_config

    for probe, sections, field in [
        ({"kind": "lr_range", "lr_min": 1.0, "lr_max": 0.1}, {}, "probe.lr_max"),
        ({"kind": "lr_range"}, {"optimizer": {"name": "lbfgs"}}, "optimizer.name"),
        ({"kind": "hessian", "job_id": JOB_A, "k": 5, "iters": 9}, {}, "probe.iters"),
        ({"kind": "ensemble", "members": [JOB_A, JOB_B, JOB_A]}, {}, "probe.members[2]"),
        ({"kind": "initial_loss"},
         {"model": {"arch": "mlp", "width": 32, "depth": 1, "init_from": {"job_id": JOB_A}}},
         "model.init_from"),
    ]:
        with pytest.raises(ConfigError) as error:
            check_config(TrainConfig.from_dict(probe_spec(probe, **sections)))
        assert error.value.field == field


# --- initial_loss ------------------------------------------------------------------------------


def test_initial_loss_of_an_untrained_classifier_is_about_ln_c(data_dir):
    spec = probe_spec({"kind": "initial_loss", "batches": 4},
                      dataset={"name": "mnist1d"}, training={"batch_size": 128})
    seen = []
    probe = run_probe(spec, data_dir=data_dir, on_point=lambda s, m: seen.append((s, m)))
    result = as_json(probe.result)
    assert result["expected"] == pytest.approx(math.log(10))
    assert 0.9 < result["ratio"] < 1.2, result  # PyTorch's default init: near-uniform outputs
    assert result["samples"] == 512 and result["batches"] == 4 and result["num_classes"] == 10
    assert result["chance_accuracy"] == 0.1 and 0.0 <= result["accuracy"] <= 0.25
    assert result["val_samples"] == 1000
    assert seen == probe.points == [(0, {"train_loss": result["loss"],
                                         "train_acc": result["accuracy"]})]
    # the model is the one train() starts from: same seed, same loss
    again = run_probe(spec, data_dir=data_dir).result
    assert again["loss"] == result["loss"]


def test_initial_loss_flags_a_scaled_up_init():
    torch.manual_seed(0)
    x, y = torch.randn(256, 20), torch.randint(0, 10, (256,))
    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 10))
    batches = [(x[:128], y[:128]), (x[128:], y[128:])]
    normal = initial_loss_of(model, batches, "cross_entropy", 10)
    with torch.no_grad():
        model[2].weight.mul_(30)
    scaled = initial_loss_of(model, batches, "cross_entropy", 10)
    assert normal["ratio"] < 1.2 < 3 < scaled["ratio"]


def test_mse_expects_the_loss_of_the_best_constant_prediction():
    torch.manual_seed(0)
    y = torch.randn(300, 2) * torch.tensor([1.0, 3.0]) + 5
    assert expected_initial_loss("mse", y, None) == pytest.approx(
        float(y.var(dim=0, unbiased=False).mean()))
    # a model that predicts the targets' mean reaches exactly that, any other constant more
    constant = nn.Linear(4, 2)
    with torch.no_grad():
        constant.weight.zero_()
        constant.bias.copy_(y.mean(dim=0))
    x = torch.randn(300, 4)
    at_mean = initial_loss_of(constant, [(x, y)], "mse", None)
    assert at_mean["ratio"] == pytest.approx(1.0, rel=1e-5)
    assert at_mean["accuracy"] is None and at_mean["task"] == "regression"
    with torch.no_grad():
        constant.bias.add_(0.5)
    assert initial_loss_of(constant, [(x, y)], "mse", None)["ratio"] > 1.01
    # one-hot targets of a classifier: the class frequencies' variance
    labels = torch.tensor([0, 0, 0, 1])
    assert expected_initial_loss("mse", labels, 2) == pytest.approx((0.75 * 0.25 * 2) / 2)


# --- lr_range ----------------------------------------------------------------------------------


def test_lr_range_sweeps_exponentially_and_stops_when_the_loss_diverges(data_dir):
    probe = {"kind": "lr_range", "lr_min": 1e-5, "lr_max": 100.0, "steps": 60}
    result = run_probe(probe_spec(probe, optimizer={"name": "sgd"}), data_dir=data_dir)
    out = as_json(result.result)
    n = out["steps"]
    assert out["lrs"] == pytest.approx([lr_at(i, 60, 1e-5, 100.0) for i in range(n)])
    assert out["lrs"][0] == pytest.approx(1e-5) and lr_at(59, 60, 1e-5, 100.0) == 100.0
    assert out["diverged_at_lr"] == out["lrs"][-1] and n < 60  # SGD at lr 100 does diverge
    losses = [v if v is not None else math.inf for v in out["losses"]]
    assert losses[-1] > 4 * min(losses[:-1])
    assert out["suggested_lr"] == pytest.approx(out["min_loss_lr"] / 10)
    assert out["min_loss_lr"] == out["lrs"][min(range(n), key=losses.__getitem__)]
    assert [s for s, _ in result.points] == list(range(n))
    assert set(result.points[0][1]) == {"train_loss", "loss_smoothed", "lr"}


def test_suggest_lr_is_a_tenth_of_the_lr_of_the_lowest_smoothed_loss():
    lrs = [1e-4, 1e-3, 1e-2, 1e-1, 1.0]
    assert suggest_lr(lrs, [2.3, 2.0, 1.2, 1.5, math.nan]) == {"min_loss_lr": 1e-2,
                                                               "suggested_lr": 1e-3}
    assert suggest_lr(lrs[:1], [math.nan]) == {"min_loss_lr": None, "suggested_lr": None}


def _grid_best(data_dir, optimizer: dict) -> float:
    """The lr of the lowest training loss after 3 epochs, over half-decades 1e-4 .. 10."""
    best = None
    for e in range(-8, 3):
        lr = 10 ** (e / 2)
        spec = {"dataset": {"name": "mnist1d"}, "model": {"arch": "mlp", "widths": [64]},
                "optimizer": {**optimizer, "lr": lr},
                "training": {"epochs": 3, "batch_size": 128, "device": "cpu"}}
        loss = train(spec, data_dir=data_dir).history[-1]["train_loss"]
        if math.isfinite(loss) and (best is None or loss < best[0]):
            best = (loss, lr)
    return best[1]


@pytest.mark.parametrize("optimizer", [{"name": "adam"}, {"name": "sgd"},
                                       {"name": "sgd", "momentum": 0.9}],
                         ids=["adam", "sgd", "sgd-momentum"])
def test_the_suggested_lr_is_within_a_decade_of_the_best_of_a_grid(data_dir, optimizer):
    spec = {"dataset": {"name": "mnist1d"}, "model": {"arch": "mlp", "widths": [64]},
            "optimizer": optimizer, "training": {"batch_size": 128, "device": "cpu"},
            "probe": {"kind": "lr_range"}}
    suggested = run_probe(spec, data_dir=data_dir).result["suggested_lr"]
    best = _grid_best(data_dir, optimizer)
    assert abs(math.log10(suggested / best)) <= 1.0, (suggested, best)


def test_a_probe_stops_when_asked(data_dir):
    asked = []

    def should_stop() -> bool:
        asked.append(1)
        return len(asked) > 5

    with pytest.raises(Cancelled):
        run_probe(probe_spec({"kind": "lr_range"}), data_dir=data_dir, should_stop=should_stop)


# --- hessian -----------------------------------------------------------------------------------


def dense_hessian(objective: Objective) -> torch.Tensor:
    """The full Hessian of the objective, by torch.autograd.functional.hessian, in float64."""
    model = objective.model
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    theta = objective.get().double()
    model.double()
    batches = [(x.double(), y) for x, y in objective.batches]

    def f(flat):
        params = dict(zip(names, objective.split(flat), strict=True))
        total = 0.0
        for x, y in batches:
            out = torch.func.functional_call(model, params, (x,))
            total = total + objective.loss_fn(out, y) * (len(x) / objective.samples)
        if objective.penalty is not None:
            weights = [v for v in params.values() if v.dim() > 1]
            total = total + 0.5 * PENALTY_L2 * sum(w.pow(2).sum() for w in weights)
        return total

    hessian = torch.autograd.functional.hessian(f, theta)
    model.float()
    return hessian


PENALTY_L2 = 1e-3


def trained_checkpoint(tmp: Path, data_dir, job_id: str = JOB_A, **sections) -> tuple[dict, Path]:
    spec = small_spec(**sections)
    result = train(spec, data_dir=data_dir)
    path = tmp / f"{job_id}.pt"
    save_checkpoint(path, result)
    return spec, path


def objective_of(spec: dict, path: Path, data_dir, batches: int, weights: str = "last"):
    """The objective the hessian probe examines, rebuilt here: the checkpoint's model, the
    spec's loss and penalty, the first `batches` training batches."""
    cfg = TrainConfig.from_dict(spec)
    data = load_data(cfg.dataset, data_dir)
    model = load_model(path, which=weights)
    n = batches * cfg.training.batch_size
    x, y = torch.from_numpy(data.x_train[:n]), torch.from_numpy(data.y_train[:n])
    chunks = [(x[i:i + cfg.training.batch_size], y[i:i + cfg.training.batch_size])
              for i in range(0, len(x), cfg.training.batch_size)]
    params = [p for p in model.parameters()]

    def penalty():
        return 0.5 * cfg.regularization.l2 * sum(p.pow(2).sum() for p in params if p.dim() > 1)

    loss_fn = LOSSES[cfg.training.loss](data.info.num_classes, 0.0)
    return Objective(model, chunks, loss_fn, penalty if cfg.regularization.l2 else None)


TINY = {"model": {"arch": "mlp", "widths": [4], "activation": "tanh"},
        "regularization": {"l2": PENALTY_L2}}


def test_lanczos_eigenvalues_match_the_dense_hessian(tmp_path, data_dir):
    spec, path = trained_checkpoint(tmp_path, data_dir, **TINY,
                                    training={"epochs": 3, "batch_size": 32})
    objective = objective_of(spec, path, data_dir, batches=2)
    n = objective.n  # 13*4 + 4 + 4*3 + 3 = 71
    exact = torch.linalg.eigvalsh(dense_hessian(objective)).tolist()
    scale = max(abs(exact[0]), abs(exact[-1]))

    probe = {"kind": "hessian", "job_id": JOB_A, "weights": "last", "batches": 2, "k": 3,
             "iters": n}
    out = run_probe({**spec, "probe": probe}, data_dir=data_dir,
                    checkpoint_of=lambda job: tmp_path / f"{job}.pt")
    result = as_json(out.result)
    assert result["params"] == n and result["iters"] == n and result["samples"] == 64
    assert result["top"] == pytest.approx(exact[::-1][:3], rel=1e-3, abs=1e-3 * scale)
    assert result["bottom"] == pytest.approx(exact[:3], rel=1e-3, abs=1e-3 * scale)
    assert result["max"] == result["top"][0] and result["min"] == result["bottom"][0]
    # the iterates: one point per Hessian-vector product, bracketing the spectrum ever wider
    assert [s for s, _ in out.points] == list(range(n))
    tops = [m["eig_max"] for _, m in out.points]
    # Cauchy interlacing: a larger basis never lowers the largest Ritz value
    assert all(b >= a - 1e-6 * scale for a, b in zip(tops, tops[1:], strict=False))
    assert tops[-1] == pytest.approx(exact[-1], rel=1e-3)
    # fewer products than parameters: the extreme ones already (they converge first)
    few = run_probe({**spec, "probe": {**probe, "iters": 30}}, data_dir=data_dir,
                    checkpoint_of=lambda job: tmp_path / f"{job}.pt").result
    assert few["max"] == pytest.approx(exact[-1], rel=1e-3)


def test_lanczos_finds_a_repeated_eigenvalue_as_often_as_it_is_repeated():
    torch.manual_seed(0)
    q, _ = torch.linalg.qr(torch.randn(12, 12, dtype=torch.float64))
    values = torch.tensor([-2.0, -2.0, -2.0, 0.5, 1, 1, 3, 3, 3, 3, 5, 7], dtype=torch.float64)
    a = (q * values) @ q.T

    spectrum = lanczos(lambda v: (a @ v.double()).float(), 12, 12)
    assert spectrum.values.tolist() == pytest.approx(sorted(values.tolist()), abs=1e-4)
    assert spectrum.residuals.max() < 1e-3


class Quadratic(nn.Module):
    """f(theta) = theta^T A theta / 2 + b^T theta: its Hessian is A, everywhere."""

    def __init__(self, a: torch.Tensor, b: torch.Tensor) -> None:
        super().__init__()
        self.a, self.b = a, b
        self.theta = nn.Parameter(torch.zeros(len(a)))

    def forward(self, x):
        return 0.5 * self.theta @ self.a @ self.theta + self.b @ self.theta + 1.0


def test_a_quadratic_with_one_negative_direction_is_a_saddle():
    rotation, _ = torch.linalg.qr(torch.randn(5, 5, generator=torch.Generator().manual_seed(1)))
    a = (rotation * torch.tensor([-0.5, 0.2, 1.0, 2.0, 4.0])) @ rotation.T
    model = Quadratic(a, torch.zeros(5))
    objective = Objective(model, [(torch.zeros(1), torch.zeros(1))], lambda out, y: out)
    result, spectrum = hessian_of(objective, k=2, iters=5, tolerance=1e-3)
    assert result["verdict"] == "saddle_point" and result["grad_norm"] == 0.0
    assert result["bottom"] == pytest.approx([-0.5, 0.2], abs=1e-5)
    assert result["top"] == pytest.approx([4.0, 2.0], abs=1e-5)
    # the Ritz vector of -0.5 is A's eigenvector of -0.5 (up to sign)
    assert abs(float(spectrum.vectors[0] @ rotation[:, 0])) == pytest.approx(1.0, abs=1e-5)
    # shifted off the critical point: the gradient is not small any more
    model.b = torch.ones(5)
    assert hessian_of(objective, k=2, iters=5, tolerance=1e-3)[0]["verdict"] == "not_critical"
    # all curvatures positive: a minimum
    model.a, model.b = rotation @ torch.diag(torch.tensor([0.1, 1, 2, 3, 4.0])) @ rotation.T, \
        torch.zeros(5)
    assert hessian_of(objective, k=2, iters=5, tolerance=1e-3)[0]["verdict"] == "local_minimum"


def zero_saddle_checkpoint(tmp_path: Path, data_dir) -> tuple[dict, Path]:
    """A tanh MLP with every weight zero and the output bias at the log class frequencies:
    gradient zero (no hidden unit says anything, the bias is the best constant), but the
    cross terms between the two layers give the Hessian negative directions: a saddle."""
    spec = small_spec(model={"arch": "mlp", "widths": [4], "activation": "tanh"},
                      training={"epochs": 1, "batch_size": 32})
    result = train(spec, data_dir=data_dir)
    data = load_data(TrainConfig.from_dict(spec).dataset, data_dir)
    counts = torch.bincount(torch.from_numpy(data.y_train), minlength=3).float()
    with torch.no_grad():
        for p in result.model.parameters():
            p.zero_()
        result.model[-1].bias.copy_((counts / counts.sum()).log())
    result.best_state = None
    path = tmp_path / f"{JOB_A}.pt"
    save_checkpoint(path, result)
    return spec, path


def test_hessian_at_a_built_saddle_finds_it_and_escapes(tmp_path, data_dir):
    spec, path = zero_saddle_checkpoint(tmp_path, data_dir)
    probe = {"kind": "hessian", "job_id": JOB_A, "weights": "best", "batches": 10, "k": 3,
             "iters": 71}
    out = run_probe({**spec, "probe": probe}, data_dir=data_dir,
                    checkpoint_of=lambda job: tmp_path / f"{job}.pt")
    result = as_json(out.result)
    assert any("kept no best weights" in note for note in out.notes)
    assert result["samples"] == 142 and result["grad_norm"] < 1e-5  # the whole training set
    exact = torch.linalg.eigvalsh(dense_hessian(objective_of(spec, path, data_dir, 10)))
    assert result["verdict"] == "saddle_point"
    assert result["min"] == pytest.approx(float(exact[0]), rel=1e-3) and result["min"] < -0.01
    # the escape: a checkpoint load_model reads, at a lower loss, moved by the step it says
    escape = result["escape"]
    assert escape["loss_after"] < escape["loss_before"] == pytest.approx(result["loss"])
    moved_path = tmp_path / "moved.pt"
    save_checkpoint(moved_path, out.checkpoint, **out.checkpoint_extra)
    for which in ("best", "last"):
        moved = objective_of(spec, moved_path, data_dir, 10, weights=which)
        assert moved.value() == pytest.approx(escape["loss_after"], rel=1e-5)
        start = objective_of(spec, path, data_dir, 10).get()
        assert float((moved.get() - start).norm()) == pytest.approx(abs(escape["step"]),
                                                                      rel=1e-4)
    assert torch.load(moved_path, weights_only=True)["source_job_id"] == JOB_A
    # a given step is taken as given (the sign that lowers the loss)
    fixed = run_probe({**spec, "probe": {**probe, "escape_step": 0.05}}, data_dir=data_dir,
                      checkpoint_of=lambda job: tmp_path / f"{job}.pt").result
    assert abs(fixed["escape"]["step"]) == 0.05


def test_hessian_at_a_trained_minimum_says_local_minimum(tmp_path, data_dir):
    # L-BFGS on the whole training set drives the gradient to ~1e-6
    spec, _ = trained_checkpoint(
        tmp_path, data_dir, **TINY, optimizer={"name": "lbfgs", "lr": 1},
        training={"epochs": 30, "batch_size": 1000})
    probe = {"kind": "hessian", "job_id": JOB_A, "weights": "last", "batches": 1, "k": 3,
             "iters": 40}
    result = run_probe({**spec, "probe": probe}, data_dir=data_dir,
                       checkpoint_of=lambda job: tmp_path / f"{job}.pt").result
    assert result["verdict"] == "local_minimum", result
    assert result["min"] >= -1e-3 * max(1.0, result["max"]) and result["grad_norm"] < 1e-4
    assert result["escape"] is None
    # ... and after one epoch of Adam the same model is nowhere near a critical point
    spec, _ = trained_checkpoint(tmp_path, data_dir, JOB_B, **TINY,
                                 training={"epochs": 1, "batch_size": 32})
    early = run_probe({**spec, "probe": {**probe, "job_id": JOB_B}}, data_dir=data_dir,
                      checkpoint_of=lambda job: tmp_path / f"{job}.pt").result
    assert early["verdict"] == "not_critical" and early["grad_norm"] > 0.01


def test_hessian_refuses_a_missing_or_foreign_checkpoint(tmp_path, data_dir):
    probe = {"kind": "hessian", "job_id": JOB_A}
    with pytest.raises(ConfigError, match="has no checkpoint") as error:
        run_probe(probe_spec(probe), data_dir=data_dir,
                  checkpoint_of=lambda job: tmp_path / f"{job}.pt")
    assert error.value.field == "probe.job_id"
    trained_checkpoint(tmp_path, data_dir, dataset={"name": "iris"})  # 4 features, 3 classes
    with pytest.raises(ConfigError, match="shape") as error:
        run_probe(probe_spec(probe), data_dir=data_dir,  # wine: 13 features
                  checkpoint_of=lambda job: tmp_path / f"{job}.pt")
    assert error.value.field == "probe.job_id"


# --- ensemble ----------------------------------------------------------------------------------


def test_ensemble_averages_probabilities_or_outputs():
    y = torch.tensor([0, 1])
    # each member is right on one sample, confidently, and wrong on the other
    a = torch.tensor([[4.0, 0.0], [4.0, 0.0]])
    b = torch.tensor([[0.0, 4.0], [0.0, 4.0]])
    out = ensemble_of([a, b], y, "cross_entropy", 2)
    assert out["members"][0]["val_acc"] == 0.5 and out["ensemble"]["val_loss"] == \
        pytest.approx(math.log(2))  # the average is uniform on both samples
    member_loss = float(F.cross_entropy(a, y))
    assert out["members"][0]["val_loss"] == pytest.approx(member_loss)
    assert out["loss_gain"] == pytest.approx(member_loss - math.log(2))
    # regression: outputs averaged, errors that cancel
    target = torch.tensor([1.0, 2.0])
    out = ensemble_of([torch.tensor([[2.0], [3.0]]), torch.tensor([[0.0], [1.0]])], target,
                      "mse", None)
    assert out["ensemble"] == {"val_loss": 0.0, "val_acc": None}
    assert out["members"][0]["val_loss"] == 1.0 and out["gain"] == 1.0


def test_an_ensemble_of_seeds_beats_its_members_on_a_noisy_task(tmp_path, data_dir):
    # 1000 samples of mnist1d: small and noisy enough that each member overfits its own way
    base = {"dataset": {"name": "mnist1d", "n_train": 1000},
            "model": {"arch": "mlp", "widths": [128]}, "optimizer": {"name": "adam", "lr": 0.003},
            "training": {"epochs": 30, "batch_size": 64, "device": "cpu"}}
    members, kept = [], []
    for seed in range(5):
        spec = {**base, "training": {**base["training"], "seed": seed}}
        result = train(spec, data_dir=data_dir)
        job_id = f"{seed + 1:032x}"
        save_checkpoint(tmp_path / f"{job_id}.pt", result)
        members.append(job_id)
        kept.append(result.history[result.best_epoch])
    out = run_probe({**base, "probe": {"kind": "ensemble", "members": members}},
                    data_dir=data_dir, checkpoint_of=lambda job: tmp_path / f"{job}.pt")
    result = as_json(out.result)
    # each member scores what its training measured at its best epoch
    for mine, theirs in zip(result["members"], kept, strict=True):
        assert mine["val_loss"] == pytest.approx(theirs["val_loss"], rel=1e-5)
        assert mine["val_acc"] == pytest.approx(theirs["val_acc"], abs=1e-6)
    ensemble = result["ensemble"]
    assert ensemble["val_loss"] < min(m["val_loss"] for m in result["members"])
    assert result["loss_gain"] > 0.005
    best = max(result["members"], key=lambda m: (m["val_acc"], -m["val_loss"]))
    assert result["best_member"] == best["job_id"]
    assert result["gain"] == pytest.approx(ensemble["val_acc"] - best["val_acc"])
    assert [s for s, _ in out.points] == list(range(5))
    assert out.points[-1][1]["ensemble_val_loss"] == pytest.approx(ensemble["val_loss"])
    assert out.points[0][1]["ensemble_val_loss"] == pytest.approx(
        result["members"][0]["val_loss"], rel=1e-5)  # an ensemble of one is its member


def test_ensemble_members_must_share_the_specs_data(tmp_path, data_dir):
    trained_checkpoint(tmp_path, data_dir, JOB_A)
    trained_checkpoint(tmp_path, data_dir, JOB_B, dataset={"name": "wine", "seed": 3})
    probe = {"kind": "ensemble", "members": [JOB_A, JOB_B]}
    with pytest.raises(ConfigError, match=r"dataset\.seed") as error:
        run_probe(probe_spec(probe), data_dir=data_dir,
                  checkpoint_of=lambda job: tmp_path / f"{job}.pt")
    assert error.value.field == "probe.members[1]"
    with pytest.raises(ConfigError, match="has no checkpoint") as error:
        run_probe(probe_spec({"kind": "ensemble", "members": [JOB_A, "c" * 32]}),
                  data_dir=data_dir, checkpoint_of=lambda job: tmp_path / f"{job}.pt")
    assert error.value.field == "probe.members[1]"
