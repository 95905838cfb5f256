"""In-place changes to Tensors and the graph: an assignment that would cut a gradient is
refused, and a tensor changed in place after the forward pass used it makes backward raise
(PyTorch's "modified by an inplace operation") instead of returning a wrong gradient."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import needs_torch

import autograd
from autograd import Tensor, Value, no_grad

# --- assigning into a tensor: x[...] = value ---------------------------------------------


def test_assigning_a_tensor_that_needs_grad_is_recorded_as_in_torch() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True, label="w")
    x = autograd.zeros(2)
    x.label = "x"
    x[0] = (w * 2)[0]  # x becomes a node of the graph, as PyTorch's does
    assert x.tolist() == [2.0, 0.0] and x.requires_grad and x.label == "x"
    (x * Tensor([3.0, 5.0])).sum().backward()
    assert w.grad.tolist() == [6.0, 0.0]
    y = autograd.zeros(2)
    with pytest.raises(RuntimeError, match=r"x\[…\] = …"):
        y[:] = [w[0], w[1]]  # tensors that need grad inside a list are refused
    with pytest.raises(RuntimeError, match=r"\+= on an unnamed .* autograd.stack"):
        y += [w[0], w[1]]
    assert y.tolist() == [0.0, 0.0] and not y.requires_grad


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


# --- changed after the forward pass used it ----------------------------------------------


def _after_forward(change: str) -> tuple[Tensor, Tensor]:
    """A loss (w·x).sum(), then ``change`` applied to x or w: returns (loss, w)."""
    w = Tensor([1.0, 2.0], requires_grad=True, label="w")
    x = Tensor([3.0, 4.0], label="x")
    loss = (w * x).sum()
    if change == "x += 10":
        x += 10
    elif change == "x[0] = 7":
        x[0] = 7.0
    elif change == "w -= 1":
        with no_grad():
            w -= 1.0
    elif change == "x *= 2":
        x *= 2
    elif change == "w /= 2":
        with no_grad():
            w /= 2
    return loss, w


@pytest.mark.parametrize(
    "change, words",
    [
        ("x += 10", r"'x' \[2\] float32 was changed in place \(by `x \+= …`\) after mul saved it"),
        ("x[0] = 7", r"'x' \[2\] float32 was changed in place \(by `x\[…\] = …`\)"),
        ("x *= 2", r"by `x \*= …`"),
    ],
)
def test_a_tensor_changed_after_the_forward_pass_makes_backward_raise(change, words) -> None:
    loss, w = _after_forward(change)
    with pytest.raises(RuntimeError, match=words) as caught:
        loss.backward()
    assert "modified by an inplace operation" in str(caught.value)
    assert w.grad is None
    loss, w = _after_forward(change)
    with pytest.raises(RuntimeError, match=words):
        list(loss.backward_steps())


@pytest.mark.parametrize("change", ["w -= 1", "w /= 2"])
def test_a_change_to_what_no_backward_reads_is_allowed_as_in_torch(change) -> None:
    # w * x reads x for w's gradient; w itself only for x's, which x (no grad) does not need.
    loss, w = _after_forward(change)
    loss.backward()
    assert w.grad.tolist() == [3.0, 4.0]


def test_a_result_changed_in_place_after_it_was_made_makes_backward_raise() -> None:
    w = Tensor([0.0, 1.0], requires_grad=True, label="w")
    y = w.exp()
    y.label = "y"
    with no_grad():
        y += 1  # exp's gradient is its own result: it would now be e^w + 1
    with pytest.raises(RuntimeError, match=r"'y' \[2\] float32 was changed .* after exp made it"):
        y.sum().backward()


def test_inputs_that_add_does_not_read_may_change_as_in_torch() -> None:
    # PyTorch checks only what an op's backward saves: add saves nothing, so a change to
    # its inputs after the forward pass leaves the gradient right.
    w = Tensor([1.0, 2.0], requires_grad=True, label="w")
    x = Tensor([3.0, 4.0], label="x")
    loss = (w + x).sum()
    x += 1
    loss.backward()
    assert w.grad.tolist() == [1.0, 1.0]


def test_changes_before_the_forward_pass_or_to_other_tensors_are_fine() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True, label="w")
    x = Tensor([3.0, 4.0], label="x")
    x += 10
    x[1] = 20.0
    unrelated = Tensor([0.0])
    loss = (w * x).sum()
    unrelated += 1  # changed after the forward pass, but the graph never used it
    loss.backward()
    loss.backward()  # nothing changed in between: the second call accumulates
    assert w.grad.tolist() == [26.0, 40.0]


def test_a_training_loop_updating_in_place_between_steps_trains() -> None:
    w = Tensor([1.0, -2.0], requires_grad=True, label="w")
    for _ in range(3):
        loss = (w * w).sum()
        w.grad = None
        loss.backward()
        with no_grad():
            w -= 0.25 * w.grad
    np.testing.assert_allclose(w.data, [0.125, -0.25])
    assert w._version == 3


def test_version_counts_in_place_changes_like_torch() -> None:
    x = Tensor([1.0, 2.0])
    assert x._version == 0
    x += 1
    x[0] = 5.0
    x.data += 1  # straight to the array: not counted, as PyTorch's .data
    assert x._version == 2 and x.tolist() == [6.0, 4.0]
    assert (x * 2)._version == 0


@needs_torch
def test_writing_to_data_bypasses_the_check_as_in_torch() -> None:
    import torch

    w = Tensor([1.0, 2.0], requires_grad=True)
    x = Tensor([3.0, 4.0])
    loss = (w * x).sum()
    x.data += 10  # what optimizers do to parameters: outside the graph's bookkeeping
    loss.backward()
    tw, tx = torch.tensor([1.0, 2.0], requires_grad=True), torch.tensor([3.0, 4.0])
    tloss = (tw * tx).sum()
    tx.data += 10
    tloss.backward()
    assert w.grad.tolist() == tw.grad.tolist() == [13.0, 14.0]


# --- changed in place while the graph is recorded: the tensor becomes a new node ---------


def _in_place_program(lib: object) -> tuple[object, object, object]:
    """makemore's manual backward writes into tensors of the graph: +=, *=, x[i] -= 1, /=."""
    g = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)  # type: ignore[attr-defined]
    w = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)  # type: ignore[attr-defined]
    h = g * 2
    h += w
    h *= 3
    h[0, 1] -= 1
    h[[0, 1], [2, 0]] -= 7
    h[[0, 1], [2, 0]] = w[:2] * 4
    h[1] = w
    h += h[0].clone() * 3
    h /= 2
    (h * h).sum().backward()
    return h, g.grad, w.grad


