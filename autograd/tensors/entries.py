"""One output entry explained: which input entries made it, with which factors, and where its
gradient goes back to.

A convolution's output entry is a sum over its window, ``y[n,o,p,q] = Σ W[o,c,i,j] ·
x[n,c,p·s+i·d−pad,q·s+j·d−pad] + b[o]``; a pooling's is the largest entry of its window, or
their average. :func:`entry_of` reads that from the node's record (its ``settings``: the
geometry or the windows) and the numbers; :meth:`Entry.text` writes it out as a learner checks
it by hand, then the way back: each entry of the sum sends the upstream times its factor to
its input (``x`` receives ``g · W``, ``W`` receives ``g · x``, ``b`` receives ``g``).
``Tensor.explain_entry`` prints it; the lesson page draws it as a picture of the window.

    >>> import numpy as np
    >>> from autograd import Tensor
    >>> from autograd.tensors.spatial import conv2d
    >>> x = Tensor(np.arange(9.0).reshape(1, 1, 3, 3), label="x")
    >>> W = Tensor(np.array([[[[1.0, -2.0]]]]), requires_grad=True, label="W")
    >>> y = conv2d(x, W); y.label = "y"
    >>> print(entry_of(y, (0, 0, 1, 1)).text())
    y[0,0,1,1] = Σ W[0,c,i,j] · x[0,c,1+i,1+j] over c < 1, i < 1, j < 2
      = W[0,0,0,0]·x[0,0,1,1] + W[0,0,0,1]·x[0,0,1,2]
      = 1·4 + (-2)·5
      = -6
    Its gradient, g = dL/dy[0,0,1,1], goes back to 2 entries of x and 2 of W:
      x[0,0,1,1] += g · W[0,0,0,0] = g · 1
      x[0,0,1,2] += g · W[0,0,0,1] = g · (-2)
      W[0,0,0,0] += g · x[0,0,1,1] = g · 4
      W[0,0,0,1] += g · x[0,0,1,2] = g · 5
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..engine.notation import fmt
from .ops.convolution import Geometry
from .ops.pooling import Window, bins

__all__ = ["Entry", "Term", "entry_of", "EXPLAINED"]

Index = tuple[int, ...]


def _num(x: float) -> str:
    """A number inside a product: negative ones in parentheses, ``0.3·(−0.5)``."""
    text = fmt(x)
    return f"({text})" if text.startswith("-") else text


#: The ops whose output entries can be explained.
EXPLAINED = ("conv2d", "max_pool2d", "avg_pool2d", "adaptive_max_pool2d", "adaptive_avg_pool2d")


@dataclass(frozen=True)
class Term:
    """One product of the sum: ``factor · source``. ``source`` is an entry of an input,
    ``(input number, index)``; ``factor`` is another input's entry, or a plain number."""

    source: tuple[int, Index]
    factor: tuple[int, Index] | float


