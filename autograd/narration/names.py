"""Names: every node's short, stable name (:class:`Namer`), minus signs as one sign, and what
gradients built as nodes are called: ``dy/dx``, then ``d²y/dx²``, ``d³y/dx³``.

Narration, drawings and lesson pages all name through these, so a graph reads the same
everywhere: a label, a letter for an unnamed input, the expression for a short result
(``w · x``), ``t1``, ``t2`` beyond. With ``create_graph=True`` (and in
:func:`autograd.grad`) every gradient is itself a node, named after the derivative it holds.

    >>> from autograd import Value
    >>> x = Value(2.0, "x"); y = x**3; y.label = "y"
    >>> y.backward(create_graph=True); x.grad
    Value(data=12.0, grad=0.0, label='dy/dx')
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from ..engine.graph import topological_order
from ..engine.notation import CONSTANT, parenthesize

__all__ = [
    "narrated",
    "brief",
    "Namer",
    "given_names",
    "derivative_names",
    "derivative_name",
    "as_gradient",
    "name_gradients",
    "made_by_backward",
]

#: A hyphen-minus used as a sign (not inside a word or an exponent such as 1e-05).
_SIGN = re.compile(r"(?<![\w.])-(?=[\d.]|inf\b)")


def narrated(text: str) -> str:
    """``text`` with every minus sign written as one: U+2212, as the ops' templates write it.

    >>> narrated("y = x · -2 + 1e-05 = -6")
    'y = x · −2 + 1e-05 = −6'
    """
    return _SIGN.sub("−", text)


def brief(node: Any, number: Any) -> str:
    """``number`` (a value or grad of ``node``) as written inside a sentence.

    A scalar is its number; a Tensor's array is its shape, ``[64×256]``.

    >>> from autograd import Value
    >>> brief(Value(2.5), 2.5)
    '2.5'
    """
    return str(node.brief(number))


class Namer:
    """Short, stable, readable names for the nodes of one graph.

    A labelled node is called by its label, a constant by its number, an unlabelled
    input by a letter, and an unlabelled result by its expression when that is short
    (``w·x``), else ``t1``, ``t2``, ... in forward order. Names depend only on the graph,
    so the same graph is always narrated and drawn with the same names.

    >>> from autograd import Value, topological_order
    >>> w, x = Value(3.0, "w"), Value(2.0, "x")
    >>> wx = w * x
    >>> y = wx + 1
    >>> names = Namer(topological_order(y))
    >>> names.name(wx), names.name(y), names.d(wx)
    ('w · x', 'out', 'd(w · x)')

    ``names`` (a dict such as ``locals()``, from name to node) names the unlabelled nodes it
    holds, in this namer only: see :func:`given_names`.

    >>> Namer(topological_order(y), {"wx": wx, "loss": y}).d(wx)
    'dwx'
    """

    MAX_EXPRESSION = 14

    def __init__(self, order: Sequence[Any], names: Mapping[str, Any] | None = None) -> None:
        self._names: dict[int, str] = {}
        given = given_names(order, names)
        labels = [str(node.label) or given.get(id(node), "") for node in order]
        taken: dict[str, int] = {}
        for label in labels:
            if label:
                taken[label] = taken.get(label, 0) + 1
        used = set(taken)  # every name given out so far, so no two nodes share one
        seen: dict[str, int] = {}
        letters = _fresh_names("abcdefghijklmnopqrstuvwxyz", used)
        temps = _fresh_names(None, used)
        root = order[-1] if order else None
        #: The node the graph ends at (the last in the order given).
        self.root = root
        for node, label in zip(order, labels):
            name = label
            if name:
                if taken[name] > 1:  # the same label twice: number them apart
                    seen[name] = seen.get(name, 0) + 1
                    name = f"{name}#{seen[name]}"
            elif node.owner is CONSTANT:
                name = brief(node, node.data)  # equal constants may share their number
            elif not node.parents:
                name = next(letters)
            elif node is root and "out" not in used:
                name = "out"
            else:
                parts = [self._names[id(p)] for p in node.parents]
                name = node.op.render(parts)
                if len(name) > self.MAX_EXPRESSION or name in used:
                    name = next(temps)
            used.add(name)
            self._names[id(node)] = name

    def name(self, node: Any) -> str:
        """The node's name (its label when it has one)."""
        return self._names[id(node)]

    def d(self, node: Any) -> str:
        """The name as it appears in a derivative: ``dw``, ``d(w · x)``."""
        return "d" + parenthesize(self._names[id(node)])


def given_names(order: Sequence[Any], names: Mapping[str, Any] | None) -> dict[int, str]:
    """The learner's names for the unlabelled nodes of ``order``, by ``id``: ``names`` maps a
    name to a node (``locals()`` will do). Entries that are not nodes of this graph are passed
    over, and so are names that start with ``_`` (a notebook's ``_``, ``_3``, ``__``); a node
    held under two names takes the first. A labelled node keeps its label. Nothing is changed.

    >>> from autograd import Value, topological_order
    >>> x = Value(2.0); y = x * x
    >>> given_names(topological_order(y), {"_": y, "n": 3, "x": x, "also_x": x}) == {id(x): "x"}
    True
    """
    if names is None:
        return {}
    if not isinstance(names, Mapping):
        raise TypeError(
            f"names= must be a dict from name to node, such as locals(), got "
            f"{type(names).__name__} {names!r:.60}"
        )
    unlabelled = {id(node) for node in order if not node.label}
    given: dict[int, str] = {}
    for name, node in names.items():
        key = id(node)
        public = isinstance(name, str) and name and not name.startswith("_")
        if public and key in unlabelled and key not in given:
            given[key] = name
    return given


def _fresh_names(alphabet: str | None, taken: set[str]) -> Iterator[str]:
    if alphabet:
        for letter in alphabet:
            if letter not in taken:
                yield letter
    n = 0
    while True:
        n += 1
        name = f"t{n}"
        if name not in taken:
            yield name


# --- the names of gradients ----------------------------------------------------------------

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
