"""Feeding data to a network: PyTorch's TensorDataset and DataLoader, and a reader for
MNIST's IDX files.

Batches come as Tensors, as PyTorch's do, so a program can call ``.view(...)``, ``.to(dev)``
or any Tensor method on them; every Tensor keeps its data's dtype (integer labels stay int64,
as cross-entropy wants them). The data itself is kept as numpy arrays, and a ``transform``
may turn each batch's arrays into whatever else the model wants.

Example:
    >>> import numpy as np
    >>> X, y = np.arange(10.0).reshape(5, 2), np.array([0, 1, 0, 1, 1])
    >>> loader = DataLoader((X, y), batch_size=2)
    >>> len(loader)
    3
    >>> [yb for xb, yb in loader]
    [tensor([0, 1]), tensor([0, 1]), tensor([1])]

Nothing in this module downloads anything: :func:`load_mnist` reads files you already have.
"""

from __future__ import annotations

import gzip
import math
import os
import stat
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from autograd import Tensor, default_generator, from_numpy
from autograd.tools.files import special_file_kind, write_file

__all__ = [
    "DataLoader",
    "TensorDataset",
    "as_array",
    "read_idx",
    "write_idx",
    "load_mnist",
    "normalize_mnist",
    "IDXError",
    "MNIST_MEAN",
    "MNIST_STD",
    "MNIST_FILES",
    "Dataset",
]

PathLike = str | os.PathLike[str]


def as_array(value: Any) -> np.ndarray:
    """The numpy array behind ``value``: an ndarray itself, a Tensor's ``.array``, a
    ``.data`` ndarray, or ``.numpy()``.

    Tensors (tracegrad's, or any with ``.numpy()``) and plain lists or numbers all become
    arrays, so data and state dicts can hold any of them.

    >>> as_array([1, 2, 3])
    array([1, 2, 3])
    >>> class Holder:
    ...     data = np.zeros(2)
    >>> as_array(Holder())
    array([0., 0.])
    """
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, Tensor):
        return value.array
    data = getattr(value, "data", None)
    if isinstance(data, np.ndarray):
        return data
    to_numpy = getattr(value, "numpy", None)
    if callable(to_numpy):
        return np.asarray(to_numpy())
    return np.asarray(value)


# --- datasets and the loader --------------------------------------------------------------


class TensorDataset:
    """Equal-length tensors viewed as one dataset: item ``i`` is ``(a[i], b[i], ...)``, as
    Tensors, like PyTorch's ``TensorDataset``.

    They may be given as Tensors, ndarrays or lists; their numbers are kept, not copied, as
    numpy arrays (``arrays``; ``tensors`` gives them as Tensors sharing those numbers).

    >>> ds = TensorDataset(np.array([[1, 2], [3, 4], [5, 6]]), np.array([0, 1, 1]))
    >>> len(ds)
    3
    >>> ds[1]
    (tensor([3, 4]), tensor(1))
    """

    arrays: tuple[np.ndarray, ...]

    def __init__(self, *arrays: Any) -> None:
        if not arrays:
            raise ValueError("TensorDataset needs at least one array, e.g. TensorDataset(X, y)")
        converted = tuple(as_array(a) for a in arrays)
        for position, array in enumerate(converted):
            if array.ndim == 0:
                raise ValueError(
                    f"TensorDataset: array {position} is a single number "
                    f"({array.item()!r}), not a sequence of samples; "
                    "each array needs one entry per sample along its first axis"
                )
        lengths = [len(a) for a in converted]
        if len(set(lengths)) > 1:
            described = ", ".join(
                f"array {i} has {n} (shape {a.shape})"
                for i, (n, a) in enumerate(zip(lengths, converted))
            )
            raise ValueError(
                "TensorDataset: the arrays must have the same number of samples "
                f"(length of the first axis), but {described}"
            )
        self.arrays = converted

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(from_numpy(np.asarray(array[index])) for array in self.arrays)

    @property
    def tensors(self) -> tuple[Tensor, ...]:
        """The whole columns as Tensors sharing the dataset's numbers (PyTorch's name)."""
        return tuple(from_numpy(array) for array in self.arrays)

    def __repr__(self) -> str:
        shapes = ", ".join(str(a.shape) for a in self.arrays)
        return f"TensorDataset({len(self)} samples; shapes {shapes})"


