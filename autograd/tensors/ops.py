"""The Tensor op records: each array operation defined once.

A :class:`TensorOp` has the same text as a scalar :class:`~autograd.ops.Op` (``name``,
``symbol``, ``template``, ``formulas``, ``doc``, ``render``, ``formula``), so graph, explain
and draw read both alike. Instead of a float forward rule and a local derivative it holds:

* ``forward(*arrays)``: numpy arrays in, the output array out;
* ``backward(node, upstream)``: given the output node and d(root)/d(output), one gradient
  per input (``None`` for an input that does not require grad). A gradient may keep the
  output's broadcast shape: :func:`fit_gradient` reduces it to the input's shape and dtype,
  in one place, for every op.

Each backward rule is written once, for numpy arrays and for Tensors alike: with
``create_graph=True`` it runs on the nodes themselves (``node.data`` is then the Tensor) and
its arithmetic records the gradient as a graph that can be differentiated again. What numpy
writes as a function (a sum, an exp, a scatter) goes through the few helpers below, which
pick the array function or the Tensor op. Masks (where relu is active, where the max is) are
read from the numbers: they are constants of the gradient graph, so piecewise ops have a zero
second derivative almost everywhere, as in PyTorch.

Elementwise ops take their text from the scalar records (``a·b`` means the same thing on each
element), so the formulas are written once. Ops with a setting (an axis, a slope, an
exponent) come from cached factories, like :func:`autograd.ops.power`.

Example:
    >>> import numpy as np
    >>> MATMUL.forward(np.ones((2, 3)), np.ones((3, 4))).shape
    (2, 4)
    >>> MATMUL.render(["x", "W"]), MATMUL.formula(1, 2)
    ('x @ W', 'd(a@b)/db = aᵀ @ upstream')
    >>> reduction("sum", 1, False).render(["x"])
    'sum(x, axis=1)'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, cast

import numpy as np

from ..engine.notation import shape_text, who
from ..engine.records import Op, OpDomainError
from ..scalar import ops

__all__ = [
    "elementwise",
    "TensorOp",
    "fit_gradient",
    "shape_text",
    "ADD",
    "SUB",
    "MUL",
    "DIV",
    "POW",
    "NEG",
    "EXP",
    "LOG",
    "TANH",
    "SIGMOID",
    "RELU",
    "MATMUL",
    "INDEX",
    "power",
    "exponential",
    "leaky_relu",
    "reduction",
    "check_reduction",
    "REDUCTIONS",
    "max_along",
    "reshape",
    "permute",
    "softmax",
    "log_softmax",
    "clip",
    "rounding",
    "cast_to",
    "cross_entropy",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "concatenate",
    "stack",
]

Array = np.ndarray
Grads = Sequence["Array | None"]

# The ufuncs' own reduce: ndarray.sum, .mean and .max add a layer of Python to every call.
# (Typed loosely: numpy's stubs want keepdims as a literal True or False.)
_sum: Callable[..., Array] = np.add.reduce
_largest: Callable[..., Array] = np.maximum.reduce
_smallest: Callable[..., Array] = np.minimum.reduce


# --- what each op's backward reads (the in-place checks of autograd/inplace.py) ---------

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


def _no_gradient(node: Any, g: Any) -> Grads:
    raise AssertionError("internal: an op outside the graph was recorded")


@dataclass(frozen=True, eq=False, kw_only=True)
class TensorOp:
    """One array operation: its forward rule, its backward rule, its formula text, and the
    rules :func:`autograd.tensor.apply` follows when it runs the op.

    An op outside the graph (comparisons, argmax, integer casts) has ``differentiable``
    False: its result never records, as PyTorch's have no grad_fn.

    >>> ADD.render(["x", "b"]), ADD.formula(1, 2)
    ('x + b', 'd(a+b)/db = 1')
    """

    name: str
    symbol: str
    template: str | Callable[[Sequence[str]], str]
    forward: Callable[..., Array]
    backward: Callable[[Any, Any], Grads]
    formulas: tuple[str, ...] | Callable[[int, int], str]
    doc: str = ""
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
    #: Whether the result may share the input's numbers (reshape, transpose, a slice): then
    #: an in-place change of one is seen by the other, as for PyTorch's views.
    view: bool = False
    #: What backward reads, for the in-place checks (see :data:`Reads`).
    reads: Reads = reads_everything
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

    def __post_init__(self) -> None:
        plain = self.check is None and not self.floating and not self.takes_ctx
        object.__setattr__(self, "takes_arrays", plain)  # the dataclass is frozen

    def render(self, names: Sequence[str]) -> str:
        """Write this op applied to inputs called ``names`` (the scalar records' rule)."""
        return Op.render(cast(Op, self), names)

    def formula(self, index: int, arity: int) -> str:
        """How the gradient reaches input ``index`` of ``arity``."""
        return Op.formula(cast(Op, self), index, arity)

    def __repr__(self) -> str:
        return f"TensorOp({self.name!r})"


def elementwise(
    scalar: Op, array_forward: Callable[..., Array] | None = None, **rules: Any
) -> TensorOp:
    """The Tensor op of a scalar op, built from its record alone: one definition serves both.

    The local derivative is the scalar record's own ``derivative``, run on whole arrays (or,
    with ``create_graph=True``, on Tensors), so it must be written with arithmetic both
    understand, as most records' are. ``array_forward`` is the numpy function that does the
    forward rule on a whole array at once; without it the scalar rule runs per entry. Name,
    symbol, template and formula texts are the record's, so the halves cannot drift.
    ``rules`` are the :class:`TensorOp` fields that say how to run it (``reads``,
    ``floating``, ``overflows``, ``check``).

    >>> op = elementwise(ops.TANH, np.tanh, reads=reads_result)
    >>> op.render(["z"]), op.forward(np.array([0.0]))
    ('tanh(z)', array([0.]))
    """
    derivative = scalar.derivative
    forward = array_forward if array_forward is not None else _per_entry(scalar.forward)

    # One rule for any number of inputs, and the same rule unrolled for one and two: the
    # unrolled ones run in every training step (a + b, x * w), a third of the time.
    def backward(node: Any, g: Array) -> Grads:
        parents = node.parents
        local = derivative(*[p.data for p in parents], node.data)
        return [_times(g, d) if p.requires_grad else None for p, d in zip(parents, local)]

    def backward_unary(node: Any, g: Array) -> Grads:
        (d,) = derivative(node.parents[0].data, node.data)
        return (g if d.__class__ is float and d == 1.0 else g * d,)

    def backward_binary(node: Any, g: Array) -> Grads:
        x, y = node.parents
        dx, dy = derivative(x.data, y.data, node.data)
        return (
            (g if dx.__class__ is float and dx == 1.0 else g * dx) if x.requires_grad else None,
            (g if dy.__class__ is float and dy == 1.0 else g * dy) if y.requires_grad else None,
        )

    arity = len(scalar.formulas) if isinstance(scalar.formulas, tuple) else 0
    rule: Callable[[Any, Any], Grads]
    if scalar.constant_slopes and arity in (1, 2):
        rule = _fixed_slopes_backward(scalar.derivative(*[0.0] * (arity + 1)))
    else:
        rule = {1: backward_unary, 2: backward_binary}.get(arity, backward)
    return _elementwise(scalar, forward, rule, **rules)


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


def _times(upstream: Any, local: Any) -> Any:
    # A slope of exactly 1 (add, sub) hands the upstream on: no new array per input.
    return upstream if local.__class__ is float and local == 1.0 else upstream * local


def _per_entry(rule: Callable[..., float]) -> Callable[..., Array]:
    def forward(*arrays: Array) -> Array:
        dtype = np.result_type(*arrays)
        dtype = dtype if dtype.kind == "f" else np.dtype(np.float32)
        return np.vectorize(rule, otypes=[dtype])(*arrays)

    return forward


def _elementwise(
    scalar: Op, forward: Callable[..., Array], backward: Callable[..., Grads], **rules: Any
) -> TensorOp:
    """The array version of a scalar op: same name, symbol and formulas, applied per element."""
    return TensorOp(
        name=scalar.name,
        symbol=scalar.symbol,
        template=scalar.template,
        forward=forward,
        backward=backward,
        formulas=scalar.formulas,
        doc=f"{scalar.doc}, elementwise" if scalar.doc else "",
        **rules,
    )


# --- one rule for arrays and Tensors: the helpers a backward rule calls ----------------


# The helpers test for numpy with an inline isinstance: the first-order backward, which
# always meets arrays, then pays one function call per helper and no more.
_NUMPY = (np.ndarray, np.generic)


def _is_array(x: Any) -> bool:
    return isinstance(x, _NUMPY)


def _array(x: Any) -> Any:
    """The numbers of an array or of a Tensor: for masks, ties and indices, which are constants
    of a gradient graph."""
    return x if isinstance(x, _NUMPY) else x.data


def _run(op: TensorOp, *inputs: Any, ctx: Any = None) -> Any:
    """``op`` on arrays (its forward rule), or on Tensors (a recorded node whose ``ctx`` is
    ``ctx``): how a backward rule uses another op, e.g. indexing's backward is a scatter."""
    for x in inputs:
        if not isinstance(x, _NUMPY):
            from .tensor import apply

            return apply(op, *inputs, ctx=ctx)
    if op.takes_ctx:
        return op.forward(*inputs, ctx)
    return op.forward(*inputs)


def _add_up(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    if isinstance(x, _NUMPY):
        return _sum(x, axis=axis, keepdims=keepdims)
    return x.sum(axis, keepdims)


def _exp_of(x: Any) -> Any:
    return np.exp(x) if isinstance(x, _NUMPY) else x.exp()


def _cast(x: Any, dtype: np.dtype[Any]) -> Any:
    return x.astype(dtype) if isinstance(x, _NUMPY) else x.to(dtype)


def _expand_dims(x: Any, axis: Any) -> Any:
    if isinstance(x, _NUMPY):
        return np.expand_dims(x, axis)
    return x.reshape(np.expand_dims(np.broadcast_to(0, x.shape), axis).shape)


def _swap_last(x: Any) -> Any:
    return np.swapaxes(x, -1, -2) if _is_array(x) else x.transpose(-1, -2)


def _at_least(x: Any, floor: Any) -> Any:
    return np.maximum(x, floor) if _is_array(x) else x.clip(float(floor), None)


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
    backward=lambda node, g: (_run(WHERE, g, ctx=(node.ctx[0], 0)),),
    formulas=("d where(m, a, c)/da = 1 where m holds, 0 elsewhere",),
    doc="entries kept where a mask holds, a constant elsewhere",
    reads=reads_nothing,
    takes_ctx=True,
)


def _where(mask: Array, a: Any, fill: float) -> Any:
    return _run(WHERE, a, ctx=(mask, fill))


def _spread_to(g: Any, shape: tuple[int, ...]) -> Any:
    # spread(shape).forward is _spread: called directly on arrays, the hot path of sum/mean.
    return _spread(g, shape) if isinstance(g, _NUMPY) else _run(spread(shape), g)


@lru_cache(maxsize=256)
def spread(shape: tuple[int, ...]) -> TensorOp:
    """``a`` copied out (broadcast) to ``shape``: the backward of a sum, and its own backward
    is a sum (:func:`fit_gradient` reduces the upstream to ``a``'s shape).

    >>> spread((2, 2)).forward(np.array([[1.0], [2.0]])).tolist()
    [[1.0, 1.0], [2.0, 2.0]]
    """
    return TensorOp(
        name="expand",
        symbol="expand",
        template=f"expand({{0}}, {shape_text(shape)})",
        forward=lambda a: _spread(a, shape),
        backward=lambda node, g: (g,),
        formulas=("d expand(a)/da: upstream summed over the copies",),
        doc=f"broadcast to {shape_text(shape)}",
        reads=reads_nothing,
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
            grad = _sum(grad, axis=axes) if isinstance(grad, _NUMPY) else _add_up(grad, axes)
        if grad.shape != shape:
            stretched = tuple(
                axis for axis, size in enumerate(shape) if size == 1 and grad.shape[axis] != 1
            )
            grad = _add_up(grad, axis=stretched, keepdims=True)
        if grad.shape != shape:  # a broken backward rule, never the learner's input
            raise AssertionError(
                f"internal: gradient of shape {shape_text(grad.shape)} "
                f"cannot be reduced to {shape_text(shape)}"
            )
    if grad.dtype != like.dtype:
        grad = _cast(grad, like.dtype)
    return grad


# --- binary arithmetic (numpy broadcasting) ----------------------------------------------


def _reads_for_division(node: Any) -> tuple[Any, ...]:
    a, b = node.parents
    return (b, a) if b.requires_grad else (b,)


def _reads_for_power(node: Any) -> tuple[Any, ...]:
    a, b = node.parents
    return (a, b, node) if b.requires_grad else (a, b)


def _divide(a: Array, b: Array) -> Array:
    if not np.all(b):
        raise OpDomainError(
            f"division by zero ({np.size(b) - np.count_nonzero(b)} of the divisor's "
            f"{np.size(b)} entries are 0)",
            ZeroDivisionError,
        )
    return a / b


def _div_backward(node: Any, g: Array) -> Grads:
    a, b = node.parents
    g_over_b = g / b.data
    # b's gradient reads a and b, not the result: PyTorch saves the inputs, so a result
    # changed in place afterwards is allowed there and must not change the gradient here.
    return (
        g_over_b if a.requires_grad else None,
        -g_over_b * (a.data / b.data) if b.requires_grad else None,
    )


#: PyTorch's rule: an integer result cannot hold 2 ** -1 = 0.5.
_NEGATIVE_INTEGER_POWER = (
    "integers to negative integer powers are not allowed (the result would be a fraction, "
    "which an integer tensor cannot hold); make the base float first, e.g. x.float() ** -1"
)


def _check_power(base: Array, exponent: Any) -> None:
    """Refuse what has no real value: 0 to a negative power, a negative base to a fraction,
    and (as PyTorch) an integer to a negative integer."""
    exponent = np.asarray(exponent)
    if base.dtype.kind in "biu" and exponent.dtype.kind in "biu" and np.any(exponent < 0):
        raise OpDomainError(_NEGATIVE_INTEGER_POWER)
    if np.any((base == 0) & (exponent < 0)):
        raise OpDomainError("0 to a negative power is undefined", ZeroDivisionError)
    if np.any((base < 0) & (exponent != np.round(exponent))):
        raise OpDomainError("a negative base to a non-integer power has no real value")


def _power_forward(a: Array, b: Array) -> Array:
    _check_power(a, b)
    return np.power(a, b)


def _safe_log(a: Any) -> Any:
    # ln a where a > 0; 0 at a = 0 and NaN below: the scalar rule (ops._exponent_derivative),
    # which is PyTorch's. A negative base has no slope in the exponent.
    numbers = _array(a)
    positive = _where(numbers > 0, a, 1)
    logs = np.log(positive) if _is_array(positive) else positive.log()
    return _where(~(numbers < 0), logs, np.nan)


def _pow_backward(node: Any, g: Array) -> Grads:
    a, b = node.parents
    da = db = None
    if a.requires_grad:
        exponent = b.data
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = exponent * a.data ** (exponent - 1)
        # The scalar rule (ops._power_derivative): a^0 = 1 is flat, so the slope is 0 where
        # b = 0, also at a = 0, where b·a^(b−1) is 0·∞. At a = 0 with 0 < b < 1 it stays +∞.
        da = g * _where(_array(exponent) != 0, slope, 0)
    if b.requires_grad:
        db = g * node.data * _safe_log(a.data)
    return (da, db)


# add, sub and mul: the scalar records' derivatives (1 and 1, 1 and −1, b and a) on arrays.
ADD = elementwise(ops.ADD, np.add, promotes=True, overflows=True, reads=reads_nothing)
SUB = elementwise(ops.SUB, np.subtract, promotes=True, overflows=True, reads=reads_nothing)
MUL = elementwise(ops.MUL, np.multiply, promotes=True, overflows=True, reads=reads_each_other)
# div and pow keep array rules of their own: div's scalar slope −out/b reads the result,
# which PyTorch does not save (see _div_backward); pow's branches at 0 compare numbers.
DIV = _elementwise(
    ops.DIV, _divide, _div_backward, promotes=True, overflows=True, reads=_reads_for_division
)
POW = _elementwise(
    ops.POW, _power_forward, _pow_backward, promotes=True, overflows=True, reads=_reads_for_power
)


@lru_cache(maxsize=256, typed=True)
def power(exponent: float) -> TensorOp:
    """``a ** exponent`` for a fixed number (cached per exponent and its type); text from
    the scalar op.

    The result's dtype follows PyTorch: a float tensor keeps its dtype; an integer (or bool)
    tensor stays int64 under an int exponent and becomes float32 under a float one (even a
    whole one such as 3.0); an integer to a negative int exponent is refused.

    >>> power(2.0).forward(np.array([3.0])), power(2.0).render(["x"])
    (array([9.]), 'x^2')
    >>> power(3).forward(np.array([2])), power(3.0).forward(np.array([2]))
    (array([8]), array([8.], dtype=float32))
    """
    k = exponent
    integral = isinstance(k, int)
    whole = k == int(k)

    def forward(a: Array) -> Array:
        if a.dtype.kind != "f":
            if not integral:
                a = a.astype(np.float32)
            elif k < 0:
                raise OpDomainError(_NEGATIVE_INTEGER_POWER)
            elif a.dtype.kind == "b":
                a = a.astype(np.int64)
        if k < 0 and np.any(a == 0):
            raise OpDomainError("0 to a negative power is undefined", ZeroDivisionError)
        if not whole and np.any(a < 0):
            raise OpDomainError(f"a negative base to the power {k:g} has no real value")
        return a * a if k == 2 else a**k

    def backward(node: Any, g: Array) -> Grads:
        a = node.parents[0].data
        if k == 0:
            return (g * 0,)
        if k == 2:
            return (g * (2 * a),)
        with np.errstate(divide="ignore"):  # the slope at 0 is infinite for 0 < k < 1
            return (g * (k * a ** (k - 1)),)

    # pow is named here by its exponent (pow2): the base is its only input, and the rule reads it
    return _elementwise(ops.power(k), forward, backward, overflows=True, reads=reads_input)


@lru_cache(maxsize=256)
def exponential(base: float) -> TensorOp:
    """``base ** a`` for a fixed positive number (cached per base).

    >>> exponential(2.0).forward(np.array([3.0]))
    array([8.])
    """
    scalar = ops.exponential(base)
    ln_base = math.log(base)

    def backward(node: Any, g: Array) -> Grads:
        return (g * node.data * ln_base,)

    return _elementwise(
        scalar,
        lambda a: np.power(base, a),
        backward,
        floating=True,
        overflows=True,
        reads=reads_input_and_result,  # the result, and x as PyTorch saves it
    )


# --- unary functions ---------------------------------------------------------------------


@lru_cache(maxsize=16)
def _exp_limit(dtype: np.dtype[Any]) -> float:
    return math.log(float(np.finfo(dtype).max))


def _exp(a: Array) -> Array:
    if a.size and a.dtype.kind == "f":
        largest = a.max()
        limit = _exp_limit(a.dtype)
        if largest > limit and math.isfinite(largest):
            raise OpDomainError(
                f"exp({float(largest):g}) is too large for {a.dtype} "
                f"(the largest input is about {limit:.2f})",
                OverflowError,
            )
    return np.exp(a)


def _log(a: Array) -> Array:
    if a.size:
        smallest = a.min()
        if smallest <= 0:
            bad = int(np.count_nonzero(a <= 0))
            raise OpDomainError(
                f"log is only defined for x > 0, but {bad} of the {a.size} entries are <= 0 "
                f"(smallest {float(smallest):g}); clip it first, e.g. x.clip(1e-7, None)"
            )
    return np.log(a)


def _sigmoid(a: Array) -> Array:
    # exp only ever sees -|a|, so no input overflows: 1/(1+e) for a >= 0, e/(1+e) below.
    e = np.exp(-np.abs(a))
    out = 1 / (1 + e)
    return np.where(a >= 0, out, e * out)


def _relu(a: Array) -> Array:
    return np.maximum(a, 0)


def _explain_negating(inputs: Sequence[Any], ctx: Any, error: Exception) -> Exception:
    # numpy refuses -True itself (a TypeError), so the check costs nothing until it fails
    if inputs[0].data.dtype.kind == "b":
        return TypeError(
            f"neg: -{who(inputs[0])}: negating booleans is not supported, as in PyTorch; to "
            "flip a mask use ~mask (or mask.logical_not())"
        )
    return type(error)(f"neg: {error} ({who(inputs[0])})")


NEG = elementwise(ops.NEG, np.negative, reads=reads_nothing, explain=_explain_negating)
# The scalar records' own derivatives, run on arrays: exp's slope is its result, log's 1/a,
# tanh's 1 − out², sigmoid's out·(1 − out). Only the forward rules are numpy's.
EXP = elementwise(ops.EXP, _exp, floating=True, overflows=True, reads=reads_result)
LOG = elementwise(ops.LOG, _log, floating=True, reads=reads_input)
TANH = elementwise(ops.TANH, np.tanh, floating=True, reads=reads_result)
SIGMOID = elementwise(ops.SIGMOID, _sigmoid, floating=True, reads=reads_result)
# ~(out <= 0) rather than out > 0: NaN passes gradient through, as in PyTorch and ops.RELU.
RELU = _elementwise(
    ops.RELU, _relu, lambda node, g: (g * ~(_array(node.data) <= 0),), reads=reads_result
)


@lru_cache(maxsize=64)
def leaky_relu(slope: float = 0.01) -> TensorOp:
    """``a if a > 0 else slope·a`` elementwise (cached per slope).

    >>> leaky_relu(0.1).forward(np.array([-2.0, 3.0]))
    array([-0.2,  3. ])
    """

    def backward(node: Any, g: Array) -> Grads:
        one, low = (g.dtype.type(1), g.dtype.type(slope))
        return (g * np.where(_array(node.parents[0].data) > 0, one, low),)

    return _elementwise(
        ops.leaky_relu(slope),
        lambda a: np.where(a > 0, a, a * slope),
        backward,
        reads=reads_input,
    )


@lru_cache(maxsize=64)
def clip(low: float | None, high: float | None) -> TensorOp:
    """``a`` limited to ``[low, high]`` (either may be None); gradient 1 inside, 0 outside.

    PyTorch's ``clamp``: at a bound itself the gradient is still 1. Text from the scalar
    :func:`autograd.ops.clip`; the mask is the array form of its slope.

    >>> clip(0.0, 1.0).forward(np.array([-1.0, 0.5, 2.0]))
    array([0. , 0.5, 1. ])
    """

    def backward(node: Any, g: Array) -> Grads:
        a = _array(node.parents[0].data)
        inside = np.ones(a.shape, dtype=bool)
        if low is not None:
            inside &= a >= low
        if high is not None:
            inside &= a <= high
        return (g * inside,)

    return _elementwise(
        ops.clip(low, high), lambda a: np.clip(a, low, high), backward, reads=reads_input
    )


@lru_cache(maxsize=16)
def rounding(decimals: int = 0) -> TensorOp:
    """``a`` rounded to ``decimals`` places, halves to even (cached per ``decimals``).

    Its gradient is 0 everywhere, as PyTorch's (and the scalar ``step``): the result is flat
    between its jumps, and a jump has no slope to pass on.

    >>> rounding(0).forward(np.array([0.5, 1.5, -2.6])), rounding(1).render(["x"])
    (array([ 0.,  2., -3.]), 'round(x, 1)')
    """
    places = "" if decimals == 0 else f", {decimals}"
    return TensorOp(
        name="round",
        symbol="round",
        template=f"round({{0}}{places})",
        forward=lambda a: a.round(decimals),
        backward=lambda node, g: (np.zeros(g.shape, g.dtype),),
        formulas=(f"d round(a{places})/da = 0 (flat between the jumps)",),
        doc=f"round to {decimals} decimal places",
        reads=reads_nothing,
    )


# --- matrix product ----------------------------------------------------------------------


def _in_layout_of(
    operand: Array, row_major: Callable[[], Array], column_major: Callable[[], Array]
) -> Array:
    """A matrix gradient laid out in memory like its operand (PyTorch does the same).

    ``x @ W.T`` (nn.Linear's layout) multiplies by a transposed view; computing W.T's
    gradient already transposed makes W's own gradient a plain row-major array, where
    transposing it afterwards would copy every entry across the grain (slower than the
    product itself for a 784×256 weight).
    """
    if not isinstance(operand, _NUMPY):
        return row_major()  # a Tensor (a gradient graph): memory layout is numpy's business
    flags = operand.flags
    return column_major() if flags.f_contiguous and not flags.c_contiguous else row_major()


def _matmul_backward(node: Any, g: Array) -> Grads:
    x, y = node.parents
    a, b = x.data, y.data
    if a.ndim == 2 and b.ndim == 2:  # the common case, without any reshaping
        return (
            _in_layout_of(a, lambda: g @ b.T, lambda: (b @ g.T).T) if x.requires_grad else None,
            _in_layout_of(b, lambda: a.T @ g, lambda: (g.T @ a).T) if y.requires_grad else None,
        )
    if a.ndim == 1 and b.ndim == 1:  # a dot product: g is one number
        return (g * b if x.requires_grad else None, g * a if y.requires_grad else None)
    # Treat a vector as a one-row (a) or one-column (b) matrix, then drop that axis again.
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    g2 = g
    if a.ndim == 1:
        g2 = _expand_dims(g2, -2)
    if b.ndim == 1:
        g2 = _expand_dims(g2, -1)
    da = db = None
    if x.requires_grad:
        da = g2 @ _swap_last(b2)
        if a.ndim == 1:
            da = da[..., 0, :]
    if y.requires_grad:
        db = _swap_last(a2) @ g2
        if b.ndim == 1:
            db = db[..., 0]
    return (da, db)  # batch axes that were broadcast are summed by fit_gradient


def _matmul_check(inputs: Sequence[Any], ctx: Any) -> None:
    left, right = inputs
    a, b = left.data, right.data
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"matmul: {who(left)} @ {who(right)}: @ needs at least one axis on each "
            "side; multiply by a single number with *"
        )
    if a.dtype is not b.dtype and a.dtype != b.dtype:  # (one dtype object per type, mostly)
        raise TypeError(
            f"matmul: {who(left)} @ {who(right)}: both sides need the same dtype, as in "
            "PyTorch (which says: expected m1 and m2 to have the same dtype); convert one "
            f"first, e.g. .to({b.dtype if a.dtype.kind != 'f' else a.dtype})"
        )


def _matmul_explain(inputs: Sequence[Any], ctx: Any, error: Exception) -> Exception:
    left, right = inputs
    a, b = left.data, right.data
    inner = f"{a.shape[-1]} and {b.shape[0] if b.ndim == 1 else b.shape[-2]}"
    return ValueError(
        f"matmul: cannot multiply {who(left)} by {who(right)}: the inner sizes "
        f"{inner} differ (or the batch axes do not broadcast); for a @ b, a's last "
        "axis must match b's first (or second-to-last)"
    )


MATMUL = TensorOp(
    name="matmul",
    symbol="@",
    template="{0} @ {1}",
    forward=np.matmul,
    backward=_matmul_backward,
    formulas=("d(a@b)/da = upstream @ bᵀ", "d(a@b)/db = aᵀ @ upstream"),
    doc="matrix product",
    overflows=True,
    reads=reads_each_other,
    check=_matmul_check,
    explain=_matmul_explain,
)


# --- reductions --------------------------------------------------------------------------

Axis = int | tuple[int, ...] | None


def _axis_text(axis: Axis) -> str:
    return "" if axis is None else f", axis={axis}"


def _restore_axes(g: Array, axis: Axis, keepdims: bool) -> Array:
    """Put the reduced axes back (as size 1) so ``g`` broadcasts against the input."""
    if axis is None or keepdims:
        return g
    return _expand_dims(g, axis)


def _count(shape: tuple[int, ...], axis: Axis) -> int:
    """How many entries a reduction over ``axis`` combines into each result."""
    if axis is None:
        return math.prod(shape)
    axes = (axis,) if isinstance(axis, int) else axis
    return math.prod(shape[a] for a in axes)


def _total(a: Array, axis: Axis, keepdims: bool) -> Array:
    """The sum over ``axis``; float16 is added up in float32 and rounded once, as PyTorch
    does (adding 70,000 float16 ones one by one would stop at 2,048)."""
    if a.dtype == np.float16:
        return _sum(a, axis=axis, keepdims=keepdims, dtype=np.float32).astype(a.dtype)
    return _sum(a, axis=axis, keepdims=keepdims)


def _spread(g: Any, shape: tuple[int, ...]) -> Array:
    """``g`` copied out to ``shape`` (a new array: cheaper than np.broadcast_to's view)."""
    out = np.empty(shape, g.dtype)
    np.copyto(out, g)
    return out


def _reduction_axis_error(
    name: str, axis: Axis
) -> Callable[[Sequence[Any], Any, Exception], Exception]:
    def explain(inputs: Sequence[Any], ctx: Any, error: Exception) -> Exception:
        if not isinstance(error, (ValueError, IndexError)):  # numpy's AxisError is both
            return error
        return type(error)(
            f"{name}: axis {axis} does not exist in {who(inputs[0])}, which has "
            f"{inputs[0].data.ndim} axes"
        )

    return explain


def _keep_text(axis: Axis, keepdims: bool) -> str:
    return f"{_axis_text(axis)}{', keepdims=True' if keepdims else ''}"


@lru_cache(maxsize=256)
def total(axis: Axis, keepdims: bool) -> TensorOp:
    """The sum over ``axis`` (None: all entries), cached per setting.

    >>> total(0, False).forward(np.array([[1.0, 2.0], [3.0, 4.0]]))
    array([4., 6.])
    """

    def backward(node: Any, g: Array) -> Grads:
        return (_spread_to(_restore_axes(g, axis, keepdims), node.parents[0].data.shape),)

    return TensorOp(
        name="sum",
        symbol="Σ",
        template=f"sum({{0}}{_keep_text(axis, keepdims)})",
        forward=lambda a: _total(a, axis, keepdims),
        backward=backward,
        formulas=("d sum(a)/da = 1 (upstream copied along the summed axes)",),
        doc=f"sum over {'all entries' if axis is None else f'axis {axis}'}",
        overflows=True,
        reads=reads_nothing,
        explain=_reduction_axis_error("sum", axis),
    )


@lru_cache(maxsize=256)
def mean(axis: Axis, keepdims: bool) -> TensorOp:
    """The mean over ``axis`` (None: all entries), cached per setting.

    >>> mean(0, True).forward(np.array([[1.0, 2.0], [3.0, 4.0]]))
    array([[2., 3.]])
    """

    def forward(a: Array) -> Array:
        count = _count(a.shape, axis)
        if count == 0:
            raise OpDomainError("the mean of no entries has no value")
        if a.dtype == np.float16:  # see _total; then one rounding to float16
            return (_sum(a, axis=axis, keepdims=keepdims, dtype=np.float32) / count).astype(a.dtype)
        return _sum(a, axis=axis, keepdims=keepdims) / count

    def backward(node: Any, g: Array) -> Grads:
        shape = node.parents[0].data.shape
        count = _count(shape, axis)
        g = _restore_axes(g, axis, keepdims)
        # float16 cannot hold a count above 65,504 (it would be inf, and the grad 0)
        g = g / count if g.dtype != np.float16 else _cast(g * (1.0 / count), g.dtype)
        return (_spread_to(g, shape),)

    return TensorOp(
        name="mean",
        symbol="mean",
        template=f"mean({{0}}{_keep_text(axis, keepdims)})",
        forward=forward,
        backward=backward,
        formulas=("d mean(a)/da = 1/n (upstream spread evenly over the n entries)",),
        doc=f"mean over {'all entries' if axis is None else f'axis {axis}'}",
        floating=True,
        overflows=True,
        reads=reads_nothing,
        explain=_reduction_axis_error("mean", axis),
    )


@lru_cache(maxsize=256)
def extreme(kind: str, axis: Axis, keepdims: bool) -> TensorOp:
    """``max`` or ``min`` over ``axis`` (None: all), cached per setting (``amax``, ``amin``).

    The gradient is shared evenly between tied entries, as PyTorch's ``amax``/``amin`` do. A
    NaN counts as the extreme and takes the gradient, as in PyTorch's ``max()`` (its ``amax``
    spreads NaN over every entry instead).

    >>> extreme("max", 1, False).forward(np.array([[1.0, 5.0], [7.0, 2.0]]))
    array([5., 7.])
    """
    word = "largest" if kind == "max" else "smallest"
    pick = _largest if kind == "max" else _smallest

    def forward(a: Array) -> Array:
        if _count(a.shape, axis) == 0:  # over no entries (other axes may be empty: fine)
            raise OpDomainError(f"{kind} of an empty tensor has no value")
        return pick(a, axis=axis, keepdims=keepdims)

    def backward(node: Any, g: Array) -> Grads:
        a = _array(node.parents[0].data)
        found = _restore_axes(_array(node.data), axis, keepdims)
        chosen = a == found
        if np.isnan(found).any():
            # A NaN is the extreme (numpy and PyTorch propagate it), but NaN == NaN is false:
            # the NaN entries take the gradient, shared if there are several, as torch.max().
            chosen |= np.isnan(a) & np.isnan(found)
        ties = _sum(chosen, axis=axis, keepdims=True)
        return (chosen * (_restore_axes(g, axis, keepdims) / ties),)

    return TensorOp(
        name=kind,
        symbol=kind,
        template=f"{kind}({{0}}{_keep_text(axis, keepdims)})",
        forward=forward,
        backward=backward,
        formulas=(f"d {kind}(a)/da = 1 at the {word} entry, 0 elsewhere (ties share it)",),
        doc=f"{'maximum' if kind == 'max' else 'minimum'} over "
        f"{'all entries' if axis is None else f'axis {axis}'}",
        reads=reads_input_and_result,  # the entries equal to the result take the gradient
        explain=_reduction_axis_error(kind, axis),
    )


def reduction(kind: str, axis: Axis, keepdims: bool) -> TensorOp:
    """The record of ``sum``, ``mean``, ``max`` or ``min`` over ``axis`` (by name).

    >>> reduction("mean", 0, True).forward(np.array([[1.0, 2.0], [3.0, 4.0]]))
    array([[2., 3.]])
    """
    if kind in ("max", "min"):
        return extreme(kind, axis, keepdims)
    return {"sum": total, "mean": mean}[kind](axis, keepdims)


@lru_cache(maxsize=64)
def arg_extreme(kind: str, axis: int | None, keepdims: bool, said_as: str = "") -> TensorOp:
    """The index (int64) of the largest (``kind="max"``) or smallest entry along ``axis``;
    ties give the first. Outside the graph, as PyTorch's argmax. Errors name ``said_as``
    (``max`` for ``x.max(dim)``), ``argmax`` or ``argmin`` by default.

    >>> arg_extreme("max", 1, False).forward(np.array([[1.0, 5.0], [7.0, 2.0]]))
    array([1, 0])
    """
    find = np.argmax if kind == "max" else np.argmin
    name = said_as or f"arg{kind}"

    def refuse_empty(inputs: Sequence[Any], ctx: Any) -> None:
        # Where to point has no answer over no entries: PyTorch's IndexError, named.
        shape = inputs[0].data.shape
        if axis is None and inputs[0].data.size == 0:
            raise IndexError(
                f"{name}: {who(inputs[0])} has no entries, so there is no index to return; "
                "give a dim whose size is not 0"
            )
        if axis is not None and shape and shape[axis] == 0:
            raise IndexError(
                f"{name}: axis {axis} of {who(inputs[0])} has size 0, so there is no index to "
                "return along it"
            )

    return TensorOp(
        name=f"arg{kind}",
        symbol=f"arg{kind}",
        template=f"arg{kind}({{0}}{_keep_text(axis, keepdims)})",
        forward=lambda a: find(a, axis=axis, keepdims=keepdims).astype(np.int64),
        backward=_no_gradient,
        formulas=(f"arg{kind} is an index: no gradient",),
        doc=f"index of the {'largest' if kind == 'max' else 'smallest'} entry",
        differentiable=False,
        check=refuse_empty,
    )


@lru_cache(maxsize=64)
def max_along(kind: str, axis: int, keepdims: bool) -> TensorOp:
    """PyTorch's ``max(dim)`` / ``min(dim)`` values: the gradient goes to the one entry whose
    index is returned (the node's ``ctx``), not shared between ties.

    >>> op = max_along("max", 1, False)
    >>> op.forward(np.array([[1.0, 5.0], [7.0, 2.0]]), np.array([[1], [0]]))
    array([5., 7.])
    """
    forward = _take_along(axis, keepdims)

    def backward(node: Any, g: Array) -> Grads:
        shape = node.parents[0].data.shape
        return (_run(put_along(axis, keepdims), g, ctx=(node.ctx, shape)),)

    word = "largest" if kind == "max" else "smallest"
    return TensorOp(
        name=kind,
        symbol=kind,
        template=f"{kind}({{0}}, axis={axis}{', keepdims=True' if keepdims else ''})",
        forward=forward,
        backward=backward,
        formulas=(f"d {kind}(a, axis)/da = 1 at the {word} entry's index, 0 elsewhere",),
        doc=f"{word} entry along axis {axis}",
        reads=reads_nothing,  # its indices are its own (ctx), never changed
        takes_ctx=True,
    )


def _take_along(axis: int, keepdims: bool) -> Callable[[Array, Array], Array]:
    def forward(a: Array, indices: Array) -> Array:
        out = np.take_along_axis(a, indices, axis)
        return out if keepdims else np.squeeze(out, axis)

    return forward


@lru_cache(maxsize=64)
def take_along(axis: int, keepdims: bool) -> TensorOp:
    """The entries at ``indices`` (the node's ctx) along ``axis``: the backward of
    :func:`put_along`, so a max's gradient can be differentiated again.

    >>> take_along(1, False).forward(np.array([[1.0, 5.0]]), np.array([[1]]))
    array([5.])
    """
    return TensorOp(
        name="take",
        symbol="take",
        template=f"take({{0}}, axis={axis})",
        forward=_take_along(axis, keepdims),
        backward=lambda node, g: (
            _run(put_along(axis, keepdims), g, ctx=(node.ctx, node.parents[0].data.shape)),
        ),
        formulas=("d take(a)/da = 1 at the taken entries, 0 elsewhere",),
        doc=f"entries taken along axis {axis}",
        reads=reads_nothing,
        takes_ctx=True,
    )


@lru_cache(maxsize=64)
def put_along(axis: int, keepdims: bool) -> TensorOp:
    """Zeros of a given shape with ``a`` put at ``indices`` along ``axis`` (the node's ctx is
    ``(indices, shape)``): the backward of ``max(dim)``.

    >>> put_along(0, False).forward(np.array([7.0]), (np.array([[1]]), (3, 1))).ravel().tolist()
    [0.0, 7.0, 0.0]
    """

    def forward(a: Array, ctx: tuple[Array, tuple[int, ...]]) -> Array:
        indices, shape = ctx
        out = np.zeros(shape, dtype=a.dtype)
        np.put_along_axis(out, indices, a if keepdims else np.expand_dims(a, axis), axis)
        return out

    return TensorOp(
        name="put",
        symbol="put",
        template=f"put({{0}}, axis={axis})",
        forward=forward,
        backward=lambda node, g: (_run(take_along(axis, keepdims), g, ctx=node.ctx[0]),),
        formulas=("d put(a)/da: upstream at the entries a was put in",),
        doc=f"entries put along axis {axis}, zeros elsewhere",
        reads=reads_nothing,
        takes_ctx=True,
    )


# --- shape: reshape, permute, index, concatenate, stack ----------------------------------


@lru_cache(maxsize=256)
def reshape(shape: tuple[int, ...]) -> TensorOp:
    """The same entries in a new shape (cached per shape).

    >>> reshape((3, 2)).forward(np.arange(6)).tolist()
    [[0, 1], [2, 3], [4, 5]]
    """
    return TensorOp(
        name="reshape",
        symbol="reshape",
        template=f"reshape({{0}}, {shape_text(shape)})",
        forward=lambda a: a.reshape(shape),
        backward=lambda node, g: (g.reshape(node.parents[0].data.shape),),
        formulas=("d reshape(a)/da: upstream reshaped back to a's shape",),
        doc=f"reshape to {shape_text(shape)}",
        view=True,
        reads=reads_nothing,
    )


@lru_cache(maxsize=256)
def permute(axes: tuple[int, ...]) -> TensorOp:
    """The axes reordered (``transpose``, ``.T``, ``permute``), cached per order.

    >>> permute((1, 0)).forward(np.zeros((2, 3))).shape, permute((1, 0)).render(["W"])
    ((3, 2), 'Wᵀ')
    """
    inverse = tuple(int(i) for i in np.argsort(axes))
    reverse = axes == tuple(range(len(axes) - 1, -1, -1))
    template = "{0}ᵀ" if reverse else f"permute({{0}}, {axes})"
    return TensorOp(
        name="transpose" if reverse else "permute",
        symbol="ᵀ" if reverse else "permute",
        template=template,
        forward=lambda a: a.transpose(axes),
        backward=lambda node, g: (g.transpose(inverse),),
        formulas=("d aᵀ/da: upstream transposed back",),
        doc=f"axes reordered to {axes}",
        view=True,
        reads=reads_nothing,
    )


def _index_backward(node: Any, g: Array) -> Grads:
    index, repeats_possible = node.ctx[0], node.ctx[1]
    shape = node.parents[0].data.shape
    if isinstance(g, _NUMPY):  # SCATTER's forward, called directly: the first-order hot path
        return (_scatter(g, index, repeats_possible, shape),)
    return (_run(SCATTER, g, ctx=(index, repeats_possible, shape)),)


def _scatter(g: Array, index: Any, repeats_possible: bool, shape: tuple[int, ...]) -> Array:
    grad = np.zeros(shape, dtype=g.dtype)
    if repeats_possible:
        np.add.at(grad, index, g)  # an entry picked twice receives both gradients
    else:
        grad[index] = g
    return grad


def _pick(a: Array, ctx: tuple[Any, ...]) -> Array:
    index = ctx[0]
    out = a[index]
    if type(out) is not np.ndarray:
        # Integers only: numpy copies the one number out, PyTorch gives a 0-d view (so
        # x[0] += 1 changes x). An Ellipsis asks numpy for that view.
        out = a[(*index, ...) if type(index) is tuple else (index, ...)]
    return out


_BASIC_INDEX = (slice, int, np.integer, np.bool_)  # bool is an int


def keep_index(ctx: tuple[Any, Any, Any]) -> tuple[Any, bool, tuple[Any, ...]]:
    """What an index node keeps for backward: the index with its arrays and lists copied (a
    later ``idx[0] = 2`` must not move the gradient), whether an entry may be picked twice
    (then grads are added with ``np.add.at``), and the Tensors in it, which are kept as
    they are and checked for in-place changes at backward, as PyTorch saves them.

    >>> i = np.array([0, 0]); kept, repeats, tensors = keep_index((i, None, i))
    >>> kept is i, repeats, tensors
    (False, True, ())
    """
    plain, repeats_known, index = ctx
    if repeats_known is not None:
        return ctx  # already kept (a gradient graph runs the op again)
    whole = type(plain) is tuple
    parts = plain if whole else (plain,)
    given = index if whole else (index,)
    kept: list[Any] = []
    repeats = False
    tensors: list[Any] = []
    for part, original in zip(parts, given):
        if type(part) is np.ndarray:  # an integer array (a gather) or a boolean mask
            if part is original:
                part = part.copy()
            else:
                tensors.append(original)  # a Tensor's array: checked for changes at backward
            if part.dtype.kind != "b":
                repeats = True
        elif not (part is None or part is Ellipsis or isinstance(part, _BASIC_INDEX)):
            part = np.array(part)  # a list or tuple of integers or booleans, copied
            if part.dtype.kind != "b":
                repeats = True
        # (the rest: slices, integers, None, ...: each entry at most once, and immutable)
        kept.append(part)
    return (tuple(kept) if whole else kept[0]), repeats, tuple(tensors)


def _index_explain(inputs: Sequence[Any], ctx: Any, error: Exception) -> Exception:
    return type(error)(f"index: {who(inputs[0])}: {error}")


#: ``a[index]``: slices, integers, integer arrays (a gather) and boolean masks. ``apply`` is
#: given ``ctx=(index as numpy reads it, None, index as given)``; the node keeps
#: ``(index, repeats_possible, the Tensors inside the index)`` (:func:`keep_index`).
INDEX = TensorOp(
    name="index",
    symbol="[ ]",
    template="{0}[…]",
    forward=_pick,
    backward=_index_backward,
    formulas=("d a[i]/da: upstream at the chosen entries, 0 elsewhere (summed if chosen twice)",),
    doc="indexing: a slice or a gather",
    takes_ctx=True,
    keeps=keep_index,
    view=True,
    # the Tensors inside the index (a gather's rows, a mask), as PyTorch saves them
    reads=lambda node: node.ctx[2],
    explain=_index_explain,
)

#: Zeros of a shape with ``a`` added in at an index: indexing's backward, whose own backward
#: is indexing again. The node's ``ctx`` is ``(index, repeats_possible, shape)``.
SCATTER = TensorOp(
    name="scatter",
    symbol="scatter",
    template="scatter({0})",
    forward=lambda g, ctx: _scatter(g, *ctx),
    # The index holds arrays only (no Tensors inside), so INDEX's third ctx entry is empty.
    backward=lambda node, g: (_run(INDEX, g, ctx=(node.ctx[0], node.ctx[1], ())),),
    formulas=("d scatter(a)/da: upstream at the entries a was added to",),
    doc="upstream put back where indexing took it from",
    reads=reads_nothing,
    takes_ctx=True,
)


def _list_template(word: str, axis: int) -> Callable[[Sequence[str]], str]:
    return lambda names: f"{word}({', '.join(names)}{'' if axis == 0 else f', axis={axis}'})"


def _join_error(word: str, axis: int) -> Callable[[Sequence[Any], Any, Exception], Exception]:
    def explain(inputs: Sequence[Any], ctx: Any, error: Exception) -> Exception:
        shapes = ", ".join(shape_text(t.data.shape) for t in inputs)
        rule = (
            "stack needs tensors of one shape"
            if word == "stack"
            else f"cat needs equal sizes on every axis but axis {axis}"
        )
        return ValueError(f"{word}: cannot join shapes {shapes}: {rule}")

    return explain


@lru_cache(maxsize=64)
def concatenate(axis: int) -> TensorOp:
    """Tensors joined end to end along an existing ``axis`` (cached per axis).

    >>> concatenate(0).forward(np.zeros(2), np.ones(1)).tolist()
    [0.0, 0.0, 1.0]
    >>> concatenate(1).render(["a", "b"])
    'cat(a, b, axis=1)'
    """

    def backward(node: Any, g: Array) -> Grads:
        grads: list[Array | None] = []
        start = 0
        for p in node.parents:
            end = start + p.data.shape[axis]
            window = (slice(None),) * axis + (slice(start, end),)
            grads.append(g[window] if p.requires_grad else None)
            start = end
        return grads

    return TensorOp(
        name="cat",
        symbol="cat",
        template=_list_template("cat", axis),
        forward=lambda *arrays: np.concatenate(arrays, axis=axis),
        backward=backward,
        formulas=lambda index, arity: "d cat(…)/dxᵢ: the slice of upstream where xᵢ was placed",
        doc=f"concatenate along axis {axis}",
        reads=reads_nothing,
        explain=_join_error("cat", axis),
    )


@lru_cache(maxsize=64)
def stack(axis: int) -> TensorOp:
    """Tensors of one shape stacked along a new ``axis`` (cached per axis).

    >>> stack(0).forward(np.zeros(2), np.ones(2)).shape
    (2, 2)
    """

    def backward(node: Any, g: Array) -> Grads:
        before = (slice(None),) * axis
        return [g[before + (i,)] if p.requires_grad else None for i, p in enumerate(node.parents)]

    return TensorOp(
        name="stack",
        symbol="stack",
        template=_list_template("stack", axis),
        forward=lambda *arrays: np.stack(arrays, axis=axis),
        backward=backward,
        formulas=lambda index, arity: "d stack(…)/dxᵢ: the i-th slice of upstream",
        doc=f"stack along a new axis {axis}",
        reads=reads_nothing,
        explain=_join_error("stack", axis),
    )


# --- softmax -----------------------------------------------------------------------------


@lru_cache(maxsize=64)
def softmax(axis: int) -> TensorOp:
    """exp(a) / Σ exp(a) along ``axis``, computed after subtracting the maximum (stable).

    >>> softmax(-1).forward(np.array([1000.0, 1000.0]))
    array([0.5, 0.5])
    """

    def forward(a: Array) -> Array:
        if a.size == 0:  # nothing to normalise: an empty result, as in PyTorch
            return np.empty(a.shape, a.dtype)
        e = np.exp(a - _largest(a, axis=axis, keepdims=True))
        e /= _sum(e, axis=axis, keepdims=True)
        return e

    def backward(node: Any, g: Array) -> Grads:
        s = node.data
        return (s * (g - _add_up(g * s, axis=axis, keepdims=True)),)

    return TensorOp(
        name="softmax",
        symbol="softmax",
        template=f"softmax({{0}}, axis={axis})",
        forward=forward,
        backward=backward,
        formulas=("d softmax(a)/da: s·(upstream − Σ upstream·s), s = softmax(a)",),
        doc=f"softmax along axis {axis}",
        floating=True,
        reads=reads_result,
    )


@lru_cache(maxsize=64)
def log_softmax(axis: int) -> TensorOp:
    """a − log Σ exp(a) along ``axis``, computed after subtracting the maximum (stable).

    >>> log_softmax(-1).forward(np.array([1000.0, 1000.0]))
    array([-0.69314718, -0.69314718])
    """

    def forward(a: Array) -> Array:
        if a.size == 0:  # as softmax
            return np.empty(a.shape, a.dtype)
        shifted = a - _largest(a, axis=axis, keepdims=True)
        shifted -= np.log(_sum(np.exp(shifted), axis=axis, keepdims=True))
        return shifted

    def backward(node: Any, g: Array) -> Grads:
        return (g - _exp_of(node.data) * _add_up(g, axis=axis, keepdims=True),)

    return TensorOp(
        name="log_softmax",
        symbol="log_softmax",
        template=f"log_softmax({{0}}, axis={axis})",
        forward=forward,
        backward=backward,
        formulas=("d log_softmax(a)/da: upstream − softmax(a)·Σ upstream",),
        doc=f"log of softmax along axis {axis}",
        floating=True,
        reads=reads_result,
    )


# --- losses: one node each, as in PyTorch, with their fused, stable gradients ------------


def _reduce_loss(losses: Array, reduction: str) -> Array:
    if reduction == "mean":
        if losses.size == 0:  # PyTorch returns NaN here; like Tensor.mean, say so instead
            raise OpDomainError("the mean loss of an empty batch has no value")
        return _sum(losses, axis=None) / losses.size
    if reduction == "sum":
        return _sum(losses, axis=None)
    return losses


def _loss_upstream(g: Array, like: Array, reduction: str) -> Array:
    """d(reduced loss)/d(each element's loss), times the upstream gradient."""
    if reduction == "mean":
        return g / max(_array(like).size, 1)
    return g  # "sum": the same upstream for every element; "none": one per element


#: The reductions a loss can apply, as PyTorch names them.
REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction: str, loss: str = "", allowed: tuple[str, ...] = REDUCTIONS) -> None:
    """The one check of a loss's ``reduction`` argument, shared by every loss and loss module.

    >>> check_reduction("avg", "mse_loss")
    Traceback (most recent call last):
    ValueError: mse_loss: reduction must be 'mean', 'sum' or 'none', got 'avg'
    """
    if reduction not in allowed:
        choices = ", ".join(repr(r) for r in allowed[:-1]) + f" or {allowed[-1]!r}"
        where = f"{loss}: " if loss else ""
        raise ValueError(f"{where}reduction must be {choices}, got {reduction!r}")


