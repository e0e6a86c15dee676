"""The fourth split: a fourth set of injected faults, written apart from the other three by
someone who read neither the advisor (service/advisor/, its README, tests and benchmarks)
nor any result of it, to be run once, at the end, on cases nobody tuned on.

Its constructions are new rather than variants of specs.py's and specs_fresh.py's: other
tasks (three concentric rings, a 30-feature hypercube task, five classes with 70/15/8/5/2%
shares, 4-channel sensor windows, 16x16 stripe images, a two-output regression, an
ill-conditioned least-squares problem, heavy-tailed regression features;
datasets_fourth.py), other mechanisms (dropout 0.9 and AdamW's decoupled weight decay at 10
as the regulariser too strong, a CNN of one filter; ill-conditioned features for plain
SGD; early stopping whose min_delta (0.3) ends the run while the loss still falls;
RMSprop with a short memory (alpha 0.3) and momentum, and L-BFGS on mini-batches, for
oscillation; outlier rows and momentum past the stability bound of a quadratic for
divergence; stuck regressors, whose loss sits at the targets' variance; an unregularised
logistic regression on a separable training set)
and other mismatches (a unit change that doubles every coordinate, sensor channels stored
in reverse order, images saved rotated by 90 degrees, the two target columns of a
two-output regression swapped, a V-shaped response trained on one arm and validated on the
other). It also uses cross-validation folds, label smoothing, early stopping, a
class-imbalanced task and both image families (cnn, resnet18).

Every spec's label comes from the status table of docs/ARCHITECTURE.md section 5 alone,
and every one was kept, re-injected or dropped by what curves.py reads from its curves
(validation_fourth.json), never by a diagnosis: no fitdoc diagnosis was asked for on any of
them.

Same case format as specs.py (its `Spec`, `job` and helpers); `specs.cases("fourth")`
expands these specs, and the split is "fourth" for every one of them. FOURTH is kept out of
specs.SPECS and specs_fresh.FRESH, so the other splits are what they were.
"""

from __future__ import annotations

from typing import Any

from bench.repair.specs import Spec, job, npz, regression

RINGS = npz("fourth_rings.npz", val_fraction=0.2)
CUBE = npz("fourth_hypercube.npz", val_fraction=0.2)
SKEWED = npz("fourth_skewed.npz", val_fraction=0.2)
SENSORS = npz("fourth_sensors.npz", val_fraction=0.2)
STRIPES = npz("fourth_stripes.npz", val_fraction=0.2)
TWIN = regression("fourth_twin.npz", val_fraction=0.2)
COLLINEAR = regression("fourth_collinear.npz", val_fraction=0.2)
HEAVY = regression("fourth_heavy.npz", val_fraction=0.2)


