"""Every number the advisor's rules compare against, in one place.

Each rule is relative: a ratio to the chance-level loss (ln C for C classes; the starting
loss when there is no chance level), a relative change over a window of the run, or a
fraction of epochs. The comment on each field names the measurement that chose it: the
range of the signal over the 71 real runs of `bench/advisor/curves/`
(`python -m bench.advisor.measure` prints them), "faulty" meaning the runs built with the
fault in question and "clean" the others. The held-out runs (`curves/holdout/`) were not
used. README.md beside this file has the same table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Thresholds:
    # --- how much data is enough ----------------------------------------------------------
    # Three points are the fewest that show a trend; five validation points the fewest that
    # show a turn (a best point with two on each side).
    min_points: int = 3
    min_val_points: int = 5
    # The "end of the run" is its last 25% of steps (at least 3 points): short enough that a
    # run which converged half-way reads flat, long enough to average out epoch noise.
    tail_fraction: float = 0.25

    # --- dense logging ----------------------------------------------------------------------
    # Training points per validation point above which the training loss is treated as
    # per-batch logging and averaged per validation interval.
    dense_ratio: float = 3.0
    # Per-batch logging without validation is averaged into this many intervals.
    dense_bins: int = 50
    # Longer series are averaged down to this many points (bounds the cost, not the answer).
    max_points: int = 2000

    # --- diverging ---------------------------------------------------------------------------
    # Non-finite points needed to call a loss non-finite (unless the last point is): one
    # isolated NaN that recovers is a logging glitch, not divergence.
    nonfinite_points: int = 2
    # Loss at the end / max(start, chance). Finite explosions end at 340x-1e28x; the
    # highest other run ends at 1.01x (a net that died at chance).
    explode_ratio: float = 3.0
    # A first epoch above this many times max(chance, the epochs that follow) blew up (the
    # lr-too-high runs: 340x and 740x); a fast first epoch of a clean run stays below chance.
    # Without a chance level (regression) only a 10x jump counts.
    spike_ratio: float = 3.0
    spike_ratio_no_chance: float = 10.0

    # --- oscillating --------------------------------------------------------------------------
    # A "big jump": the loss changes by this factor from one point to the next, measured on
    # loss + jump_floor x chance so that noise near zero loss does not count.
    jump_ratio: float = 1.25
    jump_floor: float = 0.05
    # Fraction of steps in the second half of the run with a big jump (up or down, both
    # present). Oscillating runs: 0.27-0.87 (0.25 and up when cut at 50% or 75%); every
    # other run that is not diverging, full or cut: at most 0.03.
    oscillation_rate: float = 0.15

    # --- stuck ---------------------------------------------------------------------------------
    # Progress = fall of the training loss from chance (or start) to the end of the run.
    # Stuck runs: -3.6 ... +0.03; the slowest learner that is not stuck (a linear model on
    # mnist1d) made 0.28.
    stuck_progress: float = 0.10
    # Training accuracy gain over chance, as a fraction of the possible gain (1 - 1/C).
    # Saturated-MSE runs gain 0.00-0.11; the weakest classifier that is not stuck: 0.26.
    chance_acc_gain: float = 0.15
    # A stuck loss ending this much above its first epoch was blown up by the lr (dead-ReLU
    # runs end 1%-18% above it; runs stuck for other reasons end at or below it).
    rise_ratio: float = 0.02
    # Fraction of steps on which a stuck loss fell: above this it is a steady, tiny descent
    # (the lr is too low: 1e-6 Adam fell on 100% of epochs) rather than a flat line.
    steady_descent: float = 0.8
    # Gradient norm below this absolute value is "tiny" (loss and inputs are normalised).
    grad_tiny: float = 1e-4

    # --- learning rate (from params/spec) -------------------------------------------------------
    # The lr as a multiple of the optimizer's usual one (Adam 1e-3, SGD 3e-2 ...). The
    # lecture sweeps 1e-4 ... 1e-1. Adam at 1e-6 and SGD at 1e-5 (1/1000) stuck; Adam at
    # 0.05-1.0 (50x+) oscillated or died; every clean run is within 1/10 ... 3x.
    lr_low_factor: float = 0.01
    lr_high_factor: float = 30.0
    # Hidden layers of sigmoid/tanh (without BatchNorm) from which gradients vanish: 5-8
    # layers stuck at chance in every run, 1 layer trained.
    deep_layers: int = 4

    # --- underfitting -------------------------------------------------------------------------
    # Training loss at the end / chance. Under-capacity runs: 0.39-0.72; healthy
    # classifiers: at most 0.11. Without a chance level (regression) the ratio is to the
    # start, and only 0.8 counts: the noisy diabetes target keeps 0.70 in a healthy run.
    high_loss_ratio: float = 0.25
    high_loss_ratio_no_chance: float = 0.8
    # Still improving: the fall projected over another run of the same length (tail slope x
    # run length, capped at the level) must be >= improving_drop of the level AND >=
    # improving_abs of chance. Stopped-early runs: >= 0.23 and >= 0.11; converged healthy
    # runs: <= 0.055 of chance; model-bias runs: <= 0.084 of their level.
    improving_drop: float = 0.1
    improving_abs: float = 0.08
    # ... and the validation loss projected to fall by this fraction too.
    improving_val_drop: float = 0.04

    # --- overfitting ----------------------------------------------------------------------------
    # Validation loss at the end above its best: relative, and in units of chance.
    # Overfitted runs: >= 0.11 and >= 0.021; clean runs whose val rose >= 0.10 did so by
    # <= 0.004 of chance (tiny losses on wine); the largest clean absolute rise is 0.020
    # (diabetes regression, a 3.5% relative rise).
    val_rise: float = 0.10
    val_rise_abs: float = 0.01
    # The training loss must have kept falling since the validation best (relative).
    # Overfitted runs: >= 0.79; clean runs: <= 0.10.
    train_fall: float = 0.3
    # Generalisation gap (val - train) at the end in units of chance, and its growth over
    # the second half, for runs whose val loss stalls rather than rises (a fallback: every
    # overfitted run in the benchmark also turned up). Overfitted gaps: 0.13-1.7; the
    # largest clean gap: 0.24 (diabetes MLP, growing 5%).
    gap_large: float = 0.3
    gap_growth: float = 0.2
    # Accuracy gap (train - val) reported as supporting evidence (AUTOTRAINER uses 0.07-0.1).
    acc_gap: float = 0.1

    # --- mismatch ---------------------------------------------------------------------------------
    # Validation never improves: its best is within the first `mismatch_best_points` points
    # and at most `mismatch_val_gain` below its first value, while training fell by
    # `mismatch_train_progress` of its start. Mismatched runs: best at point 0, gain 0,
    # training fell >= 0.60. Overfitted runs: best at point >= 3 with a gain >= 0.039.
    mismatch_best_points: int = 2
    mismatch_val_gain: float = 0.03
    mismatch_train_progress: float = 0.3


DEFAULT = Thresholds()
