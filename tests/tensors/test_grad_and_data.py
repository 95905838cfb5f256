"""A Tensor's ``.grad`` and ``.data`` are Tensors, as in PyTorch.

``.grad`` is None until a backward pass reaches the tensor, then a Tensor of its shape and
dtype with no graph behind it (unless ``create_graph``); ``.data`` is the same numbers outside
the graph, and writes through it (makemore's ``p.data += -lr * p.grad``) are not counted as
in-place changes. Where torch is installed, the same programs run on both and must agree:
numbers, printouts, and which lines raise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from conftest import needs_torch
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Tensor, no_grad

# --- .grad -----------------------------------------------------------------------------------


def test_grad_is_none_then_a_tensor_of_the_leafs_shape_and_dtype_without_a_graph() -> None:
    for dtype in (np.float16, np.float32, np.float64):
        w = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, dtype=dtype)
        assert w.grad is None
        (w * w).sum().backward()
        g = w.grad
        assert type(g) is Tensor and g.shape == (2, 2) and g.dtype == dtype
        assert not g.requires_grad and g.op is None and not g.parents
        assert w.grad is g  # read twice, the same Tensor
        np.testing.assert_array_equal(g.numpy(), 2 * w.detach().numpy())


def test_grad_prints_as_a_tensor_and_takes_arithmetic_comparison_and_zero_() -> None:
    w = Tensor([1.0, -2.0], requires_grad=True)
    (w * 3).sum().backward()
    assert repr(w.grad) == str(w.grad) == "tensor([3., 3.])"
    assert (w.grad * 2 - 1).tolist() == [5.0, 5.0]
    assert (w.grad > 2).tolist() == [True, True] and bool((w.grad == 3).all())
    assert f"{w.grad.sum():.1f}" == "6.0"
    assert w.grad.zero_() is w.grad and w.grad.tolist() == [0.0, 0.0]
    (w * 3).sum().backward()  # a zeroed grad is added to, as in PyTorch
    assert w.grad.tolist() == [3.0, 3.0]


def test_backward_accumulates_into_leaf_grads_and_never_changes_a_grad_handed_out() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    first = w.grad
    (w * w).sum().backward()
    assert first.tolist() == [2.0, 4.0] and w.grad.tolist() == [4.0, 8.0]


def test_a_0d_leafs_grad_is_a_0d_tensor_added_to_across_passes() -> None:
    s = Tensor(2.0, requires_grad=True)
    for expected in (4.0, 8.0):
        (s * s).backward()
        assert type(s.grad) is Tensor and s.grad.shape == () and s.grad.item() == expected
    s.backward()  # a leaf root: its own grad is added to
    assert s.grad.item() == 9.0


def test_intermediate_grads_are_tensors_too() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    h = w * 3
    (h * h).sum().backward()
    assert type(h.grad) is Tensor and h.grad.tolist() == [6.0, 12.0]


def test_create_graph_grads_are_tensors_with_a_graph() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True, dtype=np.float64)
    (w**3).sum().backward(create_graph=True)
    assert w.grad.requires_grad and w.grad.tolist() == [3.0, 12.0]
    (second,) = autograd.grad(w.grad.sum(), w)
    assert second.tolist() == [6.0, 12.0]


def test_assigning_grad_takes_a_tensor_of_the_shape_and_dtype_or_none() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True, label="w")
    w.grad = Tensor([0.5, 0.5])
    assert w.grad.tolist() == [0.5, 0.5]
    w.grad = None
    assert w.grad is None
    with pytest.raises(RuntimeError, match=r"'w' .*shape \[3\]; it must have the tensor's"):
        w.grad = Tensor([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match="the gradient is float64"):
        w.grad = Tensor([1.0, 2.0], dtype=np.float64)
    with pytest.raises(TypeError, match="a gradient is a Tensor"):
        w.grad = np.ones(2, np.float32)
    assert w.grad is None  # a refused assignment leaves the grad as it was


def test_zero_grad_of_optimizers_and_modules_sets_grads_to_none() -> None:
    model = nn.Linear(2, 1)
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    model(Tensor([[1.0, 2.0]])).sum().backward()
    assert all(type(p.grad) is Tensor for p in model.parameters())
    optimizer.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    model(Tensor([[1.0, 2.0]])).sum().backward()
    model.zero_grad(set_to_none=False)
    assert all(type(p.grad) is Tensor and not p.grad.array.any() for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_zero_on_a_tensor_that_requires_grad_is_refused_while_recording() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True, label="w")
    with pytest.raises(RuntimeError, match=r"zero_\(\) on 'w'"):
        w.zero_()
    with no_grad():
        w.zero_()
    assert w.tolist() == [0.0, 0.0] and w._version == 1


def test_zero_on_a_tensor_a_backward_rule_reads_is_caught_at_backward() -> None:
    x = Tensor([1.0, 2.0], label="x")
    w = Tensor([3.0, 4.0], requires_grad=True)
    loss = (w * x).sum()
    x.zero_()
    with pytest.raises(RuntimeError, match=r"x\.zero_\(\)"):
        loss.backward()


# --- .data -----------------------------------------------------------------------------------


def test_data_is_a_tensor_sharing_the_numbers_outside_the_graph() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    d = w.data
    assert type(d) is Tensor and not d.requires_grad and d.is_leaf
    assert np.shares_memory(d.numpy(), w.detach().numpy())
    d[0] = 7.0
    assert w.tolist() == [7.0, 2.0] and w._version == 0


def test_the_makemore_update_changes_the_parameter_in_place_uncounted() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    before = w.array
    (w * w).sum().backward()
    w.data += -0.1 * w.grad
    assert w.array is before and w.tolist() == pytest.approx([0.8, 1.6])
    assert w.requires_grad and w._version == 0


def test_a_graph_that_read_the_parameter_runs_backward_after_a_data_write() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    w.data += 1.0
    loss.backward()  # no error: .data writes are not counted; the rule reads the new numbers
    assert w.grad.tolist() == [4.0, 6.0]


def test_assigning_data_replaces_the_numbers_and_shares_them() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    other = Tensor([5.0, 6.0, 7.0])
    w.data = other
    assert w.tolist() == [5.0, 6.0, 7.0] and w.requires_grad
    other += 1
    assert w.tolist() == [6.0, 7.0, 8.0]
    with pytest.raises(TypeError, match="give a Tensor"):
        w.data = [1.0, 2.0]
    with pytest.raises(TypeError, match="int64"):
        w.data = autograd.tensor([1, 2])  # a tensor that requires grad stays floating point


def test_numpy_gives_the_array_itself() -> None:
    x = Tensor([1.0, 2.0])
    assert x.numpy() is x.array
    w = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"detach\(\)\.numpy\(\)"):
        w.numpy()
    assert w.detach().numpy() is w.array and w.data.numpy() is w.array


# --- the same programs against PyTorch ---------------------------------------------------------


def _run(lib: Any, program: Callable[[Any], Any]) -> tuple[str, Any]:
    """What ``program`` gives, or the kind of error it raises."""
    try:
        return "ok", program(lib)
    except (RuntimeError, TypeError) as error:
        return type(error).__name__, None


def _grad_zero_then_backward(lib: Any) -> Any:
    w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (w * w).sum().backward()
    printed = str(w.grad)
    w.grad.zero_()
    (w * w * w).sum().backward()
    return printed, w.grad.tolist()


def _data_update_after_forward_then_backward(lib: Any) -> Any:
    w = lib.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
    x = lib.tensor([[1.0, 2.0]])
    loss = (x @ w).tanh().sum()
    loss.backward()
    w.data += -0.1 * w.grad
    again = (x @ w).exp().sum()
    w.data += 1.0  # after the forward pass: not counted, so backward still runs
    again.backward()
    return w.tolist(), w.grad.tolist(), w._version


def _in_place_update_outside_no_grad(lib: Any) -> Any:
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    w -= 0.1 * w.grad
    return w.tolist()


def _no_grad_update_then_stale_backward(lib: Any) -> Any:
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    with lib.no_grad():
        w -= 0.1
    loss.backward()
    return w.grad.tolist()


def _zero_then_stale_backward(lib: Any) -> Any:
    x = lib.tensor([1.0, 2.0])
    w = lib.tensor([3.0, 4.0], requires_grad=True)
    loss = (w * x).sum()
    x.zero_()
    loss.backward()
    return w.grad.tolist()


def _grad_of_wrong_shape(lib: Any) -> Any:
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    w.grad = lib.tensor([1.0])
    return None


def _data_of_a_list(lib: Any) -> Any:
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    w.data = [3.0]
    return None


def _data_replaced_then_forward(lib: Any) -> Any:
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    w.data = lib.tensor([3.0, 4.0, 5.0])
    (w * w).sum().backward()
    return w.grad.tolist(), w.grad.dtype == lib.float32


PROGRAMS = [
    _grad_zero_then_backward,
    _data_update_after_forward_then_backward,
    _in_place_update_outside_no_grad,
    _no_grad_update_then_stale_backward,
    _zero_then_stale_backward,
    _grad_of_wrong_shape,
    _data_of_a_list,
    _data_replaced_then_forward,
]


@needs_torch
@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__.strip("_"))
def test_grad_and_data_behave_as_pytorchs(program: Callable[[Any], Any]) -> None:
    import torch

    ours, theirs = _run(autograd, program), _run(torch, program)
    assert ours[0] == theirs[0], (ours, theirs)
    _same(ours[1], theirs[1])


def _same(ours: Any, theirs: Any) -> None:
    """Equal results: texts and flags exactly, numbers to float32's precision."""
    if isinstance(ours, (str, bool)) or ours is None:
        assert ours == theirs
    elif isinstance(ours, tuple):
        assert len(ours) == len(theirs)
        for mine, other in zip(ours, theirs):
            _same(mine, other)
    else:
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_the_programs_errors_without_torch() -> None:
    outcomes = {p.__name__: _run(autograd, p)[0] for p in PROGRAMS}
    assert outcomes == {
        "_grad_zero_then_backward": "ok",
        "_data_update_after_forward_then_backward": "ok",
        "_in_place_update_outside_no_grad": "RuntimeError",
        "_no_grad_update_then_stale_backward": "RuntimeError",
        "_zero_then_stale_backward": "RuntimeError",
        "_grad_of_wrong_shape": "RuntimeError",
        "_data_of_a_list": "TypeError",
        "_data_replaced_then_forward": "ok",
    }


