"""The loss Tensor records: softmax and log_softmax, and the fused losses (cross-entropy,
binary cross-entropy, from probabilities or from logits), one node each, as in PyTorch.

Each loss takes a ``reduction`` (``"mean"``, ``"sum"`` or ``"none"``) and has a fused, stable
gradient: softmax(z) − onehot(target) for cross-entropy, σ(z) − y from logits. Binary
cross-entropy is the scalar record :data:`autograd.scalar.ops.BCE` run on every entry: its
loss (logs limited to −100) and its slopes are written once, there.

    >>> op = cross_entropy("mean")
    >>> round(float(op.forward(np.array([[1.0, 2.0, 3.0]]), np.array([2]))), 6)
    0.407606
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np

from ...engine.records import OpDomainError
from ...scalar import ops
from .arithmetic import SIGMOID
from .tensor_op import (
    Array,
    Grads,
    TensorOp,
    add_reduce,
    add_up,
    as_dtype,
    exp_of,
    is_array,
    max_reduce,
    numbers,
    reads_input_and_result,
    reads_inputs,
    run,
)

__all__ = [
    "softmax",
    "log_softmax",
    "REDUCTIONS",
    "check_reduction",
    "cross_entropy",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
]

#: upstream · d BCE/dp and upstream · d BCE/dy: the scalar record's own rules.
_bce_share_of_p, _bce_share_of_y = ops.BCE.shares or ()


def _in_float32(node: Any, forward: Callable[[Array], Array]) -> Any:
    """A float16 softmax's result again in float32, from its input: the backward then rounds
    once, at the end. Rebuilt from the float16 result, its error was up to twice PyTorch's
    float16 error (an ulp of s, times Σ upstream). Under create_graph the result is used."""
    x = node.parents[0].array
    if type(x) is np.ndarray:
        return forward(x.astype(np.float32))
    return as_dtype(node.array, np.dtype(np.float32))


def _reads_result_and_half_input(node: Any) -> tuple[Any, ...]:
    # A float16 backward reads the input as well (_in_float32), so an in-place change of it
    # after the forward pass is refused there.
    return reads_input_and_result(node) if node.array.dtype == np.float16 else (node,)


@lru_cache(maxsize=64)
def softmax(axis: int) -> TensorOp:
    """exp(a) / Σ exp(a) along ``axis``, computed after subtracting the maximum (stable).

    >>> softmax(-1).forward(np.array([1000.0, 1000.0]))
    array([0.5, 0.5])
    """

    def forward(a: Array) -> Array:
        if a.size == 0:  # nothing to normalise: an empty result, as in PyTorch
            return np.empty(a.shape, a.dtype)
        if a.dtype == np.float16:  # in float32, rounded once, as PyTorch's kernels do
            return forward(a.astype(np.float32)).astype(np.float16)
        e = np.exp(a - max_reduce(a, axis=axis, keepdims=True))
        e /= add_reduce(e, axis=axis, keepdims=True)
        return e

    def backward(node: Any, g: Array) -> Grads:
        s = node.array
        if s.dtype == np.float16:  # in float32, rounded once, as PyTorch's kernels do
            s32, g32 = _in_float32(node, forward), as_dtype(g, np.dtype(np.float32))
            return (as_dtype(s32 * (g32 - add_up(g32 * s32, axis, True)), s.dtype),)
        return (s * (g - add_up(g * s, axis=axis, keepdims=True)),)

    return TensorOp(
        name="softmax",
        symbol="softmax",
        template=f"softmax({{0}}, axis={axis})",
        forward=forward,
        backward=backward,
        formulas=("d softmax(a)/da: s·(upstream − Σ upstream·s), s = softmax(a)",),
        doc=f"softmax along axis {axis}",
        floating=True,
        nan_from_inf=True,  # x − max(x) is inf − inf at an inf
        reads=_reads_result_and_half_input,
    )


@lru_cache(maxsize=64)
def log_softmax(axis: int) -> TensorOp:
    """a − log Σ exp(a) along ``axis``, computed after subtracting the maximum (stable).

    >>> log_softmax(-1).forward(np.array([1000.0, 1000.0]))
    array([-0.69314718, -0.69314718])
    """

    def forward(a: Array) -> Array:
        if a.size == 0:  # as softmax
            return np.empty(a.shape, a.dtype)
        if a.dtype == np.float16:  # as softmax
            return forward(a.astype(np.float32)).astype(np.float16)
        shifted = a - max_reduce(a, axis=axis, keepdims=True)
        shifted -= np.log(add_reduce(np.exp(shifted), axis=axis, keepdims=True))
        return shifted

    def backward(node: Any, g: Array) -> Grads:
        out = node.array
        if out.dtype == np.float16:  # in float32, rounded once, as PyTorch's kernels do
            o32, g32 = _in_float32(node, forward), as_dtype(g, np.dtype(np.float32))
            return (as_dtype(g32 - exp_of(o32) * add_up(g32, axis, True), out.dtype),)
        return (g - exp_of(out) * add_up(g, axis=axis, keepdims=True),)

    return TensorOp(
        name="log_softmax",
        symbol="log_softmax",
        template=f"log_softmax({{0}}, axis={axis})",
        forward=forward,
        backward=backward,
        formulas=("d log_softmax(a)/da: upstream − softmax(a)·Σ upstream",),
        doc=f"log of softmax along axis {axis}",
        floating=True,
        nan_from_inf=True,  # x − max(x) is inf − inf at an inf
        reads=_reads_result_and_half_input,
    )


# --- losses: one node each, as in PyTorch, with their fused, stable gradients ------------


def _reduce_loss(losses: Array, reduction: str) -> Array:
    if reduction == "mean":
        if losses.size == 0:  # PyTorch returns NaN here; like Tensor.mean, say so instead
            raise OpDomainError("the mean loss of an empty batch has no value")
        return add_reduce(losses, axis=None) / losses.size
    if reduction == "sum":
        return add_reduce(losses, axis=None)
    return losses


def _loss_upstream(g: Array, like: Array, reduction: str) -> Array:
    """d(reduced loss)/d(each element's loss), times the upstream gradient."""
    if reduction == "mean":
        return g / max(numbers(like).size, 1)
    return g  # "sum": the same upstream for every element; "none": one per element


#: The reductions a loss can apply, as PyTorch names them.
REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction: str, loss: str = "", allowed: tuple[str, ...] = REDUCTIONS) -> None:
    """The one check of a loss's ``reduction`` argument, shared by every loss and loss module.

    >>> check_reduction("avg", "mse_loss")
    Traceback (most recent call last):
    ValueError: mse_loss: reduction must be 'mean', 'sum' or 'none', got 'avg'
    """
    if reduction not in allowed:
        choices = ", ".join(repr(r) for r in allowed[:-1]) + f" or {allowed[-1]!r}"
        where = f"{loss}: " if loss else ""
        raise ValueError(f"{where}reduction must be {choices}, got {reduction!r}")


