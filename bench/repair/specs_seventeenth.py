"""The seventeenth split: JobSpecs with one injected training fault each (or none), written
apart from the other splits.

Written from docs/ARCHITECTURE.md sections 4 (the JobSpec) and 5 (the table of statuses and
causes), the catalogue (service/catalogue), the training engine (workers/training), the
format of specs.py and datasets.py, and the yardsticks of curves.py; without reading
fitdoc's advisor, any benchmark result or the other splits' specs and datasets. Each fault
is written from what it does to a run's curves, and every spec was checked only by
curves.py through validate.py (`--split seventeenth`).

Datasets: the built-ins (mnist1d, digits, wine, breast_cancer, iris, synthetic_images) and
the `s17_` npz files of datasets_seventeenth.py (sound snippets of chirps and tones, an
enzyme-kinetics regression, two concentric shells, and five train/validation mismatches).
"""

from __future__ import annotations

from typing import Any

from bench.repair.specs import Spec, job, npz

CHIRPS = npz("s17_chirps.npz", val_fraction=0.2)
SHELLS = npz("s17_shells.npz", val_fraction=0.2)


def kinetics(**fields: Any) -> dict[str, Any]:
    """The s17 regression (targets already standardised)."""
    return npz("s17_kinetics.npz", task="regression", **{"val_fraction": 0.2, **fields})


def images(n_train: int) -> dict[str, Any]:
    return {"name": "synthetic_images", "n_train": n_train}


def _healthy() -> list[Spec]:
    def h(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, "sound_recipe", "healthy", None, why, spec)

    return [
        h("f17_healthy_mnist1d_cnn1d_bn_adamw_onecycle",
          "a cnn1d with batch norm, AdamW with a little weight decay under a one-cycle "
          "schedule for 18 epochs",
          job("mnist1d", {"arch": "cnn1d", "width": 32, "batchnorm": True},
              {"name": "adamw", "lr": 0.004, "weight_decay": 0.01},
              schedule={"name": "onecycle"}, epochs=18)),
        h("f17_healthy_mnist1d_cnn1d_sgd_plateau_noise_long",
          "a cnn1d with batch norm, SGD with momentum and a reduce-on-plateau schedule over "
          "30 epochs, the inputs jittered with Gaussian noise",
          job("mnist1d", {"arch": "cnn1d", "width": 32, "batchnorm": True},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9},
              schedule={"name": "plateau", "patience": 2, "factor": 0.3},
              augmentation={"noise": {"std": 0.3}}, epochs=30)),
        h("f17_healthy_digits_mlp_sgd_nesterov_step",
          "a 2x128 MLP with Nesterov SGD and a step decay every 6 epochs",
          job("digits", {"arch": "mlp", "width": 128},
              {"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True},
              schedule={"name": "step", "step_size": 6, "gamma": 0.2}, epochs=14,
              batch_size=64)),
        h("f17_healthy_digits_linear_lbfgs_full_batch",
          "l2-regularised multinomial logistic regression fitted by full-batch L-BFGS in 6 "
          "epochs",
          job("digits", {"arch": "linear"}, {"name": "lbfgs"}, regularization={"l2": 0.01},
              epochs=6, batch_size=2048)),
        h("f17_healthy_wine_linear_adagrad_small_val",
          "logistic regression with Adagrad on wine, validated on 15% of it",
          job({"name": "wine", "val_fraction": 0.15}, {"arch": "linear"},
              {"name": "adagrad", "lr": 0.1}, epochs=25, batch_size=16)),
        h("f17_healthy_wine_mlp_sgd_linear_decay_long",
          "a one-hidden-layer MLP with SGD and momentum, a little l2 and a linear decay for "
          "50 epochs",
          job("wine", {"arch": "mlp", "width": 16, "depth": 1},
              {"name": "sgd", "lr": 0.02, "momentum": 0.9}, schedule={"name": "linear"},
              regularization={"l2": 0.01}, epochs=50, batch_size=16)),
        h("f17_healthy_breast_cancer_mlp_adamw_exponential",
          "a 2x32 MLP with AdamW and weight decay under an exponential decay",
          job("breast_cancer", {"arch": "mlp", "width": 32},
              {"name": "adamw", "lr": 0.002, "weight_decay": 0.05},
              schedule={"name": "exponential", "gamma": 0.9}, epochs=20, batch_size=32)),
        h("f17_healthy_iris_tanh_mlp_adam_small_val_long",
          "a small tanh MLP with Adam and a little l2 for 60 epochs, validated on 15% of iris",
          job({"name": "iris", "val_fraction": 0.15},
              {"arch": "mlp", "width": 16, "depth": 1, "activation": "tanh"},
              {"name": "adam", "lr": 0.01}, regularization={"l2": 0.005}, epochs=60,
              batch_size=32)),
        h("f17_healthy_breast_cancer_linear_rmsprop_small_val",
          "l2-regularised logistic regression with RMSprop, validated on 12% of breast_cancer",
          job({"name": "breast_cancer", "val_fraction": 0.12}, {"arch": "linear"},
              {"name": "rmsprop", "lr": 0.003}, regularization={"l2": 0.01}, epochs=15,
              batch_size=32)),
        h("f17_healthy_chirps_cnn1d_bn_adam_cosine",
          "a cnn1d with batch norm telling rising from falling chirps and swelling from "
          "fading tones, Adam with cosine decay",
          job(CHIRPS, {"arch": "cnn1d", "width": 16, "batchnorm": True},
              {"name": "adam", "lr": 0.003}, schedule={"name": "cosine"}, epochs=20,
              batch_size=64)),
        h("f17_healthy_shells_mlp_rmsprop_linear_decay",
          "a 2x64 MLP separating two shells and two half-spaces, RMSprop under a linear decay",
          job(SHELLS, {"arch": "mlp", "width": 64}, {"name": "rmsprop", "lr": 0.003},
              schedule={"name": "linear"}, epochs=30, batch_size=64)),
        h("f17_healthy_kinetics_mlp_adam_cosine",
          "a 2x64 MLP regressing enzyme reaction rates, Adam with cosine decay",
          job(kinetics(), {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 0.003},
              schedule={"name": "cosine"}, epochs=40, batch_size=64, loss="mse")),
        h("f17_healthy_kinetics_mlp_sgd_plateau_small_val",
          "a 2x128 MLP regressor with SGD and momentum under reduce-on-plateau, validated on "
          "10% of the samples",
          job(kinetics(val_fraction=0.1), {"arch": "mlp", "width": 128},
              {"name": "sgd", "lr": 0.02, "momentum": 0.9},
              schedule={"name": "plateau", "patience": 3}, epochs=50, batch_size=64,
              loss="mse")),
    ]


