"""Models (registry MODELS), activations and initialisations.

A model factory takes `(cfg: ModelConfig, input_shape, num_outputs)` — one sample's shape
without the batch dimension — and returns an `nn.Module` mapping (N, *input_shape) to
(N, num_outputs) raw outputs (logits; no softmax, the loss owns it). `build_model` first
runs the catalogue's `check_model` (service/catalogue/rules.py): inputs the arch cannot
take, options it would ignore and depths the input cannot carry are a ConfigError naming
the field, so that a spec never silently trains something other than what it says. The
defaults (width, depth, batchnorm) and the kinds of data each arch takes are the
catalogue's `ARCHS`, which describes each arch in a line.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from service.catalogue import ARCHS, check_model, cnn1d_kernel, cnn1d_lengths, mlp_widths

if TYPE_CHECKING:
    from .config import ModelConfig

ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU,
    "gelu": nn.GELU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "selu": nn.SELU,
}


class Normalize(nn.Module):
    """Per-channel (x - mean) / std as the model's first layer, for images: augmentation
    works on the pixel scale before it, and a saved model carries its own statistics."""

    def __init__(self, mean: Sequence[float], std: Sequence[float]) -> None:
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(np.asarray(mean), dtype=torch.float32)
                             .view(1, -1, 1, 1))
        self.register_buffer("std", torch.as_tensor(np.asarray(std), dtype=torch.float32)
                             .view(1, -1, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std


def _width_depth(cfg: ModelConfig) -> tuple[int, int]:
    facts = ARCHS[cfg.arch]
    return cfg.width or facts.width, cfg.depth or facts.depth


def _batchnorm(cfg: ModelConfig) -> bool:
    return ARCHS[cfg.arch].batchnorm if cfg.batchnorm is None else cfg.batchnorm


def _head(cfg: ModelConfig, features: int, num_outputs: int) -> list[nn.Module]:
    """The classifier every conv arch ends with: flatten, [dropout], one Linear layer."""
    dropout = [nn.Dropout(cfg.dropout)] if cfg.dropout else []
    return [nn.Flatten(), *dropout, nn.Linear(features, num_outputs)]


def linear(cfg: ModelConfig, input_shape: tuple[int, ...], num_outputs: int) -> nn.Module:
    return nn.Sequential(nn.Flatten(), nn.Linear(math.prod(input_shape), num_outputs))


def mlp(cfg: ModelConfig, input_shape: tuple[int, ...], num_outputs: int) -> nn.Module:
    layers: list[nn.Module] = [nn.Flatten()]
    fan_in = math.prod(input_shape)
    for width in mlp_widths(asdict(cfg)):
        layers.append(nn.Linear(fan_in, width))
        if _batchnorm(cfg):
            layers.append(nn.BatchNorm1d(width))
        layers.append(ACTIVATIONS[cfg.activation]())
        if cfg.dropout:
            layers.append(nn.Dropout(cfg.dropout))
        fan_in = width
    layers.append(nn.Linear(fan_in, num_outputs))
    return nn.Sequential(*layers)


def cnn1d(cfg: ModelConfig, input_shape: tuple[int, ...], num_outputs: int) -> nn.Module:
    channels, length = input_shape
    width, depth = _width_depth(cfg)
    layers: list[nn.Module] = []
    for i in range(depth):
        layers.append(nn.Conv1d(channels, width, cnn1d_kernel(i), stride=2, padding=1))
        if _batchnorm(cfg):
            layers.append(nn.BatchNorm1d(width))
        layers.append(ACTIVATIONS[cfg.activation]())
        channels = width
    length = cnn1d_lengths(length, depth)[-1]
    return nn.Sequential(*layers, *_head(cfg, channels * length, num_outputs))


def cnn(cfg: ModelConfig, input_shape: tuple[int, ...], num_outputs: int) -> nn.Module:
    channels = input_shape[0]
    width, depth = _width_depth(cfg)
    batchnorm = _batchnorm(cfg)
    layers: list[nn.Module] = []
    for i in range(depth):
        out = width * 2**i
        layers.append(nn.Conv2d(channels, out, 3, padding=1, bias=not batchnorm))
        if batchnorm:
            layers.append(nn.BatchNorm2d(out))
        layers += [ACTIVATIONS[cfg.activation](), nn.MaxPool2d(2)]
        channels = out
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), *_head(cfg, channels, num_outputs))


class BasicBlock(nn.Module):
    """ResNet's two 3x3 convolutions with an identity (or 1x1 projection) shortcut."""

    def __init__(self, cin: int, cout: int, stride: int, norm: Callable[[int], nn.Module],
                 act: Callable[[], nn.Module]) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = norm(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = norm(cout)
        self.act1, self.act2 = act(), act()
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False),
                                          norm(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.act1(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.act2(out + self.shortcut(x))


def resnet18(cfg: ModelConfig, input_shape: tuple[int, ...], num_outputs: int) -> nn.Module:
    base, _ = _width_depth(cfg)
    # Without batchnorm the blocks keep their shape with Identity in its place, so that
    # "what does BatchNorm buy here" is a one-field experiment.
    norm = nn.BatchNorm2d if _batchnorm(cfg) else (lambda c: nn.Identity())
    act = ACTIVATIONS[cfg.activation]
    layers: list[nn.Module] = [nn.Conv2d(input_shape[0], base, 3, padding=1, bias=False),
                               norm(base), act()]
    cin = base
    for stage, stride in enumerate((1, 2, 2, 2)):
        cout = base * 2**stage
        layers += [BasicBlock(cin, cout, stride, norm, act), BasicBlock(cout, cout, 1, norm, act)]
        cin = cout
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), *_head(cfg, cin, num_outputs))


