"""Losses for Values and for Tensors, as functions and as PyTorch's loss modules.

On Values a loss takes one prediction or a list of them (targets likewise) and is a small
graph you can narrate and draw. On Tensors the cross-entropies are single fused ops, as in
PyTorch. Every loss averages by default (``reduction="mean"``); ``"sum"`` adds, and on
Tensors ``"none"`` keeps one loss per element.

    >>> from autograd import Value, tensor
    >>> mse_loss([Value(2.0), Value(0.0)], [1.0, 0.0]).data
    0.5
    >>> CrossEntropyLoss()(tensor([[1.0, 2.0, 3.0]]), tensor([2])).item()  # doctest: +ELLIPSIS
    0.4076...
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import Tensor, Value, apply
from autograd import tensor_ops as T
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

Predictions = Value | Sequence[Value]
Targets = float | Value | Sequence[float | Value]


def _pairs(
    predictions: Predictions, targets: Targets, loss: str
) -> list[tuple[Value, Value | float]]:
    if isinstance(predictions, np.ndarray):
        raise TypeError(
            f"{loss}: got a numpy array; wrap predictions as autograd.Tensor(...) "
            "(or give Values) so gradients can flow back"
        )
    preds = [predictions] if isinstance(predictions, Value) else list(predictions)
    if not all(isinstance(p, Value) for p in preds):
        kinds = sorted({type(p).__name__ for p in preds if not isinstance(p, Value)})
        raise TypeError(f"{loss}: predictions must be Values or one Tensor, got {', '.join(kinds)}")
    if isinstance(targets, (int, float, Value)):
        targs: list[Value | float] = [targets]
    else:
        targs = list(targets)
    if len(preds) != len(targs):
        raise ValueError(f"{loss}: {len(preds)} predictions but {len(targs)} targets")
    if not preds:
        raise ValueError(f"{loss}: no predictions")
    return list(zip(preds, targs))


def _reduce(terms: list[Value], reduction: str, loss: str) -> Value:
    total = Value.sum(terms) if len(terms) > 1 else terms[0]
    if reduction == "mean":
        out = total / len(terms) if len(terms) > 1 else total
    elif reduction == "sum":
        out = total
    else:
        raise ValueError(f"{loss}: reduction must be 'mean' or 'sum', got {reduction!r}")
    out.label = out.label or "loss"
    return out


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
    data = targets.data if isinstance(targets, Tensor) else np.asarray(targets)
    if data.shape != predictions.shape:
        raise ValueError(
            f"{loss}: the target's shape {data.shape} differs from the input's shape "
            f"{predictions.shape} (give one target per prediction)"
        )
    return Tensor(data, dtype=predictions.dtype)


def _class_indices(targets: Any, logits: Tensor) -> Tensor:
    """Targets as an int64 Tensor of class indices, checked against the logits."""
    data = targets.data if isinstance(targets, Tensor) else np.asarray(targets)
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


def _tensor_loss(op: T.TensorOp, predictions: Tensor, targets: Tensor) -> Tensor:
    out = apply(op, predictions, targets)
    out.label = "loss"
    return out


def mse_loss(predictions: Predictions, targets: Targets, reduction: str = "mean") -> Any:
    """Mean squared error, mean of (prediction − target)².

    >>> from autograd import Value
    >>> mse_loss(Value(7.0), 5.0).data
    4.0
    """
    if isinstance(predictions, Tensor):
        T._check_reduction(reduction)
        squares = (predictions - _labels_like(targets, predictions, "mse_loss")) ** 2
        out = (
            squares.mean()
            if reduction == "mean"
            else squares.sum()
            if reduction == "sum"
            else squares
        )
        out.label = "loss"
        return out
    terms = [(p - t) ** 2 for p, t in _pairs(predictions, targets, "mse_loss")]
    return _reduce(terms, reduction, "mse_loss")


def binary_cross_entropy(
    predictions: Predictions, targets: Targets, reduction: str = "mean"
) -> Any:
    """Binary cross-entropy of probabilities p in [0, 1]: −[y·log p + (1 − y)·log(1 − p)].

    One node per prediction (PyTorch has one op for it too), finite even for p = 0 or 1:
    each log is limited to −100, as in PyTorch's BCELoss.

    >>> from autograd import Value
    >>> round(binary_cross_entropy(Value(0.8), 1.0).data, 6)
    0.223144
    >>> binary_cross_entropy(Value(0.0), 1.0).data
    100.0
    """
    if isinstance(predictions, Tensor):
        labels = _labels_like(targets, predictions, "binary_cross_entropy")
        op = T.binary_cross_entropy(reduction)
        return _tensor_loss(op, predictions, labels)
    # A Value label is the op's second input, so it gets its gradient too.
    terms = [
        p.binary_cross_entropy(y) for p, y in _pairs(predictions, targets, "binary_cross_entropy")
    ]
    return _reduce(terms, reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(
    logits: Predictions, targets: Targets, reduction: str = "mean"
) -> Any:
    """Binary cross-entropy of σ(z), computed from the logit z without ever forming σ(z).

    softplus(z) − y·z equals −[y·log σ(z) + (1 − y)·log(1 − σ(z))] and stays exact for
    any z, where σ(z) would round to 0 or 1.

    >>> from autograd import Value
    >>> round(binary_cross_entropy_with_logits(Value(0.0), 1.0).data, 6)
    0.693147
    >>> binary_cross_entropy_with_logits(Value(-800.0), 1.0).data
    800.0
    """
    if isinstance(logits, Tensor):
        labels = _labels_like(targets, logits, "binary_cross_entropy_with_logits")
        op = T.binary_cross_entropy_with_logits(reduction)
        return _tensor_loss(op, logits, labels)
    terms = [
        z.softplus() - y * z for z, y in _pairs(logits, targets, "binary_cross_entropy_with_logits")
    ]
    return _reduce(terms, reduction, "binary_cross_entropy_with_logits")


def hinge_loss(scores: Predictions, targets: Targets, reduction: str = "mean") -> Value:
    """The SVM hinge loss max(0, 1 − y·score), for labels y = ±1 (micrograd's demo loss).

    >>> from autograd import Value
    >>> hinge_loss([Value(0.5), Value(-2.0)], [1.0, -1.0]).data
    0.25
    """
    if isinstance(scores, Tensor):
        raise TypeError("hinge_loss takes Values; for Tensors write (1 - y * scores).relu().mean()")
    terms = [(1.0 - y * s).relu() for s, y in _pairs(scores, targets, "hinge_loss")]
    return _reduce(terms, reduction, "hinge_loss")


def _shifted(logits: Sequence[Value]) -> list[Value]:
    if isinstance(logits, Tensor) or not all(isinstance(v, Value) for v in logits):
        raise TypeError("softmax here takes a list of Values; for a Tensor use x.softmax(dim)")
    if not logits:
        raise ValueError("softmax: no logits")
    # Subtracting the largest logit changes nothing mathematically but keeps exp from overflowing.
    peak = max(v.data for v in logits)
    return [(v - peak) for v in logits]


def softmax(logits: Sequence[Value]) -> list[Value]:
    """eˣⁱ / Σⱼ eˣʲ over a list of Values, stable for large logits (Tensors: ``x.softmax(dim)``).

    >>> from autograd import Value
    >>> [round(p.data, 4) for p in softmax([Value(1.0), Value(2.0), Value(3.0)])]
    [0.09, 0.2447, 0.6652]
    """
    shifted = _shifted(logits)
    exps = [s.exp() for s in shifted]
    total = Value.sum(exps)
    return [e / total for e in exps]


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
    if isinstance(logits, Tensor):
        indices = _class_indices(target, _floating(logits, "cross_entropy"))
        return _tensor_loss(T.cross_entropy(reduction), logits, indices)
    if isinstance(logits, np.ndarray) or not all(isinstance(v, Value) for v in logits):
        raise TypeError(
            "cross_entropy: give one example's logits as a list of Values, or a batch as a "
            "Tensor of shape (N, classes) with a Tensor of N class indices"
        )
    if not isinstance(target, (int, np.integer)) or isinstance(target, bool):
        raise TypeError(f"cross_entropy: the target must be a class index (an int), got {target!r}")
    if not 0 <= target < len(logits):
        raise ValueError(f"cross_entropy: target class {target} is not in 0..{len(logits) - 1}")
    shifted = _shifted(logits)
    log_sum_exp = Value.sum([s.exp() for s in shifted]).log()
    loss = log_sum_exp - shifted[target]
    loss.label = "loss"
    return loss


class _Loss(Module):
    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
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
        if isinstance(input, Tensor):
            return cross_entropy(input, target, self.reduction)
        if self.reduction != "mean":
            raise ValueError("CrossEntropyLoss on a list of Values takes one example")
        return cross_entropy(input, target)
