"""Value: a scalar node of the computation graph.

A Value holds a float, remembers the op and the parents that made it, and the local
derivatives of that op (computed once, in the forward pass, from the op's record).
``backward()`` then needs no per-node Python call: it walks the graph once in reverse
topological order, multiplying and adding floats.

Example:
    >>> x, w, b = Value(2.0, "x"), Value(3.0, "w"), Value(1.0, "b")
    >>> y = w * x + b
    >>> loss = (y - 5) ** 2
    >>> loss.backward()
    >>> loss.data, w.grad, x.grad, b.grad
    (4.0, 8.0, 12.0, 4.0)
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..engine import grad_mode as _mode
from ..engine.graph import Observer, backward, topological_order
from ..engine.notation import CONSTANT, PARAM, Owner, fmt
from ..engine.records import Op, OpDomainError
from ..narration.explain import explain
from ..narration.names import name_gradients
from ..narration.steps import Step, backward_steps
from . import ops

__all__ = ["Value"]

Number = float | int


class Value:
    """A scalar that records how it was computed, so gradients can flow back through it.

    ``Value(data, label="")``; pass ``param=True`` to mark a leaf as a learnable parameter
    (drawings show parameters apart from inputs).

    >>> y = Value(2.0, "x") * 3.5
    >>> y
    Value(data=7.0, grad=0.0)
    >>> y.op.name, [p.data for p in y.parents]
    ('mul', [2.0, 3.5])
    """

    __slots__ = ("data", "grad", "label", "op", "parents", "partials", "owner")
    # Make numpy defer to Value's reflected operators (np.float64(2) * v gives a Value).
    __array_ufunc__ = None

    data: float
    grad: float
    label: str
    op: Op | None
    parents: tuple[Value, ...]
    partials: tuple[float, ...]
    owner: Owner | None

    def __init__(self, data: Number, label: str = "", *, param: bool = False) -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__} {label!r}")
        self.data = _as_float(data, label)
        self.grad = 0.0
        self.label = label
        self.op = None
        self.parents = ()
        self.partials = ()
        self.owner = PARAM if param else None

    # --- construction of results: the one path every op goes through ---------------------

    @staticmethod
    def _apply(op: Op, parents: tuple[Value, ...]) -> Value:
        """Make the node ``op(*parents)``: forward value and local derivatives from the record.

        Inside ``no_grad()`` this is :meth:`_apply_off_graph` instead (grad_mode swaps
        them), so the recording path spends nothing on asking whether to record.
        """
        datas = [p.data for p in parents]
        try:
            data = op.forward(*datas)
            # The local derivatives are taken now, while the inputs are at hand: backward then
            # only multiplies, and a node holds floats rather than a closure (less memory).
            partials = op.derivative(*datas, data)
        except (OpDomainError, ArithmeticError, ValueError) as error:
            raise _op_error(op, parents, error) from None
        if not -1.7976931348623157e308 <= data <= 1.7976931348623157e308:  # inf or NaN
            _refuse_overflow(op, parents, datas, data)
        # Slots filled without __init__: its checks are for user input, and this is the
        # engine's hottest line (one call per op of every forward pass).
        out = _new_value(Value)
        out.data = data
        out.grad = 0.0
        out.label = ""
        out.op = op
        out.parents = parents
        out.partials = partials
        out.owner = None
        return out

    @staticmethod
    def _apply_off_graph(op: Op, parents: tuple[Value, ...]) -> Value:
        """``op(*parents)`` inside ``no_grad()``: the number only, as a leaf of no graph."""
        datas = [p.data for p in parents]
        try:
            data = op.forward(*datas)
        except (OpDomainError, ArithmeticError, ValueError) as error:
            raise _op_error(op, parents, error) from None
        if not -1.7976931348623157e308 <= data <= 1.7976931348623157e308:  # as in _apply
            _refuse_overflow(op, parents, datas, data)
        out = _constant(data)  # a leaf holding the number, as a constant is
        out.owner = UNRECORDED  # but a result, not a plain number the user typed
        return out

    # --- arithmetic -------------------------------------------------------------------------

    def __add__(self, other: Value | Number) -> Value:
        return Value._apply(ops.ADD, (self, _operand(other, "add", self)))

    def __radd__(self, other: Number) -> Value:
        return Value._apply(ops.ADD, (_operand(other, "add", self), self))

    def __sub__(self, other: Value | Number) -> Value:
        return Value._apply(ops.SUB, (self, _operand(other, "sub", self)))

    def __rsub__(self, other: Number) -> Value:
        return Value._apply(ops.SUB, (_operand(other, "sub", self), self))

    def __mul__(self, other: Value | Number) -> Value:
        return Value._apply(ops.MUL, (self, _operand(other, "mul", self)))

    def __rmul__(self, other: Number) -> Value:
        return Value._apply(ops.MUL, (_operand(other, "mul", self), self))

    def __truediv__(self, other: Value | Number) -> Value:
        return Value._apply(ops.DIV, (self, _operand(other, "div", self)))

    def __rtruediv__(self, other: Number) -> Value:
        return Value._apply(ops.DIV, (_operand(other, "div", self), self))

    def __pow__(self, other: Value | Number) -> Value:
        if isinstance(other, Value):
            return Value._apply(ops.POW, (self, other))
        # A plain-number exponent is part of the op, not an input: x**2 has one parent.
        return Value._apply(ops.power(_as_float(other, "", op="pow")), (self,))

    def __rpow__(self, other: Number) -> Value:
        base = _as_float(other, "", op="pow")
        if base <= 0:
            return Value._apply(ops.POW, (_constant(base), self))
        return Value._apply(ops.exponential(base), (self,))

    def __neg__(self) -> Value:
        return Value._apply(ops.NEG, (self,))

    def __float__(self) -> float:
        # float(v) would also let math.exp(v) run and silently drop v from the graph.
        raise TypeError(
            f"float() of {_describe_input(self)} would leave the graph, so gradients could not "
            "flow back through it: use .data for the number, or Value methods (v.exp(), ...) "
            "to keep computing with it"
        )

    def __format__(self, spec: str) -> str:
        """Formats the number: ``f"{Value(2.0):.3f}" == "2.000"``."""
        return format(self.data, spec) if spec else repr(self)

    def __round__(self, digits: int | None = None) -> float:
        """The number rounded, as a plain float (off the graph): ``round(Value(2.46), 1) == 2.5``"""
        return round(self.data, digits)

    # Ordering compares the numbers, so max(values) and sorted(values) work. (== stays
    # identity, so Values can be kept in sets and dicts as graph nodes.)
    def __lt__(self, other: Value | Number) -> bool:
        return self.data < _number(other)

    def __le__(self, other: Value | Number) -> bool:
        return self.data <= _number(other)

    def __gt__(self, other: Value | Number) -> bool:
        return self.data > _number(other)

    def __ge__(self, other: Value | Number) -> bool:
        return self.data >= _number(other)

    # --- functions --------------------------------------------------------------------------

    def exp(self) -> Value:
        """e to the power of this value. ``Value(0.0).exp().data == 1.0``"""
        return Value._apply(ops.EXP, (self,))

    def log(self) -> Value:
        """Natural logarithm; the value must be positive. ``Value(1.0).log().data == 0.0``"""
        return Value._apply(ops.LOG, (self,))

    def tanh(self) -> Value:
        """Hyperbolic tangent, stable for any input. ``Value(0.0).tanh().data == 0.0``"""
        return Value._apply(ops.TANH, (self,))

    def sigmoid(self) -> Value:
        """Logistic sigmoid 1/(1+e⁻ˣ), stable for any input. ``Value(0.0).sigmoid().data == 0.5``"""
        return Value._apply(ops.SIGMOID, (self,))

    def relu(self) -> Value:
        """max(0, x); its derivative at 0 is taken as 0. ``Value(-2.0).relu().data == 0.0``"""
        return Value._apply(ops.RELU, (self,))

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x if x > 0 else slope·x. ``Value(-2.0).leaky_relu(0.1).data == -0.2``"""
        if type(slope) is not float:
            slope = _argument(slope, "the slope", "leaky_relu", self)
        return Value._apply(ops.leaky_relu(slope), (self,))

    def softplus(self) -> Value:
        """log(1 + eˣ), stable for any input; its slope is σ(x).
        ``round(Value(0.0).softplus().data, 6) == 0.693147``"""
        return Value._apply(ops.SOFTPLUS, (self,))

    def clip(self, low: float, high: float) -> Value:
        """Limit to [low, high]; the gradient is 0 where the value was clipped.
        ``Value(1.5).clip(0.0, 1.0).data == 1.0``"""
        low = _argument(low, "low", "clip", self)
        high = _argument(high, "high", "clip", self)
        if not low <= high:
            raise ValueError(
                f"clip({_describe_input(self)}): needs low <= high, got low={low!r}, high={high!r}"
            )
        return Value._apply(ops.clip(low, high), (self,))

    def binary_cross_entropy(self, target: float | Value) -> Value:
        """−[y·log p + (1 − y)·log(1 − p)] of this probability p against label ``target``.

        A number label is part of the op; a Value label is a second input and gets its
        gradient too. Logs are limited to −100 and the slope in p is PyTorch's.
        ``round(Value(0.8).binary_cross_entropy(1.0).data, 6) == 0.223144``"""
        if isinstance(target, Value):
            return Value._apply(ops.BCE, (self, target))
        label = _argument(target, "the label", "bce", self)
        try:
            op = ops.binary_cross_entropy(label)
        except OpDomainError as error:
            raise _op_error(ops.BCE, (self,), error) from None
        return Value._apply(op, (self,))

    def step(self) -> Value:
        """The perceptron's Heaviside step, 1 if x > 0 else 0, with gradient 0.
        ``Value(0.3).step().data == 1.0``"""
        return Value._apply(ops.STEP, (self,))

    @staticmethod
    def sum(values: Iterable[Value | Number]) -> Value:
        """Add a list of values as one node (one step per input in narration, not a chain).

        A static method over a list, unlike ``Tensor.sum``, which reduces one tensor's entries.

        >>> Value.sum([Value(1.0), Value(2.0), 3]).data
        6.0
        """
        parents = tuple(_operand(v, "sum", None) for v in values)
        if not parents:
            raise ValueError("Value.sum needs at least one value")
        return Value._apply(ops.SUM, parents)

    @staticmethod
    def dot(
        weights: Iterable[Value | Number],
        inputs: Iterable[Value | Number],
        bias: Value | Number = 0.0,
    ) -> Value:
        """w₁x₁ + … + wₙxₙ + b as one node: a neuron's weighted sum.

        >>> Value.dot([Value(0.5), Value(-0.5)], [1, 0], Value(0.1)).data
        0.6
        """
        ws = tuple(_operand(w, "dot", None) for w in weights)
        xs = tuple(_operand(x, "dot", None) for x in inputs)
        if len(ws) != len(xs):
            raise ValueError(f"dot: {len(ws)} weights but {len(xs)} inputs")
        return Value._apply(ops.DOT, (*ws, *xs, _operand(bias, "dot", None)))

    # --- gradients --------------------------------------------------------------------------

    def backward(self, *, create_graph: bool = False) -> None:
        """Fill in ``.grad`` of every node this value depends on (d self / d node).

        Leaves accumulate across calls, as in PyTorch: a second call doubles their grads.
        Intermediate nodes start from zero at each call, and keep their grads for reading.
        With ``create_graph=True`` every grad is a Value built from nodes (labelled
        ``dself/dx``), which can be differentiated again: see :func:`autograd.grad`.

        >>> a = Value(3.0, "a"); b = a * a
        >>> b.backward(); b.backward(); a.grad
        12.0
        >>> a.zero_grad(); b.backward(create_graph=True); a.grad
        Value(data=6.0, grad=0.0, label='dout/da')
        """
        if self.owner is UNRECORDED:
            raise _unrecorded(self)
        if create_graph:
            backward(self, create_graph=True)
            name_gradients(self, Value)
            return
        # A marked fast path: the engine's loop (engine/graph.py, walk) with Value.propagate
        # inlined, for floats only. One call per node costs 7-15% on benchmarks/scalar_engine's
        # 100,000-deep chain; tests/engine/test_backward.py holds the two equal.
        order = topological_order(self)
        for node in order:
            if node.parents:
                node.grad = 0.0
        self.grad = 1.0 if self.parents else self.grad + 1.0
        for node in reversed(order):
            parents = node.parents
            if parents:
                g = node.grad
                for parent, local in zip(parents, node.partials):
                    parent.grad += g * local

    def backward_steps(self) -> Iterator[Step]:
        """Backward one chain-rule step at a time; each step is applied when it is yielded.

        >>> x = Value(2.0, "x"); y = x * 3; y.label = "y"
        >>> steps = y.backward_steps(); print(next(steps)); x.grad
        dy/dx = 3
        3.0
        """
        return backward_steps(self)

    def explain(self, part: str | None = None, *, names: Mapping[str, Any] | None = None) -> str:
        """The whole lesson as text: forward values, then every backward step.

        Reading the lesson changes nothing: every grad is as it was afterwards. For a
        network, ``part="L1"`` or ``part="L2.N1"`` narrates only that layer or neuron;
        ``names=locals()`` calls unlabelled values by your variables' names.

        >>> x = Value(2.0, "x"); y = x * x; y.label = "y"
        >>> print(y.explain().splitlines()[-1])
          dy/dx = 4
        """
        return explain(self, part, names=names)

    def zero_grad(self) -> None:
        """Set the grad of this value and of every node it depends on to zero.

        A Value's grad is a float (micrograd's ``p.data -= lr * p.grad`` follows), so 0.0; a
        Tensor's is None, as PyTorch's. A model's or optimizer's ``zero_grad`` clears only its own.

        >>> a = Value(3.0); b = a * a; b.backward(); b.zero_grad(); a.grad
        0.0
        """
        for node in topological_order(self):
            node.grad = 0.0

    # --- micrograd's names, for code written against micrograd ---------------------------

    def _backward(self) -> None:
        """micrograd's manual step, :meth:`propagate` (the lecture's ``o.grad = 1.0;
        o._backward(); n._backward()``): ``y = x * x; y.grad = 1.0; y._backward()`` adds 2x."""
        self.propagate()

    @property
    def _prev(self) -> tuple[Value, ...]:
        """The values this one was computed from, each once, in order (micrograd's ``_prev``;
        read-only: tracegrad's own name is ``parents``).

        >>> a = Value(2.0, "a"); b = a * a + 1
        >>> [child.data for child in b._prev], [child.label for child in (a * a)._prev]
        ([4.0, 1.0], ['a'])
        """
        parents = self.parents
        return parents if len(parents) < 2 else tuple(dict.fromkeys(parents))

    @property
    def _op(self) -> str:
        """The op that made this value as micrograd writes it (``'+'``, ``'*'``, ``'**2'``,
        ``'tanh'``, ``'ReLU'``), ``''`` for a leaf. Read-only: tracegrad's record is ``op``.

        >>> a = Value(2.0)
        >>> (a + 1)._op, (a * a)._op, (a**2)._op, a.relu()._op, a._op
        ('+', '*', '**2', 'ReLU', '')
        """
        op = self.op
        if op is None:
            return ""
        name = op.name
        if name in _MICROGRAD_OPS:
            return _MICROGRAD_OPS[name]
        if name.startswith("pow"):  # a fixed exponent: pow2 is micrograd's '**2'
            return "**" + name[3:]
        return name

    # --- the node protocol (autograd.engine.graph.Node): what backward runs on ------------

    #: A Value's grad before any gradient arrives (micrograd's and PyTorch's ``+=`` start here).
    initial_grad = 0.0

    def seed(self, gradient: Any = None, create_graph: bool = False) -> Any:
        """d(root)/d(root) when backward starts here: 1, or the ``gradient`` given.

        >>> Value(2.0).seed(), Value(2.0).seed(0.5)
        (1.0, 0.5)
        """
        if self.owner is UNRECORDED:
            raise _unrecorded(self)
        if gradient is None:
            return 1.0
        if isinstance(gradient, Value):
            return gradient if create_graph else gradient.data
        if isinstance(gradient, numbers.Real) and not isinstance(gradient, bool):
            return float(gradient)
        raise TypeError(
            f"backward: a Value's gradient is a number or a Value, got "
            f"{type(gradient).__name__} {gradient!r:.60}"
        )

    def propagate(self, observer: Observer | None = None, create_graph: bool = False) -> None:
        """The chain rule at this node: add ``grad · d(self)/d(parent)`` into each parent's
        ``grad``. The local derivatives were taken in the forward pass (``partials``), so
        this only multiplies and adds; with ``create_graph`` they are built again from the
        nodes themselves, so the gradient is a graph that can be differentiated again.

        >>> x = Value(3.0, "x"); y = x * x; y.grad = 1.0; y.propagate(); x.grad
        6.0
        """
        g = self.grad
        if observer is None and not create_graph:
            for parent, local in zip(self.parents, self.partials):
                parent.grad += g * local
            return
        partials = self._local_nodes() if create_graph else self.partials
        for i, (parent, local) in enumerate(zip(self.parents, partials)):
            if not create_graph:
                contribution = g * local
                parent.grad += contribution
            elif parent.owner is CONSTANT:
                continue  # a plain number's gradient is never read: build no nodes for it
            else:
                contribution = _times(g, local)
                held = parent.grad
                empty = type(held) is float and held == 0.0
                parent.grad = contribution if empty else held + contribution
            if observer is not None:
                observer(self, i, parent, local, contribution)

    def _local_nodes(self) -> tuple[Any, ...]:
        # The derivative rule the forward pass used, now given the nodes themselves: its
        # arithmetic records the local derivatives as a graph.
        op = self.op
        assert op is not None
        try:
            return op.derivative(*self.parents, self)
        except TypeError as error:
            raise RuntimeError(
                f"{op.name}: its local derivative cannot be built from Values, so it cannot be "
                f"differentiated twice (create_graph=True): {error}"
            ) from None

    def who(self) -> str:
        """How errors name this value: its label and number.
        ``Value(2.0, "x").who() == "'x' = 2.0"``"""
        return _describe_input(self)

    @staticmethod
    def describe(number: Any) -> str:
        """A number as narration writes it (a grad made with ``create_graph=True`` is a
        Value: its number). ``Value.describe(8.0) == '8'``"""
        return fmt(number.data if isinstance(number, Value) else number)

    brief = describe

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"


