"""The lesson as text: forward values, then each chain-rule step of backward.

Example:
    >>> from autograd import Value
    >>> x, w = Value(2.0, "x"), Value(3.0, "w")
    >>> y = w * x; y.label = "y"
    >>> print(explain(y))
    Forward pass: each value from its inputs
      w = 3
      x = 2
      y = w · x = 3 · 2 = 6
    <BLANKLINE>
    Backward pass: the chain rule, from y back to every input
      dy/dy = 1
      step 1: dy/dw = x = 2
      step 2: dy/dx = w = 3
    <BLANKLINE>
    Gradients of the inputs
      dy/dw = 2
      dy/dx = 3
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..engine.graph import grads_from_zero, topological_order
from ..engine.notation import CONSTANT, fmt
from .chains import View
from .names import Namer, brief, narrated
from .steps import backward_steps
from .steps import is_finite as _is_finite

__all__ = ["explain", "already_held"]


def _mark(number: Any) -> str:
    return "" if _is_finite(number) else "   ⚠ not a finite number: it will spread to the result"


def explain(root: Any, part: str | None = None, *, names: Mapping[str, Any] | None = None) -> str:
    """Narrate the forward and backward pass of the graph ending at ``root``.

    The backward pass is narrated as if every grad started at zero, and every grad is
    restored afterwards: reading the lesson changes nothing. A network's values (those with
    owners, as ``nn`` sets them) are listed in reading order: the inputs, then layer L1, then
    L2, ...; the gradients too. ``part="L1"`` or ``part="L2.N1"`` narrates only the values of
    that layer or neuron, and the steps that reach them. ``names`` (a dict such as
    ``locals()``, from name to node) names the unlabelled nodes it holds, for this lesson
    only: ``dloss/dlogprobs`` rather than ``dloss/d(log(probs))``.

    >>> import nn
    >>> model = nn.MLP(2, [2, 1], seed=0)
    >>> lesson = explain(model([1.0, -1.0]), part="L2")
    >>> [line for line in lesson.splitlines() if line.startswith("  ") and "=" not in line]
    ['  layer L2']
    """
    seen = View(topological_order(root), names=names)  # a long chain (Python's sum): one node
    order, namer = seen.order, seen.namer
    shown = _reading_order(order)
    wanted = _part(order, part)
    lines = ["Forward pass: each value from its inputs"]
    heading: tuple[str, str] | None = None
    for node in shown:
        if node.owner is CONSTANT or not wanted(node):
            continue  # plain numbers show up inside the expressions that use them
        group = node.owner.groups[0] if node.owner is not None and node.owner.groups else None
        if group is not None and group != heading:
            lines.append(f"  {group[0]} {group[1]}")
        heading = group
        name, value = namer.name(node), node.describe(node.data)
        if node.parents:
            inputs = [namer.name(p) for p in node.parents]
            numbers = [brief(p, p.data) for p in node.parents]
            expression = node.op.render(inputs)
            line = f"  {name} = {expression}" if expression != name else f"  {name}"
            line += f" = {node.op.render(numbers)} = {value}"
        else:
            line = f"  {name} = {value}"
        lines.append(line + _mark(node.data))

    end = seen.of(root)
    lines += ["", f"Backward pass: the chain rule, from {namer.name(end)} back to every input"]
    d_root = namer.d(end)
    held = {id(node): node.grad for node in shown if not node.parents}  # before, as they are
    with grads_from_zero(seen.graph):
        steps = backward_steps(root, fold=seen)
        lines.append(f"  {d_root}/{d_root} = 1")
        for step in steps:
            if not (wanted(step.input) or wanted(step.output)):
                continue
            # A scalar step already shows its local derivative in the graph's names; an
            # array step's "…" stands for the rule in brackets.
            rule = f"    [{step.formula}]" if step.local is None else ""
            if not step.finite:  # the op's record says where its slope is not finite, and why
                rule = f"    [{step.output.op.formula(step.input_index, len(step.output.parents))}]"
            lines.append(f"  step {step.index}: {step}{rule}")
        # A leaf that needs no gradient (a Tensor input without requires_grad) gets none.
        leaves = [
            node
            for node in shown
            if not node.parents
            and node.owner is not CONSTANT
            and node.grad is not None
            and wanted(node)
        ]
        lines += ["", "Gradients of the inputs"]
        for leaf in leaves:
            grad = leaf.grad
            lines.append(f"  {d_root}/{namer.d(leaf)} = {leaf.describe(grad)}{_mark(grad)}")
        lines += already_held(leaves, held, namer)
    return narrated("\n".join(lines))


def already_held(leaves: list[Any], held: dict[int, Any], namer: Namer) -> list[str]:
    """The leaves whose ``.grad`` already held something other than this one pass (``held``,
    by id: several backward passes, or other graphs'): what they hold, and what one more
    ``backward()`` would add to it; a heading and a line per leaf, or nothing. Called inside
    :func:`grads_from_zero`, where each leaf's grad is this pass's alone."""
    lines = []
    for leaf in leaves:
        before, this = _numbers(held[id(leaf)]), _numbers(leaf.grad)
        if before is None or this is None or not np.any(before):
            continue
        times = _times(before, this)
        if times == 1:
            continue  # it holds this one pass: what "Gradients of the inputs" says
        name, now, adds = namer.name(leaf), _shown(leaf, before), _shown(leaf, this)
        line = f"  {name}.grad holds {now}"
        if times is not None:
            line += f": {times} backward passes of {adds}"
        total = _shown(leaf, before + this)
        lines.append(f"{line}; one more backward() would make it {now} + {adds} = {total}")
    if lines:
        head = "Gradients held from earlier backward passes (backward() adds into .grad; "
        lines.insert(0, head + "zero_grad() clears it)")
        lines.insert(0, "")
    return lines


def _numbers(grad: Any) -> Any:
    """A grad's numbers: a float or an array (a grad built with create_graph is a node)."""
    if hasattr(grad, "parents"):  # a node: a Value's number, a Tensor's array (its .data is a
        grad = grad.array if hasattr(grad, "array") else grad.data  # Tensor again)
    return grad if grad is None or isinstance(grad, float) else np.asarray(grad)


def _shown(leaf: Any, grad: Any) -> str:
    """A grad as a sentence shows it: its number, a few entries, or its shape."""
    if np.ndim(grad) and np.size(grad) <= 4:
        return "[" + ", ".join(fmt(float(x)) for x in np.asarray(grad).reshape(-1)) + "]"
    return str(leaf.brief(grad))


def _times(before: Any, this: Any) -> int | None:
    """``k`` when ``before`` is k times ``this`` (every entry) for a whole k from 1 to 99."""
    b = np.asarray(before, dtype=np.float64).reshape(-1)
    t = np.asarray(this, dtype=np.float64).reshape(-1)
    nonzero = np.flatnonzero(t)
    if b.shape != t.shape or not nonzero.size:
        return None
    whole = round(float(b[nonzero[0]] / t[nonzero[0]]))
    same = 1 <= whole <= 99 and np.allclose(b, whole * t, rtol=1e-6, atol=0.0)
    return whole if same else None


def _natural(name: str) -> tuple[Any, ...]:
    # "L10" after "L9", "N2" before "N10".
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name))


