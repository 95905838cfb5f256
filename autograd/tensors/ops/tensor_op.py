"""The Tensor op record type, and what its records are built and run with.

A :class:`TensorOp` is an :class:`~autograd.engine.records.Op`: the same name, symbol,
template and formula texts, read by graph, explain and draw through the same methods. Its
``forward`` takes numpy arrays and gives the output array, and it adds what arrays need:

* ``backward(node, upstream)``: given the output node and d(root)/d(output), one gradient
  per input (``None`` for an input that does not require grad). A gradient may keep the
  output's broadcast shape: :func:`fit_gradient` reduces it to the input's shape and dtype,
  in one place, for every op;
* the rules :func:`autograd.tensors.tensor.apply` follows when it runs the op (promotion,
  the overflow policy, views, the in-place checks, the learner's errors).

An elementwise op is built from its scalar record by :func:`elementwise`: its local
derivative *is* the scalar record's ``derivative``, run on whole arrays, so each op's math is
written once (:mod:`autograd.scalar.ops`). Every other backward rule is written once for numpy
arrays and for Tensors alike: with ``create_graph=True`` it runs on the nodes themselves
(``node.array`` is then the Tensor) and its arithmetic records the gradient as a graph that can
be differentiated again. What numpy writes as a function (a sum, an exp, a choice by a mask)
goes through the few helpers below, which pick the array function or the Tensor op; they are
also the functions the scalar records' rules use on many numbers at once
(:data:`~autograd.scalar.ops.MANY_NUMBERS`). Masks (where relu is active, where the max is)
are read from the numbers: they are constants of the gradient graph, so piecewise ops have a
zero second derivative almost everywhere, as in PyTorch.

The records themselves live by family: :mod:`~autograd.tensors.ops.arithmetic`,
:mod:`~autograd.tensors.ops.reductions`, :mod:`~autograd.tensors.ops.shapes`,
:mod:`~autograd.tensors.ops.losses` and :mod:`~autograd.tensors.ops.comparisons`;
:mod:`autograd.tensors.ops` lists them all.

    >>> from autograd.scalar import ops
    >>> TANH = elementwise(ops.TANH, np.tanh, reads=reads_result)
    >>> TANH.render(["z"]), TANH.derivative is ops.TANH.derivative
    ('tanh(z)', True)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...engine.records import Op
from ...scalar.ops import MANY_NUMBERS
from ..dtypes import QUIET_INVALID, RAISE_ON_OVERFLOW
from ..notation import shape_text

__all__ = [
    "TensorOp",
    "elementwise",
    "fit_gradient",
    "no_entrywise_derivative",
    "Array",
    "Grads",
    "Reads",
    "reads_nothing",
    "reads_input",
    "reads_result",
    "reads_input_and_result",
    "reads_each_other",
    "reads_inputs",
    "reads_everything",
    "WHERE",
    "elementwise_function",
]

Array = np.ndarray
Grads = Sequence["Array | None"]

# The ufuncs' own reduce: ndarray.sum, .mean and .max add a layer of Python to every call.
# (Typed loosely: numpy's stubs want keepdims as a literal True or False.)
add_reduce: Callable[..., Array] = np.add.reduce
max_reduce: Callable[..., Array] = np.maximum.reduce
min_reduce: Callable[..., Array] = np.minimum.reduce


# --- what each op's backward reads (the in-place checks of autograd/tensors/versions.py) --

#: ``reads(node)``: the tensors a backward rule reads, the inputs or the result itself, as
#: PyTorch saves them. Backward refuses a gradient from a tensor changed in place after the
#: op ran only if the rule reads it; ops that need only shapes (add, sum, reshape) read none.
Reads = Callable[[Any], tuple[Any, ...]]


def reads_nothing(node: Any) -> tuple[Any, ...]:
    return ()


def reads_input(node: Any) -> tuple[Any, ...]:
    return (node.parents[0],)


def reads_result(node: Any) -> tuple[Any, ...]:
    return (node,)


def reads_input_and_result(node: Any) -> tuple[Any, ...]:
    return (node.parents[0], node)


def reads_each_other(node: Any) -> tuple[Any, ...]:
    # a * b and a @ b: a's gradient reads b, b's reads a (PyTorch saves each only if needed)
    a, b = node.parents
    return (*((b,) if a.requires_grad else ()), *((a,) if b.requires_grad else ()))


def reads_inputs(node: Any) -> tuple[Any, ...]:
    return tuple(node.parents)


def reads_everything(node: Any) -> tuple[Any, ...]:
    """The default: every input and the result, so an op that does not say is never unchecked."""
    return (*node.parents, node)


def no_gradient(node: Any, g: Any) -> Grads:
    """The backward of an op outside the graph (``differentiable=False``): never called."""
    raise AssertionError("internal: an op outside the graph was recorded")


def no_entrywise_derivative(*numbers: Any) -> tuple[Any, ...]:
    """The ``derivative`` of a Tensor op whose output entries each depend on many input
    entries (matmul, sum, softmax, indexing): there is no slope entry by entry to give, and
    its ``backward`` rule applies the whole Jacobian to the upstream gradient instead.

    >>> no_entrywise_derivative(1.0, 2.0)
    Traceback (most recent call last):
    TypeError: this Tensor op has no derivative entry by entry: its backward rule applies ...
    """
    raise TypeError(
        "this Tensor op has no derivative entry by entry: its backward rule applies the "
        "Jacobian to the upstream gradient"
    )


@dataclass(frozen=True, eq=False, kw_only=True, repr=False)  # Op's repr: TensorOp('add')
class TensorOp(Op):
    """One array operation: an :class:`~autograd.engine.records.Op` whose forward rule runs on
    arrays, with its backward rule and the rules :func:`autograd.tensors.tensor.apply` follows
    when it runs the op.

    An op outside the graph (comparisons, argmax, integer casts) has ``differentiable``
    False: its result never records, as PyTorch's have no grad_fn.

    >>> from autograd.tensors.ops import ADD
    >>> ADD.render(["x", "b"]), ADD.formula(1, 2), isinstance(ADD, Op)
    ('x + b', 'd(a+b)/db = 1', True)
    """

    #: ``backward(node, upstream)``: one gradient per input (None where none is needed).
    backward: Callable[[Any, Any], Grads]
    #: An elementwise op's is its scalar twin's (see :func:`elementwise`).
    derivative: Callable[..., tuple[Any, ...]] = no_entrywise_derivative
    #: For an op whose forward takes more than the inputs' arrays (an index, a mask, a max's
    #: indices): forward's last argument is then the node's ``ctx``, so a recorded graph can
    #: be run again from its nodes alone.
    takes_ctx: bool = False
    #: False for an op whose result carries no gradient (booleans, indices, integers).
    differentiable: bool = True
    #: What the node keeps of ``ctx`` when it is recorded (a copy of what the caller may
    #: change later); only recording pays for it. Must give back a kept ctx unchanged.
    keeps: Callable[[Any], Any] | None = None
    #: The promotion rule: integer inputs become float32 first (exp, log, mean), as in PyTorch.
    floating: bool = False
    #: PyTorch's promotion for mixed inputs: an integer with a float32 gives float32 (numpy
    #: would give float64), so ``int_tensor * 0.5`` is float32 as in PyTorch.
    promotes: bool = False
    #: Whether the result can outgrow finite inputs (exp, +, @, sum): then the forward rule runs
    #: under the overflow policy (README, "What tracegrad promises"). Others skip its cost.
    overflows: bool = False
    #: Whether the forward rule can make a NaN of an inf or NaN already in an input without
    #: overflowing (softmax's x − max(x) at an inf): then numpy's invalid-value warning is off
    #: while it runs, as such inputs pass through quietly (``overflows`` turns it off too).
    nan_from_inf: bool = False
    #: Whether the result may share the input's numbers (reshape, transpose, a slice): then
    #: an in-place change of one is seen by the other, as for PyTorch's views.
    view: bool = False
    #: What backward reads, for the in-place checks (see :data:`Reads`).
    reads: Reads = reads_everything
    #: What a factory made this record for (a convolution's geometry, a pooling's windows), for
    #: those who explain one output entry (:mod:`autograd.tensors.entries`).
    settings: Any = None
    #: Refusals that need the inputs' names (``check(inputs, ctx)`` raises before forward).
    check: Callable[[Sequence[Any], Any], None] | None = None
    #: The learner's error when forward refuses its arguments with a ValueError, IndexError or
    #: TypeError: ``explain(inputs, ctx, error)``. Without it a binary op names the shapes
    #: that do not broadcast.
    explain: Callable[[Sequence[Any], Any, Exception], Exception] | None = None
    #: Worked out from the fields above: whether forward takes the inputs' arrays as they are
    #: (no ``check``, ``floating`` or ``takes_ctx``). Most ops do, and apply, which every
    #: op of every step passes through, then skips three tests.
    takes_arrays: bool = field(init=False, repr=False)
    #: numpy's error state while the forward rule runs, from ``overflows`` and
    #: ``nan_from_inf`` (None: the caller's own).
    errors: Any = field(init=False, repr=False)

    def __post_init__(self) -> None:
        plain = self.check is None and not self.floating and not self.takes_ctx
        object.__setattr__(self, "takes_arrays", plain)  # the dataclass is frozen
        quiet = QUIET_INVALID if self.nan_from_inf else None
        object.__setattr__(self, "errors", RAISE_ON_OVERFLOW if self.overflows else quiet)


# --- elementwise ops: built from a scalar record ----------------------------------------


def elementwise(
    scalar: Op,
    array_forward: Callable[..., Array] | None = None,
    *,
    quiet: bool = False,
    **rules: Any,
) -> TensorOp:
    """The Tensor op of a scalar op, built from its record alone: one definition serves both.

    The local derivative is the scalar record's own ``derivative`` (or, for an op that gives
    them, its ``shares``, so an input that needs no gradient costs nothing), run on whole
    arrays or, with ``create_graph=True``, on Tensors. ``array_forward`` is the numpy function
    that does the forward rule on a whole array at once; without it the scalar rule runs per
    entry. Name, symbol, template and formula texts are the record's, so the halves cannot
    drift. ``quiet`` silences numpy's warnings while the derivative runs, for a slope that is
    rightly infinite somewhere (x ** 0.5 at 0, or at a number so small that it overflows).
    ``rules`` are the :class:`TensorOp` fields that say how to run it (``reads``,
    ``floating``, ``overflows``, ``check``).

    >>> from autograd.scalar import ops
    >>> op = elementwise(ops.TANH, np.tanh, reads=reads_result)
    >>> op.render(["z"]), op.forward(np.array([0.0]))
    ('tanh(z)', array([0.]))
    """
    derivative = scalar.derivative
    forward = array_forward if array_forward is not None else _per_entry(scalar.forward)
    arity = len(scalar.formulas) if isinstance(scalar.formulas, tuple) else 0

    # One rule for any number of inputs, and the same rule unrolled for one and two: the
    # unrolled ones run in every training step (a + b, x * w), a third of the time.
    def backward(node: Any, g: Array) -> Grads:
        parents = node.parents
        local = derivative(*[p.array for p in parents], node.array)
        return [_times(g, d) if p.requires_grad else None for p, d in zip(parents, local)]

    def backward_unary(node: Any, g: Array) -> Grads:
        (d,) = derivative(node.parents[0].array, node.array)
        return (g if d.__class__ is float and d == 1.0 else g * d,)

    def backward_binary(node: Any, g: Array) -> Grads:
        x, y = node.parents
        dx, dy = derivative(x.array, y.array, node.array)
        return (
            (g if dx.__class__ is float and dx == 1.0 else g * dx) if x.requires_grad else None,
            (g if dy.__class__ is float and dy == 1.0 else g * dy) if y.requires_grad else None,
        )

    rule: Callable[[Any, Any], Grads]
    if scalar.constant_slopes and arity in (1, 2):
        rule = _fixed_slopes_backward(derivative(*[0.0] * (arity + 1)))
    elif arity == 2 and scalar.shares is not None:
        rule = _by_input_backward(*scalar.shares)
    else:
        rule = {1: backward_unary, 2: backward_binary}.get(arity, backward)
    return TensorOp(
        name=scalar.name,
        symbol=scalar.symbol,
        template=scalar.template,
        forward=forward,
        derivative=derivative,
        shares=scalar.shares,
        constant_slopes=scalar.constant_slopes,
        # (``slopes``, the derivative in the inputs' own names, stays the scalar record's:
        # narration writes a Tensor step's local derivative as the formula instead.)
        backward=_hushed(rule) if quiet else rule,
        formulas=scalar.formulas,
        doc=f"{scalar.doc}, elementwise" if scalar.doc else "",
        **rules,
    )


def _fixed_slopes_backward(slopes: tuple[float, ...]) -> Callable[[Any, Any], Grads]:
    """The backward of an op whose local derivatives are fixed numbers (add, sub, neg): each
    input's gradient is the upstream itself, its negation, or the upstream times the number.

    >>> backward = _fixed_slopes_backward((-1.0,))
    >>> backward(None, np.array([2.0]))
    (array([-2.]),)
    """
    if len(slopes) == 1:
        (s,) = slopes
        return lambda node, g: (g if s == 1.0 else -g if s == -1.0 else g * s,)
    s0, s1 = slopes

    def backward(node: Any, g: Any) -> Grads:
        x, y = node.parents
        return (
            (g if s0 == 1.0 else -g if s0 == -1.0 else g * s0) if x.requires_grad else None,
            (g if s1 == 1.0 else -g if s1 == -1.0 else g * s1) if y.requires_grad else None,
        )

    return backward


def _by_input_backward(
    share_of_x: Callable[..., Any], share_of_y: Callable[..., Any]
) -> Callable[[Any, Any], Grads]:
    """The backward of a two-input op that gives its inputs' shares one at a time (div, pow):
    the share of an input that needs no gradient (the 2 of x / 2) is never worked out."""

    def backward(node: Any, g: Any) -> Grads:
        x, y = node.parents
        a, b, out = x.array, y.array, node.array
        return (
            share_of_x(g, a, b, out) if x.requires_grad else None,
            share_of_y(g, a, b, out) if y.requires_grad else None,
        )

    return backward


def _hushed(rule: Callable[[Any, Any], Grads]) -> Callable[[Any, Any], Grads]:
    def backward(node: Any, g: Any) -> Grads:
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            return rule(node, g)

    return backward


def _times(upstream: Any, local: Any) -> Any:
    # A slope of exactly 1 (add, sub) hands the upstream on: no new array per input.
    return upstream if local.__class__ is float and local == 1.0 else upstream * local


def _per_entry(rule: Callable[..., float]) -> Callable[..., Array]:
    def forward(*arrays: Array) -> Array:
        dtype = np.result_type(*arrays)
        dtype = dtype if dtype.kind == "f" else np.dtype(np.float32)
        return np.vectorize(rule, otypes=[dtype])(*arrays)

    return forward


# --- one rule for arrays and Tensors: the helpers a backward rule calls ----------------

#: What numpy hands a rule: an array, or one of its scalars (a 0-d result). The helpers test
#: for it with an inline isinstance: the first-order backward, which always meets arrays,
#: then pays one function call per helper and no more.
ARRAYS = (np.ndarray, np.generic)


def is_array(x: Any) -> bool:
    return isinstance(x, ARRAYS)


def numbers(x: Any) -> Any:
    """The numbers of an array or of a Tensor: for masks, ties and indices, which are constants
    of a gradient graph."""
    return x if isinstance(x, ARRAYS) else x.array


def run(op: TensorOp, *inputs: Any, ctx: Any = None) -> Any:
    """``op`` on arrays (its forward rule), or on Tensors (a recorded node whose ``ctx`` is
    ``ctx``): how a backward rule uses another op, e.g. indexing's backward is a scatter."""
    for x in inputs:
        if not isinstance(x, ARRAYS):
            return type(x).apply(op, *inputs, ctx=ctx)  # x is a Tensor: Tensor.apply
    if op.takes_ctx:
        return op.forward(*inputs, ctx)
    return op.forward(*inputs)