@lru_cache(maxsize=8)
def cross_entropy(reduction: str = "mean") -> TensorOp:
    """Softmax cross-entropy of logits (N, C) against class indices (N,): log Σ eᶻ − z_target.

    The gradient is softmax(z) − onehot(target): exact and stable for any logits.

    >>> op = cross_entropy("mean")
    >>> round(float(op.forward(np.array([[1.0, 2.0, 3.0]]), np.array([2]))), 6)
    0.407606
    """
    check_reduction(reduction)

    log_probabilities = log_softmax(1).forward  # the stable shift-by-max, defined there once

    def forward(logits: Array, targets: Array) -> Array:
        if reduction == "mean" and len(targets) == 0:
            raise OpDomainError("cross-entropy of an empty batch has no mean")
        picked = log_probabilities(logits)[np.arange(len(targets)), targets]
        return _reduce_loss(-picked, reduction)

    def backward(node: Any, g: Array) -> Grads:
        logits, targets = node.parents[0].data, _array(node.parents[1].data)
        rows = np.arange(len(targets))
        onehot = np.zeros(logits.shape, logits.dtype)
        onehot[rows, targets] = 1
        grad = _exp_of(_run(log_softmax(1), logits)) - onehot
        scale = _loss_upstream(g, targets, reduction)
        return (grad * (scale[:, None] if reduction == "none" else scale), None)

    return TensorOp(
        name="cross_entropy",
        symbol="CE",
        template=f"cross_entropy({{0}}, {{1}}, {reduction})",
        forward=forward,
        backward=backward,
        formulas=(
            "d CE/dz = softmax(z) − onehot(target)",
            "targets are class indices: no gradient",
        ),
        doc=f"softmax cross-entropy ({reduction})",
        # The fused node works the probabilities out again from the logits: it reads them.
        reads=reads_inputs,
    )


