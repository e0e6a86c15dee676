"""What experiments found about a run, read into its diagnosis (issue 13).

The curves say *that* a run underfits or is stuck; an experiment run on it can say *why*,
and then its answer is the cause:

- shallow_vs_deep (Lee 1.2.2): a deeper net reaching a lower training loss than the
  shallower one means the shallower lacks capacity, model bias; a deeper net that does
  not even reach the shallower's loss has an optimization issue;
- hessian (Lee 2.1): at a critical point of a stuck run, a clearly negative eigenvalue
  makes it a saddle point (there is a way down), none a local minimum;
- lr_range (CS231n step 3): the learning rate its loss fell fastest at is the one the
  patches that change the lr use.

Every finding is cited as evidence, with the experiment's id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from service.schemas import Evidence

# The verdicts an experiment may give as a cause, and the statuses they explain.
CAUSES = {
    "shallow_vs_deep": {"model_bias", "optimization_issue"},
    "hessian": {"saddle_point", "local_minimum"},
}
EXPLAINS = {"underfitting", "stuck"}


def experiment_cause(status: str, cause: str | None, findings: Sequence[dict[str, Any]]
                     ) -> tuple[str | None, str | None]:
    """The cause the latest fitting experiment found for a run of this status (and the
    kind that found it), else the curves' own cause."""
    for finding in reversed(findings):
        if status in EXPLAINS and finding["verdict"] in CAUSES.get(finding["kind"], ()):
            return finding["verdict"], finding["kind"]
    return cause, None


def evidence(findings: Sequence[dict[str, Any]]) -> list[Evidence]:
    return [
        Evidence(
            signal=f"experiment:{f['kind']}",
            value=f["verdict"],
            message=f"experiment {f['experiment_id']} ({f['kind']}): "
            + (f["result"].get("says") or f["verdict"] or ""),
        )
        for f in findings
    ]


def suggested_lr(findings: Sequence[dict[str, Any]]) -> float | None:
    """The lr the latest lr_range experiment suggested, if any."""
    for finding in reversed(findings):
        lr = finding["result"].get("suggested_lr") if finding["kind"] == "lr_range" else None
        if isinstance(lr, int | float) and lr > 0:
            return float(lr)
    return None


def with_lr(patch: dict[str, Any] | None, lr: float) -> dict[str, Any] | None:
    """A patch that sets the optimizer's lr, with the lr range test's lr instead (not one
    that changes the optimizer too: the test measured the run's own)."""
    optimizer = (patch or {}).get("optimizer") or {}
    if "lr" not in optimizer or "name" in optimizer:
        return patch
    return {**patch, "optimizer": {**patch["optimizer"], "lr": lr}}
