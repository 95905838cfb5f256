"""In-place changes to Tensors and the graph: an assignment that would cut a gradient is
refused, and a tensor changed in place after the forward pass used it makes backward raise
(PyTorch's "modified by an inplace operation") instead of returning a wrong gradient."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value, no_grad

# --- assigning into a tensor: x[...] = value ---------------------------------------------


def test_assigning_a_tensor_that_needs_grad_is_refused_instead_of_cutting_the_gradient() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True, label="w")
    x = autograd.zeros(2)
    x.label = "x"
    with pytest.raises(RuntimeError) as caught:
        x[0] = (w * 2)[0]
    message = str(caught.value)
    assert "x[…] = …" in message and "'x' [2] float32" in message
    assert "an unnamed [] float32 tensor" in message and "requires grad" in message
    assert "autograd.cat" in message and "autograd.stack" in message
    assert x.tolist() == [0.0, 0.0]  # nothing was written
    with pytest.raises(RuntimeError, match=r"x\[…\] = …"):
        x[:] = [w[0], w[1]]  # tensors that need grad inside a list are refused too
    with pytest.raises(RuntimeError, match=r"\+= on 'x' .* x = x \+ \.\.\."):
        x += [w[0], w[1]]
    assert x.tolist() == [0.0, 0.0]


def test_the_refused_assignment_built_with_stack_gives_torchs_gradient() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True, label="w")
    b = Tensor([5.0, 5.0], requires_grad=True, label="b")
    x = autograd.stack([(w * 2)[0], autograd.tensor(0.0)])
    (x * b).sum().backward()
    assert w.grad.tolist() == [10.0, 0.0] and b.grad.tolist() == [2.0, 0.0]


def test_assigning_numbers_or_tensors_without_grad_copies_them() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    x = autograd.zeros(3)
    x[0] = Tensor(3.0)
    x[1:] = np.array([4.0, 5.0])
    assert x.tolist() == [3.0, 4.0, 5.0] and x.requires_grad is False
    with no_grad():
        x[2] = w[1] * 10  # nothing is recorded, so nothing is cut
    assert x.tolist() == [3.0, 4.0, 20.0]


def test_assigning_a_value_or_the_wrong_shape_is_a_clear_error() -> None:
    x = Tensor([1.0, 2.0], label="x")
    with pytest.raises(TypeError, match="a Value and a Tensor do not mix"):
        x[0] = Value(3.0, "v")
    with pytest.raises(ValueError, match=r"x\[…\] = …: cannot put \[3\] into 'x' \[2\] float32"):
        x[:] = [1.0, 2.0, 3.0]
    assert x.tolist() == [1.0, 2.0]
