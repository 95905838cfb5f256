"""Losses built from Values: each one a small graph you can narrate and draw.

Every loss takes one prediction or a list of them (targets likewise) and averages over the
items, as PyTorch's default ``reduction="mean"`` does; pass ``reduction="sum"`` to add them.

    >>> from autograd import Value
    >>> mse_loss([Value(2.0), Value(0.0)], [1.0, 0.0]).data
    0.5
"""

from __future__ import annotations

from collections.abc import Sequence

from autograd import Value

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


def _pairs(
    predictions: Predictions, targets: Targets, loss: str
) -> list[tuple[Value, Value | float]]:
    preds = [predictions] if isinstance(predictions, Value) else list(predictions)
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


def mse_loss(predictions: Predictions, targets: Targets, reduction: str = "mean") -> Value:
    """Mean squared error, mean of (prediction − target)².

    >>> from autograd import Value
    >>> mse_loss(Value(7.0), 5.0).data
    4.0
    """
    terms = [(p - t) ** 2 for p, t in _pairs(predictions, targets, "mse_loss")]
    return _reduce(terms, reduction, "mse_loss")


def binary_cross_entropy(
    predictions: Predictions, targets: Targets, reduction: str = "mean"
) -> Value:
    """Binary cross-entropy of probabilities p in [0, 1]: −[y·log p + (1 − y)·log(1 − p)].

    One node per prediction (PyTorch has one op for it too), finite even for p = 0 or 1:
    each log is limited to −100, as in PyTorch's BCELoss.

    >>> from autograd import Value
    >>> round(binary_cross_entropy(Value(0.8), 1.0).data, 6)
    0.223144
    >>> binary_cross_entropy(Value(0.0), 1.0).data
    100.0
    """
    terms = []
    for p, y in _pairs(predictions, targets, "binary_cross_entropy"):
        terms.append(p.binary_cross_entropy(y.data if isinstance(y, Value) else float(y)))
    return _reduce(terms, reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(
    logits: Predictions, targets: Targets, reduction: str = "mean"
) -> Value:
    """Binary cross-entropy of σ(z), computed from the logit z without ever forming σ(z).

    softplus(z) − y·z equals −[y·log σ(z) + (1 − y)·log(1 − σ(z))] and stays exact for
    any z, where σ(z) would round to 0 or 1.

    >>> from autograd import Value
    >>> round(binary_cross_entropy_with_logits(Value(0.0), 1.0).data, 6)
    0.693147
    >>> binary_cross_entropy_with_logits(Value(-800.0), 1.0).data
    800.0
    """
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
    terms = [(1.0 - y * s).relu() for s, y in _pairs(scores, targets, "hinge_loss")]
    return _reduce(terms, reduction, "hinge_loss")


def _shifted(logits: Sequence[Value]) -> tuple[list[Value], float]:
    if not logits:
        raise ValueError("softmax: no logits")
    # Subtracting the largest logit changes nothing mathematically but keeps exp from overflowing.
    peak = max(v.data for v in logits)
    return [(v - peak) for v in logits], peak


def softmax(logits: Sequence[Value]) -> list[Value]:
    """eˣⁱ / Σⱼ eˣʲ over a list of Values, stable for large logits.

    >>> from autograd import Value
    >>> [round(p.data, 4) for p in softmax([Value(1.0), Value(2.0), Value(3.0)])]
    [0.09, 0.2447, 0.6652]
    """
    shifted, _ = _shifted(logits)
    exps = [s.exp() for s in shifted]
    total = Value.sum(exps)
    return [e / total for e in exps]


def cross_entropy(logits: Sequence[Value], target: int) -> Value:
    """Softmax cross-entropy of one example: log Σⱼ eˣʲ − x_target, stable for large logits.

    >>> from autograd import Value
    >>> round(cross_entropy([Value(1.0), Value(2.0), Value(3.0)], 2).data, 6)
    0.407606
    """
    if not 0 <= target < len(logits):
        raise ValueError(f"cross_entropy: target class {target} is not in 0..{len(logits) - 1}")
    shifted, _ = _shifted(logits)
    log_sum_exp = Value.sum([s.exp() for s in shifted]).log()
    loss = log_sum_exp - shifted[target]
    loss.label = "loss"
    return loss
