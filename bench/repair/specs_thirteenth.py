"""The thirteenth split: 60 JobSpecs with one injected training fault each (or none), written
apart from every other split and from fitdoc's advisor.

The author read only docs/ARCHITECTURE.md sections 4 (the JobSpec) and 5 (the status and
cause table), the spec catalogue (service/catalogue, service/schemas.py), the training
engine (workers/training) and bench/repair/curves.py; not the advisor (service/advisor/),
its tests or benchmarks, nor the specs or data of the other splits. Each label says what
was injected, the status/cause of section 5's table that the fault should produce, and was
checked only against real training curves (bench/repair/validate.py, read by curves.py).

Labels (specs): healthy 13; underfitting model_bias 4, optimization_issue 4, undertrained
4; overfitting 5; stuck lr_too_low 3, lr_too_high 3, vanishing_gradient 3,
saturated_loss 3, critical_point 3; oscillating 5; diverging 5; mismatch 5.

Datasets: the six built-in ones and four tasks of datasets_thirteenth.py (heartbeat
rhythms, a Swiss roll, a damped spring's speed, moire gratings), plus its mismatch files
(one of them made from scikit-learn's digits). `kind` names how the fault was injected;
healthy specs are "sound_recipe". The specs are seedless: `specs.cases("thirteenth")` sets
training.seed = dataset.seed = 0 and 1.
"""

from __future__ import annotations

from typing import Any

from bench.repair.specs import Spec, job, npz, regression

RHYTHMS = "s13_rhythms.npz"
ROLL = "s13_roll.npz"
SPRING = "s13_spring.npz"
MOIRE = "s13_moire.npz"
HEALTHY = "sound_recipe"


def _images(n_train: int, **fields: Any) -> dict[str, Any]:
    return {"name": "synthetic_images", "n_train": n_train, **fields}


