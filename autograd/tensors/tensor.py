"""Tensor: a node of the computation graph that holds a numpy array.

A Tensor is to arrays what :class:`~autograd.value.Value` is to floats: it remembers the op
record (:mod:`autograd.tensor_ops`) and the parents that made it, so the same graph walk,
narration (``explain``) and drawing (``draw_dot``) work on it. Names and semantics follow
PyTorch: ``requires_grad`` leaves collect ``.grad`` (an ndarray, None until the first
backward), results of ops on tensors that need no gradient record nothing, and
``no_grad()`` switches recording off.

Example:
    >>> import numpy as np
    >>> from autograd import Tensor
    >>> W = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, label="W")
    >>> x = Tensor([1.0, -1.0], label="x")
    >>> loss = (W @ x).relu().sum()
    >>> loss.backward()
    >>> loss.item(), W.grad.tolist()
    (0.0, [[0.0, 0.0], [0.0, 0.0]])
    >>> y = (x @ W).sum(); y.backward(); W.grad.tolist()
    [[1.0, 1.0], [-1.0, -1.0]]
"""

from __future__ import annotations

import builtins
import numbers
import operator
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

import numpy as np

from ..engine import grad_mode as _mode
from ..engine.grad_mode import GraphLeftError, enable_grad, is_grad_enabled, no_grad
from ..engine.graph import Observer, backward
from ..engine.notation import CONSTANT, Owner, fmt
from ..engine.notation import who as _who
from ..engine.records import OpDomainError
from ..narration.explain import explain
from ..narration.names import name_gradients
from ..narration.steps import Step, backward_steps
from ..scalar.value import Value
from . import ops as T
from .axes import (
    axis_argument,
    axis_of,
    index_argument,
    keep_argument,
    permutation,
    reduced_axes,
    reshaped,
    shape_argument,
)
from .dtypes import _ERROR_STATE, _RAISE_ON_OVERFLOW, float32, float64, int64
from .dtypes import check_grad_dtype as _check_grad_dtype
from .dtypes import floating as _floating
from .dtypes import operand_array as _operand_data
from .dtypes import resolve_dtype as _dtype
from .dtypes import to_array as _to_array
from .ops import TensorOp, fit_gradient, shape_text

__all__ = [
    "Tensor",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "float32",
    "float64",
    "int64",
    "MinMax",
]

# Inside the class body the methods .float(), .int() and .bool() hide the builtins, so
# annotations there say builtins.float.
Number = float | int | bool
Axis = int | Sequence[int] | None
Array = np.ndarray

_new = object.__new__


# --- making nodes ------------------------------------------------------------------------


def _is_cpu(where: Any) -> builtins.bool:
    """Whether ``where`` names the CPU device (a string or an ``autograd.device``)."""
    return getattr(where, "type", where) == "cpu" if not isinstance(where, np.dtype) else False


def _plain(data: Any, owner: Owner | None = None) -> Tensor:
    """A leaf that needs no gradient (a result made without recording, or a constant)."""
    if type(data) is not np.ndarray:
        data = np.asarray(data)
    out = _new(Tensor)
    out.data = data
    out.grad = None
    out.requires_grad = False
    out.op = None
    out.parents = ()
    out.ctx = None
    out.label = ""
    out.owner = owner
    return out


def apply(op: TensorOp, *inputs: Any, ctx: Any = None) -> Tensor:
    """``op`` run on ``inputs``: the one way every Tensor op is computed and recorded.

    Every Tensor method, function and loss comes here, as every scalar op goes through
    ``Value._apply``. From the record it takes the forward rule, the promotion rule
    (``floating``), the overflow policy (``overflows``), its refusals (``check``,
    ``explain``); then it decides whether to record (some input requires grad, recording
    is on, the op has a backward rule) and does the version bookkeeping for views. An input
    that is not a Tensor (a number, an array) becomes a constant, in the first Tensor's
    float dtype for plain numbers. ``ctx`` is what the op needs besides the arrays (an axis'
    indices, an index), kept on the node for backward.

    >>> from autograd.tensors import ops as T
    >>> apply(T.total(None, False), Tensor(np.ones((2, 3)))).item()
    6.0
    >>> apply(T.SUB, 1.0, Tensor([3.0])).tolist()
    [-2.0]
    """
    # Every op of every training step comes through here, so the common case is kept short
    # (bench_tensor_mlp measures it): one or two Tensors are read without a loop (a loop or a
    # list comprehension costs as much as the rest), and the rarer rules sit behind one flag.
    arity = len(inputs)
    if arity == 2 and isinstance(inputs[0], Tensor) and isinstance(inputs[1], Tensor):
        a, b = inputs
        wanted = a.requires_grad or b.requires_grad  # whether some input requires grad
        arrays: tuple[Any, ...] = (a.data, b.data)
    elif arity == 1 and isinstance(inputs[0], Tensor):
        a = inputs[0]
        wanted = a.requires_grad
        arrays = (a.data,)
    else:  # a number or an array among the inputs (made constants), or more than two
        inputs = _constants(op, inputs)
        wanted = any([t.requires_grad for t in inputs])
        arrays = tuple([t.data for t in inputs])
    if not op.takes_arrays:
        if op.check is not None:
            op.check(inputs, ctx)
        if op.floating:
            for array in arrays:
                if array.dtype.kind != "f":
                    arrays = tuple([_floating(array) for array in arrays])
                    break
        if op.takes_ctx:
            arrays += (ctx,)
    state = _ERROR_STATE.set(_RAISE_ON_OVERFLOW) if op.overflows else None
    try:
        out = op.forward(*arrays)
    except FloatingPointError:
        raise _overflow_error(op, inputs) from None
    except OpDomainError as error:
        raise _op_error(op, inputs, error) from None
    except (ValueError, IndexError, TypeError) as error:
        raise _refusal(op, inputs, ctx, error) from None
    finally:
        if state is not None:
            _ERROR_STATE.reset(state)
    if op.promotes and out.dtype is float64 and all(a.dtype is not float64 for a in arrays):
        out = out.astype(float32)  # ints with a float: PyTorch's default float, not numpy's
    if wanted and _mode.recording and op.differentiable:
        if type(out) is not np.ndarray:
            out = np.asarray(out)  # numpy turns 0-d results into scalars; .data is an array
        # The node is made here, its slots filled without __init__, whose dtype and label
        # checks are for user input: this is the hottest spot of the Tensor half.
        made = _new(Tensor)
        made.data = out
        made.grad = None
        made.requires_grad = True
        made.op = op
        made.parents = inputs
        made.ctx = ctx if op.keeps is None else op.keeps(ctx)
        made.label = ""
        made.owner = None
        made._recorded_at = _inplace.CHANGES  # see autograd/inplace.py
    else:
        made = _plain(out)
    if op.view and out.base is not None:
        return _inplace.share(made, inputs[0])
    return made


