"""PyTorch's ``torch.nn.functional``: every layer and loss of tracegrad as a function.

Tensor in, Tensor out, with PyTorch's names, keywords and defaults (``dim=``, ``reduction=``,
``training=``), so ``import nn.functional as F`` stands in for ``import torch.nn.functional as
F``. Each function runs Tensor ops (their records live in :mod:`autograd.tensors.ops`), so what
it computes is narrated, drawn and differentiated like any op; none does math of its own.

An option tracegrad does not have is an error naming it, never silently ignored.
:func:`softmax` here is PyTorch's, on a Tensor; ``nn.softmax`` is the one that takes a list of
Values (one example's logits).

    >>> import autograd as torch
    >>> import nn.functional as F
    >>> logits = torch.tensor([[2.0, 0.0, 0.0]])
    >>> F.softmax(logits, dim=1).argmax().item()
    0
    >>> round(F.cross_entropy(logits, torch.tensor([0])).item(), 4)
    0.2395
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, default_generator
from autograd import tensor as make_tensor
from autograd.tensors.ops import check_reduction
from autograd.tensors.spatial import (
    adaptive_avg_pool2d,
    adaptive_max_pool2d,
    avg_pool2d,
    batch_norm,
    conv2d,
    max_pool2d,
    pad,
)
from nn import tensor_losses

__all__ = [
    "relu",
    "sigmoid",
    "tanh",
    "softmax",
    "log_softmax",
    "leaky_relu",
    "softplus",
    "dropout",
    "linear",
    "one_hot",
    "cross_entropy",
    "nll_loss",
    "mse_loss",
    "l1_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    # images (autograd.tensors.spatial): convolution, pooling, padding, batch normalization
    "conv2d",
    "max_pool2d",
    "avg_pool2d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool2d",
    "pad",
    "batch_norm",
]


# --- checking what PyTorch's signatures allow --------------------------------------------


def _tensor(x: Any, where: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (list, tuple)) and x and all(hasattr(v, "parents") for v in x):
        raise TypeError(
            f"F.{where} takes a Tensor, got a list of Values: for Values use nn.{where} where "
            "it exists (nn.softmax, nn.cross_entropy, ...) or build the Tensor first"
        )
    raise TypeError(f"F.{where} takes a Tensor, got {type(x).__name__}")


def _refuse(where: str, **given: Any) -> None:
    """An option PyTorch has and tracegrad lacks: an error naming it if it asks for anything."""
    for name, value in given.items():
        if value:
            raise NotImplementedError(
                f"F.{where}: {name}={value!r} is not supported by tracegrad (leave it at its "
                "default, or write the computation out with Tensor ops)"
            )


def _reduction(where: str, size_average: Any, reduce: Any, reduction: str) -> str:
    """PyTorch's legacy ``size_average``/``reduce`` arguments, turned into ``reduction``."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "none" if not reduce else "mean" if size_average else "sum"
    check_reduction(reduction, f"F.{where}")
    return reduction


def _reduced(losses: Tensor, reduction: str, count: Any = None) -> Tensor:
    """Losses per element reduced as ``reduction`` says; ``count`` divides a mean if given."""
    if reduction == "none":
        out = losses
    elif reduction == "sum" or count is not None:
        out = losses.sum()
        if reduction == "mean":
            out = out / count
    else:
        out = losses.mean()
    out.label = "loss"
    return out


# --- activations ------------------------------------------------------------------------


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(0, x) elementwise. ``F.relu(torch.tensor([-1.0, 2.0])).tolist() == [0.0, 2.0]``"""
    _refuse("relu", inplace=inplace)
    return _tensor(input, "relu").relu()


def sigmoid(input: Tensor) -> Tensor:
    """1/(1 + e⁻ˣ) elementwise. ``F.sigmoid(torch.zeros(1)).item() == 0.5``"""
    return _tensor(input, "sigmoid").sigmoid()


def tanh(input: Tensor) -> Tensor:
    """tanh(x) elementwise. ``F.tanh(torch.zeros(1)).item() == 0.0``"""
    return _tensor(input, "tanh").tanh()


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x if x > 0 else negative_slope·x.

    >>> import autograd as torch
    >>> leaky_relu(torch.tensor([-2.0, 3.0], dtype=torch.float64), 0.1).tolist()
    [-0.2, 3.0]
    """
    _refuse("leaky_relu", inplace=inplace)
    return _tensor(input, "leaky_relu").leaky_relu(negative_slope)


