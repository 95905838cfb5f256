"""Tensor: a node of the computation graph that holds a numpy array.

A Tensor is to arrays what :class:`~autograd.scalar.value.Value` is to floats: it remembers
the op record (:mod:`autograd.tensors.ops`) and the parents that made it, so the same graph
walk, narration (``explain``) and drawing (``draw_dot``) work on it. Names and semantics follow
PyTorch: ``requires_grad`` leaves collect ``.grad`` (a Tensor, None until the first
backward), ``.data`` is the same numbers outside the graph, results of ops on tensors that
need no gradient record nothing, and ``no_grad()`` switches recording off. The numbers
themselves are a numpy array, ``.array`` (what ``.numpy()`` returns).

Example:
    >>> import numpy as np
    >>> from autograd import Tensor
    >>> W = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, label="W")
    >>> x = Tensor([1.0, -1.0], label="x")
    >>> loss = (W @ x).relu().sum()
    >>> loss.backward()
    >>> loss.item(), W.grad.tolist()
    (0.0, [[0.0, 0.0], [0.0, 0.0]])
    >>> y = (x @ W).sum(); y.backward(); W.grad
    tensor([[ 1.,  1.],
            [-1., -1.]])
    >>> W.data += -0.1 * W.grad; W.data  # makemore's update: in place, outside the graph
    tensor([[0.9, 1.9],
            [3.1, 4.1]])
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from ..engine import grad_mode as _mode
from ..engine.grad_mode import enable_grad, is_grad_enabled, no_grad
from ..engine.graph import Observer, backward
from ..engine.notation import CONSTANT, Owner, fmt
from ..engine.records import OpDomainError
from ..narration.explain import explain
from ..narration.names import name_gradients
from ..narration.steps import Step, backward_steps
from . import versions as _inplace
from .dtypes import _ERROR_STATE, QUIET_INVALID, Array, float32, float64, int64
from .dtypes import check_grad_dtype as _check_grad_dtype
from .dtypes import floating as _floating
from .dtypes import operand_array as _operand_data
from .dtypes import resolve_dtype as _dtype
from .dtypes import to_array as _to_array
from .methods import MinMax, TensorMethods
from .notation import who as _who
from .ops import TensorOp, fit_gradient, shape_text

__all__ = [
    "Tensor",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "float32",
    "float64",
    "int64",
    "MinMax",
]

# A Tensor's methods .float(), .int() and .bool() hide the builtins in the class, so its
# annotations say builtins.float.

_new = object.__new__


# --- making nodes ------------------------------------------------------------------------


def _plain(data: Any, owner: Owner | None = None) -> Tensor:
    """A leaf that needs no gradient (a result made without recording, or a constant)."""
    if type(data) is not np.ndarray:
        data = np.asarray(data)
    out = _new(Tensor)
    out.array = data
    out._grad = None
    out.requires_grad = False
    out.op = None
    out.parents = ()
    out.ctx = None
    out.label = ""
    out.owner = owner
    return out


def apply(op: TensorOp, *inputs: Any, ctx: Any = None) -> Tensor:
    """``op`` run on ``inputs``: the one way every Tensor op is computed and recorded.

    Every Tensor method, function and loss comes here, as every scalar op goes through
    ``Value._apply``. From the record it takes the forward rule, the promotion rule
    (``floating``), the overflow policy (``overflows``), its refusals (``check``,
    ``explain``); then it decides whether to record (some input requires grad, recording
    is on, the op has a backward rule) and does the version bookkeeping for views. An input
    that is not a Tensor (a number, an array) becomes a constant, in the first Tensor's
    float dtype for plain numbers. ``ctx`` is what the op needs besides the arrays (an axis'
    indices, an index), kept on the node for backward.

    >>> from autograd.tensors import ops as T
    >>> apply(T.total(None, False), Tensor(np.ones((2, 3)))).item()
    6.0
    >>> apply(T.SUB, 1.0, Tensor([3.0])).tolist()
    [-2.0]
    """
    # Every op of every training step comes through here, so the common case is kept short
    # (bench_tensor_mlp measures it): one or two Tensors are read without a loop (a loop or a
    # list comprehension costs as much as the rest), and the rarer rules sit behind one flag.
    arity = len(inputs)
    if arity == 2 and isinstance(inputs[0], Tensor) and isinstance(inputs[1], Tensor):
        a, b = inputs
        wanted = a.requires_grad or b.requires_grad  # whether some input requires grad
        arrays: tuple[Any, ...] = (a.array, b.array)
    elif arity == 1 and isinstance(inputs[0], Tensor):
        a = inputs[0]
        wanted = a.requires_grad
        arrays = (a.array,)
    elif (numbers := _unrecorded_with_a_number(op, inputs)) is not None:
        wanted, arrays = False, numbers  # lr * p.grad: no constant node is needed
    else:  # a number or an array among the inputs (made constants), or more than two
        inputs = _constants(op, inputs)
        wanted = any([t.requires_grad for t in inputs])
        arrays = tuple([t.array for t in inputs])
    if not op.takes_arrays:
        if op.check is not None:
            op.check(inputs, ctx)
        if op.floating:
            for array in arrays:
                if array.dtype.kind != "f":
                    arrays = tuple([_floating(array) for array in arrays])
                    break
        if op.takes_ctx:
            arrays += (ctx,)
    errors = op.errors  # numpy's error state for this op (the overflow policy), or None
    state = _ERROR_STATE.set(errors) if errors is not None else None
    try:
        out = op.forward(*arrays)
    except FloatingPointError:
        raise _overflow_error(op, _constants(op, inputs)) from None
    except OpDomainError as error:
        raise _op_error(op, _constants(op, inputs), error) from None
    except (ValueError, IndexError, TypeError) as error:
        raise _refusal(op, _constants(op, inputs), ctx, error) from None
    finally:
        if state is not None:
            _ERROR_STATE.reset(state)
    if op.promotes and out.dtype is float64 and all(a.dtype is not float64 for a in arrays):
        out = out.astype(float32)  # ints with a float: PyTorch's default float, not numpy's
    if wanted and _mode.recording and op.differentiable:
        if type(out) is not np.ndarray:
            out = np.asarray(out)  # numpy turns 0-d results into scalars; .array is an array
        # The node is made here, its slots filled without __init__, whose dtype and label
        # checks are for user input: this is the hottest spot of the Tensor half.
        made = _new(Tensor)
        made.array = out
        made._grad = None
        made.requires_grad = True
        made.op = op
        made.parents = inputs
        made.ctx = ctx if op.keeps is None else op.keeps(ctx)
        made.label = ""
        made.owner = None
        made._recorded_at = _inplace.CHANGES  # see autograd/tensors/versions.py
    else:
        made = _plain(out)
    if op.view and out.base is not None:
        return _inplace.share(made, inputs[0])
    return made


def _unrecorded_with_a_number(op: TensorOp, inputs: Sequence[Any]) -> tuple[Any, ...] | None:
    """The numbers of a float Tensor and a Python number (either side) when nothing will be
    recorded, the number in the Tensor's dtype: what ``lr * p.grad`` computes, without the
    constant node a graph would need. None for anything else (the general path)."""
    if len(inputs) != 2 or op.check is not None:
        return None
    a, b = inputs
    tensor, number = (a, b) if a.__class__ is Tensor else (b, a)
    if tensor.__class__ is not Tensor or (tensor.requires_grad and _mode.recording):
        return None
    kind = number.__class__
    array = tensor.array
    if (kind is not float and kind is not int) or array.dtype.kind != "f":
        return None
    number = array.dtype.type(number)  # as operand_array makes it: x * 0.5 stays float32
    return (array, number) if a is tensor else (number, array)


def _constants(op: TensorOp, inputs: Sequence[Any]) -> tuple[Tensor, ...]:
    """The inputs with every non-Tensor made a constant node, as the first Tensor reads it."""
    like = None
    recording = False
    for x in inputs:
        if isinstance(x, Tensor):
            like = like if like is not None else x
            recording = recording or x.requires_grad
    if like is None:
        raise TypeError(f"{op.name}: needs at least one Tensor, got {inputs!r:.60}")
    recording = recording and _mode.recording
    nodes = []
    for x in inputs:
        if isinstance(x, Tensor):
            nodes.append(x)
            continue
        array = _operand_data(x, op.name, like)
        # The caller's own array is copied when a graph keeps it: changing it after the
        # forward pass must not change the gradient (PyTorch copies a numpy operand too).
        nodes.append(_plain(array.copy() if recording and array is x else array, CONSTANT))
    return tuple(nodes)


def _op_error(op: TensorOp, parents: Sequence[Tensor], error: OpDomainError) -> Exception:
    inputs = ", ".join(_who(p) for p in parents)
    return error.kind(f"{op.name}({inputs}): {error}")


def _refusal(op: TensorOp, inputs: Sequence[Tensor], ctx: Any, error: Exception) -> Exception:
    """The learner's error for arguments a forward rule refused (shapes, axes, indices)."""
    if op.explain is not None:
        return op.explain(inputs, ctx, error)
    if len(inputs) == 2 and isinstance(error, ValueError):
        a, b = inputs
        try:
            np.broadcast_shapes(a.array.shape, b.array.shape)
        except ValueError:
            return ValueError(
                f"{op.name}: shapes {shape_text(a.array.shape)} and {shape_text(b.array.shape)} "
                f"do not broadcast ({_who(a)} and {_who(b)}). Broadcasting lines the shapes up "
                "from the right; each pair of sizes must be equal, or one of them 1"
            )
    if isinstance(error, TypeError):
        return TypeError(f"{op.name}: {error} ({', '.join(_who(t) for t in inputs)})")
    return error


