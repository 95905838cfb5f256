"""Every Tensor op record, by family: the one list that Tensor, its functions, ``nn`` and the
tests read (``from autograd.tensors import ops as T``; ``T.MATMUL``, ``T.softmax(1)``).

The records live in modules of their own, each read on its own:

* :mod:`~autograd.tensors.ops.tensor_op`: the :class:`TensorOp` type (an
  :class:`~autograd.engine.records.Op` with array rules), the :func:`elementwise` builder,
  :func:`fit_gradient` and the helpers that let one backward rule run on arrays and Tensors;
* :mod:`~autograd.tensors.ops.arithmetic`: the elementwise ops, built from their scalar twins
  (their local derivatives are the scalar records' own), and matmul;
* :mod:`~autograd.tensors.ops.reductions`: sum, mean, max, min, argmax, ``max(dim)``;
* :mod:`~autograd.tensors.ops.shapes`: reshape, permute, indexing, cat, stack, pad;
* :mod:`~autograd.tensors.ops.losses`: softmax, log_softmax and the fused losses;
* :mod:`~autograd.tensors.ops.comparisons`: comparisons and logic (outside the graph), casts;
* :mod:`~autograd.tensors.ops.convolution`: conv2d and the two ops its gradients are;
* :mod:`~autograd.tensors.ops.pooling`: max and average pooling, their adaptive forms;
* :mod:`~autograd.tensors.ops.normalization`: batch normalization.

Example:
    >>> import numpy as np
    >>> MATMUL.forward(np.ones((2, 3)), np.ones((3, 4))).shape
    (2, 4)
    >>> MATMUL.render(["x", "W"]), reduction("sum", 1, False).render(["x"])
    ('x @ W', 'sum(x, axis=1)')
"""

from __future__ import annotations

from ...engine.records import Op, OpDomainError
from ..notation import shape_text, who
from . import (
    arithmetic,
    comparisons,
    convolution,
    losses,
    normalization,
    pooling,
    reductions,
    shapes,
    tensor_op,
)
from .arithmetic import *  # noqa: F403
from .comparisons import *  # noqa: F403
from .convolution import *  # noqa: F403
from .losses import *  # noqa: F403
from .normalization import *  # noqa: F403
from .pooling import *  # noqa: F403
from .reductions import *  # noqa: F403
from .shapes import *  # noqa: F403
from .tensor_op import *  # noqa: F403

__all__ = ["Op", "OpDomainError", "shape_text", "who"]
__all__ += tensor_op.__all__
__all__ += arithmetic.__all__
__all__ += reductions.__all__
__all__ += shapes.__all__
__all__ += losses.__all__
__all__ += comparisons.__all__
__all__ += convolution.__all__
__all__ += pooling.__all__
__all__ += normalization.__all__
