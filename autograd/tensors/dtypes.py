"""dtypes and operands: what a Tensor may hold, and how other things become its arrays.

PyTorch's rules throughout: ``tensor()`` infers float32 from Python floats and int64 from
ints, arrays keep their dtype, only floating tensors can require grad, a plain number takes
the tensor's float dtype (``x * 0.5`` stays float32), and integer inputs of float functions
become float32. The overflow policy's numpy error state lives here too.

    >>> infer_dtype([1.0, 2.0]), infer_dtype([1, 2]), resolve_dtype("float64")
    (dtype('float32'), dtype('int64'), dtype('float64'))
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..scalar.value import Value
from .base import TensorBase
from .notation import who

__all__ = [
    "Array",
    "Number",
    "float16",
    "float32",
    "float64",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "bool_",
    "resolve_dtype",
    "check_grad_dtype",
    "to_array",
    "infer_dtype",
    "operand_array",
    "floating",
    "RAISE_ON_OVERFLOW",
    "QUIET_INVALID",
]

Array = np.ndarray
#: A plain Python number, as ``item()`` gives it.
Number = float | int | bool

#: dtype aliases, as ``torch.float32`` and friends (they are numpy dtypes, so
#: ``x.dtype == autograd.float32`` compares as PyTorch's ``x.dtype == torch.float32`` does).
float16 = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
uint8 = np.dtype(np.uint8)
int8 = np.dtype(np.int8)
int16 = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
bool_ = np.dtype(np.bool_)


class _ErrorStateFallback:
    """np.errstate's effect through the ContextVar interface (numpy before 2.0): ``get``
    gives the settings last ``set`` and not yet ``reset`` (None outside them).

    >>> state = _ErrorStateFallback(); token = state.set(_INVALID_QUIET)
    >>> state.get() is _INVALID_QUIET, state.reset(token), state.get()
    (True, None, None)
    """

    def __init__(self) -> None:
        self._current: Any = None

    def get(self) -> Any:
        return self._current

    def set(self, settings: dict[str, Any]) -> Any:
        state = np.errstate(**settings)
        state.__enter__()
        previous, self._current = self._current, settings
        return state, previous

    def reset(self, token: Any) -> None:
        state, self._current = token
        state.__exit__(None, None, None)


# The overflow policy (README, "What tracegrad promises"): an op whose inputs are finite and
# whose result is not raises OverflowError naming the op; inf and NaN already in the inputs
# pass through silently, as in PyTorch. numpy notices overflow anyway (its "overflow
# encountered" warning); setting its error state to raise is one ContextVar set and reset
# per op, where ``with np.errstate(...)`` would cost more than a small op itself.
#
# Backward rules run with numpy's "invalid value" warning off: from finite numbers they never
# make a NaN (inf · 0, inf − inf), so a NaN there comes from an inf or NaN the forward pass
# let through, which passes on quietly as in PyTorch. Overflow still warns: a gradient that
# outgrows finite numbers is news.
_OVERFLOW_RAISES: dict[str, Any] = {"over": "raise", "invalid": "ignore"}
_INVALID_QUIET: dict[str, Any] = {
    "divide": "warn",
    "over": "warn",
    "under": "ignore",
    "invalid": "ignore",
}
_ERROR_STATE: Any
#: numpy's error state under the overflow policy (an op's forward rule, ``overflows``).
RAISE_ON_OVERFLOW: Any
#: numpy's error state with the invalid-value warning off (backward rules, ``nan_from_inf``).
QUIET_INVALID: Any
try:
    from numpy._core import umath as _umath

    _ERROR_STATE = _umath._extobj_contextvar
    RAISE_ON_OVERFLOW = _umath._make_extobj(**_OVERFLOW_RAISES)
    QUIET_INVALID = _umath._make_extobj(**_INVALID_QUIET)
except (ImportError, AttributeError):  # pragma: no cover - numpy 1.x
    _ERROR_STATE = _ErrorStateFallback()
    RAISE_ON_OVERFLOW = _OVERFLOW_RAISES
    QUIET_INVALID = _INVALID_QUIET


def resolve_dtype(dtype: Any, where: str = "Tensor") -> np.dtype[Any]:
    """``dtype`` as a numpy dtype, refusing kinds Tensor does not support."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{where}: {dtype!r} is not a dtype (use autograd.float32, ...)") from None
    if resolved.kind not in "biuf":
        raise TypeError(
            f"{where}: dtype {resolved} is not supported; Tensors hold booleans, integers "
            "or floats (float32 by default)"
        )
    return resolved


