"""Data augmentation on the training device (registry AUGMENTATIONS).

A factory takes `(params: dict, info: DatasetInfo)`, checks them with the catalogue's
`augmentation_params` (its defaults and ranges; unknown parameter, out of range, image-only
augmentation on non-image data -> ConfigError naming "augmentation.<name>[.<param>]") and
returns `augment(x, y, generator) -> (x, y)`.
Every augmentation works on a whole batch with tensor ops, draws its own random parameters
for every sample from `generator` (a torch.Generator on x's device, so a seed reproduces a
run and nothing is synchronised with the host), and keeps x's shape and dtype. `y` passes
through except for mixup, which returns soft targets (N, C) that the losses accept.

Inputs are on the pixel scale for images (uint8 data arrive as floats in [0, 1]; the model's
Normalize layer comes after) and standardised for tabular and sequence data, so `noise.std`
is in units of a feature's standard deviation there. `build_augment` applies the chosen
ones in this registry's order: geometry, colour, cutout, noise, then mixup last because it
mixes finished samples.

Own ops or kornia? Measured with tests/training/bench_augment.py on this project's dev
machine (AMD EPYC, AVX2, 1 thread, torch 2.13 CPU, kornia 0.9.0), a batch of 512 float32
images 3x32x32, median ms per call, calls alternating between the two (2026-11-23):

    augmentation          own   kornia
    hflip                 2.2     3.4
    random_crop           4.5    11.7
    random_resized_crop  21.1    41.8
    color_jitter          6.7    13.0
    cutout                3.2     4.7    (kornia: RandomErasing, 1/16 of the area)
    noise                11.9    13.3
    mixup                 6.1     7.3    (kornia: RandomMixUpV2, uniform lambda)

The own ops are 1.1x to 2.6x faster on CPU (the shared machine's load moved single figures
by up to 2x between runs; the ordering held in every run), need no dependency the GPU
workers lack, and draw from a torch.Generator, which kornia's parameter samplers do not
take. They cover only the cases here (same-size output, per-sample parameters); they are
not a general augmentation library.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import torch
import torch.nn.functional as F

from service.catalogue import augmentation_params

from .losses import one_hot

if TYPE_CHECKING:
    from service.catalogue import DatasetInfo

Augment = Callable[[torch.Tensor, torch.Tensor, torch.Generator],
                   tuple[torch.Tensor, torch.Tensor]]


def _uniform(n: int, low: float, high: float, like: torch.Tensor,
             generator: torch.Generator) -> torch.Tensor:
    return low + (high - low) * torch.rand(n, device=like.device, generator=generator)


# --- the augmentations ---------------------------------------------------------------------


def random_resized_crop(params: Mapping[str, Any], info: DatasetInfo) -> Augment:
    """Crop a random area fraction in `scale` with aspect ratio in `ratio`, resized back to
    the input size (bilinear). torchvision retries out-of-image boxes; this clamps them."""
    p = augmentation_params("random_resized_crop", params, info)
    scale, ratio = p["scale"], p["ratio"]

    def augment(x, y, generator):
        n = x.shape[0]
        area = _uniform(n, *scale, x, generator)
        aspect = torch.exp(_uniform(n, math.log(ratio[0]), math.log(ratio[1]), x, generator))
        # Box width and height as fractions of the image; the affine grid maps the output
        # onto that box, centred anywhere that keeps it inside the image.
        w = torch.sqrt(area * aspect).clamp(max=1.0)
        h = torch.sqrt(area / aspect).clamp(max=1.0)
        cx = (1 - w) * (2 * torch.rand(n, device=x.device, generator=generator) - 1)
        cy = (1 - h) * (2 * torch.rand(n, device=x.device, generator=generator) - 1)
        zero = torch.zeros_like(w)
        theta = torch.stack([torch.stack([w, zero, cx], 1), torch.stack([zero, h, cy], 1)], 1)
        grid = F.affine_grid(theta.to(x.dtype), list(x.shape), align_corners=False)
        return F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection",
                             align_corners=False), y

    return augment


def random_crop(params: Mapping[str, Any], info: DatasetInfo) -> Augment:
    """Shift by up to `padding` pixels each way: pad by reflection (no artificial black
    borders, as airbench does) and crop the original size at a per-sample offset."""
    pad = augmentation_params("random_crop", params, info)["padding"]

    def augment(x, y, generator):
        n, c, h, w = x.shape
        padded = F.pad(x, (pad, pad, pad, pad), mode="reflect").flatten(2)
        dy = torch.randint(0, 2 * pad + 1, (n, 1, 1), device=x.device, generator=generator)
        dx = torch.randint(0, 2 * pad + 1, (n, 1, 1), device=x.device, generator=generator)
        # One gather on the flattened padded image picks every sample's window (4x faster
        # on CPU than a gather per axis, and no Python loop over samples or offsets).
        rows = dy + torch.arange(h, device=x.device)[:, None]  # (n, h, 1)
        cols = dx + torch.arange(w, device=x.device)  # (n, 1, w)
        index = (rows * (w + 2 * pad) + cols).view(n, 1, h * w).expand(n, c, h * w)
        return padded.gather(2, index).view(n, c, h, w), y

    return augment


def hflip(params: Mapping[str, Any], info: DatasetInfo) -> Augment:
    """Mirror left-right with probability p."""
    p = augmentation_params("hflip", params, info)["p"]

    def augment(x, y, generator):
        n, c, h, w = x.shape
        flip = torch.rand(n, device=x.device, generator=generator) < p
        # A per-sample column order read with one gather: a single pass over the batch,
        # where flip-everything-then-select makes two.
        columns = torch.arange(w, device=x.device)
        columns = torch.where(flip[:, None], w - 1 - columns, columns)  # (n, w)
        return x.gather(3, columns[:, None, None, :].expand(n, c, h, w)), y

    return augment


def _gray(x: torch.Tensor) -> torch.Tensor:
    """Luma (ITU-R 601 weights, as torchvision) for RGB; the channel mean otherwise."""
    if x.shape[1] == 3:
        return 0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3]
    return x.mean(dim=1, keepdim=True)


def color_jitter(params: Mapping[str, Any], info: DatasetInfo) -> Augment:
    """Per-sample brightness, contrast and saturation factors in [1 - s, 1 + s], applied in
    that order (torchvision shuffles the order and adds hue; not here). Values are not
    clipped, so it works for images of any range."""
    strength = augmentation_params("color_jitter", params, info)

    def factor(key, x, generator):
        s = strength[key]
        return _uniform(x.shape[0], 1 - s, 1 + s, x, generator).to(x.dtype).view(-1, 1, 1, 1)

    def augment(x, y, generator):
        b, c, s = (factor(key, x, generator) for key in ("brightness", "contrast",
                                                         "saturation"))
        # brightness x -> b x, then contrast blends with the mean luma m (which brightness
        # scaled to b m): c (b x - b m) + b m = (b c) x + b m (1 - c). Folded into one pass
        # over the batch instead of four.
        mean = _gray(x).mean(dim=(1, 2, 3), keepdim=True)
        x = x * (b * c) + b * mean * (1 - c)
        # saturation blends each pixel with its own luma: s x + (1 - s) gray
        gray = _gray(x)
        return x.mul_(s).add_(gray * (1 - s)), y

    return augment


def cutout(params: Mapping[str, Any], info: DatasetInfo) -> Augment:
    """Blank a size x size square centred anywhere in the image (so it may be cut by the
    border, as in DeVries & Taylor 2017). It is filled with the image's own per-channel
    mean: the paper zeroes normalised inputs, i.e. fills with the mean, and the pixel-scale
    equivalent of that needs no dataset statistics."""
    size = augmentation_params("cutout", params, info)["size"]

    def augment(x, y, generator):
        n, _, h, w = x.shape
        cy = torch.randint(0, h, (n, 1), device=x.device, generator=generator) - size // 2
        cx = torch.randint(0, w, (n, 1), device=x.device, generator=generator) - size // 2
        rows, cols = torch.arange(h, device=x.device), torch.arange(w, device=x.device)
        inside_rows = (rows >= cy) & (rows < cy + size)  # (n, h)
        inside_cols = (cols >= cx) & (cols < cx + size)  # (n, w)
        hole = (inside_rows[:, :, None] & inside_cols[:, None, :])[:, None]  # (n, 1, h, w)
        return torch.where(hole, x.mean(dim=(2, 3), keepdim=True), x), y

    return augment


def noise(params: Mapping[str, Any], info: DatasetInfo) -> Augment:
    """Add N(0, std^2) to every input value; any kind of data."""
    std = augmentation_params("noise", params, info)["std"]

    def augment(x, y, generator):
        return x + std * torch.randn(x.shape, device=x.device, dtype=x.dtype,
                                     generator=generator), y

    return augment


def _beta_rounds(alpha: float) -> int:
    """Candidates per sample for Jöhnk's sampler so that all fail with probability < 1e-6.
    Its acceptance rate is Gamma(a+1)^2 / Gamma(2a+1): 1 near a=0, 1/2 at a=1, 1/70 at a=4."""
    accept = math.exp(2 * math.lgamma(alpha + 1) - math.lgamma(2 * alpha + 1))
    return 1 if accept >= 1 else math.ceil(math.log(1e-6) / math.log1p(-accept))


def sample_beta(n: int, alpha: float, rounds: int, device: torch.device,
                generator: torch.Generator) -> torch.Tensor:
    """n draws of Beta(alpha, alpha) from `generator`. torch.distributions.Beta cannot take
    a generator, and a rejection loop would wait on the host; Jöhnk's algorithm with a fixed
    number of candidates does neither: X = U^(1/a), Y = V^(1/a), accept X + Y <= 1, return
    X / (X + Y). Logs keep U^(1/a) from underflowing for small a."""
    log_x = torch.log(torch.rand(n, rounds, device=device, generator=generator)) / alpha
    log_y = torch.log(torch.rand(n, rounds, device=device, generator=generator)) / alpha
    accepted = torch.logaddexp(log_x, log_y) <= 0
    first = accepted.int().argmax(dim=1, keepdim=True)  # first accepted candidate (or 0)
    lam = torch.sigmoid(log_x - log_y).gather(1, first).squeeze(1)
    # All candidates rejected (probability < 1e-6): fall back to the mean, 0.5.
    return torch.where(accepted.any(dim=1), lam, torch.full_like(lam, 0.5))


def mixup(params: Mapping[str, Any], info: DatasetInfo) -> Augment:
    """Mix each sample with a random partner from the batch, x = lam x_i + (1 - lam) x_j,
    lam ~ Beta(alpha, alpha) drawn per sample; targets mix the same way (one-hot for
    classification, so the result is soft targets (N, C))."""
    alpha = augmentation_params("mixup", params, info)["alpha"]
    rounds = _beta_rounds(alpha)
    num_classes = info.num_classes

    def augment(x, y, generator):
        n = x.shape[0]
        lam = sample_beta(n, alpha, rounds, x.device, generator)
        partner = torch.randperm(n, device=x.device, generator=generator)
        lam_x = lam.to(x.dtype).view(-1, *([1] * (x.dim() - 1)))
        x = lam_x * x + (1 - lam_x) * x[partner]
        if y.dtype in (torch.int64, torch.int32):  # class indices -> one-hot
            y = one_hot(y, num_classes)
        lam_y = lam.view(-1, *([1] * (y.dim() - 1)))
        return x, lam_y * y + (1 - lam_y) * y[partner]

    return augment


AugmentFactory = Callable[[Mapping[str, Any], "DatasetInfo"], Augment]

# The order of application (see the module doc).
AUGMENTATIONS: dict[str, AugmentFactory] = {
    "random_resized_crop": random_resized_crop,
    "random_crop": random_crop,
    "hflip": hflip,
    "color_jitter": color_jitter,
    "cutout": cutout,
    "noise": noise,
    "mixup": mixup,
}


def build_augment(spec: Mapping[str, Mapping[str, Any]], info: DatasetInfo) -> Augment | None:
    """One function applying every augmentation in `spec` in registry order (None: none)."""
    steps = [AUGMENTATIONS[name](spec[name], info) for name in AUGMENTATIONS if name in spec]
    if not steps:
        return None

    def augment(x, y, generator):
        for step in steps:
            x, y = step(x, y, generator)
        return x, y

    return augment
