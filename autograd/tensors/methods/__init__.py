"""PyTorch's Tensor methods, kept apart from what a Tensor is.

:class:`~autograd.tensors.tensor.Tensor` holds the state (its slots), the one ``apply``
path, backward and the in-place bookkeeping. Everything a PyTorch program calls on a tensor
besides lives here, in mixins ``Tensor`` inherits through :class:`TensorMethods`, grouped by
what the methods do:

- ``conversion.py``: what it holds and turned into other things (``shape``, ``dim``,
  ``size``, ``item``, ``tolist``, ``numpy``, ``to``, ``float``, ``long``, ``requires_grad_``,
  to and from torch);
- ``arithmetic.py``: the operators, comparisons and elementwise functions (``exp``,
  ``relu``, ``clip``, ...);
- ``reductions.py``: ``sum``, ``mean``, ``max``/``min`` with PyTorch's ``dim``/``keepdim``,
  ``argmax``, ``softmax``, ``log_softmax``;
- ``shapes.py``: ``reshape``/``view``, ``flatten``, ``permute``, ``transpose``, ``.T`` and
  indexing;
- ``entries.py``: ``explain_entry``, one output entry of a convolution or a pooling.

A method names its op record (:mod:`autograd.tensors.ops`) and calls ``self.apply``; it
never computes numbers itself, so every method is narrated, drawn and differentiated like
any op. The mixins never import ``tensor.py`` (which imports them). A new method goes into
the mixin of its kind, or a new mixin listed in :class:`TensorMethods`.

    >>> from autograd import Tensor
    >>> [c.__name__ for c in Tensor.__mro__[1:6]]
    ['TensorMethods', 'ConversionMethods', 'ArithmeticMethods', 'ReductionMethods', 'ShapeMethods']
"""

from __future__ import annotations

from ..base import TensorT
from .arithmetic import ArithmeticMethods
from .conversion import ConversionMethods
from .entries import EntryMethods
from .reductions import MinMax, ReductionMethods
from .shapes import ShapeMethods

__all__ = [
    "TensorMethods",
    "ConversionMethods",
    "ArithmeticMethods",
    "ReductionMethods",
    "ShapeMethods",
    "EntryMethods",
    "MinMax",
]


class TensorMethods(
    ConversionMethods[TensorT],
    ArithmeticMethods[TensorT],
    ReductionMethods[TensorT],
    ShapeMethods[TensorT],
    EntryMethods[TensorT],
):
    """Every PyTorch method of a Tensor: what ``Tensor`` inherits (``Tensor`` is its own
    ``TensorT``, so the methods' results are Tensors for mypy)."""

    __slots__ = ()
