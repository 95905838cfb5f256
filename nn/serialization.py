"""Saving and loading state dicts (name -> array), the way torch.save and torch.load are used.

A file written by :func:`save` is an ordinary numpy ``.npz`` archive: one ``.npy`` entry per
parameter, in the order of the state dict, readable by ``np.load`` anywhere. Saving is atomic
(an interrupted save leaves the previous file as it was) and loading never unpickles anything.

Example:
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
    >>> save({"layers.0.weight": np.ones((2, 3)), "layers.0.bias": np.zeros(2)}, path)
    >>> state = load(path)
    >>> list(state), state["layers.0.weight"].shape
    (['layers.0.weight', 'layers.0.bias'], (2, 3))

:func:`check_state_dict` is what a ``load_state_dict`` method calls first: it checks every
name, shape and dtype and reports every problem at once, before anything is copied.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.lib import format as npy_format

from .data import as_array

__all__ = ["save", "load", "check_state_dict", "CheckedStateDict", "StateDictError"]

PathLike = str | os.PathLike[str]

# The numeric kinds a state dict may hold: bool, signed and unsigned integers, floats, complex.
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


# --- save ---------------------------------------------------------------------------------


def save(state_dict: Mapping[str, Any], path: PathLike) -> None:
    """Write ``state_dict`` (name -> array) to ``path`` as a ``.npz`` archive, atomically.

    Values may be ndarrays, numbers, or objects holding an array in ``.data`` or giving one from
    ``.numpy()`` (Tensors); they must be numeric. The file goes to exactly ``path``: no ``.npz``
    is appended (unlike ``np.savez``), so ``save(sd, "model.pt")`` writes ``model.pt``.

    The archive is first written to a temporary file in the same folder, flushed to disk, and
    then renamed over ``path`` in one step, so a crash or an error mid-save leaves any previous
    file at ``path`` intact (and removes the temporary file). An existing file's permissions
    are kept.

    >>> import tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "checkpoint")
    >>> save({"w": [[1.0, 2.0]]}, path)
    >>> os.listdir(os.path.dirname(path)), load(path)["w"]
    (['checkpoint'], array([[1., 2.]]))
    """
    arrays = _arrays_to_save(state_dict)
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(f"nn.save: {target} is a folder; give a file name inside it")
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(
            f"nn.save: cannot write {target}: the folder {folder} does not exist "
            "(create it first, e.g. with os.makedirs)"
        )
    temporary, descriptor = _create_temporary(target)
    try:
        with os.fdopen(descriptor, "wb") as file:
            _write_npz(file, arrays)
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(temporary, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(temporary, target)
    except BaseException:
        # KeyboardInterrupt included: never leave a half-written temporary file behind.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _sync_folder(folder)


def _arrays_to_save(state_dict: Mapping[str, Any]) -> dict[str, np.ndarray]:
    if not isinstance(state_dict, Mapping):
        raise TypeError(
            "nn.save expects a state dict, a mapping from parameter name to array "
            f"(e.g. model.state_dict()), got {type(state_dict).__name__}"
        )
    arrays: dict[str, np.ndarray] = {}
    for name, value in state_dict.items():
        if not isinstance(name, str) or not name:
            raise StateDictError(
                f"nn.save: state dict keys must be non-empty names (str), got {name!r}"
            )
        array = as_array(value)
        if array.dtype.kind not in _NUMERIC_KINDS:
            raise StateDictError(
                f"nn.save: {name!r} holds a {_kind_name(array.dtype)} array ({array.dtype}); "
                "a state dict holds numbers only (an object array would need pickle, which "
                "nn.load refuses because unpickling can run arbitrary code)"
            )
        arrays[name] = array
    return arrays


def _create_temporary(target: Path) -> tuple[Path, int]:
    """A new file beside ``target`` (same file system, so the final rename is atomic)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        candidate = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            # Mode 0o666 lets the umask decide, as for any newly created file.
            return candidate, os.open(candidate, flags, 0o666)
        except FileExistsError:
            continue


