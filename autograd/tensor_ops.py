"""Old home of the Tensor op records, kept as a thin re-export for code that imported it.

The records now live by family in :mod:`autograd.tensors.ops` (``tensor_op``, ``arithmetic``,
``reductions``, ``shapes``, ``losses``, ``comparisons``), a package that lists them all;
import from there. This module will go in a later release.
"""

from .tensors import ops as _records

globals().update({name: getattr(_records, name) for name in _records.__all__})
__all__ = list(_records.__all__)
