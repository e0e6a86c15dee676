"""The fresh split: a third set of injected faults, written after the advisor had been tuned
on `tune` and looked at on `report`, by someone who had read neither the advisor nor its
results, to be run once.

The constructions are new rather than variants of specs.py's: other tasks (two moons, three
spirals, sine windows classified by frequency, a smooth six-feature regression, the diabetes
regression, digits as 8x8 images, labels with random noise; datasets_fresh.py), a fifth
model family (resnet18 on 8x8 digits), other mechanisms (heavy-ball momentum 0.99 for
oscillation, an SGD noise floor from a tiny batch, reduce-on-plateau and inverse-power
schedules that kill the lr, an l1 penalty, memorised label noise, a one-cycle schedule
whose peak is unstable) and other mismatches (classes the training set never holds, labels
joined one row off, recordings at twice the sampling rate, targets in raw units, a rotated
coordinate frame). Every spec's label comes from the status table of docs/ARCHITECTURE.md
section 5, and every one was kept or dropped by what curves.py reads from its curves
(validation_fresh.json), never by a diagnosis.

Same case format as specs.py (its `Spec`, `job` and helpers); `specs.cases("fresh")` expands
these specs, and the split is "fresh" for every one of them. FRESH is kept out of
specs.SPECS, so the tune/report dealing is what it was.
"""

from __future__ import annotations

from typing import Any

from bench.repair.specs import Spec, job, npz, regression

MOONS = npz("fresh_moons.npz", val_fraction=0.2)
SPIRALS = npz("fresh_spirals.npz", val_fraction=0.2)
SINES = npz("fresh_sines.npz", val_fraction=0.2)
WAVES = regression("fresh_waves.npz", val_fraction=0.2)
DIABETES = regression("fresh_diabetes.npz", val_fraction=0.3)
DIGIT_IMAGES = npz("fresh_digits_images.npz", val_fraction=0.2)


