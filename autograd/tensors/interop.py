"""Tensors to and from PyTorch: ``Tensor.from_torch(t)`` and ``t.to_torch()``.

Both copy the numbers (neither side sees the other's later changes), keep the dtype, and carry
``requires_grad`` along. The copy is a leaf: the graph that computed a tensor stays behind, and
so does its ``.grad``. PyTorch is optional: it is imported only when one of these is called,
and without it they raise an ``ImportError`` that says how to install it.

>>> import pytest; torch = pytest.importorskip("torch")  # the examples need PyTorch
>>> from autograd import Tensor
>>> t = Tensor([[1.0, 2.0]], requires_grad=True).to_torch()
>>> t.dtype, t.requires_grad, t.is_leaf
(torch.float32, True, True)
>>> Tensor.from_torch(torch.arange(3)).dtype
dtype('int64')
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

__all__ = ["require_torch", "array_to_torch", "tensor_to_torch", "tensor_from_torch"]


def require_torch(what: str) -> ModuleType:
    """The ``torch`` module, or an ImportError saying that ``what`` needs it and how to get it.

    >>> import pytest; _ = pytest.importorskip("torch")
    >>> require_torch("t.to_torch()").__name__
    'torch'
    """
    try:
        import torch
    except ImportError:
        raise ImportError(
            f"{what} needs PyTorch, which is not installed: pip install torch "
            "(tracegrad itself needs only numpy; PyTorch is where a model goes next)"
        ) from None
    return torch


def array_to_torch(torch: Any, array: np.ndarray) -> Any:
    """A torch tensor holding a copy of ``array``, row-major in the machine's byte order
    (torch's only), sharing no memory with it.

    >>> import pytest; torch = pytest.importorskip("torch")
    >>> array_to_torch(torch, np.array([1.5, 2.0], dtype=">f8")).tolist()
    [1.5, 2.0]
    """
    native = np.array(array, dtype=array.dtype.newbyteorder("="), order="C", copy=True)
    return torch.from_numpy(native)


def tensor_to_torch(tensor: Any) -> Any:
    """A ``torch.Tensor`` holding a copy of ``tensor``'s numbers, dtype and requires_grad.

    >>> import pytest; _ = pytest.importorskip("torch")
    >>> from autograd import Tensor
    >>> tensor_to_torch(Tensor([1.5], dtype="float64")).tolist()
    [1.5]
    """
    torch = require_torch("Tensor.to_torch()")
    result = array_to_torch(torch, tensor.array)
    if tensor.requires_grad:
        result.requires_grad_(True)
    return result


def tensor_from_torch(cls: Any, value: Any) -> Any:
    """A tracegrad tensor of class ``cls`` holding a copy of the torch tensor ``value``.

    >>> import pytest; torch = pytest.importorskip("torch")
    >>> from autograd import Tensor
    >>> tensor_from_torch(Tensor, torch.ones(2, requires_grad=True)).requires_grad
    True
    """
    torch = require_torch("Tensor.from_torch()")
    if not isinstance(value, torch.Tensor):
        raise TypeError(
            f"Tensor.from_torch expects a torch.Tensor, got {type(value).__name__}; "
            "for numbers or numpy arrays use Tensor(data)"
        )
    if value.layout != torch.strided:
        raise TypeError(
            f"Tensor.from_torch: a {value.layout} tensor cannot be copied; call .to_dense() first"
        )
    if value.is_complex() or value.is_quantized or value.dtype not in _numpy_compatible(torch):
        raise TypeError(
            f"Tensor.from_torch: tracegrad tensors hold booleans, integers or floats that numpy "
            f"can hold, not {value.dtype} (convert first, e.g. t.float())"
        )
    data = value.detach().resolve_conj().resolve_neg().cpu().numpy()
    return cls(data.copy(), requires_grad=bool(value.requires_grad), dtype=data.dtype)


def _numpy_compatible(torch: ModuleType) -> set[Any]:
    """The torch dtypes with a numpy twin that a tracegrad Tensor can hold."""
    names = "bool uint8 int8 int16 int32 int64 float16 float32 float64 uint16 uint32 uint64"
    return {getattr(torch, name) for name in names.split() if hasattr(torch, name)}
