"""DataLoader, TensorDataset, the IDX reader and MNIST loading, on small data made here."""

from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path

import numpy as np
import pytest
from conftest import needs_torch

import autograd
import nn
from autograd import Tensor
from nn.data import (
    MNIST_MEAN,
    MNIST_STD,
    DataLoader,
    IDXError,
    TensorDataset,
    load_mnist,
    normalize_mnist,
    read_idx,
    write_idx,
)

# --- DataLoader ---------------------------------------------------------------------------


def _data(n: int = 10) -> tuple[np.ndarray, np.ndarray]:
    X = np.arange(n * 2, dtype=np.float64).reshape(n, 2)
    y = np.arange(n) * 10
    return X, y


def test_exported_from_nn() -> None:
    assert nn.DataLoader is DataLoader
    assert nn.TensorDataset is TensorDataset


def test_batches_in_order_with_a_smaller_last_batch() -> None:
    X, y = _data(10)
    loader = DataLoader((X, y), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 == len(batches)
    assert [yb.tolist() for _, yb in batches] == [[0, 10, 20, 30], [40, 50, 60, 70], [80, 90]]
    np.testing.assert_array_equal(batches[2][0], [[16.0, 17.0], [18.0, 19.0]])
    assert all(isinstance(b, tuple) and len(b) == 2 for b in batches)


def test_drop_last_drops_the_incomplete_batch() -> None:
    X, y = _data(10)
    loader = DataLoader((X, y), batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert [yb.tolist() for _, yb in loader] == [[0, 10, 20, 30], [40, 50, 60, 70]]
    assert len(DataLoader((X, y), batch_size=5, drop_last=True)) == 2
    small = DataLoader((X, y), batch_size=11, drop_last=True)
    assert len(small) == 0 and list(small) == []


def test_default_batch_size_is_one() -> None:
    X, y = _data(3)
    batches = list(DataLoader((X, y)))
    assert len(batches) == 3
    assert batches[1][0].shape == (1, 2) and batches[1][1].tolist() == [10]


def test_shuffled_epoch_visits_every_sample_once_and_keeps_pairs_together() -> None:
    X, y = _data(23)
    loader = DataLoader((X, y), batch_size=5, shuffle=True, seed=3)
    xs, ys = zip(*loader)
    order = np.concatenate(ys) // 10
    assert sorted(order.tolist()) == list(range(23))
    assert order.tolist() != list(range(23))
    np.testing.assert_array_equal(np.concatenate(xs), X[order])


def test_shuffle_differs_between_epochs_and_repeats_from_the_same_seed() -> None:
    X, y = _data(30)

    def epochs(loader: DataLoader, count: int) -> list[list[int]]:
        return [np.concatenate([yb for _, yb in loader]).tolist() for _ in range(count)]

    first = epochs(DataLoader((X, y), batch_size=7, shuffle=True, seed=42), 3)
    again = epochs(DataLoader((X, y), batch_size=7, shuffle=True, seed=42), 3)
    other = epochs(DataLoader((X, y), batch_size=7, shuffle=True, seed=43), 3)
    assert first == again
    assert first[0] != first[1] != first[2]
    assert first != other
    expected = np.random.default_rng(42).permutation(30) * 10
    assert first[0] == expected.tolist()


def test_a_generator_seed_is_used_as_given() -> None:
    X, y = _data(12)
    rng = np.random.default_rng(7)
    loader = DataLoader((X, y), batch_size=12, shuffle=True, seed=rng)
    (_, yb) = next(iter(loader))
    assert (yb.numpy() // 10).tolist() == np.random.default_rng(7).permutation(12).tolist()


def test_batches_are_copies_of_the_data() -> None:
    X, y = _data(4)
    xb, _ = next(iter(DataLoader((X, y), batch_size=2)))
    xb[:] = -1.0
    assert X[0, 0] == 0.0 and X[1, 1] == 3.0


def test_transform_receives_the_batch_arrays_and_its_result_is_yielded() -> None:
    class Box:  # stands in for a Tensor: holds an ndarray in .data
        def __init__(self, data: np.ndarray) -> None:
            self.data = data

    X, y = _data(5)
    loader = DataLoader((X, y), batch_size=2, transform=lambda xb, yb: (Box(xb), Box(yb)))
    batches = list(loader)
    assert all(isinstance(xb, Box) and isinstance(yb, Box) for xb, yb in batches)
    assert [yb.data.tolist() for _, yb in batches] == [[0, 10], [20, 30], [40]]
    assert batches[0][0].data.tolist() == [[0.0, 1.0], [2.0, 3.0]]


def test_a_single_array_yields_tensors() -> None:
    X, _ = _data(5)
    batches = list(DataLoader(X, batch_size=2))
    assert all(isinstance(b, Tensor) and b.dtype == X.dtype for b in batches)
    assert [b.shape for b in batches] == [(2, 2), (2, 2), (1, 2)]
    sums = DataLoader(X, batch_size=5, transform=lambda xb: float(xb.sum()))
    assert list(sums) == [45.0]


def test_tensor_dataset_items_and_loader() -> None:
    X, y = _data(4)
    dataset = TensorDataset(X, y)
    assert len(dataset) == 4
    x2, y2 = dataset[2]
    assert x2.tolist() == [4.0, 5.0] and y2 == 20
    sliced = dataset[1:3]
    assert sliced[1].tolist() == [10, 20]
    assert [yb.tolist() for _, yb in DataLoader(dataset, batch_size=3)] == [[0, 10, 20], [30]]


def test_tensor_dataset_accepts_lists_and_objects_holding_arrays() -> None:
    class Holder:
        def __init__(self, data: np.ndarray) -> None:
            self.data = data

    class WithNumpy:
        def numpy(self) -> np.ndarray:
            return np.array([5, 6, 7])

    dataset = TensorDataset(Holder(np.eye(3)), [1, 2, 3], WithNumpy())
    assert dataset[1][0].tolist() == [0.0, 1.0, 0.0]
    assert dataset[1][1:] == (2, 6)


def test_single_array_tensor_dataset_yields_one_element_tuples() -> None:
    batches = list(DataLoader(TensorDataset(np.arange(3)), batch_size=2))
    assert [tuple(a.tolist() for a in b) for b in batches] == [([0, 1],), ([2],)]


def test_map_style_dataset_samples_are_stacked() -> None:
    class Squares:
        def __len__(self) -> int:
            return 5

        def __getitem__(self, i: int) -> tuple[np.ndarray, int]:
            return np.full(3, float(i)), i * i

    xb, yb = next(iter(DataLoader(Squares(), batch_size=4)))
    assert xb.shape == (4, 3) and xb[:, 0].tolist() == [0.0, 1.0, 2.0, 3.0]
    assert yb.tolist() == [0, 1, 4, 9] and yb.dtype.kind == "i"
    # A list is a PyTorch-style dataset of samples, not a list of columns.
    plain = list(DataLoader([1.5, 2.5, 3.5], batch_size=2))
    assert [b.tolist() for b in plain] == [[1.5, 2.5], [3.5]]


def test_map_style_dataset_with_uneven_samples_is_explained() -> None:
    samples = [(np.zeros(2), 0), (np.zeros(3), 1)]
    with pytest.raises(ValueError, match=r"shapes differ \(item 0: \(2,\), item 1: \(3,\)\)"):
        list(DataLoader(samples, batch_size=2))
    with pytest.raises(ValueError, match="item 1 is .* 2 fields"):
        list(DataLoader([(1, 2), (3,)], batch_size=2))
    X, y = _data(4)
    with pytest.raises(ValueError, match=r"pass them as a tuple \(X, y\), not a list"):
        list(DataLoader([X, y], batch_size=2))


def test_unequal_lengths_are_named() -> None:
    X, y = _data(5)
    with pytest.raises(ValueError, match=r"same number of samples.*array 0 has 5.*array 1 has 4"):
        DataLoader((X, y[:4]))
    with pytest.raises(ValueError, match="array 1 has 3"):
        TensorDataset(X, np.arange(3))


@pytest.mark.parametrize("size", [0, -2])
def test_batch_size_below_one(size: int) -> None:
    with pytest.raises(ValueError, match=f"batch_size must be at least 1, got {size}"):
        DataLoader(_data(), batch_size=size)


@pytest.mark.parametrize("size", [2.5, "4", True, None])
def test_batch_size_must_be_a_whole_number(size: object) -> None:
    with pytest.raises(TypeError, match="batch_size must be a whole number"):
        DataLoader(_data(), batch_size=size)  # type: ignore[arg-type]


def test_empty_datasets_are_refused() -> None:
    with pytest.raises(ValueError, match="dataset is empty"):
        DataLoader((np.zeros((0, 2)), np.zeros(0)))
    with pytest.raises(ValueError, match="dataset is empty"):
        DataLoader([])
    with pytest.raises(ValueError, match="at least one array"):
        DataLoader(())


def test_things_that_are_not_datasets() -> None:
    with pytest.raises(TypeError, match="cannot batch a int"):
        DataLoader(5)
    with pytest.raises(ValueError, match="single number"):
        DataLoader(np.array(2.0))
    with pytest.raises(ValueError, match=r"array 1 is a single number \(3\)"):
        DataLoader((np.zeros(3), 3))
    with pytest.raises(TypeError, match="seed must be"):
        DataLoader(_data(), shuffle=True, seed="abc")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="transform must be a function"):
        DataLoader(_data(), transform=3)  # type: ignore[arg-type]


@needs_torch
@pytest.mark.parametrize("drop_last", [False, True])
def test_sequential_batches_match_torch(drop_last: bool) -> None:
    import torch
    from torch.utils.data import DataLoader as TorchLoader
    from torch.utils.data import TensorDataset as TorchDataset

    X, y = _data(11)
    ours = DataLoader((X, y), batch_size=3, drop_last=drop_last)
    theirs = TorchLoader(
        TorchDataset(torch.tensor(X), torch.tensor(y)), batch_size=3, drop_last=drop_last
    )
    assert len(ours) == len(theirs)
    for (xb, yb), (tx, ty) in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(xb, tx.numpy())
        np.testing.assert_array_equal(yb, ty.numpy())


def test_batches_are_tensors_that_take_tensor_methods_and_keep_their_dtypes() -> None:
    X = np.arange(24, dtype=np.float32).reshape(6, 2, 2, 1)
    y = np.arange(6)
    for dataset in ((X, y), TensorDataset(X, y), TensorDataset(autograd.tensor(X), y)):
        for xb, yb in DataLoader(dataset, batch_size=4, shuffle=True):
            assert type(xb) is Tensor and type(yb) is Tensor
            assert xb.dtype == np.float32 and yb.dtype == np.int64  # labels stay int64
            assert xb.view(-1, 4).shape == (len(yb), 4) and xb.to("cpu") is xb
            assert not xb.requires_grad and yb.long() is yb
    item = TensorDataset(X, y)[3]
    assert all(type(t) is Tensor for t in item) and item[1].item() == 3 and item[1].shape == ()


def test_a_batch_is_a_training_steps_input() -> None:
    X = np.random.default_rng(0).standard_normal((8, 3)).astype(np.float32)
    y = np.arange(8) % 2
    model = nn.Linear(3, 2)
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    for xb, yb in DataLoader(TensorDataset(X, y), batch_size=4, shuffle=True):
        optimizer.zero_grad()
        nn.cross_entropy(model(xb), yb).backward()
        optimizer.step()
        assert model.weight.grad.shape == (2, 3)


def test_manual_seed_repeats_the_shuffled_order() -> None:
    X, y = _data(12)
    orders = []
    for _ in range(2):
        autograd.manual_seed(3)
        loader = DataLoader((X, y), batch_size=12, shuffle=True)
        orders.append([yb.tolist() for _ in range(2) for _, yb in loader])
    assert orders[0] == orders[1] and orders[0][0] != orders[0][1]


@needs_torch
def test_batches_have_the_types_and_dtypes_of_torchs() -> None:
    import torch
    from torch.utils.data import DataLoader as TorchLoader
    from torch.utils.data import TensorDataset as TorchDataset

    X = np.arange(12, dtype=np.float32).reshape(6, 2)
    y = np.arange(6)
    ours = next(iter(DataLoader(TensorDataset(X, y), batch_size=4)))
    theirs = next(iter(TorchLoader(TorchDataset(torch.from_numpy(X), torch.from_numpy(y)), 4)))
    for mine, other in zip(ours, theirs, strict=True):
        assert str(mine.dtype) == str(other.dtype).removeprefix("torch.")
        assert mine.shape == tuple(other.shape) and mine.tolist() == other.tolist()
        assert repr(mine) == repr(other)


# --- IDX files ----------------------------------------------------------------------------


def _idx_bytes(type_code: int, shape: tuple[int, ...], payload: bytes) -> bytes:
    """An IDX file built by hand from the format's definition (independent of write_idx)."""
    header = bytes([0, 0, type_code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)
    return header + payload


def _images(n: int = 5, rows: int = 4, cols: int = 3) -> np.ndarray:
    return (np.arange(n * rows * cols) * 7 % 256).astype(np.uint8).reshape(n, rows, cols)


def test_reads_hand_made_uint8_images_plain_and_gzipped(tmp_path: Path) -> None:
    images = _images()
    content = _idx_bytes(0x08, images.shape, images.tobytes())
    (tmp_path / "plain").write_bytes(content)
    (tmp_path / "packed.gz").write_bytes(gzip.compress(content))
    (tmp_path / "packed-without-suffix").write_bytes(gzip.compress(content))
    for name in ("plain", "packed.gz", "packed-without-suffix"):
        got = read_idx(tmp_path / name)
        assert got.dtype == np.uint8 and got.shape == (5, 4, 3)
        np.testing.assert_array_equal(got, images)
    assert read_idx(str(tmp_path / "plain"))[4, 3, 2] == images[4, 3, 2]


@pytest.mark.parametrize(
    ("type_code", "fmt", "values", "dtype"),
    [
        (0x09, ">3b", (-128, 0, 127), np.int8),
        (0x0B, ">3h", (-300, 2, 30000), np.int16),
        (0x0C, ">3i", (-70000, 1, 2**31 - 1), np.int32),
        (0x0D, ">3f", (0.5, -1.25, 3.0), np.float32),
        (0x0E, ">3d", (0.1, -2.5e300, 1e-300), np.float64),
    ],
)
def test_reads_every_idx_type_big_endian(
    tmp_path: Path, type_code: int, fmt: str, values: tuple[float, ...], dtype: type
) -> None:
    path = tmp_path / "values.idx"
    path.write_bytes(_idx_bytes(type_code, (3,), struct.pack(fmt, *values)))
    got = read_idx(path)
    assert got.dtype == np.dtype(dtype) and got.dtype.isnative
    assert got.tolist() == list(values)


def test_write_idx_writes_the_standard_header(tmp_path: Path) -> None:
    images = _images(2, 3, 2)
    path = write_idx(tmp_path / "x-idx3-ubyte", images)
    assert path.read_bytes() == _idx_bytes(0x08, (2, 3, 2), images.tobytes())
    gz = write_idx(tmp_path / "x-idx3-ubyte.gz", images)
    assert gzip.decompress(gz.read_bytes()) == path.read_bytes()
    assert read_idx(write_idx(tmp_path / "neg", np.array([-1, 2]))).dtype == np.int8
    assert read_idx(write_idx(tmp_path / "big", np.array([70000]))).tolist() == [70000]
    np.testing.assert_array_equal(
        read_idx(write_idx(tmp_path / "f", np.array([[0.25, -3.5]]))), [[0.25, -3.5]]
    )
    with pytest.raises(IDXError, match="integers or floats"):
        write_idx(tmp_path / "s", np.array(["a"]))
    with pytest.raises(IDXError, match="do not fit"):
        write_idx(tmp_path / "huge", np.array([2**40]))


def test_wrong_magic_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(b"\x12\x34\x56\x78" + bytes(20))
    with pytest.raises(IDXError, match=rf"{path}: not an IDX file: the magic number is 0x12345678"):
        read_idx(path)
    path.write_bytes(_idx_bytes(0x07, (2,), b"\x01\x02"))
    with pytest.raises(IDXError, match="magic number is 0x00000701"):
        read_idx(path)
    path.write_bytes(b"\x00\x00")
    with pytest.raises(IDXError, match="only 2 bytes"):
        read_idx(path)


def test_truncated_and_overlong_files(tmp_path: Path) -> None:
    images = _images()
    path = tmp_path / "images"
    content = _idx_bytes(0x08, images.shape, images.tobytes())
    path.write_bytes(content[:-1])
    with pytest.raises(IDXError, match=rf"{path}: truncated.*\(5, 4, 3\).*60 data bytes.*holds 59"):
        read_idx(path)
    path.write_bytes(content + b"\x00")
    with pytest.raises(IDXError, match="too long.*holds 61 data bytes"):
        read_idx(path)
    path.write_bytes(content[:9])
    with pytest.raises(
        IDXError, match=r"truncated IDX header: .* 3 dimensions \(16 header bytes\)"
    ):
        read_idx(path)
    # A corrupt header announcing an absurd size is "truncated", not an overflow or MemoryError.
    path.write_bytes(_idx_bytes(0x0E, (2**32 - 1,) * 4, b""))
    with pytest.raises(IDXError, match="truncated"):
        read_idx(path)


def test_corrupt_gzip_is_named(tmp_path: Path) -> None:
    packed = gzip.compress(_idx_bytes(0x08, (50,), bytes(range(50))))
    path = tmp_path / "labels.gz"
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(IDXError, match=rf"{path}: the file is gzip-compressed but cannot be"):
        read_idx(path)


@pytest.mark.parametrize("ndim", [65, 255])
def test_more_dimensions_than_numpy_holds_is_a_clear_error(tmp_path: Path, ndim: int) -> None:
    path = tmp_path / "odd-idx"
    path.write_bytes(_idx_bytes(0x08, (1,) * ndim, b"\x07"))
    with pytest.raises(
        IDXError,
        match=rf"{path}: the magic number announces {ndim} dimensions, "
        "but a numpy array has at most 64",
    ):
        read_idx(path)
    path.write_bytes(_idx_bytes(0x08, (1,) * 64, b"\x07"))  # the most numpy holds still reads
    assert read_idx(path).shape == (1,) * 64


def test_a_folder_or_a_fifo_is_not_an_idx_file(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError, match=rf"{tmp_path} is a folder, not an IDX file"):
        read_idx(tmp_path)
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe")
        with pytest.raises(IDXError, match=r"pipe is a FIFO \(named pipe\), not an IDX file"):
            read_idx(tmp_path / "pipe")  # and does not wait forever for a writer


def test_a_gzip_header_declaring_more_than_the_file_can_hold(tmp_path: Path) -> None:
    """The header comes first: absurd sizes are refused before any data is decompressed."""
    noise = np.random.default_rng(0).integers(0, 256, 20_000, dtype=np.uint8).tobytes()
    packed = gzip.compress(_idx_bytes(0x08, (60000, 28, 28), noise))
    path = tmp_path / "images.gz"
    path.write_bytes(packed[: len(packed) // 2])  # also cut short: never read that far
    with pytest.raises(
        IDXError,
        match=r"images.gz: the header announces shape \(60000, 28, 28\) "
        r"of uint8 \(47040000 data bytes\), but a gzip file of \d+ bytes cannot ",
    ):
        read_idx(path)
    path.write_bytes(gzip.compress(_idx_bytes(0x0E, (2**32 - 1,) * 4, b"")))
    with pytest.raises(IDXError, match="cannot expand to that many"):
        read_idx(path)


def test_a_gzip_with_data_after_the_array_is_not_decompressed_in_full(tmp_path: Path) -> None:
    import tracemalloc

    path = tmp_path / "labels.gz"
    path.write_bytes(gzip.compress(_idx_bytes(0x08, (10,), bytes(range(10)) + bytes(30_000_000))))
    assert path.stat().st_size < 100_000
    tracemalloc.start()
    try:
        with pytest.raises(
            IDXError,
            match=r"labels.gz: too long: .*\(10 data bytes\) but the file "
            "holds more",
        ):
            read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000  # not the 30 MB that decompressing it all would take
    path.write_bytes(gzip.compress(_idx_bytes(0x08, (10,), bytes(5))))
    with pytest.raises(IDXError, match=r"truncated: .*\(10 data bytes\) but the file holds 5"):
        read_idx(path)


def test_missing_idx_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="IDX file not found: .*nothing-here"):
        read_idx(tmp_path / "nothing-here")


# --- MNIST --------------------------------------------------------------------------------

STANDARD = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


def _write_mnist(folder: Path, names: tuple[str, ...] = STANDARD, gz: bool = False) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    arrays = (_images(5, 28, 28), np.array([5, 0, 4, 1, 9]), _images(3, 28, 28)[::-1], [7, 2, 1])
    for name, array in zip(names, arrays):
        data = np.asarray(array, dtype=np.uint8)
        content = _idx_bytes(0x08, data.shape, data.tobytes())
        target = folder / (name + (".gz" if gz else ""))
        target.write_bytes(gzip.compress(content) if gz else content)


def _check_loaded(loaded: tuple[np.ndarray, ...]) -> None:
    train_x, train_y, test_x, test_y = loaded
    assert train_x.shape == (5, 28, 28) and train_x.dtype == np.uint8
    np.testing.assert_array_equal(train_x, _images(5, 28, 28))
    assert train_y.tolist() == [5, 0, 4, 1, 9] and train_y.dtype == np.int64
    assert test_x.shape == (3, 28, 28)
    np.testing.assert_array_equal(test_x, _images(3, 28, 28)[::-1])
    assert test_y.tolist() == [7, 2, 1] and test_y.dtype == np.int64


@pytest.mark.parametrize("gz", [False, True])
def test_load_mnist_standard_names(tmp_path: Path, gz: bool) -> None:
    _write_mnist(tmp_path, gz=gz)
    _check_loaded(load_mnist(tmp_path))
    _check_loaded(load_mnist(str(tmp_path)))


def test_load_mnist_dotted_names_and_torchvision_folder(tmp_path: Path) -> None:
    dotted = tuple(n.replace("-idx", ".idx") for n in STANDARD)
    assert dotted[0] == "train-images.idx3-ubyte"
    _write_mnist(tmp_path / "dotted", dotted)
    _check_loaded(load_mnist(tmp_path / "dotted"))
    _write_mnist(tmp_path / "data" / "MNIST" / "raw", gz=True)
    _check_loaded(load_mnist(tmp_path / "data"))


def test_load_mnist_prefers_the_plain_file(tmp_path: Path) -> None:
    _write_mnist(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(b"not even gzip")
    _check_loaded(load_mnist(tmp_path))


def test_missing_mnist_files_are_listed_with_where_to_get_them(tmp_path: Path) -> None:
    _write_mnist(tmp_path)
    (tmp_path / "train-images-idx3-ubyte").unlink()
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(FileNotFoundError) as caught:
        load_mnist(tmp_path)
    message = str(caught.value)
    missing = [line.split()[1] for line in message.splitlines() if "missing:" in line]
    assert missing == ["train-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
    assert "found:   train-labels-idx1-ubyte, t10k-images-idx3-ubyte" in message
    assert (
        f"looked in {tmp_path.resolve()} and in {tmp_path.resolve() / 'MNIST' / 'raw'}" in message
    )
    for source in ("Yann LeCun", "torchvision", "Kaggle", "never downloads"):
        assert source in message


def test_missing_mnist_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"The folder .*nowhere does not exist"):
        load_mnist(tmp_path / "nowhere")


def test_mnist_counts_must_agree(tmp_path: Path) -> None:
    _write_mnist(tmp_path)
    labels = tmp_path / "train-labels-idx1-ubyte"
    labels.write_bytes(_idx_bytes(0x08, (4,), bytes([1, 2, 3, 4])))
    with pytest.raises(IDXError, match=r"train-images-idx3-ubyte holds 5 images but .*labels.*4"):
        load_mnist(tmp_path)


def test_mnist_files_of_the_wrong_shape_are_named(tmp_path: Path) -> None:
    _write_mnist(tmp_path)
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(_idx_bytes(0x08, (3,), bytes(3)))
    with pytest.raises(IDXError, match=r"t10k-images-idx3-ubyte: expected MNIST images.*\(3,\)"):
        load_mnist(tmp_path)
    _write_mnist(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(_idx_bytes(0x0B, (5,), bytes(10)))
    with pytest.raises(IDXError, match="train-labels-idx1-ubyte: expected MNIST labels.*int16"):
        load_mnist(tmp_path)


def test_normalize_mnist_matches_the_torchvision_formula() -> None:
    images = _images(2, 28, 28)
    out = normalize_mnist(images)
    assert out.shape == (2, 784) and out.dtype == np.float32
    expected = (images.reshape(2, 784).astype(np.float64) / 255 - 0.1307) / 0.3081
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-6)
    assert float(out.min()) == pytest.approx(-0.1307 / 0.3081, abs=1e-6)
    kept = normalize_mnist(images, flatten=False)
    assert kept.shape == (2, 28, 28)
    np.testing.assert_array_equal(kept.reshape(2, 784), out)
    assert (MNIST_MEAN, MNIST_STD) == (0.1307, 0.3081)
    assert normalize_mnist(np.zeros((0, 28, 28), dtype=np.uint8)).shape == (0, 784)


def test_normalize_mnist_refuses_scaled_or_shapeless_input() -> None:
    with pytest.raises(TypeError, match="expects raw uint8 pixels.*got float64"):
        normalize_mnist(np.zeros((1, 28, 28)))
    with pytest.raises(ValueError, match=r"batch of images.*\(784,\)"):
        normalize_mnist(np.zeros(784, dtype=np.uint8))


def test_a_torch_generator_shuffles_a_data_loader_the_same_way_each_time() -> None:
    import autograd  # PyTorch's generator= (its Generator is a numpy one)

    X, y = np.arange(20).reshape(10, 2), np.arange(10)

    def orders(seed: int) -> list[list[int]]:
        g = autograd.Generator().manual_seed(seed)
        loader = DataLoader((X, y), batch_size=10, shuffle=True, generator=g)
        return [np.asarray(yb).tolist() for _ in range(2) for _, yb in loader]

    first = orders(2147483647)
    assert first == orders(2147483647) and first[0] != first[1]
    assert sorted(first[0]) == list(range(10))
    with pytest.raises(TypeError, match="seed or generator, not both"):
        DataLoader((X, y), seed=0, generator=autograd.Generator())
