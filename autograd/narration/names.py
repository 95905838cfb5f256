"""What gradients built as nodes are called: ``dy/dx``, then ``d²y/dx²``, ``d³y/dx³``.

With ``create_graph=True`` (and in :func:`autograd.grad`) every gradient is itself a node of
a graph, and a learner who draws or explains it should read what it means. These helpers
name such nodes after the derivative they hold, in the graph's own names.

    >>> from autograd import Value
    >>> x = Value(2.0, "x"); y = x**3; y.label = "y"
    >>> y.backward(create_graph=True); x.grad
    Value(data=12.0, grad=0.0, label='dy/dx')
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..engine.graph import topological_order
from ..engine.notation import CONSTANT, Namer, parenthesize

__all__ = [
    "derivative_names",
    "derivative_name",
    "as_gradient",
    "name_gradients",
    "made_by_backward",
]

_POWERS = "¹²³⁴⁵⁶⁷⁸⁹"


def derivative_names(outputs: Sequence[Any], order: Sequence[Any]) -> tuple[Namer, str]:
    """The namer of the graph and what its outputs' derivative is written as: ``dy``, or
    ``d(y + z)`` for several outputs."""
    namer = Namer(order)
    if len(outputs) == 1:
        return namer, namer.d(outputs[0])
    return namer, "d(" + " + ".join(parenthesize(namer.name(o)) for o in outputs) + ")"


def derivative_name(namer: Namer, outputs: Sequence[Any], d_root: str, x: Any) -> str:
    """``dy/dx``; the derivative of ``dy/dx`` by x again is ``d²y/dx²``, then ``d³y/dx³``."""
    name = namer.name(x)
    if len(outputs) == 1 and "/" not in name:
        root = namer.name(outputs[0])
        for order, power in enumerate(("", *_POWERS[1:-1]), start=1):
            top, slash, bottom = root.partition("/")
            if slash and top.startswith("d" + power) and bottom == f"d{name}{power}":
                function = top[1 + len(power) :]
                if function and "/" not in function:
                    return f"d{_POWERS[order]}{function}/d{name}{_POWERS[order]}"
    return f"{d_root}/{namer.d(x)}"


def as_gradient(g: Any, original: set[int], label: str, wrap: Callable[[Any], Any]) -> Any:
    """A gradient as handed to the user: a node of its own, labelled ``label``.

    A gradient may be a node of the graph itself (d(w·x)/dx is w) or a plain number (the
    seed): the first is multiplied by 1 and the second made a node with ``wrap``, so that
    labelling it, or later changing ``w``, leaves the other alone."""
    if not hasattr(g, "parents"):
        g = wrap(g)
    elif id(g) in original or g.label:
        g = g * 1
    g.label = label
    return g


def name_gradients(root: Any, wrap: Callable[[Any], Any]) -> None:
    """After ``root.backward(create_graph=True)``: each leaf's grad made a node of its own
    named ``droot/dleaf``, and the grad of each labelled node named after it too."""
    order = topological_order(root)
    original = {id(node) for node in order}
    namer, d_root = derivative_names([root], order)
    for node in order:
        if node.owner is CONSTANT or not getattr(node, "requires_grad", True):
            continue
        g = node.grad
        if g is None or (not node.parents and type(g) is float and g == 0.0):
            continue
        if not node.parents:
            name = derivative_name(namer, [root], d_root, node)
            node.grad = as_gradient(g, original, name, wrap)
        elif made_by_backward(node, g, original):
            g.label = f"{d_root}/{namer.d(node)}"


def made_by_backward(node: Any, g: Any, original: set[int]) -> bool:
    """Whether ``g``, the grad of a labelled node, is a fresh unlabelled node of the gradient
    graph (not a node of the original graph, nor a plain number): one to name after it."""
    fresh = hasattr(g, "parents") and id(g) not in original
    return bool(node.label) and fresh and not g.label and bool(g.parents)
