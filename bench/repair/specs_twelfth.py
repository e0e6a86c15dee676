"""The twelfth split: JobSpecs with one injected training fault each (or none), written apart.

Written from docs/ARCHITECTURE.md sections 4 (the JobSpec) and 5 (the status/cause table),
the catalogue and the training engine (workers/training) only, without reading fitdoc's
advisor, its tests, its benchmarks or the other splits' specs; each label says what was
injected, and each spec was checked only against its own training curves
(bench/repair/curves.py, `python -m bench.repair.validate --split twelfth`). Its npz files
(gears, chirps, heat, tiles, decay and five mismatches) are made by datasets_twelfth.py.

Each fault is written the way a practitioner meets it: a learning rate far off for its
optimizer, a schedule that takes the lr away, a net that is too narrow, linear or
regularised for its task, a run stopped too soon, a wide net on a handful of samples, deep
saturating or tiny-initialised nets, squared error on a classifier with saturating units,
and validation files exported differently from the training ones.
"""

from __future__ import annotations

from bench.repair.specs import Spec, job, npz, regression

GEARS = "s12_gears.npz"
CHIRPS = "s12_chirps.npz"
HEAT = "s12_heat.npz"
TILES = "s12_tiles.npz"
DECAY = "s12_decay.npz"


def _healthy(name: str, why: str, spec: dict) -> Spec:
    return Spec(f"twelfth_healthy_{name}", "sound_recipe", "healthy", None, why, spec)


def _underfit(name: str, cause: str, kind: str, why: str, spec: dict) -> Spec:
    return Spec(f"twelfth_underfit_{name}", kind, "underfitting", cause, why, spec)


def _overfit(name: str, kind: str, why: str, spec: dict) -> Spec:
    return Spec(f"twelfth_overfit_{name}", kind, "overfitting", None, why, spec)


def _stuck(name: str, cause: str, kind: str, why: str, spec: dict) -> Spec:
    return Spec(f"twelfth_stuck_{name}", kind, "stuck", cause, why, spec)


def _oscillate(name: str, kind: str, why: str, spec: dict) -> Spec:
    return Spec(f"twelfth_oscillate_{name}", kind, "oscillating", None, why, spec)


def _diverge(name: str, kind: str, why: str, spec: dict) -> Spec:
    return Spec(f"twelfth_diverge_{name}", kind, "diverging", None, why, spec)


def _mismatch(name: str, kind: str, why: str, spec: dict) -> Spec:
    return Spec(f"twelfth_mismatch_{name}", kind, "mismatch", None, why, spec)


