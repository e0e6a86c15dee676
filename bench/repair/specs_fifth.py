"""The fifth split: a fifth set of injected faults, written apart from the other four by
someone who read neither the advisor (service/advisor/, service/repair.py, bench/advisor/,
tests/advisor/, the advisor sections of the docs) nor any result of it, to be run once, at
the end, on cases nobody tuned on.

Its constructions are new rather than variants of the other splits': other tasks (a 3x3
checkerboard with noise features, sequences whose class is a pulse count, 12x12 glyph
images, a six-reading process regression with a noise floor, six Gaussian classes, a
binary task with ~3% positives; datasets_fifth.py) and mechanisms the other splits use
little: oscillation without an lr far above the usual (SGD with Nesterov momentum 0.995 on
batches of 2 at the usual lr, Adam with a short second-moment memory (beta2 0.3) or no
first moment (beta1 0), full-batch gradient descent with momentum 0.99 on collinear
features, a one-cycle schedule and a warm-up that take the lr up to where it rocks);
healthy runs that converge inside their first epoch, on a 97/3 class imbalance, with label
smoothing, and regressions that end at their noise floor (one fitted by full-batch L-BFGS);
underfitting by a 4-unit hidden layer, dropout 0.8, l2 0.5, Adam's coupled weight decay at
0.1, a step schedule whose step_size was meant in tens of epochs, a gradient clip of 1e-3;
overfitting on memorised label noise and with small absolute losses (a rare class);
divergence by raw targets in grams, an l2 of 48 (lr x l2 past 2), the linear scaling rule
taken to a batch of 800, a warm-up to an unstable lr; and mismatches of several kinds: a
unit change (Fahrenheit for Celsius, inches for cm), a column order reversed, labels
indexed alphabetically instead of by first appearance, coordinates from another origin,
images with inverted polarity, windows cut at another offset from the trigger.

Every spec's label comes from the status table of docs/ARCHITECTURE.md section 5 alone,
and every one was kept, re-injected or dropped by what curves.py reads from its curves
(validation_fifth.json), never by a diagnosis: no fitdoc diagnosis was asked for on any of
them.

Same case format as specs.py (its `Spec`, `job` and helpers); `specs.cases("fifth")`
expands these specs, and the split is "fifth" for every one of them. FIFTH is kept out of
specs.SPECS, FRESH and FOURTH, so the other splits are what they were.
"""

from __future__ import annotations

from typing import Any

from bench.repair.specs import Spec, job, npz, regression

CHECKER = npz("fifth_checker.npz", val_fraction=0.2)
PULSES = npz("fifth_pulses.npz", val_fraction=0.2)
GLYPHS = npz("fifth_glyphs.npz", val_fraction=0.2)
KILN = regression("fifth_kiln.npz", val_fraction=0.2)
SIX = npz("fifth_six.npz", val_fraction=0.2)
FRAUD = npz("fifth_fraud.npz", val_fraction=0.2)


