"""The experiments the lecture tells a practitioner to run, one entry each in `KINDS`.

A kind is pure: `plan(spec, options, phase, done)` says which jobs a phase runs (ordinary
JobSpecs, probe jobs among them: spec["probe"]), or None when there is nothing left to run;
`conclude(spec, options, done)` reads the ended jobs (their curves, a probe's `result`) and
says what the experiment found: a result, a one-word verdict, and a patch when it has one.
service/experiments/run.py makes the jobs, waits for them and stores the answer.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from service.catalogue import (
    DATASETS,
    LR_RANGE_STEPS,
    MAX_ENSEMBLE_MEMBERS,
    MAX_FOLDS,
    MAX_FREEZE,
    MAX_HESSIAN_BATCHES,
    MAX_LR_RANGE_STEPS,
    MIN_ENSEMBLE_MEMBERS,
    MIN_FOLDS,
    deep_merge,
)
from service.errors import Invalid
from service.schemas import EXPERIMENT_KINDS, Key

# --- what a kind plans and what it reads -------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """A job to run: its part in the experiment and its full spec."""

    role: str
    spec: dict[str, Any]


@dataclass(frozen=True)
class Done:
    """An ended job of the experiment as a kind reads it."""

    role: str
    phase: int
    job_id: str
    status: str
    error: str | None
    spec: dict[str, Any]
    result: dict[str, Any] | None  # a probe's findings
    best_epoch: int | None
    curves: dict[str, list[float]]  # train_loss, val_loss, train_acc, val_acc by epoch

    def series(self, key: str) -> list[float]:
        return [v for v in self.curves.get(key, []) if math.isfinite(v)]

    def first(self, key: str) -> float | None:
        values = self.series(key)
        return values[0] if values else None

    def last(self, key: str) -> float | None:
        values = self.series(key)
        return values[-1] if values else None

    def lowest(self, key: str) -> float | None:
        values = self.series(key)
        return min(values) if values else None

    def highest(self, key: str) -> float | None:
        values = self.series(key)
        return max(values) if values else None

    def kept(self, key: str) -> float | None:
        """The value at the epoch whose weights the job kept (its best), else the last."""
        values = self.curves.get(key, [])
        if self.best_epoch is not None and 0 <= self.best_epoch < len(values):
            value = values[self.best_epoch]
            return value if math.isfinite(value) else None
        return self.last(key)


@dataclass(frozen=True)
class Outcome:
    result: dict[str, Any]
    verdict: str
    patch: dict[str, Any] | None = None


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class Kind:
    name: str
    summary: str  # what it answers, in the lecture's words
    options: type[Options]
    plan: Callable[[dict[str, Any], Any, int, list[Done]], list[Planned] | None]
    conclude: Callable[[dict[str, Any], Any, list[Done]], Outcome]
    # The job whose run the finding is about (its diagnosis then reads it), if any.
    subject: Callable[[dict[str, Any], Any, list[Done]], str | None] = lambda s, o, d: None

    def check(self, options: dict[str, Any]) -> Any:
        """The kind's options, or Invalid naming `options.<field>`."""
        try:
            return self.options.model_validate(options)
        except ValidationError as bad:
            first = bad.errors()[0]
            path = ".".join(str(part) for part in first["loc"])
            raise Invalid(first["msg"], field=f"options.{path}" if path else "options") from bad


# --- helpers --------------------------------------------------------------------------------


def classes(spec: dict[str, Any]) -> int | None:
    info = DATASETS.get(spec["dataset"]["name"])
    return info.num_classes if info else None


def is_classifier(spec: dict[str, Any]) -> bool:
    return spec["dataset"].get("task", "classification") == "classification" and spec[
        "training"
    ]["loss"] != "mse"


