"""In-place changes to Tensors, and the check that backward never reads changed numbers.

``x += 1``, ``x -= …``, ``x *= …``, ``x /= …``, ``x[…] = …`` and ``x.zero_()`` change a tensor's
numbers where they are. A node of the graph may need some of those numbers again in backward
(``a * b`` needs ``b`` for ``a``'s gradient; ``exp`` needs its own result). If they changed in
between, the gradient would be worked out from numbers the forward pass never saw, so backward
raises instead, as PyTorch does, and only where PyTorch does: a change to something no backward
rule reads (``a + b`` reads neither input) is allowed.

As in PyTorch the count belongs to the numbers, not to one Tensor: a view (a slice, a basic
index, ``reshape``, ``transpose``/``.T``, ``permute``) and ``detach()`` share their source's
:class:`VersionCounter`, so changing either one is seen through the other.

Keeping it O(1) per op: every change through a Tensor takes the next number of one global
count (:data:`CHANGES`), which its counter remembers as ``stamp``. A recorded node notes the
count when its op ran (``_recorded_at``). "Changed after this node saved it" is then
``stamp > _recorded_at``, the same answer as comparing saved versions one by one, and
backward only looks when the global count moved since the node ran, which in a training loop
(a fresh graph every step) is never.

Example:
    >>> from autograd import Tensor
    >>> X = Tensor([[1.0, 2.0]], label="X")
    >>> W = Tensor([[1.0], [1.0]], requires_grad=True, label="W")
    >>> xb = X[0:1]; loss = (xb @ W).sum()
    >>> X += 1                              # xb is a view of X: its numbers changed too
    >>> xb._version
    1
    >>> try:
    ...     loss.backward()
    ... except RuntimeError as error:
    ...     print(str(error).split(" (by")[0])
    backward: an unnamed [1×2] float32 tensor was changed in place
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

import numpy as np

from ..engine import grad_mode as _mode
from .axes import index_argument
from .base import TensorBase
from .dtypes import operand_array
from .notation import shape_text, who

__all__ = [
    "CHANGES",
    "VersionCounter",
    "counter",
    "share",
    "mark_changed",
    "apply_in_place",
    "fill",
    "assign",
    "saved_tensors",
    "check_unchanged",
    "Versioned",
]

#: How many in-place changes have gone through Tensors so far (see the module's docs).
CHANGES = 0


class VersionCounter:
    """How many times the numbers behind one or more Tensors were changed in place.

    ``version`` is PyTorch's ``_version``; ``stamp`` is :data:`CHANGES` after the latest
    change; ``how`` and ``through`` say what that change was (``+=``) and which tensor it
    went through, for the error message.

    >>> c = VersionCounter(); c.version, c.stamp
    (0, 0)
    """

    __slots__ = ("version", "stamp", "how", "through", "by")

    def __init__(self) -> None:
        self.version = 0
        self.stamp = 0
        self.how = ""
        self.through = ""
        self.by = 0  # id() of that tensor: only to tell whether it was the one saved


class Versioned(Protocol):
    """What this module reads and writes on a tensor (it works on anything that has these):
    the numbers, the label and ``requires_grad``, and the slot for its :class:`VersionCounter`,
    which stays unset until the first change or view."""

    array: np.ndarray
    label: str
    requires_grad: bool
    _vc: VersionCounter


VersionedT = TypeVar("VersionedT", bound=Versioned)


def counter(t: Versioned) -> VersionCounter:
    """``t``'s counter, made on first use (most tensors are never changed nor viewed).

    >>> from autograd import Tensor
    >>> x = Tensor([1.0]); counter(x) is counter(x.detach())
    True
    """
    try:
        return t._vc
    except AttributeError:
        made = t._vc = VersionCounter()
        return made


def share(view: VersionedT, source: Versioned) -> VersionedT:
    """Give ``view`` the counter of ``source`` if ``view``'s array is a view of ``source``'s
    numbers (numpy decides: a reshape that has to copy is not a view, as in PyTorch).

    >>> from autograd import Tensor
    >>> x = Tensor([[1.0, 2.0]]); v = x.reshape(2); v += 1; x._version, x.tolist()
    (1, [[2.0, 3.0]])
    """
    base = view.array.base
    if base is not None:
        data = source.array
        if base is data or base is data.base:
            view._vc = counter(source)
    return view


def mark_changed(t: Versioned, symbol: str) -> None:
    """Note that ``t`` (and every tensor sharing its numbers) was just changed by ``symbol``:
    an operator (``+=``, ``[…] =``) or, ending in ``)``, the call that wrote its numbers
    (``SGD.step()``, ``Linear.load_state_dict()``), as PyTorch's optimizers and
    ``load_state_dict`` count their writes. Errors then name it.

    >>> from autograd import Tensor
    >>> x = Tensor([1.0]); mark_changed(x, "+="); x._version
    1
    """
    global CHANGES
    CHANGES += 1
    try:  # counter(t), inlined: this runs for every parameter at every optimizer step
        c = t._vc
    except AttributeError:
        c = t._vc = VersionCounter()
    c.version += 1
    c.stamp = CHANGES
    c.how = symbol
    c.through = t.label or "x"
    c.by = id(t)


# --- changing a tensor in place ----------------------------------------------------------


def _needs_grad(value: Any) -> bool:
    """Whether ``value`` is, or holds in a list or tuple, a Tensor that requires grad."""
    if isinstance(value, TensorBase):
        return value.requires_grad
    if isinstance(value, (list, tuple)):
        return any(_needs_grad(part) for part in value)
    return False


def apply_in_place(t: VersionedT, ufunc: Any, other: Any, symbol: str) -> VersionedT:
    """``t ⟨symbol⟩= other`` with numpy's ``ufunc``, refused while recording if either side
    needs a gradient (the graph needs ``t`` as it is; see :meth:`Tensor.__iadd__`).

    >>> from autograd import Tensor
    >>> import numpy as np
    >>> x = Tensor([1.0, 2.0]); apply_in_place(x, np.add, 1, "+=").tolist()
    [2.0, 3.0]
    """
    o = other.array if isinstance(other, TensorBase) else operand_array(other, symbol, t)
    if _mode.recording and (t.requires_grad or _needs_grad(other)):
        raise RuntimeError(
            f"{symbol} on {who(t)} would change a tensor the graph needs in place. "
            f"Write x = x {symbol[0]} ... to make a new node, or update parameters inside "
            "`with autograd.no_grad():` (or through .data: p.data += ...)"
        )
    try:
        ufunc(t.array, o, out=t.array)
    except ValueError:
        raise ValueError(
            f"{symbol}: {shape_text(np.shape(o))} cannot be applied in place to "
            f"{who(t)}: the result must keep the shape {shape_text(t.array.shape)}"
        ) from None
    except TypeError as error:
        raise TypeError(f"{symbol} on {who(t)}: {error}") from None
    mark_changed(t, symbol)
    return t


def fill(t: VersionedT, number: Any, symbol: str) -> VersionedT:
    """Every entry of ``t`` set to ``number`` in place (``zero_()``), refused while recording
    if ``t`` requires grad, as ``+=`` is.

    >>> from autograd import Tensor
    >>> fill(Tensor([1.0, 2.0]), 0, "zero_()").tolist()
    [0.0, 0.0]
    """
    if _mode.recording and t.requires_grad:
        raise RuntimeError(
            f"{symbol} on {who(t)} would change a tensor the graph needs in place: make a new "
            "one (autograd.zeros_like(x)), or do it inside `with autograd.no_grad():` (or "
            f"through .data: x.data.{symbol})"
        )
    t.array.fill(number)
    mark_changed(t, symbol)
    return t


def assign(t: Versioned, index: Any, value: Any) -> None:
    """``t[index] = value``, outside the graph (see :meth:`Tensor.__setitem__`).

    >>> from autograd import zeros
    >>> x = zeros(2); assign(x, 1, 5.0); x.tolist()
    [0.0, 5.0]
    """
    if _mode.recording:
        if t.requires_grad:
            raise RuntimeError(
                f"assigning into {who(t)} in place would change a tensor the graph "
                "needs; do it inside `with autograd.no_grad():`"
            )
        if _needs_grad(value):
            what = who(value) if isinstance(value, TensorBase) else "a list of tensors"
            raise RuntimeError(
                f"x[…] = …: {what} requires grad, but assigning it into {who(t)} "
                "would copy its numbers and not its history, so no gradient could flow "
                "back through the assignment. Build the tensor from its pieces instead: "
                "autograd.cat or autograd.stack (e.g. x = autograd.stack([a, b])), or "
                "arithmetic such as x = x + mask * value; or assign inside "
                "`with autograd.no_grad():` if no gradient should flow"
            )
    new = value.array if isinstance(value, TensorBase) else operand_array(value, "x[…] = …", t)
    try:
        t.array[index_argument(index)] = new
    except ValueError as error:
        raise ValueError(
            f"x[…] = …: cannot put {shape_text(np.shape(new))} into {who(t)} there ({error})"
        ) from None
    except IndexError as error:
        raise IndexError(f"x[…] = …: {who(t)}: {error}") from None
    mark_changed(t, "[…] =")


# --- what each op's backward reads: the record says (TensorOp.reads) ---------------------


def saved_tensors(node: Any) -> tuple[Any, ...]:
    """The tensors ``node``'s backward rule reads, inputs or its own result, as its op's
    record says (``TensorOp.reads``); a record that does not say counts all of them, so a new
    op is never unchecked.

    >>> from autograd import Tensor
    >>> w = Tensor([1.0], requires_grad=True, label="w"); x = Tensor([2.0], label="x")
    >>> [t.label for t in saved_tensors(w * x)], saved_tensors(w + x)
    (['x'], ())
    """
    return tuple(node.op.reads(node))


_ADVICE = "Change it only after backward(), run the forward pass again after the change, or {}"


def check_unchanged(node: Any) -> None:
    """Raise if a tensor ``node``'s backward reads was changed in place after ``node`` ran.

    Called by backward only when some change happened since ``node`` was recorded.

    >>> from autograd import Tensor, no_grad
    >>> w = Tensor([0.0], requires_grad=True); y = w.exp()
    >>> with no_grad():
    ...     y += 1
    >>> try:
    ...     check_unchanged(y)
    ... except RuntimeError as error:
    ...     print(str(error).split(" (by")[0])
    backward: an unnamed [1] float32 tensor was changed in place
    """
    recorded = node._recorded_at
    op = node.op.name
    for t in saved_tensors(node):
        c = getattr(t, "_vc", None)
        if c is None or c.stamp <= recorded:
            continue
        through, symbol = c.through, c.how
        if symbol == "zero_()":  # the method, on the tensor or one sharing its numbers
            how = f"{through}.{symbol}"
            advice = _ADVICE.format(
                "make a new tensor (autograd.zeros_like), leaving the old one as it was"
            )
        elif symbol.endswith(")"):  # a call that wrote the numbers (an optimizer's step)
            how = symbol
            advice = (
                f"Call {symbol} only after backward(), as a training step does (zero_grad(), "
                "forward, backward(), step()), or run the forward pass again after it"
            )
        elif symbol == "[…] =":
            how = f"{through}[…] = …"
            advice = _ADVICE.format(
                "build the new numbers as a new tensor (autograd.cat, autograd.stack), "
                "leaving the old one as the graph saw it"
            )
        else:
            how = f"{through} {symbol} …"
            advice = _ADVICE.format(
                f"write {through} = {through} {symbol[0]} …, which makes a new tensor and "
                "leaves the old one as the graph saw it"
            )
        if c.by == id(t):
            shared = ""
        elif through != "x":  # the label of the tensor it went through
            shared = f", through {through!r}, which shares its numbers"
        else:
            shared = ", through another tensor sharing its numbers"
        when = f"{op} made it" if t is node else f"{op} saved it"
        raise RuntimeError(
            f"backward: {who(t)} was changed in place (by `{how}`{shared}) after {when} "
            f"for backward, so the gradient of {op} would be worked out from the new numbers, "
            f"not the ones the forward pass saw (it is now at version {c.version}). "
            f"{advice}. (PyTorch says: one of "
            "the variables needed for gradient computation has been modified by an inplace "
            "operation.)"
        )
