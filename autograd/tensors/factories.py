"""Making tensors: ``tensor``, ``zeros``, ``ones``, ``randn``, ``arange`` and the seeded generator.

Each returns a leaf (no op, no parents), with PyTorch's default dtypes: float32 for floats
and random numbers, int64 for whole numbers.

    >>> from autograd.tensors import factories
    >>> factories.zeros(2, 3).shape, factories.arange(3).tolist()
    ((2, 3), [0, 1, 2])
"""

from __future__ import annotations

import builtins
import secrets
from typing import Any

import numpy as np

from .devices import check_device
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
    "Generator",
    "linspace",
    "full",
    "full_like",
    "empty",
    "empty_like",
    "eye",
    "randn_like",
    "rand_like",
    "randint",
    "multinomial",
    "randperm",
]


class Generator(np.random.Generator):
    """A seeded source of random numbers, PyTorch's ``torch.Generator``: give it as
    ``generator=`` to ``randn``, ``rand``, ``randint``, ``multinomial``, a ``DataLoader``, ...
    It is a numpy ``Generator`` (PCG64), so a numpy generator works wherever it does.

    ``manual_seed`` reseeds it and returns it, so it chains as in PyTorch. The numbers are
    numpy's, not PyTorch's: the same seed repeats a run, not PyTorch's stream.

    >>> g = Generator().manual_seed(2147483647)
    >>> a = randn(3, generator=g); g.manual_seed(2147483647); b = randn(3, generator=g)
    Generator(seed=2147483647)
    >>> a.tolist() == b.tolist(), g.initial_seed()
    (True, 2147483647)
    """

    def __init__(self, device: Any = "cpu") -> None:
        _on_cpu(device, "Generator")
        self._seed = secrets.randbits(63)
        super().__init__(np.random.PCG64(self._seed))

    def manual_seed(self, seed: int) -> Generator:
        """Start the stream again from ``seed`` (a whole number); returns this generator."""
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise TypeError(f"manual_seed: a seed is a whole number, got {seed!r}")
        self._seed = int(seed) % 2**64  # PyTorch takes negative seeds too
        self.bit_generator.state = np.random.PCG64(self._seed).state
        return self

    def seed(self) -> int:
        """Seed from fresh entropy; returns the seed chosen (PyTorch's ``seed()``)."""
        self.manual_seed(secrets.randbits(63))
        return self._seed

    def initial_seed(self) -> int:
        """The seed this generator was last seeded with."""
        return self._seed

    def get_state(self) -> dict[str, Any]:
        """Where the stream is now (numpy's state of its PCG64); ``set_state`` goes back."""
        return dict(self.bit_generator.state)

    def set_state(self, state: dict[str, Any]) -> Generator:
        """Go back to a state ``get_state`` gave; returns this generator."""
        self.bit_generator.state = state
        return self

    def __repr__(self) -> str:
        return f"Generator(seed={self._seed})"


def _on_cpu(device: Any, where: str) -> None:
    """Refuse a device other than the CPU, the only one tracegrad computes on."""
    if device is not None:
        check_device(device, where)


#: The generator ``randn``, ``rand`` (and nn's initialisers) use when given none, as
#: ``torch.default_generator``. One object for the whole run: ``manual_seed`` reseeds it in
#: place, so a reference taken earlier sees the new seed too.
default_generator = Generator()
_default_generator = default_generator  # the same object, under its earlier name


def manual_seed(seed: int) -> Generator:
    """Seed :data:`default_generator`, as PyTorch's ``manual_seed`` seeds its own; returns it.

    >>> _ = manual_seed(0); a = randn(2); _ = manual_seed(0); b = randn(2)
    >>> a.tolist() == b.tolist()
    True
    >>> manual_seed(5).random() == np.random.default_rng(5).random()
    True
    """
    return default_generator.manual_seed(seed)


def _rng(generator: Any, where: str) -> np.random.Generator:
    if generator is None:
        return default_generator
    if not isinstance(generator, np.random.Generator):
        raise TypeError(
            f"{where}: generator= takes an autograd.Generator (or a numpy Generator), got "
            f"{type(generator).__name__}"
        )
    return generator


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


