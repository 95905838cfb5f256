"""How many backward passes the leaves' grads hold: one, or several added up.

Leaves accumulate across ``backward()`` calls, as in PyTorch; intermediate values start again
from zero each time. After a second ``loss.backward()`` a picture that shows ``.grad`` holds
``w`` at 16 beside ``w · x`` at 4: twice the chain rule's answer, for a reason the picture
cannot show. :func:`accumulated` compares the leaves with one pass from zero and says what
they hold, so that narration and pictures can say it too.

    >>> from autograd import Value, topological_order
    >>> w, x = Value(3.0, "w"), Value(2.0, "x")
    >>> y = w * x; y.label = "y"; y.backward(); y.backward()
    >>> print(accumulated(y, topological_order(y)))  # doctest: +ELLIPSIS
    the leaves' grads hold 2 backward passes added up (...): one pass gives dy/dw = 2, .grad holds 4
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..engine.graph import backward, grads_from_zero
from ..engine.notation import CONSTANT
from .names import Namer

__all__ = ["accumulated", "passes_note"]


def _as_array(grad: Any) -> Any:
    return np.asarray(grad.data if hasattr(grad, "parents") else grad, dtype=np.float64)


def passes_note(
    namer: Namer, d_root: str, leaves: Sequence[Any], held: Sequence[Any], one: Sequence[Any]
) -> str | None:
    """What ``held`` (the leaves' grads) are, beside ``one`` (one pass from zero), or None
    when they are one pass (or when no backward has run: every grad at its start)."""
    ratios = []
    untouched = True
    for h, o in zip(held, one):
        if h is None or o is None:
            continue
        if type(h) is float and type(o) is float:  # a Value's grad: no array needed
            untouched = untouched and h == 0.0
            ratios.append(1.0 if h == o else h / o if o != 0.0 else math.nan)
            continue
        h_array, o_array = _as_array(h), _as_array(o)
        if h_array.shape != o_array.shape:
            return None
        if np.any(h_array != 0):
            untouched = False
        if np.array_equal(h_array, o_array):
            ratios.append(1.0)
            continue
        scale = np.abs(o_array) > 0
        if not np.any(scale) or np.any(h_array[~scale] != 0):
            ratios.append(math.nan)
            continue
        found = h_array[scale] / o_array[scale]
        ratios.append(float(found.flat[0]) if np.allclose(found, found.flat[0]) else math.nan)
    if untouched or not ratios or all(r == 1.0 for r in ratios):
        return None
    first = ratios[0]
    example = next(
        (k for k, (h, o) in enumerate(zip(held, one)) if h is not None and o is not None), 0
    )
    leaf = leaves[example]
    shown = f"one pass gives {d_root}/{namer.d(leaf)} = {leaf.describe(one[example])}, "
    shown += f".grad holds {leaf.describe(held[example])}"
    passes = round(first)
    same = all(math.isclose(r, first, rel_tol=1e-9) for r in ratios)
    if same and passes >= 2 and math.isclose(first, passes, rel_tol=1e-9):
        return (
            f"the leaves' grads hold {passes} backward passes added up (backward() ran "
            f"{passes} times without zero_grad()): {shown}"
        )
    return (
        "the leaves' grads are not one backward pass of this graph: they hold gradient from "
        f"earlier passes or other graphs too (zero_grad() clears them): {shown}"
    )


def accumulated(
    root: Any, graph: Sequence[Any], namer: Namer | None = None, seen_root: Any = None
) -> str | None:
    """Whether the leaves of ``graph`` (the topological order behind ``root``) hold more than
    one backward pass from ``root``, in words (see :func:`passes_note`); None if not.
    ``namer`` names the nodes, ``seen_root`` being the root as it knows it (by default a
    namer of ``graph`` is made)."""
    leaves = [n for n in graph if not n.parents and n.owner is not CONSTANT]
    held = [leaf.grad for leaf in leaves]
    if all(h is None or (type(h) is float and h == 0.0) for h in held):
        return None  # no backward has run (or zero_grad() since): nothing to compare
    try:
        with grads_from_zero(graph):
            backward(root)
            one = [leaf.grad for leaf in leaves]
    except (ArithmeticError, ValueError, TypeError, RuntimeError):
        return None  # a root backward cannot start from (a Tensor of many numbers, say)
    if namer is None:
        namer, seen_root = Namer(graph), root
    return passes_note(namer, namer.d(seen_root or root), leaves, held, one)
