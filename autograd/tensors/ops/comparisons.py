"""Comparisons, logic and dtype casts: the Tensor records whose results (booleans, integers)
carry no gradient, and the cast between dtypes, which passes it on between floats.

A comparison or a logical op is outside the graph (``differentiable=False``), as PyTorch's
have no grad_fn: its result never records, so masks made from Tensors are constants.

    >>> LESS.forward(np.array([1.0, 3.0]), np.array([2.0, 2.0]))
    array([ True, False])
    >>> cast_to(np.dtype("float32")).render(["x"])
    'float32(x)'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

import numpy as np

from ...engine.records import OpDomainError
from ..notation import who
from .tensor_op import Array, TensorOp, no_gradient, reads_nothing

__all__ = [
    "cast_to",
    "EQUAL",
    "NOT_EQUAL",
    "LESS",
    "LESS_EQUAL",
    "GREATER",
    "GREATER_EQUAL",
    "LOGICAL_NOT",
    "ANY",
    "ALL",
    "INVERT",
]


@lru_cache(maxsize=16)
def cast_to(dtype: np.dtype[Any]) -> TensorOp:
    """The same numbers in another dtype. Between floats the gradient is cast back; to an
    integer or bool dtype the result is outside the graph (fractions are cut off).

    >>> cast_to(np.dtype("float32")).forward(np.array([1.5])).dtype
    dtype('float32')
    """
    to_float = dtype.kind == "f"

    def forward(a: Array) -> Array:
        try:
            return a.astype(dtype)
        except FloatingPointError:  # a narrower float cannot hold the numbers
            raise OpDomainError(
                f"the numbers are too large for {dtype} (beyond "
                f"±{float(np.finfo(dtype).max):.4g}) and would be inf",
                OverflowError,
            ) from None

    return TensorOp(
        name="cast",
        symbol=str(dtype),
        template=f"{dtype}({{0}})",
        forward=forward,
        # fit_gradient casts the gradient back to the input's dtype
        backward=lambda node, g: (g,),
        formulas=(f"d {dtype}(a)/da = 1 (the gradient is cast back to a's dtype)",),
        doc=f"cast to {dtype}",
        differentiable=to_float,
        overflows=to_float,
        reads=reads_nothing,
    )


# --- outside the graph: comparisons and logic give booleans, which carry no gradient -----


def _outside_graph(
    name: str, symbol: str, template: str, forward: Callable[..., Array]
) -> TensorOp:
    return TensorOp(
        name=name,
        symbol=symbol,
        template=template,
        forward=forward,
        backward=no_gradient,
        formulas=(f"{name} gives booleans: no gradient",),
        doc=f"{name}, outside the graph",
        differentiable=False,
    )


EQUAL = _outside_graph("equal", "==", "{0} == {1}", np.equal)
NOT_EQUAL = _outside_graph("not_equal", "!=", "{0} != {1}", np.not_equal)
LESS = _outside_graph("less", "<", "{0} < {1}", np.less)
LESS_EQUAL = _outside_graph("less_equal", "≤", "{0} ≤ {1}", np.less_equal)
GREATER = _outside_graph("greater", ">", "{0} > {1}", np.greater)
GREATER_EQUAL = _outside_graph("greater_equal", "≥", "{0} ≥ {1}", np.greater_equal)
LOGICAL_NOT = _outside_graph("logical_not", "not", "not {0}", np.logical_not)
ANY = _outside_graph("any", "any", "any({0})", np.any)
ALL = _outside_graph("all", "all", "all({0})", np.all)


def _refuse_inverting_floats(inputs: Sequence[Any], ctx: Any) -> None:
    if inputs[0].array.dtype.kind not in "biu":
        raise TypeError(
            f"~ on {who(inputs[0])}: ~ flips booleans or the bits of integers; for floats "
            "write 1 - x or -x"
        )


#: ``~mask``: booleans flipped (integers: bitwise not), as PyTorch's.
INVERT = replace(_outside_graph("invert", "~", "~{0}", np.invert), check=_refuse_inverting_floats)
