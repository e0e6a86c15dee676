"""The experiment kinds as pure functions: what each plans (specs the JobSpec accepts) and
what it concludes from ended jobs. The end-to-end runs on real workers, with real curves,
are in tests/workers/test_experiments.py."""

from __future__ import annotations

import math

import pytest

from service.errors import Invalid
from service.experiments import KINDS, Done
from service.schemas import EXPERIMENT_KINDS, JobSpec

SPEC = JobSpec.model_validate({
    "dataset": {"name": "mnist1d"},
    "model": {"arch": "mlp", "width": 64, "depth": 2, "dropout": 0.2},
    "optimizer": {"name": "adam", "weight_decay": 1e-4},
    "training": {"epochs": 20},
}).resolved()


def done(role: str, spec=SPEC, phase=0, status="succeeded", result=None, best_epoch=None,
         **curves) -> Done:
    return Done(role=role, phase=phase, job_id=f"job-{role}", status=status, error=None,
                spec=spec, result=result, best_epoch=best_epoch, curves=curves)


def plan(kind: str, options=None, phase=0, finished=(), spec=SPEC):
    k = KINDS[kind]
    return k.plan(spec, k.check(options or {}), phase, list(finished))


def test_the_registry_is_the_contract_list():
    assert tuple(KINDS) == EXPERIMENT_KINDS
    assert all(kind.summary for kind in KINDS.values())


def test_bad_options_are_422_naming_the_option():
    with pytest.raises(Invalid) as bad:
        KINDS["cross_validation"].check({"folds": 1})
    assert bad.value.field == "options.folds"
    with pytest.raises(Invalid) as bad:
        KINDS["overfit_small"].check({"sample": 10})
    assert bad.value.field == "options.sample"
    with pytest.raises(Invalid) as bad:
        KINDS["sweep"].check({"fields": {"optimizer.lr": [0.1, 0.01]}})
    assert bad.value.field.startswith("options.fields")


def test_overfit_small_plans_a_tiny_unregularized_run():
    [small] = plan("overfit_small", {"samples": 32, "epochs": 50})
    spec = JobSpec.model_validate(small.spec).resolved()
    assert spec["dataset"]["n_train"] == 32 and spec["training"]["epochs"] == 50
    assert spec["model"]["dropout"] == 0 and spec["optimizer"]["weight_decay"] == 0
    assert spec["training"]["batch_size"] == 32
    assert plan("overfit_small", phase=1) is None


def test_overfit_small_concludes_from_the_training_loss():
    k = KINDS["overfit_small"]
    options = k.check({})
    fits = k.conclude(SPEC, options, [done("small", train_loss=[2.3, 0.5, 0.01])])
    assert fits.verdict == "can_overfit"
    stuck = k.conclude(SPEC, options, [done("small", train_loss=[2.3, 2.2, 2.1])])
    assert stuck.verdict == "cannot_overfit" and "broken" in stuck.result["says"]


def test_shallow_vs_deep_pairs_a_linear_model_with_a_deeper_one_and_vice_versa():
    linear = {**SPEC, "model": {**SPEC["model"], "arch": "linear", "width": None,
                                "depth": None, "dropout": 0.0}}
    roles = {p.role: p.spec for p in plan("shallow_vs_deep", spec=linear)}
    assert roles["shallow"]["model"]["arch"] == "linear"
    assert roles["deep"]["model"]["arch"] == "mlp" and roles["deep"]["model"]["depth"] == 3
    deep10 = {**SPEC, "model": {**SPEC["model"], "depth": 10, "activation": "sigmoid"}}
    roles = {p.role: p.spec for p in plan("shallow_vs_deep", spec=deep10)}
    assert roles["deep"]["model"]["depth"] == 10
    assert roles["shallow"]["model"]["depth"] == 1
    assert roles["shallow"]["model"]["activation"] == "relu"
    for spec in roles.values():
        JobSpec.model_validate(spec)


