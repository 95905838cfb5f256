"""Long chains of one associative op, seen as one node: ``sum(values)`` as "Σ of 337 terms".

Python's ``sum(values)`` and ``a + b + c + ...`` build a chain of two-input ``+`` nodes, each
used once, by the next; a product written out builds one of ``·``. The engine runs such a
chain link by link, and that is right. But told link by link it is hundreds of steps that
each say "· 1", and drawn link by link it is a path hundreds of nodes long that Graphviz
cannot lay out: every term hangs off a different link.

:func:`view` finds the chains of at least :data:`CHAIN_TERMS` terms and gives the graph as
a reader sees it: each chain one node (a :class:`Seen` proxy of its last link, whose parents
are the terms, left to right), every other node as it is. Every term keeps its edge (a term
used twice has two) and its gradient; narration tells one step per term, with the chain's
local derivative (1 for a sum, the product of the other factors for a product). Nothing
here changes the graph or how backward runs it.

    >>> from autograd import Value
    >>> xs = [Value(float(k), f"x{k}") for k in range(1, 9)]
    >>> total = sum(xs); total.label = "total"
    >>> seen = view(total)
    >>> root = seen.order[-1]
    >>> names = [seen.namer.name(p) for p in root.parents]
    >>> root.op.symbol, len(root.parents), root.op.render(names)
    ('Σ', 8, 'x1 + x2 + x3 + … + x8')
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..engine.graph import Observer, topological_order
from ..engine.notation import CONSTANT, parenthesize
from ..engine.records import Op
from .names import Namer

__all__ = ["CHAIN_TERMS", "Seen", "View", "view", "folded_op"]

#: The fewest terms a chain needs to be folded: ``a + b + c`` stays three nodes as written.
CHAIN_TERMS = 6
#: Terms written out in a folded node's expression before "…".
SHOWN_TERMS = 3
_CHAINED = ("add", "mul")


def _few(names: Sequence[str], joiner: str) -> str:
    if joiner == " + ":  # terms of a sum need no parentheses, but around a sign
        shown = [f"({n})" if n.startswith(("-", "−")) else n for n in names]
    else:
        shown = [parenthesize(n) for n in names]
    if len(shown) > SHOWN_TERMS + 2:
        shown = [*shown[:SHOWN_TERMS], "…", shown[-1]]
    return joiner.join(shown)


def _others(index: int, names: Sequence[str]) -> str:
    others = [parenthesize(n) for k, n in enumerate(names) if k != index]
    if len(others) <= SHOWN_TERMS:
        return " · ".join(others)
    return f"the product of the other {len(others)} factors"


def _folded_sum(count: int) -> Op:
    return Op(
        name="sum",
        symbol="Σ",
        template=lambda names: _few(names, " + "),
        forward=lambda *xs: math.fsum(xs),
        derivative=lambda *xs_and_out: (1.0,) * (len(xs_and_out) - 1),
        formulas=lambda index, arity: "d(Σxᵢ)/dxᵢ = 1",
        doc=f"sum of {count} terms (a chain of + written out, drawn as one node)",
        slopes=lambda index, names: "1",
    )


def _folded_product(count: int) -> Op:
    return Op(
        name="prod",
        symbol="Π",
        template=lambda names: _few(names, " · "),
        forward=lambda *xs: math.prod(xs),
        derivative=lambda *xs_and_out: tuple(
            math.prod(x for j, x in enumerate(xs_and_out[:-1]) if j != i)
            for i in range(len(xs_and_out) - 1)
        ),
        formulas=lambda index, arity: "d(Πxⱼ)/dxᵢ = Πⱼ≠ᵢ xⱼ",
        doc=f"product of {count} factors (a chain of · written out, drawn as one node)",
        slopes=_others,
    )


def folded_op(name: str, count: int) -> Op:
    """The record a folded chain of ``name`` ("add" or "mul") with ``count`` terms reads as.

    >>> op = folded_op("mul", 6)
    >>> op.symbol, op.slope(0, ["a", "b", "c", "d", "e", "f"])
    ('Π', 'the product of the other 5 factors')
    """
    return _folded_sum(count) if name == "add" else _folded_product(count)


class Seen:
    """A node as the reader sees it: the same node, with other parents and op.

    A folded chain is its last link seen with the chain's terms as parents and a Σ or Π
    record; a node that uses a folded chain is itself seen with that chain as a parent.
    Everything else (data, grad, label, owner, ...) is the node's own: reading and setting
    ``grad`` reads and sets the node's.
    """

    __slots__ = ("node", "parents", "op", "links")

    def __init__(self, node: Any, parents: tuple[Any, ...], op: Any, links: int = 0) -> None:
        self.node = node
        self.parents = parents
        self.op = op
        #: How many nodes of the graph this one stands for beyond itself (a chain's links).
        self.links = links

    @property
    def grad(self) -> Any:
        return self.node.grad

    @grad.setter
    def grad(self, value: Any) -> None:
        self.node.grad = value

    def __getattr__(self, name: str) -> Any:
        return getattr(self.node, name)

    def __repr__(self) -> str:
        return f"Seen({self.node!r}, {len(self.parents)} parents)"


class View:
    """A graph as read: ``order`` (topological, folded chains as one node each), its names,
    and how backward's contributions map onto it (:meth:`observer`).

    ``graph`` is the graph's own topological order, links included: backward runs on it.
    """

    def __init__(
        self, graph: list[Any], fold: bool = True, names: Mapping[str, Any] | None = None
    ) -> None:
        self.graph = graph
        #: For each link or last link of a folded chain (by id): the last link's id.
        self.chain_of: dict[int, int] = {}
        #: Ids of the links inside folded chains (not their last links).
        self.links: set[int] = set()
        #: (id of a link, input position) -> the position of that term in the folded node.
        self.position: dict[tuple[int, int], int] = {}
        self.seen: dict[int, Any] = {}
        if fold:
            self._fold()
        order = [self.seen.get(id(n), n) for n in graph if id(n) not in self.links]
        if self.links:  # a start value of Python's sum (0) is no term: nothing uses it now
            used = {id(order[-1])} | {id(p) for node in order for p in node.parents}
            order = [node for node in order if id(node) in used]
        self.order = order
        self.namer = Namer(self.order, names)

    @property
    def folded(self) -> bool:
        """Whether any chain was folded."""
        return bool(self.links)

    def of(self, node: Any) -> Any:
        """The node as seen: itself, or its proxy."""
        return self.seen.get(id(node), node)

    def _fold(self) -> None:
        graph = self.graph
        uses: dict[int, int] = {}
        user: dict[int, Any] = {}
        for node in graph:
            for parent in node.parents:
                uses[id(parent)] = uses.get(id(parent), 0) + 1
                user[id(parent)] = node
        root = graph[-1] if graph else None

        def link(node: Any) -> bool:  # used once, by a node of the same associative op
            consumer = user.get(id(node))
            return (
                node is not root
                and uses.get(id(node)) == 1
                and consumer is not None
                and node.op is not None
                and consumer.op is node.op
                and node.op.name in _CHAINED
                and not node.label
                and node.owner is consumer.owner
            )

        for head in reversed(graph):
            if not head.parents or id(head) in self.chain_of or link(head):
                continue
            if head.op is None or head.op.name not in _CHAINED:
                continue
            if len(head.parents) < CHAIN_TERMS and not any(link(p) for p in head.parents):
                continue  # no chain ends here: a plain a + b
            terms, links, positions = self._terms(head, link)
            if len(terms) < CHAIN_TERMS:
                continue
            for inner in links:
                self.chain_of[id(inner)] = id(head)
                self.links.add(id(inner))
            self.chain_of[id(head)] = id(head)
            self.position.update(positions)
            self.seen[id(head)] = Seen(
                head, tuple(terms), folded_op(head.op.name, len(terms)), len(links)
            )
        if not self.seen:
            return
        # Terms that are folded chains themselves, and nodes that use one, are seen anew.
        for node in graph:
            if id(node) in self.links:
                continue
            current = self.seen.get(id(node))
            parents = current.parents if current is not None else node.parents
            mapped = tuple(self.seen.get(id(p), p) for p in parents)
            if current is not None:
                current.parents = mapped
            elif any(m is not p for m, p in zip(mapped, parents)):
                self.seen[id(node)] = Seen(node, mapped, node.op)

    @staticmethod
    def _terms(
        head: Any, link: Callable[[Any], bool]
    ) -> tuple[list[Any], list[Any], dict[tuple[int, int], int]]:
        """The terms of the chain ending at ``head``, left to right, its links, and where
        each (link, input position) puts its term. A sum's 0 and a product's 1 (the start
        value of Python's ``sum``) are no terms."""
        identity = 0.0 if head.op.name == "add" else 1.0
        terms: list[Any] = []
        links: list[Any] = []
        positions: dict[tuple[int, int], int] = {}
        stack: list[tuple[Any, int]] = [(head, 0)]
        while stack:
            node, start = stack.pop()
            for i in range(start, len(node.parents)):
                parent = node.parents[i]
                if link(parent):
                    links.append(parent)
                    stack.append((node, i + 1))
                    stack.append((parent, 0))
                    break
                if parent.owner is CONSTANT and _equals(parent.data, identity):
                    continue
                positions[(id(node), i)] = len(terms)
                terms.append(parent)
        return terms, links, positions

    def observer(self, tell: Observer) -> Observer:
        """An observer for the engine's loop that tells ``tell`` each contribution as seen:
        a term of a folded chain as an input of the folded node (the chain's local
        derivative: the product of the links' ones), a link's own step not at all.
        ``raw_index`` then lists, for each step told, its number among the steps of the graph
        itself (links included)."""
        self.raw_index: list[int] = []
        if not self.links:
            return tell
        through: dict[int, Any] = {}  # d(last link)/d(link) so far, by the link's id
        chain_of, links, seen, position = self.chain_of, self.links, self.seen, self.position
        raw_index = self.raw_index
        count = [0]

        def observe(node: Any, i: int, parent: Any, local: Any, contribution: Any) -> None:
            if parent.owner is CONSTANT:
                return
            count[0] += 1
            head = chain_of.get(id(node))
            if head is None:
                raw_index.append(count[0])
                tell(seen.get(id(node), node), i, seen.get(id(parent), parent), local, contribution)
                return
            so_far = through.get(id(node), 1.0)
            total = None if so_far is None or local is None else so_far * local
            if id(parent) in links:
                through[id(parent)] = total
                return
            folded = seen[head]
            raw_index.append(count[0])
            tell(folded, position[(id(node), i)], seen.get(id(parent), parent), total, contribution)

        return observe


def _equals(data: Any, number: float) -> bool:
    try:
        return bool(data == number)
    except (TypeError, ValueError):  # an array: never Python's start value
        return False


def view(root: Any, fold: bool = True, names: Mapping[str, Any] | None = None) -> View:
    """The graph behind ``root`` as read, long chains folded (see the module docstring);
    ``names`` (such as ``locals()``) names unlabelled nodes."""
    return View(topological_order(root), fold, names)
