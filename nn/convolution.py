"""Convolution and pooling layers with PyTorch's names, arguments and printouts: Conv2d,
MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d.

Each layer holds its settings and calls the function of the same name in
:mod:`autograd.tensors.spatial`, where the op record does the work.

>>> import nn, autograd
>>> _ = autograd.manual_seed(0)
>>> net = nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2))
>>> net(autograd.randn(4, 1, 32, 32)).shape
(4, 6, 14, 14)
>>> net[0]
Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from autograd import Tensor, default_generator
from autograd.tensors import spatial
from nn.module import Module, Parameter, whole_number

__all__ = ["Conv2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d"]


def _pair(value: Any, name: str) -> tuple[int, int]:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value), int(value)
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return whole_number(value[0], name, "Conv2d"), whole_number(value[1], name, "Conv2d")
    raise TypeError(f"Conv2d: {name} must be an int or a pair of ints, got {value!r:.60}")


def _input(x: Any, where: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return Tensor(x, dtype=x.dtype if x.dtype.kind == "f" else None)
    raise TypeError(f"{where} expects a Tensor (or a numpy array), got {type(x).__name__}")


class Conv2d(Module):
    """A 2-D convolution layer: ``weight`` of shape ``(out_channels, in_channels/groups,
    kh, kw)`` and ``bias`` of ``(out_channels,)``, as PyTorch's, both starting uniform in
    ±1/√(in_channels/groups·kh·kw) (PyTorch's default), drawn from ``rng`` or from the
    generator ``autograd.manual_seed`` seeds. ``padding`` may be ``"same"`` or ``"valid"``.

    >>> import autograd
    >>> conv = Conv2d(1, 16, 3, stride=2, padding=1)
    >>> conv.weight.shape, conv.bias.shape, conv(autograd.zeros(64, 1, 28, 28)).shape
    ((16, 1, 3, 3), (16,), (64, 16, 14, 14))
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
        *,
        rng: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        in_channels = whole_number(in_channels, "in_channels", "Conv2d")
        out_channels = whole_number(out_channels, "out_channels", "Conv2d")
        groups = whole_number(groups, "groups", "Conv2d")
        if min(in_channels, out_channels, groups) < 1:
            raise ValueError(
                f"Conv2d needs positive sizes, got in_channels={in_channels}, "
                f"out_channels={out_channels}, groups={groups}"
            )
        if in_channels % groups or out_channels % groups:
            raise ValueError(
                f"Conv2d: groups={groups} must divide in_channels ({in_channels}) and "
                f"out_channels ({out_channels})"
            )
        if padding_mode != "zeros":
            raise NotImplementedError(
                f"Conv2d: padding_mode={padding_mode!r} is not supported; tracegrad pads with "
                "zeros (padding_mode='zeros')"
            )
        if device is not None:
            from autograd.tensors.functions import device as known

            known(device)  # a clear error for anything but the CPU
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = _pair(stride, "stride")
        self.padding: Any = padding if isinstance(padding, str) else _pair(padding, "padding")
        if isinstance(padding, str) and padding not in ("same", "valid"):
            raise ValueError(
                f"Conv2d: padding must be 'same', 'valid', an int or a pair, got {padding!r}"
            )
        if padding == "same" and self.stride != (1, 1):
            raise ValueError("Conv2d: padding='same' needs stride 1, as in PyTorch")
        self.dilation = _pair(dilation, "dilation")
        self.padding_mode = padding_mode
        self.output_padding = (0, 0)
        self.transposed = False
        generator = rng if rng is not None else default_generator
        fan_in = in_channels // groups * self.kernel_size[0] * self.kernel_size[1]
        bound = 1.0 / math.sqrt(fan_in)
        shape = (out_channels, in_channels // groups, *self.kernel_size)
        self.weight = Parameter(generator.uniform(-bound, bound, shape), dtype=dtype)
        if bias:
            self.bias: Parameter | None = Parameter(
                generator.uniform(-bound, bound, out_channels), dtype=dtype
            )
        else:
            self.register_parameter("bias", None)

    def forward(self, x: Any) -> Tensor:
        x = _input(x, "Conv2d")
        out = spatial.conv2d(
            x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
        )
        return self._mark(out)

    def extra_repr(self) -> str:
        text = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text


class MaxPool2d(Module):
    """The largest entry of each window (the stride is the kernel's unless given).
    ``MaxPool2d(2)(autograd.zeros(1, 1, 4, 4)).shape == (1, 1, 2, 2)``"""

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, x: Any) -> Any:
        out = spatial.max_pool2d(
            _input(x, "MaxPool2d"),
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
            self.return_indices,
        )
        return (self._mark(out[0]), out[1]) if self.return_indices else self._mark(out)

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class AvgPool2d(Module):
    """The average of each window (the stride is the kernel's unless given).
    ``AvgPool2d(2)(autograd.ones(1, 1, 4, 4)).tolist() == [[[[1.0, 1.0], [1.0, 1.0]]]]``"""

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, x: Any) -> Tensor:
        out = spatial.avg_pool2d(
            _input(x, "AvgPool2d"),
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )
        return self._mark(out)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """The average over ``output_size`` windows that cover the input; ``1`` averages each
    whole channel. ``AdaptiveAvgPool2d(1)(autograd.ones(2, 3, 5, 5)).shape == (2, 3, 1, 1)``"""

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, x: Any) -> Tensor:
        out = spatial.adaptive_avg_pool2d(_input(x, "AdaptiveAvgPool2d"), self.output_size)
        return self._mark(out)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(Module):
    """The largest entry of each of ``output_size`` windows that cover the input.
    ``AdaptiveMaxPool2d((2, 1))(autograd.ones(1, 1, 4, 4)).shape == (1, 1, 2, 1)``"""

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, x: Any) -> Any:
        out = spatial.adaptive_max_pool2d(
            _input(x, "AdaptiveMaxPool2d"), self.output_size, self.return_indices
        )
        return (self._mark(out[0]), out[1]) if self.return_indices else self._mark(out)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