class DataLoader:
    """Batches from a dataset, in order or shuffled, as Tensors (PyTorch's DataLoader).

    ``DataLoader(dataset, batch_size=1, shuffle=False, drop_last=False, seed=None,
    transform=None)``. The dataset may be

    - a :class:`TensorDataset`, or a tuple of equal-length arrays or Tensors ``(X, y)``: each
      batch is a tuple of Tensors in the same order, ``(X[idx], y[idx])``;
    - a single ndarray or Tensor: each batch is a Tensor;
    - any object with ``__len__`` and ``__getitem__`` whose items are samples (a PyTorch-style
      map dataset): the samples of a batch are stacked field by field, as PyTorch's
      ``default_collate`` does (Python floats become float64, ints int64).

    Each batch Tensor keeps its data's dtype (a float64 array gives float64 batches: convert
    the data once, ``X.astype(np.float32)``, for a float32 model) and holds numbers of its
    own, so changing a batch leaves the dataset alone.

    ``len(loader)`` is the number of batches; the last one is smaller unless ``drop_last``.
    With ``shuffle=True`` every pass draws a new order from a generator made once from
    ``seed`` (an int or a ``numpy.random.Generator``), so epochs differ while a new loader
    with the same seed repeats the whole sequence of epochs. Without a seed the order comes
    from :data:`autograd.default_generator`, so ``autograd.manual_seed`` makes it repeat,
    as ``torch.manual_seed`` does for PyTorch's loader.

    ``transform`` is tracegrad's own: it is called on every batch's numpy arrays (as separate
    arguments when the batch is a tuple) and the loader yields what it returns, e.g.
    ``transform=lambda xb, yb: (torch.from_numpy(xb), torch.from_numpy(yb))`` for PyTorch.

    >>> X, y = np.arange(12.0).reshape(6, 2), np.arange(6)
    >>> loader = DataLoader((X, y), batch_size=4, shuffle=True, seed=0)
    >>> len(loader), [xb.shape for xb, yb in loader]
    (2, [(4, 2), (2, 2)])
    >>> xb, yb = next(iter(DataLoader((X, y), batch_size=2)))
    >>> xb.view(-1), yb
    (tensor([0., 1., 2., 3.], dtype=float64), tensor([0, 1]))
    >>> sums = DataLoader((X, y), batch_size=3, transform=lambda xb, yb: int(xb.sum()))
    >>> list(sums)
    [15, 51]
    """

    dataset: Any
    batch_size: int
    shuffle: bool
    drop_last: bool
    transform: Callable[..., Any] | None

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | np.random.Generator | None = None,
        transform: Callable[..., Any] | None = None,
        generator: np.random.Generator | None = None,
    ) -> None:
        if generator is not None:  # PyTorch's name: torch.Generator().manual_seed(...)
            if seed is not None:
                raise TypeError("DataLoader: give seed or generator, not both")
            seed = generator
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
            raise TypeError(
                f"DataLoader: batch_size must be a whole number, got {type(batch_size).__name__} "
                f"{batch_size!r}"
            )
        if batch_size < 1:
            raise ValueError(
                f"DataLoader: batch_size must be at least 1, got {batch_size} "
                "(a batch holds batch_size samples)"
            )
        if transform is not None and not callable(transform):
            raise TypeError(
                f"DataLoader: transform must be a function of the batch, got "
                f"{type(transform).__name__} {transform!r}"
            )
        if seed is not None and (
            isinstance(seed, bool) or not isinstance(seed, (int, np.integer, np.random.Generator))
        ):
            raise TypeError(
                "DataLoader: seed must be an int, a numpy.random.Generator or None, got "
                f"{type(seed).__name__} {seed!r}"
            )
        self._source, self._fetch = _batch_source(dataset)
        self._length = len(self._source)
        if self._length == 0:
            raise ValueError(
                "DataLoader: the dataset is empty (it has 0 samples), nothing to batch"
            )
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.transform = transform
        # One generator for the loader's life: each pass draws the next permutation from it.
        self._rng = (
            default_generator
            if seed is None
            else seed
            if isinstance(seed, np.random.Generator)
            else np.random.default_rng(seed)
        )

    def __len__(self) -> int:
        full, rest = divmod(self._length, self.batch_size)
        return full + (1 if rest and not self.drop_last else 0)

    def __iter__(self) -> Iterator[Any]:
        # The order is drawn now, when the pass starts, not lazily at the first next().
        order = self._rng.permutation(self._length) if self.shuffle else np.arange(self._length)
        return self._batches(order)

    def _batches(self, order: np.ndarray) -> Iterator[Any]:
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            batch = self._fetch(self._source, order[start : start + self.batch_size])
            if self.transform is None:
                # Each array is new (gathered by index), so the Tensors can hold it as it is.
                yield (
                    tuple(map(from_numpy, batch)) if isinstance(batch, tuple) else from_numpy(batch)
                )
            elif isinstance(batch, tuple):
                yield self.transform(*batch)
            else:
                yield self.transform(batch)

    def __repr__(self) -> str:
        return (
            f"DataLoader({self._length} samples, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}: {len(self)} batches)"
        )


