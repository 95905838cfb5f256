"""The lesson page's picture of a convolution or pooling step: one output entry and its window.

For each node of a graph made by conv2d or a pooling (:data:`~autograd.tensors.entries.
EXPLAINED`), :func:`window_pictures` picks one output entry (of the first batch item, the one
whose gradient is largest; before backward, the middle of the first channel) and describes,
for the page to draw as grids of numbers: the patch of the input around the window (padding
as empty cells), which cells the window covers, the kernel's numbers beside it for a
convolution, and what each cell sends back (its factor in the entry's gradient). Numbers are
written as the engine writes them (text, so the page formats nothing). The text is
:meth:`~autograd.tensors.entries.Entry.text`'s.

    >>> import numpy as np
    >>> from autograd import Tensor
    >>> from autograd.tensors.spatial import conv2d
    >>> x = Tensor(np.arange(16.0).reshape(1, 1, 4, 4), label="x")
    >>> W = Tensor(np.ones((1, 1, 3, 3)), requires_grad=True, label="W")
    >>> [picture] = window_pictures([x, W, conv2d(x, W)]).values()
    >>> picture["index"], picture["rows"], picture["columns"], picture["kernel"]["values"][0]
    ([0, 0, 1, 1], [0, 1, 2, 3], [0, 1, 2, 3], ['1', '1', '1'])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..engine.notation import fmt
from ..tensors.entries import EXPLAINED, Entry, entry_of

__all__ = ["window_pictures", "MAX_SIDE"]

#: The largest patch drawn, in cells a side; a bigger window is explained by its text alone.
MAX_SIDE = 12
#: Terms written out in the text under the picture.
TEXT_TERMS = 9


def window_pictures(
    order: Iterable[Any], name: Callable[[Any], str] | None = None
) -> dict[int, dict[str, Any]]:
    """The picture of each conv2d or pooling node of ``order`` (a topological order), by its
    position there. ``name(node)`` is the name the page gives a node (its label by default);
    gradients are of the order's last node, the root."""
    order = list(order)
    root = (name or _label)(order[-1]) if order else "L"
    pictures = {}
    for i, node in enumerate(order):
        op = getattr(node, "op", None)
        if op is None or op.name not in EXPLAINED or np.ndim(node.array) != 4:
            continue
        if 0 in node.array.shape:
            continue
        pictures[i] = _picture(node, _chosen(node), name, root)
    return pictures


def _label(node: Any) -> str:
    return getattr(node, "label", "") or "L"


def _chosen(node: Any) -> tuple[int, ...]:
    """The entry of the first batch item whose gradient is largest (the one backward sends
    most through), or the middle of its first channel when nothing has come back yet."""
    grad = getattr(node, "grad", None)
    if grad is not None and np.any(np.asarray(grad)[0] != 0):
        flat = int(np.nanargmax(np.abs(np.asarray(grad, dtype=np.float64)[0])))
        return (0, *(int(i) for i in np.unravel_index(flat, node.array.shape[1:])))
    shape = node.array.shape
    return (0, 0, shape[2] // 2, shape[3] // 2)


def _picture(
    node: Any, index: tuple[int, ...], name: Callable[[Any], str] | None, root: str
) -> dict[str, Any]:
    entry = entry_of(node, index)
    if name is not None:
        entry.names = [name(p) for p in node.parents]
        entry.name = name(node)
    picture: dict[str, Any] = {
        "index": list(index),
        "text": entry.text(TEXT_TERMS, root).splitlines(),
        "kind": "max" if entry.window else "sum",
    }
    cells = _cells(entry)
    if not cells:
        return picture
    rows = sorted({r for r, _ in cells})
    columns = sorted({c for _, c in cells})
    if rows[-1] - rows[0] >= MAX_SIDE or columns[-1] - columns[0] >= MAX_SIDE:
        return picture  # too big to draw: the text alone
    x = node.parents[0].array
    first = entry.terms[0].source[1] if entry.terms else entry.window[0][1]
    n, channel = first[0], first[1]
    # A margin of one cell of the input around the window (padding only where the window is).
    top, bottom = (
        min(rows[0], max(rows[0] - 1, 0)),
        max(rows[-1], min(rows[-1] + 1, x.shape[2] - 1)),
    )
    left = min(columns[0], max(columns[0] - 1, 0))
    right = max(columns[-1], min(columns[-1] + 1, x.shape[3] - 1))
    grid_rows, grid_columns = list(range(top, bottom + 1)), list(range(left, right + 1))
    picture.update(
        input=entry.names[0],
        channel=channel,
        channels=int(entry.node.parents[1].array.shape[1]) if entry.node.op.name == "conv2d" else 1,
        rows=grid_rows,
        columns=grid_columns,
        values=[
            [
                fmt(float(x[n, channel, r, c]))
                if 0 <= r < x.shape[2] and 0 <= c < x.shape[3]
                else None
                for c in grid_columns
            ]
            for r in grid_rows
        ],
        cells=[[r, c, None if f is None else fmt(f)] for (r, c), f in sorted(cells.items())],
        picked=list(entry.terms[0].source[1][2:]) if entry.window else None,
    )
    if entry.node.op.name == "conv2d":
        picture["kernel"] = _kernel(entry)
    return picture


def _cells(entry: Entry) -> dict[tuple[int, int], float | None]:
    """The window's cells in the first channel it reads, each with its factor in the entry's
    gradient: the weight over it (a convolution), 1/divisor (an average), 1 or 0 (a max);
    None where a convolution's kernel meets only padding."""
    if entry.window:
        picked = entry.terms[0].source[1]
        return {
            (w[1][2], w[1][3]): (1.0 if w[1] == picked else 0.0)
            for w in entry.window
            if w[1][1] == picked[1]
        }
    if not entry.terms:
        return {}
    channel = entry.terms[0].source[1][1]
    cells: dict[tuple[int, int], float | None] = {}
    for term in entry.terms:
        _, (_, c, r, k) = term.source
        if c == channel:
            factor = term.factor
            cells[(r, k)] = factor if isinstance(factor, float) else entry.number(factor)
    if entry.node.op.name == "conv2d":  # the kernel's cells that meet only padding count too
        geometry = entry.node.op.settings
        _, _, p, q = entry.index
        top = p * geometry.stride[0] - geometry.padding[0][0]
        left = q * geometry.stride[1] - geometry.padding[1][0]
        kh, kw = entry.node.parents[1].array.shape[2:]
        for i in range(kh):
            for j in range(kw):
                where = (top + i * geometry.dilation[0], left + j * geometry.dilation[1])
                cells.setdefault(where, None)
    return cells


def _kernel(entry: Entry) -> dict[str, Any]:
    """The weights of the entry's output channel over the first input channel it reads, and
    the input numbers each weight's gradient takes (None where the kernel meets padding)."""
    W = entry.node.parents[1].array
    o = entry.index[1]
    kh, kw = W.shape[2:]
    received: list[list[str | None]] = [[None] * kw for _ in range(kh)]
    for term in entry.terms:
        if isinstance(term.factor, float) or term.factor[1][1] != 0:
            continue
        _, (_, _, i, j) = term.factor
        received[i][j] = fmt(entry.number(term.source))
    return {
        "name": entry.names[1],
        "output": o,
        "values": [[fmt(float(W[o, 0, i, j])) for j in range(kw)] for i in range(kh)],
        "received": received,
    }