def _clamped_log(x: Any) -> Any:
    # PyTorch's BCELoss limits each log to −100 so a probability of exactly 0 or 1 stays finite.
    if not _is_array(x):
        return x.log().clip(-100.0, None)
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(x), -100.0)


def _clamped_log1m(p: Any) -> Any:
    # log(1 − p) as log1p(−p), exact for small p as in PyTorch, limited to −100 likewise.
    if not _is_array(p):
        return (1 - p).log().clip(-100.0, None)
    with np.errstate(divide="ignore"):
        return np.maximum(np.log1p(-p), -100.0)


@lru_cache(maxsize=8)
def binary_cross_entropy(reduction: str = "mean") -> TensorOp:
    """−[y·log p + (1 − y)·log(1 − p)] of probabilities p against labels y, logs limited to −100.

    >>> op = binary_cross_entropy("mean")
    >>> round(float(op.forward(np.array([0.8]), np.array([1.0]))), 6)
    0.223144
    """
    check_reduction(reduction)

    def forward(p: Array, y: Array) -> Array:
        outside = ~((p >= 0) & (p <= 1))  # NaN too: PyTorch refuses it here
        if outside.any():
            bad = float(p[outside].flat[0])
            raise OpDomainError(
                f"binary cross-entropy needs probabilities in [0, 1], got {bad!r} "
                "(apply sigmoid first, or use BCEWithLogitsLoss on the raw scores)"
            )
        wrong = ~((y >= 0) & (y <= 1))  # NaN too, as in PyTorch
        if wrong.any():
            bad = float(y[wrong].flat[0])
            raise OpDomainError(f"binary cross-entropy needs labels in [0, 1], got {bad!r}")
        losses = (y - 1) * _clamped_log1m(p) - y * _clamped_log(p)  # PyTorch's order
        return _reduce_loss(losses, reduction)

    def backward(node: Any, g: Array) -> Grads:
        p, y = node.parents[0].data, node.parents[1].data
        upstream = _loss_upstream(g, p, reduction)
        slope = (p - y) / _at_least(p * (1 - p), p.dtype.type(ops.BCE_EPSILON))
        # Labels rarely need a gradient, but soft labels that are learned do (as in PyTorch).
        label_slope = (
            (_clamped_log1m(p) - _clamped_log(p)) if node.parents[1].requires_grad else None
        )
        return (slope * upstream, None if label_slope is None else label_slope * upstream)

    return TensorOp(
        name="bce",
        symbol="BCE",
        template=f"bce({{0}}, {{1}}, {reduction})",
        forward=forward,
        backward=backward,
        formulas=("d BCE/dp = (p − y) / (p·(1 − p))", "d BCE/dy = log(1 − p) − log p"),
        doc=f"binary cross-entropy ({reduction})",
        reads=reads_inputs,
    )


