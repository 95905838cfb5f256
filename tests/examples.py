"""Small graphs several rooms of tests share."""

from __future__ import annotations

from autograd import Value


def chain_rule_example() -> tuple[Value, Value, Value, Value, Value]:
    x, w, b = Value(2.0, "x"), Value(3.0, "w"), Value(1.0, "b")
    y = w * x + b
    y.label = "y"
    loss = (y - 5.0) ** 2
    loss.label = "loss"
    return x, w, b, y, loss
