"""Backward told one chain-rule step at a time: :class:`Step` and :func:`backward_steps`.

Each step is the gradient flowing from one node into one of its inputs, with the numbers and
the local derivative in the graph's own names. ``explain``, the step pictures and the lesson
page all read these steps; none of them knows a particular op.

    >>> from autograd import Value
    >>> a = Value(3.0, "a"); b = a * a; b.label = "b"
    >>> for step in backward_steps(b): print(step)
    db/da += a = 3  (path 1 of 2: 3 so far)
    db/da += a = 3  (path 2 of 2: 3 + 3 = 6)
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine.graph import topological_order, walk
from ..engine.notation import CONSTANT, parenthesize
from .chains import View
from .names import Namer, brief, narrated

__all__ = ["Step", "backward_steps", "is_finite"]


def is_finite(x: Any) -> bool:
    """Whether a number, or every entry of an array or a Tensor, is finite.
    ``is_finite(2.0), is_finite(float("nan")) == (True, False)``"""
    if isinstance(x, (float, int)):
        return math.isfinite(x)
    return bool(np.all(np.isfinite(np.asarray(x))))


@dataclass(eq=False)
class Step:
    """One use of the chain rule: the gradient flowing from ``output`` into one of its inputs.

    ``upstream`` is d(root)/d(output), ``local`` is d(output)/d(input), ``contribution`` is
    their product, added to ``input.grad``; ``total`` is ``input.grad`` right after (the sum
    of the paths so far: pictures show it). ``accumulates`` is true when the input had
    already received gradient from another path in this backward pass (``+=``). ``finite``
    is false when the upstream or the contribution holds an infinity or a NaN.
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
    total: Any
    accumulates: bool
    finite: bool
    text: str
    formula: str
    #: True when told with long chains folded (:mod:`~autograd.narration.chains`): then
    #: ``output`` may be a folded chain, and ``index`` counts the steps so told.
    folded: bool = False

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


def backward_steps(
    root: Any, *, names: Mapping[str, Any] | None = None, fold: bool | View = False
) -> Iterator[Step]:
    """Run backward from ``root`` one chain-rule application at a time.

    The engine's one backward loop (:func:`~autograd.engine.graph.walk`), watched: every
    contribution it adds becomes a :class:`Step`, told with the numbers of that moment. The
    loop pauses after each node, so when a step is yielded it has been applied, and every
    ``.grad`` shows the state so far (the steps out of one node are applied together).
    Exhausting the generator has exactly the effect of ``root.backward()``: leaves
    accumulate, intermediate nodes start again from zero. ``names`` (a dict such as
    ``locals()``) names the unlabelled nodes it holds, in these steps only.

    ``fold=True`` (or a :class:`~autograd.narration.chains.View` of the graph) tells each
    long chain of one op (Python's ``sum``) as one node: a step per term, none per link.

    >>> from autograd import Value
    >>> a = Value(3.0, "a"); b = a * a; b.label = "b"
    >>> for step in backward_steps(b): print(step)
    db/da += a = 3  (path 1 of 2: 3 so far)
    db/da += a = 3  (path 2 of 2: 3 + 3 = 6)
    """
    seen = fold if isinstance(fold, View) else View(topological_order(root), bool(fold), names)
    narrator = _Narrator(root, seen.order, seen.namer, seen.folded)
    for _ in walk(root, order=seen.graph, observer=seen.observer(narrator.observe)):
        yield from narrator.told
        narrator.told.clear()


class _Narrator:
    """Turns each contribution the backward loop adds into a :class:`Step`."""

    def __init__(self, root: Any, order: list[Any], namer: Namer, folded: bool) -> None:
        self.root = root
        self.namer = namer
        self.folded = folded
        self.d_root = namer.d(order[-1])  # the root as seen (a folded chain, maybe)
        # How many paths bring gradient to each narrated input, so that the first of several
        # is told apart from the total: the edges that carry a gradient, not those skipped.
        self.paths: dict[int, int] = {}
        for node in order:
            for parent in node.parents:
                if parent.owner is not CONSTANT and getattr(parent, "requires_grad", True):
                    self.paths[id(parent)] = self.paths.get(id(parent), 0) + 1
        self.arrived: dict[int, int] = {}
        # Each input's terms so far, as numbers (one-number grads only): a leaf's grad from an
        # earlier backward first, then each path's share, so that the sum is told as it grows.
        self.terms: dict[int, list[str]] = {}
        for node in order:
            held = node.grad
            if not node.parents and held is not None and np.ndim(held) == 0 and held != 0:
                self.terms[id(node)] = [f"{brief(node, held)} from before"]
        self.told: list[Step] = []
        self.count = 0

    def observe(self, node: Any, i: int, parent: Any, local: Any, contribution: Any) -> None:
        if parent.owner is CONSTANT:
            return  # a plain number's gradient is never read: not worth a step
        namer = self.namer
        upstream = node.grad
        path = self.arrived[id(parent)] = self.arrived.get(id(parent), 0) + 1
        self.count += 1
        slope = _slope(node, i, namer)
        finite = all(is_finite(v) for v in (upstream, contribution) if v is not None)
        terms = self.terms.setdefault(id(parent), [])
        terms.append(brief(parent, contribution))
        text = _step_text(
            namer,
            self.d_root,
            node,
            parent,
            upstream,
            local,
            contribution,
            (path, self.paths.get(id(parent), 1)),
            slope,
            finite,
            terms if np.ndim(contribution) == 0 else None,
        )
        self.told.append(
            Step(
                index=self.count,
                root=self.root,
                output=node,
                input=parent,
                input_index=i,
                upstream=upstream,
                local=local,
                contribution=contribution,
                total=parent.grad,
                accumulates=path > 1,
                finite=finite,
                text=text,
                formula=(
                    node.op.formula(i, len(node.parents))
                    if slope is None
                    else narrated(f"{namer.d(node)}/{namer.d(parent)} = {slope}")
                ),
                folded=self.folded,
            )
        )


def _slope(node: Any, index: int, namer: Namer) -> str | None:
    """The local derivative d(node)/d(input ``index``) in the inputs' names, if the op says."""
    slope = getattr(node.op, "slope", None)
    if slope is None:
        return None
    return slope(index, [namer.name(p) for p in node.parents])


#: Up to this many terms, a gradient's sum so far is written out: 3 + 3 = 6.
SUM_TERMS = 6


def _sum_text(total: str, path: tuple[int, int], terms: list[str] | None, done: str) -> str:
    """What the input's gradient is after this step: ``(path 2 of 2: 3 + 3 = 6)`` when it
    arrives by several paths, ``(3 from before + 3 = 6)`` on a leaf that held a gradient."""
    k, n = path
    added = terms is not None and 1 < len(terms) <= SUM_TERMS
    body = f"{' + '.join(terms)} = {total}" if added and terms is not None else total
    if n > 1:
        if k < n:
            return f"  (path {k} of {n}: {body} so far)"
        return f"  (path {k} of {n}: {body})" if added else f"  (path {k} of {n}: total {total})"
    if added:
        return f"  ({body})"  # a leaf adding to the grad of an earlier backward
    return f"  (now {total})" if total != done else ""


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
    finite: bool,
    terms: list[str] | None,
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
    text += _sum_text(brief(parent, parent.grad), path, terms, done)
    if not finite:
        text += "  ⚠ not finite"
    return narrated(text)
