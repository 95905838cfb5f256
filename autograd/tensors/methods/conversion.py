"""What a Tensor holds, in PyTorch's words, and the Tensor turned into other things.

``shape``, ``dtype``, ``dim()``, ``size()``, ``numel()``; the numbers as Python (``item``,
``tolist``, ``int(x)``, ``float(x)``, f-strings) or numpy (``numpy()``, ``np.asarray(x)``);
another dtype or the device (``to``, ``.float()``, ``.long()``, ``.cpu()``, ``device``, ...);
``requires_grad_``; and copies to and from torch.

    >>> from autograd import Tensor
    >>> x = Tensor([[1, 2, 3]])
    >>> x.size(), x.numel(), x.long().tolist(), f"{x.sum():.1f}"
    ((1, 3), 3, [[1, 2, 3]], '6.0')
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from ...engine import grad_mode as _mode
from ...engine.grad_mode import GraphLeftError
from .. import devices
from .. import ops as T
from ..base import TensorBase, TensorT
from ..devices import check_device, names_a_device
from ..dtypes import Array, Number, float32, float64, int64
from ..dtypes import check_grad_dtype as _check_grad_dtype
from ..dtypes import resolve_dtype as _dtype
from ..grad_fn import GradFn, grad_fn_of
from ..interop import tensor_from_torch, tensor_to_torch
from ..notation import who

__all__ = ["ConversionMethods"]

_CPU = devices.device("cpu")

# Inside the class body the methods .float(), .int() and .bool() hide the builtins, so
# annotations there say builtins.float.


class ConversionMethods(TensorBase[TensorT]):
    """Reading a Tensor's shape and numbers, and converting it (a mixin of ``Tensor``)."""

    __slots__ = ()

    # --- what it holds ----------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        """The array's shape. ``Tensor([[1, 2, 3]]).shape == (1, 3)``"""
        return self.array.shape

    @property
    def dtype(self) -> np.dtype[Any]:
        """The array's numpy dtype. ``Tensor([1]).dtype == autograd.float32``"""
        return self.array.dtype

    @property
    def ndim(self) -> int:
        """The number of axes. ``Tensor([[1, 2]]).ndim == 2``"""
        return self.array.ndim

    @property
    def is_leaf(self) -> bool:
        """True unless an op made this tensor while recording (PyTorch's ``is_leaf``).

        >>> from autograd import Tensor
        >>> w = Tensor([1.0], requires_grad=True); w.is_leaf, (w * 2).is_leaf
        (True, False)
        """
        return not self.parents

    def dim(self) -> int:
        """The number of axes (PyTorch's name). ``Tensor([[1, 2]]).dim() == 2``"""
        return self.array.ndim

    def size(self, dim: int | None = None) -> Any:
        """The shape, or the size of one axis. ``Tensor([[1, 2, 3]]).size(1) == 3``"""
        return self.array.shape if dim is None else self.array.shape[dim]

    def numel(self) -> int:
        """The number of entries. ``Tensor([[1, 2, 3]]).numel() == 3``"""
        return self.array.size

    def item(self) -> Number:
        """The single number this tensor holds, as a Python number.

        >>> from autograd import Tensor
        >>> Tensor([[2.5]]).item()
        2.5
        """
        if self.array.size != 1:
            raise ValueError(
                f"item: {who(self)} has {self.array.size} entries; item() needs exactly one "
                "(pick one by indexing, or reduce with .sum() or .mean())"
            )
        value: Number = self.array.item()
        return value

    def tolist(self) -> Any:
        """The numbers as nested Python lists. ``Tensor([1, 2]).tolist() == [1.0, 2.0]``"""
        return self.array.tolist()

    def numpy(self) -> Array:
        """The data itself (shared, not copied), as PyTorch's ``numpy()``.

        Like PyTorch, refuses a tensor that requires grad: ``detach()`` it first.

        >>> from autograd import Tensor
        >>> Tensor([1, 2]).numpy()
        array([1., 2.], dtype=float32)
        """
        if self.requires_grad:
            raise RuntimeError(
                f"numpy: {who(self)} requires grad; use .detach().numpy() "
                "(or .array) to get its numbers without the graph"
            )
        return self.array

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> Array:
        if _mode.building_graph and self.requires_grad:
            # Inside a backward rule that builds a gradient graph, numpy would take the
            # numbers and drop the graph: a silent zero second derivative. Refuse instead.
            raise GraphLeftError(f"numpy turned {who(self)} into a plain array")
        return self.array if dtype is None else self.array.astype(dtype)

    def requires_grad_(self: TensorT, requires_grad: bool = True) -> TensorT:
        """Turn gradient tracking of this leaf on or off, in place; returns the tensor.

        >>> from autograd import Tensor
        >>> Tensor([1.0]).requires_grad_().requires_grad
        True
        """
        if self.parents and not requires_grad:
            raise RuntimeError(
                f"requires_grad_: {who(self)} was computed from tensors that require grad; "
                "use .detach() to get a copy outside the graph"
            )
        if requires_grad:
            _check_grad_dtype(self.array.dtype, self.label)
        self.requires_grad = bool(requires_grad)
        return self

    # --- dtype ----------------------------------------------------------------------------

    def to(
        self: TensorT,
        *args: Any,
        dtype: Any = None,
        device: Any = None,
        non_blocking: builtins.bool = False,
    ) -> TensorT:
        """The same numbers as another dtype, or on a device, as PyTorch's ``to``:
        ``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other_tensor)`` (its dtype)
        or the keywords. Between floats the gradient flows through. The device is the CPU,
        the only one (see :mod:`autograd.tensors.devices`; others are an error); a tensor
        already as asked is returned itself, as in PyTorch.

        >>> from autograd import Tensor
        >>> x = Tensor([1.7]); x.to(int64).tolist(), x.to("cpu") is x
        ([1], True)
        """
        for arg in args:
            if isinstance(arg, TensorBase):
                dtype = arg.array.dtype
            elif names_a_device(arg):
                device = arg
            else:
                dtype = arg
        if device is not None:
            check_device(device, "to")
        if dtype is None:
            return self
        target = _dtype(dtype, "to")
        if target == self.array.dtype:
            return self
        return self.apply(T.cast_to(target), self)

    @property
    def device(self) -> devices.device:
        """Where the tensor lives: the CPU, always (``device(type='cpu')``)."""
        return _CPU

    def cpu(self: TensorT) -> TensorT:
        """The tensor itself: it is on the CPU already. ``x.cpu() is x``"""
        return self

    def cuda(self: TensorT, *args: Any, **kwargs: Any) -> TensorT:
        """An error: there is no GPU here (``nn.to_torch`` hands a model to PyTorch)."""
        check_device("cuda", "cuda()")
        return self  # pragma: no cover - check_device raised

    def float(self) -> TensorT:
        """As float32. ``Tensor([1], dtype=autograd.int64).float().dtype == autograd.float32``"""
        return self.to(float32)

    def double(self) -> TensorT:
        """As float64. ``Tensor([1]).double().dtype == autograd.float64``"""
        return self.to(float64)

    def long(self) -> TensorT:
        """As int64, cutting off fractions (no gradient).
        ``Tensor([1.7]).long().tolist() == [1]``"""
        return self.to(int64)

    def int(self) -> TensorT:
        """As int32, cutting off fractions (no gradient).
        ``Tensor([-1.7]).int().tolist() == [-1]``"""
        return self.to(np.int32)

    def bool(self) -> TensorT:
        """As booleans (nonzero is True). ``Tensor([0, 2]).bool().tolist() == [False, True]``"""
        return self.to(np.bool_)

    # --- as Python numbers ----------------------------------------------------------------

    def __bool__(self) -> builtins.bool:
        if self.array.size != 1:
            raise ValueError(
                f"the truth value of {who(self)} with {self.array.size} entries is ambiguous: "
                "use .any() or .all()"
            )
        return builtins.bool(self.array)

    def __format__(self, spec: str) -> str:
        # A 0-d tensor formats as its number, f"{loss}" and f"{loss:.4f}" alike, as in
        # PyTorch; a one-number tensor of any shape takes a format spec too.
        if self.array.ndim == 0 or (self.array.size == 1 and spec):
            return format(self.item(), spec)
        return repr(self)

    def __float__(self) -> builtins.float:
        if _mode.building_graph and self.requires_grad:
            # As in __array__: math.cos(t) in a backward rule would drop the graph silently.
            raise GraphLeftError(f"float() turned {who(self)} into a plain number")
        return builtins.float(self.item())

    def __int__(self) -> builtins.int:
        return builtins.int(self.item())

    # --- the graph, in PyTorch's words -----------------------------------------------------

    @property
    def grad_fn(self) -> GradFn | None:
        """The op that made this tensor, as PyTorch's backward node (``AddBackward0``), or
        None for a leaf; ``next_functions`` leads on to its inputs'. See
        :mod:`autograd.tensors.grad_fn`.

        >>> from autograd import Tensor
        >>> x = Tensor([1.0], requires_grad=True, label="x")
        >>> (x + 2).grad_fn, x.grad_fn
        (<AddBackward0: x + 2>, None)
        """
        return grad_fn_of(self)

    def retain_grad(self) -> None:
        """PyTorch's request to keep a computed tensor's ``.grad`` after backward. tracegrad
        always keeps it (narration and drawings show every node's gradient), so this only
        says so.

        >>> from autograd import Tensor
        >>> x = Tensor([1.0], requires_grad=True); y = x * 3; y.retain_grad()
        >>> y.sum().backward(); y.grad.tolist()
        [1.0]
        """
        if not self.requires_grad:
            raise RuntimeError(
                f"retain_grad: {who(self)} does not require grad, so it has no gradient to keep"
            )

    @property
    def retains_grad(self) -> builtins.bool:
        """True for a computed tensor that requires grad: its ``.grad`` is kept (always)."""
        return self.requires_grad and bool(self.parents)

    def nelement(self) -> builtins.int:
        """The number of entries (PyTorch's other name for :meth:`numel`).
        ``Tensor([[1, 2, 3]]).nelement() == 3``"""
        return self.array.size

    # --- PyTorch (autograd/tensors/interop.py; torch is imported only when these are called) ---

    @classmethod
    def from_torch(cls: type[TensorT], t: Any) -> TensorT:
        """A copy of the torch tensor ``t``: its numbers, dtype and requires_grad.
        See :mod:`autograd.tensors.interop`."""
        return tensor_from_torch(cls, t)

    def to_torch(self) -> Any:
        """A ``torch.Tensor`` copy: the numbers, dtype and requires_grad (a leaf, without grad).
        See :mod:`autograd.tensors.interop`."""
        return tensor_to_torch(self)