@lru_cache(maxsize=8)
def cross_entropy(reduction: str = "mean") -> TensorOp:
    """Softmax cross-entropy of logits (N, C) against class indices (N,): log Σ eᶻ − z_target.

    The gradient is softmax(z) − onehot(target): exact and stable for any logits.

    >>> op = cross_entropy("mean")
    >>> round(float(op.forward(np.array([[1.0, 2.0, 3.0]]), np.array([2]))), 6)
    0.407606
    """
    check_reduction(reduction)

    log_probabilities = log_softmax(1).forward  # the stable shift-by-max, defined there once

    def forward(logits: Array, targets: Array) -> Array:
        if reduction == "mean" and len(targets) == 0:
            raise OpDomainError("cross-entropy of an empty batch has no mean")
        picked = log_probabilities(logits)[np.arange(len(targets)), targets]
        return _reduce_loss(-picked, reduction)

    def backward(node: Any, g: Array) -> Grads:
        logits, targets = node.parents[0].array, numbers(node.parents[1].array)
        rows = np.arange(len(targets))
        scale = _loss_upstream(g, targets, reduction)
        if reduction == "none":
            scale = scale[:, None]
        if not is_array(logits) or logits.dtype == np.float16 or logits.size == 0:
            onehot = np.zeros(logits.shape, logits.dtype)  # Tensors under create_graph
            onehot[rows, targets] = 1
            return ((exp_of(run(log_softmax(1), logits)) - onehot) * scale, None)
        # Arrays: the probabilities worked out again in one fresh array, changed in place.
        grad = logits - max_reduce(logits, axis=1, keepdims=True)
        np.exp(grad, out=grad)
        grad /= add_reduce(grad, axis=1, keepdims=True)
        grad[rows, targets] -= 1  # minus the one-hot of the targets
        grad *= scale
        return (grad, None)

    return TensorOp(
        name="cross_entropy",
        symbol="CE",
        template=f"cross_entropy({{0}}, {{1}}, {reduction})",
        forward=forward,
        backward=backward,
        formulas=(
            "d CE/dz = softmax(z) − onehot(target)",
            "targets are class indices: no gradient",
        ),
        doc=f"softmax cross-entropy ({reduction})",
        nan_from_inf=True,  # x − max(x) is inf − inf at an inf
        # The fused node works the probabilities out again from the logits: it reads them.
        reads=reads_inputs,
    )


