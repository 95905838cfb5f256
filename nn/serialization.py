"""Saving and loading state dicts (name -> array), the way torch.save and torch.load are used.

The file's suffix chooses the format:

- ``.npz``: an ordinary numpy archive, one ``.npy`` entry per parameter in the order of the
  state dict, readable by ``np.load`` anywhere;
- ``.safetensors``: the format PyTorch and the model hubs use for weights without pickle, written
  and read with the ``safetensors`` package; ``safetensors.torch.load_file`` reads it straight
  into a PyTorch model's ``load_state_dict`` (see ``nn.to_torch``), and files PyTorch saved
  this way load here.

Saving is atomic (:mod:`nn.atomic_write`: an interrupted save leaves the previous file as it
was, and leaves no temporary file behind), and loading never unpickles anything. A damaged or
foreign file is a :class:`StateDictError` naming the path and what is wrong, found before any
large allocation: the sizes a file declares are checked against the bytes it really holds.

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
import json
import math
import os
import stat
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.lib import format as npy_format

from .atomic_write import special_file_kind, write_atomically
from .data import as_array

__all__ = ["save", "load", "check_state_dict", "CheckedStateDict", "StateDictError", "FORMATS"]

PathLike = str | os.PathLike[str]

#: The file formats, by suffix.
FORMATS = {".npz": "a numpy .npz archive", ".safetensors": "the safetensors format"}

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


def _file_format(path: PathLike) -> str | None:
    suffix = Path(path).suffix.lower()
    return suffix if suffix in FORMATS else None


def _unknown_format(who: str, path: PathLike) -> str:
    return (
        f"{who}: cannot tell the file format from the name {Path(path)}: the name must end in "
        ".npz (a numpy archive) or .safetensors (the safetensors format, which PyTorch reads)"
    )


# --- save ---------------------------------------------------------------------------------


def save(state_dict: Mapping[str, Any], path: PathLike) -> None:
    """Write ``state_dict`` (name -> array) to ``path``, atomically, in the suffix's format.

    ``path`` ends in ``.npz`` (a numpy archive) or ``.safetensors``; any other name is an
    error naming the two. Values may be ndarrays, numbers, or objects holding an array in
    ``.data`` or giving one from ``.numpy()`` (Tensors, torch tensors); they must be numeric.
    Keys must be non-empty text without NUL characters. Everything is checked before anything
    is written.

    The file is first written to a temporary file beside the target, flushed to disk, and then
    renamed over ``path`` in one step, so a crash, an error, Ctrl-C or SIGTERM mid-save leaves
    any previous file at ``path`` intact (see :mod:`nn.atomic_write` for symbolic links,
    read-only files and special files). An existing file's permissions are kept.

    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> save({"w": [[1.0, 2.0]]}, os.path.join(folder, "checkpoint.safetensors"))
    >>> os.listdir(folder), load(os.path.join(folder, "checkpoint.safetensors"))["w"]
    (['checkpoint.safetensors'], array([[1., 2.]]))
    """
    file_format = _file_format(path)
    if file_format is None:
        if Path(path).is_dir():
            raise IsADirectoryError(
                f"nn.save: {Path(path)} is a folder; give a file name inside it"
            )
        raise ValueError(_unknown_format("nn.save", path))
    arrays = _arrays_to_save(state_dict, file_format)
    if file_format == ".safetensors":
        payload = _encode_safetensors(arrays)
        write_atomically(path, lambda file: file.write(payload), who="nn.save")
    else:
        write_atomically(path, lambda file: _write_npz(file, arrays), who="nn.save")


def _arrays_to_save(state_dict: Mapping[str, Any], file_format: str) -> dict[str, np.ndarray]:
    if not isinstance(state_dict, Mapping):
        raise TypeError(
            "nn.save expects a state dict, a mapping from parameter name to array "
            f"(e.g. model.state_dict()), got {type(state_dict).__name__}"
        )
    arrays: dict[str, np.ndarray] = {}
    for name, value in state_dict.items():
        _check_key(name, file_format)
        array = as_array(value)
        if array.dtype.kind not in _NUMERIC_KINDS:
            raise StateDictError(
                f"nn.save: {name!r} holds a {_kind_name(array.dtype)} array ({array.dtype}); "
                "a state dict holds numbers only (an object array would need pickle, which "
                "nn.load refuses because unpickling can run arbitrary code)"
            )
        if file_format == ".safetensors" and _safetensors_code(array.dtype) is None:
            raise StateDictError(
                f"nn.save: {name!r} holds {array.dtype} numbers, which the safetensors format "
                "cannot store; save to a .npz file instead, or convert the array first"
            )
        arrays[name] = array
    if file_format == ".npz":
        _refuse_confusable_npz_names(arrays)
    return arrays


def _check_key(name: Any, file_format: str) -> None:
    if not isinstance(name, str) or not name:
        raise StateDictError(
            f"nn.save: state dict keys must be non-empty names (str), got {name!r}"
        )
    if "\x00" in name:
        raise StateDictError(
            f"nn.save: the key {name!r} contains a NUL character (\\x00), which names inside a "
            "saved file cannot hold (the name would be cut short there)"
        )
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise StateDictError(
            f"nn.save: the key {name!r} is not valid text (it holds a lone surrogate), so it "
            "cannot be stored as a name"
        ) from None
    if file_format == ".safetensors" and name == _SAFETENSORS_METADATA:
        raise StateDictError(
            f"nn.save: the key {name!r} is reserved in the safetensors format (it holds the "
            "file's metadata); rename the parameter"
        )


def _refuse_confusable_npz_names(arrays: dict[str, np.ndarray]) -> None:
    """Keys whose entries np.load (or zipfile) could mix up: "a" is stored as "a.npy"."""
    for name in arrays:
        entry = f"{name}.npy"
        if zipfile.ZipInfo(entry).filename != entry:
            raise StateDictError(
                f"nn.save: the key {name!r} cannot be stored unchanged in a .npz archive (zip "
                f"would name its entry {zipfile.ZipInfo(entry).filename!r})"
            )
        if name.endswith(".npy") and name[:-4] in arrays:
            raise StateDictError(
                f"nn.save: the keys {name[:-4]!r} and {name!r} cannot both be saved in a .npz "
                f"archive: {name[:-4]!r} is stored as the entry {name!r}, so np.load would "
                "return one for the other; rename one, or save to a .safetensors file"
            )


def _write_npz(file: Any, arrays: dict[str, np.ndarray]) -> None:
    # Written entry by entry instead of np.savez: savez appends ".npz" to names without it, and
    # its keyword arguments would swallow parameters named "file" or "allow_pickle".
    with zipfile.ZipFile(file, mode="w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in arrays.items():
            with archive.open(f"{name}.npy", mode="w", force_zip64=True) as entry:
                npy_format.write_array(entry, array, allow_pickle=False)


# --- safetensors --------------------------------------------------------------------------

_SAFETENSORS_METADATA = "__metadata__"
# The metadata entry (text only) in which nn.save records the state dict's order, because the
# format itself stores tensors sorted by alignment and name.
_ORDER_KEY = "tracegrad.order"
# safetensors dtype codes: the numpy dtype (None where numpy has none) and the bytes per number.
_SAFETENSORS_DTYPES: dict[str, tuple[np.dtype[Any] | None, int]] = {
    "BOOL": (np.dtype(np.bool_), 1),
    "U8": (np.dtype(np.uint8), 1),
    "I8": (np.dtype(np.int8), 1),
    "U16": (np.dtype(np.uint16), 2),
    "I16": (np.dtype(np.int16), 2),
    "F16": (np.dtype(np.float16), 2),
    "U32": (np.dtype(np.uint32), 4),
    "I32": (np.dtype(np.int32), 4),
    "F32": (np.dtype(np.float32), 4),
    "U64": (np.dtype(np.uint64), 8),
    "I64": (np.dtype(np.int64), 8),
    "F64": (np.dtype(np.float64), 8),
    "C64": (np.dtype(np.complex64), 8),
    "BF16": (None, 2),
    "F8_E4M3": (None, 1),
    "F8_E5M2": (None, 1),
    "F8_E4M3FNUZ": (None, 1),
    "F8_E5M2FNUZ": (None, 1),
    "F8_E8M0": (None, 1),
}


def _safetensors_code(dtype: np.dtype[Any]) -> str | None:
    plain = dtype.newbyteorder("=")
    return next((code for code, (known, _) in _SAFETENSORS_DTYPES.items() if known == plain), None)


def _safetensors_numpy() -> Any:
    try:
        from safetensors import numpy as safetensors_numpy
    except ImportError:
        raise ImportError(
            ".safetensors files need the safetensors package: pip install safetensors "
            "(or save to a .npz file, which needs only numpy)"
        ) from None
    return safetensors_numpy


def _encode_safetensors(arrays: dict[str, np.ndarray]) -> bytes:
    encode = _safetensors_numpy().save
    # safetensors reads each array's memory as one block: strided views must be made compact.
    compact = {name: a if a.flags.c_contiguous else a.copy(order="C") for name, a in arrays.items()}
    return bytes(encode(compact, metadata={_ORDER_KEY: json.dumps(list(arrays))}))


def _load_safetensors(source: Path) -> dict[str, np.ndarray]:
    content = source.read_bytes()
    entries, metadata = _safetensors_header(source, content)
    decode = _safetensors_numpy().load
    try:
        arrays = decode(content)
    except Exception as error:  # the package's own check, should ours have missed something
        raise StateDictError(
            f"nn.load: {source} is not a valid safetensors file ({error})"
        ) from None
    order = sorted(entries, key=lambda name: entries[name])
    recorded = _recorded_order(metadata)
    if recorded is not None and sorted(recorded) == sorted(order):
        order = recorded
    # Copies: writable arrays of their own, as np.load gives, not views of the file's bytes.
    return {name: np.array(arrays[name]) for name in order}


def _safetensors_header(source: Path, content: bytes) -> tuple[dict[str, int], Any]:
    """Check the header against the bytes; returns each entry's data offset, and the metadata."""
    prefix = f"nn.load: {source}"
    if content.startswith(_ZIP_STARTS):
        raise StateDictError(
            f"{prefix} is a zip archive (as .npz files are), not a safetensors file; if nn.save "
            "wrote it, rename it to end in .npz"
        )
    if len(content) < 8:
        raise StateDictError(
            f"{prefix} is too short for a safetensors file: it has {len(content)} bytes, and the "
            "format starts with an 8-byte header length (truncated?)"
        )
    header_length = int.from_bytes(content[:8], "little")
    available = len(content) - 8
    if header_length > available:
        raise StateDictError(
            f"{prefix} has a wrong header length: its first 8 bytes announce a header of "
            f"{header_length:,} bytes, but only {available:,} bytes follow (truncated, or not "
            "a safetensors file)"
        )
    try:
        header = json.loads(content[8 : 8 + header_length].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise StateDictError(f"{prefix}: the header is not JSON ({error})") from None
    if not isinstance(header, dict):
        raise StateDictError(f"{prefix}: the header is JSON but not an object of named tensors")
    metadata = header.pop(_SAFETENSORS_METADATA, None)
    if metadata is not None and not (
        isinstance(metadata, dict) and all(isinstance(v, str) for v in metadata.values())
    ):
        raise StateDictError(f"{prefix}: the header's metadata is not a map of text to text")
    data_length = available - header_length
    offsets: dict[str, int] = {}
    spans: list[tuple[int, int, str]] = []
    for name, info in header.items():
        begin, end = _safetensors_entry(prefix, name, info)
        offsets[name] = begin
        spans.append((begin, end, name))
    position = 0
    for begin, end, name in sorted(spans):
        if begin != position:
            problem = "overlaps the entry before it" if begin < position else "leaves a gap"
            raise StateDictError(f"{prefix} is corrupt: the data of entry {name!r} {problem}")
        position = end
    if position > data_length:
        raise StateDictError(
            f"{prefix} is truncated: its tensors need {position:,} bytes of data after the "
            f"header, but the file holds {data_length:,}"
        )
    if position < data_length:
        raise StateDictError(
            f"{prefix} is corrupt: it has {data_length - position:,} bytes after its last "
            "tensor's data"
        )
    return offsets, metadata


def _safetensors_entry(prefix: str, name: str, info: Any) -> tuple[int, int]:
    """An entry's data offsets, once its dtype and shape agree with their byte count."""
    fields = ("dtype", "shape", "data_offsets")
    if not isinstance(info, dict) or any(field not in info for field in fields):
        raise StateDictError(
            f"{prefix}: entry {name!r} in the header lacks a dtype, shape or data_offsets"
        )
    code, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
    if code not in _SAFETENSORS_DTYPES:
        raise StateDictError(f"{prefix}: entry {name!r} has an unknown dtype {code!r}")
    if not (isinstance(shape, list) and all(isinstance(n, int) and n >= 0 for n in shape)) or not (
        isinstance(offsets, list)
        and len(offsets) == 2
        and all(isinstance(n, int) for n in offsets)
        and 0 <= offsets[0] <= offsets[1]
    ):
        raise StateDictError(
            f"{prefix}: entry {name!r} has a malformed shape {shape!r} or data_offsets {offsets!r}"
        )
    dtype, itemsize = _SAFETENSORS_DTYPES[code]
    needed = math.prod(shape) * itemsize
    begin, end = offsets
    if end - begin != needed:
        raise StateDictError(
            f"{prefix} is corrupt: entry {name!r} is declared as {code} of shape {tuple(shape)} "
            f"({needed:,} bytes), but its data_offsets [{begin}, {end}] hold {end - begin:,} bytes"
        )
    if dtype is None:
        raise StateDictError(
            f"{prefix}: entry {name!r} holds {code} numbers, which numpy has no type for; "
            "convert it before saving (in PyTorch: tensor.float())"
        )
    return begin, end


def _recorded_order(metadata: Any) -> list[str] | None:
    if not isinstance(metadata, dict) or _ORDER_KEY not in metadata:
        return None
    try:
        order = json.loads(metadata[_ORDER_KEY])
    except json.JSONDecodeError:
        return None
    if isinstance(order, list) and all(isinstance(name, str) for name in order):
        return order
    return None


# --- load ---------------------------------------------------------------------------------

_ZIP_STARTS = (b"PK\x03\x04", b"PK\x05\x06")  # an archive with entries; an empty archive
_NPY_START = b"\x93NUMPY"
_PICKLE_START = b"\x80"
_END_RECORD_SIZE = 22  # a zip's end-of-central-directory record without a comment
# Deflate cannot expand data by more than about 1032 to 1: an entry claiming more is damaged.
_DEFLATE_MAX_RATIO = 1032
_NPY_HEADER_READERS = {
    (1, 0): npy_format.read_array_header_1_0,
    (2, 0): npy_format.read_array_header_2_0,
}


def load(path: PathLike) -> dict[str, np.ndarray]:
    """Read a state dict written by :func:`save`, in the format its suffix names.

    ``.npz`` (any archive of numeric ``.npy`` arrays) or ``.safetensors`` (also those PyTorch
    writes with ``safetensors.torch.save_file``). Returns a plain ``dict`` of numpy arrays in
    the order they were saved. Never unpickles: a missing file raises ``FileNotFoundError``; an
    empty, truncated, corrupt or foreign file (a ``.npy``, a pickle, a ``torch.save`` file) or
    an object array raises :class:`StateDictError` naming the path and what is wrong.

    >>> import tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
    >>> save({"b": np.float32(0.5), "a": np.arange(3)}, path)
    >>> load(path)
    {'b': array(0.5, dtype=float32), 'a': array([0, 1, 2])}
    """
    source = Path(path)
    _check_loadable(source)
    file_format = _file_format(source)
    if file_format == ".safetensors":
        return _load_safetensors(source)
    head = _read_head(source)
    _refuse_foreign_content(source, head)
    if file_format is None:
        # Whatever the content, the name must say the format, as it does for nn.save.
        looks = ""
        if head.startswith(_ZIP_STARTS):
            looks = " (this file is a zip archive: if nn.save wrote it as .npz, rename it)"
        raise StateDictError(_unknown_format("nn.load", source) + looks)
    return _load_npz(source)


def _check_loadable(source: Path) -> None:
    try:
        status = os.stat(source)
    except FileNotFoundError:
        raise FileNotFoundError(f"nn.load: no such file: {source}") from None
    if stat.S_ISDIR(status.st_mode):
        raise IsADirectoryError(f"nn.load: {source} is a folder, not a saved state dict")
    kind = special_file_kind(status.st_mode)
    if kind is not None:
        raise StateDictError(f"nn.load: {source} is a {kind}, not a saved state dict")


# What zipfile raises for a damaged archive.
_ARCHIVE_DAMAGE = (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError)


def _refuse_foreign_content(source: Path, head: bytes) -> None:
    """Say what a file that is not a .npz archive holds instead, whatever its name."""
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
            + (" (it looks like a safetensors file)" if _looks_like_safetensors(head) else "")
        )
    if head.startswith(_ZIP_STARTS[0]):
        names: list[str] = []
        with contextlib.suppress(*_ARCHIVE_DAMAGE), zipfile.ZipFile(source) as archive:
            names = archive.namelist()
        _refuse_torch_files(source, names)


