"""Scalar edge cases from issue 10: BCE with a Value label, a Value exponent of a negative
base, relu of NaN, and arguments that are not numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import needs_torch
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd import Tensor, Value, gradcheck, ops

# --- binary cross-entropy with a label in the graph --------------------------------------

#: Probabilities and labels at and near the ends, where the clamp and the floor act.
EDGE_PROBABILITIES = [0.0, 1.0, 1e-300, 1e-13, 0.5, 1.0 - 1e-16, 0.3]
EDGE_LABELS = [0.0, 1.0, 0.5, 0.7]


def _torch_bce(p: float, y: float) -> tuple[float, float, float]:
    import torch
    import torch.nn.functional as F

    tp = torch.tensor(p, dtype=torch.float64, requires_grad=True)
    ty = torch.tensor(y, dtype=torch.float64, requires_grad=True)
    loss = F.binary_cross_entropy(tp, ty)
    loss.backward()
    assert tp.grad is not None and ty.grad is not None
    return loss.item(), tp.grad.item(), ty.grad.item()


def _clamped_log(x: float) -> float:
    return max(math.log(x), -100.0) if x > 0 else -100.0


def _clamped_log1m(p: float) -> float:
    return max(math.log1p(-p), -100.0) if p < 1 else -100.0


@needs_torch
@pytest.mark.parametrize("p", EDGE_PROBABILITIES)
@pytest.mark.parametrize("y", EDGE_LABELS)
@pytest.mark.parametrize("how", ["function", "method", "module"])
def test_bce_with_a_value_label_matches_torch_at_the_clamp(p: float, y: float, how: str) -> None:
    pred, label = Value(p, "p"), Value(y, "y")
    if how == "function":
        loss = nn.binary_cross_entropy(pred, label)
    elif how == "method":
        loss = pred.binary_cross_entropy(label)
    else:
        loss = nn.BCELoss()(pred, label)
    loss.backward()
    expected_loss, expected_dp, expected_dy = _torch_bce(p, y)
    assert loss.data == pytest.approx(expected_loss, rel=1e-15, abs=0.0)
    assert pred.grad == pytest.approx(expected_dp, rel=1e-15, abs=0.0)
    # The label's slope is log(1 − p) − log p with each log limited to −100, as the loss
    # itself limits them: PyTorch agrees except where a log is clamped (there it gives the
    # unclamped log, ±inf at p = 0 or 1, which is not the slope of the loss it computes).
    assert label.grad == _clamped_log1m(p) - _clamped_log(p)
    if p > math.exp(-100.0) and p < 1.0:
        assert label.grad == pytest.approx(expected_dy, rel=1e-12)


def test_the_issue_table_for_bce_with_a_value_label() -> None:
    for p, dp in ((0.0, -1e12), (1.0, 0.0)):
        pred = Value(p, "p")
        nn.binary_cross_entropy(pred, Value(1.0, "y")).backward()
        assert pred.grad == pytest.approx(dp, rel=1e-8, abs=0.0)


def test_a_fixed_label_and_a_value_label_give_the_same_loss_and_slope() -> None:
    for p in EDGE_PROBABILITIES:
        for y in EDGE_LABELS:
            a, b = Value(p), Value(p)
            fixed, learned = nn.binary_cross_entropy(a, y), nn.binary_cross_entropy(b, Value(y))
            fixed.backward()
            learned.backward()
            assert (fixed.data, a.grad) == (learned.data, b.grad)


@given(st.floats(0.001, 0.999), st.floats(0.001, 0.999))
def test_bce_with_a_value_label_matches_finite_differences(p: float, y: float) -> None:
    report = gradcheck(
        lambda pred, label: nn.binary_cross_entropy(pred, label),
        Value(p, "p"),
        Value(y, "y"),
        rtol=1e-4,
    )
    assert report, str(report)


def test_bce_with_a_value_label_is_one_node_with_both_formulas() -> None:
    pred, label = Value(0.8, "p"), Value(1.0, "y")
    loss = nn.binary_cross_entropy(pred, label)
    assert loss.op is ops.BCE and loss.parents == (pred, label)
    assert loss.op.formula(1, 2) == "d BCE(p, y)/dy = log(1 − p) − log p"
    assert "step 2: dloss/dy" in loss.explain()


@pytest.mark.parametrize("p", [1.5, -0.25, math.inf])
def test_bce_with_a_value_label_refuses_a_probability_outside_0_1(p: float) -> None:
    with pytest.raises(ValueError, match=r"bce\('p' = .*probability in \[0, 1\]"):
        nn.binary_cross_entropy(Value(p, "p"), Value(1.0, "y"))


@pytest.mark.parametrize("y", [1.5, -0.1, math.nan])
def test_bce_refuses_a_label_outside_0_1_like_torch(y: float) -> None:
    with pytest.raises(ValueError, match=r"bce\(.*'y' = .*label in \[0, 1\]"):
        nn.binary_cross_entropy(Value(0.5, "p"), Value(y, "y"))
    with pytest.raises(ValueError, match=r"binary cross-entropy needs a label in \[0, 1\]"):
        nn.binary_cross_entropy(Value(0.5, "p"), y)
    with pytest.raises(ValueError, match=r"binary cross-entropy needs a label in \[0, 1\]"):
        Value(0.5).binary_cross_entropy(y)
    with pytest.raises(ValueError, match=r"labels in \[0, 1\], got " + str(y)):
        nn.binary_cross_entropy(Tensor([0.5, 0.5]), Tensor([1.0, y]))
    with pytest.raises(ValueError, match=r"labels in \[0, 1\]"):
        nn.BCELoss()(Tensor([0.5], requires_grad=True), Tensor([y]))


@needs_torch
def test_torch_refuses_the_same_labels() -> None:
    import torch
    import torch.nn.functional as F

    for y in (1.5, -0.1, math.nan):
        with pytest.raises(RuntimeError, match="target should be between 0 and 1"):
            F.binary_cross_entropy(torch.tensor([0.5]), torch.tensor([y]))


def test_bce_of_a_nan_prediction_is_still_let_through_and_marked() -> None:
    loss = nn.binary_cross_entropy(Value(math.nan, "p"), Value(1.0, "y"))
    assert math.isnan(loss.data)


def test_bce_with_logits_keeps_accepting_value_labels() -> None:
    z, y = Value(0.5, "z"), Value(0.25, "y")
    nn.binary_cross_entropy_with_logits(z, y).backward()
    assert y.grad == -0.5


@needs_torch
def test_tensor_bce_slope_at_the_floor_matches_torch_in_float64() -> None:
    import torch
    import torch.nn.functional as F

    p, y = [0.0, 1.0, 1e-13, 1.0 - 1e-16], [1.0, 0.0, 0.5, 0.2]
    ours = Tensor(p, dtype=np.float64, requires_grad=True)
    nn.binary_cross_entropy(ours, Tensor(y, dtype=np.float64), reduction="sum").backward()
    theirs = torch.tensor(p, dtype=torch.float64, requires_grad=True)
    F.binary_cross_entropy(theirs, torch.tensor(y, dtype=torch.float64), reduction="sum").backward()
    assert theirs.grad is not None
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())


# --- a Value exponent of a negative base ---------------------------------------------------

POWER_POINTS = [(0.0, 2.0), (0.0, 0.0), (0.0, 0.5), (-2.0, 2.0), (-2.0, 3.0), (2.0, -1.0)]
POWER_POINTS += [(0.0, 1.0), (-2.0, 0.0), (-0.0, 2.0), (3.0, 0.5)]


def _same(ours: float, theirs: float) -> bool:
    return (math.isnan(ours) and math.isnan(theirs)) or ours == pytest.approx(theirs, rel=1e-15)


@needs_torch
@pytest.mark.parametrize("a, b", POWER_POINTS)
def test_value_to_a_value_power_matches_torch_for_both_inputs(a: float, b: float) -> None:
    import torch

    base, exponent = Value(a, "a"), Value(b, "b")
    out = base**exponent
    out.backward()
    ta = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    t_out = ta**tb
    t_out.backward()
    assert ta.grad is not None and tb.grad is not None
    assert _same(out.data, t_out.item())
    assert _same(base.grad, ta.grad.item()), (base.grad, ta.grad.item())
    assert _same(exponent.grad, tb.grad.item()), (exponent.grad, tb.grad.item())


@needs_torch
def test_a_constant_negative_base_to_a_value_power_matches_torch() -> None:
    import torch

    k = Value(3.0, "k")
    ((-2.0) ** k).backward()
    tk = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    (torch.tensor(-2.0, dtype=torch.float64) ** tk).backward()
    assert tk.grad is not None and math.isnan(tk.grad.item()) and math.isnan(k.grad)


def test_the_exponent_gradient_of_a_negative_base_is_nan_and_said_so() -> None:
    a, b = Value(-2.0, "a"), Value(2.0, "b")
    out = a**b
    out.label = "out"
    assert "nan" in ops.POW.doc and "a < 0" in ops.POW.formula(1, 2)
    lesson = out.explain()
    step = next(line for line in lesson.splitlines() if "dout/db =" in line)
    assert "nan" in step and "⚠ not finite" in step and "a < 0" in step


@needs_torch
@pytest.mark.parametrize("a, b", POWER_POINTS)
def test_tensor_power_agrees_with_the_scalar_rule_and_torch(a: float, b: float) -> None:
    import torch

    base = Tensor([a], dtype=np.float64, requires_grad=True)
    exponent = Tensor([b], dtype=np.float64, requires_grad=True)
    (base**exponent).sum().backward()
    x, k = Value(a), Value(b)
    (x**k).backward()
    ta = torch.tensor([a], dtype=torch.float64, requires_grad=True)
    tb = torch.tensor([b], dtype=torch.float64, requires_grad=True)
    (ta**tb).sum().backward()
    assert ta.grad is not None and tb.grad is not None
    assert base.grad is not None and exponent.grad is not None
    np.testing.assert_array_equal(base.grad, ta.grad.numpy())
    np.testing.assert_array_equal(exponent.grad, tb.grad.numpy())
    assert _same(float(exponent.grad[0]), k.grad) and _same(float(base.grad[0]), x.grad)


# --- relu of NaN ---------------------------------------------------------------------------


@needs_torch
def test_relu_of_nan_is_nan_with_torchs_gradient() -> None:
    import torch

    x = Value(math.nan, "x")
    out = x.relu()
    out.backward()
    tx = torch.tensor(math.nan, dtype=torch.float64, requires_grad=True)
    torch.relu(tx).backward()
    assert tx.grad is not None
    assert math.isnan(out.data) and x.grad == tx.grad.item() == 1.0
    tensor_x = Tensor([math.nan, -1.0, 0.0, 2.0], dtype=np.float64, requires_grad=True)
    tensor_x.relu().sum().backward()
    assert tensor_x.grad is not None and tensor_x.grad.tolist() == [1.0, 0.0, 0.0, 1.0]


def test_relu_still_has_slope_zero_at_zero_and_below() -> None:
    for number, slope in ((0.0, 0.0), (-0.0, 0.0), (-3.0, 0.0), (2.0, 1.0)):
        x = Value(number)
        out = x.relu()
        out.backward()
        assert (out.data, x.grad) == (max(number, 0.0), slope)


# --- arguments that are not numbers --------------------------------------------------------


def test_an_int_too_large_for_a_float_names_the_op_and_the_label() -> None:
    with pytest.raises(OverflowError, match=r"Value for 'big': the int .*401 digits.* too large"):
        Value(10**400, "big")
    with pytest.raises(OverflowError, match=r"mul: the int .*too large for a float.*'x' = 2\.0"):
        Value(2.0, "x") * 10**400
    with pytest.raises(OverflowError, match=r"add: the int .*too large for a float"):
        10**400 + Value(2.0, "x")
    with pytest.raises(OverflowError, match=r"pow: the int .*too large for a float"):
        Value(2.0, "x") ** 10**400


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda x: x.leaky_relu("a"), r"leaky_relu\('x' = 2\.0\): the slope must be a real"),
        (lambda x: x.clip("a", 1), r"clip\('x' = 2\.0\): low must be a real number, got str 'a'"),
        (lambda x: x.clip(0, None), r"clip\('x' = 2\.0\): high must be a real number, got None"),
        (lambda x: x.clip(1, 0), r"clip\('x' = 2\.0\): needs low <= high, got low=1"),
        (lambda x: x.binary_cross_entropy("1"), r"bce\('x' = 2\.0\): the label must be a real"),
    ],
)
def test_bad_arguments_name_the_op_and_the_value(call, words: str) -> None:
    with pytest.raises((TypeError, ValueError), match=words):
        call(Value(2.0, "x"))


def test_bad_argument_types_are_type_errors() -> None:
    with pytest.raises(TypeError):
        Value(2.0).leaky_relu("a")
    with pytest.raises(TypeError):
        Value(2.0).clip("a", 1)
