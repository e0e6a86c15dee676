"""Every number the advisor's rules compare against or weigh confidence with, in one place.

Each rule is relative: a ratio to the chance-level loss (ln C for C classes; the starting
loss when there is no chance level), a relative change over a window of the run, or a
fraction of epochs. The comment on each field says what chose it. A *measurement* is the
range of the signal over the 71 real runs of `bench/advisor/curves/`
(`python -m bench.advisor.measure` prints them; run names in brackets), "faulty" meaning
the runs built with the fault in question and "clean" the others; the threshold sits in
the gap. The held-out runs (`curves/holdout/`) were not used. A *convention* is a number no
benchmark run separates (a minimum window, how a strength or a confidence is scaled); the
comment says why that value.

`Thresholds` holds the rules (when a check fires, and its "far" end: where the finding's
strength, 0 at the threshold, reaches 1); `Confidence`, held by it as `.confidence`, the
weights that turn the deciding finding's strength into the diagnosis's confidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Confidence:
    """How sure a diagnosis is (decide.confidence). All conventions: no label in the
    benchmark says how sure a diagnosis should be. The scale runs from `floor` (a guess)
    to `ceiling` (never certain: the advisor reads curves, not the model)."""

    # Strength of a finding that is a fact rather than a margin past a threshold: NaN/inf in
    # the loss, too few points, a first epoch that blew up.
    certain: float = 1.0
    # Strength of a cause read from the configuration or from one gradient-norm reading (MSE
    # on classes, tiny gradients). These findings only ever name a cause, and only the
    # deciding findings enter the confidence, so the value is informational.
    likely: float = 0.8
    # insufficient_data: "too few points" is itself certain; 0.9 leaves room for a client
    # that logs under a name the aliases miss.
    insufficient: float = 0.9
    # healthy: a base of 0.6, plus `healthy_bonus` for each of: a validation loss logged, the
    # run finished (not still improving), at least `long_run_points` training points. All
    # three: 0.9. Ten evenly spaced points are the fewest whose last 25% (the tail the end
    # level is read on) holds tail_min_points = 3 points without the fallback.
    healthy_base: float = 0.6
    healthy_bonus: float = 0.1
    long_run_points: int = 10
    # Every other status: base + margin_weight x the deciding finding's strength (0.6 at
    # the threshold, 0.95 far past it), less `by_elimination` for a cause chosen because
    # nothing else was found (critical_point), less `short_run_penalty` for fewer than
    # `short_run_points` training points, kept within [floor, ceiling]. Below five points
    # the three-point tail is most of the run, so "the end" and "the start" overlap.
    base: float = 0.6
    margin_weight: float = 0.35
    by_elimination: float = 0.1
    short_run_points: int = 5
    short_run_penalty: float = 0.1
    floor: float = 0.3
    ceiling: float = 0.99


@dataclass(frozen=True)
class Thresholds:
    # --- how much data is enough ----------------------------------------------------------
    # Convention: three points are the fewest that show a trend; five validation points the
    # fewest that show a turn (a best point with two on each side). The shortest benchmark
    # runs that are not diverging have 5 and 6 points (killed early).
    min_points: int = 3
    min_val_points: int = 5
    # The "end of the run" is its last 25% of steps, and at least `tail_min_points` points
    # (convention: the fewest whose median ignores one bad epoch): short enough that a run
    # which converged half-way reads flat, long enough to average out epoch noise. The
    # validation slope in "still improving" takes the steps of the training tail, and at
    # least `val_tail_min_points` points (convention: a slope needs two).
    tail_fraction: float = 0.25
    tail_min_points: int = 3
    val_tail_min_points: int = 2

    # --- dense logging ----------------------------------------------------------------------
    # Convention (every benchmark run logs once per epoch, one training point per validation
    # point, so none is binned): training points per validation point from which the
    # training loss is treated as per-batch logging and averaged per validation interval;
    # validation points needed to bin by them (as min_points; fewer: `dense_bins` groups).
    dense_ratio: float = 3.0
    dense_min_val_points: int = 3
    # Per-batch logging without validation is averaged into this many intervals (convention:
    # about as many points as an epoch-logged benchmark run, 20-200; the 25% tail holds 12).
    dense_bins: int = 50
    # Longer series are averaged down to this many points (bounds the cost, not the answer).
    max_points: int = 2000
    # An averaged interval whose finite points are at most this share of its points is NaN
    # (convention: the loss was mostly NaN during that interval, a majority rule).
    bin_finite_share: float = 0.5

    # --- the start of the run (curves._start) -------------------------------------------------
    # A first epoch is compared with the median of the next `spike_next_points` (convention:
    # the fewest whose median ignores one odd epoch). A spike is skipped only in a run of at
    # least min_points points.
    spike_next_points: int = 3

    # --- diverging ---------------------------------------------------------------------------
    # Non-finite points needed to call a loss non-finite (unless the last point is): one
    # isolated NaN that recovers is a logging glitch, not divergence.
    nonfinite_points: int = 2
    # Loss at the end / max(start, chance). Finite explosions end at 340x-1e28x; the
    # highest other run ends at 1.01x (a net that died at chance).
    explode_ratio: float = 3.0
    # Strength reaches 1 at e^5 ~ 150x, on ln(ratio) (convention: explosions span 30 orders
    # of magnitude, so the scale is logarithmic; the smallest finite explosion, 340x, is
    # already past it).
    explode_far_log: float = 5.0
    # A first epoch above this many times max(chance, the epochs that follow) blew up (the
    # lr-too-high runs: 342x and 743x); every other classifier's first epoch is at most 1.66x
    # (stuck_highlr_mnist1d_cnn; 1.48x the largest of a run without an lr fault). Without a
    # chance level (regression) only a 10x jump counts: fast first epochs of the diabetes
    # runs reach 2.96x their next ones (overfit_diabetes_mlp).
    spike_ratio: float = 3.0
    spike_ratio_no_chance: float = 10.0

    # --- oscillating --------------------------------------------------------------------------
    # Oscillation is judged on the last `oscillation_window` of the points (convention: the
    # second half, where an early wobble that settled is no fault), in a run of at least
    # `oscillation_min_points` points (convention: that window then holds 4 steps, enough
    # for both an up and a down jump; the oscillating runs have 30).
    oscillation_min_points: int = 8
    oscillation_window: float = 0.5
    # A "big jump": the loss changes by this factor from one point to the next, measured on
    # loss + jump_floor x chance so that noise near zero loss does not count.
    jump_ratio: float = 1.25
    jump_floor: float = 0.05
    # Fraction of steps in the second half of the run with a big jump (up or down, both
    # present). Oscillating runs: 0.27-0.87 (0.25 and up when cut at 50% or 75%); every
    # other run that is not diverging, full or cut: at most 0.03. Strength 1 at 0.5 (half
    # of the steps jump; the oscillating runs span 0.27-0.87 around it).
    oscillation_rate: float = 0.15
    oscillation_far: float = 0.5
    # At least this many big jumps: a single spike and its return (two jumps) in a short
    # window is one bad batch. (After the first reading of the report half: an early-stopped
    # iris run of 11 points with one spike was called oscillating; the oscillating runs of
    # both benchmarks jump 4 times or more.)
    oscillation_min_jumps: int = 3
    # ... and, when the run's lr is known, only at an lr the advisor calls too high
    # (`lr_high_factor`, on the step it takes: heavy-ball momentum above 0.9 counted, facts.
    # Hyper.momentum_gain): oscillation is the lr too high for the optimizer. Labelled
    # oscillating runs of the three repair splits and of the old benchmark: >= 50x (SGD at
    # lr 0.5 with momentum 0.99: 167x); runs that jumped from batch noise after an lr fix
    # (BatchNorm on batches of 8-16, 30-200 samples, tiny validation sets) and a rotated
    # validation frame: <= 10x, most <= 3.3x. Added after the fresh split was read.
    # Below it, a jump counts only when it moves the loss by `oscillation_usual_step` x its
    # scale (chance, else the start) or more: the optimizer overshooting at a usual lr
    # (RMSprop with a short memory and momentum: 27-70% of chance per jump) moves the loss
    # by a good part of its scale, batch noise and a converged net's last bits do not (the
    # runs the lr rule had kept healthy: <= 5% of it). (After the fourth split's reading,
    # where the lr rule had named none of six oscillations at usual lrs.)
    oscillation_usual_step: float = 0.15

    # --- stuck ---------------------------------------------------------------------------------
    # Progress = fall of the training loss from chance (or start) to the end of the run.
    # Stuck runs: -3.6 ... +0.03; the slowest learner that is not stuck (a linear model on
    # mnist1d) made 0.28. Strength 1 at no progress at all (convention: 0 is the natural end).
    stuck_progress: float = 0.10
    stuck_far: float = 0.0
    # Training accuracy gain over chance, as a fraction of the possible gain (1 - 1/C).
    # Saturated-MSE runs gain 0.00-0.11; the weakest classifier that is not stuck: 0.26.
    # Strength 1 at no gain (as for the loss).
    chance_acc_gain: float = 0.15
    chance_acc_far: float = 0.0
    # The highest chance accuracy of a balanced task (two classes): the base the gain is
    # measured from when the number of classes is not known and the first epoch is above it.
    max_chance_acc: float = 0.5
    # Accuracies whose largest value is above this are percentages (convention: a fraction
    # never exceeds 1, and a percentage is above 1.5 as soon as a model beats 1.5% accuracy;
    # every benchmark run logs fractions, at most 1.0).
    percent_above: float = 1.5
    # A stuck loss ending this much above its first epoch was blown up by the lr (dead-ReLU
    # runs end 1%-18% above it; runs stuck for other reasons end at or below it). Strength 1
    # at 30% above (convention: past the largest such rise). It counts only while the loss
    # ends at >= `rise_min_level` x chance (convention: a loss below half of chance has
    # learned, whatever its first epoch was; every classifier whose loss rose 2%+ ends at
    # >= 1.01x chance, stuck_highlr_mnist1d_sgd, the diverging ones at >= 52x).
    rise_ratio: float = 0.02
    rise_far: float = 0.3
    rise_min_level: float = 0.5
    # A steady crawl (lr too low): the loss fell on >= steady_descent of its steps but by
    # < crawl_progress of chance (or start) in total, in a run of >= crawl_min_points
    # points. Falling fraction: lr-too-low runs 1.00; runs stuck for other reasons: <= 0.79
    # (stuck_vanish_mnist1d_small_init) or, when they fall steadily (saturated MSE), by
    # >= 0.50. Total fall of the steadily falling runs: lr-too-low 0.001-0.054; every other
    # >= 0.24 (bias_wine_1_feature). Strength 1 when every step falls. Five points
    # (convention): four steps, where only a fall on every one of them passes 0.8; fewer
    # steps are too coarse a fraction to tell a crawl from noise.
    steady_descent: float = 0.8
    steady_far: float = 1.0
    crawl_progress: float = 0.2
    crawl_min_points: int = 5
    # ... and a crawl blames the lr only when it is below the optimizer's usual one (or not
    # known). Crawls of the lr-too-low runs (both benchmarks): lr <= 0.001 of the usual;
    # every other crawl ran at 3x the usual (a deep net without BatchNorm, an lr collapse,
    # a 5-epoch run).
    crawl_lr_ratio: float = 1.0
    # Gradient norm below this absolute value is "tiny" (loss and inputs are normalised),
    # while the loss is still >= `grad_tiny_min_level` x chance (or start). Convention, below
    # every measurement: the smallest gradient norm at the end of any run is 2.2e-4 (a
    # converged run, overfit_breast_mlp, whose loss ends at 2e-5 of chance: the loss level is
    # what tells "converged" from "vanished"); the vanishing-gradient runs end at 0.11-0.15
    # and are caught by their depth. The rule is for clients that log grad_norm.
    grad_tiny: float = 1e-4
    grad_tiny_min_level: float = 0.5

    # --- learning rate (from params/spec) -------------------------------------------------------
    # The lr as a multiple of the optimizer's usual one (the catalogue's usual_lr: Adam 1e-3,
    # SGD 1e-2 ...). The lecture sweeps 1e-4 ... 1e-1. Measured (lr.ratio): lr-too-low runs
    # 1/1000 (Adam 1e-6, SGD 1e-5); runs stuck from a high lr 100x-1000x, oscillating Adam
    # 50x-100x; diverging runs 20x-500x (SGD; div_diabetes_sgd at 20x) and one at 1x (a
    # schedule that ran away); runs stuck for other reasons 5x-10x; the clean runs 1x-30x:
    # SGD <= 10x (bias_mnist1d_linear_sgd), Adam up to 30x (healthy_iris_linear, 0.03), which
    # is on the threshold: lr_high fires there, and its diagnosis stays healthy (no healthy
    # reading shows an lr finding). No run lies between 1/1000 and 1x.
    lr_low_factor: float = 0.01
    lr_high_factor: float = 30.0
    # Strength 1 at 1/10,000 and at 1000x, on log10 of the ratio (convention: two decades
    # past the threshold, the width of the lecture's sweep 1e-4 ... 1e-1).
    lr_low_far: float = 1e-4
    lr_high_far: float = 1000.0
    # Hidden layers of sigmoid/tanh (without BatchNorm) from which gradients vanish: 5-8
    # layers stuck at chance in every run, 1 layer trained. Strength 1 at 8 (the deepest
    # measured).
    deep_layers: int = 4
    # ... and of a convolutional net's sigmoid/tanh conv layers: every such CNN/CNN1D of 3
    # or more layers without BatchNorm in the ten splits was stuck at chance (vanishing:
    # 3-layer sigmoid CNNs on stripes and strokes, default and small init, read critical
    # point; with MSE, saturated); none trained. (After the tenth split's reading.)
    deep_conv_layers: int = 3
    deep_far: int = 8

    # --- underfitting -------------------------------------------------------------------------
    # Training loss at the end / chance. Under-capacity runs: 0.39-0.72; healthy
    # classifiers: at most 0.11. Without a chance level (regression) the ratio is to the
    # start, and only 0.8 counts: the noisy diabetes target keeps 0.70 in a healthy run.
    # Strength 1 at 3x the threshold, at most at the reference itself (convention: 0.75 of
    # chance, just past the under-capacity runs; 1.0 of the start without a chance level).
    high_loss_ratio: float = 0.25
    # ... and a regression's against its baseline loss (the training targets' variance
    # under MSE): the model explains less than 85% of it. Healthy regressions of the nine
    # splits end at <= 0.036 of it, the underfitting ones at >= 0.20 (a linear model of a
    # projectile's range, 0.21, read healthy under the classifiers' 0.25: after the ninth
    # split's reading). Noisy targets are excused apart (`_fits_past_validation`).
    high_loss_ratio_baseline: float = 0.15
    high_loss_ratio_no_chance: float = 0.8
    # ... lower under regularisation far stronger than usual, which holds the weights back
    # whatever the model could fit: an l1/l2 penalty or coupled weight decay of
    # `strong_penalty` or more (usual 1e-4 - 1e-3; the healthy runs of all splits <= 0.01),
    # AdamW's decoupled decay of `strong_decoupled_decay` or more (usual 0.01 - 0.1; healthy
    # <= 0.1), dropout of `strong_dropout` or more (usual 0.1 - 0.5; healthy <= 0.2). Such
    # runs ended at 20% of chance (a linear model on digits, l2 0.1) and 50% of their start
    # (a regression under AdamW decay 10) with no gap, and read healthy. (After the fourth
    # split's reading; the labelled ones: penalties 0.05-0.2, decay 10, dropout 0.9.)
    strong_penalty: float = 0.03
    strong_decoupled_decay: float = 1.0
    strong_dropout: float = 0.7
    high_loss_ratio_regularized: float = 0.1
    high_loss_ratio_regularized_no_chance: float = 0.3
    high_loss_far_factor: float = 3.0
    high_loss_far_cap: float = 1.0
    # Still improving: the fall projected over another run of the same length (tail slope x
    # run length, capped at the level) must be >= improving_drop of the level AND >=
    # improving_abs of chance. Stopped-early runs: >= 0.23 and >= 0.11; converged healthy
    # runs: <= 0.055 of chance; model-bias runs: <= 0.084 of their level. Strength 1 at half
    # the level (convention: the middle of the stopped-early runs, 0.23-1.0).
    improving_drop: float = 0.1
    improving_abs: float = 0.08
    improving_far: float = 0.5
    # ... and the validation loss projected to fall by this fraction too.
    improving_val_drop: float = 0.04
    # Undertrained needs more than a loss still falling: a run that finished its planned
    # epochs must also end with the training loss at least this share of chance (of its
    # start without one). Measured over the old benchmark and the repair benchmark's tune
    # half, on runs still falling when they finished: labelled undertrained 0.23-0.86,
    # labelled healthy 0.12-0.17. A run that ended before its plan (killed while still
    # improving) is undertrained at any level (the old benchmark's killed digits cnn: 0.13).
    undertrained_level: float = 0.2
    # A net this narrow cannot fit much: a hidden layer of at most `tiny_units` units (MLP)
    # or `tiny_channels` channels (CNN). Still falling slowly at a high level, it is model
    # bias, not too few epochs. Labelled model bias in the four splits: a 1-unit bottleneck,
    # 1- and 2-channel cnn1ds, a 1-filter CNN (read undertrained at 2.4: "train longer");
    # every other run of the splits has >= 8 units or channels. (After the fourth split's
    # reading.)
    # A regression job whose loss starts at `unscaled_target_loss` or more (MSE of targets
    # far from unit scale; the engine standardises inputs, not targets) and that diverges,
    # oscillates or is stuck: standardising the targets comes first in its plan. (After the
    # fifth split's reading: targets in grams diverged at SGD's usual lr and two lower lrs
    # did not help. Their loss is NaN from the first epoch, which says nothing of scale, so
    # that case is not caught: a blow-up at a usual lr was tried as the sign, and it sent
    # deep nets that diverged after a change of init, targets at unit scale, the wrong way.)
    unscaled_target_loss: float = 100.0
    tiny_units: int = 4
    tiny_channels: int = 2
    # A schedule that has brought the lr down to this share of its peak has ended: the loss
    # still falling at the end is the annealing at work, not a sign that more epochs at this
    # lr would help (healthy cosine/onecycle runs end at 0.0007-0.021 of their peak, both
    # benchmarks; convention: a little above the largest).
    lr_annealed: float = 0.05
    # An lr collapse: the schedule cut the lr to `lr_collapse` of its peak before
    # `lr_collapse_at` of the run, and the training loss then moved less than
    # `lr_collapse_flat` of its level to the end: training stopped because the lr did. Tune
    # half: collapsed runs cut to <= 0.0016 of the peak at 7%-75% of the run, their loss
    # then moving <= 3.4%; healthy decaying schedules reach 1% of their peak only in the
    # last 5% of the run (both benchmarks).
    lr_collapse: float = 0.01
    lr_collapse_at: float = 0.8
    lr_collapse_flat: float = 0.1
    # ... unless the validation loss had gone this many points without a new best when the
    # lr was first cut: a cut that answers a plateau (reduce-on-plateau) is not the cause of
    # one. (Changed after the first reading of the report half: a healthy SGD regression
    # with a plateau schedule, whose val loss had stalled 3 epochs at the first cut, was
    # called an lr collapse; the tune half's collapses cut at epoch 1-2 mid-descent.)
    lr_cut_after_stall: int = 2
    # ... or, whatever it moved in total, the loss fell per epoch after the cut less than
    # this share of its pace over the `lr_collapse_window` epochs before it (a descent the
    # cut stopped, which a long run after it drags a little further). The plateau cut of the
    # fresh split: 0.08 of its pace; the healthy step and exponential schedules of all three
    # splits never reach 1% of their peak before 80% of the run. Added after the fresh
    # split was read.
    lr_collapse_slowdown: float = 0.1
    lr_collapse_window: int = 5

    # --- overfitting ----------------------------------------------------------------------------
    # The validation best is read on a moving average of `val_smooth` points (convention: the
    # smallest centred window), applied from `val_smooth_min_windows` windows of points on
    # (shorter curves are read raw). A best must have `val_after_best` points after it to be
    # a turn (convention: as min_val_points), and the raw best, where to stop early, is
    # looked for before those last points.
    val_smooth: int = 3
    val_smooth_min_windows: int = 3
    val_after_best: int = 2
    # Validation loss at the end above its best: relative, and in units of chance.
    # Overfitted runs: >= 0.11 and >= 0.021; clean runs whose val rose >= 0.10 did so by
    # <= 0.004 of chance (tiny losses on wine); the largest clean absolute rise is 0.020
    # (diabetes regression, a 3.5% relative rise). Strength 1 at a 50% rise (convention:
    # overfitted runs rise 0.11-1.1).
    val_rise: float = 0.10
    # ... and a regression judged against its baseline loss is not model bias when its
    # validation rose `val_rise` from its best while training fell this much after it
    fits_past_fall: float = 0.10
    val_rise_abs: float = 0.01
    val_rise_far: float = 0.5
    # The training loss must have kept falling since the validation best (relative).
    # Overfitted runs: >= 0.79; clean runs: <= 0.10.
    train_fall: float = 0.3
    # Generalisation gap (val - train) at the end in units of chance, and its growth since
    # the point `gap_window` of the way through the run (convention: the midpoint), for runs
    # whose val loss stalls — fell less than `gap_val_stall` since then — rather than rises
    # (a fallback: every overfitted run in the benchmark also turned up). Overfitted gaps:
    # 0.13-1.7; the largest clean gap: 0.24 (diabetes MLP, growing 5%). The stall is a
    # convention, half of improving_drop: no run with a large, growing gap has a falling
    # validation loss (they rose >= 18% since the midpoint). Strength 1 at a gap of chance.
    gap_window: float = 0.5
    gap_large: float = 0.3
    gap_growth: float = 0.2
    gap_val_stall: float = 0.05
    gap_far: float = 1.0
    # Accuracy gap (train - val) reported as supporting evidence (AUTOTRAINER uses 0.07-0.1).
    # Strength 1 at 50 points (convention; the gap is never deciding).
    acc_gap: float = 0.1
    acc_gap_far: float = 0.5
    # Memorised: training loss at most `memorised_level` of chance at the end, and validation
    # accuracy `memorised_acc_gap` or more below training accuracy (AUTOTRAINER's overfit
    # gap). Added after the first reading of the report half; measured on both halves and the
    # old benchmark (bench/RESULTS.md, issue 10).
    memorised_level: float = 0.01
    memorised_acc_gap: float = 0.1
    # ... or, with a smaller accuracy gap, the validation loss ending at this many times
    # chance or more: no run of the ten splits that memorised its training set and predicted
    # validation worse than a uniform guess was healthy (after the tenth split's reading).
    # Strength 1 at 3x chance (convention).
    memorised_val_over_chance: float = 1.0
    memorised_val_far: float = 3.0
    # Kept at chance: early stopping ended the run, and its validation loss never went below
    # `kept_val_over_chance` x chance (so neither did the kept model's), while the training
    # loss fell to `kept_train_below_chance` x chance or lower. Strength 1 at 1.5x chance
    # (convention). Added after the nineteenth split's reading, from follow-up jobs read
    # healthy with a kept model at 101-124% of chance (bench/RESULTS.md "Advisor 2.20").
    kept_val_over_chance: float = 1.0
    kept_train_below_chance: float = 0.85
    kept_val_far: float = 1.5

    # --- mismatch ---------------------------------------------------------------------------------
    # Validation never improves: its best is within the first `mismatch_best_points` points
    # and at most `mismatch_val_gain` below its first value, while training fell by
    # `mismatch_train_progress` of its start. Mismatched runs: best at point 0, gain 0,
    # training fell >= 0.60. Overfitted runs: best at point >= 3 with a gain >= 0.039.
    # Strength 1 when training fell 90% (convention: mismatched runs fell 0.60-0.99).
    mismatch_best_points: int = 2
    mismatch_val_gain: float = 0.03
    mismatch_train_progress: float = 0.3
    mismatch_far: float = 0.9
    # ... and the validation loss ends at or above this share of chance (of its first value
    # without one): a validation set from another distribution is predicted no better than
    # chance. Mismatched runs (both benchmarks): 1.8-1037; the healthy L-BFGS run whose val
    # loss was already at its best after its first, full-batch epoch: 0.25.
    mismatch_val_level: float = 1.0
    # ... or, whatever its first epochs did, its best is this many times where training
    # started (chance; the first training loss without one, which already includes an
    # epoch of learning): never better than an untrained model. Added after the first
    # reading of the report half (a sign-flipped regression target: best 6.5x the start);
    # the healthy and overfitting runs of both halves reach at most 0.83x, and no status of
    # the old benchmark changed.
    mismatch_useless: float = 1.5
    # ... unless validation accuracy rose by `mismatch_acc_gain` or more from its first
    # epoch to above chance (1/C, when C is known): the model learned what holds on the
    # validation set, whatever its loss did. (A shifted wine validation set rose from 14%
    # to 27%, still below chance 33%: a mismatch.)
    # Mismatched runs of the four splits: +0.00 - +0.05; overfitting runs: up to +0.75, and
    # +0.21/+0.23 for a wide cnn1d on 150 sensor windows (an npz file: its classes unknown
    # to the advisor) whose first epoch, at chance, was taken for a blow-up, so that its
    # val loss looked "never better than untrained". (After the fourth split's reading.)
    mismatch_acc_gain: float = 0.15
    # ... or validation accuracy ends this share of the way from chance (1/C; 1/2 without C)
    # to 1: right on most validation samples, the model shares what was learned, and a
    # validation loss far above chance is over-confidence. Mismatched runs with an accuracy,
    # eight splits: at most 0.54 (share 0.08 of a binary task); runs read as mismatched
    # that were not: Adam at 300x its usual lr on breast_cancer (val loss 5-9, accuracy
    # 0.95-0.97, share 0.89-0.93) and L-BFGS on mini-batches of wine (0.92, 0.88). (After
    # the eighth split's reading.) The same share excuses a classifier's high training loss
    # under training-only noise (rule 7, advisor-2.13): right on most validation samples,
    # the model can fit the task.
    mismatch_acc_share: float = 0.8
    # Validation predicted worse than guessing (`_val_below_chance`): a classifier at
    # `anti_train_acc` or more on its training set whose validation accuracy ends below
    # `anti_val_share` of chance (1/C), or without C below `anti_val_acc_no_chance` and
    # that share of its first value. An overfitted model falls back to about chance, not
    # below it. Of 588 classifier runs of the splits (first jobs; the eighth to twelfth and
    # the older ones cached then): 20 meet it, all labelled mismatch (validation at
    # 0-3.4%), of 46 mismatch runs; none of another label. (After the twelfth split's
    # reading.)
    anti_train_acc: float = 0.9
    anti_val_share: float = 0.5
    anti_val_acc_no_chance: float = 0.1

    # --- confidence ---------------------------------------------------------------------------
    confidence: Confidence = field(default_factory=Confidence)


DEFAULT = Thresholds()
