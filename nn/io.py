"""Saving and loading state dicts (name -> array), the way torch.save and torch.load are used.

The file's suffix chooses the format:

- ``.npz``: an ordinary numpy archive, one ``.npy`` entry per parameter in the order of the
  state dict, readable by ``np.load`` anywhere;
- ``.safetensors``: the format PyTorch and the model hubs use for weights without pickle, written
  and read with the ``safetensors`` package; ``safetensors.torch.load_file`` reads it straight
  into a PyTorch model's ``load_state_dict`` (see ``nn.to_torch``), and files PyTorch saved
  this way load here.

Saving goes through :func:`autograd.tools.files.write_file`: an interrupted save leaves the
previous file as it was and no temporary file behind; links are followed; folders, devices,
FIFOs and read-only files are refused. Loading never unpickles anything. A damaged or foreign
file is a :class:`StateDictError` naming the path and what is wrong, found before any large
allocation: the sizes a file declares are checked against the bytes it really holds, and the
safetensors package checks its own header.

Example:
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
    >>> save({"layers.0.weight": np.ones((2, 3)), "layers.0.bias": np.zeros(2)}, path)
    >>> state = load(path)
    >>> list(state), state["layers.0.weight"].shape
    (['layers.0.weight', 'layers.0.bias'], (2, 3))
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import stat
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.lib import format as npy_format

from autograd.tools.files import special_file_kind, write_file

from .data import as_array
from .state_dict import _NUMERIC_KINDS, StateDictError, _kind_name

__all__ = ["save", "load", "StateDictError", "FORMATS", "MAX_RATIO"]

PathLike = str | os.PathLike[str]

#: The file formats, by suffix.
FORMATS = {".npz": "a numpy .npz archive", ".safetensors": "the safetensors format"}


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
    any previous file at ``path`` intact. A symbolic link is followed; folders, devices, FIFOs
    and read-only files are refused (see :mod:`autograd.tools.files`). An existing file's
    permissions are kept; a new file's come from the umask.

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
        write_file(path, _encode_safetensors(arrays), what="nn.save")
    else:
        write_file(path, lambda file: _write_npz(file, arrays), what="nn.save")


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
# The safetensors dtype codes numpy has a type for (BF16 and the F8 kinds it has none for).
_SAFETENSORS_DTYPES = {
    code: np.dtype(kind).newbyteorder("<")
    for code, kind in {
        "BOOL": np.bool_,
        "U8": np.uint8,
        "I8": np.int8,
        "U16": np.uint16,
        "I16": np.int16,
        "F16": np.float16,
        "U32": np.uint32,
        "I32": np.int32,
        "F32": np.float32,
        "U64": np.uint64,
        "I64": np.int64,
        "F64": np.float64,
        "C64": np.complex64,
    }.items()
}
# What the safetensors package puts before each of its messages.
_LIBRARY_PREFIX = re.compile(r"^Error while deserializing(?: header)?: ")


def _safetensors_code(dtype: np.dtype[Any]) -> str | None:
    plain = dtype.newbyteorder("<")
    return next((code for code, known in _SAFETENSORS_DTYPES.items() if known == plain), None)


def _safetensors() -> Any:
    try:
        import safetensors
        from safetensors import numpy as safetensors_numpy
    except ImportError:
        raise ImportError(
            ".safetensors files need the safetensors package: pip install safetensors "
            "(or save to a .npz file, which needs only numpy)"
        ) from None
    return safetensors, safetensors_numpy


def _encode_safetensors(arrays: dict[str, np.ndarray]) -> bytes:
    encode = _safetensors()[1].save
    # safetensors reads each array's memory as one block: strided views must be made compact.
    compact = {name: a if a.flags.c_contiguous else a.copy(order="C") for name, a in arrays.items()}
    return bytes(encode(compact, metadata={_ORDER_KEY: json.dumps(list(arrays))}))


def _load_safetensors(source: Path) -> dict[str, np.ndarray]:
    """The safetensors package checks the header against the bytes (lengths, JSON, dtypes,
    shapes, offsets, gaps, overlaps, trailing bytes) before it allocates anything; we add what
    it lets through: repeated names (it keeps the last) and dtypes numpy has no type for."""
    prefix = f"nn.load: {source}"
    content = _read_bytes(source)
    if content.startswith(_ZIP_STARTS):
        raise StateDictError(
            f"{prefix} is a zip archive (as .npz files are), not a safetensors file; if nn.save "
            "wrote it, rename it to end in .npz"
        )
    library = _safetensors()[0]
    try:
        tensors = library.deserialize(content)
    except library.SafetensorError as error:
        reason = _LIBRARY_PREFIX.sub("", str(error))
        raise StateDictError(f"{prefix} is not a valid safetensors file: {reason}") from None
    header_end = 8 + int.from_bytes(content[:8], "little")
    try:  # every entry as it is written, repeated names included
        header = json.loads(content[8:header_end], object_pairs_hook=lambda pairs: pairs)
    except (ValueError, RecursionError) as error:  # pragma: no cover - the package refuses these
        raise StateDictError(f"{prefix}: the header is not readable JSON ({error})") from None
    names = [name for name, _ in header if name != _SAFETENSORS_METADATA]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise StateDictError(
            f"{prefix} is corrupt: its header names the tensor {repeated[0]!r} more than once "
            "(which one is meant cannot be told)"
        )
    offsets = {name: dict(info)["data_offsets"][0] for name, info in header if name in names}
    order = sorted(names, key=offsets.__getitem__)
    metadata = dict(dict(header).get(_SAFETENSORS_METADATA, []))
    recorded = _recorded_order(metadata)
    if recorded is not None and sorted(recorded) == sorted(order):
        order = recorded
    arrays = {}
    for name, info in tensors:
        dtype = _SAFETENSORS_DTYPES.get(info["dtype"])
        if dtype is None:
            raise StateDictError(
                f"{prefix}: entry {name!r} holds {info['dtype']} numbers, which numpy has no "
                "type for; convert it before saving (in PyTorch: tensor.float())"
            )
        # A copy: a writable array of its own, as np.load gives, in the machine's byte order.
        array = np.frombuffer(info["data"], dtype=dtype).reshape(info["shape"])
        arrays[name] = array.astype(dtype.newbyteorder("="))
    return {name: arrays[name] for name in order}


def _recorded_order(metadata: dict[str, str]) -> list[str] | None:
    try:
        order = json.loads(metadata[_ORDER_KEY])
    except (KeyError, ValueError, RecursionError):  # none, or not ours: the file's own order
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
#: How many times its file's size the arrays of a compressed ``.npz`` may take, by default.
#: Weights compress little (about 1.1 to 1); zeros compress about 1000 to 1, as a zip bomb does.
MAX_RATIO = 100.0
# Below this many bytes of arrays any ratio is allowed: a small file of zeros is no danger.
_ALWAYS_ALLOWED = 64 * 2**20


def load(path: PathLike, *, max_ratio: float = MAX_RATIO) -> dict[str, np.ndarray]:
    """Read a state dict written by :func:`save`, in the format its suffix names.

    ``.npz`` (any archive of numeric ``.npy`` arrays) or ``.safetensors`` (also those PyTorch
    writes with ``safetensors.torch.save_file``). Returns a plain ``dict`` of numpy arrays in
    the order they were saved. Never unpickles: a missing file raises ``FileNotFoundError``; an
    empty, truncated, corrupt or foreign file (a ``.npy``, a pickle, a ``torch.save`` file) or
    an object array raises :class:`StateDictError` naming the path and what is wrong.

    Nothing is inflated before the sizes the file declares are checked: the arrays of a
    compressed ``.npz`` may take at most ``max_ratio`` times the file's size (or 64 MiB, if
    more), so a zip bomb is refused; raise ``max_ratio`` for a file you trust that is mostly
    zeros (the error says how far).

    >>> import tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
    >>> save({"b": np.float32(0.5), "a": np.arange(3)}, path)
    >>> load(path)
    {'b': array(0.5, dtype=float32), 'a': array([0, 1, 2])}
    """
    if isinstance(max_ratio, bool) or not isinstance(max_ratio, (int, float)) or not max_ratio > 0:
        raise ValueError(f"nn.load: max_ratio must be a positive number, not {max_ratio!r}")
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
    return _load_npz(source, max_ratio)


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


def _load_npz(source: Path, max_ratio: float) -> dict[str, np.ndarray]:
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
        for entry in entries:  # from the directory alone: nothing is inflated before the last
            _check_entry_sizes(source, entry, file_size)
        _refuse_a_bomb(source, entries, file_size, max_ratio)
        return {entry.filename[:-4]: _read_entry(source, archive, entry) for entry in entries}


def _refuse_a_bomb(
    source: Path, entries: list[zipfile.ZipInfo], file_size: int, max_ratio: float
) -> None:
    """Before anything is inflated: the entries' declared sizes against the file's."""
    declared = sum(entry.file_size for entry in entries)
    if declared > max(file_size * max_ratio, _ALWAYS_ALLOWED):
        needed = math.ceil(declared / max(file_size, 1))
        raise StateDictError(
            f"nn.load: {source}: its entries declare {declared:,} bytes of arrays, {needed:,} "
            f"times the file's {file_size:,} bytes, over the limit of {max_ratio:g} times (a zip "
            f"bomb?); nothing was inflated. If you trust the file: nn.load(path, "
            f"max_ratio={needed})"
        )


def _read_bytes(source: Path, count: int = -1) -> bytes:
    try:
        with open(source, "rb") as file:
            return file.read(count)
    except OSError as error:
        raise type(error)(f"nn.load: cannot read {source}: {error.strerror}") from None


def _looks_like_safetensors(head: bytes) -> bool:
    return len(head) == 9 and head[8:9] == b"{" and int.from_bytes(head[:8], "little") < 2**32


def _read_head(source: Path) -> bytes:
    return _read_bytes(source, 9)


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


def _where(source: Path, entry: zipfile.ZipInfo) -> str:
    key = entry.filename[:-4] if entry.filename.endswith(".npy") else entry.filename
    return f"nn.load: {source}: entry {key!r}"


def _read_entry(source: Path, archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> np.ndarray:
    where = _where(source, entry)
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


def _check_entry_sizes(source: Path, entry: zipfile.ZipInfo, file_size: int) -> None:
    """An array entry, whose sizes in the zip directory are possible in the file's real size."""
    where = _where(source, entry)
    if not entry.filename.endswith(".npy"):
        raise StateDictError(
            f"{where} is not a numpy array (.npy) entry, so this is not a state dict written "
            "by nn.save"
        )
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
