"""Tensor ops on hypothesis-drawn shapes and broadcasts: backward agrees with central finite
differences in float64, with PyTorch (float64 and float32) when it is installed, and with
backward_steps.

One registry of cases serves every test. A case builds its result from input tensors through
a small ``lib`` (tracegrad or torch), so the very same expression runs on both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from conftest import needs_torch
from hypothesis import assume, given
from tensor_cases import (
    CASES,
    OURS,
    Case,
    _ours,
    _weights,
    any_shape,
    one,
    problems,
    torch_lib,
)

import autograd
from autograd import Tensor, gradcheck


@given(problems())
def test_every_op_matches_finite_differences(problem: Any) -> None:
    case, setting, arrays, rng = problem
    assume(case.smooth(arrays, setting))
    weights = _weights(case, setting, arrays, rng)

    def f(*xs: Tensor) -> Tensor:
        return (case.build(OURS, setting, *xs) * weights).sum()

    report = gradcheck(f, *_ours(arrays), rtol=1e-4, atol=1e-6)
    assert report, f"{case.name}\n{report}"


@given(problems())
def test_backward_steps_has_the_same_effect_as_backward(problem: Any) -> None:
    case, setting, arrays, rng = problem
    weights = _weights(case, setting, arrays, rng)
    fast, stepped = _ours(arrays), _ours(arrays)
    (case.build(OURS, setting, *fast) * weights).sum().backward()
    root = (case.build(OURS, setting, *stepped) * weights).sum()
    steps = list(root.backward_steps())
    assert all(step.index == i + 1 for i, step in enumerate(steps))
    for a, b in zip(fast, stepped):
        assert (a.grad is None) == (b.grad is None), case.name
        if a.grad is not None:
            np.testing.assert_array_equal(a.grad, b.grad, err_msg=case.name)
    assert "Backward pass" in root.explain()


def _torch_run(
    case: Case, setting: Any, arrays: list[np.ndarray], weights: np.ndarray, dtype: Any
) -> Any:
    import torch

    leaves = [torch.tensor(a, dtype=dtype, requires_grad=True) for a in arrays]
    out = case.build(torch_lib(), setting, *leaves)
    (out * torch.as_tensor(weights, dtype=dtype)).sum().backward()
    grads = [None if t.grad is None else t.grad.numpy() for t in leaves]
    return out.detach().numpy(), grads


def _our_run(
    case: Case, setting: Any, arrays: list[np.ndarray], weights: np.ndarray, dtype: Any
) -> Any:
    leaves = _ours(arrays, dtype)
    out = case.build(OURS, setting, *leaves)
    (out * weights.astype(dtype)).sum().backward()
    return out, leaves


@needs_torch
@given(problems())
def test_every_op_matches_torch_in_float64(problem: Any) -> None:
    import torch

    case, setting, arrays, rng = problem
    weights = _weights(case, setting, arrays, rng)
    out, leaves = _our_run(case, setting, arrays, weights, np.float64)
    expected_out, expected_grads = _torch_run(case, setting, arrays, weights, torch.float64)
    np.testing.assert_allclose(out.data, expected_out, rtol=1e-12, atol=1e-12, err_msg=case.name)
    for leaf, expected in zip(leaves, expected_grads):
        ours = np.zeros_like(leaf.data) if leaf.grad is None else leaf.grad
        theirs = np.zeros_like(leaf.data) if expected is None else expected
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12, err_msg=case.name)


@needs_torch
@given(problems())
def test_float32_stays_float32_and_matches_torch(problem: Any) -> None:
    import torch

    case, setting, arrays, rng = problem
    weights = _weights(case, setting, arrays, rng)
    out, leaves = _our_run(case, setting, arrays, weights, np.float32)
    expected_out, expected_grads = _torch_run(case, setting, arrays, weights, torch.float32)
    assert out.dtype == np.float32, case.name
    np.testing.assert_allclose(out.data, expected_out, rtol=2e-5, atol=2e-5, err_msg=case.name)
    for leaf, expected in zip(leaves, expected_grads):
        if leaf.grad is not None:
            assert leaf.grad.dtype == np.float32 and leaf.grad.shape == leaf.shape, case.name
        ours = np.zeros_like(leaf.data) if leaf.grad is None else leaf.grad
        theirs = np.zeros_like(leaf.data) if expected is None else expected
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4, err_msg=case.name)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_case_on_its_simplest_shapes(case: Case) -> None:
    """Every registered case at least once: hypothesis's simplest draw of its shapes."""
    from hypothesis import find, settings

    shapes, setting = find(case.shapes, lambda drawn: True, settings=settings(database=None))
    rng = np.random.default_rng(11)
    arrays = [rng.uniform(-2.0, 2.0, shape) for shape in shapes]
    if not case.smooth(arrays, setting):
        pytest.skip("the fixed point lies on a kink")
    weights = _weights(case, setting, arrays, rng)
    report = gradcheck(
        lambda *xs: (case.build(OURS, setting, *xs) * weights).sum(),
        *_ours(arrays),
        rtol=1e-4,
        atol=1e-6,
    )
    assert report, f"{case.name}\n{report}"


