"""A Tensor's reductions, and the functions along one axis (softmax, log_softmax).

The methods read PyTorch's and numpy's spellings of their arguments (``dim`` or ``axis``,
``keepdim`` or ``keepdims``, a tuple of axes, ``-1``) through :mod:`autograd.tensors.axes`,
then hand the op record to ``self.apply``.

    >>> from autograd import Tensor
    >>> x = Tensor([[1.0, 5.0], [7.0, 2.0]])
    >>> x.sum(dim=0).tolist(), x.mean().item(), x.argmax(1).tolist()
    ([8.0, 7.0], 3.75, [1, 0])
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any, NamedTuple

from .. import ops as T
from ..axes import axis_argument, axis_of, keep_argument, reduced_axes
from ..base import TensorBase, TensorT

__all__ = ["ReductionMethods", "MinMax"]

Axis = int | Sequence[int] | None


class MinMax(NamedTuple):
    """What ``max(dim)`` and ``min(dim)`` return, as in PyTorch: the values and their indices.

    >>> from autograd import Tensor
    >>> values, indices = Tensor([[1.0, 5.0], [7.0, 2.0]]).max(1)
    >>> values.tolist(), indices.tolist()
    ([5.0, 7.0], [1, 0])
    """

    values: Any  # a Tensor
    indices: Any  # a Tensor of int64


class ReductionMethods(TensorBase[TensorT]):
    """Sums, means, extremes and softmax, with PyTorch's arguments (a mixin of ``Tensor``)."""

    __slots__ = ()

    def sum(
        self,
        axis: Axis = None,
        keepdims: builtins.bool = False,
        *,
        dim: Axis = None,
        keepdim: builtins.bool | None = None,
    ) -> TensorT:
        """The sum over ``axis`` (an int, a tuple, or None for all entries) of this tensor.

        A reduction of one tensor, unlike the static ``Value.sum``, which adds a list of Values.

        >>> from autograd import Tensor
        >>> Tensor([[1, 2], [3, 4]]).sum(0).tolist(), Tensor([[1, 2]]).sum(1, keepdims=True).shape
        ([4.0, 6.0], (1, 1))
        """
        return self.apply(
            T.total(reduced_axes("sum", axis, dim), keep_argument(keepdims, keepdim)), self
        )

    def mean(
        self,
        axis: Axis = None,
        keepdims: builtins.bool = False,
        *,
        dim: Axis = None,
        keepdim: builtins.bool | None = None,
    ) -> TensorT:
        """The mean over ``axis`` (None: all entries). ``Tensor([1, 2, 6]).mean().item() == 3.0``"""
        return self.apply(
            T.mean(reduced_axes("mean", axis, dim), keep_argument(keepdims, keepdim)), self
        )

    def var(
        self,
        dim: Any = None,
        unbiased: builtins.bool | None = None,
        keepdim: builtins.bool = False,
        *,
        correction: builtins.float | None = None,
        axis: Axis = None,
        keepdims: builtins.bool | None = None,
    ) -> TensorT:
        """The variance over ``dim`` (None: all entries), unbiased by default as PyTorch's:
        divided by n − 1 (``correction=1``; ``unbiased=False`` or ``correction=0`` divide by n).

        >>> from autograd import Tensor
        >>> x = Tensor([1.0, 2.0, 3.0, 4.0])
        >>> round(x.var().item(), 4), x.var(unbiased=False).item(), x.var(correction=0).item()
        (1.6667, 1.25, 1.25)
        """
        return self._spread("var", dim, unbiased, keepdim, correction, axis, keepdims)

    def std(
        self,
        dim: Any = None,
        unbiased: builtins.bool | None = None,
        keepdim: builtins.bool = False,
        *,
        correction: builtins.float | None = None,
        axis: Axis = None,
        keepdims: builtins.bool | None = None,
    ) -> TensorT:
        """The standard deviation over ``dim``, unbiased by default as PyTorch's (see :meth:`var`).

        >>> from autograd import Tensor
        >>> Tensor([[1.0, 3.0], [1.0, 5.0]]).std(1, keepdim=True).tolist()
        [[1.4142135381698608], [2.8284270763397217]]
        """
        return self._spread("std", dim, unbiased, keepdim, correction, axis, keepdims)

    def _spread(
        self,
        kind: str,
        dim: Any,
        unbiased: builtins.bool | None,
        keepdim: builtins.bool,
        correction: builtins.float | None,
        axis: Axis,
        keepdims: builtins.bool | None,
    ) -> TensorT:
        if isinstance(dim, builtins.bool):  # PyTorch's old form: x.var(False)
            dim, unbiased = None, dim
        if unbiased is not None and correction is not None:
            raise TypeError(f"{kind}: give unbiased= or correction=, not both")
        if correction is None:
            correction = 1.0 if unbiased is None or unbiased else 0.0
        axes = reduced_axes(kind, dim if axis is None else axis, None)
        keep = keep_argument(keepdim, keepdims)
        return self.apply(T.spread_of(kind, axes, keep, builtins.float(correction)), self)

    def norm(self, p: Any = "fro", dim: Axis = None, keepdim: builtins.bool = False) -> TensorT:
        """The vector norm over ``dim`` (None: all entries): ``p=2`` (or ``"fro"``) the square
        root of the sum of squares, ``p=1`` the sum of absolute values, ``p=inf`` the largest.

        >>> from autograd import Tensor
        >>> Tensor([3.0, -4.0]).norm().item(), Tensor([3.0, -4.0]).norm(1).item()
        (5.0, 7.0)
        """
        me: Any = self  # (a Tensor: its other mixins' methods)
        if p in ("fro", 2, 2.0):
            return (me * me).sum(dim=dim, keepdim=keepdim) ** 0.5
        if p in (1, 1.0):
            return me.abs().sum(dim=dim, keepdim=keepdim)
        if p == builtins.float("inf"):
            return me.abs().amax(dim, keepdim)
        raise ValueError(f"norm: p={p!r} is not supported; use 1, 2 ('fro') or inf")

    def amax(self, axis: Axis = None, keepdims: builtins.bool = False) -> TensorT:
        """The largest entry over ``axis``; tied entries share the gradient.

        >>> from autograd import Tensor
        >>> Tensor([[1, 5], [7, 2]]).amax(axis=0).tolist()
        [7.0, 5.0]
        """
        return self.apply(T.extreme("max", reduced_axes("amax", axis, None), keepdims), self)

    def amin(self, axis: Axis = None, keepdims: builtins.bool = False) -> TensorT:
        """The smallest entry over ``axis``; tied entries share the gradient.
        ``Tensor([3, 1, 2]).amin().item() == 1.0``"""
        return self.apply(T.extreme("min", reduced_axes("amin", axis, None), keepdims), self)

    def max(
        self,
        dim: Axis = None,
        keepdim: builtins.bool = False,
        *,
        axis: Axis = None,
        keepdims: builtins.bool | None = None,
    ) -> Any:
        """The largest entry, as in PyTorch: without ``dim`` a tensor holding the largest
        entry; with one ``dim``, the pair ``(values, indices)`` along it. A tuple of axes
        gives only the values (like :meth:`amax`).

        >>> from autograd import Tensor
        >>> Tensor([[1, 5], [7, 2]]).max().item()
        7.0
        >>> values, indices = Tensor([[1, 5], [7, 2]]).max(dim=1)
        >>> values.tolist(), indices.tolist()
        ([5.0, 7.0], [1, 0])
        """
        return self._extreme(
            "max", reduced_axes("max", dim, axis), keep_argument(keepdim, keepdims)
        )

    def min(
        self,
        dim: Axis = None,
        keepdim: builtins.bool = False,
        *,
        axis: Axis = None,
        keepdims: builtins.bool | None = None,
    ) -> Any:
        """The smallest entry, as in PyTorch (see :meth:`max`).

        >>> from autograd import Tensor
        >>> Tensor([[1, 5], [7, 2]]).min(0).values.tolist()
        [1.0, 2.0]
        """
        return self._extreme(
            "min", reduced_axes("min", dim, axis), keep_argument(keepdim, keepdims)
        )

    def _extreme(self, kind: str, axis: Any, keep: builtins.bool) -> Any:
        if axis is None or isinstance(axis, tuple):
            return self.apply(T.extreme(kind, axis, keep), self)
        axis = axis_of(kind, self, axis)
        if self.array.ndim == 0:  # one number: itself, at index 0 (PyTorch allows dim 0 or -1)
            one: Any = self.apply(T.reshape((1,)), self)
            return one._extreme(kind, 0, False)
        indices = self.apply(T.arg_extreme(kind, axis, True, kind), self)
        values = self.apply(T.max_along(kind, axis, keep), self, ctx=indices.array)
        shape = values.array.shape
        return MinMax(values, indices if keep else self.apply(T.reshape(shape), indices))

    def argmax(
        self, dim: builtins.int | None = None, keepdim: builtins.bool = False, *, axis: Any = None
    ) -> TensorT:
        """The index of the largest entry (along ``dim``), as int64; ties give the first.

        >>> from autograd import Tensor
        >>> Tensor([[1, 5], [7, 2]]).argmax(1).tolist(), Tensor([1, 5, 2]).argmax().item()
        ([1, 0], 1)
        """
        return self._arg_extreme("max", axis_argument("argmax", dim, axis), keepdim)

    def argmin(
        self, dim: builtins.int | None = None, keepdim: builtins.bool = False, *, axis: Any = None
    ) -> TensorT:
        """The index of the smallest entry (along ``dim``), as int64.
        ``Tensor([3, 1, 2]).argmin().item() == 1``"""
        return self._arg_extreme("min", axis_argument("argmin", dim, axis), keepdim)

    def _arg_extreme(self, kind: str, axis: Any, keep: builtins.bool) -> TensorT:
        axis = None if axis is None else axis_of(f"arg{kind}", self, axis)
        return self.apply(T.arg_extreme(kind, axis, builtins.bool(keep)), self)

    def any(self) -> TensorT:
        """Whether any entry is nonzero. ``Tensor([0, 1]).any().item() is True``"""
        return self.apply(T.ANY, self)

    def all(self) -> TensorT:
        """Whether every entry is nonzero. ``Tensor([0, 1]).all().item() is False``"""
        return self.apply(T.ALL, self)

    # --- softmax --------------------------------------------------------------------------

    def softmax(self, axis: builtins.int = -1, *, dim: builtins.int | None = None) -> TensorT:
        """exp(x) / Σ exp(x) along ``axis``, stable for large inputs.

        >>> from autograd import Tensor
        >>> Tensor([[1000.0, 1000.0]]).softmax(axis=1).tolist()
        [[0.5, 0.5]]
        """
        axis = axis_of(
            "softmax", self, axis_argument("softmax", axis if dim is None else None, dim)
        )
        return self.apply(T.softmax(axis), self)

    def log_softmax(self, axis: builtins.int = -1, *, dim: builtins.int | None = None) -> TensorT:
        """x − log Σ exp(x) along ``axis``, stable: the log-probabilities cross-entropy needs.

        >>> from autograd import Tensor
        >>> Tensor([[0.0, 0.0]]).log_softmax(1).tolist()
        [[-0.6931471824645996, -0.6931471824645996]]
        """
        axis = axis_of(
            "log_softmax", self, axis_argument("log_softmax", axis if dim is None else None, dim)
        )
        return self.apply(T.log_softmax(axis), self)
