"""One record type (issue 20): a Tensor op is an Op, and each elementwise Tensor op takes its
local derivative from its scalar twin's record, so each op's math is written once.

The derivative of a scalar record runs on floats and Values (the scalar engine) and, entry by
entry, on arrays and Tensors (the Tensor op built from it): these tests hold the Tensor ops'
gradients to the scalar rule at every entry, over hypothesis-drawn inputs.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Tensor, grad
from autograd import tensor_ops as old_path
from autograd.engine.records import Op
from autograd.scalar import ops
from autograd.tensors import ops as T
from autograd.tensors.ops.tensor_op import TensorOp, elementwise, reads_nothing
from autograd.tensors.tensor import apply

ANY = st.floats(-3.0, 3.0, allow_nan=False)
# The kinks and bounds of the piecewise ops below, where a slope changes.
KINKS = st.sampled_from([0.0, -0.5, 0.5, 1.0])
NUMBER = st.one_of(ANY, KINKS)
POSITIVE = st.one_of(st.floats(0.05, 3.0), st.just(1.0))
NONZERO = st.one_of(st.floats(0.1, 3.0), st.floats(-3.0, -0.1))


# (Tensor op, its scalar twin, what each input may be)
TWINS: list[tuple[TensorOp, Op, tuple[st.SearchStrategy[float], ...]]] = [
    (T.ADD, ops.ADD, (ANY, ANY)),
    (T.SUB, ops.SUB, (ANY, ANY)),
    (T.MUL, ops.MUL, (ANY, ANY)),
    (T.DIV, ops.DIV, (ANY, NONZERO)),
    (T.POW, ops.POW, (POSITIVE, ANY)),
    (T.NEG, ops.NEG, (ANY,)),
    (T.EXP, ops.EXP, (ANY,)),
    (T.LOG, ops.LOG, (POSITIVE,)),
    (T.TANH, ops.TANH, (ANY,)),
    (T.SIGMOID, ops.SIGMOID, (ANY,)),
    (T.RELU, ops.RELU, (NUMBER,)),
    (T.power(3), ops.power(3), (NUMBER,)),
    (T.power(0.5), ops.power(0.5), (st.one_of(POSITIVE, st.just(0.0)),)),
    (T.power(0), ops.power(0), (NUMBER,)),
    (T.exponential(2.0), ops.exponential(2.0), (ANY,)),
    (T.leaky_relu(0.1), ops.leaky_relu(0.1), (NUMBER,)),
    (T.clip(-0.5, 0.5), ops.clip(-0.5, 0.5), (NUMBER,)),
    (T.clip(None, 0.5), ops.clip(None, 0.5), (NUMBER,)),
]
IDS = [f"{tensor_op.name}:{tensor_op.symbol}" for tensor_op, _, _ in TWINS]


def test_a_tensor_op_is_an_op_read_through_the_same_methods() -> None:
    assert issubclass(TensorOp, Op)
    records = [v for v in vars(T).values() if isinstance(v, Op)]
    records += [T.total(0, False), T.softmax(1), T.reshape((2,)), T.cross_entropy("mean")]
    assert len(records) > 25 and all(isinstance(r, TensorOp) for r in records)
    # Narration, drawing and lessons call these: one definition for both kinds.
    for method in ("render", "formula", "slope"):
        assert getattr(TensorOp, method) is getattr(Op, method)
    assert repr(T.MATMUL) == "TensorOp('matmul')" and repr(ops.MUL) == "Op('mul')"


@pytest.mark.parametrize("tensor_op, scalar_op, domains", TWINS, ids=IDS)
def test_each_elementwise_tensor_op_holds_its_scalar_twins_derivative(
    tensor_op: TensorOp, scalar_op: Op, domains: Any
) -> None:
    assert tensor_op.derivative is scalar_op.derivative
    assert tensor_op.shares is scalar_op.shares


def test_an_op_that_is_not_elementwise_has_no_derivative_entry_by_entry() -> None:
    with pytest.raises(TypeError, match="no derivative entry by entry"):
        T.MATMUL.derivative(np.ones((2, 2)), np.ones((2, 2)), np.ones((2, 2)))


@st.composite
def twin_problems(draw: Any) -> Any:
    index = draw(st.integers(0, len(TWINS) - 1))
    tensor_op, scalar_op, domains = TWINS[index]
    size = draw(st.integers(1, 5))
    columns = [draw(st.lists(domain, min_size=size, max_size=size)) for domain in domains]
    upstream = draw(st.lists(st.floats(-2.0, 2.0), min_size=size, max_size=size))
    return tensor_op, scalar_op, [np.array(c) for c in columns], np.array(upstream)


def _scalar_gradients(scalar_op: Op, arrays: list[np.ndarray], out: np.ndarray, upstream: Any):
    """upstream · the scalar record's slope, entry by entry, at the Tensor op's own result."""
    rows = []
    for i in range(len(upstream)):
        numbers = [float(a[i]) for a in arrays]
        slopes = scalar_op.derivative(*numbers, float(out[i]))
        with np.errstate(invalid="ignore"):  # 0 · ∞ is NaN, in both
            rows.append([upstream[i] * float(slope) for slope in slopes])
    return np.array(rows).T


@given(twin_problems())
def test_tensor_gradients_are_the_scalar_rule_at_every_entry(problem: Any) -> None:
    tensor_op, scalar_op, arrays, upstream = problem
    leaves = [Tensor(a, requires_grad=True, dtype=np.float64) for a in arrays]
    out = apply(tensor_op, *leaves)
    expected = _scalar_gradients(scalar_op, arrays, out.data, upstream)
    with np.errstate(invalid="ignore"):  # 0 · ∞ (x ** 0.5 at 0, upstream 0) is NaN in both
        (out * upstream).sum().backward()
    for leaf, column in zip(leaves, expected):
        assert leaf.grad is not None
        np.testing.assert_allclose(leaf.grad, column, rtol=1e-12, atol=1e-300)


@given(twin_problems())
def test_the_same_rule_run_on_tensors_gives_the_same_gradients(problem: Any) -> None:
    # create_graph=True runs the scalar record's derivative on Tensors, recording it.
    tensor_op, scalar_op, arrays, upstream = problem
    if tensor_op is T.power(0.5) and np.any(arrays[0] == 0):
        return  # a ** −0.5 at 0 is refused by a Tensor power: no graph of that slope there
    leaves = [Tensor(a, requires_grad=True, dtype=np.float64) for a in arrays]
    root = (apply(tensor_op, *leaves) * upstream).sum()
    on_arrays = grad(root, leaves)
    on_tensors = grad(root, leaves, create_graph=True)
    for first, recorded in zip(on_arrays, on_tensors):
        np.testing.assert_allclose(recorded.data, first.data, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("tensor_op, scalar_op, domains", TWINS, ids=IDS)
def test_float32_tensors_keep_their_dtype_through_the_shared_rule(
    tensor_op: TensorOp, scalar_op: Op, domains: Any
) -> None:
    arrays = [np.array([0.75, 1.5, 0.25]) for _ in domains]
    leaves = [Tensor(a, requires_grad=True, dtype=np.float32) for a in arrays]
    apply(tensor_op, *leaves).sum().backward()
    out = apply(tensor_op, *(Tensor(a, dtype=np.float64) for a in arrays))
    expected = _scalar_gradients(scalar_op, arrays, out.data, np.ones(3))
    for leaf, column in zip(leaves, expected):
        assert leaf.grad is not None and leaf.grad.dtype == np.float32
        np.testing.assert_allclose(leaf.grad, column, rtol=1e-6)


def test_the_share_of_an_input_that_needs_no_gradient_is_never_worked_out() -> None:
    asked: list[str] = []

    def share_of_a(upstream: Any, a: Any, b: Any, out: Any) -> Any:
        asked.append("a")
        return upstream * b

    def share_of_b(upstream: Any, a: Any, b: Any, out: Any) -> Any:
        asked.append("b")
        return upstream * a

    times = Op(
        name="times",
        symbol="×",
        template="{0} × {1}",
        forward=lambda a, b: a * b,
        derivative=lambda a, b, out: (share_of_a(1.0, a, b, out), share_of_b(1.0, a, b, out)),
        shares=(share_of_a, share_of_b),
        formulas=("b", "a"),
    )
    op = elementwise(times, np.multiply, reads=reads_nothing)
    x = Tensor([1.0, 2.0], requires_grad=True)
    out = apply(op, x, Tensor([3.0, 4.0]))
    out.sum().backward()
    assert asked == ["a"] and x.grad is not None and x.grad.tolist() == [3.0, 4.0]
    # x / 2 and x ** c: only the share of x, in the record's own form (upstream / b)
    assert T.DIV.shares is ops.DIV.shares and T.POW.shares is ops.POW.shares
    assert ops.DIV.shares is not None and ops.DIV.shares[0](3.0, 1.0, 2.0, 0.5) == 1.5


PROBABILITY = st.one_of(st.floats(0.0, 1.0), st.sampled_from([0.0, 1.0]))


@given(st.lists(st.tuples(PROBABILITY, PROBABILITY, st.floats(-2.0, 2.0)), min_size=1, max_size=5))
def test_tensor_bce_is_the_scalar_bce_record_at_every_entry(rows: list[Any]) -> None:
    p, y, upstream = (np.array(column) for column in zip(*rows))
    probabilities = Tensor(p, requires_grad=True, dtype=np.float64)
    labels = Tensor(y, requires_grad=True, dtype=np.float64)
    losses = apply(T.binary_cross_entropy("none"), probabilities, labels)
    expected = [ops.BCE.forward(float(a), float(b)) for a, b in zip(p, y)]
    np.testing.assert_allclose(losses.data, expected, rtol=1e-12)
    (losses * upstream).sum().backward()
    slopes = _scalar_gradients(ops.BCE, [p, y], losses.data, upstream)
    np.testing.assert_allclose(probabilities.grad, slopes[0], rtol=1e-12)
    np.testing.assert_allclose(labels.grad, slopes[1], rtol=1e-12)


def test_bce_loss_serves_one_number_and_many() -> None:
    p, y = np.array([0.0, 0.2, 1.0]), np.array([1.0, 0.5, 1.0])
    many = ops.bce_loss(p, y)
    one_by_one = [ops.bce_loss(float(a), float(b)) for a, b in zip(p, y)]
    np.testing.assert_allclose(many, one_by_one, rtol=1e-12)
    assert many[0] == one_by_one[0] == 100.0  # log 0 limited to −100, as in PyTorch's BCELoss


def test_relu_reads_its_result_as_pytorch_saves_it() -> None:
    # relu's slope is read from the result, so the input may change in place afterwards.
    x = Tensor([-1.0, 2.0], requires_grad=True)
    h = x * 1.0
    y = h.relu()
    with autograd.no_grad():
        h += 5.0
    y.sum().backward()
    assert x.grad is not None and x.grad.tolist() == [0.0, 1.0]


RECORD_MODULES = [
    "tensor_op",
    "arithmetic",
    "reductions",
    "shapes",
    "losses",
    "comparisons",
    "__init__",
]


def test_a_backward_rule_reaches_apply_through_the_tensor_it_holds() -> None:
    assert autograd.Tensor.apply is apply
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, dtype=np.float64)
    (g,) = grad((x[[0, 0]] ** 2).sum(), x, create_graph=True)  # index's backward: a scatter
    assert g.tolist() == [[4.0, 8.0], [0.0, 0.0]] and g.op is not None and g.op.name == "scatter"


# The public names of autograd.tensor_ops before the records were split by family.
OLD_NAMES = [
    "ADD",
    "ALL",
    "ANY",
    "Array",
    "Axis",
    "DIV",
    "EQUAL",
    "EXP",
    "GREATER",
    "GREATER_EQUAL",
    "Grads",
    "INDEX",
    "INVERT",
    "LESS",
    "LESS_EQUAL",
    "LOG",
    "LOGICAL_NOT",
    "MATMUL",
    "MUL",
    "NEG",
    "NOT_EQUAL",
    "Op",
    "OpDomainError",
    "POW",
    "REDUCTIONS",
    "RELU",
    "Reads",
    "SCATTER",
    "SIGMOID",
    "SUB",
    "TANH",
    "TensorOp",
    "WHERE",
    "arg_extreme",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cast_to",
    "check_reduction",
    "clip",
    "concatenate",
    "cross_entropy",
    "elementwise",
    "exponential",
    "extreme",
    "fit_gradient",
    "keep_index",
    "leaky_relu",
    "log_softmax",
    "max_along",
    "mean",
    "permute",
    "power",
    "put_along",
    "reads_each_other",
    "reads_everything",
    "reads_input",
    "reads_input_and_result",
    "reads_inputs",
    "reads_nothing",
    "reads_result",
    "reduction",
    "reshape",
    "rounding",
    "shape_text",
    "softmax",
    "spread",
    "stack",
    "take_along",
    "total",
    "who",
]


@pytest.mark.parametrize("name", OLD_NAMES)
def test_the_old_path_still_gives_every_name(name: str) -> None:
    assert getattr(old_path, name) is getattr(T, name)
    assert name in T.__all__


def test_the_scalar_rules_run_on_one_number_and_on_arrays() -> None:
    # x ** 0.5 at 0: an infinite slope, for a float as for an array (as in PyTorch)
    assert ops.power(0.5).derivative(0.0, 0.0) == (math.inf,)
    with np.errstate(divide="ignore"):
        (slope,) = ops.power(0.5).derivative(np.array([0.0, 4.0]), np.array([0.0, 2.0]))
    assert slope.tolist() == [math.inf, 0.25]
    # the slope of a^b in b: NaN below 0, 0 at 0, a^b·ln a above
    base, exponent = np.array([-1.0, 0.0, math.e]), np.array([2.0, 2.0, 2.0])
    in_b = ops.POW.derivative(base, exponent, base**exponent)[1]
    assert np.array_equal(in_b, [math.nan, 0.0, math.e**2], equal_nan=True)
    assert [ops.POW.derivative(a, 2.0, a**2.0)[1] for a in (0.0, math.e)] == [0.0, math.e**2]
    # relu's slope: 1.0 or 0.0 for one number, the mask itself for an array
    assert ops.RELU.derivative(-1.0, 0.0) == (0.0,)
    (mask,) = ops.RELU.derivative(np.array([-1.0, 2.0]), np.array([0.0, 2.0]))
    assert mask.tolist() == [False, True]


@pytest.mark.parametrize("a, k, slope", [(1e-320, 0.0, 0.0), (5e-324, 0.01, math.inf)])
def test_the_slope_of_a_tiny_number_to_a_power_is_pytorchs_for_one_number_and_many(
    a: float, k: float, slope: float
) -> None:
    # It raised OverflowError for a Value: Python's float power overflows where numpy gives ∞
    # (and a^0 is flat, whatever a is).
    x = autograd.Value(a, "x")
    (x**k).backward()
    t = Tensor([a], requires_grad=True, dtype=np.float64)
    (t**k).sum().backward()
    assert x.grad == slope and t.grad is not None and t.grad.tolist() == [slope]
