"""A Tensor's shape and indexing: reshape/view, flatten, permute, transpose, ``.T``, ``x[...]``,
``len`` and iteration over the first axis.

The arguments are read through :mod:`autograd.tensors.axes`; where numpy can, the result is
a view sharing the numbers, as in PyTorch (an in-place change to one is seen in the other).

    >>> from autograd import zeros
    >>> x = zeros(2, 3, 4)
    >>> x.view(6, 4).shape, x.permute(2, 0, 1).shape, x[0, 1:].shape, len(x)
    ((6, 4), (4, 2, 3), (2, 4), 2)
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from typing import Any

import numpy as np

from .. import ops as T
from ..axes import axis_of, index_argument, permutation, reshaped, shape_argument
from ..base import TensorBase, TensorT

__all__ = ["ShapeMethods"]

#: The axes of 0 to 64 dimensions (numpy's most) in reverse order: ``.T``, which nn.Linear uses
#: every step, skips building and checking the order.
_REVERSED = [tuple(range(n - 1, -1, -1)) for n in range(65)]


class ShapeMethods(TensorBase[TensorT]):
    """New shapes, axis orders and indexing (a mixin of ``Tensor``)."""

    __slots__ = ()

    def reshape(self, *shape: Any) -> TensorT:
        """The same entries in a new shape; one size may be -1 (worked out).

        >>> from autograd import Tensor
        >>> Tensor([1, 2, 3, 4, 5, 6]).reshape(2, -1).shape
        (2, 3)
        """
        return self.apply(T.reshape(reshaped(self, shape_argument(shape))), self)

    view = reshape

    def flatten(self, start_dim: builtins.int = 0, end_dim: builtins.int = -1) -> TensorT:
        """Axes ``start_dim`` to ``end_dim`` merged into one, as PyTorch's ``flatten``.

        >>> from autograd import zeros
        >>> zeros(2, 3, 4).flatten(1).shape
        (2, 12)
        """
        shape = self.array.shape
        if not shape:
            return self.reshape(1)
        start = axis_of("flatten", self, start_dim)
        end = axis_of("flatten", self, end_dim)
        return self.reshape(*shape[:start], -1, *shape[end + 1 :])

    def unsqueeze(self, dim: builtins.int) -> TensorT:
        """A new axis of size 1 at ``dim`` (a view), as PyTorch's.

        >>> from autograd import zeros
        >>> zeros(2, 3).unsqueeze(0).shape, zeros(2, 3).unsqueeze(-1).shape
        ((1, 2, 3), (2, 3, 1))
        """
        shape = self.array.shape
        ndim = len(shape) + 1
        if not isinstance(dim, (int, np.integer)) or not -ndim <= dim < ndim:
            raise ValueError(
                f"unsqueeze: dim {dim!r} is out of range for a result of {ndim} axes "
                f"(it must lie in [{-ndim}, {ndim - 1}])"
            )
        where = builtins.int(dim) % ndim
        return self.reshape(*shape[:where], 1, *shape[where:])

    def squeeze(self, dim: Any = None) -> TensorT:
        """The axes of size 1 removed (all of them, or ``dim``'s if it has size 1), a view.

        >>> from autograd import zeros
        >>> zeros(1, 2, 1).squeeze().shape, zeros(1, 2).squeeze(1).shape
        ((2,), (1, 2))
        """
        shape = self.array.shape
        if dim is None:
            axes = {i for i, size in enumerate(shape) if size == 1}
        else:
            dims = dim if isinstance(dim, (tuple, list)) else (dim,)
            axes = {axis_of("squeeze", self, d) for d in dims} if shape else set()
            axes = {a for a in axes if shape[a] == 1}
        return self.reshape(*(size for i, size in enumerate(shape) if i not in axes))

    def permute(self, *axes: Any) -> TensorT:
        """The axes in a new order. ``zeros(2, 3, 4).permute(2, 0, 1).shape == (4, 2, 3)``"""
        return self.apply(T.permute(permutation(self, axes)), self)

    def transpose(self, *dims: Any) -> TensorT:
        """``transpose(d0, d1)`` swaps two axes (PyTorch); no arguments reverses them all.

        >>> from autograd import zeros
        >>> zeros(2, 3, 4).transpose(0, 2).shape, zeros(2, 3).transpose().shape
        ((4, 3, 2), (3, 2))
        """
        ndim = self.array.ndim
        if not dims:
            return self.apply(T.permute(tuple(range(ndim - 1, -1, -1))), self)
        if len(dims) == 2 and all(isinstance(d, (int, np.integer)) for d in dims):
            order = list(range(ndim))
            first, second = (axis_of("transpose", self, d) for d in dims)
            order[first], order[second] = order[second], order[first]
            return self.apply(T.permute(tuple(order)), self)
        return self.permute(*dims)

    @property
    def T(self) -> TensorT:
        """The axes reversed: the transpose of a matrix. ``zeros(2, 3).T.shape == (3, 2)``

        A vector (or a single number) has nothing to reverse: its ``.T`` is a new tensor
        with the same numbers (sharing them, like PyTorch's view), never the tensor itself,
        so labelling the result leaves the original's label alone.

        >>> from autograd import Tensor
        >>> v = Tensor([1.0, 2.0], label="v"); v.T is v, v.T.tolist()
        (False, [1.0, 2.0])
        """
        return self.apply(T.permute(_REVERSED[self.array.ndim]), self)

    def __getitem__(self, index: Any) -> TensorT:
        return self.apply(T.INDEX, self, ctx=(index_argument(index), None, index))

    def __len__(self) -> int:
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor (a single number) is undefined")
        return self.array.shape[0]

    def __iter__(self) -> Iterator[TensorT]:
        if self.array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor (a single number)")
        for i in range(self.array.shape[0]):
            yield self[i]