def _healthy() -> list[Spec]:
    def h(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, "sound_recipe", "healthy", None, why, spec)

    return [
        h("fourth_healthy_rings_mlp_adam_cosine",
          "a 2x64 ReLU MLP on three concentric rings (plus two noise features) with Adam and "
          "a cosine decay for 20 epochs",
          job(RINGS, {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 0.005},
              schedule={"name": "cosine"}, epochs=20, batch_size=64)),
        h("fourth_healthy_hypercube_mlp_l2_cosine",
          "a 2x128 MLP on the 30-feature hypercube task with Adam, a little l2 and a cosine "
          "decay for 20 epochs",
          job(CUBE, {"arch": "mlp", "width": 128}, {"name": "adam", "lr": 0.002},
              schedule={"name": "cosine"}, regularization={"l2": 1e-3}, epochs=20,
              batch_size=64)),
        h("fourth_healthy_skewed_mlp_adam",
          "a 2x32 MLP with Adam on five classes of 70/15/8/5/2%: well separated, so the "
          "rare classes are learned too",
          job(SKEWED, {"arch": "mlp", "width": 32}, {"name": "adam", "lr": 0.003}, epochs=15,
              batch_size=64)),
        h("fourth_healthy_sensors_cnn1d_bn_small_val",
          "a 32-channel cnn1d with batch norm, Adam and a cosine decay on 4-channel sensor "
          "windows, validated on 10% of them",
          job(npz("fourth_sensors.npz", val_fraction=0.1),
              {"arch": "cnn1d", "width": 32, "batchnorm": True}, {"name": "adam", "lr": 0.003},
              schedule={"name": "cosine"}, epochs=10, batch_size=64)),
        h("fourth_healthy_stripes_cnn_adam_short",
          "a 2-block CNN with batch norm and Adam for 10 epochs on 16x16 stripe images",
          job(STRIPES, {"arch": "cnn", "width": 8, "depth": 2}, {"name": "adam", "lr": 0.003},
              epochs=10, batch_size=64)),
        h("fourth_healthy_stripes_resnet18_cosine",
          "a ResNet-18 of base width 8 on 800 16x16 stripe images, Adam with a cosine decay "
          "for 4 epochs",
          job({**STRIPES, "n_train": 800}, {"arch": "resnet18", "width": 8},
              {"name": "adam", "lr": 0.003}, schedule={"name": "cosine"}, epochs=4,
              batch_size=64)),
        h("fourth_healthy_twin_mlp_two_outputs",
          "a 2x64 MLP regressing two targets at once with Adam and a cosine decay for 40 "
          "epochs",
          job(TWIN, {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 0.003},
              schedule={"name": "cosine"}, epochs=40, batch_size=32, loss="mse")),
        h("fourth_healthy_collinear_linear_lbfgs",
          "the ill-conditioned least-squares problem solved by full-batch L-BFGS, which the "
          "curvature does not slow down",
          job(COLLINEAR, {"arch": "linear"}, {"name": "lbfgs"}, epochs=5, batch_size=2048,
              loss="mse")),
        h("fourth_healthy_digits_mlp_adamw_label_smoothing",
          "a 2x256 MLP on digits with AdamW (weight decay 0.05), label smoothing 0.05 and a "
          "cosine decay for 15 epochs",
          job("digits", {"arch": "mlp", "width": 256},
              {"name": "adamw", "lr": 0.002, "weight_decay": 0.05},
              schedule={"name": "cosine"}, regularization={"label_smoothing": 0.05},
              epochs=15, batch_size=64)),
        h("fourth_healthy_wine_linear_adagrad_fold",
          "logistic regression with Adagrad on wine, validated on fold 2 of a 5-fold "
          "cross-validation (36 samples)",
          job({"name": "wine", "folds": 5, "fold": 2}, {"arch": "linear"},
              {"name": "adagrad", "lr": 0.1}, epochs=20, batch_size=16)),
        h("fourth_healthy_iris_linear_sgd_fold",
          "logistic regression with SGD and momentum on iris, validated on fold 0 of a 3-fold "
          "cross-validation",
          job({"name": "iris", "folds": 3, "fold": 0}, {"arch": "linear"},
              {"name": "sgd", "lr": 0.1, "momentum": 0.9}, epochs=40, batch_size=16)),
        h("fourth_healthy_breast_cancer_bn_mlp_early_stopping",
          "a 2x32 MLP with batch norm and RMSprop, stopped early on the validation loss "
          "(patience 3), validated on 10% of breast_cancer",
          job({"name": "breast_cancer", "val_fraction": 0.1},
              {"arch": "mlp", "width": 32, "batchnorm": True}, {"name": "rmsprop", "lr": 5e-4},
              regularization={"early_stopping": {"patience": 3}}, epochs=40, batch_size=32)),
    ]