def _batch_source(dataset: Any) -> tuple[Any, Callable[[Any, np.ndarray], Any]]:
    """What to index and how to gather one batch from it, depending on the kind of dataset."""
    if isinstance(dataset, tuple):
        return TensorDataset(*dataset), _gather_columns
    if isinstance(dataset, TensorDataset):
        return dataset, _gather_columns
    if isinstance(dataset, Tensor):
        dataset = dataset.array
    if isinstance(dataset, np.ndarray):
        if dataset.ndim == 0:
            raise ValueError(
                f"DataLoader: the dataset is a single number ({dataset.item()!r}), "
                "not a sequence of samples"
            )
        return dataset, _gather_array
    if hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__"):
        return dataset, _gather_samples
    raise TypeError(
        f"DataLoader: cannot batch a {type(dataset).__name__}; give a tuple of arrays (X, y), "
        "a TensorDataset, an ndarray, or an object with __len__ and __getitem__"
    )


def _gather_columns(source: TensorDataset, indices: np.ndarray) -> tuple[np.ndarray, ...]:
    return tuple(array[indices] for array in source.arrays)


def _gather_array(source: np.ndarray, indices: np.ndarray) -> np.ndarray:
    return source[indices]


def _gather_samples(source: Sequence[Any], indices: np.ndarray) -> Any:
    samples = [source[int(i)] for i in indices]
    first = samples[0]
    if not isinstance(first, (tuple, list)):
        return _stack([as_array(s) for s in samples], indices, "sample")
    width = len(first)
    for index, sample in zip(indices, samples):
        if not isinstance(sample, (tuple, list)) or len(sample) != width:
            raise ValueError(
                f"DataLoader: dataset item {int(index)} is {sample!r}, but item "
                f"{int(indices[0])} has {width} fields; every item needs the same fields"
            )
    return tuple(
        _stack([as_array(s[field]) for s in samples], indices, f"field {field}")
        for field in range(width)
    )


def _stack(arrays: list[np.ndarray], indices: np.ndarray, what: str) -> np.ndarray:
    shapes = {a.shape for a in arrays}
    if len(shapes) > 1:
        listed = ", ".join(f"item {int(i)}: {a.shape}" for i, a in zip(indices, arrays))
        raise ValueError(
            f"DataLoader: cannot stack {what} of a batch, the shapes differ ({listed}); "
            "every sample needs the same shape (to batch whole arrays such as X and y side by "
            "side, pass them as a tuple (X, y), not a list)"
        )
    return np.stack(arrays)


# --- IDX files (the MNIST format) ---------------------------------------------------------


