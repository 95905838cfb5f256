"""The one backward loop (graph._walk): graph.backward(), backward_steps() and the fast
paths inlined in Value.backward and Tensor.backward give the same grads and errors; the
narration reads the loop's facts, not its text."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value, explain
from autograd.engine import graph

# --- Values: the inlined fast path against the generic loop ------------------------------


def _shared(make: Callable[[float, str], Value]) -> tuple[list[Value], Value]:
    a, b = make(1.5, "a"), make(-0.5, "b")
    ab = a * b  # a shared subexpression, used by three nodes
    out = (ab.tanh() + ab) * (ab + b.exp() * a) + a * a  # a used many times, a · a once
    return [a, b, ab], out


def _chain(make: Callable[[float, str], Value]) -> tuple[list[Value], Value]:
    x = make(0.3, "x")
    y = x
    for _ in range(50):
        y = (y * 0.9 + x).relu() - 0.1 * x
    return [x], y


def _network(make: Callable[[float, str], Value]) -> tuple[list[Value], Value]:
    import nn

    model = nn.MLP(2, [3, 1], seed=1)
    params = model.parameters()
    loss = sum(((model([make(u, "u"), make(-u, "v")]) - 1) ** 2 for u in (0.5, -1.0, 2.0)), 0)
    return params, loss


@pytest.mark.parametrize("build", [_shared, _chain, _network], ids=lambda f: f.__name__)
def test_value_backward_fast_path_gives_the_generic_loops_grads(build: Any) -> None:
    fast_nodes, fast = build(Value)
    slow_nodes, slow = build(Value)
    for _ in range(2):  # the second call accumulates into the leaves
        fast.backward()
        graph.backward(slow)
        every_fast = graph.topological_order(fast)
        every_slow = graph.topological_order(slow)
        assert [n.grad for n in every_fast] == [n.grad for n in every_slow]
        assert [n.grad for n in fast_nodes] == [n.grad for n in slow_nodes]


def test_value_backward_fast_path_agrees_with_the_steps_of_the_generic_loop() -> None:
    nodes, out = _shared(Value)
    out.backward()
    fast = [n.grad for n in nodes]
    nodes2, out2 = _shared(Value)
    steps = list(out2.backward_steps())
    assert [n.grad for n in nodes2] == fast
    assert all(step.index == i + 1 for i, step in enumerate(steps))


def test_a_leaf_root_accumulates_the_same_through_either_loop() -> None:
    x, y = Value(2.0, "x"), Value(2.0, "y")
    x.backward()
    graph.backward(y)
    graph.backward(y, 2.0)
    assert (x.grad, y.grad) == (1.0, 3.0)


# --- Tensors: the inlined fast path against the generic loop -----------------------------


def _tensor_graphs() -> list[Callable[[], tuple[list[Tensor], Tensor]]]:
    def broadcast() -> tuple[list[Tensor], Tensor]:
        rng = np.random.default_rng(0)
        x = Tensor(rng.standard_normal((4, 3)), requires_grad=True, label="x")
        b = Tensor(rng.standard_normal(3), requires_grad=True, label="b")
        c = Tensor(rng.standard_normal((4, 1)), label="c")  # needs no grad, used twice
        h = (x * c + b).tanh()
        return [x, b], (h * h + h * c - b).sum()

    def matmul_shared() -> tuple[list[Tensor], Tensor]:
        rng = np.random.default_rng(1)
        W = Tensor(rng.standard_normal((3, 3)), requires_grad=True, label="W")
        x = Tensor(rng.standard_normal((2, 3)), label="x")
        z = x @ W
        return [W], ((z @ W).relu() + z[:, :1] * z).mean()

    return [broadcast, matmul_shared]


@pytest.mark.parametrize("build", _tensor_graphs(), ids=lambda f: f.__name__)
def test_tensor_backward_fast_path_gives_the_generic_loops_grads(build: Any) -> None:
    runs = []
    for run in (
        lambda root: root.backward(),
        lambda root: graph.backward(root),
        lambda root: list(root.backward_steps()),
    ):
        leaves, root = build()
        run(root)
        run(root)  # the leaves accumulate, the other nodes start again
        runs.append([node.grad for node in graph.topological_order(root)])
        assert all(leaf.grad is not None for leaf in leaves)
    for other in runs[1:]:
        assert [g is None for g in other] == [g is None for g in runs[0]]
        for a, b in zip(runs[0], other):
            if a is not None:
                assert a.dtype == b.dtype
                np.testing.assert_array_equal(a, b)


def test_an_in_place_change_raises_the_same_from_backward_and_from_the_steps() -> None:
    def build() -> Tensor:
        w = Tensor([1.0, 2.0], requires_grad=True, label="w")
        x = Tensor([3.0, 4.0], label="x")
        loss = (w * x).sum()
        x += 1
        return loss

    errors = []
    for run in (Tensor.backward, graph.backward, lambda root: list(root.backward_steps())):
        with pytest.raises(RuntimeError) as caught:
            run(build())
        errors.append(str(caught.value))
    assert errors[0] == errors[1] == errors[2] and "changed in place" in errors[0]


# --- narration reads the step's facts ----------------------------------------------------


def test_a_label_with_a_warning_sign_does_not_make_a_finite_step_look_broken() -> None:
    x = Value(2.0, "x⚠")
    y = x * 3
    y.label = "y"
    line = next(line for line in explain(y).splitlines() if "step 1" in line)
    assert "[" not in line  # the op's formula is added for a non-finite step only
    (step,) = y.backward_steps()
    assert step.finite


def test_a_non_finite_step_says_so_and_shows_the_ops_rule() -> None:
    a, b = Value(-2.0, "a"), Value(2.0, "b")
    out = a**b
    out.label = "out"
    steps = {step.input.label: step for step in out.backward_steps()}
    assert not steps["b"].finite and steps["a"].finite
    line = next(line for line in out.explain().splitlines() if "dout/db =" in line)
    assert "⚠ not finite" in line and "a < 0" in line


def test_paths_counted_are_the_paths_narrated() -> None:
    # c, without requires_grad, is reached through three edges that carry nothing.
    w = Tensor([1.0, -2.0], requires_grad=True, label="w")
    c = Tensor([0.5, 3.0], label="c")
    y = autograd.tensor([1.0, 0.0], label="y")
    h = w * c + c * w
    loss = ((h - y) ** 2).sum() + (w * w * c).sum()
    loss.label = "loss"
    steps = list(loss.backward_steps())
    into = Counter(id(step.input) for step in steps)
    for step in steps:
        found = re.search(r"path (\d+) of (\d+)", step.text)
        assert (int(found.group(2)) if found else 1) == into[id(step.input)], step.text
    assert into[id(w)] == 4 and id(c) not in into and id(y) not in into
