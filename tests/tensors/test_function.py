"""autograd.Function, PyTorch's custom op: forward and backward of one's own, a node like any
other (named after its class in narration and pictures, gradchecked, differentiable twice when
its backward is made of Tensor ops, an error naming it when not)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from conftest import needs_torch

import autograd
from autograd import Function, Tensor, draw_dot, gradcheck
from autograd.tensors.function import once_differentiable


class LegendrePolynomial3(Function):
    """P3(x) = (5x³ − 3x)/2, as PyTorch's "Learning PyTorch with Examples" writes it."""

    @staticmethod
    def forward(ctx: Any, input: Any) -> Any:
        ctx.save_for_backward(input)
        return 0.5 * (5 * input**3 - 3 * input)

    @staticmethod
    def backward(ctx: Any, grad_output: Any) -> Any:
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input**2 - 1)


class OnNumbers(Function):
    """x², with a backward that leaves the graph through numpy."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx: Any, grad_output: Any) -> Any:
        (x,) = ctx.saved_tensors
        return Tensor(2 * x.detach().numpy() * grad_output.detach().numpy(), dtype=x.dtype)


def test_a_function_is_a_node_named_after_its_class() -> None:
    x = Tensor([0.5, -1.0, 2.0], requires_grad=True, label="x")
    y = LegendrePolynomial3.apply(x)
    assert y.op.name == "LegendrePolynomial3" and y.parents == (x,)
    assert y.tolist() == pytest.approx([0.5 * (5 * v**3 - 3 * v) for v in (0.5, -1.0, 2.0)])
    loss = y.sum()
    loss.backward()
    assert x.grad.tolist() == pytest.approx([1.5 * (5 * v**2 - 1) for v in (0.5, -1.0, 2.0)])
    assert "LegendrePolynomial3(x)" in loss.explain()
    assert "LegendrePolynomial3" in draw_dot(loss).source
    assert y.grad_fn is not None and "LegendrePolynomial3" in repr(y.grad_fn)


def test_gradcheck_and_a_second_derivative_through_a_function() -> None:
    x = Tensor([0.3, -0.7, 1.1], requires_grad=True, dtype=np.float64)
    assert gradcheck(lambda t: LegendrePolynomial3.apply(t), x)
    (slope,) = autograd.grad(LegendrePolynomial3.apply(x).sum(), x, create_graph=True)
    (curvature,) = autograd.grad(slope.sum(), x)
    assert np.asarray(curvature).tolist() == pytest.approx([15 * v for v in (0.3, -0.7, 1.1)])


def test_a_second_derivative_through_a_backward_on_numbers_names_the_function() -> None:
    x = Tensor([0.3, -0.7], requires_grad=True, dtype=np.float64)
    y = OnNumbers.apply(x).sum()
    y.backward()
    assert np.asarray(x.grad).tolist() == pytest.approx([0.6, -1.4])
    with pytest.raises(RuntimeError, match="OnNumbers: its backward left the graph"):
        autograd.grad(OnNumbers.apply(x).sum(), x, create_graph=True)

    class Marked(LegendrePolynomial3):
        backward = staticmethod(once_differentiable(LegendrePolynomial3.backward))

    with pytest.raises(RuntimeError, match="Marked: its backward is marked once_differentiable"):
        autograd.grad(Marked.apply(x).sum(), x, create_graph=True)


def test_ctx_says_which_inputs_need_a_gradient_and_checks_what_backward_returns() -> None:
    seen: list[tuple[bool, ...]] = []

    class Scale(Function):
        @staticmethod
        def forward(ctx: Any, x: Any, factor: Any) -> Any:
            seen.append(ctx.needs_input_grad)
            ctx.factor = factor
            return x * factor

        @staticmethod
        def backward(ctx: Any, grad_output: Any) -> Any:
            return grad_output * ctx.factor, None

    w = Tensor([1.0, 2.0], requires_grad=True)
    Scale.apply(w, 3.0).sum().backward()
    assert seen == [(True, False)] and w.grad.tolist() == [3.0, 3.0]

    class Forgetful(Scale):
        @staticmethod
        def backward(ctx: Any, grad_output: Any) -> Any:
            return grad_output

    with pytest.raises(RuntimeError, match=r"Forgetful.backward returned 1 gradient\(s\)"):
        Forgetful.apply(w, 3.0).sum().backward()

    class SavesANumber(Scale):
        @staticmethod
        def forward(ctx: Any, x: Any, factor: Any) -> Any:
            ctx.save_for_backward(factor)
            return x * factor

    with pytest.raises(TypeError, match="save_for_backward takes Tensors"):
        SavesANumber.apply(w, 3.0)


def test_a_saved_input_changed_in_place_makes_backward_raise() -> None:
    x = Tensor([0.5, 1.0], label="x")
    w = Tensor([1.0, 1.0], requires_grad=True)
    y = (LegendrePolynomial3.apply(w * 2) + x).sum()
    x += 1  # not saved by any node that needs it: allowed, as in PyTorch
    y.backward()
    h = w * 1
    z = LegendrePolynomial3.apply(h).sum()
    h += 1  # saved by LegendrePolynomial3
    with pytest.raises(RuntimeError, match="after LegendrePolynomial3 used it"):
        z.backward()


@needs_torch
def test_a_function_gives_torchs_numbers() -> None:
    import torch

    class TorchLegendre(torch.autograd.Function):
        forward = LegendrePolynomial3.forward
        backward = LegendrePolynomial3.backward

    values = [0.25, -0.8, 1.3]
    ours = Tensor(values, requires_grad=True)
    theirs = torch.tensor(values, requires_grad=True)
    (LegendrePolynomial3.apply(ours) ** 2).sum().backward()
    (TorchLegendre.apply(theirs) ** 2).sum().backward()
    np.testing.assert_allclose(np.asarray(ours.grad), theirs.grad.numpy(), rtol=1e-6)