@lru_cache(maxsize=8)
def binary_cross_entropy(reduction: str = "mean") -> TensorOp:
    """−[y·log p + (1 − y)·log(1 − p)] of probabilities p against labels y, logs limited to −100:
    the scalar :data:`autograd.scalar.ops.BCE` on every entry, then reduced.

    >>> op = binary_cross_entropy("mean")
    >>> round(float(op.forward(np.array([0.8]), np.array([1.0]))), 6)
    0.223144
    """
    check_reduction(reduction)

    def forward(p: Array, y: Array) -> Array:
        outside = ~((p >= 0) & (p <= 1))  # NaN too: PyTorch refuses it here
        if outside.any():
            bad = float(p[outside].flat[0])
            raise OpDomainError(
                f"binary cross-entropy needs probabilities in [0, 1], got {bad!r} "
                "(apply sigmoid first, or use BCEWithLogitsLoss on the raw scores)"
            )
        wrong = ~((y >= 0) & (y <= 1))  # NaN too, as in PyTorch
        if wrong.any():
            bad = float(y[wrong].flat[0])
            raise OpDomainError(f"binary cross-entropy needs labels in [0, 1], got {bad!r}")
        return _reduce_loss(ops.bce_loss(p, y), reduction)  # the scalar loss, entry by entry

    def backward(node: Any, g: Array) -> Grads:
        p, y = node.parents[0].array, node.parents[1].array
        upstream = _loss_upstream(g, p, reduction)
        # The scalar record's slopes, entry by entry (they read p and y, not the loss). Labels
        # rarely need a gradient, but soft labels that are learned do (as in PyTorch).
        learned = node.parents[1].requires_grad
        label_grad = _bce_share_of_y(upstream, p, y, None) if learned else None
        return (_bce_share_of_p(upstream, p, y, None), label_grad)

    return TensorOp(
        name="bce",
        symbol="BCE",
        template=f"bce({{0}}, {{1}}, {reduction})",
        forward=forward,
        backward=backward,
        formulas=("d BCE/dp = (p − y) / (p·(1 − p))", "d BCE/dy = log(1 − p) − log p"),
        doc=f"binary cross-entropy ({reduction})",
        reads=reads_inputs,
    )


@lru_cache(maxsize=8)
def binary_cross_entropy_with_logits(reduction: str = "mean") -> TensorOp:
    """Binary cross-entropy of σ(z) from the logits z: softplus(z) − y·z, stable for any z.

    >>> op = binary_cross_entropy_with_logits("sum")
    >>> float(op.forward(np.array([-800.0]), np.array([1.0])))
    800.0
    """
    check_reduction(reduction)

    def forward(z: Array, y: Array) -> Array:
        softplus = np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))
        return _reduce_loss(softplus - y * z, reduction)

    def backward(node: Any, g: Array) -> Grads:
        z, y = node.parents[0].array, node.parents[1].array
        upstream = _loss_upstream(g, z, reduction)
        label_grad = -z * upstream if node.parents[1].requires_grad else None
        return ((run(SIGMOID, z) - y) * upstream, label_grad)

    return TensorOp(
        name="bce_logits",
        symbol="BCE(σ)",
        template=f"bce_with_logits({{0}}, {{1}}, {reduction})",
        forward=forward,
        backward=backward,
        formulas=("d BCE(σ(z))/dz = σ(z) − y", "d BCE(σ(z))/dy = −z"),
        doc=f"binary cross-entropy from logits ({reduction})",
        nan_from_inf=True,  # softplus(z) − y·z is inf − inf at z = inf
        reads=reads_inputs,
    )