class IDXError(ValueError):
    """A file is not a well-formed IDX file; the message names the file and the problem."""


# IDX type codes (the third byte of the magic number) and the big-endian numpy dtypes they mean.
_IDX_DTYPES: dict[int, np.dtype[Any]] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"
# Deflate cannot expand data by more than about 1032 to 1.
_DEFLATE_MAX_RATIO = 1032
# The most dimensions a numpy array can have (32 before numpy 2).
_MAX_DIMS = 64 if int(np.__version__.split(".")[0]) >= 2 else 32


def read_idx(path: PathLike) -> np.ndarray:
    """Read one IDX file (plain or gzip-compressed) into a numpy array in native byte order.

    The format: two zero bytes, a type code (0x08 unsigned byte, 0x09 signed byte, 0x0B int16,
    0x0C int32, 0x0D float32, 0x0E float64), the number of dimensions, then each dimension's
    size as a big-endian 32-bit integer, then the data, big-endian, in C order. Compression is
    recognised from the file's first bytes, not its name. Raises :class:`IDXError` naming the
    file for a wrong magic number, more dimensions than numpy holds, a truncated file or bytes
    left over. The header is read first and the size it declares is checked against the file
    (for a gzip file, against what its compressed bytes can possibly expand to) before the data
    is read, so a damaged header never makes it allocate or decompress without bound.

    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> path = write_idx(os.path.join(folder, "tiny-idx2-ubyte.gz"), np.array([[1, 2], [3, 4]]))
    >>> read_idx(path)
    array([[1, 2],
           [3, 4]], dtype=uint8)
    """
    path = Path(path)
    file_size = _idx_file_size(path)
    with open(path, "rb") as file:
        compressed = file.read(2) == _GZIP_MAGIC
        file.seek(0)
        if not compressed:
            return _read_idx_stream(path, file, file_size, compressed=False)
        try:
            with gzip.GzipFile(fileobj=file, mode="rb") as stream:
                return _read_idx_stream(path, stream, file_size, compressed=True)
        except (OSError, EOFError, zlib.error) as error:
            raise IDXError(
                f"{path}: the file is gzip-compressed but cannot be decompressed "
                f"(truncated or corrupt download?): {error}"
            ) from None


def _idx_file_size(path: Path) -> int:
    try:
        status = os.stat(path)
    except FileNotFoundError:
        raise FileNotFoundError(f"IDX file not found: {path}") from None
    if stat.S_ISDIR(status.st_mode):
        raise IsADirectoryError(
            f"{path} is a folder, not an IDX file (load_mnist(folder) reads the MNIST files "
            "inside a folder)"
        )
    kind = special_file_kind(status.st_mode)
    if kind is not None:
        raise IDXError(f"{path} is a {kind}, not an IDX file")
    return status.st_size


