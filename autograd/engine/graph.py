"""Walking the graph: topological order, the backward loop (whole or step by step), names.

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
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from .notation import CONSTANT, Owner

__all__ = ["GraphNode", "topological_order", "backward", "gradients", "grads_from_zero"]


class GraphNode(Protocol):
    """What graph, explain and draw need from a node (Value and Tensor both provide it)."""

    parents: tuple[Any, ...]
    op: Any
    grad: Any
    label: str
    owner: Owner | None

    def _reset_grad(self) -> None: ...
    def _seed_grad(self, gradient: Any = None) -> None: ...
    def _chain(self, upstream: Any) -> Sequence[tuple[Any, Any]]: ...
    def _accumulate(self, contribution: Any) -> None: ...
    def _describe(self, number: Any) -> str: ...
    def _shares(
        self, upstream: Any, create_graph: bool, needed: Sequence[bool]
    ) -> Sequence[Any]: ...

    # Optional: ``_brief(number)``, a shorter text for inside a sentence (a Tensor names
    # only the shape there); nodes without it are described by ``_describe``. And
    # ``requires_grad``: when False, ``_chain`` gives the node no contribution (a Tensor's
    # backward rules give None exactly there); nodes without it always get one.


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


def _walk(order: Sequence[Any]) -> Iterator[tuple[Any, int, Any, Any, Any]]:
    """The backward loop: from the root of ``order`` (last) back to its leaves, each
    contribution added to its input's grad, then yielded as
    ``(node, input index, input, local, contribution)``.

    By the time a node's inputs are walked, every path into the node has been, so
    ``node.grad`` is the upstream gradient of each of its contributions.
    """
    for node in reversed(order):
        parents = node.parents
        if not parents:
            continue
        upstream = node.grad
        if upstream is None:  # every rule that could reach it gave None: nothing to pass on
            continue
        for i, (parent, (local, contribution)) in enumerate(zip(parents, node._chain(upstream))):
            if contribution is None:
                continue  # an input that needs no gradient (a Tensor without requires_grad)
            parent._accumulate(contribution)
            yield node, i, parent, local, contribution


def _start(root: Any, order: Sequence[Any], gradient: Any = None) -> None:
    # Intermediate nodes start again from zero; leaves keep what earlier passes gave them.
    for node in order:
        if node.parents:
            node._reset_grad()
    root._seed_grad(gradient)


def backward(root: Any, gradient: Any = None) -> None:
    """Fill in the grad of every node ``root`` depends on: ``root.backward(gradient)``.

    ``gradient`` is d(something)/d(root), needed for a Tensor root with more than one entry.
    Leaves accumulate across calls; intermediate nodes start again from zero.

    >>> from autograd import Value
    >>> a = Value(3.0, "a"); b = a * a
    >>> backward(b); backward(b); a.grad
    12.0
    """
    order = topological_order(root)
    _start(root, order, gradient)
    deque(_walk(order), maxlen=0)  # run the loop for its effect, keeping nothing


class _Roots:
    """Several outputs as the parents of one node, so that one topological order covers them."""

    __slots__ = ("parents",)

    def __init__(self, roots: Sequence[Any]) -> None:
        self.parents = tuple(roots)


def gradients(
    roots: Sequence[Any],
    seeds: Sequence[Any],
    inputs: Sequence[Any] | None = None,
    *,
    create_graph: bool = False,
) -> dict[int, Any]:
    """d(Σᵢ seedᵢ · rootᵢ)/d(node) for every node on a path from the roots to ``inputs``
    (to every leaf when ``inputs`` is None), keyed by ``id(node)``. No ``.grad`` changes.

    The walk behind :func:`autograd.grad` and ``backward(create_graph=True)``. With
    ``create_graph`` each node hands on gradients built from nodes (``_shares``), so the
    result is a graph that can be differentiated again; without, plain numbers. Nodes no
    input depends on get nothing.

    >>> from autograd import Value
    >>> x = Value(3.0, "x"); y = x * x
    >>> gradients([y], [1.0], [x])[id(x)]
    6.0
    >>> dy_dx = gradients([y], [1.0], [x], create_graph=True)[id(x)]
    >>> dy_dx.data, dy_dx.op.name
    (6.0, 'add')
    """
    order = topological_order(_Roots(roots))[:-1]
    if inputs is None:
        wanted = None
    else:
        # A node is worth a gradient if an input is, or lies upstream of, it.
        targets = {id(x) for x in inputs}
        wanted = set()
        for node in order:
            if id(node) in targets or any(id(p) in wanted for p in node.parents):
                wanted.add(id(node))
    # Not _walk: here grads go to a dict (no .grad may change), pruned to inputs, maybe as graphs.
    grads: dict[int, Any] = {}
    for root, seed in zip(roots, seeds):
        held = grads.get(id(root))
        grads[id(root)] = seed if held is None else held + seed
    for node in reversed(order):
        parents = node.parents
        if not parents:
            continue
        g = grads.get(id(node))
        if g is None or (wanted is not None and id(node) not in wanted):
            continue
        needed = [(wanted is None or id(p) in wanted) and p.owner is not CONSTANT for p in parents]
        if not any(needed):
            continue
        for parent, share in zip(parents, node._shares(g, create_graph, needed)):
            if share is None:
                continue
            held = grads.get(id(parent))
            grads[id(parent)] = share if held is None else held + share
    return grads


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
