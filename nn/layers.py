"""Layers with PyTorch's names and behaviour: Linear, activations, Flatten, Unflatten, Dropout.

>>> import nn, autograd
>>> _ = autograd.manual_seed(0)
>>> net = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Dropout(0.2), nn.Linear(3, 2))
>>> net(autograd.randn(5, 4)).shape
(5, 2)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, default_generator
from nn.functional import masked_dropout
from nn.module import Module, Parameter, whole_number

__all__ = [
    "Linear",
    "Identity",
    "ReLU",
    "Sigmoid",
    "Tanh",
    "LeakyReLU",
    "Softmax",
    "LogSoftmax",
    "Flatten",
    "Unflatten",
    "Dropout",
]


def _generator(rng: np.random.Generator | None) -> np.random.Generator:
    """``rng``, or the generator ``autograd.manual_seed`` seeds (PyTorch's global seed)."""
    return rng if rng is not None else default_generator


def _as_tensor(x: Any, where: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return Tensor(x, dtype=x.dtype if x.dtype.kind == "f" else None)
    raise TypeError(f"{where} expects a Tensor (or a numpy array), got {type(x).__name__}")


class Linear(Module):
    """y = x·Wᵀ + b, with W of shape (out_features, in_features) as in PyTorch.

    Weights and bias start uniform in ±1/√in_features, PyTorch's default, drawn from ``rng``
    or from the generator ``autograd.manual_seed`` seeds.

    >>> import autograd
    >>> layer = Linear(3, 2, rng=np.random.default_rng(0))
    >>> layer.weight.shape, layer.bias.shape, layer(autograd.ones(4, 3)).shape
    ((2, 3), (2,), (4, 2))
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        *,
        dtype: Any = None,
        rng: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        in_features = whole_number(in_features, "in_features", "Linear")
        out_features = whole_number(out_features, "out_features", "Linear")
        if in_features < 1 or out_features < 1:
            raise ValueError(
                f"Linear needs positive sizes, got in_features={in_features}, "
                f"out_features={out_features}"
            )
        self.in_features, self.out_features = in_features, out_features
        generator = _generator(rng)
        bound = 1.0 / math.sqrt(in_features)
        weight = generator.uniform(-bound, bound, (out_features, in_features))
        self.weight = Parameter(weight, dtype=dtype)
        if bias:
            self.bias: Parameter | None = Parameter(
                generator.uniform(-bound, bound, out_features), dtype=dtype
            )
        else:
            self.register_parameter("bias", None)

    def forward(self, x: Any) -> Tensor:
        x = _as_tensor(x, "Linear")
        if x.shape[-1:] != (self.in_features,):
            raise ValueError(
                f"{self._name or 'Linear'}: expects inputs whose last dimension is "
                f"{self.in_features}, got shape {x.shape}"
            )
        out = x @ self.weight.T
        if self.bias is not None:
            out = out + self.bias
        return self._mark(out)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Identity(Module):
    """Returns its input unchanged. ``Identity()(x) is x``"""

    def forward(self, x: Any) -> Any:
        return x


class ReLU(Module):
    """max(0, x) elementwise. ``ReLU()(autograd.tensor([-1.0, 2.0])).tolist() == [0.0, 2.0]``"""

    def forward(self, x: Tensor) -> Tensor:
        return self._mark(_as_tensor(x, "ReLU").relu())


class Sigmoid(Module):
    """1/(1 + e⁻ˣ) elementwise, stable for any x. ``Sigmoid()(autograd.zeros(1)).item() == 0.5``"""

    def forward(self, x: Tensor) -> Tensor:
        return self._mark(_as_tensor(x, "Sigmoid").sigmoid())


class Tanh(Module):
    """tanh(x) elementwise. ``Tanh()(autograd.zeros(1)).item() == 0.0``"""

    def forward(self, x: Tensor) -> Tensor:
        return self._mark(_as_tensor(x, "Tanh").tanh())


class LeakyReLU(Module):
    """x if x > 0 else negative_slope·x.
    ``LeakyReLU(0.1)(autograd.tensor([-2.0])).tolist() == [-0.2]`` (to float32 precision)"""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: Tensor) -> Tensor:
        return self._mark(_as_tensor(x, "LeakyReLU").leaky_relu(self.negative_slope))

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Softmax(Module):
    """Probabilities along ``dim``: eˣⁱ / Σⱼ eˣʲ, stable for large x.
    ``Softmax(dim=1)(autograd.zeros(1, 4)).tolist() == [[0.25, 0.25, 0.25, 0.25]]``"""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return self._mark(_as_tensor(x, "Softmax").softmax(self.dim))

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """log(softmax(x)) along ``dim``, computed stably.
    ``round(LogSoftmax(dim=1)(autograd.zeros(1, 2)).tolist()[0][0], 4) == -0.6931``"""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return self._mark(_as_tensor(x, "LogSoftmax").log_softmax(self.dim))

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Flatten(Module):
    """Flattens dimensions ``start_dim``..``end_dim`` into one: (64, 28, 28) becomes (64, 784).
    ``Flatten()(autograd.zeros(2, 3, 4)).shape == (2, 12)``"""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        return _as_tensor(x, "Flatten").flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Axis ``dim`` spread over ``unflattened_size``, Flatten's reverse: (64, 784) with
    ``Unflatten(1, (1, 28, 28))`` becomes (64, 1, 28, 28).
    ``Unflatten(1, (2, 3))(autograd.zeros(4, 6)).shape == (4, 2, 3)``"""

    def __init__(self, dim: int, unflattened_size: Any) -> None:
        super().__init__()
        self.dim = whole_number(dim, "dim", "Unflatten")
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, x: Tensor) -> Tensor:
        x = _as_tensor(x, "Unflatten")
        if not -x.ndim <= self.dim < x.ndim:
            raise ValueError(
                f"Unflatten: dim {self.dim} does not exist in an input of shape {x.shape}"
            )
        axis = self.dim % x.ndim
        sizes = self.unflattened_size
        known = math.prod(s for s in sizes if s != -1)
        if (-1 not in sizes and known != x.shape[axis]) or (known and x.shape[axis] % known):
            raise ValueError(
                f"Unflatten: axis {self.dim} of size {x.shape[axis]} cannot be spread over {sizes}"
            )
        return x.reshape(*x.shape[:axis], *sizes, *x.shape[axis + 1 :])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class Dropout(Module):
    """In training, zero each element with probability ``p`` and scale the rest by 1/(1 − p);
    in evaluation (``model.eval()``), pass everything through unchanged.

    >>> import autograd
    >>> drop = Dropout(0.5, rng=np.random.default_rng(0))
    >>> sorted(set(drop(autograd.ones(1000)).tolist()))
    [0.0, 2.0]
    >>> drop.eval()(autograd.ones(3)).tolist()
    [1.0, 1.0, 1.0]
    """

    def __init__(self, p: float = 0.5, *, rng: np.random.Generator | None = None) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout probability must be between 0 and 1, got {p!r}")
        self.p = p
        self._rng = rng

    def forward(self, x: Tensor) -> Tensor:
        out = masked_dropout(_as_tensor(x, "Dropout"), self.p, self.training, _generator(self._rng))
        return out if out is x else self._mark(out)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace=False"
