"""Probe jobs: what a JobSpec's optional `probe` section may ask for, and its bounds.

A probe job measures instead of (only) training: the worker runs the probe
(workers/training/probes.py) in place of `train`, writes its curve as the run's metric
points and its findings as the job's `result`. One kind per entry of PROBE_KINDS:

- `initial_loss`: the untrained model's loss on a fixed subset of the training data, vs
  what it should be (ln C for cross-entropy over C classes; for MSE, the MSE of the best
  constant prediction);
- `lr_range`: Leslie Smith's learning-rate range test, `steps` mini-batches with the lr
  growing exponentially from `lr_min` to `lr_max`;
- `hessian`: the extreme eigenvalues of the training loss's Hessian at a trained job's
  weights (Lanczos on Hessian-vector products), the gradient norm, and a verdict;
- `ensemble`: the members' averaged predictions on the validation set vs each member.

Standard library only: the pydantic JobSpec (service/schemas.py) and the engine's config
(workers/training/config.py) both take these names and bounds, and
tests/training/test_jobspec_contract.py keeps the two in step. The rules that tie a probe
to the rest of the spec are `check_probe` (rules.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PROBE_KINDS = ("initial_loss", "lr_range", "hessian", "ensemble")

# A job's id, as the store makes them (32 hex characters): a probe names other jobs by it,
# and nothing else is ever turned into a checkpoint's file name.
JOB_ID_PATTERN = r"[0-9a-f]{32}"

# initial_loss: at most this many training batches (of training.batch_size) are measured.
INITIAL_LOSS_BATCHES = 10
MAX_INITIAL_LOSS_BATCHES = 1_000

# lr_range: the sweep's length, and the stop: the smoothed loss above DIVERGENCE x its best.
LR_RANGE_STEPS = 100
MAX_LR_RANGE_STEPS = 1_000
LR_RANGE_DIVERGENCE = 4.0

# hessian: batches of the fixed subset, eigenvalues at each end, Lanczos iterations (the
# basis holds `iters` vectors the size of the model: memory iters x parameters x 4 bytes).
MAX_HESSIAN_BATCHES = 64
MAX_HESSIAN_K = 20
MAX_HESSIAN_ITERS = 300

# ensemble: how many member jobs.
MIN_ENSEMBLE_MEMBERS = 2
MAX_ENSEMBLE_MEMBERS = 20

WEIGHTS = ("best", "last")  # which of a checkpoint's weights a probe reads


def probe_jobs(probe: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """The other jobs a probe reads (their checkpoints), as (field path under the spec,
    job id): a hessian's `probe.job_id`, an ensemble's `probe.members[i]`."""
    if not probe:
        return []
    if probe.get("kind") == "hessian":
        return [("probe.job_id", probe["job_id"])]
    if probe.get("kind") == "ensemble":
        return [(f"probe.members[{i}]", member) for i, member in enumerate(probe["members"])]
    return []


def probe_steps(probe: Mapping[str, Any]) -> int:
    """How many steps a probe's progress counts (the job's `progress.epochs`): its metric
    points' steps are 0 .. probe_steps - 1 at most (an lr_range that diverges stops early,
    a Lanczos that finds an invariant subspace too)."""
    kind = probe["kind"]
    if kind == "lr_range":
        return int(probe["steps"])
    if kind == "hessian":
        return int(probe["iters"])
    if kind == "ensemble":
        return len(probe["members"])
    return 1