def _underfitting() -> list[Spec]:
    def bias(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "underfitting", "model_bias", why, spec)

    def opt(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "underfitting", "optimization_issue", why, spec)

    def short(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "underfitting", "undertrained", why, spec)

    return [
        bias("fourth_underfit_stripes_cnn_one_filter", "model_too_small",
             "a CNN of one block with a single 3x3 filter, max-pooled and averaged into one "
             "number: too little to tell four stripe orientations apart",
             job(STRIPES, {"arch": "cnn", "width": 1, "depth": 1}, {"name": "adam", "lr": 0.01},
                 epochs=20, batch_size=64)),
        bias("fourth_underfit_skewed_mlp_dropout_0.9", "regularization_too_strong",
             "a 2x16 MLP with dropout 0.9: nine units in ten are dropped at every step, so "
             "the training loss stays high on five well separated classes",
             job(SKEWED, {"arch": "mlp", "width": 16, "dropout": 0.9},
                 {"name": "adam", "lr": 0.003}, epochs=30, batch_size=64)),
        bias("fourth_underfit_twin_adamw_weight_decay_10", "regularization_too_strong",
             "AdamW with a decoupled weight decay of 10 (1000x the usual 0.01), which shrinks "
             "the regressor's weights faster than the data can grow them",
             job(TWIN, {"arch": "mlp", "width": 64},
                 {"name": "adamw", "lr": 0.003, "weight_decay": 10.0}, epochs=30,
                 batch_size=32, loss="mse")),
        opt("fourth_underfit_collinear_linear_plain_sgd", "ill_conditioned_features",
            "plain SGD on a least-squares problem whose features come in nearly identical "
            "pairs: the directions that hold a quarter of the target have ~10^-4 of the "
            "curvature, so the linear model (which can fit it exactly) stalls",
            job(COLLINEAR, {"arch": "linear"}, {"name": "sgd", "lr": 0.03}, epochs=30,
                batch_size=32, loss="mse")),
        opt("fourth_underfit_rings_adagrad_exponential_0.3", "lr_schedule_collapse",
            "Adagrad, whose steps already shrink, under an exponential schedule with gamma 0.3 "
            "per epoch: the lr is ~10^-5 of its start after 10 epochs of 30",
            job(RINGS, {"arch": "mlp", "width": 64}, {"name": "adagrad", "lr": 0.05},
                schedule={"name": "exponential", "gamma": 0.3}, epochs=30, batch_size=64)),
        opt("fourth_underfit_stripes_cnn_step_every_epoch", "lr_schedule_collapse",
            "a step schedule that divides the lr by 5 after every epoch (step_size 1, gamma "
            "0.2): the CNN freezes after 3 epochs of 10",
            job(STRIPES, {"arch": "cnn", "width": 8, "depth": 2},
                {"name": "sgd", "lr": 0.01, "momentum": 0.9},
                schedule={"name": "step", "step_size": 1, "gamma": 0.2}, epochs=10,
                batch_size=64)),
        short("fourth_underfit_sensors_cnn1d_early_stopping_min_delta", "early_stopping_too_eager",
              "early stopping with patience 1 and min_delta 0.3: once an epoch lowers the "
              "validation loss by less than 0.3 the run stops, while the loss still falls",
              job(SENSORS, {"arch": "cnn1d", "width": 32}, {"name": "adam", "lr": 0.001},
                  regularization={"early_stopping": {"patience": 1, "min_delta": 0.3}},
                  epochs=30, batch_size=64)),
        short("fourth_underfit_stripes_cnn_3_epochs", "too_few_epochs",
              "a CNN with plain SGD at lr 0.003 stopped after 3 epochs, the loss barely "
              "started down",
              job(STRIPES, {"arch": "cnn", "width": 8, "depth": 2}, {"name": "sgd", "lr": 0.003},
                  epochs=3, batch_size=64)),
        short("fourth_underfit_skewed_adagrad_5_epochs", "too_few_epochs",
              "a 2x64 MLP with Adagrad at lr 1e-3 stopped after 5 epochs",
              job(SKEWED, {"arch": "mlp", "width": 64}, {"name": "adagrad", "lr": 0.001},
                  epochs=5, batch_size=64)),
    ]


