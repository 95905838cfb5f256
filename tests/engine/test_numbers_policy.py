"""Issue 10, items 5, 12 and 14: gradients keep their parameter's dtype (float16 included),
edge cases of softmax, argmax and max give PyTorch's result or a named error, and one
overflow policy for Values and Tensors: finite inputs that overflow raise, naming the op;
inf and NaN already in an input pass through."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
from conftest import needs_torch

import autograd
from autograd import Tensor, Value, tensor

# --- item 5: float16, and the dtype of every gradient ------------------------------------


def test_a_float16_mean_over_more_entries_than_float16_can_count_is_one() -> None:
    x = Tensor(np.ones(70_000), dtype=np.float16, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow in a cast on the way
        m = x.mean()
        m.backward()
    assert m.dtype == np.float16 and m.item() == 1.0
    assert x.grad.dtype == np.float16
    assert x.grad[0] == np.float16(1 / 70_000) and x.grad[0] > 0


def test_a_float16_sum_is_added_up_in_float32_as_in_torch() -> None:
    x = Tensor(np.full(1000, 0.1), dtype=np.float16)
    one_by_one = np.float16(0)
    for value in x.data:
        one_by_one = np.float16(one_by_one + value)
    assert x.sum().item() == float(np.float16(np.float32(x.data).sum()))
    assert x.sum().item() != float(one_by_one)


#: One-line graphs over a leaf t of two entries in [0.5, 1.5], covering every Tensor op.
GRAPHS: dict[str, Any] = {
    "add": lambda t: (t + 1).sum(),
    "sub": lambda t: (1 - t).sum(),
    "neg": lambda t: (-t).sum(),
    "mul": lambda t: (t * t).sum(),
    "div": lambda t: (1 / t).sum(),
    "pow k": lambda t: (t**2).sum(),
    "pow t": lambda t: (t**t).sum(),
    "rpow": lambda t: (2**t).sum(),
    "matmul": lambda t: t @ t,
    "exp": lambda t: t.exp().sum(),
    "log": lambda t: t.log().sum(),
    "tanh": lambda t: t.tanh().sum(),
    "sigmoid": lambda t: t.sigmoid().sum(),
    "relu": lambda t: t.relu().sum(),
    "leaky_relu": lambda t: t.leaky_relu(0.1).sum(),
    "clip": lambda t: t.clip(0, 1).sum(),
    "mean": lambda t: t.mean(),
    "max": lambda t: t.max(),
    "max dim": lambda t: t.max(0)[0],
    "amin": lambda t: t.amin(),
    "softmax": lambda t: (t.softmax(0) * t).sum(),
    "log_softmax": lambda t: t.log_softmax(0).sum(),
    "index": lambda t: t[[0, 0]].sum(),
    "reshape": lambda t: t.reshape(2, 1).T.sum(),
    "cat": lambda t: autograd.cat([t, t]).sum(),
    "stack": lambda t: autograd.stack([t, t]).sum(),
    "round": lambda t: (t.round() + t).sum(),
}


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64], ids=str)
@pytest.mark.parametrize("graph", list(GRAPHS))
def test_every_gradient_has_its_leafs_dtype(graph, dtype) -> None:
    t = Tensor([0.5, 1.5], dtype=dtype, requires_grad=True)
    out = GRAPHS[graph](t)
    out.backward()
    assert out.dtype == dtype and t.grad.dtype == dtype


@needs_torch
@pytest.mark.parametrize("graph", list(GRAPHS))
def test_float16_gradients_match_torch(graph) -> None:
    import torch

    t = Tensor([0.5, 1.5], dtype=np.float16, requires_grad=True)
    GRAPHS[graph](t).backward()
    theirs = torch.tensor([0.5, 1.5], dtype=torch.float16, requires_grad=True)
    torch_graph = {
        "cat": lambda u: torch.cat([u, u]).sum(),
        "stack": lambda u: torch.stack([u, u]).sum(),
        "leaky_relu": lambda u: torch.nn.functional.leaky_relu(u, 0.1).sum(),
        "max dim": lambda u: u.max(0)[0],
    }.get(graph, GRAPHS[graph])
    torch_graph(theirs).backward()
    assert theirs.grad.dtype == torch.float16
    np.testing.assert_allclose(t.grad, theirs.grad.numpy(), rtol=2e-3, atol=1e-3)


# --- item 12: empty axes, one number, negated booleans -----------------------------------


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_over_an_empty_axis_is_empty_as_in_torch(name) -> None:
    x = Tensor(np.zeros((2, 0)), requires_grad=True)
    out = getattr(x, name)(1)
    assert out.shape == (2, 0) and out.dtype == np.float32
    out.sum().backward()
    assert x.grad.shape == (2, 0)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_over_an_empty_axis_is_a_named_index_error(name) -> None:
    x = Tensor(np.zeros((2, 0)), label="x")
    with pytest.raises(IndexError, match=rf"{name}: axis 1 of 'x' \[2×0\] float32 has size 0"):
        getattr(x, name)(1)
    with pytest.raises(IndexError, match=rf"{name}: 'x' \[2×0\] float32 has no entries"):
        getattr(x, name)()
    assert getattr(x, name)(0).shape == (0,)  # along the axis of 2: one index per column


def test_max_along_an_axis_whose_other_axes_are_empty_is_empty_as_in_torch() -> None:
    x = Tensor(np.zeros((2, 0)))
    values, indices = x.max(0)
    assert values.shape == indices.shape == (0,) and x.amax(0).shape == (0,)
    with pytest.raises(IndexError, match="max: axis 1"):
        x.max(1)


@pytest.mark.parametrize("dim", [0, -1])
def test_max_of_one_number_along_dim_0_is_itself_at_index_0(dim) -> None:
    x = Tensor(3.0, requires_grad=True)
    values, indices = x.max(dim)
    assert values.item() == 3.0 and indices.item() == 0 and values.shape == ()
    values.backward()
    assert x.grad.item() == 1.0
    with pytest.raises(ValueError, match="max: axis 1 does not exist"):
        x.max(1)


def test_negating_booleans_is_refused_as_in_torch_and_invert_flips_them() -> None:
    mask = tensor([True, False], label="mask")
    with pytest.raises(TypeError, match=r"neg: -'mask' \[2\] bool: negating booleans"):
        _ = -mask
    assert (~mask).tolist() == [False, True] and mask.logical_not().tolist() == [False, True]


@needs_torch
def test_the_edge_cases_match_torch() -> None:
    import torch

    empty, t_empty = Tensor(np.zeros((2, 0))), torch.zeros(2, 0)
    assert empty.softmax(1).shape == tuple(t_empty.softmax(1).shape)
    assert empty.argmax(0).shape == tuple(t_empty.argmax(0).shape)
    for name in ("argmax", "argmin"):
        with pytest.raises(IndexError):
            getattr(t_empty, name)(1)
    values, indices = torch.tensor(3.0).max(0)
    assert (values.item(), indices.item()) == (3.0, 0)
    with pytest.raises(RuntimeError, match="Negation"):
        _ = -torch.tensor([True])
    x = np.arange(6.0).reshape(2, 3)
    for name in ("sum", "mean"):
        assert getattr(Tensor(x), name)(()).item() == getattr(torch.tensor(x), name)(()).item()


# --- item 14: one overflow policy; sum(()); matmul's dtypes -------------------------------


@pytest.mark.parametrize(
    "make, op",
    [
        (lambda a, b: a + b, "add"),
        (lambda a, b: a - (-b), "sub"),
        (lambda a, b: a * b, "mul"),
        (lambda a, b: a / (1 / b), "div"),
        (lambda a, b: Value.sum([a, b]), "sum"),
        (lambda a, b: Value.dot([a], [b], 0.0), "dot"),
        (lambda a, b: a.exp(), "exp"),
        (lambda a, b: a**b, "pow"),
    ],
)
def test_a_value_op_overflowing_from_finite_inputs_raises_naming_it(make, op) -> None:
    a, b = Value(1e308, "a"), Value(1e308, "b")
    with pytest.raises(OverflowError, match=rf"^{op}\S*\('a' = 1e\+308") as caught:
        make(a, b)
    assert "too large for a float" in str(caught.value)


def test_the_overflow_policy_holds_inside_no_grad_too() -> None:
    with autograd.no_grad():
        with pytest.raises(OverflowError, match=r"^mul\('a' = 1e\+308"):
            Value(1e308, "a") * 10
        with pytest.raises(OverflowError, match="add"):
            Tensor([3e38]) + Tensor([3e38])


def test_inf_and_nan_already_in_a_value_pass_through() -> None:
    inf, nan = Value(math.inf, "inf"), Value(math.nan, "nan")
    assert (inf + 1).data == math.inf and (inf * 2).data == math.inf
    assert math.isnan((inf - inf).data) and math.isnan((nan * 1).data)
    assert math.isnan((inf * 0).data)


POWERS_OF_NEGATIVE_BASES = [
    (-math.inf, math.inf, (math.inf, math.inf, math.nan)),
    (-math.inf, -math.inf, (0.0, math.nan, math.nan)),
    (-2.0, math.inf, (math.inf, math.inf, math.nan)),
    (-0.5, -math.inf, (math.inf, -math.inf, math.nan)),
    (-2.0, math.nan, (math.nan, math.nan, math.nan)),
]


@pytest.mark.parametrize("a, b, expected", POWERS_OF_NEGATIVE_BASES)
def test_an_inf_or_nan_exponent_of_a_negative_base_passes_through_as_in_torch(
    a, b, expected
) -> None:
    """Where the exponent is inf or NaN the result is PyTorch's, for Values and Tensors alike
    (a Value used to fail converting the exponent to an integer)."""
    x, y = Value(a, "a"), Value(b, "b")
    out = x**y
    out.backward()
    tx, ty = (Tensor([v], requires_grad=True, dtype=np.float64) for v in (a, b))
    (tx**ty).sum().backward()
    for got in [(out.data, x.grad, y.grad), ((tx**ty).item(), tx.grad.item(), ty.grad.item())]:
        np.testing.assert_array_equal(got, expected)
    with pytest.raises(ValueError, match="negative base"):
        Value(-2.0) ** Value(0.5)  # a finite fraction still has no real value


@pytest.mark.parametrize(
    "make, op",
    [
        (lambda x: x + x, "add"),
        (lambda x: x - (-x), "sub"),
        (lambda x: x * 1e38, "mul"),
        (lambda x: 1e38 * x, "mul"),
        (lambda x: x / 1e-38, "div"),
        (lambda x: x**2, "pow2"),
        (lambda x: x.exp(), "exp"),
        (lambda x: x.reshape(1, 2) @ x.reshape(2, 1), "matmul"),
        (lambda x: x.sum(), "sum"),
        (lambda x: x.mean(), "mean"),
    ],
)
def test_a_tensor_op_overflowing_from_finite_inputs_raises_without_a_numpy_warning(
    make, op
) -> None:
    x = Tensor([3e38, 3e38], label="x")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(OverflowError, match=rf"^{op}\(.*\] float32") as caught:
            make(x)
    assert "too large for float32" in str(caught.value) or op == "exp"


def test_inf_and_nan_already_in_a_tensor_pass_through_silently() -> None:
    x = Tensor([math.inf, math.nan, 1.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = (x * 2 + x - x) @ Tensor([1.0, 1.0, 1.0])
        y.backward()
    assert math.isnan(y.item()) and x.grad.tolist() == [2.0, 2.0, 2.0]


@needs_torch
def test_where_torch_gives_inf_tracegrad_names_the_op_and_where_inputs_are_inf_both_agree():
    import torch

    big = torch.tensor([3e38])
    assert torch.isinf(big + big).all()  # PyTorch lets the overflow through...
    with pytest.raises(OverflowError, match="add"):  # ...tracegrad names the op instead
        Tensor([3e38]) + Tensor([3e38])
    inputs = [math.inf, -math.inf, math.nan, 2.0]
    ours = (Tensor(inputs) * 3 - Tensor(inputs)).tolist()
    theirs = (torch.tensor(inputs) * 3 - torch.tensor(inputs)).tolist()
    assert np.array_equal(ours, theirs, equal_nan=True)


def test_sum_over_no_named_dims_reduces_every_entry_as_in_torch() -> None:
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert x.sum(()).item() == 10.0 and x.mean(()).item() == 2.5 and x.amax(()).item() == 4.0
    x.sum(()).backward()
    assert x.grad.tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_matmul_of_different_dtypes_is_refused_as_in_torch() -> None:
    with pytest.raises(TypeError, match=r"matmul: .*\[2\] int64 .* @ .*\[2\] float32"):
        tensor([1, 2]) @ Tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="same dtype"):
        Tensor([1.0, 2.0]).double() @ Tensor([1.0, 2.0])
    assert (tensor([1, 2]).float() @ Tensor([1.0, 2.0])).item() == 5.0
