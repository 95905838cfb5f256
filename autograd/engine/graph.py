"""The graph: the node protocol, the topological order and THE backward loop.

A node is anything with the attributes and methods of :class:`Node`. :class:`~autograd.scalar.
value.Value` (a float) and :class:`~autograd.tensors.tensor.Tensor` (an array) both are, so the
one loop below serves both, and so do narration, pictures and lessons, which watch it run.

Backward in three lines: list every node after its parents (:func:`topological_order`); give
the root its seed, d(root)/d(root) = 1; then, from the root back, let each node pass its
gradient to its parents (``node.propagate()``: the chain rule, upstream · local derivative,
added into each parent's ``grad``). By the time a node passes its gradient on, every path into
it has arrived, so its ``grad`` is complete.

    >>> from autograd import Value
    >>> x = Value(2.0, "x")
    >>> y = (x * x).tanh()
    >>> [n.label or n.op.name for n in topological_order(y)]
    ['x', 'mul', 'tanh']
    >>> backward(y); round(x.grad, 6)
    0.005364
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any, Protocol

from .grad_mode import enable_grad
from .notation import Owner

__all__ = [
    "Node",
    "Observer",
    "Roots",
    "topological_order",
    "walk",
    "backward",
    "grads_from_zero",
]

#: Called by ``propagate`` after each contribution is added: ``(node, input index, input,
#: local derivative or None, contribution)``. Narration builds its steps here.
Observer = Callable[[Any, int, Any, Any, Any], None]


class Node(Protocol):
    """What the engine, narration and pictures need from a node of the graph.

    ``parents`` are the inputs of the op that made the node (an ordered tuple, empty for a
    leaf), ``op`` its record (:class:`~autograd.engine.records.Op`, None for a leaf),
    ``grad`` d(root)/d(node) after backward, ``label`` the learner's name for it and ``owner``
    the layer or neuron that made it (or its role: a parameter, a constant).
    """

    parents: tuple[Any, ...]
    op: Any
    grad: Any
    label: str
    owner: Owner | None
    #: What ``grad`` holds before any gradient arrives (0.0 for a Value, None for a Tensor).
    initial_grad: Any

    def seed(self, gradient: Any = None, create_graph: bool = False) -> Any:
        """d(root)/d(root) for this node as root: 1, or ``gradient`` checked against it."""
        ...

    def propagate(self, observer: Observer | None = None, create_graph: bool = False) -> None:
        """The chain rule at this node: add ``grad`` · d(self)/d(parent) into each parent's
        ``grad``; with ``create_graph`` built from nodes, so it can be differentiated again."""
        ...

    def describe(self, number: Any) -> str:
        """A number of this kind of node as text (``8``; ``[64×256] float32``)."""
        ...

    def brief(self, number: Any) -> str:
        """The same, shorter, for inside a sentence (a Tensor names only its shape)."""
        ...


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
                    if not parent.parents:
                        emit(parent)  # a leaf has nothing to wait for (half of most graphs)
                        continue
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


class Roots:
    """Several outputs as the parents of one node, each given its own seed: backward from
    them all at once, d(Σᵢ seedᵢ · outputᵢ)/d(node), as :func:`autograd.grad` asks."""

    __slots__ = ("parents", "seeds", "grad", "op", "label", "owner")
    initial_grad = None

    def __init__(self, outputs: Sequence[Any], seeds: Sequence[Any]) -> None:
        self.parents = tuple(outputs)
        self.seeds = tuple(seeds)
        self.grad: Any = 1.0
        self.op = None
        self.label = ""
        self.owner = None

    def seed(self, gradient: Any = None, create_graph: bool = False) -> Any:
        return 1.0  # each output's own seed is handed on by propagate

    def propagate(self, observer: Observer | None = None, create_graph: bool = False) -> None:
        for output, seed in zip(self.parents, self.seeds):
            held = output.grad
            output.grad = seed if held is None or _is_zero(held) else held + seed


def walk(
    root: Any,
    gradient: Any = None,
    *,
    order: Sequence[Any] | None = None,
    observer: Observer | None = None,
    create_graph: bool = False,
) -> Iterator[Any]:
    """THE backward loop: seed ``root``, then from it back to the leaves let every node pass
    its gradient to its parents. With an ``observer`` it yields each node once it has, so a
    narrator can pause between nodes; without one it runs through in one go.

    Intermediate nodes start again from their initial grad; leaves keep what earlier passes
    gave them (gradients accumulate, as in PyTorch). ``order`` is the topological order when
    the caller has it already (or wants only part of it walked); ``observer`` sees every
    contribution; ``create_graph`` builds the gradients from nodes. Everything that runs
    backward runs this: ``backward()``, ``grad()``, narration, step pictures and lessons.
    """
    if order is None:
        order = topological_order(root)
    initial = order[0].initial_grad  # a leaf: a Value or a Tensor, never the Roots of grad()
    for node in order:
        if node.parents:
            node.grad = initial
    seed = root.seed(gradient, create_graph)
    root.grad = seed if root.parents or _is_zero(root.grad) else root.grad + seed
    with enable_grad() if create_graph else nullcontext():
        for node in reversed(order):
            if node.parents:
                node.propagate(observer, create_graph)
                if observer is not None:
                    yield node  # a narrator pauses here; unwatched, the loop runs through


def backward(root: Any, gradient: Any = None, *, create_graph: bool = False) -> None:
    """Fill in the grad of every node ``root`` depends on: ``root.backward(gradient)``.

    ``gradient`` is d(something)/d(root), needed for a Tensor root with more than one entry.
    Leaves accumulate across calls; intermediate nodes start again from zero.

    >>> from autograd import Value
    >>> a = Value(3.0, "a"); b = a * a
    >>> backward(b); backward(b); a.grad
    12.0
    """
    deque(walk(root, gradient, create_graph=create_graph), maxlen=0)  # run it, keep nothing


@contextmanager
def grads_from_zero(order: Sequence[Any]) -> Iterator[None]:
    """Inside: every grad in ``order`` at its initial value, as a first backward pass finds it.
    After: the user's grads back exactly as they were. Narration, pictures, lessons and
    ``grad()`` run the loop in here, so reading a lesson changes nothing.

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
            node.grad = node.initial_grad
        yield
    finally:
        for node, grad in zip(order, saved):
            node.grad = grad


def _is_zero(grad: Any) -> bool:
    # A Value's grad before any gradient (0.0) or a Tensor's (None): a seed replaces it.
    return grad is None or (type(grad) is float and grad == 0.0)
