"""Batch normalization layers as PyTorch's: BatchNorm1d and BatchNorm2d.

In training each channel is normalized with the batch's mean and (biased) variance, and the
running statistics move towards the batch's (``momentum``: the new batch's share; ``None``:
a plain average of every batch so far, counted by ``num_batches_tracked``). In evaluation
(``model.eval()``) the running statistics are used instead. ``running_mean``,
``running_var`` and ``num_batches_tracked`` are buffers: saved in the ``state_dict``, never
trained.

>>> import nn, autograd
>>> bn = nn.BatchNorm2d(3)
>>> y = bn(autograd.randn(8, 3, 4, 4) * 5 + 2)
>>> [abs(round(v, 4)) for v in y.mean(dim=(0, 2, 3)).tolist()], int(bn.num_batches_tracked.item())
([0.0, 0.0, 0.0], 1)
>>> list(bn.state_dict())
['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from autograd.tensors import spatial
from nn.module import Module, Parameter, whole_number

__all__ = ["BatchNorm1d", "BatchNorm2d"]


class _BatchNorm(Module):
    """What BatchNorm1d and BatchNorm2d share; they differ in the inputs they accept."""

    #: The numbers of axes an input may have, and how PyTorch words it.
    axes: tuple[int, ...] = ()

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        self.num_features = whole_number(num_features, "num_features", name)
        if self.num_features < 1:
            raise ValueError(f"{name}: num_features must be positive, got {num_features}")
        if device is not None:
            from autograd.tensors.functions import device as known

            known(device)
        self.eps, self.momentum = float(eps), momentum
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        if self.affine:
            self.weight: Parameter | None = Parameter(np.ones(num_features), dtype=dtype)
            self.bias: Parameter | None = Parameter(np.zeros(num_features), dtype=dtype)
            if not bias:  # a scale without a shift (PyTorch's bias=False)
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.running_mean: Tensor | None
        self.running_var: Tensor | None
        self.num_batches_tracked: Tensor | None
        if self.track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features), dtype=dtype))
            self.register_buffer("running_var", Tensor(np.ones(num_features), dtype=dtype))
            self.register_buffer("num_batches_tracked", Tensor(0, dtype=np.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        """The running statistics back to mean 0, variance 1, no batch counted."""
        if self.running_mean is not None and self.running_var is not None:
            self.running_mean.array[...] = 0
            self.running_var.array[...] = 1
        if self.num_batches_tracked is not None:
            self.num_batches_tracked.array[...] = 0

    def forward(self, x: Any) -> Tensor:
        name = type(self).__name__
        if not isinstance(x, Tensor):
            raise TypeError(f"{name} expects a Tensor, got {type(x).__name__}")
        if x.ndim not in self.axes:
            wanted = " or ".join(f"{n}D" for n in self.axes)
            raise ValueError(f"{name}: expected {wanted} input (got {x.ndim}D input)")
        if x.shape[1] != self.num_features:
            raise ValueError(
                f"{name}: the input has {x.shape[1]} channels (axis 1), the layer was made for "
                f"num_features={self.num_features}"
            )
        share = 0.0 if self.momentum is None else self.momentum
        if self.training and self.num_batches_tracked is not None:
            self.num_batches_tracked.array[...] += 1
            if self.momentum is None:  # the average of every batch so far
                share = 1.0 / float(self.num_batches_tracked.array)
        batch_statistics = self.training or self.running_mean is None
        use_running = not self.training or self.track_running_stats
        out = spatial.batch_norm(
            x,
            self.running_mean if use_running else None,
            self.running_var if use_running else None,
            self.weight,
            self.bias,
            batch_statistics,
            share,
            self.eps,
        )
        return self._mark(out)

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalization of ``(N, C)`` or ``(N, C, L)`` inputs, over all axes but ``C``.
    ``BatchNorm1d(4)(autograd.randn(8, 4)).shape == (8, 4)``"""

    axes = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalization of ``(N, C, H, W)`` inputs, over all axes but ``C``.
    ``BatchNorm2d(4)(autograd.randn(8, 4, 3, 3)).shape == (8, 4, 3, 3)``"""

    axes = (4,)