def loss_reference(spec: dict[str, Any], done: Done) -> float | None:
    """What "a high training loss" is measured against: ln C for a classifier with C known
    classes (the loss of a uniform guess), else where the job's training loss started."""
    count = classes(spec)
    if is_classifier(spec) and count and count > 1:
        return math.log(count)
    return done.first("train_loss")


def no_regularization(spec: dict[str, Any]) -> dict[str, Any]:
    return deep_merge(
        spec,
        {
            "model": {"dropout": 0.0},
            "optimizer": {"weight_decay": 0.0},
            "regularization": {"l1": 0.0, "l2": 0.0, "label_smoothing": 0.0,
                               "early_stopping": None},
        },
    ) | {"augmentation": {}}


def with_probe(spec: dict[str, Any], probe: dict[str, Any]) -> dict[str, Any]:
    return {**spec, "probe": probe}


def one(done: list[Done], role: str) -> Done:
    return next(d for d in done if d.role == role)


Epochs = Annotated[int, Field(ge=1, le=1_000)]


# --- initial_loss (CS231n step 1) -------------------------------------------------------------


class InitialLossOptions(Options):
    # A short training run beside the probe: do the labels carry to validation at all?
    # (Shuffled labels leave the initial loss at ln C; only training shows them.) 0: off.
    train_epochs: Annotated[int, Field(ge=0, le=100)] = 5


def plan_initial_loss(spec, options: InitialLossOptions, phase, done):
    if phase > 0:
        return None
    jobs = [Planned("initial", with_probe(spec, {"kind": "initial_loss"}))]
    if options.train_epochs:
        short = deep_merge(spec, {"training": {"epochs": options.train_epochs},
                                  "regularization": {"early_stopping": None}})
        jobs.append(Planned("short", short))
    return jobs


def conclude_initial_loss(spec, options: InitialLossOptions, done) -> Outcome:
    probe = one(done, "initial").result or {}
    loss, expected = probe.get("loss"), probe.get("expected")
    if loss is None or not expected:
        raise ValueError("the initial_loss probe reported no loss")
    ratio = loss / expected
    result: dict[str, Any] = {"loss": loss, "expected": expected, "ratio": ratio,
                              "accuracy": probe.get("accuracy"),
                              "chance_accuracy": probe.get("chance_accuracy")}
    if not math.isfinite(loss) or ratio > 1.5:
        result["says"] = (f"the untrained model's loss is {loss:.3g}, {ratio:.1f}x the "
                          f"{expected:.3g} of a uniform guess: its initial outputs are far too "
                          "confident (weights or the last layer scaled up, a bad init)")
        return Outcome(result, "bad_init", {"model": {"init": "default"}})
    if ratio < 0.5:
        result["says"] = (f"the loss before any training is {loss:.3g}, below the "
                          f"{expected:.3g} of a uniform guess: the labels may leak into the "
                          "inputs, or the loss is not the one the task needs")
        return Outcome(result, "too_low")
    if any(d.role == "short" for d in done):
        short = one(done, "short")
        chance = probe.get("chance_accuracy")
        val_acc = short.highest("val_acc")
        first, last = short.first("train_loss"), short.lowest("train_loss")
        result.update(short_val_acc=val_acc, short_train_loss=[first, last])
        if is_classifier(spec) and chance is not None and val_acc is not None:
            n_val = probe.get("val_samples") or 0
            margin = max(0.05, 2 / math.sqrt(n_val)) if n_val else 0.05
            if val_acc <= chance + margin:
                result["says"] = (
                    f"the loss starts where it should ({loss:.3g} ~ {expected:.3g}), but "
                    f"{options.train_epochs} epochs of training leave validation accuracy at "
                    f"{val_acc:.2f}, chance is {chance:.2f}: the labels do not follow the "
                    "inputs (shuffled or misaligned labels, a broken pipeline)")
                return Outcome(result, "labels_not_learnable")
    result["says"] = f"the initial loss {loss:.3g} is what it should be ({expected:.3g})"
    return Outcome(result, "ok")


