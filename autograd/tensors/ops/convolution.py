"""The convolution Tensor records: ``conv2d`` and the two ops its gradients are.

A 2-D convolution slides a kernel over an image: output entry ``y[n, o, p, q]`` is the sum,
over the input channels ``c`` of its group and the kernel's ``i, j``, of
``W[o, c, i, j] · x[n, c, p·stride + i·dilation − pad, q·stride + j·dilation − pad]``, plus
``b[o]``. It is computed as PyTorch's CPU does without its C: the windows are read from the
(padded) input with numpy's stride tricks (no copy), laid out as columns ("im2col", a copy, made
batch piece by batch piece so it stays a few times the input's size) and multiplied by the
kernel in one matrix product per piece.

The output is linear in ``x`` and in ``W`` (bilinear), so its gradients are two more ops of
the same kind, each written once and each the other's gradient:

* ``conv2d_input_grad(g, W)``: where every output entry's upstream goes back to in ``x``
  (``col2im``: the upstream spread over each window, times the kernel; a "transposed
  convolution");
* ``conv2d_weight_grad(x, g)``: the kernel's gradient, each window of ``x`` weighted by the
  upstream of the output entry it made.

Their backward rules are the three ops again (:func:`run` runs them on arrays, or on Tensors
under ``create_graph``), so a convolution can be differentiated twice, three times, ....

    >>> op = conv2d(Geometry.of(stride=1, padding=0, dilation=1, groups=1))
    >>> x = np.arange(9.0).reshape(1, 1, 3, 3); W = np.ones((1, 1, 2, 2))
    >>> op.forward(x, W)[0, 0].tolist()
    [[8.0, 12.0], [20.0, 24.0]]
    >>> op.render(["x", "W"])
    'conv2d(x, W)'
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..notation import shape_text, who
from .tensor_op import Array, Grads, TensorOp, add_up, reads_each_other, run

__all__ = [
    "Geometry",
    "conv2d",
    "conv_input_grad",
    "conv_weight_grad",
    "windows",
    "output_size",
    "COLUMN_BUDGET",
]

Pair = tuple[int, int]

#: The most entries one piece of the im2col rows may hold, besides four times the input's:
#: a larger batch is taken in pieces, so memory stays a few times the input's.
COLUMN_BUDGET = 1 << 20


@dataclass(frozen=True)
class Geometry:
    """How a kernel slides: ``stride`` and ``dilation`` per axis, the zeros added on each
    side (``padding``: (top, bottom), (left, right)) and the channel ``groups``.

    >>> Geometry.of(stride=2, padding=1, dilation=1, groups=1).text()
    ', stride=2, padding=1'
    """

    stride: Pair
    padding: tuple[Pair, Pair]
    dilation: Pair
    groups: int

    @staticmethod
    def of(stride: Any, padding: Any, dilation: Any, groups: int) -> Geometry:
        """From PyTorch's forms: an int for both axes or a pair; padding also per side."""

        def pair(v: Any) -> Pair:
            return (int(v), int(v)) if isinstance(v, (int, np.integer)) else (int(v[0]), int(v[1]))

        pads = pair(padding) if not _sided(padding) else None
        sides = ((pads[0], pads[0]), (pads[1], pads[1])) if pads is not None else padding
        return Geometry(pair(stride), sides, pair(dilation), int(groups))

    def text(self) -> str:
        """The settings that differ from PyTorch's defaults, as a call writes them."""

        def short(p: Pair) -> str:
            return str(p[0]) if p[0] == p[1] else f"{p}"

        parts = []
        if self.stride != (1, 1):
            parts.append(f"stride={short(self.stride)}")
        (top, bottom), (left, right) = self.padding
        if (top, left) != (0, 0) or (bottom, right) != (0, 0):
            if top == bottom and left == right:
                parts.append(f"padding={short((top, left))}")
            else:
                parts.append(f"padding={self.padding}")
        if self.dilation != (1, 1):
            parts.append(f"dilation={short(self.dilation)}")
        if self.groups != 1:
            parts.append(f"groups={self.groups}")
        return "".join(", " + p for p in parts)


def _sided(padding: Any) -> bool:
    return not isinstance(padding, (int, np.integer)) and not isinstance(
        padding[0], (int, np.integer)
    )


def output_size(size: int, kernel: int, stride: int, pads: Pair, dilation: int) -> int:
    """How many windows fit along an axis of ``size`` (padded by ``pads``).

    >>> output_size(28, 3, 2, (1, 1), 1)
    14
    """
    return (size + pads[0] + pads[1] - dilation * (kernel - 1) - 1) // stride + 1