def _healthy() -> list[Spec]:
    def h(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, "sound_recipe", "healthy", None, why, spec)

    return [
        h("fresh_healthy_moons_tanh_mlp_adam_cosine",
          "a 2x32 tanh MLP on two moons with Adam, cosine decay and a little l2 for 30 epochs",
          job(MOONS, {"arch": "mlp", "widths": [32, 32], "activation": "tanh"},
              {"name": "adam", "lr": 0.01}, schedule={"name": "cosine"},
              regularization={"l2": 1e-3}, epochs=30, batch_size=32)),
        h("fresh_healthy_spirals_gelu_mlp_adam_cosine",
          "a 3x128 GELU MLP on three spirals with Adam, cosine decay and l2 3e-3 for 50 epochs",
          job(SPIRALS, {"arch": "mlp", "width": 128, "depth": 3, "activation": "gelu"},
              {"name": "adam", "lr": 0.005}, schedule={"name": "cosine"},
              regularization={"l2": 3e-3}, epochs=50, batch_size=64)),
        h("fresh_healthy_sines_cnn1d_bn_sgd_step_small_val",
          "a 16-channel cnn1d with batch norm, SGD with momentum and a step decay (x0.3 every 5 "
          "epochs), validated on 10% of the sine windows",
          job(npz("fresh_sines.npz", val_fraction=0.1),
              {"arch": "cnn1d", "width": 16, "batchnorm": True},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9},
              schedule={"name": "step", "step_size": 5, "gamma": 0.3}, epochs=15, batch_size=32)),
        h("fresh_healthy_waves_selu_mlp_rmsprop_inverse",
          "a 3x64 SELU MLP with Kaiming (LeCun) init regressing a smooth function with RMSprop "
          "and an inverse-square-root decay for 50 epochs",
          job(WAVES, {"arch": "mlp", "width": 64, "depth": 3, "activation": "selu",
                      "init": "kaiming"},
              {"name": "rmsprop", "lr": 0.001}, schedule={"name": "inverse", "power": 0.5},
              epochs=50, batch_size=32, loss="mse")),
        h("fresh_healthy_digit_images_cnn_adam",
          "a 2-block CNN with batch norm on digits as 8x8 images, Adam 3e-3 for 15 epochs",
          job(DIGIT_IMAGES, {"arch": "cnn", "width": 16, "depth": 2},
              {"name": "adam", "lr": 0.003}, epochs=15, batch_size=32)),
        h("fresh_healthy_digit_images_resnet18_sgd_cosine",
          "a ResNet-18 of base width 8 on digits as 8x8 images, SGD with momentum and cosine "
          "decay for 8 epochs",
          job(DIGIT_IMAGES, {"arch": "resnet18", "width": 8},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9}, schedule={"name": "cosine"},
              epochs=8, batch_size=64)),
        h("fresh_healthy_mnist1d_cnn1d_gelu_kaiming_step",
          "a 32-channel GELU cnn1d with batch norm, Kaiming init, dropout 0.1 and a little l2, "
          "Adam with a step decay (x0.3 every 8 epochs) over 24 epochs",
          job("mnist1d", {"arch": "cnn1d", "width": 32, "activation": "gelu", "init": "kaiming",
                          "batchnorm": True, "dropout": 0.1},
              {"name": "adam", "lr": 0.002},
              schedule={"name": "step", "step_size": 8, "gamma": 0.3},
              regularization={"l2": 1e-4}, epochs=24, batch_size=64)),
        h("fresh_healthy_digits_tanh_mlp_xavier_rmsprop_early_stop",
          "a 96-48 tanh MLP with Xavier init and RMSprop, early stopping on the validation loss "
          "(patience 3), validated on 30% of digits",
          job({"name": "digits", "val_fraction": 0.3},
              {"arch": "mlp", "widths": [96, 48], "activation": "tanh", "init": "xavier"},
              {"name": "rmsprop", "lr": 0.001},
              regularization={"early_stopping": {"patience": 3}}, epochs=40, batch_size=32)),
        h("fresh_healthy_wine_selu_mlp_nesterov",
          "a 2x24 SELU MLP with LeCun init, Nesterov SGD and l2 3e-3 on batches of 8 of wine",
          job({"name": "wine", "val_fraction": 0.25},
              {"arch": "mlp", "width": 24, "activation": "selu", "init": "kaiming"},
              {"name": "sgd", "lr": 0.01, "momentum": 0.9, "nesterov": True},
              regularization={"l2": 3e-3}, epochs=15, batch_size=8)),
        h("fresh_healthy_iris_gelu_mlp_adamw_small_val",
          "a 2x16 GELU MLP with AdamW (weight decay 0.1), l2 and cosine decay, validated on the "
          "15 samples of a 10% split of iris",
          job({"name": "iris", "val_fraction": 0.1},
              {"arch": "mlp", "width": 16, "activation": "gelu"},
              {"name": "adamw", "lr": 0.005, "weight_decay": 0.1}, schedule={"name": "cosine"},
              regularization={"l2": 3e-3}, epochs=25, batch_size=16)),
        h("fresh_healthy_breast_cancer_bn_mlp_adam_exponential",
          "a 2x64 MLP with batch norm, Adam and an exponential decay (gamma 0.8) for 10 epochs",
          job("breast_cancer", {"arch": "mlp", "width": 64, "batchnorm": True},
              {"name": "adam", "lr": 0.003}, schedule={"name": "exponential", "gamma": 0.8},
              epochs=10, batch_size=64)),
        h("fresh_healthy_breast_cancer_linear_adagrad_l1",
          "logistic regression with Adagrad and a small l1 penalty, validated on 30% of "
          "breast_cancer",
          job({"name": "breast_cancer", "val_fraction": 0.3}, {"arch": "linear"},
              {"name": "adagrad", "lr": 0.1}, regularization={"l1": 1e-3}, epochs=30,
              batch_size=16)),
    ]


