"""A new elementwise op from one scalar record: Values, Tensors, narration and drawing follow.

This is what a maintainer writes to add ``sin``: the record (forward rule, local derivative,
formula texts) and a one-line method per class. Nothing in graph, explain, draw or the Tensor
engine is touched.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from autograd import Tensor, Value, apply, draw_dot, explain, gradcheck
from autograd import tensor_ops as T
from autograd.engine.records import Op


def cos(x: Any) -> Any:
    # The derivative runs on floats (Values) and on whole arrays (Tensors).
    return np.cos(x) if isinstance(x, np.ndarray) else math.cos(x)


SIN = Op(
    name="sin",
    symbol="sin",
    template="sin({0})",
    forward=math.sin,
    derivative=lambda a, out: (cos(a),),
    formulas=("d sin(a)/da = cos(a)",),
    slopes=("cos({0})",),
    doc="sine",
)
TENSOR_SIN = T.elementwise(SIN, np.sin)


@pytest.fixture
def with_sin(monkeypatch: pytest.MonkeyPatch) -> None:
    """The one-line methods, added for this test only."""
    monkeypatch.setattr(Value, "sin", lambda self: Value._apply(SIN, (self,)), raising=False)
    monkeypatch.setattr(Tensor, "sin", lambda self: apply(TENSOR_SIN, self), raising=False)


def test_values_get_the_op_and_its_gradient(with_sin: None) -> None:
    x = Value(0.5, "x")
    y = x.sin() * x  # type: ignore[attr-defined]
    y.backward()
    assert y.data == pytest.approx(math.sin(0.5) * 0.5, rel=1e-15)
    assert x.grad == pytest.approx(math.cos(0.5) * 0.5 + math.sin(0.5), rel=1e-15)
    assert gradcheck(lambda v: v.sin() * v, Value(0.5))


def test_tensors_get_it_from_the_same_record(with_sin: None) -> None:
    data = np.array([-1.0, 0.25, 2.0])
    t = Tensor(data, requires_grad=True, dtype=np.float64, label="t")
    (t.sin() * t).sum().backward()  # type: ignore[attr-defined]
    assert t.grad is not None
    np.testing.assert_allclose(t.grad, np.cos(data) * data + np.sin(data), rtol=1e-15)
    assert TENSOR_SIN.name == "sin" and TENSOR_SIN.render(["t"]) == "sin(t)"
    # Without a numpy function the scalar rule runs per entry, with the tensor's dtype.
    per_entry = T.elementwise(SIN)
    out = apply(per_entry, Tensor(np.array([0.5], dtype=np.float32)))
    assert out.dtype == np.float32 and out.item() == pytest.approx(math.sin(0.5), rel=1e-6)


@pytest.mark.parametrize("kind", ["value", "tensor"])
def test_narration_and_drawing_show_it_in_the_learners_names(with_sin: None, kind: str) -> None:
    if kind == "value":
        x: Any = Value(0.5, "x")
    else:
        x = Tensor(np.array([0.5]), requires_grad=True, dtype=np.float64, label="x")
    y = x.sin()
    y.label = "y"
    text = explain(y)
    assert "y = sin(x)" in text
    if kind == "value":
        assert f"dy/dx = cos(x) = {math.cos(0.5):.6g}" in text
    source = draw_dot(y).source
    assert "sin" in source and "x" in source


def test_a_derivative_that_cannot_be_built_from_tensors_is_named(with_sin: None) -> None:
    """cos above knows floats and arrays only: a gradient of the gradient must say so."""
    import autograd

    x = Tensor(np.array([0.5]), requires_grad=True, dtype=np.float64)
    with pytest.raises(RuntimeError, match="sin"):
        autograd.grad(x.sin().sum(), x, create_graph=True)  # type: ignore[attr-defined]