def _healthy() -> list[Spec]:
    def h(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, "sound_recipe", "healthy", None, why, spec)

    return [
        h("fifth_healthy_checker_mlp_adam_cosine_l2",
          "a 2x64 ReLU MLP on the 3x3 checkerboard (plus three noise features) with Adam, "
          "a little l2 and a cosine decay for 40 epochs",
          job(CHECKER, {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 0.003},
              schedule={"name": "cosine"}, regularization={"l2": 1e-4}, epochs=40,
              batch_size=64)),
        h("fifth_healthy_checker_mlp_sgd_cosine_l2",
          "a 2x128 MLP on the checkerboard with SGD and momentum, l2 1e-3 and a cosine decay "
          "for 30 epochs",
          job(CHECKER, {"arch": "mlp", "width": 128}, {"name": "sgd", "lr": 0.05, "momentum": 0.9},
              schedule={"name": "cosine"}, regularization={"l2": 1e-3}, epochs=30,
              batch_size=64)),
        h("fifth_healthy_pulses_cnn1d_bn_adam_cosine",
          "a 32-channel cnn1d with batch norm counting the pulses of 1x64 windows, Adam and a "
          "cosine decay for 12 epochs",
          job(PULSES, {"arch": "cnn1d", "width": 32, "batchnorm": True},
              {"name": "adam", "lr": 0.003}, schedule={"name": "cosine"}, epochs=12,
              batch_size=64)),
        h("fifth_healthy_glyphs_cnn_adam_short",
          "a 2-block CNN with batch norm on 12x12 glyph images, Adam for 6 epochs",
          job(GLYPHS, {"arch": "cnn", "width": 8, "depth": 2}, {"name": "adam", "lr": 0.003},
              epochs=6, batch_size=32)),
        h("fifth_healthy_glyphs_resnet18_tiny",
          "a ResNet-18 of base width 4 on 1000 glyph images, SGD with momentum and a cosine "
          "decay for 4 epochs",
          job({**GLYPHS, "n_train": 1000}, {"arch": "resnet18", "width": 4},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9}, schedule={"name": "cosine"},
              epochs=4, batch_size=32)),
        h("fifth_healthy_kiln_mlp_adam_noise_floor",
          "a 2x64 MLP regressing a kiln's yield from six readings with Adam and a cosine "
          "decay for 60 epochs: it ends at the measurement noise (MSE ~0.04-0.05), not at 0",
          job(KILN, {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 0.003},
              schedule={"name": "cosine"}, epochs=60, batch_size=32, loss="mse")),
        h("fifth_healthy_kiln_tanh_mlp_lbfgs_full_batch",
          "a one-hidden-layer tanh MLP fitted to the kiln's yield by full-batch L-BFGS for 15 "
          "epochs, down to the noise floor",
          job(KILN, {"arch": "mlp", "width": 32, "depth": 1, "activation": "tanh"},
              {"name": "lbfgs"}, epochs=15, batch_size=2048, loss="mse")),
        h("fifth_healthy_six_mlp_adamw_label_smoothing",
          "a 2x64 MLP on six Gaussian classes with AdamW and label smoothing 0.05 (its "
          "training loss cannot go below ~0.24) for 10 epochs",
          job(SIX, {"arch": "mlp", "width": 64}, {"name": "adamw", "lr": 0.002,
                                                   "weight_decay": 0.01},
              regularization={"label_smoothing": 0.05}, epochs=10, batch_size=64)),
        h("fifth_healthy_six_linear_converges_in_first_epoch",
          "softmax regression on six separable classes with Adam on batches of 16: 300 steps "
          "an epoch, converged inside the first of 4 epochs",
          job(SIX, {"arch": "linear"}, {"name": "adam", "lr": 0.01}, epochs=4, batch_size=16)),
        h("fifth_healthy_fraud_mlp_imbalanced",
          "a 2x64 MLP with Adam on a binary task whose positives are ~3% of the rows (a "
          "constant prediction is 97% right) but follow a learnable rule, 25 epochs",
          job(FRAUD, {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 0.002}, epochs=25,
              batch_size=64)),
        h("fifth_healthy_digits_linear_fast_small_val",
          "softmax regression on digits with Adam on batches of 16 for 4 epochs (most of the "
          "fit in the first), validated on 8% of the images",
          job({"name": "digits", "val_fraction": 0.08}, {"arch": "linear"},
              {"name": "adam", "lr": 0.01}, epochs=4, batch_size=16)),
        h("fifth_healthy_mnist1d_cnn1d_nesterov_linear_warmup",
          "a cnn1d with batch norm on MNIST-1D, Nesterov SGD with a one-epoch warm-up and a "
          "linear decay over 15 epochs",
          job("mnist1d", {"arch": "cnn1d", "width": 32, "batchnorm": True},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True},
              schedule={"name": "linear", "warmup_epochs": 1}, epochs=15, batch_size=64)),
        h("fifth_healthy_digits_mlp_rmsprop_step_small_val",
          "a 2x128 MLP on digits with RMSprop, a little l2 and a step decay (x0.3 every 5 "
          "epochs), validated on 7% of the images",
          job({"name": "digits", "val_fraction": 0.07}, {"arch": "mlp", "width": 128},
              {"name": "rmsprop", "lr": 0.001},
              schedule={"name": "step", "step_size": 5, "gamma": 0.3},
              regularization={"l2": 1e-4}, epochs=15, batch_size=32)),
        h("fifth_healthy_breast_cancer_dropout_rmsprop_exponential",
          "a one-hidden-layer MLP with dropout 0.3 and l2, RMSprop under an exponential decay "
          "(0.95 an epoch) for 12 epochs, validated on 10% of breast_cancer",
          job({"name": "breast_cancer", "val_fraction": 0.1},
              {"arch": "mlp", "width": 32, "depth": 1, "dropout": 0.3},
              {"name": "rmsprop", "lr": 0.002}, schedule={"name": "exponential", "gamma": 0.95},
              regularization={"l2": 3e-3}, epochs=12, batch_size=32)),
    ]