_new_value = object.__new__

#: The owner of a Value computed inside ``no_grad()``: a result that recorded no graph.
UNRECORDED = Owner((), "computed")


def _unrecorded(value: Value) -> RuntimeError:
    return RuntimeError(
        f"backward: {_describe_input(value)} was computed inside no_grad(), which records no "
        "graph, so no gradient can reach what it was computed from; compute it outside "
        "no_grad() (PyTorch: element 0 of tensors does not require grad and does not have a "
        "grad_fn)"
    )


_RECORDING_APPLY = Value.__dict__["_apply"]
_OFF_GRAPH_APPLY = Value.__dict__["_apply_off_graph"]


def _follow_grad_mode(recording: bool) -> None:
    Value._apply = _RECORDING_APPLY if recording else _OFF_GRAPH_APPLY  # type: ignore[method-assign]


_mode.on_change.append(_follow_grad_mode)

#: micrograd's op strings, for ``Value._op``; ops micrograd lacks keep tracegrad's name.
_MICROGRAD_OPS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**", "relu": "ReLU"}


def _times(upstream: Any, local: Any) -> Any:
    """upstream · local in a gradient graph, skipping the multiplications by ±1 and 1· that
    would only clutter its drawing (dy/dx of x³ reads 3 · x^2, not 1 · (3 · x^2))."""
    if type(local) is not float and local.owner is CONSTANT:
        local = local.data  # a plain number of the graph (the 3 of 3·x) stays a number
    if type(upstream) is not float and upstream.owner is CONSTANT:
        upstream = upstream.data
    if type(local) is float:
        if local == 1.0:
            return upstream
        if local == -1.0:
            return -upstream
    if type(upstream) is float and upstream == 1.0:
        return local
    return upstream * local