def check_grad_dtype(dtype: np.dtype[Any], label: str) -> None:
    if dtype.kind != "f":
        who = f" {label!r}" if label else ""
        raise TypeError(
            f"Tensor{who}: only floating-point tensors can require grad, this one is {dtype} "
            "(gradients need numbers that can change by small steps; use dtype=autograd.float32)"
        )


def to_array(data: Any, dtype: np.dtype[Any] | None, label: str) -> Array:
    """``data`` as a fresh row-major ndarray of ``dtype`` (None: infer), with errors a
    learner reads."""
    where = f" for {label!r}" if label else ""
    if isinstance(data, Value):
        raise TypeError(
            f"Tensor needs numbers{where}, got the scalar Value {data!r}: "
            f"use Tensor({data.data!r}), or keep working with Values"
        )
    if isinstance(data, TensorBase):
        data = data.array
    if data is None or isinstance(data, (str, bytes)):
        raise TypeError(f"Tensor needs numbers{where}, got {type(data).__name__} {data!r}")
    try:
        # Row-major always (as torch.tensor): an optimizer's in-place update then meets a
        # gradient in the same layout, instead of walking memory across the grain.
        array = np.array(data, dtype=dtype, order="C")
    except (TypeError, ValueError) as error:
        text = repr(data)
        text = text if len(text) < 60 else text[:57] + "..."
        ragged = "inhomogeneous" in str(error)
        hint = ": its rows have different lengths" if ragged else ""
        raise TypeError(
            f"Tensor needs numbers{where}, got {type(data).__name__} {text}{hint}"
        ) from None
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"Tensor needs numbers{where}, got {type(data).__name__} holding {array.dtype}"
        )
    return array


def infer_dtype(data: Any) -> np.dtype[Any] | None:
    """PyTorch's ``tensor()`` rule: arrays keep their dtype; Python floats give float32,
    ints int64 and bools bool."""
    if isinstance(data, (np.ndarray, np.generic)):
        return None
    if isinstance(data, TensorBase):
        return data.array.dtype
    kind = np.asarray(data).dtype.kind if not isinstance(data, Value) else "f"
    inferred: dict[str, np.dtype[Any]] = {"f": float32, "i": int64, "u": int64, "b": np.dtype(bool)}
    return inferred.get(kind)


def operand_array(other: Any, op: str, tensor: Any) -> Array:
    """A non-Tensor operand as an array. Plain numbers take the tensor's float dtype (as
    PyTorch treats Python numbers), so ``x * 0.5`` stays float32."""
    kind = type(other)
    if kind is float or kind is int:  # the common case, before the slower abstract checks
        own = tensor.array.dtype
        if own.kind == "f":
            return np.asarray(other, dtype=own)
        return np.asarray(other, dtype=np.int64 if kind is int else float32)
    if isinstance(other, np.ndarray):
        if other.dtype.kind in "biuf":
            return other
    elif isinstance(other, (numbers.Real, np.generic)) and not isinstance(other, Value):
        if isinstance(other, np.generic) and other.dtype.kind not in "biuf":
            pass
        else:
            own = tensor.array.dtype
            if own.kind == "f":
                return np.asarray(other, dtype=own)
            if isinstance(other, (bool, np.bool_)):
                return np.asarray(other, dtype=bool)
            if isinstance(other, numbers.Integral):
                return np.asarray(other, dtype=np.int64)
            return np.asarray(other, dtype=float32)
    elif isinstance(other, (list, tuple)):
        try:
            array = np.asarray(other)
        except ValueError:
            array = None
        if array is not None and array.dtype.kind in "biuf":
            if array.dtype.kind == "f" and tensor.array.dtype.kind == "f":
                array = array.astype(tensor.array.dtype)
            return array
    if isinstance(other, Value):
        raise TypeError(
            f"{op}: cannot combine the scalar Value {other!r} with the Tensor {who(tensor)}: "
            "a Value and a Tensor do not mix; use Tensors for both "
            f"(e.g. Tensor({other.data!r}))"
        )
    text = repr(other)
    text = text if len(text) < 40 else text[:37] + "..."
    raise TypeError(
        f"{op}: cannot combine {type(other).__name__} {text} with {who(tensor)}: "
        "need a number, an array or a Tensor"
    )


def floating(data: Array) -> Array:
    """Integer inputs of float functions (exp, log, mean, ...) become float32, as in PyTorch."""
    return data if data.dtype.kind == "f" else data.astype(float32)
