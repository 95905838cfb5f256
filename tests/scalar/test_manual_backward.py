"""Value._backward(): backprop by hand, node by node, as micrograd's lecture does it."""

from __future__ import annotations

import importlib.util
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value
from autograd.engine.graph import topological_order

HAS_MICROGRAD = importlib.util.find_spec("micrograd") is not None


def lecture_neuron(value: Any, tanh: Any) -> dict[str, Any]:
    """The lecture's neuron, o = tanh(x1·w1 + x2·w2 + b), backpropagated by hand."""
    x1, x2 = value(2.0), value(0.0)
    w1, w2 = value(-3.0), value(1.0)
    b = value(6.8813735870195432)
    x1w1 = x1 * w1
    x2w2 = x2 * w2
    x1w1x2w2 = x1w1 + x2w2
    n = x1w1x2w2 + b
    o = tanh(n)
    o.grad = 1.0
    o._backward()
    n._backward()
    b._backward()  # a leaf: nothing to pass on
    x1w1x2w2._backward()
    x2w2._backward()
    x1w1._backward()
    return dict(locals())


def test_the_lectures_numbers() -> None:
    done = lecture_neuron(Value, Value.tanh)
    grads = {name: done[name].grad for name in ("n", "x1", "w1", "x2", "w2", "b")}
    # The lecture's numbers: o = tanh(n) = 1/√2, so do/dn = 1 − o² = 0.5, and the products
    # hand it on: dx1 = w1 · 0.5, dw1 = x1 · 0.5, dx2 = w2 · 0.5, dw2 = x2 · 0.5.
    assert done["o"].data == pytest.approx(math.sqrt(0.5), rel=1e-12)
    assert grads == pytest.approx({"n": 0.5, "x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5})


@pytest.mark.skipif(not HAS_MICROGRAD, reason="micrograd is an optional peer")
def test_the_same_numbers_as_micrograds_own_backward() -> None:
    from micrograd.engine import Value as MicrogradValue

    def lecture_tanh(x: Any) -> Any:
        # The lecture's own tanh node, on micrograd's Value (the package has no tanh).
        t = (math.exp(2 * x.data) - 1) / (math.exp(2 * x.data) + 1)
        out = MicrogradValue(t, (x,), "tanh")

        def _backward() -> None:
            x.grad += (1 - t**2) * out.grad

        out._backward = _backward
        return out

    ours = lecture_neuron(Value, Value.tanh)
    theirs = lecture_neuron(MicrogradValue, lecture_tanh)
    for name in ("o", "n", "x1w1x2w2", "x1w1", "x2w2", "x1", "w1", "x2", "w2", "b"):
        assert ours[name].grad == pytest.approx(theirs[name].grad, rel=1e-12, abs=1e-15), name


@given(st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_by_hand_in_reverse_order_is_backward(xs: list[float]) -> None:
    a, b, c = (Value(x) for x in xs)
    root = ((a * b + c).tanh() * a + b.relu() ** 2).sigmoid()
    order = topological_order(root)
    root.grad = 1.0
    for node in reversed(order):
        node._backward()
    by_hand = [node.grad for node in order]
    for node in order:
        node.grad = 0.0
    root.backward()
    assert by_hand == [node.grad for node in order]


def test_a_leaf_passes_nothing() -> None:
    x = Value(2.0, "x")
    x.grad = 5.0
    x._backward()
    assert x.grad == 5.0
