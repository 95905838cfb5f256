"""The batch normalization Tensor record: one node, as PyTorch's ``batch_norm``.

Each channel (axis 1) is normalized over every other axis: ``x̂ = (x − μ) / √(σ² + eps)``,
then scaled and shifted, ``y = γ·x̂ + β``. In training, μ and σ² are the batch's own (σ²
biased, divided by the count ``n``), so every output depends on every input of its channel,
and the gradient says so:

    dx = γ/√(σ² + eps) · (g − mean(g) − x̂ · mean(g·x̂))

In evaluation, μ and σ² are the running statistics (constants the node keeps), and the
gradient is ``g · γ/√(σ² + eps)``. Both rules are written once with arithmetic that runs on
arrays and on Tensors, so a batch norm can be differentiated twice.

    >>> op = batch_norm(2, 1e-5, True, (False, False))
    >>> y = op.forward(np.array([[1.0], [3.0]]))
    >>> y.round(4).tolist(), op.render(["x"])
    ([[-1.0], [1.0]], 'batch_norm(x)')
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from .tensor_op import Array, Grads, TensorOp, add_up, reads_inputs

__all__ = ["batch_norm", "channel_axes"]


def channel_axes(ndim: int) -> tuple[int, ...]:
    """The axes a batch norm averages over: all but the channels (axis 1).

    >>> channel_axes(4)
    (0, 2, 3)
    """
    return (0, *range(2, ndim))


def _per_channel(v: Any, ndim: int) -> Any:
    """A ``(C,)`` array or Tensor shaped to broadcast along axis 1 of an ``ndim`` input."""
    return v.reshape((1, -1) + (1,) * (ndim - 2))


@lru_cache(maxsize=64)
def batch_norm(ndim: int, eps: float, training: bool, affine: tuple[bool, bool]) -> TensorOp:
    """Batch normalization of an ``ndim``-axis input over every axis but the channels (1):
    with the batch's statistics (``training``) or the running ones (the node's ctx,
    ``(running_mean, running_var)``). ``affine`` says whether a weight γ and a bias β follow
    the input (in that order).

    >>> batch_norm(4, 1e-5, False, (True, True)).render(["x", "γ", "β"])
    'batch_norm(x, γ, β, eval)'
    """
    axes = channel_axes(ndim)
    has_weight, has_bias = affine

    def statistics(x: Any) -> tuple[Any, Any, Any]:
        """x̂, 1/√(σ² + eps) and the count, from the batch: for arrays or Tensors."""
        n = x.size if isinstance(x, np.ndarray) else x.array.size
        n //= x.shape[1]
        centred = x - add_up(x, axis=axes, keepdims=True) / n
        inverse = (add_up(centred * centred, axis=axes, keepdims=True) / n + eps) ** -0.5
        return centred * inverse, inverse, n

    def running(x: Any, ctx: Any) -> tuple[Any, Any]:
        mean, var = ctx
        inverse = _per_channel((var + eps) ** -0.5, ndim).astype(x.dtype)
        return (x - _per_channel(mean, ndim).astype(x.dtype)) * inverse, inverse

    def forward(x: Array, *rest: Any) -> Array:
        if training:
            normal, _, _ = statistics(x)
        else:
            normal, _ = running(x, rest[-1])
        parameters = list(rest[: has_weight + has_bias])
        if has_weight:
            normal = normal * _per_channel(parameters.pop(0), ndim)
        if has_bias:
            normal = normal + _per_channel(parameters.pop(0), ndim)
        return normal.astype(x.dtype, copy=False)

    def backward(node: Any, g: Any) -> Grads:
        x, *parameters = node.parents
        scaled = g * _per_channel(parameters[0].array, ndim) if has_weight else g
        if training:
            normal, inverse, n = statistics(x.array)
            mean_g = add_up(scaled, axis=axes, keepdims=True) / n
            mean_gx = add_up(scaled * normal, axis=axes, keepdims=True) / n
            gx = (scaled - mean_g - normal * mean_gx) * inverse
        else:
            normal, inverse = running(x.array, node.ctx)
            gx = scaled * inverse
        grads: list[Any] = [gx if x.requires_grad else None]
        if has_weight:
            grads.append(add_up(g * normal, axis=axes) if parameters[0].requires_grad else None)
        if has_bias:
            grads.append(add_up(g, axis=axes) if parameters[-1].requires_grad else None)
        return grads

    mode = "" if training else ", eval"
    return TensorOp(
        name="batch_norm",
        symbol="batch_norm",
        template=lambda names: f"batch_norm({', '.join(names)}{mode})",
        forward=forward,
        backward=backward,
        formulas=lambda index, arity: (
            (
                "d batch_norm/dx = γ/√(σ²+eps)·(upstream − mean(upstream) − x̂·mean(upstream·x̂))"
                if training
                else "d batch_norm/dx = γ/√(σ²+eps) (running statistics: constants)"
            ),
            "d batch_norm/dγ = Σ upstream·x̂ over the channel" if has_weight else "",
            "d batch_norm/dβ = Σ upstream over the channel",
        )[index if index == 0 or has_weight else index + 1],
        doc="batch normalization with the batch's statistics"
        if training
        else "batch normalization with the running statistics",
        floating=True,
        reads=reads_inputs,
        takes_ctx=not training,
        keeps=None if training else lambda ctx: tuple(np.array(v, copy=True) for v in ctx),
    )