def _underfitting() -> list[Spec]:
    def bias(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "underfitting", "model_bias", why, spec)

    def opt(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "underfitting", "optimization_issue", why, spec)

    def short(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, "too_few_epochs", "underfitting", "undertrained", why, spec)

    return [
        bias("fresh_underfit_moons_linear_logistic", "model_too_small",
             "logistic regression on two interleaved half-moons, which no straight line "
             "separates (30 epochs of SGD with momentum)",
             job(npz("fresh_moons.npz", val_fraction=0.08), {"arch": "linear"},
                 {"name": "sgd", "lr": 0.1, "momentum": 0.9},
                 epochs=30, batch_size=32)),
        bias("fresh_underfit_spirals_mlp_8_units", "model_too_small",
             "a ReLU MLP with one hidden layer of 8 units on three interleaved spirals",
             job(SPIRALS, {"arch": "mlp", "widths": [8]}, {"name": "adam", "lr": 0.01},
                 epochs=40, batch_size=32)),
        bias("fresh_underfit_sines_cnn1d_2_channels", "model_too_small",
             "a one-layer cnn1d with 2 channels: two filters cannot tell four frequencies apart",
             job(SINES, {"arch": "cnn1d", "width": 2, "depth": 1}, {"name": "adam", "lr": 0.01},
                 epochs=30, batch_size=64)),
        bias("fresh_underfit_wine_linear_l1_too_strong", "regularization_too_strong",
             "logistic regression with an l1 penalty of 0.2, which holds most weights at zero "
             "(validated on 10% of wine)",
             job({"name": "wine", "val_fraction": 0.1}, {"arch": "linear"},
                 {"name": "sgd", "lr": 0.05},
                 regularization={"l1": 0.2}, epochs=30, batch_size=16)),
        opt("fresh_underfit_waves_mlp_inverse_power_6", "lr_schedule_collapse",
            "an inverse-power schedule with power 6: the lr is 64x smaller after one epoch and "
            "~1e-6 of its start after ten, so the regressor freezes far from a fit",
            job(WAVES, {"arch": "mlp", "width": 64}, {"name": "sgd", "lr": 0.05, "momentum": 0.9},
                schedule={"name": "inverse", "power": 6}, epochs=30, batch_size=32,
                loss="mse")),
        opt("fresh_underfit_mnist1d_mlp_plateau_patience_0", "lr_schedule_collapse",
            "reduce-on-plateau with patience 0 and factor 0.01 read off a 5% validation split: "
            "the first noisy epoch without a gain divides the lr by 100",
            job({"name": "mnist1d", "val_fraction": 0.05}, {"arch": "mlp", "width": 256},
                {"name": "sgd", "lr": 0.05, "momentum": 0.9},
                schedule={"name": "plateau", "factor": 0.01, "patience": 0}, epochs=30)),
        opt("fresh_underfit_mnist1d_mlp_sgd_batch_8_noise_floor", "sgd_noise_floor",
            "plain SGD at lr 0.2 on batches of 8: the gradient noise holds the loss on a noisy "
            "floor well above what the MLP reaches with larger batches",
            job("mnist1d", {"arch": "mlp", "width": 128}, {"name": "sgd", "lr": 0.2},
                epochs=20, batch_size=8)),
        short("fresh_underfit_sines_cnn1d_bn_4_epochs",
              "a cnn1d with batch norm and SGD at lr 0.003 stopped after 4 epochs, the loss "
              "halfway down",
              job(SINES, {"arch": "cnn1d", "width": 16, "batchnorm": True},
                  {"name": "sgd", "lr": 0.003, "momentum": 0.9}, epochs=4, batch_size=64)),
        short("fresh_underfit_spirals_mlp_adam_8_epochs",
              "a 3x64 MLP with Adam 1e-3 stopped after 8 epochs on the spirals, which take ~40",
              job(SPIRALS, {"arch": "mlp", "width": 64, "depth": 3},
                  {"name": "adam", "lr": 0.001}, epochs=8, batch_size=32)),
        short("fresh_underfit_waves_mlp_sgd_6_epochs",
              "an MLP regressor with plain SGD at lr 0.01 stopped after 6 epochs",
              job(WAVES, {"arch": "mlp", "width": 64}, {"name": "sgd", "lr": 0.01}, epochs=6,
                  batch_size=32, loss="mse")),
        short("fresh_underfit_digit_images_cnn_3_epochs",
              "a CNN on digits as 8x8 images with SGD at lr 0.002 stopped after 3 epochs",
              job(DIGIT_IMAGES, {"arch": "cnn", "width": 16, "depth": 2},
                  {"name": "sgd", "lr": 0.002, "momentum": 0.9}, epochs=3, batch_size=32)),
    ]


