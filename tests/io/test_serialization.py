"""nn.save / nn.load / check_state_dict: round trips, atomic writes, damaged files, clear errors."""

from __future__ import annotations

import os
import pickle
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import needs_torch

import nn
from nn import io as nn_io
from nn.io import load, save
from nn.state_dict import CheckedStateDict, StateDictError, check_state_dict


def _state() -> dict[str, np.ndarray]:
    return {
        "layers.0.weight": np.arange(12, dtype=np.float32).reshape(3, 4) / 7,
        "layers.0.bias": np.array([0.1, -0.2, 0.3]),
        "layers.2.weight": np.arange(6, dtype=np.int64).reshape(2, 3) - 3,
        "mask": np.array([True, False]),
        "phase": np.array([1 + 2j]),
        "scale": np.array(2.5, dtype=np.float16),
    }


def _assert_same(got: Mapping[str, np.ndarray], want: Mapping[str, np.ndarray]) -> None:
    assert list(got) == list(want)
    for name in want:
        assert got[name].dtype == want[name].dtype, name
        assert got[name].shape == want[name].shape, name
        np.testing.assert_array_equal(got[name], want[name])


def _files(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


# --- round trips --------------------------------------------------------------------------


def test_exported_from_nn() -> None:
    assert nn.save is save and nn.load is load


def test_round_trip_keeps_names_order_dtypes_and_values(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    save(_state(), path)
    loaded = load(path)
    assert type(loaded) is dict
    _assert_same(loaded, _state())
    # A plain numpy archive: numpy alone reads it, with the same names.
    with np.load(path, allow_pickle=False) as archive:
        assert archive.files == list(_state())
        np.testing.assert_array_equal(archive["layers.0.bias"], [0.1, -0.2, 0.3])


def test_reverse_order_is_kept_too(tmp_path: Path) -> None:
    state = dict(reversed(list(_state().items())))
    save(state, tmp_path / "r.npz")
    assert list(load(tmp_path / "r.npz")) == list(state)


def test_the_suffix_chooses_the_format_and_nothing_is_appended(tmp_path: Path) -> None:
    save({"w": np.ones(2)}, str(tmp_path / "model.npz"))
    save({"w": np.zeros(2)}, tmp_path / "model.safetensors")
    save({"w": np.full(2, 3.0)}, tmp_path / "upper.NPZ")
    assert _files(tmp_path) == ["model.npz", "model.safetensors", "upper.NPZ"]
    assert load(str(tmp_path / "model.npz"))["w"].tolist() == [1.0, 1.0]
    assert load(tmp_path / "model.safetensors")["w"].tolist() == [0.0, 0.0]
    assert load(tmp_path / "upper.NPZ")["w"].tolist() == [3.0, 3.0]
    assert (tmp_path / "model.npz").read_bytes().startswith(b"PK")
    assert not (tmp_path / "model.safetensors").read_bytes().startswith(b"PK")


@pytest.mark.parametrize("name", ["model.pt", "checkpoint", "model.npz.bak"])
def test_an_unknown_suffix_is_an_error_naming_both_formats(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match=r"file format from the name .*\.npz .*\.safetensors"):
        save({"w": np.ones(2)}, tmp_path / name)
    assert _files(tmp_path) == []
    save({"w": np.ones(2)}, tmp_path / "model.npz")
    os.rename(tmp_path / "model.npz", tmp_path / name)
    with pytest.raises(StateDictError, match=r"\.npz .*\.safetensors.*zip archive.*rename it"):
        load(tmp_path / name)


def test_names_that_clash_with_savez_keywords_are_kept(tmp_path: Path) -> None:
    state = {"file": np.array([1]), "allow_pickle": np.array([2]), "a/b": np.array([3])}
    save(state, tmp_path / "s.npz")
    _assert_same(load(tmp_path / "s.npz"), state)


def test_values_may_be_tensors_numbers_lists_or_views(tmp_path: Path) -> None:
    class HoldsData:  # like tracegrad's Tensor: .data is the ndarray
        data = np.array([[1.0, 2.0]])

    class GivesNumpy:
        def numpy(self) -> np.ndarray:
            return np.array([3, 4], dtype=np.int32)

    base = np.arange(16.0).reshape(4, 4)
    state = {
        "t": HoldsData(),
        "n": GivesNumpy(),
        "x": 1.5,
        "l": [1, 2],
        "strided": base[::2, 1::2],
        "fortran": np.asfortranarray(base),
    }
    save(state, tmp_path / "m.npz")
    loaded = load(tmp_path / "m.npz")
    assert loaded["t"].tolist() == [[1.0, 2.0]]
    assert loaded["n"].tolist() == [3, 4] and loaded["n"].dtype == np.int32
    assert loaded["x"].shape == () and float(loaded["x"]) == 1.5
    assert loaded["l"].tolist() == [1, 2]
    assert loaded["strided"].tolist() == [[1.0, 3.0], [9.0, 11.0]]
    np.testing.assert_array_equal(loaded["fortran"], base)


def test_empty_state_dict(tmp_path: Path) -> None:
    save({}, tmp_path / "empty.npz")
    assert load(tmp_path / "empty.npz") == {}


@needs_torch
def test_torch_tensors_and_a_torch_state_dict_round_trip(tmp_path: Path) -> None:
    import torch

    layer = torch.nn.Linear(3, 2)
    save(layer.state_dict(), tmp_path / "linear.npz")
    loaded = load(tmp_path / "linear.npz")
    assert list(loaded) == ["weight", "bias"]
    np.testing.assert_array_equal(loaded["weight"], layer.weight.detach().numpy())
    assert loaded["weight"].dtype == np.float32


# --- atomic save --------------------------------------------------------------------------


def _fail_on_second_entry(
    monkeypatch: pytest.MonkeyPatch, error: BaseException, folder: Path
) -> list[list[str]]:
    """Make the archive writer write part of the file, then fail, as a crash would.

    Returns the folder's listing at each array written, as seen from inside the save.
    """
    real_write = nn_io.npy_format.write_array
    calls: list[list[str]] = []

    def write_then_fail(entry: Any, array: np.ndarray, **kwargs: Any) -> None:
        calls.append(_files(folder))
        if len(calls) == 2:
            entry.write(b"\x93NUMPY half of a header")
            raise error
        real_write(entry, array, **kwargs)

    monkeypatch.setattr(nn_io.npy_format, "write_array", write_then_fail)
    return calls


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_save_failing_midway_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    path = tmp_path / "model.npz"
    old = {"w": np.array([1.0, 2.0, 3.0])}
    save(old, path)
    calls = _fail_on_second_entry(monkeypatch, error, tmp_path)
    with pytest.raises(type(error)):
        save({"w": np.zeros(3), "b": np.zeros(1), "c": np.zeros(1)}, path)
    assert len(calls) == 2  # the failure really happened in the middle of writing
    # Meanwhile the new content went to a hidden temporary file beside the target.
    (temporary,) = [name for name in calls[1] if name != "model.npz"]
    assert temporary.startswith(".model.npz.") and temporary.endswith(".tmp")
    assert _files(tmp_path) == ["model.npz"]
    _assert_same(load(path), old)


def test_a_save_failing_before_any_old_file_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_on_second_entry(monkeypatch, OSError(5, "Input/output error"), tmp_path)
    with pytest.raises(OSError, match="Input/output error"):
        save({"a": np.ones(1), "b": np.ones(1)}, tmp_path / "new.npz")
    assert _files(tmp_path) == []


@pytest.mark.parametrize("step", ["fsync", "replace"])
def test_failing_fsync_or_rename_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    path = tmp_path / "model.npz"
    save({"w": np.array([7.0])}, path)

    def broken(*args: Any) -> None:
        raise OSError(5, f"{step} failed")

    monkeypatch.setattr(nn_io.os, step, broken)
    with pytest.raises(OSError, match=f"{step} failed"):
        save({"w": np.array([8.0])}, path)
    monkeypatch.undo()
    assert _files(tmp_path) == ["model.npz"]
    assert load(path)["w"].tolist() == [7.0]


def test_the_complete_file_replaces_the_old_one(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    save({"w": np.array([1.0]), "old": np.array([0])}, path)
    save({"w": np.array([2.0])}, path)
    _assert_same(load(path), {"w": np.array([2.0])})
    assert _files(tmp_path) == ["model.npz"]


def test_permissions_follow_the_umask_and_an_overwrite_keeps_them(tmp_path: Path) -> None:
    if os.name != "posix":
        pytest.skip("file modes are a POSIX notion")
    previous = os.umask(0o022)
    try:
        save({"w": np.ones(1)}, tmp_path / "new.npz")
        assert stat.S_IMODE(os.stat(tmp_path / "new.npz").st_mode) == 0o644
        os.chmod(tmp_path / "new.npz", 0o600)
        save({"w": np.zeros(1)}, tmp_path / "new.npz")
        assert stat.S_IMODE(os.stat(tmp_path / "new.npz").st_mode) == 0o600
    finally:
        os.umask(previous)


# --- what save refuses --------------------------------------------------------------------


def test_bad_values_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    save({"w": np.array([1.0])}, path)
    with pytest.raises(StateDictError, match=r"'names' holds a text array \(<U3\).*numbers only"):
        save({"w": np.array([2.0]), "names": np.array(["abc"])}, path)
    with pytest.raises(StateDictError, match="'obj' holds a Python object array.*pickle"):
        save({"obj": np.array([{"a": 1}], dtype=object)}, path)
    assert _files(tmp_path) == ["model.npz"]
    assert load(path)["w"].tolist() == [1.0]


@pytest.mark.parametrize("key", [3, "", None])
def test_keys_must_be_names(tmp_path: Path, key: Any) -> None:
    with pytest.raises(StateDictError, match=rf"keys must be non-empty names \(str\), got {key!r}"):
        save({key: np.ones(1)}, tmp_path / "m.npz")


def test_keys_np_load_would_confuse_are_refused_before_writing(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    save({"w": np.array([1.0])}, path)
    both = {"a": np.array([1.0]), "a.npy": np.array([2.0])}
    with pytest.raises(
        StateDictError, match=r"keys 'a' and 'a.npy' cannot both be saved in a .npz"
    ):
        save(both, path)
    assert _files(tmp_path) == ["m.npz"] and load(path)["w"].tolist() == [1.0]
    # Why: written anyway, numpy's own reader hands out a's numbers under the name "a.npy".
    with open(tmp_path / "forced.npz", "wb") as file:
        nn_io._write_npz(file, both)
    with np.load(tmp_path / "forced.npz") as archive:
        assert archive["a.npy"].tolist() == [1.0]
    # In safetensors the two names cannot be confused, so there they are kept.
    save(both, tmp_path / "m.safetensors")
    _assert_same(load(tmp_path / "m.safetensors"), both)


@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
@pytest.mark.parametrize(
    ("key", "message"),
    [("a\x00b", r"'a\\x00b' contains a NUL character"), ("w\udcff", "lone surrogate")],
)
def test_keys_a_file_cannot_hold_are_refused(
    tmp_path: Path, suffix: str, key: str, message: str
) -> None:
    """zip cut "a\\x00b" to "a" when reading it back; nothing is written now."""
    path = tmp_path / f"m{suffix}"
    save({"w": np.array([1.0])}, path)
    with pytest.raises(StateDictError, match=message):
        save({"w": np.array([2.0]), key: np.ones(1)}, path)
    assert _files(tmp_path) == [path.name] and load(path)["w"].tolist() == [1.0]


def test_save_needs_a_mapping_and_a_writable_place(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="expects a state dict.*got list"):
        save([np.ones(1)], tmp_path / "m.npz")  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError, match=r"the folder .*missing does not exist"):
        save({"w": np.ones(1)}, tmp_path / "missing" / "m.npz")
    with pytest.raises(IsADirectoryError, match="is a folder"):
        save({"w": np.ones(1)}, tmp_path)


# --- damaged and foreign files ------------------------------------------------------------


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=rf"nn.load: no such file: {tmp_path}/gone.npz"):
        load(tmp_path / "gone.npz")
    with pytest.raises(IsADirectoryError, match="is a folder"):
        load(tmp_path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", r"is empty \(0 bytes\)"),
        (b"weight,bias\n1,2\n", r"is not a .npz file \(it starts with the bytes b'weight,b'\)"),
        (pickle.dumps({"w": [1.0]}), "holds pickled Python data.*never unpickles"),
    ],
)
def test_files_that_are_not_npz(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "model.npz"
    path.write_bytes(content)
    with pytest.raises(StateDictError, match=rf"nn.load: {path} {expected}"):
        load(path)


def test_a_single_npy_array_is_not_a_state_dict(tmp_path: Path) -> None:
    path = tmp_path / "weights.npy"
    np.save(path, np.ones(3))
    with pytest.raises(StateDictError, match=r"holds a single numpy array \(.npy format\)"):
        load(path)


def test_object_arrays_are_refused_not_unpickled(tmp_path: Path) -> None:
    path = tmp_path / "pickled.npz"
    np.savez(path, w=np.ones(2), o=np.array([{"a": 1}], dtype=object))
    with pytest.raises(StateDictError, match=rf"{path}: entry 'o' is an object array.*refuses"):
        load(path)


def _npz_with_header(path: Path, shape: tuple[int, ...], data: bytes, **zip_options: Any) -> None:
    """An archive whose one entry has a .npy header declaring ``shape`` of float64."""
    import io
    import zipfile

    entry = io.BytesIO()
    header = {"descr": "<f8", "fortran_order": False, "shape": shape}
    nn_io.npy_format.write_array_header_1_0(entry, header)
    with zipfile.ZipFile(path, "w", **zip_options) as archive:
        archive.writestr("w.npy", entry.getvalue() + data)


def test_a_header_declaring_a_huge_shape_is_refused_before_allocating(tmp_path: Path) -> None:
    """A 200-byte file once asked numpy for 74.5 GiB and got a MemoryError."""
    path = tmp_path / "huge.npz"
    _npz_with_header(path, (100000, 100000), bytes(64))
    assert path.stat().st_size < 400
    with pytest.raises(
        StateDictError,
        match=r"entry 'w' is corrupt: its header declares shape "
        r"\(100000, 100000\) of float64 \(80,000,000,000 bytes\), but the entry "
        r"holds 64 bytes",
    ):
        load(path)
    _npz_with_header(path, (3,), bytes(64))  # too few numbers declared is damage too
    with pytest.raises(StateDictError, match=r"declares shape \(3,\) .*holds 64 bytes"):
        load(path)
    _npz_with_header(path, (8,), bytes(64))
    assert load(path)["w"].tolist() == [0.0] * 8


def _patch_central_directory(path: Path, offset: int, value: int) -> None:
    """Overwrite one 4-byte field of the (single) entry's record in the zip's directory."""
    content = bytearray(path.read_bytes())
    record = content.rindex(b"PK\x01\x02")
    content[record + offset : record + offset + 4] = value.to_bytes(4, "little")
    path.write_bytes(bytes(content))


def test_a_zip_directory_claiming_more_than_the_file_holds_is_refused(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "lies.npz"
    _npz_with_header(path, (2**28,), b"")
    _patch_central_directory(path, 20, 2**31)  # compressed size
    _patch_central_directory(path, 24, 2**31)  # uncompressed size
    with pytest.raises(StateDictError, match=r"'w' is truncated: the archive's directory says"):
        load(path)
    # Deflated: a few hundred bytes cannot expand to 2 GiB, whatever the directory says.
    _npz_with_header(path, (2**28,), b"", compression=zipfile.ZIP_DEFLATED)
    _patch_central_directory(path, 24, 2**31)
    with pytest.raises(StateDictError, match=r"'w' is corrupt: the archive's directory says \d+ "):
        load(path)


def _zip_bomb(path: Path, megabytes: int) -> None:
    """An honest archive: one float64 entry of zeros, deflated about 1000 to 1."""
    import zipfile

    header = {"descr": "<f8", "fortran_order": False, "shape": (megabytes * 2**17,)}
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("w.npy", "w", force_zip64=True) as entry,
    ):
        nn_io.npy_format.write_array_header_1_0(entry, header)
        for _ in range(megabytes):
            entry.write(bytes(2**20))


def test_a_zip_bomb_is_refused_before_anything_is_inflated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 130 KB file declaring 128 MiB of zeros: each size is honest, the sum is the danger."""
    path = tmp_path / "bomb.npz"
    _zip_bomb(path, 128)
    size = path.stat().st_size
    assert size < 2**18

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("an entry was read")

    with monkeypatch.context() as patch:
        patch.setattr(nn_io.npy_format, "read_magic", never)
        patch.setattr(nn_io.npy_format, "read_array", never)
        with pytest.raises(StateDictError) as refused:
            load(path)
    message = str(refused.value)
    declared = 2**27 + 128  # the zeros, and the .npy header before them
    assert f"nn.load: {path}: its entries declare {declared:,} bytes of arrays" in message
    assert "nothing was inflated" in message
    needed = int(message.rsplit("max_ratio=", 1)[1].rstrip(")"))
    assert needed == -(-declared // size)
    with pytest.raises(StateDictError, match="over the limit of 500 times"):
        load(path, max_ratio=500)
    state = load(path, max_ratio=needed)  # the caller trusts the file: it loads
    assert state["w"].shape == (2**24,) and not state["w"].any()


def test_a_small_archive_of_zeros_loads_whatever_its_ratio(tmp_path: Path) -> None:
    path = tmp_path / "zeros.npz"
    np.savez_compressed(path, w=np.zeros((1000, 1000)))  # 8 MB in about 8 KB
    assert path.stat().st_size * 100 < 8 * 10**6
    assert load(path)["w"].shape == (1000, 1000)


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), "100", True, None])
def test_max_ratio_must_be_a_positive_number(tmp_path: Path, bad: object) -> None:
    save({"w": np.ones(2)}, tmp_path / "m.npz")
    with pytest.raises(ValueError, match="max_ratio must be a positive number"):
        load(tmp_path / "m.npz", max_ratio=bad)  # type: ignore[arg-type]


def test_compressed_archives_from_numpy_load(tmp_path: Path) -> None:
    path = tmp_path / "packed.npz"
    state = {"w": np.arange(1000.0).reshape(10, 100), "i": np.arange(5, dtype=np.int16)}
    np.savez_compressed(path, **state)
    _assert_same(load(path), state)


def test_an_archive_entry_that_is_not_an_array(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "odd.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(StateDictError, match="entry 'notes.txt' is not a numpy array"):
        load(path)


@needs_torch
def test_a_torch_save_file_gets_a_pointer_to_torch_load(tmp_path: Path) -> None:
    import torch

    path = tmp_path / "model.pt"
    torch.save({"w": torch.ones(2)}, path)
    with pytest.raises(StateDictError, match=r"looks like a torch.save file.*torch.load"):
        load(path)


def test_every_truncation_is_a_clear_error(tmp_path: Path) -> None:
    good = tmp_path / "good.npz"
    save({"a": np.arange(5.0), "b": np.ones((2, 2), dtype=np.float32)}, good)
    content = good.read_bytes()
    damaged = tmp_path / "damaged.npz"
    for length in range(len(content)):
        damaged.write_bytes(content[:length])
        with pytest.raises(StateDictError, match=str(damaged)):
            load(damaged)
    damaged.write_bytes(content[: len(content) // 2])
    with pytest.raises(StateDictError, match="is truncated or corrupt: it is not a complete .npz"):
        load(damaged)


def test_every_flipped_byte_is_an_error_or_harmless(tmp_path: Path) -> None:
    """No damage gives a traceback from inside zipfile or numpy, or silently different arrays."""
    state = {"a": np.arange(5.0), "b": np.ones((2, 2), dtype=np.float32)}
    save(state, tmp_path / "good.npz")
    content = (tmp_path / "good.npz").read_bytes()
    damaged = tmp_path / "damaged.npz"
    harmless = []
    for position in range(len(content)):
        flipped = bytearray(content)
        flipped[position] ^= 0xFF
        damaged.write_bytes(bytes(flipped))
        try:
            loaded = load(damaged)
        except StateDictError as error:
            assert str(damaged) in str(error)
        else:
            _assert_same(loaded, state)  # the flip hit a field zip does not use (a timestamp)
            harmless.append(position)
    for array in state.values():
        start = content.index(array.tobytes())
        assert not [p for p in harmless if start <= p < start + array.nbytes]
    assert len(harmless) < len(content) // 3


# --- check_state_dict ---------------------------------------------------------------------


def _model() -> dict[str, np.ndarray]:
    return {
        "layers.0.weight": np.zeros((2, 3), dtype=np.float32),
        "layers.0.bias": np.zeros(2, dtype=np.float32),
        "steps": np.zeros((), dtype=np.int64),
    }


def _matching_file_state() -> dict[str, np.ndarray]:
    return {
        "layers.0.weight": np.arange(6.0).reshape(2, 3) / 4,  # float64 in the file
        "layers.0.bias": np.array([1, -1]),  # integers
        "steps": np.array(7, dtype=np.int32),
    }


def test_a_fitting_state_dict_is_cast_to_the_models_dtypes_in_its_order() -> None:
    given = _matching_file_state()
    checked = check_state_dict(_model(), dict(reversed(list(given.items()))))
    assert isinstance(checked, CheckedStateDict)
    assert list(checked.arrays) == list(_model())
    assert checked.missing_keys == [] and checked.unexpected_keys == []
    weight = checked.arrays["layers.0.weight"]
    assert weight.dtype == np.float32
    assert weight.tolist() == [[0.0, 0.25, 0.5], [0.75, 1.0, 1.25]]
    assert checked.arrays["layers.0.bias"].tolist() == [1.0, -1.0]
    assert checked.arrays["steps"].dtype == np.int64 and int(checked.arrays["steps"]) == 7
    # Fresh arrays: later changes to the state dict cannot reach the model through them.
    same_dtype = {"w": np.ones(2)}
    copy = check_state_dict({"w": np.zeros(2)}, same_dtype).arrays["w"]
    assert not np.shares_memory(copy, same_dtype["w"])


def test_every_problem_is_reported_at_once() -> None:
    given = {
        "layers.0.weight": np.zeros((3, 2)),
        "layers.1.weight": np.zeros(1),
        "extra": np.zeros(1),
        "steps": np.array(1.5),
    }
    with pytest.raises(StateDictError) as caught:
        check_state_dict(_model(), given)
    assert str(caught.value).splitlines() == [
        "the state dict does not fit the model, nothing was loaded:",
        "  missing keys (in the model, not in the state dict): layers.0.bias",
        "  unexpected keys (in the state dict, not in the model): layers.1.weight, extra",
        "  shape mismatch for layers.0.weight: the model has (2, 3), the state dict has (3, 2)",
        "  cannot load steps: the state dict holds floating-point values (float64) and the "
        "model's parameter is integer (int64); converting would lose information",
    ]


def test_strict_false_reports_missing_and_unexpected_keys_but_not_shapes() -> None:
    given = {"layers.0.weight": np.ones((2, 3)), "extra": np.zeros(1)}
    checked = check_state_dict(_model(), given, strict=False)
    assert list(checked.arrays) == ["layers.0.weight"]
    assert checked.missing_keys == ["layers.0.bias", "steps"]
    assert checked.unexpected_keys == ["extra"]
    with pytest.raises(StateDictError, match=r"shape mismatch for layers.0.weight.*\(2,\)"):
        check_state_dict(_model(), {"layers.0.weight": np.ones(2)}, strict=False)


@pytest.mark.parametrize(
    ("model_dtype", "value", "message"),
    [
        (np.float32, np.array([1e300]), "too large for float32 and would become inf"),
        (np.float32, np.array([1 + 1j]), r"complex values \(complex128\).*floating-point"),
        (np.float32, np.array(["1.0"]), r"text values \(<U3\)"),
        (np.int8, np.array([300]), "values from 300 to 300 do not fit in int8"),
        (np.uint8, np.array([-1]), "values from -1 to -1 do not fit in uint8"),
        (np.bool_, np.array([1]), r"integer values \(int64\) .* bool"),
    ],
)
def test_values_that_cannot_be_stored_are_errors(
    model_dtype: type, value: np.ndarray, message: str
) -> None:
    with pytest.raises(StateDictError, match=f"cannot load p: .*{message}"):
        check_state_dict({"p": np.zeros(1, dtype=model_dtype)}, {"p": value})


def test_casts_that_keep_the_numbers() -> None:
    expected = {"i8": np.zeros(2, np.int8), "u1": np.zeros(2, np.uint8), "c": np.zeros(2, complex)}
    given = {"i8": np.array([-128, 127]), "u1": np.array([0, 255]), "c": np.array([1.5, 2.0])}
    arrays = check_state_dict(expected, given).arrays
    assert arrays["i8"].tolist() == [-128, 127] and arrays["i8"].dtype == np.int8
    assert arrays["u1"].tolist() == [0, 255] and arrays["u1"].dtype == np.uint8
    assert arrays["c"].tolist() == [1.5 + 0j, 2.0 + 0j]


def test_expected_may_be_shapes_and_dtypes_or_tensor_like() -> None:
    class Param:
        def __init__(self, data: np.ndarray) -> None:
            self.data = data

    spec = {"w": ((2,), "float32"), "b": Param(np.zeros(1))}
    given = {"w": Param(np.array([1.0, 2.0])), "b": [5]}
    arrays = check_state_dict(spec, given).arrays
    assert arrays["w"].dtype == np.float32 and arrays["w"].tolist() == [1.0, 2.0]
    assert arrays["b"].tolist() == [5.0]
    with pytest.raises(TypeError, match="expects a mapping.*got list"):
        check_state_dict(spec, [np.ones(2)])  # type: ignore[arg-type]


class _TinyModel:
    """The documented load_state_dict recipe, on parameters that hold arrays in ``.data``."""

    class Param:
        def __init__(self, data: np.ndarray) -> None:
            self.data = data

    def __init__(self) -> None:
        self.params = {
            "fc.weight": self.Param(np.full((2, 2), 0.5, dtype=np.float32)),
            "fc.bias": self.Param(np.zeros(2, dtype=np.float32)),
        }

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> Any:
        expected = {name: p.data for name, p in self.params.items()}
        checked = check_state_dict(expected, state_dict, strict)
        for name, array in checked.arrays.items():
            self.params[name].data[...] = array
        return checked


def test_a_failed_load_leaves_the_model_untouched_and_a_good_one_copies_in_place(
    tmp_path: Path,
) -> None:
    model = _TinyModel()
    weight_array = model.params["fc.weight"].data
    save({"fc.weight": np.ones((2, 2)), "fc.bias": np.ones(3)}, tmp_path / "bad.npz")
    with pytest.raises(StateDictError, match="shape mismatch for fc.bias"):
        model.load_state_dict(load(tmp_path / "bad.npz"))
    assert model.params["fc.weight"].data.tolist() == [[0.5, 0.5], [0.5, 0.5]]
    assert model.params["fc.bias"].data.tolist() == [0.0, 0.0]

    save({"fc.weight": np.eye(2), "fc.bias": np.array([3.0, 4.0])}, tmp_path / "good.npz")
    model.load_state_dict(load(tmp_path / "good.npz"))
    assert model.params["fc.weight"].data is weight_array  # optimizers holding it still see it
    assert weight_array.tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert model.params["fc.bias"].data.tolist() == [3.0, 4.0]
    assert model.params["fc.bias"].data.dtype == np.float32