@needs_torch
@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    lr=st.sampled_from([0.01, 0.1, 1.0]),
    steps=st.integers(1, 4),
)
def test_makemores_update_loop_gives_pytorchs_numbers(seed: int, lr: float, steps: int) -> None:
    """Embedding lookup, view, tanh, two matmuls, cross-entropy, ``p.grad = None``, backward,
    ``p.data += -lr * p.grad``: the losses and parameters of PyTorch's run, step by step."""
    import torch

    rng = np.random.default_rng(seed)
    shapes = [(27, 4), (12, 8), (8,), (8, 27), (27,)]
    start = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    X = rng.integers(0, 27, (steps, 5, 3))
    Y = rng.integers(0, 27, (steps, 5))

    def run(lib: Any, cross_entropy: Any) -> tuple[list[float], list[Any]]:
        params = [lib.tensor(a.copy()) for a in start]
        for p in params:
            p.requires_grad = True
        C, W1, b1, W2, b2 = params
        losses = []
        for step in range(steps):
            emb = C[lib.tensor(X[step])]
            h = lib.tanh(emb.view(-1, 12) @ W1 + b1)
            loss = cross_entropy(h @ W2 + b2, lib.tensor(Y[step]))
            for p in params:
                p.grad = None
            loss.backward()
            for p in params:
                p.data += -lr * p.grad
            losses.append(loss.item())
        return losses, [p.detach().numpy().copy() for p in params]

    ours = run(autograd, nn.cross_entropy)
    theirs = run(torch, torch.nn.functional.cross_entropy)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-5, atol=1e-5)
    for mine, other in zip(ours[1], theirs[1]):
        np.testing.assert_allclose(mine, other, rtol=1e-4, atol=1e-5)