def _overfitting() -> list[Spec]:
    def o(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "overfitting", None, why, spec)

    big, noisy = "small_train_set_big_model", "noisy_labels_memorised"
    return [
        o("fresh_overfit_digits_noisy_labels_mlp_512", noisy,
          "a 2x512 MLP memorises digits whose labels are 40% random (in training and "
          "validation alike) over 40 epochs",
          job(npz("fresh_digits_noisy_labels.npz", val_fraction=0.2),
              {"arch": "mlp", "width": 512}, {"name": "adam", "lr": 0.0003}, epochs=40,
              batch_size=32)),
        o("fresh_overfit_mnist1d_noisy_labels_cnn1d", noisy,
          "a 64-channel cnn1d memorises mnist1d with 35% random labels over 30 epochs",
          job(npz("fresh_mnist1d_noisy_labels.npz"), {"arch": "cnn1d", "width": 64},
              {"name": "adam", "lr": 0.003}, epochs=30, batch_size=64)),
        o("fresh_overfit_diabetes_mlp_3x256", big,
          "a 3x256 MLP fits the noise of 309 diabetes patients over 100 epochs",
          job(DIABETES, {"arch": "mlp", "width": 256, "depth": 3}, {"name": "adam", "lr": 0.0003},
              epochs=100, batch_size=32, loss="mse")),
        o("fresh_overfit_digits_linear_30_samples_full_batch", big,
          "logistic regression (650 weights) fitted full-batch by Adam on 30 digits for 100 "
          "epochs: the training set is separable and the weights grow without bound",
          job({"name": "digits", "n_train": 30}, {"arch": "linear"}, {"name": "adam", "lr": 0.03},
              epochs=100, batch_size=30)),
        o("fresh_overfit_sines_cnn1d_100_samples", big,
          "a 128-channel cnn1d on 100 sine windows for 50 epochs",
          job({**SINES, "n_train": 100}, {"arch": "cnn1d", "width": 128},
              {"name": "adam", "lr": 0.003}, epochs=50, batch_size=16)),
        o("fresh_overfit_digit_images_resnet18_100_samples", big,
          "a ResNet-18 (base width 8, no batch norm) on 100 digit images for 30 epochs",
          job({**DIGIT_IMAGES, "n_train": 100}, {"arch": "resnet18", "width": 8,
                                                  "batchnorm": False},
              {"name": "adam", "lr": 0.003}, epochs=30, batch_size=16)),
    ]


