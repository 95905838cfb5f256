"""Losses for Values and for Tensors, as functions and as PyTorch's loss modules.

Each loss has one body per kind of input: :mod:`nn.value_losses` builds it from scalar ops
(a small graph to narrate and draw), :mod:`nn.tensor_losses` from Tensor ops (the
cross-entropies fused into one node each, as in PyTorch). The functions here look at the
predictions and send them to one or the other, so ``mse_loss(values, ys)`` and
``mse_loss(tensor, ys)`` both work. Every loss averages by default (``reduction="mean"``);
``"sum"`` adds, and on Tensors ``"none"`` keeps one loss per element.

Two names here differ from :mod:`autograd`'s: :func:`softmax` takes a *list of Values* (one
example's logits) and returns a list, where ``autograd.softmax(x, dim)`` takes a Tensor.

    >>> from autograd import Value, tensor
    >>> mse_loss([Value(2.0), Value(0.0)], [1.0, 0.0]).data
    0.5
    >>> CrossEntropyLoss()(tensor([[1.0, 2.0, 3.0]]), tensor([2])).item()  # doctest: +ELLIPSIS
    0.4076...
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Any

from autograd import Tensor, Value
from autograd.tensors.ops import check_reduction
from nn import tensor_losses, value_losses
from nn.module import Module

__all__ = [
    "mse_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "hinge_loss",
    "softmax",
    "cross_entropy",
    "MSELoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
]


def _losses_for(predictions: Any) -> ModuleType:
    """The module whose losses fit these predictions: the one place that tells the kinds apart."""
    return tensor_losses if isinstance(predictions, Tensor) else value_losses


def mse_loss(predictions: Any, targets: Any, reduction: str = "mean") -> Any:
    """Mean squared error, mean of (prediction − target)², on Values or a Tensor.

    >>> from autograd import Value, tensor
    >>> mse_loss(Value(7.0), 5.0).data, mse_loss(tensor([1.0, 3.0]), [0.0, 0.0]).item()
    (4.0, 5.0)
    """
    return _losses_for(predictions).mse_loss(predictions, targets, reduction)


def binary_cross_entropy(predictions: Any, targets: Any, reduction: str = "mean") -> Any:
    """Binary cross-entropy of probabilities p in [0, 1]: −[y·log p + (1 − y)·log(1 − p)].

    One node per prediction (PyTorch has one op for it too), finite even for p = 0 or 1:
    each log is limited to −100, as in PyTorch's BCELoss.

    >>> from autograd import Value
    >>> round(binary_cross_entropy(Value(0.8), 1.0).data, 6)
    0.223144
    >>> binary_cross_entropy(Value(0.0), 1.0).data
    100.0
    """
    return _losses_for(predictions).binary_cross_entropy(predictions, targets, reduction)


def binary_cross_entropy_with_logits(logits: Any, targets: Any, reduction: str = "mean") -> Any:
    """Binary cross-entropy of σ(z), computed from the logit z without ever forming σ(z).

    softplus(z) − y·z equals −[y·log σ(z) + (1 − y)·log(1 − σ(z))] and stays exact for
    any z, where σ(z) would round to 0 or 1.

    >>> from autograd import Value
    >>> round(binary_cross_entropy_with_logits(Value(0.0), 1.0).data, 6)
    0.693147
    >>> binary_cross_entropy_with_logits(Value(-800.0), 1.0).data
    800.0
    """
    return _losses_for(logits).binary_cross_entropy_with_logits(logits, targets, reduction)


def hinge_loss(scores: Any, targets: Any, reduction: str = "mean") -> Any:
    """The SVM hinge loss max(0, 1 − y·score), for labels y = ±1 (micrograd's demo loss).

    >>> from autograd import Value
    >>> hinge_loss([Value(0.5), Value(-2.0)], [1.0, -1.0]).data
    0.25
    """
    return _losses_for(scores).hinge_loss(scores, targets, reduction)


def softmax(logits: Sequence[Value]) -> list[Value]:
    """eˣⁱ / Σⱼ eˣʲ over a list of Values, stable for large logits (Tensors: ``x.softmax(dim)``).

    >>> from autograd import Value
    >>> [round(p.data, 4) for p in softmax([Value(1.0), Value(2.0), Value(3.0)])]
    [0.09, 0.2447, 0.6652]
    """
    return value_losses.softmax(logits)


def cross_entropy(logits: Any, target: Any, reduction: str = "mean") -> Any:
    """Softmax cross-entropy: log Σⱼ eˣʲ − x_target, stable for large logits.

    On Values: one example, a list of logits and the target class. On Tensors: logits of
    shape (N, classes) and N integer class indices, as PyTorch's ``F.cross_entropy``.

    >>> from autograd import Value, tensor
    >>> round(cross_entropy([Value(1.0), Value(2.0), Value(3.0)], 2).data, 6)
    0.407606
    >>> round(cross_entropy(tensor([[1.0, 2.0, 3.0]]), tensor([2])).item(), 6)
    0.407606
    """
    return _losses_for(logits).cross_entropy(logits, target, reduction)


class _Loss(Module):
    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        check_reduction(reduction, type(self).__name__)
        self.reduction = reduction


class MSELoss(_Loss):
    """Mean squared error, as ``torch.nn.MSELoss``; takes Tensors, or Values and numbers.

    >>> from autograd import tensor
    >>> MSELoss()(tensor([1.0, 3.0]), tensor([0.0, 0.0])).item()
    5.0
    """

    def forward(self, input: Any, target: Any) -> Any:
        return mse_loss(input, target, self.reduction)


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities, as ``torch.nn.BCELoss`` (logs limited to −100).

    >>> from autograd import tensor
    >>> round(BCELoss()(tensor([0.8]), tensor([1.0])).item(), 5)
    0.22314
    """

    def forward(self, input: Any, target: Any) -> Any:
        return binary_cross_entropy(input, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of σ(logits), computed stably from the logits themselves.

    >>> from autograd import tensor
    >>> BCEWithLogitsLoss()(tensor([-800.0]), tensor([1.0])).item()
    800.0
    """

    def forward(self, input: Any, target: Any) -> Any:
        return binary_cross_entropy_with_logits(input, target, self.reduction)


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy of logits against class indices, as ``torch.nn.CrossEntropyLoss``.

    >>> from autograd import tensor
    >>> round(CrossEntropyLoss()(tensor([[0.0, 0.0]]), tensor([1])).item(), 6)
    0.693147
    """

    def forward(self, input: Any, target: Any) -> Any:
        return cross_entropy(input, target, self.reduction)
