"""Models: output shapes, the reference architectures' sizes, initialisations."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from workers.training import MODELS, ConfigError
from workers.training.config import ModelConfig
from workers.training.models import ACTIVATIONS, INITS, Normalize, build_model, count_parameters

# One input shape each model must take (batch of 4).
SHAPES = {
    "linear": [(13,), (1, 40), (3, 8, 8)],
    "mlp": [(13,), (1, 40), (3, 8, 8)],
    "cnn1d": [(1, 40), (3, 100)],
    "cnn": [(3, 32, 32), (1, 28, 28)],
    "resnet18": [(3, 32, 32), (1, 16, 16)],
}


def test_every_model_has_shapes_to_test():
    assert set(SHAPES) == set(MODELS)


@pytest.mark.parametrize(("arch", "shape"), [(a, s) for a, shapes in SHAPES.items()
                                             for s in shapes])
def test_output_is_batch_by_outputs(arch, shape):
    width = {"resnet18": 8}.get(arch)  # a thin resnet keeps the test fast
    model = build_model(ModelConfig(arch=arch, width=width), shape, 7)
    model.eval()
    assert model(torch.randn(4, *shape)).shape == (4, 7)


def test_reference_sizes():
    # The MNIST-1D paper's ConvBase has 5,210 parameters; CIFAR ResNet-18 11,173,962.
    assert count_parameters(build_model(ModelConfig(arch="cnn1d"), (1, 40), 10)) == 5_210
    with torch.device("meta"):
        resnet = build_model(ModelConfig(arch="resnet18"), (3, 32, 32), 10)
    assert count_parameters(resnet) == 11_173_962
    # 3x3 stem at stride 1, no max-pool: the CIFAR variant
    stem = next(m for m in resnet.modules() if isinstance(m, nn.Conv2d))
    assert stem.kernel_size == (3, 3) and stem.stride == (1, 1)
    assert not any(isinstance(m, nn.MaxPool2d) for m in resnet.modules())
    linear = build_model(ModelConfig(arch="linear"), (1, 40), 10)
    assert count_parameters(linear) == 410


def test_mlp_widths_or_width_and_depth():
    by_widths = build_model(ModelConfig(arch="mlp", widths=(64, 32)), (10,), 3)
    assert [m.out_features for m in by_widths.modules() if isinstance(m, nn.Linear)] == [64, 32,
                                                                                         3]
    by_depth = build_model(ModelConfig(arch="mlp", width=16, depth=3, batchnorm=True,
                                       dropout=0.1, activation="tanh"), (10,), 3)
    kinds = [type(m) for m in by_depth]
    assert kinds.count(nn.Linear) == 4 and kinds.count(nn.BatchNorm1d) == 3
    assert kinds.count(nn.Tanh) == 3 and kinds.count(nn.Dropout) == 3


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_activations_are_used(activation):
    model = build_model(ModelConfig(arch="cnn", activation=activation), (3, 16, 16), 2)
    assert any(isinstance(m, ACTIVATIONS[activation]) for m in model.modules())


def test_batchnorm_defaults_per_arch():
    def has_bn(arch, batchnorm=None, shape=(3, 16, 16)):
        model = build_model(ModelConfig(arch=arch, batchnorm=batchnorm, width=8), shape, 2)
        return any(isinstance(m, nn.BatchNorm1d | nn.BatchNorm2d) for m in model.modules())

    assert has_bn("cnn") and has_bn("resnet18")
    assert not has_bn("cnn", False) and not has_bn("resnet18", False)
    assert not has_bn("mlp", shape=(10,)) and has_bn("mlp", True, shape=(10,))
    assert not has_bn("cnn1d", shape=(1, 40)) and has_bn("cnn1d", True, shape=(1, 40))


def _linear_weights(model):
    return [m.weight.detach() for m in model.modules() if isinstance(m, nn.Linear)]


def test_inits():
    cfg = dict(arch="mlp", width=512, depth=1)
    kaiming = _linear_weights(build_model(ModelConfig(**cfg, init="kaiming"), (400,), 512))
    assert float(kaiming[0].std()) == pytest.approx(math.sqrt(2 / 400), rel=0.05)
    normal = _linear_weights(build_model(ModelConfig(**cfg, init="normal"), (400,), 512))
    assert float(normal[0].std()) == pytest.approx(0.01, rel=0.05)
    xavier = _linear_weights(build_model(ModelConfig(**cfg, init="xavier"), (400,), 512))
    assert float(xavier[0].abs().max()) <= math.sqrt(6 / (400 + 512))
    assert float(xavier[0].std()) == pytest.approx(math.sqrt(2 / 912), rel=0.05)
    default = _linear_weights(build_model(ModelConfig(**cfg), (400,), 512))
    assert float(default[0].abs().max()) <= 1 / math.sqrt(400)
    assert set(INITS) == {"default", "kaiming", "xavier", "normal"}
    biases = [m.bias for m in build_model(ModelConfig(**cfg, init="kaiming"), (400,), 5)
              .modules() if isinstance(m, nn.Linear)]
    assert all(float(b.detach().abs().max()) == 0 for b in biases)


def test_normalize_layer_comes_first_with_statistics():
    model = build_model(ModelConfig(arch="cnn", width=4), (3, 16, 16), 2,
                        mean=[0.5, 0.4, 0.3], std=[0.2, 0.2, 0.2])
    assert isinstance(model[0], Normalize)
    x = torch.full((1, 3, 1, 1), 0.5)
    assert torch.allclose(model[0](x).flatten(), torch.tensor([0.0, 0.5, 1.0]))


def test_options_an_arch_ignores_are_refused():
    with pytest.raises(ConfigError) as err:
        build_model(ModelConfig(arch="cnn1d", widths=(8, 8)), (1, 40), 2)
    assert err.value.field == "model.widths"
    with pytest.raises(ConfigError) as err:
        build_model(ModelConfig(arch="linear", dropout=0.5), (4,), 2)
    assert err.value.field == "model.dropout"