def tensor(
    data: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    *,
    label: str = "",
) -> Tensor:
    """A new tensor holding a copy of ``data``, inferring the dtype as ``torch.tensor`` does:
    Python floats give float32, ints int64, bools bool; numpy arrays keep theirs.

    >>> tensor([1, 2]).dtype, tensor([1.0, 2]).dtype, tensor([0, 1], dtype=float32).dtype
    (dtype('int64'), dtype('float32'), dtype('float32'))
    """
    _on_cpu(device, "tensor")
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


def zeros(
    *shape: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A tensor of zeros (float32 unless ``dtype`` is given). ``zeros(2, 3).shape == (2, 3)``"""
    _on_cpu(device, "zeros")
    resolved = float32 if dtype is None else _dtype(dtype, "zeros")
    return _leaf(np.zeros(_shape(shape, "zeros"), resolved), requires_grad)


def ones(*shape: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones (float32 unless ``dtype`` is given). ``ones(2).tolist() == [1.0, 1.0]``"""
    _on_cpu(device, "ones")
    resolved = float32 if dtype is None else _dtype(dtype, "ones")
    return _leaf(np.ones(_shape(shape, "ones"), resolved), requires_grad)


empty = zeros  # numpy's empty would show whatever memory held: zeros are as fast and safe


def _like(t: Any, dtype: Any, device: Any, where: str) -> tuple[tuple[int, ...], Any]:
    _on_cpu(device, where)
    array = np.asarray(t.array if isinstance(t, Tensor) else t)
    return array.shape, array.dtype if dtype is None else _dtype(dtype, where)


def zeros_like(
    t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Zeros of ``t``'s shape and dtype. ``zeros_like(ones(2)).tolist() == [0.0, 0.0]``"""
    shape, resolved = _like(t, dtype, device, "zeros_like")
    return _leaf(np.zeros(shape, resolved), requires_grad)


def ones_like(
    t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Ones of ``t``'s shape and dtype. ``ones_like(zeros(2)).tolist() == [1.0, 1.0]``"""
    shape, resolved = _like(t, dtype, device, "ones_like")
    return _leaf(np.ones(shape, resolved), requires_grad)


empty_like = zeros_like


def full(
    size: Any,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value``; its dtype follows the number as
    ``torch.full``'s: a bool gives bool, an int int64, a float float32.

    >>> full((), 0.5, requires_grad=True), full((2,), 3).tolist()
    (tensor(0.5, requires_grad=True), [3, 3])
    """
    _on_cpu(device, "full")
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    resolved = _infer_dtype(fill_value) if dtype is None else _dtype(dtype, "full")
    shape = _shape(tuple(size) if isinstance(size, (tuple, list)) else (size,), "full")
    return _leaf(np.full(shape, fill_value, dtype=resolved), requires_grad)


def full_like(
    t: Tensor, fill_value: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """``t``'s shape (and dtype, unless given) filled with ``fill_value``.
    ``full_like(zeros(2), 7).tolist() == [7.0, 7.0]``"""
    shape, resolved = _like(t, dtype, device, "full_like")
    return _leaf(np.full(shape, fill_value, dtype=resolved), requires_grad)


def eye(
    n: int,
    m: int | None = None,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """The identity matrix, ``n`` × ``m`` (``m`` defaults to ``n``). ``eye(2).tolist() ==
    [[1.0, 0.0], [0.0, 1.0]]``"""
    _on_cpu(device, "eye")
    resolved = float32 if dtype is None else _dtype(dtype, "eye")
    return _leaf(np.eye(n, n if m is None else m, dtype=resolved), requires_grad)


def _float_dtype(dtype: Any, where: str) -> np.dtype[Any]:
    resolved = float32 if dtype is None else _dtype(dtype, where)
    if resolved not in (float32, float64):
        raise TypeError(f"{where}: random numbers come as float32 or float64, not {resolved}")
    return resolved


def randn(
    *shape: Any,
    generator: np.random.Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Samples of the standard normal distribution, from ``generator`` (an
    :class:`Generator`, or a numpy one; :data:`default_generator` when None).

    >>> a = randn(2, 3, generator=Generator().manual_seed(0))
    >>> b = randn(2, 3, generator=np.random.default_rng(0))
    >>> a.shape, a.dtype, a.tolist() == b.tolist()
    ((2, 3), dtype('float32'), True)
    """
    _on_cpu(device, "randn")
    rng = _rng(generator, "randn")
    data = rng.standard_normal(_shape(shape, "randn"), dtype=_float_dtype(dtype, "randn"))
    return _leaf(np.asarray(data), requires_grad)


def rand(
    *shape: Any,
    generator: np.random.Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Samples uniform on [0, 1), from ``generator`` (see :func:`randn`).

    >>> x = rand(1000, generator=np.random.default_rng(1))
    >>> 0 <= x.min().item() and x.max().item() < 1
    True
    """
    _on_cpu(device, "rand")
    rng = _rng(generator, "rand")
    data = rng.random(_shape(shape, "rand"), dtype=_float_dtype(dtype, "rand"))
    return _leaf(np.asarray(data), requires_grad)


def randn_like(
    t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Standard normal samples of ``t``'s shape. ``randn_like(zeros(2, 3)).shape == (2, 3)``"""
    shape, resolved = _like(t, dtype, device, "randn_like")
    return randn(*shape, dtype=resolved, requires_grad=requires_grad)


def rand_like(
    t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Uniform samples on [0, 1) of ``t``'s shape. ``rand_like(zeros(2)).shape == (2,)``"""
    shape, resolved = _like(t, dtype, device, "rand_like")
    return rand(*shape, dtype=resolved, requires_grad=requires_grad)


def randint(
    *bounds_and_size: Any,
    generator: np.random.Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    low: int | None = None,
    high: int | None = None,
    size: Any = None,
) -> Tensor:
    """Whole numbers drawn uniformly from [``low``, ``high``), int64, of shape ``size``:
    ``randint(high, size)`` or ``randint(low, high, size)``, as PyTorch's.

    >>> x = randint(0, 10, (1000,), generator=Generator().manual_seed(0))
    >>> x.dtype, x.shape, 0 <= x.min().item() and x.max().item() < 10
    (dtype('int64'), (1000,), True)
    """
    _on_cpu(device, "randint")
    given = list(bounds_and_size)
    if size is None and given and isinstance(given[-1], (tuple, list)):
        size = given.pop()
    if len(given) == 2:
        low, high = given
    elif len(given) == 1:
        high = given[0]
    elif given:
        raise TypeError("randint(low=0, high, size): give high and size (and low if not 0)")
    if high is None or size is None:
        raise TypeError("randint needs high and size, e.g. randint(0, 10, (3,))")
    low = 0 if low is None else low
    if high <= low:
        raise ValueError(f"randint: needs low < high, got low={low}, high={high}")
    rng = _rng(generator, "randint")
    shape = _shape(tuple(size) if isinstance(size, (tuple, list)) else (size,), "randint")
    resolved = int64 if dtype is None else _dtype(dtype, "randint")
    return _leaf(rng.integers(int(low), int(high), shape).astype(resolved), requires_grad)


def randperm(
    n: int,
    *,
    generator: np.random.Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """The numbers 0 to ``n`` − 1 in a random order, int64, as PyTorch's ``randperm``.

    >>> sorted(randperm(5, generator=Generator().manual_seed(0)).tolist())
    [0, 1, 2, 3, 4]
    """
    _on_cpu(device, "randperm")
    order = _rng(generator, "randperm").permutation(int(n))
    resolved = int64 if dtype is None else _dtype(dtype, "randperm")
    return _leaf(order.astype(resolved), requires_grad)


def multinomial(
    input: Tensor,
    num_samples: int,
    replacement: bool = False,
    *,
    generator: np.random.Generator | None = None,
) -> Tensor:
    """Indices drawn from each row of ``input``'s weights (non-negative, not necessarily
    summing to one), int64, as PyTorch's: of shape (num_samples,) for a vector of weights and
    (rows, num_samples) for a matrix. Without ``replacement`` no index repeats in a row.

    >>> g = Generator().manual_seed(0)
    >>> multinomial(tensor([0.0, 1.0, 0.0]), 3, replacement=True, generator=g).tolist()
    [1, 1, 1]
    >>> sorted(multinomial(tensor([1.0, 1.0, 1.0]), 3, generator=g).tolist())
    [0, 1, 2]
    """
    weights = np.asarray(input.array if isinstance(input, Tensor) else input, dtype=np.float64)
    if weights.ndim not in (1, 2):
        raise ValueError(
            f"multinomial: weights must be a vector or a matrix, got shape {weights.shape}"
        )
    rows = weights.reshape(1, -1) if weights.ndim == 1 else weights
    if rows.shape[1] == 0:
        raise ValueError("multinomial: there are no categories to draw from")
    if not np.all(np.isfinite(rows)) or np.any(rows < 0):
        raise ValueError("multinomial: weights must be finite and >= 0")
    totals = rows.sum(axis=1, keepdims=True)
    if np.any(totals <= 0):
        raise ValueError("multinomial: every row needs a positive weight (its sum is 0)")
    count = int(num_samples)
    if count <= 0:
        raise ValueError(f"multinomial: num_samples must be positive, got {num_samples!r}")
    rng = _rng(generator, "multinomial")
    if replacement:
        cumulative = np.cumsum(rows / totals, axis=1)
        draws = rng.random((rows.shape[0], count))
        picked = np.stack([np.searchsorted(c, d, side="right") for c, d in zip(cumulative, draws)])
        # a draw above the last cumulative sum (rounding) falls on the last positive weight
        last = rows.shape[1] - 1 - np.argmax(rows[:, ::-1] > 0, axis=1)
        picked = np.minimum(picked, last[:, None])
    else:
        if count > np.min(np.count_nonzero(rows, axis=1)):
            raise ValueError(
                f"multinomial: cannot draw {count} different categories without replacement "
                "from a row with fewer positive weights (use replacement=True)"
            )
        # Each category's waiting time ~ Exp(1)/weight; the first `count` to arrive are a draw
        # without replacement with the weights' probabilities.
        with np.errstate(divide="ignore"):
            keys = rng.exponential(size=rows.shape) / rows
        picked = np.argsort(keys, axis=1, kind="stable")[:, :count]
    out = picked.astype(np.int64)
    return _leaf(out.reshape(count) if weights.ndim == 1 else out, False)


def linspace(
    start: Any,
    end: Any,
    steps: int,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``steps`` evenly spaced numbers from ``start`` to ``end``, both included (float32
    unless ``dtype`` says), as PyTorch's.

    >>> linspace(0, 1, 5).tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    _on_cpu(device, "linspace")
    start = start.item() if isinstance(start, Tensor) else start
    end = end.item() if isinstance(end, Tensor) else end
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"linspace: steps must be a whole number >= 0, got {steps!r}")
    resolved = float32 if dtype is None else _dtype(dtype, "linspace")
    return _leaf(np.linspace(start, end, int(steps)).astype(resolved), requires_grad)


def arange(
    start: Number,
    end: Number | None = None,
    step: Number = 1,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Evenly spaced numbers from ``start`` up to (not including) ``end``, as PyTorch's:
    int64 when every argument is an integer, else float32.

    >>> arange(4).tolist(), arange(0, 1, 0.25).tolist()
    ([0, 1, 2, 3], [0.0, 0.25, 0.5, 0.75])
    """
    _on_cpu(device, "arange")
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must not be 0")
    whole = all(isinstance(n, (int, np.integer)) for n in (start, end, step))
    resolved = (int64 if whole else float32) if dtype is None else _dtype(dtype, "arange")
    return _leaf(np.arange(start, end, step).astype(resolved), requires_grad)
