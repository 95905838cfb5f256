"""nn.save / nn.load in the safetensors format: round trips, PyTorch cross-loading, damage."""

from __future__ import annotations

import json
import os
import struct
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import needs_torch

import autograd
import nn
from nn import StateDictError, load, save


def _files(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def _state() -> dict[str, np.ndarray]:
    return {
        "layers.0.weight": np.arange(12, dtype=np.float32).reshape(3, 4) / 7,
        "layers.0.bias": np.array([0.1, -0.2, 0.3]),
        "steps": np.array(7, dtype=np.int64),
        "mask": np.array([True, False]),
        "half": np.array([1.5, -2.0], dtype=np.float16),
        "small": np.array([-3, 4], dtype=np.int8),
        "codes": np.array([1, 65535], dtype=np.uint16),
        "phase": np.array([1 + 2j], dtype=np.complex64),
        "empty": np.zeros((0, 3), dtype=np.float32),
    }


def _assert_same(got: dict[str, np.ndarray], want: dict[str, np.ndarray]) -> None:
    assert list(got) == list(want)
    for name in want:
        assert got[name].dtype == want[name].dtype, name
        assert got[name].shape == want[name].shape, name
        np.testing.assert_array_equal(got[name], want[name])


# --- round trips --------------------------------------------------------------------------


def test_round_trip_keeps_names_order_dtypes_and_values(tmp_path: Path) -> None:
    path = tmp_path / "model.safetensors"
    save(_state(), path)
    loaded = load(path)
    _assert_same(loaded, _state())
    assert all(a.flags.writeable and a.flags.owndata for a in loaded.values())
    reversed_state = dict(reversed(list(_state().items())))
    save(reversed_state, path)
    assert list(load(path)) == list(reversed_state)
    assert _files(tmp_path) == ["model.safetensors"]


def test_views_fortran_and_big_endian_arrays_are_written_as_their_numbers(tmp_path: Path) -> None:
    """safetensors reads an array's memory as one block: strided views must be made compact."""
    base = np.arange(16.0).reshape(4, 4)
    state = {
        "strided": base[::2, 1::2],
        "transposed": base.T,
        "fortran": np.asfortranarray(base),
        "big_endian": np.array([1.5, -2.25], dtype=">f8"),
    }
    save(state, tmp_path / "v.safetensors")
    loaded = load(tmp_path / "v.safetensors")
    for name, array in state.items():
        np.testing.assert_array_equal(loaded[name], array, err_msg=name)
    assert loaded["big_endian"].dtype == np.float64


def test_the_safetensors_package_reads_our_files_and_we_read_its(tmp_path: Path) -> None:
    from safetensors.numpy import load_file, save_file

    save(_state(), tmp_path / "ours.safetensors")
    theirs = load_file(str(tmp_path / "ours.safetensors"))
    for name, array in _state().items():
        np.testing.assert_array_equal(theirs[name], array)
    save_file({"b": np.ones(2, np.float32), "a": np.zeros(3)}, str(tmp_path / "pkg.safetensors"))
    loaded = load(tmp_path / "pkg.safetensors")
    assert sorted(loaded) == ["a", "b"] and loaded["b"].dtype == np.float32


def test_a_model_round_trips(tmp_path: Path) -> None:
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    path = tmp_path / "model.safetensors"
    nn.save(model.state_dict(), path)
    other = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    other.load_state_dict(nn.load(path))
    for (name, a), (_, b) in zip(model.named_parameters(), other.named_parameters()):
        np.testing.assert_array_equal(a.data, b.data, err_msg=name)


# --- what save refuses --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ({"w": np.array([1 + 2j])}, r"'w' holds complex128 numbers, which the safetensors"),
        ({"w": np.ones(2, dtype=np.longdouble)}, r"'w' holds float128 numbers"),
        ({"__metadata__": np.ones(1)}, r"'__metadata__' is reserved in the safetensors format"),
        ({"w": np.array(["text"])}, r"'w' holds a text array"),
    ],
)
def test_what_cannot_be_stored_is_refused_before_writing(
    tmp_path: Path, state: dict[str, Any], message: str
) -> None:
    if state.get("w") is not None and state["w"].dtype == np.float64:
        pytest.skip("this machine's long double is float64")  # pragma: no cover
    path = tmp_path / "m.safetensors"
    save({"old": np.ones(1)}, path)
    with pytest.raises(StateDictError, match=message):
        save(state, path)
    assert _files(tmp_path) == ["m.safetensors"] and list(load(path)) == ["old"]