# --- overfit_small (CS231n step 2) ------------------------------------------------------------


class OverfitSmallOptions(Options):
    samples: Annotated[int, Field(ge=2, le=4096)] = 64
    epochs: Epochs = 150


def plan_overfit_small(spec, options: OverfitSmallOptions, phase, done):
    if phase > 0:
        return None
    small = no_regularization(spec)
    small = deep_merge(small, {
        "dataset": {"n_train": options.samples},
        "training": {"epochs": options.epochs,
                     "batch_size": min(spec["training"]["batch_size"], options.samples)},
    })
    return [Planned("small", small)]


def conclude_overfit_small(spec, options: OverfitSmallOptions, done) -> Outcome:
    small = one(done, "small")
    reference = loss_reference(spec, small)
    lowest = small.lowest("train_loss")
    if lowest is None or reference is None:
        raise ValueError("the small run logged no training loss")
    threshold = 0.05 * reference
    train_acc = small.highest("train_acc")
    fits = lowest <= threshold or (train_acc is not None and train_acc >= 0.99)
    result = {"samples": options.samples, "epochs": options.epochs,
              "train_loss_first": small.first("train_loss"), "train_loss_lowest": lowest,
              "train_acc_highest": train_acc, "threshold": threshold}
    if fits:
        result["says"] = (f"the model drives the training loss of {options.samples} samples "
                          f"to {lowest:.3g} (<= {threshold:.3g}): model and pipeline can learn")
        return Outcome(result, "can_overfit")
    result["says"] = (f"on {options.samples} samples without regularization the training "
                      f"loss only reaches {lowest:.3g} (the target was {threshold:.3g}): the "
                      "model, the optimizer's settings or the data pipeline are broken")
    return Outcome(result, "cannot_overfit")


# --- lr_range (CS231n step 3) -----------------------------------------------------------------


class LrRangeOptions(Options):
    lr_min: Annotated[float, Field(gt=0, le=1)] = 1e-7
    lr_max: Annotated[float, Field(gt=0, le=1e3)] = 10.0
    steps: Annotated[int, Field(ge=10, le=MAX_LR_RANGE_STEPS)] = LR_RANGE_STEPS


def plan_lr_range(spec, options: LrRangeOptions, phase, done):
    if phase > 0:
        return None
    if options.lr_min >= options.lr_max:
        raise Invalid("lr_min must be below lr_max", field="options.lr_min")
    probe = {"kind": "lr_range", "lr_min": options.lr_min, "lr_max": options.lr_max,
             "steps": options.steps}
    return [Planned("range", with_probe(spec, probe))]


def conclude_lr_range(spec, options: LrRangeOptions, done) -> Outcome:
    probe = one(done, "range").result or {}
    suggested = probe.get("suggested_lr")
    if not suggested:
        raise ValueError("the lr_range probe suggested no learning rate")
    result = {key: probe.get(key) for key in
              ("suggested_lr", "min_loss_lr", "diverged_at_lr", "lrs", "losses")}
    lowest = probe.get("min_loss_lr")
    result["says"] = (f"the loss was lowest at lr {lowest:.2g}; a tenth of it, "
                      f"{suggested:.2g}, is the suggestion (the spec has "
                      f"{spec['optimizer']['lr']:.2g})" if lowest else
                      f"suggested lr {suggested:.2g} (the spec has "
                      f"{spec['optimizer']['lr']:.2g})")
    return Outcome(result, "suggested_lr", {"optimizer": {"lr": suggested}})


# --- shallow_vs_deep (Lee 1.2.2) --------------------------------------------------------------


class ShallowVsDeepOptions(Options):
    epochs: Epochs | None = None  # both runs' epochs (default: the spec's)


def _depth(model: dict[str, Any]) -> int:
    if model["arch"] == "linear":
        return 0
    if model.get("widths"):
        return len(model["widths"])
    if model["arch"] == "resnet18":
        return 18
    return model.get("depth") or 2