def _underfitting() -> list[Spec]:
    def bias(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "underfitting", "model_bias", why, spec)

    def opt(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "underfitting", "optimization_issue", why, spec)

    def short(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "underfitting", "undertrained", why, spec)

    return [
        bias("fifth_underfit_checker_mlp_four_units", "model_too_small",
             "an MLP whose one hidden layer has 4 ReLU units: four half-planes cannot carve "
             "a 3x3 checkerboard, so the loss plateaus well above 0 (40 epochs of Adam)",
             job(CHECKER, {"arch": "mlp", "widths": [4]}, {"name": "adam", "lr": 0.01},
                 epochs=40, batch_size=32)),
        bias("fifth_underfit_kiln_mlp_l2_0.5", "regularization_too_strong",
             "an l2 penalty of 0.5 (thousands of times the usual) on a 2x64 regressor, which "
             "pins its weights near zero and its MSE far above the noise floor",
             job(KILN, {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 0.003},
                 regularization={"l2": 0.5}, epochs=30, batch_size=32, loss="mse")),
        bias("fifth_underfit_pulses_cnn1d_adam_weight_decay_0.1", "regularization_too_strong",
             "Adam's own (coupled, L2-like) weight_decay set to 0.1, a value meant for AdamW's "
             "decoupled decay: the cnn1d's weights are held too small to count pulses",
             job(PULSES, {"arch": "cnn1d", "width": 32}, {"name": "adam", "lr": 0.003,
                                                          "weight_decay": 0.1},
                 epochs=30, batch_size=64)),
        bias("fifth_underfit_mnist1d_mlp_dropout_0.8", "regularization_too_strong",
             "a 2x64 MLP on MNIST-1D with dropout 0.8 after each hidden layer: four units in "
             "five are dropped at every step",
             job("mnist1d", {"arch": "mlp", "width": 64, "dropout": 0.8},
                 {"name": "adam", "lr": 0.003}, epochs=30, batch_size=64)),
        opt("fifth_underfit_pulses_cnn1d_rmsprop_exponential_0.5", "lr_schedule_collapse",
            "RMSprop under an exponential schedule with gamma 0.5 per epoch (meant per ten "
            "epochs): the lr is 1000x smaller after 10 epochs of 30 and the cnn1d freezes",
            job(PULSES, {"arch": "cnn1d", "width": 32}, {"name": "rmsprop", "lr": 0.001},
                schedule={"name": "exponential", "gamma": 0.5}, epochs=30, batch_size=64)),
        opt("fifth_underfit_kiln_grad_clip_1e-3_cosine", "grad_clip_too_tight",
            "a gradient clip of 1e-3 (copied from a recipe whose gradients were tiny) under a "
            "cosine decay: every step is at most lr x 1e-3 long, and the steps shrink to 0 "
            "before the regressor gets near its fit",
            job(KILN, {"arch": "mlp", "width": 64}, {"name": "sgd", "lr": 0.1, "momentum": 0.9},
                schedule={"name": "cosine"}, epochs=30, batch_size=32, loss="mse",
                grad_clip=0.001)),
        opt("fifth_underfit_glyphs_cnn_step_size_2", "lr_schedule_collapse",
            "a step schedule with step_size 2 and gamma 0.1 (the step meant as 20 epochs): "
            "the lr is 10^-4 of its start by epoch 8 of 20, and the CNN stops far from a fit",
            job(GLYPHS, {"arch": "cnn", "width": 8, "depth": 2},
                {"name": "sgd", "lr": 0.003, "momentum": 0.9},
                schedule={"name": "step", "step_size": 2, "gamma": 0.1}, epochs=20,
                batch_size=64)),
        short("fifth_underfit_glyphs_cnn_3_epochs", "too_few_epochs",
              "a CNN with SGD at lr 0.01 and momentum 0.5 stopped after 3 epochs, its loss "
              "still falling fast",
              job(GLYPHS, {"arch": "cnn", "width": 8, "depth": 2},
                  {"name": "sgd", "lr": 0.01, "momentum": 0.5}, epochs=3, batch_size=64)),
        short("fifth_underfit_kiln_adagrad_6_epochs", "too_few_epochs",
              "a 2x64 regressor with Adagrad at lr 1e-3 stopped after 6 epochs, the MSE "
              "falling ~15% an epoch",
              job(KILN, {"arch": "mlp", "width": 64}, {"name": "adagrad", "lr": 0.001},
                  epochs=6, batch_size=32, loss="mse")),
        short("fifth_underfit_pulses_cnn1d_sgd_5_epochs", "too_few_epochs",
              "a cnn1d with SGD at lr 0.01 and momentum 0.9 stopped after 5 epochs",
              job(PULSES, {"arch": "cnn1d", "width": 32}, {"name": "sgd", "lr": 0.01,
                                                           "momentum": 0.9},
                  epochs=5, batch_size=64)),
    ]


