"""Reading the arguments of Tensor methods: axes, shapes, axis orders and indices.

PyTorch and numpy accept each of these in several spellings (``dim`` or ``axis``, ``-1``,
a tuple or separate numbers, a Tensor inside an index). These functions turn them into the
one form the op records in :mod:`autograd.tensors.ops` take, and refuse what has no meaning
with an error naming the method and the tensor, before numpy sees it. No op's math is here.

    >>> axis_argument("sum", None, 1), reduced_axes("sum", (), None), shape_argument(((2, -1),))
    (1, None, (2, -1))
"""

from __future__ import annotations

import builtins
import operator
from typing import Any

import numpy as np

from .base import TensorBase
from .notation import shape_text, who

__all__ = [
    "axis_argument",
    "reduced_axes",
    "keep_argument",
    "axis_of",
    "shape_argument",
    "reshaped",
    "permutation",
    "index_argument",
]


def axis_argument(name: str, axis: Any, dim: Any) -> Any:
    """The axis as the ops want it: None, a Python int, or a tuple of Python ints.

    numpy's integers are accepted (an axis often comes from a shape or an argmax); anything
    else, such as 1.0 or True, is refused here rather than deep inside numpy.
    """
    if dim is not None:
        if axis is not None:
            raise TypeError(f"{name}: give axis or dim, not both")
        axis = dim
    if axis is None or type(axis) is int:
        return axis
    if isinstance(axis, (list, tuple)):
        return tuple(_whole_axis(name, part) for part in axis)
    return _whole_axis(name, axis)


def reduced_axes(name: str, axis: Any, dim: Any) -> Any:
    """The axes a reduction combines: as :func:`axis_argument`, and no dims named, ``()``,
    means every entry, as PyTorch reads ``sum(())``."""
    if dim is None and (axis is None or type(axis) is int):
        return axis  # the usual spellings, without a second call: mean() runs every step
    axis = axis_argument(name, axis, dim)
    return None if axis == () else axis


def _whole_axis(name: str, axis: Any) -> int:
    if not isinstance(axis, (bool, np.bool_)):
        try:
            return operator.index(axis)
        except TypeError:
            pass
    raise TypeError(
        f"{name}: an axis is a whole number (or a tuple of them) such as 0 or -1, "
        f"got {type(axis).__name__} {axis!r}"
    )


def keep_argument(keepdims: bool, keepdim: bool | None) -> bool:
    """numpy's ``keepdims`` or PyTorch's ``keepdim``, whichever was given."""
    return bool(keepdim) if keepdim is not None else bool(keepdims)


def axis_of(name: str, tensor: Any, axis: Any) -> int:
    """One axis of ``tensor`` as a non-negative int; a 0-d tensor takes 0 or -1, as in PyTorch."""
    ndim = tensor.array.ndim
    if type(axis) is int and 0 <= axis < ndim:
        return axis  # the usual case, answered at once: log_softmax(1) runs every step
    if not isinstance(axis, (int, np.integer)) or not -max(ndim, 1) <= axis < max(ndim, 1):
        raise ValueError(
            f"{name}: axis {axis!r} does not exist in {who(tensor)}, which has {ndim} axes"
        )
    return builtins.int(axis) % max(ndim, 1)


def shape_argument(shape: tuple[Any, ...]) -> tuple[Any, ...]:
    """``reshape(2, 3)`` and ``reshape((2, 3))`` alike: the sizes as one tuple."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return shape


def reshaped(tensor: Any, wanted: tuple[Any, ...]) -> tuple[int, ...]:
    """The shape ``tensor`` takes for ``reshape(*wanted)``, one size of -1 worked out, or the
    learner's error when the number of entries would change."""
    size = tensor.array.size
    try:
        sizes = tuple([operator.index(n) for n in wanted])
        # One pass with plain ints: this runs at every .view of a training step.
        known, unknown = 1, -1
        for i, n in enumerate(sizes):
            if n == -1 and unknown < 0:
                unknown = i
            elif n < 0:
                raise ValueError
            else:
                known *= n
        if unknown >= 0:
            if known == 0 or size % known:
                raise ValueError
            sizes = (*sizes[:unknown], size // known, *sizes[unknown + 1 :])
        elif known != size:
            raise ValueError
    except (ValueError, TypeError):
        raise ValueError(
            f"reshape: cannot reshape {who(tensor)} ({size} entries) into "
            f"{shape_text(wanted)}: the number of entries must stay the same"
        ) from None
    return sizes


def permutation(tensor: Any, axes: tuple[Any, ...]) -> tuple[int, ...]:
    """``permute(2, 0, 1)`` or ``permute((2, 0, 1))`` as non-negative axes, or an error when
    they are not an order of ``tensor``'s axes."""
    order = shape_argument(axes)
    ndim = tensor.array.ndim
    try:
        normal = tuple(builtins.int(a) % max(ndim, 1) for a in order)
        valid = sorted(normal) == list(range(ndim)) and all(-ndim <= a < ndim for a in order)
    except TypeError:
        valid = False
    if not valid:
        raise ValueError(f"permute: {order} is not an order of the {ndim} axes of {who(tensor)}")
    return normal


def index_argument(index: Any) -> Any:
    """An index with any Tensors in it replaced by their arrays; a single integer (a 0-d
    integer Tensor) by that integer, as PyTorch reads it (numpy would gather a copy)."""
    if isinstance(index, TensorBase):
        return index.array if index.array.ndim else _index_part(index)
    if isinstance(index, tuple):
        return tuple(
            [
                (i.array if i.array.ndim else _index_part(i)) if isinstance(i, TensorBase) else i
                for i in index
            ]
        )
    return index


def _index_part(t: Any) -> Any:
    data = t.array
    return builtins.int(data) if data.ndim == 0 and data.dtype.kind in "iu" else data