def _underfitting() -> list[Spec]:
    def bias(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "underfitting", "model_bias", why, spec)

    def opt(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "underfitting", "optimization_issue", why, spec)

    def short(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, "too_few_epochs", "underfitting", "undertrained", why, spec)

    return [
        bias("f17_underfit_shells_linear", "model_too_small",
             "a linear model on the shells: it finds the half-space, never the radius",
             job(SHELLS, {"arch": "linear"}, {"name": "adam", "lr": 0.01}, epochs=30,
                 batch_size=64)),
        bias("f17_underfit_kinetics_linear", "model_too_small",
             "a linear model of a rate that is a product of saturating and exponential terms",
             job(kinetics(), {"arch": "linear"}, {"name": "sgd", "lr": 0.005}, epochs=40,
                 batch_size=64, loss="mse")),
        bias("f17_underfit_mnist1d_cnn1d_two_filters", "model_too_small",
             "a cnn1d of one layer with two filters: two feature maps for ten classes",
             job("mnist1d", {"arch": "cnn1d", "width": 2, "depth": 1},
                 {"name": "adam", "lr": 0.02}, epochs=30)),
        bias("f17_underfit_iris_mlp_l2_too_strong", "regularization_too_strong",
             "an MLP with an l2 penalty of 0.5 (500x the usual), which keeps its weights too "
             "small to separate the classes",
             job("iris", {"arch": "mlp", "width": 32, "depth": 1}, {"name": "adam", "lr": 0.01},
                 regularization={"l2": 0.5}, epochs=60, batch_size=16)),
        opt("f17_underfit_digits_mlp_step_every_epoch", "lr_schedule_collapse",
            "a step schedule cutting the lr 20x after every epoch: it is 8000x smaller by "
            "epoch 3 and the loss freezes where the first epochs left it",
            job("digits", {"arch": "mlp", "width": 64},
                {"name": "sgd", "lr": 0.05, "momentum": 0.9},
                schedule={"name": "step", "step_size": 1, "gamma": 0.05}, epochs=20,
                batch_size=64)),
        opt("f17_underfit_chirps_cnn1d_inverse_cubed", "lr_schedule_collapse",
            "an inverse schedule with power 3: the lr is 1/8 after one epoch, 1/64 after three",
            job(CHIRPS, {"arch": "cnn1d", "width": 16}, {"name": "adam", "lr": 0.003},
                schedule={"name": "inverse", "power": 3.0}, epochs=25, batch_size=32)),
        opt("f17_underfit_kinetics_mlp_exponential_collapse", "lr_schedule_collapse",
            "an exponential schedule with gamma 0.3 per epoch on an MLP regressor",
            job(kinetics(), {"arch": "mlp", "width": 64},
                {"name": "sgd", "lr": 0.01, "momentum": 0.9},
                schedule={"name": "exponential", "gamma": 0.3}, epochs=30, batch_size=64,
                loss="mse")),
        opt("f17_underfit_mnist1d_mlp_adagrad_shrinking", "shrinking_steps",
            "Adagrad at a small lr: its accumulated squared gradients shrink every step until "
            "the loss stalls far from a fit",
            job("mnist1d", {"arch": "mlp", "width": 128}, {"name": "adagrad", "lr": 0.003},
                epochs=40)),
        short("f17_undertrained_mnist1d_cnn1d_sgd_5_epochs",
              "a cnn1d with SGD and momentum stopped after 5 epochs",
              job("mnist1d", {"arch": "cnn1d", "width": 32},
                  {"name": "sgd", "lr": 0.03, "momentum": 0.9}, epochs=5)),
        short("f17_undertrained_images_cnn_adam_3_epochs",
              "a CNN with Adam stopped after 3 epochs, far from a fit",
              job(images(1200), {"arch": "cnn", "width": 8, "depth": 3},
                  {"name": "adam", "lr": 0.003}, epochs=3, batch_size=64)),
        short("f17_undertrained_kinetics_mlp_sgd_5_epochs",
              "an MLP regressor with plain SGD at a small lr stopped after 5 epochs",
              job(kinetics(), {"arch": "mlp", "width": 32}, {"name": "sgd", "lr": 0.003},
                  epochs=5, batch_size=32, loss="mse")),
        short("f17_undertrained_iris_tanh_mlp_sgd_small_val",
              "a small tanh MLP with plain SGD stopped after 12 epochs, validated on 15% of iris",
              job({"name": "iris", "val_fraction": 0.15},
                  {"arch": "mlp", "width": 16, "depth": 1, "activation": "tanh"},
                  {"name": "sgd", "lr": 0.02}, epochs=12, batch_size=16)),
    ]