def _overfitting() -> list[Spec]:
    def o(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "overfitting", None, why, spec)

    big = "small_train_set_big_model"
    return [
        o("fifth_overfit_checker_mlp_80_points", big,
          "a 2x512 MLP on 80 checkerboard points (three of the five features noise) for 80 "
          "epochs, no regularisation",
          job({**CHECKER, "n_train": 80}, {"arch": "mlp", "width": 512},
              {"name": "adam", "lr": 0.002}, epochs=80, batch_size=16)),
        o("fifth_overfit_six_noisy_labels_mlp", "noisy_labels_memorised",
          "a 2x512 MLP memorising 600 points of six wide classes of which 30% carry a "
          "random label (training and validation alike), 100 epochs",
          job(npz("fifth_six_noisy.npz", val_fraction=0.25), {"arch": "mlp", "width": 512},
              {"name": "adam", "lr": 2e-4}, epochs=100, batch_size=32)),
        o("fifth_overfit_pulses_cnn1d_80_windows", big,
          "a 128-channel 2-layer cnn1d on 80 pulse windows for 80 epochs",
          job({**PULSES, "n_train": 80}, {"arch": "cnn1d", "width": 128, "depth": 2},
              {"name": "adam", "lr": 0.002}, epochs=80, batch_size=16)),
        o("fifth_overfit_pulses_mlp_100_windows", big,
          "a 2x512 MLP on 100 flattened pulse windows for 60 epochs: it memorises where each "
          "window's pulses are instead of counting them",
          job({**PULSES, "n_train": 100}, {"arch": "mlp", "width": 512},
              {"name": "adam", "lr": 0.001}, epochs=60, batch_size=10)),
        o("fifth_overfit_fraud_mlp_300_rows", "small_train_set_rare_class",
          "a 2x256 MLP on 300 rows of the 97/3 task (about ten positives) for 100 epochs: "
          "the losses are small in absolute terms (validation ~0.1-0.2) but the validation "
          "loss doubles from its best",
          job({**FRAUD, "n_train": 300}, {"arch": "mlp", "width": 256},
              {"name": "adam", "lr": 0.002}, epochs=100, batch_size=16)),
        o("fifth_overfit_glyphs_mlp_30_images", big,
          "a 2x512 MLP on the raw pixels of 30 glyph images for 100 epochs",
          job({**GLYPHS, "n_train": 30}, {"arch": "mlp", "width": 512},
              {"name": "adam", "lr": 0.001}, epochs=100, batch_size=10)),
    ]


