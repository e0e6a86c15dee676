"""The nineteenth split: JobSpecs with one injected training fault each (or none), written
apart from the other splits.

Written from docs/ARCHITECTURE.md sections 4 (the JobSpec) and 5 (the table of statuses and
causes), the catalogue (service/catalogue), the training engine (workers/training), the
format of specs.py and datasets.py, and the yardsticks of curves.py; without reading
fitdoc's advisor, any benchmark result or the other splits' specs and datasets. Each fault
is written from what it does to a run's curves, and every spec was checked only by
curves.py through validate.py (`--split nineteenth`).

Datasets: the built-ins (mnist1d, digits, wine, breast_cancer, iris, synthetic_images) and
the `s19_` npz files of datasets_nineteenth.py (gauge records of four tidal regimes, a kiln
regression, nested shells, and five train/validation mismatches).
"""

from __future__ import annotations

from typing import Any

from bench.repair.specs import Spec, job, npz

TIDES = npz("s19_tides.npz", val_fraction=0.2)
SHELLS = npz("s19_shells.npz", val_fraction=0.25)


def tides(**fields: Any) -> dict[str, Any]:
    return npz("s19_tides.npz", **{"val_fraction": 0.2, **fields})


def shells(**fields: Any) -> dict[str, Any]:
    return npz("s19_shells.npz", **{"val_fraction": 0.25, **fields})


def kiln(**fields: Any) -> dict[str, Any]:
    """The s19 regression (targets already standardised)."""
    return npz("s19_kiln.npz", task="regression", **{"val_fraction": 0.2, **fields})


def images(n_train: int, **fields: Any) -> dict[str, Any]:
    return {"name": "synthetic_images", "n_train": n_train, **fields}


def data(name: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, **fields}


def mlp(*widths: int, **options: Any) -> dict[str, Any]:
    return {"arch": "mlp", "widths": list(widths), **options}


def deep(width: int, depth: int, **options: Any) -> dict[str, Any]:
    return {"arch": "mlp", "width": width, "depth": depth, **options}


LINEAR = {"arch": "linear"}


def cnn1d(**options: Any) -> dict[str, Any]:
    return {"arch": "cnn1d", **options}


def cnn(**options: Any) -> dict[str, Any]:
    return {"arch": "cnn", **options}


