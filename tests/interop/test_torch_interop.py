"""Tensor.to_torch / Tensor.from_torch (autograd.tensors.interop): single tensors, copied.

Numbers, dtype and requires_grad carry over both ways; nothing is shared; views, scalars and
other byte orders copy; what numpy cannot hold is refused with a reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from conftest import HAS_TORCH

import nn
from autograd import Tensor

pytestmark = pytest.mark.skipif(not HAS_TORCH, reason="torch is an optional peer")
if HAS_TORCH:
    import torch


@pytest.mark.parametrize(
    "dtype", ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]
)
def test_tensor_copies_keep_numbers_and_dtype_both_ways(dtype: str) -> None:
    values = np.array([[0, 1, 2], [3, 4, 5]]).astype(dtype)
    ours = Tensor(values, dtype=dtype)
    theirs = ours.to_torch()
    assert theirs.dtype == getattr(torch, dtype) and theirs.is_leaf
    np.testing.assert_array_equal(theirs.numpy(), values)
    back = Tensor.from_torch(theirs)
    assert back.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(back.data, values)


def test_requires_grad_follows_and_nothing_is_shared() -> None:
    ours = Tensor([1.0, 2.0], requires_grad=True)
    theirs = ours.to_torch()
    assert theirs.requires_grad and theirs.grad is None
    assert not Tensor([1.0]).to_torch().requires_grad
    with torch.no_grad():
        theirs += 1
    assert ours.tolist() == [1.0, 2.0]
    source = torch.ones(3, requires_grad=True) * 2  # not a leaf: its copy is one
    copy = Tensor.from_torch(source)
    assert copy.requires_grad and copy.is_leaf and copy.tolist() == [2.0, 2.0, 2.0]
    plain = torch.zeros(2)
    copied = Tensor.from_torch(plain)
    plain += 5
    assert copied.tolist() == [0.0, 0.0] and not copied.requires_grad


def test_tensor_copies_of_views_scalars_and_byte_orders() -> None:
    base = torch.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(Tensor.from_torch(base.T).data, base.T.numpy())
    np.testing.assert_array_equal(Tensor.from_torch(base[:, ::2]).data, base[:, ::2].numpy())
    scalar = Tensor.from_torch(torch.tensor(2.5, dtype=torch.float64))
    assert scalar.shape == () and scalar.item() == 2.5
    assert Tensor(3.0).to_torch().shape == ()
    big_endian = Tensor(np.array([1.5, -2.0], dtype=">f8"), dtype=">f8")
    assert big_endian.to_torch().tolist() == [1.5, -2.0]
    param = nn.Parameter.from_torch(torch.nn.Parameter(torch.ones(2)))
    assert type(param) is nn.Parameter and param.requires_grad  # the class asked for


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (lambda: [1.0, 2.0], r"expects a torch.Tensor, got list"),
        (lambda: torch.ones(2, dtype=torch.bfloat16), r"not torch.bfloat16"),
        (lambda: torch.ones(2, dtype=torch.complex64), r"not torch.complex64"),
        (lambda: torch.eye(2).to_sparse(), r"a torch.sparse_coo tensor cannot be copied"),
    ],
)
def test_what_tensor_from_torch_refuses(value: Callable[[], Any], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        Tensor.from_torch(value())
