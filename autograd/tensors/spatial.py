"""PyTorch's functions over images: ``conv2d``, the poolings, ``pad`` and ``batch_norm``.

Each reads PyTorch's argument forms (an int or a pair; ``padding="same"`` or ``"valid"``; an
input with or without its batch axis), refuses what PyTorch refuses with a sentence naming the
argument, and runs one op record of :mod:`autograd.tensors.ops` (``convolution``,
``pooling``, ``normalization``, ``shapes.pad``), so each is narrated, drawn and differentiated
like any op. ``nn.functional`` and the layers of ``nn`` call these.

    >>> from autograd import Tensor, randn
    >>> x, W = randn(64, 1, 28, 28), randn(16, 1, 3, 3).requires_grad_()
    >>> y = conv2d(x, W, stride=2, padding=1)
    >>> y.shape, y.op.render(["x", "W"])
    ((64, 16, 14, 14), 'conv2d(x, W, stride=2, padding=1)')
    >>> max_pool2d(y, 2).shape, adaptive_avg_pool2d(y, 1).shape
    ((64, 16, 7, 7), (64, 16, 1, 1))
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from . import ops as T
from .ops.convolution import Geometry
from .ops.pooling import Window, adaptive_max_indices, max_indices
from .tensor import Tensor, apply, no_grad

__all__ = [
    "conv2d",
    "max_pool2d",
    "avg_pool2d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool2d",
    "pad",
    "batch_norm",
]


def _input(x: Any, op: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op} expects a Tensor as its input, got {type(x).__name__}")
    return x


def _pair(value: Any, name: str, op: str, least: int) -> tuple[int, int]:
    """An int or a pair of ints, each at least ``least``, as PyTorch's ``_pair`` reads it."""
    items = [value, value] if isinstance(value, numbers.Integral) else value
    try:
        pair = tuple(items)
    except TypeError:
        pair = ()
    if len(pair) == 1:
        pair = (pair[0], pair[0])
    if (
        len(pair) != 2
        or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in pair)
        or isinstance(value, bool)
    ):
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r:.60}")
    if min(pair) < least:
        kind = "positive" if least == 1 else "at least 0"
        raise ValueError(f"{op}: {name} must be {kind}, got {value!r}")
    return int(pair[0]), int(pair[1])


def _batched(x: Tensor, op: str, run: Callable[[Tensor], Any]) -> Any:
    """``run`` on a ``(N, C, H, W)`` input; a ``(C, H, W)`` one gets a batch axis of 1 and loses
    it again, as in PyTorch."""
    if x.ndim == 4:
        return run(x)
    if x.ndim == 3:
        out = run(x.reshape(1, *x.shape))
        if isinstance(out, tuple):
            return tuple(o.reshape(*o.shape[1:]) for o in out)
        return out.reshape(*out.shape[1:])
    raise ValueError(
        f"{op}: expects an input of 4 axes (batch, channels, height, width) or 3 (channels, "
        f"height, width), got shape {x.shape}"
    )