def _overfitting() -> list[Spec]:
    def o(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "overfitting", None, why, spec)

    big, separable = "small_train_set_big_model", "separable_set_unregularised"
    return [
        o("fourth_overfit_stripes_mlp_60_images", big,
          "a 2x512 MLP on the raw pixels of 60 stripe images for 60 epochs, no augmentation "
          "or regularisation",
          job({**STRIPES, "n_train": 60}, {"arch": "mlp", "width": 512},
              {"name": "adam", "lr": 0.002}, epochs=60, batch_size=16)),
        o("fourth_overfit_sensors_cnn1d_200_windows", big,
          "a 64-channel cnn1d on 200 sensor windows for 30 epochs",
          job({**SENSORS, "n_train": 200}, {"arch": "cnn1d", "width": 64},
              {"name": "adam", "lr": 0.002}, epochs=30, batch_size=16)),
        o("fourth_overfit_sensors_cnn1d_one_wide_layer_150", big,
          "a cnn1d of one 256-channel layer (a 6000-weight head) on 150 sensor windows",
          job({**SENSORS, "n_train": 150}, {"arch": "cnn1d", "width": 256, "depth": 1},
              {"name": "adam", "lr": 0.001}, epochs=40, batch_size=16)),
        o("fourth_overfit_sensors_mlp_300_windows", big,
          "a 2x512 MLP on 300 flattened sensor windows for 40 epochs",
          job({**SENSORS, "n_train": 300}, {"arch": "mlp", "width": 512},
              {"name": "adam", "lr": 0.001}, epochs=40, batch_size=16)),
        o("fourth_overfit_hypercube_tanh_mlp_60_samples", big,
          "a 2x512 tanh MLP on 60 samples of the 30-feature hypercube task (18 of the "
          "features noise) for 60 epochs",
          job({**CUBE, "n_train": 60}, {"arch": "mlp", "width": 512, "activation": "tanh"},
              {"name": "adam", "lr": 0.001}, epochs=60, batch_size=8)),
        o("fourth_overfit_hypercube_linear_40_full_batch", separable,
          "unregularised logistic regression fitted full-batch by Adam at lr 0.1 on 40 "
          "samples of 30 features: the training set is separable and the weights grow "
          "without bound",
          job({**CUBE, "n_train": 40}, {"arch": "linear"}, {"name": "adam", "lr": 0.1},
              epochs=100, batch_size=40)),
        o("fourth_overfit_breast_cancer_linear_60_full_batch", separable,
          "unregularised logistic regression fitted full-batch by Adam at lr 0.1 on 60 "
          "breast_cancer samples for 150 epochs: the 30 features separate them, and the "
          "weights grow until the few misclassified validation samples cost more and more",
          job({"name": "breast_cancer", "n_train": 60}, {"arch": "linear"},
              {"name": "adam", "lr": 0.1}, epochs=150, batch_size=60)),
        o("fourth_overfit_mnist1d_gelu_cnn1d_150_nesterov", big,
          "a 128-channel 2-layer GELU cnn1d with Nesterov SGD on 150 MNIST-1D sequences for "
          "30 epochs",
          job({"name": "mnist1d", "n_train": 150},
              {"arch": "cnn1d", "width": 128, "depth": 2, "activation": "gelu"},
              {"name": "sgd", "lr": 0.01, "momentum": 0.9, "nesterov": True}, epochs=30,
              batch_size=16)),
        o("fourth_overfit_breast_cancer_selu_rmsprop_50", big,
          "a 3x256 SELU MLP with RMSprop on 50 breast_cancer samples for 80 epochs",
          job({"name": "breast_cancer", "n_train": 50},
              {"arch": "mlp", "width": 256, "depth": 3, "activation": "selu"},
              {"name": "rmsprop", "lr": 1e-4}, epochs=80, batch_size=8)),
        o("fourth_overfit_iris_tanh_mlp_adagrad_40", big,
          "a 3x512 tanh MLP with Adagrad on 40 iris samples for 80 epochs, validated on 30%",
          job({"name": "iris", "n_train": 40, "val_fraction": 0.3},
              {"arch": "mlp", "width": 512, "depth": 3, "activation": "tanh"},
              {"name": "adagrad", "lr": 0.02}, epochs=80, batch_size=8)),
    ]