def _as_float(data: Any, label: str, op: str = "Value") -> float:
    if type(data) is float:
        return data
    where = f" for {label!r}" if label else ""
    if isinstance(data, numbers.Real):
        try:
            return float(data)
        except OverflowError:
            raise OverflowError(f"{op}{where}: {_too_large(data)}") from None
    kind = type(data).__name__
    if isinstance(data, Value):
        hint = " (it is already a Value: use it directly)"
    elif hasattr(data, "shape"):
        hint = " (for arrays use autograd.Tensor)"
    else:
        hint = ""
    raise TypeError(f"{op} needs a real number{where}, got {kind} {data!r}{hint}")


def _number(other: Any) -> float:
    return other.data if isinstance(other, Value) else _as_float(other, "", op="compare")


def _constant(number: float) -> Value:
    const = _new_value(Value)
    const.data = number
    const.grad = 0.0
    const.label = ""
    const.op = None
    const.parents = ()
    const.partials = ()
    const.owner = CONSTANT
    return const


def _operand(other: Any, op: str, value: Value | None) -> Value:
    """``other`` as a node: Values pass through, plain numbers become constant leaves."""
    if isinstance(other, Value):
        return other
    if type(other) is float or type(other) is int or isinstance(other, numbers.Real):
        try:
            return _constant(float(other))
        except OverflowError:
            this = f" (with {_describe_input(value)})" if value is not None else ""
            raise OverflowError(f"{op}: {_too_large(other)}{this}") from None
    this = f" with {_describe_input(value)}" if value is not None else ""
    if hasattr(other, "shape") and hasattr(other, "requires_grad"):
        name = f" {other.label!r}" if getattr(other, "label", "") else ""
        raise TypeError(
            f"{op}: cannot combine the Tensor{name} {other.describe(other.data)}{this}: "
            "a scalar Value and a Tensor do not mix; use Tensors for both"
        )
    hint = "; for arrays use autograd.Tensor" if hasattr(other, "shape") else ""
    if isinstance(other, (list, tuple)):
        hint = _LIST_HINT
    shown = f"{other!r:.60}"
    kind = "a list" if isinstance(other, list) else type(other).__name__
    raise TypeError(f"{op}: cannot combine {kind} {shown}{this}: need a number or a Value{hint}")