@dataclass
class Entry:
    """An output entry as the sum (or the pick) of input entries, with the node's numbers."""

    node: Any
    index: Index
    names: list[str]
    formula: str
    terms: list[Term]
    constant: tuple[int, Index] | None = None
    #: For a max: the window's entries, of which the one term is the largest.
    window: list[tuple[int, Index]] = field(default_factory=list)
    name: str = "y"

    @property
    def value(self) -> float:
        return float(self.node.array[self.index])

    def number(self, where: tuple[int, Index]) -> float:
        parent, index = where
        return float(self.node.parents[parent].array[index])

    def called(self, where: tuple[int, Index]) -> str:
        parent, index = where
        return f"{self.names[parent]}[{','.join(map(str, index))}]"

    def _factor(self, term: Term, numbers: bool) -> str:
        if isinstance(term.factor, float):
            return _num(term.factor)
        return _num(self.number(term.factor)) if numbers else self.called(term.factor)

    def text(self, limit: int = 12, loss: str = "L") -> str:
        """The entry written out: its formula, the terms by name, by number, the value; then
        where its gradient (of ``loss``, the result backward started from) goes. At most
        ``limit`` terms are listed one by one."""
        head = f"{self.name}[{','.join(map(str, self.index))}]"
        lines = [f"{head} = {self.formula}"]
        shown, rest = self.terms[:limit], len(self.terms) - limit
        more = f" + … ({rest} more)" if rest > 0 else ""
        if self.window:  # a max: the window's numbers, then the one that is largest
            numbers = ", ".join(fmt(self.number(w)) for w in self.window[:limit])
            lines.append(f"  = max({numbers}{', …' if len(self.window) > limit else ''})")
            lines.append(f"  = {self.called(self.terms[0].source)} = {fmt(self.value)}")
        else:
            add = f" + {self.called(self.constant)}" if self.constant is not None else ""
            add_number = f" + {_num(self.number(self.constant))}" if self.constant else ""
            by_name = " + ".join(f"{self._factor(t, False)}·{self.called(t.source)}" for t in shown)
            by_number = " + ".join(
                f"{self._factor(t, True)}·{_num(self.number(t.source))}" for t in shown
            )
            lines.append(f"  = {by_name}{more}{add}")
            lines.append(f"  = {by_number}{more}{add_number}")
            lines.append(f"  = {fmt(self.value)}")
        lines += self._way_back(head, limit, loss)
        return "\n".join(lines)

    def _way_back(self, head: str, limit: int, loss: str) -> list[str]:
        grad = getattr(self.node, "grad", None)
        upstream = f" = {fmt(float(grad[self.index]))}" if grad is not None else ""
        routes: list[tuple[str, str, str]] = []  # (receiver, factor by name, factor by number)
        for t in self.terms:
            routes.append((self.called(t.source), self._factor(t, False), self._factor(t, True)))
        for t in self.terms:
            if not isinstance(t.factor, float):
                routes.append(
                    (self.called(t.factor), self.called(t.source), _num(self.number(t.source)))
                )
        if self.constant is not None:
            routes.append((self.called(self.constant), "", ""))
        counts: dict[str, int] = {}
        for receiver, _, _ in routes:
            name = receiver.split("[")[0]
            counts[name] = counts.get(name, 0) + 1
        reached = " and ".join(
            f"{n} entr{'y' if n == 1 else 'ies'} of {name}" if i == 0 else f"{n} of {name}"
            for i, (name, n) in enumerate(counts.items())
        )
        lines = [f"Its gradient, g = d{loss}/d{head}{upstream}, goes back to {reached}:"]
        for receiver, by_name, by_number in routes[: 2 * limit + 1]:
            if not by_name:
                lines.append(f"  {receiver} += g")
            elif by_name == by_number:
                lines.append(f"  {receiver} += g · {by_number}")
            else:
                lines.append(f"  {receiver} += g · {by_name} = g · {by_number}")
        if len(routes) > 2 * limit + 1:
            lines.append(f"  … ({len(routes) - 2 * limit - 1} more)")
        if self.window:
            lines.append("  (every other entry of the window gets 0: it was not the largest)")
        return lines


def _index(node: Any, index: Any) -> Index:
    shape = node.array.shape
    if isinstance(index, (int, np.integer)):
        index = (index,)
    index = tuple(int(i) for i in index)
    if len(index) != len(shape) or not all(-s <= i < s for i, s in zip(index, shape)):
        raise IndexError(
            f"explain_entry: {index} is not an entry of a tensor of shape {tuple(shape)}"
        )
    return tuple(i % s for i, s in zip(index, shape))


def _names(node: Any, defaults: Sequence[str]) -> list[str]:
    return [p.label or d for p, d in zip(node.parents, defaults)]


def entry_of(node: Any, index: Any) -> Entry:
    """The :class:`Entry` of output ``index`` of ``node``, made by one of :data:`EXPLAINED`.

    >>> from autograd import arange
    >>> from autograd.tensors.spatial import max_pool2d
    >>> y = max_pool2d(arange(16.0).reshape(1, 1, 4, 4).requires_grad_(), 2)
    >>> print(entry_of(y, (0, 0, 0, 1)).text().splitlines()[2])
      = x[0,0,1,3] = 7
    """
    op = getattr(node, "op", None)
    if op is None or op.name not in EXPLAINED:
        made = "is a leaf" if op is None else f"was made by {op.name}"
        raise TypeError(
            f"explain_entry: this tensor {made}; entries can be explained for the results of "
            f"{', '.join(EXPLAINED)}"
        )
    where = _index(node, index)
    name = node.label or "y"
    if op.name == "conv2d":
        return _convolution(node, where, op.settings, name)
    if op.name in ("max_pool2d", "adaptive_max_pool2d"):
        return _maximum(node, where, op.settings, name)
    return _average(node, where, name)


def _offset(start: int, step: int, letter: str) -> str:
    if step == 0:
        return str(start)
    moved = letter if step == 1 else f"{step}{letter}"
    return moved if start == 0 else f"{start}+{moved}" if start > 0 else f"{start}+{moved}"


