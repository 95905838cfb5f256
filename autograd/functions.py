"""PyTorch's function forms (``torch.sigmoid(x)``, ``torch.max(x, 1)``) and its CPU device.

Each function only calls the Tensor method of the same name, where the op is defined, so a
program written against ``torch`` runs after ``import autograd as torch``.

    >>> import autograd as torch
    >>> torch.sigmoid(torch.zeros(2)).tolist()
    [0.5, 0.5]
    >>> device = torch.device("cuda" if torch.cuda.is_available() else "cpu"); device
    device(type='cpu')
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from .tensor import Tensor

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


class device:  # noqa: N801 - PyTorch's name
    """Where tensors live. tracegrad computes with numpy on the CPU, so only "cpu" exists.

    >>> device("cpu").type
    'cpu'
    """

    def __init__(self, type: str | device = "cpu") -> None:
        kind = str(type).split(":")[0]  # str() of a device is "cpu"
        if kind != "cpu":
            raise ValueError(
                f"device {type!r}: tracegrad runs on the CPU only (numpy); use device('cpu')"
            )
        self.type = "cpu"

    def __repr__(self) -> str:
        return "device(type='cpu')"

    def __str__(self) -> str:
        return "cpu"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, device) or other == "cpu"

    def __hash__(self) -> int:
        return hash("cpu")


#: ``torch.cuda.is_available()`` is always False here: tracegrad computes on the CPU.
cuda = SimpleNamespace(is_available=lambda: False)
