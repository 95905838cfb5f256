"""autograd.check: the learner's own gradients against backward's, the first wrong one and why."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from expressions import recipes
from hypothesis import assume, given
from hypothesis import strategies as st

from autograd import CheckReport, Tensor, Value, check
from autograd.engine.graph import topological_order
from autograd.tools.check import is_right


def neuron() -> dict[str, Value]:
    """loss = (w·x + b − 5)², as the README's first example: dw 8, dx 12, db 4, dy 4."""
    x, w, b = Value(2.0, "x"), Value(3.0, "w"), Value(1.0, "b")
    y = w * x + b
    y.label = "y"
    loss = (y - 5) ** 2
    loss.label = "loss"
    return dict(locals())


def used_twice() -> dict[str, Value]:
    """t reaches the loss by two paths: dloss/dt = 2·3 + 1 = 7."""
    t = Value(2.0, "t")
    a = t * 3
    a.label = "a"
    loss = a * 2 + t
    loss.label = "loss"
    return dict(locals())


def test_right_answers_and_no_grad_changed() -> None:
    g = neuron()
    g["loss"].backward()
    g["loss"].backward()  # leaves hold two passes; check compares with one
    before = [node.grad for node in topological_order(g["loss"])]
    report = check(g["loss"], {g["y"]: 4, g["w"]: 8, g["x"]: 12, g["b"]: 4})
    assert report.ok and bool(report) and report.first_wrong is None
    assert [node.grad for node in topological_order(g["loss"])] == before
    in_order = [a.derivative for a in report.answers]
    assert in_order == ["dloss/dy", "dloss/db", "dloss/dw", "dloss/dx"]
    assert str(report).splitlines()[0] == "check: all 4 right"


def test_a_wrong_term_with_the_learners_upstream_right() -> None:
    g = neuron()
    wx = g["y"].parents[0]
    report = check(g["loss"], {wx: 4, g["w"]: 12, g["x"]: 12})  # dw = 4 · w: x and w swapped
    assert not report.ok and report.first_wrong is g["w"]
    wrong = report.wrong[0]
    assert (wrong.yours, wrong.right) == (12.0, 8.0)
    assert wrong.cause.startswith("your dloss/d(w · x) = 4 is right, so the local derivative")
    assert "d(w · x)/dw = x = 2" in wrong.cause
    assert "your 12 means 3" in wrong.cause
    assert "what x, the other input of w · x, gets" in wrong.cause
    text = str(report)
    assert "dloss/dw = dloss/d(w · x) · d(w · x)/dw = 4 · x = 4 · 2 = 8" in text
    assert "  ✗ dloss/dw = 12, but it is 8" in text
    # Not given, the upstream is backward's own: the cause says so.
    alone = check(g["loss"], {g["w"]: 12}).answers[0].cause
    assert alone.startswith("with the right dloss/d(w · x) = 4, the local derivative is wrong")


def test_a_path_left_out_is_named_with_the_numbers() -> None:
    g = used_twice()
    report = check(g["loss"], {g["t"]: 6})
    cause = report.answers[0].cause
    assert "t is used 2 times, so dloss/dt adds up 2 paths: 1 + 6 = 7, and yours is 6" in cause
    assert cause.endswith("the path through loss is left out")
    assert "sum of the paths: 1 + 6 = 7" in str(report)


def test_a_path_counted_twice() -> None:
    g = used_twice()
    cause = check(g["loss"], {g["t"]: 13}).answers[0].cause
    assert cause.endswith("the path through a is counted twice")


def test_a_wrong_upstream_points_up() -> None:
    g = neuron()
    # dloss/dy taken as 2·(y − 5)·... forgotten: 2; the learner's w and x follow from it.
    report = check(g["loss"], {"y": 2, "w": 2 * 2, "x": 2 * 3, "b": 3})
    assert report.first_wrong is g["y"]
    by_name = {a.name: a for a in report.answers}
    assert by_name["w"].cause == (
        "your dloss/dy above was already wrong: fix it first; from your numbers, this step "
        "itself is right"
    )
    assert by_name["b"].cause.startswith("your dloss/dy above was already wrong")
    assert by_name["b"].cause.endswith("this step is wrong too: from your numbers it would be 2")
    # the first wrong one gets the whole chain-rule sum; those that follow from it one line
    assert "dloss/dy, by the chain rule" in str(report)
    assert "dloss/dw, by the chain rule" not in str(report)


def test_the_upstream_is_followed_through_nodes_not_answered() -> None:
    g = neuron()
    # dloss/d(w · x) is not given: the learner's wrong dloss/dy still reaches w through it.
    report = check(g["loss"], {"y": 5, "w": 10})
    assert report.answers[1].cause.startswith("your dloss/dy above was already wrong")