def _load_npz(source: Path) -> dict[str, np.ndarray]:
    try:
        archive = zipfile.ZipFile(source)
    except _ARCHIVE_DAMAGE as error:
        raise StateDictError(
            f"nn.load: {source} is truncated or corrupt: it is not a complete .npz archive "
            f"({error})"
        ) from None
    with archive:
        entries = archive.infolist()
        names = [entry.filename for entry in entries]
        _refuse_torch_files(source, names)
        declared = _declared_entry_count(source)
        if declared is not None and declared != len(names):
            # zipfile stops quietly at a damaged directory entry; a lost parameter must not.
            raise StateDictError(
                f"nn.load: {source} is corrupt: its directory announces {declared} entries but "
                f"only {len(names)} can be read"
            )
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise StateDictError(
                f"nn.load: {source} is corrupt: it holds several entries named {repeated[0]!r}"
            )
        file_size = os.path.getsize(source)
        state: dict[str, np.ndarray] = {}
        for entry in entries:
            key = entry.filename[:-4] if entry.filename.endswith(".npy") else entry.filename
            state[key] = _read_entry(source, archive, entry, key, file_size)
        return state


def _looks_like_safetensors(head: bytes) -> bool:
    return len(head) == 9 and head[8:9] == b"{" and int.from_bytes(head[:8], "little") < 2**32


