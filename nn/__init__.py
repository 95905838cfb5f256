"""Neural networks on tracegrad: Neuron, Layer and MLP on Values; Module and friends on Tensors."""

from . import (
    bridge,  # noqa: F401 - nn.torch's old path: nn.bridge.parameter_map still works
    data,
    functional,
    losses,
    optim,
)
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
    "Dropout",
    "MSELoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
]
