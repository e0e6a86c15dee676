"""Augmentations: per-sample randomness, shape and dtype kept, reproducible, correct."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from workers.training import AUGMENTATIONS, ConfigError
from workers.training.augment import _beta_rounds, build_augment, sample_beta
from workers.training.data import DatasetInfo

IMAGES = DatasetInfo("image", 10, (3, 16, 16))
SEQUENCES = DatasetInfo("sequence", 10, (1, 40))
TABULAR = DatasetInfo("tabular", 3, (13,))
IMAGE_ONLY = {"hflip", "random_crop", "random_resized_crop", "color_jitter", "cutout"}
ANY_DATA = {"noise", "mixup"}


def batch(n: int = 64, same: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """n images; with same=True all equal, so differences between outputs can only come
    from per-sample random parameters. The image has no symmetry, so every flip, shift or
    crop changes it."""
    gen = torch.Generator().manual_seed(123)
    one = torch.rand(1, *IMAGES.input_shape, generator=gen)
    x = one.repeat(n, 1, 1, 1) if same else torch.rand(n, *IMAGES.input_shape, generator=gen)
    return x, torch.arange(n) % 10


def apply(name: str, x: torch.Tensor, y: torch.Tensor, seed: int = 0, params=None):
    augment = AUGMENTATIONS[name](params or {}, IMAGES)
    return augment(x.clone(), y.clone(), torch.Generator().manual_seed(seed))


def test_every_augmentation_is_classified():
    assert IMAGE_ONLY | ANY_DATA == set(AUGMENTATIONS)


@pytest.mark.parametrize("name", sorted(AUGMENTATIONS))
def test_shape_and_dtype_are_kept(name):
    x, y = batch(same=False)
    out, target = apply(name, x, y)
    assert out.shape == x.shape and out.dtype == x.dtype
    assert target.shape[0] == len(y)


@pytest.mark.parametrize("name", sorted(set(AUGMENTATIONS) - {"mixup"}))
def test_samples_get_their_own_random_parameters(name):
    x, y = batch(same=True)
    out, _ = apply(name, x, y)
    # identical inputs, so identical outputs would mean one parameter draw for the batch
    distinct = {tuple(o.flatten().tolist()) for o in out}
    assert len(distinct) > 1
    if name != "hflip":  # hflip has only two outcomes per sample
        assert len(distinct) > len(x) // 2


def test_mixup_draws_lambda_and_partner_per_sample():
    x, y = batch(same=False)
    _, soft = apply("mixup", x, y, params={"alpha": 1.0})
    top = soft.max(dim=1).values
    assert len(set(top.tolist())) > len(x) // 2


@pytest.mark.parametrize("name", sorted(AUGMENTATIONS))
def test_reproducible_under_a_seed(name):
    x, y = batch(same=False)
    first, first_y = apply(name, x, y, seed=7)
    again, again_y = apply(name, x, y, seed=7)
    other, _ = apply(name, x, y, seed=8)
    assert torch.equal(first, again) and torch.equal(first_y, again_y)
    assert not torch.equal(first, other)


@pytest.mark.parametrize("name", sorted(IMAGE_ONLY))
@pytest.mark.parametrize("info", [SEQUENCES, TABULAR])
def test_image_augmentations_refuse_other_data(name, info):
    with pytest.raises(ConfigError) as err:
        AUGMENTATIONS[name]({}, info)
    assert err.value.field == f"augmentation.{name}"
    assert info.kind in err.value.message


@pytest.mark.parametrize("info", [SEQUENCES, TABULAR])
def test_noise_and_mixup_work_on_1d_and_tabular_data(info):
    x = torch.zeros(32, *info.input_shape)
    y = torch.arange(32) % info.num_classes
    augment = build_augment({"noise": {"std": 0.5}, "mixup": {}}, info)
    out, soft = augment(x, y, torch.Generator().manual_seed(0))
    assert out.shape == x.shape and out.std() == pytest.approx(0.5, rel=0.2)
    assert soft.shape == (32, info.num_classes)


def test_unknown_and_out_of_range_parameters_are_named():
    with pytest.raises(ConfigError) as err:
        AUGMENTATIONS["cutout"]({"length": 4}, IMAGES)
    assert err.value.field == "augmentation.cutout.length"
    with pytest.raises(ConfigError) as err:
        AUGMENTATIONS["random_resized_crop"]({"scale": (0.9, 0.1)}, IMAGES)
    assert err.value.field == "augmentation.random_resized_crop.scale"
    with pytest.raises(ConfigError) as err:
        AUGMENTATIONS["random_crop"]({"padding": 16}, IMAGES)
    assert "smaller than the image" in err.value.message


# --- each op does what it says -------------------------------------------------------------


def test_hflip_mirrors_about_half_of_the_samples():
    x, y = batch(n=400, same=False)
    out, _ = apply("hflip", x, y)
    flipped = (out == x.flip(3)).flatten(1).all(dim=1)
    kept = (out == x).flatten(1).all(dim=1)
    assert bool((flipped | kept).all())
    assert 150 < int(flipped.sum()) < 250


def test_random_crop_returns_windows_of_the_reflect_padded_image():
    x, y = batch(n=16, same=False)
    out, _ = apply("random_crop", x, y, params={"padding": 2})
    padded = F.pad(x, (2, 2, 2, 2), mode="reflect")
    for o, p in zip(out, padded, strict=True):
        windows = [p[:, dy:dy + 16, dx:dx + 16] for dy in range(5) for dx in range(5)]
        assert any(torch.equal(o, w) for w in windows)


def test_random_resized_crop_with_full_scale_and_ratio_one_is_identity():
    x, y = batch(n=4, same=False)
    out, _ = apply("random_resized_crop", x, y, params={"scale": (1.0, 1.0),
                                                        "ratio": (1.0, 1.0)})
    assert torch.allclose(out, x, atol=1e-5)


def test_color_jitter_with_zero_strength_is_identity():
    x, y = batch(n=4, same=False)
    out, _ = apply("color_jitter", x, y, params={"brightness": 0, "contrast": 0,
                                                 "saturation": 0})
    assert torch.allclose(out, x, atol=1e-6)


def test_cutout_blanks_at_most_a_size_by_size_square():
    x, y = batch(n=32, same=False)
    out, _ = apply("cutout", x, y, params={"size": 4})
    changed = (out != x).any(dim=1)  # (n, h, w)
    per_sample = changed.flatten(1).sum(dim=1)
    assert int(per_sample.max()) <= 16 and int(per_sample.sum()) > 0
    # the hole holds the image's own channel means
    n = int(per_sample.argmax())
    means = x[n].mean(dim=(1, 2))
    assert torch.allclose(out[n][:, changed[n]], means[:, None].expand(3, 16))


def test_mixup_produces_soft_targets_matching_the_mixed_inputs():
    # Sample i is the constant image i with label i, so a mixed image's value tells which
    # samples went into it and in what shares; the soft target must say the same.
    x = torch.arange(10.0).view(10, 1, 1, 1).expand(10, *IMAGES.input_shape).contiguous()
    y = torch.arange(10)
    out, soft = apply("mixup", x, y, params={"alpha": 0.4})
    assert soft.shape == (10, 10) and soft.dtype == torch.float32
    assert torch.allclose(soft.sum(dim=1), torch.ones(10))
    assert ((soft > 0).sum(dim=1) <= 2).all()  # two labels at most
    assert not ((soft == 0) | (soft == 1)).all()  # soft, not one-hot
    expected_value = soft @ torch.arange(10.0)  # sum over labels of share * label
    assert torch.allclose(out[:, 0, 0, 0], expected_value, atol=1e-5)
    assert torch.allclose(out, out[:, :1, :1, :1].expand_as(out))


@pytest.mark.parametrize("alpha", [0.2, 1.0, 2.0])
def test_beta_sampler_matches_beta_moments(alpha):
    lam = sample_beta(40_000, alpha, _beta_rounds(alpha), torch.device("cpu"),
                      torch.Generator().manual_seed(0))
    variance = 1 / (4 * (2 * alpha + 1))  # Beta(a, a): mean 1/2, variance 1 / (4 (2a + 1))
    assert float(lam.mean()) == pytest.approx(0.5, abs=0.01)
    assert float(lam.var()) == pytest.approx(variance, rel=0.05)
    assert float(lam.min()) >= 0 and float(lam.max()) <= 1
    assert math.isfinite(float(lam.sum()))


def test_build_augment_applies_in_registry_order_and_none_when_empty():
    assert build_augment({}, IMAGES) is None
    x, y = batch(n=8, same=False)
    both = build_augment({"noise": {"std": 0.0}, "hflip": {"p": 1.0}}, IMAGES)
    out, _ = both(x, y, torch.Generator().manual_seed(0))
    assert torch.equal(out, x.flip(3))


def test_one_hot_matches_torch_for_every_label_dtype():
    from workers.training.losses import one_hot

    for dtype in (torch.int64, torch.int32):
        labels = torch.tensor([0, 3, 1, 3, 2], dtype=dtype)
        expected = F.one_hot(labels.long(), 5).float()
        assert torch.equal(one_hot(labels, 5), expected)