def add_up(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    if isinstance(x, ARRAYS):
        return add_reduce(x, axis=axis, keepdims=keepdims)
    return x.sum(axis, keepdims)


def exp_of(x: Any) -> Any:
    return np.exp(x) if isinstance(x, ARRAYS) else x.exp()


def as_dtype(x: Any, dtype: np.dtype[Any]) -> Any:
    return x.astype(dtype) if isinstance(x, ARRAYS) else x.to(dtype)


def expand_dims(x: Any, axis: Any) -> Any:
    if isinstance(x, ARRAYS):
        return np.expand_dims(x, axis)
    return x.reshape(np.expand_dims(np.broadcast_to(0, x.shape), axis).shape)


def swap_last(x: Any) -> Any:
    return np.swapaxes(x, -1, -2) if is_array(x) else x.transpose(-1, -2)


def _where_forward(a: Array, ctx: tuple[Array, float]) -> Array:
    mask, fill = ctx
    return np.where(mask, a, fill)


#: ``a`` where ``mask`` holds, ``fill`` elsewhere; the mask is a constant (the node's ctx
#: ``(mask, fill)``), so the gradient is upstream where the mask holds, 0 elsewhere.
WHERE: TensorOp = TensorOp(
    name="where",
    symbol="where",
    template="where(…, {0}, …)",
    forward=_where_forward,
    backward=lambda node, g: (run(WHERE, g, ctx=(node.ctx[0], 0)),),
    formulas=("d where(m, a, c)/da = 1 where m holds, 0 elsewhere",),
    doc="entries kept where a mask holds, a constant elsewhere",
    reads=reads_nothing,
    takes_ctx=True,
)


def where(mask: Any, a: Any, fill: float) -> Any:
    """``a`` where ``mask`` holds and the number ``fill`` elsewhere, for an array or a Tensor.

    >>> where(np.array([True, False]), np.array([2.0, 3.0]), 0.0)
    array([2., 0.])
    """
    return run(WHERE, a, ctx=(mask, fill))


# --- the scalar records' rules on many numbers (autograd.scalar.ops.MANY_NUMBERS) -------


def _choose(mask: Any, then: Any, otherwise: Any) -> Any:
    if not isinstance(mask, ARRAYS):
        mask = mask.array  # a comparison of Tensors (relu's out <= 0 under create_graph)
    if then.__class__ is float and otherwise.__class__ is float:
        # A slope that is one of two numbers (leaky_relu's; a choice between 1 and 0, relu's
        # and clip's, is the mask itself and never comes here)
        return np.where(mask, then, otherwise)
    if otherwise.__class__ is float:
        return where(mask, then, otherwise)
    if then.__class__ is float:
        return where(~mask, otherwise, then)
    return np.where(mask, then, otherwise)  # two arrays (no rule chooses between Tensors)


def _log(x: Any) -> Any:
    if isinstance(x, ARRAYS):
        with np.errstate(divide="ignore"):  # log 0 = −∞: the clamped logs of BCE want it
            return np.log(x)
    return x.log()


def _log1p(x: Any) -> Any:
    if isinstance(x, ARRAYS):
        with np.errstate(divide="ignore"):
            return np.log1p(x)
    return (1.0 + x).log()


def elementwise_function(name: str, array_function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    # numpy's function on an array; the Tensor method of that name (a recorded op) on a Tensor
    return lambda x: array_function(x) if isinstance(x, ARRAYS) else getattr(x, name)()


MANY_NUMBERS.update(
    where=_choose,
    log=_log,
    log1p=_log1p,
    sin=elementwise_function("sin", np.sin),
    cos=elementwise_function("cos", np.cos),
    numbers=numbers,
)


# --- the one place where gradients meet their input's shape ------------------------------


def fit_gradient(grad: Any, like: Array) -> Any:
    """``grad`` summed over the axes that broadcasting added or stretched, cast to ``like``'s dtype.

    Every op's backward may return a gradient in the output's broadcast shape; this turns it
    into the gradient of the (smaller) input, whose shape and dtype are ``like``'s.

    >>> fit_gradient(np.ones((4, 3), np.float32), np.zeros(3, np.float32))
    array([4., 4., 4.], dtype=float32)
    >>> fit_gradient(np.ones((2, 3)), np.zeros((2, 1))).ravel().tolist()
    [3.0, 3.0]
    """
    shape = like.shape
    if grad.shape != shape:
        extra = grad.ndim - len(shape)
        if extra > 0:
            axes = 0 if extra == 1 else tuple(range(extra))
            # The bias of every layer comes here: arrays skip the helper's call.
            grad = add_reduce(grad, axis=axes) if isinstance(grad, ARRAYS) else add_up(grad, axes)
        if grad.shape != shape:
            stretched = tuple(
                axis for axis, size in enumerate(shape) if size == 1 and grad.shape[axis] != 1
            )
            grad = add_up(grad, axis=stretched, keepdims=True)
        if grad.shape != shape:  # a broken backward rule, never the learner's input
            raise AssertionError(
                f"internal: gradient of shape {shape_text(grad.shape)} "
                f"cannot be reduced to {shape_text(shape)}"
            )
    if grad.dtype != like.dtype:
        grad = as_dtype(grad, like.dtype)
    return grad
