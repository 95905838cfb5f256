"""Neural networks on tracegrad: Neuron, Layer and MLP on Values; Module and friends on Tensors."""

from . import losses, optim
from .data import DataLoader, TensorDataset
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    mse_loss,
    softmax,
)
from .neurons import MLP, Layer, Neuron
from .serialization import load, save

__all__ = [
    "Neuron",
    "Layer",
    "MLP",
    "optim",
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
]