#: What to do when a list (a layer's outputs, say) reaches an op that needs one Value.
_LIST_HINT = (
    "; a list of Values, such as a layer's outputs, is not one Value: pick one (out[0]), "
    "add them with Value.sum(out), or give the last layer one neuron (nn.MLP(3, [4, 1]) "
    "returns a Value)"
)


def _too_large(number: Any) -> str:
    """Why ``number`` (an int beyond 1.8e308, say) cannot become a float, in a few words."""
    if isinstance(number, int):
        try:
            digits = str(abs(number))
            shown = f"the int {digits[:6]}… ({len(digits)} digits)"
        except ValueError:  # beyond Python's limit for turning an int into text
            shown = f"an int of about {int(abs(number).bit_length() * math.log10(2)) + 1} digits"
    else:
        shown = f"the {type(number).__name__} {number!r:.40}"
    return f"{shown} is too large for a float (the largest is about 1.8e308)"


def _argument(number: Any, what: str, op: str, node: Value) -> float:
    """A number given to a method (a slope, a bound, a label) as a float, or a clear error
    naming the op, the argument and the Value it was applied to."""
    if type(number) is float:
        return number
    if isinstance(number, numbers.Real) and not isinstance(number, Value):
        try:
            return float(number)
        except OverflowError:
            raise OverflowError(f"{op}({_describe_input(node)}): {_too_large(number)}") from None
    shown = "None" if number is None else f"{type(number).__name__} {number!r:.60}"
    raise TypeError(f"{op}({_describe_input(node)}): {what} must be a real number, got {shown}")


