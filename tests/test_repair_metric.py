"""What "the kept model improves on the first job's" means for a chain (service.repair), with
the kept values of real chains of the repair benchmark (bench/advisor/repair_tune chain)."""

from __future__ import annotations

from service.repair import ACCURACY, LOSS, _repaired, improves
from service.schemas import DiagnosisStatus


def kept(acc: float | None, loss: float | None) -> dict[str, float | None]:
    return {"val_acc": acc, "val_loss": loss}


# a tanh MLP on wine at SGD lr 5, oscillating: right on all 36 validation samples at its
# kept epoch, with the validation loss of a run whose weights had blown up
OSCILLATING_WINE = kept(1.0, 5.3e-08)


def test_a_higher_accuracy_improves_and_a_lower_one_does_not():
    assert improves(kept(0.967, 0.09), kept(0.9, 0.2), ACCURACY)
    assert not improves(kept(0.9, 0.01), kept(0.967, 0.09), ACCURACY)


def test_a_tie_below_the_ceiling_goes_to_the_lower_validation_loss():
    assert improves(kept(0.95, 0.10), kept(0.95, 0.12), ACCURACY)
    assert not improves(kept(0.95, 0.12), kept(0.95, 0.10), ACCURACY)
    assert not improves(kept(0.95, None), kept(0.95, 0.10), ACCURACY)


def test_a_first_job_right_on_every_sample_is_matched_by_a_later_one_that_is_too():
    # its fix (lr 0.03, healthy) is right on every sample too, at a loss of 0.0327: nothing
    # can beat 1.0, so matching it repairs the chain
    fixed = kept(1.0, 0.0327)
    assert improves(fixed, OSCILLATING_WINE, ACCURACY)
    assert _repaired(DiagnosisStatus.healthy, False, fixed, OSCILLATING_WINE, ACCURACY)
    # not when the later run is not healthy, nor when it is one sample short
    assert not _repaired(DiagnosisStatus.overfitting, False, fixed, OSCILLATING_WINE,
                         ACCURACY)
    assert not improves(kept(0.972, 0.04), OSCILLATING_WINE, ACCURACY)


def test_a_regression_has_no_ceiling_only_a_lower_loss():
    assert LOSS.best_possible is None
    assert improves(kept(None, 0.21), kept(None, 0.30), LOSS)
    assert not improves(kept(None, 0.30), kept(None, 0.30), LOSS)
    assert not improves(kept(None, None), kept(None, 0.30), LOSS)
    assert improves(kept(None, 0.5), kept(None, None), LOSS)  # the first kept nothing (NaN)
