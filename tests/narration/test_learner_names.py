"""names=: the learner's own variable names for the unlabelled nodes of a graph, for one call."""

from __future__ import annotations

import pytest

from autograd import Tensor, Value, backward_steps, explain
from autograd.engine.graph import topological_order
from autograd.narration.names import Namer, given_names


def makemore_tail() -> dict[str, object]:
    """probs → log → mean → neg, nothing labelled, as a program that never sets a label."""
    counts = Tensor([[1.0, 3.0], [2.0, 2.0]], requires_grad=True)
    probs = counts / counts.sum(1, keepdim=True)
    logprobs = probs.log()
    loss = -logprobs.mean()
    return dict(locals())


def test_explain_reads_the_learners_names_and_changes_no_label() -> None:
    names = makemore_tail()
    loss = names["loss"]
    without = explain(loss)
    assert "dlogprobs" not in without
    text = explain(loss, names=names)
    assert "dloss/dlogprobs = " in text
    assert "dloss/dprobs = dloss/dlogprobs · dlogprobs/dprobs" in text
    assert "dloss/dcounts" in text
    for node in topological_order(loss):
        assert node.label == ""  # nothing the user holds is changed
    assert explain(loss) == without  # and the next call reads the graph's own names again


def test_a_label_wins_over_a_name_and_underscored_names_are_skipped() -> None:
    x = Value(2.0, "x")
    y = x * 3
    z = y + 1
    _ = z  # a notebook's last result
    order = topological_order(z)
    namer = Namer(order, {"_": z, "renamed_x": x, "y": y, "alias": y, "n": 4})
    assert namer.name(x) == "x"
    assert namer.name(y) == "y"  # the first of two names
    assert namer.name(z) == "out"
    assert given_names(order, {"y": y, "not_in_graph": Value(1.0)}) == {id(y): "y"}


def test_two_nodes_given_one_label_apart() -> None:
    a = Value(1.0, "a")
    t = a * 2
    u = t + a
    namer = Namer(topological_order(u), {"a": t})  # t named "a" beside the label "a"
    assert {namer.name(a), namer.name(t)} == {"a#1", "a#2"}


def test_steps_take_names_too() -> None:
    x = Value(2.0, "x")
    h = x.tanh()
    out = h * h
    texts = [str(step) for step in backward_steps(out, names={"h": h, "out": out})]
    assert texts[0].startswith("dout/dh += h")
    assert Value.explain(out, names={"h": h}).count("dout/dh") >= 2


def test_names_must_be_a_mapping() -> None:
    x = Value(2.0, "x")
    with pytest.raises(TypeError, match="names= must be a dict"):
        explain(x * x, names=[("y", x)])  # type: ignore[arg-type]