def _read_idx_stream(path: Path, stream: Any, file_size: int, *, compressed: bool) -> np.ndarray:
    magic = stream.read(4)
    if len(magic) < 4:
        raise IDXError(
            f"{path}: not an IDX file: it has only {len(magic)} bytes, fewer than the 4-byte magic"
        )
    zero1, zero2, type_code, ndim = magic
    if zero1 != 0 or zero2 != 0 or type_code not in _IDX_DTYPES:
        raise IDXError(
            f"{path}: not an IDX file: the magic number is 0x{magic.hex().upper()}, but IDX "
            "files start with two zero bytes, a type code "
            f"({', '.join(f'0x{c:02X}' for c in _IDX_DTYPES)}) and the number of dimensions "
            "(MNIST images: 0x00000803, labels: 0x00000801)"
        )
    if ndim > _MAX_DIMS:
        raise IDXError(
            f"{path}: the magic number announces {ndim} dimensions, but a numpy array has at "
            f"most {_MAX_DIMS} (MNIST files have 1 or 3): the header is corrupt"
        )
    header_size = 4 + 4 * ndim
    sizes = stream.read(4 * ndim)
    if len(sizes) < 4 * ndim:
        raise IDXError(
            f"{path}: truncated IDX header: the magic number announces {ndim} dimensions "
            f"({header_size} header bytes) but the file has only {4 + len(sizes)} bytes"
        )
    shape = tuple(int(size) for size in np.frombuffer(sizes, dtype=">u4"))
    dtype = _IDX_DTYPES[type_code]
    # math.prod on Python ints: a corrupt header must not overflow into a plausible size.
    expected = math.prod(shape) * dtype.itemsize
    announced = f"the header announces shape {shape} of {dtype.name} ({expected} data bytes)"
    if not compressed:
        found = file_size - header_size
        if found != expected:
            problem = "truncated" if found < expected else "too long"
            raise IDXError(f"{path}: {problem}: {announced} but the file holds {found} data bytes")
    elif expected > file_size * _DEFLATE_MAX_RATIO:
        raise IDXError(
            f"{path}: {announced}, but a gzip file of {file_size} bytes cannot expand to that "
            f"many (deflate expands at most about {_DEFLATE_MAX_RATIO} times): the header is "
            "corrupt, or the file is truncated"
        )
    data = stream.read(expected)
    if len(data) < expected:
        raise IDXError(f"{path}: truncated: {announced} but the file holds {len(data)} data bytes")
    if compressed and stream.read(1):
        raise IDXError(f"{path}: too long: {announced} but the file holds more data bytes")
    array = np.frombuffer(data, dtype=dtype).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def write_idx(path: PathLike, array: Any) -> Path:
    """Write ``array`` as an IDX file, gzip-compressed when ``path`` ends in ``.gz``.

    Useful for small test fixtures in MNIST's format. Integers are stored as unsigned bytes when
    they fit in 0..255 (as MNIST does), otherwise as the smallest IDX integer type that holds
    them; floats as float32 or float64. Returns the path. Written as every file tracegrad writes
    (:func:`autograd.tools.files.write_file`: whole or not at all, special files refused).

    >>> import tempfile
    >>> path = write_idx(os.path.join(tempfile.mkdtemp(), "labels-idx1-ubyte"), [7, 2, 1])
    >>> path.read_bytes().hex()  # magic 0x00000801, 3 entries, then the bytes 7, 2, 1
    '0000080100000003070201'
    """
    path = Path(path)
    values = as_array(array)
    dtype = _idx_dtype_for(values)
    header = bytes([0, 0, _type_code(dtype), values.ndim])
    header += np.asarray(values.shape, dtype=">u4").tobytes()
    content = header + np.ascontiguousarray(values, dtype=dtype).tobytes()
    if path.suffix == ".gz":
        # mtime=0 so the same array always gives the same bytes.
        content = gzip.compress(content, mtime=0)
    return write_file(path, content, what="write_idx")


def _idx_dtype_for(values: np.ndarray) -> np.dtype[Any]:
    if values.ndim > 255:
        raise IDXError(f"write_idx: IDX files hold at most 255 dimensions, got {values.ndim}")
    if values.dtype.kind in "biu":
        low, high = (int(values.min()), int(values.max())) if values.size else (0, 0)
        for code in (0x08, 0x09, 0x0B, 0x0C):
            info = np.iinfo(_IDX_DTYPES[code])
            if info.min <= low and high <= info.max:
                return _IDX_DTYPES[code]
        raise IDXError(
            f"write_idx: integers from {low} to {high} do not fit in IDX's 32-bit integers"
        )
    if values.dtype.kind == "f":
        return _IDX_DTYPES[0x0E] if values.dtype.itemsize > 4 else _IDX_DTYPES[0x0D]
    raise IDXError(
        f"write_idx: IDX files hold integers or floats, not {values.dtype} "
        f"(an array of {values.dtype.kind!r} kind)"
    )


def _type_code(dtype: np.dtype[Any]) -> int:
    return next(code for code, known in _IDX_DTYPES.items() if known == dtype)


# --- MNIST --------------------------------------------------------------------------------

