"""Grad mode: whether ops record the graph right now (off inside ``no_grad()``).

One switch for the whole process, read by every op of both halves. PyTorch keeps it per
thread; tracegrad is single-threaded, so a module attribute is enough, and reading it costs
one attribute lookup. ``no_grad``'s docstring shows it at work.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["no_grad", "enable_grad", "is_grad_enabled", "recording", "GraphLeftError"]

_F = TypeVar("_F", bound=Callable[..., Any])

#: True while ops record the graph. Read it as ``grad_mode.recording`` (never import the
#: name itself: the copy would not see later changes).
recording = True

#: True while a backward rule runs on Tensors to build a gradient graph (create_graph=True):
#: then a Tensor refuses to be read as plain numbers (Tensor.propagate sets it).
building_graph = False


class GraphLeftError(TypeError):
    """A backward rule building a gradient graph read a node as plain numbers (numpy, or
    ``float()``): the graph would be dropped there, a silent zero second derivative."""


#: Called with the new mode whenever it changes: Value swaps its op constructor here, so that
#: recording costs a scalar op no check at all (Tensor ops read ``recording`` instead).
on_change: list[Callable[[bool], None]] = []


def _set(mode: bool) -> None:
    global recording
    if mode is not recording:
        recording = mode
        for listener in on_change:
            listener(mode)


class _GradMode:
    _enabled: bool
    _saved: list[bool]

    def __new__(cls, function: Callable[..., Any] | None = None) -> Any:
        # PyTorch accepts both @no_grad() and a bare @no_grad: called with the function
        # itself, the mode wraps it at once.
        mode = object.__new__(cls)
        mode._saved = []
        return mode if function is None else mode(function)

    def __enter__(self) -> None:
        self._saved.append(recording)
        _set(self._enabled)

    def __exit__(self, *exc: object) -> None:
        _set(self._saved.pop())

    def __call__(self, function: _F) -> _F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return function(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_GradMode):
    """Inside ``with no_grad():`` (or a function decorated with ``@no_grad()`` or
    ``@no_grad``) ops record no graph.

    For evaluation and for updating parameters by hand, as in PyTorch.

    >>> from autograd import Tensor
    >>> w = Tensor([1.0], requires_grad=True)
    >>> with no_grad():
    ...     y = w * 2
    >>> y.requires_grad, y.parents
    (False, ())
    >>> @no_grad
    ... def predict(x: Tensor) -> Tensor:
    ...     return x * 2
    >>> predict(w).requires_grad
    False
    """

    _enabled = False


class enable_grad(_GradMode):
    """Switch recording back on inside a ``no_grad()`` block.

    >>> with no_grad():
    ...     with enable_grad():
    ...         print(is_grad_enabled())
    True
    """

    _enabled = True


def is_grad_enabled() -> bool:
    """Whether ops record the graph right now.

    >>> is_grad_enabled()
    True
    """
    return recording