def _constants(op: TensorOp, inputs: Sequence[Any]) -> tuple[Tensor, ...]:
    """The inputs with every non-Tensor made a constant node, as the first Tensor reads it."""
    like = None
    recording = False
    for x in inputs:
        if isinstance(x, Tensor):
            like = like if like is not None else x
            recording = recording or x.requires_grad
    if like is None:
        raise TypeError(f"{op.name}: needs at least one Tensor, got {inputs!r:.60}")
    recording = recording and _mode.recording
    nodes = []
    for x in inputs:
        if isinstance(x, Tensor):
            nodes.append(x)
            continue
        array = _operand_data(x, op.name, like)
        # The caller's own array is copied when a graph keeps it: changing it after the
        # forward pass must not change the gradient (PyTorch copies a numpy operand too).
        nodes.append(_plain(array.copy() if recording and array is x else array, CONSTANT))
    return tuple(nodes)


def _op_error(op: TensorOp, parents: Sequence[Tensor], error: OpDomainError) -> Exception:
    inputs = ", ".join(_who(p) for p in parents)
    return error.kind(f"{op.name}({inputs}): {error}")


def _refusal(op: TensorOp, inputs: Sequence[Tensor], ctx: Any, error: Exception) -> Exception:
    """The learner's error for arguments a forward rule refused (shapes, axes, indices)."""
    if op.explain is not None:
        return op.explain(inputs, ctx, error)
    if len(inputs) == 2 and isinstance(error, ValueError):
        a, b = inputs
        try:
            np.broadcast_shapes(a.data.shape, b.data.shape)
        except ValueError:
            return ValueError(
                f"{op.name}: shapes {shape_text(a.data.shape)} and {shape_text(b.data.shape)} "
                f"do not broadcast ({_who(a)} and {_who(b)}). Broadcasting lines the shapes up "
                "from the right; each pair of sizes must be equal, or one of them 1"
            )
    if isinstance(error, TypeError):
        return TypeError(f"{op.name}: {error} ({', '.join(_who(t) for t in inputs)})")
    return error


def _overflow_error(op: TensorOp, parents: Sequence[Tensor]) -> OverflowError:
    """The error of the overflow policy (README, "What tracegrad promises")."""
    inputs = ", ".join(_who(p) for p in parents)
    dtype = np.result_type(*(p.data for p in parents))
    dtype = dtype if dtype.kind == "f" else float32
    wider = "" if dtype == float64 else ", or compute in float64"
    return OverflowError(
        f"{op.name}({inputs}): the result is too large for {dtype} (beyond "
        f"±{builtins.float(np.finfo(dtype).max):.4g}) and would be inf. tracegrad stops at the "
        "op that overflows from finite inputs, as exp and ** do; inf or NaN already in an "
        f"input passes through. Scale the inputs down{wider}"
    )


#: The axes of 0 to 64 dimensions (numpy's most) in reverse order: ``.T``, which nn.Linear uses
#: every step, skips building and checking the order.
_REVERSED = [tuple(range(n - 1, -1, -1)) for n in range(65)]


class MinMax(NamedTuple):
    """What ``max(dim)`` and ``min(dim)`` return, as in PyTorch: the values and their indices.

    >>> values, indices = Tensor([[1.0, 5.0], [7.0, 2.0]]).max(1)
    >>> values.tolist(), indices.tolist()
    ([5.0, 7.0], [1, 0])
    """

    values: Tensor
    indices: Tensor


# --- the Tensor --------------------------------------------------------------------------