def _stuck() -> list[Spec]:
    def s(name: str, cause: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "stuck", cause, why, spec)

    low, high = "lr_too_low", "lr_too_high"
    vanish, sat, crit = "vanishing_gradient", "saturated_loss", "critical_point"
    return [
        s("fresh_stuck_sines_cnn1d_rmsprop_lr_1e-7", low, "lr_too_low",
          "RMSprop at lr 1e-7, 10000x below its usual 1e-3, on a cnn1d",
          job(SINES, {"arch": "cnn1d", "width": 16}, {"name": "rmsprop", "lr": 1e-7}, epochs=8)),
        s("fresh_stuck_mnist1d_cnn1d_nesterov_lr_1e-6_long", low, "lr_too_low",
          "Nesterov SGD at lr 1e-6 for 30 epochs on a cnn1d",
          job("mnist1d", {"arch": "cnn1d", "width": 32},
              {"name": "sgd", "lr": 1e-6, "momentum": 0.9, "nesterov": True}, epochs=30)),
        s("fresh_stuck_digit_images_cnn_adamw_lr_1e-7", low, "lr_too_low",
          "AdamW at lr 1e-7 on a CNN over digits as 8x8 images",
          job(DIGIT_IMAGES, {"arch": "cnn", "width": 16, "depth": 2},
              {"name": "adamw", "lr": 1e-7, "weight_decay": 0.01}, epochs=6, batch_size=64)),
        s("fresh_stuck_digit_images_cnn_sgd_lr_1_momentum", high, "lr_too_high_dead_units",
          "SGD at lr 1 with momentum 0.9 on a CNN without batch norm: the ReLUs die in the "
          "first steps and the loss sits at chance",
          job(DIGIT_IMAGES, {"arch": "cnn", "width": 16, "depth": 2, "batchnorm": False},
              {"name": "sgd", "lr": 1.0, "momentum": 0.9}, epochs=10, batch_size=64)),
        s("fresh_stuck_images_cnn_bn_adamw_lr_1", high, "lr_too_high_dead_units",
          "AdamW at lr 1 (1000x its usual lr) on a CNN with batch norm over 600 images",
          job({"name": "synthetic_images", "n_train": 600}, {"arch": "cnn", "width": 8,
                                                             "depth": 2},
              {"name": "adamw", "lr": 1.0, "weight_decay": 0.01}, epochs=4, batch_size=32)),
        s("fresh_stuck_sines_cnn1d_adamw_lr_1", high, "lr_too_high_dead_units",
          "AdamW at lr 1 on a ReLU cnn1d: a huge first epoch, then dead units at chance",
          job(SINES, {"arch": "cnn1d", "width": 32}, {"name": "adamw", "lr": 1.0}, epochs=10)),
        s("fresh_stuck_wine_sigmoid_depth10_xavier", vanish, "deep_saturating_net",
          "a 10-layer sigmoid MLP with Xavier init and plain SGD: sigmoid' <= 0.25 per layer "
          "leaves the first layers no gradient",
          job("wine", {"arch": "mlp", "width": 32, "depth": 10, "activation": "sigmoid",
                       "init": "xavier"},
              {"name": "sgd", "lr": 0.1}, epochs=40, batch_size=16)),
        s("fresh_stuck_spirals_sigmoid_depth12_adagrad", vanish, "deep_saturating_net",
          "a 12-layer sigmoid MLP with PyTorch's default init trained by Adagrad",
          job(npz("fresh_spirals.npz", val_fraction=0.06),
              {"arch": "mlp", "width": 64, "depth": 12, "activation": "sigmoid"},
              {"name": "adagrad", "lr": 0.01}, epochs=20, batch_size=32)),
        s("fresh_stuck_sines_cnn1d_tanh_normal_init", vanish, "deep_saturating_tiny_init",
          "a 4-layer tanh cnn1d with N(0, 0.01) kernels: each layer shrinks the signal ~15x",
          job(SINES, {"arch": "cnn1d", "width": 16, "depth": 4, "activation": "tanh",
                      "init": "normal"},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=10)),
        s("fresh_stuck_sines_cnn1d_sigmoid_mse", sat, "mse_on_saturating_classifier",
          "MSE on one-hot targets with a sigmoid cnn1d: it settles on the class frequencies",
          job(SINES, {"arch": "cnn1d", "width": 16, "activation": "sigmoid"},
              {"name": "sgd", "lr": 0.1}, epochs=8, loss="mse")),
        s("fresh_stuck_spirals_sigmoid_mlp_mse_rmsprop", sat, "mse_on_saturating_classifier",
          "MSE on one-hot targets with a 4-layer sigmoid MLP and RMSprop for 30 epochs",
          job(SPIRALS, {"arch": "mlp", "width": 64, "depth": 4, "activation": "sigmoid"},
              {"name": "rmsprop", "lr": 1e-4}, epochs=30, batch_size=32, loss="mse")),
        s("fresh_stuck_breast_cancer_relu_depth6_normal_init", crit,
          "deep_nonsaturating_tiny_init",
          "a 6-layer ReLU MLP with N(0, 0.01) weights and plain SGD: every layer's output "
          "starts at ~0, a saddle it does not leave in 30 epochs",
          job({"name": "breast_cancer", "val_fraction": 0.1},
              {"arch": "mlp", "width": 64, "depth": 6, "init": "normal"},
              {"name": "sgd", "lr": 0.05}, epochs=30, batch_size=16)),
        s("fresh_stuck_iris_selu_depth8_normal_init", crit, "deep_nonsaturating_tiny_init",
          "an 8-layer SELU MLP with N(0, 0.01) weights and plain SGD on batches of 8",
          job("iris", {"arch": "mlp", "width": 32, "depth": 8, "activation": "selu",
                       "init": "normal"},
              {"name": "sgd", "lr": 0.1}, epochs=40, batch_size=8)),
    ]


def _oscillating() -> list[Spec]:
    def o(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, "heavy_ball_momentum", "oscillating", None, why, spec)

    return [
        o("fresh_oscillate_digits_linear_momentum_0.99",
          "logistic regression with SGD at lr 0.5 and momentum 0.99: the velocity carries "
          "each step far past the minimum and back",
          job("digits", {"arch": "linear"}, {"name": "sgd", "lr": 0.5, "momentum": 0.99},
              epochs=30, batch_size=32)),
        o("fresh_oscillate_breast_cancer_linear_momentum_0.99",
          "logistic regression with SGD at lr 5 and momentum 0.99 on batches of 16",
          job("breast_cancer", {"arch": "linear"}, {"name": "sgd", "lr": 5.0, "momentum": 0.99},
              epochs=30, batch_size=16)),
        o("fresh_oscillate_wine_tanh_mlp_momentum_0.99",
          "a tanh MLP with SGD at lr 1 and momentum 0.99 on batches of 16",
          job("wine", {"arch": "mlp", "width": 32, "activation": "tanh"},
              {"name": "sgd", "lr": 1.0, "momentum": 0.99}, epochs=30, batch_size=16)),
    ]