ModelFactory = Callable[["ModelConfig", tuple[int, ...], int], nn.Module]

MODELS: dict[str, ModelFactory] = {
    "linear": linear,
    "mlp": mlp,
    "cnn1d": cnn1d,
    "cnn": cnn,
    "resnet18": resnet18,
}


# --- initialisation: applied to every Linear and Conv weight after the factory built it ---

# kaiming_normal_'s name for each activation's gain. GELU is close enough to ReLU; SELU
# wants LeCun normal (std 1/sqrt(fan_in)), which is kaiming with the "linear" gain.
_KAIMING_GAIN = {"relu": "relu", "gelu": "relu", "tanh": "tanh", "sigmoid": "sigmoid",
                 "selu": "linear"}


def _init_layers(model: nn.Module, init_weight: Callable[[torch.Tensor], object]) -> None:
    for module in model.modules():
        if isinstance(module, nn.Linear | nn.Conv1d | nn.Conv2d):
            init_weight(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)


INITS: dict[str, Callable[[nn.Module, str], None]] = {
    # PyTorch's own (Kaiming-uniform with a=sqrt(5), i.e. U(±1/sqrt(fan_in))).
    "default": lambda model, activation: None,
    "kaiming": lambda model, activation: _init_layers(
        model, lambda w: nn.init.kaiming_normal_(w, nonlinearity=_KAIMING_GAIN[activation])),
    # Glorot's original: variance 2 / (fan_in + fan_out), gain 1.
    "xavier": lambda model, activation: _init_layers(model, nn.init.xavier_uniform_),
    # The notes' "small random numbers", N(0, 0.01^2): fine for shallow nets, makes deep
    # ones' activations and gradients vanish, which is the point of offering it.
    "normal": lambda model, activation: _init_layers(
        model, lambda w: nn.init.normal_(w, std=0.01)),
}


def build_model(cfg: ModelConfig, input_shape: tuple[int, ...], num_outputs: int,
                mean: np.ndarray | None = None, std: np.ndarray | None = None) -> nn.Module:
    """The registry's model, initialised, behind a Normalize layer when statistics are
    given (images). ConfigError when the arch cannot take this input (check_model)."""
    check_model(asdict(cfg), tuple(input_shape))
    net = MODELS[cfg.arch](cfg, tuple(input_shape), num_outputs)
    INITS[cfg.init](net, cfg.activation)
    if mean is not None and std is not None:
        net = nn.Sequential(Normalize(mean, std), net)
    return net


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
