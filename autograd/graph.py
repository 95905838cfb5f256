"""Walking the graph: topological order, backward step by step, and node names.

Everything here works on any node that has ``parents`` (an ordered tuple), ``op`` (an
:class:`~autograd.ops.Op`-like record, ``None`` for a leaf), ``grad`` and ``label``, plus the
few ``_``-methods listed in :class:`GraphNode`. Scalar :class:`~autograd.value.Value` and
:class:`~autograd.tensor.Tensor` both do, so one implementation serves both.

Nothing here knows a particular op: it reads the op records.

Example:
    >>> from autograd import Value
    >>> x = Value(2.0, "x")
    >>> y = (x * x).tanh()
    >>> [n.label or n.op.name for n in topological_order(y)]
    ['x', 'mul', 'tanh']
"""

from __future__ import annotations

import gc
import html
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from .ops import parenthesize

__all__ = [
    "GraphNode",
    "Owner",
    "Step",
    "Namer",
    "brief",
    "topological_order",
    "backward_steps",
    "fmt",
    "grads_from_zero",
]


class GraphNode(Protocol):
    """What graph, explain and draw need from a node (Value and Tensor both provide it)."""

    parents: tuple[Any, ...]
    op: Any
    grad: Any
    label: str
    owner: Owner | None

    def _reset_grad(self) -> None: ...
    def _seed_grad(self) -> None: ...
    def _chain(self, upstream: Any) -> Sequence[tuple[Any, Any]]: ...
    def _accumulate(self, contribution: Any) -> None: ...
    def _describe(self, number: Any) -> str: ...

    # Optional: ``_brief(number)``, a shorter text for inside a sentence (a Tensor names
    # only the shape there); nodes without it are described by ``_describe``.


@dataclass(frozen=True, eq=False)
class Owner:
    """Who made a node, and in what role: for drawing groups and telling leaves apart.

    ``groups`` lists the enclosing groups from the outside in, each as ``(kind, name)``:
    ``(("layer", "L1"), ("neuron", "N3"))`` for neuron 3 of layer 1. ``role`` is
    ``"param"`` (a weight or bias), ``"input"``, ``"constant"`` (a plain number that entered
    an expression) or ``"computed"``.

    >>> owner = Owner((("layer", "L1"), ("neuron", "N3")), "param")
    >>> owner.path, owner.group("neuron")
    (('L1', 'N3'), ('L1', 'N3'))
    """

    groups: tuple[tuple[str, str], ...] = ()
    role: str = "computed"

    @property
    def path(self) -> tuple[str, ...]:
        """The group names from the outside in, e.g. ``("L1", "N3")``."""
        return tuple(name for _, name in self.groups)

    def group(self, kind: str) -> tuple[str, ...] | None:
        """The path down to the enclosing group of ``kind`` ("layer", "neuron", ...), if any."""
        for depth, (group_kind, _) in enumerate(self.groups):
            if group_kind == kind:
                return self.path[: depth + 1]
        return None


#: Owners shared by all nodes of one kind outside any group.
CONSTANT = Owner((), "constant")
PARAM = Owner((), "param")


def topological_order(root: Any) -> list[Any]:
    """Every node ``root`` depends on, each listed after all of its parents (root last).

    Iterative depth-first search, so graphs of any depth work at Python's default recursion
    limit. Parents are visited in their stored order, so the order is deterministic.

    >>> from autograd import Value
    >>> a = Value(1.0, "a"); b = a + a; c = b * b
    >>> [n.label or n.op.name for n in topological_order(c)]
    ['a', 'add', 'mul']
    """
    if not isinstance(getattr(root, "parents", None), tuple):
        hint = (
            ": a list of Values (a layer's outputs, say) is not one; pick one (out[0]) or add "
            "them (Value.sum(out))"
            if isinstance(root, (list, tuple))
            else ""
        )
        raise TypeError(
            f"explain, draw_dot and backward need a Value or a Tensor, got "
            f"{type(root).__name__} {root!r:.60}{hint}"
        )
    # Allocation-heavy on big graphs: the cyclic garbage collector would rescan the whole
    # graph again and again for nothing (there are no cycles to find), so pause it.
    collecting = gc.isenabled()
    gc.disable()
    try:
        order: list[Any] = []
        visited = {root}
        nodes = [root]  # the current path from the root; pending[i] iterates nodes[i]'s parents
        pending = [iter(root.parents)]
        mark, push_node, push_pending = visited.add, nodes.append, pending.append
        pop_node, pop_pending, emit = nodes.pop, pending.pop, order.append
        while pending:
            for parent in pending[-1]:
                if parent not in visited:
                    mark(parent)
                    push_node(parent)
                    push_pending(iter(parent.parents))
                    break
            else:  # every parent is listed: the node can follow them
                pop_pending()
                emit(pop_node())
    finally:
        if collecting:
            gc.enable()
    return order