#: Mean and standard deviation of MNIST's training pixels scaled to [0, 1], the numbers in
#: ``transforms.Normalize((0.1307,), (0.3081,))``.
MNIST_MEAN = 0.1307
MNIST_STD = 0.3081

#: The four MNIST files, in the order :func:`load_mnist` returns them: (standard name, meaning).
MNIST_FILES: tuple[tuple[str, str], ...] = (
    ("train-images-idx3-ubyte", "training images"),
    ("train-labels-idx1-ubyte", "training labels"),
    ("t10k-images-idx3-ubyte", "test images"),
    ("t10k-labels-idx1-ubyte", "test labels"),
)

# Where torchvision's datasets.MNIST(root) keeps the raw files, so its downloads can be reused.
_TORCHVISION_SUBFOLDER = Path("MNIST") / "raw"


def _name_variants(name: str) -> list[str]:
    """Accepted spellings: 'train-images-idx3-ubyte', 'train-images.idx3-ubyte', each ± '.gz'."""
    stem, kind, rest = name.split("-", 2)
    names = [name, f"{stem}-{kind}.{rest}"]
    return names + [n + ".gz" for n in names]


def _find_files(folder: Path) -> list[Path | None]:
    found: list[Path | None] = []
    for name, _ in MNIST_FILES:
        candidates = (folder / variant for variant in _name_variants(name))
        found.append(next((c for c in candidates if c.is_file()), None))
    return found


