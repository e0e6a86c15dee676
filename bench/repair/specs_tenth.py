"""The tenth split: injected training faults written apart from every other split.

Written from the status table of docs/ARCHITECTURE.md section 5, the JobSpec (section 4),
the catalogue (service/catalogue), the training engine (workers/training) and the lecture
view of how each fault arises in practice, with specs.py read for the format and curves.py
as the only judge of whether an injection shows; without reading fitdoc's advisor or the
other splits' specs. Each spec's label is the status (and cause) of that table that its
injected fault should produce; `kind` names the injection.

Its npz files (names prefixed `s10_`) come from datasets_tenth.py: five generated tasks
(a cooling law, concentric rings, waveforms, strokes, tones) and five files whose
validation part comes from another distribution than the training one.
`specs.cases("tenth")` expands the specs with seeds 0 and 1; the split takes no part in the
tune/report dealing.
"""

from __future__ import annotations

from bench.repair.specs import Spec, job, npz, regression

COOLING = "s10_cooling.npz"
RINGS = "s10_rings.npz"
WAVES = "s10_waves.npz"
STROKES = "s10_strokes.npz"
TONES = "s10_tones.npz"

SOUND = "sound_recipe"


def _mlp(width: int = 64, depth: int = 2, **fields) -> dict:
    return {"arch": "mlp", "width": width, "depth": depth, **fields}


def _cnn1d(width: int = 32, depth: int = 3, **fields) -> dict:
    return {"arch": "cnn1d", "width": width, "depth": depth, **fields}


def _cnn(width: int = 16, depth: int = 2, **fields) -> dict:
    return {"arch": "cnn", "width": width, "depth": depth, **fields}


LINEAR = {"arch": "linear"}


def _rjob(dataset: dict, model: dict, optimizer: dict, **fields) -> dict:
    """A regression job: the engine needs the MSE loss named."""
    return job(dataset, model, optimizer, loss="mse", **fields)