def _dim(where: str, input: Tensor, dim: int | None) -> int:
    if dim is None:  # PyTorch's old implicit choice, which it warns about: say it instead
        raise TypeError(f"F.{where}: give dim= (the axis to normalise), e.g. dim=1 for (N, C)")
    return dim


def softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    """exp(x) / Σ exp(x) along ``dim``, stable for large inputs (PyTorch's, on a Tensor).

    >>> import autograd as torch
    >>> softmax(torch.zeros(1, 4), dim=1).tolist()
    [[0.25, 0.25, 0.25, 0.25]]
    """
    x = _tensor(input, "softmax")
    x = x if dtype is None else x.to(dtype)
    return x.softmax(dim=_dim("softmax", x, dim))


def log_softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    """x − log Σ exp(x) along ``dim``, stable.

    >>> import autograd as torch
    >>> round(log_softmax(torch.zeros(1, 2), dim=1).tolist()[0][0], 4)
    -0.6931
    """
    x = _tensor(input, "log_softmax")
    x = x if dtype is None else x.to(dtype)
    return x.log_softmax(dim=_dim("log_softmax", x, dim))


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(βx)) / β, stable for any x (``threshold`` is PyTorch's switch to x itself
    for large βx, where both agree to float precision).

    >>> import autograd as torch
    >>> round(softplus(torch.zeros(1)).item(), 4)
    0.6931
    """
    x = _tensor(input, "softplus")
    return x.softplus() if beta == 1.0 else (x * beta).softplus() / beta


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """In training, zero each element with probability ``p`` and scale the rest by 1/(1 − p);
    with ``training=False``, the input unchanged. The mask comes from the generator
    ``autograd.manual_seed`` seeds.

    >>> import autograd as torch
    >>> dropout(torch.ones(3), 0.5, training=False).tolist()
    [1.0, 1.0, 1.0]
    """
    _refuse("dropout", inplace=inplace)
    return masked_dropout(_tensor(input, "dropout"), p, training, default_generator)


def masked_dropout(x: Tensor, p: float, training: bool, rng: np.random.Generator) -> Tensor:
    """Dropout with its random mask drawn from ``rng`` (``nn.Dropout`` passes its own)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability must be between 0 and 1, got {p!r}")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * np.zeros(x.shape, dtype=x.dtype)
    keep = rng.random(x.shape, dtype=np.float32) >= p
    return x * (keep.astype(x.dtype) * x.dtype.type(1.0 / (1.0 - p)))


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x·Wᵀ + b, with W of shape (out_features, in_features) as ``nn.Linear`` holds it.

    >>> import autograd as torch
    >>> linear(torch.ones(2, 3), torch.ones(4, 3), torch.zeros(4)).shape
    (2, 4)
    """
    out = _tensor(input, "linear") @ _tensor(weight, "linear").T
    return out if bias is None else out + bias


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Each class index as a row of zeros with a 1 at that index, int64 (outside the graph);
    ``num_classes=-1`` takes one more than the largest index.

    >>> import autograd as torch
    >>> one_hot(torch.tensor([0, 2]), num_classes=3).tolist()
    [[1, 0, 0], [0, 0, 1]]
    """
    indices = _tensor(tensor, "one_hot").array
    if indices.dtype.kind not in "iu":
        raise TypeError(
            f"F.one_hot: class indices must be integers (int64), got {indices.dtype}; "
            "use .long() first"
        )
    if indices.size and indices.min() < 0:
        raise ValueError(f"F.one_hot: class indices must be >= 0, got {int(indices.min())}")
    classes = int(indices.max()) + 1 if num_classes == -1 and indices.size else num_classes
    if classes < 0 or (indices.size and indices.max() >= classes):
        raise ValueError(
            f"F.one_hot: class index {int(indices.max())} does not fit num_classes={classes}"
        )
    return make_tensor(
        np.eye(classes, dtype=np.int64)[indices.reshape(-1)].reshape(*indices.shape, classes)
    )