def test_a_failing_save_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.safetensors"
    save({"w": np.array([1.0])}, path)

    def broken(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError, match="No space left"):
        save({"w": np.array([2.0])}, path)
    monkeypatch.undo()
    assert _files(tmp_path) == ["m.safetensors"] and load(path)["w"].tolist() == [1.0]


def test_without_the_package_saving_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "safetensors", None)
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    with pytest.raises(ImportError, match=r"need the safetensors package: pip install safetensors"):
        save({"w": np.ones(1)}, tmp_path / "m.safetensors")
    assert _files(tmp_path) == []
    save({"w": np.ones(1)}, tmp_path / "m.npz")  # .npz needs numpy only
    assert load(tmp_path / "m.npz")["w"].tolist() == [1.0]


# --- PyTorch reads ours, we read PyTorch's ------------------------------------------------


def ours_out(model: nn.Module, x: np.ndarray) -> np.ndarray:
    return model(autograd.Tensor(x)).detach().numpy()


@needs_torch
def test_a_tracegrad_file_loads_straight_into_the_torch_model(tmp_path: Path) -> None:
    import torch
    from safetensors.torch import load_file

    autograd.manual_seed(1)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
    path = tmp_path / "model.safetensors"
    nn.save(model.state_dict(), path)
    module = nn.to_torch(nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3)))
    module.load_state_dict(load_file(str(path)))  # strict: every name and shape matches
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    with torch.no_grad():
        theirs = module(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours_out(model, x), theirs, rtol=1e-6, atol=1e-6)


@needs_torch
def test_a_torch_file_loads_into_a_tracegrad_model(tmp_path: Path) -> None:
    import torch
    from safetensors.torch import save_file

    torch.manual_seed(2)
    module = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    path = tmp_path / "torch.safetensors"
    save_file(module.state_dict(), str(path))
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    model.load_state_dict(nn.load(path))
    x = np.random.default_rng(1).standard_normal((5, 4)).astype(np.float32)
    with torch.no_grad():
        theirs = module(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours_out(model, x), theirs, rtol=1e-6, atol=1e-6)
    # and the same file into the model nn.from_torch made
    again = nn.from_torch(module)
    again.load_state_dict(nn.load(path))


@needs_torch
def test_a_bfloat16_torch_file_is_a_clear_error(tmp_path: Path) -> None:
    import torch
    from safetensors.torch import save_file

    path = tmp_path / "bf16.safetensors"
    save_file({"w": torch.ones(2, dtype=torch.bfloat16)}, str(path))
    with pytest.raises(StateDictError, match=r"entry 'w' holds BF16 numbers, which numpy has no"):
        load(path)


# --- damaged files ------------------------------------------------------------------------


def _parts(path: Path) -> tuple[dict[str, Any], bytes]:
    content = path.read_bytes()
    length = int.from_bytes(content[:8], "little")
    return json.loads(content[8 : 8 + length]), content[8 + length :]


def _write(path: Path, header: Any, data: bytes, length: int | None = None) -> None:
    text = header if isinstance(header, bytes) else json.dumps(header).encode()
    prefix = struct.pack("<Q", len(text) if length is None else length)
    path.write_bytes(prefix + text + data)


