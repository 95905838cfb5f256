"""Old home of the Tensor op records, kept as a thin re-export for code that imported it.

The records now live in :mod:`autograd.tensors`; import from there. This module will go in a
later release.
"""

from .tensors import ops as _records

globals().update({k: v for k, v in vars(_records).items() if not k.startswith("_")})
__all__ = list(_records.__all__)