def _stuck() -> list[Spec]:
    def s(name: str, cause: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "stuck", cause, why, spec)

    low, high = "lr_too_low", "lr_too_high"
    vanish, sat, crit = "vanishing_gradient", "saturated_loss", "critical_point"
    return [
        s("fifth_stuck_glyphs_cnn_adam_lr_1e-7", low, "lr_too_low",
          "Adam at lr 1e-7 (10^4 below its usual 1e-3) on the glyph CNN: the loss stays at "
          "ln 5",
          job(GLYPHS, {"arch": "cnn", "width": 8, "depth": 2}, {"name": "adam", "lr": 1e-7},
              epochs=6, batch_size=32)),
        s("fifth_stuck_kiln_mlp_sgd_lr_1e-6", low, "lr_too_low",
          "SGD with momentum at lr 1e-6 on the kiln regressor for 30 epochs: the MSE stays "
          "at the yield's variance",
          job(KILN, {"arch": "mlp", "width": 64}, {"name": "sgd", "lr": 1e-6, "momentum": 0.9},
              epochs=30, batch_size=32, loss="mse")),
        s("fifth_stuck_checker_mlp_adamw_lr_0.5", high, "lr_too_high_dead_units",
          "AdamW at lr 0.5 (500x its usual) on a 3x64 ReLU MLP: the first steps kill the "
          "units, the loss then sits at ln 2",
          job(CHECKER, {"arch": "mlp", "width": 64, "depth": 3},
              {"name": "adamw", "lr": 0.5, "weight_decay": 0.01}, epochs=20, batch_size=32)),
        s("fifth_stuck_pulses_cnn1d_sgd_lr_3", high, "lr_too_high_dead_units",
          "plain SGD at lr 3 (100x its usual) on a ReLU cnn1d: dead units in the first "
          "epoch, the loss at ln 4",
          job(PULSES, {"arch": "cnn1d", "width": 32}, {"name": "sgd", "lr": 3.0}, epochs=8,
              batch_size=64)),
        s("fifth_stuck_checker_sigmoid_depth10", vanish, "deep_saturating_net",
          "a 10-layer sigmoid MLP with PyTorch's default init and SGD with momentum: each "
          "sigmoid passes at most a quarter of the gradient back",
          job(CHECKER, {"arch": "mlp", "width": 64, "depth": 10, "activation": "sigmoid"},
              {"name": "sgd", "lr": 0.1, "momentum": 0.9}, epochs=20, batch_size=32)),
        s("fifth_stuck_pulses_sigmoid_cnn1d_depth4", vanish, "deep_saturating_net",
          "a 4-layer sigmoid cnn1d without batch norm and plain SGD",
          job(PULSES, {"arch": "cnn1d", "width": 32, "depth": 4, "activation": "sigmoid"},
              {"name": "sgd", "lr": 0.05}, epochs=8, batch_size=64)),
        s("fifth_stuck_six_mse_sigmoid_mlp", sat, "mse_on_saturating_classifier",
          "MSE on one-hot targets through a 3-layer sigmoid MLP with plain SGD: the outputs "
          "settle on the class shares",
          job(SIX, {"arch": "mlp", "width": 64, "depth": 3, "activation": "sigmoid"},
              {"name": "sgd", "lr": 0.1}, epochs=10, batch_size=64, loss="mse")),
        s("fifth_stuck_glyphs_mse_sigmoid_cnn", sat, "mse_on_saturating_classifier",
          "MSE on one-hot targets through a sigmoid CNN without batch norm",
          job(GLYPHS, {"arch": "cnn", "width": 8, "depth": 2, "activation": "sigmoid",
                       "batchnorm": False},
              {"name": "sgd", "lr": 0.05}, epochs=6, batch_size=32, loss="mse")),
        s("fifth_stuck_checker_relu_depth5_normal_init", crit, "deep_nonsaturating_tiny_init",
          "a 5-layer ReLU MLP with N(0, 0.01) weights and Nesterov SGD: every layer's output "
          "starts at ~0, a saddle the optimizer does not leave",
          job(CHECKER, {"arch": "mlp", "width": 64, "depth": 5, "init": "normal"},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True}, epochs=20,
              batch_size=32)),
        s("fifth_stuck_pulses_gelu_cnn1d_normal_init", crit, "deep_nonsaturating_tiny_init",
          "a 4-layer GELU cnn1d with N(0, 0.01) kernels and plain SGD",
          job(PULSES, {"arch": "cnn1d", "width": 32, "depth": 4, "activation": "gelu",
                       "init": "normal"},
              {"name": "sgd", "lr": 0.05}, epochs=8, batch_size=64)),
        s("fifth_stuck_kiln_gelu_depth6_normal_init", crit, "deep_nonsaturating_tiny_init",
          "a 6-layer GELU regressor with N(0, 0.01) weights and plain SGD: the output starts "
          "at ~0, the saddle where the MSE is the yield's variance",
          job(KILN, {"arch": "mlp", "width": 64, "depth": 6, "activation": "gelu",
                     "init": "normal"},
              {"name": "sgd", "lr": 0.05}, epochs=20, batch_size=32, loss="mse")),
    ]


