"""Losses (registry LOSSES) and the accuracy count.

A loss factory takes `(num_classes, label_smoothing)` and returns `loss(output, target)`,
the mean over the batch. `num_classes` is None for regression. `target` is either class
indices (N,) or soft targets (N, C) (what mixup produces), or float targets for regression.

mse on classification compares the raw outputs (no softmax, no sigmoid) with one-hot
targets. That keeps it a plain least-squares fit that does learn, only more slowly than
cross-entropy; the flat regions the lecture notes warn about come from putting MSE on
*saturating* outputs (softmax/sigmoid probabilities), which a model built with
activation="sigmoid" reproduces in its hidden layers.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def one_hot(labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Class indices (N,) -> float one-hot rows (N, C), as one comparison. F.one_hot checks
    the labels' min and max with .item() on a CPU (two host reads per call, per step under
    mixup or MSE); the labels were checked when the data was loaded."""
    classes = torch.arange(num_classes, device=labels.device)
    return (labels.unsqueeze(1) == classes).float()


def _soft_targets(target: torch.Tensor, num_classes: int, smoothing: float) -> torch.Tensor:
    """Class indices or soft targets -> (N, C) probabilities, smoothed like CrossEntropyLoss."""
    if target.dtype in (torch.int64, torch.int32):
        target = one_hot(target, num_classes)
    if smoothing:
        target = target * (1.0 - smoothing) + smoothing / num_classes
    return target


def cross_entropy(num_classes: int | None, label_smoothing: float) -> Loss:
    if num_classes is None:
        raise ValueError("cross_entropy needs a classification task")

    def loss(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        # F.cross_entropy takes indices or probabilities, and smooths both the same way.
        return F.cross_entropy(output.float(), target, label_smoothing=label_smoothing)

    return loss


def mse(num_classes: int | None, label_smoothing: float) -> Loss:
    def loss(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        output = output.float()
        if num_classes is None:  # regression: targets are (N,) or (N, k) floats
            return F.mse_loss(output, target.float().reshape(output.shape))
        return F.mse_loss(output, _soft_targets(target, num_classes, label_smoothing))

    return loss


LOSSES: dict[str, Callable[[int | None, float], Loss]] = {
    "cross_entropy": cross_entropy,
    "mse": mse,
}


def count_correct(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Correct predictions as a device tensor (no host sync). Soft targets count their
    dominant class, so a mixup batch is scored against the larger of its two labels."""
    if target.dim() == 2:
        target = target.argmax(dim=1)
    return (output.argmax(dim=1) == target).sum()