def load_mnist(folder: PathLike) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST from its four IDX files: ``(train_images, train_labels, test_images, test_labels)``.

    Images are uint8 arrays of shape ``(n, 28, 28)`` (pixels 0..255), labels int64 arrays of
    shape ``(n,)`` (int64, like torchvision's targets, ready for ``CrossEntropyLoss``). The files
    may be plain or gzipped, named ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
    ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte`` (or with ``.idx`` after the kind,
    as in ``train-images.idx3-ubyte``, and with or without ``.gz``), in ``folder`` or in
    ``folder/MNIST/raw`` (where ``torchvision.datasets.MNIST(folder)`` stores them). When two
    spellings of a file are present, the uncompressed one is read.

    Nothing is ever downloaded: missing files raise ``FileNotFoundError`` listing them, and
    ill-formed files or counts that disagree raise :class:`IDXError` naming the file.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> images = np.zeros((2, 28, 28), dtype=np.uint8)
    >>> for prefix in ("train", "t10k"):
    ...     _ = write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", images)
    ...     _ = write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", [3, 9])
    >>> train_x, train_y, test_x, test_y = load_mnist(folder)
    >>> train_x.shape, train_x.dtype, train_y.tolist(), train_y.dtype
    ((2, 28, 28), dtype('uint8'), [3, 9], dtype('int64'))
    """
    folder = Path(folder)
    places = [folder, folder / _TORCHVISION_SUBFOLDER]
    searches = [_find_files(place) for place in places]
    complete = next((s for s in searches if all(s)), None)
    if complete is None:
        # Report on the place that had the most of them (the given folder on a tie).
        best = max(range(len(places)), key=lambda i: (sum(map(bool, searches[i])), -i))
        raise FileNotFoundError(_missing_message(folder, places[best], searches[best]))
    paths = [p for p in complete if p is not None]
    arrays = [read_idx(p) for p in paths]
    _check_pair(arrays[0], arrays[1], paths[0], paths[1])
    _check_pair(arrays[2], arrays[3], paths[2], paths[3])
    train_images, train_labels, test_images, test_labels = arrays
    return (
        train_images,
        train_labels.astype(np.int64),
        test_images,
        test_labels.astype(np.int64),
    )


def _check_pair(images: np.ndarray, labels: np.ndarray, image_path: Path, label_path: Path) -> None:
    if images.ndim != 3 or images.dtype != np.uint8:
        raise IDXError(
            f"{image_path}: expected MNIST images, uint8 of shape (n, rows, columns), "
            f"got {images.dtype} of shape {images.shape}"
        )
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise IDXError(
            f"{label_path}: expected MNIST labels, uint8 of shape (n,), "
            f"got {labels.dtype} of shape {labels.shape}"
        )
    if len(images) != len(labels):
        raise IDXError(
            f"{image_path} holds {len(images)} images but {label_path} holds {len(labels)} "
            "labels; they must match one to one (are the files from the same set?)"
        )


def _missing_message(folder: Path, looked_in: Path, found: list[Path | None]) -> str:
    places = f"{folder.resolve()} and in {(folder / _TORCHVISION_SUBFOLDER).resolve()}"
    lines = [f"MNIST files not found: load_mnist looked in {places}."]
    if not folder.is_dir():
        lines.append(f"The folder {folder.resolve()} does not exist.")
    else:
        lines.append(f"In {looked_in.resolve()}:")
        for (name, meaning), path in zip(MNIST_FILES, found):
            if path is None:
                lines.append(f"  missing: {name}  ({meaning})")
        present = [p.name for p in found if p is not None]
        if present:
            lines.append(f"  found:   {', '.join(present)}")
    needed = ", ".join(name for name, _ in MNIST_FILES)
    lines += [
        f"load_mnist needs four files: {needed}.",
        "Each may also be gzipped ('.gz') or spelled like 'train-images.idx3-ubyte'.",
        "tracegrad never downloads anything. The files are distributed on Yann LeCun's MNIST",
        "database page and mirrored elsewhere, for example by torchvision's MNIST dataset",
        "(which saves them under <root>/MNIST/raw) and by the MNIST datasets on Kaggle.",
        f"Put them in {folder.resolve()} and call load_mnist again.",
    ]
    return "\n".join(lines)


def normalize_mnist(images: Any, *, flatten: bool = True) -> np.ndarray:
    """Scale uint8 pixels to [0, 1], then standardise with MNIST's mean and std, as float32.

    The same numbers as the PyTorch tutorial's ``transforms.ToTensor()`` followed by
    ``transforms.Normalize((0.1307,), (0.3081,))``: ``(pixel / 255 - 0.1307) / 0.3081``.
    With ``flatten=True`` (the default) images of shape ``(n, 28, 28)`` become rows of shape
    ``(n, 784)``, ready for a ``Linear(784, ...)``; ``flatten=False`` keeps ``(n, 28, 28)``.

    >>> out = normalize_mnist(np.array([[[0, 255], [51, 102]]], dtype=np.uint8))
    >>> out.shape, out.dtype
    ((1, 4), dtype('float32'))
    >>> [round(float(v), 4) for v in out[0]]
    [-0.4242, 2.8215, 0.2249, 0.8741]
    """
    pixels = as_array(images)
    if pixels.dtype != np.uint8:
        raise TypeError(
            f"normalize_mnist expects raw uint8 pixels 0..255 (as load_mnist returns them), got "
            f"{pixels.dtype}; if they are already scaled to [0, 1], normalise with "
            "(x - MNIST_MEAN) / MNIST_STD instead of scaling twice"
        )
    if pixels.ndim < 2:
        raise ValueError(
            f"normalize_mnist expects a batch of images of shape (n, rows, columns), got shape "
            f"{pixels.shape}"
        )
    # In place on one float32 copy: 60000 images make 188 MB, and each temporary costs as much.
    out = pixels.astype(np.float32)
    out /= np.float32(255)
    out -= np.float32(MNIST_MEAN)
    out /= np.float32(MNIST_STD)
    return out.reshape(len(out), math.prod(out.shape[1:])) if flatten else out


class Dataset:
    """PyTorch's ``Dataset``: the base class of a map-style dataset, one that says how many
    items it holds (``__len__``) and gives item ``i`` (``__getitem__``). A subclass fills in
    both; a :class:`DataLoader` batches it, stacking each item's parts.

    >>> class Squares(Dataset):
    ...     def __len__(self): return 3
    ...     def __getitem__(self, i): return np.array([i]), i * i
    >>> [yb.tolist() for _, yb in DataLoader(Squares(), batch_size=2)]
    [[0, 1], [4]]
    """

    def __getitem__(self, index: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")