def _reading_order(order: list[Any]) -> list[Any]:
    """``order`` rearranged so that a network reads as it is built: inputs, then each layer
    (neuron by neuron), then what comes after it; still every node after its parents."""
    if not any(node.owner is not None and node.owner.groups for node in order):
        return order
    position = {id(node): i for i, node in enumerate(order)}
    rank: dict[int, tuple[Any, ...]] = {}
    waiting: dict[int, int] = {}
    children: dict[int, list[Any]] = {}
    ready: list[tuple[tuple[Any, ...], int, Any]] = []
    for node in order:
        groups = node.owner.groups if node.owner is not None else ()
        if groups:
            rank[id(node)] = tuple(_natural(name) for _, name in groups)
        else:  # outside every group: where its inputs are (an input leaf comes first)
            rank[id(node)] = max((rank[id(p)] for p in node.parents), default=())
        distinct = set(map(id, node.parents))
        waiting[id(node)] = len(distinct)
        for parent_id in distinct:
            children.setdefault(parent_id, []).append(node)
        if not distinct:
            heapq.heappush(ready, (rank[id(node)], position[id(node)], node))
    result = []
    while ready:
        _, _, node = heapq.heappop(ready)
        result.append(node)
        for child in children.get(id(node), ()):
            waiting[id(child)] -= 1
            if not waiting[id(child)]:
                heapq.heappush(ready, (rank[id(child)], position[id(child)], child))
    return result


def _part(order: list[Any], part: str | None) -> Callable[[Any], bool]:
    """Whether a node belongs to ``part`` ("L1", "L2.N1"); every node does when it is None."""
    if part is None:
        return lambda node: True
    path = tuple(part.split("."))
    owned = {node.owner.path for node in order if node.owner is not None and node.owner.groups}
    if not any(p[: len(path)] == path for p in owned):
        names = sorted({".".join(p[:depth]) for p in owned for depth in range(1, len(p) + 1)})
        known = ", ".join(sorted(names, key=_natural)[:12]) or "none: no value has an owner"
        raise ValueError(f"explain: no part {part!r} in this graph; its parts are {known}")
    return lambda node: node.owner is not None and node.owner.path[: len(path)] == path