@lru_cache(maxsize=8)
def binary_cross_entropy_with_logits(reduction: str = "mean") -> TensorOp:
    """Binary cross-entropy of σ(z) from the logits z: softplus(z) − y·z, stable for any z.

    >>> op = binary_cross_entropy_with_logits("sum")
    >>> float(op.forward(np.array([-800.0]), np.array([1.0])))
    800.0
    """
    check_reduction(reduction)

    def forward(z: Array, y: Array) -> Array:
        softplus = np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))
        return _reduce_loss(softplus - y * z, reduction)

    def backward(node: Any, g: Array) -> Grads:
        z, y = node.parents[0].data, node.parents[1].data
        upstream = _loss_upstream(g, z, reduction)
        label_grad = -z * upstream if node.parents[1].requires_grad else None
        sigmoid = _sigmoid(z) if _is_array(z) else z.sigmoid()
        return ((sigmoid - y) * upstream, label_grad)

    return TensorOp(
        name="bce_logits",
        symbol="BCE(σ)",
        template=f"bce_with_logits({{0}}, {{1}}, {reduction})",
        forward=forward,
        backward=backward,
        formulas=("d BCE(σ(z))/dz = σ(z) − y", "d BCE(σ(z))/dy = −z"),
        doc=f"binary cross-entropy from logits ({reduction})",
        reads=reads_inputs,
    )


