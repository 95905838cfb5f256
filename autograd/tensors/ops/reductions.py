"""The reduction Tensor records: sum, mean, max and min (over all entries or an axis), the
index of the extreme (argmax, outside the graph) and PyTorch's ``max(dim)``.

Each reduction's backward rule spreads the upstream back over the entries it combined, written
once for arrays and for Tensors (:mod:`autograd.tensors.ops.tensor_op`): the sum's by copying it
out (``expand``, whose own backward is a sum again), the mean's divided by the count, the
extreme's to the entries equal to the result. ``max(dim)`` returns its indices too; its values
give their gradient to those entries (``put``, whose backward is ``take``).

    >>> total(0, False).forward(np.array([[1.0, 2.0], [3.0, 4.0]]))
    array([4., 6.])
    >>> reduction("sum", 1, False).render(["x"])
    'sum(x, axis=1)'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from ...engine.records import OpDomainError
from ..notation import shape_text, who
from .tensor_op import (
    ARRAYS,
    Array,
    Grads,
    TensorOp,
    add_reduce,
    add_up,
    as_dtype,
    expand_dims,
    max_reduce,
    min_reduce,
    no_gradient,
    numbers,
    reads_input,
    reads_input_and_result,
    reads_nothing,
    run,
)

__all__ = [
    "Axis",
    "total",
    "mean",
    "spread_of",
    "extreme",
    "reduction",
    "arg_extreme",
    "max_along",
    "take_along",
    "put_along",
    "spread",
]

Axis = int | tuple[int, ...] | None


def _axis_text(axis: Axis) -> str:
    return "" if axis is None else f", axis={axis}"


def _restore_axes(g: Array, axis: Axis, keepdims: bool) -> Array:
    """Put the reduced axes back (as size 1) so ``g`` broadcasts against the input."""
    if axis is None or keepdims:
        return g
    return expand_dims(g, axis)


def _count(shape: tuple[int, ...], axis: Axis) -> int:
    """How many entries a reduction over ``axis`` combines into each result."""
    if axis is None:
        return math.prod(shape)
    axes = (axis,) if isinstance(axis, int) else axis
    return math.prod(shape[a] for a in axes)


def _total(a: Array, axis: Axis, keepdims: bool) -> Array:
    """The sum over ``axis``; float16 is added up in float32 and rounded once, as PyTorch
    does (adding 70,000 float16 ones one by one would stop at 2,048)."""
    if a.dtype == np.float16:
        return add_reduce(a, axis=axis, keepdims=keepdims, dtype=np.float32).astype(a.dtype)
    return add_reduce(a, axis=axis, keepdims=keepdims)


def _spread(g: Any, shape: tuple[int, ...]) -> Array:
    """``g`` copied out to ``shape`` (a new array: cheaper than np.broadcast_to's view)."""
    out = np.empty(shape, g.dtype)
    np.copyto(out, g)
    return out


def _spread_to(g: Any, shape: tuple[int, ...]) -> Any:
    # spread(shape).forward is _spread: called directly on arrays, the hot path of sum/mean.
    return _spread(g, shape) if isinstance(g, ARRAYS) else run(spread(shape), g)


@lru_cache(maxsize=256)
def spread(shape: tuple[int, ...]) -> TensorOp:
    """``a`` copied out (broadcast) to ``shape``: the backward of a sum, and its own backward
    is a sum (:func:`fit_gradient` reduces the upstream to ``a``'s shape).

    >>> spread((2, 2)).forward(np.array([[1.0], [2.0]])).tolist()
    [[1.0, 1.0], [2.0, 2.0]]
    """
    return TensorOp(
        name="expand",
        symbol="expand",
        template=f"expand({{0}}, {shape_text(shape)})",
        forward=lambda a: _spread(a, shape),
        backward=lambda node, g: (g,),
        formulas=("d expand(a)/da: upstream summed over the copies",),
        doc=f"broadcast to {shape_text(shape)}",
        reads=reads_nothing,
    )


def _reduction_axis_error(
    name: str, axis: Axis
) -> Callable[[Sequence[Any], Any, Exception], Exception]:
    def explain(inputs: Sequence[Any], ctx: Any, error: Exception) -> Exception:
        if not isinstance(error, (ValueError, IndexError)):  # numpy's AxisError is both
            return error
        return type(error)(
            f"{name}: axis {axis} does not exist in {who(inputs[0])}, which has "
            f"{inputs[0].array.ndim} axes"
        )

    return explain


def _keep_text(axis: Axis, keepdims: bool) -> str:
    return f"{_axis_text(axis)}{', keepdims=True' if keepdims else ''}"


@lru_cache(maxsize=256)
def total(axis: Axis, keepdims: bool) -> TensorOp:
    """The sum over ``axis`` (None: all entries), cached per setting.

    >>> total(0, False).forward(np.array([[1.0, 2.0], [3.0, 4.0]]))
    array([4., 6.])
    """

    def backward(node: Any, g: Array) -> Grads:
        return (_spread_to(_restore_axes(g, axis, keepdims), node.parents[0].array.shape),)

    return TensorOp(
        name="sum",
        symbol="Σ",
        template=f"sum({{0}}{_keep_text(axis, keepdims)})",
        forward=lambda a: _total(a, axis, keepdims),
        backward=backward,
        formulas=("d sum(a)/da = 1 (upstream copied along the summed axes)",),
        doc=f"sum over {'all entries' if axis is None else f'axis {axis}'}",
        overflows=True,
        reads=reads_nothing,
        explain=_reduction_axis_error("sum", axis),
    )


@lru_cache(maxsize=256)
def mean(axis: Axis, keepdims: bool) -> TensorOp:
    """The mean over ``axis`` (None: all entries), cached per setting.

    >>> mean(0, True).forward(np.array([[1.0, 2.0], [3.0, 4.0]]))
    array([[2., 3.]])
    """

    def forward(a: Array) -> Array:
        count = _count(a.shape, axis)
        if count == 0:
            raise OpDomainError("the mean of no entries has no value")
        if a.dtype == np.float16:  # see _total; then one rounding to float16
            return (add_reduce(a, axis=axis, keepdims=keepdims, dtype=np.float32) / count).astype(
                a.dtype
            )
        return add_reduce(a, axis=axis, keepdims=keepdims) / count

    def backward(node: Any, g: Array) -> Grads:
        shape = node.parents[0].array.shape
        count = _count(shape, axis)
        g = _restore_axes(g, axis, keepdims)
        # float16 cannot hold a count above 65,504 (it would be inf, and the grad 0)
        g = g / count if g.dtype != np.float16 else as_dtype(g * (1.0 / count), g.dtype)
        return (_spread_to(g, shape),)

    return TensorOp(
        name="mean",
        symbol="mean",
        template=f"mean({{0}}{_keep_text(axis, keepdims)})",
        forward=forward,
        backward=backward,
        formulas=("d mean(a)/da = 1/n (upstream spread evenly over the n entries)",),
        doc=f"mean over {'all entries' if axis is None else f'axis {axis}'}",
        floating=True,
        overflows=True,
        reads=reads_nothing,
        explain=_reduction_axis_error("mean", axis),
    )


@lru_cache(maxsize=256)
def extreme(kind: str, axis: Axis, keepdims: bool) -> TensorOp:
    """``max`` or ``min`` over ``axis`` (None: all), cached per setting (``amax``, ``amin``).

    The gradient is shared evenly between tied entries, as PyTorch's ``amax``/``amin`` do. A
    NaN counts as the extreme and takes the gradient, as in PyTorch's ``max()`` (its ``amax``
    spreads NaN over every entry instead).

    >>> extreme("max", 1, False).forward(np.array([[1.0, 5.0], [7.0, 2.0]]))
    array([5., 7.])
    """
    word = "largest" if kind == "max" else "smallest"
    pick = max_reduce if kind == "max" else min_reduce

    def forward(a: Array) -> Array:
        if _count(a.shape, axis) == 0:  # over no entries (other axes may be empty: fine)
            raise OpDomainError(f"{kind} of an empty tensor has no value")
        return pick(a, axis=axis, keepdims=keepdims)

    def backward(node: Any, g: Array) -> Grads:
        a = numbers(node.parents[0].array)
        found = _restore_axes(numbers(node.array), axis, keepdims)
        chosen = a == found
        if np.isnan(found).any():
            # A NaN is the extreme (numpy and PyTorch propagate it), but NaN == NaN is false:
            # the NaN entries take the gradient, shared if there are several, as torch.max().
            chosen |= np.isnan(a) & np.isnan(found)
        ties = add_reduce(chosen, axis=axis, keepdims=True)
        return (chosen * (_restore_axes(g, axis, keepdims) / ties),)

    return TensorOp(
        name=kind,
        symbol=kind,
        template=f"{kind}({{0}}{_keep_text(axis, keepdims)})",
        forward=forward,
        backward=backward,
        formulas=(f"d {kind}(a)/da = 1 at the {word} entry, 0 elsewhere (ties share it)",),
        doc=f"{'maximum' if kind == 'max' else 'minimum'} over "
        f"{'all entries' if axis is None else f'axis {axis}'}",
        reads=reads_input_and_result,  # the entries equal to the result take the gradient
        explain=_reduction_axis_error(kind, axis),
    )


@lru_cache(maxsize=256)
def spread_of(kind: str, axis: Axis, keepdims: bool, correction: float = 1.0) -> TensorOp:
    """The variance (``kind="var"``) or standard deviation (``"std"``) over ``axis``: the mean
    squared distance from the mean, divided by n − ``correction`` instead of n (1 is Bessel's
    correction, PyTorch's default), cached per setting.

    >>> spread_of("var", None, False).forward(np.array([1.0, 2.0, 3.0]))
    array(1.)
    >>> spread_of("std", 0, False, 0).render(["x"])
    'std(x, axis=0, correction=0)'
    """

    def forward(a: Array) -> Array:
        n = _count(a.shape, axis)
        if n - correction <= 0:
            raise OpDomainError(
                f"{kind} over {n} entries with correction={correction:g} divides by "
                f"n − correction = {n - correction:g}: it has no value (PyTorch returns nan); "
                "use more entries, or correction=0 (unbiased=False)"
            )
        rule = np.var if kind == "var" else np.std
        return np.asarray(rule(a, axis=axis, ddof=correction, keepdims=keepdims))

    def backward(node: Any, g: Array) -> Grads:
        a = node.parents[0].array
        n = _count(numbers(a).shape, axis)
        centred = a - add_up(a, axis=axis, keepdims=True) / n
        g = _restore_axes(g, axis, keepdims)
        if kind == "var":  # d var/da = 2·(a − mean)/(n − c)
            return (centred * (g * (2.0 / (n - correction))),)
        # d std/da = (a − mean)/((n − c)·std): 0/0 where every entry is equal, as in PyTorch
        with np.errstate(divide="ignore", invalid="ignore"):
            return (centred * (g / (_restore_axes(node.array, axis, keepdims) * (n - correction))),)

    corrected = "" if correction == 1 else f", correction={correction:g}"
    slope = "2·(a − mean)/(n − c)" if kind == "var" else "(a − mean)/((n − c)·std(a))"
    return TensorOp(
        name=kind,
        symbol=kind,
        template=f"{kind}({{0}}{_keep_text(axis, keepdims)}{corrected})",
        forward=forward,
        backward=backward,
        formulas=(f"d {kind}(a)/da = {slope}",),
        doc=f"{'variance' if kind == 'var' else 'standard deviation'} over "
        f"{'all entries' if axis is None else f'axis {axis}'}",
        floating=True,
        overflows=True,
        reads=reads_input if kind == "var" else reads_input_and_result,
        explain=_reduction_axis_error(kind, axis),
    )


def reduction(kind: str, axis: Axis, keepdims: bool) -> TensorOp:
    """The record of ``sum``, ``mean``, ``max`` or ``min`` over ``axis`` (by name).

    >>> reduction("mean", 0, True).forward(np.array([[1.0, 2.0], [3.0, 4.0]]))
    array([[2., 3.]])
    """
    if kind in ("max", "min"):
        return extreme(kind, axis, keepdims)
    return {"sum": total, "mean": mean}[kind](axis, keepdims)


@lru_cache(maxsize=64)
def arg_extreme(kind: str, axis: int | None, keepdims: bool, said_as: str = "") -> TensorOp:
    """The index (int64) of the largest (``kind="max"``) or smallest entry along ``axis``;
    ties give the first. Outside the graph, as PyTorch's argmax. Errors name ``said_as``
    (``max`` for ``x.max(dim)``), ``argmax`` or ``argmin`` by default.

    >>> arg_extreme("max", 1, False).forward(np.array([[1.0, 5.0], [7.0, 2.0]]))
    array([1, 0])
    """
    find = np.argmax if kind == "max" else np.argmin
    name = said_as or f"arg{kind}"

    def refuse_empty(inputs: Sequence[Any], ctx: Any) -> None:
        # Where to point has no answer over no entries: PyTorch's IndexError, named.
        shape = inputs[0].array.shape
        if axis is None and inputs[0].array.size == 0:
            raise IndexError(
                f"{name}: {who(inputs[0])} has no entries, so there is no index to return; "
                "give a dim whose size is not 0"
            )
        if axis is not None and shape and shape[axis] == 0:
            raise IndexError(
                f"{name}: axis {axis} of {who(inputs[0])} has size 0, so there is no index to "
                "return along it"
            )

    return TensorOp(
        name=f"arg{kind}",
        symbol=f"arg{kind}",
        template=f"arg{kind}({{0}}{_keep_text(axis, keepdims)})",
        forward=lambda a: find(a, axis=axis, keepdims=keepdims).astype(np.int64),
        backward=no_gradient,
        formulas=(f"arg{kind} is an index: no gradient",),
        doc=f"index of the {'largest' if kind == 'max' else 'smallest'} entry",
        differentiable=False,
        check=refuse_empty,
    )


@lru_cache(maxsize=64)
def max_along(kind: str, axis: int, keepdims: bool) -> TensorOp:
    """PyTorch's ``max(dim)`` / ``min(dim)`` values: the gradient goes to the one entry whose
    index is returned (the node's ``ctx``), not shared between ties.

    >>> op = max_along("max", 1, False)
    >>> op.forward(np.array([[1.0, 5.0], [7.0, 2.0]]), np.array([[1], [0]]))
    array([5., 7.])
    """
    forward = _take_along(axis, keepdims)

    def backward(node: Any, g: Array) -> Grads:
        shape = node.parents[0].array.shape
        return (run(put_along(axis, keepdims), g, ctx=(node.ctx, shape)),)

    word = "largest" if kind == "max" else "smallest"
    return TensorOp(
        name=kind,
        symbol=kind,
        template=f"{kind}({{0}}, axis={axis}{', keepdims=True' if keepdims else ''})",
        forward=forward,
        backward=backward,
        formulas=(f"d {kind}(a, axis)/da = 1 at the {word} entry's index, 0 elsewhere",),
        doc=f"{word} entry along axis {axis}",
        reads=reads_nothing,  # its indices are its own (ctx), never changed
        takes_ctx=True,
    )


def _take_along(axis: int, keepdims: bool) -> Callable[[Array, Array], Array]:
    def forward(a: Array, indices: Array) -> Array:
        out = np.take_along_axis(a, indices, axis)
        return out if keepdims else np.squeeze(out, axis)

    return forward


@lru_cache(maxsize=64)
def take_along(axis: int, keepdims: bool) -> TensorOp:
    """The entries at ``indices`` (the node's ctx) along ``axis``: the backward of
    :func:`put_along`, so a max's gradient can be differentiated again.

    >>> take_along(1, False).forward(np.array([[1.0, 5.0]]), np.array([[1]]))
    array([5.])
    """
    return TensorOp(
        name="take",
        symbol="take",
        template=f"take({{0}}, axis={axis})",
        forward=_take_along(axis, keepdims),
        backward=lambda node, g: (
            run(put_along(axis, keepdims), g, ctx=(node.ctx, node.parents[0].array.shape)),
        ),
        formulas=("d take(a)/da = 1 at the taken entries, 0 elsewhere",),
        doc=f"entries taken along axis {axis}",
        reads=reads_nothing,
        takes_ctx=True,
    )


@lru_cache(maxsize=64)
def put_along(axis: int, keepdims: bool) -> TensorOp:
    """Zeros of a given shape with ``a`` put at ``indices`` along ``axis`` (the node's ctx is
    ``(indices, shape)``): the backward of ``max(dim)``.

    >>> put_along(0, False).forward(np.array([7.0]), (np.array([[1]]), (3, 1))).ravel().tolist()
    [0.0, 7.0, 0.0]
    """

    def forward(a: Array, ctx: tuple[Array, tuple[int, ...]]) -> Array:
        indices, shape = ctx
        out = np.zeros(shape, dtype=a.dtype)
        np.put_along_axis(out, indices, a if keepdims else np.expand_dims(a, axis), axis)
        return out

    return TensorOp(
        name="put",
        symbol="put",
        template=f"put({{0}}, axis={axis})",
        forward=forward,
        backward=lambda node, g: (run(take_along(axis, keepdims), g, ctx=node.ctx[0]),),
        formulas=("d put(a)/da: upstream at the entries a was put in",),
        doc=f"entries put along axis {axis}, zeros elsewhere",
        reads=reads_nothing,
        takes_ctx=True,
    )