def _oscillating() -> list[Spec]:
    def o(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "oscillating", None, why, spec)

    return [
        o("fifth_oscillate_wine_nesterov_0.995_batch_2", "tiny_batch_momentum_near_one",
          "logistic regression with SGD at the usual lr 0.03 but Nesterov momentum 0.995 on "
          "batches of 2: the velocity sums ~200 noisy gradients and swings the weights "
          "across the optimum",
          job("wine", {"arch": "linear"}, {"name": "sgd", "lr": 0.03, "momentum": 0.995,
                                           "nesterov": True},
              epochs=30, batch_size=2)),
        o("fifth_oscillate_wine_adam_beta2_0.3", "short_memory_adam",
          "logistic regression with Adam whose betas are (0.9, 0.3): the square-gradient "
          "average forgets within ~2 steps, so after each small gradient the step is huge",
          job("wine", {"arch": "linear"}, {"name": "adam", "lr": 0.1, "betas": [0.9, 0.3]},
              epochs=30, batch_size=16)),
        o("fifth_oscillate_iris_adam_beta1_0", "short_memory_adam",
          "logistic regression with Adam without a first moment (betas (0, 0.9)) at lr 1 on "
          "batches of 8: each step follows one batch's gradient sign at full size",
          job("iris", {"arch": "linear"}, {"name": "adam", "lr": 1.0, "betas": [0.0, 0.9]},
              epochs=40, batch_size=8)),
        o("fifth_oscillate_breast_cancer_full_batch_heavy_momentum",
          "full_batch_ill_conditioned",
          "full-batch gradient descent (one step an epoch) with momentum 0.99 on a linear "
          "least-squares classifier of breast_cancer's collinear features: the steep "
          "direction rings with a period of a few epochs while the flat ones crawl",
          job("breast_cancer", {"arch": "linear"}, {"name": "sgd", "lr": 0.1, "momentum": 0.99},
              epochs=60, batch_size=1024, loss="mse")),
        o("fifth_oscillate_wine_tanh_onecycle_peak", "onecycle_peak_too_high",
          "a tanh MLP under a one-cycle schedule whose peak lr is 8 (set from an lr range "
          "test read at the loss's blow-up, not its minimum): it rocks through the middle "
          "of the run",
          job("wine", {"arch": "mlp", "width": 32, "activation": "tanh"},
              {"name": "sgd", "lr": 8.0}, schedule={"name": "onecycle"}, epochs=30,
              batch_size=16)),
        o("fifth_oscillate_digits_linear_warmup_to_lr_40", "warmup_to_unstable_lr",
          "softmax regression with a 3-epoch linear warm-up to lr 40: the loss falls while "
          "the lr is small, then jumps up and down once the lr is past what the model stands",
          job("digits", {"arch": "linear"}, {"name": "sgd", "lr": 40.0},
              schedule={"name": "constant", "warmup_epochs": 3}, epochs=20, batch_size=32)),
    ]


