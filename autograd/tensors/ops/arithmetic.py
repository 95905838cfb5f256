"""The arithmetic Tensor records: elementwise ops, built from their scalar twins, and matmul.

Each elementwise op is its scalar record (:mod:`autograd.scalar.ops`) run on whole arrays:
the same name, formula texts and local derivative (``T.TANH.derivative is
ops.TANH.derivative``); only the forward rules are numpy's, with the checks arrays need.
Ops with a setting (an exponent, a base, a slope, bounds) come from cached factories, like
:func:`autograd.scalar.ops.power`. ``round`` has no scalar twin; ``matmul`` is not
elementwise, so its backward rule is written here, once for arrays and Tensors.

    >>> MATMUL.forward(np.ones((2, 3)), np.ones((3, 4))).shape
    (2, 4)
    >>> MATMUL.render(["x", "W"]), MATMUL.formula(1, 2)
    ('x @ W', 'd(a@b)/db = aᵀ @ upstream')
    >>> DIV.derivative is ops.DIV.derivative
    True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from ...engine.records import OpDomainError
from ...scalar import ops
from ..notation import who
from .tensor_op import (
    ARRAYS,
    Array,
    Grads,
    TensorOp,
    elementwise,
    elementwise_function,
    expand_dims,
    reads_each_other,
    reads_input,
    reads_input_and_result,
    reads_nothing,
    reads_result,
    swap_last,
)

__all__ = [
    "ADD",
    "SUB",
    "MUL",
    "DIV",
    "POW",
    "NEG",
    "EXP",
    "LOG",
    "TANH",
    "SIGMOID",
    "RELU",
    "SOFTPLUS",
    "SIN",
    "COS",
    "ABS",
    "LOG10",
    "CLONE",
    "MATMUL",
    "power",
    "exponential",
    "leaky_relu",
    "clip",
    "rounding",
]


# --- binary arithmetic (numpy broadcasting) ----------------------------------------------


def _reads_for_division(node: Any) -> tuple[Any, ...]:
    a, b = node.parents
    return (b, a) if b.requires_grad else (b,)


def _reads_for_power(node: Any) -> tuple[Any, ...]:
    a, b = node.parents
    return (a, b, node) if b.requires_grad else (a, b)


def _divide(a: Array, b: Array) -> Array:
    if not np.all(b):
        raise OpDomainError(
            f"division by zero ({np.size(b) - np.count_nonzero(b)} of the divisor's "
            f"{np.size(b)} entries are 0)",
            ZeroDivisionError,
        )
    return a / b


#: PyTorch's rule: an integer result cannot hold 2 ** -1 = 0.5.
_NEGATIVE_INTEGER_POWER = (
    "integers to negative integer powers are not allowed (the result would be a fraction, "
    "which an integer tensor cannot hold); make the base float first, e.g. x.float() ** -1"
)


def _check_power(base: Array, exponent: Any) -> None:
    """Refuse what has no real value: 0 to a negative power, a negative base to a fraction,
    and (as PyTorch) an integer to a negative integer."""
    exponent = np.asarray(exponent)
    if base.dtype.kind in "biu" and exponent.dtype.kind in "biu" and np.any(exponent < 0):
        raise OpDomainError(_NEGATIVE_INTEGER_POWER)
    if np.any((base == 0) & (exponent < 0)):
        raise OpDomainError("0 to a negative power is undefined", ZeroDivisionError)
    if np.any((base < 0) & np.isfinite(exponent) & (exponent != np.round(exponent))):
        raise OpDomainError("a negative base to a non-integer power has no real value")


def _power_forward(a: Array, b: Array) -> Array:
    _check_power(a, b)
    return np.power(a, b)


# The scalar records' derivatives on arrays: add's 1 and 1, sub's 1 and −1, mul's b and a; div's
# and pow's one input at a time (their shares), so x / 2 works out nothing for 2.
ADD = elementwise(ops.ADD, np.add, promotes=True, overflows=True, reads=reads_nothing)
SUB = elementwise(ops.SUB, np.subtract, promotes=True, overflows=True, reads=reads_nothing)
MUL = elementwise(ops.MUL, np.multiply, promotes=True, overflows=True, reads=reads_each_other)
DIV = elementwise(ops.DIV, _divide, promotes=True, overflows=True, reads=_reads_for_division)
# quiet: the slope in the base is ∞ at 0 for 0 < b < 1, as in PyTorch (numpy would warn)
POW = elementwise(
    ops.POW, _power_forward, quiet=True, promotes=True, overflows=True, reads=_reads_for_power
)


@lru_cache(maxsize=256, typed=True)
def power(exponent: float) -> TensorOp:
    """``a ** exponent`` for a fixed number (cached per exponent and its type); text from
    the scalar op.

    The result's dtype follows PyTorch: a float tensor keeps its dtype; an integer (or bool)
    tensor stays int64 under an int exponent and becomes float32 under a float one (even a
    whole one such as 3.0); an integer to a negative int exponent is refused.

    >>> power(2.0).forward(np.array([3.0])), power(2.0).render(["x"])
    (array([9.]), 'x^2')
    >>> power(3).forward(np.array([2])), power(3.0).forward(np.array([2]))
    (array([8]), array([8.], dtype=float32))
    """
    k = exponent
    integral = isinstance(k, int)
    whole = k == int(k)

    def forward(a: Array) -> Array:
        if a.dtype.kind != "f":
            if not integral:
                a = a.astype(np.float32)
            elif k < 0:
                raise OpDomainError(_NEGATIVE_INTEGER_POWER)
            elif a.dtype.kind == "b":
                a = a.astype(np.int64)
        if k < 0 and np.any(a == 0):
            raise OpDomainError("0 to a negative power is undefined", ZeroDivisionError)
        if not whole and np.any(a < 0):
            raise OpDomainError(f"a negative base to the power {k:g} has no real value")
        return a * a if k == 2 else a**k

    # pow is named here by its exponent (pow2): the base is its only input, and the rule reads
    # it. quiet: the slope at 0 is infinite for 0 < k < 1, as in PyTorch (numpy would warn);
    # other exponents never meet 0 ** negative (forward refuses 0 for k < 0), nor the cost.
    return elementwise(ops.power(k), forward, quiet=0 < k < 1, overflows=True, reads=reads_input)


@lru_cache(maxsize=256)
def exponential(base: float) -> TensorOp:
    """``base ** a`` for a fixed positive number (cached per base).

    >>> exponential(2.0).forward(np.array([3.0]))
    array([8.])
    """
    return elementwise(
        ops.exponential(base),
        lambda a: np.power(base, a),
        floating=True,
        overflows=True,
        reads=reads_input_and_result,  # the result, and x as PyTorch saves it
    )


# --- unary functions ---------------------------------------------------------------------


@lru_cache(maxsize=16)
def _exp_limit(dtype: np.dtype[Any]) -> float:
    return math.log(float(np.finfo(dtype).max))


def _exp(a: Array) -> Array:
    if a.size and a.dtype.kind == "f":
        largest = a.max()
        limit = _exp_limit(a.dtype)
        if largest > limit and math.isfinite(largest):
            raise OpDomainError(
                f"exp({float(largest):g}) is too large for {a.dtype} "
                f"(the largest input is about {limit:.2f})",
                OverflowError,
            )
    return np.exp(a)


def _log(a: Array, log: Callable[[Array], Array] = np.log, name: str = "log") -> Array:
    if a.size:
        smallest = a.min()
        if smallest <= 0:
            bad = int(np.count_nonzero(a <= 0))
            raise OpDomainError(
                f"{name} is only defined for x > 0, but {bad} of the {a.size} entries are <= 0 "
                f"(smallest {float(smallest):g}); clip it first, e.g. x.clip(1e-7, None)"
            )
    return log(a)


def _sigmoid(a: Array) -> Array:
    # exp only ever sees -|a|, so no input overflows: 1/(1+e) for a >= 0, e/(1+e) below.
    e = np.exp(-np.abs(a))
    out = 1 / (1 + e)
    return np.where(a >= 0, out, e * out)


def _relu(a: Array) -> Array:
    return np.maximum(a, 0)


def _softplus(a: Array) -> Array:
    # log(1 + eᵃ) = max(a, 0) + log(1 + e^−|a|), as the scalar rule: stable for any input
    return np.maximum(a, 0) + np.log1p(np.exp(-np.abs(a)))


def _log10(a: Array) -> Array:
    return _log(a, np.log10, "log10")


def _explain_negating(inputs: Sequence[Any], ctx: Any, error: Exception) -> Exception:
    # numpy refuses -True itself (a TypeError), so the check costs nothing until it fails
    if inputs[0].array.dtype.kind == "b":
        return TypeError(
            f"neg: -{who(inputs[0])}: negating booleans is not supported, as in PyTorch; to "
            "flip a mask use ~mask (or mask.logical_not())"
        )
    return type(error)(f"neg: {error} ({who(inputs[0])})")


# The scalar records' own derivatives, run on arrays: neg's −1, exp's slope is its result,
# log's 1/a, tanh's 1 − out², sigmoid's out·(1 − out), relu's mask of out > 0 (NaN passes).
# Only the forward rules are numpy's.
NEG = elementwise(ops.NEG, np.negative, reads=reads_nothing, explain=_explain_negating)
EXP = elementwise(ops.EXP, _exp, floating=True, overflows=True, reads=reads_result)
LOG = elementwise(ops.LOG, _log, floating=True, reads=reads_input)
TANH = elementwise(ops.TANH, np.tanh, floating=True, reads=reads_result)
SIGMOID = elementwise(ops.SIGMOID, _sigmoid, floating=True, reads=reads_result)
RELU = elementwise(ops.RELU, _relu, reads=reads_result)
# softplus' slope is σ(a): on many numbers, the array rule above (or the Tensor's sigmoid op)
ops.MANY_NUMBERS["sigmoid"] = elementwise_function("sigmoid", _sigmoid)
SOFTPLUS = elementwise(ops.SOFTPLUS, _softplus, floating=True, reads=reads_input)
SIN = elementwise(ops.SIN, np.sin, floating=True, reads=reads_input, nan_from_inf=True)
COS = elementwise(ops.COS, np.cos, floating=True, reads=reads_input, nan_from_inf=True)
ABS = elementwise(ops.ABS, np.abs, reads=reads_input)
LOG10 = elementwise(ops.LOG10, _log10, floating=True, reads=reads_input)


#: A copy with the same numbers (PyTorch's ``clone``): the gradient passes through unchanged,
#: and changing the copy in place leaves the original alone.
CLONE = TensorOp(
    name="clone",
    symbol="clone",
    template="clone({0})",
    forward=lambda a: a.copy(),
    backward=lambda node, g: (g,),
    formulas=("d clone(a)/da = 1",),
    doc="a copy of the numbers",
    reads=reads_nothing,
)


@lru_cache(maxsize=64)
def leaky_relu(slope: float = 0.01) -> TensorOp:
    """``a if a > 0 else slope·a`` elementwise (cached per slope).

    >>> leaky_relu(0.1).forward(np.array([-2.0, 3.0]))
    array([-0.2,  3. ])
    """
    return elementwise(
        ops.leaky_relu(slope), lambda a: np.where(a > 0, a, a * slope), reads=reads_input
    )


@lru_cache(maxsize=64)
def clip(low: float | None, high: float | None) -> TensorOp:
    """``a`` limited to ``[low, high]`` (either may be None); gradient 1 inside, 0 outside.

    PyTorch's ``clamp``: at a bound itself the gradient is still 1. Text and slope from the
    scalar :func:`autograd.scalar.ops.clip`, whose mask of the range runs on the array.

    >>> clip(0.0, 1.0).forward(np.array([-1.0, 0.5, 2.0]))
    array([0. , 0.5, 1. ])
    """
    return elementwise(ops.clip(low, high), lambda a: np.clip(a, low, high), reads=reads_input)


@lru_cache(maxsize=16)
def rounding(decimals: int = 0) -> TensorOp:
    """``a`` rounded to ``decimals`` places, halves to even (cached per ``decimals``).

    Its gradient is 0 everywhere, as PyTorch's (and the scalar ``step``): the result is flat
    between its jumps, and a jump has no slope to pass on.

    >>> rounding(0).forward(np.array([0.5, 1.5, -2.6])), rounding(1).render(["x"])
    (array([ 0.,  2., -3.]), 'round(x, 1)')
    """
    places = "" if decimals == 0 else f", {decimals}"
    return TensorOp(
        name="round",
        symbol="round",
        template=f"round({{0}}{places})",
        forward=lambda a: a.round(decimals),
        backward=lambda node, g: (np.zeros(g.shape, g.dtype),),
        formulas=(f"d round(a{places})/da = 0 (flat between the jumps)",),
        doc=f"round to {decimals} decimal places",
        reads=reads_nothing,
    )


# --- matrix product ----------------------------------------------------------------------


def _in_layout_of(
    operand: Array, row_major: Callable[[], Array], column_major: Callable[[], Array]
) -> Array:
    """A matrix gradient laid out in memory like its operand (PyTorch does the same).

    ``x @ W.T`` (nn.Linear's layout) multiplies by a transposed view; computing W.T's
    gradient already transposed makes W's own gradient a plain row-major array, where
    transposing it afterwards would copy every entry across the grain (slower than the
    product itself for a 784×256 weight).
    """
    if not isinstance(operand, ARRAYS):
        return row_major()  # a Tensor (a gradient graph): memory layout is numpy's business
    flags = operand.flags
    return column_major() if flags.f_contiguous and not flags.c_contiguous else row_major()


def _matmul_backward(node: Any, g: Array) -> Grads:
    x, y = node.parents
    a, b = x.array, y.array
    if a.ndim == 2 and b.ndim == 2:  # the common case, without any reshaping
        return (
            _in_layout_of(a, lambda: g @ b.T, lambda: (b @ g.T).T) if x.requires_grad else None,
            _in_layout_of(b, lambda: a.T @ g, lambda: (g.T @ a).T) if y.requires_grad else None,
        )
    if a.ndim == 1 and b.ndim == 1:  # a dot product: g is one number
        return (g * b if x.requires_grad else None, g * a if y.requires_grad else None)
    # Treat a vector as a one-row (a) or one-column (b) matrix, then drop that axis again.
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    g2 = g
    if a.ndim == 1:
        g2 = expand_dims(g2, -2)
    if b.ndim == 1:
        g2 = expand_dims(g2, -1)
    da = db = None
    if x.requires_grad:
        da = g2 @ swap_last(b2)
        if a.ndim == 1:
            da = da[..., 0, :]
    if y.requires_grad:
        db = swap_last(a2) @ g2
        if b.ndim == 1:
            db = db[..., 0]
    return (da, db)  # batch axes that were broadcast are summed by fit_gradient


def _matmul_check(inputs: Sequence[Any], ctx: Any) -> None:
    left, right = inputs
    a, b = left.array, right.array
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"matmul: {who(left)} @ {who(right)}: @ needs at least one axis on each "
            "side; multiply by a single number with *"
        )
    if a.dtype is not b.dtype and a.dtype != b.dtype:  # (one dtype object per type, mostly)
        raise TypeError(
            f"matmul: {who(left)} @ {who(right)}: both sides need the same dtype, as in "
            "PyTorch (which says: expected m1 and m2 to have the same dtype); convert one "
            f"first, e.g. .to({b.dtype if a.dtype.kind != 'f' else a.dtype})"
        )


def _matmul_explain(inputs: Sequence[Any], ctx: Any, error: Exception) -> Exception:
    left, right = inputs
    a, b = left.array, right.array
    inner = f"{a.shape[-1]} and {b.shape[0] if b.ndim == 1 else b.shape[-2]}"
    return ValueError(
        f"matmul: cannot multiply {who(left)} by {who(right)}: the inner sizes "
        f"{inner} differ (or the batch axes do not broadcast); for a @ b, a's last "
        "axis must match b's first (or second-to-last)"
    )


MATMUL = TensorOp(
    name="matmul",
    symbol="@",
    template="{0} @ {1}",
    forward=np.matmul,
    backward=_matmul_backward,
    formulas=("d(a@b)/da = upstream @ bᵀ", "d(a@b)/db = aᵀ @ upstream"),
    doc="matrix product",
    overflows=True,
    reads=reads_each_other,
    check=_matmul_check,
    explain=_matmul_explain,
)