def partner(spec: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The model to compare the spec's with: a deeper MLP for a shallow model (linear, one
    hidden layer), else a shallower, easy-to-optimise one (one hidden layer, ReLU, He
    init) of the same family. Returns the partner's role and its model section."""
    model = spec["model"]
    width = model.get("width") or (model.get("widths") or [None])[0] or 128
    if _depth(model) <= 1:
        return "deep", {"arch": "mlp", "width": width, "widths": None, "depth": 3,
                        "activation": "relu", "init": "kaiming", "dropout": 0.0,
                        "batchnorm": None}
    arch = "cnn" if model["arch"] == "resnet18" else model["arch"]
    shallow = {"arch": arch, "widths": None, "width": model.get("width"), "depth": 1,
               "activation": "relu", "init": "kaiming", "batchnorm": model.get("batchnorm")}
    if arch == "mlp":
        shallow["width"] = width
    return "shallow", shallow


def plan_shallow_vs_deep(spec, options: ShallowVsDeepOptions, phase, done):
    if phase > 0:
        return None
    base = spec if options.epochs is None else deep_merge(
        spec, {"training": {"epochs": options.epochs}})
    base = deep_merge(base, {"regularization": {"early_stopping": None}})
    role, model = partner(spec)
    other = {**base, "model": {**base["model"], **model}}
    mine = "shallow" if role == "deep" else "deep"
    return [Planned(mine, base), Planned(role, other)]


def subject_shallow_vs_deep(spec, options, done) -> str | None:
    """The run of the spec's own model."""
    return one(done, "shallow" if partner(spec)[0] == "deep" else "deep").job_id


def conclude_shallow_vs_deep(spec, options: ShallowVsDeepOptions, done) -> Outcome:
    deep, shallow = one(done, "deep"), one(done, "shallow")
    deep_loss, shallow_loss = deep.lowest("train_loss"), shallow.lowest("train_loss")
    if deep_loss is None or shallow_loss is None:
        raise ValueError("a run logged no training loss")
    spec_role = "shallow" if partner(spec)[0] == "deep" else "deep"
    reference = loss_reference(spec, shallow) or shallow_loss
    result = {"deep_train_loss": deep_loss, "shallow_train_loss": shallow_loss,
              "spec_is": spec_role, "reference": reference}
    # Above the shallower by more than noise (5% of it, and 2% of the reference: two nets
    # that both fit are not told apart by their last hundredths).
    if deep_loss - shallow_loss > max(0.05 * shallow_loss, 0.02 * reference):
        result["says"] = (f"the deeper model ends at training loss {deep_loss:.3g}, above the "
                          f"shallower one's {shallow_loss:.3g}: a deeper net can do at least "
                          "what a shallower one does, so it is an optimization issue (the "
                          "lr, the init, saturating activations, normalization)")
        return Outcome(result, "optimization_issue")
    high = 0.2 * reference
    if shallow_loss > high and deep_loss < shallow_loss * 0.8:
        victim = "the spec's" if spec_role == "shallow" else "the shallower"
        result["says"] = (f"the deeper model reaches {deep_loss:.3g}, {victim} model only "
                          f"{shallow_loss:.3g}: it lacks capacity (model bias); make the "
                          "model more flexible")
        patch = {"model": one(done, "deep").spec["model"]} if spec_role == "shallow" else None
        return Outcome(result, "model_bias", patch)
    if deep_loss > high:
        result["says"] = (f"both models stay high on the training data ({shallow_loss:.3g}, "
                          f"{deep_loss:.3g}): model bias, or features that do not hold the "
                          "answer")
        return Outcome(result, "model_bias")
    result["says"] = (f"the deeper model fits the training data ({deep_loss:.3g}), better "
                      f"than or as well as the shallower ({shallow_loss:.3g}): neither model "
                      "bias nor an optimization issue")
    return Outcome(result, "no_issue")