def _overfitting() -> list[Spec]:
    def o(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, "small_train_set_big_model", "overfitting", None, why, spec)

    return [
        o("f17_overfit_digits_mlp_100_samples",
          "a 2x512 MLP on 100 digits for 80 epochs of Adam",
          job({"name": "digits", "n_train": 100}, {"arch": "mlp", "width": 512},
              {"name": "adam", "lr": 0.005}, epochs=80, batch_size=32)),
        o("f17_overfit_mnist1d_mlp_400_samples",
          "a 2x256 MLP on 400 MNIST-1D sequences for 50 epochs",
          job({"name": "mnist1d", "n_train": 400}, {"arch": "mlp", "width": 256},
              {"name": "adam", "lr": 0.002}, epochs=50, batch_size=64)),
        o("f17_overfit_shells_mlp_60_samples_long",
          "a 2x256 MLP on 60 points of the shells (three of six features pure noise) for 200 "
          "full-batch epochs",
          job({**SHELLS, "n_train": 60}, {"arch": "mlp", "width": 256},
              {"name": "adam", "lr": 0.005}, epochs=200, batch_size=64)),
        o("f17_overfit_breast_cancer_mlp_50_samples_long",
          "a 2x256 MLP on 50 breast_cancer samples for 150 epochs",
          job({"name": "breast_cancer", "n_train": 50}, {"arch": "mlp", "width": 256},
              {"name": "adam", "lr": 0.001}, epochs=150, batch_size=16)),
        o("f17_overfit_chirps_mlp_120_samples",
          "a 2x256 MLP (no translation invariance) on 120 snippets for 60 epochs",
          job({**CHIRPS, "n_train": 120}, {"arch": "mlp", "width": 256},
              {"name": "adam", "lr": 0.003}, epochs=60, batch_size=32)),
    ]