def _stuck() -> list[Spec]:
    def s(name: str, cause: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "stuck", cause, why, spec)

    low, high = "lr_too_low", "lr_too_high"
    vanish, sat, crit = "vanishing_gradient", "saturated_loss", "critical_point"
    return [
        s("fourth_stuck_twin_regressor_adam_lr_3e-7", low, "lr_too_low",
          "Adam at lr 3e-7 (3000x below its usual 1e-3) on a two-output regressor: the MSE "
          "stays at the targets' variance",
          job(TWIN, {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 3e-7}, epochs=20,
              batch_size=32, loss="mse")),
        s("fourth_stuck_stripes_cnn_nesterov_lr_1e-6_cosine", low, "lr_too_low",
          "Nesterov SGD at lr 1e-6 under a cosine decay on a CNN, validated on 10% of the "
          "stripe images",
          job(npz("fourth_stripes.npz", val_fraction=0.1), {"arch": "cnn", "width": 8,
                                                             "depth": 2},
              {"name": "sgd", "lr": 1e-6, "momentum": 0.9, "nesterov": True},
              schedule={"name": "cosine"}, epochs=6, batch_size=64)),
        s("fourth_stuck_sensors_cnn1d_rmsprop_lr_0.1", high, "lr_too_high_dead_units",
          "RMSprop at lr 0.1 (100x its usual 1e-3) on a ReLU cnn1d: a huge first epoch, then "
          "dead units and the loss at chance",
          job(SENSORS, {"arch": "cnn1d", "width": 32}, {"name": "rmsprop", "lr": 0.1},
              epochs=8, batch_size=64)),
        s("fourth_stuck_rings_nesterov_lr_3", high, "lr_too_high_dead_units",
          "Nesterov SGD at lr 3 with momentum 0.9 on a 3x64 ReLU MLP: dead units within the "
          "first epoch, the loss at ln 3",
          job(RINGS, {"arch": "mlp", "width": 64, "depth": 3},
              {"name": "sgd", "lr": 3.0, "momentum": 0.9, "nesterov": True}, epochs=20,
              batch_size=64)),
        s("fourth_stuck_stripes_sigmoid_cnn_default_init", vanish, "deep_saturating_net",
          "a 3-block sigmoid CNN without batch norm (PyTorch's default init) and SGD with "
          "momentum: each sigmoid passes at most a quarter of the gradient back",
          job(STRIPES, {"arch": "cnn", "width": 8, "depth": 3, "activation": "sigmoid",
                        "batchnorm": False},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=6, batch_size=64)),
        s("fourth_stuck_rings_tanh_depth12_normal_init", vanish, "deep_saturating_tiny_init",
          "a 12-layer tanh MLP with N(0, 0.01) weights: each layer shrinks the signal ~12x, "
          "validated on 8% of the rings",
          job(npz("fourth_rings.npz", val_fraction=0.08),
              {"arch": "mlp", "width": 64, "depth": 12, "activation": "tanh", "init": "normal"},
              {"name": "sgd", "lr": 0.1, "momentum": 0.9}, epochs=20, batch_size=64)),
        s("fourth_stuck_hypercube_sigmoid_mlp_mse", sat, "mse_on_saturating_classifier",
          "MSE on one-hot targets through a 4-layer sigmoid MLP: the outputs settle on the "
          "class frequencies",
          job(npz("fourth_hypercube.npz", val_fraction=0.1),
              {"arch": "mlp", "width": 64, "depth": 4, "activation": "sigmoid"},
              {"name": "sgd", "lr": 0.05, "momentum": 0.5}, epochs=15, batch_size=32,
              loss="mse")),
        s("fourth_stuck_sensors_sigmoid_cnn1d_mse", sat, "mse_on_saturating_classifier",
          "MSE on one-hot targets through a sigmoid cnn1d with plain SGD",
          job(SENSORS, {"arch": "cnn1d", "width": 32, "activation": "sigmoid"},
              {"name": "sgd", "lr": 0.1}, epochs=8, batch_size=64, loss="mse")),
        s("fourth_stuck_twin_relu_depth5_normal_init", crit, "deep_nonsaturating_tiny_init",
          "a 5-layer ReLU regressor with N(0, 0.01) weights: every output starts at ~0, the "
          "saddle where the MSE is the targets' variance, validated on 5%",
          job(regression("fourth_twin.npz", val_fraction=0.05),
              {"arch": "mlp", "width": 64, "depth": 5, "init": "normal"},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=20, batch_size=32,
              loss="mse")),
        s("fourth_stuck_sensors_selu_cnn1d_normal_init", crit, "deep_nonsaturating_tiny_init",
          "a 3-layer SELU cnn1d with N(0, 0.01) kernels and plain SGD",
          job(SENSORS, {"arch": "cnn1d", "width": 32, "depth": 3, "activation": "selu",
                        "init": "normal"},
              {"name": "sgd", "lr": 0.05}, epochs=8, batch_size=64)),
    ]


def _oscillating() -> list[Spec]:
    def o(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "oscillating", None, why, spec)

    return [
        o("fourth_oscillate_rings_rmsprop_alpha_0.3_momentum", "short_memory_rmsprop",
          "RMSprop with alpha 0.3 (a square-gradient average over ~1.5 steps instead of ~100) "
          "and momentum 0.9 at lr 0.01: after every small gradient the next step is "
          "oversized",
          job(RINGS, {"arch": "mlp", "width": 64},
              {"name": "rmsprop", "lr": 0.01, "alpha": 0.3, "momentum": 0.9}, epochs=20,
              batch_size=32)),
        o("fourth_oscillate_hypercube_rmsprop_alpha_0.3_momentum", "short_memory_rmsprop",
          "RMSprop with alpha 0.3 and momentum 0.9 at lr 0.01 on the hypercube task",
          job(CUBE, {"arch": "mlp", "width": 64},
              {"name": "rmsprop", "lr": 0.01, "alpha": 0.3, "momentum": 0.9}, epochs=20,
              batch_size=32)),
        o("fourth_oscillate_wine_lbfgs_minibatch", "minibatch_lbfgs",
          "L-BFGS, a full-batch method, on mini-batches of 16: its curvature pairs mix "
          "gradients of different batches and its line search fits each batch, so the "
          "model jumps from batch to batch",
          job("wine", {"arch": "linear"}, {"name": "lbfgs"}, epochs=20, batch_size=16)),
    ]


