"""Old home of the scalar op records, kept as a thin re-export for code that imported it.

The records now live in :mod:`autograd.scalar.ops` and the record type in
:mod:`autograd.engine.records`; import from there. This module will go in a later release.
"""

from .scalar import ops as _records

globals().update({k: v for k, v in vars(_records).items() if not k.startswith("_")})
__all__ = list(_records.__all__)