def _stuck() -> list[Spec]:
    def s(name: str, cause: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "stuck", cause, why, spec)

    low, high = "lr_too_low", "lr_too_high"
    vanish, sat, crit = "vanishing_gradient", "saturated_loss", "critical_point"
    return [
        s("f17_stuck_digits_mlp_sgd_lr_1e-5", low, "lr_far_too_low",
          "plain SGD at lr 1e-5 (3000x below its usual lr): ten epochs move nothing",
          job("digits", {"arch": "mlp", "width": 128}, {"name": "sgd", "lr": 1e-5}, epochs=10,
              batch_size=64)),
        s("f17_stuck_images_cnn_adamw_lr_1e-7", low, "lr_far_too_low",
          "AdamW at lr 1e-7 on a CNN",
          job(images(1000), {"arch": "cnn", "width": 8, "depth": 3},
              {"name": "adamw", "lr": 1e-7}, epochs=4, batch_size=64)),
        s("f17_stuck_kinetics_mlp_rmsprop_lr_1e-7", low, "lr_far_too_low",
          "RMSprop at lr 1e-7 on an MLP regressor",
          job(kinetics(), {"arch": "mlp", "width": 64}, {"name": "rmsprop", "lr": 1e-7},
              epochs=12, batch_size=64, loss="mse")),
        s("f17_stuck_mnist1d_mlp_adam_lr_1", high, "lr_far_too_high",
          "Adam at lr 1 (1000x its usual lr): the first steps kill the ReLU units and the "
          "output settles on the class frequencies",
          job("mnist1d", {"arch": "mlp", "width": 128}, {"name": "adam", "lr": 1.0},
              epochs=10)),
        s("f17_stuck_digits_mlp_adamw_lr_2", high, "lr_far_too_high",
          "AdamW at lr 2 (2000x its usual lr) on a 3-layer ReLU MLP",
          job("digits", {"arch": "mlp", "width": 64, "depth": 3}, {"name": "adamw", "lr": 2.0},
              epochs=10, batch_size=64)),
        s("f17_stuck_chirps_cnn1d_adamw_lr_0.5", high, "lr_far_too_high",
          "AdamW at lr 0.5 (500x its usual lr) on a ReLU cnn1d",
          job(CHIRPS, {"arch": "cnn1d", "width": 16},
              {"name": "adamw", "lr": 0.5, "weight_decay": 0.01}, epochs=8, batch_size=64)),
        s("f17_stuck_wine_sigmoid_depth10", vanish, "deep_saturating",
          "a 10-layer sigmoid MLP: each layer scales the gradient by at most 1/4",
          job("wine", {"arch": "mlp", "width": 32, "depth": 10, "activation": "sigmoid"},
              {"name": "sgd", "lr": 0.05}, epochs=40, batch_size=16)),
        s("f17_stuck_iris_tanh_depth8_normal_init_small_val", vanish,
          "deep_saturating_tiny_init",
          "an 8-layer tanh MLP with N(0, 0.01) weights: the signal shrinks ~20x per layer, "
          "validated on 15% of iris",
          job({"name": "iris", "val_fraction": 0.15},
              {"arch": "mlp", "width": 32, "depth": 8, "activation": "tanh", "init": "normal"},
              {"name": "sgd", "lr": 0.1}, epochs=50, batch_size=16)),
        s("f17_stuck_mnist1d_cnn1d_sigmoid_depth4_normal_init", vanish,
          "deep_saturating_tiny_init",
          "a 4-layer sigmoid cnn1d with N(0, 0.01) kernels and plain SGD",
          job("mnist1d", {"arch": "cnn1d", "width": 32, "depth": 4, "activation": "sigmoid",
                          "init": "normal"},
              {"name": "sgd", "lr": 0.05}, epochs=8)),
        s("f17_stuck_breast_cancer_mse_sigmoid_mlp", sat, "mse_on_saturating_classifier",
          "MSE on one-hot targets through a 3-layer sigmoid MLP",
          job("breast_cancer", {"arch": "mlp", "width": 64, "depth": 3,
                                "activation": "sigmoid"},
              {"name": "sgd", "lr": 0.05}, epochs=20, batch_size=32, loss="mse")),
        s("f17_stuck_digits_mse_sigmoid_depth4", sat, "mse_on_saturating_classifier",
          "MSE on one-hot targets through a 4-layer sigmoid MLP",
          job("digits", {"arch": "mlp", "width": 64, "depth": 4, "activation": "sigmoid"},
              {"name": "sgd", "lr": 0.1}, epochs=12, batch_size=64, loss="mse")),
        s("f17_stuck_chirps_mse_sigmoid_cnn1d", sat, "mse_on_saturating_classifier",
          "MSE on one-hot targets through a sigmoid cnn1d",
          job(CHIRPS, {"arch": "cnn1d", "width": 16, "activation": "sigmoid"},
              {"name": "sgd", "lr": 0.05}, epochs=10, batch_size=64, loss="mse")),
        s("f17_stuck_breast_cancer_relu_depth5_normal_init", crit,
          "deep_nonsaturating_tiny_init",
          "a 5-layer ReLU MLP with N(0, 0.01) weights and plain SGD: every layer's output "
          "starts near 0, where all gradients but the last bias's vanish",
          job("breast_cancer", {"arch": "mlp", "width": 64, "depth": 5, "init": "normal"},
              {"name": "sgd", "lr": 0.05}, epochs=20, batch_size=32)),
        s("f17_stuck_images_cnn_gelu_no_bn_normal_init", crit,
          "deep_nonsaturating_tiny_init",
          "a 4-block GELU CNN without batch norm, N(0, 0.01) kernels, SGD with momentum",
          job(images(1000), {"arch": "cnn", "width": 8, "depth": 4, "activation": "gelu",
                             "init": "normal", "batchnorm": False},
              {"name": "sgd", "lr": 0.05, "momentum": 0.5}, epochs=4, batch_size=64)),
        s("f17_stuck_kinetics_selu_depth6_normal_init", crit,
          "deep_nonsaturating_tiny_init",
          "a 6-layer SELU MLP regressor with N(0, 0.01) weights and plain SGD",
          job(kinetics(), {"arch": "mlp", "width": 64, "depth": 6, "activation": "selu",
                           "init": "normal"},
              {"name": "sgd", "lr": 0.05}, epochs=15, batch_size=64, loss="mse")),
    ]


