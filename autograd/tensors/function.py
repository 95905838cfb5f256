"""Custom ops written as PyTorch's ``torch.autograd.Function``: a forward and a backward of
your own, a node like any other.

Subclass :class:`Function` with two static methods, ``forward(ctx, *inputs)`` and
``backward(ctx, *grad_outputs)``, and call ``YourFunction.apply(x)``. The class becomes an
op record (a :class:`~autograd.tensors.ops.tensor_op.TensorOp` named after it, made once per
class), and ``apply`` hands it to the one path every Tensor op takes,
:func:`~autograd.tensors.tensor.apply`. So the node is narrated and drawn under the class's
name (``LegendrePolynomial3(x)``), backward runs your ``backward`` at that node with the
numbers shown as every step's are, ``gradcheck`` compares it with finite differences, the
in-place checks cover what you saved, and a second derivative through it works when your
``backward`` is made of Tensor ops (and is an error naming the class when it is not).

``ctx`` is PyTorch's: ``ctx.save_for_backward(*tensors)`` and ``ctx.saved_tensors``,
``ctx.needs_input_grad`` (one bool per input of ``forward``), and any attribute you set.

    >>> from autograd import Tensor
    >>> class Cube(Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x**3
    ...     @staticmethod
    ...     def backward(ctx, grad_output):
    ...         (x,) = ctx.saved_tensors
    ...         return grad_output * 3 * x**2
    >>> x = Tensor([2.0], requires_grad=True, label="x")
    >>> y = Cube.apply(x); y.sum().backward()
    >>> y.op.name, x.grad.tolist()
    ('Cube', [12.0])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.grad_mode import no_grad
from .notation import shape_text, who
from .ops import TensorOp
from .tensor import Tensor, _plain, apply

__all__ = ["Function", "FunctionCtx", "once_differentiable"]


class FunctionCtx:
    """What a custom :class:`Function`'s forward hands its backward (PyTorch's ``ctx``).

    >>> ctx = FunctionCtx((True, False)); ctx.save_for_backward(Tensor([1.0]))
    >>> len(ctx.saved_tensors), ctx.needs_input_grad
    (1, (True, False))
    """

    def __init__(self, needs_input_grad: tuple[bool, ...]) -> None:
        #: For each input of ``forward``, whether a gradient is wanted for it.
        self.needs_input_grad = needs_input_grad
        self.materialize_grads = True
        self._saved: tuple[Any, ...] = ()
        self._non_differentiable: list[Any] = []

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep ``tensors`` (inputs or outputs of forward, or None) for backward. Changing
        one in place afterwards makes backward raise, as every op's saved tensors do."""
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    "save_for_backward takes Tensors (or None); keep other things as "
                    f"attributes of ctx (ctx.name = ...), got {type(t).__name__}"
                )
        self._saved = tensors

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """What ``save_for_backward`` kept, in its order."""
        return self._saved

    def mark_non_differentiable(self, *outputs: Any) -> None:
        """Say that an output carries no gradient (an index, a mask): it records no graph."""
        self._non_differentiable.extend(outputs)

    def set_materialize_grads(self, value: bool) -> None:
        """Accepted for PyTorch's sake: ``backward`` always receives a Tensor here."""
        self.materialize_grads = bool(value)


def once_differentiable(backward: Any) -> Any:
    """PyTorch's decorator for a ``backward`` that cannot be differentiated again (it works
    on numbers): a second derivative through it is then an error naming the Function."""
    backward._once_differentiable = True
    return backward


class _Call:
    """One application of a Function: the class, its ctx and the arguments as given."""

    __slots__ = ("function", "ctx", "args", "kwargs", "output")

    def __init__(self, function: type[Function], args: tuple[Any, ...], kwargs: Any) -> None:
        self.function = function
        self.args = args
        self.kwargs = kwargs
        self.ctx = FunctionCtx(tuple(isinstance(a, Tensor) and a.requires_grad for a in args))
        self.output: Any = None  # the node apply made (what a saved output stands for)

    def saved(self) -> tuple[Any, ...]:
        """The saved tensors, an output of forward replaced by the node apply made of it."""
        out = self.output
        return tuple(
            out if out is not None and t is not None and t.array is out.array else t
            for t in self.ctx.saved_tensors
        )


class Function:
    """Base class of a custom op: define ``forward(ctx, *inputs)`` and
    ``backward(ctx, *grad_outputs)`` as static methods, then call ``apply``.

    ``forward`` gets the inputs as given (Tensors, numbers, anything) and returns one
    Tensor, computed with recording off. ``backward`` gets d(root)/d(output) as a Tensor and
    returns one gradient per input of forward (None for an input that needs none), each of
    that input's shape. PyTorch's newer form, ``forward(*inputs)`` with a separate
    ``setup_context(ctx, inputs, output)``, works too.
    """

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("a Function subclass defines forward(ctx, *inputs)")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError("a Function subclass defines backward(ctx, *grad_outputs)")

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Any) -> None:
        raise NotImplementedError

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Tensor:
        """Run the op on ``args``: one node of the graph, recorded as any op is."""
        call = _Call(cls, args, kwargs)
        tensors = [a for a in args if isinstance(a, Tensor)]
        if not tensors:  # nothing to record: the forward rule on its own
            return _plain(_forward_of(call))
        out = apply(_record(cls), *tensors, ctx=call)
        call.output = out
        if any(t is not None and t.array is out.array for t in call.ctx._non_differentiable):
            return out.detach()
        return out


