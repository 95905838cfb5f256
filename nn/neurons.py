"""Neuron, Layer and MLP built from scalar Values: every weight can be traced, narrated, drawn.

Each weight and bias is a named leaf (``L1.N3.w2`` is weight 2 of neuron 3 in layer 1),
and every Value a neuron computes carries its owner, so drawings can cluster a network by
layer and neuron, or fold each neuron into one box.

Example:
    >>> from nn import MLP
    >>> model = MLP(2, [4, 1], activation="relu", seed=0)
    >>> model
    MLP(
      (L1): Layer(in_features=2, out_features=4, activation=relu)
      (L2): Layer(in_features=4, out_features=1, activation=linear)
    )
    >>> out = model([1.0, 0.0])  # one output neuron: the Value itself, as in micrograd
    >>> type(out).__name__, len(model.parameters())
    ('Value', 17)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd import Owner, Value
from nn.module import whole_number
from nn.optim import NO_GRAD

__all__ = ["Neuron", "Layer", "MLP", "Outputs", "ACTIVATIONS"]

#: The activations a Neuron can apply to its weighted sum, by name.
ACTIVATIONS: dict[str, Callable[[Value], Value] | None] = {
    "linear": None,
    "relu": Value.relu,
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "leaky_relu": Value.leaky_relu,
    "step": Value.step,
}

Inputs = Sequence[Value | float]


def _activation(name: str | None) -> Callable[[Value], Value] | None:
    key = "linear" if name is None else name
    if key not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}: choose one of {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[key]


def _generator(seed: int | None, rng: np.random.Generator | None) -> np.random.Generator:
    if rng is not None and seed is not None:
        raise ValueError("give either seed= or rng=, not both")
    return rng if rng is not None else np.random.default_rng(seed)


def _as_inputs(x: Inputs | Value | float, nin: int, where: str) -> list[Value]:
    """The inputs as Values; plain numbers become input leaves named x1, x2, ..."""
    items = [x] if isinstance(x, (Value, int, float)) else list(x)
    if len(items) != nin:
        raise ValueError(f"{where} expects {nin} input(s), got {len(items)}")
    return [v if isinstance(v, Value) else Value(v, f"x{i + 1}") for i, v in enumerate(items)]


_OUTPUTS_HINT = (
    "pick one output (out[0]), add them (Value.sum(out)), or give the last layer one neuron: "
    "a layer or MLP of one output neuron returns the Value itself"
)


class Outputs(list):
    """A layer's outputs: a list of Values that, used as if it were one Value (in arithmetic,
    ``.backward()``, ``.data``), says what to do instead of Python's bare list error.

    >>> out = Layer(2, 2, seed=0)([1.0, 2.0])
    >>> len(out), isinstance(out, list)
    (2, True)
    >>> out - 1.0
    Traceback (most recent call last):
    ...
    TypeError: - with a list of 2 Values (a layer's outputs) and float: pick one output ...
    """

    def _refuse(self, what: str, other: Any) -> TypeError:
        return TypeError(
            f"{what} with a list of {len(self)} Values (a layer's outputs) and "
            f"{type(other).__name__}: {_OUTPUTS_HINT}"
        )

    def __add__(self, other: Any) -> Any:
        if isinstance(other, list):
            return list.__add__(self, other)  # joining lists stays what it is
        raise self._refuse("+", other)

    def __radd__(self, other: Any) -> Any:
        raise self._refuse("+", other)

    def __mul__(self, other: Any) -> Any:
        if isinstance(other, int) and not isinstance(other, bool):
            return list.__mul__(self, other)  # repetition stays what it is
        raise self._refuse("*", other)

    def __rmul__(self, other: Any) -> Any:
        return self.__mul__(other)

    def __sub__(self, other: Any) -> Any:
        raise self._refuse("-", other)

    def __rsub__(self, other: Any) -> Any:
        raise self._refuse("-", other)

    def __truediv__(self, other: Any) -> Any:
        raise self._refuse("/", other)

    def __rtruediv__(self, other: Any) -> Any:
        raise self._refuse("/", other)

    def __pow__(self, other: Any) -> Any:
        raise self._refuse("**", other)

    def __neg__(self) -> Any:
        raise TypeError(f"- of a list of {len(self)} Values (a layer's outputs): {_OUTPUTS_HINT}")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or not hasattr(Value, name):
            raise AttributeError(f"'list' object has no attribute {name!r}")
        raise AttributeError(
            f"a list of {len(self)} Values (a layer's outputs) has no .{name}, a Value does: "
            + _OUTPUTS_HINT
        )


class _Parameters:
    """What Neuron, Layer and MLP share: their parameter list and clearing its grads."""

    def parameters(self) -> list[Value]:  # pragma: no cover - each defines its own
        raise NotImplementedError

    def zero_grad(self) -> None:
        """Set every parameter's grad to zero before the next backward (the marked zero that
        tells an optimizer no backward has reached the parameter since; see :mod:`nn.optim`).

        Values keep a float grad where Tensors' ``zero_grad`` sets None as PyTorch's does:
        micrograd programs do ``p.data -= lr * p.grad`` right after ``zero_grad()``.

        >>> from nn import Neuron
        >>> n = Neuron(2, seed=0); n.zero_grad(); n.parameters()[0].grad
        0.0
        """
        for p in self.parameters():
            p.grad = NO_GRAD


class Neuron(_Parameters):
    """One neuron: ``activation(w₁x₁ + … + wₙxₙ + b)``, its weighted sum a single node.

    Weights start as PyTorch's ``nn.Linear`` starts them, uniform in ±1/√nin (the bias too),
    from ``seed`` or a numpy ``rng``; or pass ``weights=`` and ``bias=`` explicitly.

    >>> n = Neuron(2, activation="sigmoid", weights=[0.5, -0.5], bias=0.1)
    >>> n([1.0, 0.0]).data
    0.6456563062257954
    >>> [p.label for p in n.parameters()]
    ['N1.w1', 'N1.w2', 'N1.b']
    """

    def __init__(
        self,
        nin: int,
        activation: str | None = "linear",
        *,
        weights: Sequence[float] | None = None,
        bias: float | None = None,
        seed: int | None = None,
        rng: np.random.Generator | None = None,
        name: str = "N1",
        groups: tuple[tuple[str, str], ...] | None = None,
    ) -> None:
        nin = whole_number(nin, "nin", "Neuron")
        if nin < 1:
            raise ValueError(f"a neuron needs at least one input, got nin={nin}")
        self.nin = nin
        self.activation = "linear" if activation is None else activation
        self._apply_activation = _activation(activation)
        self.name = name
        groups = groups if groups is not None else (("neuron", name),)
        prefix = ".".join(n for _, n in groups)
        self._computed = Owner(groups, "computed")
        param_owner = Owner(groups, "param")
        if weights is None or bias is None:
            bound = 1.0 / math.sqrt(nin)
            draws = _generator(seed, rng).uniform(-bound, bound, nin + 1)
        if weights is None:
            weights = draws[:nin].tolist()
        if bias is None:
            bias = float(draws[nin])
        if len(weights) != nin:
            raise ValueError(f"{prefix}: {nin} inputs need {nin} weights, got {len(weights)}")
        self.w = [Value(float(w), f"{prefix}.w{i + 1}") for i, w in enumerate(weights)]
        self.b = Value(float(bias), f"{prefix}.b")
        for p in (*self.w, self.b):
            p.owner = param_owner
        self._z_label, self._out_label = f"{prefix}.z", f"{prefix}.a"

    def __call__(self, x: Inputs | Value | float) -> Value:
        xs = _as_inputs(x, self.nin, self.name)
        z = Value.dot(self.w, xs, self.b)
        z.owner = self._computed
        z.label = self._z_label
        if self._apply_activation is None:
            return z
        out = self._apply_activation(z)
        out.owner = self._computed
        out.label = self._out_label
        return out

    def parameters(self) -> list[Value]:
        """The weights, then the bias."""
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"Neuron(in_features={self.nin}, activation={self.activation})"


class Layer(_Parameters):
    """``nout`` neurons reading the same inputs. Calling it returns a list, one Value per
    neuron, except that a layer of one neuron returns that Value (as micrograd's does).

    ``squeeze=False`` always gives a list; ``squeeze=True`` insists on a single Value.

    >>> layer = Layer(2, 1, activation="sigmoid", weights=[[0.5, -0.5]], biases=[0.1])
    >>> layer([1.0, 0.0])
    Value(data=0.6456563062257954, grad=0.0, label='L1.N1.a')
    >>> layer([1.0, 0.0], squeeze=False)
    [Value(data=0.6456563062257954, grad=0.0, label='L1.N1.a')]
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str | None = "linear",
        *,
        weights: Sequence[Sequence[float]] | None = None,
        biases: Sequence[float] | None = None,
        seed: int | None = None,
        rng: np.random.Generator | None = None,
        name: str = "L1",
    ) -> None:
        nin, nout = whole_number(nin, "nin", "Layer"), whole_number(nout, "nout", "Layer")
        if nout < 1:
            raise ValueError(f"a layer needs at least one neuron, got nout={nout}")
        if weights is not None and len(weights) != nout:
            raise ValueError(f"{name}: {nout} neurons need {nout} weight rows, got {len(weights)}")
        if biases is not None and len(biases) != nout:
            raise ValueError(f"{name}: {nout} neurons need {nout} biases, got {len(biases)}")
        generator = _generator(seed, rng)
        self.nin, self.nout, self.name = nin, nout, name
        self.activation = "linear" if activation is None else activation
        self.neurons = [
            Neuron(
                nin,
                activation,
                weights=None if weights is None else weights[j],
                bias=None if biases is None else biases[j],
                rng=generator,
                name=f"N{j + 1}",
                groups=(("layer", name), ("neuron", f"N{j + 1}")),
            )
            for j in range(nout)
        ]

    def __call__(self, x: Inputs | Value | float, *, squeeze: bool | None = None) -> Any:
        xs = _as_inputs(x, self.nin, self.name)
        return _squeeze([neuron(xs) for neuron in self.neurons], self.name, squeeze)

    def parameters(self) -> list[Value]:
        """Every neuron's weights and bias, neuron by neuron."""
        return [p for neuron in self.neurons for p in neuron.parameters()]

    def __repr__(self) -> str:
        return (
            f"Layer(in_features={self.nin}, out_features={self.nout}, activation={self.activation})"
        )