def _oscillating() -> list[Spec]:
    def o(name: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, "lr_too_high_oscillation", "oscillating", None, why, spec)

    return [
        o("f17_oscillate_wine_linear_adam_lr_3",
          "logistic regression with Adam at lr 3 (3000x its usual lr) on batches of 16",
          job("wine", {"arch": "linear"}, {"name": "adam", "lr": 3.0}, epochs=40,
              batch_size=16)),
        o("f17_oscillate_breast_cancer_linear_sgd_momentum_0.95",
          "logistic regression with SGD at lr 2 and momentum 0.95: the velocity carries each "
          "step past the minimum and back",
          job("breast_cancer", {"arch": "linear"}, {"name": "sgd", "lr": 2.0, "momentum": 0.95},
              epochs=40, batch_size=32)),
        o("f17_oscillate_shells_mlp_adam_lr_0.2",
          "a 2x64 MLP with Adam at lr 0.2 (200x its usual lr)",
          job(SHELLS, {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 0.2}, epochs=30,
              batch_size=64)),
        o("f17_oscillate_digits_linear_sgd_lr_50",
          "multinomial logistic regression with SGD at lr 50 and momentum 0.5 on batches of 16",
          job("digits", {"arch": "linear"}, {"name": "sgd", "lr": 50.0, "momentum": 0.5},
              epochs=25, batch_size=16)),
        o("f17_oscillate_iris_linear_adagrad_lr_20_small_val",
          "logistic regression with Adagrad at lr 20 (2000x its usual lr) on batches of 8, "
          "validated on 10% of iris",
          job({"name": "iris", "val_fraction": 0.1}, {"arch": "linear"},
              {"name": "adagrad", "lr": 20.0}, epochs=40, batch_size=8)),
    ]