def _padded(x: Array, geometry: Geometry) -> Array:
    (top, bottom), (left, right) = geometry.padding
    if top == bottom == left == right == 0:
        return x
    out = np.zeros((*x.shape[:2], x.shape[2] + top + bottom, x.shape[3] + left + right), x.dtype)
    out[:, :, top : top + x.shape[2], left : left + x.shape[3]] = x
    return out


def windows(padded: Array, kernel: Pair, out: Pair, geometry: Geometry) -> Array:
    """Every window of a padded ``(N, C, H, W)`` array, as a view ``(N, C, oh, ow, kh, kw)``:
    entry ``[n, c, p, q, i, j]`` is the input under kernel entry ``(i, j)`` at output
    ``(p, q)``. No number is copied.

    >>> image = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> windows(image, (2, 2), (2, 2), Geometry.of(2, 0, 1, 1))[0, 0, 1, 1].tolist()
    [[10.0, 11.0], [14.0, 15.0]]
    """
    sn, sc, sh, sw = padded.strides
    (th, tw), (dh, dw) = geometry.stride, geometry.dilation
    return as_strided(
        padded,
        shape=(*padded.shape[:2], *out, *kernel),
        strides=(sn, sc, sh * th, sw * tw, sh * dh, sw * dw),
        writeable=False,
    )


class _Scratch(threading.local):
    """Work arrays that never leave a call (im2col columns, the reordered upstream, the
    products), kept from one call to the next, one per role and thread: a training step asks
    for the same sizes every time, and fresh megabytes each time cost the operating system's
    page faults (a third of a LeNet step). Each stays within the pieces' budget."""

    def __init__(self) -> None:
        self.arrays: dict[str, Array] = {}

    def get(self, role: str, shape: tuple[int, ...], dtype: Any) -> Array:
        size = math.prod(shape)
        kept = self.arrays.get(role)
        if kept is None or kept.dtype != dtype or kept.size < size:
            kept = self.arrays[role] = np.empty(size, dtype)
        return kept[:size].reshape(shape)


_scratch = _Scratch()