# --- fixed points where the hypothesis cases' smoothness guards never go -----------------

NAN = float("nan")


def _edge(name: str, build: Callable[..., Any], *arrays: list[Any]) -> Any:
    case = Case(name, one(any_shape), build)
    return pytest.param(case, [np.array(a) for a in arrays], id=name)


EDGE_POINTS = [
    _edge("pow at 0**0", lambda lib, s, a, b: a**b, [0.0, 0.0, 0.0, 0.0, 2.0], [0, 0.5, 1, 2, 0]),
    _edge("power 0.5 at 0", lambda lib, s, a: a**0.5, [0.0, 4.0]),
    _edge("power 0 at 0", lambda lib, s, a: a**0, [0.0, 3.0]),
    _edge("power 1 at 0", lambda lib, s, a: a**1, [0.0, 3.0]),
    _edge("max with ties", lambda lib, s, a: a.max(), [[3.0, 1.0, 3.0], [2.0, 3.0, 0.0]]),
    _edge("amax ties along an axis", lambda lib, s, a: a.amax(1), [[3.0, 1.0, 3.0], [2.0] * 3]),
    _edge("amin ties along an axis", lambda lib, s, a: a.amin(0), [[1.0, 2.0], [1.0, 0.0]]),
    _edge("max(dim) with ties", lambda lib, s, a: a.max(1).values, [[3.0, 1.0, 3.0], [2.0] * 3]),
    _edge("max with a NaN", lambda lib, s, a: a.max(), [1.0, NAN, 3.0]),
    _edge("max with two NaNs", lambda lib, s, a: a.max(), [NAN, 1.0, NAN]),
    _edge("min with a NaN", lambda lib, s, a: a.min(), [[1.0, NAN], [-3.0, 0.0]]),
    _edge("max(dim) with a NaN", lambda lib, s, a: a.max(1).values, [[1.0, NAN], [2.0, 0.0]]),
    _edge("round at halves", lambda lib, s, a: a.round() * a, [0.5, 1.5, 1.4, -2.6]),
    _edge("min(dim) with a NaN", lambda lib, s, a: a.min(0).values, [[1.0, NAN], [2.0, 0.0]]),
]


@needs_torch
@pytest.mark.parametrize("dtype_name", ["float64", "float32"])
@pytest.mark.parametrize("case, arrays", EDGE_POINTS)
def test_edge_points_match_torch(case: Case, arrays: list[np.ndarray], dtype_name: str) -> None:
    """Values and gradients at kinks, ties and NaNs, which finite differences cannot check."""
    import warnings

    import torch

    dtype = np.dtype(dtype_name)
    with autograd.no_grad():
        out_shape = case.build(OURS, None, *(Tensor(a, dtype=dtype) for a in arrays)).shape
    weights = np.ones(out_shape)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out, leaves = _our_run(case, None, arrays, weights, dtype)
    expected_out, expected_grads = _torch_run(
        case, None, arrays, weights, getattr(torch, dtype_name)
    )
    np.testing.assert_array_equal(out.data, expected_out.astype(dtype))
    for leaf, expected in zip(leaves, expected_grads):
        assert leaf.grad is not None and leaf.grad.dtype == dtype
        np.testing.assert_array_equal(leaf.grad, expected.astype(dtype), err_msg=case.name)
