"""A Tensor's arithmetic: the operators, the comparisons and the elementwise functions.

Each method names its op record (:mod:`autograd.tensors.ops`) and hands it to the one path
every op takes, ``self.apply``; none does math of its own. A number or an array on either
side becomes a constant of the graph.

    >>> from autograd import Tensor
    >>> x = Tensor([1.0, 4.0])
    >>> (2 * x - 1).tolist(), x.sqrt().tolist(), (x > 2).tolist()
    ([1.0, 7.0], [1.0, 2.0], [False, True])
"""

from __future__ import annotations

import builtins
import numbers
import operator
from typing import Any

import numpy as np

from ...scalar.value import Value
from .. import ops as T
from ..base import TensorBase, TensorT

__all__ = ["ArithmeticMethods"]


class ArithmeticMethods(TensorBase[TensorT]):
    """Operators, comparisons and elementwise functions (a mixin of ``Tensor``)."""

    __slots__ = ()
    # numpy defers to Tensor's reflected operators (ndarray + Tensor gives a Tensor).
    __array_ufunc__ = None
    __hash__ = object.__hash__  # __eq__ compares elementwise, so hash by identity as PyTorch

    # --- arithmetic -----------------------------------------------------------------------

    def __add__(self, other: Any) -> TensorT:
        return self.apply(T.ADD, self, other)

    def __radd__(self, other: Any) -> TensorT:
        return self.apply(T.ADD, other, self)

    def __sub__(self, other: Any) -> TensorT:
        return self.apply(T.SUB, self, other)

    def __rsub__(self, other: Any) -> TensorT:
        return self.apply(T.SUB, other, self)

    def __mul__(self, other: Any) -> TensorT:
        return self.apply(T.MUL, self, other)

    def __rmul__(self, other: Any) -> TensorT:
        return self.apply(T.MUL, other, self)

    def __truediv__(self, other: Any) -> TensorT:
        return self.apply(T.DIV, self, other)

    def __rtruediv__(self, other: Any) -> TensorT:
        return self.apply(T.DIV, other, self)

    def __pow__(self, other: Any) -> TensorT:
        if isinstance(other, (numbers.Real, np.generic)) and not isinstance(other, Value):
            # A plain-number exponent is part of the op, not an input: x**2 has one parent.
            # Its type matters to integer tensors (x**3 is int64, x**3.0 float32; the op says).
            if isinstance(other, numbers.Integral):
                return self.apply(T.power(builtins.int(other)), self)
            return self.apply(T.power(builtins.float(other)), self)
        return self.apply(T.POW, self, other)

    def __rpow__(self, other: Any) -> TensorT:
        if isinstance(other, (numbers.Real, np.generic)) and builtins.float(other) > 0:
            return self.apply(T.exponential(builtins.float(other)), self)
        return self.apply(T.POW, other, self)

    def __neg__(self) -> TensorT:
        return self.apply(T.NEG, self)

    def __matmul__(self, other: Any) -> TensorT:
        return self.apply(T.MATMUL, self, other)

    def __rmatmul__(self, other: Any) -> TensorT:
        return self.apply(T.MATMUL, other, self)

    # --- comparisons: tensors of booleans, outside the graph ----------------------------

    def __eq__(self, other: Any) -> TensorT:  # type: ignore[override]
        return self.apply(T.EQUAL, self, other)

    def __ne__(self, other: Any) -> TensorT:  # type: ignore[override]
        return self.apply(T.NOT_EQUAL, self, other)

    def __lt__(self, other: Any) -> TensorT:
        return self.apply(T.LESS, self, other)

    def __le__(self, other: Any) -> TensorT:
        return self.apply(T.LESS_EQUAL, self, other)

    def __gt__(self, other: Any) -> TensorT:
        return self.apply(T.GREATER, self, other)

    def __ge__(self, other: Any) -> TensorT:
        return self.apply(T.GREATER_EQUAL, self, other)

    # PyTorch's method names for the operators (x.add(y), x.eq(y), ...)

    def add(self, other: Any, *, alpha: Any = 1) -> TensorT:
        """``self + alpha·other``. ``Tensor([1.0]).add(Tensor([2.0]), alpha=3).item() == 7.0``"""
        return self.apply(T.ADD, self, other if alpha == 1 else other * alpha)

    def sub(self, other: Any, *, alpha: Any = 1) -> TensorT:
        """``self − alpha·other``. ``Tensor([5.0]).sub(2).item() == 3.0``"""
        return self.apply(T.SUB, self, other if alpha == 1 else other * alpha)

    def mul(self, other: Any) -> TensorT:
        """``self · other``. ``Tensor([2.0]).mul(3).item() == 6.0``"""
        return self.apply(T.MUL, self, other)

    def div(self, other: Any) -> TensorT:
        """``self / other``. ``Tensor([6.0]).div(3).item() == 2.0``"""
        return self.apply(T.DIV, self, other)

    def matmul(self, other: Any) -> TensorT:
        """``self @ other``."""
        return self.apply(T.MATMUL, self, other)

    def neg(self) -> TensorT:
        """``−self``. ``Tensor([2.0]).neg().item() == -2.0``"""
        return self.apply(T.NEG, self)

    def eq(self, other: Any) -> TensorT:
        """``self == other``, entry by entry.
        ``Tensor([1.0, 2.0]).eq(2).tolist() == [False, True]``"""
        return self.apply(T.EQUAL, self, other)

    def ne(self, other: Any) -> TensorT:
        """``self != other``, entry by entry."""
        return self.apply(T.NOT_EQUAL, self, other)

    def lt(self, other: Any) -> TensorT:
        """``self < other``, entry by entry."""
        return self.apply(T.LESS, self, other)

    def le(self, other: Any) -> TensorT:
        """``self <= other``, entry by entry."""
        return self.apply(T.LESS_EQUAL, self, other)

    def gt(self, other: Any) -> TensorT:
        """``self > other``, entry by entry."""
        return self.apply(T.GREATER, self, other)

    def ge(self, other: Any) -> TensorT:
        """``self >= other``, entry by entry."""
        return self.apply(T.GREATER_EQUAL, self, other)

    def __invert__(self) -> TensorT:
        """``~mask``: booleans flipped (integers: bitwise not), outside the graph, as PyTorch.

        >>> from autograd import Tensor
        >>> (~Tensor([1, 0], dtype=bool)).tolist()
        [False, True]
        """
        return self.apply(T.INVERT, self)

    def logical_not(self) -> TensorT:
        """True where an entry is 0 (or False). ``Tensor([0, 2]).logical_not().tolist() ==
        [True, False]``"""
        return self.apply(T.LOGICAL_NOT, self)

    # --- functions, elementwise -----------------------------------------------------------

    def exp(self) -> TensorT:
        """e to the power of each entry. ``Tensor([0.0]).exp().item() == 1.0``"""
        return self.apply(T.EXP, self)

    def log(self) -> TensorT:
        """Natural logarithm of each entry; every entry must be positive.
        ``Tensor([1.0]).log().item() == 0.0``"""
        return self.apply(T.LOG, self)

    def pow(self, exponent: Any) -> TensorT:
        """``self ** exponent`` (a number, or a Tensor that broadcasts).

        >>> from autograd import Tensor, tensor
        >>> Tensor([2.0, 3.0]).pow(2).tolist(), Tensor([[2.0]]).pow(tensor([1, 2])).tolist()
        ([4.0, 9.0], [[2.0, 4.0]])
        """
        return self.__pow__(exponent)

    def abs(self) -> TensorT:
        """|x| for each entry (slope sign(x), 0 at 0). ``Tensor([-2.0, 3.0]).abs().tolist() ==
        [2.0, 3.0]``"""
        return self.apply(T.ABS, self)

    __abs__ = abs

    def sin(self) -> TensorT:
        """Sine of each entry (radians). ``Tensor([0.0]).sin().item() == 0.0``"""
        return self.apply(T.SIN, self)

    def cos(self) -> TensorT:
        """Cosine of each entry (radians). ``Tensor([0.0]).cos().item() == 1.0``"""
        return self.apply(T.COS, self)

    def log10(self) -> TensorT:
        """Base-10 logarithm of each entry; every entry must be positive.
        ``Tensor([100.0]).log10().item() == 2.0``"""
        return self.apply(T.LOG10, self)

    def softplus(self) -> TensorT:
        """log(1 + eˣ) for each entry, stable for any input (slope σ(x)).
        ``round(Tensor([0.0]).softplus().item(), 4) == 0.6931``"""
        return self.apply(T.SOFTPLUS, self)

    def clone(self) -> TensorT:
        """A copy of the numbers, in the graph (the gradient passes through), as PyTorch's.

        >>> from autograd import Tensor
        >>> x = Tensor([1.0]); y = x.clone(); y += 1; x.tolist(), y.tolist()
        ([1.0], [2.0])
        """
        return self.apply(T.CLONE, self)

    def sqrt(self) -> TensorT:
        """Square root of each entry (``x ** 0.5``). ``Tensor([4.0]).sqrt().item() == 2.0``"""
        return self**0.5

    def tanh(self) -> TensorT:
        """Hyperbolic tangent of each entry. ``Tensor([0.0]).tanh().item() == 0.0``"""
        return self.apply(T.TANH, self)

    def sigmoid(self) -> TensorT:
        """1/(1+e⁻ˣ) for each entry, stable for any input.
        ``Tensor([0.0]).sigmoid().item() == 0.5``"""
        return self.apply(T.SIGMOID, self)

    def relu(self) -> TensorT:
        """max(0, x) for each entry (slope 0 at 0).
        ``Tensor([-1.0, 2.0]).relu().tolist() == [0.0, 2.0]``"""
        return self.apply(T.RELU, self)

    def leaky_relu(self, slope: builtins.float = 0.01) -> TensorT:
        """x if x > 0 else slope·x, for each entry.
        ``Tensor([-2.0, 3.0], dtype=float64).leaky_relu(0.1).tolist() == [-0.2, 3.0]``"""
        return self.apply(T.leaky_relu(builtins.float(slope)), self)

    def clip(self, min: builtins.float | None = None, max: builtins.float | None = None) -> TensorT:
        """Each entry limited to [min, max] (PyTorch's ``clamp``); gradient 0 outside.

        >>> from autograd import Tensor
        >>> Tensor([-1.0, 0.5, 2.0]).clip(0, 1).tolist()
        [0.0, 0.5, 1.0]
        """
        if min is None and max is None:
            raise ValueError("clip needs min, max or both")
        low = None if min is None else builtins.float(min)
        high = None if max is None else builtins.float(max)
        return self.apply(T.clip(low, high), self)

    clamp = clip

    def round(self, decimals: builtins.int = 0) -> TensorT:
        """Rounded to ``decimals`` places, halves to even. Its gradient is 0 (it is flat
        between its jumps), as in PyTorch, so backward passes through it.

        >>> from autograd import Tensor
        >>> Tensor([0.5, 1.5, 0.26]).round().tolist(), Tensor([0.26]).round(1).item()
        ([0.0, 2.0, 0.0], 0.30000001192092896)
        """
        return self.apply(T.rounding(operator.index(decimals)), self)
