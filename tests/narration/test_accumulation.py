"""Gradients that add up, told as they add: several paths into one node, and leaves that
already hold gradients from an earlier backward."""

from __future__ import annotations

import numpy as np

from autograd import Tensor, Value, explain


def test_the_sum_over_paths_is_told_with_its_numbers() -> None:
    x = Value(3.0, "x")
    t = x * x + x
    t.label = "t"
    told = [str(step) for step in t.backward_steps() if step.input is x]
    assert [line.split("  ")[-1] for line in told] == [
        "(path 1 of 3: 1 so far)",
        "(path 2 of 3: 1 + 3 = 4 so far)",
        "(path 3 of 3: 1 + 3 + 3 = 7)",
    ]


def test_a_second_pass_starts_from_what_the_leaf_held() -> None:
    a = Value(3.0, "a")
    b = a * a
    b.label = "b"
    b.backward()
    told = [str(step) for step in b.backward_steps()]
    assert told[-1] == "db/da += a = 3  (path 2 of 2: 6 from before + 3 + 3 = 12)"
    assert a.grad == 12.0


def test_many_paths_keep_to_the_total() -> None:
    x = Value(1.0, "x")
    s = Value.sum([x * k for k in range(1, 9)])
    s.label = "s"
    last = [str(step) for step in s.backward_steps() if step.input is x][-1]
    assert last.endswith("(path 8 of 8: total 36)")


def test_explain_shows_what_the_leaves_hold_and_what_one_more_pass_adds() -> None:
    x, w = Value(2.0, "x"), Value(3.0, "w")
    y = w * x
    y.label = "y"
    assert "held from earlier" not in explain(y)
    y.backward()
    y.backward()
    x.grad += 1.0  # something else added to x.grad
    text = explain(y)
    assert "Gradients held from earlier backward passes" in text
    assert (
        "  w.grad holds 4: 2 backward passes of 2; one more backward() would make it 4 + 2 = 6"
        in text
    )
    assert "  x.grad holds 7; one more backward() would make it 7 + 3 = 10" in text
    assert (w.grad, x.grad) == (4.0, 7.0)  # explaining changes nothing


def test_explain_shows_a_small_tensors_entries() -> None:
    W = Tensor([[1.0, 2.0]], requires_grad=True, label="W")
    loss = (W * W).sum()
    loss.label = "loss"
    loss.backward()
    assert "held from earlier" not in explain(loss)  # one pass: nothing more to say
    loss.backward()
    text = explain(loss)
    assert (
        "W.grad holds [4, 8]: 2 backward passes of [2, 4]; one more backward() would make it"
        in text
    )
    assert np.array_equal(W.grad, [[4.0, 8.0]])


def test_a_grad_built_as_a_graph_is_read_as_its_numbers() -> None:
    W = Tensor([[1.0, 2.0]], requires_grad=True, dtype="float64", label="W")
    loss = (W * W).sum()
    loss.label = "loss"
    loss.backward(create_graph=True)
    loss.backward()
    assert "W.grad holds [4, 8]: 2 backward passes of [2, 4]" in explain(loss)