def _convolution(node: Any, where: Index, geometry: Geometry, name: str) -> Entry:
    n, o, p, q = where
    names = _names(node, ("x", "W", "b"))
    x, W = node.parents[0].array, node.parents[1].array
    cg, kh, kw = W.shape[1:]
    group = o // (W.shape[0] // geometry.groups)
    (sh, sw), (dh, dw) = geometry.stride, geometry.dilation
    top, left = p * sh - geometry.padding[0][0], q * sw - geometry.padding[1][0]
    terms = []
    for c in range(cg):
        for i in range(kh):
            for j in range(kw):
                row, col = top + i * dh, left + j * dw
                if 0 <= row < x.shape[2] and 0 <= col < x.shape[3]:  # padding adds nothing
                    terms.append(Term((0, (n, group * cg + c, row, col)), (1, (o, c, i, j))))
    channel = "c" if group == 0 else f"{group * cg}+c"
    formula = (
        f"Σ {names[1]}[{o},c,i,j] · {names[0]}[{n},{channel},{_offset(top, dh, 'i')},"
        f"{_offset(left, dw, 'j')}]"
        + (f" + {names[2]}[{o}]" if len(node.parents) > 2 else "")
        + f" over c < {cg}, i < {kh}, j < {kw}"
    )
    if len(terms) < cg * kh * kw:
        formula += " (entries in the padding are 0)"
    constant = (2, (o,)) if len(node.parents) > 2 else None
    return Entry(node, where, names, formula, terms, constant, name=name)


def _maximum(node: Any, where: Index, window: Window | None, name: str) -> Entry:
    n, c, p, q = where
    names = _names(node, ("x",))
    x = node.parents[0].array
    h, w = x.shape[2:]
    flat = int(node.ctx[0][where])
    best = (0, (n, c, flat // w, flat % w))
    if window is not None:
        (sh, sw), (dh, dw) = window.stride, window.dilation
        top, left = p * sh - window.padding[0], q * sw - window.padding[1]
        rows = [top + i * dh for i in range(window.kernel[0])]
        cols = [left + j * dw for j in range(window.kernel[1])]
        formula = f"max of {names[0]}[{n},{c},{_offset(top, dh, 'i')},{_offset(left, dw, 'j')}]"
        formula += f" over i < {window.kernel[0]}, j < {window.kernel[1]}"
    else:  # adaptive: PyTorch's bins
        (top, bottom), (left, right) = (
            bins(h, node.array.shape[2])[p],
            bins(w, node.array.shape[3])[q],
        )
        rows, cols = list(range(top, bottom)), list(range(left, right))
        formula = f"max of {names[0]}[{n},{c},{top}:{bottom},{left}:{right}]"
    inside: list[tuple[int, Index]] = [
        (0, (n, c, r, k)) for r in rows for k in cols if 0 <= r < h and 0 <= k < w
    ]
    return Entry(node, where, names, formula, [Term(best, 1.0)], window=inside, name=name)


def _average(node: Any, where: Index, name: str) -> Entry:
    n, c, p, q = where
    names = _names(node, ("x",))
    x = node.parents[0].array
    h, w = x.shape[2:]
    if node.op.name == "adaptive_avg_pool2d":
        (top, bottom), (left, right) = (
            bins(h, node.array.shape[2])[p],
            bins(w, node.array.shape[3])[q],
        )
        rows, cols = range(top, bottom), range(left, right)
        divisor = float(len(rows) * len(cols))
    else:
        window, include_pad, override = node.op.settings
        sh, sw = window.stride
        top, left = p * sh - window.padding[0], q * sw - window.padding[1]
        rows = range(top, top + window.kernel[0])
        cols = range(left, left + window.kernel[1])
        end_h, end_w = (
            min(top + window.kernel[0], h + window.padding[0]),
            min(left + window.kernel[1], w + window.padding[1]),
        )
        if override:
            divisor = float(override)
        elif include_pad:
            divisor = float((end_h - top) * (end_w - left))
        else:
            divisor = float((min(end_h, h) - max(top, 0)) * (min(end_w, w) - max(left, 0)))
    terms = [
        Term((0, (n, c, r, k)), 1.0 / divisor)
        for r in rows
        for k in cols
        if 0 <= r < h and 0 <= k < w
    ]
    formula = f"Σ {names[0]}[{n},{c},i,j] / {fmt(divisor)} over the window's {len(terms)} entries"
    return Entry(node, where, names, formula, terms, name=name)