def conv2d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """A 2-D convolution, as ``torch.nn.functional.conv2d``: ``(N, C, H, W)`` with a kernel
    ``(O, C/groups, kh, kw)`` gives ``(N, O, oh, ow)``. ``padding`` is an int, a pair, or
    ``"same"`` (the output as large as the input; stride 1) or ``"valid"`` (none).

    >>> from autograd import ones
    >>> conv2d(ones(1, 1, 3, 3), ones(1, 1, 2, 2)).tolist()
    [[[[4.0, 4.0], [4.0, 4.0]]]]
    >>> conv2d(ones(1, 1, 3, 3), ones(1, 1, 2, 2), padding="same").shape
    (1, 1, 3, 3)
    """
    x = _input(input, "conv2d")
    if not isinstance(weight, Tensor):
        raise TypeError(f"conv2d expects a Tensor as its weight, got {type(weight).__name__}")
    if not isinstance(groups, numbers.Integral) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"conv2d: groups must be a positive int, got {groups!r}")
    steps = _pair(stride, "stride", "conv2d", 1)
    spread = _pair(dilation, "dilation", "conv2d", 1)
    if isinstance(padding, str):
        if padding == "valid":
            sides = ((0, 0), (0, 0))
        elif padding == "same":
            if steps != (1, 1):
                raise ValueError(
                    "conv2d: padding='same' needs stride 1 (PyTorch's rule: with a larger "
                    "stride the output cannot be as large as the input)"
                )
            if weight.ndim != 4:
                raise ValueError(f"conv2d: the weight must have 4 axes, got shape {weight.shape}")
            totals = [d * (k - 1) for d, k in zip(spread, weight.shape[2:])]
            sides = tuple((t // 2, t - t // 2) for t in totals)
        else:
            raise ValueError(
                f"conv2d: padding must be 'same', 'valid', an int or a pair, got {padding!r}"
            )
    else:
        h, w = _pair(padding, "padding", "conv2d", 0)
        sides = ((h, h), (w, w))
    geometry = Geometry(steps, sides, spread, int(groups))
    if bias is not None and not isinstance(bias, Tensor):
        raise TypeError(f"conv2d expects a Tensor or None as its bias, got {type(bias).__name__}")
    extra = (bias,) if bias is not None else ()
    return _batched(x, "conv2d", lambda x: apply(T.conv2d(geometry), x, weight, *extra))


def _window(
    op: str, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: bool
) -> Window:
    kernel = _pair(kernel_size, "kernel_size", op, 1)
    empty = stride is None or (not isinstance(stride, numbers.Integral) and len(stride) == 0)
    steps = kernel if empty else _pair(stride, "stride", op, 1)
    pads = _pair(padding, "padding", op, 0)
    spread = _pair(dilation, "dilation", op, 1)
    for p, k in zip(pads, kernel):
        if p > k // 2:
            raise ValueError(
                f"{op}: padding {padding!r} is more than half the kernel {kernel_size!r} "
                "(PyTorch's rule: a window must hold at least one entry of the input)"
            )
    return Window(kernel, steps, pads, spread, bool(ceil_mode))


def _check_fits(op: str, x: Tensor, window: Window) -> None:
    h, w = x.shape[2:]
    if window.out(h, 0) < 1 or window.out(w, 1) < 1:
        raise ValueError(
            f"{op}: the window {window.kernel} does not fit in the input of height and width "
            f"{(h, w)} with padding {window.padding}: the output would be empty"
        )
    for axis, size in enumerate((h, w)):
        k, s, p, d = (
            v[axis] for v in (window.kernel, window.stride, window.padding, window.dilation)
        )
        starts = np.arange(window.out(size, axis))[:, None] * s - p
        reached = starts + np.arange(k) * d
        if not np.all(((reached >= 0) & (reached < size)).any(axis=1)):
            raise ValueError(
                f"{op}: with dilation {window.dilation} and padding {window.padding}, a window "
                f"meets only padding and no entry of the input of height and width {(h, w)}; "
                "use less padding or dilation"
            )


def max_pool2d(
    input: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """The largest entry of each window, as ``torch.nn.functional.max_pool2d``; the stride is
    the kernel's unless given. ``return_indices=True`` also returns where each came from (flat
    into each ``H·W`` plane, as PyTorch's).

    >>> from autograd import arange
    >>> max_pool2d(arange(16.0).reshape(1, 1, 4, 4), 2).tolist()
    [[[[5.0, 7.0], [13.0, 15.0]]]]
    """
    x = _input(input, "max_pool2d")
    window = _window("max_pool2d", kernel_size, stride, padding, dilation, ceil_mode)

    def run(x: Tensor) -> Any:
        _check_fits("max_pool2d", x, window)
        indices = max_indices(x.array, window)
        overlapping = any(
            s < d * (k - 1) + 1 for s, k, d in zip(window.stride, window.kernel, window.dilation)
        )
        out = apply(T.pick("max_pool2d", window.text(), window), x, ctx=(indices, overlapping))
        return (out, Tensor(indices, dtype=np.int64)) if return_indices else out

    return _batched(x, "max_pool2d", run)


def avg_pool2d(
    input: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """The average of each window, as ``torch.nn.functional.avg_pool2d`` (padding counts in
    the divisor unless ``count_include_pad=False``; ``divisor_override`` replaces it).

    >>> from autograd import arange
    >>> avg_pool2d(arange(16.0).reshape(1, 1, 4, 4), 2).tolist()
    [[[[2.5, 4.5], [10.5, 12.5]]]]
    """
    x = _input(input, "avg_pool2d")
    window = _window("avg_pool2d", kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None and (
        not isinstance(divisor_override, numbers.Integral) or divisor_override < 1
    ):
        raise ValueError(
            f"avg_pool2d: divisor_override must be a positive int, got {divisor_override!r}"
        )
    op = T.average_pool(window, bool(count_include_pad), divisor_override)

    def run(x: Tensor) -> Tensor:
        _check_fits("avg_pool2d", x, window)
        return apply(op, x)

    return _batched(x, "avg_pool2d", run)


def _output_size(output_size: Any, x: Tensor, op: str) -> tuple[int, int]:
    size = (
        [output_size, output_size]
        if not isinstance(output_size, (tuple, list))
        else list(output_size)
    )
    if len(size) != 2:
        raise TypeError(f"{op}: output_size must be an int or a pair, got {output_size!r}")
    got = tuple(x.shape[-2 + i] if s is None else s for i, s in enumerate(size))
    if not all(
        isinstance(s, numbers.Integral) and not isinstance(s, bool) and int(s) >= 1 for s in got
    ):
        raise ValueError(f"{op}: output_size must be positive ints (or None), got {output_size!r}")
    return int(got[0]), int(got[1])


def adaptive_avg_pool2d(input: Any, output_size: Any) -> Tensor:
    """The average over ``output_size`` windows that cover the input (PyTorch's bins), as
    ``torch.nn.functional.adaptive_avg_pool2d``; ``1`` averages each whole channel.

    >>> from autograd import arange
    >>> adaptive_avg_pool2d(arange(16.0).reshape(1, 1, 4, 4), 1).tolist()
    [[[[7.5]]]]
    """
    x = _input(input, "adaptive_avg_pool2d")
    size = _output_size(output_size, x, "adaptive_avg_pool2d")
    return _batched(x, "adaptive_avg_pool2d", lambda x: apply(T.adaptive_average(size), x))


def adaptive_max_pool2d(input: Any, output_size: Any, return_indices: bool = False) -> Any:
    """The largest entry of each of ``output_size`` windows that cover the input, as
    ``torch.nn.functional.adaptive_max_pool2d``.

    >>> from autograd import arange
    >>> adaptive_max_pool2d(arange(16.0).reshape(1, 1, 4, 4), (1, 2)).tolist()
    [[[[13.0, 15.0]]]]
    """
    x = _input(input, "adaptive_max_pool2d")
    size = _output_size(output_size, x, "adaptive_max_pool2d")
    text = str(size[0]) if size[0] == size[1] else str(size)

    def run(x: Tensor) -> Any:
        indices = adaptive_max_indices(x.array, size)
        overlapping = x.shape[2] % size[0] != 0 or x.shape[3] % size[1] != 0
        out = apply(T.pick("adaptive_max_pool2d", text), x, ctx=(indices, overlapping))
        return (out, Tensor(indices, dtype=np.int64)) if return_indices else out

    return _batched(x, "adaptive_max_pool2d", run)


def pad(input: Any, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """``input`` with ``value`` (0) added around it, as ``torch.nn.functional.pad``: ``pad``
    gives (before, after) pairs from the last axis backwards, ``(left, right, top, bottom)``;
    a negative width crops. Only ``mode="constant"`` is supported.

    >>> from autograd import ones
    >>> pad(ones(1, 2), (1, 0)).tolist()
    [[0.0, 1.0, 1.0]]
    """
    x = _input(input, "pad")
    if mode != "constant":
        raise NotImplementedError(
            f"pad: mode {mode!r} is not supported; tracegrad pads with a constant "
            "(mode='constant', zeros unless value= says)"
        )
    widths = list(pad)
    if (
        len(widths) % 2
        or len(widths) // 2 > x.ndim
        or not all(isinstance(w, numbers.Integral) and not isinstance(w, bool) for w in widths)
    ):
        raise ValueError(
            f"pad: pad must hold pairs of ints, at most one pair per axis of {x.shape}, got {pad!r}"
        )
    pairs = [(0, 0)] * (x.ndim - len(widths) // 2)
    pairs += [(int(widths[i]), int(widths[i + 1])) for i in range(len(widths) - 2, -1, -2)]
    for size, (before, after) in zip(x.shape, pairs):
        if size + before + after < 0:
            raise ValueError(f"pad: the widths {pad!r} crop more than the input {x.shape} has")
    return apply(T.pad(tuple(pairs), float(value or 0.0)), x)


def batch_norm(
    input: Any,
    running_mean: Any,
    running_var: Any,
    weight: Any = None,
    bias: Any = None,
    training: bool = False,
    momentum: float | None = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Each channel (axis 1) normalized, then scaled by ``weight`` and shifted by ``bias``, as
    ``torch.nn.functional.batch_norm``: with the batch's statistics in training, which also
    update ``running_mean`` and ``running_var`` in place (``momentum``: the new batch's share;
    the variance unbiased), or with the running ones otherwise.

    >>> from autograd import tensor, zeros, ones
    >>> mean, var = zeros(1), ones(1)
    >>> batch_norm(tensor([[1.0], [3.0]]), mean, var, training=True).tolist()[0][0] < -0.99
    True
    >>> [round(v, 6) for v in mean.tolist() + var.tolist()]
    [0.2, 1.1]
    """
    x = _input(input, "batch_norm")
    if x.ndim < 2:
        raise ValueError(
            f"batch_norm: the input must have a channel axis (axis 1), got shape {x.shape}"
        )
    channels = x.shape[1]
    for what, t in (
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    ):
        if t is not None and tuple(np.shape(t.array if isinstance(t, Tensor) else t)) != (
            channels,
        ):
            raise ValueError(
                f"batch_norm: {what} must have one entry per channel ({channels}), got shape "
                f"{np.shape(t.array if isinstance(t, Tensor) else t)}"
            )
    if training:
        count = x.array.size // channels
        if count < 2:
            raise ValueError(
                f"batch_norm: expected more than 1 value per channel when training, got input "
                f"of shape {x.shape} (a batch of one cannot have a variance)"
            )
        if running_mean is not None or running_var is not None:
            with no_grad():
                _update_running(x.array, running_mean, running_var, momentum, count)
        ctx = None
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: outside training it needs running_mean and running_var")
        ctx = (_numbers(running_mean), _numbers(running_var))
    params = tuple(t for t in (weight, bias) if t is not None)
    op = T.batch_norm(x.ndim, float(eps), bool(training), (weight is not None, bias is not None))
    return apply(op, x, *params, ctx=ctx)


def _numbers(t: Any) -> np.ndarray:
    return t.array if isinstance(t, Tensor) else np.asarray(t)


def _update_running(x: np.ndarray, mean: Any, var: Any, momentum: float | None, count: int) -> None:
    """The running statistics moved towards the batch's, in place (their ``.array``, outside
    the graph, as PyTorch's buffers are)."""
    axes = T.channel_axes(x.ndim)
    batch_mean = x.mean(axis=axes, dtype=np.float64)
    batch_var = x.var(axis=axes, dtype=np.float64) * count / (count - 1)
    share = 0.1 if momentum is None else float(momentum)
    for running, batch in ((mean, batch_mean), (var, batch_var)):
        if running is not None:
            numbers = _numbers(running)
            numbers[...] = (1 - share) * numbers + share * batch