def _diverging() -> list[Spec]:
    def d(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "diverging", None, why, spec)

    return [
        d("fourth_diverge_heavy_tails_linear_sgd", "heavy_tailed_features",
          "plain SGD at lr 0.1 on batches of 16 of a linear regression whose features are "
          "heavy-tailed: a row 30 standard deviations out makes that batch's curvature ~50x "
          "what the lr stands, and each such step multiplies the error",
          job(HEAVY, {"arch": "linear"}, {"name": "sgd", "lr": 0.1}, epochs=20, batch_size=16,
              loss="mse")),
        d("fourth_diverge_twin_linear_momentum_past_stability", "momentum_past_stability",
          "a linear two-output regressor with SGD at lr 3 and momentum 0.9 on batches of 256, "
          "just past the stability bound 2(1 + momentum) / lambda_max of a batch's quadratic "
          "loss: the error grows 3-10x an epoch",
          job(TWIN, {"arch": "linear"}, {"name": "sgd", "lr": 3.0, "momentum": 0.9}, epochs=20,
              batch_size=256, loss="mse")),
        d("fourth_diverge_skewed_selu_mlp_sgd_lr_0.5", "lr_too_high_divergence",
          "a 4-layer SELU MLP (unbounded above) with SGD at lr 0.5 and momentum 0.9",
          job(SKEWED, {"arch": "mlp", "width": 64, "depth": 4, "activation": "selu"},
              {"name": "sgd", "lr": 0.5, "momentum": 0.9}, epochs=10, batch_size=32)),
    ]


def _mismatch() -> list[Spec]:
    def m(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "mismatch", None, why, spec)

    return [
        m("fourth_mismatch_rings_validation_in_other_unit", "feature_shift",
          "the validation points were exported in another unit, every coordinate doubled: "
          "ring 1 lies where the training set's ring 2 is",
          job(npz("fourth_rings_doubled.npz"), {"arch": "mlp", "width": 64},
              {"name": "adam", "lr": 0.005}, epochs=20, batch_size=64)),
        m("fourth_mismatch_sensors_channels_reversed", "feature_shift",
          "the validation file stores the four sensor channels in reverse order, so every "
          "burst sits on the channel of another class",
          job(npz("fourth_sensors_reversed_channels.npz"),
              {"arch": "cnn1d", "width": 32, "batchnorm": True}, {"name": "adam", "lr": 0.003},
              epochs=10, batch_size=64)),
        m("fourth_mismatch_stripes_rotated_90", "feature_shift",
          "the validation images were saved rotated by 90 degrees, which turns every stripe "
          "orientation into another class's",
          job(npz("fourth_stripes_rotated.npz"), {"arch": "cnn", "width": 8, "depth": 2},
              {"name": "adam", "lr": 0.003}, epochs=8, batch_size=64)),
        m("fourth_mismatch_twin_target_columns_swapped", "concept_shift",
          "the validation export holds the two regression targets in the other column order",
          job(regression("fourth_twin_swapped_targets.npz"), {"arch": "mlp", "width": 64},
              {"name": "adam", "lr": 0.003}, epochs=20, batch_size=32, loss="mse")),
        m("fourth_mismatch_vshape_other_arm", "covariate_shift",
          "a V-shaped response trained on x0 < 0 and validated on x0 > 0: the model "
          "extrapolates the falling arm where the response rises",
          job(regression("fourth_v_shape_extrapolation.npz"), {"arch": "mlp", "width": 64},
              {"name": "adam", "lr": 0.003}, epochs=20, batch_size=32, loss="mse")),
    ]


FOURTH: list[Spec] = [*_healthy(), *_underfitting(), *_overfitting(), *_stuck(),
                      *_oscillating(), *_diverging(), *_mismatch()]
