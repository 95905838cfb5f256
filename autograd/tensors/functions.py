"""PyTorch's function forms (``torch.sigmoid(x)``, ``torch.max(x, 1)``).

Each function only calls the Tensor method of the same name, where the op is defined, so a
program written against ``torch`` runs after ``import autograd as torch``.

    >>> import autograd as torch
    >>> torch.sigmoid(torch.zeros(2)).tolist()
    [0.5, 0.5]

``device`` and ``cuda`` live in :mod:`autograd.tensors.devices` (re-exported here, their
earlier home).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import ops as T
from .devices import cuda, device
from .ops import TensorOp
from .tensor import Tensor, apply

__all__ = [
    "sigmoid",
    "relu",
    "tanh",
    "exp",
    "log",
    "softmax",
    "log_softmax",
    "max",
    "argmax",
    "device",
    "cuda",
    "concatenate",
    "cat",
    "stack",
]


def _tensor(x: Any, name: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{name} expects a Tensor, got {type(x).__name__}")
    return x


def sigmoid(x: Tensor) -> Tensor:
    """``x.sigmoid()``"""
    return _tensor(x, "sigmoid").sigmoid()


def relu(x: Tensor) -> Tensor:
    """``x.relu()``"""
    return _tensor(x, "relu").relu()


def tanh(x: Tensor) -> Tensor:
    """``x.tanh()``"""
    return _tensor(x, "tanh").tanh()


def exp(x: Tensor) -> Tensor:
    """``x.exp()``"""
    return _tensor(x, "exp").exp()


def log(x: Tensor) -> Tensor:
    """``x.log()``"""
    return _tensor(x, "log").log()


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    """``x.softmax(dim)`` of a Tensor (``nn.softmax`` is the one that takes a list of Values).

    >>> import autograd as torch
    >>> torch.softmax(torch.zeros(2), dim=0).tolist()
    [0.5, 0.5]
    """
    return _tensor(x, "softmax").softmax(dim)


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    """``x.log_softmax(dim)``"""
    return _tensor(x, "log_softmax").log_softmax(dim)


def max(x: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001 - PyTorch's name
    """``x.max(dim, keepdim)``: the largest entry, or ``(values, indices)`` along ``dim``.

    >>> from autograd import tensor
    >>> max(tensor([[1.0, 9.0], [4.0, 2.0]]), 1)[1].tolist()
    [1, 0]
    """
    return _tensor(x, "max").max(dim, keepdim)


def argmax(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """``x.argmax(dim, keepdim)``"""
    return _tensor(x, "argmax").argmax(dim, keepdim)


# --- joining tensors ---------------------------------------------------------------------


def _join(word: str, factory: Callable[[int], TensorOp], tensors: Any, axis: int) -> Tensor:
    items = list(tensors)
    if not items:
        raise ValueError(f"{word} needs at least one tensor")
    if not any(isinstance(t, Tensor) for t in items):
        items[0] = Tensor(items[0])  # the others take its dtype, as numbers join a Tensor
    first = items[0]
    ndim = np.ndim(first.array if isinstance(first, Tensor) else first) + (word == "stack")
    if not isinstance(axis, (int, np.integer)) or not -ndim <= axis < ndim:
        raise ValueError(f"{word}: axis {axis!r} does not exist for {ndim}-axis results")
    return apply(factory(builtins.int(axis) % ndim), *items)


def concatenate(tensors: Sequence[Any], axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Tensors joined end to end along an existing axis (``torch.cat``).

    >>> from autograd import ones, zeros
    >>> concatenate([ones(2, 1), zeros(2, 2)], axis=1).shape
    (2, 3)
    """
    return _join("cat", T.concatenate, tensors, axis if dim is None else dim)


cat = concatenate


def stack(tensors: Sequence[Any], axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Tensors of one shape stacked along a new axis.

    >>> from autograd import ones, zeros
    >>> stack([ones(3), zeros(3)]).shape, stack([ones(3), zeros(3)], axis=1).shape
    ((2, 3), (3, 2))
    """
    return _join("stack", T.stack, tensors, axis if dim is None else dim)