def _diverging() -> list[Spec]:
    def d(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "diverging", None, why, spec)

    return [
        d("fresh_diverge_diabetes_mlp_onecycle_peak_3", "onecycle_peak_unstable",
          "a one-cycle schedule whose peak lr of 3 (momentum 0.9) is past what an MLP "
          "regressor stands: the loss turns NaN as the lr climbs",
          job(DIABETES, {"arch": "mlp", "width": 64}, {"name": "sgd", "lr": 3.0, "momentum": 0.9},
              schedule={"name": "onecycle"}, epochs=20, batch_size=16, loss="mse")),
        d("fresh_diverge_waves_tanh_mlp_sgd_momentum_lr_1", "lr_too_high_divergence",
          "a tanh MLP regressor with SGD at lr 1 and momentum 0.9: the output layer's weights "
          "explode",
          job(WAVES, {"arch": "mlp", "width": 64, "activation": "tanh"},
              {"name": "sgd", "lr": 1.0, "momentum": 0.9}, epochs=20, batch_size=32,
              loss="mse")),
        d("fresh_diverge_mnist1d_selu_mlp_sgd_lr_5", "lr_too_high_divergence",
          "a 3-layer SELU MLP (unbounded both ways) with SGD at lr 5 and momentum 0.9",
          job("mnist1d", {"arch": "mlp", "width": 128, "depth": 3, "activation": "selu"},
              {"name": "sgd", "lr": 5.0, "momentum": 0.9}, epochs=10)),
        d("fresh_diverge_breast_cancer_gelu_mlp_mse_momentum_0.99", "lr_too_high_divergence",
          "a 3-layer GELU MLP on MSE with SGD at lr 0.5 and momentum 0.99 (an effective lr of "
          "50)",
          job("breast_cancer", {"arch": "mlp", "width": 64, "depth": 3, "activation": "gelu"},
              {"name": "sgd", "lr": 0.5, "momentum": 0.99}, epochs=20, batch_size=32,
              loss="mse")),
    ]


def _mismatch() -> list[Spec]:
    def m(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "mismatch", None, why, spec)

    return [
        m("fresh_mismatch_digits_unseen_classes", "label_set_shift",
          "the training file holds digits 0-5 and the validation file only digits 6-9",
          job(npz("fresh_digits_unseen_classes.npz"), {"arch": "mlp", "width": 128},
              {"name": "adam", "lr": 0.001}, epochs=15, batch_size=32)),
        m("fresh_mismatch_breast_cancer_labels_one_row_off", "label_row_misalignment",
          "the validation labels were joined to their rows one row off",
          job(npz("fresh_breast_cancer_off_by_one.npz"), {"arch": "mlp", "width": 32,
                                                          "depth": 1},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=20, batch_size=16)),
        m("fresh_mismatch_sines_double_sampling_rate", "feature_shift",
          "the validation windows were recorded at twice the sampling rate, so each holds "
          "half the cycles of its class",
          job(npz("fresh_sines_resampled.npz"), {"arch": "cnn1d", "width": 16,
                                                 "batchnorm": True},
              {"name": "adam", "lr": 0.003}, epochs=10)),
        m("fresh_mismatch_waves_targets_in_raw_units", "concept_shift",
          "the validation targets were exported before standardisation (mean 50, std 20)",
          job(regression("fresh_waves_raw_units.npz"), {"arch": "mlp", "width": 64},
              {"name": "adam", "lr": 0.003}, epochs=20, batch_size=32, loss="mse")),
        m("fresh_mismatch_moons_rotated_frame", "feature_shift",
          "the validation points were exported in a frame rotated by 180 degrees",
          job(npz("fresh_moons_rotated.npz"), {"arch": "mlp", "width": 32, "activation": "tanh"},
              {"name": "adam", "lr": 0.01}, epochs=20, batch_size=32)),
    ]


FRESH: list[Spec] = [*_healthy(), *_underfitting(), *_overfitting(), *_stuck(),
                     *_oscillating(), *_diverging(), *_mismatch()]
