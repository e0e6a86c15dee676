"""What experiments found about a run, in its diagnosis: real curves of the advisor
benchmark with a finding attached as the store would read it."""

from __future__ import annotations

from dataclasses import replace

from service.advisor import diagnose


def finding(kind: str, verdict: str, **result) -> dict:
    return {"experiment_id": f"exp-{kind}", "kind": kind, "verdict": verdict,
            "result": {"says": f"{kind} says {verdict}", **result}}


def test_a_stuck_runs_cause_comes_from_a_hessian_experiment(run):
    series, facts, _ = run("stuck_vanish_mnist1d_deep")
    plain = diagnose(series, facts)
    assert plain.status.value == "stuck"
    for verdict in ("saddle_point", "local_minimum"):
        told = diagnose(series, replace(facts, findings=[finding("hessian", verdict)]))
        assert told.status == plain.status and told.cause == verdict
        assert verdict.replace("_", " ") in told.summary and "hessian" in told.summary
        cited = [e for e in told.evidence if e.signal == "experiment:hessian"]
        assert cited and "exp-hessian" in cited[0].message


def test_an_underfitting_runs_cause_comes_from_shallow_vs_deep(run):
    series, facts, _ = run("bias_mnist1d_linear_adam")
    plain = diagnose(series, facts)
    assert plain.status.value == "underfitting"
    told = diagnose(series, replace(facts, findings=[
        finding("shallow_vs_deep", "optimization_issue")]))
    assert told.cause == "optimization_issue"
    # the latest finding is the one that counts
    told = diagnose(series, replace(facts, findings=[
        finding("shallow_vs_deep", "optimization_issue"),
        finding("shallow_vs_deep", "model_bias")]))
    assert told.cause == "model_bias"


def test_a_finding_does_not_change_the_status_or_a_healthy_run(run):
    series, facts, _ = run("healthy_digits_mlp")
    plain = diagnose(series, facts)
    told = diagnose(series, replace(facts, findings=[finding("hessian", "saddle_point")]))
    assert told.status == plain.status and told.cause == plain.cause
    assert any(e.signal == "experiment:hessian" for e in told.evidence)  # still cited


def test_lr_range_sets_the_lr_of_the_patches_that_change_it(run):
    series, facts, _ = run("stuck_lowlr_breast_sgd")
    told = diagnose(series, replace(facts, findings=[
        finding("lr_range", "suggested_lr", suggested_lr=0.0123)]))
    optimizers = [s.patch["optimizer"] for s in told.suggestions
                  if s.patch and "lr" in (s.patch.get("optimizer") or {})]
    same = [o["lr"] for o in optimizers if "name" not in o]
    other = [o["lr"] for o in optimizers if "name" in o]
    assert same and set(same) == {0.0123}
    assert other and 0.0123 not in other  # a switch to another optimizer keeps its own lr
