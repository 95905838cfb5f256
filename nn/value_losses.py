"""The losses on Values: small graphs of scalar ops that a learner can narrate and draw.

Each takes one prediction or a list of them (targets likewise) and reduces by ``"mean"`` or
``"sum"``. :mod:`nn.losses` is the public face that sends Values here and Tensors to
:mod:`nn.tensor_losses`; use these directly only to say "Values only".

    >>> from autograd import Value
    >>> mse_loss([Value(2.0), Value(0.0)], [1.0, 0.0]).data
    0.5
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from autograd import Value
from autograd.tensors.ops import check_reduction

__all__ = [
    "mse_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "hinge_loss",
    "softmax",
    "cross_entropy",
]

Predictions = Value | Sequence[Value]
Targets = float | Value | Sequence[float | Value]

#: A list of Values has no per-element result to keep, so "none" is a Tensor-only reduction.
VALUE_REDUCTIONS = ("mean", "sum")


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
    check_reduction(reduction, loss, VALUE_REDUCTIONS)
    total = Value.sum(terms) if len(terms) > 1 else terms[0]
    out = total / len(terms) if reduction == "mean" and len(terms) > 1 else total
    out.label = out.label or "loss"
    return out


def mse_loss(predictions: Predictions, targets: Targets, reduction: str = "mean") -> Value:
    """Mean of (prediction − target)² over Values.

    >>> from autograd import Value
    >>> mse_loss(Value(7.0), 5.0).data
    4.0
    """
    terms = [(p - t) ** 2 for p, t in _pairs(predictions, targets, "mse_loss")]
    return _reduce(terms, reduction, "mse_loss")


def binary_cross_entropy(
    predictions: Predictions, targets: Targets, reduction: str = "mean"
) -> Value:
    """−[y·log p + (1 − y)·log(1 − p)], one BCE node per prediction, logs limited to −100.

    >>> from autograd import Value
    >>> binary_cross_entropy(Value(0.0), 1.0).data
    100.0
    """
    # A Value label is the op's second input, so it gets its gradient too.
    pairs = _pairs(predictions, targets, "binary_cross_entropy")
    return _reduce([p.binary_cross_entropy(y) for p, y in pairs], reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(
    logits: Predictions, targets: Targets, reduction: str = "mean"
) -> Value:
    """softplus(z) − y·z: the cross-entropy of σ(z), exact for any z.

    >>> from autograd import Value
    >>> binary_cross_entropy_with_logits(Value(-800.0), 1.0).data
    800.0
    """
    name = "binary_cross_entropy_with_logits"
    terms = [z.softplus() - y * z for z, y in _pairs(logits, targets, name)]
    return _reduce(terms, reduction, name)


def hinge_loss(scores: Predictions, targets: Targets, reduction: str = "mean") -> Value:
    """max(0, 1 − y·score) for labels y = ±1 (micrograd's demo loss).

    >>> from autograd import Value
    >>> hinge_loss([Value(0.5), Value(-2.0)], [1.0, -1.0]).data
    0.25
    """
    terms = [(1.0 - y * s).relu() for s, y in _pairs(scores, targets, "hinge_loss")]
    return _reduce(terms, reduction, "hinge_loss")


def _shifted(logits: Sequence[Value], where: str) -> list[Value]:
    if isinstance(logits, np.ndarray) or not all(isinstance(v, Value) for v in logits):
        raise TypeError(
            f"{where} takes one example's logits as a list of Values; "
            "for a Tensor use x.softmax(dim) or a batch of shape (N, classes)"
        )
    if not logits:
        raise ValueError(f"{where}: no logits")
    # Subtracting the largest logit changes nothing mathematically but keeps exp from overflowing.
    peak = max(v.data for v in logits)
    return [(v - peak) for v in logits]


def softmax(logits: Sequence[Value]) -> list[Value]:
    """eˣⁱ / Σⱼ eˣʲ over a list of Values, stable for large logits.

    >>> from autograd import Value
    >>> [round(p.data, 4) for p in softmax([Value(1.0), Value(2.0), Value(3.0)])]
    [0.09, 0.2447, 0.6652]
    """
    exps = [s.exp() for s in _shifted(logits, "softmax")]
    total = Value.sum(exps)
    return [e / total for e in exps]


def cross_entropy(logits: Sequence[Value], target: int, reduction: str = "mean") -> Value:
    """log Σⱼ eˣʲ − x_target for one example: a list of logits and its target class.

    >>> from autograd import Value
    >>> round(cross_entropy([Value(1.0), Value(2.0), Value(3.0)], 2).data, 6)
    0.407606
    """
    check_reduction(reduction, "cross_entropy", VALUE_REDUCTIONS)
    shifted = _shifted(logits, "cross_entropy")
    if not isinstance(target, (int, np.integer)) or isinstance(target, bool):
        raise TypeError(f"cross_entropy: the target must be a class index (an int), got {target!r}")
    if not 0 <= target < len(logits):
        raise ValueError(f"cross_entropy: target class {target} is not in 0..{len(logits) - 1}")
    log_sum_exp = Value.sum([s.exp() for s in shifted]).log()
    loss = log_sum_exp - shifted[target]
    loss.label = "loss"
    return loss