@contextmanager
def grads_from_zero(order: Sequence[Any]) -> Iterator[None]:
    """Inside: every grad in ``order`` reset, as a backward pass starts. After: the user's
    grads back exactly as they were. Narration, drawing and lessons run backward in here,
    so reading a lesson changes nothing.

    >>> from autograd import Value
    >>> x = Value(3.0, "x"); y = x * x; y.backward()
    >>> with grads_from_zero(topological_order(y)):
    ...     x.grad
    0.0
    >>> x.grad
    6.0
    """
    # The objects themselves, not copies: the engine never changes a stored grad array in
    # place, so the user's arrays come back untouched and identical (``is``) to before.
    saved = [node.grad for node in order]
    try:
        for node in order:
            node._reset_grad()
        yield
    finally:
        for node, grad in zip(order, saved):
            node.grad = grad


def fmt(x: float) -> str:
    """A number written compactly: integers without ``.0``, others to 6 significant digits.

    >>> fmt(8.0), fmt(2.92), fmt(0.6456563062257954), fmt(float("nan"))
    ('8', '2.92', '0.645656', 'nan')
    """
    if x != x or x in (math.inf, -math.inf):
        return str(x)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.6g}"


def brief(node: Any, number: Any) -> str:
    """``number`` (a value or grad of ``node``) as written inside a sentence.

    A scalar is its number; a Tensor's array is its shape, ``[64×256]``.

    >>> from autograd import Value
    >>> brief(Value(2.5), 2.5)
    '2.5'
    """
    short = getattr(node, "_brief", None)
    return short(number) if short is not None else node._describe(number)


class Namer:
    """Short, stable, readable names for the nodes of one graph.

    A labelled node is called by its label, a constant by its number, an unlabelled
    input by a letter, and an unlabelled result by its expression when that is short
    (``w·x``), else ``t1``, ``t2``, ... in forward order. Names depend only on the graph,
    so the same graph is always narrated and drawn with the same names.

    >>> from autograd import Value
    >>> w, x = Value(3.0, "w"), Value(2.0, "x")
    >>> wx = w * x
    >>> y = wx + 1
    >>> names = Namer(topological_order(y))
    >>> names.name(wx), names.name(y), names.d(wx)
    ('w · x', 'out', 'd(w · x)')
    """

    MAX_EXPRESSION = 14

    def __init__(self, order: Sequence[Any]) -> None:
        self._names: dict[int, str] = {}
        labels = [str(node.label) for node in order]
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


def _is_finite(x: Any) -> bool:
    try:
        return math.isfinite(x)
    except TypeError:
        import numpy as np

        return bool(np.all(np.isfinite(x)))


@dataclass(eq=False)
class Step:
    """One use of the chain rule: the gradient flowing from ``output`` into one of its inputs.

    ``upstream`` is d(root)/d(output), ``local`` is d(output)/d(input), ``contribution`` is
    their product, added to ``input.grad``. ``accumulates`` is true when the input had
    already received gradient from another path in this backward pass (``+=``).
    ``str(step)`` is the line a learner reads; ``formula`` the local derivative, written in
    the graph's own names where the op's record allows (``d(w · x)/dw = x``). A Step shows its
    line in a REPL and in a notebook too.

    >>> from autograd import Value
    >>> w, x = Value(3.0, "w"), Value(2.0, "x")
    >>> y = w * x + 1; y.label = "y"
    >>> steps = y.backward_steps()
    >>> print(next(steps))
    dy/d(w · x) = 1
    >>> next(steps)
    Step 2: dy/dw = dy/d(w · x) · d(w · x)/dw = 1 · x = 1 · 2 = 2
    """

    index: int
    root: Any
    output: Any
    input: Any
    input_index: int
    upstream: Any
    local: Any
    contribution: Any
    accumulates: bool
    text: str
    formula: str

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Step {self.index}: {self.text}"

    def _repr_html_(self) -> str:
        # A notebook shows the narrated line, not the dataclass's fields.
        return (
            f"<code>Step {self.index}: {html.escape(self.text)}</code>"
            f'<br><small style="color:#777">local derivative: {html.escape(self.formula)}</small>'
        )