@pytest.mark.parametrize(
    ("deep", "shallow", "verdict"),
    [
        ([2.3, 2.3, 2.3], [2.3, 1.0, 0.4], "optimization_issue"),  # deep stuck, shallow fits
        ([2.3, 0.5, 0.05], [2.3, 1.4, 1.2], "model_bias"),  # only the deeper fits
        ([2.3, 0.5, 0.05], [2.3, 0.4, 0.04], "no_issue"),  # both fit
    ],
)
def test_shallow_vs_deep_names_the_cause(deep, shallow, verdict):
    k = KINDS["shallow_vs_deep"]
    out = k.conclude(SPEC, k.check({}), [done("deep", train_loss=deep),
                                         done("shallow", train_loss=shallow)])
    assert out.verdict == verdict, out.result


def test_cross_validation_plans_folds_per_candidate_and_names_the_best():
    jobs = plan("cross_validation", {"folds": 3, "candidates": [{"model": {"width": 256}}]})
    assert [j.role for j in jobs] == [f"c{c}-fold-{f}" for c in (0, 1) for f in range(3)]
    assert {j.spec["dataset"]["fold"] for j in jobs} == {0, 1, 2}
    assert all(j.spec["model"]["width"] == 256 for j in jobs if j.role.startswith("c1"))
    k = KINDS["cross_validation"]
    options = k.check({"folds": 3, "candidates": [{"model": {"width": 256}}]})
    finished = [done(j.role, val_loss=[1.0, 0.5], val_acc=[0.5, 0.8 if j.role[1] == "1"
                                                           else 0.7]) for j in jobs]
    out = k.conclude(SPEC, options, finished)
    assert out.result["best"] == 1 and out.verdict == "candidate_is_best"
    assert out.patch == {"model": {"width": 256}}
    row = out.result["candidates"][1]
    assert row["val_acc"]["mean"] == pytest.approx(0.8) and row["folds"] == 3


def test_ensemble_trains_seeds_then_probes_them():
    members = plan("ensemble", {"members": 3})
    seeds = [m.spec["training"]["seed"] for m in members]
    assert seeds == [SPEC["training"]["seed"] + i for i in range(3)]
    assert len({m.spec["dataset"]["seed"] for m in members}) == 1  # the same split
    finished = [done(m.role) for m in members]
    [probe] = plan("ensemble", {"members": 3}, phase=1, finished=finished)
    assert probe.spec["probe"] == {"kind": "ensemble",
                                   "members": [f"job-member-{i}" for i in range(3)]}


def test_sweep_goes_coarse_then_fine_around_the_best_then_long():
    options = {"fields": {"optimizer.lr": [1e-4, 1e-1]}, "points": 4, "epochs": 3}
    coarse = plan("sweep", options)
    lrs = [j.spec["optimizer"]["lr"] for j in coarse]
    assert lrs == pytest.approx([1e-4, 1e-3, 1e-2, 1e-1])
    finished = [done(j.role, spec=j.spec, val_acc=[0.1, 0.9 if i == 2 else 0.5],
                     val_loss=[1, 1]) for i, j in enumerate(coarse)]
    fine = plan("sweep", options, phase=1, finished=finished)
    fine_lrs = [j.spec["optimizer"]["lr"] for j in fine]
    assert min(fine_lrs) == pytest.approx(1e-2 / math.sqrt(10))
    assert max(fine_lrs) == pytest.approx(1e-2 * math.sqrt(10))
    finished += [done(j.role, spec=j.spec, phase=1, val_acc=[0.1, 0.6], val_loss=[1, 1])
                 for j in fine]
    [final] = plan("sweep", options, phase=2, finished=finished)
    assert final.spec["optimizer"]["lr"] == pytest.approx(1e-2)
    assert final.spec["training"]["epochs"] == SPEC["training"]["epochs"]
    finished.append(done("final", spec=final.spec, phase=2, val_acc=[0.5, 0.95],
                         val_loss=[1, 0.2]))
    out = KINDS["sweep"].conclude(SPEC, KINDS["sweep"].check(options), finished)
    assert out.patch == {"optimizer": {"lr": pytest.approx(1e-2)}}
    for job in coarse + fine + [final]:
        JobSpec.model_validate(job.spec)