def _pieces(batch: int, column_entries: int, input_entries: int) -> list[slice]:
    """The batch cut so that one piece's im2col columns stay within the budget."""
    budget = max(4 * input_entries, COLUMN_BUDGET)
    per_piece = max(1, budget // max(column_entries, 1))
    return [slice(start, min(start + per_piece, batch)) for start in range(0, batch, per_piece)]


class _Layout:
    """The sizes of one convolution (batch, groups, channels per group, kernel, output) and
    the arrays laid out for its matrix products.

    Every product has the kernel's entries ``cg·kh·kw`` on one side and the output positions
    ``n·oh·ow`` on the other, in that order (im2col "columns"): one column per position, so
    that copying the windows reads the input along its rows, as it lies in memory.
    """

    def __init__(self, x_shape: Sequence[int], w_shape: Sequence[int], geometry: Geometry) -> None:
        self.n, self.c, self.h, self.w = x_shape
        self.o, self.cg, self.kh, self.kw = w_shape
        self.g = geometry.groups
        self.og = self.o // self.g
        (pt, pb), (pl, pr) = geometry.padding
        self.oh = output_size(self.h, self.kh, geometry.stride[0], (pt, pb), geometry.dilation[0])
        self.ow = output_size(self.w, self.kw, geometry.stride[1], (pl, pr), geometry.dilation[1])
        self.k = self.cg * self.kh * self.kw  # entries under one kernel, in one group
        self.geometry = geometry
        self.pieces = _pieces(
            self.n, self.oh * self.ow * self.c * self.kh * self.kw, math.prod(x_shape)
        )

    def offsets(self) -> list[tuple[int, int, slice, slice]]:
        """Each kernel entry ``(i, j)`` with the rows and columns of the padded input it
        meets over all output positions."""
        (th, tw), (dh, dw) = self.geometry.stride, self.geometry.dilation
        return [
            (
                i,
                j,
                slice(i * dh, i * dh + th * (self.oh - 1) + 1, th),
                slice(j * dw, j * dw + tw * (self.ow - 1) + 1, tw),
            )
            for i in range(self.kh)
            for j in range(self.kw)
        ]

    def columns(self, padded: Array, piece: slice) -> Array:
        """im2col: the windows of a piece of the batch as ``(g, cg·kh·kw, n·oh·ow)``."""
        part = padded[piece]
        n = part.shape[0]
        shape = (self.c, self.kh, self.kw, n, self.oh, self.ow)
        out = _scratch.get("columns", shape, padded.dtype)
        if self.cg == 1:  # one channel per group: one copy of the strided windows
            found = windows(part, (self.kh, self.kw), (self.oh, self.ow), self.geometry)
            np.copyto(out, found.transpose(1, 4, 5, 0, 2, 3))
        else:
            for i, j, rows, cols in self.offsets():
                out[:, i, j] = part[:, :, rows, cols].transpose(1, 0, 2, 3)
        return out.reshape(self.g, self.k, -1)

    def kernel(self, W: Array) -> Array:
        """The kernel as ``(g, og, cg·kh·kw)``."""
        return W.reshape(self.g, self.og, self.k)

    def upstream(self, g: Array, piece: slice) -> Array:
        """A piece of the upstream as ``(g, og, n·oh·ow)``, matching :meth:`columns`."""
        part = g[piece]
        out = _scratch.get("upstream", (self.o, part.shape[0], self.oh, self.ow), g.dtype)
        np.copyto(out, part.transpose(1, 0, 2, 3))
        return out.reshape(self.g, self.og, -1)

    def upstream_rows(self, g: Array, piece: slice, width: int) -> Array:
        """As :meth:`upstream`, each output row widened to ``width`` with zeros."""
        part = g[piece]
        shape = (self.o, part.shape[0], self.oh, width)
        out = _scratch.get("upstream", shape, g.dtype)
        np.copyto(out[..., : self.ow], part.transpose(1, 0, 2, 3))
        out[..., self.ow :] = 0
        return out.reshape(self.g, self.og, -1)


def _products(a: Array, b: Array, role: str = "") -> Array:
    """One matrix product per group, into the work array of ``role`` if given. (numpy's
    stacked matmul leaves BLAS for a transposed operand: each group's product is taken as a
    2-D one instead.)"""
    shape = (a.shape[0], a.shape[1], b.shape[2])
    out = (
        _scratch.get(role, shape, np.result_type(a, b))
        if role
        else np.empty(shape, np.result_type(a, b))
    )
    for group in range(a.shape[0]):
        np.matmul(a[group], b[group], out=out[group])
    return out


def _conv_forward(geometry: Geometry, x: Array, W: Array, b: Array | None = None) -> Array:
    layout = _Layout(x.shape, W.shape, geometry)
    padded = _padded(x, geometry)
    kernel = layout.kernel(W)
    out = np.empty((layout.n, layout.o, layout.oh, layout.ow), np.result_type(x, W))
    for piece in layout.pieces:
        product = _products(kernel, layout.columns(padded, piece), "product")  # (g, og, n·oh·ow)
        n = product.shape[2] // (layout.oh * layout.ow)
        shaped = product.reshape(layout.o, n, layout.oh, layout.ow)
        out[piece] = shaped.transpose(1, 0, 2, 3)
    if b is not None:
        out += b.reshape(1, -1, 1, 1)
    return out


def _input_grad_forward(geometry: Geometry, g: Array, W: Array, x_shape: tuple[int, ...]) -> Array:
    """col2im: each output's upstream spread back over its window, times the kernel."""
    layout = _Layout(x_shape, W.shape, geometry)
    (pt, pb), (pl, pr) = geometry.padding
    dtype = np.result_type(g, W)
    # Summed channel first, (c, n, h, w), as the products come out; one transpose at the end.
    grad = np.zeros((layout.c, layout.n, layout.h + pt + pb, layout.w + pl + pr), dtype)
    kernel = layout.kernel(W).transpose(0, 2, 1)  # (g, k, og)
    if geometry.stride == (1, 1) and np.isfinite(W).all():
        _spread_by_rows(layout, grad, g, kernel)
    else:
        for piece in layout.pieces:
            spread = _products(kernel, layout.upstream(g, piece), "product")  # (g, k, n·oh·ow)
            n = spread.shape[2] // (layout.oh * layout.ow)
            spread = spread.reshape(layout.c, layout.kh, layout.kw, n, layout.oh, layout.ow)
            target = grad[:, piece]
            for i, j, rows, cols in layout.offsets():
                target[:, :, rows, cols] += spread[:, i, j]
    cropped = grad[:, :, pt : pt + layout.h, pl : pl + layout.w]
    return np.ascontiguousarray(cropped.transpose(1, 0, 2, 3))


def _spread_by_rows(layout: _Layout, grad: Array, g: Array, kernel: Array) -> None:
    """col2im for stride 1, in long runs: the upstream's rows are widened with zeros to the
    padded input's width, so that each kernel entry's share lands on one contiguous run of
    every ``(c, n)`` plane of ``grad`` instead of ``oh`` short rows (numpy's loop runs once per
    run). The zeros add nothing to the entries they reach (a finite kernel times zero)."""
    width = grad.shape[3]
    planes = grad.reshape(*grad.shape[:2], -1)  # a view: grad is contiguous
    dh, dw = layout.geometry.dilation
    run = layout.oh * width - (width - layout.ow)  # the last row stops at its last output
    for piece in layout.pieces:
        spread = _products(kernel, layout.upstream_rows(g, piece, width), "product")
        n = spread.shape[2] // (layout.oh * width)
        spread = spread.reshape(layout.c, layout.kh, layout.kw, n, layout.oh * width)
        target = planes[:, piece]
        for i in range(layout.kh):
            for j in range(layout.kw):
                start = i * dh * width + j * dw
                target[:, :, start : start + run] += spread[:, i, j, :, :run]


def _weight_grad_forward(geometry: Geometry, x: Array, g: Array, w_shape: tuple[int, ...]) -> Array:
    """Each window of ``x`` weighted by the upstream of the output entry it made, summed."""
    layout = _Layout(x.shape, w_shape, geometry)
    padded = _padded(x, geometry)
    total = np.zeros((layout.g, layout.og, layout.k), np.result_type(x, g))
    for piece in layout.pieces:
        columns = layout.columns(padded, piece).transpose(0, 2, 1)  # (g, n·oh·ow, k)
        total += _products(layout.upstream(g, piece), columns)
    return total.reshape(w_shape)


def _conv_check(geometry: Geometry) -> Any:
    def check(inputs: Sequence[Any], ctx: Any) -> None:
        x, W, *rest = inputs
        bias = rest[0] if rest else None
        for t, what in ((x, "input"), (W, "weight"), *(((bias, "bias"),) if rest else ())):
            if t.array.dtype.kind != "f":
                raise TypeError(
                    f"conv2d: the {what} {who(t)} holds {t.array.dtype} numbers; a convolution "
                    "needs floats (x.float())"
                )
        if x.array.ndim != 4:
            raise ValueError(
                f"conv2d: the input {who(x)} must have 4 axes (batch, channels, height, width)"
            )
        if W.array.ndim != 4:
            raise ValueError(
                f"conv2d: the weight {who(W)} must have 4 axes (out_channels, in_channels/groups, "
                "kernel height, kernel width)"
            )
        dtypes = {t.array.dtype for t in inputs}
        if len(dtypes) > 1:
            raise TypeError(
                f"conv2d: the input {who(x)}, weight {who(W)}"
                + (f" and bias {who(bias)}" if bias is not None else "")
                + " must have one dtype (as in PyTorch); convert one with .to(dtype)"
            )
        channels, groups = x.array.shape[1], geometry.groups
        out_channels, per_group = W.array.shape[:2]
        if out_channels % groups:
            raise ValueError(
                f"conv2d: the weight {who(W)} has {out_channels} output channels, which "
                f"groups={groups} does not divide"
            )
        if channels != per_group * groups:
            raise ValueError(
                f"conv2d: the input {who(x)} has {channels} channels, but the weight {who(W)} "
                f"expects {per_group * groups} ({per_group} per group × groups={groups})"
            )
        if bias is not None and bias.array.shape != (out_channels,):
            raise ValueError(
                f"conv2d: the bias {who(bias)} must have shape [{out_channels}], one number per "
                "output channel"
            )
        layout = _Layout(x.array.shape, W.array.shape, geometry)
        if layout.oh < 1 or layout.ow < 1:
            (pt, pb), (pl, pr) = geometry.padding
            raise ValueError(
                f"conv2d: the kernel {shape_text(W.array.shape[2:])} (dilation "
                f"{geometry.dilation}) is larger than the input {who(x)} padded to "
                f"{shape_text((layout.h + pt + pb, layout.w + pl + pr))}: no window fits"
            )

    return check


def _template(name: str, geometry: Geometry) -> Any:
    settings = geometry.text()
    return lambda names: f"{name}({', '.join(names)}{settings})"


@lru_cache(maxsize=128)
def conv2d(geometry: Geometry) -> TensorOp:
    """``conv2d(x, W)`` or ``conv2d(x, W, b)`` with the given geometry (cached per geometry).

    >>> op = conv2d(Geometry.of(stride=2, padding=1, dilation=1, groups=1))
    >>> op.render(["x", "W"]), op.forward(np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3))).shape
    ('conv2d(x, W, stride=2, padding=1)', (1, 1, 2, 2))
    """

    def forward(x: Array, W: Array, b: Array | None = None) -> Array:
        return _conv_forward(geometry, x, W, b)

    def backward(node: Any, g: Any) -> Grads:
        x, W, *rest = node.parents
        grads: list[Any] = [
            run(conv_input_grad(geometry), g, W.array, ctx=x.array.shape)
            if x.requires_grad
            else None,
            run(conv_weight_grad(geometry), x.array, g, ctx=W.array.shape)
            if W.requires_grad
            else None,
        ]
        if rest:
            grads.append(add_up(g, axis=(0, 2, 3)) if rest[0].requires_grad else None)
        return grads

    return TensorOp(
        name="conv2d",
        symbol=f"conv2d{_symbol_settings(geometry)}",
        template=_template("conv2d", geometry),
        forward=forward,
        backward=backward,
        formulas=lambda index, arity: (
            "d conv2d/dx: each output's upstream spread over its window, times the kernel",
            "d conv2d/dW: each window of x times the upstream of the output it made, summed",
            "d conv2d/db: the upstream summed over batch, height and width",
        )[index],
        doc=f"2-D convolution{geometry.text()}",
        settings=geometry,
        overflows=True,
        reads=lambda node: node.parents[:2],  # x and W, as PyTorch saves them (not b)
        check=_conv_check(geometry),
    )


def _symbol_settings(geometry: Geometry) -> str:
    text = geometry.text()
    return f"\n{text[2:]}" if text else ""


@lru_cache(maxsize=128)
def conv_input_grad(geometry: Geometry) -> TensorOp:
    """The gradient a convolution sends to its input: ``(upstream, W)`` to ``x``'s shape (the
    node's ctx). Its own gradients are the convolution and its weight gradient again.

    >>> op = conv_input_grad(Geometry.of(1, 0, 1, 1))
    >>> op.forward(np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2)), (1, 1, 3, 3))[0, 0].tolist()
    [[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]
    """

    def forward(g: Array, W: Array, x_shape: tuple[int, ...]) -> Array:
        return _input_grad_forward(geometry, g, W, x_shape)

    def backward(node: Any, u: Any) -> Grads:
        g, W = node.parents
        return (
            run(conv2d(geometry), u, W.array) if g.requires_grad else None,
            run(conv_weight_grad(geometry), u, g.array, ctx=W.array.shape)
            if W.requires_grad
            else None,
        )

    return TensorOp(
        name="conv2d_input_grad",
        symbol="conv2dᵀ",
        template=_template("conv2d_input_grad", geometry),
        forward=forward,
        backward=backward,
        formulas=(
            "d conv2dᵀ(g, W)/dg: conv2d of the upstream with W",
            "d conv2dᵀ(g, W)/dW: the upstream's windows times g",
        ),
        doc="the gradient of a convolution's input (a transposed convolution)",
        overflows=True,
        reads=reads_each_other,
        takes_ctx=True,
    )


@lru_cache(maxsize=128)
def conv_weight_grad(geometry: Geometry) -> TensorOp:
    """The gradient a convolution sends to its kernel: ``(x, upstream)`` to ``W``'s shape
    (the node's ctx).

    >>> op = conv_weight_grad(Geometry.of(1, 0, 1, 1))
    >>> op.forward(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), (1, 1, 2, 2))[0, 0].tolist()
    [[4.0, 4.0], [4.0, 4.0]]
    """

    def forward(x: Array, g: Array, w_shape: tuple[int, ...]) -> Array:
        return _weight_grad_forward(geometry, x, g, w_shape)

    def backward(node: Any, v: Any) -> Grads:
        x, g = node.parents
        return (
            run(conv_input_grad(geometry), g.array, v, ctx=x.array.shape)
            if x.requires_grad
            else None,
            run(conv2d(geometry), x.array, v) if g.requires_grad else None,
        )

    return TensorOp(
        name="conv2d_weight_grad",
        symbol="conv2d dW",
        template=_template("conv2d_weight_grad", geometry),
        forward=forward,
        backward=backward,
        formulas=(
            "d(x ⋆ g)/dx: the upstream spread back by g (a transposed convolution)",
            "d(x ⋆ g)/dg: conv2d of x with the upstream",
        ),
        doc="the gradient of a convolution's kernel",
        overflows=True,
        reads=reads_each_other,
        takes_ctx=True,
    )
