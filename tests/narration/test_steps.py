"""Step-through: one step per chain-rule application, applied as yielded, narrated."""

from __future__ import annotations

from examples import chain_rule_example

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
    assert str(steps[4]) == "dloss/dw = dloss/d(w · x) · d(w · x)/dw = 4 · x = 4 · 2 = 8"


def test_narration_with_an_intermediate_named_y() -> None:
    w, x = Value(3.0, "w"), Value(2.0, "x")
    y = w * x
    y.label = "y"
    loss = (y - 4.0) ** 2
    loss.label = "loss"
    lines = [str(s) for s in loss.backward_steps()]
    assert "dloss/dw = dloss/dy · dy/dw = 4 · x = 4 · 2 = 8" in lines


def test_accumulating_steps_say_plus_equals_and_the_running_total() -> None:
    a = Value(3.0, "a")
    b = a * a
    b.label = "b"
    lines = [str(s) for s in b.backward_steps()]
    # The first of two paths is not presented as the total: both add, and say how far along.
    assert lines == [
        "db/da += a = 3  (path 1 of 2: 3 so far)",
        "db/da += a = 3  (path 2 of 2: 3 + 3 = 6)",
    ]


def test_a_second_backward_says_what_the_leaf_now_holds() -> None:
    x = Value(2.0, "x")
    y = x * 3
    y.label = "y"
    y.backward()
    assert [str(s) for s in y.backward_steps()] == ["dy/dx = 3  (3 from before + 3 = 6)"]


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
    assert "step 5: dloss/dw = dloss/d(w · x) · d(w · x)/dw = 4 · x = 4 · 2 = 8\n" in backward
    assert "[d(a·b)/da = b]" not in backward  # no generic a, b beside the learner's names
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
    assert step.output.op.name == "mul" and step.input is w and step.formula == "d(w · x)/dw = x"


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
    assert "d5/dx = 3" in y.explain()


def test_local_derivatives_are_written_in_the_learners_own_names() -> None:
    # The lecture's expression: the step for d must name f (the factor used), never "b".
    a, b, c, f = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c"), Value(-2.0, "f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    lines = [str(s) for s in L.backward_steps()]
    assert lines[0] == "dL/dd = f = −2"
    assert "dL/da = dL/de · de/da = (−2) · b = (−2) · (−3) = 6" in lines
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    q = b / a
    q.label = "q"
    assert [str(s) for s in q.backward_steps()] == ["dq/db = 1/a = 0.5", "dq/da = −b/a^2 = 0.75"]


def test_no_line_leaving_the_root_reads_circular() -> None:
    x, w, b, y, loss = chain_rule_example()
    first = str(next(loss.backward_steps()))
    assert first == "dloss/d(y − 5) = 2·(y − 5) = 4"
    assert "dloss/dloss" not in first


def test_one_minus_sign_style_forward_and_backward() -> None:
    x, y = Value(-1.5, "x"), Value(-2.0, "y")
    out = (x - 0.5) * y
    text = out.explain()
    assert "-" not in text.replace("e-", "")  # only U+2212, except in an exponent like 1e-05
    assert "x = −1.5" in text and "(x − 0.5) · y = (−2) · (−2) = 4" in text


def test_a_step_shows_its_line_in_a_repl_and_a_notebook() -> None:
    x, w, b, y, loss = chain_rule_example()
    step = list(loss.backward_steps())[4]
    assert repr(step) == "Step 5: dloss/dw = dloss/d(w · x) · d(w · x)/dw = 4 · x = 4 · 2 = 8"
    page = step._repr_html_()
    assert "Step 5: dloss/dw" in page and "d(w · x)/dw = x" in page


def test_the_names_slope_text_of_every_op_names_only_its_inputs() -> None:
    from autograd import ops

    for op in ops.SCALAR_OPS.values():
        arity = 5 if op.name == "dot" else 3 if op.name == "sum" else op.template.count("{")
        names = [f"v{i}" for i in range(arity)]
        for i in range(arity):
            text = op.slope(i, names)
            assert text is not None and "{" not in text, (op, i, text)
            assert not {"a", "b"} & set(text.replace("abs", "").split()), (op, text)


def test_a_network_is_narrated_in_reading_order() -> None:
    import nn

    model = nn.MLP(2, [4, 4, 1], seed=0)
    loss = (model([1.0, -1.0]) - 1.0) ** 2
    loss.label = "loss"
    text = loss.explain()
    forward, backward = text.split("Backward pass")
    names = [line.split(" = ")[0].strip() for line in forward.splitlines()[1:] if " = " in line]
    assert names[:2] == ["x1", "x2"] and names[-1] == "loss"
    layers = [n.split(".")[0] for n in names if n.startswith("L")]
    assert layers == sorted(layers)  # every L1 value, then every L2 value, then L3
    assert [n for n in names if n.startswith("L1.N")][0] == "L1.N1.w1"
    assert forward.index("  layer L1") < forward.index("  layer L2") < forward.index("  layer L3")
    summary = backward.split("Gradients of the inputs")[1]
    leaves = [line.split(" = ")[0].strip() for line in summary.splitlines() if " = " in line]
    assert leaves[:2] == ["dloss/dx1", "dloss/dx2"] and leaves[2] == "dloss/dL1.N1.w1"
    assert leaves[-1] == "dloss/dL3.N1.b"


def test_one_part_of_a_network_is_narrated_alone() -> None:
    import pytest

    import nn

    model = nn.MLP(2, [4, 4, 1], seed=0)
    out = model([1.0, -1.0])
    whole, layer, neuron = out.explain(), out.explain(part="L2"), out.explain(part="L2.N3")
    assert len(neuron) < len(layer) < len(whole)
    forward = neuron.split("Backward pass")[0]
    names = [line.split(" = ")[0].strip() for line in forward.splitlines() if " = " in line]
    assert names[0] == "L2.N3.w1" and all(name.startswith("L2.N3.") for name in names)
    steps = [line for line in neuron.splitlines() if line.lstrip().startswith("step ")]
    assert steps and all("L2.N3" in line for line in steps)
    with pytest.raises(ValueError, match=r"no part 'L9'.*L1, L1\.N1"):
        out.explain(part="L9")