def _describe_input(node: Value) -> str:
    if node.label:
        return f"{node.label!r} = {node.data!r}"
    if node.owner is CONSTANT:
        return repr(node.data)
    return f"an unnamed value {node.data!r}"


def _refuse_overflow(op: Op, parents: tuple[Value, ...], datas: list[float], data: float) -> None:
    """The overflow policy (README, "What tracegrad promises"): finite inputs whose result
    is inf or NaN raise OverflowError, as exp and ** do (Python raises there); an input that
    is already inf or NaN passes through, as in PyTorch.

    >>> Value(1e308, "a") + Value(1e308, "b")
    Traceback (most recent call last):
    OverflowError: add('a' = 1e+308, 'b' = 1e+308): the result is too large for a float ...
    """
    if all(math.isfinite(d) for d in datas):
        raise _op_error(
            op,
            parents,
            OpDomainError(
                f"the result is too large for a float (beyond ±{sys.float_info.max:.4g}) and "
                f"would be {data}. tracegrad stops at the op that overflows from finite "
                "inputs, as exp and ** do; inf or NaN already in an input passes through",
                OverflowError,
            ),
        )


def _op_error(op: Op, parents: tuple[Value, ...], error: Exception) -> Exception:
    kind = error.kind if isinstance(error, OpDomainError) else type(error)
    inputs = ", ".join(_describe_input(p) for p in parents)
    message = (
        str(error) if isinstance(error, OpDomainError) else f"{error} (in {op.doc or op.name})"
    )
    return kind(f"{op.name}({inputs}): {message}")
