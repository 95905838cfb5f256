"""The pooling Tensor records: max and average pooling over windows, and their adaptive forms.

Each pooling op reads the windows of an ``(N, C, H, W)`` input (numpy's stride tricks, as
:func:`~autograd.tensors.ops.convolution.windows` does for a convolution) and gives one
number per window:

* **max pooling** is a pick: the function first finds, in each window, the entry that is
  largest (the first of ties, and a NaN wins, as in PyTorch), as a flat index into ``H·W``
  (PyTorch's ``return_indices``); the record :func:`pick` then takes those entries, its
  gradient puts the upstream back at them (:func:`put_back`, added up where windows
  overlap), and that op's gradient is a pick again;
* **average pooling** is linear: each output is a window's sum over its divisor; the
  gradient spreads each upstream evenly over its window (:func:`average_spread`), whose own
  gradient is the pooling again;
* the **adaptive** forms choose the windows from the sizes (PyTorch's bins, from
  ``floor(i·H/oh)`` to ``ceil((i+1)·H/oh)``): the average one is a product with a matrix per
  axis (its gradient: the transposed matrices), the max one a pick.

    >>> window = Window.of(2, None, 0, 1, False)
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> average_pool(window, True, None).forward(x)[0, 0].tolist()
    [[2.5, 4.5], [10.5, 12.5]]
    >>> max_indices(x, window)[0, 0].tolist()
    [[5, 7], [13, 15]]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from ..notation import who
from .convolution import Geometry, windows
from .tensor_op import Array, Grads, TensorOp, reads_nothing, run

__all__ = [
    "Window",
    "max_indices",
    "adaptive_max_indices",
    "pick",
    "put_back",
    "average_pool",
    "average_spread",
    "adaptive_average",
    "bins",
]

Pair = tuple[int, int]


def _pair(v: Any) -> Pair:
    return (int(v), int(v)) if isinstance(v, (int, np.integer)) else (int(v[0]), int(v[1]))


@dataclass(frozen=True)
class Window:
    """The windows of a pooling: ``kernel``, ``stride``, ``padding`` (each side) and
    ``dilation`` per axis, and ``ceil_mode`` (a last, partial window is kept).

    >>> Window.of(3, 2, 1, 1, False).text()
    'kernel_size=3, stride=2, padding=1'
    """

    kernel: Pair
    stride: Pair
    padding: Pair
    dilation: Pair
    ceil_mode: bool

    @staticmethod
    def of(kernel: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: bool) -> Window:
        """From PyTorch's forms: ints or pairs; no stride (None or ``[]``) is the kernel's."""
        kernel = _pair(kernel)
        stride = (
            kernel if stride is None or (not isinstance(stride, int) and not stride) else stride
        )
        return Window(kernel, _pair(stride), _pair(padding), _pair(dilation), bool(ceil_mode))

    def text(self) -> str:
        def short(p: Pair) -> str:
            return str(p[0]) if p[0] == p[1] else str(p)

        parts = [f"kernel_size={short(self.kernel)}"]
        if self.stride != self.kernel:
            parts.append(f"stride={short(self.stride)}")
        if self.padding != (0, 0):
            parts.append(f"padding={short(self.padding)}")
        if self.dilation != (1, 1):
            parts.append(f"dilation={short(self.dilation)}")
        if self.ceil_mode:
            parts.append("ceil_mode=True")
        return ", ".join(parts)

    def out(self, size: int, axis: int) -> int:
        """How many windows fit along ``axis`` (0: height, 1: width), as PyTorch counts."""
        k, s, p, d = self.kernel[axis], self.stride[axis], self.padding[axis], self.dilation[axis]
        span = size + 2 * p - d * (k - 1) - 1
        count = (span + (s - 1 if self.ceil_mode else 0)) // s + 1
        if self.ceil_mode and (count - 1) * s >= size + p:
            count -= 1  # the last window must start inside the input or its left padding
        return count

    def sides(self, size: int, axis: int) -> Pair:
        """The padding before and after along ``axis``, with what a ceil_mode window needs."""
        k, s, p, d = self.kernel[axis], self.stride[axis], self.padding[axis], self.dilation[axis]
        reach = (self.out(size, axis) - 1) * s + d * (k - 1) + 1
        return p, max(p, reach - size - p)

    def geometry(self, h: int, w: int) -> Geometry:
        return Geometry(self.stride, (self.sides(h, 0), self.sides(w, 1)), self.dilation, 1)


def _padded(x: Array, window: Window, fill: float) -> Array:
    (top, bottom), (left, right) = window.sides(x.shape[2], 0), window.sides(x.shape[3], 1)
    if top == bottom == left == right == 0:
        return x
    out = np.full(
        (*x.shape[:2], x.shape[2] + top + bottom, x.shape[3] + left + right), fill, x.dtype
    )
    out[:, :, top : top + x.shape[2], left : left + x.shape[3]] = x
    return out


def _windows(x: Array, window: Window, fill: float) -> Array:
    h, w = x.shape[2:]
    geometry = window.geometry(h, w)
    return windows(
        _padded(x, window, fill), window.kernel, (window.out(h, 0), window.out(w, 1)), geometry
    )


def max_indices(x: Array, window: Window) -> Array:
    """Where each window's largest entry is, as flat indices into ``H·W`` (int64, shaped as
    the output), chosen as PyTorch's CPU does: the kernel's entries are read in order and one
    replaces the best so far if it is larger, or NaN (so the first of ties, the last NaN).

    >>> max_indices(np.array([[[[1.0, 3.0], [3.0, 0.0]]]]), Window.of(2, None, 0, 1, False))
    array([[[[1]]]])
    """
    h, w = x.shape[2:]
    oh, ow = window.out(h, 0), window.out(w, 1)
    padded = _padded(x, window, -np.inf)
    (sh, sw), (ph, pw), (dh, dw) = window.stride, window.padding, window.dilation
    kh, kw = window.kernel
    code = np.uint8 if kh * kw < 256 else np.int32
    nan = bool(np.isnan(x).any())
    shape = (*x.shape[:2], oh, ow)
    # Each kernel entry's numbers are copied out of the strided input once, so that the
    # comparisons run on contiguous arrays (several times faster), all in place.
    best, seen = np.empty(shape, x.dtype), np.empty(shape, x.dtype)
    better, marked = np.empty(shape, bool), np.empty(shape, code)
    chosen = np.zeros(shape, code)
    for i in range(kh):
        for j in range(kw):
            np.copyto(
                seen if i or j else best,
                padded[
                    :,
                    :,
                    i * dh : i * dh + sh * (oh - 1) + 1 : sh,
                    j * dw : j * dw + sw * (ow - 1) + 1 : sw,
                ],
            )
            if not (i or j):
                continue
            np.greater(seen, best, out=better)
            if nan:
                better |= np.isnan(seen)
            np.maximum(best, seen, out=best)  # NaN stays NaN, as PyTorch's best does
            # Entries are read in order, so a later one that is better has the larger code:
            # the largest code marked so far is the last better one.
            np.multiply(better.view(np.uint8), code(i * kw + j), out=marked, casting="unsafe")
            np.maximum(chosen, marked, out=chosen)
    offsets = np.array([i * dh * w + j * dw for i in range(kh) for j in range(kw)], np.int64)
    corners = (np.arange(oh) * sh - ph)[:, None] * w + (np.arange(ow) * sw - pw)
    found = np.take(offsets, chosen)
    found += corners
    return found


def bins(size: int, count: int) -> list[tuple[int, int]]:
    """PyTorch's adaptive windows along one axis: ``count`` (start, end) pairs over ``size``.

    >>> bins(5, 3)
    [(0, 2), (1, 4), (3, 5)]
    """
    return [((i * size) // count, -((-(i + 1) * size) // count)) for i in range(count)]


def adaptive_max_indices(x: Array, out: Pair) -> Array:
    """Where the largest entry of each adaptive window is (flat into ``H·W``), as
    :func:`max_indices` does for regular windows.

    >>> adaptive_max_indices(np.arange(6.0).reshape(1, 1, 2, 3), (1, 2))[0, 0].tolist()
    [[4, 5]]
    """
    n, c, h, w = x.shape
    found = np.empty((n, c, *out), np.int64)
    for p, (top, bottom) in enumerate(bins(h, out[0])):
        for q, (left, right) in enumerate(bins(w, out[1])):
            patch = x[:, :, top:bottom, left:right].reshape(n, c, -1)
            k = np.argmax(patch, axis=-1)
            width = right - left
            found[:, :, p, q] = (top + k // width) * w + left + k % width
    return found


# --- max pooling: a pick at the indices, and its gradient ---------------------------------


def _take(x: Array, ctx: tuple[Array, bool]) -> Array:
    indices = ctx[0]
    n, c = x.shape[:2]
    plane = math.prod(x.shape[2:])
    # Flat into the whole array, one plane after another: a plain take, three times faster
    # than numpy's take_along_axis here.
    flat = indices.reshape(n * c, -1) + (np.arange(n * c) * plane)[:, None]
    return np.take(x.reshape(-1), flat).reshape(indices.shape)


def _put(g: Array, indices: Array, overlapping: bool, shape: tuple[int, ...]) -> Array:
    n, c = shape[:2]
    plane = math.prod(shape[2:])
    if not overlapping:  # each entry taken at most once: a plain assignment, plane by plane
        out = np.zeros((n * c, plane), g.dtype)
        np.put_along_axis(out, indices.reshape(n * c, -1), g.reshape(n * c, -1), axis=1)
        return out.reshape(shape)
    flat = (indices.reshape(n * c, -1) + (np.arange(n * c) * plane)[:, None]).ravel()
    summed = np.bincount(flat, weights=g.ravel(), minlength=n * c * plane)
    return summed.astype(g.dtype, copy=False).reshape(shape)


@lru_cache(maxsize=128)
def pick(name: str, settings: str, window: Window | None = None) -> TensorOp:
    """The entries of ``x`` at flat indices into each ``H·W`` plane, shaped as the indices:
    max pooling once the maxima are found (``name`` and ``settings`` say which, for
    narration and drawing). The node's ctx is ``(indices, overlapping)``: whether windows
    overlap, so that an entry may be picked twice (its gradients are then added up).

    >>> op = pick("max_pool2d", "kernel_size=2")
    >>> op.forward(np.arange(4.0).reshape(1, 1, 2, 2), (np.array([[[[3]]]]), False)).tolist()
    [[[[3.0]]]]
    >>> op.render(["x"])
    'max_pool2d(x, kernel_size=2)'
    """
    text = f", {settings}" if settings else ""
    return TensorOp(
        name=name,
        symbol=name,
        template=f"{name}({{0}}{text})",
        forward=_take,
        backward=lambda node, g: (
            run(put_back(), g, ctx=(*node.ctx, node.parents[0].array.shape)),
        ),
        formulas=(f"d {name}(x)/dx = 1 at each window's largest entry, 0 elsewhere",),
        doc=f"{name}{text}: the largest entry of each window",
        settings=window,
        reads=reads_nothing,  # its indices are its own (ctx)
        takes_ctx=True,
    )


@lru_cache(maxsize=1)
def put_back() -> TensorOp:
    """Zeros of a shape with the upstream added at flat indices (ctx ``(indices, overlapping,
    shape)``): max pooling's gradient; its own gradient is a :func:`pick` again.

    >>> put_back().forward(np.array([[[[5.0]]]]), (np.array([[[[1]]]]), False, (1, 1, 1, 2)))
    array([[[[0., 5.]]]])
    """
    return TensorOp(
        name="put_back",
        symbol="put back",
        template="put_back({0})",
        forward=lambda g, ctx: _put(g, *ctx),
        backward=lambda node, u: (run(pick("take", ""), u, ctx=node.ctx[:2]),),
        formulas=("d put_back(g)/dg = 1 at the entries g was put at",),
        doc="the upstream put back at each window's largest entry",
        reads=reads_nothing,
        takes_ctx=True,
    )


# --- average pooling: linear, its gradient a spread, whose gradient is the pooling ----------


def _divisors(
    window: Window, h: int, w: int, count_include_pad: bool, divisor_override: int | None
) -> Any:
    """What each window's sum is divided by, as PyTorch's avg_pool2d: the window's size
    within the padded input, or only its real entries (``count_include_pad=False``)."""
    if divisor_override:
        return float(divisor_override)

    def along(size: int, axis: int) -> Array:
        k, s, p = window.kernel[axis], window.stride[axis], window.padding[axis]
        start = np.arange(window.out(size, axis)) * s - p
        end = np.minimum(start + k, size + p)
        if count_include_pad:
            return end - start
        return np.minimum(end, size) - np.maximum(start, 0)

    return along(h, 0)[:, None] * along(w, 1)[None, :]


def _spread(g: Array, window: Window, x_shape: tuple[int, ...]) -> Array:
    n, c, h, w = x_shape
    (top, bottom), (left, right) = window.sides(h, 0), window.sides(w, 1)
    grad = np.zeros((n, c, h + top + bottom, w + left + right), g.dtype)
    oh, ow = g.shape[2:]
    (sh, sw), (dh, dw) = window.stride, window.dilation
    for i in range(window.kernel[0]):
        for j in range(window.kernel[1]):
            grad[
                :,
                :,
                i * dh : i * dh + sh * (oh - 1) + 1 : sh,
                j * dw : j * dw + sw * (ow - 1) + 1 : sw,
            ] += g
    return grad[:, :, top : top + h, left : left + w]


@lru_cache(maxsize=128)
def average_pool(window: Window, count_include_pad: bool, divisor_override: int | None) -> TensorOp:
    """Each window's average: its sum over the divisor PyTorch uses (cached per setting).

    >>> average_pool(Window.of(2, 1, 0, 1, False), True, None).render(["x"])
    'avg_pool2d(x, kernel_size=2, stride=1)'
    """
    settings = window.text()
    if not count_include_pad:
        settings += ", count_include_pad=False"
    if divisor_override:
        settings += f", divisor_override={divisor_override}"

    def forward(x: Array) -> Array:
        sums = np.add.reduce(_windows(x, window, 0.0), axis=(4, 5))
        divisors = _divisors(window, x.shape[2], x.shape[3], count_include_pad, divisor_override)
        return (sums / divisors).astype(x.dtype, copy=False)

    def backward(node: Any, g: Any) -> Grads:
        spread = average_spread(window, count_include_pad, divisor_override)
        return (run(spread, g, ctx=node.parents[0].array.shape),)

    return TensorOp(
        name="avg_pool2d",
        symbol="avg_pool2d",
        template=f"avg_pool2d({{0}}, {settings})",
        forward=forward,
        backward=backward,
        formulas=("d avg_pool2d(x)/dx = 1/divisor for each entry of a window",),
        doc=f"avg_pool2d, {settings}: the average of each window",
        settings=(window, count_include_pad, divisor_override),
        reads=reads_nothing,
        floating=True,
    )


@lru_cache(maxsize=128)
def average_spread(
    window: Window, count_include_pad: bool, divisor_override: int | None
) -> TensorOp:
    """Average pooling's gradient: each upstream over its divisor, added to every entry of
    its window (ctx: the input's shape); its own gradient is the pooling again."""

    def forward(g: Array, x_shape: tuple[int, ...]) -> Array:
        divisors = _divisors(window, x_shape[2], x_shape[3], count_include_pad, divisor_override)
        return _spread((g / divisors).astype(g.dtype, copy=False), window, x_shape)

    return TensorOp(
        name="avg_pool2d_spread",
        symbol="spread",
        template="avg_pool2d_spread({0})",
        forward=forward,
        backward=lambda node, u: (
            run(average_pool(window, count_include_pad, divisor_override), u),
        ),
        formulas=("d spread(g)/dg: each window's entries averaged",),
        doc="each window's upstream spread evenly over it",
        reads=reads_nothing,
        takes_ctx=True,
    )


# --- adaptive average pooling: a matrix per axis ------------------------------------------


def _averaging(size: int, count: int, dtype: Any) -> Array:
    """The ``(count, size)`` matrix whose row ``i`` averages bin ``i``."""
    matrix = np.zeros((count, size), dtype)
    for i, (start, end) in enumerate(bins(size, count)):
        matrix[i, start:end] = 1.0 / (end - start)
    return matrix


def _apply_matrices(x: Array, rows: Array, cols: Array) -> Array:
    """``rows @ x @ colsᵀ`` on the last two axes, as two large products."""
    across = np.tensordot(x, cols, axes=([3], [1]))  # (N, C, H, ow)
    return np.tensordot(across, rows, axes=([2], [1])).transpose(0, 1, 3, 2)  # (N, C, oh, ow)


@lru_cache(maxsize=64)
def adaptive_average(out: Pair, transposed: bool = False) -> TensorOp:
    """Adaptive average pooling to ``out`` (height, width): ``A_h · x · A_wᵀ`` per channel,
    each row of ``A`` averaging a bin. ``transposed`` is its gradient (``A_hᵀ · g · A_w``,
    ctx: the input's shape), whose gradient is the pooling again.

    >>> adaptive_average((1, 1)).forward(np.arange(4.0).reshape(1, 1, 2, 2)).tolist()
    [[[[1.5]]]]
    """
    size = f"({out[0]}, {out[1]})" if out[0] != out[1] else str(out[0])

    def forward(x: Array, *ctx: Any) -> Array:
        if transposed:
            h, w = ctx[0][2:]
            rows, cols = _averaging(h, out[0], x.dtype), _averaging(w, out[1], x.dtype)
            return _apply_matrices(x, rows.T, cols.T)
        rows, cols = (
            _averaging(x.shape[2], out[0], x.dtype),
            _averaging(x.shape[3], out[1], x.dtype),
        )
        return _apply_matrices(x, rows, cols)

    def backward(node: Any, g: Any) -> Grads:
        if transposed:
            return (run(adaptive_average(out), g),)
        return (run(adaptive_average(out, True), g, ctx=node.parents[0].array.shape),)

    name = "adaptive_avg_pool2d" + ("_spread" if transposed else "")
    return TensorOp(
        name=name,
        symbol="spread" if transposed else "adaptive_avg_pool2d",
        template=f"{name}({{0}}, {size})" if not transposed else f"{name}({{0}})",
        forward=forward,
        backward=backward,
        formulas=("d adaptive_avg_pool2d(x)/dx = 1/(bin size) for each entry of a bin",),
        doc=f"adaptive_avg_pool2d to {size}: the average of each bin"
        if not transposed
        else "each bin's upstream spread evenly over it",
        reads=reads_nothing,
        floating=not transposed,
        takes_ctx=transposed,
    )


def check_planes(op: str, x: Any) -> None:
    """A pooling's input must be ``(N, C, H, W)`` floats."""
    if x.array.ndim != 4:
        raise ValueError(
            f"{op}: the input {who(x)} must have 4 axes (batch, channels, height, width)"
        )
