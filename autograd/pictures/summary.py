"""Repeated structure, drawn once: of many terms of one shape, one is drawn in full.

A learner's loss adds one term per data point, ``sum(relu(1 - y·score(x)) for x, y in data)``,
and its L2 penalty one per parameter, ``sum(p * p for p in params)``. Each data point's term
is built by the same code from other numbers: the same ops, wired the same way, to the same
shared weights. :func:`repeated_terms` finds such families among the inputs of one node (a
folded sum, a ``Value.sum``), keeps one member of each (term ``sample``, the first by
default) and stands one placeholder in for the rest, with their count.

A term's *own* nodes are those that reach the result only through it (a data point's inputs,
its neurons' values); nodes shared with other terms (the weights) are drawn anyway. Two terms
have the same shape when their own nodes, taken in order, have the same ops, roles and groups
(so two neurons of a layer are two shapes, and one neuron's work for two data points is one),
wired the same way among themselves and to the shared nodes, whatever the numbers.

    >>> from autograd import Value, topological_order
    >>> w = Value(0.5, "w", param=True)
    >>> loss = Value.sum([(w * x).relu() for x in (1.0, 2.0, 3.0, 4.0)])
    >>> order = topological_order(loss)
    >>> hidden, families = repeated_terms(order, 0)
    >>> [(f.total, f.count) for f in families], len(hidden)
    ([(4, 3)], 9)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..engine.notation import CONSTANT

__all__ = ["Family", "repeated_terms", "REPEATS"]

#: The fewest terms of one shape that are drawn as one (three of a kind stay three below).
REPEATS = 4
#: Looking for families stops after visiting this many times the graph's nodes.
WORK = 20


class Family:
    """Terms of one shape, inputs of one node: ``shown`` is drawn, ``count`` others are not."""

    def __init__(self, number: int, head: Any, members: list[int], pick: int) -> None:
        #: The placeholder's id in the picture (``m0``, ``m1``, ...).
        self.id = f"m{number}"
        self.head = head
        self.shown = head.parents[members[pick]]
        hidden = members[:pick] + members[pick + 1 :]
        #: The input positions of ``head`` whose terms are not drawn.
        self.positions = set(hidden)
        self.count = len(hidden)
        self.total = len(members)
        #: Which of the family is drawn, counting from 1.
        self.rank = pick + 1
        #: The first terms not drawn, for the placeholder's tooltip.
        self.examples = [head.parents[k] for k in hidden[:3]]


def _own_nodes(
    terms: Sequence[tuple[int, Any]], index: dict[int, int], users: dict[int, list[Any]]
) -> tuple[dict[int, int], list[Any]]:
    """For each node that reaches the result only through one of ``terms``: that term's
    position; and the terms' ancestors in topological order. Walks the ancestors from the
    result back, so every user of a node is decided before the node."""
    owner: dict[int, int] = {id(term): k for k, term in terms}
    seen = set(owner)
    stack = [term for _, term in terms]
    found = []
    while stack:
        node = stack.pop()
        for parent in node.parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                found.append(parent)
                stack.append(parent)
    found.sort(key=lambda node: -index[id(node)])
    for node in found:
        mine = None
        for user in users.get(id(node), ()):
            theirs = owner.get(id(user))
            if theirs is None or (mine is not None and theirs != mine):
                mine = None
                break
            mine = theirs
        if mine is not None:
            owner[id(node)] = mine
    found.reverse()
    return owner, [term for _, term in terms] + found


def _shape(nodes: list[Any], own: set[int]) -> int:
    """A hash of how ``nodes`` (one term's own nodes, in topological order) are made: each
    node's op or role and groups, and for each input whether it is one of them (and which)
    or a shared node (numbered in order of first use), never the numbers themselves."""
    local = {id(node): k for k, node in enumerate(nodes)}
    shared: dict[int, int] = {}
    made = []
    for node in nodes:
        wiring = []
        for parent in node.parents:
            if id(parent) in own:
                wiring.append(local[id(parent)])
            else:
                wiring.append(-1 - shared.setdefault(id(parent), len(shared)))
        owner = node.owner or CONSTANT
        what = node.op.name if node.op is not None else owner.role
        made.append((what, owner.groups, tuple(wiring)))
    return hash(tuple(made))


def repeated_terms(order: Sequence[Any], sample: int = 0) -> tuple[dict[int, Family], list[Family]]:
    """The nodes not drawn (by id, with the family standing in for them) and the families.

    ``sample`` picks the member drawn: term ``sample`` of each family (counting from 0; the
    first when a family has fewer)."""
    index = {id(node): i for i, node in enumerate(order)}
    users: dict[int, list[Any]] = {}
    for node in order:
        for parent in node.parents:
            users.setdefault(id(parent), []).append(node)
    hidden: dict[int, Family] = {}
    families: list[Family] = []
    work = 0  # nodes visited: looking stops at a few times the graph's size
    for head in reversed(order):
        if id(head) in hidden or len(head.parents) < REPEATS or work > WORK * len(order):
            continue
        terms = [
            (k, p)
            for k, p in enumerate(head.parents)
            if p.parents and len(users[id(p)]) == 1 and id(p) not in hidden
        ]
        if len(terms) < REPEATS:
            continue
        owner, reached = _own_nodes(terms, index, users)
        work += len(reached)
        members: dict[int, list[Any]] = {k: [] for k, _ in terms}
        for node in sorted(reached, key=lambda node: index[id(node)]):
            k = owner.get(id(node))
            if k is not None:
                members[k].append(node)
        by_shape: dict[int, list[int]] = {}
        for k, _ in terms:
            own = {id(node) for node in members[k]}
            by_shape.setdefault(_shape(members[k], own), []).append(k)
        for positions in by_shape.values():
            if len(positions) < REPEATS:
                continue
            pick = sample if 0 <= sample < len(positions) else 0
            family = Family(len(families), head, positions, pick)
            families.append(family)
            for k in family.positions:
                for node in members[k]:
                    hidden[id(node)] = family
    return hidden, families