class Tensor:
    """An array that records how it was computed, so gradients can flow back through it.

    ``Tensor(data, requires_grad=False, dtype=None, label="")``: the data is copied into a
    new ndarray of ``dtype`` (float32 unless given, like ``torch.Tensor``; use
    :func:`tensor` to keep integer data as int64). Only float tensors can require grad.

    >>> x = Tensor([[1, 2, 3]], label="x")
    >>> x.shape, x.dtype, x.ndim
    ((1, 3), dtype('float32'), 2)
    >>> y = x * 2 + 1
    >>> y.tolist()
    [[3.0, 5.0, 7.0]]
    """

    __slots__ = (
        "data",
        "grad",
        "requires_grad",
        "op",
        "parents",
        "ctx",
        "label",
        "owner",
        "_recorded_at",  # on recorded nodes only: inplace.CHANGES when the op ran
        "_vc",  # once changed in place or viewed: the VersionCounter shared with its views
    )
    apply = staticmethod(apply)
    # numpy defers to Tensor's reflected operators (ndarray + Tensor gives a Tensor).
    __array_ufunc__ = None
    __hash__ = object.__hash__  # __eq__ compares elementwise, so hash by identity as PyTorch

    data: Array
    grad: Array | None
    requires_grad: bool
    op: TensorOp | None
    parents: tuple[Tensor, ...]
    ctx: Any
    label: str
    owner: Owner | None
    _recorded_at: int
    _vc: _inplace.VersionCounter

    def __init__(
        self, data: Any, requires_grad: bool = False, dtype: Any = None, *, label: str = ""
    ) -> None:
        if not isinstance(label, str):
            raise TypeError(f"Tensor label must be a str, got {type(label).__name__} {label!r}")
        resolved = float32 if dtype is None else _dtype(dtype)
        self.data = _to_array(data, resolved, label)
        self.requires_grad = bool(requires_grad)
        if self.requires_grad:
            _check_grad_dtype(self.data.dtype, label)
        self.grad = None
        self.op = None
        self.parents = ()
        self.ctx = None
        self.label = label
        self.owner = None

    # --- what it holds ----------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        """The array's shape. ``Tensor([[1, 2, 3]]).shape == (1, 3)``"""
        return self.data.shape

    @property
    def dtype(self) -> np.dtype[Any]:
        """The array's numpy dtype. ``Tensor([1]).dtype == autograd.float32``"""
        return self.data.dtype

    @property
    def ndim(self) -> int:
        """The number of axes. ``Tensor([[1, 2]]).ndim == 2``"""
        return self.data.ndim

    @property
    def _version(self) -> int:
        """How many times the numbers of this tensor were changed in place through a Tensor
        (PyTorch's ``_version``): ``+=``, ``-=``, ``*=``, ``/=`` and ``x[…] = …``, on this
        tensor or on one sharing its numbers (a view, its base, ``detach()``).

        Backward refuses to use a tensor changed after the op that saved it ran (see
        :mod:`autograd.inplace`). Writing to the array itself (``x.data -= …``, as
        optimizers do, or through ``numpy()``) is not counted, as in PyTorch's ``.data``.

        >>> x = Tensor([1.0, 2.0]); x += 1; x[0] = 5.0; x.data += 1; x._version
        2
        >>> v = x[1:]; v += 1; x._version
        3
        """
        c = getattr(self, "_vc", None)
        return 0 if c is None else c.version

    @property
    def is_leaf(self) -> bool:
        """True unless an op made this tensor while recording (PyTorch's ``is_leaf``).

        >>> w = Tensor([1.0], requires_grad=True); w.is_leaf, (w * 2).is_leaf
        (True, False)
        """
        return not self.parents

    def dim(self) -> int:
        """The number of axes (PyTorch's name). ``Tensor([[1, 2]]).dim() == 2``"""
        return self.data.ndim

    def size(self, dim: int | None = None) -> Any:
        """The shape, or the size of one axis. ``Tensor([[1, 2, 3]]).size(1) == 3``"""
        return self.data.shape if dim is None else self.data.shape[dim]

    def numel(self) -> int:
        """The number of entries. ``Tensor([[1, 2, 3]]).numel() == 3``"""
        return self.data.size

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor (a single number) is undefined")
        return self.data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor (a single number)")
        for i in range(self.data.shape[0]):
            yield self[i]

    def item(self) -> Number:
        """The single number this tensor holds, as a Python number.

        >>> Tensor([[2.5]]).item()
        2.5
        """
        if self.data.size != 1:
            raise ValueError(
                f"item: {_who(self)} has {self.data.size} entries; item() needs exactly one "
                "(pick one by indexing, or reduce with .sum() or .mean())"
            )
        value: Number = self.data.item()
        return value

    def tolist(self) -> Any:
        """The numbers as nested Python lists. ``Tensor([1, 2]).tolist() == [1.0, 2.0]``"""
        return self.data.tolist()

    def numpy(self) -> Array:
        """The data itself (shared, not copied), as PyTorch's ``numpy()``.

        Like PyTorch, refuses a tensor that requires grad: ``detach()`` it first.

        >>> Tensor([1, 2]).numpy()
        array([1., 2.], dtype=float32)
        """
        if self.requires_grad:
            raise RuntimeError(
                f"numpy: {_who(self)} requires grad; use .detach().numpy() "
                "(or .data) to get its numbers without the graph"
            )
        return self.data

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> Array:
        if _mode.building_graph and self.requires_grad:
            # Inside a backward rule that builds a gradient graph, numpy would take the
            # numbers and drop the graph: a silent zero second derivative. Refuse instead.
            raise GraphLeftError(f"numpy turned {_who(self)} into a plain array")
        return self.data if dtype is None else self.data.astype(dtype)

    def detach(self) -> Tensor:
        """The same data (shared) as a new leaf outside the graph.

        >>> w = Tensor([1.0], requires_grad=True); (w * 3).detach().requires_grad
        False
        """
        out = _plain(self.data)
        out._vc = _inplace.counter(self)  # the same numbers: changing one is seen by both
        return out

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Turn gradient tracking of this leaf on or off, in place; returns the tensor.

        >>> Tensor([1.0]).requires_grad_().requires_grad
        True
        """
        if self.parents and not requires_grad:
            raise RuntimeError(
                f"requires_grad_: {_who(self)} was computed from tensors that require grad; "
                "use .detach() to get a copy outside the graph"
            )
        if requires_grad:
            _check_grad_dtype(self.data.dtype, self.label)
        self.requires_grad = bool(requires_grad)
        return self

    # --- dtype ----------------------------------------------------------------------------

    def to(self, dtype: Any) -> Tensor:
        """The same numbers as ``dtype``; between floats the gradient flows through.
        A device ("cpu", the only one) leaves the tensor as it is, as in PyTorch.

        >>> Tensor([1.7]).to(int64).tolist()
        [1]
        """
        if _is_cpu(dtype):
            return self
        target = _dtype(dtype, "to")
        if target == self.data.dtype:
            return self
        return apply(T.cast_to(target), self)

    def float(self) -> Tensor:
        """As float32. ``Tensor([1], dtype=autograd.int64).float().dtype == autograd.float32``"""
        return self.to(float32)

    def double(self) -> Tensor:
        """As float64. ``Tensor([1]).double().dtype == autograd.float64``"""
        return self.to(float64)

    def long(self) -> Tensor:
        """As int64, cutting off fractions (no gradient).
        ``Tensor([1.7]).long().tolist() == [1]``"""
        return self.to(int64)

    def int(self) -> Tensor:
        """As int32, cutting off fractions (no gradient).
        ``Tensor([-1.7]).int().tolist() == [-1]``"""
        return self.to(np.int32)

    def bool(self) -> Tensor:
        """As booleans (nonzero is True). ``Tensor([0, 2]).bool().tolist() == [False, True]``"""
        return self.to(np.bool_)

    def round(self, decimals: builtins.int = 0) -> Tensor:
        """Rounded to ``decimals`` places, halves to even. Its gradient is 0 (it is flat
        between its jumps), as in PyTorch, so backward passes through it.

        >>> Tensor([0.5, 1.5, 0.26]).round().tolist(), Tensor([0.26]).round(1).item()
        ([0.0, 2.0, 0.0], 0.30000001192092896)
        """
        return apply(T.rounding(operator.index(decimals)), self)

    # --- arithmetic -----------------------------------------------------------------------

    def __add__(self, other: Any) -> Tensor:
        return apply(T.ADD, self, other)

    def __radd__(self, other: Any) -> Tensor:
        return apply(T.ADD, other, self)

    def __sub__(self, other: Any) -> Tensor:
        return apply(T.SUB, self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return apply(T.SUB, other, self)

    def __mul__(self, other: Any) -> Tensor:
        return apply(T.MUL, self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return apply(T.MUL, other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return apply(T.DIV, self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return apply(T.DIV, other, self)

    def __pow__(self, other: Any) -> Tensor:
        if isinstance(other, (numbers.Real, np.generic)) and not isinstance(other, Value):
            # A plain-number exponent is part of the op, not an input: x**2 has one parent.
            # Its type matters to integer tensors (x**3 is int64, x**3.0 float32; the op says).
            if isinstance(other, numbers.Integral):
                return apply(T.power(builtins.int(other)), self)
            return apply(T.power(builtins.float(other)), self)
        return apply(T.POW, self, other)

    def __rpow__(self, other: Any) -> Tensor:
        if isinstance(other, (numbers.Real, np.generic)) and builtins.float(other) > 0:
            return apply(T.exponential(builtins.float(other)), self)
        return apply(T.POW, other, self)

    def __neg__(self) -> Tensor:
        return apply(T.NEG, self)

    def __matmul__(self, other: Any) -> Tensor:
        return apply(T.MATMUL, self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return apply(T.MATMUL, other, self)

    # --- in place, for updates outside the graph ----------------------------------------

    # The rules and the version count live in autograd/inplace.py.

    def __iadd__(self, other: Any) -> Tensor:
        return _inplace.apply_in_place(self, np.add, other, "+=")

    def __isub__(self, other: Any) -> Tensor:
        return _inplace.apply_in_place(self, np.subtract, other, "-=")

    def __imul__(self, other: Any) -> Tensor:
        return _inplace.apply_in_place(self, np.multiply, other, "*=")

    def __itruediv__(self, other: Any) -> Tensor:
        return _inplace.apply_in_place(self, np.true_divide, other, "/=")

    def __setitem__(self, index: Any, value: Any) -> None:
        """``x[index] = value`` copies numbers into ``x`` in place, outside the graph.

        While recording, neither side may need a gradient: ``x``, because the graph needs
        it as it is; ``value``, because the copy would carry its numbers but not its
        history, so the gradient would stop there. Build such a tensor from its pieces with
        :func:`cat`, :func:`stack` or arithmetic instead.

        >>> from autograd import zeros
        >>> x = zeros(3); x[1] = 5.0; x[2:] = Tensor([7.0]); x.tolist()
        [0.0, 5.0, 7.0]
        """
        _inplace.assign(self, index, value)

    # --- comparisons: tensors of booleans, outside the graph ----------------------------

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return apply(T.EQUAL, self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return apply(T.NOT_EQUAL, self, other)

    def __lt__(self, other: Any) -> Tensor:
        return apply(T.LESS, self, other)

    def __le__(self, other: Any) -> Tensor:
        return apply(T.LESS_EQUAL, self, other)

    def __gt__(self, other: Any) -> Tensor:
        return apply(T.GREATER, self, other)

    def __ge__(self, other: Any) -> Tensor:
        return apply(T.GREATER_EQUAL, self, other)

    def __bool__(self) -> builtins.bool:
        if self.data.size != 1:
            raise ValueError(
                f"the truth value of {_who(self)} with {self.data.size} entries is ambiguous: "
                "use .any() or .all()"
            )
        return builtins.bool(self.data)

    def __format__(self, spec: str) -> str:
        # f"{loss:.4f}" works for one number, as in PyTorch
        return format(self.item(), spec) if self.data.size == 1 and spec else repr(self)

    def __float__(self) -> builtins.float:
        if _mode.building_graph and self.requires_grad:
            # As in __array__: math.cos(t) in a backward rule would drop the graph silently.
            raise GraphLeftError(f"float() turned {_who(self)} into a plain number")
        return builtins.float(self.item())

    def __int__(self) -> builtins.int:
        return builtins.int(self.item())

    def __invert__(self) -> Tensor:
        """``~mask``: booleans flipped (integers: bitwise not), outside the graph, as PyTorch.

        >>> (~Tensor([1, 0], dtype=bool)).tolist()
        [False, True]
        """
        return apply(T.INVERT, self)

    def logical_not(self) -> Tensor:
        """True where an entry is 0 (or False). ``Tensor([0, 2]).logical_not().tolist() ==
        [True, False]``"""
        return apply(T.LOGICAL_NOT, self)

    def any(self) -> Tensor:
        """Whether any entry is nonzero. ``Tensor([0, 1]).any().item() is True``"""
        return apply(T.ANY, self)

    def all(self) -> Tensor:
        """Whether every entry is nonzero. ``Tensor([0, 1]).all().item() is False``"""
        return apply(T.ALL, self)

    # --- functions, elementwise -----------------------------------------------------------

    def exp(self) -> Tensor:
        """e to the power of each entry. ``Tensor([0.0]).exp().item() == 1.0``"""
        return apply(T.EXP, self)

    def log(self) -> Tensor:
        """Natural logarithm of each entry; every entry must be positive.
        ``Tensor([1.0]).log().item() == 0.0``"""
        return apply(T.LOG, self)

    def sqrt(self) -> Tensor:
        """Square root of each entry (``x ** 0.5``). ``Tensor([4.0]).sqrt().item() == 2.0``"""
        return self**0.5

    def tanh(self) -> Tensor:
        """Hyperbolic tangent of each entry. ``Tensor([0.0]).tanh().item() == 0.0``"""
        return apply(T.TANH, self)

    def sigmoid(self) -> Tensor:
        """1/(1+e⁻ˣ) for each entry, stable for any input.
        ``Tensor([0.0]).sigmoid().item() == 0.5``"""
        return apply(T.SIGMOID, self)

    def relu(self) -> Tensor:
        """max(0, x) for each entry (slope 0 at 0).
        ``Tensor([-1.0, 2.0]).relu().tolist() == [0.0, 2.0]``"""
        return apply(T.RELU, self)

    def leaky_relu(self, slope: builtins.float = 0.01) -> Tensor:
        """x if x > 0 else slope·x, for each entry.
        ``Tensor([-2.0, 3.0], dtype=float64).leaky_relu(0.1).tolist() == [-0.2, 3.0]``"""
        return apply(T.leaky_relu(builtins.float(slope)), self)

    def clip(self, min: builtins.float | None = None, max: builtins.float | None = None) -> Tensor:
        """Each entry limited to [min, max] (PyTorch's ``clamp``); gradient 0 outside.

        >>> Tensor([-1.0, 0.5, 2.0]).clip(0, 1).tolist()
        [0.0, 0.5, 1.0]
        """
        if min is None and max is None:
            raise ValueError("clip needs min, max or both")
        low = None if min is None else builtins.float(min)
        high = None if max is None else builtins.float(max)
        return apply(T.clip(low, high), self)

    clamp = clip

    # --- reductions -----------------------------------------------------------------------

    def sum(
        self,
        axis: Axis = None,
        keepdims: builtins.bool = False,
        *,
        dim: Axis = None,
        keepdim: builtins.bool | None = None,
    ) -> Tensor:
        """The sum over ``axis`` (an int, a tuple, or None for all entries) of this tensor.

        A reduction of one tensor, unlike the static ``Value.sum``, which adds a list of Values.

        >>> Tensor([[1, 2], [3, 4]]).sum(0).tolist(), Tensor([[1, 2]]).sum(1, keepdims=True).shape
        ([4.0, 6.0], (1, 1))
        """
        return apply(
            T.total(reduced_axes("sum", axis, dim), keep_argument(keepdims, keepdim)), self
        )

    def mean(
        self,
        axis: Axis = None,
        keepdims: builtins.bool = False,
        *,
        dim: Axis = None,
        keepdim: builtins.bool | None = None,
    ) -> Tensor:
        """The mean over ``axis`` (None: all entries). ``Tensor([1, 2, 6]).mean().item() == 3.0``"""
        return apply(
            T.mean(reduced_axes("mean", axis, dim), keep_argument(keepdims, keepdim)), self
        )

    def amax(self, axis: Axis = None, keepdims: builtins.bool = False) -> Tensor:
        """The largest entry over ``axis``; tied entries share the gradient.

        >>> Tensor([[1, 5], [7, 2]]).amax(axis=0).tolist()
        [7.0, 5.0]
        """
        return apply(T.extreme("max", reduced_axes("amax", axis, None), keepdims), self)

    def amin(self, axis: Axis = None, keepdims: builtins.bool = False) -> Tensor:
        """The smallest entry over ``axis``; tied entries share the gradient.
        ``Tensor([3, 1, 2]).amin().item() == 1.0``"""
        return apply(T.extreme("min", reduced_axes("amin", axis, None), keepdims), self)

    def max(
        self,
        dim: Axis = None,
        keepdim: builtins.bool = False,
        *,
        axis: Axis = None,
        keepdims: builtins.bool | None = None,
    ) -> Any:
        """The largest entry, as in PyTorch: without ``dim`` a tensor holding the largest
        entry; with one ``dim``, the pair ``(values, indices)`` along it. A tuple of axes
        gives only the values (like :meth:`amax`).

        >>> Tensor([[1, 5], [7, 2]]).max().item()
        7.0
        >>> values, indices = Tensor([[1, 5], [7, 2]]).max(dim=1)
        >>> values.tolist(), indices.tolist()
        ([5.0, 7.0], [1, 0])
        """
        return self._extreme(
            "max", reduced_axes("max", dim, axis), keep_argument(keepdim, keepdims)
        )

    def min(
        self,
        dim: Axis = None,
        keepdim: builtins.bool = False,
        *,
        axis: Axis = None,
        keepdims: builtins.bool | None = None,
    ) -> Any:
        """The smallest entry, as in PyTorch (see :meth:`max`).

        >>> Tensor([[1, 5], [7, 2]]).min(0).values.tolist()
        [1.0, 2.0]
        """
        return self._extreme(
            "min", reduced_axes("min", dim, axis), keep_argument(keepdim, keepdims)
        )

    def _extreme(self, kind: str, axis: Any, keep: builtins.bool) -> Any:
        if axis is None or isinstance(axis, tuple):
            return apply(T.extreme(kind, axis, keep), self)
        axis = axis_of(kind, self, axis)
        if self.data.ndim == 0:  # one number: itself, at index 0 (PyTorch allows dim 0 or -1)
            return self.reshape(1)._extreme(kind, 0, False)
        indices = apply(T.arg_extreme(kind, axis, True, kind), self)
        values = apply(T.max_along(kind, axis, keep), self, ctx=indices.data)
        return MinMax(values, indices if keep else indices.reshape(values.data.shape))

    def argmax(
        self, dim: builtins.int | None = None, keepdim: builtins.bool = False, *, axis: Any = None
    ) -> Tensor:
        """The index of the largest entry (along ``dim``), as int64; ties give the first.

        >>> Tensor([[1, 5], [7, 2]]).argmax(1).tolist(), Tensor([1, 5, 2]).argmax().item()
        ([1, 0], 1)
        """
        return self._arg_extreme("max", axis_argument("argmax", dim, axis), keepdim)

    def argmin(
        self, dim: builtins.int | None = None, keepdim: builtins.bool = False, *, axis: Any = None
    ) -> Tensor:
        """The index of the smallest entry (along ``dim``), as int64.
        ``Tensor([3, 1, 2]).argmin().item() == 1``"""
        return self._arg_extreme("min", axis_argument("argmin", dim, axis), keepdim)

    def _arg_extreme(self, kind: str, axis: Any, keep: builtins.bool) -> Tensor:
        axis = None if axis is None else axis_of(f"arg{kind}", self, axis)
        return apply(T.arg_extreme(kind, axis, builtins.bool(keep)), self)

    # --- softmax --------------------------------------------------------------------------

    def softmax(self, axis: builtins.int = -1, *, dim: builtins.int | None = None) -> Tensor:
        """exp(x) / Σ exp(x) along ``axis``, stable for large inputs.

        >>> Tensor([[1000.0, 1000.0]]).softmax(axis=1).tolist()
        [[0.5, 0.5]]
        """
        axis = axis_of(
            "softmax", self, axis_argument("softmax", axis if dim is None else None, dim)
        )
        return apply(T.softmax(axis), self)

    def log_softmax(self, axis: builtins.int = -1, *, dim: builtins.int | None = None) -> Tensor:
        """x − log Σ exp(x) along ``axis``, stable: the log-probabilities cross-entropy needs.

        >>> Tensor([[0.0, 0.0]]).log_softmax(1).tolist()
        [[-0.6931471824645996, -0.6931471824645996]]
        """
        axis = axis_of(
            "log_softmax", self, axis_argument("log_softmax", axis if dim is None else None, dim)
        )
        return apply(T.log_softmax(axis), self)

    # --- shape ----------------------------------------------------------------------------

    def reshape(self, *shape: Any) -> Tensor:
        """The same entries in a new shape; one size may be -1 (worked out).

        >>> Tensor([1, 2, 3, 4, 5, 6]).reshape(2, -1).shape
        (2, 3)
        """
        return apply(T.reshape(reshaped(self, shape_argument(shape))), self)

    view = reshape

    def flatten(self, start_dim: builtins.int = 0, end_dim: builtins.int = -1) -> Tensor:
        """Axes ``start_dim`` to ``end_dim`` merged into one, as PyTorch's ``flatten``.

        >>> from autograd import zeros
        >>> zeros(2, 3, 4).flatten(1).shape
        (2, 12)
        """
        shape = self.data.shape
        if not shape:
            return self.reshape(1)
        start = axis_of("flatten", self, start_dim)
        end = axis_of("flatten", self, end_dim)
        return self.reshape(*shape[:start], -1, *shape[end + 1 :])

    def permute(self, *axes: Any) -> Tensor:
        """The axes in a new order. ``zeros(2, 3, 4).permute(2, 0, 1).shape == (4, 2, 3)``"""
        return apply(T.permute(permutation(self, axes)), self)

    def transpose(self, *dims: Any) -> Tensor:
        """``transpose(d0, d1)`` swaps two axes (PyTorch); no arguments reverses them all.

        >>> from autograd import zeros
        >>> zeros(2, 3, 4).transpose(0, 2).shape, zeros(2, 3).transpose().shape
        ((4, 3, 2), (3, 2))
        """
        ndim = self.data.ndim
        if not dims:
            return apply(T.permute(tuple(range(ndim - 1, -1, -1))), self)
        if len(dims) == 2 and all(isinstance(d, (int, np.integer)) for d in dims):
            order = list(range(ndim))
            first, second = (axis_of("transpose", self, d) for d in dims)
            order[first], order[second] = order[second], order[first]
            return apply(T.permute(tuple(order)), self)
        return self.permute(*dims)

    @property
    def T(self) -> Tensor:
        """The axes reversed: the transpose of a matrix. ``zeros(2, 3).T.shape == (3, 2)``

        A vector (or a single number) has nothing to reverse: its ``.T`` is a new tensor
        with the same numbers (sharing them, like PyTorch's view), never the tensor itself,
        so labelling the result leaves the original's label alone.

        >>> v = Tensor([1.0, 2.0], label="v"); v.T is v, v.T.tolist()
        (False, [1.0, 2.0])
        """
        return apply(T.permute(_REVERSED[self.data.ndim]), self)

    def __getitem__(self, index: Any) -> Tensor:
        return apply(T.INDEX, self, ctx=(index_argument(index, Tensor), None, index))

    # --- gradients ------------------------------------------------------------------------

    def backward(
        self,
        gradient: Any = None,
        *,
        grad: Any = None,
        retain_graph: builtins.bool | None = None,
        create_graph: builtins.bool = False,
    ) -> None:
        """Fill in ``.grad`` of every tensor this one depends on that requires grad.

        Leaves accumulate across calls, as in PyTorch; intermediate tensors start again from
        zero at each call and keep their grads for reading and drawing. A tensor with more
        than one entry needs ``gradient`` (d root / d self, of the same shape).

        A tensor the graph used that was changed in place afterwards (``x += 1``,
        ``x[0] = 5``, also inside ``no_grad()``) makes backward raise a RuntimeError instead
        of returning a wrong gradient. Writes straight to ``.data`` (what optimizers do) are
        not seen, as in PyTorch: see :attr:`_version`.

        With ``create_graph=True`` every ``.grad`` is a Tensor built from nodes, which can be
        differentiated again (see :func:`autograd.grad`). ``retain_graph`` is accepted for
        PyTorch's sake: graphs are always kept.

        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> (w * w).sum().backward(); (w * w).sum().backward(); w.grad.tolist()
        [4.0, 8.0]
        """
        if grad is not None:
            if gradient is not None:
                raise TypeError("backward: give gradient or grad, not both")
            gradient = grad
        if not self.requires_grad:
            raise RuntimeError(
                f"backward: {_who(self)} does not require grad and was not computed from "
                "anything that does, so there is nothing to differentiate (create the inputs "
                "with requires_grad=True, outside no_grad())"
            )
        backward(self, gradient, create_graph=create_graph)
        if create_graph:
            name_gradients(self, _plain)

    def backward_steps(self) -> Iterator[Step]:
        """Backward one chain-rule step at a time, narrated with shapes (a scalar root).

        >>> x = Tensor([[1.0, 2.0]], requires_grad=True, label="x")
        >>> loss = (x * 3).sum(); loss.label = "loss"
        >>> for step in loss.backward_steps(): print(step)
        dloss/d(x · 3) = [1×2]
        dloss/dx = dloss/d(x · 3) · d(x · 3)/dx = [1×2] · … = [1×2]
        """
        return backward_steps(self)

    def explain(self) -> str:
        """The lesson as text: every value with its shape, then every backward step.

        >>> x = Tensor([[1.0, 2.0]], requires_grad=True, label="x")
        >>> print(x.sum().explain().splitlines()[2])
          out = sum(x) = sum([1×2]) = 3 float32
        """
        return explain(self)

    # --- the node protocol (autograd.engine.graph.Node): what backward runs on ------------

    #: A Tensor's grad before any gradient arrives: None, as in PyTorch.
    initial_grad = None

    def seed(self, gradient: Any = None, create_graph: builtins.bool = False) -> Any:
        """d(root)/d(root) when backward starts here: ones for a single number, else
        ``gradient`` checked against this tensor's shape (a Tensor under ``create_graph``).

        >>> Tensor([2.0], requires_grad=True).seed().tolist()
        [1.0]
        """
        if not self.requires_grad:
            raise RuntimeError(f"backward: {_who(self)} does not require grad")
        data = self.data
        if gradient is None:
            if data.size != 1:
                raise RuntimeError(
                    f"backward: grad can be implicitly created only for scalar outputs, and "
                    f"{_who(self)} has {data.size} entries. Pass the gradient of the same "
                    f"shape, e.g. out.backward(autograd.ones({', '.join(map(str, data.shape))})), "
                    "or reduce first: out.sum().backward()"
                )
            seed = np.array(1, data.dtype) if data.ndim == 0 else np.ones(data.shape, data.dtype)
        else:
            given = gradient.data if isinstance(gradient, Tensor) else gradient
            seed = _to_array(given, data.dtype, "gradient")
            if seed.shape != data.shape:
                raise ValueError(
                    f"backward: the gradient has shape {shape_text(seed.shape)}, but "
                    f"{_who(self)} has shape {shape_text(data.shape)}"
                )
            if create_graph and isinstance(gradient, Tensor):
                return gradient if gradient.data.dtype == data.dtype else gradient.to(data.dtype)
        return _plain(seed) if create_graph else seed

    def propagate(
        self, observer: Observer | None = None, create_graph: builtins.bool = False
    ) -> None:
        """The chain rule at this node: the op's backward rule turns ``grad`` into each
        input's share, fitted to the input's shape and dtype and added into its ``grad``
        (inputs that need no gradient get none). With ``create_graph`` the rule runs on
        Tensors, so the shares are a graph that can be differentiated again.

        >>> x = Tensor([1.0, 2.0], requires_grad=True); y = x * 3
        >>> y.grad = np.ones(2, np.float32); y.propagate(); x.grad.tolist()
        [3.0, 3.0]
        """
        if self._recorded_at != _inplace.CHANGES:  # something changed in place since it ran
            _inplace.check_unchanged(self)
        upstream: Any = self.grad
        if upstream is None:  # every rule that could reach it gave None: nothing to hand on
            return
        shares: Sequence[Any]
        if create_graph:
            shares = _graph_contributions(self, upstream)
        else:
            assert self.op is not None
            shares = self.op.backward(self, upstream)
        grad: Any
        for i, (parent, grad) in enumerate(zip(self.parents, shares)):
            if grad is None or not parent.requires_grad:
                continue
            if not create_graph:
                if type(grad) is not np.ndarray:
                    grad = np.asarray(grad)
                data = parent.data
                if grad.shape != data.shape or grad.dtype is not data.dtype:
                    grad = fit_gradient(grad, data)  # a new array
                elif not parent.parents and (grad is upstream or grad.base is not None):
                    grad = grad.copy()  # a leaf keeps what it receives: an array of its own
            # Never in place: a grad array, once stored, is never changed by the engine.
            held = parent.grad
            parent.grad = grad if held is None else held + grad
            if observer is not None:
                observer(self, i, parent, None, grad)  # no one local number for arrays

    def who(self) -> str:
        """How errors name this tensor: its label, shape and dtype.
        ``Tensor([1.0], label="x").who() == "'x' [1] float32"``"""
        return _who(self)

    @staticmethod
    def describe(number: Any) -> str:
        """``[64×256] float32`` for an array; one number (0-d) is written with its dtype.
        ``Tensor.describe(np.zeros((2, 3))) == '[2×3] float64'``"""
        if number is None:
            return "None"
        if isinstance(number, Tensor):
            number = number.data
        shape = np.shape(number)
        dtype = getattr(number, "dtype", None)
        if not shape:
            text = fmt(builtins.float(number))
            return f"{text} {dtype}" if dtype is not None else text
        return f"{shape_text(shape)} {dtype}"

    @staticmethod
    def brief(number: Any) -> str:
        """Inside a sentence: ``[64×256]`` for an array, the number for a single number.
        ``Tensor.brief(np.zeros((2, 3))) == '[2×3]'``"""
        if number is None:
            return "None"
        if isinstance(number, Tensor):
            number = number.data
        shape = np.shape(number)
        return shape_text(shape) if shape else fmt(builtins.float(number))

    def __repr__(self) -> str:
        body = np.array2string(
            self.data, separator=", ", precision=4, threshold=100, prefix="tensor("
        )
        extras = []
        if self.data.dtype not in (float32, int64, np.dtype(bool)):
            extras.append(f"dtype={self.data.dtype}")
        if self.label:
            extras.append(f"label={self.label!r}")
        if self.op is not None:
            extras.append(f"op={self.op.name}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return f"tensor({body}{''.join(', ' + e for e in extras)})"

    # --- PyTorch (autograd/torch_bridge.py; torch is imported only when these are called) ---

    @classmethod
    def from_torch(cls, t: Any) -> Tensor:
        """A copy of the torch tensor ``t``: its numbers, dtype and requires_grad.
        See :mod:`autograd.torch_bridge`."""
        from .interop import tensor_from_torch

        return tensor_from_torch(cls, t)

    def to_torch(self) -> Any:
        """A ``torch.Tensor`` copy: the numbers, dtype and requires_grad (a leaf, without grad).
        See :mod:`autograd.torch_bridge`."""
        from .interop import tensor_to_torch

        return tensor_to_torch(self)


class _AsNodes:
    """A recorded node as its backward rule sees it when building a gradient graph:
    ``data`` is the Tensor itself rather than its array, so the rule's arithmetic records
    nodes (each rule is written once, for arrays and Tensors alike)."""

    __slots__ = ("data", "parents", "ctx", "requires_grad")

    def __init__(self, data: Tensor, parents: tuple[_AsNodes, ...], requires_grad: bool) -> None:
        self.data = data
        self.parents = parents
        self.ctx = data.ctx
        self.requires_grad = requires_grad


def _graph_contributions(node: Tensor, upstream: Tensor) -> list[Tensor | None]:
    """Each parent's share of ``upstream`` as Tensors recorded in a graph (create_graph)."""
    op = node.op
    assert op is not None
    view = _AsNodes(node, tuple(_AsNodes(p, (), p.requires_grad) for p in node.parents), True)
    building, _mode.building_graph = _mode.building_graph, True
    try:
        grads = list(op.backward(view, upstream))
    except (TypeError, AttributeError) as error:
        raise RuntimeError(
            f"{op.name}: its backward rule cannot be built from Tensors, so it cannot be "
            f"differentiated twice (create_graph=True): {error}"
        ) from None
    finally:
        _mode.building_graph = building
    shares: list[Tensor | None] = []
    grad: Any
    for parent, grad in zip(node.parents, grads):
        if grad is None or not parent.requires_grad:
            shares.append(None)
            continue
        if not isinstance(grad, Tensor):
            grad = _plain(np.asarray(grad))  # a gradient that depends on nothing: a constant
        data = parent.data
        if grad.data.shape != data.shape or grad.data.dtype != data.dtype:
            grad = fit_gradient(grad, data)
        shares.append(grad)
    return shares


def _needs_grad(value: Any) -> bool:
    """Whether ``value`` is, or holds in a list or tuple, a Tensor that requires grad."""
    if isinstance(value, Tensor):
        return value.requires_grad
    if isinstance(value, (list, tuple)):
        return any(_needs_grad(part) for part in value)
    return False


# Last, because autograd.inplace uses the names above (Tensor, _who, ...) at its import.
from . import versions as _inplace  # noqa: E402
