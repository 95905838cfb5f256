"""How a Tensor is written in narration and errors: its shape as ``[64×256]``, and ``who``
names it (its label, shape and dtype).

    >>> shape_text((64, 256))
    '[64×256]'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..engine.notation import CONSTANT

__all__ = ["shape_text", "who"]


def shape_text(shape: Sequence[int]) -> str:
    """A shape as learners write it: ``[64×256]``; a single number is ``[]``.

    >>> shape_text((64, 256)), shape_text(())
    ('[64×256]', '[]')
    """
    return "[" + "×".join(map(str, shape)) + "]"


def who(t: Any) -> str:
    """How errors name a tensor: its label, shape and dtype.

    >>> from autograd import Tensor
    >>> who(Tensor([1.0, 2.0], label="x")), who(Tensor([[1.0]]))
    ("'x' [2] float32", 'an unnamed [1×1] float32 tensor')
    """
    kind = f"{shape_text(t.array.shape)} {t.array.dtype}"
    if t.label:
        return f"{t.label!r} {kind}"
    if t.owner is CONSTANT:
        return f"the constant {t.brief(t.array)}"
    return f"an unnamed {kind} tensor"