# --- hessian (Lee 2.1) -------------------------------------------------------------------------


class HessianOptions(Options):
    job_id: Key | None = None  # a trained job; none: the spec is trained first
    weights: Literal["best", "last"] = "last"
    batches: Annotated[int, Field(ge=1, le=MAX_HESSIAN_BATCHES)] = 4
    k: Annotated[int, Field(ge=1, le=10)] = 3
    iters: Annotated[int, Field(ge=5, le=200)] = 30
    tolerance: Annotated[float, Field(gt=0, le=1)] = 1e-3
    # At a saddle point: a follow-up run from the weights moved along the negative
    # eigenvector (the lecture's escape), of this many epochs; 0: none.
    escape_epochs: Annotated[int, Field(ge=0, le=1_000)] = 0


def _hessian_probe(options: HessianOptions, job_id: str) -> dict[str, Any]:
    return {"kind": "hessian", "job_id": job_id, "weights": options.weights,
            "batches": options.batches, "k": options.k, "iters": options.iters,
            "tolerance": options.tolerance}


def plan_hessian(spec, options: HessianOptions, phase, done):
    trained = options.job_id
    if trained is None:
        if phase == 0:
            return [Planned("trained", spec)]
        trained = one(done, "trained").job_id
        phase -= 1
    if phase == 0:
        return [Planned("hessian", with_probe(spec, _hessian_probe(options, trained)))]
    if phase == 1 and options.escape_epochs:
        probe = one(done, "hessian")
        found = probe.result or {}
        # the probe saves the escaped weights only when a step along the negative
        # direction lowered the loss
        if found.get("verdict") == "saddle_point" and found.get("escape"):
            escaped = deep_merge(spec, {
                "model": {"init_from": {"job_id": probe.job_id, "weights": "last",
                                        "freeze": "none"}},
                "training": {"epochs": options.escape_epochs},
            })
            return [Planned("escaped", escaped)]
    return None


def subject_hessian(spec, options: HessianOptions, done) -> str | None:
    """The trained job whose weights were examined."""
    return options.job_id or one(done, "trained").job_id


def conclude_hessian(spec, options: HessianOptions, done) -> Outcome:
    probe = one(done, "hessian").result or {}
    verdict = probe.get("verdict")
    if verdict not in ("saddle_point", "local_minimum", "not_critical"):
        raise ValueError("the hessian probe gave no verdict")
    result = {key: probe.get(key) for key in
              ("max", "min", "top", "bottom", "grad_norm", "loss", "tolerance", "weights")}
    result["says"] = {
        "saddle_point": f"a clearly negative eigenvalue ({probe.get('min'):.3g}): a saddle "
                        "point, which the negative direction escapes",
        "local_minimum": f"no eigenvalue below {-probe.get('tolerance', 0):.1g} and a small "
                         f"gradient ({probe.get('grad_norm'):.3g}): a local minimum",
        "not_critical": f"the gradient is not small ({probe.get('grad_norm'):.3g}): not a "
                        "critical point; training had not converged",
    }[verdict]
    if any(d.role == "escaped" for d in done):
        escaped = one(done, "escaped")
        result["escaped_train_loss"] = escaped.lowest("train_loss")
    return Outcome(result, verdict)


# --- cross_validation (Lee 1.2.4) --------------------------------------------------------------


