"""Step-through: one step per chain-rule application, applied as yielded, narrated."""

from __future__ import annotations

from test_value import chain_rule_example

from autograd import Value, explain


def test_steps_are_applied_as_they_are_yielded() -> None:
    x, w, b, y, loss = chain_rule_example()
    steps = loss.backward_steps()
    seen = []
    for step in steps:
        seen.append((step.input, step.input.grad))
    grads = {v.label: g for v, g in seen if v.label}
    assert grads["y"] == 4.0 and grads["w"] == 8.0 and grads["x"] == 12.0 and grads["b"] == 4.0


def test_one_step_per_edge_in_backward_order() -> None:
    x, w, b, y, loss = chain_rule_example()
    steps = list(loss.backward_steps())
    # loss ← (y − 5), (y − 5) ← y, y ← w·x, y ← b, w·x ← w, w·x ← x; the constant 5 gets no step
    assert len(steps) == 6
    assert [s.input.label for s in steps if s.input.label] == ["y", "b", "w", "x"]
    assert str(steps[4]) == "dloss/dw = dloss/d(w · x) · d(w · x)/dw = 4 · 2 = 8"


def test_narration_with_an_intermediate_named_y() -> None:
    w, x = Value(3.0, "w"), Value(2.0, "x")
    y = w * x
    y.label = "y"
    loss = (y - 4.0) ** 2
    loss.label = "loss"
    lines = [str(s) for s in loss.backward_steps()]
    assert "dloss/dw = dloss/dy · dy/dw = 4 · 2 = 8" in lines


def test_accumulating_steps_say_plus_equals_and_the_running_total() -> None:
    a = Value(3.0, "a")
    b = a * a
    b.label = "b"
    lines = [str(s) for s in b.backward_steps()]
    assert lines == [
        "db/da = db/db · db/da = 1 · 3 = 3",
        "db/da += db/db · db/da = 1 · 3 = 3  (now 6)",
    ]


def test_unlabelled_nodes_get_short_stable_names() -> None:
    def build() -> Value:
        p, q = Value(1.5), Value(-2.0)
        return ((p * q).tanh() + p) * ((p * q) + q.exp() * p * q)

    first, second = build().explain(), build().explain()
    assert first == second
    assert "a · b" in first and "out" in first and "t1" in first


def test_explain_shows_forward_then_backward_and_changes_nothing() -> None:
    x, w, b, y, loss = chain_rule_example()
    loss.backward()
    before = [v.grad for v in (x, w, b, y, loss)]
    text = explain(loss)
    assert [v.grad for v in (x, w, b, y, loss)] == before
    forward, backward = text.split("Backward pass")
    assert "y = (w · x) + b = 6 + 1 = 7" in forward
    assert "loss = (y − 5)^2 = 2^2 = 4" in forward
    assert "dloss/dw = dloss/d(w · x) · d(w · x)/dw = 4 · 2 = 8    [d(a·b)/da = b]" in backward
    assert backward.rstrip().endswith("dloss/db = 4")


def test_step_records_the_numbers() -> None:
    x, w, b, y, loss = chain_rule_example()
    step = list(loss.backward_steps())[4]
    assert (step.upstream, step.local, step.contribution, step.accumulates) == (
        4.0,
        2.0,
        8.0,
        False,
    )
    assert step.output.op.name == "mul" and step.input is w and step.formula == "d(a·b)/da = b"


def test_two_nodes_never_share_a_name() -> None:
    a = Value(1.5, "a")
    out = (a * a) + (a * a)
    lines = [str(s) for s in out.backward_steps()]
    assert lines[0].startswith("dout/d(a · a) =") and lines[1].startswith("dout/dt1 =")
    names = {s.output for s in out.backward_steps()}
    assert len(names) == 3  # out and the two products, narrated apart


def test_parentheses_only_where_the_expression_needs_them() -> None:
    w, x = Value(3.0, "w"), Value(2.0, "x")
    forward = Value.sum([(w * x).exp() + 1, (w - x) ** 2]).explain().split("Backward")[0]
    assert "exp(w · x) + 1 = 403.429 + 1" in forward
    assert "(w − x)^2 = 1^2 = 1" in forward
    assert "out = exp(w · x) + 1 + (w − x)^2 = 404.429 + 1 = 405.429" in forward


def test_power_formula_text_is_simplified() -> None:
    from autograd import ops

    assert ops.power(2).formula(0, 1) == "d(a^2)/da = 2·a"
    assert ops.power(3).formula(0, 1) == "d(a^3)/da = 3·a^2"
    assert ops.power(0.5).formula(0, 1) == "d(a^0.5)/da = 0.5·a^-0.5"


def test_explain_and_drawing_reject_what_is_not_a_graph() -> None:
    import pytest

    from autograd import draw_dot

    for bad in (5, [Value(1.0)], "x"):
        with pytest.raises(TypeError, match="need a Value or a Tensor"):
            explain(bad)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="need a Value or a Tensor"):
            draw_dot(bad)  # type: ignore[arg-type]


def test_a_label_that_is_not_text_still_narrates() -> None:
    x = Value(2.0, "x")
    y = x * 3
    y.label = 5  # type: ignore[assignment]
    assert "d5/dx = d5/d5 · d5/dx = 1 · 3 = 3" in y.explain()