def backward_steps(root: Any) -> Iterator[Step]:
    """Run backward from ``root`` one chain-rule application at a time.

    Each step is applied before it is yielded, so between ``next()`` calls every ``.grad``
    shows the state so far. Exhausting the generator has exactly the effect of
    ``root.backward()``: leaves accumulate, intermediate nodes start again from zero.

    >>> from autograd import Value
    >>> a = Value(3.0, "a"); b = a * a; b.label = "b"
    >>> for step in backward_steps(b): print(step)
    db/da += a = 3  (path 1 of 2: 3 so far)
    db/da += a = 3  (path 2 of 2: total 6)
    """
    order = topological_order(root)
    namer = Namer(order)
    for node in order:
        if node.parents:
            node._reset_grad()
    root._seed_grad()
    # How many paths bring gradient to each input, so that the first of several is told
    # apart from the total.
    paths: dict[int, int] = {}
    for node in order:
        for parent in node.parents:
            if parent.owner is not CONSTANT:
                paths[id(parent)] = paths.get(id(parent), 0) + 1
    arrived: dict[int, int] = {}
    touched: set[int] = set()
    d_root = namer.d(root)
    index = 0
    for node in reversed(order):
        if not node.parents:
            continue
        upstream = node.grad
        arity = len(node.parents)
        for i, (parent, (local, contribution)) in enumerate(
            zip(node.parents, node._chain(upstream))
        ):
            if contribution is None:
                continue  # an input that needs no gradient (a Tensor without requires_grad)
            parent._accumulate(contribution)
            if parent.owner is CONSTANT:
                continue  # a plain number's gradient is never read: not worth a step
            accumulates = id(parent) in touched
            touched.add(id(parent))
            arrived[id(parent)] = path = arrived.get(id(parent), 0) + 1
            index += 1
            slope = _slope(node, i, namer)
            d_out, d_in = namer.d(node), namer.d(parent)
            text = _step_text(
                namer,
                d_root,
                node,
                parent,
                upstream,
                local,
                contribution,
                (path, paths.get(id(parent), 1)),
                slope,
            )
            yield Step(
                index=index,
                root=root,
                output=node,
                input=parent,
                input_index=i,
                upstream=upstream,
                local=local,
                contribution=contribution,
                accumulates=accumulates,
                text=text,
                formula=(
                    node.op.formula(i, arity)
                    if slope is None
                    else narrated(f"{d_out}/{d_in} = {slope}")
                ),
            )


#: A hyphen-minus used as a sign (not inside a word or an exponent such as 1e-05).
_SIGN = re.compile(r"(?<![\w.])-(?=[\d.]|inf\b)")


def narrated(text: str) -> str:
    """``text`` with every minus sign written as one: U+2212, as the ops' templates write it.

    >>> narrated("y = x · -2 + 1e-05 = -6")
    'y = x · −2 + 1e-05 = −6'
    """
    return _SIGN.sub("−", text)


def _slope(node: Any, index: int, namer: Namer) -> str | None:
    """The local derivative d(node)/d(input ``index``) in the inputs' names, if the op says."""
    slope = getattr(node.op, "slope", None)
    if slope is None:
        return None
    return slope(index, [namer.name(p) for p in node.parents])


def _step_text(
    namer: Namer,
    d_root: str,
    node: Any,
    parent: Any,
    upstream: Any,
    local: Any,
    contribution: Any,
    path: tuple[int, int],
    slope: str | None,
) -> str:
    def describe(number: Any) -> str:
        return parenthesize(brief(node, number))

    d_out, d_in = namer.d(node), namer.d(parent)
    k, n = path
    assign = "+=" if n > 1 else "="
    # Without one local number (an array op), "…" stands for the op's rule: see its formula.
    shown_local = "…" if local is None else describe(local)
    done = brief(node, contribution)
    if node is namer.root:
        # Leaving the root, the upstream factor is d(root)/d(root) = 1: the local derivative
        # is the whole story (and "dy/dy · dy/dx" would read as circular).
        parts: list[str | None] = [
            f"{d_root}/{d_in}",
            slope,
            "…" if local is None else brief(node, local),
            done,
        ]
    else:
        parts = [
            f"{d_root}/{d_in}",
            f"{d_root}/{d_out} · {d_out}/{d_in}",
            f"{describe(upstream)} · {parenthesize(slope)}" if slope else None,
            f"{describe(upstream)} · {shown_local}",
            done,
        ]
    shown = [narrated(f"{d_root}/{d_in}")]
    for part in parts[1:]:
        if part is not None and narrated(part) != shown[-1] and part != "…":
            shown.append(narrated(part))
    text = f" {assign} ".join(shown[:2])
    if len(shown) > 2:
        text += " = " + " = ".join(shown[2:])
    total = brief(parent, parent.grad)
    if n > 1:
        text += (
            f"  (path {k} of {n}: {total} so far)"
            if k < n
            else f"  (path {k} of {n}: total {total})"
        )
    elif total != done:
        text += f"  (now {total})"  # a leaf adding to the grad of an earlier backward
    if not all(_is_finite(v) for v in (upstream, contribution) if v is not None):
        text += "  ⚠ not finite"
    return narrated(text)