class CrossValidationOptions(Options):
    folds: Annotated[int, Field(ge=MIN_FOLDS, le=MAX_FOLDS)] = 5
    # Patches to compare on the same folds with the spec itself (candidate 0).
    candidates: Annotated[list[dict[Key, Any]], Field(max_length=10)] = []

    @field_validator("candidates")
    @classmethod
    def _not_empty(cls, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if any(not patch for patch in value):
            raise ValueError("a candidate is a non-empty patch of the spec")
        return value


def plan_cross_validation(spec, options: CrossValidationOptions, phase, done):
    if phase > 0:
        return None
    jobs = []
    for c, patch in enumerate([{}, *options.candidates]):
        for fold in range(options.folds):
            folded = deep_merge(deep_merge(spec, patch), {
                "dataset": {"folds": options.folds, "fold": fold, "val_fraction": None}})
            jobs.append(Planned(f"c{c}-fold-{fold}", folded))
    return jobs


def _mean_std(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"mean": None, "std": None}
    return {"mean": statistics.fmean(values),
            "std": statistics.stdev(values) if len(values) > 1 else 0.0}


def conclude_cross_validation(spec, options: CrossValidationOptions, done) -> Outcome:
    table = []
    for c, patch in enumerate([{}, *options.candidates]):
        runs = [d for d in done if d.role.startswith(f"c{c}-fold-")]
        losses = [v for d in runs if (v := d.kept("val_loss")) is not None]
        accs = [v for d in runs if (v := d.kept("val_acc")) is not None]
        table.append({"candidate": c, "patch": patch, "folds": len(runs),
                      "val_loss": _mean_std(losses), "val_acc": _mean_std(accs)})
    classifier = is_classifier(spec) and all(row["val_acc"]["mean"] is not None
                                             for row in table)
    if classifier:
        best = max(table, key=lambda row: (row["val_acc"]["mean"],
                                           -(row["val_loss"]["mean"] or math.inf)))
    else:
        best = min(table, key=lambda row: row["val_loss"]["mean"] or math.inf)
    metric = "val_acc" if classifier else "val_loss"
    result = {"folds": options.folds, "candidates": table, "best": best["candidate"],
              "metric": metric,
              "says": f"candidate {best['candidate']} is best on {metric}: "
                      f"{best[metric]['mean']:.4g} +- {best[metric]['std']:.2g} over "
                      f"{options.folds} folds"}
    verdict = "spec_is_best" if best["candidate"] == 0 else "candidate_is_best"
    return Outcome(result, verdict, best["patch"] or None)


# --- ensemble (CS231n) -------------------------------------------------------------------------


class EnsembleOptions(Options):
    members: Annotated[int, Field(ge=MIN_ENSEMBLE_MEMBERS, le=MAX_ENSEMBLE_MEMBERS)] = 5


def plan_ensemble(spec, options: EnsembleOptions, phase, done):
    if phase == 0:
        seed = spec["training"]["seed"]
        return [Planned(f"member-{i}", deep_merge(spec, {"training": {"seed": seed + i}}))
                for i in range(options.members)]
    if phase == 1:
        members = [d.job_id for d in done if d.role.startswith("member-")]
        return [Planned("ensemble", with_probe(spec, {"kind": "ensemble", "members": members}))]
    return None


def conclude_ensemble(spec, options: EnsembleOptions, done) -> Outcome:
    probe = one(done, "ensemble").result or {}
    ensemble, members = probe.get("ensemble") or {}, probe.get("members") or []
    if not ensemble or not members:
        raise ValueError("the ensemble probe reported no metrics")
    result = {"ensemble": ensemble, "members": members, "best_member": probe.get("best_member"),
              "gain": probe.get("gain")}
    # Judged on the validation loss, a proper score of the averaged probabilities (what
    # averaging improves first); the accuracies are reported beside it.
    losses = [m["val_loss"] for m in members if m.get("val_loss") is not None]
    if ensemble.get("val_loss") is None or not losses:
        raise ValueError("the ensemble probe reported no validation loss")
    best = min(losses)
    better = ensemble["val_loss"] < best
    accuracy = ""
    if ensemble.get("val_acc") is not None:
        top = max(m["val_acc"] for m in members if m.get("val_acc") is not None)
        accuracy = f"; val_acc {ensemble['val_acc']:.4g}, the best member's {top:.4g}"
    result["says"] = (f"the ensemble of {len(members)} has val_loss {ensemble['val_loss']:.4g}, "
                      f"the best member {best:.4g}{accuracy}")
    return Outcome(result, "ensemble_better" if better else "no_gain")


# --- sweep (CS231n steps 4-5) ------------------------------------------------------------------


class SweepOptions(Options):
    # Dotted spec fields and their [low, high] ranges, searched log-uniformly.
    fields: Annotated[dict[Key, tuple[float, float]], Field(min_length=1, max_length=3)] = {
        "optimizer.lr": (1e-4, 1e-1)
    }
    points: Annotated[int, Field(ge=2, le=6)] = 4  # per field and phase
    epochs: Epochs = 5  # the coarse and fine runs'
    final_epochs: Epochs | None = None  # the last run's (default: the spec's)

    @field_validator("fields")
    @classmethod
    def _ranges(cls, value: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        for name, (low, high) in value.items():
            if not 0 < low < high:
                raise ValueError(f"{name}: a range is [low, high] with 0 < low < high")
        return value


def _grid(ranges: dict[str, tuple[float, float]], points: int) -> list[dict[str, float]]:
    grid: list[dict[str, float]] = [{}]
    for name, (low, high) in ranges.items():
        values = [math.exp(math.log(low) + i * (math.log(high) - math.log(low)) / (points - 1))
                  for i in range(points)]
        grid = [{**point, name: value} for point in grid for value in values]
    return grid


def _patch(point: dict[str, float]) -> dict[str, Any]:
    patch: dict[str, Any] = {}
    for dotted, value in point.items():
        node = patch
        *parents, last = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return patch


def _score(spec: dict[str, Any], d: Done) -> float:
    """Higher is better: validation accuracy, or minus the validation loss."""
    if is_classifier(spec) and d.kept("val_acc") is not None:
        return d.kept("val_acc") - 1e-6 * (d.kept("val_loss") or 0)  # type: ignore[operator]
    loss = d.kept("val_loss")
    return -loss if loss is not None else -math.inf


def _point(spec: dict[str, Any], names: list[str]) -> dict[str, float]:
    """The values a run's spec has for the swept fields."""
    point = {}
    for dotted in names:
        node: Any = spec
        for part in dotted.split("."):
            node = node[part]
        point[dotted] = node
    return point


def _best_point(spec, options: SweepOptions, done: list[Done], prefix: str
                ) -> tuple[dict[str, float], Done]:
    runs = [d for d in done if d.role.startswith(prefix) and d.status == "succeeded"]
    if not runs:
        raise ValueError(f"no {prefix or 'grid'} run succeeded")
    best = max(runs, key=lambda d: _score(spec, d))
    return _point(best.spec, list(options.fields)), best


def plan_sweep(spec, options: SweepOptions, phase, done):
    short = {"training": {"epochs": options.epochs}}
    if phase == 0:
        return [Planned(f"coarse-{i}", deep_merge(deep_merge(spec, short), _patch(point)))
                for i, point in enumerate(_grid(options.fields, options.points))]
    if phase == 1:
        best, _ = _best_point(spec, options, done, "coarse-")
        ranges = {}
        for name, (low, high) in options.fields.items():
            step = (math.log(high) - math.log(low)) / (options.points - 1)
            ranges[name] = (best[name] * math.exp(-step / 2), best[name] * math.exp(step / 2))
        return [Planned(f"fine-{i}", deep_merge(deep_merge(spec, short), _patch(point)))
                for i, point in enumerate(_grid(ranges, options.points))]
    if phase == 2:
        best, _ = _best_point(spec, options, done, "")
        epochs = options.final_epochs or spec["training"]["epochs"]
        final = deep_merge(deep_merge(spec, {"training": {"epochs": epochs}}), _patch(best))
        return [Planned("final", final)]
    return None


def conclude_sweep(spec, options: SweepOptions, done) -> Outcome:
    table = [{"role": d.role, "point": _point(d.spec, list(options.fields)),
              "status": d.status, "val_loss": d.kept("val_loss"), "val_acc": d.kept("val_acc")}
             for d in done]
    best, _ = _best_point(spec, options, [d for d in done if d.role != "final"], "")
    final = one(done, "final")
    result = {"runs": table, "best": best, "final": {"val_loss": final.kept("val_loss"),
                                                      "val_acc": final.kept("val_acc")},
              "says": "best of the coarse and fine grids: "
                      + ", ".join(f"{k} = {v:.3g}" for k, v in best.items())}
    return Outcome(result, "best_found", _patch(best))


# --- transfer ----------------------------------------------------------------------------------


class TransferOptions(Options):
    source_job_id: Key  # a job trained on the source task
    # Fine-tuning every layer by default: frozen features of another task often do worse
    # than scratch (bench/RESULTS.md, transfer); head_only or n layers on request.
    freeze: Literal["head_only", "none"] | Annotated[int, Field(ge=1, le=MAX_FREEZE)] = "none"
    weights: Literal["best", "last"] = "best"


def plan_transfer(spec, options: TransferOptions, phase, done):
    if phase > 0:
        return None
    transferred = deep_merge(spec, {"model": {"init_from": {
        "job_id": options.source_job_id, "weights": options.weights, "freeze": options.freeze}}})
    return [Planned("transfer", transferred), Planned("scratch", spec)]


def conclude_transfer(spec, options: TransferOptions, done) -> Outcome:
    transfer, scratch = one(done, "transfer"), one(done, "scratch")
    key = "val_acc" if is_classifier(spec) and transfer.kept("val_acc") is not None \
        else "val_loss"
    mine, theirs = transfer.kept(key), scratch.kept(key)
    if mine is None or theirs is None:
        raise ValueError(f"a run logged no {key}")
    better = mine > theirs if key == "val_acc" else mine < theirs
    result = {key: {"transfer": mine, "scratch": theirs}, "freeze": options.freeze,
              "says": f"{key} {mine:.4g} from the source job's weights, {theirs:.4g} from "
                      "scratch"}
    return Outcome(result, "transfer_helps" if better else "no_gain")


# --- the registry ------------------------------------------------------------------------------

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("initial_loss", "is the loss before training what it should be, and do the "
             "labels carry to validation?", InitialLossOptions, plan_initial_loss,
             conclude_initial_loss),
        Kind("overfit_small", "can the model drive the training loss of a tiny sample near "
             "zero?", OverfitSmallOptions, plan_overfit_small, conclude_overfit_small),
        Kind("lr_range", "which learning rate makes the loss fall fastest?", LrRangeOptions,
             plan_lr_range, conclude_lr_range),
        Kind("shallow_vs_deep", "model bias or an optimization issue?", ShallowVsDeepOptions,
             plan_shallow_vs_deep, conclude_shallow_vs_deep, subject_shallow_vs_deep),
        Kind("hessian", "saddle point or local minimum?", HessianOptions, plan_hessian,
             conclude_hessian, subject_hessian),
        Kind("cross_validation", "how good is the spec (or which candidate is best) over "
             "N folds?", CrossValidationOptions, plan_cross_validation,
             conclude_cross_validation),
        Kind("ensemble", "do K seeds averaged beat the best one?", EnsembleOptions,
             plan_ensemble, conclude_ensemble),
        Kind("sweep", "the best values of a few fields, coarse to fine", SweepOptions,
             plan_sweep, conclude_sweep),
        Kind("transfer", "does starting from another job's weights beat scratch?",
             TransferOptions, plan_transfer, conclude_transfer),
    )
}
assert tuple(KINDS) == EXPERIMENT_KINDS, "service.schemas.EXPERIMENT_KINDS names the kinds"

__all__ = ["KINDS", "Done", "Kind", "Outcome", "Planned"]