# --- dtype -------------------------------------------------------------------------------


@lru_cache(maxsize=16)
def cast_to(dtype: np.dtype[Any]) -> TensorOp:
    """The same numbers in another dtype. Between floats the gradient is cast back; to an
    integer or bool dtype the result is outside the graph (fractions are cut off).

    >>> cast_to(np.dtype("float32")).forward(np.array([1.5])).dtype
    dtype('float32')
    """
    to_float = dtype.kind == "f"

    def forward(a: Array) -> Array:
        try:
            return a.astype(dtype)
        except FloatingPointError:  # a narrower float cannot hold the numbers
            raise OpDomainError(
                f"the numbers are too large for {dtype} (beyond "
                f"±{float(np.finfo(dtype).max):.4g}) and would be inf",
                OverflowError,
            ) from None

    return TensorOp(
        name="cast",
        symbol=str(dtype),
        template=f"{dtype}({{0}})",
        forward=forward,
        # fit_gradient casts the gradient back to the input's dtype
        backward=lambda node, g: (g,),
        formulas=(f"d {dtype}(a)/da = 1 (the gradient is cast back to a's dtype)",),
        doc=f"cast to {dtype}",
        differentiable=to_float,
        overflows=to_float,
        reads=reads_nothing,
    )


# --- outside the graph: comparisons and logic give booleans, which carry no gradient -----


