"""l1, l2, dropout, label smoothing and early stopping change what they should."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from workers.training import TrainConfig, train

from .specs import spec


def trained(**sections):
    sections.setdefault("training", {"epochs": 8, "batch_size": 32})
    return train(TrainConfig.from_dict(spec(**sections)))


def weights(result) -> list[torch.Tensor]:
    return [p.detach() for p in result.model.parameters() if p.dim() > 1]


def test_l1_shrinks_the_absolute_weights_and_zeroes_many():
    plain, sparse = trained(), trained(regularization={"l1": 0.01})
    l1 = [sum(float(w.abs().sum()) for w in weights(r)) for r in (plain, sparse)]
    assert l1[1] < 0.5 * l1[0]
    tiny = [sum(int((w.abs() < 1e-2).sum()) for w in weights(r)) for r in (plain, sparse)]
    assert tiny[1] > 2 * tiny[0]


def test_l2_shrinks_the_squared_weights():
    plain, decayed = trained(), trained(regularization={"l2": 0.05})
    l2 = [sum(float(w.pow(2).sum()) for w in weights(r)) for r in (plain, decayed)]
    assert l2[1] < 0.7 * l2[0]


def test_l2_penalty_has_the_gradient_of_sgd_weight_decay():
    # l2/2 * |w|^2 added to the loss == SGD(weight_decay=l2), up to the biases, which
    # weight_decay shrinks and the penalty does not (a ~1e-4 difference here; a factor of
    # 2 off in the penalty would make it ~3e-2).
    sgd = {"name": "sgd", "lr": 0.1}
    penalty = trained(optimizer=sgd, regularization={"l2": 0.1}, training={"epochs": 3})
    decay = trained(optimizer={**sgd, "weight_decay": 0.1}, training={"epochs": 3})
    plain = trained(optimizer=sgd, training={"epochs": 3})
    for a, b, c in zip(weights(penalty), weights(decay), weights(plain), strict=True):
        assert torch.allclose(a, b, atol=2e-3)
        assert not torch.allclose(a, c, atol=2e-3)


def test_penalties_leave_biases_alone():
    result = trained(regularization={"l1": 1.0}, training={"epochs": 2})
    biases = [p for p in result.model.parameters() if p.dim() == 1]
    assert any(float(b.detach().abs().max()) > 1e-3 for b in biases)


def test_recorded_train_loss_is_the_data_loss_without_the_penalty():
    plain, penalised = trained(training={"epochs": 1}), \
        trained(regularization={"l2": 10.0}, training={"epochs": 1})
    # a huge penalty would add ~5 * |w|^2 (hundreds) if it were included
    assert penalised.history[0]["train_loss"] < plain.history[0]["train_loss"] + 1.0


def test_dropout_layers_are_built_and_change_training():
    result = trained(model={"arch": "mlp", "width": 32, "depth": 1, "dropout": 0.5})
    assert any(isinstance(m, nn.Dropout) and m.p == 0.5 for m in result.model.modules())
    assert result.history != trained().history


def test_label_smoothing_keeps_the_training_loss_away_from_zero():
    sharp = trained(training={"epochs": 30, "batch_size": 32})
    smooth = trained(regularization={"label_smoothing": 0.2},
                     training={"epochs": 30, "batch_size": 32})
    assert sharp.history[-1]["train_loss"] < 0.05
    assert smooth.history[-1]["train_loss"] > 0.3
    # validation loss is measured without smoothing, so both are comparable
    assert smooth.history[-1]["val_loss"] < 0.5


def test_early_stopping_stops_and_records_the_best_epoch():
    result = trained(optimizer={"name": "adam", "lr": 0.05},
                     model={"arch": "mlp", "width": 256, "depth": 2},
                     regularization={"early_stopping": {"metric": "val_loss", "patience": 2}},
                     dataset={"name": "wine", "n_train": 40},
                     training={"epochs": 60, "batch_size": 8})
    assert result.stopped_reason == "early_stopping"
    assert len(result.history) == result.best_epoch + 1 + 2
    val = [m["val_loss"] for m in result.history]
    assert val[result.best_epoch] == min(val)


def test_early_stopping_on_accuracy_maximises():
    result = trained(regularization={"early_stopping": {"metric": "val_acc", "patience": 3}},
                     training={"epochs": 40, "batch_size": 32})
    accs = [m["val_acc"] for m in result.history]
    assert accs[result.best_epoch] == max(accs)
    assert result.best_epoch == accs.index(max(accs))  # the first time it was reached


def test_without_early_stopping_best_epoch_is_the_lowest_val_loss():
    result = trained()
    val = [m["val_loss"] for m in result.history]
    assert result.stopped_reason == "completed"
    assert result.best_epoch == val.index(min(val))


@pytest.mark.parametrize("clip", [0.01])
def test_grad_norm_is_measured_before_clipping(clip):
    result = trained(training={"epochs": 2, "batch_size": 32, "grad_clip": clip})
    assert all(m["grad_norm"] > 10 * clip for m in result.history)
