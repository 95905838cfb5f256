"""Checking a state dict (name -> array) against a model before anything is copied.

:func:`check_state_dict` is what a ``load_state_dict`` method calls first: it checks every
name, shape and dtype and reports every problem at once, so a failed load leaves the model
exactly as it was. :class:`StateDictError` is the one error for a state dict, or a state-dict
file (see :mod:`nn.io`), that is not what it should be.

Example:
    >>> check_state_dict({"w": np.zeros(2)}, {"w": [1, 2]}).arrays
    {'w': array([1., 2.])}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .data import as_array

__all__ = ["check_state_dict", "CheckedStateDict", "StateDictError"]

_NUMERIC_KINDS = "biufc"
_KIND_NAMES = {
    "b": "bool",
    "i": "integer",
    "u": "unsigned integer",
    "f": "floating-point",
    "c": "complex",
    "O": "Python object",
    "U": "text",
    "S": "bytes",
    "V": "structured",
    "M": "datetime",
    "m": "timedelta",
}
# Which kinds of stored values may be cast into a parameter of a given kind.
_CASTABLE_FROM = {"b": "b", "i": "biu", "u": "biu", "f": "biuf", "c": "biufc"}


class StateDictError(ValueError):
    """A state dict or a state-dict file is not what it should be; the message says why."""


# --- checking a state dict against a model ------------------------------------------------


@dataclass(frozen=True)
class CheckedStateDict:
    """The outcome of :func:`check_state_dict`: arrays ready to copy, and the keys that differ.

    ``arrays`` maps every parameter found in both to a fresh array of the model's shape and
    dtype, in the model's order. ``missing_keys`` and ``unexpected_keys`` are empty unless
    ``strict=False`` let them through (as PyTorch's ``load_state_dict`` reports them).

    >>> CheckedStateDict({"w": np.zeros(2)}, [], ["old"]).unexpected_keys
    ['old']
    """

    arrays: dict[str, np.ndarray]
    missing_keys: list[str]
    unexpected_keys: list[str]

    def __repr__(self) -> str:
        # What a REPL shows after model.load_state_dict(...): a summary, not every array.
        if not self.missing_keys and not self.unexpected_keys:
            return f"<all {len(self.arrays)} keys matched>"
        return (
            f"<{len(self.arrays)} keys loaded; missing {self.missing_keys}, "
            f"unexpected {self.unexpected_keys}>"
        )


def check_state_dict(
    expected: Mapping[str, Any], given: Mapping[str, Any], strict: bool = True
) -> CheckedStateDict:
    """Check ``given`` against the model's parameters and say everything that does not fit.

    ``expected`` maps each parameter name to its current array (or a Tensor, or a
    ``(shape, dtype)`` pair); ``given`` is the state dict to load. One :class:`StateDictError`
    lists all missing keys, unexpected keys (both only when ``strict``), shape mismatches and
    values that cannot be stored in the parameter's dtype. Casts that keep the numbers are
    done: float64 into float32 (values too large for float32 are an error, not inf), integers
    into floats, small integers into narrower integers; floats into integer parameters,
    complex into real ones and anything non-numeric are errors.

    Nothing is copied here. A ``load_state_dict`` validates everything first and only then
    copies, in place, so a failed load leaves the model exactly as it was and optimizers that
    hold the parameter arrays keep working::

        def load_state_dict(self, state_dict, strict=True):
            params = dict(self.named_parameters())
            checked = check_state_dict({n: p.array for n, p in params.items()}, state_dict, strict)
            for name, array in checked.arrays.items():
                params[name].array[...] = array
            return checked

    >>> model = {"fc.weight": np.zeros((2, 3), dtype=np.float32), "fc.bias": ((2,), "float32")}
    >>> checked = check_state_dict(model, {"fc.weight": np.ones((2, 3)), "fc.bias": [1, 2]})
    >>> checked.arrays["fc.bias"], checked.arrays["fc.weight"].dtype
    (array([1., 2.], dtype=float32), dtype('float32'))
    >>> check_state_dict(model, {"fc.weight": np.ones((3, 2)), "fc.scale": np.ones(2)})
    Traceback (most recent call last):
    ...
    nn.state_dict.StateDictError: the state dict does not fit the model, nothing was loaded:
      missing keys (in the model, not in the state dict): fc.bias
      unexpected keys (in the state dict, not in the model): fc.scale
      shape mismatch for fc.weight: the model has (2, 3), the state dict has (3, 2)
    """
    if not isinstance(given, Mapping):
        raise TypeError(
            "load_state_dict expects a mapping from parameter name to array (as nn.load "
            f"returns), got {type(given).__name__}"
        )
    specs = {name: _spec(name, value) for name, value in expected.items()}
    missing = [name for name in specs if name not in given]
    unexpected = [name for name in given if name not in specs]
    problems: list[str] = []
    if strict and missing:
        problems.append(f"missing keys (in the model, not in the state dict): {_listed(missing)}")
    if strict and unexpected:
        problems.append(
            f"unexpected keys (in the state dict, not in the model): {_listed(unexpected)}"
        )
    arrays: dict[str, np.ndarray] = {}
    for name, (shape, dtype) in specs.items():
        if name not in given:
            continue
        value, problem = _given_array(given[name])
        if problem:
            problems.append(f"cannot load {name}: {problem}")
            continue
        if value.shape != shape:
            problems.append(
                f"shape mismatch for {name}: the model has {shape}, the state dict has "
                f"{value.shape}"
            )
            continue
        cast, problem = _cast(value, dtype)
        if problem:
            problems.append(f"cannot load {name}: {problem}")
        else:
            arrays[name] = cast
    if problems:
        raise StateDictError(
            "the state dict does not fit the model, nothing was loaded:\n  " + "\n  ".join(problems)
        )
    return CheckedStateDict(arrays, missing, unexpected)


def _given_array(value: Any) -> tuple[np.ndarray, str]:
    """A state-dict value as an array, or why it is none: None, text, a mapping, a ragged list."""
    if value is None or isinstance(value, (str, bytes, Mapping)):
        shown = "None" if value is None else f"a {type(value).__name__} {value!r:.40}"
        return np.empty(0), f"{shown} is not an array"
    try:
        return as_array(value), ""
    except ValueError:  # numpy's "inhomogeneous shape"
        return np.empty(0), "a ragged list (its rows differ in length), not an array"


def _spec(name: str, value: Any) -> tuple[tuple[int, ...], np.dtype[Any]]:
    """(shape, dtype) of an expected parameter, given as a pair or as the array itself."""
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], tuple):
        shape, dtype = value
        return tuple(int(n) for n in shape), np.dtype(dtype)
    array = as_array(value)
    return array.shape, array.dtype


def _cast(value: np.ndarray, dtype: np.dtype[Any]) -> tuple[np.ndarray, str]:
    """A copy of ``value`` as ``dtype``, or the reason it cannot be one without losing numbers."""
    allowed = _CASTABLE_FROM.get(dtype.kind)
    if allowed is None:
        if value.dtype == dtype:
            return value.copy(), ""
        return value, f"the model holds {dtype} values, the state dict {value.dtype}"
    if value.dtype.kind not in allowed:
        return value, (
            f"the state dict holds {_kind_name(value.dtype)} values ({value.dtype}) and the "
            f"model's parameter is {_kind_name(dtype)} ({dtype}); converting would lose "
            "information"
        )
    if dtype.kind in "iu" and value.size:
        info = np.iinfo(dtype)
        low, high = int(value.min()), int(value.max())
        if low < info.min or high > info.max:
            return value, f"values from {low} to {high} do not fit in {dtype}"
    with np.errstate(over="ignore"):
        cast = value.astype(dtype, copy=True)
    if dtype.kind in "fc" and np.any(np.isinf(cast) & np.isfinite(value)):
        return value, f"some values are too large for {dtype} and would become inf"
    return cast, ""


def _kind_name(dtype: np.dtype[Any]) -> str:
    return _KIND_NAMES.get(dtype.kind, str(dtype))


def _listed(names: list[Any]) -> str:
    return ", ".join(map(str, names))