_HEALTHY = [
    Spec("thirteenth_healthy_mnist1d_cnn1d_batchnorm_adamw", HEALTHY, "healthy", None,
         "The MNIST-1D CNN with BatchNorm, AdamW and a cosine decay: a standard recipe that "
         "converges and generalises.",
         job("mnist1d", {"arch": "cnn1d", "width": 32, "batchnorm": True},
             {"name": "adamw", "lr": 1e-2, "weight_decay": 0.05}, epochs=12,
             schedule={"name": "cosine"})),
    Spec("thirteenth_healthy_digits_mlp_nesterov_step", HEALTHY, "healthy", None,
         "A one-hidden-layer MLP on digits with Nesterov SGD and a step decay, checked on a "
         "10% validation split.",
         job({"name": "digits", "val_fraction": 0.1}, {"arch": "mlp", "width": 128, "depth": 1},
             {"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True}, epochs=30,
             batch_size=64, schedule={"name": "step", "step_size": 10, "gamma": 0.3})),
    Spec("thirteenth_healthy_wine_linear_adagrad", HEALTHY, "healthy", None,
         "Multinomial logistic regression on wine with Adagrad: a linearly separable task "
         "fitted to the end.",
         job("wine", {"arch": "linear"}, {"name": "adagrad", "lr": 0.1}, epochs=40,
             batch_size=16)),
    Spec("thirteenth_healthy_iris_mlp_adamw_linear_decay", HEALTHY, "healthy", None,
         "A small MLP on iris with AdamW, weight decay and a linear decay: converges, and its "
         "30-flower validation set follows.",
         job("iris", {"arch": "mlp", "width": 16, "depth": 1},
             {"name": "adamw", "lr": 1e-2, "weight_decay": 0.05}, epochs=40, batch_size=16,
             schedule={"name": "linear"})),
    Spec("thirteenth_healthy_breast_cancer_linear_rmsprop", HEALTHY, "healthy", None,
         "Logistic regression on breast_cancer with RMSprop at its usual lr, validated on a "
         "generous 30% split.",
         job({"name": "breast_cancer", "val_fraction": 0.3}, {"arch": "linear"},
             {"name": "rmsprop", "lr": 1e-3}, epochs=30, batch_size=32)),
    Spec("thirteenth_healthy_spring_mlp_momentum_warmup", HEALTHY, "healthy", None,
         "A regression MLP on the spring's law with momentum SGD after a 3-epoch warm-up "
         "fits to the noise floor.",
         job(regression(SPRING, val_fraction=0.1), {"arch": "mlp", "width": 64, "depth": 2},
             {"name": "sgd", "lr": 0.02, "momentum": 0.9}, epochs=50, batch_size=32,
             loss="mse", schedule={"name": "constant", "warmup_epochs": 3})),
    Spec("thirteenth_healthy_rhythms_cnn1d_adam_cosine", HEALTHY, "healthy", None,
         "A 1-D CNN reads the tempo band of the heartbeat traces with Adam and a cosine "
         "decay.",
         job(npz(RHYTHMS, val_fraction=0.1), {"arch": "cnn1d", "width": 32},
             {"name": "adam", "lr": 2e-3}, epochs=15, batch_size=64,
             schedule={"name": "cosine"})),
    Spec("thirteenth_healthy_roll_mlp_adam_step", HEALTHY, "healthy", None,
         "A two-layer MLP separates the Swiss roll's quarters with Adam and a step decay.",
         job(npz(ROLL), {"arch": "mlp", "width": 128, "depth": 2}, {"name": "adam", "lr": 1e-3},
             epochs=40, schedule={"name": "step", "step_size": 15, "gamma": 0.3})),
    Spec("thirteenth_healthy_spring_mlp_adam_plateau", HEALTHY, "healthy", None,
         "A regression MLP with Adam and ReduceLROnPlateau on the spring's law, validated "
         "on 15% of it.",
         job(regression(SPRING, val_fraction=0.15), {"arch": "mlp", "width": 64, "depth": 2},
             {"name": "adam", "lr": 2e-3}, epochs=60, batch_size=32, loss="mse",
             schedule={"name": "plateau", "patience": 4})),
    Spec("thirteenth_healthy_moire_cnn_adamw", HEALTHY, "healthy", None,
         "A small BatchNorm CNN tells the gratings' frequency bands apart within six epochs.",
         job(npz(MOIRE), {"arch": "cnn", "width": 8},
             {"name": "adamw", "lr": 3e-3, "weight_decay": 0.01}, epochs=6, batch_size=64)),
    Spec("thirteenth_healthy_digits_linear_sgd_inverse", HEALTHY, "healthy", None,
         "Softmax regression on digits with plain SGD and an inverse-square-root decay.",
         job("digits", {"arch": "linear"}, {"name": "sgd", "lr": 0.1}, epochs=50,
             batch_size=64, schedule={"name": "inverse"})),
    Spec("thirteenth_healthy_breast_cancer_mlp_sgd_exponential", HEALTHY, "healthy", None,
         "A small MLP on breast_cancer with plain SGD and a gentle exponential decay, on a "
         "10% validation split.",
         job({"name": "breast_cancer", "val_fraction": 0.1},
             {"arch": "mlp", "width": 64, "depth": 1}, {"name": "sgd", "lr": 0.05},
             epochs=40, batch_size=32, schedule={"name": "exponential", "gamma": 0.95})),
    Spec("thirteenth_healthy_wine_mlp_rmsprop_onecycle", HEALTHY, "healthy", None,
         "A small MLP on wine with RMSprop under a one-cycle schedule, on a 15% validation "
         "split.",
         job({"name": "wine", "val_fraction": 0.15}, {"arch": "mlp", "width": 32, "depth": 1},
             {"name": "rmsprop", "lr": 3e-3}, epochs=30, batch_size=16,
             schedule={"name": "onecycle"})),
]

_UNDERFITTING = [
    # model_bias: the model cannot represent the task, and the loss settles high
    Spec("thirteenth_underfit_rhythms_linear", "linear_model_on_shifted_beats", "underfitting",
         "model_bias",
         "A linear classifier on raw traces whose beats fall at random phases cannot read the "
         "tempo: the loss plateaus far above zero.",
         job(npz(RHYTHMS), {"arch": "linear"}, {"name": "adam", "lr": 1e-3}, epochs=30,
             batch_size=64)),
    Spec("thirteenth_underfit_roll_linear", "linear_model_on_rolled_classes", "underfitting",
         "model_bias",
         "A linear model cannot unroll the Swiss roll's quarters: it plateaus at a high loss.",
         job(npz(ROLL), {"arch": "linear"}, {"name": "sgd", "lr": 0.05, "momentum": 0.9},
             epochs=40, batch_size=64)),
    Spec("thirteenth_underfit_mnist1d_mlp_width3", "three_unit_bottleneck", "underfitting",
         "model_bias",
         "A hidden layer of three units squeezes ten MNIST-1D classes through a bottleneck: "
         "the loss stalls high.",
         job("mnist1d", {"arch": "mlp", "widths": [3]}, {"name": "adam", "lr": 3e-3},
             epochs=40)),
    Spec("thirteenth_underfit_digits_mlp_heavy_l2", "weight_penalty_far_too_strong",
         "underfitting", "model_bias",
         "An L2 penalty of 0.15 holds the weights so small that the data loss cannot fall "
         "below a high floor.",
         job("digits", {"arch": "mlp", "width": 128, "depth": 1},
             {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=25, batch_size=64,
             regularization={"l2": 0.15})),
    # optimization_issue: the model could fit, the optimizer settings stop it
    Spec("thirteenth_underfit_mnist1d_cnn1d_step_too_early", "lr_dropped_100x_after_two_epochs",
         "underfitting", "optimization_issue",
         "A step schedule cuts the lr 100x every two epochs, so training freezes while the "
         "loss is still high.",
         job("mnist1d", {"arch": "cnn1d", "width": 24},
             {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=14,
             schedule={"name": "step", "step_size": 2, "gamma": 0.01})),
    Spec("thirteenth_underfit_digits_mlp_exponential_collapse", "lr_decayed_to_nothing",
         "underfitting", "optimization_issue",
         "An exponential decay of 0.4 per epoch shrinks plain SGD's lr to nothing within a "
         "few epochs: the loss stops far from zero.",
         job("digits", {"arch": "mlp", "width": 128, "depth": 2}, {"name": "sgd", "lr": 0.1},
             epochs=20, batch_size=64, schedule={"name": "exponential", "gamma": 0.4})),
    Spec("thirteenth_underfit_mnist1d_mlp_plateau_patience_0", "lr_cut_on_every_val_wobble",
         "underfitting", "optimization_issue",
         "ReduceLROnPlateau with patience 0 on a 5% validation split cuts the lr 10x at every "
         "wobble, and training stalls early.",
         job({"name": "mnist1d", "val_fraction": 0.05}, {"arch": "mlp", "width": 256, "depth": 2},
             {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=30, batch_size=64,
             schedule={"name": "plateau", "patience": 0, "factor": 0.1})),
    Spec("thirteenth_underfit_images_cnn_adagrad_small", "adagrad_steps_shrink_away",
         "underfitting", "optimization_issue",
         "Adagrad at a small lr on a CNN: its accumulated squares shrink the steps until the "
         "loss creeps along near chance.",
         job(_images(1000), {"arch": "cnn", "width": 8}, {"name": "adagrad", "lr": 3e-3},
             epochs=8, batch_size=64)),
    # undertrained: stopped while the loss still falls
    Spec("thirteenth_underfit_images_cnn_four_epochs", "stopped_after_four_epochs",
         "underfitting", "undertrained",
         "A CNN on the shapes stopped after four epochs of momentum SGD, its loss still "
         "falling fast.",
         job(_images(1000), {"arch": "cnn", "width": 8},
             {"name": "sgd", "lr": 0.01, "momentum": 0.9}, epochs=4, batch_size=64)),
    Spec("thirteenth_underfit_mnist1d_cnn1d_five_slow_epochs", "five_epochs_at_a_small_lr",
         "underfitting", "undertrained",
         "Five epochs of Adam at 3e-4 leave the MNIST-1D CNN mid-descent.",
         job("mnist1d", {"arch": "cnn1d", "width": 32}, {"name": "adam", "lr": 3e-4},
             epochs=5, batch_size=64)),
    Spec("thirteenth_underfit_spring_mlp_short", "six_epochs_of_plain_sgd", "underfitting",
         "undertrained",
         "Six epochs of plain SGD at a small lr on the spring's regression: the loss is still "
         "dropping steeply.",
         job(regression(SPRING), {"arch": "mlp", "width": 64, "depth": 2},
             {"name": "sgd", "lr": 0.003}, epochs=6, batch_size=32, loss="mse")),
    Spec("thirteenth_underfit_breast_cancer_linear_short", "eight_epochs_at_a_small_lr",
         "underfitting", "undertrained",
         "Logistic regression with plain SGD at 3e-3 stopped after eight epochs, far from its "
         "optimum.",
         job("breast_cancer", {"arch": "linear"}, {"name": "sgd", "lr": 0.003}, epochs=8,
             batch_size=32)),
]

_OVERFITTING = [
    Spec("thirteenth_overfit_digits_mlp_80_samples", "few_samples_wide_mlp", "overfitting",
         None,
         "A 512-wide MLP memorises 80 digits; validation loss turns up after a few epochs.",
         job({"name": "digits", "n_train": 80}, {"arch": "mlp", "width": 512, "depth": 2},
             {"name": "adam", "lr": 3e-3}, epochs=100, batch_size=16)),
    Spec("thirteenth_overfit_mnist1d_mlp_400_samples", "few_samples_deep_mlp", "overfitting",
         None,
         "A three-layer MLP on 400 MNIST-1D sequences memorises them while validation loss "
         "climbs.",
         job({"name": "mnist1d", "n_train": 400}, {"arch": "mlp", "width": 256, "depth": 3},
             {"name": "adamw", "lr": 2e-3}, epochs=80, batch_size=32)),
    Spec("thirteenth_overfit_breast_cancer_mlp_40_samples", "few_samples_wide_mlp",
         "overfitting", None,
         "A wide MLP trained for 150 epochs on 40 tumours drives training loss to zero and "
         "validation loss up.",
         job({"name": "breast_cancer", "n_train": 40}, {"arch": "mlp", "width": 256, "depth": 2},
             {"name": "rmsprop", "lr": 5e-4}, epochs=150, batch_size=20)),
    Spec("thirteenth_overfit_roll_mlp_40_samples", "few_samples_wide_mlp", "overfitting", None,
         "Forty points cannot pin down the roll's curved boundaries; a wide MLP fits them "
         "exactly and grows overconfident elsewhere.",
         job(npz(ROLL, n_train=40), {"arch": "mlp", "width": 256, "depth": 2},
             {"name": "adam", "lr": 2e-3}, epochs=100, batch_size=16)),
    Spec("thirteenth_overfit_rhythms_cnn1d_40_samples", "few_traces_wide_cnn1d", "overfitting",
         None,
         "A wide 1-D CNN memorises 40 heartbeat traces; validation loss more than doubles from "
         "its best.",
         job(npz(RHYTHMS, n_train=40), {"arch": "cnn1d", "width": 64},
             {"name": "adam", "lr": 2e-3}, epochs=80, batch_size=16)),
]

_STUCK = [
    # lr_too_low
    Spec("thirteenth_stuck_digits_mlp_sgd_lr_1e-5", "learning_rate_far_too_low", "stuck",
         "lr_too_low",
         "Plain SGD at 1e-5, three thousand times below its usual lr: the loss does not move "
         "from chance.",
         job("digits", {"arch": "mlp"}, {"name": "sgd", "lr": 1e-5}, epochs=10, batch_size=64)),
    Spec("thirteenth_stuck_mnist1d_cnn1d_adam_lr_1e-7", "learning_rate_far_too_low", "stuck",
         "lr_too_low",
         "Adam at 1e-7 (four orders of magnitude too small) leaves the CNN at ln 10.",
         job("mnist1d", {"arch": "cnn1d"}, {"name": "adam", "lr": 1e-7}, epochs=8)),
    Spec("thirteenth_stuck_spring_mlp_rmsprop_lr_1e-7", "learning_rate_far_too_low", "stuck",
         "lr_too_low",
         "RMSprop at 1e-7 on the spring's regression: the MSE stays at the targets' variance.",
         job(regression(SPRING), {"arch": "mlp", "width": 64}, {"name": "rmsprop", "lr": 1e-7},
             epochs=12, batch_size=32, loss="mse")),
    # lr_too_high
    Spec("thirteenth_stuck_digits_mlp_adam_lr_1", "learning_rate_far_too_high", "stuck",
         "lr_too_high",
         "Adam at lr 1 blows the first steps up and kills the ReLUs; the loss then sits at "
         "chance.",
         job("digits", {"arch": "mlp"}, {"name": "adam", "lr": 1.0}, epochs=15, batch_size=64)),
    Spec("thirteenth_stuck_mnist1d_cnn1d_adam_lr_05", "learning_rate_far_too_high", "stuck",
         "lr_too_high",
         "Adam at 0.5 on the MNIST-1D CNN: after a first blow-up the network predicts one "
         "class and stays at ln 10.",
         job("mnist1d", {"arch": "cnn1d"}, {"name": "adam", "lr": 0.5}, epochs=12)),
    Spec("thirteenth_stuck_images_cnn_adam_lr_1", "learning_rate_far_too_high", "stuck",
         "lr_too_high",
         "Adam at lr 1 on a BatchNorm CNN: the weights are thrown about and the loss stays at "
         "chance.",
         job(_images(600), {"arch": "cnn", "width": 8}, {"name": "adam", "lr": 1.0}, epochs=6,
             batch_size=64)),
    # vanishing_gradient
    Spec("thirteenth_stuck_digits_mlp_12_sigmoid_layers", "deep_sigmoid_stack", "stuck",
         "vanishing_gradient",
         "Twelve sigmoid layers without normalisation: the gradient reaching the first layers "
         "vanishes and nothing is learnt.",
         job("digits", {"arch": "mlp", "width": 64, "depth": 12, "activation": "sigmoid"},
             {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=15, batch_size=64)),
    Spec("thirteenth_stuck_breast_cancer_mlp_16_sigmoid_layers", "deep_sigmoid_stack", "stuck",
         "vanishing_gradient",
         "Sixteen sigmoid layers under Adagrad: the loss stays at the class prior's.",
         job("breast_cancer", {"arch": "mlp", "width": 32, "depth": 16, "activation": "sigmoid"},
             {"name": "adagrad", "lr": 0.01}, epochs=15, batch_size=32)),
    Spec("thirteenth_stuck_rhythms_mlp_8_tanh_small_init", "deep_tanh_stack_small_init",
         "stuck", "vanishing_gradient",
         "Eight tanh layers initialised with N(0, 0.01^2): signals and gradients shrink "
         "layer by layer to nothing.",
         job(npz(RHYTHMS), {"arch": "mlp", "width": 128, "depth": 8, "activation": "tanh",
                            "init": "normal"}, {"name": "sgd", "lr": 0.01}, epochs=12,
             batch_size=64)),
    # saturated_loss
    Spec("thirteenth_stuck_mnist1d_mlp_sigmoid_mse", "mse_on_sigmoid_classifier", "stuck",
         "saturated_loss",
         "MSE on one-hot targets through sigmoid units gives plain SGD almost no gradient: the "
         "loss sits at the uniform prediction's.",
         job("mnist1d", {"arch": "mlp", "activation": "sigmoid"}, {"name": "sgd", "lr": 0.01},
             epochs=15, loss="mse")),
    Spec("thirteenth_stuck_rhythms_cnn1d_sigmoid_mse", "mse_on_sigmoid_classifier", "stuck",
         "saturated_loss",
         "A sigmoid 1-D CNN trained with MSE on one-hot targets reaches the constant "
         "prediction's loss and stays there.",
         job(npz(RHYTHMS), {"arch": "cnn1d", "activation": "sigmoid"},
             {"name": "sgd", "lr": 0.01}, epochs=10, batch_size=64, loss="mse")),
    Spec("thirteenth_stuck_images_cnn_sigmoid_mse", "mse_on_sigmoid_classifier", "stuck",
         "saturated_loss",
         "A sigmoid CNN without BatchNorm under MSE: the loss settles at the uniform "
         "prediction's and the accuracy at chance.",
         job(_images(600), {"arch": "cnn", "width": 8, "activation": "sigmoid",
                            "batchnorm": False}, {"name": "sgd", "lr": 0.03}, epochs=10,
             batch_size=64, loss="mse")),
    # critical_point
    Spec("thirteenth_stuck_digits_mlp_relu_tiny_init", "relu_net_at_zero_saddle", "stuck",
         "critical_point",
         "A six-layer ReLU net initialised with N(0, 0.01^2) starts next to the all-zero "
         "saddle point, where momentum SGD finds no slope.",
         job("digits", {"arch": "mlp", "width": 256, "depth": 6, "init": "normal"},
             {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=15, batch_size=64)),
    Spec("thirteenth_stuck_mnist1d_mlp_gelu_tiny_init", "gelu_net_at_zero_saddle", "stuck",
         "critical_point",
         "Five GELU layers with tiny initial weights: the output and every gradient are "
         "near zero, and plain SGD stays put.",
         job("mnist1d", {"arch": "mlp", "width": 128, "depth": 5, "activation": "gelu",
                         "init": "normal"}, {"name": "sgd", "lr": 0.02}, epochs=12)),
    Spec("thirteenth_stuck_roll_mlp_relu_tiny_init", "relu_net_at_zero_saddle", "stuck",
         "critical_point",
         "A six-layer ReLU net with N(0, 0.01^2) weights on the roll: Nesterov SGD cannot "
         "leave the flat region around zero.",
         job(npz(ROLL), {"arch": "mlp", "width": 64, "depth": 6, "init": "normal"},
             {"name": "sgd", "lr": 0.01, "momentum": 0.9, "nesterov": True}, epochs=20,
             batch_size=64)),
]

_OSCILLATING = [
    Spec("thirteenth_oscillate_iris_linear_adam_high", "adam_lr_too_high", "oscillating", None,
         "Adam at 0.5 on a linear iris classifier overshoots back and forth: the loss jumps "
         "by factors of two and more.",
         job("iris", {"arch": "linear"}, {"name": "adam", "lr": 0.5}, epochs=60, batch_size=8)),
    Spec("thirteenth_oscillate_breast_cancer_linear_adagrad_high", "adagrad_lr_far_too_high",
         "oscillating", None,
         "Adagrad at lr 5 on logistic regression: early steps are huge and the loss keeps "
         "bouncing between near-zero and large values.",
         job("breast_cancer", {"arch": "linear"}, {"name": "adagrad", "lr": 5.0}, epochs=40,
             batch_size=32)),
    Spec("thirteenth_oscillate_spring_mlp_sgd_momentum_high", "momentum_sgd_lr_too_high",
         "oscillating", None,
         "Momentum SGD at 0.2 on the spring's regression sits at the edge of stability: the "
         "MSE spikes up repeatedly.",
         job(regression(SPRING), {"arch": "mlp", "width": 64, "depth": 2},
             {"name": "sgd", "lr": 0.2, "momentum": 0.9}, epochs=30, batch_size=32, loss="mse")),
    Spec("thirteenth_oscillate_digits_mlp_adam_high", "adam_lr_too_high", "oscillating", None,
         "Adam at 0.02 on a digits MLP: the loss reaches low values and keeps leaping back up.",
         job("digits", {"arch": "mlp"}, {"name": "adam", "lr": 0.02}, epochs=30, batch_size=64)),
    Spec("thirteenth_oscillate_roll_mlp_rmsprop_high", "rmsprop_lr_too_high", "oscillating",
         None,
         "RMSprop at 0.05 on the roll: each time the squared-gradient average shrinks the "
         "steps overshoot and the loss jumps tenfold.",
         job(npz(ROLL), {"arch": "mlp"}, {"name": "rmsprop", "lr": 0.05}, epochs=30,
             batch_size=64)),
]

_DIVERGING = [
    Spec("thirteenth_diverge_wine_mlp_sgd_momentum", "momentum_sgd_lr_far_too_high",
         "diverging", None,
         "SGD at 0.5 with momentum 0.95 on a wine MLP: the loss grows by orders of magnitude "
         "epoch after epoch.",
         job("wine", {"arch": "mlp", "width": 64, "depth": 1},
             {"name": "sgd", "lr": 0.5, "momentum": 0.95}, epochs=40, batch_size=16)),
    Spec("thirteenth_diverge_digits_linear_mse_sgd", "least_squares_lr_above_stability",
         "diverging", None,
         "A least-squares (MSE) linear classifier with SGD at 0.5, above the quadratic's "
         "stability limit: the loss explodes.",
         job("digits", {"arch": "linear"}, {"name": "sgd", "lr": 0.5}, epochs=10,
             batch_size=64, loss="mse")),
    Spec("thirteenth_diverge_images_cnn_mse_sgd", "sgd_lr_far_too_high_mse_head",
         "diverging", None,
         "A CNN with an MSE head and momentum SGD at 2: the outputs blow up to inf within an "
         "epoch or two.",
         job(_images(600), {"arch": "cnn", "width": 8},
             {"name": "sgd", "lr": 2.0, "momentum": 0.9}, epochs=4, batch_size=64, loss="mse")),
    Spec("thirteenth_diverge_rhythms_cnn1d_onecycle_peak", "onecycle_peak_lr_far_too_high",
         "diverging", None,
         "A one-cycle schedule ramps momentum SGD up to a peak lr of 3 on an MSE-trained tanh "
         "CNN: the loss becomes NaN on the way up.",
         job(npz(RHYTHMS), {"arch": "cnn1d", "width": 32, "activation": "tanh"},
             {"name": "sgd", "lr": 3.0, "momentum": 0.9}, epochs=10, batch_size=64,
             loss="mse", schedule={"name": "onecycle"})),
    Spec("thirteenth_diverge_spring_mlp_warmup_to_high_lr", "warmup_into_a_far_too_high_lr",
         "diverging", None,
         "A warm-up ramps momentum SGD towards lr 1 on the spring's regression: once the lr "
         "passes the stable range the MSE overflows.",
         job(regression(SPRING), {"arch": "mlp", "width": 64, "depth": 2, "activation": "tanh"},
             {"name": "sgd", "lr": 1.0, "momentum": 0.9}, epochs=15, batch_size=32, loss="mse",
             schedule={"name": "constant", "warmup_epochs": 5})),
]

_MISMATCH = [
    Spec("thirteenth_mismatch_rhythms_resampled", "validation_sampled_faster", "mismatch", None,
         "The validation traces come from a device sampling 1.45x faster, so each tempo looks "
         "like the next slower band: validation never improves.",
         job(npz("s13_rhythms_resampled.npz"), {"arch": "cnn1d", "width": 32},
             {"name": "adam", "lr": 2e-3}, epochs=12, batch_size=64)),
    Spec("thirteenth_mismatch_roll_shifted_origin", "validation_from_another_origin",
         "mismatch", None,
         "The validation points were measured from an origin 10 cm away: the training fit "
         "does not carry over and validation loss only rises.",
         job(npz("s13_roll_shifted_origin.npz"), {"arch": "mlp", "width": 128},
             {"name": "adam", "lr": 2e-3}, epochs=15, batch_size=64)),
    Spec("thirteenth_mismatch_spring_cm", "validation_targets_in_other_units", "mismatch", None,
         "The validation targets were logged in cm/s, the training ones in m/s: validation "
         "MSE stays enormous whatever the model learns.",
         job(regression("s13_spring_cm.npz"), {"arch": "mlp", "width": 64},
             {"name": "adam", "lr": 2e-3}, epochs=40, batch_size=32, loss="mse")),
    Spec("thirteenth_mismatch_digits_rescaled", "validation_pixels_rescaled", "mismatch",
         None,
         "The validation export scaled the pixels to [0, 1] while training kept 0-16: to the "
         "model they are near-blank images, and validation only worsens.",
         job(npz("s13_digits_rescaled.npz"), {"arch": "mlp", "width": 128, "depth": 1},
             {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=20, batch_size=64)),
    Spec("thirteenth_mismatch_moire_period_labels", "validation_labels_reversed", "mismatch",
         None,
         "The validation export numbers the classes by period instead of frequency, reversing "
         "the label order: validation accuracy stays at zero.",
         job(npz("s13_moire_period_labels.npz"), {"arch": "cnn", "width": 8},
             {"name": "adamw", "lr": 3e-3}, epochs=6, batch_size=64)),
]

THIRTEENTH: list[Spec] = [*_HEALTHY, *_UNDERFITTING, *_OVERFITTING, *_STUCK, *_OSCILLATING,
                          *_DIVERGING, *_MISMATCH]
