"""The losses on Tensors, as PyTorch's ``torch.nn.functional`` has them.

The cross-entropies are single fused ops (their records live in :mod:`autograd.tensors.ops.losses`),
exact and stable for any input; the others are short compositions of Tensor ops. Each
reduces by ``"mean"``, ``"sum"`` or ``"none"`` (one loss per element). :mod:`nn.losses` is
the public face that sends Tensors here and Values to :mod:`nn.value_losses`.

    >>> from autograd import tensor
    >>> cross_entropy(tensor([[1.0, 2.0, 3.0]]), tensor([2])).item()  # doctest: +ELLIPSIS
    0.4076...
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, apply
from autograd.tensors import ops as T
from autograd.tensors.ops import check_reduction

__all__ = [
    "mse_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "hinge_loss",
    "cross_entropy",
]


def _floating(predictions: Tensor, loss: str) -> Tensor:
    if predictions.dtype.kind != "f":
        raise TypeError(
            f"{loss}: predictions must be floating point, got {predictions.dtype} "
            "(use .float(), or make them with autograd.Tensor, which is float32)"
        )
    return predictions


def _labels_like(targets: Any, predictions: Tensor, loss: str) -> Tensor:
    """Targets as a Tensor of the predictions' shape and dtype (constant unless given so)."""
    _floating(predictions, loss)
    if (
        isinstance(targets, Tensor)
        and targets.shape == predictions.shape
        and targets.dtype == predictions.dtype
    ):
        return targets  # used as it is, so drawings and narration keep its label
    data = targets.array if isinstance(targets, Tensor) else np.asarray(targets)
    if data.shape != predictions.shape:
        raise ValueError(
            f"{loss}: the target's shape {data.shape} differs from the input's shape "
            f"{predictions.shape} (give one target per prediction)"
        )
    return Tensor(data, dtype=predictions.dtype)


def _class_indices(targets: Any, logits: Tensor) -> Tensor:
    """Targets as an int64 Tensor of class indices, checked against the logits."""
    data = targets.array if isinstance(targets, Tensor) else np.asarray(targets)
    if data.dtype.kind not in "iu":
        raise TypeError(
            f"cross_entropy: targets must be class indices (integers), got dtype {data.dtype}; "
            "make them with autograd.tensor(labels) or .long()"
        )
    classes = logits.shape[-1]
    if logits.ndim != 2 or data.shape != (logits.shape[0],):
        raise ValueError(
            f"cross_entropy: expects logits of shape (N, classes) and N targets, got logits "
            f"{logits.shape} and targets {data.shape}"
        )
    if data.size and (data.min() < 0 or data.max() >= classes):
        bad = data[(data < 0) | (data >= classes)][0]
        raise ValueError(
            f"cross_entropy: target {bad} is not a class index for {classes} classes "
            f"(0..{classes - 1})"
        )
    if isinstance(targets, Tensor) and targets.dtype == np.int64:
        return targets  # used as it is, so drawings and narration keep its label
    return Tensor(data, dtype=np.int64)


def _reduced(losses: Tensor, reduction: str) -> Tensor:
    out = losses.mean() if reduction == "mean" else losses.sum() if reduction == "sum" else losses
    out.label = "loss"
    return out


def _fused(op: T.TensorOp, predictions: Tensor, targets: Tensor) -> Tensor:
    out = apply(op, predictions, targets)
    out.label = "loss"
    return out


def mse_loss(predictions: Tensor, targets: Any, reduction: str = "mean") -> Tensor:
    """Mean of (prediction − target)², as ``torch.nn.functional.mse_loss``.

    >>> from autograd import tensor
    >>> mse_loss(tensor([1.0, 3.0]), tensor([0.0, 0.0])).item()
    5.0
    """
    check_reduction(reduction)
    labels = _labels_like(targets, predictions, "mse_loss")
    return _reduced((predictions - labels) ** 2, reduction)


def binary_cross_entropy(predictions: Tensor, targets: Any, reduction: str = "mean") -> Tensor:
    """−[y·log p + (1 − y)·log(1 − p)] as one fused op, logs limited to −100 as in PyTorch.

    >>> from autograd import tensor
    >>> round(binary_cross_entropy(tensor([0.8]), tensor([1.0])).item(), 5)
    0.22314
    """
    labels = _labels_like(targets, predictions, "binary_cross_entropy")
    return _fused(T.binary_cross_entropy(reduction), predictions, labels)


def binary_cross_entropy_with_logits(
    logits: Tensor, targets: Any, reduction: str = "mean"
) -> Tensor:
    """softplus(z) − y·z as one fused op: the cross-entropy of σ(z), exact for any z.

    >>> from autograd import tensor
    >>> binary_cross_entropy_with_logits(tensor([-800.0]), tensor([1.0])).item()
    800.0
    """
    labels = _labels_like(targets, logits, "binary_cross_entropy_with_logits")
    return _fused(T.binary_cross_entropy_with_logits(reduction), logits, labels)


def hinge_loss(scores: Tensor, targets: Any, reduction: str = "mean") -> Tensor:
    """max(0, 1 − y·score) for labels y = ±1, elementwise.

    >>> from autograd import tensor
    >>> hinge_loss(tensor([0.5, -2.0]), tensor([1.0, -1.0])).item()
    0.25
    """
    check_reduction(reduction, "hinge_loss")
    labels = _labels_like(targets, scores, "hinge_loss")
    return _reduced((1.0 - labels * scores).relu(), reduction)


def cross_entropy(logits: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy of logits (N, classes) against N class indices, fused and stable.

    >>> from autograd import tensor
    >>> round(cross_entropy(tensor([[1.0, 2.0, 3.0]]), tensor([2])).item(), 6)
    0.407606
    """
    indices = _class_indices(target, _floating(logits, "cross_entropy"))
    return _fused(T.cross_entropy(reduction), logits, indices)
