"""Neural networks on tracegrad: Neuron, Layer and MLP on Values; Module and friends on Tensors."""

from . import (
    bridge,  # noqa: F401 - nn.torch's old path: nn.bridge.parameter_map still works
    data,
    functional,
    losses,
    optim,
)
from .convolution import AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool2d, Conv2d, MaxPool2d
from .data import DataLoader, TensorDataset
from .io import load, save
from .layers import (
    Dropout,
    Flatten,
    Identity,
    LeakyReLU,
    Linear,
    LogSoftmax,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    Unflatten,
)
from .losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    MSELoss,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    mse_loss,
    softmax,
)
from .module import Module, ModuleList, Parameter, Sequential
from .neurons import MLP, Layer, Neuron
from .normalization import BatchNorm1d, BatchNorm2d
from .state_dict import StateDictError
from .torch import ConversionError, from_torch, from_torch_optimizer, to_torch, to_torch_optimizer

__all__ = [
    "Neuron",
    "Layer",
    "MLP",
    "optim",
    "functional",
    "data",
    "losses",
    "mse_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "hinge_loss",
    "softmax",
    "cross_entropy",
    "DataLoader",
    "TensorDataset",
    "save",
    "load",
    "StateDictError",
    "to_torch",
    "from_torch",
    "to_torch_optimizer",
    "from_torch_optimizer",
    "ConversionError",
    "Module",
    "Parameter",
    "Sequential",
    "ModuleList",
    "Linear",
    "Identity",
    "ReLU",
    "Sigmoid",
    "Tanh",
    "LeakyReLU",
    "Softmax",
    "LogSoftmax",
    "Flatten",
    "Unflatten",
    "Dropout",
    "Conv2d",
    "MaxPool2d",
    "AvgPool2d",
    "AdaptiveAvgPool2d",
    "AdaptiveMaxPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "MSELoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
]