def test_a_tensor_is_checked_entry_by_entry_and_the_worst_named() -> None:
    x = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    W = Tensor(np.arange(6.0).reshape(3, 2) / 10, requires_grad=True)
    h = (x @ W).tanh()
    loss = (h * h).sum()
    loss.backward()
    right = np.array(x.grad)
    yours = right.copy()
    yours[1, 2] *= 1.5
    yours[0, 1] = float(f"{right[0, 1]:.3g}")  # rounded to 3 significant digits: right
    report = check(loss, [(x, yours), (W, np.array(W.grad))], names=locals())
    assert report.first_wrong is x
    answer = report.wrong[0]
    assert answer.worst == (1, 2) and answer.wrong_entries == 1
    line = str(answer)
    assert line.startswith("✗ dloss/dx [2×3]: 1 of 6 entries wrong; the worst, [1, 2]")
    assert "at the worst entry, [1, 2]" in str(report)
    assert check(loss, {x: Tensor(right), W: W.grad}).ok  # a Tensor as the answer works too
    assert np.array_equal(x.grad, right)


def test_a_tensor_of_the_wrong_shape() -> None:
    x = Tensor(np.ones((4, 3)), requires_grad=True)
    b = Tensor(np.zeros(3), requires_grad=True)
    loss = (x + b).sum()
    report = check(loss, {b: np.ones((4, 3))}, names=locals())
    assert not report.ok
    assert "yours has shape [4×3], but b is [3]" in str(report)
    assert "sum over the axes that broadcasting stretched" in str(report)


@given(st.floats(1e-6, 1e6), st.booleans())
def test_three_significant_digits_count_as_right(magnitude: float, negative: bool) -> None:
    right = -magnitude if negative else magnitude
    rounded = float(f"{right:.3g}")
    assert is_right(rounded, right)
    assert not is_right(right * 1.02, right)  # 2% off is more than half a unit in the 3rd digit
    assert is_right(float(f"{right:.5g}"), right, digits=5)
    four = float(f"{right:.2g}")
    assume(abs(four - right) > 1e-3 * abs(right))
    assert not is_right(four, right, digits=5)


def test_digits_changes_the_tolerance() -> None:
    g = neuron()
    x = g["x"]
    assert check(g["loss"], {x: 12.04}).ok
    report = check(g["loss"], {x: 12.04}, digits=5)
    assert not report.ok and "the same to 5 significant digits" in str(report)
    with pytest.raises(ValueError, match="digits must be a whole number"):
        check(g["loss"], {x: 12}, digits=0)


def test_a_manual_backward_with_a_step_left_out() -> None:
    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
    b = Value(6.8813735870195432, "b")
    x1w1 = x1 * w1
    x2w2 = x2 * w2
    n = x1w1 + x2w2 + b
    o = n.tanh()
    o.label = "o"
    o.grad = 1.0
    for node in reversed(topological_order(o)):
        if node is not x1w1:  # the learner forgot one _backward()
            node._backward()
    report = check(o, names=locals())  # without answers: every node's .grad is checked
    assert report.first_wrong is x1
    assert "nothing arrived from x1w1 (did x1w1._backward() run?)" in report.wrong[0].cause


def test_a_second_backward_is_said_for_what_it_is() -> None:
    g = used_twice()
    g["loss"].backward()
    g["loss"].backward()
    report = check(g["loss"])
    assert report.first_wrong is g["t"]
    assert report.wrong[0].cause == (
        "t.grad holds 2 times dloss/dt: .grad adds up, so 2 backward passes without "
        "zero_grad() in between leave this"
    )


def test_answers_by_label_by_name_and_as_pairs() -> None:
    g = neuron()
    wx = g["y"].parents[0]
    assert check(g["loss"], {"wx": 4}, names={"wx": wx}).ok
    assert check(g["loss"], [("w", 8.0), (g["x"], Value(12.0))]).ok
    assert check(g["loss"], {"w · x": 4}).ok  # the name narration gives it
    with pytest.raises(KeyError, match="no node called 'z'"):
        check(g["loss"], {"z": 1})
    with pytest.raises(ValueError, match="not a node of the graph"):
        check(g["loss"], {Value(1.0): 1})
    with pytest.raises(ValueError, match="two answers for w"):
        check(g["loss"], [("w", 8), (g["w"], 8)])
    with pytest.raises(TypeError, match="must be a number"):
        check(g["loss"], {"w": "eight"})


def test_the_report_in_a_notebook() -> None:
    g = neuron()
    g["w"].label = "<w>"
    report = check(g["loss"], {g["w"]: 3})
    page = report._repr_html_()
    assert "&lt;w&gt;" in page and "<w>" not in page
    assert "✗" in page and "by the chain rule" in page
    assert repr(report) == "<CheckReport: 1 answers, 1 wrong; first wrong: dloss/d(<w>)>"
    assert isinstance(report, CheckReport)


@given(recipes(max_leaves=3, max_steps=8), st.data())
def test_one_answer_changed_is_the_first_wrong(recipe: Any, data: Any) -> None:
    leaves = [Value(v, f"x{i}") for i, v in enumerate(recipe.leaves)]
    root = recipe.build(leaves)
    root.backward()
    nodes = [n for n in topological_order(root) if n.owner is None or n.owner.role != "constant"]
    answers = {n: n.grad for n in nodes}
    assume(all(math.isfinite(g) for g in answers.values()))
    assert check(root, answers).ok
    changed = data.draw(st.sampled_from(nodes))
    answers[changed] = changed.grad * 1.1 + 0.5
    report = check(root, answers)
    assert report.first_wrong is changed
    assert report.wrong[0].cause  # a cause is always given
    for answer in report.wrong[1:]:
        assert answer.cause.startswith(f"your {report.wrong[0].derivative} above")
