"""Models (registry MODELS), activations and initialisations.

A model factory takes `(cfg: ModelConfig, input_shape, num_outputs)` — one sample's shape
without the batch dimension — and returns an `nn.Module` mapping (N, *input_shape) to
(N, num_outputs) raw outputs (logits; no softmax, the loss owns it). A factory rejects
inputs it cannot take and options it would ignore, with a ConfigError naming the field, so
that a spec never silently trains something other than what it says.

Defaults per arch (when width/depth/batchnorm are not given):
  linear    one Linear layer on the flattened input (mnist1d: ~32% validation accuracy)
  mlp       depth=2 hidden layers of width=128 (or `widths`), no batchnorm
  cnn1d     the MNIST-1D paper's CNN: depth=3 stride-2 Conv1d layers of width=25 channels,
            kernel 5 then 3, then one Linear layer (~94% on mnist1d when trained long)
  cnn       depth=3 blocks conv3x3 -> [BN] -> act -> maxpool, channels width=32 doubling per
            block, global average pool, Linear; batchnorm on
  resnet18  the CIFAR ResNet-18 (3x3 stem, no max-pool, 4 stages of 2 BasicBlocks), stage
            widths width=64 x (1, 2, 4, 8); batchnorm on (off replaces it by Identity)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from .errors import ConfigError

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


def _unused(cfg: ModelConfig, *names: str) -> None:
    """Reject options this arch would ignore (None / 0 / False mean "not given")."""
    for name in names:
        if getattr(cfg, name):
            raise ConfigError(f"model.{name}", f"{cfg.arch} does not use {name}")


def _need_rank(cfg: ModelConfig, input_shape: tuple[int, ...], rank: int, what: str,
               hint: str) -> None:
    if len(input_shape) != rank:
        kinds = {1: "tabular (F,)", 2: "sequence (C, L)", 3: "image (C, H, W)"}
        got = kinds.get(len(input_shape), f"shaped {input_shape}")
        raise ConfigError("model.arch", f"{cfg.arch} needs {what} but this dataset's samples "
                                        f"are {got} {tuple(input_shape)}; {hint}")


def linear(cfg: ModelConfig, input_shape: tuple[int, ...], num_outputs: int) -> nn.Module:
    _unused(cfg, "widths", "width", "depth", "dropout", "batchnorm")
    return nn.Sequential(nn.Flatten(), nn.Linear(math.prod(input_shape), num_outputs))


def mlp(cfg: ModelConfig, input_shape: tuple[int, ...], num_outputs: int) -> nn.Module:
    widths = cfg.widths or (cfg.width or 128,) * (cfg.depth or 2)
    layers: list[nn.Module] = [nn.Flatten()]
    fan_in = math.prod(input_shape)
    for width in widths:
        layers.append(nn.Linear(fan_in, width))
        if cfg.batchnorm:
            layers.append(nn.BatchNorm1d(width))
        layers.append(ACTIVATIONS[cfg.activation]())
        if cfg.dropout:
            layers.append(nn.Dropout(cfg.dropout))
        fan_in = width
    layers.append(nn.Linear(fan_in, num_outputs))
    return nn.Sequential(*layers)


def cnn1d(cfg: ModelConfig, input_shape: tuple[int, ...], num_outputs: int) -> nn.Module:
    _need_rank(cfg, input_shape, 2, "sequences (C, L)", "use mlp or linear")
    _unused(cfg, "widths")
    channels, length = input_shape
    width, depth = cfg.width or 25, cfg.depth or 3
    layers: list[nn.Module] = []
    for i in range(depth):
        kernel = 5 if i == 0 else 3  # the paper's first layer sees a wider window
        layers.append(nn.Conv1d(channels, width, kernel, stride=2, padding=1))
        if cfg.batchnorm:
            layers.append(nn.BatchNorm1d(width))
        layers.append(ACTIVATIONS[cfg.activation]())
        channels, length = width, (length + 2 - kernel) // 2 + 1
        if length < 1:
            raise ConfigError("model.depth", f"{depth} stride-2 layers shrink sequences of "
                                             f"length {input_shape[1]} to nothing")
    layers.append(nn.Flatten())
    if cfg.dropout:
        layers.append(nn.Dropout(cfg.dropout))
    layers.append(nn.Linear(channels * length, num_outputs))
    return nn.Sequential(*layers)


def cnn(cfg: ModelConfig, input_shape: tuple[int, ...], num_outputs: int) -> nn.Module:
    _need_rank(cfg, input_shape, 3, "images (C, H, W)", "use mlp or linear"
               if len(input_shape) == 1 else "use cnn1d, mlp or linear")
    _unused(cfg, "widths")
    channels, height, width_px = input_shape
    width, depth = cfg.width or 32, cfg.depth or 3
    if min(height, width_px) < 2**depth:
        raise ConfigError("model.depth", f"{depth} max-pool blocks need images of at least "
                                         f"{2**depth}x{2**depth}, got {height}x{width_px}")
    batchnorm = cfg.batchnorm is not False
    layers: list[nn.Module] = []
    for i in range(depth):
        out = width * 2**i
        layers.append(nn.Conv2d(channels, out, 3, padding=1, bias=not batchnorm))
        if batchnorm:
            layers.append(nn.BatchNorm2d(out))
        layers += [ACTIVATIONS[cfg.activation](), nn.MaxPool2d(2)]
        channels = out
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    if cfg.dropout:
        layers.append(nn.Dropout(cfg.dropout))
    layers.append(nn.Linear(channels, num_outputs))
    return nn.Sequential(*layers)


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
    _need_rank(cfg, input_shape, 3, "images (C, H, W)", "use mlp or linear"
               if len(input_shape) == 1 else "use cnn1d, mlp or linear")
    _unused(cfg, "widths", "depth")
    base = cfg.width or 64
    # Without batchnorm the blocks keep their shape with Identity in its place, so that
    # "what does BatchNorm buy here" is a one-field experiment.
    norm = nn.BatchNorm2d if cfg.batchnorm is not False else (lambda c: nn.Identity())
    act = ACTIVATIONS[cfg.activation]
    layers: list[nn.Module] = [nn.Conv2d(input_shape[0], base, 3, padding=1, bias=False),
                               norm(base), act()]
    cin = base
    for stage, stride in enumerate((1, 2, 2, 2)):
        cout = base * 2**stage
        layers += [BasicBlock(cin, cout, stride, norm, act), BasicBlock(cout, cout, 1, norm, act)]
        cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    if cfg.dropout:
        layers.append(nn.Dropout(cfg.dropout))
    layers.append(nn.Linear(cin, num_outputs))
    return nn.Sequential(*layers)


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
    given (images)."""
    net = MODELS[cfg.arch](cfg, tuple(input_shape), num_outputs)
    INITS[cfg.init](net, cfg.activation)
    if mean is not None and std is not None:
        net = nn.Sequential(Normalize(mean, std), net)
    return net


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