def _diverging() -> list[Spec]:
    def d(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "diverging", None, why, spec)

    return [
        d("fifth_diverge_kiln_targets_in_grams", "unscaled_targets",
          "the yield left in grams (mean ~2300) instead of standardised: the MSE's gradients "
          "are ~10^3 times larger and SGD at its usual lr blows the regressor up",
          job(regression("fifth_kiln_grams.npz", val_fraction=0.2), {"arch": "mlp", "width": 64},
              {"name": "sgd", "lr": 0.03}, epochs=10, batch_size=32, loss="mse")),
        d("fifth_diverge_six_l2_48_full_batch", "penalty_past_stability",
          "an l2 penalty of 48 (meant as 4.8e-4) with full-batch SGD at lr 0.05: lr x l2 = "
          "2.4 > 2, so each step flips the weights' sign and multiplies them by 1.4, and the "
          "loss grows 3-10x an epoch until it overflows",
          job(SIX, {"arch": "mlp", "width": 64}, {"name": "sgd", "lr": 0.05},
              regularization={"l2": 48.0}, epochs=20, batch_size=4800)),
        d("fifth_diverge_kiln_warmup_to_lr_2", "warmup_to_unstable_lr",
          "Nesterov SGD warmed up over 3 epochs to lr 2 (a large-batch recipe's lr on batches "
          "of 32): the MSE explodes once the warm-up passes the stable range",
          job(KILN, {"arch": "mlp", "width": 64}, {"name": "sgd", "lr": 2.0, "momentum": 0.9,
                                                   "nesterov": True},
              schedule={"name": "cosine", "warmup_epochs": 3}, epochs=10, batch_size=32,
              loss="mse")),
        d("fifth_diverge_kiln_linear_scaling_batch_800", "lr_scaled_with_batch",
          "the linear scaling rule taken too far: a recipe's lr 0.1 for batches of 25 "
          "multiplied by 32 for batches of 800, Nesterov SGD at lr 3.2 on the regressor",
          job(KILN, {"arch": "mlp", "width": 64}, {"name": "sgd", "lr": 3.2, "momentum": 0.9,
                                                   "nesterov": True},
              epochs=20, batch_size=800, loss="mse")),
        d("fifth_diverge_fraud_selu_depth6", "lr_too_high_divergence",
          "a 6-layer SELU MLP (unbounded above) with SGD at lr 0.3 and momentum 0.9",
          job(FRAUD, {"arch": "mlp", "width": 64, "depth": 6, "activation": "selu"},
              {"name": "sgd", "lr": 0.3, "momentum": 0.9}, epochs=10, batch_size=32)),
    ]


def _mismatch() -> list[Spec]:
    def m(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "mismatch", None, why, spec)

    return [
        m("fifth_mismatch_kiln_fahrenheit", "unit_change",
          "the validation export gives the kiln temperature in Fahrenheit where the training "
          "file has Celsius: standardised with the training statistics, every validation "
          "temperature lies off the training range",
          job(regression("fifth_kiln_fahrenheit.npz"), {"arch": "mlp", "width": 64},
              {"name": "adam", "lr": 3e-4}, epochs=40, batch_size=32, loss="mse")),
        m("fifth_mismatch_iris_inches", "unit_change",
          "the validation flowers were measured in inches, the training ones in cm: every "
          "validation flower looks smaller than any setosa",
          job(npz("fifth_iris_inches.npz"), {"arch": "mlp", "width": 32, "depth": 1},
              {"name": "adam", "lr": 0.01}, epochs=40, batch_size=16)),
        m("fifth_mismatch_six_alphabetical_labels", "label_remap",
          "the training labels index the class names in order of first appearance, the "
          "validation export's in alphabetical order: four of the six classes change index",
          job(npz("fifth_six_alphabetical_labels.npz"), {"arch": "linear"},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=10, batch_size=32)),
        m("fifth_mismatch_six_reversed_columns", "column_order",
          "the validation file holds the ten feature columns in reverse order",
          job(npz("fifth_six_reversed_columns.npz"), {"arch": "mlp", "width": 64},
              {"name": "adam", "lr": 0.003}, epochs=10, batch_size=64)),
        m("fifth_mismatch_checker_shifted_origin", "feature_shift",
          "the validation coordinates were measured from another origin, one cell further "
          "along the first axis, so every point falls on a cell of the other colour",
          job(npz("fifth_checker_shifted_origin.npz"), {"arch": "mlp", "width": 64},
              {"name": "adam", "lr": 0.005}, epochs=30, batch_size=32)),
        m("fifth_mismatch_glyphs_inverted_mlp", "feature_shift",
          "the validation glyphs were exported with inverted polarity (dark on light) and "
          "read by an MLP on the raw pixels",
          job(npz("fifth_glyphs_inverted.npz"), {"arch": "mlp", "width": 128},
              {"name": "adam", "lr": 0.003}, epochs=6, batch_size=32)),
        m("fifth_mismatch_pulses_late_trigger", "covariate_shift",
          "the validation windows were cut 26 steps earlier relative to the trigger by "
          "another acquisition script: their pulses sit where no training window has any",
          job(npz("fifth_pulses_late_trigger.npz"), {"arch": "cnn1d", "width": 32,
                                                     "batchnorm": True},
              {"name": "adam", "lr": 0.003}, epochs=10, batch_size=64)),
    ]


FIFTH: list[Spec] = [*_healthy(), *_underfitting(), *_overfitting(), *_stuck(),
                     *_oscillating(), *_diverging(), *_mismatch()]