def _diverging() -> list[Spec]:
    def d(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "diverging", None, why, spec)

    return [
        d("f17_diverge_kinetics_tanh_mlp_sgd_momentum_lr_0.5", "lr_too_high_divergence",
          "a tanh MLP regressor with SGD at lr 0.5 and momentum 0.9 on MSE: the output layer "
          "sees bounded features, so nothing dies and the error grows geometrically until it "
          "overflows",
          job(kinetics(), {"arch": "mlp", "width": 64, "activation": "tanh"},
              {"name": "sgd", "lr": 0.5, "momentum": 0.9}, epochs=10, batch_size=64,
              loss="mse")),
        d("f17_diverge_digits_mlp_sgd_lr_200", "lr_too_high_divergence",
          "plain SGD at lr 200 on a ReLU MLP",
          job("digits", {"arch": "mlp", "width": 128}, {"name": "sgd", "lr": 200.0},
              epochs=5, batch_size=64)),
        d("f17_diverge_images_cnn_sgd_weight_decay_10", "weight_decay_too_high",
          "SGD at lr 1 with weight_decay 10: each step multiplies the weights by 1 - lr x wd "
          "= -9 before the gradient, so they flip sign and grow ninefold until they overflow",
          job(images(1000), {"arch": "cnn", "width": 8, "depth": 3},
              {"name": "sgd", "lr": 1.0, "weight_decay": 10.0}, epochs=4, batch_size=64)),
        d("f17_diverge_mnist1d_cnn1d_warmup_to_lr_100", "warmup_to_unstable_lr",
          "a 3-epoch warm-up towards lr 100 with plain SGD: the loss overflows once the lr "
          "passes what the net stands",
          job("mnist1d", {"arch": "cnn1d", "width": 32}, {"name": "sgd", "lr": 100.0},
              schedule={"name": "constant", "warmup_epochs": 3}, epochs=8)),
        d("f17_diverge_iris_mlp_mse_sgd_momentum_lr_5", "lr_too_high_divergence",
          "an MLP classifier on MSE with SGD at lr 5 and momentum 0.9, validated on 10% of "
          "iris",
          job({"name": "iris", "val_fraction": 0.1}, {"arch": "mlp", "width": 32, "depth": 1},
              {"name": "sgd", "lr": 5.0, "momentum": 0.9}, epochs=30, batch_size=16,
              loss="mse")),
    ]


def _mismatch() -> list[Spec]:
    def m(name: str, kind: str, why: str, spec: dict[str, Any]) -> Spec:
        return Spec(name, kind, "mismatch", None, why, spec)

    return [
        m("f17_mismatch_chirps_cnn1d_reversed_buffer", "feature_shift",
          "the validation snippets were read from the ring buffer newest sample first: each "
          "is time-reversed, so rising chirps read as falling and swelling tones as fading",
          job(npz("s17_chirps_reversed_buffer.npz"), {"arch": "cnn1d", "width": 16,
                                                      "batchnorm": True},
              {"name": "adam", "lr": 0.003}, epochs=12, batch_size=64)),
        m("f17_mismatch_kinetics_mlp_sorted_target", "label_misalignment",
          "the validation export sorted the rate column on its own: the targets no longer "
          "belong to their rows",
          job(npz("s17_kinetics_sorted_target.npz", task="regression"),
              {"arch": "mlp", "width": 64}, {"name": "adam", "lr": 0.003}, epochs=20,
              batch_size=64, loss="mse")),
        m("f17_mismatch_wine_mlp_row_normalised", "feature_shift",
          "the validation export scaled each sample to unit length instead of each feature",
          job(npz("s17_wine_row_normalised.npz"), {"arch": "mlp", "width": 32, "depth": 1},
              {"name": "adam", "lr": 0.01}, epochs=30, batch_size=16)),
        m("f17_mismatch_mnist1d_cnn1d_delta_encoded", "feature_shift",
          "the validation sequences are stored delta-encoded and never decoded",
          job(npz("s17_mnist1d_delta_encoded.npz"), {"arch": "cnn1d", "width": 32},
              {"name": "adam", "lr": 0.003}, epochs=10)),
        m("f17_mismatch_digits_mlp_column_major", "feature_shift",
          "the validation images were written column by column and read row by row: each "
          "is transposed",
          job(npz("s17_digits_column_major.npz"), {"arch": "mlp", "width": 128},
              {"name": "adam", "lr": 0.002}, epochs=15, batch_size=64)),
    ]


SEVENTEENTH: list[Spec] = [*_healthy(), *_underfitting(), *_overfitting(), *_stuck(),
                           *_oscillating(), *_diverging(), *_mismatch()]