def _forward_of(call: _Call) -> np.ndarray:
    """The user's forward, run with recording off; its result's numbers."""
    function = call.function
    with no_grad():
        if "setup_context" in _overrides(function):
            result = function.forward(*call.args, **call.kwargs)
            function.setup_context(call.ctx, call.args, result)
        else:
            result = function.forward(call.ctx, *call.args, **call.kwargs)
    if not isinstance(result, Tensor):
        several = isinstance(result, (tuple, list))
        raise TypeError(
            f"{function.__name__}.forward returned {type(result).__name__}: "
            + (
                "a Function here returns one Tensor (several outputs are not supported)"
                if several
                else "it must return a Tensor"
            )
        )
    array = result.array
    if any(isinstance(a, Tensor) and a.array is array for a in call.args):
        array = array.copy()  # an input returned as it is: the output gets numbers of its own
    return array


def _overrides(function: type[Function]) -> set[str]:
    return {
        name
        for klass in function.__mro__
        if klass is not Function and issubclass(klass, Function)
        for name in vars(klass)
    }


#: The op record of each Function class, made on its first apply.
_RECORDS: dict[type[Function], TensorOp] = {}


def _record(function: type[Function]) -> TensorOp:
    """The op record of a Function class: named after it, forward and backward its own."""
    found = _RECORDS.get(function)
    if found is None:
        found = _RECORDS[function] = _make_record(function)
    return found


def _make_record(function: type[Function]) -> TensorOp:
    name = function.__name__

    def forward(*arrays_and_call: Any) -> np.ndarray:
        return _forward_of(arrays_and_call[-1])

    def backward(node: Any, g: Any) -> list[Any]:
        return _backward_of(node.ctx, g)

    return TensorOp(
        name=name,
        symbol=name,
        template=lambda names: f"{name}({', '.join(names)})",
        forward=forward,
        backward=backward,
        formulas=lambda index, arity: f"d {name}/d(input {index + 1}): what {name}.backward gives",
        doc=f"the custom Function {name}",
        takes_ctx=True,
        reads=lambda node: tuple(t for t in node.ctx.saved() if t is not None),
    )


def _backward_of(call: _Call, g: Any) -> list[Any]:
    """The user's backward at this node: one share per Tensor input (arrays, or Tensors
    recorded in a graph when a second derivative is being built)."""
    function, ctx = call.function, call.ctx
    name = function.__name__
    building = isinstance(g, Tensor)  # create_graph: the upstream is a node
    if building and getattr(function.backward, "_once_differentiable", False):
        raise RuntimeError(
            f"{name}: its backward is marked once_differentiable, so it cannot be "
            "differentiated twice (create_graph=True)"
        )
    saved_before = ctx._saved
    ctx._saved = call.saved()
    try:
        if building:
            grads = function.backward(ctx, g)
        else:
            with no_grad():
                grads = function.backward(ctx, _plain(g))
    finally:
        ctx._saved = saved_before
    grads = grads if isinstance(grads, tuple) else (grads,)
    if len(grads) != len(call.args):
        raise RuntimeError(
            f"{name}.backward returned {len(grads)} gradient(s), but forward took "
            f"{len(call.args)} input(s): give one per input (None where none is needed)"
        )
    shares: list[Any] = []
    needed = building and (
        g.requires_grad or any(t is not None and t.requires_grad for t in ctx._saved)
    )
    for index, (arg, grad) in enumerate(zip(call.args, grads)):
        if not isinstance(arg, Tensor):
            continue
        if grad is None:
            shares.append(None)
            continue
        if not isinstance(grad, Tensor):
            raise TypeError(
                f"{name}.backward: gradient {index + 1} is {type(grad).__name__}; a "
                "gradient is a Tensor (or None)"
            )
        try:
            np.broadcast_to(np.empty(arg.array.shape), grad.array.shape)
        except ValueError:
            raise ValueError(
                f"{name}.backward: gradient {index + 1} has shape "
                f"{shape_text(grad.array.shape)}, but input {index + 1} is {who(arg)}"
            ) from None
        if building:
            if needed and not grad.requires_grad and arg.requires_grad:
                raise RuntimeError(
                    f"{name}: its backward left the graph (it worked on plain numbers, e.g. "
                    "through .numpy(), .item() or .data), so it cannot be differentiated "
                    "twice (create_graph=True); write it with Tensor ops on ctx.saved_tensors "
                    "and grad_output"
                )
            shares.append(grad)
        else:
            shares.append(grad.array)
    return shares
