"""Every schedule's learning-rate curve: values at given epochs, warm-up, per-batch steps."""

from __future__ import annotations

import math

import pytest

from workers.training import SCHEDULES, TrainConfig, schedule_curve, train
from workers.training.config import ScheduleConfig

from .specs import spec

EPOCHS, STEPS = 10, 4  # 10 epochs of 4 batches; lrs[e * STEPS] is the lr of epoch e


def curve(**options) -> list[float]:
    lrs = schedule_curve(ScheduleConfig(**options), lr=1.0, epochs=EPOCHS,
                         steps_per_epoch=STEPS)
    assert len(lrs) == EPOCHS * STEPS
    return lrs


def at_epochs(lrs: list[float]) -> list[float]:
    return [lrs[e * STEPS] for e in range(EPOCHS)]


# Expected lr at the start of each epoch 0..9, for lr = 1 and no warm-up.
EXPECTED = {
    "constant": ({}, [1.0] * 10),
    "step": ({"step_size": 3, "gamma": 0.1}, [1, 1, 1, .1, .1, .1, .01, .01, .01, .001]),
    "cosine": ({}, [0.5 * (1 + math.cos(math.pi * e / 10)) for e in range(10)]),
    "linear": ({}, [1 - e / 10 for e in range(10)]),
    "inverse": ({}, [(1 + e) ** -0.5 for e in range(10)]),
    "exponential": ({"gamma": 0.5}, [0.5**e for e in range(10)]),
}


def test_every_schedule_has_a_curve_test():
    tested = set(EXPECTED) | {"onecycle", "plateau"}
    assert tested == set(SCHEDULES)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_values_at_epochs(name):
    options, expected = EXPECTED[name]
    assert at_epochs(curve(name=name, **options)) == pytest.approx(expected, abs=1e-9)


def test_formulas_step_per_batch_within_an_epoch():
    lrs = curve(name="exponential", gamma=0.5)
    assert lrs[2] == pytest.approx(0.5**0.5)  # half-way through epoch 0
    step = curve(name="step", step_size=3, gamma=0.1)
    assert step[3 * STEPS - 1] == 1.0 and step[3 * STEPS] == pytest.approx(0.1)


def test_defaults_per_schedule():
    assert at_epochs(curve(name="step"))[3] == pytest.approx(0.1)  # epochs // 3, / 10
    assert at_epochs(curve(name="exponential"))[2] == pytest.approx(0.81)  # 0.9 per epoch
    assert at_epochs(curve(name="inverse", power=1.0))[3] == pytest.approx(0.25)  # 1/t


def test_cosine_and_linear_end_at_min_lr():
    cosine = curve(name="cosine", min_lr=0.1)
    assert cosine[0] == 1.0
    assert at_epochs(cosine)[5] == pytest.approx(0.55)
    assert cosine[-1] == pytest.approx(0.1, abs=0.01)
    assert min(curve(name="linear", min_lr=0.2)) >= 0.2


def test_warmup_ramps_linearly_then_the_schedule_starts_from_lr():
    lrs = curve(name="cosine", warmup_epochs=2)
    warmup_steps = 2 * STEPS
    assert lrs[:warmup_steps] == pytest.approx([(k + 1) / warmup_steps
                                                for k in range(warmup_steps)])
    assert lrs[warmup_steps] == 1.0
    # cosine runs over the 8 epochs left: half-way (epoch 2 + 4) it is at half the lr
    assert at_epochs(lrs)[6] == pytest.approx(0.5)


def test_warmup_shifts_step_drops():
    lrs = at_epochs(curve(name="step", step_size=3, gamma=0.1, warmup_epochs=1))
    assert lrs[0] == pytest.approx(1 / STEPS)
    assert lrs[1:7] == pytest.approx([1, 1, 1, 0.1, 0.1, 0.1])


def test_onecycle_rises_to_lr_then_anneals():
    lrs = curve(name="onecycle")
    peak = max(range(len(lrs)), key=lrs.__getitem__)
    assert lrs[0] == pytest.approx(1 / 25)  # torch's div_factor
    assert lrs[peak] == pytest.approx(1.0)
    assert peak == pytest.approx(0.3 * len(lrs), abs=1)  # rise for 30% by default
    assert lrs[-1] < 1e-4
    assert max(range(len(lrs)), key=curve(name="onecycle", warmup_epochs=5).__getitem__) \
        == pytest.approx(0.5 * len(lrs), abs=1)


def test_plateau_cuts_lr_after_patience_epochs_without_improvement():
    losses = [1.0, 0.5, 0.6, 0.6, 0.6, 0.4, 0.7, 0.7, 0.7, 0.7]
    lrs = at_epochs(schedule_curve(ScheduleConfig(name="plateau", factor=0.5, patience=1),
                                   lr=1.0, epochs=EPOCHS, steps_per_epoch=STEPS,
                                   val_losses=losses))
    # best 0.5 at epoch 1; epochs 2 and 3 are worse -> cut after epoch 3, then again after
    # two more bad epochs (cooldown 0) ...
    assert lrs[:4] == [1.0, 1.0, 1.0, 1.0]
    assert lrs[4] == pytest.approx(0.5)
    assert lrs[-1] < 0.5


def test_plateau_warmup_composes_with_cuts():
    lrs = schedule_curve(ScheduleConfig(name="plateau", warmup_epochs=1, patience=0,
                                        factor=0.5), lr=1.0, epochs=4, steps_per_epoch=STEPS,
                         val_losses=[1.0, 2.0, 3.0, 4.0])
    assert lrs[:STEPS] == pytest.approx([(k + 1) / STEPS for k in range(STEPS)])
    # after warm-up the cuts stick (a LambdaLR warm-up would reset them every step)
    assert lrs[2 * STEPS] == pytest.approx(0.5) and lrs[3 * STEPS] == pytest.approx(0.25)


def test_the_loop_records_the_lr_of_each_epochs_first_step():
    result = train(TrainConfig.from_dict(spec(
        optimizer={"name": "sgd", "lr": 0.1},
        schedule={"name": "step", "step_size": 2, "gamma": 0.5},
        training={"epochs": 5, "batch_size": 32})))
    lrs = [m["lr"] for m in result.history]
    assert lrs == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])