def test_hessian_trains_first_when_no_job_is_named():
    k = KINDS["hessian"]
    [trained] = plan("hessian")
    assert trained.role == "trained" and "probe" not in trained.spec
    [probe] = plan("hessian", phase=1, finished=[done("trained")])
    assert probe.spec["probe"]["kind"] == "hessian"
    assert probe.spec["probe"]["job_id"] == "job-trained"
    [direct] = plan("hessian", {"job_id": "abc"})
    assert direct.spec["probe"]["job_id"] == "abc"
    saddle = {"verdict": "saddle_point", "min": -0.5, "max": 3.0, "grad_norm": 1e-4,
              "tolerance": 1e-3, "escape": {"step": 0.1, "loss_before": 1.0,
                                            "loss_after": 0.8}}
    finished = [done("hessian", result=saddle)]
    assert plan("hessian", {"job_id": "abc"}, phase=1, finished=finished) is None
    [escaped] = plan("hessian", {"job_id": "abc", "escape_epochs": 5}, phase=1,
                     finished=finished)
    assert escaped.spec["model"]["init_from"]["job_id"] == "job-hessian"
    out = k.conclude(SPEC, k.check({"job_id": "abc"}), finished)
    assert out.verdict == "saddle_point" and "negative" in out.result["says"]
    stuck_there = [done("hessian", result={**saddle, "escape": None})]
    assert plan("hessian", {"job_id": "abc", "escape_epochs": 5}, phase=1,
                finished=stuck_there) is None  # no step lowered the loss: nothing to start


def test_initial_loss_flags_a_bad_init_and_labels_that_do_not_carry():
    k = KINDS["initial_loss"]
    options = k.check({})
    ln10 = math.log(10)
    ok_probe = {"loss": 2.31, "expected": ln10, "accuracy": 0.1, "chance_accuracy": 0.1,
                "val_samples": 1000}
    learns = done("short", val_acc=[0.3, 0.5], train_loss=[2.2, 1.5])
    assert k.conclude(SPEC, options, [done("initial", result=ok_probe), learns]).verdict \
        == "ok"
    hot = {**ok_probe, "loss": 40.0}
    assert k.conclude(SPEC, options, [done("initial", result=hot), learns]).verdict \
        == "bad_init"
    shuffled = done("short", val_acc=[0.1, 0.11], train_loss=[2.3, 2.1])
    out = k.conclude(SPEC, options, [done("initial", result=ok_probe), shuffled])
    assert out.verdict == "labels_not_learnable"


def test_lr_range_and_transfer_plan_their_jobs():
    [probe] = plan("lr_range", {"steps": 50})
    assert probe.spec["probe"] == {"kind": "lr_range", "lr_min": 1e-7, "lr_max": 10.0,
                                   "steps": 50}
    with pytest.raises(Invalid):
        plan("lr_range", {"lr_min": 1.0, "lr_max": 0.5})
    k = KINDS["lr_range"]
    out = k.conclude(SPEC, k.check({}), [done("range", result={"suggested_lr": 3e-3})])
    assert out.patch == {"optimizer": {"lr": 3e-3}}
    jobs = {j.role: j.spec for j in plan("transfer", {"source_job_id": "src"})}
    assert jobs["transfer"]["model"]["init_from"] == {"job_id": "src", "weights": "best",
                                                      "freeze": "none"}
    assert not jobs["scratch"]["model"].get("init_from")


def test_an_ensemble_is_judged_on_the_validation_loss():
    k = KINDS["ensemble"]
    members = [{"job_id": f"m{i}", "val_loss": 1.2 + i / 10, "val_acc": 0.60 - i / 100}
               for i in range(3)]
    better = {"ensemble": {"val_loss": 1.1, "val_acc": 0.59}, "members": members}
    out = k.conclude(SPEC, k.check({"members": 3}), [done("ensemble", result=better)])
    assert out.verdict == "ensemble_better" and "0.59" in out.result["says"]
    worse = {"ensemble": {"val_loss": 1.25, "val_acc": 0.61}, "members": members}
    assert k.conclude(SPEC, k.check({"members": 3}), [done("ensemble", result=worse)]
                      ).verdict == "no_gain"
