"""One output entry of a convolution or a pooling, explained (a mixin of ``Tensor``).

>>> import numpy as np
>>> from autograd import Tensor
>>> from autograd.tensors.spatial import conv2d
>>> x = Tensor(np.arange(9.0).reshape(1, 1, 3, 3), label="x")
>>> W = Tensor(np.ones((1, 1, 2, 2)), requires_grad=True, label="W")
>>> print(conv2d(x, W).explain_entry((0, 0, 0, 0)).splitlines()[0])
y[0,0,0,0] = Σ W[0,c,i,j] · x[0,c,i,j] over c < 1, i < 2, j < 2
"""

from __future__ import annotations

from typing import Any

from ..base import TensorBase, TensorT
from ..entries import Entry, entry_of

__all__ = ["EntryMethods"]


class EntryMethods(TensorBase[TensorT]):
    """``explain_entry`` and ``entry`` (a mixin of ``Tensor``)."""

    __slots__ = ()

    def entry(self, index: Any) -> Entry:
        """Output ``index`` as the input entries that made it
        (:class:`~autograd.tensors.entries.Entry`)."""
        return entry_of(self, index)

    def explain_entry(self, index: Any, limit: int = 12) -> str:
        """Output ``index`` of a convolution or a pooling written as its sum (or max) over the
        window, with the numbers, then where its gradient goes back to and with what factor.
        At most ``limit`` terms are listed one by one."""
        return entry_of(self, index).text(limit)
