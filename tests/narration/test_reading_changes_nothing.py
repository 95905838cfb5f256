"""Narration, step drawings and lessons run backward from zero, then give every grad back."""

from __future__ import annotations

import shutil
from typing import Any

import numpy as np
import pytest

from autograd import Tensor, Value, draw_dot, explain, lesson, topological_order


def value_graph() -> Value:
    x, w = Value(2.0, "x"), Value(-3.0, "w")
    loss = ((w * x).tanh() + x * x) ** 2
    loss.backward()
    loss.backward()  # leaves hold twice one backward's grads: not what a single run gives
    return loss


def tensor_graph() -> Tensor:
    W = Tensor(np.array([[1.0, -2.0], [0.5, 3.0]]), requires_grad=True, label="W")
    x = Tensor(np.array([1.0, -1.0]), label="x")
    loss = ((W @ x).sigmoid() * (W @ x)).sum()
    loss.backward()
    loss.backward()
    return loss


def snapshot(root: Any) -> list[Any]:
    return [
        (id(n.grad), None if n.grad is None else np.array(n.grad, copy=True))
        for n in topological_order(root)
    ]


def same(before: list[Any], after: list[Any]) -> bool:
    """The same grad objects as before, holding the same numbers."""
    for (id_before, grad_before), (id_after, grad_after) in zip(before, after):
        if id_before != id_after or (grad_before is None) != (grad_after is None):
            return False
        if grad_before is not None and not np.array_equal(grad_before, grad_after):
            return False
    return len(before) == len(after)


@pytest.mark.parametrize("build", [value_graph, tensor_graph])
def test_explain_and_a_step_drawing_give_back_every_grad(build: Any) -> None:
    root = build()
    before = snapshot(root)
    text = explain(root)
    source = draw_dot(root, step=2).source  # the DOT text only: needs no Graphviz program
    assert "Backward pass" in text and "digraph" in source
    assert same(before, snapshot(root))
    # The arrays themselves are the user's: a reference kept before still sees the same numbers.
    leaf = next(n for n in topological_order(root) if not n.parents and n.grad is not None)
    kept = leaf.grad
    explain(root)
    assert leaf.grad is kept


@pytest.mark.skipif(shutil.which("dot") is None, reason="lessons need Graphviz's dot")
@pytest.mark.parametrize("build", [value_graph, tensor_graph])
def test_a_lesson_gives_back_every_grad(build: Any) -> None:
    root = build()
    before = snapshot(root)
    lesson(root)
    assert same(before, snapshot(root))