def _check_gradient(t: Tensor, grad: Any) -> None:
    """PyTorch's checks on ``t.grad = grad``: a Tensor of ``t``'s shape and dtype."""
    if not isinstance(grad, Tensor):
        raise TypeError(
            f"{_who(t)}.grad = …: a gradient is a Tensor of its shape, or None; got "
            f"{type(grad).__name__} {grad!r:.40} (autograd.tensor(...) makes one)"
        )
    have, want = grad.array, t.array
    if have.shape != want.shape:
        raise RuntimeError(
            f"{_who(t)}.grad = …: the gradient has shape {shape_text(have.shape)}; it must "
            f"have the tensor's shape, {shape_text(want.shape)}"
        )
    if have.dtype != want.dtype:
        raise RuntimeError(
            f"{_who(t)}.grad = …: the gradient is {have.dtype}; it must have the tensor's "
            f"dtype, {want.dtype} (.to({want.dtype}) converts it)"
        )


def _overflow_error(op: TensorOp, parents: Sequence[Tensor]) -> OverflowError:
    """The error of the overflow policy (README, "What tracegrad promises")."""
    inputs = ", ".join(_who(p) for p in parents)
    dtype = np.result_type(*(p.array for p in parents))
    dtype = dtype if dtype.kind == "f" else float32
    wider = "" if dtype == float64 else ", or compute in float64"
    return OverflowError(
        f"{op.name}({inputs}): the result is too large for {dtype} (beyond "
        f"±{builtins.float(np.finfo(dtype).max):.4g}) and would be inf. tracegrad stops at the "
        "op that overflows from finite inputs, as exp and ** do; inf or NaN already in an "
        f"input passes through. Scale the inputs down{wider}"
    )


