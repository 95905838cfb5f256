"""Making tensors: ``tensor``, ``zeros``, ``ones``, ``randn``, ``arange`` and the seeded generator.

Each returns a leaf (no op, no parents), with PyTorch's default dtypes: float32 for floats
and random numbers, int64 for whole numbers.

    >>> from autograd.tensors import factories
    >>> factories.zeros(2, 3).shape, factories.arange(3).tolist()
    ((2, 3), [0, 1, 2])
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from .dtypes import Array, Number, float32, float64, int64
from .dtypes import check_grad_dtype as _check_grad_dtype
from .dtypes import infer_dtype as _infer_dtype
from .dtypes import resolve_dtype as _dtype
from .dtypes import to_array as _to_array
from .tensor import Tensor, _plain

__all__ = [
    "tensor",
    "from_numpy",
    "zeros",
    "ones",
    "zeros_like",
    "ones_like",
    "randn",
    "rand",
    "arange",
    "manual_seed",
    "default_generator",
]

#: The generator ``randn``, ``rand`` (and nn's initialisers) use when given none, as
#: ``torch.default_generator``. One object for the whole run: ``manual_seed`` reseeds it in
#: place, so a reference taken earlier sees the new seed too.
default_generator = np.random.default_rng()
_default_generator = default_generator  # the same object, under its earlier name


def manual_seed(seed: int) -> None:
    """Seed :data:`default_generator`, as PyTorch's ``manual_seed`` seeds its own.

    >>> manual_seed(0); a = randn(2); manual_seed(0); b = randn(2)
    >>> a.tolist() == b.tolist()
    True
    >>> manual_seed(5); default_generator.random() == np.random.default_rng(5).random()
    True
    """
    default_generator.bit_generator.state = np.random.PCG64(seed).state


def _shape(shape: tuple[Any, ...], where: str) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    if not all(isinstance(n, (int, np.integer)) and n >= 0 for n in shape):
        raise ValueError(f"{where}: a shape is sizes >= 0, e.g. {where}(2, 3); got {shape}")
    return tuple(builtins.int(n) for n in shape)


def _leaf(data: Array, requires_grad: bool, label: str = "") -> Tensor:
    if requires_grad:
        _check_grad_dtype(data.dtype, label)
    out = _plain(data)
    out.requires_grad = bool(requires_grad)
    out.label = label
    return out


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False, *, label: str = "") -> Tensor:
    """A new tensor holding a copy of ``data``, inferring the dtype as ``torch.tensor`` does:
    Python floats give float32, ints int64, bools bool; numpy arrays keep theirs.

    >>> tensor([1, 2]).dtype, tensor([1.0, 2]).dtype, tensor([0, 1], dtype=float32).dtype
    (dtype('int64'), dtype('float32'), dtype('float32'))
    """
    resolved = _infer_dtype(data) if dtype is None else _dtype(dtype, "tensor")
    return _leaf(_to_array(data, resolved, label), requires_grad, label)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor holding ``array`` itself (shared, not copied) in its dtype, as PyTorch's
    ``from_numpy``: changing one changes the other.

    >>> a = np.zeros(2, np.int64); t = from_numpy(a); a[0] = 7; t.tolist(), t.dtype
    ([7, 0], dtype('int64'))
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(
            f"from_numpy: expected a numpy array, got {type(array).__name__} {array!r:.40} "
            "(autograd.tensor(...) copies any numbers into a tensor)"
        )
    _dtype(array.dtype, "from_numpy")  # booleans, integers and floats only
    return _plain(array)


def zeros(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros (float32 unless ``dtype`` is given). ``zeros(2, 3).shape == (2, 3)``"""
    resolved = float32 if dtype is None else _dtype(dtype, "zeros")
    return _leaf(np.zeros(_shape(shape, "zeros"), resolved), requires_grad)


def ones(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones (float32 unless ``dtype`` is given). ``ones(2).tolist() == [1.0, 1.0]``"""
    resolved = float32 if dtype is None else _dtype(dtype, "ones")
    return _leaf(np.ones(_shape(shape, "ones"), resolved), requires_grad)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros of ``t``'s shape and dtype. ``zeros_like(ones(2)).tolist() == [0.0, 0.0]``"""
    resolved = t.array.dtype if dtype is None else _dtype(dtype, "zeros_like")
    return _leaf(np.zeros(t.array.shape, resolved), requires_grad)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones of ``t``'s shape and dtype. ``ones_like(zeros(2)).tolist() == [1.0, 1.0]``"""
    resolved = t.array.dtype if dtype is None else _dtype(dtype, "ones_like")
    return _leaf(np.ones(t.array.shape, resolved), requires_grad)


def _float_dtype(dtype: Any, where: str) -> np.dtype[Any]:
    resolved = float32 if dtype is None else _dtype(dtype, where)
    if resolved not in (float32, float64):
        raise TypeError(f"{where}: random numbers come as float32 or float64, not {resolved}")
    return resolved


def randn(
    *shape: Any,
    generator: np.random.Generator | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Samples of the standard normal distribution, from ``generator`` (a numpy Generator;
    the one :func:`manual_seed` seeds when None).

    >>> a = randn(2, 3, generator=np.random.default_rng(0))
    >>> b = randn(2, 3, generator=np.random.default_rng(0))
    >>> a.shape, a.dtype, a.tolist() == b.tolist()
    ((2, 3), dtype('float32'), True)
    """
    rng = default_generator if generator is None else generator
    data = rng.standard_normal(_shape(shape, "randn"), dtype=_float_dtype(dtype, "randn"))
    return _leaf(np.asarray(data), requires_grad)


def rand(
    *shape: Any,
    generator: np.random.Generator | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Samples uniform on [0, 1), from ``generator`` (see :func:`randn`).

    >>> x = rand(1000, generator=np.random.default_rng(1))
    >>> 0 <= x.min().item() and x.max().item() < 1
    True
    """
    rng = default_generator if generator is None else generator
    data = rng.random(_shape(shape, "rand"), dtype=_float_dtype(dtype, "rand"))
    return _leaf(np.asarray(data), requires_grad)


def arange(
    start: Number,
    end: Number | None = None,
    step: Number = 1,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Evenly spaced numbers from ``start`` up to (not including) ``end``, as PyTorch's:
    int64 when every argument is an integer, else float32.

    >>> arange(4).tolist(), arange(0, 1, 0.25).tolist()
    ([0, 1, 2, 3], [0.0, 0.25, 0.5, 0.75])
    """
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must not be 0")
    whole = all(isinstance(n, (int, np.integer)) for n in (start, end, step))
    resolved = (int64 if whole else float32) if dtype is None else _dtype(dtype, "arange")
    return _leaf(np.arange(start, end, step).astype(resolved), requires_grad)
