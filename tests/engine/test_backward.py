"""The one backward loop (``autograd.engine.graph.walk``) and Value.backward's marked fast
path, which inlines it for floats: on any graph they leave every grad the same, bit for bit,
also when leaves already hold gradients and when the root is a leaf."""

from __future__ import annotations

from typing import Any

from expressions import recipes
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value
from autograd.engine import graph


def _grads(root: Any) -> list[float]:
    return [node.grad for node in graph.topological_order(root)]


@given(recipes(), st.integers(1, 3))
def test_value_backward_is_the_engines_loop(recipe: Any, passes: int) -> None:
    fast = recipe.build([Value(v) for v in recipe.leaves])
    slow = recipe.build([Value(v) for v in recipe.leaves])
    for _ in range(passes):  # leaves accumulate; intermediate nodes start again
        fast.backward()
        graph.backward(slow)
        assert _grads(fast) == _grads(slow)


def test_a_leaf_root_accumulates_the_same_way() -> None:
    fast, slow = Value(2.0), Value(2.0)
    fast.backward(), graph.backward(slow)
    fast.backward(), graph.backward(slow)
    assert fast.grad == slow.grad == 2.0


def test_walk_yields_each_node_it_propagated_only_to_a_watcher() -> None:
    x = Value(3.0, "x")
    y = (x * x).tanh()
    seen: list[tuple[Any, int]] = []
    walked = list(graph.walk(y, observer=lambda node, i, *_: seen.append((node, i))))
    assert [n.op.name for n in walked] == ["tanh", "mul"]
    assert [(n.op.name, i) for n, i in seen] == [("tanh", 0), ("mul", 0), ("mul", 1)]
    assert list(graph.walk(y)) == []  # unwatched, it runs through without pausing