# --- the Tensor --------------------------------------------------------------------------


class Tensor(TensorMethods["Tensor"]):
    """An array that records how it was computed, so gradients can flow back through it.

    ``Tensor(data, requires_grad=False, dtype=None, label="")``: the data is copied into a
    new ndarray of ``dtype`` (float32 unless given, like ``torch.Tensor``; use
    :func:`tensor` to keep integer data as int64). Only float tensors can require grad.

    This class is what a Tensor is: its slots, the one ``apply`` path, backward and the
    in-place bookkeeping. PyTorch's methods (``dim``, ``view``, ``sum(dim=...)``, the
    operators, ...) come from the mixins in :mod:`autograd.tensors.methods`.

    >>> x = Tensor([[1, 2, 3]], label="x")
    >>> x.shape, x.dtype, x.ndim
    ((1, 3), dtype('float32'), 2)
    >>> y = x * 2 + 1
    >>> y.tolist()
    [[3.0, 5.0, 7.0]]
    """

    __slots__ = (
        "array",
        "_grad",  # .grad: None, a Tensor, or an array backward stored (made a Tensor when read)
        "requires_grad",
        "op",
        "parents",
        "ctx",
        "label",
        "owner",
        "_recorded_at",  # on recorded nodes only: inplace.CHANGES when the op ran
        "_vc",  # once changed in place or viewed: the VersionCounter shared with its views
        "_rebased_at",  # once changed in place on the graph: inplace.CHANGES then
    )
    apply = staticmethod(apply)

    #: The numbers, a numpy ndarray (``numpy()`` hands it out; ``.data`` is it as a Tensor).
    array: Array
    requires_grad: bool
    op: TensorOp | None
    parents: tuple[Tensor, ...]
    ctx: Any
    label: str
    owner: Owner | None
    _recorded_at: int
    _vc: _inplace.VersionCounter | None
    _grad: Tensor | Array | None
    _rebased_at: int

    def __init__(
        self, data: Any, requires_grad: bool = False, dtype: Any = None, *, label: str = ""
    ) -> None:
        if not isinstance(label, str):
            raise TypeError(f"Tensor label must be a str, got {type(label).__name__} {label!r}")
        resolved = float32 if dtype is None else _dtype(dtype)
        self.array = _to_array(data, resolved, label)
        self.requires_grad = bool(requires_grad)
        if self.requires_grad:
            _check_grad_dtype(self.array.dtype, label)
        self._grad = None
        self.op = None
        self.parents = ()
        self.ctx = None
        self.label = label
        self.owner = None

    # --- the numbers and the gradient, as PyTorch hands them out ---------------------------

    @property
    def data(self) -> Tensor:
        """The same numbers (shared, not copied) as a Tensor outside the graph, PyTorch's
        ``.data``: it requires no grad, and changing it in place changes this tensor's
        numbers without counting as an in-place change (``_version`` does not move, and a
        graph that used this tensor still runs backward, reading the new numbers, as in
        PyTorch). makemore's update ``p.data += -lr * p.grad`` is such a change. Assigning
        ``p.data = t`` makes ``p`` hold ``t``'s numbers instead (shared with ``t``).

        Prefer ``detach()`` where the numbers must not change behind the graph's back: it
        shares the version count, so backward notices.

        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> w.data += 1; w, w._version
        (tensor([2., 3.], requires_grad=True), 0)
        >>> w.data = Tensor([5.0]); w
        tensor([5.], requires_grad=True)
        """
        out = _plain(self.array)
        out._vc = None  # a counter of its own, made on its first change (p.data += …)
        return out

    @data.setter
    def data(self, value: Any) -> None:
        if value.__class__ is Tensor and value.array is self.array:
            return  # p.data += …: the numbers were changed where they are
        if isinstance(value, Tensor):
            array = value.array
        elif type(value) is np.ndarray:  # what .data was before it was a Tensor
            array = value
        else:
            raise TypeError(
                f"{_who(self)}.data = …: give a Tensor (autograd.tensor(...)), got "
                f"{type(value).__name__} {value!r:.40} (PyTorch: data has to be a tensor)"
            )
        if array is self.array:  # p.data += …: the numbers were changed where they are
            return
        if self.requires_grad:
            _check_grad_dtype(array.dtype, self.label)
        self.array = array

    @property
    def grad(self) -> Tensor | None:
        """d(root)/d(self) after ``backward()``: a Tensor of this tensor's shape and dtype,
        None until a backward pass reaches it (and again after ``zero_grad()``). Leaves add
        each backward's gradient to it; intermediate tensors keep their latest one, for
        reading and drawing. ``w.grad.zero_()`` clears it in place; assigning a Tensor of the
        same shape and dtype (or None) replaces it, as in PyTorch.

        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> (w * w).sum().backward(); w.grad
        tensor([2., 4.])
        >>> w.grad.zero_()
        tensor([0., 0.])
        """
        g: Any = self._grad
        if g.__class__ is np.ndarray:  # backward stores arrays; each becomes a Tensor once read
            array, g = g, _new(Tensor)  # _plain(g), inlined: every update step reads grads
            g.array = array
            g._grad = None
            g.requires_grad = False
            g.op = None
            g.parents = ()
            g.ctx = None
            g.label = ""
            g.owner = None
            self._grad = g
        return g

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            _check_gradient(self, value)
        self._grad = value

    # --- in place: updates outside the graph, or a new node on it ------------------------

    # The rules and the version count live in autograd/tensors/versions.py.

    def __iadd__(self, other: Any) -> Tensor:
        return _inplace.apply_in_place(self, np.add, other, "+=")

    def __isub__(self, other: Any) -> Tensor:
        return _inplace.apply_in_place(self, np.subtract, other, "-=")

    def __imul__(self, other: Any) -> Tensor:
        return _inplace.apply_in_place(self, np.multiply, other, "*=")

    def __itruediv__(self, other: Any) -> Tensor:
        return _inplace.apply_in_place(self, np.true_divide, other, "/=")

    def __setitem__(self, index: Any, value: Any) -> None:
        """``x[index] = value`` copies numbers into ``x`` in place.

        While recording, if either side requires grad, ``x`` becomes a node of the graph
        (its old entries where the index does not point, ``value`` where it does), as in
        PyTorch; a leaf that requires grad is refused (see
        :func:`autograd.tensors.versions.rebase`).

        >>> from autograd import zeros
        >>> x = zeros(3); x[1] = 5.0; x[2:] = Tensor([7.0]); x.tolist()
        [0.0, 5.0, 7.0]
        """
        _inplace.assign(self, index, value)

    def zero_(self) -> Tensor:
        """Every entry set to 0, in place; returns the tensor (``w.grad.zero_()``).

        Counted as an in-place change, and refused while recording on a tensor that requires
        grad, as ``+=`` is.

        >>> g = Tensor([1.0, 2.0]); g.zero_().tolist(), g._version
        ([0.0, 0.0], 1)
        """
        return _inplace.fill(self, 0, "zero_()")

    @property
    def _version(self) -> int:
        """How many times the numbers of this tensor were changed in place through a Tensor
        (PyTorch's ``_version``): ``+=``, ``-=``, ``*=``, ``/=``, ``x[…] = …`` and
        ``zero_()``, on this tensor or on one sharing its numbers (a view, its base,
        ``detach()``), and, as in PyTorch, each optimizer step and ``load_state_dict`` that
        writes it.

        Backward refuses to use a tensor changed after the op that saved it ran (see
        :mod:`autograd.tensors.versions`). Changes through ``.data`` (``p.data += …``, as
        makemore updates its parameters), through ``.array`` or through ``numpy()`` are not
        counted, as in PyTorch's ``.data``.

        >>> x = Tensor([1.0, 2.0]); x += 1; x[0] = 5.0; x.data += 1; x._version
        2
        >>> v = x[1:]; v += 1; x._version
        3
        """
        c = getattr(self, "_vc", None)
        return 0 if c is None else c.version

    def detach(self) -> Tensor:
        """The same data (shared) as a new leaf outside the graph.

        >>> w = Tensor([1.0], requires_grad=True); (w * 3).detach().requires_grad
        False
        """
        out = _plain(self.array)
        out._vc = _inplace.counter(self)  # the same numbers: changing one is seen by both
        return out

    # --- gradients ------------------------------------------------------------------------

    def backward(
        self,
        gradient: Any = None,
        *,
        grad: Any = None,
        retain_graph: builtins.bool | None = None,
        create_graph: builtins.bool = False,
    ) -> None:
        """Fill in ``.grad`` of every tensor this one depends on that requires grad.

        Leaves accumulate across calls, as in PyTorch; intermediate tensors start again from
        zero at each call and keep their grads for reading and drawing. A tensor with more
        than one entry needs ``gradient`` (d root / d self, of the same shape).

        A tensor the graph used that was changed in place afterwards (``x += 1``,
        ``x[0] = 5``, also inside ``no_grad()``) makes backward raise a RuntimeError instead
        of returning a wrong gradient; so does an optimizer's ``step()`` or a
        ``load_state_dict`` in between. Changes through ``.data`` or ``.array`` are not
        seen, as in PyTorch: see :attr:`_version`.

        With ``create_graph=True`` every ``.grad`` is a Tensor built from nodes, which can be
        differentiated again (see :func:`autograd.grad`). ``retain_graph`` is accepted for
        PyTorch's sake: graphs are always kept.

        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> (w * w).sum().backward(); (w * w).sum().backward(); w.grad.tolist()
        [4.0, 8.0]
        """
        if grad is not None:
            if gradient is not None:
                raise TypeError("backward: give gradient or grad, not both")
            gradient = grad
        if not self.requires_grad:
            raise RuntimeError(
                f"backward: {_who(self)} does not require grad and was not computed from "
                "anything that does, so there is nothing to differentiate (create the inputs "
                "with requires_grad=True, outside no_grad())"
            )
        quiet = _ERROR_STATE.set(QUIET_INVALID)  # for every node's propagate at once
        try:
            backward(self, gradient, create_graph=create_graph)
        finally:
            _ERROR_STATE.reset(quiet)
        if create_graph:
            name_gradients(self, _plain)

    def backward_steps(self) -> Iterator[Step]:
        """Backward one chain-rule step at a time, narrated with shapes (a scalar root).

        >>> x = Tensor([[1.0, 2.0]], requires_grad=True, label="x")
        >>> loss = (x * 3).sum(); loss.label = "loss"
        >>> for step in loss.backward_steps(): print(step)
        dloss/d(x · 3) = [1×2]
        dloss/dx = dloss/d(x · 3) · d(x · 3)/dx = [1×2] · … = [1×2]
        """
        return backward_steps(self)

    def explain(self, *, names: Mapping[str, Any] | None = None) -> str:
        """The lesson as text: every value with its shape, then every backward step
        (``names=locals()`` calls unlabelled tensors by your variables' names).

        >>> x = Tensor([[1.0, 2.0]], requires_grad=True, label="x")
        >>> print(x.sum().explain().splitlines()[2])
          out = sum(x) = sum([1×2]) = 3 float32
        """
        return explain(self, names=names)

    # --- the node protocol (autograd.engine.graph.Node): what backward runs on ------------

    #: A Tensor's grad before any gradient arrives: None, as in PyTorch.
    initial_grad = None

    def seed(self, gradient: Any = None, create_graph: builtins.bool = False) -> Tensor:
        """d(root)/d(root) when backward starts here, as a Tensor: ones for a single number,
        else ``gradient`` checked against this tensor's shape (under ``create_graph`` a
        gradient that is a node stays one).

        >>> Tensor([2.0], requires_grad=True).seed().tolist()
        [1.0]
        """
        if not self.requires_grad:
            raise RuntimeError(f"backward: {_who(self)} does not require grad")
        data = self.array
        if gradient is None:
            if data.size != 1:
                raise RuntimeError(
                    f"backward: grad can be implicitly created only for scalar outputs, and "
                    f"{_who(self)} has {data.size} entries. Pass the gradient of the same "
                    f"shape, e.g. out.backward(autograd.ones({', '.join(map(str, data.shape))})), "
                    "or reduce first: out.sum().backward()"
                )
            seed = np.array(1, data.dtype) if data.ndim == 0 else np.ones(data.shape, data.dtype)
        else:
            given = gradient.array if isinstance(gradient, Tensor) else gradient
            seed = _to_array(given, data.dtype, "gradient")
            if seed.shape != data.shape:
                raise ValueError(
                    f"backward: the gradient has shape {shape_text(seed.shape)}, but "
                    f"{_who(self)} has shape {shape_text(data.shape)}"
                )
            if create_graph and isinstance(gradient, Tensor):
                return gradient if gradient.array.dtype == data.dtype else gradient.to(data.dtype)
        return _plain(seed)

    def propagate(
        self, observer: Observer | None = None, create_graph: builtins.bool = False
    ) -> None:
        """The chain rule at this node: the op's backward rule turns ``grad`` into each
        input's share, fitted to the input's shape and dtype and added into its ``grad``
        (inputs that need no gradient get none). With ``create_graph`` the rule runs on
        Tensors, so the shares are a graph that can be differentiated again.

        >>> x = Tensor([1.0, 2.0], requires_grad=True); y = x * 3
        >>> y.grad = Tensor([1.0, 1.0]); y.propagate(); x.grad
        tensor([3., 3.])
        """
        if self._recorded_at != _inplace.CHANGES:  # something changed in place since it ran
            _inplace.check_unchanged(self)
        upstream: Any = self._grad
        if upstream is None:  # every rule that could reach it gave None: nothing to hand on
            return
        # inf or NaN the forward pass let through passes on without numpy's warnings
        # (dtypes.py says which). backward() turns them off once for the whole pass; a node
        # run on its own (narration, grad(), a user's propagate()) does it here.
        state = _ERROR_STATE.set(QUIET_INVALID) if _ERROR_STATE.get() is not QUIET_INVALID else None
        try:
            shares: Sequence[Any]
            if create_graph:
                if upstream.__class__ is np.ndarray:
                    upstream = _plain(upstream)
                shares = _graph_contributions(self, upstream)
            else:
                assert self.op is not None
                if upstream.__class__ is not np.ndarray:  # a Tensor: the seed, or a grad read
                    upstream = upstream.array  # the rules work on arrays, unless building a graph
                shares = self.op.backward(self, upstream)
            grad: Any
            for i, (parent, grad) in enumerate(zip(self.parents, shares)):
                if grad is None or not parent.requires_grad:
                    continue
                if not create_graph:
                    if type(grad) is not np.ndarray:
                        grad = np.asarray(grad)
                    data = parent.array
                    if grad.shape != data.shape or grad.dtype is not data.dtype:
                        grad = fit_gradient(grad, data)  # a new array (a numpy scalar if 0-d)
                        if grad.__class__ is not np.ndarray:
                            grad = np.asarray(grad)
                    elif not parent.parents and (grad is upstream or grad.base is not None):
                        grad = grad.copy()  # a leaf keeps what it receives: an array of its own
                # Never in place: a grad, once stored, is never changed by the engine. Arrays
                # are stored as they are (``grad`` makes a Tensor of one when it is read).
                held: Any = parent._grad
                if held is None:
                    parent._grad = grad
                else:
                    if held.__class__ is np.ndarray:
                        if create_graph:
                            held = _plain(held)
                    elif not (create_graph or held.requires_grad):
                        held = held.array  # numbers only: the sum is numbers too
                    elif not create_graph:
                        grad = _plain(grad)  # a gradient that is a node: its graph goes on
                    total = held + grad
                    if total.__class__ is not np.ndarray and not isinstance(total, Tensor):
                        total = np.asarray(total)  # two 0-d arrays add up to a numpy scalar
                    parent._grad = total
                if observer is not None:
                    observer(self, i, parent, None, grad)  # no one local number for arrays
        finally:
            if state is not None:
                _ERROR_STATE.reset(state)

    def who(self) -> str:
        """How errors name this tensor: its label, shape and dtype.
        ``Tensor([1.0], label="x").who() == "'x' [1] float32"``"""
        return _who(self)

    @staticmethod
    def describe(number: Any) -> str:
        """``[64×256] float32`` for an array or a Tensor; one number (0-d) is written with its
        dtype. ``Tensor.describe(np.zeros((2, 3))) == '[2×3] float64'``"""
        if number is None:
            return "None"
        if isinstance(number, Tensor):
            number = number.array
        shape = np.shape(number)
        dtype = getattr(number, "dtype", None)
        if not shape:
            text = fmt(builtins.float(number))
            return f"{text} {dtype}" if dtype is not None else text
        return f"{shape_text(shape)} {dtype}"

    @staticmethod
    def brief(number: Any) -> str:
        """Inside a sentence: ``[64×256]`` for an array or a Tensor, the number for a single
        number. ``Tensor.brief(np.zeros((2, 3))) == '[2×3]'``"""
        if number is None:
            return "None"
        if isinstance(number, Tensor):
            number = number.array
        shape = np.shape(number)
        return shape_text(shape) if shape else fmt(builtins.float(number))

    def __repr__(self) -> str:
        body = np.array2string(
            self.array, separator=", ", precision=4, threshold=100, prefix="tensor("
        )
        extras = []
        if self.array.dtype not in (float32, int64, np.dtype(bool)):
            extras.append(f"dtype={self.array.dtype}")
        if self.label:
            extras.append(f"label={self.label!r}")
        if self.op is not None:
            extras.append(f"op={self.op.name}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return f"tensor({body}{''.join(', ' + e for e in extras)})"


class _AsNodes:
    """A recorded node as its backward rule sees it when building a gradient graph:
    ``array`` is the Tensor itself rather than its numbers, so the rule's arithmetic records
    nodes (each rule is written once, for arrays and Tensors alike)."""

    __slots__ = ("array", "parents", "ctx", "requires_grad")

    def __init__(self, node: Tensor, parents: tuple[_AsNodes, ...], requires_grad: bool) -> None:
        self.array = node
        self.parents = parents
        self.ctx = node.ctx
        self.requires_grad = requires_grad


def _graph_contributions(node: Tensor, upstream: Tensor) -> list[Tensor | None]:
    """Each parent's share of ``upstream`` as Tensors recorded in a graph (create_graph)."""
    op = node.op
    assert op is not None
    view = _AsNodes(node, tuple(_AsNodes(p, (), p.requires_grad) for p in node.parents), True)
    building, _mode.building_graph = _mode.building_graph, True
    try:
        grads = list(op.backward(view, upstream))
    except (TypeError, AttributeError) as error:
        raise RuntimeError(
            f"{op.name}: its backward rule cannot be built from Tensors, so it cannot be "
            f"differentiated twice (create_graph=True): {error}"
        ) from None
    finally:
        _mode.building_graph = building
    shares: list[Tensor | None] = []
    grad: Any
    for parent, grad in zip(node.parents, grads):
        if grad is None or not parent.requires_grad:
            shares.append(None)
            continue
        if not isinstance(grad, Tensor):
            grad = _plain(np.asarray(grad))  # a gradient that depends on nothing: a constant
        data = parent.array
        if grad.array.shape != data.shape or grad.array.dtype != data.dtype:
            grad = fit_gradient(grad, data)
        shares.append(grad)
    return shares
