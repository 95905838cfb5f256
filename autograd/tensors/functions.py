"""PyTorch's function forms (``torch.sigmoid(x)``, ``torch.max(x, 1)``).

Each function only calls the Tensor method of the same name, where the op is defined, so a
program written against ``torch`` runs after ``import autograd as torch``. The few that are not
methods (``cat``, ``stack``, ``allclose``, ``histogram``) hand their op record to ``apply`` or,
outside the graph, compare numbers.

    >>> import autograd as torch
    >>> torch.sigmoid(torch.zeros(2)).tolist()
    [0.5, 0.5]

``device`` and ``cuda`` live in :mod:`autograd.tensors.devices` (re-exported here, their
earlier home).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any, NamedTuple

import numpy as np

from . import ops as T
from .devices import cuda, device
from .factories import tensor
from .ops import TensorOp
from .tensor import Tensor, apply, enable_grad, no_grad

__all__ = [
    "sigmoid",
    "relu",
    "tanh",
    "exp",
    "log",
    "softmax",
    "log_softmax",
    "max",
    "argmax",
    "device",
    "cuda",
    "concatenate",
    "cat",
    "stack",
    "sin",
    "cos",
    "sqrt",
    "abs",
    "log10",
    "pow",
    "square",
    "sum",
    "mean",
    "std",
    "var",
    "min",
    "argmin",
    "clamp",
    "clip",
    "matmul",
    "reshape",
    "flatten",
    "unsqueeze",
    "squeeze",
    "transpose",
    "permute",
    "numel",
    "all",
    "any",
    "allclose",
    "isclose",
    "equal",
    "histogram",
    "is_tensor",
    "set_default_device",
    "get_default_device",
    "accelerator",
    "where",
    "as_tensor",
    "set_grad_enabled",
    "inference_mode",
]


def _tensor(x: Any, name: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{name} expects a Tensor, got {type(x).__name__}")
    return x


def sigmoid(x: Tensor) -> Tensor:
    """``x.sigmoid()``"""
    return _tensor(x, "sigmoid").sigmoid()


def relu(x: Tensor) -> Tensor:
    """``x.relu()``"""
    return _tensor(x, "relu").relu()


def tanh(x: Tensor) -> Tensor:
    """``x.tanh()``"""
    return _tensor(x, "tanh").tanh()


def sin(x: Tensor) -> Tensor:
    """``x.sin()``"""
    return _tensor(x, "sin").sin()


def cos(x: Tensor) -> Tensor:
    """``x.cos()``"""
    return _tensor(x, "cos").cos()


def sqrt(x: Tensor) -> Tensor:
    """``x.sqrt()``"""
    return _tensor(x, "sqrt").sqrt()


def abs(x: Tensor) -> Tensor:  # noqa: A001 - PyTorch's name
    """``x.abs()``"""
    return _tensor(x, "abs").abs()


def log10(x: Tensor) -> Tensor:
    """``x.log10()``"""
    return _tensor(x, "log10").log10()


def pow(x: Any, exponent: Any) -> Tensor:  # noqa: A001 - PyTorch's name
    """``x ** exponent``; either may be a Tensor (``torch.pow(2, t)`` too).

    >>> import autograd as torch
    >>> torch.pow(torch.tensor([2.0, 3.0]), 2).tolist(), torch.pow(2, torch.tensor([3.0])).tolist()
    ([4.0, 9.0], [8.0])
    """
    if not isinstance(x, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError("pow expects a Tensor as the base or the exponent")
    return x**exponent


def square(x: Tensor) -> Tensor:
    """``x ** 2``"""
    return _tensor(x, "square") ** 2


def exp(x: Tensor) -> Tensor:
    """``x.exp()``"""
    return _tensor(x, "exp").exp()


def log(x: Tensor) -> Tensor:
    """``x.log()``"""
    return _tensor(x, "log").log()


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    """``x.softmax(dim)`` of a Tensor (``nn.softmax`` is the one that takes a list of Values).

    >>> import autograd as torch
    >>> torch.softmax(torch.zeros(2), dim=0).tolist()
    [0.5, 0.5]
    """
    return _tensor(x, "softmax").softmax(dim)


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    """``x.log_softmax(dim)``"""
    return _tensor(x, "log_softmax").log_softmax(dim)


def max(x: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001 - PyTorch's name
    """``x.max(dim, keepdim)``: the largest entry, or ``(values, indices)`` along ``dim``.

    >>> from autograd import tensor
    >>> max(tensor([[1.0, 9.0], [4.0, 2.0]]), 1)[1].tolist()
    [1, 0]
    """
    return _tensor(x, "max").max(dim, keepdim)


def argmax(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """``x.argmax(dim, keepdim)``"""
    return _tensor(x, "argmax").argmax(dim, keepdim)


def min(x: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001 - PyTorch's name
    """``x.min(dim, keepdim)``: the smallest entry, or ``(values, indices)`` along ``dim``."""
    return _tensor(x, "min").min(dim, keepdim)


def argmin(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """``x.argmin(dim, keepdim)``"""
    return _tensor(x, "argmin").argmin(dim, keepdim)


def sum(x: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A001
    """``x.sum(dim, keepdim)`` (``dtype`` converts first, as PyTorch's).

    >>> import autograd as torch
    >>> torch.sum(torch.ones(2, 3), 1).tolist()
    [3.0, 3.0]
    """
    t = _tensor(x, "sum")
    return (t if dtype is None else t.to(dtype)).sum(dim=dim, keepdim=keepdim)


def mean(x: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """``x.mean(dim, keepdim)``"""
    t = _tensor(x, "mean")
    return (t if dtype is None else t.to(dtype)).mean(dim=dim, keepdim=keepdim)


def std(
    x: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, **kw: Any
) -> Tensor:
    """``x.std(dim, ...)``: unbiased by default, as PyTorch's."""
    return _tensor(x, "std").std(dim, unbiased, keepdim, **kw)


def var(
    x: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, **kw: Any
) -> Tensor:
    """``x.var(dim, ...)``: unbiased by default, as PyTorch's."""
    return _tensor(x, "var").var(dim, unbiased, keepdim, **kw)


def clamp(x: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """``x.clamp(min, max)``"""
    return _tensor(x, "clamp").clip(min, max)


clip = clamp


def matmul(a: Tensor, b: Any) -> Tensor:
    """``a @ b``"""
    return _tensor(a, "matmul") @ b


def reshape(x: Tensor, shape: Any) -> Tensor:
    """``x.reshape(shape)``"""
    return _tensor(x, "reshape").reshape(shape)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """``x.flatten(start_dim, end_dim)``: axes ``start_dim`` to ``end_dim`` merged into one.

    >>> import autograd as torch
    >>> torch.flatten(torch.zeros(2, 3, 4), 1).shape
    (2, 12)
    """
    return _tensor(x, "flatten").flatten(start_dim, end_dim)


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    """``x.unsqueeze(dim)``"""
    return _tensor(x, "unsqueeze").unsqueeze(dim)


def squeeze(x: Tensor, dim: Any = None) -> Tensor:
    """``x.squeeze(dim)``"""
    return _tensor(x, "squeeze").squeeze(dim)


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    """``x.transpose(dim0, dim1)``"""
    return _tensor(x, "transpose").transpose(dim0, dim1)


def permute(x: Tensor, dims: Any) -> Tensor:
    """``x.permute(dims)``"""
    return _tensor(x, "permute").permute(dims)


def numel(x: Tensor) -> int:
    """``x.numel()``, the number of entries."""
    return _tensor(x, "numel").numel()


def is_tensor(x: Any) -> bool:
    """Whether ``x`` is a Tensor. ``is_tensor(3.0) is False``"""
    return isinstance(x, Tensor)


# --- whole tensors compared, outside the graph --------------------------------------------


def all(x: Tensor, dim: Any = None) -> Tensor:  # noqa: A001 - PyTorch's name
    """Whether every entry is nonzero, as a boolean tensor (``.item()`` gives the bool).

    >>> import autograd as torch
    >>> torch.all(torch.tensor([1.0, 2.0]) == torch.tensor([1.0, 3.0])).item()
    False
    """
    t = _tensor(x, "all")
    return t.all() if dim is None else t.bool().min(dim).values


def any(x: Tensor, dim: Any = None) -> Tensor:  # noqa: A001 - PyTorch's name
    """Whether some entry is nonzero, as a boolean tensor."""
    t = _tensor(x, "any")
    return t.any() if dim is None else t.bool().max(dim).values


def _numbers(x: Any, where: str) -> np.ndarray:
    if isinstance(x, Tensor):
        return x.array
    if isinstance(x, np.ndarray):
        return x
    raise TypeError(f"{where} compares Tensors, got {type(x).__name__}")


def isclose(
    a: Tensor, b: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    """Entry by entry, whether |a − b| <= atol + rtol·|b| (PyTorch's rule), as booleans."""
    x, y = _numbers(a, "isclose"), _numbers(b, "isclose")
    return Tensor(np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan), dtype=bool)


def allclose(
    a: Tensor, b: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """Whether every |a − b| <= atol + rtol·|b|, as PyTorch's (a Python bool). The shapes
    must broadcast.

    >>> import autograd as torch
    >>> torch.allclose(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0 + 1e-7]))
    True
    """
    x, y = _numbers(a, "allclose"), _numbers(b, "allclose")
    try:
        np.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        raise ValueError(f"allclose: shapes {x.shape} and {y.shape} do not broadcast") from None
    return builtins.bool(np.allclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(a: Tensor, b: Tensor) -> bool:
    """Whether ``a`` and ``b`` have the same shape and the same numbers (a Python bool)."""
    x, y = _numbers(a, "equal"), _numbers(b, "equal")
    return x.shape == y.shape and builtins.bool(np.array_equal(x, y))


def histogram(
    input: Tensor,
    bins: Any = 100,
    *,
    range: tuple[float, float] | None = None,  # noqa: A002 - PyTorch's name
    weight: Tensor | None = None,
    density: bool = False,
) -> Any:
    """``(hist, bin_edges)`` of the entries of ``input``, as PyTorch's (outside the graph):
    ``bins`` equal bins between the smallest and largest entry (or ``range``), counts or,
    with ``density``, a density that integrates to one.

    >>> import autograd as torch
    >>> hist, edges = torch.histogram(torch.tensor([1.0, 2.0, 2.0, 3.0]), bins=2)
    >>> hist.tolist(), edges.tolist()
    ([1.0, 3.0], [1.0, 2.0, 3.0])
    """
    t = _tensor(input, "histogram")
    weights = None if weight is None else _numbers(weight, "histogram").ravel()
    numbers = t.array.ravel()
    if range is None and numbers.size:
        range = (builtins.float(numbers.min()), builtins.float(numbers.max()))
    counts, edges = np.histogram(numbers, bins=bins, range=range, weights=weights, density=density)
    dtype = t.dtype if t.dtype.kind == "f" else np.dtype(np.float32)
    return _Histogram(Tensor(counts, dtype=dtype), Tensor(edges, dtype=dtype))


class _Histogram(NamedTuple):
    hist: Tensor
    bin_edges: Tensor


#: ``torch.accelerator``: none is ever available, so programs pick the CPU.
accelerator = SimpleNamespace(
    is_available=lambda: False, current_accelerator=lambda: None, device_count=lambda: 0
)


def set_default_device(where: Any) -> None:
    """PyTorch's default device for new tensors: only the CPU exists here, so "cpu" (or
    None) is accepted and anything else is an error.

    >>> set_default_device("cpu"); get_default_device()
    device(type='cpu')
    """
    if where is not None:
        device(where)


def get_default_device() -> device:
    """The device new tensors are made on: always the CPU."""
    return device("cpu")


# --- joining tensors ---------------------------------------------------------------------


def _join(word: str, factory: Callable[[int], TensorOp], tensors: Any, axis: int) -> Tensor:
    items = list(tensors)
    if not items:
        raise ValueError(f"{word} needs at least one tensor")
    if not builtins.any(isinstance(t, Tensor) for t in items):
        items[0] = Tensor(items[0])  # the others take its dtype, as numbers join a Tensor
    first = items[0]
    ndim = np.ndim(first.array if isinstance(first, Tensor) else first) + (word == "stack")
    if not isinstance(axis, (int, np.integer)) or not -ndim <= axis < ndim:
        raise ValueError(f"{word}: axis {axis!r} does not exist for {ndim}-axis results")
    return apply(factory(builtins.int(axis) % ndim), *items)


def concatenate(tensors: Sequence[Any], axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Tensors joined end to end along an existing axis (``torch.cat``).

    >>> from autograd import ones, zeros
    >>> concatenate([ones(2, 1), zeros(2, 2)], axis=1).shape
    (2, 3)
    """
    return _join("cat", T.concatenate, tensors, axis if dim is None else dim)


cat = concatenate


def stack(tensors: Sequence[Any], axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Tensors of one shape stacked along a new axis.

    >>> from autograd import ones, zeros
    >>> stack([ones(3), zeros(3)]).shape, stack([ones(3), zeros(3)], axis=1).shape
    ((2, 3), (3, 2))
    """
    return _join("stack", T.stack, tensors, axis if dim is None else dim)


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """``input`` where ``condition`` holds, ``other`` elsewhere (numbers or Tensors,
    broadcast together), as PyTorch's ``torch.where``: the gradient reaches each side where
    it was chosen. Recorded as two ``where`` nodes and an ``add``.

    >>> import autograd as torch
    >>> x = torch.tensor([-1.0, 2.0], requires_grad=True)
    >>> y = torch.where(x > 0, x * 3, 0.0); y.sum().backward(); y.tolist(), x.grad.tolist()
    ([0.0, 6.0], [0.0, 3.0])
    """
    mask = np.asarray(condition.array if isinstance(condition, Tensor) else condition, bool)
    like = input if isinstance(input, Tensor) else other
    if not isinstance(like, Tensor):
        return tensor(np.where(mask, input, other))
    dtype = like.array.dtype
    sides = [x if isinstance(x, Tensor) else tensor(np.asarray(x, dtype)) for x in (input, other)]
    shape = np.broadcast_shapes(mask.shape, *(x.array.shape for x in sides))
    mask = np.broadcast_to(mask, shape)
    chosen = []
    for side, keep in zip(sides, (mask, ~mask)):
        if side.array.shape != shape:  # spread to the common shape, as a recorded op
            side = side + np.zeros(shape, side.array.dtype)
        chosen.append(apply(T.WHERE, side, ctx=(keep, 0.0)))
    return chosen[0] + chosen[1]


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a Tensor: a Tensor as it is (converted if ``dtype`` differs), anything else
    through :func:`tensor`, as PyTorch's ``as_tensor``.

    >>> import autograd as torch
    >>> t = torch.tensor([1.0]); torch.as_tensor(t) is t, torch.as_tensor([1, 2]).dtype
    (True, dtype('int64'))
    """
    if isinstance(data, Tensor):
        return data if dtype is None or np.dtype(dtype) == data.dtype else data.to(dtype)
    return tensor(data, dtype=dtype, device=device)


class set_grad_enabled:  # noqa: N801 - PyTorch's name
    """Recording on or off, as PyTorch's ``set_grad_enabled``: at once when called (the mode
    stays), and back to what it was at the end of a ``with`` block.

    >>> import autograd as torch
    >>> with torch.set_grad_enabled(False):
    ...     print(torch.is_grad_enabled())
    False
    >>> torch.is_grad_enabled()
    True
    """

    def __init__(self, mode: bool) -> None:
        self._mode = enable_grad() if mode else no_grad()
        self._mode.__enter__()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        self._mode.__exit__(*exc)


def inference_mode(mode: Any = True) -> Any:
    """PyTorch's ``inference_mode``: here ``no_grad`` (nothing is recorded), as a ``with``
    block or a decorator, with or without parentheses.

    >>> import autograd as torch
    >>> with torch.inference_mode():
    ...     print((torch.ones(1, requires_grad=True) * 2).requires_grad)
    False
    """
    if callable(mode):  # @inference_mode without parentheses
        return no_grad(mode)
    return no_grad() if mode else enable_grad()
