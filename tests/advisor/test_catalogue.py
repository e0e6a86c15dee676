"""The remedy catalogue: every finding code has a remedy, every action is in the vocabulary,
and every patch is a partial JobSpec."""

from __future__ import annotations

import json

from service.advisor import RunFacts, diagnose
from service.advisor.checks import CHECKS
from service.advisor.findings import Code
from service.advisor.remedies import ACTIONS, CATALOGUE
from tests.advisor.conftest import CURVES, load

JOBSPEC_SECTIONS = {
    "dataset", "model", "optimizer", "schedule", "regularization", "augmentation", "training",
}


def test_every_finding_code_has_a_remedy():
    assert set(Code) == set(CATALOGUE)
    for code in Code:
        assert CATALOGUE[code], f"no remedy for {code}"


def test_every_remedy_action_is_in_the_vocabulary():
    for code, remedies in CATALOGUE.items():
        for remedy in remedies:
            assert remedy.action in ACTIONS, (code, remedy.action)
            assert remedy.rationale[:1].islower() or remedy.rationale[:1].isupper()


def test_checks_follow_the_naming_convention():
    assert all(fn.__name__.startswith("check_") and fn.__doc__ for fn in CHECKS)


def test_codes_found_on_the_benchmark_are_known_and_patches_are_partial_jobspecs():
    seen = set()
    for path in sorted(CURVES.glob("*.json")):
        series, facts, _ = load(path.stem)
        d = diagnose(series, facts)
        for s in d.suggestions:
            seen.add(s.action)
            assert s.action in ACTIONS
            if s.patch is not None:
                assert facts.spec is not None
                assert set(s.patch) <= JOBSPEC_SECTIONS, s.patch
                json.dumps(s.patch)  # plain JSON
    assert {"lower_lr", "raise_lr", "early_stop", "bigger_model", "train_longer",
            "change_loss", "change_activation", "check_data_split"} <= seen


def test_image_jobs_get_image_augmentation():
    spec = {"dataset": {"name": "synthetic_images"}, "model": {"arch": "cnn"},
            "optimizer": {"name": "adam", "lr": 1e-3}, "training": {"epochs": 40}}
    series, _, _ = load("overfit_digits_mlp")
    d = diagnose(series, RunFacts(spec=spec, meta={"task": "classification", "num_classes": 10}))
    augment = next(s for s in d.suggestions if s.action == "add_augmentation")
    assert augment.patch["augmentation"] == {"hflip": True, "random_crop": {"padding": 4}}


def test_finding_codes_read_and_serialise_as_their_strings():
    assert Code.LOSS_STUCK == "loss_stuck" and f"{Code.LOSS_STUCK}" == "loss_stuck"
    assert json.dumps({Code.ACC_GAP: Code.LOSS_HIGH}) == '{"acc_gap": "loss_high"}'
    assert len({code.value for code in Code}) == len(Code)