def _squeeze(outs: list[Value], where: str, squeeze: bool | None) -> Any:
    """One output as the Value itself (unless ``squeeze=False``), several as a list (which
    ``squeeze=True`` refuses)."""
    if squeeze is None:
        return outs[0] if len(outs) == 1 else Outputs(outs)
    if not squeeze:
        return Outputs(outs)
    if len(outs) != 1:
        raise ValueError(f"{where}: squeeze=True needs a single output, this has {len(outs)}")
    return outs[0]


class MLP(_Parameters):
    """A multi-layer perceptron: ``MLP(nin, [h1, h2, …, nout])``.

    Hidden layers use ``activation``; the last layer uses ``output_activation`` (linear by
    default). Layers are named L1, L2, …; parameters ``L2.N3.w1`` and so on.

    >>> model = MLP(3, [4, 4, 1], seed=1)
    >>> [layer.nout for layer in model.layers], model.parameters()[0].label
    ([4, 4, 1], 'L1.N1.w1')
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str | None = "relu",
        output_activation: str | None = None,
        *,
        weights: Sequence[Sequence[Sequence[float]]] | None = None,
        biases: Sequence[Sequence[float]] | None = None,
        seed: int | None = None,
        rng: np.random.Generator | None = None,
    ) -> None:
        if not isinstance(nouts, Sequence) or isinstance(nouts, str):
            raise TypeError(
                "MLP: nouts must be a list of layer sizes such as [3] or [4, 1], got "
                f"{type(nouts).__name__} {nouts!r:.60}"
            )
        if not nouts:
            raise ValueError("an MLP needs at least one layer size")
        nin = whole_number(nin, "nin", "MLP")
        nouts = [whole_number(n, f"layer size {i + 1}", "MLP") for i, n in enumerate(nouts)]
        _activation(activation)  # checked even when no hidden layer uses it
        generator = _generator(seed, rng)
        sizes = [nin, *nouts]
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                activation if i < len(nouts) - 1 else output_activation,
                weights=None if weights is None else weights[i],
                biases=None if biases is None else biases[i],
                rng=generator,
                name=f"L{i + 1}",
            )
            for i in range(len(nouts))
        ]
        self.nin = nin

    def __call__(self, x: Inputs | Value | float, *, squeeze: bool | None = None) -> Any:
        """The outputs of the last layer: the Value itself when it has one neuron (as in
        micrograd), else a list; ``squeeze=False`` always gives a list."""
        values: list[Value] = _as_inputs(x, self.nin, "MLP")
        for layer in self.layers:  # each layer's outputs are the next one's inputs, checked once
            values = [neuron(values) for neuron in layer.neurons]
        return _squeeze(values, "MLP", squeeze)

    def parameters(self) -> list[Value]:
        """Every parameter, layer by layer."""
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        lines = [f"  ({layer.name}): {layer!r}" for layer in self.layers]
        return "MLP(\n" + "\n".join(lines) + "\n)"