@needs_torch
def test_in_place_changes_on_the_graph_give_torchs_numbers_and_gradients() -> None:
    import torch

    ours = _in_place_program(autograd)
    theirs = _in_place_program(torch)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(np.asarray(mine), reference.detach().numpy(), rtol=1e-6)


def test_an_in_place_change_is_a_node_that_is_narrated_and_differentiated() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True, label="w")
    h = w * 3
    h += 1
    assert h.op.name == "add" and h.parents[0].op.name == "mul"

    def cubic_in_place(t: Tensor) -> Tensor:
        u = t * 3
        u += t * t
        return u

    assert autograd.gradcheck(cubic_in_place, w)
    (h * h).sum().backward()
    assert w.grad.tolist() == [24.0, 42.0]


def test_a_node_recorded_before_the_change_makes_backward_raise() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    h = w * 1
    before = h.sum()  # uses h as it was
    h += 1
    with pytest.raises(RuntimeError, match="changed in place .* after sum used it"):
        before.backward()
    with pytest.raises(RuntimeError, match="a leaf that requires grad cannot be changed"):
        w += 1


def _through_an_index(lib: object) -> list[object]:
    """v = b[0] changed in place changes b too, as PyTorch rewrites a view's base."""
    a = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)  # type: ignore[attr-defined]
    w = lib.tensor([0.5, 2.0, -1.0], requires_grad=True)  # type: ignore[attr-defined]
    b = a * 2
    b[1, 2] -= 3
    v = b[0]
    v *= w
    v += 1
    ((b * b).sum() + (v * 3).sum()).backward()
    return [b, v, a.grad, w.grad]


@needs_torch
def test_an_in_place_change_through_an_index_changes_its_base_as_in_torch() -> None:
    import torch

    for mine, reference in zip(_through_an_index(autograd), _through_an_index(torch)):
        np.testing.assert_allclose(np.asarray(mine), reference.detach().numpy(), rtol=1e-6)


def test_an_in_place_change_through_another_view_is_refused() -> None:
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True) * 1
    flat = x.reshape(4)
    with pytest.raises(RuntimeError, match="which is a reshape of another tensor"):
        flat += 1
    assert x.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    w = Tensor([1.0, 2.0], requires_grad=True)
    total = autograd.zeros(3)
    total[0:2] += w  # a view of a plain tensor, then put back: makemore's dC[ix] += ...
    total[1:] += w
    (total * Tensor([1.0, 10.0, 100.0])).sum().backward()
    assert total.tolist() == [1.0, 3.0, 2.0] and w.grad.tolist() == [11.0, 110.0]
