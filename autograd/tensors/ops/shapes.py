"""The shape and indexing Tensor records: reshape, permute (transpose), indexing and its
scatter, cat and stack.

None of them changes a number, so each backward rule only moves the upstream back where the
entries came from: reshaped or transposed back, put back at the indexed entries (summed where
an index repeats), sliced back out of a join. Reshape, permute and most indexing give views of
their input, as PyTorch's do (``view=True``: an in-place change of one is seen by the other).

    >>> reshape((3, 2)).forward(np.arange(6)).tolist()
    [[0, 1], [2, 3], [4, 5]]
    >>> permute((1, 0)).render(["W"]), concatenate(1).render(["a", "b"])
    ('Wᵀ', 'cat(a, b, axis=1)')
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from ..notation import shape_text, who
from .tensor_op import ARRAYS, Array, Grads, TensorOp, reads_nothing, run

__all__ = [
    "reshape",
    "permute",
    "INDEX",
    "SCATTER",
    "keep_index",
    "concatenate",
    "stack",
    "pad",
]


@lru_cache(maxsize=256)
def reshape(shape: tuple[int, ...]) -> TensorOp:
    """The same entries in a new shape (cached per shape).

    >>> reshape((3, 2)).forward(np.arange(6)).tolist()
    [[0, 1], [2, 3], [4, 5]]
    """
    return TensorOp(
        name="reshape",
        symbol="reshape",
        template=f"reshape({{0}}, {shape_text(shape)})",
        forward=lambda a: a.reshape(shape),
        backward=lambda node, g: (g.reshape(node.parents[0].array.shape),),
        formulas=("d reshape(a)/da: upstream reshaped back to a's shape",),
        doc=f"reshape to {shape_text(shape)}",
        view=True,
        reads=reads_nothing,
    )


@lru_cache(maxsize=256)
def permute(axes: tuple[int, ...]) -> TensorOp:
    """The axes reordered (``transpose``, ``.T``, ``permute``), cached per order.

    >>> permute((1, 0)).forward(np.zeros((2, 3))).shape, permute((1, 0)).render(["W"])
    ((3, 2), 'Wᵀ')
    """
    inverse = tuple(int(i) for i in np.argsort(axes))
    reverse = axes == tuple(range(len(axes) - 1, -1, -1))
    template = "{0}ᵀ" if reverse else f"permute({{0}}, {axes})"
    return TensorOp(
        name="transpose" if reverse else "permute",
        symbol="ᵀ" if reverse else "permute",
        template=template,
        forward=lambda a: a.transpose(axes),
        backward=lambda node, g: (g.transpose(inverse),),
        formulas=("d aᵀ/da: upstream transposed back",),
        doc=f"axes reordered to {axes}",
        view=True,
        reads=reads_nothing,
    )


def _index_backward(node: Any, g: Array) -> Grads:
    index, repeats_possible = node.ctx[0], node.ctx[1]
    shape = node.parents[0].array.shape
    if isinstance(g, ARRAYS):  # SCATTER's forward, called directly: the first-order hot path
        return (_scatter(g, index, repeats_possible, shape),)
    return (run(SCATTER, g, ctx=(index, repeats_possible, shape)),)


def _scatter(g: Array, index: Any, repeats_possible: bool, shape: tuple[int, ...]) -> Array:
    grad = np.zeros(shape, dtype=g.dtype)
    if repeats_possible:
        np.add.at(grad, index, g)  # an entry picked twice receives both gradients
    else:
        grad[index] = g
    return grad


def _pick(a: Array, ctx: tuple[Any, ...]) -> Array:
    index = ctx[0]
    out = a[index]
    if type(out) is not np.ndarray:
        # Integers only: numpy copies the one number out, PyTorch gives a 0-d view (so
        # x[0] += 1 changes x). An Ellipsis asks numpy for that view.
        out = a[(*index, ...) if type(index) is tuple else (index, ...)]
    return out


_BASIC_INDEX = (slice, int, np.integer, np.bool_)  # bool is an int


def keep_index(ctx: tuple[Any, Any, Any]) -> tuple[Any, bool, tuple[Any, ...]]:
    """What an index node keeps for backward: the index with its arrays and lists copied (a
    later ``idx[0] = 2`` must not move the gradient), whether an entry may be picked twice
    (then grads are added with ``np.add.at``), and the Tensors in it, which are kept as
    they are and checked for in-place changes at backward, as PyTorch saves them.

    >>> i = np.array([0, 0]); kept, repeats, tensors = keep_index((i, None, i))
    >>> kept is i, repeats, tensors
    (False, True, ())
    """
    plain, repeats_known, index = ctx
    if repeats_known is not None:
        return ctx  # already kept (a gradient graph runs the op again)
    whole = type(plain) is tuple
    parts = plain if whole else (plain,)
    given = index if whole else (index,)
    kept: list[Any] = []
    repeats = False
    tensors: list[Any] = []
    for part, original in zip(parts, given):
        if type(part) is np.ndarray:  # an integer array (a gather) or a boolean mask
            if part is original:
                part = part.copy()
            else:
                tensors.append(original)  # a Tensor's array: checked for changes at backward
            if part.dtype.kind != "b":
                repeats = True
        elif not (part is None or part is Ellipsis or isinstance(part, _BASIC_INDEX)):
            part = np.array(part)  # a list or tuple of integers or booleans, copied
            if part.dtype.kind != "b":
                repeats = True
        # (the rest: slices, integers, None, ...: each entry at most once, and immutable)
        kept.append(part)
    return (tuple(kept) if whole else kept[0]), repeats, tuple(tensors)


def _index_explain(inputs: Sequence[Any], ctx: Any, error: Exception) -> Exception:
    return type(error)(f"index: {who(inputs[0])}: {error}")


#: ``a[index]``: slices, integers, integer arrays (a gather) and boolean masks. ``apply`` is
#: given ``ctx=(index as numpy reads it, None, index as given)``; the node keeps
#: ``(index, repeats_possible, the Tensors inside the index)`` (:func:`keep_index`).
INDEX = TensorOp(
    name="index",
    symbol="[ ]",
    template="{0}[…]",
    forward=_pick,
    backward=_index_backward,
    formulas=("d a[i]/da: upstream at the chosen entries, 0 elsewhere (summed if chosen twice)",),
    doc="indexing: a slice or a gather",
    takes_ctx=True,
    keeps=keep_index,
    view=True,
    # the Tensors inside the index (a gather's rows, a mask), as PyTorch saves them
    reads=lambda node: node.ctx[2],
    explain=_index_explain,
)

#: Zeros of a shape with ``a`` added in at an index: indexing's backward, whose own backward
#: is indexing again. The node's ``ctx`` is ``(index, repeats_possible, shape)``.
SCATTER = TensorOp(
    name="scatter",
    symbol="scatter",
    template="scatter({0})",
    forward=lambda g, ctx: _scatter(g, *ctx),
    # The index holds arrays only (no Tensors inside), so INDEX's third ctx entry is empty.
    backward=lambda node, g: (run(INDEX, g, ctx=(node.ctx[0], node.ctx[1], ())),),
    formulas=("d scatter(a)/da: upstream at the entries a was added to",),
    doc="upstream put back where indexing took it from",
    reads=reads_nothing,
    takes_ctx=True,
)


def _list_template(word: str, axis: int) -> Callable[[Sequence[str]], str]:
    return lambda names: f"{word}({', '.join(names)}{'' if axis == 0 else f', axis={axis}'})"


def _join_error(word: str, axis: int) -> Callable[[Sequence[Any], Any, Exception], Exception]:
    def explain(inputs: Sequence[Any], ctx: Any, error: Exception) -> Exception:
        shapes = ", ".join(shape_text(t.array.shape) for t in inputs)
        rule = (
            "stack needs tensors of one shape"
            if word == "stack"
            else f"cat needs equal sizes on every axis but axis {axis}"
        )
        return ValueError(f"{word}: cannot join shapes {shapes}: {rule}")

    return explain


@lru_cache(maxsize=64)
def concatenate(axis: int) -> TensorOp:
    """Tensors joined end to end along an existing ``axis`` (cached per axis).

    >>> concatenate(0).forward(np.zeros(2), np.ones(1)).tolist()
    [0.0, 0.0, 1.0]
    >>> concatenate(1).render(["a", "b"])
    'cat(a, b, axis=1)'
    """

    def backward(node: Any, g: Array) -> Grads:
        grads: list[Array | None] = []
        start = 0
        for p in node.parents:
            end = start + p.array.shape[axis]
            window = (slice(None),) * axis + (slice(start, end),)
            grads.append(g[window] if p.requires_grad else None)
            start = end
        return grads

    return TensorOp(
        name="cat",
        symbol="cat",
        template=_list_template("cat", axis),
        forward=lambda *arrays: np.concatenate(arrays, axis=axis),
        backward=backward,
        formulas=lambda index, arity: "d cat(…)/dxᵢ: the slice of upstream where xᵢ was placed",
        doc=f"concatenate along axis {axis}",
        reads=reads_nothing,
        explain=_join_error("cat", axis),
    )


@lru_cache(maxsize=64)
def stack(axis: int) -> TensorOp:
    """Tensors of one shape stacked along a new ``axis`` (cached per axis).

    >>> stack(0).forward(np.zeros(2), np.ones(2)).shape
    (2, 2)
    """

    def backward(node: Any, g: Array) -> Grads:
        before = (slice(None),) * axis
        return [g[before + (i,)] if p.requires_grad else None for i, p in enumerate(node.parents)]

    return TensorOp(
        name="stack",
        symbol="stack",
        template=_list_template("stack", axis),
        forward=lambda *arrays: np.stack(arrays, axis=axis),
        backward=backward,
        formulas=lambda index, arity: "d stack(…)/dxᵢ: the i-th slice of upstream",
        doc=f"stack along a new axis {axis}",
        reads=reads_nothing,
        explain=_join_error("stack", axis),
    )


def _overlap(shape: Sequence[int], widths: Sequence[tuple[int, int]]) -> tuple[Any, Any]:
    """Where the input's entries land in the padded output (``dst``) and which of them do
    (``src``: a negative width crops)."""
    src, dst = [], []
    for size, (before, after) in zip(shape, widths):
        src.append(slice(max(0, -before), size - max(0, -after)))
        dst.append(slice(max(0, before), max(0, before) + size - max(0, -before) - max(0, -after)))
    return tuple(src), tuple(dst)


@lru_cache(maxsize=256)
def pad(widths: tuple[tuple[int, int], ...], value: float = 0.0) -> TensorOp:
    """``a`` with ``value`` added before and after each axis (``widths``, one pair per axis;
    a negative width crops): PyTorch's ``F.pad`` in constant mode. Its gradient is the
    upstream cropped back, which is a pad by the opposite widths (so it is a pad again).

    >>> pad(((0, 0), (1, 2))).forward(np.ones((1, 2))).tolist()
    [[0.0, 1.0, 1.0, 0.0, 0.0]]
    >>> pad(((0, 0), (-1, 0))).forward(np.arange(3.0)[None]).tolist()
    [[1.0, 2.0]]
    """
    back = tuple((-before, -after) for before, after in widths)

    def forward(a: Array) -> Array:
        shape = tuple(size + before + after for size, (before, after) in zip(a.shape, widths))
        out = np.full(shape, value, a.dtype)
        src, dst = _overlap(a.shape, widths)
        out[dst] = a[src]
        return out

    # F.pad's order: the last axis first, (left, right, top, bottom, ...)
    given = [w for pair in reversed(widths) for w in pair]
    while len(given) > 2 and given[-2:] == [0, 0]:
        given = given[:-2]
    text = f"({', '.join(map(str, given))})" + (f", value={value:g}" if value else "")
    return TensorOp(
        name="pad",
        symbol="pad",
        template=f"pad({{0}}, {text})",
        forward=forward,
        backward=lambda node, g: (run(pad(back), g),),
        formulas=("d pad(a)/da: upstream cropped back to a's entries",),
        doc=f"padded by {text}",
        reads=reads_nothing,
    )
