"""inf and NaN already in an input pass through every op quietly, forward and backward, for
Tensors of every float dtype and for Values: no numpy RuntimeWarning on the way, as PyTorch
prints none (README, "What tracegrad promises", the overflow policy)."""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from tensor_cases import CASES, OURS

import autograd
import nn
from autograd import Tensor, Value

SPECIALS = (math.inf, -math.inf, math.nan)
DTYPES = (np.float16, np.float32, np.float64)

#: What an op may refuse an inf or NaN with: a domain error naming it (bce of NaN, as PyTorch).
REFUSALS = (ValueError, ZeroDivisionError)

LOSSES: dict[str, Callable[[Tensor], Tensor]] = {
    "cross_entropy": lambda a: nn.CrossEntropyLoss()(a.reshape(2, 3), autograd.tensor([0, 2])),
    "cross_entropy sum": lambda a: nn.CrossEntropyLoss(reduction="sum")(
        a.reshape(3, 2), autograd.tensor([1, 0, 1])
    ),
    "bce_with_logits": lambda a: nn.BCEWithLogitsLoss()(a, Tensor(np.full(6, 0.3), dtype=a.dtype)),
    "mse": lambda a: nn.MSELoss()(a, Tensor(np.ones(6), dtype=a.dtype)),
    "softmax along 0": lambda a: (a.reshape(2, 3).softmax(0) * a.reshape(2, 3)).sum(),
}


def _with_non_finite(draw: Any, array: np.ndarray) -> np.ndarray:
    flat = array.reshape(-1).copy()
    places = draw(st.sets(st.integers(0, max(flat.size - 1, 0)), min_size=1, max_size=flat.size))
    for place in places:
        flat[place] = draw(st.sampled_from(SPECIALS))
    return flat.reshape(array.shape)


def _quietly(run: Callable[[], Any]) -> None:
    """Run ``run``, failing on any numpy RuntimeWarning; a named refusal is allowed."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with contextlib.suppress(REFUSALS):
            run()


@given(st.data())
def test_every_tensor_op_lets_inf_and_nan_through_without_a_warning(data: Any) -> None:
    case = data.draw(st.sampled_from(CASES), label="case")
    shapes, setting = data.draw(case.shapes, label="shapes")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    arrays = [_with_non_finite(data.draw, rng.uniform(-2.0, 2.0, shape)) for shape in shapes]
    dtype = data.draw(st.sampled_from(DTYPES), label="dtype")

    def forward_and_backward() -> None:
        leaves = [Tensor(a, requires_grad=True, dtype=dtype) for a in arrays]
        out = case.build(OURS, setting, *leaves)
        (out * Tensor(np.ones(out.shape), dtype=dtype)).sum().backward()

    _quietly(forward_and_backward)


@given(
    st.sampled_from(list(LOSSES)),
    st.lists(st.sampled_from((*SPECIALS, -1.5, 0.0, 2.0)), min_size=6, max_size=6),
    st.sampled_from(DTYPES),
)
def test_the_losses_let_inf_and_nan_through_without_a_warning(
    loss: str, numbers: list[float], dtype: Any
) -> None:
    def forward_and_backward() -> None:
        x = Tensor(numbers, requires_grad=True, dtype=dtype)
        LOSSES[loss](x).backward()

    _quietly(forward_and_backward)


VALUE_OPS: dict[str, Callable[[Value, Value], Value]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "square": lambda a, b: a**2,
    "rpow": lambda a, b: 2.0**a,
    "power by a number": lambda a, b: a**b.data,
    "negative number to a power": lambda a, b: (-2.0) ** a,
    "exp": lambda a, b: a.exp(),
    "log": lambda a, b: a.log(),
    "tanh": lambda a, b: a.tanh(),
    "sigmoid": lambda a, b: a.sigmoid(),
    "relu": lambda a, b: a.relu(),
    "softplus": lambda a, b: a.softplus(),
    "clip": lambda a, b: a.clip(-1.0, 1.0),
    "dot": lambda a, b: Value.dot([a, b], [b, a], 1.0),
    "sum": lambda a, b: Value.sum([a, b, a]),
}


@given(
    st.sampled_from(list(VALUE_OPS)),
    st.sampled_from(SPECIALS),
    st.sampled_from((*SPECIALS, -2.0, 0.5, 3.0)),
)
def test_every_value_op_lets_inf_and_nan_through_without_a_warning(
    op: str, a: float, b: float
) -> None:
    def forward_and_backward() -> None:
        VALUE_OPS[op](Value(a, "a"), Value(b, "b")).backward()

    _quietly(forward_and_backward)