HEALTHY = [
    Spec("tenth_healthy_mnist1d_cnn1d_bn_adam_cosine", SOUND, "healthy", None,
         "the batch-normalised MNIST-1D CNN with Adam and cosine decay, 30 epochs",
         job("mnist1d", _cnn1d(32, 3, batchnorm=True), {"name": "adam", "lr": 3e-3},
             epochs=30, schedule={"name": "cosine"})),
    Spec("tenth_healthy_digits_mlp_sgd_nesterov_step", SOUND, "healthy", None,
         "a two-layer MLP with Nesterov momentum and a step decay",
         job("digits", {"arch": "mlp", "widths": [256, 128]},
             {"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True},
             epochs=30, batch_size=64, schedule={"name": "step", "step_size": 10,
                                                 "gamma": 0.3})),
    Spec("tenth_healthy_wine_linear_adam_small_val", SOUND, "healthy", None,
         "logistic regression on wine, a tenth held out",
         job({"name": "wine", "val_fraction": 0.1}, LINEAR, {"name": "adam", "lr": 1e-2},
             epochs=40, batch_size=32)),
    Spec("tenth_healthy_iris_mlp_rmsprop_inverse", SOUND, "healthy", None,
         "a small MLP on iris with RMSprop and an inverse-square-root decay",
         job({"name": "iris", "val_fraction": 0.3}, _mlp(32, 2),
             {"name": "rmsprop", "lr": 3e-3}, epochs=60, batch_size=16,
             schedule={"name": "inverse"})),
    Spec("tenth_healthy_breast_cancer_linear_sgd_linear_decay", SOUND, "healthy", None,
         "logistic regression with momentum SGD and a linear decay, a third held out",
         job({"name": "breast_cancer", "val_fraction": 0.35}, LINEAR,
             {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=30, batch_size=32,
             schedule={"name": "linear"})),
    Spec("tenth_healthy_synthetic_images_cnn_adamw_onecycle", SOUND, "healthy", None,
         "a small batch-normalised CNN with AdamW and one cycle",
         job({"name": "synthetic_images", "n_train": 2000}, _cnn(16, 3),
             {"name": "adamw", "lr": 3e-3, "weight_decay": 1e-4}, epochs=12, batch_size=64,
             schedule={"name": "onecycle"})),
    Spec("tenth_healthy_rings_mlp_adam_cosine", SOUND, "healthy", None,
         "an MLP wide enough for four annuli, 40 epochs of Adam with cosine decay",
         job(npz(RINGS), _mlp(64, 2), {"name": "adam", "lr": 3e-3}, epochs=40,
             schedule={"name": "cosine"})),
    Spec("tenth_healthy_waves_cnn1d_adam_plateau", SOUND, "healthy", None,
         "the 1-D CNN on waveforms, Adam, lr cut on a validation plateau",
         job(npz(WAVES), _cnn1d(32, 3), {"name": "adam", "lr": 2e-3}, epochs=20,
             schedule={"name": "plateau", "factor": 0.3, "patience": 2})),
    Spec("tenth_healthy_strokes_cnn_sgd_nesterov_cosine", SOUND, "healthy", None,
         "a two-block CNN on strokes with Nesterov momentum and cosine decay",
         job(npz(STROKES), _cnn(16, 2), {"name": "sgd", "lr": 0.05, "momentum": 0.9,
                                         "nesterov": True},
             epochs=15, batch_size=64, schedule={"name": "cosine"})),
    Spec("tenth_healthy_cooling_mlp_adam_plateau", SOUND, "healthy", None,
         "an MLP regression of the cooling law, Adam, lr halved on plateaus",
         _rjob(regression(COOLING), _mlp(64, 2), {"name": "adam", "lr": 3e-3}, epochs=50,
               schedule={"name": "plateau", "factor": 0.5, "patience": 3})),
    Spec("tenth_healthy_tones_cnn1d_adagrad", SOUND, "healthy", None,
         "a 1-D CNN regressing a tone's pitch with Adagrad",
         _rjob(regression(TONES), _cnn1d(32, 3), {"name": "adagrad", "lr": 0.05}, epochs=30)),
    Spec("tenth_healthy_digits_linear_lbfgs_full_batch", SOUND, "healthy", None,
         "softmax regression on digits by full-batch L-BFGS with a little L2",
         job("digits", LINEAR, {"name": "lbfgs"}, epochs=6, batch_size=2048,
             regularization={"l2": 1e-3})),
    Spec("tenth_healthy_mnist1d_cnn1d_sgd_small_val", SOUND, "healthy", None,
         "the batch-normalised 1-D CNN with momentum SGD and a linear decay, 8% held out",
         job({"name": "mnist1d", "val_fraction": 0.08}, _cnn1d(32, 3, batchnorm=True),
             {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=30,
             schedule={"name": "linear"})),
    Spec("tenth_healthy_wine_mlp_tanh_adamw_short", SOUND, "healthy", None,
         "a one-layer tanh MLP on wine, AdamW, eight epochs",
         job({"name": "wine", "val_fraction": 0.25}, _mlp(32, 1, activation="tanh"),
             {"name": "adamw", "lr": 1e-2}, epochs=8, batch_size=16)),
    Spec("tenth_healthy_breast_cancer_mlp_adamw_warmup", SOUND, "healthy", None,
         "an MLP with dropout and AdamW's decay, warm-up then cosine, 12% held out",
         job({"name": "breast_cancer", "val_fraction": 0.12}, _mlp(64, 2, dropout=0.3),
             {"name": "adamw", "lr": 1e-3, "weight_decay": 0.05}, epochs=12, batch_size=32,
             schedule={"name": "cosine", "warmup_epochs": 2})),
]

UNDERFIT = [
    # model bias: the model cannot represent the task
    Spec("tenth_underfit_cooling_linear_sgd", "model_too_simple", "underfitting", "model_bias",
         "a straight line through an exponential decay",
         _rjob(regression(COOLING, val_fraction=0.1), LINEAR, {"name": "sgd", "lr": 0.02},
               epochs=40)),
    Spec("tenth_underfit_rings_mlp_two_units", "model_too_small", "underfitting",
         "model_bias", "two hidden units for four concentric annuli",
         job(npz(RINGS), _mlp(2, 1), {"name": "adam", "lr": 2e-2}, epochs=60)),
    Spec("tenth_underfit_waves_mlp_l2_heavy", "regularization_too_strong", "underfitting",
         "model_bias", "an L2 penalty of 0.05 holds the weights near zero",
         job(npz(WAVES), _mlp(128, 2), {"name": "adam", "lr": 1e-3}, epochs=30,
             regularization={"l2": 0.05})),
    Spec("tenth_underfit_digits_mlp_dropout_heavy", "regularization_too_strong",
         "underfitting", "model_bias", "dropout of 85% on a narrow MLP",
         job("digits", _mlp(16, 2, dropout=0.85), {"name": "adam", "lr": 1e-3}, epochs=40,
             batch_size=64)),
    # optimization issue: the optimizer's schedule stops the descent half-way
    Spec("tenth_underfit_waves_cnn1d_exponential_collapse", "lr_schedule_collapse",
         "underfitting", "optimization_issue",
         "an exponential decay of 0.3 per epoch: the lr is gone after a few epochs",
         job(npz(WAVES), _cnn1d(32, 3, batchnorm=True), {"name": "adam", "lr": 1e-3},
             epochs=20, schedule={"name": "exponential", "gamma": 0.3})),
    Spec("tenth_underfit_digits_mlp_step_every_other_epoch", "lr_schedule_collapse",
         "underfitting", "optimization_issue", "a step decay by 50x every second epoch",
         job("digits", _mlp(64, 2), {"name": "adam", "lr": 1e-3}, epochs=25, batch_size=64,
             schedule={"name": "step", "step_size": 2, "gamma": 0.02})),
    Spec("tenth_underfit_cooling_mlp_inverse_cubed", "lr_schedule_collapse", "underfitting",
         "optimization_issue", "an inverse decay with power 3: lr / (1 + t)^3",
         _rjob(regression(COOLING), _mlp(64, 2), {"name": "sgd", "lr": 0.1}, epochs=30,
               schedule={"name": "inverse", "power": 3.0})),
    Spec("tenth_underfit_mnist1d_mlp_plateau_impatient", "lr_schedule_collapse",
         "underfitting", "optimization_issue",
         "lr cut 100x the first epoch a 5% validation set does not improve (patience 0)",
         job({"name": "mnist1d", "val_fraction": 0.05}, _mlp(128, 2),
             {"name": "adam", "lr": 2e-3}, epochs=30,
             schedule={"name": "plateau", "factor": 0.01, "patience": 0})),
    # undertrained: stopped while still falling
    Spec("tenth_underfit_synthetic_images_cnn_three_epochs", "too_few_epochs", "underfitting",
         "undertrained", "three epochs of momentum SGD for a CNN on shapes",
         job({"name": "synthetic_images", "n_train": 1500}, _cnn(16, 3),
             {"name": "sgd", "lr": 0.02, "momentum": 0.9}, epochs=3, batch_size=64)),
    Spec("tenth_underfit_waves_cnn1d_four_epochs", "too_few_epochs", "underfitting",
         "undertrained", "four epochs of momentum SGD",
         job(npz(WAVES), _cnn1d(32, 3), {"name": "sgd", "lr": 0.05, "momentum": 0.9},
             epochs=4)),
    Spec("tenth_underfit_cooling_mlp_sgd_five_epochs", "too_few_epochs", "underfitting",
         "undertrained", "five epochs of plain SGD on a regression",
         _rjob(regression(COOLING), _mlp(64, 2), {"name": "sgd", "lr": 3e-3}, epochs=5)),
    Spec("tenth_underfit_digits_linear_adagrad_large_batch", "too_few_epochs", "underfitting",
         "undertrained", "six epochs of Adagrad in batches of 512",
         job("digits", LINEAR, {"name": "adagrad", "lr": 1e-2}, epochs=6, batch_size=512)),
]

OVERFIT = [
    Spec("tenth_overfit_mnist1d_mlp_300_samples", "small_train_set_big_model", "overfitting",
         None, "a 512-wide MLP on 300 MNIST-1D sequences for 60 epochs",
         job({"name": "mnist1d", "n_train": 300}, _mlp(512, 2), {"name": "adam", "lr": 1e-3},
             epochs=60, batch_size=32)),
    Spec("tenth_overfit_mnist1d_cnn1d_400_samples", "small_train_set_big_model",
         "overfitting", None, "a 64-channel 1-D CNN on 400 sequences for 60 epochs",
         job({"name": "mnist1d", "n_train": 400}, _cnn1d(64, 3), {"name": "adam", "lr": 2e-3},
             epochs=60, batch_size=32)),
    Spec("tenth_overfit_rings_mlp_150_samples", "small_train_set_big_model", "overfitting",
         None, "three 512-wide layers on 150 points, 100 epochs of momentum SGD",
         job(npz(RINGS, n_train=150), _mlp(512, 3),
             {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=100, batch_size=16)),
    Spec("tenth_overfit_iris_mlp_30_samples", "small_train_set_big_model", "overfitting",
         None, "a 256-wide MLP on 30 flowers for 150 epochs",
         job({"name": "iris", "n_train": 30}, _mlp(256, 2), {"name": "adam", "lr": 1e-3},
             epochs=150, batch_size=8)),
    Spec("tenth_overfit_breast_cancer_mlp_30_samples", "small_train_set_big_model",
         "overfitting", None, "three 512-wide layers on 30 patients for 150 epochs",
         job({"name": "breast_cancer", "n_train": 30}, _mlp(512, 3),
             {"name": "adam", "lr": 3e-4}, epochs=150, batch_size=8)),
    Spec("tenth_overfit_digits_mlp_50_samples", "small_train_set_big_model", "overfitting",
         None, "a 512-wide MLP on 50 digits for 200 epochs",
         job({"name": "digits", "n_train": 50}, _mlp(512, 2), {"name": "adam", "lr": 3e-3},
             epochs=200, batch_size=10)),
]

STUCK = [
    # lr far too low
    Spec("tenth_stuck_strokes_cnn_sgd_lr_tiny", "lr_too_low", "stuck", "lr_too_low",
         "plain SGD at 1e-5 on a CNN",
         job(npz(STROKES), _cnn(16, 2), {"name": "sgd", "lr": 1e-5}, epochs=10,
             batch_size=64)),
    Spec("tenth_stuck_breast_cancer_mlp_adam_lr_tiny", "lr_too_low", "stuck", "lr_too_low",
         "Adam at 1e-6",
         job({"name": "breast_cancer", "val_fraction": 0.1}, _mlp(64, 2),
             {"name": "adam", "lr": 1e-6}, epochs=20, batch_size=32)),
    Spec("tenth_stuck_tones_cnn1d_rmsprop_lr_tiny", "lr_too_low", "stuck", "lr_too_low",
         "RMSprop at 1e-7 on a regression",
         _rjob(regression(TONES), _cnn1d(32, 3), {"name": "rmsprop", "lr": 1e-7}, epochs=8)),
    # lr far too high: the units die and the net sits at chance
    Spec("tenth_stuck_rings_mlp_sgd_lr_huge", "lr_too_high_dead_units", "stuck",
         "lr_too_high", "plain SGD at lr 5 kills the ReLUs in the first steps",
         job(npz(RINGS, val_fraction=0.1), _mlp(128, 2), {"name": "sgd", "lr": 5.0},
             epochs=15)),
    Spec("tenth_stuck_mnist1d_mlp_sgd_momentum_lr_huge", "lr_too_high_dead_units", "stuck",
         "lr_too_high", "momentum SGD at lr 2",
         job("mnist1d", _mlp(128, 2), {"name": "sgd", "lr": 2.0, "momentum": 0.9},
             epochs=10)),
    Spec("tenth_stuck_waves_cnn1d_adamw_lr_huge", "lr_too_high_dead_units", "stuck",
         "lr_too_high", "AdamW at lr 0.5 on a 1-D CNN",
         job(npz(WAVES), _cnn1d(32, 3), {"name": "adamw", "lr": 0.5}, epochs=10)),
    # vanishing gradients: deep saturating nets with small weights
    Spec("tenth_stuck_digits_mlp_sigmoid_deep_small_init", "deep_saturating_tiny_init",
         "stuck", "vanishing_gradient", "eight sigmoid layers drawn from N(0, 0.01^2)",
         job("digits", _mlp(64, 8, activation="sigmoid", init="normal"),
             {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=20)),
    Spec("tenth_stuck_waves_cnn1d_tanh_small_init", "deep_saturating_tiny_init", "stuck",
         "vanishing_gradient", "four tanh conv layers drawn from N(0, 0.01^2)",
         job(npz(WAVES), _cnn1d(32, 4, activation="tanh", init="normal"),
             {"name": "sgd", "lr": 0.01}, epochs=15)),
    Spec("tenth_stuck_strokes_cnn_sigmoid_no_bn", "deep_saturating_tiny_init", "stuck",
         "vanishing_gradient", "three sigmoid conv blocks without batch norm, small init",
         job(npz(STROKES), _cnn(16, 3, activation="sigmoid", batchnorm=False, init="normal"),
             {"name": "sgd", "lr": 0.01}, epochs=10, batch_size=64)),
    # saturated loss: MSE on sigmoid units
    Spec("tenth_stuck_rings_mlp_sigmoid_mse", "mse_on_saturating_classifier", "stuck",
         "saturated_loss", "a sigmoid MLP trained on one-hot targets with MSE",
         job(npz(RINGS), _mlp(64, 3, activation="sigmoid"), {"name": "sgd", "lr": 0.01},
             epochs=20, loss="mse")),
    Spec("tenth_stuck_digits_mlp_sigmoid_mse", "mse_on_saturating_classifier", "stuck",
         "saturated_loss", "MSE through sigmoid hidden layers on ten classes",
         job("digits", _mlp(128, 3, activation="sigmoid"), {"name": "sgd", "lr": 0.02},
             epochs=20, loss="mse")),
    Spec("tenth_stuck_mnist1d_cnn1d_sigmoid_mse", "mse_on_saturating_classifier", "stuck",
         "saturated_loss", "a sigmoid 1-D CNN trained with MSE",
         job("mnist1d", _cnn1d(32, 3, activation="sigmoid"), {"name": "sgd", "lr": 0.01},
             epochs=12, loss="mse")),
    # critical point: deep non-saturating nets at the all-zero saddle
    Spec("tenth_stuck_cooling_mlp_relu_deep_small_init", "deep_nonsaturating_tiny_init",
         "stuck", "critical_point", "six ReLU layers drawn from N(0, 0.01^2): outputs ~0",
         _rjob(regression(COOLING), _mlp(64, 6, init="normal"), {"name": "sgd", "lr": 0.05},
               epochs=20)),
    Spec("tenth_stuck_mnist1d_mlp_gelu_deep_small_init", "deep_nonsaturating_tiny_init",
         "stuck", "critical_point", "five GELU layers drawn from N(0, 0.01^2)",
         job("mnist1d", _mlp(128, 5, activation="gelu", init="normal"),
             {"name": "sgd", "lr": 0.05, "momentum": 0.9}, epochs=15)),
    Spec("tenth_stuck_synthetic_images_cnn_small_init_no_bn", "deep_nonsaturating_tiny_init",
         "stuck", "critical_point", "three ReLU conv blocks from N(0, 0.01^2), no batch norm",
         job({"name": "synthetic_images", "n_train": 1000},
             _cnn(8, 3, batchnorm=False, init="normal"),
             {"name": "sgd", "lr": 0.02, "momentum": 0.9}, epochs=8, batch_size=64)),
]

OSCILLATE = [
    Spec("tenth_oscillate_breast_cancer_linear_sgd_lr_huge", "lr_too_high_oscillation",
         "oscillating", None, "logistic regression by SGD at lr 8",
         job("breast_cancer", LINEAR, {"name": "sgd", "lr": 8.0}, epochs=30, batch_size=64)),
    Spec("tenth_oscillate_iris_mlp_adam_lr_high", "lr_too_high_oscillation", "oscillating",
         None, "Adam at 0.3 on iris",
         job("iris", _mlp(32, 2), {"name": "adam", "lr": 0.3}, epochs=40, batch_size=16)),
    Spec("tenth_oscillate_rings_mlp_sgd_momentum_0_99", "heavy_momentum_oscillation",
         "oscillating", None, "momentum 0.99 at lr 0.1",
         job(npz(RINGS), _mlp(64, 2), {"name": "sgd", "lr": 0.1, "momentum": 0.99},
             epochs=30)),
    Spec("tenth_oscillate_digits_linear_rmsprop_lr_high", "lr_too_high_oscillation",
         "oscillating", None, "RMSprop at 0.5 on softmax regression",
         job("digits", LINEAR, {"name": "rmsprop", "lr": 0.5}, epochs=30)),
    Spec("tenth_oscillate_cooling_mlp_rmsprop_lr_high", "lr_too_high_oscillation",
         "oscillating", None, "RMSprop at 0.1 on an MLP regression",
         _rjob(regression(COOLING), _mlp(64, 2), {"name": "rmsprop", "lr": 0.1}, epochs=30)),
]

DIVERGE = [
    Spec("tenth_diverge_cooling_mlp_warmup_to_high_lr", "warmup_to_unstable_lr", "diverging",
         None, "a five-epoch warm-up to lr 1.5 for plain SGD on a regression",
         _rjob(regression(COOLING, val_fraction=0.15), _mlp(64, 2),
               {"name": "sgd", "lr": 1.5}, epochs=12,
               schedule={"name": "constant", "warmup_epochs": 5})),
    Spec("tenth_diverge_tones_linear_full_batch_gd", "lr_too_high_divergence",
         "diverging", None, "full-batch gradient descent at lr 0.4 on correlated inputs",
         _rjob(regression(TONES), LINEAR, {"name": "sgd", "lr": 0.4}, epochs=15,
               batch_size=4096)),
    Spec("tenth_diverge_mnist1d_mlp_selu_warmup_cosine", "warmup_to_unstable_lr",
         "diverging", None, "a five-epoch warm-up to lr 3 with momentum on a SELU MLP",
         job("mnist1d", _mlp(128, 2, activation="selu"),
             {"name": "sgd", "lr": 3.0, "momentum": 0.9}, epochs=12,
             schedule={"name": "cosine", "warmup_epochs": 5})),
    Spec("tenth_diverge_digits_mlp_selu_warmup_linear", "warmup_to_unstable_lr", "diverging",
         None, "a four-epoch warm-up to lr 3 with momentum, then a linear decay",
         job("digits", _mlp(128, 2, activation="selu"),
             {"name": "sgd", "lr": 3.0, "momentum": 0.9}, epochs=12,
             schedule={"name": "linear", "warmup_epochs": 4})),
    Spec("tenth_diverge_waves_mlp_selu_sgd_momentum", "lr_too_high_divergence",
         "diverging", None, "momentum SGD at lr 0.4 on a three-layer SELU MLP",
         job(npz(WAVES), _mlp(128, 3, activation="selu"),
             {"name": "sgd", "lr": 0.4, "momentum": 0.9}, epochs=10)),
]

MISMATCH = [
    Spec("tenth_mismatch_cooling_rows_misaligned", "validation_rows_misjoined", "mismatch",
         None, "the validation targets were joined to the wrong rows",
         _rjob(regression("s10_cooling_rows_misaligned.npz"), _mlp(64, 2),
               {"name": "sgd", "lr": 0.01, "momentum": 0.9}, epochs=20)),
    Spec("tenth_mismatch_waves_pitch_labels", "validation_labelled_by_other_scheme",
         "mismatch", None, "the validation recordings were labelled by pitch band",
         job(npz("s10_waves_pitch_labels.npz"), _cnn1d(32, 3), {"name": "adam", "lr": 2e-3},
             epochs=15)),
    Spec("tenth_mismatch_strokes_stamp_moved", "shortcut_moves_between_sites", "mismatch",
         None, "a corner stamp gives the class away in training, another site stamps "
               "validation differently",
         job(npz("s10_strokes_stamp_moved.npz"), _cnn(16, 2), {"name": "adam", "lr": 2e-3},
             epochs=10, batch_size=64)),
    Spec("tenth_mismatch_tones_period_targets", "target_quantity_changed", "mismatch", None,
         "the validation export holds the period where training holds the pitch",
         _rjob(regression("s10_tones_period_targets.npz"), _cnn1d(32, 3),
               {"name": "adam", "lr": 2e-3}, epochs=20)),
    Spec("tenth_mismatch_wine_row_normalised", "validation_normalised_per_row", "mismatch",
         None, "the validation rows were divided by their own largest value",
         job(npz("s10_wine_row_normalised.npz"), _mlp(32, 1), {"name": "adam", "lr": 1e-2},
             epochs=30, batch_size=16)),
]

TENTH: list[Spec] = [*HEALTHY, *UNDERFIT, *OVERFIT, *STUCK, *OSCILLATE, *DIVERGE, *MISMATCH]