def _write_npz(file: Any, arrays: dict[str, np.ndarray]) -> None:
    # Written entry by entry instead of np.savez: savez appends ".npz" to names without it, and
    # its keyword arguments would swallow parameters named "file" or "allow_pickle".
    with zipfile.ZipFile(file, mode="w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in arrays.items():
            with archive.open(f"{name}.npy", mode="w", force_zip64=True) as entry:
                npy_format.write_array(entry, array, allow_pickle=False)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; not possible (nor needed) on every platform."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


# --- load ---------------------------------------------------------------------------------

_ZIP_STARTS = (b"PK\x03\x04", b"PK\x05\x06")  # an archive with entries; an empty archive
_NPY_START = b"\x93NUMPY"
_PICKLE_START = b"\x80"
_END_RECORD_SIZE = 22  # a zip's end-of-central-directory record without a comment


def load(path: PathLike) -> dict[str, np.ndarray]:
    """Read a state dict written by :func:`save` (or any ``.npz`` of numeric arrays).

    Returns a plain ``dict`` of numpy arrays in the order they were saved. Never unpickles:
    a missing file raises ``FileNotFoundError``; an empty, truncated, corrupt or foreign file
    (a ``.npy``, a pickle, a ``torch.save`` file) or an object array raises
    :class:`StateDictError` naming the path and what is wrong.

    >>> import tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
    >>> save({"b": np.float32(0.5), "a": np.arange(3)}, path)
    >>> load(path)
    {'b': array(0.5, dtype=float32), 'a': array([0, 1, 2])}
    """
    source = Path(path)
    head = _read_head(source)
    if not head:
        raise StateDictError(f"nn.load: {source} is empty (0 bytes), not a saved state dict")
    if head.startswith(_NPY_START):
        raise StateDictError(
            f"nn.load: {source} holds a single numpy array (.npy format), not a state dict; "
            "nn.save writes .npz archives of named arrays (read a .npy file with np.load)"
        )
    if head.startswith(_PICKLE_START):
        raise StateDictError(
            f"nn.load: {source} holds pickled Python data (as pickle.dump or an old torch.save "
            "write); nn.load reads only .npz files and never unpickles, because unpickling can "
            "run arbitrary code"
        )
    if not head.startswith(_ZIP_STARTS):
        raise StateDictError(
            f"nn.load: {source} is not a .npz file (it starts with the bytes {head[:8]!r}); "
            "nn.load reads state dicts written by nn.save"
        )
    try:
        archive = np.load(source, allow_pickle=False)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
        raise StateDictError(
            f"nn.load: {source} is truncated or corrupt: it is not a complete .npz archive "
            f"({error})"
        ) from None
    with archive:
        names = list(archive.files)
        _refuse_torch_files(source, names)
        declared = _declared_entry_count(source)
        if declared is not None and declared != len(names):
            # zipfile stops quietly at a damaged directory entry; a lost parameter must not.
            raise StateDictError(
                f"nn.load: {source} is corrupt: its directory announces {declared} entries but "
                f"only {len(names)} can be read"
            )
        return {name: _read_entry(source, archive, name) for name in names}


def _read_head(source: Path) -> bytes:
    try:
        with open(source, "rb") as file:
            return file.read(8)
    except FileNotFoundError:
        raise FileNotFoundError(f"nn.load: no such file: {source}") from None
    except IsADirectoryError:
        raise IsADirectoryError(f"nn.load: {source} is a folder, not a saved state dict") from None


def _declared_entry_count(source: Path) -> int | None:
    """The entry count in the archive's end record, when the file ends with one (no comment)."""
    with open(source, "rb") as file:
        file.seek(0, os.SEEK_END)
        if file.tell() < _END_RECORD_SIZE:
            return None
        file.seek(-_END_RECORD_SIZE, os.SEEK_END)
        record = file.read(_END_RECORD_SIZE)
    if not record.startswith(_ZIP_STARTS[1]):
        return None
    count = int.from_bytes(record[10:12], "little")
    return None if count == 0xFFFF else count  # 0xFFFF: the real count is in a zip64 record


def _refuse_torch_files(source: Path, names: list[str]) -> None:
    if any(name == "data.pkl" or name.endswith("/data.pkl") for name in names):
        raise StateDictError(
            f"nn.load: {source} looks like a torch.save file (it contains data.pkl), not an "
            "nn.save file; load it with torch.load, then nn.save({name: t.numpy() for name, "
            "t in state.items()}, path)"
        )


def _read_entry(source: Path, archive: Any, name: str) -> np.ndarray:
    try:
        value = archive[name]
    except ValueError as error:
        if "pickle" in str(error):
            raise StateDictError(
                f"nn.load: {source}: entry {name!r} is an object array, which needs pickle to "
                "load; nn.load refuses pickles because unpickling can run arbitrary code "
                "(save numeric arrays instead)"
            ) from None
        raise StateDictError(f"nn.load: {source}: entry {name!r} is corrupt ({error})") from None
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError) as error:
        raise StateDictError(
            f"nn.load: {source}: entry {name!r} is corrupt, the file was damaged ({error})"
        ) from None
    if not isinstance(value, np.ndarray):
        raise StateDictError(
            f"nn.load: {source}: entry {name!r} is not a numpy array (.npy) entry, so this is "
            "not a state dict written by nn.save"
        )
    return value


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
            checked = check_state_dict({n: p.data for n, p in params.items()}, state_dict, strict)
            for name, array in checked.arrays.items():
                params[name].data[...] = array
            return checked

    >>> model = {"fc.weight": np.zeros((2, 3), dtype=np.float32), "fc.bias": ((2,), "float32")}
    >>> checked = check_state_dict(model, {"fc.weight": np.ones((2, 3)), "fc.bias": [1, 2]})
    >>> checked.arrays["fc.bias"], checked.arrays["fc.weight"].dtype
    (array([1., 2.], dtype=float32), dtype('float32'))
    >>> check_state_dict(model, {"fc.weight": np.ones((3, 2)), "fc.scale": np.ones(2)})
    Traceback (most recent call last):
    ...
    nn.serialization.StateDictError: the state dict does not fit the model, nothing was loaded:
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