HEALTHY = [
    _healthy("mnist1d_cnn1d_adamw_cosine",
             "The MNIST-1D CNN with AdamW, light weight decay, a short warm-up and a cosine "
             "decay: converges and validation follows.",
             job({"name": "mnist1d", "val_fraction": 0.1}, {"arch": "cnn1d", "width": 32},
                 {"name": "adamw", "lr": 1e-2, "weight_decay": 0.05}, epochs=40,
                 schedule={"name": "cosine", "warmup_epochs": 3})),
    _healthy("digits_mlp_adam",
             "A one-hidden-layer MLP with Adam at its usual lr on the 8x8 digits.",
             job("digits", {"arch": "mlp", "widths": [128]}, {"name": "adam"}, epochs=20,
                 batch_size=64)),
    _healthy("wine_linear_sgd_momentum",
             "Softmax regression on the 13 standardised wine measurements, SGD with momentum.",
             job("wine", {"arch": "linear"}, {"name": "sgd", "lr": 0.05, "momentum": 0.9},
                 epochs=30, batch_size=16)),
    _healthy("iris_mlp_adam_large_val",
             "A small MLP on iris with a third of the flowers held out, Adam with a little "
             "weight decay and a cosine decay.",
             job({"name": "iris", "val_fraction": 0.3}, {"arch": "mlp", "widths": [32]},
                 {"name": "adam", "lr": 1e-2, "weight_decay": 1e-2}, epochs=40, batch_size=16,
                 schedule={"name": "cosine"})),
    _healthy("breast_cancer_linear_adagrad",
             "Logistic regression with Adagrad on the 30 breast-cancer features.",
             job("breast_cancer", {"arch": "linear"}, {"name": "adagrad", "lr": 0.1},
                 epochs=30, batch_size=32)),
    _healthy("gears_mlp_rmsprop",
             "Two hidden layers learn both traits of the gearbox classes; RMSprop at its "
             "usual lr.",
             job(npz(GEARS), {"arch": "mlp", "widths": [64, 64]}, {"name": "rmsprop"},
                 epochs=30, batch_size=64)),
    _healthy("chirps_cnn1d_nesterov_onecycle",
             "A 1-D CNN tells rising from falling sweeps; Nesterov SGD under a one-cycle "
             "schedule.",
             job(npz(CHIRPS), {"arch": "cnn1d", "width": 16},
                 {"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True}, epochs=20,
                 schedule={"name": "onecycle"})),
    _healthy("heat_mlp_adam_step",
             "An MLP fits the wall's log heat flux; Adam with a step decay.",
             job(regression(HEAT), {"arch": "mlp", "widths": [64, 64]},
                 {"name": "adam", "lr": 3e-3}, epochs=60, batch_size=64,
                 schedule={"name": "step", "step_size": 20, "gamma": 0.3}, loss="mse")),
    _healthy("tiles_cnn_adam",
             "A two-block CNN reads the stripes' angle off the tiles.",
             job(npz(TILES), {"arch": "cnn", "width": 8, "depth": 2}, {"name": "adam",
                                                                      "lr": 3e-3},
                 epochs=8, batch_size=64)),
    _healthy("decay_cnn1d_adam_small_val",
             "A 1-D CNN reads the relaxation time off the sensor traces; a tenth held out.",
             job(regression(DECAY, val_fraction=0.1), {"arch": "cnn1d", "width": 16},
                 {"name": "adam", "lr": 3e-3}, epochs=40, batch_size=64,
                 schedule={"name": "cosine"}, loss="mse")),
    _healthy("wine_mlp_adamw_short",
             "A small MLP with AdamW at a brisk lr, decayed linearly, learns wine in a few epochs.",
             job({"name": "wine", "val_fraction": 0.15}, {"arch": "mlp", "widths": [32]},
                 {"name": "adamw", "lr": 1e-2, "weight_decay": 0.01}, epochs=8,
                 batch_size=16, schedule={"name": "linear"})),
    _healthy("breast_cancer_mlp_sgd_inverse",
             "An MLP with plain SGD under an inverse-square-root decay, a tenth held out.",
             job({"name": "breast_cancer", "val_fraction": 0.1},
                 {"arch": "mlp", "widths": [32]}, {"name": "sgd", "lr": 0.1}, epochs=40,
                 batch_size=32, schedule={"name": "inverse"})),
    _healthy("digits_linear_sgd_nesterov_plateau",
             "Softmax regression on digits with Nesterov SGD and a plateau schedule.",
             job("digits", {"arch": "linear"},
                 {"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True}, epochs=25,
                 batch_size=64, schedule={"name": "plateau", "patience": 3})),
]

UNDERFIT = [
    # model_bias: the model cannot represent the task
    _underfit("gears_linear_xor", "model_bias", "linear_model_on_xor_classes",
              "One class bit of the gears is an XOR of two traits, which no straight line "
              "separates: softmax regression learns the other bit and plateaus high.",
              job(npz(GEARS), {"arch": "linear"}, {"name": "adam", "lr": 1e-2}, epochs=30,
                  batch_size=64)),
    _underfit("heat_linear_law", "model_bias", "linear_model_on_nonlinear_law",
              "The log flux is a log of a ratio of sums of the inputs; a linear model fits "
              "only its straight part and plateaus.",
              job(regression(HEAT, val_fraction=0.05), {"arch": "linear"},
                  {"name": "sgd", "lr": 0.03, "momentum": 0.9},
                  epochs=40, batch_size=64, loss="mse")),
    _underfit("mnist1d_mlp_bottleneck", "model_bias", "bottleneck_too_narrow",
              "A hidden layer of three units cannot carry ten MNIST-1D classes.",
              job("mnist1d", {"arch": "mlp", "widths": [3]}, {"name": "adam", "lr": 3e-3},
                  epochs=30)),
    _underfit("digits_mlp_heavy_l2", "model_bias", "regularisation_too_strong",
              "An L2 penalty of 0.5 pins the weights near zero: the digits loss plateaus "
              "far above a fit.",
              job({"name": "digits", "val_fraction": 0.1}, {"arch": "mlp", "widths": [64]},
                  {"name": "adam", "lr": 3e-3}, epochs=30, batch_size=64,
                  regularization={"l2": 0.5})),
    # optimization_issue: the optimizer (its lr, its schedule) is to blame
    _underfit("mnist1d_mlp_lr_decayed_away", "optimization_issue",
              "exponential_decay_too_fast",
              "An exponential decay of 0.5 per epoch leaves SGD with momentum no lr after a "
              "few epochs: the loss stops far above what the MLP can reach.",
              job("mnist1d", {"arch": "mlp"}, {"name": "sgd", "lr": 0.1, "momentum": 0.9},
                  epochs=40, schedule={"name": "exponential", "gamma": 0.5})),
    _underfit("chirps_mlp_step_too_harsh", "optimization_issue", "step_decay_too_harsh",
              "A step schedule cutting the lr 50x every two epochs freezes SGD before the "
              "MLP has learnt the sweeps.",
              job(npz(CHIRPS), {"arch": "mlp", "widths": [64]},
                  {"name": "sgd", "lr": 0.02, "momentum": 0.9}, epochs=30,
                  schedule={"name": "step", "step_size": 2, "gamma": 0.02})),
    _underfit("digits_mlp_inverse_cubed", "optimization_issue", "inverse_decay_too_steep",
              "An inverse schedule with power 3 divides RMSprop's lr by 1000 within nine "
              "epochs: the loss halts high.",
              job("digits", {"arch": "mlp", "widths": [64]}, {"name": "rmsprop"},
                  epochs=40, batch_size=64, schedule={"name": "inverse", "power": 3.0})),
    _underfit("gears_mlp_adagrad_decayed", "optimization_issue", "decay_on_top_of_adagrad",
              "Adagrad at a third of its usual lr with an exponential decay on top of its "
              "own shrinking steps: the lr is gone before the MLP has learnt the XOR trait.",
              job(npz(GEARS), {"arch": "mlp", "widths": [64, 64]},
                  {"name": "adagrad", "lr": 3e-3}, epochs=40, batch_size=64,
                  schedule={"name": "exponential", "gamma": 0.8})),
    # undertrained: stopped while still falling
    _underfit("images_cnn_three_epochs", "undertrained", "too_few_epochs",
              "A CNN on the shapes stopped after three epochs of slow SGD, still learning.",
              job({"name": "synthetic_images", "n_train": 1000}, {"arch": "cnn", "width": 8},
                  {"name": "sgd", "lr": 0.02, "momentum": 0.9}, epochs=3, batch_size=64)),
    _underfit("mnist1d_cnn1d_five_epochs", "undertrained", "too_few_epochs",
              "The MNIST-1D CNN with a timid Adam lr, stopped after five epochs.",
              job("mnist1d", {"arch": "cnn1d"}, {"name": "adam", "lr": 5e-4}, epochs=5)),
    _underfit("heat_mlp_slow_sgd", "undertrained", "too_few_epochs_low_lr",
              "Plain SGD at a low lr for eight epochs: the flux fit is still improving.",
              job(regression(HEAT), {"arch": "mlp", "widths": [64]},
                  {"name": "sgd", "lr": 0.003}, epochs=8, batch_size=64, loss="mse")),
    _underfit("breast_cancer_linear_short", "undertrained", "too_few_epochs_low_lr",
              "Logistic regression with plain SGD at a small lr, stopped after six epochs.",
              job("breast_cancer", {"arch": "linear"}, {"name": "sgd", "lr": 0.002},
                  epochs=6, batch_size=32)),
]

OVERFIT = [
    _overfit("mnist1d_wide_mlp_400", "small_train_set_big_model",
             "Two 512-unit layers on 400 MNIST-1D sequences for 80 epochs memorise them.",
             job({"name": "mnist1d", "n_train": 400}, {"arch": "mlp", "widths": [512, 512]},
                 {"name": "adam"}, epochs=80, batch_size=64)),
    _overfit("mnist1d_wide_cnn1d_200", "small_train_set_big_model",
             "A wide 1-D CNN on 200 MNIST-1D sequences for 60 epochs, a tenth held out.",
             job({"name": "mnist1d", "n_train": 200, "val_fraction": 0.1},
                 {"arch": "cnn1d", "width": 64}, {"name": "adam"}, epochs=60, batch_size=32)),
    _overfit("gears_wide_mlp_50", "small_train_set_big_model",
             "50 gearbox rows with five noise channels, a wide MLP and RMSprop for 100 "
             "epochs.",
             job({"name": "npz", "path": GEARS, "n_train": 50},
                 {"arch": "mlp", "widths": [512, 512]}, {"name": "rmsprop", "lr": 3e-3},
                 epochs=100, batch_size=16)),
    _overfit("chirps_wide_mlp_30", "small_train_set_big_model",
             "A wide MLP on 30 chirps (no convolution to share across time) for 80 epochs.",
             job({"name": "npz", "path": CHIRPS, "n_train": 30},
                 {"arch": "mlp", "widths": [512, 512]}, {"name": "adam", "lr": 3e-3},
                 epochs=80, batch_size=8)),
    _overfit("breast_cancer_mlp_40", "small_train_set_big_model",
             "40 breast-cancer cases, a wide MLP and SGD with momentum for 200 epochs.",
             job({"name": "breast_cancer", "n_train": 40},
                 {"arch": "mlp", "widths": [256, 256]},
                 {"name": "sgd", "lr": 0.03, "momentum": 0.9}, epochs=200, batch_size=8)),
]

STUCK = [
    # lr_too_low
    _stuck("mnist1d_mlp_sgd_lr_1e6", "lr_too_low", "lr_far_too_low",
           "Plain SGD at 1e-6, 30000x below its usual lr: the loss cannot move in ten epochs.",
           job("mnist1d", {"arch": "mlp"}, {"name": "sgd", "lr": 1e-6}, epochs=10)),
    _stuck("gears_mlp_adam_lr_1e7", "lr_too_low", "lr_far_too_low",
           "Adam at 1e-7 (10000x below its usual lr): each weight moves 1e-7 a step.",
           job(npz(GEARS, val_fraction=0.1), {"arch": "mlp", "widths": [64, 64]},
               {"name": "adam", "lr": 1e-7},
               epochs=40, batch_size=64)),
    _stuck("tiles_cnn_rmsprop_lr_1e8", "lr_too_low", "lr_far_too_low",
           "RMSprop at 1e-8 on the tiles' CNN, a typo of several orders of magnitude.",
           job(npz(TILES), {"arch": "cnn", "width": 8, "depth": 2},
               {"name": "rmsprop", "lr": 1e-8}, epochs=5, batch_size=64)),
    # lr_too_high
    _stuck("digits_mlp_adam_lr_1", "lr_too_high", "lr_far_too_high_dead_units",
           "Adam at lr 1: the first steps throw the ReLUs into their dead half and the net "
           "predicts the class shares, at chance.",
           job("digits", {"arch": "mlp", "widths": [128, 128]}, {"name": "adam", "lr": 1.0},
               epochs=20, batch_size=64)),
    _stuck("gears_mlp_adamw_lr_2", "lr_too_high", "lr_far_too_high_dead_units",
           "AdamW at lr 2, 2000x its usual lr: the first epoch's steps leave the ReLUs dead "
           "and the loss at chance.",
           job(npz(GEARS), {"arch": "mlp", "widths": [64, 64]}, {"name": "adamw", "lr": 2.0},
               epochs=20, batch_size=64)),
    _stuck("chirps_cnn1d_adam_lr_1", "lr_too_high", "lr_far_too_high_dead_units",
           "Adam at lr 1 on the chirps' 1-D CNN, 1000x its usual lr: the first epoch's "
           "steps kill the ReLUs and the net guesses the class shares.",
           job(npz(CHIRPS), {"arch": "cnn1d", "width": 16}, {"name": "adam", "lr": 1.0},
               epochs=8)),
    # vanishing_gradient
    _stuck("digits_deep_sigmoid_mlp", "vanishing_gradient", "deep_sigmoid_stack",
           "Ten sigmoid layers without normalisation: gradients shrink by 4x per layer.",
           job({"name": "digits", "val_fraction": 0.15},
               {"arch": "mlp", "width": 64, "depth": 10, "activation": "sigmoid"},
               {"name": "sgd", "lr": 0.03}, epochs=20, batch_size=64)),
    _stuck("gears_deep_tanh_small_init", "vanishing_gradient", "deep_tanh_small_init",
           "Twelve tanh layers drawn from N(0, 0.01^2): signals and gradients die out.",
           job(npz(GEARS), {"arch": "mlp", "width": 32, "depth": 12, "activation": "tanh",
                            "init": "normal"},
               {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=40, batch_size=64)),
    _stuck("tiles_sigmoid_cnn_no_bn", "vanishing_gradient", "sigmoid_cnn_small_init",
           "Three sigmoid conv blocks without BatchNorm, weights from N(0, 0.01^2).",
           job(npz(TILES), {"arch": "cnn", "width": 8, "depth": 3, "activation": "sigmoid",
                            "batchnorm": False, "init": "normal"},
               {"name": "sgd", "lr": 0.03}, epochs=10, batch_size=64)),
    # saturated_loss
    _stuck("mnist1d_mse_sigmoid_mlp", "saturated_loss", "mse_on_saturating_units",
           "Squared error on one-hot targets behind sigmoid units: the gradient is tiny "
           "and the loss sits at the class-share level.",
           job("mnist1d", {"arch": "mlp", "width": 128, "depth": 3, "activation": "sigmoid"},
               {"name": "sgd", "lr": 0.03}, epochs=20, loss="mse")),
    _stuck("digits_mse_sigmoid_mlp", "saturated_loss", "mse_on_saturating_units",
           "MSE on a 10-class problem through sigmoid hidden layers with SGD.",
           job("digits", {"arch": "mlp", "width": 64, "depth": 4, "activation": "sigmoid"},
               {"name": "sgd", "lr": 0.03, "momentum": 0.5}, epochs=40, batch_size=64,
               loss="mse")),
    _stuck("chirps_mse_sigmoid_cnn1d", "saturated_loss", "mse_on_saturating_units",
           "A sigmoid 1-D CNN trained with squared error on one-hot chirp classes.",
           job(npz(CHIRPS), {"arch": "cnn1d", "width": 16, "activation": "sigmoid"},
               {"name": "sgd", "lr": 0.01}, epochs=10, loss="mse")),
    # critical_point
    _stuck("digits_relu_mlp_tiny_init", "critical_point", "relu_net_at_zero_saddle",
           "Six ReLU layers from N(0, 0.01^2): every activation is ~0, the all-zero saddle "
           "point, and SGD with momentum cannot leave it.",
           job("digits", {"arch": "mlp", "width": 64, "depth": 6, "init": "normal"},
               {"name": "sgd", "lr": 0.03, "momentum": 0.9}, epochs=30, batch_size=64)),
    _stuck("breast_cancer_gelu_tiny_init", "critical_point", "gelu_net_at_zero_saddle",
           "Five GELU layers from N(0, 0.01^2) on breast cancer: the outputs are the class "
           "shares and plain SGD stays there.",
           job("breast_cancer", {"arch": "mlp", "width": 64, "depth": 5, "activation": "gelu",
                                 "init": "normal"},
               {"name": "sgd", "lr": 0.01}, epochs=50, batch_size=32)),
    _stuck("images_cnn_tiny_init_no_bn", "critical_point", "relu_cnn_at_zero_saddle",
           "Three ReLU conv blocks from N(0, 0.01^2) without BatchNorm: the head sees zeros.",
           job({"name": "synthetic_images", "n_train": 800},
               {"arch": "cnn", "width": 8, "batchnorm": False, "init": "normal"},
               {"name": "sgd", "lr": 0.03, "momentum": 0.9}, epochs=4, batch_size=64)),
]

OSCILLATE = [
    _oscillate("iris_mlp_adam_lr_03", "lr_too_high_for_adam",
               "Adam at lr 0.3 on iris in batches of 8: near the minimum its steps overshoot "
               "and the loss bounces.",
               job("iris", {"arch": "mlp", "widths": [64]}, {"name": "adam", "lr": 0.3},
                   epochs=60, batch_size=8)),
    _oscillate("wine_mlp_heavy_momentum", "momentum_too_heavy",
               "SGD with momentum 0.97 at lr 0.15 on wine: the velocity overshoots back and "
               "forth.",
               job("wine", {"arch": "mlp", "widths": [64]},
                   {"name": "sgd", "lr": 0.15, "momentum": 0.97}, epochs=60, batch_size=16)),
    _oscillate("gears_mlp_adamw_lr_01", "lr_too_high_for_adamw",
               "AdamW at 100x its usual lr on the gears: training reaches low loss, is thrown "
               "out again, and again.",
               job(npz(GEARS, val_fraction=0.1), {"arch": "mlp", "widths": [64, 64]},
                   {"name": "adamw", "lr": 0.1}, epochs=40, batch_size=64)),
    _oscillate("digits_linear_adam_lr_1", "lr_too_high_for_adam",
               "Softmax regression with Adam at lr 1, 1000x its usual lr: each weight moves "
               "by ~1 a step and the loss swings from epoch to epoch.",
               job("digits", {"arch": "linear"}, {"name": "adam", "lr": 1.0}, epochs=40,
                   batch_size=32)),
    _oscillate("breast_cancer_linear_sgd_lr_10", "lr_too_high_for_sgd",
               "Logistic regression with plain SGD at lr 10: the steps overshoot the convex "
               "loss's valley without blowing up.",
               job("breast_cancer", {"arch": "linear"}, {"name": "sgd", "lr": 10.0}, epochs=40,
                   batch_size=16)),
]

DIVERGE = [
    _diverge("digits_mlp_sgd_lr_20", "lr_far_too_high_sgd",
             "Plain SGD at lr 20 on a ReLU MLP: the logits blow up to inf within an epoch or "
             "two.",
             job("digits", {"arch": "mlp", "widths": [128]}, {"name": "sgd", "lr": 20.0},
                 epochs=20, batch_size=64)),
    _diverge("heat_linear_warmup_to_lr_3", "warmup_into_lr_far_too_high",
             "Least squares with SGD warmed up over four epochs to lr 3, past the stable "
             "step: fine at first, then the error grows geometrically.",
             job(regression(HEAT), {"arch": "linear"}, {"name": "sgd", "lr": 3.0}, epochs=15,
                 batch_size=64, schedule={"name": "constant", "warmup_epochs": 4},
                 loss="mse")),
    _diverge("images_linear_mse_momentum", "squared_error_lr_too_high",
             "A linear probe on 3072 pixels trained with squared error and SGD + momentum at "
             "lr 0.1: the quadratic's curvature is far beyond that step.",
             job({"name": "synthetic_images", "n_train": 800}, {"arch": "linear"},
                 {"name": "sgd", "lr": 0.1, "momentum": 0.9}, epochs=5, batch_size=64,
                 loss="mse")),
    _diverge("decay_cnn1d_nesterov_lr_1", "lr_far_too_high_regression",
             "A 1-D CNN regression with Nesterov SGD at lr 1: the outputs run away to NaN.",
             job(regression(DECAY), {"arch": "cnn1d", "width": 16},
                 {"name": "sgd", "lr": 1.0, "momentum": 0.9, "nesterov": True}, epochs=15,
                 batch_size=64, loss="mse")),
    _diverge("wine_linear_mse_lr_2", "squared_error_lr_too_high",
             "Squared error on one-hot wine classes with plain SGD at lr 2: each step "
             "overshoots further.",
             job("wine", {"arch": "linear"}, {"name": "sgd", "lr": 2.0}, epochs=20,
                 batch_size=16, loss="mse")),
]

MISMATCH = [
    _mismatch("gears_labels_coded_differently", "validation_label_map_shifted",
              "The validation export codes the gearbox classes one step on: training "
              "improves, validation gets worse.",
              job(npz("s12_gears_relabelled.npz"), {"arch": "mlp", "widths": [64, 64]},
                  {"name": "adam"}, epochs=20, batch_size=64)),
    _mismatch("chirps_recorded_backwards", "validation_time_reversed",
              "The validation recorder wrote the chirps back to front: a rising sweep reads "
              "as a falling one.",
              job(npz("s12_chirps_reversed.npz"), {"arch": "cnn1d", "width": 16},
                  {"name": "adamw", "lr": 3e-3, "weight_decay": 0.01}, epochs=15)),
    _mismatch("heat_sign_convention", "validation_target_other_formula",
              "The validation site logs the flux with the opposite sign: the better the fit, "
              "the worse validation.",
              job(regression("s12_heat_other_law.npz"), {"arch": "mlp", "widths": [64]},
                  {"name": "sgd", "lr": 0.01, "momentum": 0.9}, epochs=30, batch_size=64,
                  schedule={"name": "cosine"}, loss="mse")),
    _mismatch("tiles_camera_turned", "validation_images_rotated",
              "The validation camera was turned a quarter: horizontal stripes come out "
              "vertical, labelled as laid.",
              job(npz("s12_tiles_rotated.npz"), {"arch": "cnn", "width": 8, "depth": 2},
                  {"name": "adam", "lr": 3e-3}, epochs=8, batch_size=64)),
    _mismatch("iris_rows_misjoined", "validation_labels_misjoined",
              "The validation labels were joined on a re-sorted key: they carry nothing of "
              "the flowers.",
              job(npz("s12_iris_misjoined.npz"), {"arch": "mlp", "widths": [32]},
                  {"name": "adam", "lr": 1e-2}, epochs=40, batch_size=16)),
]

TWELFTH: list[Spec] = [*HEALTHY, *UNDERFIT, *OVERFIT, *STUCK, *OSCILLATE, *DIVERGE,
                       *MISMATCH]
