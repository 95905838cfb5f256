"""Programs written for micrograd run on tracegrad with only their imports changed.

Each program below is written out once, as a learner would type it from micrograd's README, its
demo notebook or the lecture that builds it, and run with tracegrad's imports; where micrograd
is installed, the same text runs with micrograd's imports too (the same weights copied in where
initialisation differs) and the numbers must agree.
"""

from __future__ import annotations

import importlib.util
import math
import re
import textwrap
from typing import Any

import pytest
from conftest import require_dot

HAS_MICROGRAD = importlib.util.find_spec("micrograd") is not None

OURS = "from autograd import Value\nfrom nn import Neuron, Layer, MLP\n"
THEIRS = "from micrograd.engine import Value\nfrom micrograd.nn import Neuron, Layer, MLP\n"


def run(program: str, imports: str, namespace: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run ``program`` after ``imports`` and return what it defined."""
    scope: dict[str, Any] = {} if namespace is None else namespace
    exec(imports + textwrap.dedent(program), scope)
    return scope


def same_weights(ours: Any, theirs: Any) -> None:
    """Copy micrograd's random weights into tracegrad's model: both list them in one order."""
    mine, its = ours.parameters(), theirs.parameters()
    assert len(mine) == len(its)
    for p, q in zip(mine, its):
        p.data = float(q.data)


# --- micrograd's README -------------------------------------------------------------------

README = """
a = Value(-4.0)
b = Value(2.0)
c = a + b
d = a * b + b**3
c += c + 1
c += 1 + c + (-a)
d += d * 2 + (b + a).relu()
d += 3 * d + (b - a).relu()
e = c - d
f = e**2
g = f / 2.0
g += 10.0 / f
printed = [f'{g.data:.4f}']
g.backward()
printed += [f'{a.grad:.4f}', f'{b.grad:.4f}']
"""


def test_micrograds_readme_example_runs_unchanged() -> None:
    ours = run(README, OURS)
    assert isinstance(ours["g"].data, float) and len(ours["printed"]) == 3
    if HAS_MICROGRAD:
        theirs = run(README, THEIRS)
        assert ours["printed"] == theirs["printed"]
        for name in "abg":
            assert ours[name].data == pytest.approx(theirs[name].data, rel=1e-12)
        assert ours["a"].grad == pytest.approx(theirs["a"].grad, rel=1e-12)
        assert ours["b"].grad == pytest.approx(theirs["b"].grad, rel=1e-12)


# --- the training loop of micrograd's demo.ipynb -------------------------------------------

DEMO_SETUP = """
import numpy as np
rng = np.random.default_rng(1)
X = rng.standard_normal((30, 2))
y = np.where(X[:, 0] * X[:, 1] > 0, 1, -1)  # two classes, as make_moons' y*2 - 1 gives
model = MLP(2, [16, 16, 1])  # 2-layer neural network
"""

DEMO_LOOP = """
def loss(batch_size=None):
    if batch_size is None:
        Xb, yb = X, y
    else:
        ri = np.random.permutation(X.shape[0])[:batch_size]
        Xb, yb = X[ri], y[ri]
    inputs = [list(map(Value, xrow)) for xrow in Xb]

    # forward the model to get scores
    scores = list(map(model, inputs))

    # svm "max-margin" loss
    losses = [(1 + -yi*scorei).relu() for yi, scorei in zip(yb, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    # L2 regularization
    alpha = 1e-4
    reg_loss = alpha * sum((p*p for p in model.parameters()))
    total_loss = data_loss + reg_loss

    # also get accuracy
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(yb, scores)]
    return total_loss, sum(accuracy) / len(accuracy)

history = []
for k in range(STEPS):
    # forward
    total_loss, acc = loss()

    # backward
    model.zero_grad()
    total_loss.backward()

    # update (sgd)
    learning_rate = 1.0 - 0.9*k/100
    for p in model.parameters():
        p.data -= learning_rate * p.grad

    history.append((total_loss.data, acc))
"""


def test_the_demo_notebooks_training_loop_runs_unchanged_and_matches_micrograd() -> None:
    ours = run(DEMO_SETUP, OURS, {"STEPS": 4})
    if HAS_MICROGRAD:
        theirs = run(DEMO_SETUP, THEIRS, {"STEPS": 4})
        same_weights(ours["model"], theirs["model"])
        run(DEMO_LOOP, THEIRS, theirs)
    run(DEMO_LOOP, OURS, ours)
    history = ours["history"]
    assert len(history) == 4 and all(math.isfinite(loss) for loss, _ in history)
    if HAS_MICROGRAD:
        for (mine, my_acc), (its, its_acc) in zip(history, theirs["history"]):
            assert mine == pytest.approx(its, rel=1e-9) and my_acc == its_acc
        for p, q in zip(ours["model"].parameters(), theirs["model"].parameters()):
            assert p.data == pytest.approx(q.data, rel=1e-9, abs=1e-12)


# --- the lecture: its MLP(3, [4, 4, 1]) loop -----------------------------------------------

LECTURE_SETUP = """
n = MLP(3, [4, 4, 1])
xs = [
  [2.0, 3.0, -1.0],
  [3.0, -1.0, 0.5],
  [0.5, 1.0, 1.0],
  [1.0, 1.0, -1.0],
]
ys = [1.0, -1.0, -1.0, 1.0] # desired targets
"""

LECTURE_LOOP = """
losses = []
for k in range(20):

  # forward pass
  ypred = [n(x) for x in xs]
  loss = sum((yout - ygt)**2 for ygt, yout in zip(ys, ypred))

  # backward pass
  for p in n.parameters():
    p.grad = 0.0
  loss.backward()

  # update
  for p in n.parameters():
    p.data += -0.05 * p.grad

  losses.append(loss.data)
"""


def test_the_lectures_mlp_loop_runs_unchanged_and_matches_micrograd() -> None:
    ours = run(LECTURE_SETUP, OURS)
    output = ours["n"](ours["xs"][0])
    assert type(output).__name__ == "Value"  # one output neuron: the Value, not a list
    if HAS_MICROGRAD:
        theirs = run(LECTURE_SETUP, THEIRS)
        same_weights(ours["n"], theirs["n"])
        run(LECTURE_LOOP, THEIRS, theirs)
    run(LECTURE_LOOP, OURS, ours)
    assert len(ours["losses"]) == 20 and all(math.isfinite(x) for x in ours["losses"])
    if HAS_MICROGRAD:
        assert ours["losses"] == pytest.approx(theirs["losses"], rel=1e-9)


# --- the lecture: its hand-built expression and its own trace / draw_dot -------------------

EXPRESSION = """
a = Value(2.0, label='a')
b = Value(-3.0, label='b')
c = Value(10.0, label='c')
e = a*b; e.label = 'e'
d = e + c; d.label = 'd'
f = Value(-2.0, label='f')
L = d * f; L.label = 'L'
L.backward()
"""

LECTURE_DRAWING = """
from graphviz import Digraph

def trace(root):
  # builds a set of all nodes and edges in a graph
  nodes, edges = set(), set()
  def build(v):
    if v not in nodes:
      nodes.add(v)
      for child in v._prev:
        edges.add((child, v))
        build(child)
  build(root)
  return nodes, edges

def draw_dot(root):
  dot = Digraph(format='svg', graph_attr={'rankdir': 'LR'}) # LR = left to right

  nodes, edges = trace(root)
  for n in nodes:
    uid = str(id(n))
    # for any value in the graph, create a rectangular ('record') node for it
    dot.node(name = uid, label = "{ %s | data %.4f | grad %.4f }" % (n.label, n.data, n.grad), shape='record')
    if n._op:
      # if this value is a result of some operation, create an op node for it
      dot.node(name = uid + n._op, label = n._op)
      # and connect this node to it
      dot.edge(uid + n._op, uid)

  for n1, n2 in edges:
    # connect n1 to the op node of n2
    dot.edge(str(id(n1)), str(id(n2)) + n2._op)

  return dot
"""  # noqa: E501


def _micrograd_expression() -> dict[str, Any]:
    """The same expression on micrograd's own Value (its package has no labels)."""
    from micrograd.engine import Value

    a, b, c, f = Value(2.0), Value(-3.0), Value(10.0), Value(-2.0)
    e = a * b
    d = e + c
    L = d * f
    L.backward()
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "L": L}


def test_the_lectures_expression_gives_micrograds_gradients() -> None:
    ours = run(EXPRESSION, OURS)
    assert [ours[n].label for n in "abcdefL"] == list("abcdefL")
    if HAS_MICROGRAD:
        theirs = _micrograd_expression()
        for name in "abcdefL":
            assert (ours[name].data, ours[name].grad) == (theirs[name].data, theirs[name].grad)


def test_the_lectures_own_trace_and_draw_dot_read_prev_and_op() -> None:
    ours = run(EXPRESSION + LECTURE_DRAWING, OURS)
    nodes, edges = ours["trace"](ours["L"])
    assert {n.label for n in nodes} == set("abcdefL") and len(edges) == 6
    assert sorted(n._op for n in nodes) == ["", "", "", "", "*", "*", "+"]
    if HAS_MICROGRAD:
        theirs = _micrograd_expression()
        their_nodes, their_edges = ours["trace"](theirs["L"])  # the same function on micrograd
        assert sorted(n._op for n in their_nodes) == sorted(n._op for n in nodes)
        assert len(their_edges) == len(edges)
    dot = ours["draw_dot"](ours["L"])
    assert "{ d | data 4.0000 | grad -2.0000 }" in dot.source
    assert dot.source.count('label="*"') == 2 and dot.source.count('label="+"') == 1
    require_dot()
    svg = dot.pipe().decode("utf-8").replace("&#45;", "-")
    grads = re.findall(r"grad (-?[\d.]+)", svg)
    assert sorted(float(g) for g in grads) == sorted(ours[n].grad for n in "abcdefL")


def test_prev_and_op_are_read_only_views() -> None:
    from autograd import Value

    a = Value(2.0, "a")
    b = a * a + 1
    with pytest.raises(AttributeError):
        b._prev = ()  # type: ignore[misc]
    with pytest.raises(AttributeError):
        b._op = "+"  # type: ignore[misc]
    assert [p.label for p in (a * a)._prev] == ["a"]  # each parent once, as micrograd's set
    assert (a**2)._op == "**2" and (a - 1)._op == "-" and a.tanh()._op == "tanh"
    assert a.exp()._op == "exp" and (a / 2)._op == "/" and a._op == ""


def test_a_list_used_as_one_value_says_what_to_do() -> None:
    import nn

    outputs = nn.MLP(3, [4, 2], seed=0)([1.0, 2.0, 3.0])
    assert isinstance(outputs, list) and len(outputs) == 2
    for attempt in (lambda: outputs - 1.0, lambda: 1.0 - outputs, lambda: sum([outputs])):
        with pytest.raises(TypeError, match=r"pick one output \(out\[0\]\)"):
            attempt()
    with pytest.raises(AttributeError, match=r"has no \.backward, a Value does"):
        outputs.backward()
    from autograd import Value

    with pytest.raises(TypeError, match=r"a list of Values.*pick one"):
        Value(1.0) + outputs
    assert outputs + [1] == [*outputs, 1]  # joining lists still works