def _edit(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(header: dict[str, Any]) -> None:
        header["w"][field] = value

    return edit


# The safetensors package checks its own header and data before it allocates anything; its
# messages (which vary between its versions) come after this, naming the path.
INVALID = r"is not a valid safetensors file: \S"

DAMAGE: dict[str, Callable[[Path, dict[str, Any], bytes], None]] = {
    "truncated data": lambda p, h, d: _write(p, h, d[:-3]),
    "header length too large": lambda p, h, d: _write(p, h, d, length=10_000),
    "header length too small": lambda p, h, d: _write(p, h, d, length=20),
    "header not JSON": lambda p, h, d: _write(p, b"{not json at all" + b" " * 40, d),
    "header a JSON list": lambda p, h, d: _write(p, b"[1, 2, 3]", d),
    "dtype disagrees with the bytes": lambda p, h, d: (_edit("dtype", "F64")(h), _write(p, h, d)),
    "shape disagrees with the bytes": lambda p, h, d: (
        _edit("shape", [100000, 100000])(h),
        _write(p, h, d),
    ),
    "unknown dtype": lambda p, h, d: (_edit("dtype", "Q7")(h), _write(p, h, d)),
    "malformed shape": lambda p, h, d: (_edit("shape", [-2, 3])(h), _write(p, h, d)),
    "overlapping data": lambda p, h, d: (_edit("data_offsets", [0, 24])(h), _write(p, h, d)),
    "a gap before the data": lambda p, h, d: (_edit("data_offsets", [12, 36])(h), _write(p, h, d)),
    "bytes after the data": lambda p, h, d: _write(p, h, d + b"\x00" * 8),
    "metadata not text": lambda p, h, d: (h.update({"__metadata__": {"a": 1}}), _write(p, h, d)),
    "a few bytes": lambda p, h, d: p.write_bytes(b"\x01\x02"),
    "no bytes": lambda p, h, d: p.write_bytes(b""),
    "nested 1,000 deep": lambda p, h, d: _write(p, b'{"a":' * 1000 + b"1" + b"}" * 1000, b""),
    "a 5,000-digit integer": lambda p, h, d: _write(
        p, json.dumps(h).replace("[2, 3]", "[2, " + "3" * 5000 + "]").encode(), d
    ),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_files_are_clear_errors_and_leave_the_model_untouched(
    tmp_path: Path, damage: str
) -> None:
    path = tmp_path / "model.safetensors"
    save({"b": np.array([1.0]), "w": np.arange(6, dtype=np.float32).reshape(2, 3)}, path)
    header, data = _parts(path)
    DAMAGE[damage](path, header, data)

    class Tiny(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.b = nn.Parameter(np.array([5.0]), dtype=np.float64)
            self.w = nn.Parameter(np.full((2, 3), 9.0))

    model = Tiny()
    with pytest.raises(StateDictError, match=rf"^nn.load: {path} {INVALID}"):
        model.load_state_dict(nn.load(path))
    assert model.b.data.tolist() == [5.0] and model.w.data.tolist() == [[9.0] * 3] * 2


def test_every_truncation_is_a_clear_error(tmp_path: Path) -> None:
    good = tmp_path / "good.safetensors"
    save({"a": np.arange(5.0), "b": np.ones((2, 2), dtype=np.float32)}, good)
    content = good.read_bytes()
    damaged = tmp_path / "damaged.safetensors"
    for length in range(len(content)):
        damaged.write_bytes(content[:length])
        with pytest.raises(StateDictError, match=str(damaged)):
            load(damaged)


def test_a_zip_archive_named_safetensors_says_so(tmp_path: Path) -> None:
    path = tmp_path / "model.safetensors"
    path.write_bytes(b"PK\x03\x04" + bytes(40))
    with pytest.raises(StateDictError, match=r"is a zip archive \(as .npz files are\), not a saf"):
        load(path)


def test_a_name_given_twice_is_refused_as_in_npz(tmp_path: Path) -> None:
    """The safetensors package keeps the last of two entries with one name; which was meant?"""
    path = tmp_path / "twice.safetensors"
    entry = '"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}'
    _write(path, ("{" + entry + ", " + entry + "}").encode(), np.float32(1).tobytes())
    with pytest.raises(StateDictError, match=rf"{path} is corrupt: .* tensor 'w' more than once"):
        load(path)
    _write(path, ("{" + entry + "}").encode(), np.float32(1).tobytes())
    assert load(path)["w"].tolist() == [1.0]  # once is fine


@pytest.mark.parametrize(
    "order", ["[" * 100_000, "[1" + "0" * 5000 + "]", '{"not": "a list"}', "not json"]
)
def test_a_hostile_order_in_the_metadata_is_ignored(tmp_path: Path, order: str) -> None:
    """nn.save records the state dict's order in the metadata; a bad one falls back to the
    file's own order, instead of a RecursionError or a bare ValueError."""
    from safetensors.numpy import save_file

    path = tmp_path / "m.safetensors"
    save_file({"b": np.ones(1), "a": np.zeros(1)}, str(path), metadata={"tracegrad.order": order})
    assert sorted(load(path)) == ["a", "b"]


def test_formats_are_told_apart_whatever_the_name_says(tmp_path: Path) -> None:
    save({"w": np.ones(1)}, tmp_path / "real.safetensors")
    os.rename(tmp_path / "real.safetensors", tmp_path / "named.npz")
    with pytest.raises(StateDictError, match=r"is not a .npz file .*looks like a safetensors file"):
        load(tmp_path / "named.npz")
