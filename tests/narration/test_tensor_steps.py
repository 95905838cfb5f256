"""Tensors on the shared graph machinery: step-through, narration with shapes, names, drawing."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor, draw_dot, explain
from autograd.engine.graph import topological_order
from autograd.narration.names import Namer


def small_network() -> tuple[Tensor, Tensor, Tensor, Tensor]:
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((4, 3)), label="x")
    W = Tensor(rng.standard_normal((3, 5)), requires_grad=True, label="W")
    b = Tensor(np.zeros(5), requires_grad=True, label="b")
    z = x @ W + b
    z.label = "z"
    loss = -z.log_softmax(1)[autograd.arange(4), autograd.tensor([0, 1, 2, 3])].mean()
    loss.label = "loss"
    return x, W, b, loss


def test_exhausting_backward_steps_gives_the_same_grads_as_backward() -> None:
    _, W1, b1, fast = small_network()
    fast.backward()
    _, W2, b2, stepped = small_network()
    steps = list(stepped.backward_steps())
    assert np.array_equal(W1.grad, W2.grad) and np.array_equal(b1.grad, b2.grad)
    assert [s.index for s in steps] == list(range(1, len(steps) + 1))


def test_steps_are_applied_as_yielded_and_skip_inputs_without_grad() -> None:
    x, W, b, loss = small_network()
    seen = {}
    for step in loss.backward_steps():
        assert step.local is None and step.contribution.shape == step.input.shape
        seen[step.input.label or id(step.input)] = step.input.grad is not None
    assert seen["W"] and seen["b"] and "x" not in seen  # x needs no gradient: no step
    assert x.grad is None and W.grad.shape == (3, 5)


def test_step_lines_name_shapes() -> None:
    _, _, _, loss = small_network()
    lines = [str(step) for step in loss.backward_steps()]
    assert "dloss/dW = dloss/d(x @ W) · d(x @ W)/dW = [4×5] · … = [3×5]" in lines
    assert "dloss/db = dloss/dz · dz/db = [4×5] · … = [5]" in lines
    # Leaving the root, no "dloss/dloss ·" factor: the line is not circular.
    assert lines[0].startswith("dloss/d") and lines[0].endswith(" = −1") and "· …" not in lines[0]


def test_a_step_records_its_arrays_and_formula() -> None:
    _, W, _, loss = small_network()
    step = next(s for s in loss.backward_steps() if s.input is W)
    assert step.output.op.name == "matmul" and step.input_index == 1
    assert step.formula == "d(a@b)/db = aᵀ @ upstream"
    x = step.output.parents[0].data
    assert np.allclose(step.contribution, x.T @ step.upstream)


def test_explain_narrates_shapes_and_changes_nothing() -> None:
    x, W, b, loss = small_network()
    loss.backward()
    before = W.grad.numpy().copy()
    text = explain(loss)
    assert np.array_equal(W.grad, before) and x.grad is None
    forward, backward = text.split("Backward pass")
    assert "  W = [3×5] float32" in forward
    assert "  x @ W = [4×3] @ [3×5] = [4×5] float32" in forward
    assert "  z = (x @ W) + b = [4×5] + [5] = [4×5] float32" in forward
    mean = f"{-loss.item():.6g}".replace("-", "−")
    assert f"loss = −mean(t1[…]) = −({mean}) = {loss.item():.6g} float32" in forward
    assert "dloss/dW = [3×5] float32" in backward and "dloss/db = [5] float32" in backward
    assert "dloss/dx" not in backward  # an input without requires_grad gets no gradient
    assert loss.explain() == text


def test_names_constants_by_number_or_shape() -> None:
    x = Tensor([[1.0, 2.0]], requires_grad=True, label="x")
    scaled = x * 3
    shifted = scaled + np.array([[1.0, 1.0]])
    names = Namer(topological_order(shifted))
    assert names.name(scaled) == "x · 3"
    assert names.name(shifted) == "out"
    assert names.name(shifted.parents[1]) == "[1×2]"


def test_describe_gives_shape_and_dtype_not_numbers() -> None:
    t = Tensor(np.zeros((64, 256)))
    assert t.describe(t.data) == "[64×256] float32" and t.describe(None) == "None"
    assert t.brief(t.data) == "[64×256]"
    assert (
        Tensor.describe(np.float64(2.5)) == "2.5 float64" and Tensor.brief(np.array(2.5)) == "2.5"
    )


def test_draw_dot_shows_shapes_and_dtypes_for_tensors() -> None:
    _, W, _, loss = small_network()
    loss.backward()
    source = draw_dot(loss).source
    assert "[3×5] float32" in source and "[4×5] float32" in source
    assert f"{W.data[0, 0]:.4f}" not in source  # numbers are not drawn, shapes are
    stepped = draw_dot(loss, step=3).source
    assert 'class="step"' in stepped


def test_gradcheck_on_tensors_names_each_entry_and_passes_integer_inputs_through() -> None:
    W = Tensor([[0.5, -1.0], [2.0, 0.1]], label="W")
    labels = autograd.tensor([1, 0])
    report = autograd.gradcheck(
        lambda W, y: -W.log_softmax(1)[autograd.arange(2), y].sum(), W, labels
    )
    assert report and [c.name for c in report.checks] == [
        "W[0, 0]",
        "W[0, 1]",
        "W[1, 0]",
        "W[1, 1]",
    ]
    assert W.grad is None  # the caller's tensor is untouched
    probs = np.exp(W.array) / np.exp(W.array).sum(1, keepdims=True)
    assert report.checks[0].analytic == pytest.approx(probs[0, 0], rel=1e-6)


def test_gradcheck_sums_a_many_entry_result_and_catches_a_wrong_backward() -> None:
    from autograd import tensor_ops
    from autograd.tensors.tensor import apply

    x = Tensor([0.3, -0.7], label="x")
    assert autograd.gradcheck(lambda x: x * x, x)  # Σ x² has gradient 2x
    wrong = tensor_ops.TensorOp(
        name="sin",
        symbol="sin",
        template="sin({0})",
        forward=np.sin,
        backward=lambda node, g: (g * np.sin(node.parents[0].array),),
        formulas=("",),
    )
    report = autograd.gradcheck(lambda t: apply(wrong, t), x)
    assert not report and len(report.failures) == 2
    assert report.failures[0].numeric == pytest.approx(np.cos(0.3), rel=1e-6)
