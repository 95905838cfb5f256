"""The Tensor type as the modules below ``tensor.py`` know it: :class:`TensorBase`.

``Tensor`` inherits it (through the method mixins of :mod:`autograd.tensors.methods`), and
nothing else does, so ``isinstance(x, TensorBase)`` is how ``dtypes``, ``axes`` and
``versions`` ask "is this a Tensor?" without importing ``tensor.py``, which imports them.
It declares, for the type checker, what the mixins use of a Tensor: its slots and the one
op path, ``self.apply`` (``apply = staticmethod(apply)`` in ``Tensor``'s class body).

    >>> from autograd import Tensor
    >>> from autograd.tensors import ops as T
    >>> x = Tensor([1.0, 2.0])
    >>> x.apply(T.NEG, x).tolist(), isinstance(x, TensorBase), isinstance(x.array, TensorBase)
    ([-1.0, -2.0], True, False)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import numpy as np

__all__ = ["TensorBase", "TensorT"]

#: The Tensor class, as the mixins name it (they cannot import it: it imports them).
#: ``Tensor`` inherits ``TensorMethods["Tensor"]``, so a method declared to return
#: ``TensorT`` returns a ``Tensor`` for mypy.
TensorT = TypeVar("TensorT", bound="TensorBase[Any]")


class TensorBase(Generic[TensorT]):
    """What every Tensor has, declared for the modules below ``tensor.py``: the slots the
    methods read and the op path they call; ``Tensor`` fills them in.

    Declarations only, and no slots of its own (``__slots__ = ()``, as in every mixin), so a
    Tensor stays as small as its own ``__slots__`` say.
    """

    __slots__ = ()

    array: np.ndarray
    requires_grad: bool
    op: Any
    parents: tuple[Any, ...]
    label: str
    #: ``autograd.tensors.tensor.apply``: ``self.apply(op, *inputs, ctx=...)`` runs ``op``.
    apply: Callable[..., TensorT]