def _outside_graph(
    name: str, symbol: str, template: str, forward: Callable[..., Array]
) -> TensorOp:
    return TensorOp(
        name=name,
        symbol=symbol,
        template=template,
        forward=forward,
        backward=_no_gradient,
        formulas=(f"{name} gives booleans: no gradient",),
        doc=f"{name}, outside the graph",
        differentiable=False,
    )


EQUAL = _outside_graph("equal", "==", "{0} == {1}", np.equal)
NOT_EQUAL = _outside_graph("not_equal", "!=", "{0} != {1}", np.not_equal)
LESS = _outside_graph("less", "<", "{0} < {1}", np.less)
LESS_EQUAL = _outside_graph("less_equal", "≤", "{0} ≤ {1}", np.less_equal)
GREATER = _outside_graph("greater", ">", "{0} > {1}", np.greater)
GREATER_EQUAL = _outside_graph("greater_equal", "≥", "{0} ≥ {1}", np.greater_equal)
LOGICAL_NOT = _outside_graph("logical_not", "not", "not {0}", np.logical_not)
ANY = _outside_graph("any", "any", "any({0})", np.any)
ALL = _outside_graph("all", "all", "all({0})", np.all)


def _refuse_inverting_floats(inputs: Sequence[Any], ctx: Any) -> None:
    if inputs[0].data.dtype.kind not in "biu":
        raise TypeError(
            f"~ on {who(inputs[0])}: ~ flips booleans or the bits of integers; for floats "
            "write 1 - x or -x"
        )


#: ``~mask``: booleans flipped (integers: bitwise not), as PyTorch's.
INVERT = replace(_outside_graph("invert", "~", "~{0}", np.invert), check=_refuse_inverting_floats)
