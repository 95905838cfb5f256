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

import operator
from typing import Any, Protocol, TypeVar

import numpy as np

from ..engine import grad_mode as _mode
from . import ops as _ops
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

    # Class-level starting values rather than __init__: a counter is made at the first
    # change of every tensor p.data hands out, once per parameter per training step.
    version = 0
    stamp = 0
    how = ""
    through = ""
    by = 0  # id() of that tensor: only to tell whether it was the one saved


class Versioned(Protocol):
    """What this module reads and writes on a tensor (it works on anything that has these):
    the numbers, the label and ``requires_grad``, and the slot for its :class:`VersionCounter`,
    which stays unset until the first change or view."""

    array: np.ndarray
    label: str
    requires_grad: bool
    _vc: VersionCounter | None


VersionedT = TypeVar("VersionedT", bound=Versioned)


def counter(t: Versioned) -> VersionCounter:
    """``t``'s counter, made on first use (most tensors are never changed nor viewed).

    >>> from autograd import Tensor
    >>> x = Tensor([1.0]); counter(x) is counter(x.detach())
    True
    """
    made = getattr(t, "_vc", None)  # unset, or None on a tensor made by .data
    if made is None:
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
    c = getattr(t, "_vc", None)  # counter(t), inlined: it runs at every optimizer step
    if c is None:
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
    if _mode.recording and (
        t.requires_grad
        or (other.requires_grad if isinstance(other, TensorBase) else _needs_grad(other))
    ):
        if isinstance(other, (list, tuple)) and _needs_grad(other):
            raise RuntimeError(
                f"{symbol} on {who(t)}: a list of tensors that requires grad would be copied "
                f"as numbers, without their history. Write x = x {symbol[0]} "
                "autograd.stack([...]) to make a new node"
            )
        _refuse_a_leaf(t, symbol)
        operator_ = _OPERATORS[symbol]
        return rebase(t, lambda old: operator_(old, old if other is t else other), symbol)
    o = other.array if isinstance(other, TensorBase) else operand_array(other, symbol, t)
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
    grad_in_value = isinstance(value, TensorBase) and value.requires_grad
    if _mode.recording and (t.requires_grad or grad_in_value):
        _refuse_a_leaf(t, "x[…] = …")
        rebase(t, lambda old: _put(old, index, value), "[…] =")
        return
    if _mode.recording and _needs_grad(value):
        raise RuntimeError(
            f"x[…] = …: a list of tensors that requires grad cannot be assigned into {who(t)}: "
            "its numbers would be copied without their history, so no gradient could flow "
            "back through the assignment. Build the tensor from its pieces instead: "
            "autograd.cat or autograd.stack (e.g. x = autograd.stack([a, b])); or assign "
            "inside `with autograd.no_grad():` if no gradient should flow"
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


# --- in place on the graph: the tensor becomes a new node ----------------------------------

_OPERATORS = {"+=": operator.add, "-=": operator.sub, "*=": operator.mul, "/=": operator.truediv}


def _refuse_a_leaf(t: Versioned, symbol: str) -> None:
    if t.requires_grad and getattr(t, "op", None) is None:
        raise RuntimeError(
            f"{symbol} on {who(t)}: a leaf that requires grad cannot be changed in place while "
            "the graph is recorded (its gradient would be of numbers it no longer holds). "
            "Update parameters inside `with autograd.no_grad():`, or write x = x "
            f"{symbol[0] if symbol[0] in '+-*/' else '…'} ... to make a new tensor. (PyTorch "
            "says: a leaf Variable that requires grad is being used in an in-place operation.)"
        )


def _rewire(start: Any, t: Any, old: Any) -> None:
    """Every node ``start`` was computed from that has ``t`` among its parents gets ``old``
    there instead: it was computed from ``t`` as it was (``x[i] -= 1`` reads ``x[i]`` before
    the assignment changes ``x``), which is now ``old``'s history."""
    seen: set[int] = {id(t), id(old)}
    stack = [start]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        parents = getattr(node, "parents", ())
        if any(p is t for p in parents):
            node.parents = tuple([old if p is t else p for p in parents])
        stack.extend(parents)


def rebase(t: Any, make: Any, symbol: str) -> Any:
    """``t`` changed in place while the graph is recorded, as PyTorch does it: ``t`` keeps its
    numbers' memory and becomes the node ``make(old)``, where ``old`` is a new tensor holding
    ``t``'s numbers and history as they were. The nodes ``make`` computed from ``t`` (``x[i]``
    in ``x[i] -= 1``) are given ``old`` instead. Any other node recorded earlier that reads
    ``t`` (saved it, or sends it a gradient) makes backward raise, as the change came after
    it. A ``t`` that is an index of another tensor ``x`` (``v = x[0]``) shares its numbers:
    ``x`` becomes a node too (``x`` with ``v``'s new numbers put at that index), as PyTorch
    rewrites the base of a view; a view made another way (``reshape``, ``transpose``) is
    refused. An unrecorded view (``v = x[0]`` of a plain ``x``) gets numbers of its own, as
    nothing says whose numbers it shows: ``x[0] += w`` then puts them into ``x``.

    >>> from autograd import Tensor
    >>> w = Tensor([1.0, 2.0], requires_grad=True); h = w * 2
    >>> h += 1; h[0] = 0.0; h.op.name, h.tolist()
    ('add', [0.0, 5.0])
    >>> h.sum().backward(); w.grad.tolist()
    [0.0, 2.0]
    """
    old = object.__new__(type(t))
    for slot in ("_grad", "requires_grad", "op", "parents", "ctx", "label", "owner"):
        setattr(old, slot, getattr(t, slot))
    old.array = t.array.copy()  # the numbers the old history computed, whatever t becomes
    if getattr(t, "op", None) is not None:
        old._recorded_at = t._recorded_at
    new = make(old)
    _rewire(new, t, old)
    if new.array.shape != t.array.shape:
        raise ValueError(
            f"{symbol}: the result {shape_text(new.array.shape)} cannot be written in place into "
            f"{who(t)}: it must keep the shape {shape_text(t.array.shape)}"
        )
    if new.array.dtype != t.array.dtype:
        raise TypeError(
            f"{symbol} on {who(t)}: the result is {new.array.dtype}, which cannot be written in "
            f"place into a {t.array.dtype} tensor"
        )
    if getattr(t, "op", None) is None and t.array.base is not None:
        # an unrecorded view (x[i] of a plain x): whose numbers it shows, nothing says; it
        # gets numbers of its own, and x[i] += w's assignment then puts them into x
        t.array = new.array
    elif getattr(t, "op", None) is None or not _shows_another(t):
        np.copyto(t.array, new.array)  # views of t see the change
    else:  # t's numbers are another tensor's: that tensor changes with them
        base, index = _base_of(t, symbol), t.ctx
        changed = new
        rebase(base, lambda old_base: _put(old_base, index[0], changed), symbol)
        new = base.apply(t.op, base, ctx=index)  # t: that index of the changed tensor again
    t.op, t.parents, t.ctx, t.requires_grad = new.op, new.parents, new.ctx, new.requires_grad
    t._grad = None
    mark_changed(t, symbol)
    t._recorded_at = t._rebased_at = CHANGES  # nothing t's new node reads has changed since
    return t


def _shows_another(t: Any) -> bool:
    """Whether ``t``'s numbers are (part of) its input's: a recorded view."""
    return bool(t.op.view) and np.shares_memory(t.parents[0].array, t.array)


def _base_of(view: Any, symbol: str) -> Any:
    """The tensor whose numbers ``view`` shows, when ``view`` is a recorded index of it."""
    if view.op.name == "index":
        return view.parents[0]
    raise RuntimeError(
        f"{symbol} on {who(view)}, which is a {view.op.name} of another tensor, cannot be "
        "recorded in place: the tensor it "
        f"shows would change without its history. Write x = x {symbol[0]} ... (a new "
        "tensor), or change the tensor it comes from (x[i] += ...)"
    )


def _put(old: Any, index: Any, value: Any) -> Any:
    """``old`` with ``value`` at ``index``, as recorded ops: where(not there, old) + value
    put there (scatter)."""
    plain, repeats, _ = _ops.keep_index((index_argument(index), None, index))
    mask = np.zeros(old.array.shape, dtype=bool)
    mask[plain] = True
    kept = old.apply(_ops.WHERE, old, ctx=(~mask, 0.0))
    shape = old.array[plain].shape
    if isinstance(value, TensorBase) and value.requires_grad:
        if repeats and np.count_nonzero(mask) != np.prod(shape):
            raise RuntimeError(
                f"x[…] = …: the index picks an entry of {who(old)} twice, so which of "
                f"{who(value)}'s numbers lands there (and gets the gradient) is not defined"
            )
        if value.array.shape != shape:  # broadcast, as the assignment does
            value = value + np.zeros(shape, dtype=value.array.dtype)
        placed = old.apply(_ops.SCATTER, value, ctx=(plain, repeats, old.array.shape))
    else:
        numbers = np.zeros_like(old.array)
        numbers[plain] = value.array if isinstance(value, TensorBase) else value
        placed = numbers
    return kept + placed


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
    for parent in node.parents:
        if getattr(parent, "_rebased_at", -1) > recorded:
            how = parent.op.name if parent.op is not None else "x[…] = …"
            raise RuntimeError(
                f"backward: {who(parent)} was changed in place (it became {how}(…)) after "
                f"{op} used it, and tracegrad's graph keeps one history per tensor, so {op}'s "
                "gradient cannot reach it as it was. Write x = x + … (a new tensor) for the "
                "change, or use it only after the change. (PyTorch keeps both histories.)"
            )
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