# --- losses -----------------------------------------------------------------------------


def _class_losses(where: str, input: Tensor, target: Any) -> tuple[Tensor, Tensor]:
    """(N, C) scores and N class indices, from PyTorch's other layouts: one example of shape
    (C,) with a single index, or (N, C, d1, ...) with targets (N, d1, ...)."""
    x = _tensor(input, where)
    y = target if isinstance(target, Tensor) else make_tensor(target)
    if x.ndim == 1:
        return x.unsqueeze(0), y.reshape(1)
    if x.ndim > 2:  # the classes on axis 1: move them last and treat every position as a row
        order = (0, *range(2, x.ndim), 1)
        return x.permute(*order).reshape(-1, x.shape[1]), y.reshape(-1)
    return x, y


def _unflattened(losses: Tensor, input: Tensor, reduction: str) -> Tensor:
    if reduction != "none" or input.ndim == 2:
        return losses
    if input.ndim == 1:
        return losses.reshape(())
    return losses.reshape(input.shape[0], *input.shape[2:])


def cross_entropy(
    input: Tensor,
    target: Any,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Softmax cross-entropy of scores against class indices (or class probabilities of the
    input's shape), as PyTorch's: one fused node for the plain case, stable for any scores.

    >>> import autograd as torch
    >>> round(cross_entropy(torch.tensor([[1.0, 2.0, 3.0]]), torch.tensor([2])).item(), 6)
    0.407606
    """
    reduction = _reduction("cross_entropy", size_average, reduce, reduction)
    if isinstance(target, Tensor) and target.dtype.kind == "f":  # class probabilities
        x = _tensor(input, "cross_entropy")
        if target.shape != x.shape:
            raise ValueError(
                f"F.cross_entropy: probabilities as targets need the input's shape {x.shape}, "
                f"got {target.shape}"
            )
        classes = 1 if x.ndim > 1 else 0
        soft = (
            target
            if not label_smoothing
            else target * (1 - label_smoothing) + (label_smoothing / x.shape[classes])
        )
        per_class = -(x.log_softmax(dim=classes) * soft)
        if weight is not None:
            shape = [1] * x.ndim
            shape[classes] = -1
            per_class = per_class * weight.reshape(*shape)
        losses = per_class.sum(classes)
        count = x.shape[0] if reduction == "mean" and x.ndim > 1 else None
        return _reduced(losses, reduction, count)
    scores, classes_ = _class_losses("cross_entropy", input, target)
    ignored = classes_.array == ignore_index
    if weight is None and not label_smoothing and not ignored.any():
        out = tensor_losses.cross_entropy(scores, classes_, reduction)
        return _unflattened(out, input, reduction)
    # The general case, written out: each row's loss weighted, smoothed, or left out.
    safe = make_tensor(np.where(ignored, 0, classes_.array))
    losses = tensor_losses.cross_entropy(scores, safe, "none")
    if label_smoothing:
        spread = -scores.log_softmax(dim=1).mean(1)
        losses = losses * (1 - label_smoothing) + spread * label_smoothing
    share = Tensor(~ignored, dtype=scores.dtype)
    if weight is not None:
        share = share * weight.detach()[safe]
    losses = losses * share
    total = share.sum() if reduction == "mean" else None
    return _unflattened(_reduced(losses, reduction, total), input, reduction)


def nll_loss(
    input: Tensor,
    target: Any,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """The negative log-likelihood of log-probabilities (N, C) picked at N class indices:
    ``cross_entropy`` is ``nll_loss(log_softmax(x, 1), y)``.

    >>> import autograd as torch
    >>> nll_loss(torch.tensor([[-1.0, -2.0]]), torch.tensor([1])).item()
    2.0
    """
    reduction = _reduction("nll_loss", size_average, reduce, reduction)
    scores, classes_ = _class_losses("nll_loss", input, target)
    data = classes_.array
    if data.dtype.kind not in "iu":
        raise TypeError(f"F.nll_loss: targets must be class indices (integers), got {data.dtype}")
    ignored = data == ignore_index
    safe = np.where(ignored, 0, data)
    if safe.size and (safe.min() < 0 or safe.max() >= scores.shape[1]):
        raise ValueError(f"F.nll_loss: a target is not a class index for {scores.shape[1]} classes")
    losses = -scores[np.arange(len(safe)), safe]
    share: Any = None
    if ignored.any() or weight is not None:
        share = Tensor(~ignored, dtype=scores.dtype)
        if weight is not None:
            share = share * weight.detach()[safe]
        losses = losses * share
    count = share.sum() if reduction == "mean" and share is not None else None
    return _unflattened(_reduced(losses, reduction, count), input, reduction)


def mse_loss(
    input: Tensor,
    target: Any,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean of (input − target)², as PyTorch's.

    >>> import autograd as torch
    >>> mse_loss(torch.tensor([1.0, 3.0]), torch.tensor([0.0, 0.0])).item()
    5.0
    """
    reduction = _reduction("mse_loss", size_average, reduce, reduction)
    if weight is None:
        return tensor_losses.mse_loss(_tensor(input, "mse_loss"), target, reduction)
    losses = tensor_losses.mse_loss(_tensor(input, "mse_loss"), target, "none") * weight
    return _reduced(losses, reduction)


def l1_loss(
    input: Tensor,
    target: Any,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Mean of |input − target|.

    >>> import autograd as torch
    >>> l1_loss(torch.tensor([1.0, -3.0]), torch.tensor([0.0, 0.0])).item()
    2.0
    """
    reduction = _reduction("l1_loss", size_average, reduce, reduction)
    x = _tensor(input, "l1_loss")
    return _reduced((x - target).abs(), reduction)


def binary_cross_entropy(
    input: Tensor,
    target: Any,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """−[y·log p + (1 − y)·log(1 − p)] of probabilities, logs limited to −100 as in PyTorch.

    >>> import autograd as torch
    >>> round(binary_cross_entropy(torch.tensor([0.8]), torch.tensor([1.0])).item(), 5)
    0.22314
    """
    reduction = _reduction("binary_cross_entropy", size_average, reduce, reduction)
    x = _tensor(input, "binary_cross_entropy")
    if weight is None:
        return tensor_losses.binary_cross_entropy(x, target, reduction)
    return _reduced(tensor_losses.binary_cross_entropy(x, target, "none") * weight, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Any,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Binary cross-entropy of σ(x) computed from the logits x, exact for any x.

    >>> import autograd as torch
    >>> binary_cross_entropy_with_logits(torch.tensor([-800.0]), torch.tensor([1.0])).item()
    800.0
    """
    reduction = _reduction("binary_cross_entropy_with_logits", size_average, reduce, reduction)
    x = _tensor(input, "binary_cross_entropy_with_logits")
    if weight is None and pos_weight is None:
        return tensor_losses.binary_cross_entropy_with_logits(x, target, reduction)
    if pos_weight is None:
        losses = tensor_losses.binary_cross_entropy_with_logits(x, target, "none")
    else:  # (1 − y)·x + (1 + (w − 1)·y)·softplus(−x), PyTorch's form
        y = target if isinstance(target, Tensor) else Tensor(target, dtype=x.dtype)
        losses = (1 - y) * x + (1 + (pos_weight - 1) * y) * (-x).softplus()
    return _reduced(losses if weight is None else losses * weight, reduction)