def sgd(lr: float, momentum: float | None = None, **options: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": "sgd", "lr": lr, **options}
    if momentum is not None:
        out["momentum"] = momentum
    return out


def opt(name: str, lr: float, **options: Any) -> dict[str, Any]:
    return {"name": name, "lr": lr, **options}


def spec(name: str, kind: str, status: str, cause: str | None, why: str,
         body: dict[str, Any]) -> Spec:
    return Spec(name, kind, status, cause, why, body)


def _healthy() -> list[Spec]:
    h = "healthy"
    k = "sound_recipe"
    return [
        spec("f19_healthy_mnist1d_cnn1d_adam_cosine", k, h, None,
             "the MNIST-1D CNN with Adam and a cosine decay: a standard recipe",
             job("mnist1d", cnn1d(width=32), opt("adam", 5e-3), epochs=40,
                 schedule={"name": "cosine"})),
        spec("f19_healthy_mnist1d_cnn1d_sgd_nesterov_step", k, h, None,
             "SGD with Nesterov momentum and a step decay on the MNIST-1D CNN",
             job("mnist1d", cnn1d(width=64), sgd(0.1, 0.9, nesterov=True), epochs=30,
                 schedule={"name": "step", "step_size": 12, "gamma": 0.3})),
        spec("f19_healthy_digits_mlp_adam", k, h, None,
             "a two-layer MLP with Adam at its usual lr on digits",
             job("digits", mlp(128, 64), opt("adam", 1e-3), epochs=20, batch_size=64)),
        spec("f19_healthy_digits_linear_adagrad", k, h, None,
             "softmax regression with Adagrad on digits, a nearly linear task",
             job("digits", LINEAR, opt("adagrad", 0.05), epochs=15, batch_size=64)),
        spec("f19_healthy_wine_linear_sgd_momentum", k, h, None,
             "softmax regression with SGD + momentum on standardised wine",
             job(data("wine", val_fraction=0.3), LINEAR, sgd(0.05, 0.9), epochs=30,
                 batch_size=16)),
        spec("f19_healthy_wine_mlp_rmsprop_small_val", k, h, None,
             "a small MLP with RMSprop on wine, a validation set of 18",
             job(data("wine", val_fraction=0.1), mlp(32), opt("rmsprop", 2e-3), epochs=25,
                 batch_size=16)),
        spec("f19_healthy_breast_cancer_mlp_adamw", k, h, None,
             "an MLP with AdamW and light decoupled decay on breast_cancer",
             job("breast_cancer", mlp(64), opt("adamw", 1e-3, weight_decay=0.01), epochs=15,
                 batch_size=32)),
        spec("f19_healthy_iris_mlp_adam_small_val", k, h, None,
             "a small MLP with Adam and a light L2 penalty on iris, 15 validation flowers",
             job(data("iris", val_fraction=0.1), mlp(32), opt("adam", 1e-2), epochs=20,
                 batch_size=16, regularization={"l2": 0.01})),
        spec("f19_healthy_images_cnn_adam_onecycle", k, h, None,
             "a narrow CNN with BatchNorm, Adam and a one-cycle lr on the procedural images",
             job(images(1500), cnn(width=8), opt("adam", 1e-2), epochs=10, batch_size=32,
                 schedule={"name": "onecycle"})),
        spec("f19_healthy_tides_cnn1d_adam_cosine", k, h, None,
             "the 1-D CNN with Adam and a cosine decay on the gauge records",
             job(tides(), cnn1d(width=32), opt("adam", 3e-3), epochs=20, batch_size=64,
                 schedule={"name": "cosine"})),
        spec("f19_healthy_shells_mlp_adam_linear_decay", k, h, None,
             "an MLP with Adam and a linear decay on the nested shells",
             job(shells(), mlp(64, 64), opt("adam", 3e-3), epochs=40, batch_size=64,
                 schedule={"name": "linear"})),
        spec("f19_healthy_kiln_mlp_adam_regression", k, h, None,
             "an MLP regression with Adam and an exponential decay on the kiln yield",
             job(kiln(), mlp(64, 64), opt("adam", 3e-3), epochs=40, batch_size=64,
                 schedule={"name": "exponential", "gamma": 0.95}, loss="mse")),
        spec("f19_healthy_breast_cancer_linear_sgd_plateau", k, h, None,
             "logistic regression with SGD and a plateau schedule on breast_cancer",
             job(data("breast_cancer", val_fraction=0.3), LINEAR, sgd(0.05, 0.9),
                 epochs=20, batch_size=32, schedule={"name": "plateau", "patience": 3})),
    ]


def _underfitting() -> list[Spec]:
    u = "underfitting"
    return [
        # model_bias: a model that cannot express the task plateaus high
        spec("f19_underfit_kiln_linear_regression", "linear_model_nonlinear_target", u,
             "model_bias", "a straight line through a yield that is mostly interactions and "
             "curvature: the loss flattens at the unexplained variance",
             job(kiln(), LINEAR, sgd(0.01), epochs=25, batch_size=64, loss="mse")),
        spec("f19_underfit_mnist1d_linear", "linear_model_shifted_patterns", u, "model_bias",
             "softmax regression on MNIST-1D, whose digits move along the sequence: a "
             "linear map of the raw samples plateaus far above zero",
             job("mnist1d", LINEAR, sgd(0.02), epochs=30)),
        spec("f19_underfit_digits_two_unit_bottleneck", "bottleneck_too_narrow", u,
             "model_bias", "ten digit classes forced through two hidden units",
             job("digits", mlp(2), opt("adam", 1e-2), epochs=25, batch_size=64)),
        spec("f19_underfit_breast_cancer_heavy_l2", "over_regularised_weights", u,
             "model_bias", "an L2 penalty so strong that the weights stay near zero and "
             "the outputs barely separate the classes",
             job("breast_cancer", mlp(64), opt("adam", 1e-2), epochs=25, batch_size=32,
                 regularization={"l2": 0.5})),
        # optimization_issue: the optimizer stops the descent, not the model
        spec("f19_underfit_digits_lr_decays_away", "lr_decayed_too_fast", u,
             "optimization_issue", "an exponential schedule that divides the lr by 2.5 "
             "every epoch: the steps vanish after a few epochs, far from a fit",
             job("digits", mlp(64), sgd(0.05), epochs=20, batch_size=64,
                 schedule={"name": "exponential", "gamma": 0.4})),
        spec("f19_underfit_tides_adamw_heavy_decay", "decoupled_decay_too_strong", u,
             "optimization_issue", "AdamW's decoupled weight decay at 3 pulls the weights "
             "back every step as hard as the gradient pushes them: an equilibrium far "
             "from a fit",
             job(tides(), cnn1d(), opt("adamw", 3e-3, weight_decay=3.0), epochs=20,
                 batch_size=64)),
        spec("f19_underfit_iris_inverse_cube_decay", "lr_collapses_inverse_power", u,
             "optimization_issue", "an inverse schedule of power 3: the lr is 1/8 after "
             "one epoch and 1/1000 after nine, so the loss freezes where it got to",
             job(data("iris", val_fraction=0.2), mlp(16), sgd(0.2), epochs=40, batch_size=16,
                 schedule={"name": "inverse", "power": 3.0})),
        spec("f19_underfit_mnist1d_rmsprop_step_cliff", "step_schedule_cliff", u,
             "optimization_issue", "a step schedule that cuts the lr 20-fold every epoch: "
             "the run learns in its first epoch and barely after",
             job("mnist1d", mlp(128), opt("rmsprop", 2e-3), epochs=15,
                 schedule={"name": "step", "step_size": 1, "gamma": 0.05})),
        # undertrained: stopped while still falling
        spec("f19_underfit_images_cnn_three_epochs", "too_few_epochs", u, "undertrained",
             "three epochs of plain SGD on the images: the loss is still falling",
             job(images(1500), cnn(width=8), sgd(0.01, 0.9), epochs=3, batch_size=64)),
        spec("f19_underfit_kiln_mlp_slow_sgd", "too_few_epochs", u, "undertrained",
             "five epochs of slow SGD on the kiln regression",
             job(kiln(), mlp(64), sgd(0.01), epochs=5, batch_size=64, loss="mse")),
        spec("f19_underfit_wine_mlp_six_epochs", "too_few_epochs", u, "undertrained",
             "six epochs of Adam at a cautious lr on wine",
             job(data("wine", val_fraction=0.2), mlp(32), opt("adam", 2e-3), epochs=6,
                 batch_size=16)),
        spec("f19_underfit_tides_rmsprop_short", "too_few_epochs", u, "undertrained",
             "five epochs of RMSprop at a low lr on the gauge records",
             job(tides(), cnn1d(), opt("rmsprop", 2e-4), epochs=5, batch_size=64)),
    ]


def _overfitting() -> list[Spec]:
    o = "overfitting"
    return [
        spec("f19_overfit_images_wide_mlp_200", "small_train_set_big_model", o, None,
             "a 512-unit MLP on 200 raw images: it memorises the pixels",
             job(images(200), mlp(512), opt("adam", 1e-3), epochs=100, batch_size=20)),
        spec("f19_overfit_mnist1d_mlp_300", "small_train_set_big_model", o, None,
             "a wide MLP on 300 MNIST-1D sequences, trained long",
             job(data("mnist1d", n_train=300), mlp(512, 512), opt("adam", 1e-3), epochs=60,
                 batch_size=32)),
        spec("f19_overfit_wine_mlp_30", "small_train_set_big_model", o, None,
             "a wide MLP trained long on 30 wines",
             job(data("wine", n_train=30, val_fraction=0.3), mlp(512, 512), opt("adam", 2e-3),
                 epochs=200, batch_size=10)),
        spec("f19_overfit_tides_cnn1d_100", "small_train_set_big_model", o, None,
             "a wide 1-D CNN on 100 gauge records, trained long",
             job(tides(n_train=100), cnn1d(width=64), opt("adam", 2e-3), epochs=120,
                 batch_size=16)),
        spec("f19_overfit_mnist1d_cnn1d_250", "small_train_set_big_model", o, None,
             "a wide MNIST-1D CNN on 250 sequences",
             job(data("mnist1d", n_train=250), cnn1d(width=64), opt("adam", 2e-3),
                 epochs=80, batch_size=25)),
    ]


def _stuck() -> list[Spec]:
    s = "stuck"
    return [
        # lr_too_low
        spec("f19_stuck_digits_sgd_lr_1e-6", "lr_far_too_low", s, "lr_too_low",
             "SGD at 1e-6: the weights do not move in ten epochs",
             job("digits", mlp(64), sgd(1e-6), epochs=10, batch_size=64)),
        spec("f19_stuck_mnist1d_cnn1d_adam_lr_1e-7", "lr_far_too_low", s, "lr_too_low",
             "Adam at 1e-7 moves each weight by at most 1e-7 per step",
             job("mnist1d", cnn1d(), opt("adam", 1e-7), epochs=6)),
        spec("f19_stuck_kiln_linear_sgd_lr_1e-6", "lr_far_too_low", s, "lr_too_low",
             "a linear regression at lr 1e-6: the loss stays at the targets' variance",
             job(kiln(), LINEAR, sgd(1e-6), epochs=12, batch_size=64, loss="mse")),
        # lr_too_high
        spec("f19_stuck_digits_adam_lr_3", "lr_far_too_high", s, "lr_too_high",
             "Adam at 3 throws the ReLU units into their dead zone in the first steps; "
             "what is left predicts the class frequencies",
             job("digits", deep(64, 3), opt("adam", 3.0), epochs=10, batch_size=64)),
        spec("f19_stuck_mnist1d_cnn1d_sgd_lr_5", "lr_far_too_high", s, "lr_too_high",
             "SGD at 5 on the MNIST-1D CNN: the first steps kill the ReLU channels",
             job("mnist1d", cnn1d(), sgd(5.0), epochs=8)),
        spec("f19_stuck_tides_cnn1d_sgd_lr_1.5", "lr_far_too_high", s, "lr_too_high",
             "SGD at 1.5 with momentum on the gauge-record CNN: the first steps leave "
             "every ReLU channel dead and the head predicts the class shares",
             job(tides(), cnn1d(), sgd(1.5, 0.5), epochs=8, batch_size=64)),
        # vanishing_gradient
        spec("f19_stuck_mnist1d_deep_sigmoid", "deep_saturating_small_init", s,
             "vanishing_gradient", "six sigmoid layers from N(0, 0.01^2) weights: every "
             "layer shrinks the gradient by 4x or more",
             job("mnist1d", deep(64, 6, activation="sigmoid", init="normal"), sgd(0.03),
                 epochs=10)),
        spec("f19_stuck_iris_deep_tanh", "deep_saturating_small_init", s,
             "vanishing_gradient", "ten tanh layers from tiny weights: the signal and the "
             "gradient die on the way",
             job(data("iris", val_fraction=0.2), deep(32, 10, activation="tanh",
                                                     init="normal"),
                 sgd(0.05, 0.9), epochs=40, batch_size=16)),
        spec("f19_stuck_tides_cnn1d_sigmoid_tiny_init", "deep_saturating_small_init", s,
             "vanishing_gradient", "a sigmoid 1-D CNN from tiny weights",
             job(tides(), cnn1d(depth=4, activation="sigmoid", init="normal"), sgd(0.02),
                 epochs=8, batch_size=64)),
        # saturated_loss
        spec("f19_stuck_digits_sigmoid_mse", "mse_on_saturating_units", s,
             "saturated_loss", "squared error through sigmoid units: tiny gradients near "
             "the constant prediction",
             job("digits", deep(64, 3, activation="sigmoid"), sgd(0.01), epochs=12,
                 batch_size=64, loss="mse")),
        spec("f19_stuck_mnist1d_sigmoid_mse", "mse_on_saturating_units", s,
             "saturated_loss", "squared error on a sigmoid MLP over MNIST-1D",
             job("mnist1d", deep(128, 3, activation="sigmoid"), sgd(0.01), epochs=8,
                 loss="mse")),
        spec("f19_stuck_images_sigmoid_mse", "mse_on_saturating_units", s,
             "saturated_loss", "squared error through a sigmoid MLP on raw images",
             job(images(1000), deep(64, 3, activation="sigmoid"), sgd(0.01), epochs=6,
                 batch_size=64, loss="mse")),
        # critical_point
        spec("f19_stuck_digits_relu_zero_saddle", "relu_near_zero_saddle", s,
             "critical_point", "four ReLU layers from N(0, 0.01^2): the net starts at the "
             "all-zero saddle where every gradient is nearly zero",
             job("digits", deep(64, 4, init="normal"), sgd(0.01, 0.9), epochs=10,
                 batch_size=64)),
        spec("f19_stuck_breast_cancer_gelu_zero_saddle", "relu_near_zero_saddle", s,
             "critical_point", "five GELU layers from tiny weights sit at the zero saddle",
             job("breast_cancer", deep(64, 5, activation="gelu", init="normal"), sgd(0.02),
                 epochs=15, batch_size=32)),
        spec("f19_stuck_mnist1d_cnn1d_zero_saddle", "relu_near_zero_saddle", s,
             "critical_point", "a ReLU 1-D CNN from tiny weights: all-zero features",
             job("mnist1d", cnn1d(init="normal"), sgd(0.01), epochs=8)),
    ]


def _oscillating() -> list[Spec]:
    o = "oscillating"
    return [
        spec("f19_oscillate_wine_mlp_adam_lr_0.1", "lr_too_high_bounded", o, None,
             "Adam at 0.1 on a small wine MLP: once the loss is low, each step overshoots "
             "and the epoch's loss jumps back up",
             job(data("wine", val_fraction=0.2), mlp(64), opt("adam", 0.1), epochs=50,
                 batch_size=16)),
        spec("f19_oscillate_digits_mlp_adam_lr_0.02", "lr_too_high_bounded", o, None,
             "Adam at 0.02 on a digits MLP",
             job("digits", mlp(128), opt("adam", 0.02), epochs=40, batch_size=64)),
        spec("f19_oscillate_breast_cancer_mlp_rmsprop_lr_0.05", "lr_too_high_bounded", o,
             None, "RMSprop at 0.05 on an MLP",
             job("breast_cancer", mlp(64), opt("rmsprop", 0.05), epochs=60, batch_size=32)),
        spec("f19_oscillate_iris_mlp_sgd_heavy_momentum", "momentum_too_high", o, None,
             "momentum 0.98 at lr 0.05: the velocity carries each step past the valley",
             job(data("iris", val_fraction=0.2), mlp(32), sgd(0.05, 0.98), epochs=60,
                 batch_size=16)),
        spec("f19_oscillate_shells_mlp_adam_lr_0.05", "lr_too_high_bounded", o, None,
             "Adam at 0.05 on the shells MLP",
             job(shells(), mlp(64, 64), opt("adam", 0.05), epochs=50, batch_size=64)),
    ]


def _diverging() -> list[Spec]:
    d = "diverging"
    return [
        spec("f19_diverge_kiln_mlp_sgd_lr_1", "lr_too_high_unbounded_loss", d, None,
             "squared error at lr 1 with momentum: each step overshoots by more than it "
             "gained",
             job(kiln(), mlp(64), sgd(1.0, 0.9), epochs=10, batch_size=64, loss="mse")),
        spec("f19_diverge_iris_mlp_mse_sgd_lr_2", "lr_too_high_unbounded_loss", d, None,
             "squared error on one-hot targets at lr 2",
             job(data("iris", val_fraction=0.2), mlp(32), sgd(2.0, 0.9), epochs=20,
                 batch_size=16, loss="mse")),
        spec("f19_diverge_mnist1d_cnn1d_sgd_lr_20", "lr_too_high", d, None,
             "the MNIST-1D CNN at lr 20 with momentum: the logits overflow",
             job("mnist1d", cnn1d(), sgd(20.0, 0.9), epochs=8)),
        spec("f19_diverge_digits_mlp_mse_momentum", "lr_too_high_unbounded_loss", d, None,
             "squared error with momentum 0.9 at lr 1.5",
             job("digits", mlp(64), sgd(1.5, 0.9), epochs=10, batch_size=64, loss="mse")),
        spec("f19_diverge_wine_warmup_to_huge_lr", "warmup_to_huge_lr", d, None,
             "a warm-up that ramps the lr to 50 over five epochs: fine at first, then "
             "the loss blows up",
             job(data("wine", val_fraction=0.2), mlp(32), sgd(50.0), epochs=20,
                 batch_size=16, schedule={"name": "constant", "warmup_epochs": 5})),
    ]


def _mismatch() -> list[Spec]:
    m = "mismatch"
    return [
        spec("f19_mismatch_kiln_sign_flipped", "target_sign_convention", m, None,
             "the validation export stores the yield with the opposite sign",
             job(npz("s19_kiln_sign_flipped.npz", task="regression"), mlp(64, 64),
                 opt("adam", 3e-3), epochs=20, batch_size=64, loss="mse")),
        spec("f19_mismatch_tides_alphabetical_labels", "label_map_alphabetical", m, None,
             "validation labels coded by the regimes' alphabetical order",
             job(npz("s19_tides_alphabetical.npz"), cnn1d(width=32), opt("adam", 3e-3),
                 epochs=15, batch_size=64)),
        spec("f19_mismatch_digits_nines_complement", "label_field_complement", m, None,
             "validation labels written as 9 - digit",
             job(npz("s19_digits_complement.npz"), mlp(128), sgd(0.05, 0.9), epochs=15,
                 batch_size=64)),
        spec("f19_mismatch_breast_cancer_rejoined", "labels_joined_on_wrong_key", m, None,
             "validation labels joined on a re-issued patient id",
             job(npz("s19_breast_cancer_rejoined.npz"), LINEAR, opt("adam", 1e-2),
                 epochs=25, batch_size=32)),
        spec("f19_mismatch_shells_sensor_drift", "sensor_zero_drift", m, None,
             "the validation sensor's zero drifted on the informative channels",
             job(npz("s19_shells_drifted.npz"), mlp(64, 64), opt("adam", 3e-3), epochs=25,
                 batch_size=64)),
    ]


NINETEENTH: list[Spec] = [*_healthy(), *_underfitting(), *_overfitting(), *_stuck(),
                          *_oscillating(), *_diverging(), *_mismatch()]