def _read_head(source: Path) -> bytes:
    with open(source, "rb") as file:
        return file.read(9)


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


_ENTRY_DAMAGE = (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError)


def _read_entry(
    source: Path, archive: zipfile.ZipFile, entry: zipfile.ZipInfo, key: str, file_size: int
) -> np.ndarray:
    where = f"nn.load: {source}: entry {key!r}"
    if not entry.filename.endswith(".npy"):
        raise StateDictError(
            f"{where} is not a numpy array (.npy) entry, so this is not a state dict written "
            "by nn.save"
        )
    _check_entry_sizes(where, entry, file_size)
    try:
        with archive.open(entry) as stream:
            version = npy_format.read_magic(stream)
            read_header = _NPY_HEADER_READERS.get(version)
            if read_header is None:
                raise ValueError(f"unsupported .npy format version {version[0]}.{version[1]}")
            shape, _, dtype = read_header(stream)
            header_size = stream.tell()
    except ValueError as error:
        raise StateDictError(f"{where} is not a valid .npy array ({error})") from None
    except _ENTRY_DAMAGE as error:
        raise StateDictError(f"{where} is corrupt, the file was damaged ({error})") from None
    if dtype.hasobject:
        raise StateDictError(
            f"{where} is an object array, which needs pickle to load; nn.load refuses pickles "
            "because unpickling can run arbitrary code (save numeric arrays instead)"
        )
    # Before numpy allocates the array: the shape must fit the bytes the entry really holds.
    declared = math.prod(shape) * dtype.itemsize
    held = entry.file_size - header_size
    if declared != held:
        raise StateDictError(
            f"{where} is corrupt: its header declares shape {shape} of {dtype} "
            f"({declared:,} bytes), but the entry holds {held:,} bytes of data"
        )
    try:
        with archive.open(entry) as stream:
            value = npy_format.read_array(stream, allow_pickle=False)
    except ValueError as error:
        raise StateDictError(f"{where} is corrupt ({error})") from None
    except _ENTRY_DAMAGE as error:
        raise StateDictError(f"{where} is corrupt, the file was damaged ({error})") from None
    if not isinstance(value, np.ndarray):  # pragma: no cover - read_array returns arrays
        raise StateDictError(f"{where} is not a numpy array")
    return value


def _check_entry_sizes(where: str, entry: zipfile.ZipInfo, file_size: int) -> None:
    """The sizes the zip directory claims must be possible within the file's real size."""
    if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise StateDictError(
            f"{where} uses zip compression method {entry.compress_type}; nn.load reads stored "
            "entries (nn.save, np.savez) and deflated ones (np.savez_compressed)"
        )
    if entry.header_offset + entry.compress_size > file_size:
        raise StateDictError(
            f"{where} is truncated: the archive's directory says its data ends after byte "
            f"{entry.header_offset + entry.compress_size:,}, but the file has {file_size:,} bytes"
        )
    stored = entry.compress_type == zipfile.ZIP_STORED
    limit = entry.compress_size if stored else entry.compress_size * _DEFLATE_MAX_RATIO + 1024
    if entry.file_size > limit or (stored and entry.file_size != entry.compress_size):
        raise StateDictError(
            f"{where} is corrupt: the archive's directory says {entry.compress_size:,} bytes "
            f"in the file hold {entry.file_size:,} bytes of data"
        )


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
